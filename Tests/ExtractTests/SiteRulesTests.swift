import Foundation
import Markup
import Testing

@testable import Extract

@Suite("Site rules (ftr-site-config)")
struct SiteRulesTests {
    static let text = """
        # A comment, then every kind of directive.
        title: //h1[@class='headline']
        body: //div[@id='story']
        author: //span[@class='by']
        date: //time/@datetime
        strip: //div[@class='related']
        strip_id_or_class: newsletter
        strip_image_src: /tracking/
        replace_string(<p>Advertisement</p>): <p></p>
        find_string: Lorem
        replace_string: Prose
        http_header(User-Agent): Mozilla/5.0 (rules)
        next_page_link: //a[@rel='next']
        prune: no
        test_url: https://news.example.org/a
        test_contains: Prose continues
        """

    static let page = """
        <html><head><title>Site title | Other</title></head><body>
        <h1 class="headline">The real headline</h1><span class="by">Ann Writer</span><time datetime="2022-05-01T10:00:00Z">May</time>
        <div class="sidebar"><p>\(String(repeating: "Sidebar prose that scoring might like, with commas, and more. ", count: 8))</p></div>
        <div id="story"><p>Lorem continues here with the story itself.</p><p>Advertisement</p>
        <div class="related">Related: other things</div><div class="newsletter">Sign up now</div>
        <img src="https://x.example/tracking/pixel.gif"><img src="https://x.example/photo.jpg"></div>
        </body></html>
        """

    @Test func readsEveryDirective() throws {
        let rules = try SiteRules(Self.text, file: "news.example.org.txt")
        #expect(rules.title.count == 1 && rules.body.count == 1 && rules.author.count == 1 && rules.date.count == 1)
        #expect(rules.strip.count == 2 && rules.stripImageSource == ["/tracking/"])
        #expect(rules.replacements.map(\.find) == ["<p>Advertisement</p>", "Lorem"])
        #expect(rules.headers == ["user-agent": "Mozilla/5.0 (rules)"])
        #expect(rules.nextPageLink.count == 1)
        #expect(rules.tests.map(\.url) == ["https://news.example.org/a"] && rules.tests[0].contains == ["Prose continues"])
    }

    @Test func appliesTheRulesToAPage() throws {
        let site = try SiteRules(Self.text, file: "news.example.org.txt")
        let document = try Document(html: site.rewrite(Self.page), url: "https://news.example.org/a")
        let article = Extractor(rules: site.applied(to: .none)).extract(document)
        #expect(article.title == "The real headline")
        #expect(article.author == "Ann Writer")
        #expect(article.published.map(Timestamp.rfc3339) == "2022-05-01T10:00:00Z")
        #expect(article.text.hasPrefix("Prose continues here with the story itself."))
        for gone in ["Sidebar prose", "Advertisement", "Related:", "Sign up now", "tracking"] {
            #expect(!article.text.contains(gone) && !article.html.contains(gone), "\(gone)")
        }
        #expect(article.html.contains("photo.jpg"))
    }

    @Test(arguments: [
        ("body: //div[\n", "r.txt:1: body: invalid selector '//div[': not a valid XPath 1.0 expression"),
        ("title: //h1\nwibble: yes\n", "r.txt:2: unknown directive 'wibble'"),
        ("test_contains: x\n", "r.txt:1: test_contains without a test_url before it"),
        ("just words\n", "r.txt:1: expected 'directive: value'"),
        ("replace_string: x\n", "r.txt:1: replace_string without a find_string before it"),
    ])
    func namesTheLineOfEachMistake(text: String, message: String) {
        #expect(throws: SiteRules.ParseError.self) {
            do {
                _ = try SiteRules(text, file: "r.txt")
            } catch {
                #expect("\(error)" == message)
                throw error
            }
        }
    }

    @Test func filesAreFoundByHostMostSpecificFirst() {
        #expect(SiteRuleFolder.candidates(for: "www.News.example.org") == [
            "www.news.example.org.txt", "news.example.org.txt", ".www.news.example.org.txt", ".news.example.org.txt",
            ".example.org.txt",
        ])
    }
}
