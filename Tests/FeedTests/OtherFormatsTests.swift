import Foundation
import Markup
import TestSupport
import Testing

@testable import Feed

@Suite("RSS, JSON Feed and the folder index")
struct OtherFormatsTests {
    static let meta = AtomWriterTests.meta
    static let entries = AtomWriterTests.entries

    @Test func rssHasTheChannelAndItemFieldsTheSpecificationRequires() throws {
        let xml = RSSWriter.document(Self.meta, entries: Self.entries)
        let document = try Document(xml: Array(xml.utf8))
        let root = try #require(document.root)
        #expect(root.name == "rss" && root.attribute("version") == "2.0")
        let channel = try #require(root.elementChildren.first { $0.name == "channel" })
        for name in ["title", "link", "description"] {
            #expect(channel.elementChildren.contains { $0.name == name && !$0.text.isEmpty }, "channel \(name)")
        }
        let items = channel.elementChildren.filter { $0.name == "item" }
        #expect(items.count == 2)
        let first = items[0]
        #expect(first.elementChildren.first { $0.name == "title" }?.text == Self.entries[0].title)
        #expect(first.elementChildren.first { $0.name == "guid" }?.attribute("isPermaLink") == "false")
        #expect(first.elementChildren.first { $0.localName == "encoded" }?.text == Self.entries[0].content)
        #expect(first.elementChildren.first { $0.name == "pubDate" }?.text == "Fri, 15 Apr 2022 05:20:00 GMT")
        let enclosure = try #require(first.elementChildren.first { $0.name == "enclosure" })
        #expect(enclosure.attribute("type") == "image/png" && enclosure.attribute("length") == "0")
    }

    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 GMT"), (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_700_000_000, "Tue, 14 Nov 2023 22:13:20 GMT"), (-86_400, "Wed, 31 Dec 1969 00:00:00 GMT"),
    ])
    func rfc822DatesAreRight(seconds: Double, expected: String) throws {
        let text = RSSWriter.rfc822(Date(timeIntervalSince1970: seconds))
        #expect(text == expected)
        #expect(Timestamp.parse(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test func jsonFeedHasTheRequiredFieldsAndIsStable() throws {
        let text = JSONFeedWriter.document(Self.meta, entries: Self.entries)
        #expect(text == JSONFeedWriter.document(Self.meta, entries: Self.entries))
        let feed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(feed["version"] as? String == "https://jsonfeed.org/version/1.1")
        #expect(feed["title"] as? String == Self.meta.title)
        let items = try #require(feed["items"] as? [[String: Any]])
        #expect(items.count == 2)
        #expect(items[0]["id"] as? String == Self.entries[0].id)
        #expect(items[0]["content_html"] as? String == Self.entries[0].content)
        #expect(items[0]["date_published"] as? String == "2022-04-15T05:20:00Z")
        // An item without a body still says it has no content, as the specification requires.
        #expect(items[1]["content_text"] as? String == "")
        #expect(!text.contains("\\/"))
    }

    @Test func indexListsEveryFeedForReadersAndPeople() throws {
        let listings = [
            FeedIndex.Listing(title: "B & Co", site: "https://b.example/", files: [.atom: "b.atom", .rss: "b.rss"]),
            FeedIndex.Listing(title: "Only JSON", files: [.json: "c.json"]),
        ]
        let opml = try Document(xml: Array(FeedIndex.opml(listings).utf8))
        let outlines = opml.root?.xpath("//outline") ?? []
        #expect(outlines.map { $0.attribute("xmlUrl") } == ["b.atom", "c.json"])
        #expect(outlines.first?.attribute("text") == "B & Co")
        #expect(outlines.first?.attribute("htmlUrl") == "https://b.example/")
        let page = try Document(html: FeedIndex.html(listings))
        let links = page.root?.xpath("//li/a").compactMap { $0.attribute("href") } ?? []
        #expect(links == ["b.atom", "b.rss", "https://b.example/", "c.json"])
        #expect(page.root?.xpath("//li/span").first?.text == "B & Co")
    }

    @Test func theIndexPageShowsEachFeedsEntriesLastRunAndLastError() throws {
        var listing = FeedIndex.Listing(title: "City", files: [.atom: "city.atom"])
        listing.entries = 12
        listing.lastRun = Date(timeIntervalSince1970: 1_764_000_000)
        listing.lastError = "article: https://city.example/x: HTTP status 404 <b>"
        let page = try Document(html: FeedIndex.html([listing]))
        let status = page.root?.xpath("//p[@class='status']").first?.text
        #expect(status == "12 entries · last run 24 Nov 2025, 16:00 UTC", "\(status ?? "")")
        #expect(
            page.root?.xpath("//p[@class='error']").first?.text
                == "Last error: article: https://city.example/x: HTTP status 404 <b>")
    }

    /// A feed as a browser is shown it: every entry a link, with its date, author and summary; addresses to
    /// copy; nothing from the feed run as markup or followed unless it is a web address.
    /// A long feed's page shows `FeedPage.perPage` entries at a time, numbered on, with links to the newer and
    /// older pages; a page made from the start of a feed too long to read whole links to an older one.
    @Test func aLongFeedsPageShowsItsEntriesAPageAtATime() throws {
        let items = (1...250).map { FeedPage.Item(title: "Story \($0)", link: "https://news.example/\($0)") }
        let contents = FeedPage.Contents(title: "News", site: nil, items: items)
        func view(_ number: Int, more: Bool = false, of contents: FeedPage.Contents = contents) throws -> Document {
            try Document(html: FeedPage.html(contents, addresses: [], number: number, more: more))
        }
        let first = try view(1)
        #expect(first.root?.xpath("//li[@class='entry']").count == 100)
        #expect(first.root?.xpath("//p[@class='count']").first?.text == "Entries 1–100 of 250")
        #expect(first.root?.xpath("//nav//a").map { $0.attribute("href") ?? "" } == ["?page=2"])
        let last = try view(3)
        #expect(last.root?.xpath("//li[@class='entry']/h2/a").first?.text == "Story 201")
        #expect(last.root?.xpath("//ol").first?.attribute("start") == "201")
        #expect(last.root?.xpath("//nav//a").map { $0.attribute("href") ?? "" } == ["?page=2"])
        #expect(last.root?.xpath("//nav//a").first?.text == "Newer entries")
        // A short feed has one page and no links; the start of a long one links on.
        let short = FeedPage.Contents(title: "News", site: nil, items: Array(items.prefix(30)))
        let one = try view(1, of: short)
        #expect(one.root?.xpath("//nav").isEmpty == true)
        #expect(one.root?.xpath("//p[@class='count']").first?.text == "30 entries")
        let start = try view(1, more: true, of: short)
        #expect(start.root?.xpath("//nav//a").first?.text == "Older entries")
    }

    @Test func aFeedPageShowsEveryEntryAndNothingUnsafe() throws {
        let entries = [
            Entry(
                id: "urn:uuid:1", title: "Otters <return> & stay", link: "https://news.example/otters", author: "Kim",
                published: Date(timeIntervalSince1970: 1_764_000_000),
                updated: Date(timeIntervalSince1970: 1_764_000_000),
                summary: "They came back <script>alert(1)</script>", content: "<p>x</p>",
                image: "https://news.example/o.jpg",
                language: "en"),
            Entry(
                id: "urn:uuid:2", title: "Second", link: "javascript:alert(1)", author: nil, published: nil,
                updated: Date(timeIntervalSince1970: 1_763_000_000), summary: nil, content: nil, image: "javascript:x",
                language: nil),
        ]
        let meta = FeedMeta(
            id: "urn:uuid:f", title: "News & more", link: "https://news.example/", selfLink: nil, author: "Desk")
        let atom = AtomWriter.document(meta, entries: entries)
        let contents = try #require(FeedPage.read(Array(atom.utf8), as: .atom))
        #expect(contents.title == "News & more" && contents.items.count == 2)
        let html = FeedPage.html(
            contents, addresses: [(.atom, "http://feeds.example/news.atom"), (.rss, "http://feeds.example/news.rss")])
        let page = try Document(html: html)
        let titles = page.root?.xpath("//li[@class='entry']/h2/a").map(\.text)
        #expect(titles == ["Otters <return> & stay", "Second"])
        #expect(
            page.root?.xpath("//li[@class='entry']/h2/a").map { $0.attribute("href") ?? "" } == [
                "https://news.example/otters", "#",
            ])
        #expect(page.root?.xpath("//script").isEmpty == true)
        #expect(page.root?.xpath("//img").map { $0.attribute("src") ?? "" } == ["https://news.example/o.jpg"])
        #expect(page.root?.xpath("//p[@class='meta']").first?.text == "24 November 2025 · Kim")
        #expect(
            page.root?.xpath("//input").map { $0.attribute("value") ?? "" } == [
                "http://feeds.example/news.atom", "http://feeds.example/news.rss",
            ])
        // The RSS and JSON Feed files of the same entries show the same; the feed reader refuses the
        // `javascript:` link as an address, and keeps its item without one.
        for format in [FeedFormat.rss, .json] {
            let other = format.document(meta, entries: entries)
            let items = FeedPage.read(Array(other.utf8), as: format)?.items
            #expect(items?.map(\.title) == ["Otters <return> & stay", "Second"])
            #expect(items?.map(\.link) == ["https://news.example/otters", nil])
        }
    }

    @Test(arguments: FeedFormat.allCases)
    func theHeadOfAWrittenFeedIsKnownWithoutReadingItBack(format: FeedFormat) throws {
        var bare = Self.meta
        (bare.link, bare.selfLink) = (nil, nil)
        for meta in [Self.meta, bare] {
            for entries in [Self.entries, []] {
                let written = try #require(
                    FeedHead.read(Array(format.document(meta, entries: entries).utf8), as: format))
                #expect(format.head(meta, entries: entries.count) == written)
            }
        }
    }
}
