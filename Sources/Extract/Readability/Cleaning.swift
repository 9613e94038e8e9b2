import Foundation
import Markup

/// The pass over the chosen body: drops blocks that are furniture by their words (the built-in text rules
/// and the pipeline's own), headings that repeat the title, and blocks that look like link lists, galleries
/// or forms rather than prose.
struct Cleaning {
    let scorer: ContentScorer?
    let title: String?
    let dropText: [NSRegularExpression]
    /// The page's own host (without `www.`): a list of links to other sites, set among the article's
    /// paragraphs, is what the article lists, not the site's furniture.
    var host: String? = nil
    /// Whether blocks are judged by their shape; a page region taken whole keeps its link lists.
    var byShape = true

    /// Furniture notices are short: 400 characters of text, which is at most 1,600 bytes of UTF-8.
    static let furnitureByteLimit = 1600

    /// Blocks judged by their text.
    static let textBlockTags = TagSet([
        "p", "div", "li", "span", "section", "aside", "figure", "figcaption", "blockquote", "h2", "h3", "h4", "h5",
        "h6", "ul", "ol", "dl", "table", "center", "font", "strong", "em", "b", "a", "header", "footer", "small",
    ])
    /// Blocks judged by their shape (link density, images, lists).
    static let conditionalTags = TagSet([
        "div", "section", "ul", "ol", "table", "form", "fieldset", "aside", "header", "footer", "dl",
    ])
    static let headingTags = TagSet(["h1", "h2", "h3", "h4", "h5", "h6"])
    /// Elements old layouts use as a headline.
    static let titleLikeTags = TagSet(["b", "strong", "font", "p", "div", "span", "header"])

    func apply(to container: Node) {
        markCaptions(container)
        let total = TextStats.of(container).length
        let cut = removeTrailingSections(container, total: total)
        removePromotionBoxes(container, total: cut ? TextStats.of(container).length : total)
        removeFurnitureText(container)
        removeTitleHeadings(container)
        removeRepeatedBlocks(container)
        if byShape { removeByShape(container) }
    }

    /// Blocks of several paragraphs that repeat an earlier block word for word are the same content laid out
    /// twice, for small screens and for large ones (a style sheet hides one of the two): the later copy
    /// goes. A single paragraph that comes back (a refrain, a pull quote) stays. WCXB dev: 35 pages better,
    /// 8 worse (pages annotated with both copies); articles 0.950 → 0.951, forums 0.746 → 0.752, products
    /// 0.610 → 0.615, all types 0.839 → 0.841; scrapinghub unchanged.
    private func removeRepeatedBlocks(_ container: Node) {
        // Blocks by their length in characters (a run of white space counts as one, so that indentation does
        // not count); texts are compared only between blocks of about the same length.
        var byLength: [Int: [Node]] = [:]
        var removed: [Node] = []
        container.walk { node in
            guard node.isElement else { return .skipChildren }
            guard node.tag(in: Self.repeatableTags), Self.holdsParagraphs(node) else { return .enter }
            // The scorer's figures where there are some: measured before this cleaning, they only choose the
            // blocks whose texts are compared.
            let length = (scorer?.stats[node] ?? TextStats.of(node)).length
            guard length >= Self.repeatMinimum else { return .enter }
            var text: String?
            for nearby in length - 2...length + 2 {
                for earlier in byLength[nearby] ?? [] where !earlier.contains(node) {
                    text = text ?? node.text.collapsedWhitespace
                    if earlier.text.collapsedWhitespace == text {
                        removed.append(node)
                        return .skipChildren
                    }
                }
            }
            byLength[length, default: []].append(node)
            return .enter
        }
        Node.remove(removed)
    }

    /// The blocks `removeRepeatedBlocks` compares, and the characters of text one must hold to count.
    static let repeatableTags = TagSet(["div", "section", "article", "ul", "ol", "table", "dl"])
    static let repeatMinimum = 200

