import Foundation
import Markup

/// The pass over the chosen body: drops blocks that are furniture by their words (the built-in text rules
/// and the pipeline's own), headings that repeat the title, and blocks that look like link lists, galleries
/// or forms rather than prose.
struct Cleaning {
    let scorer: ContentScorer?
    let title: String?
    let dropText: [NSRegularExpression]

    /// Furniture notices are short: 400 characters of text, which is at most 1,600 bytes of UTF-8.
    static let furnitureByteLimit = 1600

    /// Blocks judged by their text.
    static let textBlockTags = TagSet([
        "p", "div", "li", "span", "section", "aside", "figure", "figcaption", "blockquote", "h2", "h3", "h4", "h5",
        "h6", "ul", "ol", "dl", "table", "center", "font", "strong", "em", "b", "a", "header", "footer", "small",
    ])
    /// Blocks judged by their shape (link density, images, lists).
    static let conditionalTags = TagSet(["div", "section", "ul", "ol", "table", "form", "fieldset", "aside", "header", "footer", "dl"])
    static let headingTags = TagSet(["h1", "h2", "h3", "h4", "h5", "h6"])
    /// Elements old layouts use as a headline.
    static let titleLikeTags = TagSet(["b", "strong", "font", "p", "div", "span", "header"])

    func apply(to container: Node) {
        removeFurnitureText(container)
        removeTitleHeadings(container)
        removeByShape(container)
        removeFurnitureText(container)
    }

    /// Removes the largest block whose whole text is furniture, e.g. a sign-up notice or a line of
    /// related-story links, and `<br>`-separated furniture lines inside paragraphs.
    private func removeFurnitureText(_ container: Node) {
        var removed: [Node] = []
        container.walk { node in
            guard node.isElement else { return .skipChildren }
            guard node.tag(in: Self.textBlockTags) || node.tag(in: Self.headingTags) else { return .enter }
            // Long blocks are prose; only the pipeline's own rules may still drop them. Measuring bytes first
            // keeps the rendering below to short blocks.
            if dropText.isEmpty && TextBytes.length(of: node, limit: Self.furnitureByteLimit) > Self.furnitureByteLimit {
                return .enter
            }
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

    /// The headline belongs to the entry's title, not its body; headings marked as furniture go too.
    private func removeTitleHeadings(_ container: Node) {
        let wanted = title.map(Self.comparable) ?? ""
        var removed: [Node] = []
        let titleBytes = title?.utf8.count ?? 0
        for node in container.descendants where node.tag(in: Self.headingTags) || node.tag(in: Self.titleLikeTags) {
            // Only elements about as long as the title can repeat it.
            if !node.tag(in: Self.headingTags) {
                let length = TextBytes.length(of: node, limit: titleBytes * 2 + 16)
                if titleBytes == 0 || length < titleBytes / 2 || length > titleBytes * 2 + 16 { continue }
            }
            let text = Self.comparable(node.text)
            let repeatsTitle = !text.isEmpty && !wanted.isEmpty && (text == wanted || (text.count >= 15 && wanted.contains(text)))
            if repeatsTitle || (node.tag(in: Self.headingTags) && Boilerplate.classWeight(node) < 0) {
                removed.append(node)
            }
        }
        Node.remove(removed)
    }

    static func comparable(_ text: String) -> String {
        text.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// Readability's conditional cleaning: a block with little prose for its links, images or form fields is
    /// navigation, a gallery or a widget, whatever its markup says.
    private func removeByShape(_ container: Node) {
        var candidates: [Node] = []
        for node in container.descendants where node.isElement && node.tag(in: Self.conditionalTags) {
            candidates.append(node)
        }
        // Innermost first, so a wrapper is judged on what is left inside it; removed nodes are only unlinked
        // until the end, so the list stays valid.
        var removed: [Node] = []
        for node in candidates.reversed() where shouldRemove(node) {
            node.unlink()
            removed.append(node)
        }
        Node.remove(removed)
    }

    private func shouldRemove(_ node: Node) -> Bool {
        if node.is("table"), isDataTable(node) { return false }
        let weight = Boilerplate.classWeight(node)
        let text = TextStats.of(node)
        let score = scorer?.score(of: node) ?? 0
        if weight + score < 0 { return true }
        if text.commas >= 10 { return false }

        var paragraphs = 0, images = 0, items = 0, inputs = 0, embeds = 0, headings = 0
        for element in node.descendants where element.isElement {
            switch element.name {
            case "p", "pre", "blockquote": paragraphs += 1
            case "img": images += 1
            case "li": items += 1
            case "input", "select", "textarea", "button": inputs += 1
            case "embed", "object", "iframe", "video", "audio": embeds += 1
            case "h2", "h3", "h4", "h5", "h6": headings += 1
            default: break
            }
        }
        let isList = node.is("ul") || node.is("ol") || node.is("dl")
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
        split(separator: "\n").map { TextBytes.collapse(String($0)) }.filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
