import Foundation
import Markup
import Testing

@testable import Extract

/// Filter-evasion vectors (after the public OWASP list and feed-parser sanitizer cases, rewritten here) put
/// inside an otherwise ordinary article: none of their active parts may reach the cleaned HTML.
@Suite("Sanitizer against XSS vectors")
struct SanitizerVectorTests {
    static let vectors: [String] = {
        guard let url = Bundle.module.url(forResource: "xss-vectors", withExtension: "txt", subdirectory: "Fixtures"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }()

    static let forbidden = [
        "<script", "javascript:", "vbscript:", "data:text", "data:image/svg", "<iframe", "<frame", "<object",
        "<embed", "<form", "<meta", "<base", "<style", "style=", "expression(", "<link", "<svg", "<mglyph",
        "<maction", "<annotation", "xlink:", "<input", "<button", "<template", "<audio", "<video", "<marquee",
        "background=", "dynsrc", "lowsrc",
    ]

    @Test func thereAreEnoughVectors() {
        #expect(Self.vectors.count >= 100)
    }

    @Test(arguments: vectors)
    func noActiveContentSurvives(vector: String) throws {
        let prose = String(
            repeating: "A paragraph of ordinary article prose, long enough to be chosen, and more. ", count: 4)
        let html = "<html><body><div class=\"article-body\"><p>\(prose)</p>\(vector)<p>\(prose)</p></div></body></html>"
        let article = Extractor().extract(try Document(html: html, url: "https://news.example.org/story"))
        let body = article.html.lowercased()
        for fragment in Self.forbidden {
            #expect(!body.contains(fragment), "\(fragment) survived in \(article.html)")
        }
        // Event handlers: any attribute whose name starts with "on".
        #expect(body.range(of: #"<[^>]*\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(article.html)")
        #expect(article.text.contains("A paragraph of ordinary article prose"))
    }
}

/// Formulas are part of the text: "When a ≠ 0, there are two solutions", not "When , there are".
@Suite("MathML")
struct MathMLTests {
    @Test func formulasStayWithTheirTextAndNothingElse() throws {
        let prose = String(repeating: "A paragraph about equations, long enough to be chosen as the body. ", count: 4)
        let html = """
            <html><body><article><p>\(prose)</p>
            <p>When <math display="inline" onclick="alert(1)" href="javascript:alert(2)"><mi mathvariant="italic" style="color:red">a</mi><mo>≠</mo><mn>0</mn></math>,
            there are two solutions to <math><semantics><mrow><mi>a</mi><msup><mi>x</mi><mn>2</mn></msup><mo>=</mo><mn>0</mn></mrow>
            <annotation encoding="application/x-tex">ax^2=0</annotation><annotation-xml encoding="text/html"><img src=x onerror=alert(3)></annotation-xml></semantics></math>.</p>
            <p>\(prose)</p></article></body></html>
            """
        let article = Extractor().extract(try Document(html: html, url: "https://maths.example.org/quadratics"))
        #expect(article.text.contains("When a≠0, there are two solutions to ax2=0."), "\(article.text)")
        #expect(
            article.html.contains(
                "<math display=\"inline\"><mi mathvariant=\"italic\">a</mi><mo>≠</mo><mn>0</mn></math>"),
            "\(article.html)")
        for gone in ["onclick", "href=", "style=", "annotation", "<img", "ax^2"] {
            #expect(!article.html.contains(gone), "\(gone) in \(article.html)")
        }
    }
}

@Suite("Allowed frames")
struct AllowedFrameTests {
    static func extract(_ frames: String, hosts: [String]) throws -> String {
        let prose = String(
            repeating: "A paragraph of ordinary article prose, long enough to be chosen, and more. ", count: 4)
        let html = "<html><body><article><p>\(prose)</p>\(frames)<p>\(prose)</p></article></body></html>"
        let rules = ExtractionRules(iframeHosts: hosts)
        return Extractor(rules: rules).extract(try Document(html: html, url: "https://news.example.org/story")).html
    }

    @Test func framesOfAllowedHostsStaySandboxedAndOthersGo() throws {
        let html = try Self.extract(
            """
            <figure><iframe src="https://www.youtube.com/embed/abc" width="560" height="315" onload="alert(1)"
              srcdoc="<script>alert(1)</script>" allowfullscreen></iframe></figure>
            <iframe src="http://www.youtube.com/embed/plain"></iframe>
            <iframe src="https://youtube.com.evil.example/embed/x"></iframe>
            <iframe src="javascript:alert(1)"></iframe>
            """, hosts: ["youtube.com"])
        #expect(html.contains("<iframe src=\"https://www.youtube.com/embed/abc\""))
        #expect(html.contains("sandbox=\"allow-scripts allow-same-origin allow-presentation\""))
        #expect(!html.contains("onload") && !html.contains("srcdoc") && !html.contains("<script"))
        #expect(html.components(separatedBy: "<iframe").count == 2)
    }

    @Test func withoutAnAllowListEveryFrameGoes() throws {
        let html = try Self.extract("<iframe src=\"https://www.youtube.com/embed/abc\"></iframe>", hosts: [])
        #expect(!html.contains("<iframe"))
    }
}

/// Inputs the fuzz targets (Fuzz/) found trouble with, kept as regression tests.
@Suite("Fuzzing regressions")
struct FuzzRegressionTests {
    /// A benchmark page cut short so that it has no `<body>`: the root itself won the scoring and was moved
    /// into the container that hangs off it, making the tree a loop (extraction never ended).
    @Test func aPageWithoutBodyWhoseRootWinsIsExtracted() throws {
        let url = try #require(
            Bundle.module.url(
                forResource: "clean-page-without-body-timeout", withExtension: "html", subdirectory: "Fixtures/fuzz"))
        let html = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        let article = Extractor().extract(try Document(html: html, url: "https://fuzz.example/"))
        #expect(article.text.contains("listening to the Bike & Style soundtrack"))
    }

    @Test func proseDirectlyUnderTheRootIsExtracted() throws {
        let prose = String(repeating: "Plain prose straight under the root element, with commas, and more. ", count: 6)
        let article = Extractor().extract(try Document(html: "<html><p>\(prose)</p><p>\(prose)</p></html>"))
        #expect(article.text.contains("Plain prose straight under the root element"))
    }
}

/// Pages built to make extraction slow or deep: each is extracted (and ends), with its text where the
/// page has text within reach.
@Suite("Pathological pages")
struct PathologicalPageTests {
    @Test func elementsNestedAHundredThousandDeep() throws {
        let html =
            "<html><body><p>" + String(repeating: "Shallow prose first, long enough to count. ", count: 8) + "</p>"
            + String(repeating: "<div>", count: 100_000) + "buried" + String(repeating: "</div>", count: 100_000)
            + "</body></html>"
        let article = Extractor().extract(try Document(html: html))
        #expect(article.text.contains("Shallow prose first"))
    }

    @Test func aTableOfAHundredThousandRows() throws {
        let rows = String(repeating: "<tr><td>cell</td><td>another, cell, with commas</td></tr>", count: 100_000)
        let article = Extractor().extract(try Document(html: "<html><body><table>\(rows)</table></body></html>"))
        #expect(article.text.contains("another, cell, with commas"))
    }

    @Test func fiveMegabytesOfTextInOneNode() throws {
        let text = String(repeating: "word, ", count: 900_000)
        let article = Extractor().extract(try Document(html: "<html><body><p>\(text)</p></body></html>"))
        #expect(article.text.utf8.count > 5_000_000)
    }
}