    /// Removes the largest block whose whole text is furniture, e.g. a sign-up notice or a line of
    /// related-story links, and `<br>`-separated furniture lines inside paragraphs.
    private func removeFurnitureText(_ container: Node) {
        var removed: [Node] = []
        container.walk { node in
            guard node.isElement else { return .skipChildren }
            // An embedded post is quoted whole, its date and byline line included.
            if node.is("blockquote"), Boilerplate.isEmbeddedPost(node) { return .skipChildren }
            guard node.tag(in: Self.textBlockTags) || node.tag(in: Self.headingTags) else { return .enter }
            // Inline elements inside prose were judged with their paragraph, unless they open it (a
            // "READ MORE:" or "Source:" label).
            if node.tag(in: TextStatsIndex.inlineTags), let parent = node.parent,
                parent.is("p") || parent.tag(in: Self.headingTags), !Self.opensParent(node)
            {
                return .skipChildren
            }
            // Long blocks are prose; only the pipeline's own rules may still drop them. A look at the raw
            // bytes first keeps the rendering and the regular expressions below to the few blocks that could
            // match: short ones, and longer ones holding a word of the long notices.
            if dropText.isEmpty {
                // Counting bytes is cheaper still than lowering them: lines (the most blocks) need neither.
                let length = TextBytes.length(of: node, limit: Self.furnitureByteLimit)
                if length > Self.furnitureByteLimit { return .enter }
                if length > Boilerplate.lineBytes {
                    guard let lowered = TextBytes.loweredText(of: node, limit: Self.furnitureByteLimit) else {
                        return .enter
                    }
                    if !Boilerplate.mayBeFurniture(lowered) { return .enter }
                }
            }
            // A block of several paragraphs is judged by its paragraphs, one at a time: a notice ends one of
            // them ("To read this article in full, please click here"), not the article around it.
            if Self.holdsParagraphs(node) { return .enter }
            let text = TextRenderer.render(node, style: .text).collapsedLines
            if text.isEmpty { return .skipChildren }
            if Boilerplate.isFurnitureText(text, extra: dropText) {
                removed.append(node)
                return .skipChildren
            }
            return .enter
        }
        Node.remove(removed)
    }

    static let paragraphTags = TagSet(["p", "div", "section", "blockquote", "ul", "ol", "table", "figure", "article"])

    /// Whether the node holds two or more paragraph-like children with text of their own, itself or
    /// through wrappers of one child each (`div > section > p, p`).
    static func holdsParagraphs(_ node: Node) -> Bool {
        var level: Node? = node
        while let current = level {
            let blocks = current.elementChildren.filter { $0.tag(in: paragraphTags) && !TextBytes.isBlank($0) }
            if blocks.count >= 2 { return true }
            level = blocks.count == 1 && current.elementChildren.count == 1 ? blocks[0] : nil
        }
        return false
    }

    /// Whether nothing but white space comes before the node in its parent.
    static func opensParent(_ node: Node) -> Bool {
        var sibling = node.previousSibling
        while let current = sibling {
            if current.isElement || !TextBytes.isBlank(current) { return false }
            sibling = current.previousSibling
        }
        return true
    }

    /// Captions and credits in `div`s and `span`s become `figcaption`: kept with their image in the HTML,
    /// left out of the text, which is the article's prose.
    private func markCaptions(_ container: Node) {
        for node in container.descendants where node.isElement && !node.is("figcaption") && !node.is("figure") {
            guard Boilerplate.isCaption(node.classAndID),
                TextBytes.length(of: node, limit: 1200) <= 1200,
                node.xpath(".//img|.//p[string-length(normalize-space()) > 200]").isEmpty
            else { continue }
            node.rename("figcaption")
        }
    }

    /// A box inside the body that opens with the heading of a promotion or of other stories ("From the
    /// issue", "Highlights", "Most popular") is a teaser, however much prose it holds: it goes whole when it
    /// is short beside the body (a fifth of its text at most). Headings that may open a note of the article's
    /// own ("See also", "Related") do not count, nor does the page's `<h1>`.
    private func removePromotionBoxes(_ container: Node, total: Int) {
        guard total > 0 else { return }
        var boxes: [Node] = []
        container.walk { node in
            guard node.isElement else { return .skipChildren }
            guard node.tag(in: Self.boxTags), let first = node.firstElementChild, !first.is("h1"),
                first.tag(in: Self.headingTags) || first.is("strong") || first.is("b"),
                TextBytes.length(of: first, limit: 80) <= 60
            else { return .enter }
            let heading = TextRenderer.render(first, style: .text).collapsedLines
            guard Boilerplate.isStrongSectionHeading(heading) || Boilerplate.isPromotionHeading(heading),
                TextStats.of(node).length * 5 <= total
            else { return .enter }
            boxes.append(node)
            return .skipChildren
        }
        Node.remove(boxes)
    }

