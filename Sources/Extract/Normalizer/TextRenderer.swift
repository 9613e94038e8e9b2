import Markup

/// Renders a body subtree as plain text (paragraphs separated by a blank line) or as Markdown.
struct TextRenderer {
    enum Style { case text, markdown }

    let style: Style
    private var paragraphs: [String] = []
    private var line = ""
    private var listDepth = 0
    private var prefix = ""

    init(style: Style) { self.style = style }

    static let bareMarks: Set<String> = ["-", "#", "##", "###", "####", "#####", "######", ">"]

    static let blockTags = TagSet([
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "ul", "tr", "caption", "summary", "body", "html",
    ])

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
            visit(current)
            child = current.nextSibling
        }
    }

    private mutating func visit(_ node: Node) {
        switch node.kind {
        case .text:
            appendText(node.text)
        case .element:
            visitElement(node)
        default:
            break
        }
    }

    private mutating func visitElement(_ node: Node) {
        if node.is("br") {
            line += "\n"
            return
        }
        if node.is("img") {
            if style == .markdown, let src = node.attribute("src") {
                appendRaw("![\(escape(node.attribute("alt") ?? ""))](\(src))")
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
        switch (style, node.name) {
        case (.markdown, "h1"), (.markdown, "h2"), (.markdown, "h3"), (.markdown, "h4"), (.markdown, "h5"),
            (.markdown, "h6"):
            let level = Int(String(node.name.dropFirst())) ?? 2
            line = String(repeating: "#", count: level) + " "
        case (.markdown, "li"):
            line = String(repeating: "  ", count: max(0, listDepth - 1)) + "- "
        case (.markdown, "blockquote"):
            prefix += "> "
        case (_, "ul"), (_, "ol"):
            listDepth += 1
        case (_, "hr"):
            if style == .markdown { paragraphs.append("---") }
        default:
            break
        }
        if node.is("tr") {
            let cells = node.elementChildren.map { $0.text.collapsedWhitespace }.filter { !$0.isEmpty }
            line += style == .markdown ? "| " + cells.joined(separator: " | ") + " |" : cells.joined(separator: " ")
        } else {
            visitChildren(of: node)
        }
        flush()
        if node.is("ul") || node.is("ol") { listDepth -= 1 }
        prefix = savedPrefix
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
                appendRaw("[\(label)](\(href))")
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
        if let last = line.last, !last.isWhitespace, !"([".contains(last) { line += " " }
        line += marker + inner + marker
    }

    private mutating func appendRaw(_ text: String) {
        if let last = line.last, !last.isWhitespace { line += " " }
        line += text
    }

    /// Source line breaks inside text are only white space; lines come from `<br>` and blocks.
    private mutating func appendText(_ text: String) {
        var flat = text
        if text.utf8.contains(0x0A) || text.utf8.contains(0x0D) {
            flat = String(decoding: text.utf8.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self)
        }
        line += style == .markdown ? escape(flat) : flat
    }

    private func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*_`[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Ends the current paragraph: white space folded within each `<br>` line; a blank line (two `<br>` in a
    /// row) starts a new paragraph, as it does on the page.
    private mutating func flush() {
        let lines = line.split(separator: "\n", omittingEmptySubsequences: false).map { TextBytes.collapse(String($0)) }
        line = ""
        var group: [String] = []
        for text in lines + [""] {
            if !text.isEmpty {
                group.append(prefix + text)
                continue
            }
            guard !group.isEmpty else { continue }
            // A list marker or heading mark with nothing after it is not a paragraph.
            if !(group.count == 1 && group[0].utf8.count <= 6 && Self.bareMarks.contains(TextBytes.collapse(group[0]))) {
                paragraphs.append(group.joined(separator: "\n"))
            }
            group = []
        }
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
