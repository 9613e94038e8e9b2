import Markup

/// Renders a body subtree as plain text (paragraphs separated by a blank line) or as Markdown. Works on the
/// UTF-8 bytes of text nodes, folding white space as it goes: the renderer runs on every short block during
/// cleaning, so it must not make a string per node.
struct TextRenderer {
    enum Style { case text, markdown }

    let style: Style
    private var paragraphs: [String] = []
    private var line: [UInt8] = []
    private var pendingSpace = false
    private var listDepth = 0
    /// The number of the next item of each ordered list open (nil for an unordered one), innermost last.
    private var numbers: [(next: Int, step: Int)?] = []
    /// An ordered item's number ("3. "), written before the item's first text, whatever block holds it.
    private var pendingMark: [UInt8] = []
    private var prefix: [UInt8] = []

    init(style: Style) { self.style = style }

    static let bareMarks: Set<String> = ["-", "#", "##", "###", "####", "#####", "######", ">"]

    static let blockTags = TagSet([
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "ul", "tr", "caption", "summary", "body", "html",
    ])
    static let headingTags = TagSet(["h1", "h2", "h3", "h4", "h5", "h6"])

    /// The rendered text of everything below `root`.
    static func render(_ root: Node, style: Style) -> String {
        var renderer = TextRenderer(style: style)
        renderer.visitChildren(of: root)
        renderer.flush()
        return renderer.paragraphs.joined(separator: "\n\n")
    }

    private mutating func visitChildren(of node: Node) {
        var child = node.firstChild
        while let current = child {
            switch current.kind {
            case .text:
                current.forEachTextRun {
                    appendText($0)
                    return true
                }
            case .element: visitElement(current)
            default: break
            }
            child = current.nextSibling
        }
    }

    private mutating func visitElement(_ node: Node) {
        if node.is("br") {
            lineBreak()
            return
        }
        if node.is("img") {
            if style == .markdown, let src = node.attribute("src") {
                appendRaw("![" + escape(node.attribute("alt") ?? "") + "](" + src + ")")
            }
            return
        }
        if node.is("figcaption"), style == .text {
            return  // captions belong to their images, not to the prose
        }
        if node.is("pre") {
            flush()
            let code = node.text.trimmingTrailingNewlines
            paragraphs.append(style == .markdown ? "```\n\(code)\n```" : code)
            return
        }
        guard node.tag(in: Self.blockTags) else {
            visitInline(node)
            return
        }
        flush()
        let savedPrefix = prefix
        let isList = node.is("ul") || node.is("ol")
        if style == .markdown {
            if node.tag(in: Self.headingTags) {
                let level = Int(String(node.name.dropFirst())) ?? 2
                line = Array((String(repeating: "#", count: level) + " ").utf8)
            } else if node.is("blockquote") {
                prefix += Array("> ".utf8)
            } else if node.is("hr") {
                paragraphs.append("---")
            }
        }
        if node.is("li") {
            // Markdown indents nested items and marks every one; plain text shows only an ordered item's number.
            let indent = style == .markdown ? String(repeating: "  ", count: max(0, listDepth - 1)) : ""
            let mark = itemMark(node)
            if mark != "-" {
                pendingMark = Array((indent + mark + " ").utf8)
            } else if style == .markdown {
                line = Array((indent + "- ").utf8)
            }
        }
        if isList {
            listDepth += 1
            numbers.append(node.is("ol") ? Self.firstNumber(of: node) : nil)
        }
        if node.is("tr") {
            let cells = node.elementChildren.map { $0.text.collapsedWhitespace }.filter { !$0.isEmpty }
            appendRaw(style == .markdown ? "| " + cells.joined(separator: " | ") + " |" : cells.joined(separator: " "))
        } else {
            visitChildren(of: node)
        }
        flush()
        if node.is("li") { pendingMark = [] }
        if isList {
            listDepth -= 1
            numbers.removeLast()
        }
        prefix = savedPrefix
    }

