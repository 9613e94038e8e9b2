import Feed
import Fetch
import Foundation
import Logging
import Markup
import State
import TestSupport
import Testing

@testable import Pipeline
@testable import Sources

@Suite("Feed sources")
struct FeedSourceTests {
    static func links(_ xml: String) throws -> [Item] {
        FeedReader.items(in: try Document(xml: Array(xml.utf8), url: "https://news.example.org/feeds/all.xml"))
    }

    @Test func readsRSS2ItemsWithRelativeLinksDatesAndTitles() throws {
        let links = try Self.links(
            """
            <?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title> First
              story </title><link>/2022/first.html</link><pubDate>Mon, 11 Apr 2022 07:00:00 GMT</pubDate></item>
            <item><title>Second</title><guid>https://news.example.org/2022/second.html</guid></item>
            <item><title>Duplicate</title><link>https://news.example.org/2022/first.html</link></item>
            <item><title>Not a link</title><guid isPermaLink="false">x-1</guid></item>
            <item xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><title>Proxied</title>
            <link>http://feedproxy.google.com/~r/example/~3/abc/</link>
            <feedburner:origLink>https://news.example.org/2022/proxied.html</feedburner:origLink></item>
            </channel></rss>
            """)
        // An item without a link is kept, known by its guid (it was dropped before).
        #expect(
            links.map(\.link) == [
                "https://news.example.org/2022/first.html", "https://news.example.org/2022/second.html", nil,
                "https://news.example.org/2022/proxied.html",
            ])
        #expect(links[2].guid == "x-1" && links[2].title == "Not a link")
        #expect(links.map(\.position) == [0, 1, 2, 3])
        #expect(links[0].title == "First story")
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-11T07:00:00Z")
    }

    @Test func readsAtomEntriesByTheirAlternateLink() throws {
        let links = try Self.links(
            """
            <?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
            <entry><title>A</title><link rel="edit" href="/edit/a"/><link href="/a.html"/>
            <published>2022-04-09T11:45:00Z</published></entry>
            <entry><title>B</title><link rel="alternate" type="text/html" href="https://other.example/b"/></entry>
            </feed>
            """)
        #expect(links.map(\.link) == ["https://news.example.org/a.html", "https://other.example/b"])
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-09T11:45:00Z")
    }

    @Test func resolvesAtomLinksAgainstXMLBase() throws {
        let links = try Self.links(
            """
            <?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.net/2022/">
            <title>t</title>
            <entry><title>A</title><link href="a.html"/></entry>
            <entry xml:base="april/"><title>B</title><link href="b.html"/></entry>
            <entry><title>C</title><link xml:base="https://other.example/" href="c.html"/></entry>
            </feed>
            """)
        #expect(
            links.map(\.link) == [
                "https://blog.example.net/2022/a.html", "https://blog.example.net/2022/april/b.html",
                "https://other.example/c.html",
            ])
    }

    @Test func readsEachItemsImageWhereverTheFeedPutsIt() throws {
        let rss = try Self.links(
            """
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title>
            <item><link>/a</link><media:content url="/img/a.mp4" type="video/mp4"/><media:content url="/img/a.jpg" medium="image"/></item>
            <item><link>/a2</link><media:content url="/img/a2.jpg" medium="image"/><description>&lt;p&gt;The body.&lt;/p&gt;</description></item>
            <item><link>/b</link><media:group><media:thumbnail url="https://cdn.example.org/b.jpg"/></media:group></item>
            <item><link>/c</link><enclosure url="/img/c.png" length="1" type="image/png"/></item>
            <item><link>/d</link><enclosure url="/audio/d.mp3" length="1" type="audio/mpeg"/></item>
            </channel></rss>
            """)
        // Media RSS's content element is a picture, not the item's body.
        #expect(rss.first?.content == nil)
        #expect(rss[1].content == "<p>The body.</p>")
        #expect(
            rss.map(\.image) == [
                "https://news.example.org/img/a.jpg", "https://news.example.org/img/a2.jpg",
                "https://cdn.example.org/b.jpg",
                "https://news.example.org/img/c.png", nil,
            ])
        let atom = try Self.links(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
            <entry><link href="/e"/><link rel="enclosure" type="image/jpeg" href="/img/e.jpg"/></entry></feed>
            """)
        #expect(atom.first?.image == "https://news.example.org/img/e.jpg")
        let json = try FeedReader.items(
            in: Array(
                #"""
                {"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "/f", "image": "/img/f.jpg"}]}
                """#.utf8), url: "https://news.example.org/feed.json")
        #expect(json.first?.image == "https://news.example.org/img/f.jpg")
    }

    @Test func readsRSS1Items() throws {
        let links = try Self.links(
            """
            <?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
              xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel rdf:about="https://news.example.org/"><title>t</title></channel>
            <item rdf:about="https://news.example.org/c"><title>C</title><link>https://news.example.org/c</link>
            <dc:date>2022-04-01</dc:date></item></rdf:RDF>
            """)
        #expect(links.map(\.link) == ["https://news.example.org/c"])
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-01T00:00:00Z")
    }

    /// Faults of feeds as sites publish them, which feed readers accept: each is read, with its text intact.
    @Test func readsFeedsThatAreNotQuiteXML() throws {
        func read(_ bytes: [UInt8]) throws -> [Item] {
            try FeedReader.items(in: bytes, url: "https://news.example.org/rss")
        }

        // RSS 0.91 with Netscape's DOCTYPE and HTML entities its DTD would have defined.
        let netscape = try read(
            Array(
                """
                <?xml version="1.0" encoding="ISO-8859-1"?>
                <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
                <rss version="0.91"><channel><title>Caf&eacute;</title>
                <item><title>Caf&eacute; opens&nbsp;today &mdash; at last</title><link>https://news.example.org/a?x=1&amp;y=2</link></item>
                </channel></rss>
                """.utf8))
        #expect(netscape.map(\.link) == ["https://news.example.org/a?x=1&y=2"])
        #expect(netscape.first?.title == "Café opens today — at last")

        // Bare ampersands in a link and in a title; a CDATA title keeps its own ampersand as written.
        let bare = try read(
            Array(
                """
                <rss version="2.0"><channel><title>N</title>
                <item><title>Fish & chips</title><link>https://news.example.org/b?x=1&y=2</link></item>
                <item><title><![CDATA[Salt &amp; vinegar]]></title><link>https://news.example.org/c</link></item>
                </channel></rss>
                """.utf8))
        #expect(bare.map(\.link) == ["https://news.example.org/b?x=1&y=2", "https://news.example.org/c"])
        #expect(bare.map(\.title) == ["Fish & chips", "Salt &amp; vinegar"])

        // Blank lines before the XML declaration (a stray newline in a CMS plug-in).
        let blank = try read(
            Array(
                "\n\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><item><title>T</title><link>https://news.example.org/d</link></item></channel></rss>"
                    .utf8))
        #expect(blank.map(\.link) == ["https://news.example.org/d"])

        // Declared UTF-8, written in windows-1252.
        let cp1252 = try read(
            Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><item><title>Caf".utf8)
                + [0xE9, 0x20, 0x93] + Array("quoted".utf8) + [0x94]
                + Array("</title><link>https://news.example.org/e</link></item></channel></rss>".utf8))
        #expect(cp1252.first?.title == "Café “quoted”")
    }

    @Test func oneBadByteOrAStrayNULNeverLosesTheFeed() throws {
        func read(_ bytes: [UInt8]) throws -> [Item] {
            try FeedReader.items(in: bytes, url: "https://news.example.org/rss")
        }
        let head = Array(#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>"#.utf8)
        let item =
            Array("<item><title>Caf\u{E9} \u{201C}news\u{201D} ".utf8) + [0x9D]
            + Array("</title><link>https://news.example.org/a</link></item></channel></rss>".utf8)
        let links = try read(head + item)
        #expect(links.map(\.link) == ["https://news.example.org/a"])
        #expect(links.first?.title == "Café “news” \u{FFFD}")
        // A NUL inside the document, as a broken database export leaves.
        let nul = try read(
            head + Array("<item><title>Ti".utf8) + [0]
                + Array("tle</title><link>https://news.example.org/b</link></item></channel></rss>".utf8))
        #expect(nul.first?.title == "Title")
        // Still windows-1252 when the bytes are that and not UTF-8 with a slip.
        let legacy = try read(
            head + Array("<item><title>Caf".utf8) + [0xE9, 0x20, 0x93, 0x71, 0x94]
                + Array("</title><link>https://news.example.org/c</link></item></channel></rss>".utf8))
        #expect(legacy.first?.title == "Café “q”")
    }

    @Test func aFeedDeclaringLatin1ThatIsUTF8IsReadAsUTF8() throws {
        let xml =
            #"<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>T</title>"#
            + "<item><title>Zürich: “Grüße”</title><link>https://news.example.org/z</link></item></channel></rss>"
        let links = try FeedReader.items(in: Array(xml.utf8), url: "https://news.example.org/rss")
        #expect(links.first?.title == "Zürich: “Grüße”")
        // A real Latin-1 feed is still Latin-1.
        let latin =
            Array(
                #"<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>T</title><item><title>Z"#
                    .utf8)
            + [0xFC] + Array("rich</title><link>https://news.example.org/z</link></item></channel></rss>".utf8)
        #expect(try FeedReader.items(in: latin, url: "https://news.example.org/rss").first?.title == "Zürich")
    }

    @Test func anAtomEntryWithoutAUsableLinkIsReadByItsAddressId() throws {
        let links = try Self.links(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>
            <entry><title>No link</title><id>https://blog.example.org/2024/no-link</id><updated>2024-01-01T00:00:00Z</updated></entry>
            <entry><title>Empty href</title><link href=""/><id>https://blog.example.org/2024/empty</id><updated>2024-01-01T00:00:00Z</updated></entry>
            <entry><title>Tag id</title><id>tag:blog.example.org,2024:3</id><updated>2024-01-01T00:00:00Z</updated></entry>
            </feed>
            """)
        #expect(
            links.map(\.link) == ["https://blog.example.org/2024/no-link", "https://blog.example.org/2024/empty", nil])
        #expect(links[2].guid == "tag:blog.example.org,2024:3")
    }

    @Test func aPageThatIsNotAFeedIsNamed() throws {
        let error = try #require(throws: SourceError.self) {
            try FeedReader.items(
                in: Array("<html><body><p>Moved</p></body></html>".utf8), url: "https://news.example.org/rss")
        }
        #expect(
            error.description
                == "https://news.example.org/rss: not a feed (its root is <html>, not <rss>, <feed> or <rdf:RDF>)")
        #expect(throws: SourceError.self) { try FeedReader.items(in: Array("no markup at all".utf8), url: "x") }
    }

    @Test func refusesEntityTricks() {
        #expect(throws: MarkupError.self) {
            try Self.links(
                """
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
        // A page saved without its web address (no canonical link).
        let belarus = try String(
            contentsOf: articles.appendingPathComponent("belarus-officers-letter.html"), encoding: .utf8)
        try belarus.split(separator: "\n").filter { !$0.contains("rel=\"canonical\"") }.joined(separator: "\n")
            .write(to: work.appendingPathComponent("saved/belarus.htm"), atomically: true, encoding: .utf8)
        try "not a page".write(to: saved.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let yaml = """
            title: Saved pages
            source:
              type: folder
              url: saved
            output: \(work.appendingPathComponent("Feeds/saved.atom").path)
            """
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("saved.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(report.new == 2 && report.failures.isEmpty)
        let entries = try state.entries(feed: config.id)
        #expect(entries.count == 2)
        #expect(entries.contains { $0.link == "https://ledger.example.org/science/2022/04/otters-return" })
        // The page with no web address has no link: the feed names no path of this machine, in links, images
        // or the body (it did: file:///…/saved/belarus.htm, and its picture's file: address).
        // Its link is its id, a urn: (feed readers want a link on every entry).
        #expect(entries.contains { $0.link == $0.id && $0.title.hasPrefix("Belarus army accuses Putin") })
        let atom = try String(contentsOf: work.appendingPathComponent("Feeds/saved.atom"), encoding: .utf8)
        #expect(!atom.contains("file:") && !atom.contains(work.path))
        Repository.keepFeed(work.appendingPathComponent("Feeds/saved.atom"), as: "folder-source.atom")
    }

    @Test func aMissingFolderIsNamed() async throws {
        let work = try Repository.temporaryFolder()
        let yaml = "title: Missing\nsource:\n  type: folder\n  url: nowhere\noutput: \(work.path)/Feeds/m.atom\n"
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("m.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(
            report.failures.map(\.description) == [
                "source: \(work.appendingPathComponent("nowhere").path): the folder cannot be read"
            ])
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
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(report.new == 2 && report.failures.isEmpty)
        let names = try FileManager.default.contentsOfDirectory(atPath: feeds.path).sorted()
        #expect(
            names == [
                ".feedpipe-heads.json", ".feedpipe-runs.json", "all.atom", "all.json", "all.rss", "index.html",
                "index.opml",
            ])
        let atom = try String(contentsOf: feeds.appendingPathComponent("all.atom"), encoding: .utf8)
        // A browser is shown a page by `serve`; the feed names no XSLT stylesheet.
        #expect(!atom.contains("xml-stylesheet"))
        var listings = FeedFolder.listings(in: feeds.path)
        // The run was recorded for the index: when, with no error; the feed holds its two entries.
        #expect(listings.first?.lastRun != nil && listings.first?.lastError == nil && listings.first?.entries == 2)
        listings[0].lastRun = nil
        listings[0].entries = nil
        #expect(
            listings == [
                FeedIndex.Listing(
                    title: "Every format", site: "https://ledger.example.org/",
                    files: [.atom: "all.atom", .rss: "all.rss", .json: "all.json"])
            ])
        for name in ["all.atom", "all.rss", "all.json"] {
            Repository.keepFeed(feeds.appendingPathComponent(name), as: "formats-" + name)
        }
        // With no public address, no file names itself by its path on this machine (they did, as file: URLs);
        // the site is the one the entries come from.
        for name in ["all.atom", "all.rss", "all.json"] {
            let text = try String(contentsOf: feeds.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains("file:") && !text.contains(work.path), "\(name)")
        }
        let rss = try String(contentsOf: feeds.appendingPathComponent("all.rss"), encoding: .utf8)
        #expect(rss.contains("<link>https://ledger.example.org/</link>"))
    }

    @Test func theIndexCarriesThePublishedAddressOfEachFeed() async throws {
        let work = try Repository.temporaryFolder()
        let feeds = work.appendingPathComponent("Feeds")
        let yaml = """
            title: Published
            source: {type: feed, url: \(Repository.exampleSite.appendingPathComponent("feed.xml").path)}
            output: \(feeds.appendingPathComponent("pub.atom").path)
            url: https://feeds.example.net/news/pub.atom
            formats: [atom, rss]
            """
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("pub.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        _ = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        let opml = try String(contentsOf: feeds.appendingPathComponent("index.opml"), encoding: .utf8)
        #expect(opml.contains("xmlUrl=\"https://feeds.example.net/news/pub.atom\""), "\(opml)")
        let rss = try String(contentsOf: feeds.appendingPathComponent("pub.rss"), encoding: .utf8)
        #expect(rss.contains("href=\"https://feeds.example.net/news/pub.rss\" rel=\"self\""))
    }

    @Test func aPublishedAddressGivesEachFormatItsOwn() throws {
        let yaml =
            "title: T\nsource: {url: https://a.example/}\nurl: https://feeds.example.net/news/all.atom\noutput: Feeds/all.atom\n"
        let config = try PipelineConfig.parse(yaml, file: "all.yml")
        #expect(Runner.selfLink(of: config, format: .atom) == "https://feeds.example.net/news/all.atom")
        #expect(Runner.selfLink(of: config, format: .rss) == "https://feeds.example.net/news/all.rss")
        #expect(Runner.selfLink(of: config, format: .json) == "https://feeds.example.net/news/all.json")
    }
}

@Suite("JSON Feed and sitemap sources")
struct MoreSourceTests {
    @Test func readsJSONFeedsThatNameTheirVersionWithHTTP() throws {
        let json =
            #"{"version": "http://jsonfeed.org/version/1", "title": "T", "items": [{"id": "1", "url": "https://example.org/a", "title": "A"}]}"#
        let links = try FeedReader.items(in: Array(json.utf8), url: "https://example.org/feed.json")
        #expect(links.map(\.link) == ["https://example.org/a"])
    }

    @Test func readsJSONFeedItemsWithTheirTitlesDatesAndAuthors() throws {
        let json = """
            {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
              {"id": "1", "url": "/a.html", "title": " A ", "date_published": "2022-04-09T11:45:00Z",
               "authors": [{"name": "Ann"}]},
              {"id": "2", "external_url": "https://other.example/b", "date_modified": "2022-04-10T00:00:00+02:00"},
              {"id": "3", "url": "javascript:alert(1)"},
              {"id": "4", "url": "/a.html"}]}
            """
        let links = try FeedReader.items(in: Array(json.utf8), url: "https://news.example.org/feed.json")
        // The `javascript:` address is refused; its item is kept without a link.
        #expect(links.map(\.link) == ["https://news.example.org/a.html", "https://other.example/b", nil])
        #expect(links.map(\.guid) == ["1", "2", "3"])
        #expect(links[0].title == "A" && links[0].authors.first == "Ann")
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-09T11:45:00Z")
        #expect(links[1].date.map(Timestamp.rfc3339) == "2022-04-09T22:00:00Z")
    }

    @Test func aJSONDocumentThatIsNotAFeedIsNamed() {
        #expect(throws: SourceError.self) {
            do {
                _ = try FeedReader.items(in: Array(#"{"items": []}"#.utf8), url: "https://x.example/f.json")
            } catch {
                #expect("\(error)" == "https://x.example/f.json: not a JSON Feed (no jsonfeed.org 'version')")
                throw error
            }
        }
    }

    @Test func readsRSSAndAtomAuthors() throws {
        let rss = """
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
            <item><link>https://n.example/a</link><dc:creator>Desk</dc:creator></item></channel></rss>
            """
        #expect(try FeedReader.items(in: Array(rss.utf8), url: nil).first?.authors.first == "Desk")
        let atom = """
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://n.example/b"/>
            <author><name>Bea</name><email>b@n.example</email></author></entry></feed>
            """
        #expect(try FeedReader.items(in: Array(atom.utf8), url: nil).first?.authors.first == "Bea")
    }

    static func sitemap(_ xml: String) throws -> SitemapReader.Contents {
        try SitemapReader.read(try Document(xml: Array(xml.utf8), url: "https://news.example.org/sitemap.xml"))
    }

    @Test func readsAURLSetNewestFirstWithNewsTitlesAndDates() throws {
        let contents = try Self.sitemap(
            """
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
              xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
            <url><loc>https://news.example.org/old</loc><lastmod>2021-01-01</lastmod></url>
            <url><loc> /undated </loc></url>
            <url><loc>https://news.example.org/news</loc><news:news><news:publication_date>2022-04-14T08:30:00Z</news:publication_date>
              <news:title>Breaking</news:title></news:news></url>
            <url><loc>https://news.example.org/old</loc></url>
            </urlset>
            """)
        guard case .pages(let links) = contents else {
            Issue.record("not pages")
            return
        }
        #expect(
            links.map(\.link) == [
                "https://news.example.org/news", "https://news.example.org/old", "https://news.example.org/undated",
            ])
        #expect(links[0].title == "Breaking")
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-14T08:30:00Z")
    }

    @Test func readsAnIndexNewestSitemapFirst() throws {
        let contents = try Self.sitemap(
            """
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>/a.xml</loc><lastmod>2020-01-01</lastmod></sitemap>
            <sitemap><loc>/b.xml</loc><lastmod>2022-01-01</lastmod></sitemap>
            </sitemapindex>
            """)
        #expect(contents == .sitemaps(["https://news.example.org/b.xml", "https://news.example.org/a.xml"]))
    }

    @Test func anotherDocumentIsNotASitemap() {
        #expect(throws: SourceError.self) { try Self.sitemap("<rss version='2.0'/>") }
    }

    @Test func readsAGzipCompressedSitemapFile() throws {
        let xml = "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>/a.html</loc></url></urlset>"
        let compressed = try Tool.gzip(Array(xml.utf8))
        let url = "https://news.example.org/sitemap.xml.gz"
        #expect(
            try SitemapSource.contents(of: compressed, url: url)
                == .pages([Item(link: "https://news.example.org/a.html")]))

        let truncated = Array(compressed.dropLast(12))
        let error = try #require(throws: SourceError.self) { try SitemapSource.contents(of: truncated, url: url) }
        #expect(
            error.description == "\(url): a gzip-compressed sitemap that cannot be decompressed (truncated or corrupt)")
    }

    @Test func decompressionStopsAtItsLimit() throws {
        let zeros = try Tool.gzip(Array(repeating: 0x30, count: 1_000_000))
        #expect(zeros.count < 2_000)
        #expect(try Gzip.decompress(zeros, limit: 1_000_000).count == 1_000_000)
        #expect(throws: Gzip.Failure.tooLarge(limit: 999_999)) { try Gzip.decompress(zeros, limit: 999_999) }
        // And what the server compresses, the client reads back.
        let text = Array("<feed>\(String(repeating: "entry ", count: 500))</feed>".utf8)
        #expect(try Gzip.decompress(Array(try #require(Gzip.compress(Data(text)))), limit: 1 << 20) == text)
    }

    @Test func theExampleSitemapIndexIsFollowedToItsSitemaps() async throws {
        let work = try Repository.temporaryFolder()
        let config = try PipelineConfig.load(
            Repository.root.appendingPathComponent("Pipelines/example-sitemap.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let links = try #require(
            try await Runner(client: HTTPClient(), logger: Logger(label: "test")).discover([config], state: state)[0]
                .get().items)
        #expect(
            links.map { $0.link!.split(separator: "/").last! } == [
                "belarus-officers-letter.html", "cycle-lanes-vote.html", "battery-recycling-plant.html",
                "otters-return.html",
            ])
    }

    @Test func aFeedStartingToFollowAPageAnotherFeedFetchedStillGetsIt() async throws {
        let work = try Repository.temporaryFolder()
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let runner = Runner(client: HTTPClient(), logger: Logger(label: "test"))
        for name in ["example-feed", "example-json"] {
            var config = try PipelineConfig.load(Repository.root.appendingPathComponent("Pipelines/\(name).yml").path)
            config.output = work.appendingPathComponent("\(name).atom").path
            config.formats = [.atom]
            let report = try await runner.run(config, state: state)
            #expect(report.new == 2, "\(name)")
        }
    }
}

@Suite("Filters")
struct FilterTests {
    static func run(_ yaml: String, in work: URL) async throws -> (RunReport, [Entry]) {
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("f.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        return (report, try state.entries(feed: config.id))
    }

    @Test func includeAndExcludeRulesChooseTheEntries() async throws {
        let work = try Repository.temporaryFolder()
        let (_, entries) = try await Self.run(
            """
            title: Filtered
            source: {type: folder, url: \(Repository.exampleSite.appendingPathComponent("articles").path)}
            output: \(work.path)/f.atom
            filter:
              include: {body: "per cent|council"}
              exclude: {title: "^recycling", url: "cycle-lanes"}
            """, in: work)
        // Battery (excluded by title) and cycle lanes (by address) go; Belarus has neither word in its body.
        #expect(entries.map(\.title) == ["Otters return to every county as rivers recover, survey finds"])
    }

    @Test func oldEntriesAreLeftOut() async throws {
        let work = try Repository.temporaryFolder()
        let (report, entries) = try await Self.run(
            """
            title: Recent only
            source: {type: feed, url: \(Repository.exampleSite.appendingPathComponent("feed.xml").path)}
            output: \(work.path)/f.atom
            filter: {max_age: 30d}
            """, in: work)
        #expect(entries.isEmpty && report.discovered == 0)
    }

    @Test func theSameBodyUnderTwoAddressesIsOneEntry() async throws {
        let work = try Repository.temporaryFolder()
        let saved = work.appendingPathComponent("saved")
        try FileManager.default.createDirectory(at: saved, withIntermediateDirectories: true)
        // Two copies saved without their web address.
        let page = try String(
            contentsOf: Repository.exampleSite.appendingPathComponent("articles/belarus-officers-letter.html"),
            encoding: .utf8
        ).split(separator: "\n").filter { !$0.contains("rel=\"canonical\"") }.joined(separator: "\n")
        for name in ["a.html", "b.html"] {
            try page.write(to: saved.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let yaml = "title: Saved\nsource: {type: folder, url: \(saved.path)}\noutput: \(work.path)/f.atom\n"
        let (_, entries) = try await Self.run(yaml, in: work)
        #expect(entries.count == 1)
        let (_, kept) = try await Self.run(yaml + "filter: {dedupe: false}\n", in: try Repository.temporaryFolder())
        #expect(kept.count == 2)
    }

    @Test func aBodysFingerprintIgnoresCaseMarkupAndPunctuationInEveryScript() {
        let words = "Café RÉSUMÉ 2019 Ελλάδα ΑΘΗΝΑ 東京 Straße " + String(repeating: "Lorem IPSUM dolor ", count: 5)
        let one = BodyFingerprint.of("<p>\(words)</p>")
        #expect(one != nil)
        #expect(one == BodyFingerprint.of("<div><b>\(words.lowercased())</b>!!</div>"))
        #expect(one == BodyFingerprint.of(words.replacingOccurrences(of: " ", with: " — ")))
        #expect(one != BodyFingerprint.of("<p>\(words) more</p>"))
        #expect(one != BodyFingerprint.of("<p>\(words.replacingOccurrences(of: "ΑΘΗΝΑ", with: "ΑΘΗΝΕ"))</p>"))
        #expect(BodyFingerprint.of("<p>Too few words.</p>") == nil)
    }
}

@Suite("List pages")
struct ListPageTests {
    /// Three list pages chained by "Older" links, each with two teasers, as a news section's archive is.
    static func site() throws -> (LoopbackServer, URL) {
        let work = try Repository.temporaryFolder()
        try FileManager.default.copyItem(
            at: Repository.exampleSite.appendingPathComponent("articles"), to: work.appendingPathComponent("articles"))
        let stories = [
            ("belarus-officers-letter", "2022-04-14"), ("cycle-lanes-vote", "2022-04-12"),
            ("battery-recycling-plant", "2022-04-11"), ("otters-return", "2022-04-09"),
            ("belarus-officers-letter", "2022-04-08"), ("cycle-lanes-vote", "2022-04-07"),
        ]
        for page in 1...3 {
            let teasers = stories[(page - 1) * 2..<page * 2].map { name, date in
                """
                <article class="teaser"><h2 class="hed">Teaser for \(name)</h2>
                <a class="more" href="articles/\(name).html#top">Read</a>
                <span class="when" content="\(date)T06:00:00Z">\(date)</span><p class="dek">About \(name).</p></article>
                """
            }.joined(separator: "\n")
            let next = page < 3 ? "<nav><a rel=\"next\" href=\"list\(page + 1).html\">Older</a></nav>" : ""
            try "<html><body><main>\(teasers)</main>\(next)</body></html>"
                .write(to: work.appendingPathComponent("list\(page).html"), atomically: true, encoding: .utf8)
        }
        return (try LoopbackServer(serving: work), work)
    }

    @Test func followsNextLinksUpToThePageLimitAndReadsItemFields() async throws {
        let (server, work) = try Self.site()
        let yaml = """
            title: Archive
            source:
              url: \(server.baseURL)/list1.html
              links: "//article[contains(@class, 'teaser')]"
              next: "a[rel=next]"
              pages: 2
              title: h2.hed
              date: .when
              summary: p.dek
            output: \(work.path)/out.atom
            """
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("a.yml").path)
        let links = try #require(
            try await Runner(client: HTTPClient(), logger: Logger(label: "test")).discover([config])[0].get().items)
        #expect(
            links.map { $0.link!.replacingOccurrences(of: server.baseURL, with: "") } == [
                "/articles/belarus-officers-letter.html", "/articles/cycle-lanes-vote.html",
                "/articles/battery-recycling-plant.html", "/articles/otters-return.html",
            ])
        #expect(links[0].title == "Teaser for belarus-officers-letter")
        #expect(links[0].date.map(Timestamp.rfc3339) == "2022-04-14T06:00:00Z")
        #expect(links[3].summary == "About otters-return.")
        #expect(!server.received.contains { $0.path == "/list3.html" })
    }
}

@Suite("Front pages without feeds")
struct FrontPageTests {
    /// A news front page as CMSs write them: a menu, section fronts, a lead story, a list of stories, a
    /// sidebar of most-read links and a footer of site pages.
    static let frontPage = """
        <html><head><title>The Gazette</title></head><body>
        <header><nav class="main-menu"><a href="/">Home</a> <a href="/news/">News</a> <a href="/sport/">Sport</a>
        <a href="/news/local-news-and-views-from-every-town/">Local news and views from every town</a></nav></header>
        <main>
        <section class="lead"><h2><a href="/news/2022/11/14/harbour-board-opens-ferry-pier">Harbour board opens the old ferry pier to walkers</a></h2></section>
        <section class="stories">
        <article><h3><a href="/news/council-to-close-three-libraries-as-budget-cuts-bite">Council to close three libraries as budget cuts bite</a></h3>
        <a href="/tag/libraries/">Libraries and reading rooms</a></article>
        <article><h3><a href="/sport/article-1234567.ece">United win the derby in the last minute</a></h3></article>
        <article><h3><a href="https://elsewhere.example.net/a-story-on-another-site">A story on another site entirely</a></h3></article>
        <article><h3><a href="/news/council-to-close-three-libraries-as-budget-cuts-bite#comments">12 comments on the libraries story</a></h3></article>
        </section></main>
        <aside class="most-read"><a href="/news/man-fined-for-parking-on-his-own-drive">Man fined for parking on his own drive</a></aside>
        <footer><a href="/about-the-gazette-and-its-owners/">About the Gazette and its owners</a></footer>
        </body></html>
        """

    @Test func articleLinksAreFoundOutsideTheFurniture() throws {
        let document = try Document(html: Self.frontPage, url: "https://gazette.example.org/")
        let links = ListPage.articleLinks(in: document)
        #expect(
            links.map(\.link) == [
                "https://gazette.example.org/news/2022/11/14/harbour-board-opens-ferry-pier",
                "https://gazette.example.org/news/council-to-close-three-libraries-as-budget-cuts-bite",
                "https://gazette.example.org/sport/article-1234567.ece",
            ])
        #expect(links.first?.linkText == "Harbour board opens the old ferry pier to walkers")
    }
}

@Suite("Every source kind over HTTP")
struct SourcesOverHTTPTests {
    @Test func aSitesOwnAddressAsItsFeedReadsTheFeedItAdvertises() async throws {
        let server = try LoopbackServer(serving: Repository.exampleSite)
        let work = try Repository.temporaryFolder()
        let yaml =
            "title: By address\nsource: {type: feed, url: \"\(server.baseURL)/index.html\"}\noutput: \(work.path)/f.atom\n"
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("a.yml").path)
        let links = try #require(
            try await Runner(client: HTTPClient(), logger: Logger(label: "test")).discover([config])[0].get().items)
        // The first feed the page names (RSS), with its items' titles.
        #expect(
            links.map { $0.link!.replacingOccurrences(of: server.baseURL, with: "") } == [
                "/articles/battery-recycling-plant.html", "/articles/otters-return.html",
            ])
        #expect(server.received.map(\.path).contains("/feed.xml"))

        // A sitemap given as a feed (or with no type at all) is read as a sitemap.
        let sitemap = try PipelineConfig.parse(
            "title: Map\nsource: {url: \"\(server.baseURL)/sitemap.xml\"}\noutput: \(work.path)/m.atom\n",
            file: work.appendingPathComponent("m.yml").path)
        let mapped = try #require(
            try await Runner(client: HTTPClient(), logger: Logger(label: "test")).discover([sitemap])[0].get().items)
        #expect(mapped.count == 4)

        // A page that names no feed and links no article is still an error that says what it is.
        try "<html><body><p>Nothing here but a line of text.</p></body></html>"
            .write(to: work.appendingPathComponent("plain.html"), atomically: true, encoding: .utf8)
        let plain = try PipelineConfig.parse(
            "title: Plain\nsource: {url: plain.html}\noutput: \(work.path)/p.atom\n",
            file: work.appendingPathComponent("b.yml").path)
        let result = await Runner(client: HTTPClient(), logger: Logger(label: "test")).discover([plain])[0]
        guard case .failure(let error) = result else {
            Issue.record("a page without a feed was read as one")
            return
        }
        #expect(error.description.contains("not a feed (its root is <html>"))

        // A page with article links but no feed: the links are guessed, and the run says so.
        let story =
            "<li><a href=\"news/2024/05/harbour-ferry-timetable-changes\">Harbour ferry timetable changes for the summer</a></li>"
        try "<html><body><ul>\(story)</ul></body></html>".write(
            to: work.appendingPathComponent("front.html"), atomically: true, encoding: .utf8)
        let front = try PipelineConfig.parse(
            "title: Front\nsource: {url: front.html}\noutput: \(work.path)/g.atom\n",
            file: work.appendingPathComponent("g.yml").path)
        let guessed = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).discover([front])[0].get()
        #expect(
            guessed.warnings.contains { $0.contains("its article links are guessed") },
            "\(guessed.warnings) \(String(describing: guessed.items))")
    }

    @Test(arguments: [("feed", "feed.xml", 2), ("feed", "feed.json", 2), ("sitemap", "sitemap.xml", 4)])
    func readsTheExampleSiteFromALoopbackServer(type: String, file: String, count: Int) async throws {
        let server = try LoopbackServer(serving: Repository.exampleSite)
        let work = try Repository.temporaryFolder()
        let yaml =
            "title: Over HTTP\nsource: {type: \(type), url: \"\(server.baseURL)/\(file)\"}\noutput: \(work.path)/f.atom\n"
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("h.yml").path)
        let links = try #require(
            try await Runner(client: HTTPClient(), logger: Logger(label: "test")).discover([config])[0].get().items)
        #expect(links.count == count)
        #expect(links.allSatisfy { $0.link!.hasPrefix(server.baseURL + "/articles/") })
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(report.new == count && report.failures.isEmpty)
    }
}

/// A full-text feed (WordPress writes `content:encoded`) whose pages are not always readable: the item's own
/// body stands in, made safe like a page.
@Suite("A feed's own content")
struct FeedContentTests {
    static let paragraphs = [
        "The harbour board voted on Tuesday to open the old ferry pier to walkers from next spring.",
        "Engineers found the timber deck sound after a winter of tests, the board's report said.",
        "Residents had campaigned for four years to reopen the pier, closed since the storm of 2016.",
        "A café and a small museum of the ferry service are planned for the pier's landward end.",
    ]

    static func feed(_ base: String) -> String {
        func item(_ path: String, _ title: String) -> String {
            // Bodies differ, or the pipeline's deduplication would make the items one entry.
            let body =
                "<p>\(title) in brief.</p>" + paragraphs.map { "<p>\($0)</p>" }.joined()
                + "<script>alert(1)</script><p onclick=\"x()\">Pier photos.</p>"
            return "<item><title>\(title)</title><link>\(base)\(path)</link><description>A short teaser.</description>"
                + "<enclosure url=\"\(base)/pier.jpg\" length=\"1\" type=\"image/jpeg\"/>"
                + "<content:encoded><![CDATA[\(body)]]></content:encoded></item>"
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Harbour</title>
            \(item("/whole", "Whole page"))\(item("/gone", "Gone page"))\(item("/shell", "Shell page"))
            </channel></rss>
            """
    }

    static let wholePage = """
        <html><head><title>Whole page | Harbour</title></head><body><nav><a href="/">Home</a></nav>
        <article><h1>Whole page</h1>\(paragraphs.map { "<p>\($0) It was read from the page itself.</p>" }.joined())</article>
        </body></html>
        """
    /// A paywall: the first paragraph, then an offer.
    static let shellPage = """
        <html><head><title>Shell page, as the site titles it</title></head><body><article>
        <h1>Shell page, as the site titles it</h1><p>\(paragraphs[0])</p>
        <div class="paywall"><p>Subscribe to continue reading.</p></div></article></body></html>
        """

    @Test func standsInForPagesThatCannotBeReadOrYieldFarLess() async throws {
        let server = try LoopbackServer { request in
            switch request.path {
            case "/feed.xml": .init(status: 200, headers: ["Content-Type": "application/rss+xml"], body: [])
            case "/whole": .init(status: 200, headers: ["Content-Type": "text/html"], body: Array(Self.wholePage.utf8))
            case "/shell": .init(status: 200, headers: ["Content-Type": "text/html"], body: Array(Self.shellPage.utf8))
            default: .init(status: 404)
            }
        }
        // The feed names the server's own address, known only once it runs: serve it from a file.
        let work = try Repository.temporaryFolder()
        let feed = work.appendingPathComponent("feed.xml")
        try Self.feed(server.baseURL).write(to: feed, atomically: true, encoding: .utf8)
        let yaml =
            "title: Harbour\nsource: {type: feed, url: \"\(feed.absoluteString)\"}\noutput: \(work.path)/h.atom\n"
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("h.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let runner = Runner(client: HTTPClient(), logger: Logger(label: "test"))

        let report = try await runner.run(config, state: state)
        #expect(report.new == 3)
        #expect(report.failures.isEmpty, "\(report.failures)")
        let atom = try Document(xml: Array(try Data(contentsOf: work.appendingPathComponent("h.atom"))))
        let entries = try #require(atom.root).elementChildren.filter { $0.localName == "entry" }
        func entry(_ path: String) throws -> (title: String, content: String, image: String?) {
            let found = try #require(
                entries.first { entry in
                    entry.elementChildren.contains {
                        $0.localName == "link" && $0.attribute("href") == server.baseURL + path
                    }
                })
            let field = { (name: String) in found.elementChildren.first { $0.localName == name }?.text ?? "" }
            let image = found.elementChildren.first { $0.localName == "link" && $0.attribute("rel") == "enclosure" }
            return (field("title"), field("content"), image?.attribute("href"))
        }
        #expect(try entry("/whole").content.contains("It was read from the page itself."))
        for path in ["/gone", "/shell"] {
            let (_, content, image) = try entry(path)
            // Neither page names an image; the feed's stands in.
            #expect(image == server.baseURL + "/pier.jpg")
            #expect(
                content.contains(Self.paragraphs[3].replacingOccurrences(of: "'", with: "’"))
                    || content.contains(Self.paragraphs[3]), "\(path): \(content)")
            #expect(!content.contains("Subscribe") && !content.contains("<script") && !content.contains("onclick"))
        }
        // The feed's titles are the author's choice, whatever the pages call themselves.
        #expect(try entry("/shell").title == "Shell page")
        #expect(try entry("/gone").title == "Gone page")

        // The page that could not be fetched is tried again next run; the others are fetched recently.
        let before = server.received.count
        _ = try await runner.run(config, state: state)
        #expect(server.received.dropFirst(before).map(\.path) == ["/gone"])
        withExtendedLifetime(atom) {}
    }
}

@Suite("Links")
struct LinkTests {
    @Test func trackingParametersAreDroppedAndTheDuplicatesTheyHidWithThem() {
        let links = Item.merged([
            Item(link: "https://news.example.org/a?id=3&utm_source=rss&utm_medium=feed#top"),
            Item(link: "https://news.example.org/b?utm_campaign=daily&fbclid=IwAR0x"),
            Item(link: "https://news.example.org/a?id=3#top"),
            Item(link: "https://news.example.org/c?q=a%20b+c&page=2"),
        ])
        #expect(
            links.map(\.link) == [
                "https://news.example.org/a?id=3#top", "https://news.example.org/b",
                "https://news.example.org/c?q=a%20b+c&page=2",
            ])
    }
}
