import Foundation
import Markup
import TestSupport
import Testing

@testable import Extract

/// Markdown whose text, rendered back by a CommonMark renderer, is the text output: nothing added between a
/// quote and its link, no space lost at the edge of a bold run, no text read as Markdown syntax.
@Suite("Markdown")
struct MarkdownTests {
    static func markdown(_ body: String) throws -> String {
        Extractor.render(try NormalizerTests.clean(NormalizerTests.article(body)), as: .markdown)
    }

    @Test(arguments: [
        // The issue's two cases: a link right after an opening quote, a no-break space ending a bold run.
        (
            "<p>Er sagte „<a href=\"/w\">Schlechte Wortspiele</a>“ und ging.</p>",
            "Er sagte „[Schlechte Wortspiele](https://news.example.org/w)“ und ging."
        ),
        ("<p>Mehr bei <b>2gewinnt.at&nbsp;</b>und anderswo.</p>", "Mehr bei **2gewinnt.at** und anderswo."),
        // A line break at the edge of a bold run stays outside the markers.
        ("<p><b>Keep it current.<br></b>Make sure of it.</p>", "**Keep it current.**\nMake sure of it."),
        // Runs side by side are one run; a run CommonMark could not close is written without markers.
        ("<p>Chase the trend<b>s</b><b>et</b>ters.</p>", "Chase the trend**set**ters."),
        ("<p><strong>Why?</strong>Because.</p>", "Why?Because."),
        ("<p>Quote <em>“</em>here.</p>", "Quote “here."),
        // Text that would read as a block: a number and a full stop, dashes, a heading mark.
        ("<p>2025. A year of change.</p>", "2025\\. A year of change."),
        ("<p>----------</p>", "\\----------"), ("<p># not a heading</p>", "\\# not a heading"),
        // A code span is literal, and an address with parentheses stays one destination.
        (
            "<p>Call <code>read_file</code> with <code>Result&lt;Box&gt;</code>.</p>",
            "Call `read_file` with `Result<Box>`."
        ),
        (
            "<p>Read about <a href=\"/wiki/Rust_(language)\">Rust</a> there.</p>",
            "[Rust](https://news.example.org/wiki/Rust_\\(language\\))"
        ),
    ])
    func markdownKeepsTheTextAsItIs(html: String, expected: String) throws {
        let markdown = try Self.markdown(html)
        #expect(markdown.contains(expected), "\(markdown)")
    }

    @Test func aHeadingEndingInAPermalinkMarkKeepsIt() throws {
        let markdown = try Self.markdown("<h2>Criteria <a href=\"#criteria\">#</a></h2><p>Text.</p>")
        #expect(markdown.contains("## Criteria \\#"), "\(markdown)")
    }

    @Test func anOrderedItemOpeningWithAHeadingCarriesItsNumber() throws {
        let markdown = try Self.markdown("<ol><li><h3>Phoneography</h3><p>Cameras everywhere.</p></li></ol>")
        #expect(markdown.contains("1. ### Phoneography"), "\(markdown)")
    }

    /// The text of `cmark`'s HTML for some Markdown: block elements apart, an ordered list's items numbered
    /// as the text output numbers them.
    static func text(ofCommonMarkHTML html: String) throws -> String {
        let document = try Document(html: "<html><body>" + html + "</body></html>")
        var parts: [String] = []
        var numbers: [Int?] = []
        func visit(_ node: Node) {
            for child in node.children {
                if child.isText {
                    parts.append(child.text)
                    continue
                }
                guard child.isElement else { continue }
                let name = child.name
                let block = [
                    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "blockquote", "pre", "hr", "tr", "td",
                ]
                .contains(name)
                if block { parts.append(" ") }
                if name == "ol" { numbers.append(Int(child.attribute("start") ?? "1") ?? 1) }
                if name == "ul" { numbers.append(nil) }
                if name == "li", let last = numbers.indices.last, let number = numbers[last] {
                    parts.append("\(number). ")
                    numbers[last] = number + 1
                }
                visit(child)
                if name == "ol" || name == "ul" { numbers.removeLast() }
                if block { parts.append(" ") }
            }
        }
        if let body = document.body { visit(body) }
        return parts.joined().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Over WCXB dev pages: the Markdown `feedpipe clean` writes, rendered by cmark (CommonMark's reference
    /// implementation), has the text the text output has. Before, 48 of the first 80 pages differed (a space
    /// put between a quote and its link, bold runs left open, `2025.` read as a list); now 5 of 400 do, each
    /// a structure this test lists when it fails.
    @Test(.enabled(if: Tool.find("cmark") != nil, "skipped: cmark is not installed (Debian package cmark)"))
    func markdownRenderedBackIsTheText() throws {
        let folder = Repository.root.appendingPathComponent("../shared/wcxb-dev/html")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".html.gz") }
            .sorted().prefix(150)
        try #require(names.count == 150)
        var differing: [String] = []
        for name in names {
            let page = try Tool.gunzip(folder.appendingPathComponent(name))
            let article = Extractor().extract(try Document(html: page, url: "https://example.org/page"))
            let markdown = Extractor.render(article, as: .markdown)
            let rendered = try Tool.output(Tool.find("cmark")!, [], input: Array(markdown.utf8))
            let back = try Self.text(ofCommonMarkHTML: rendered)
            let text = article.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if back != text { differing.append(name) }
        }
        // At most one page in fifty: CommonMark has no tables, and a few structures (a link around blocks
        // within a list) still differ by a space.
        #expect(differing.count <= names.count / 50, "\(differing)")
    }
}
