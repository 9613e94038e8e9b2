import Markup
import Testing

@testable import Extract

@Suite("Normalizer")
struct NormalizerTests {
    /// Wraps a body in enough prose that the scorer picks it.
    static func article(_ body: String, head: String = "") -> String {
        let prose = String(
            repeating: "This paragraph is long enough to count as prose, with commas, and more words. ", count: 3)
        return
            "<html><head>\(head)</head><body><div class=\"article-body\"><p>\(prose)</p>\(body)<p>\(prose)</p></div></body></html>"
    }

    static func clean(_ html: String, url: String = "https://news.example.org/2022/story.html") throws -> Article {
        Extractor().extract(try Document(html: html, url: url))
    }

    @Test func removesActiveContentAndEventHandlers() throws {
        let html = Self.article(
            """
            <p onclick="steal()" style="color:red">Hello <a href="javascript:alert(1)">there</a>
            <img src="x.jpg" onerror="alert(1)"> <a href=" JaVa&#x09;script:alert(2)">again</a></p>
            <script>alert(3)</script><iframe src="https://evil.example"></iframe><object data="x.swf"></object>
            <svg onload="alert(4)"><circle/></svg><form action="/x"><input name="q"></form>
            <a href="vbscript:msgbox(1)">vb</a><img src="data:image/svg+xml;base64,PHN2Zz4=">
            """)
        let body = try Self.clean(html).html
        for forbidden in [
            "onclick", "onerror", "javascript:", "script", "<iframe", "<object", "<svg", "onload", "<form",
            "<input", "style=", "vbscript", "data:image/svg",
        ] {
            #expect(!body.lowercased().contains(forbidden), "found \(forbidden)")
        }
        #expect(body.contains("<img src=\"https://news.example.org/2022/x.jpg\">"))
    }

    @Test func makesURLsAbsoluteHonouringBase() throws {
        let html = Self.article(
            "<p>The council published <a href=\"../other.html\">the full plan</a> on Monday. <img src=\"/img/a.png\" srcset=\"a-1x.png 1x, a-2x.png 2x\"></p>",
            head: "<base href=\"https://cdn.example.net/site/section/\">")
        let body = try Self.clean(html).html
        #expect(body.contains("href=\"https://cdn.example.net/site/other.html\""))
        #expect(body.contains("src=\"https://cdn.example.net/img/a.png\""))
        #expect(
            body.contains(
                "srcset=\"https://cdn.example.net/site/section/a-1x.png 1x, https://cdn.example.net/site/section/a-2x.png 2x\""
            ))
    }

    @Test func replacesLazyPlaceholdersWithRealImages() throws {
        let html = Self.article(
            """
            <figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/photos/real.jpg" alt="Real"></figure>
            <div class="wrap"><img class="lazy" src="/img/blank.gif" data-lazy-src="/photos/two.jpg" alt="Two">
            <noscript><img src="/photos/two-noscript.jpg" alt="Two"></noscript></div>
            <p><img data-srcset="/photos/three-480.jpg 480w, /photos/three-960.jpg 960w" alt="Three"></p>
            """)
        let body = try Self.clean(html).html
        #expect(body.contains("src=\"https://news.example.org/photos/real.jpg\""))
        #expect(body.contains("src=\"https://news.example.org/photos/two-noscript.jpg\""))
        #expect(!body.contains("blank.gif"))
        #expect(!body.contains("two.jpg\""))
        #expect(body.contains("src=\"https://news.example.org/photos/three-480.jpg\""))
        #expect(!body.contains("base64"))
    }

    @Test func dropsEmptyElementsAndCharactersXMLForbids() throws {
        let html = Self.article("<p>Bell\u{7} and form feed\u{C} gone.</p><div><span> </span></div><p></p>")
        let article = try Self.clean(html)
        #expect(article.text.contains("Bell and form feed gone."))
        #expect(!article.html.contains("<p></p>"))
        #expect(!article.html.contains("<span>"))
        #expect(!article.html.contains("\u{7}"))
    }

    @Test func breaksAreParagraphsInText() throws {
        let html = """
            <html><body><div class="text">
            First paragraph of text that is long enough to be prose, with a comma, and more.<br><br>
            Second paragraph that is also long enough to be counted as prose, with a comma.<br>
            A line in the same paragraph.
            </div></body></html>
            """
        let text = try Self.clean(html).text
        #expect(
            text == """
                First paragraph of text that is long enough to be prose, with a comma, and more.

                Second paragraph that is also long enough to be counted as prose, with a comma.
                A line in the same paragraph.
                """)
    }

    @Test func rendersMarkdown() throws {
        let html = Self.article("<h2>Next</h2><ul><li>one <b>bold</b></li><li><a href=\"/x\">link</a></li></ul>")
        let markdown = Extractor.render(try Self.clean(html), as: .markdown)
        #expect(markdown.contains("## Next"))
        #expect(markdown.contains("- one **bold**"))
        #expect(markdown.contains("- [link](https://news.example.org/x)"))
    }

    @Test func numbersTheItemsOfAnOrderedListAsTheBrowserDoes() throws {
        let html = Self.article(
            """
            <ol><li>Whisk the eggs with the sugar.</li><li><p>Fold in the flour.</p></li></ol>
            <ol start="7"><li>Bake for twenty minutes.</li><li value="10">Serve warm.</li><li>Keep the rest cold.</li></ol>
            <ul><li>No number for this one.</li></ul>
            """)
        let article = try Self.clean(html)
        let markdown = Extractor.render(article, as: .markdown)
        #expect(markdown.contains("1. Whisk the eggs with the sugar.\n\n2. Fold in the flour."), "\(markdown)")
        #expect(markdown.contains("7. Bake for twenty minutes.\n\n10. Serve warm.\n\n11. Keep the rest cold."))
        #expect(markdown.contains("- No number for this one."))
        #expect(article.text.contains("2. Fold in the flour."), "\(article.text)")
        #expect(article.text.contains("No number for this one.") && !article.text.contains("- No number"))
    }
}

@Suite("Text that XML can carry")
struct XMLTextTests {
    @Test(arguments: [
        ("a\u{1}b\u{8}c\u{1F}d", "abcd"), ("x\u{FFFE}y\u{FFFF}z", "xyz"),
        ("tab\tline\ncarriage\r", "tab\tline\ncarriage\r"), ("\u{FFFD} é 水 😀 \u{E000}", "\u{FFFD} é 水 😀 \u{E000}"),
        ("plain text", "plain text"),
    ])
    func charactersXMLForbidsGoAndTheRestStays(text: String, expected: String) {
        #expect(XMLText.clean(text) == expected)
        #expect(XMLText.hasForbidden(text) == (text != expected))
    }
}
