import Markup

/// The short lines a page shows around its title, where datelines and bylines live: the `<h1>`, the header
/// around it, and the text of an element read with a space between its parts. Shared by `VisibleDate` and
/// `Byline`.
enum NearTitle {
    /// Parts of a page that hold no dateline or byline of the article's own.
    static let skippedTags = TagSet([
        "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "select",
    ])
    /// The parts that are never text a reader sees, for walks that read asides and footers too.
    static let codeTagNames = ["script", "style", "noscript", "template", "nav", "form", "select"]
    static let codeTags = TagSet(codeTagNames)
    /// Blocks: an element holding one is no single line.
    static let blockTags = TagSet(["p", "div", "section", "article", "ul", "ol", "table", "h2", "h3", "blockquote"])
    /// How much text the title's header may hold, and how much text after the title is read for lines.
    static let reach = 1500
    /// Elements with more bytes of text than this are not read as lines (indentation counts, hence the
    /// margin over the line lengths).
    static let byteLimit = 2000

    /// The page's first `<h1>` and the header around it: up to three levels of parents while they hold at
    /// most `reach` characters (the heading itself when its parent holds more). `known` is that heading when
    /// the caller has already found it.
    static func title(in body: Node, heading known: Node? = nil) -> (heading: Node, header: Node)? {
        guard let heading = known ?? body.descendants.first(where: { $0.is("h1") }) else { return nil }
        var header = heading
        for _ in 0..<3 {
            guard let parent = header.parent, parent != body, TextBytes.characters(of: parent, limit: reach) <= reach
            else { break }
            header = parent
        }
        return (heading, header)
    }

    /// Calls `visit` with each line in `scope` (an element with no block inside, at most `length`
    /// characters), in page order, the heading left out — with `afterHeading`, only the lines after it —
    /// until `visit` returns false or lines of `budget` characters have been read.
    static func forEachLine(
        in scope: Node, heading: Node, afterHeading: Bool, length: Int, budget: Int = .max,
        skipping skipped: TagSet = skippedTags, _ visit: (_ text: String, _ node: Node) -> Bool
    ) {
        var going = true
        var budget = budget
        func line(_ node: Node) -> WalkDecision {
            if node == heading { return .skipChildren }
            guard going, budget > 0 else { return .stop }
            guard node.isElement, !node.tag(in: skipped) else { return .skipChildren }
            guard TextBytes.length(of: node, limit: byteLimit) <= byteLimit, !node.hasChild(in: blockTags) else {
                return .enter
            }
            let text = spacedText(node)
            let count = text.count
            guard count <= length else { return .enter }
            budget -= count
            going = visit(text, node)
            return .skipChildren
        }
        guard afterHeading else { return scope.walk(line) }
        // A heading inside a part that is skipped (a form, a navigation bar) has no lines of its own after it.
        var ancestor = heading.parent
        while let current = ancestor, current != scope {
            if current.tag(in: skipped) { return }
            ancestor = current.parent
        }
        scope.walk(after: heading, line)
    }

    /// The element's text with a space between the texts of its parts (`<div>By</div><div>Ann</div>`).
    static func spacedText(_ node: Node) -> String {
        var spaced = ""
        node.walk { child in
            if child.isText {
                spaced += child.text
                spaced += " "
                return .skipChildren
            }
            return child.isElement && !child.tag(in: skippedTags) ? .enter : .skipChildren
        }
        return spaced.collapsedWhitespace
    }
}
