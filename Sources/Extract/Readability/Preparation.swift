import Markup

/// The pass over the whole page before scoring: removes what can never be article text (scripts, forms,
/// navigation, hidden elements) and, in strict mode, elements whose class or id marks them as furniture.
struct Preparation {
    let strict: Bool
    var rules = ExtractionRules.none

    static let removedTags = TagSet([
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "button", "input",
        "select", "textarea", "nav", "link", "meta", "head", "title", "dialog", "menu",
    ])
    /// Removed tags that name a part of the page rather than a kind of content: one left open over the whole
    /// page still holds the article. libxml2's HTML parser closes some of them late, so that a header's menu
    /// `<button>` or a `<nav>` can hold every element after it (WCXB dev: 4 articles came out empty).
    static let landmarkTags = TagSet(["nav", "menu", "dialog", "button"])
    /// Removed tags whose content is never text a reader sees.
    static let textlessNames = [
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "input", "select",
        "textarea", "link", "meta", "head", "title",
    ]
    static let textlessTags = TagSet(textlessNames)
    static let textlessBelowNoscript = TagSet(textlessNames.filter { $0 != "noscript" })
    static let noscriptPageBytes = 200

    /// Elements never removed for their class or id.
    static let keptTags = TagSet(["body", "a", "html", "main", "article"])

    /// Code, whose highlighters name their tokens `hljs-comment`, `token comment`, `c1`: what is inside is the
    /// code's own text, not judged by its names. WCXB dev: a git primer whose comment lines were cut 0.58 →
    /// 0.99, documentation 0.894 → 0.895 (8 pages up, 4 down where the annotation leaves code out), articles
    /// 0.945 kept; scrapinghub unchanged.
    static let codeTags = TagSet(["pre", "code"])

    /// Elements a `<footer>` inside belongs to; a footer inside none of them is the page's (role
    /// `contentinfo` in HTML-AAM: address, contact and legal lines, never the article's).
    static let sectioningTags = TagSet(["article", "aside", "main", "nav", "section"])

    /// Elements that hold the page's main content by their name in HTML.
    static let mainContentTags = TagSet(["main", "article"])

    static func hasAncestor(_ node: Node, in tags: TagSet) -> Bool {
        var ancestor = node.parent
        while let current = ancestor {
            if current.tag(in: tags) { return true }
            ancestor = current.parent
        }
        return false
    }

    /// Whether an `<article>` with an `<h1>` or three paragraphs of prose is inside: the page's own story,
    /// whatever the box around it is called (a CMS's `widget_posts_slot` around the single post). WCXB dev
    /// articles: 0.932 → 0.933 with the `<h1>`, one empty page gets its article; with the prose, one page
    /// 0.19 → 0.87, none worse (0.942 at three decimals); scrapinghub unchanged.
    static func holdsTitledArticle(_ node: Node) -> Bool {
        node.descendants.contains { element in
            element.is("article") && (element.descendants.contains { $0.is("h1") } || Boilerplate.holdsProse(element))
        }
    }

    /// Whether a hidden element holds three fifths of the text of the `<main>` or `<article>` it is in: the
    /// page's content waiting for a script to show it (a store's lock-down app hides the product until it
    /// has checked the visitor). WCXB dev: 3 pages better (product 0 → 0.71, a collection 0.29 → 0.84), none
    /// worse; all types 0.826 → 0.827; scrapinghub unchanged. `lengths` keeps each main's length, measured
    /// once however many hidden elements it holds.
    static func holdsMostOfMain(_ node: Node, lengths: inout [Node: Int]) -> Bool {
        var ancestor = node.parent
        while let current = ancestor, !current.tag(in: mainContentTags) { ancestor = current.parent }
        guard let main = ancestor else { return false }
        let whole = lengths[main] ?? visibleLength(of: main)
        lengths[main] = whole
        let least = whole * 3 / 5
        return least > 0 && visibleLength(of: node, limit: least) >= least
    }

    /// Characters of text below `node` outside textless elements, a run of white space counting as one,
    /// counted until `limit` is reached.
    static func visibleLength(of node: Node, limit: Int = .max) -> Int {
        var total = 0
        node.forEachTextRun(skipping: textlessTags) { run in
            total += TextStats.measure(run).length
            return total < limit
        }
        return total
    }