    /// The elements that box a promotion inside a body.
    static let boxTags = TagSet(["div", "section", "aside", "figure"])

    /// A "Related stories" or "Most popular" heading in the last part of the body starts the page's trailer:
    /// it goes with everything after it. Returns whether it removed anything.
    private func removeTrailingSections(_ container: Node, total: Int) -> Bool {
        guard total > 0 else { return false }
        var seen = 0
        var cut: Node?
        container.walk { node in
            if node.isText {
                node.forEachTextRun {
                    seen += TextStats.measure($0).length
                    return true
                }
                return .skipChildren
            }
            guard node.isElement, cut == nil else { return .skipChildren }
            guard node.tag(in: Self.headingTags) || node.tag(in: Self.textBlockTags) else { return .enter }
            // Only the last two fifths of the text are looked at: no block before them is rendered.
            guard Double(seen) >= Double(total) * 0.6, TextBytes.length(of: node, limit: 80) <= 60 else {
                return .enter
            }
            let text = TextRenderer.render(node, style: .text).collapsedLines
            if !text.isEmpty, Boilerplate.isSectionHeading(text) {
                cut = node
                return .skipChildren
            }
            return .enter
        }
        guard let cut else { return false }
        // Everything after the heading, up to the container: following siblings at each level.
        var following: [Node] = []
        var current: Node? = cut
        while let node = current, node != container {
            var sibling = node.nextSibling
            while let next = sibling {
                following.append(next)
                sibling = next.nextSibling
            }
            current = node.parent
        }
        // The trailer is links and teasers; real paragraphs after the heading mean it was only a label.
        var trailer = TextStats()
        for node in following where node.isElement { trailer += TextStats.of(node) }
        // "Most popular" always opens a trailer; "Read more" only when links follow it.
        let isTrailer =
            trailer.length == 0 || trailer.linkDensity >= 0.35
            || Boilerplate.isStrongSectionHeading(TextRenderer.render(cut, style: .text).collapsedLines)
        Node.remove(isTrailer ? [cut] + following : [cut])
        return true
    }

    /// The headline belongs to the entry's title, not its body; headings marked as furniture go too.
    private func removeTitleHeadings(_ container: Node) {
        let wanted = title.map(Self.comparable) ?? []
        var removed: [Node] = []
        let titleBytes = title?.utf8.count ?? 0
        // A repeated headline comes before the prose: look no further than the first 2,000 bytes of text.
        var textSeen = 0
        for node in container.descendants {
            if node.isText {
                textSeen += TextBytes.length(of: node, limit: 4096)
                if textSeen > 2000 { break }
                continue
            }
            guard node.tag(in: Self.headingTags) || node.tag(in: Self.titleLikeTags) else { continue }
            // Only elements about as long as the title can repeat it.
            if !node.tag(in: Self.headingTags) {
                let length = TextBytes.length(of: node, limit: titleBytes * 2 + 16)
                if titleBytes == 0 || length < titleBytes / 2 || length > titleBytes * 2 + 16 { continue }
            }
            let text = Self.comparable(node.text)
            let repeatsTitle =
                !text.isEmpty && !wanted.isEmpty
                && (text == wanted || (text.count >= 15 && TextBytes.contains(wanted, text))
                    || Self.similar(node.text, title ?? ""))
            if repeatsTitle || (node.tag(in: Self.headingTags) && Boilerplate.classWeight(node) < 0) {
                removed.append(node)
            }
        }
        Node.remove(removed)
    }

