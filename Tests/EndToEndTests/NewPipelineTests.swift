import Foundation
import Markup
import TestSupport
import Testing

/// `feedpipe new URL` on sites served from 127.0.0.1, then `feedpipe run` on what it wrote.
@Suite("feedpipe new")
struct NewPipelineTests {
    /// A local paper's front page as such pages are: a cookie banner, a header with navigation, the day's
    /// stories (each with a picture link and a headline link), a newsletter box, a "most read" list of
    /// older stories, and a footer whose links have dated, wordy addresses too.
    static let stories = [
        ("2026/12/01/river-bridge-reopens-after-two-years", "River bridge reopens after two years of repairs"),
        ("2026/12/01/school-board-approves-new-budget", "School board approves a new budget for the spring"),
        ("2026/12/01/winter-market-returns-to-the-square", "Winter market returns to the old square"),
        ("2026/11/30/library-extends-its-opening-hours", "Library extends its opening hours on weekdays"),
        ("2026/11/30/local-team-wins-the-regional-cup", "Local team wins the regional cup at last"),
        ("2026/11/30/new-cycle-path-along-the-canal", "A new cycle path opens along the canal"),
    ]
    static let mostRead = [
        ("2026/11/20/council-doubles-parking-fees-in-old-town", "Council doubles parking fees in the old town"),
        ("2026/11/18/bakery-on-main-street-closes-after-fifty-years", "Bakery on Main Street closes after fifty years"),
    ]