    /// The class words naming a widget that the page gives to a hundred elements or more: its name for a
    /// block, whatever the block holds, and no sign of furniture. Amazon's pages give `celwidget` (its
    /// client-side metrics) to every block, the product's description and details included, as page
    /// builders call every box a widget (`Boilerplate.layoutWords`); a sidebar's widgets are a dozen.
    static func blockNames(in root: Node) -> Set<String> {
        var counts: [Substring: Int] = [:]
        root.walk { node in
            guard node.isElement else { return .skipChildren }
            if node.hasAttributes, let names = node.attribute("class"), TextBytes.contains(names, "widget") {
                for name in Set(names.lowercased().split(separator: " "))
                where TextBytes.contains(String(name), "widget") {
                    counts[name, default: 0] += 1
                }
            }
            return .enter
        }
        return Set(counts.filter { $0.value >= blockNameUses }.keys.map(String.init))
    }

    static let blockNameUses = 100

    /// Whether an element named as a consent prompt (`onetrust-consent-sdk`, `cookie-banner`, `gdpr-…`) is
    /// one: it holds none of the page's `<h1>`, `<main>`, `<article>`, `<header>`, `<nav>` or `<footer>`.
    /// A consent manager's preference centre spells out every purpose and partner in paragraphs, which on a
    /// page of short blocks (a listing, a shop) is more text than the page's own: neither its prose nor its
    /// size says it is something else, as they do for other notice words. A wrapper that names a consent
    /// state (`has-cookie-banner`) around the page holds its heading, or its header, menu or footer.
    /// WCXB dev: three pages that came out as a privacy centre (two recipe listings, a forum thread) have
    /// their own text: listing 0.610 → 0.630, forum 0.775 → 0.780, all types 0.843 → 0.845; no other
    /// prediction of the four dev sets changed.
    static func isConsentPrompt(_ node: Node, words: String) -> Bool {
        guard Boilerplate.consentWords.occurs(in: words) else { return false }
        return !node.descendants.contains { $0.tag(in: pageStructureTags) }
    }

    /// Whether an element named for comments (`comments`, `commentlist`, `disqus_thread`) is the comment
    /// section: it holds neither the page's `<h1>` nor its `<main>`. Below a short post, readers' comments
    /// can be most of the page's text; that makes them no layout around the article, as size does for other
    /// furniture words. A wrapper around the page named for comments (`comments-open`) holds its heading,
    /// and a forum's thread, all posts, has no paragraph of the page's own prose beside it. dragnet-train
    /// 0.902 → 0.903, comment leak 4.6 → 4.2 % (a post that came out as its 45 comments is whole, F1 0.05 →
    /// 0.99); WCXB dev forum 0.780 → 0.775 (a thread whose question is a paragraph beside its replies),
    /// all types 0.845 kept; scrapinghub and cleaneval-dev unchanged.
    static func isCommentSection(_ node: Node, words: String, in root: Node) -> Bool {
        guard Boilerplate.commentFragmentSet.occurs(in: words),
            !node.descendants.contains(where: { $0.is("h1") || $0.is("main") })
        else { return false }
        // A thread of a forum is all posts: only beside a paragraph of the page's own prose are they comments.
        return root.descendants.contains { paragraph in
            paragraph.is("p") && !node.contains(paragraph) && TextStats.of(paragraph).length >= 150
        }
    }

    /// Elements a consent prompt never holds and a wrapper around the page does.
    static let pageStructureTags = TagSet(["h1", "main", "article", "header", "nav", "footer"])

    /// Roles of hidden boxes that open over the page rather than inside its text.
    static let popupRoles: Set<String> = [
        "dialog", "alertdialog", "menu", "menubar", "navigation", "listbox", "tooltip",
    ]

    /// The ids named by `aria-controls` anywhere in the page (a list of ids each).
    static func controlledIDs(in root: Node) -> Set<String> {
        var ids: Set<String> = []
        root.walk { node in
            guard node.isElement else { return .skipChildren }
            if node.hasAttributes, let value = node.attribute("aria-controls") {
                for id in value.split(separator: " ") { ids.insert(String(id)) }
            }
            return .enter
        }
        return ids
    }