    /// Whether two headlines share at least 80% of their words (entities, punctuation and site names
    /// differ between a page's metadata and its markup).
    static func similar(_ lhs: String, _ rhs: String) -> Bool {
        let left = Set(words(lhs))
        let right = Set(words(rhs))
        guard left.count >= 4, right.count >= 4 else { return false }
        return Double(left.intersection(right).count) / Double(max(left.count, right.count)) >= 0.8
    }

    /// Lower-cased words, split on ASCII punctuation and spaces (other scripts stay whole).
    static func words(_ text: String) -> [ArraySlice<UInt8>] {
        TextBytes.lowercasedASCII(text).split {
            $0 < 0x80 && !(($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39))
        }
    }

    /// The text's letters and digits only, lower-cased, for comparing headlines.
    static func comparable(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
                    bytes.append(byte)
                } else if byte >= 0x41 && byte <= 0x5A {
                    bytes.append(byte | 0x20)
                }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// Readability's conditional cleaning: a block with little prose for its links, images or form fields is
    /// navigation, a gallery or a widget, whatever its markup says.
    private func removeByShape(_ container: Node) {
        // A paragraph that is nothing but a short link is a promotion for another story. One that is a list's
        // item is judged with its list, below.
        var promotions: [Node] = []
        for node in container.descendants where node.is("p") && node.parent?.is("li") != true {
            let text = TextStats.of(node)
            if text.length > 0, text.length <= 250, text.linkDensity >= 0.9 { promotions.append(node) }
        }
        Node.remove(promotions)

        var candidates: [Node] = []
        // Embedded social posts are quoted content however link-heavy and whatever their wrappers are called.
        var posts: [Node] = []
        for node in container.descendants where node.isElement {
            if node.tag(in: Self.conditionalTags) { candidates.append(node) }
            if node.is("blockquote"), Boilerplate.isEmbeddedPost(node) { posts.append(node) }
        }
        if !posts.isEmpty { candidates.removeAll { candidate in posts.contains { candidate.contains($0) } } }
        // Innermost first, so a wrapper is judged on what is left inside it; removed nodes are only unlinked
        // until the end, so the list stays valid.
        var removed: [Node] = []
        // A block holding most of what is left is the article in a wrapper its template misnamed ("header",
        // "menu"): it is never removed whole (WCXB dev: pages whose article sits in a header's menu).
        let whole = TextStats.of(container).length
        let layout = Self.layoutClasses(among: candidates, whole: whole)
        for node in candidates.reversed() where shouldRemove(node, whole: whole, layout: layout) {
            node.unlink()
            removed.append(node)
        }
        Node.remove(removed)
    }

    /// The furniture-named classes that the article's own blocks share: a template built of components
    /// names each block of the article after one (`WidgetWrapper_WidgetWrapper__R4uge`), so that class holds
    /// most of the text, in several blocks. Its words say nothing about the blocks: they are weighed as if
    /// unnamed. WCXB dev articles: 2 pages that came out empty are whole (F1 0.931 at three decimals before
    /// and after); scrapinghub unchanged.
    static func layoutClasses(among candidates: [Node], whole: Int) -> Set<String> {
        var held: [String: (text: Int, blocks: Int, last: Node)] = [:]
        for node in candidates where node.hasAttribute("class") {
            guard let name = node.attribute("class"), Boilerplate.isNegative(name) else { continue }
            if let seen = held[name] {
                // Nested blocks of one class count once, at the outermost.
                if seen.last.contains(node) { continue }
                held[name] = (seen.text + TextStats.of(node).length, seen.blocks + 1, node)
            } else {
                held[name] = (TextStats.of(node).length, 1, node)
            }
        }
        return Set(held.filter { $0.value.blocks >= 2 && $0.value.text * 2 >= whole }.keys)
    }

