import Foundation
import Markup
import TestSupport
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
        <div id="story"><p>Lorem continues here with the story itself. The council voted on Monday to keep the library open on Sundays, after a petition signed by four thousand residents, and to pay for it from the parking budget.</p>
        <p>The library had planned to close on Sundays from next month to save money, which the petition's organisers said would hit students and families hardest, since the week leaves them little other time.</p><p>Advertisement</p>
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
        #expect(
            rules.tests.map(\.url) == ["https://news.example.org/a"] && rules.tests[0].contains == ["Prose continues"])
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
        ("body: //div[\n", "body (invalid XPath)"),
        ("wibble: yes\n", "wibble"),
        ("test_contains: x\n", "test_contains (no test_url before it)"),
        ("just words\n", "(a line without 'directive: value')"),
        ("replace_string: x\n", "replace_string (no find_string before it)"),
        ("strip_comments: yes\n", "strip_comments"),
    ])
    func aLineItCannotApplyIsSkippedByNameAndTheRestLoads(line: String, skipped: String) throws {
        let rules = try SiteRules("title: //h1\r\n" + line + "body: //article\r\nstrip_attr: //aside\n", file: "r.txt")
        #expect(rules.skipped == [skipped: 1])
        #expect(rules.title.count == 1 && rules.body.count == 1 && rules.strip.count == 1)
    }

    @Test func rulesWrittenForAnotherLayoutNeverMakeTheArticleWorse() throws {
        let story = String(
            repeating:
                "<p>The harbour board met on Monday to discuss the ferry timetable, and sailors spoke at length.</p>",
            count: 8)
        let page = """
            <html><body><h1 class="headline">Ferry timetable</h1><div class="promo">Timetables for the islands in brief</div>
            <article class="story-body">\(story)</article></body></html>
            """
        // The rules name the body of the site's old layout, which now holds only a promotion.
        let rules = try SiteRules("title: //h1[@class='headline']\nbody: //div[@class='promo']\n", file: "r.txt")
        let applied = rules.applied(to: .none)
        let article = Extractor(rules: applied).extract(try Document(html: page))
        #expect(article.text.contains("sailors spoke at length"))
        #expect(article.title == "Ferry timetable")
    }

    @Test func stripIdOrClassMatchesPartOfTheNameAsFullTextRSSDoes() throws {
        let rules = try SiteRules("strip_id_or_class: \"share-box\"\n", file: "r.txt")
        let document = try Document(
            html: "<html><body><div class=\"share-box-wrapper\">Share</div><p>Text</p></body></html>")
        #expect(document.root?.select(rules.strip[0]).count == 1)
    }

    @Test func theWholeFtrSiteConfigCorpusLoads() throws {
        let folder = Repository.root.deletingLastPathComponent().appendingPathComponent("shared/ftr-site-config")
        let rules = try SiteRuleFolder(path: folder.path).all()
        try #require(rules.count > 2000, "the corpus in shared/ was not found")
        #expect(rules.filter { !$0.body.isEmpty }.count > 1500)
        // Every directive Full-Text RSS documents for extraction is read, not skipped.
        let skipped = Set(rules.flatMap { $0.skipped.keys })
        for directive in ["title", "body", "author", "date", "strip", "strip_attr", "strip_id_or_class", "test_url"] {
            #expect(!skipped.contains(directive), "\(directive) is skipped")
        }
    }

    @Test func filesAreFoundByHostMostSpecificFirst() {
        #expect(
            SiteRuleFolder.candidates(for: "www.News.example.org") == [
                "www.news.example.org.txt", "news.example.org.txt", ".example.org.txt",
            ])
        // A wildcard file serves the hosts one level below it, not the domain itself.
        #expect(SiteRuleFolder.candidates(for: "example.org") == ["example.org.txt"])
        #expect(
            SiteRuleFolder.candidates(for: "a.news.example.org") == ["a.news.example.org.txt", ".news.example.org.txt"])
    }

    @Test func theFirstMatchingBodyIsTakenAndStringExpressionsGiveTitles() throws {
        let rules = try SiteRules(
            """
            title: substring-before(//title, ' | ')
            body: //div[@id='missing']
            body: //div[@class='story']
            body: //div[@class='sidebar']
            """, file: "r.txt")
        let prose = String(
            repeating: "The harbour board met on Monday to discuss the ferry timetable, and sailors spoke at length. ",
            count: 4)
        let page = """
            <html><head><title>Ferry timetable | The Ledger</title></head><body>
            <div class="sidebar"><p>Sidebar: \(prose)</p></div><div class="story"><p>Story: \(prose)</p></div></body></html>
            """
        let article = Extractor(rules: rules.applied(to: .none)).extract(try Document(html: page))
        #expect(article.title == "Ferry timetable")
        #expect(article.text.hasPrefix("Story:") && !article.text.contains("Sidebar:"))
    }
}

/// Rules written for a site's articles, met on one of its listing pages, select one card: the listing
/// found without them is taken.
@Suite("Site rules on a listing page")
struct SiteRulesOnListingTests {
    @Test func aCardSelectedByArticleRulesGivesWayToTheListing() throws {
        let rules = try SiteRules("body: //div[@class='card'][3]\n", file: "shop.example.txt")
        let document = try Document(html: PageRegionTests.shop, url: "https://shop.example/mugs")
        let article = Extractor(rules: rules.applied(to: .none)).extract(document)
        for number in [1, 3, 12] { #expect(article.text.contains("Mug number \(number)")) }
    }
}