    func apply(to root: Node) {
        var removed: [Node] = []
        // A furniture-named wrapper around most of the page's text is a mislabelled layout (a "social-wrap"
        // around everything, a `role="banner"` header left open over the whole page), and a hidden element
        // holding most of it is the article waiting for a script to show it (streamed server rendering puts
        // it in `<div hidden>`, "read more" pages behind `display:none`): elements that hold half of the
        // text or more are kept. WCXB dev articles: 3 pages that came out empty now have their article.
        var half = 0
        var shown = 0
        root.forEachTextRun(skipping: Self.textlessTags) { run in
            half += run.count
            shown += TextStats.measure(run).length
            return true
        }
        half /= 2
        // Templates indent with kilobytes of tabs, which can outweigh a block of prose in bytes: an element
        // with three fifths of the text read as a reader sees it (runs of white space as one character) is
        // kept too. WCXB dev: a guide of 33,000 characters in a `page-footer` box, and three other pages
        // whose content sits in a furniture-named or hidden box, came out as their lead or empty (0.01–0.13
        // → 0.77–0.92, none worse; articles 0.944 at three decimals, collection 0.555 → 0.558).
        let shownLeast = shown * 3 / 5
        func holdsHalf(_ node: Node) -> Bool {
            guard half > 0 else { return false }
            return TextBytes.length(of: node, limit: half, skipping: Self.textlessTags) >= half
                || Self.visibleLength(of: node, limit: shownLeast) >= shownLeast
        }
        // A `<noscript>` with more text than the rest of the page is the page as a reader without scripts
        // sees it (forum software serves its posts so; the rest is an empty application shell). WCXB dev:
        // forum 0.698 → 0.733 (6 threads that came out empty have their posts); articles and scrapinghub
        // unchanged.
        var unwrapped: [Node] = []
        var mainLengths: [Node: Int] = [:]
        func holdsPage(_ noscript: Node) -> Bool {
            let least = max(2 * half, Self.noscriptPageBytes)
            return TextBytes.length(of: noscript, limit: least, skipping: Self.textlessBelowNoscript) >= least
        }
        // A hidden panel that a control on the page opens (`aria-controls`: WAI-ARIA's accordion and
        // disclosure patterns, "read more" expanders) holds the page's own text, collapsed: it is kept when it
        // holds a hundred characters of text that is not mostly links and is neither a dialog or menu nor
        // named as furniture. WCXB dev: all types 0.828 → 0.832 (collection 0.563 → 0.599, service 0.773 →
        // 0.783, product 0.574 → 0.578), articles 0.944 → 0.945 (a step-by-step guide in an accordion 0.33 →
        // 0.95), leak 3.99 % kept; scrapinghub 0.979 kept. Asking for a paragraph of prose (150 characters in
        // one `<p>`) instead left the short answers and lists out: all types 0.830. Bootstrap's
        // `data-bs-target` as well as `aria-controls` changed no page. The ids are read once, when a hidden
        // element first has one.
        var controlled: Set<String>?
        func isCollapsedPanel(_ node: Node) -> Bool {
            guard let id = node.attribute("id"), !id.isEmpty else { return false }
            if controlled == nil { controlled = Self.controlledIDs(in: root) }
            guard controlled?.contains(id) == true else { return false }
            if let role = node.attribute("role")?.lowercased(), Self.popupRoles.contains(role) { return false }
            let words = node.classAndID
            let text = TextStats.of(node)
            return !Boilerplate.isNegative(words) && text.length >= 100 && text.linkDensity < 0.3
        }
        var blockNames: Set<String>?
        root.walk { node in
            switch node.kind {
            case .comment, .other:
                removed.append(node)
                return .skipChildren
            case .text:
                return .skipChildren
            case .element:
                if node.is("iframe"), rules.allowsFrame(node.attribute("src")) { return .skipChildren }
                if node.is("noscript"), holdsPage(node) {
                    unwrapped.append(node)
                    return .enter
                }
                if node.tag(in: Self.removedTags), !(node.tag(in: Self.landmarkTags) && holdsHalf(node)) {
                    removed.append(node)
                    return .skipChildren
                }
                if node.is("footer"), !Self.hasAncestor(node, in: Self.sectioningTags), !holdsHalf(node) {
                    removed.append(node)
                    return .skipChildren
                }
                guard node.hasAttributes else { return node.tag(in: Self.codeTags) ? .skipChildren : .enter }
                if Boilerplate.isHidden(node), !holdsHalf(node), !Self.holdsMostOfMain(node, lengths: &mainLengths),
                    !isCollapsedPanel(node)
                {
                    removed.append(node)
                    return .skipChildren
                }
                if let role = node.attribute("role")?.lowercased(), Boilerplate.furnitureRoles.contains(role),
                    !holdsHalf(node)
                {
                    removed.append(node)
                    return .skipChildren
                }
                // A consent prompt goes in both passes: the second, which reads no class words, would
                // otherwise find the privacy centre's paragraphs the longest text of a page of short blocks.
                guard !node.tag(in: Self.keptTags) else { return .enter }
                var words = node.classAndID
                if Self.isConsentPrompt(node, words: words) {
                    removed.append(node)
                    return .skipChildren
                }
                if strict {
                    if TextBytes.contains(words, "widget") {
                        if blockNames == nil { blockNames = Self.blockNames(in: root) }
                        if let names = blockNames, !names.isEmpty {
                            words = words.split(separator: " ").filter { !names.contains($0.lowercased()) }
                                .joined(separator: " ")
                        }
                    }
                    let inMainContent =
                        TextBytes.contains(words, "widget") && Self.hasAncestor(node, in: Self.mainContentTags)
                    if Boilerplate.isNegative(node, words: words, inMainContent: inMainContent),
                        !Boilerplate.isProtected(words),
                        !holdsHalf(node) || Self.isCommentSection(node, words: words, in: root),
                        !Boilerplate.holdsEmbeddedPost(node),
                        !Self.holdsTitledArticle(node)
                    {
                        removed.append(node)
                        return .skipChildren
                    }
                }
                return node.tag(in: Self.codeTags) ? .skipChildren : .enter
            }
        }
        for noscript in unwrapped { noscript.unwrap() }
        Node.remove(removed)
        wrapInlineRuns(below: root)
    }

