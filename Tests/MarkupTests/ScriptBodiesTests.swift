import Fetch
import Foundation
import TestSupport
import Testing

@testable import Markup

@Suite("Script bodies and drawings left out of a page parsed for its content")
struct ScriptBodiesTests {
    @Test(arguments: [
        (
            #"<p>a</p><script>var x = "<p>no</p></div>";</script><p>b</p>"#,
            "<p>a</p><script></script><p>b</p>"
        ),
        ("<style>p { color: red }</style><SCRIPT src=a.js>x()</ScRiPt>", "<style></style><SCRIPT src=a.js></ScRiPt>"),
        // JSON (metadata) is read: it stays.
        (
            #"<script type="application/ld+json">{"@type":"NewsArticle"}</script>"#,
            #"<script type="application/ld+json">{"@type":"NewsArticle"}</script>"#
        ),
        // A `<script>` in a comment or in a quoted attribute is not one; a `>` in quotes does not end a tag.
        // A comment loses its text, unless it is a short marker (React's `/$`).
        (
            #"<!-- <script> --><p title="<script> > x">kept</p><script a='>'>gone</script>"#,
            #"<!----><p title="<script> > x">kept</p><script a='>'></script>"#
        ),
        ("<!--$--><p>a</p><!--/$--><!-- a comment -->", "<!--$--><p>a</p><!--/$--><!---->"),
        // A script that never ends runs to the end of the page, for libxml2 too; one that closes itself is
        // closed there.
        ("<p>a</p><script>var y = 1; <p>b</p>", "<p>a</p><script>"),
        ("<script src='a.js' /><p>b</p><script>c</script>", "<script src='a.js' /><p>b</p><script></script>"),
        ("<scripts>x</scripts><p>no script here</p>", "<scripts>x</scripts><p>no script here</p>"),
        // Drawings lose their content, nested drawings, styles and comments included.
        (
            #"<p>a</p><svg viewBox="0 0 1 1"><title>Logo</title><path d="M0 0"/></svg><p>b</p>"#,
            #"<p>a</p><svg viewBox="0 0 1 1"></svg><p>b</p>"#
        ),
        ("<svg><svg><g></g></svg><!-- </svg> --><style>a{}</style><path/></SVG>x", "<svg></SVG>x"),
        // A drawing left open ends where the link around it does; a stray `</g>` does not end it.
        (#"<a href="/"><svg><path d="M0"></a><p>b</p>"#, #"<a href="/"><svg></a><p>b</p>"#),
        ("<svg><g></g></g><path/></svg><p>b</p>", "<svg></svg><p>b</p>"),
        ("<svg/><p>b</p>", "<svg/><p>b</p>"),
        // Alpine.js and Vue event shorthands get names libxml2 reads; an `@` in text or in a value stays.
        (
            #"<div @click="add(x => x > 1)" @keyup.enter='go()' class="price">$60</div>"#,
            #"<div _click="add(x => x > 1)" _keyup.enter='go()' class="price">$60</div>"#
        ),
        (
            #"<p title="@home">mail me @ home</p><a x-on:click="a > b">x</a>"#,
            #"<p title="@home">mail me @ home</p><a x-on:click="a > b">x</a>"#
        ),
        (
            #"<button @click.outside="open = false"><script @load="x > y">z()</script>"#,
            #"<button _click.outside="open = false"><script _load="x > y"></script>"#
        ),
    ])
    func onlyTheBodiesOfScriptsStylesAndDrawingsGo(page: String, expected: String) {
        #expect(ScriptBodies.removed(from: page) == expected)
    }

    @Test func aScriptInAnEventShorthandDoesNotSpillIntoTheText() throws {
        let html = #"<body><p @click="add('x', items.filter(x => x > 1))" class="lead">Handmade stoneware.</p></body>"#
        let document = try Document.content(html: html)
        let paragraph = try #require(document.body?.descendants.first { $0.is("p") })
        #expect(paragraph.text == "Handmade stoneware.")
        #expect(paragraph.attribute("class") == "lead")
        #expect(document.body?.text == "Handmade stoneware.")
    }

    /// The page as `Document(html:)` parses it, with the text of its scripts (but JSON) and styles, the
    /// content of its drawings and the text of its comments (but short markers) emptied.
    static func withEmptyScripts(_ document: Document) -> String {
        for comment in document.root?.descendants.filter({ $0.kind == .comment }) ?? []
        where comment.text.utf8.count > ScriptBodies.commentKept {
            comment.setText("")
        }
        // Outermost drawings first: a drawing inside another goes with it.
        let drawings = document.root?.descendants.filter { $0.is("svg") && !$0.hasAncestor(named: "svg") }
        Node.remove((drawings ?? []).flatMap(\.children))
        let bodies = document.root?.descendants.filter { node in
            node.is("style")
                || node.is("script")
                    && !node.attributes.contains { "\($0.name)=\($0.value)".lowercased().contains("json") }
        }
        Node.remove((bodies ?? []).flatMap(\.children))
        return document.root?.outerHTML ?? ""
    }

    /// On real pages the tree is the whole page's, less the script and style text, what drawings hold and
    /// what comments say: the same elements, attributes and text everywhere else.
    @Test func realPagesParseToTheSameTreeLessTheScriptTextAndDrawings() throws {
        let shared = Repository.root.deletingLastPathComponent().appendingPathComponent("shared")
        var checked = 0
        for folder in ["extraction-benchmark/html", "wcxb-dev/html"] {
            let url = shared.appendingPathComponent(folder)
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() {
                let data = try #require(FileManager.default.contents(atPath: url.appendingPathComponent(name).path))
                let html = String(decoding: try Gzip.decompress(Array(data), limit: 50_000_000), as: UTF8.self)
                // Event shorthands' names are rewritten for both (see `ScriptBodies`).
                var page = html
                let repaired = page.withUTF8(ScriptBodies.namesRepaired).map { String(decoding: $0, as: UTF8.self) }
                let (document, whole) = (try Document.content(html: html), try Document(html: repaired ?? html))
                let content = withExtendedLifetime(document) { document.root?.outerHTML ?? "" }
                let expected = withExtendedLifetime(whole) { Self.withEmptyScripts(whole) }
                #expect(content == expected, "\(folder)/\(name)")
                checked += 1
            }
        }
        try #require(checked > 1000, "the corpora in shared/ were not found")
    }
}

extension Node {
    fileprivate func hasAncestor(named name: StaticString) -> Bool {
        var ancestor = parent
        while let current = ancestor {
            if current.is(name) { return true }
            ancestor = current.parent
        }
        return false
    }
}

extension ScriptBodies {
    /// `html` without the bodies of its scripts (other than JSON) and styles; `html` itself when it has none.
    static func removed(from html: String) -> String {
        var html = html
        return html.withUTF8(removed).map { String(decoding: $0, as: UTF8.self) } ?? html
    }
}
