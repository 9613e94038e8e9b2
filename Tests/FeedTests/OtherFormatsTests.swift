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

    @Test func stylesheetIsWellFormedXSLT() throws {
        let document = try Document(xml: Array(FeedIndex.stylesheet.utf8))
        #expect(document.root?.localName == "stylesheet")
        #expect(document.root?.namespace == "http://www.w3.org/1999/XSL/Transform")
    }
}