    /// Containers that mix blocks with bare text (`<div>Text<br><br>More<div>…</div></div>`) get their runs of
    /// inline content wrapped in `<p>`, split at double `<br>`, so that such text is scored as paragraphs.
    /// A `<font>` is one: old pages set a story's `<br><br>` paragraphs in one.
    static let mixedContainers = TagSet([
        "div", "section", "article", "main", "td", "body", "center", "form", "li", "font",
    ])

    private func wrapInlineRuns(below root: Node) {
        var containers: [Node] = []
        root.walk { node in
            guard node.isElement else { return .skipChildren }
            if node.tag(in: Self.mixedContainers), hasBareText(node),
                node.hasChild(in: ContentScorer.blockTags) || hasDoubleBreak(node)
            {
                containers.append(node)
            }
            return .enter
        }
        for container in containers { wrapRuns(in: container) }
    }

    /// Whether two `<br>` follow each other among the children (white space between them): the old web's
    /// paragraph break, in a cell or box that holds nothing but text and breaks.
    private func hasDoubleBreak(_ node: Node) -> Bool {
        var previousWasBreak = false
        var child = node.firstChild
        while let current = child {
            if current.is("br") {
                if previousWasBreak { return true }
                previousWasBreak = true
            } else if !(current.isText && TextBytes.isBlank(current)) {
                previousWasBreak = false
            }
            child = current.nextSibling
        }
        return false
    }

    private func hasBareText(_ node: Node) -> Bool {
        var child = node.firstChild
        while let current = child {
            if current.isText {
                var visible = false
                current.forEachTextRun { run in
                    visible = run.contains { !TextBytes.isSpace($0) }
                    return !visible
                }
                if visible { return true }
            }
            child = current.nextSibling
        }
        return false
    }

    private func wrapRuns(in container: Node) {
        var run: [Node] = []
        var pendingBreak: Node?
        func flush() {
            defer {
                run = []
                pendingBreak = nil
            }
            guard run.contains(where: { !TextBytes.isBlank($0) }) else { return }
            let paragraph = container.document.createElement("p")
            run[0].insertBefore(paragraph)
            for node in run { paragraph.append(node) }
        }
        for child in container.children {
            if child.isElement, child.tag(in: ContentScorer.blockTags) {
                flush()
                continue
            }
            if child.is("br") {
                if let previous = pendingBreak {
                    // Two breaks in a row end a paragraph; both go.
                    run.removeAll { $0 == previous }
                    flush()
                    Node.remove([previous, child])
                    continue
                }
                pendingBreak = child
                run.append(child)
                continue
            }
            if child.isText && TextBytes.isBlank(child) {
                run.append(child)
                continue
            }
            pendingBreak = nil
            run.append(child)
        }
        flush()
    }
}
