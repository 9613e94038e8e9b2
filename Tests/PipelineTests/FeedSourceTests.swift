import Feed
import Fetch
import Foundation
import Logging
import TestSupport
import Markup
import Testing

@testable import Pipeline

@Suite("Feed sources")
struct FeedSourceTests {
    static func links(_ xml: String) throws -> [Link] {
        FeedSource.links(in: try Document(xml: Array(xml.utf8), url: "https://news.example.org/feeds/all.xml"))
    }

    @Test func readsRSS2ItemsWithRelativeLinksDatesAndTitles() throws {
        let links = try Self.links("""
            <?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title> First
              story </title><link>/2022/first.html</link><pubDate>Mon, 11 Apr 2022 07:00:00 GMT</pubDate></item>
            <item><title>Second</title><guid>https://news.example.org/2022/second.html</guid></item>
            <item><title>Duplicate</title><link>https://news.example.org/2022/first.html</link></item>
            <item><title>Not a link</title><guid isPermaLink="false">x-1</guid></item>
            </channel></rss>
            """)
        #expect(links.map(\.url) == ["https://news.example.org/2022/first.html", "https://news.example.org/2022/second.html"])
        #expect(links[0].title == "First story")
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-11T07:00:00Z")
    }

    @Test func readsAtomEntriesByTheirAlternateLink() throws {
        let links = try Self.links("""
            <?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
            <entry><title>A</title><link rel="edit" href="/edit/a"/><link href="/a.html"/>
            <published>2022-04-09T11:45:00Z</published></entry>
            <entry><title>B</title><link rel="alternate" type="text/html" href="https://other.example/b"/></entry>
            </feed>
            """)
        #expect(links.map(\.url) == ["https://news.example.org/a.html", "https://other.example/b"])
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-09T11:45:00Z")
    }

    @Test func readsRSS1Items() throws {
        let links = try Self.links("""
            <?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
              xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel rdf:about="https://news.example.org/"><title>t</title></channel>
            <item rdf:about="https://news.example.org/c"><title>C</title><link>https://news.example.org/c</link>
            <dc:date>2022-04-01</dc:date></item></rdf:RDF>
            """)
        #expect(links.map(\.url) == ["https://news.example.org/c"])
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-01T00:00:00Z")
    }

    @Test func refusesEntityTricks() {
        #expect(throws: MarkupError.self) {
            try Self.links("""
                <?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
                <rss><channel><item><title>&xxe;</title><link>https://a.example/</link></item></channel></rss>
                """)
        }
    }
}

@Suite("Folder sources")
struct FolderSourceTests {
    @Test func savedPagesBecomeEntriesAtTheirOriginalAddresses() async throws {
        let work = try Repository.temporaryFolder()
        let saved = work.appendingPathComponent("saved/2022")
        try FileManager.default.createDirectory(at: saved, withIntermediateDirectories: true)
        let articles = Repository.exampleSite.appendingPathComponent("articles")
        try FileManager.default.copyItem(
            at: articles.appendingPathComponent("otters-return.html"), to: saved.appendingPathComponent("otters.HTML"))
        try FileManager.default.copyItem(
            at: articles.appendingPathComponent("belarus-officers-letter.html"),
            to: work.appendingPathComponent("saved/belarus.htm"))
        try "not a page".write(to: saved.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let yaml = """
            title: Saved pages
            source:
              type: folder
              url: saved
            output: \(work.appendingPathComponent("Feeds/saved.atom").path)
            """
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("saved.yml").path)
        let state = try StateStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(report.new == 2 && report.failures.isEmpty)
        let links = try state.entries(feed: config.id).map(\.link).sorted()
        #expect(links.count == 2)
        #expect(links.contains("https://ledger.example.org/science/2022/04/otters-return"))
        #expect(links.contains { $0.hasPrefix("file://") && $0.hasSuffix("/saved/belarus.htm") })
        Repository.keepFeed(work.appendingPathComponent("Feeds/saved.atom"), as: "folder-source.atom")
    }

    @Test func aMissingFolderIsNamed() async throws {
        let work = try Repository.temporaryFolder()
        let yaml = "title: Missing\nsource:\n  type: folder\n  url: nowhere\noutput: \(work.path)/Feeds/m.atom\n"
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("m.yml").path)
        let state = try StateStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(report.failures == ["source: \(work.appendingPathComponent("nowhere").path): the folder cannot be read"])
    }
}

@Suite("Output formats and the feed index")
struct OutputFormatTests {
    @Test func everyFormatIsWrittenBesideTheAtomFileAndListedInTheIndex() async throws {
        let work = try Repository.temporaryFolder()
        let feeds = work.appendingPathComponent("Feeds")
        let yaml = """
            title: Every format
            source:
              type: feed
              url: \(Repository.exampleSite.appendingPathComponent("feed.xml").path)
            output: \(feeds.appendingPathComponent("all.atom").path)
            formats: [atom, rss, json]
            """
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("all.yml").path)
        #expect(config.path(for: .rss) == feeds.appendingPathComponent("all.rss").path)
        let state = try StateStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(report.new == 2 && report.failures.isEmpty)
        let names = try FileManager.default.contentsOfDirectory(atPath: feeds.path).sorted()
        #expect(names == ["all.atom", "all.json", "all.rss", "feed.xsl", "index.html", "index.opml"])
        let atom = try String(contentsOf: feeds.appendingPathComponent("all.atom"), encoding: .utf8)
        #expect(atom.contains("<?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl\"?>"))
        let listings = FeedFolder.listings(in: feeds.path)
        #expect(listings == [FeedIndex.Listing(title: "Every format", atom: "all.atom", rss: "all.rss", json: "all.json")])
        for name in ["all.atom", "all.rss", "all.json"] {
            Repository.keepFeed(feeds.appendingPathComponent(name), as: "formats-" + name)
        }
    }
}