    /// An item's mark as a browser shows it: its number in an ordered list ("3.", from `start`, `value` and
    /// `reversed`), else "-". Plain text keeps the numbers and not the dashes: "step 3" is read by its number.
    /// WCXB dev, whose ground truth numbers its lists: articles 0.9499 → 0.9503, all types 0.8373 → 0.8377;
    /// scrapinghub, whose ground truth does not: 0.9787 → 0.9781 (precision 0.9711 → 0.9704).
    private mutating func itemMark(_ item: Node) -> String {
        guard let last = numbers.indices.last, let counter = numbers[last], item.parent?.is("ol") == true else {
            return "-"
        }
        let number = item.attribute("value").flatMap { Int($0.trimmed) } ?? counter.next
        numbers[last] = (number + counter.step, counter.step)
        return "\(number)."
    }

    /// The first number of an ordered list and the step between its items (`start`, `reversed`).
    private static func firstNumber(of list: Node) -> (next: Int, step: Int) {
        let reversed = list.hasAttribute("reversed")
        let items = reversed ? list.elementChildren.count { $0.is("li") } : 1
        return (list.attribute("start").flatMap { Int($0.trimmed) } ?? items, reversed ? -1 : 1)
    }

    private mutating func visitInline(_ node: Node) {
        guard style == .markdown else {
            visitChildren(of: node)
            return
        }
        switch node.name {
        case "a":
            let label = TextRenderer.render(node, style: .markdown).collapsedWhitespace
            if let href = node.attribute("href"), !label.isEmpty, !href.hasPrefix("#") {
                appendRaw("[" + label + "](" + href + ")")
            } else {
                visitChildren(of: node)
            }
        case "strong", "b":
            wrap(node, "**")
        case "em", "i":
            wrap(node, "*")
        case "code":
            wrap(node, "`")
        default:
            visitChildren(of: node)
        }
    }

    private mutating func wrap(_ node: Node, _ marker: String) {
        let inner = TextRenderer.render(node, style: .markdown).collapsedWhitespace
        guard !inner.isEmpty else { return }
        appendRaw(marker + inner + marker, spaced: !(line.last.map { $0 == 0x28 || $0 == 0x5B } ?? true))
    }

    /// Appends text bytes, folding white space (ASCII and U+00A0) and escaping Markdown's special characters.
    private mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if TextBytes.isSpace(byte) || (byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] == 0xA0) {
                pendingSpace = true
                index += byte == 0xC2 ? 2 : 1
                continue
            }
            emitPendingSpace()
            if style == .markdown,
                byte == 0x2A || byte == 0x5F || byte == 0x60 || byte == 0x5B || byte == 0x5D || byte == 0x5C
            {
                line.append(0x5C)
            }
            line.append(byte)
            index += 1
        }
    }

    private mutating func emitPendingSpace() {
        if !pendingMark.isEmpty, line.isEmpty {
            line = pendingMark
            pendingMark = []
        }
        if pendingSpace, let last = line.last, last != 0x20, last != 0x0A { line.append(0x20) }
        pendingSpace = false
    }

    /// Appends already-formatted text (Markdown links, images, markers), separated by a space.
    private mutating func appendRaw(_ text: String, spaced: Bool = true) {
        if spaced { pendingSpace = true }
        emitPendingSpace()
        line.append(contentsOf: text.utf8)
    }

    /// One `<br>` ends a line; a second in a row ends the paragraph, as it does on the page.
    private mutating func lineBreak() {
        pendingSpace = false
        if line.last == 0x0A {
            flush()
        } else if !line.isEmpty {
            line.append(0x0A)
        }
    }

    private func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*_`[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Ends the current paragraph; a lone list or heading mark is not one.
    private mutating func flush() {
        pendingSpace = false
        while let last = line.last, last == 0x0A || last == 0x20 { line.removeLast() }
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else { return }
        if line.count <= 7, Self.bareMarks.contains(TextBytes.collapse(String(decoding: line, as: UTF8.self))) {
            return
        }
        guard !prefix.isEmpty else {
            paragraphs.append(String(decoding: line, as: UTF8.self))
            return
        }
        var quoted = prefix
        for byte in line {
            quoted.append(byte)
            if byte == 0x0A { quoted.append(contentsOf: prefix) }
        }
        paragraphs.append(String(decoding: quoted, as: UTF8.self))
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        while text.first?.isNewline == true { text.removeFirst() }
        return text
    }
}