    static func frontPage(feed: String? = nil) -> String {
        let advertised =
            feed.map { #"<link rel="alternate" type="application/rss+xml" title="News" href="\#($0)">"# } ?? ""
        let items = stories.map { path, title in
            """
            <article class="story"><a href="/\(path)"><img src="/img/\(path.split(separator: "/").last!).jpg" alt=""></a>
            <h2 class="headline"><a href="/\(path)">\(title)</a></h2><p class="standfirst">What happened, in a line.</p></article>
            """
        }.joined(separator: "\n")
        let popular = mostRead.map {
            #"<li><article class="story"><h2 class="headline"><a href="/\#($0.0)">\#($0.1)</a></h2></article></li>"#
        }
        .joined()
        return """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The Riverside Ledger — news for the river district</title>
            <meta property="og:site_name" content="The Riverside Ledger">\(advertised)</head><body>
            <div id="cookie-banner" class="consent"><p>We use cookies to improve your experience.
            <a href="/legal/how-we-use-cookies-on-this-site">Read how we use cookies on this site</a></p><button>Accept</button></div>
            <header class="site-header"><a class="logo" href="/">The Riverside Ledger</a><nav class="main-nav"><ul>
            <li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
            <li><a href="/2026/12/01/whats-on-in-the-district-this-week">What's on in the district this week</a></li></ul></nav></header>
            <main><section class="top-stories">\(items)</section>
            <section class="newsletter-box"><h3>The morning briefing</h3><form><input type="email"><button>Sign up</button></form>
            <a href="/newsletters/sign-up-for-the-morning-briefing">Sign up for the morning briefing today</a></section>
            <section class="most-read"><h3>Most read</h3><ol>\(popular)</ol></section></main>
            <footer class="site-footer"><a href="/about/the-people-who-write-the-ledger">The people who write the Ledger</a>
            <a href="/2020/01/01/terms-of-service-and-privacy-notice">Terms of service and privacy notice</a></footer>
            </body></html>
            """
    }

    static func article(_ title: String) -> String {
        let paragraphs = (1...6).map {
            "<p>\(title): paragraph \($0) of the story, with enough words in it to read as an article body.</p>"
        }
        return """
            <!DOCTYPE html><html lang="en"><head><title>\(title) | The Riverside Ledger</title></head><body>
            <header class="site-header"><nav><a href="/news">News</a></nav></header>
            <main><article><h1>\(title)</h1><p class="byline">By Sam Reed</p>\(paragraphs.joined())</article></main>
            <footer class="site-footer">© The Riverside Ledger</footer></body></html>
            """
    }

    static func site(feed: Bool = false) throws -> LoopbackServer {
        try LoopbackServer { request in
            let html = ["Content-Type": "text/html; charset=utf-8"]
            if request.path == "/" {
                return .init(status: 200, headers: html, body: Array(frontPage(feed: feed ? "/feed.xml" : nil).utf8))
            }
            if feed, request.path == "/feed.xml" {
                let items = stories.map { "<item><title>\($0.1)</title><link>/\($0.0)</link></item>" }.joined()
                let rss =
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Ledger news</title><link>/</link>\(items)</channel></rss>"
                return .init(status: 200, headers: ["Content-Type": "application/rss+xml"], body: Array(rss.utf8))
            }
            let path = String(request.path.dropFirst())
            if let story = (stories + mostRead).first(where: { $0.0 == path }) {
                return .init(status: 200, headers: html, body: Array(article(story.1).utf8))
            }
            return .init(status: 404, headers: html, body: Array("<html><body>Not found</body></html>".utf8))
        }
    }

    static func entryTitles(_ feed: URL) throws -> [String] {
        let document = try Document(xml: Array(try Data(contentsOf: feed)))
        return document.root?.xpath("//*[local-name()='entry']/*[local-name()='title']").map(\.text) ?? []
    }

    @Test func aFrontPageGivesOneEntryPerStoryAndNoneForItsFurniture() throws {
        let server = try Self.site()
        defer { server.stop() }
        let work = try Repository.temporaryFolder()
        let made = try CommandLineTests.run(["new", server.baseURL + "/", "--name", "ledger"], in: work)
        #expect(made.status == 0, "\(made.stderr)")
        let path = work.appendingPathComponent("Pipelines/ledger.yml").path
        #expect(made.stdout.split(separator: "\n").last.map(String.init) == "Pipelines/ledger.yml")
        let yaml = try String(contentsOfFile: path, encoding: .utf8)
        #expect(yaml.contains("type: html") && (yaml.contains("links: \"") || yaml.contains("items: \"")), "\(yaml)")
        #expect(yaml.contains("title: \"The Riverside Ledger\""), "\(yaml)")
        #expect(yaml.contains("#   River bridge reopens after two years of repairs"), "\(yaml)")
        #expect(yaml.contains("selects 6 of the 6 article links"), "\(yaml)")

        let ran = try CommandLineTests.run(["run", "Pipelines/ledger.yml"], in: work)
        #expect(ran.status == 0, "\(ran.stderr)")
        let titles = try Self.entryTitles(work.appendingPathComponent("Feeds/ledger.atom"))
        #expect(Set(titles) == Set(Self.stories.map(\.1)), "\(titles)")
        Repository.keepFeed(work.appendingPathComponent("Feeds/ledger.atom"), as: "new-front-page.atom")

        // A second `new` with the same name leaves the file as it was.
        let again = try CommandLineTests.run(["new", server.baseURL + "/", "--name", "ledger"], in: work)
        #expect(again.status == 2 && again.stderr.contains("exists; it is not overwritten"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == yaml)
    }

    @Test func aSiteThatAdvertisesAFeedGetsAFeedSource() throws {
        let server = try Self.site(feed: true)
        defer { server.stop() }
        let work = try Repository.temporaryFolder()
        let made = try CommandLineTests.run(["new", server.baseURL + "/", "--name", "ledger"], in: work)
        #expect(made.status == 0, "\(made.stderr)")
        let yaml = try String(contentsOf: work.appendingPathComponent("Pipelines/ledger.yml"), encoding: .utf8)
        #expect(yaml.contains("type: feed") && yaml.contains("url: \"\(server.baseURL)/feed.xml\""), "\(yaml)")
        #expect(yaml.contains("title: \"Ledger news\""), "\(yaml)")
        #expect(made.stdout.contains("advertises a feed"), "\(made.stdout)")
        let ran = try CommandLineTests.run(["run", "Pipelines/ledger.yml"], in: work)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(try Self.entryTitles(work.appendingPathComponent("Feeds/ledger.atom")).count == Self.stories.count)
    }

    @Test func anAddressWithNothingToReadIsAClearFailureAndWritesNothing() throws {
        let server = try LoopbackServer { _ in
            .init(
                status: 200, headers: ["Content-Type": "text/html"],
                body: Array("<html><body><p>Hello.</p></body></html>".utf8))
        }
        defer { server.stop() }
        let work = try Repository.temporaryFolder()
        let made = try CommandLineTests.run(["new", server.baseURL + "/"], in: work)
        #expect(made.status == 1 && made.stderr.contains("no links on it read as articles"), "\(made.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("Pipelines").path))
    }

    /// Before: a page whose links read "Read more" had no article links, and `next:` was never proposed.
    @Test func cardsWithReadMoreLinksGiveRowsWithTheirFieldsAndTheNextPage() throws {
        let cards = (1...5).map { number in
            """
            <article class="card"><h2>Harbour story number \(number) for the week</h2>
            <time datetime="2026-11-0\(number)T08:00:00Z">\(number) Nov</time>
            <p>A summary of the story, in a sentence or two of its own.</p><img src="/img/\(number).jpg" alt="">
            <a class="more" href="/2026/11/harbour-story-\(number)">Read more</a></article>
            """
        }.joined(separator: "\n")
        let page = """
            <html><head><title>Harbour news</title></head><body><nav><a href="/about">About us here</a></nav>
            <main>\(cards)</main><a rel="next" href="/page/2">Older</a></body></html>
            """
        let server = try LoopbackServer { request in
            if request.path == "/" {
                return .init(status: 200, headers: ["Content-Type": "text/html"], body: Array(page.utf8))
            }
            let story = """
                <html><head><title>Story</title></head><body><article><h1>Story at \(request.path)</h1>
                <p>\(String(repeating: "The harbour board met about \(request.path) and talked at length. ", count: 8))</p>
                </article></body></html>
                """
            return .init(status: 200, headers: ["Content-Type": "text/html"], body: Array(story.utf8))
        }
        defer { server.stop() }
        let work = try Repository.temporaryFolder()
        let made = try CommandLineTests.run(["new", server.baseURL + "/", "--name", "cards"], in: work)
        #expect(made.status == 0, "\(made.stderr)")
        let yaml = try String(contentsOf: work.appendingPathComponent("Pipelines/cards.yml"), encoding: .utf8)
        for line in [
            "items: \"article.card\"", "link: \"a.more\"", "title: \"h2\"", "date: \"time\"", "summary: \"p\"",
            "image: \"img\"", "next: \"a[rel~=next]\"",
        ] {
            #expect(yaml.contains(line), "\(line) in \(yaml)")
        }
        #expect(yaml.contains("#   Harbour story number 1 for the week"), "\(yaml)")
        let ran = try CommandLineTests.run(["run", "Pipelines/cards.yml"], in: work)
        #expect(ran.status == 0, "\(ran.stderr)")
        let titles = try Self.entryTitles(work.appendingPathComponent("Feeds/cards.atom"))
        #expect(Set(titles) == Set((1...5).map { "Harbour story number \($0) for the week" }), "\(titles)")
    }

    /// Before: a JSON API's answer asked for a `links` selector.
    @Test func aJSONAPIGetsAJSONSourceWithAPathForEachField() throws {
        let posts = (1...3).map { number in
            """
            {"id": \(number), "headline": "Pier news \(number)", "permalink": "/posts/\(number)",
             "published_at": "2026-11-0\(number)T09:00:00Z", "author": {"name": "Desk"},
             "excerpt": "Short text \(number).", "body_html": "<p>Whole text \(number).</p>"}
            """
        }.joined(separator: ",")
        let api = #"{"meta": {"page": 1}, "data": {"articles": ["# + posts + #"]}}"#
        let server = try LoopbackServer { _ in
            .init(status: 200, headers: ["Content-Type": "application/json"], body: Array(api.utf8))
        }
        defer { server.stop() }
        let work = try Repository.temporaryFolder()
        let made = try CommandLineTests.run(["new", server.baseURL + "/api/articles", "--name", "api"], in: work)
        #expect(made.status == 0, "\(made.stderr)")
        let yaml = try String(contentsOf: work.appendingPathComponent("Pipelines/api.yml"), encoding: .utf8)
        for line in [
            "type: json", "items: \"data.articles\"", "link: \"permalink\"", "title: \"headline\"",
            "date: \"published_at\"", "author: \"author.name\"", "summary: \"excerpt\"", "content: \"body_html\"",
            "guid: \"id\"", "article: none",
        ] {
            #expect(yaml.contains(line), "\(line) in \(yaml)")
        }
        let ran = try CommandLineTests.run(["run", "Pipelines/api.yml"], in: work)
        #expect(ran.status == 0 && ran.stdout.contains("api: 3 new"), "\(ran.stdout) \(ran.stderr)")
        Repository.keepFeed(work.appendingPathComponent("Feeds/api.atom"), as: "new-json-api.atom")
    }
}