    private func shouldRemove(_ node: Node, whole: Int, layout: Set<String>) -> Bool {
        if node.is("table"), isDataTable(node) { return false }
        let text = TextStats.of(node)
        // A form around half the body or more is the page's layout (ASP.NET puts every page in one), not
        // a widget of a few fields.
        if node.is("form"), text.length * 2 >= whole { return false }
        // A wrapper of one list (`<div class="ulist"><ul>`) is judged as its list.
        let list = Self.unwrapped(node)
        if isListedContent(list) || isAnnotatedList(list) { return false }
        let namesLayout = !layout.isEmpty && node.attribute("class").map(layout.contains) == true
        // A layout class's words count for nothing, in the weight and in the scorer's score alike.
        let classWeight = Boilerplate.classWeight(node)
        let ignored = namesLayout ? classWeight : 0
        let weight = classWeight - ignored
        let score = (scorer?.score(of: node) ?? 0) - ignored
        let isList = node.is("ul") || node.is("ol") || node.is("dl")
        if weight + score < 0, !(isList && weight >= 0 && score + Self.listTagScore >= 0 && holdsLines(node, text)) {
            return text.length * 4 < whole * 3
        }
        if text.commas >= 10 { return false }

        var paragraphs = 0
        var images = 0
        var items = 0
        var inputs = 0
        var embeds = 0
        var headings = 0
        for element in node.descendants where element.isElement {
            switch element.name {
            case "p", "pre", "blockquote": paragraphs += 1
            case "img": images += 1
            case "li": items += 1
            // A hidden field is state the page keeps, not something to fill in.
            case "input": if element.attribute("type")?.lowercased() != "hidden" { inputs += 1 }
            case "select", "textarea", "button": inputs += 1
            // Frames left by now are ones the pipeline allows (embedded videos): content, not widgets.
            case "embed", "object", "video", "audio": embeds += 1
            case "h2", "h3", "h4", "h5", "h6": headings += 1
            default: break
            }
        }
        let insideFigure = node.is("figure") || node.parent?.is("figure") == true
        let linkDensity = text.linkDensity
        let length = text.length

        if images > 1, Double(paragraphs) / Double(images) < 0.5, !insideFigure, length < 200 { return true }
        if !isList, items > paragraphs + 10, linkDensity > 0.3 { return true }
        if inputs > paragraphs / 3 + 1 { return true }
        if length < 25, images == 0 || images > 2, headings == 0, !isList { return true }
        if weight < 25, linkDensity > 0.2 + (isList ? 0.3 : 0), length < 1000 || linkDensity > 0.5 { return true }
        if weight >= 25, linkDensity > 0.5 { return true }
        if embeds > 0, length < 75 { return true }
        return false
    }

    /// A list the article itself gives ("the tools we use", sources, products): three items or more, each
    /// a link to another site than the page's own, between two paragraphs of the body. Related-story boxes
    /// link to the site itself, or close the article.
    private func isListedContent(_ node: Node) -> Bool {
        guard let host, node.is("ul") || node.is("ol"), Boilerplate.classWeight(node) >= 0 else { return false }
        // Neighbours are read past wrappers of one block each (`<div class="ulist"><ul>`, `<div
        // class="paragraph"><p>`), as document generators write them, and a list that a sentence ending in a
        // colon introduces needs no paragraph after it. WCXB dev: articles 0.9497 → 0.9499 (a progress report's
        // lists of patches 0.81 → 0.85, a list of free courses 0.77 → 0.81), documentation 0.904 kept, leak
        // kept; scrapinghub unchanged.
        var block = node
        while let parent = block.parent, parent.is("div"), Self.soleElementChild(of: parent) != nil { block = parent }
        func paragraph(_ sibling: Node?) -> Node? {
            guard let inner = sibling.map(Self.unwrapped), inner.is("p") else { return nil }
            return inner
        }
        func length(_ paragraph: Node?) -> Int { paragraph.map { TextStats.of($0).length } ?? 0 }
        guard let before = paragraph(block.previousElementSibling) else { return false }
        // A sentence that ends in a colon introduces the list; else the list stands between two paragraphs.
        let introduced = length(before) >= 20 && before.text.trimmed.hasSuffix(":")
        guard introduced || length(before) >= 40 && length(paragraph(block.nextElementSibling)) >= 40 else {
            return false
        }
        let items = node.elementChildren.filter { $0.is("li") }
        guard items.count >= 3 else { return false }
        return items.allSatisfy { item in
            let links = item.xpath(".//a[@href]")
            guard !links.isEmpty else { return false }
            return links.allSatisfy { link in
                guard let target = link.attribute("href").flatMap(URL.init(string:))?.host?.lowercased() else {
                    return false
                }
                let bare = target.hasPrefix("www.") ? String(target.dropFirst(4)) : target
                return bare != host && !bare.hasSuffix("." + host) && !host.hasSuffix("." + bare)
            }
        }
    }

    /// A list whose items say something of their own besides their links ("Flagship hotel: <a>…</a>, USA",
    /// "Read my review <a>here</a>"): two thirds of its items or more hold 20 letters outside links. A menu,
    /// a tag cloud, a share bar or a box of related stories is links, with a date or a name at most; an item
    /// with a heading is a teaser card (a title, a picture, a blurb), not a line of the article. WCXB dev:
    /// articles 0.945 → 0.949 (recall 0.951 → 0.959, precision and leak kept), all types 0.833 → 0.837
    /// (documentation 0.895 → 0.903, service 0.783 → 0.789); scrapinghub 0.979 kept. Without the heading
    /// test, cards of courses and of listings came in (a listing 0.85 → 0.66).
    private func isAnnotatedList(_ node: Node) -> Bool {
        guard node.is("ul") || node.is("ol"), Boilerplate.classWeight(node) >= 0 else { return false }
        let items = node.elementChildren.filter { $0.is("li") }
        guard items.count >= 2 else { return false }
        let annotated = items.count { item in
            if item.descendants.contains(where: { $0.tag(in: Self.headingTags) }) { return false }
            var letters = 0
            item.forEachTextRun(skipping: Self.linkTags) { run in
                for byte in run where byte >= 0x80 || (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A { letters += 1 }
                return letters < Self.annotationLetters
            }
            return letters >= Self.annotationLetters
        }
        return annotated * 3 >= items.count * 2
    }

    /// A list of lines of the article: items of a sentence's length on average, none of them a titled card.
    /// Such a list is not dropped for the score below zero that its tag alone gives it (the scorer counts a
    /// list −3, and a list whose items are paragraphs is scored, one whose items are bare text is not).
    /// WCXB dev: articles 0.949 → 0.950 (recall 0.959 → 0.960; "Benefits: …" lines under each heading of a
    /// guide 0.79 → 1.0), documentation 0.903 → 0.904, forum 0.744 → 0.745, precision and leak kept;
    /// scrapinghub 0.979 kept. Without the length and heading tests, product tables of short lists and
    /// teaser cards came in (product 0.584 → 0.583, a listing −0.17).
    private func holdsLines(_ list: Node, _ text: TextStats) -> Bool {
        var items = 0
        for element in list.descendants where element.isElement {
            if element.is("li") || element.is("dd") { items += 1 }
            if element.tag(in: Self.headingTags) { return false }
        }
        return items > 0 && text.length >= items * Self.lineLength
    }

    /// What a `<div>` around nothing but one element stands for, through any depth of such wrappers.
    static func unwrapped(_ node: Node) -> Node {
        var node = node
        while node.is("div"), let only = soleElementChild(of: node) { node = only }
        return node
    }

    /// The element's one element child, when it has exactly one.
    static func soleElementChild(of node: Node) -> Node? {
        var child = node.firstChild
        while let current = child, !current.isElement { child = current.nextSibling }
        guard let only = child, only.nextElementSibling == nil else { return nil }
        return only
    }

    static let lineLength = 40
    static let linkTags = TagSet(["a"])
    static let listTagScore = 3.0
    static let annotationLetters = 20

    /// Tables laid out for data (headers, captions, many cells) are content, not layout.
    private func isDataTable(_ table: Node) -> Bool {
        if table.attribute("role") == "presentation" { return false }
        if table.firstChild(named: "caption") != nil || table.firstChild(named: "thead") != nil { return true }
        if !table.xpath(".//th").isEmpty { return true }
        let rows = table.xpath(".//tr").count
        let cells = table.xpath(".//td").count
        return rows >= 3 && cells >= rows * 2
    }
}

extension String {
    /// White space folded within lines, lines kept (they matter for `<br>`-separated related links).
    var collapsedLines: String {
        TextBytes.collapseLines(self)
    }
}
