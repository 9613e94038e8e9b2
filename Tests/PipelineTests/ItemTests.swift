import Feed
import Fetch
import Foundation
import Logging
import Markup
import State
import TestSupport
import Testing

@testable import Pipeline

/// Items, not links: what the sources give becomes the entry, and a page is fetched only when the pipeline
/// asks for it. Each test here failed before items existed (see the note above each).
@Suite("Items")
struct ItemTests {
    static let html = ["Content-Type": "text/html; charset=utf-8"]

    /// A list page whose rows carry every field, two of them with no link at all.
    static let list = """
        <html><head><title>Releases</title></head><body><ul class="rows">
        <li class="row"><h3><a class="go" href="/a/1">Read more</a></h3><span class="t">Harbour opens pier</span>
          <time datetime="2026-11-02T09:00:00Z">2 Nov</time><span class="by">Ann Lee</span>
          <p class="sum">The old ferry pier opens to walkers.</p><img src="/img/pier.jpg" alt="">
          <a class="tag" href="/t/harbour">Harbour</a><a class="tag" href="/t/walks">Walks</a></li>
        <li class="row"><span class="t">Release 2.0 (no page)</span><p class="sum">First of the new line.</p></li>
        <li class="row" id="r21"><span class="t">Release 2.1 (no page)</span><p class="sum">Fixes the parser.</p>
          <div class="body"><p>Fixes the <b>parser</b>.</p><script>alert(1)</script></div></li>
        <li class="row"><h3><a class="go" href="/a/3">Read more</a></h3><span class="t">Council votes on lanes</span>
          <time datetime="2026-11-01T09:00:00Z">1 Nov</time><p class="sum">Pop-up lanes stay.</p>
          <a class="tag" href="/t/council">Council</a></li>
        </ul></body></html>
        """

    static func page(_ title: String) -> [UInt8] {
        let sentence = "The page of \(title) says more than its row does, sentence after sentence. "
        return Array(
            """
            <html lang="en"><head><title>\(title)</title></head><body><article><h1>\(title)</h1>
            <p>\(String(repeating: sentence, count: 12))</p></article></body></html>
            """.utf8)
    }

    static func server(extra: [String: (String, [UInt8])] = [:]) throws -> LoopbackServer {
        try LoopbackServer { request in
            if let (type, body) = extra[request.path] {
                return .init(status: 200, headers: ["Content-Type": type], body: body)
            }
            switch request.path {
            case "/list.html": return .init(status: 200, headers: Self.html, body: Array(Self.list.utf8))
            case "/a/1": return .init(status: 200, headers: Self.html, body: Self.page("Pier page"))
            case "/a/3": return .init(status: 200, headers: Self.html, body: Self.page("Lanes page"))
            default: return .init(status: 404)
            }
        }
    }

    static let rows = """
        items: li.row
        link: a.go
        title: .t
        date: time
        author: .by
        summary: .sum
        content: .body
        image: img
        categories: a.tag
        """

    static func config(_ work: URL, _ yaml: String, name: String = "p") throws -> PipelineConfig {
        try PipelineConfig.parse(
            yaml + "\noutput: \(work.path)/\(name).atom\nformats: [atom, rss, json]\n",
            file: work.appendingPathComponent("\(name).yml").path)
    }

    static func listSource(_ server: LoopbackServer) -> String {
        "source:\n  url: \(server.baseURL)/list.html\n"
            + rows.split(separator: "\n").map { "  " + $0 }.joined(
                separator: "\n")
    }

    static func runner() -> Runner { Runner(client: HTTPClient(), logger: Logger(label: "test")) }

    /// The paths a server was asked for, robots.txt aside.
    static func paths(_ server: LoopbackServer, after count: Int = 0) -> [String] {
        server.received.dropFirst(count).map(\.path).filter { $0 != "/robots.txt" }
    }

    /// Before: every link's page was fetched, rows without a link were dropped, and the list's fields only
    /// stood in for what a page lacked.
    @Test func aListPageWithArticleNoneMakesOneRequestAndAnEntryOfEveryRow() async throws {
        let server = try Self.server()
        let work = try Repository.temporaryFolder()
        let config = try Self.config(work, "title: Rows\narticle: none\n" + Self.listSource(server))
        let state = MemoryStore()
        let report = try await Self.runner().run(config, state: state)
        #expect(Self.paths(server) == ["/list.html"])
        #expect(report.new == 4 && report.failures.isEmpty, "\(report)")
        let entries = state.entries(feed: config.id)
        let pier = try #require(entries.first { $0.link == server.baseURL + "/a/1" })
        #expect(pier.title == "Harbour opens pier" && pier.author == "Ann Lee")
        #expect(pier.published.map(Timestamp.rfc3339) == "2026-11-02T09:00:00Z")
        #expect(pier.summary == "The old ferry pier opens to walkers.")
        #expect(pier.image == server.baseURL + "/img/pier.jpg")
        #expect(pier.categories == ["Harbour", "Walks"])
        let release = try #require(entries.first { $0.title == "Release 2.1 (no page)" })
        // A row with no link of its own links to the list page (to its anchor when it has an id).
        #expect(release.link == server.baseURL + "/list.html#r21")
        #expect(release.content == "<p>Fixes the <b>parser</b>.</p>")
        // Undated entries are dated when first seen (this run), and keep their order on the source.
        #expect(
            entries.map(\.title) == [
                "Release 2.0 (no page)", "Release 2.1 (no page)", "Harbour opens pier", "Council votes on lanes",
            ])
        let atom = try String(contentsOfFile: config.output, encoding: .utf8)
        #expect(atom.contains("<category term=\"Walks\"/>"))
        Repository.keepFeed(URL(fileURLWithPath: config.output), as: "item-rows.atom")
        Repository.keepFeed(URL(fileURLWithPath: config.path(for: .rss)), as: "item-rows.rss")
        Repository.keepFeed(URL(fileURLWithPath: config.path(for: .json)), as: "item-rows.json")
    }

    /// Before: a list page's `summary:` and the row's title were ignored whenever the page existed.
    @Test func withArticleFetchThePageGivesTheBodyAndTheRowKeepsItsTitleAndSummary() async throws {
        let server = try Self.server()
        let work = try Repository.temporaryFolder()
        let config = try Self.config(work, "title: Rows\n" + Self.listSource(server))
        let state = MemoryStore()
        let report = try await Self.runner().run(config, state: state)
        #expect(Set(Self.paths(server)) == ["/list.html", "/a/1", "/a/3"])
        #expect(report.new == 4, "\(report)")
        let pier = try #require(state.entries(feed: config.id).first { $0.link == server.baseURL + "/a/1" })
        #expect(pier.title == "Harbour opens pier" && pier.summary == "The old ferry pier opens to walkers.")
        #expect(pier.content?.contains("says more than its row does") == true)
    }

    @Test func articleMissingReadsOnlyThePagesOfItemsWithoutContent() async throws {
        let server = try Self.server()
        let work = try Repository.temporaryFolder()
        var yaml = "title: Rows\narticle: missing\n" + Self.listSource(server)
        yaml = yaml.replacingOccurrences(of: "content: .body", with: "content: .sum")
        let config = try Self.config(work, yaml)
        let report = try await Self.runner().run(config, state: MemoryStore())
        #expect(Self.paths(server) == ["/list.html"])
        #expect(report.new == 4)
        let bare = try Self.config(work, "title: Rows\narticle: missing\n" + Self.listSource(server), name: "q")
        let before = server.received.count
        _ = try await Self.runner().run(bare, state: MemoryStore())
        #expect(Set(Self.paths(server, after: before)) == ["/list.html", "/a/1", "/a/3"])
    }

    /// Before: filters matched the fetched page's title, `max_entries` capped links before the filters (3
    /// fetched, 1 entry), and an item a filter dropped never came back once the filter was loosened.
    @Test func filtersRunOnTheItemsBeforeAnyFetchAndForgetWhatTheyDropped() async throws {
        let server = try Self.server()
        let work = try Repository.temporaryFolder()
        let source = Self.listSource(server)
        let strict = try Self.config(
            work, "title: Rows\nmax_entries: 1\nfilter: {include: {title: council}}\n" + source, name: "f")
        let state = MemoryStore()
        let first = try await Self.runner().run(strict, state: state)
        // The row titled "Council votes on lanes" is chosen by its own title (its page says "Lanes page"),
        // and the pier's page is never requested.
        #expect(first.new == 1 && state.entries(feed: strict.id).map(\.title) == ["Council votes on lanes"])
        #expect(!server.received.contains { $0.path == "/a/1" })
        // Loosened: the items it dropped come back on the next run.
        let loose = try Self.config(work, "title: Rows\nmax_entries: 4\n" + source, name: "f")
        let second = try await Self.runner().run(loose, state: state)
        #expect(second.new == 3, "\(second)")
        #expect(state.entries(feed: loose.id).count == 4)
        #expect(server.received.contains { $0.path == "/a/1" })
    }

    /// Before: one pipeline took one source. Now several merge, de-duplicated by link, and a failing one is
    /// reported on its own while the others publish.
    @Test func severalSourcesMergeAndAFailingOneIsReportedAlone() async throws {
        let feed = """
            <?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
            <item><title>Pier, from the wire</title><link>/a/1?utm_source=rss</link></item>
            <item><title>Wire only</title><guid isPermaLink="false">wire-7</guid><description>A wire story.</description></item>
            </channel></rss>
            """
        let server = try Self.server(extra: ["/wire.xml": ("application/rss+xml", Array(feed.utf8))])
        let work = try Repository.temporaryFolder()
        let list = Self.rows.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        let yaml = """
            title: Merged
            article: none
            sources:
              - url: \(server.baseURL)/list.html
            \(list)
              - url: \(server.baseURL)/wire.xml
              - url: \(server.baseURL)/gone.xml
            """
        let config = try Self.config(work, yaml)
        let state = MemoryStore()
        let report = try await Self.runner().run(config, state: state)
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.description.contains("/gone.xml") == true)
        let titles = state.entries(feed: config.id).map(\.title)
        // The pier is the list's (first source) and the wire's copy of it is a duplicate.
        #expect(titles.contains("Harbour opens pier") && !titles.contains("Pier, from the wire"))
        #expect(titles.contains("Wire only") && titles.count == 5, "\(titles)")
        #expect(FileManager.default.fileExists(atPath: config.output))
    }

    static let podcast = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
          xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Harbour Hour</title>
        <link>https://pod.example/</link><description>A podcast</description><language>en-gb</language>
        <item><title>Episode 2: Tides</title><link>https://pod.example/ep/2</link><guid>https://pod.example/ep/2</guid>
          <pubDate>Tue, 03 Nov 2026 06:00:00 GMT</pubDate><category>Science</category><category>Sea</category>
          <description>&lt;p&gt;Why the tide turns.&lt;/p&gt;</description>
          <enclosure url="https://cdn.pod.example/ep2.mp3" length="24986239" type="audio/mpeg"/>
          <itunes:duration>41:30</itunes:duration></item>
        <item><title>Episode 1: Piers</title><link>https://pod.example/ep/1</link>
          <pubDate>Tue, 27 Oct 2026 06:00:00 GMT</pubDate><category>History</category>
          <description>Old piers.</description>
          <media:content url="https://cdn.pod.example/ep1.m4a" type="audio/mp4" fileSize="1200" duration="95"/></item>
        </channel></rss>
        """

    static let atomWithCategories = """
        <feed xmlns="http://www.w3.org/2005/Atom"><title>Notes</title><id>urn:notes</id>
        <updated>2026-11-03T00:00:00Z</updated>
        <entry><title>Note one</title><id>urn:note:1</id><link href="https://notes.example/1"/>
          <updated>2026-11-03T00:00:00Z</updated><category term="swift" label="Swift"/><category term="feeds"/>
          <link rel="enclosure" type="application/pdf" length="300" href="https://notes.example/1.pdf"/>
          <content type="html">&lt;p&gt;A note with a paper.&lt;/p&gt;</content></entry>
        </feed>
        """

    /// Before: a podcast passed through lost its audio, and categories were dropped everywhere.
    @Test func aPodcastAndAnAtomFeedPassThroughWithEnclosuresAndCategoriesInEveryFormat() async throws {
        let server = try Self.server(extra: [
            "/pod.xml": ("application/rss+xml", Array(Self.podcast.utf8)),
            "/notes.atom": ("application/atom+xml", Array(Self.atomWithCategories.utf8)),
        ])
        let work = try Repository.temporaryFolder()
        for (name, path) in [("pod", "/pod.xml"), ("notes", "/notes.atom")] {
            let config = try Self.config(
                work, "title: \(name)\narticle: none\nsource: {url: \"\(server.baseURL)\(path)\"}", name: name)
            let report = try await Self.runner().run(config, state: MemoryStore())
            #expect(report.failures.isEmpty, "\(report.failures)")
            for format in FeedFormat.allCases {
                let file = URL(fileURLWithPath: config.path(for: format))
                Repository.keepFeed(file, as: "item-\(name).\(format.fileExtension)")
            }
        }
        // Read back by feedpipe's own feed reader, as any reader would: every format carries the files.
        for format in FeedFormat.allCases {
            let pod = try Data(contentsOf: work.appendingPathComponent("pod.\(format.fileExtension)"))
            let items = try FeedReader.items(in: Array(pod), url: nil)
            let tides = try #require(items.first { $0.title == "Episode 2: Tides" }, "\(format)")
            #expect(tides.enclosures.first?.url == "https://cdn.pod.example/ep2.mp3", "\(format)")
            #expect(tides.enclosures.first?.type == "audio/mpeg" && tides.enclosures.first?.length == 24_986_239)
            #expect(tides.categories == ["Science", "Sea"], "\(format)")
            if format != .atom { #expect(tides.enclosures.first?.duration == 2490, "\(format)") }
            let piers = try #require(items.first { $0.title == "Episode 1: Piers" })
            #expect(piers.enclosures.first?.url == "https://cdn.pod.example/ep1.m4a", "\(format)")

            let notes = try Data(contentsOf: work.appendingPathComponent("notes.\(format.fileExtension)"))
            let note = try #require(try FeedReader.items(in: Array(notes), url: nil).first)
            #expect(note.categories == ["Swift", "feeds"], "\(format)")
            #expect(note.enclosures.map(\.url) == ["https://notes.example/1.pdf"], "\(format)")
        }
    }

    /// Before: an episode page's `<audio>` gave no enclosure.
    @Test func anAudioPageGivesAnEnclosure() async throws {
        let episode = """
            <html lang="en"><head><title>Episode 3</title>
            <meta property="og:audio" content="https://cdn.pod.example/ep3-og.mp3"></head><body><article>
            <h1>Episode 3: Gulls</h1><audio controls><source src="/media/ep3.ogg" type="audio/ogg"></audio>
            <p>\(String(repeating: "Gulls nest on the harbour wall, and the keepers count them each spring. ", count: 10))</p>
            </article></body></html>
            """
        let listing = "<html><body><a class=\"ep\" href=\"/ep3\">Episode 3</a></body></html>"
        let server = try Self.server(extra: [
            "/ep3": ("text/html", Array(episode.utf8)), "/eps.html": ("text/html", Array(listing.utf8)),
        ])
        let work = try Repository.temporaryFolder()
        let config = try Self.config(work, "title: Pod\nsource: {url: \"\(server.baseURL)/eps.html\", items: a.ep}")
        let state = MemoryStore()
        let report = try await Self.runner().run(config, state: state)
        #expect(report.failures.isEmpty, "\(report.failures)")
        let entry = try #require(state.entries(feed: config.id).first)
        #expect(
            entry.enclosures == [
                Enclosure(url: server.baseURL + "/media/ep3.ogg", type: "audio/ogg"),
                Enclosure(url: "https://cdn.pod.example/ep3-og.mp3"),
            ])
        let rss = try String(contentsOfFile: config.path(for: .rss), encoding: .utf8)
        #expect(rss.contains("<enclosure url=\"\(server.baseURL)/media/ep3.ogg\" length=\"0\" type=\"audio/ogg\"/>"))
    }

    /// Before: a date a list page wrote its own way was dropped without a word.
    @Test func listDatesAreReadByTheirFormatAndAnUnreadableOneIsAWarning() async throws {
        let page = """
            <html><body><div class="n"><a href="/a/1">One</a><span class="d">03.11.2026 14:30</span></div>
            <div class="n"><a href="/a/3">Two</a><span class="d">someday</span></div></body></html>
            """
        let server = try Self.server(extra: ["/dated.html": ("text/html", Array(page.utf8))])
        let work = try Repository.temporaryFolder()
        let yaml = """
            title: Dated
            article: none
            source:
              url: \(server.baseURL)/dated.html
              items: div.n
              date: .d
              date_format: d.m.Y H:i
              timezone: Europe/Berlin
            """
        let config = try Self.config(work, yaml)
        let state = MemoryStore()
        let report = try await Self.runner().run(config, state: state)
        let one = try #require(state.entries(feed: config.id).first { $0.title == "One" })
        #expect(one.published.map(Timestamp.rfc3339) == "2026-11-03T13:30:00Z")
        #expect(report.warnings.contains { $0.contains("1 date could not be read, the first 'someday'") }, "\(report)")
    }

    @Test func rewriteStepsFromThePipelineFileChangeLinksBeforeFetchingAndEntriesAfter() async throws {
        let server = try Self.server()
        let work = try Repository.temporaryFolder()
        let yaml =
            "title: Rows\nmax_entries: 1\n" + Self.listSource(server) + """

                rewrite:
                  - field: link
                    replace: "/a/1$"
                    with: "/a/3"
                  - field: title
                    template: "{title} ({author})"
                  - field: title
                    trim_prefix: "Harbour "
                """
        let config = try Self.config(work, yaml)
        let state = MemoryStore()
        _ = try await Self.runner().run(config, state: state)
        // The pier's row now links to the lanes page, which is the page fetched.
        #expect(Self.paths(server).contains("/a/3") && !Self.paths(server).contains("/a/1"))
        #expect(state.entries(feed: config.id).map(\.title) == ["opens pier (Ann Lee)"])
        let hanging = yaml.replacingOccurrences(of: "\"/a/1$\"", with: "\"(a+)+$\"")
        #expect {
            try Self.config(work, hanging)
        } throws: { error in
            "\(error)".contains("p.yml:") && "\(error)".contains("exponential time")
        }
    }

    /// Recipes read values from attributes (html2rss's `extractor: attribute`): `selector@attribute`, and `.`
    /// for the row itself.
    @Test func aFieldMayBeReadFromAnAttribute() async throws {
        let page = """
            <html><body>
            <div class="card" data-href="/a/1" data-ts="1762160400"><img class="pic" data-full="/img/1-big.jpg" src="x.gif">
              <span class="t" title="Harbour pier reopens to walkers">Pier</span><i class="tag" data-name="Harbour"></i></div>
            <div class="card" data-href="/a/3" data-ts="soon"><span class="t" title="Council votes on lanes">Lanes</span></div>
            </body></html>
            """
        let server = try Self.server(extra: ["/cards.html": ("text/html", Array(page.utf8))])
        let work = try Repository.temporaryFolder()
        let yaml = """
            title: Cards
            article: none
            source:
              url: \(server.baseURL)/cards.html
              items: div.card
              link: ".@data-href"
              title: "span.t@title"
              date: ".@data-ts"
              image: "img.pic@data-full"
              categories: "i.tag@data-name"
            """
        let config = try Self.config(work, yaml)
        let state = MemoryStore()
        let report = try await Self.runner().run(config, state: state)
        let pier = try #require(state.entries(feed: config.id).first { $0.link == server.baseURL + "/a/1" })
        #expect(pier.title == "Harbour pier reopens to walkers")
        #expect(pier.published.map(Timestamp.rfc3339) == "2025-11-03T09:00:00Z")
        #expect(pier.image == server.baseURL + "/img/1-big.jpg" && pier.categories == ["Harbour"])
        #expect(report.warnings.contains { $0.contains("the first 'soon'") }, "\(report.warnings)")
    }

    /// Month names in the page's own language are read without a `date_format` (they were dropped).
    @Test func monthNamesAreReadInThePagesLanguage() async throws {
        let german = """
            <html lang="de"><body><div class="n"><a href="/a/1">Eins</a><span class="d">3. März 2026</span></div>
            <div class="n"><a href="/a/3">Zwei</a><span class="d">Dienstag, 5. Mai 2026</span></div></body></html>
            """
        let spanish = """
            <html lang="es-ES"><body><div class="n"><a href="/a/1">Uno</a><span class="d">5 de mayo de 2026</span></div>
            </body></html>
            """
        let server = try Self.server(extra: [
            "/de.html": ("text/html", Array(german.utf8)), "/es.html": ("text/html", Array(spanish.utf8)),
        ])
        let work = try Repository.temporaryFolder()
        var dates: [String: String] = [:]
        for name in ["de", "es"] {
            let yaml = """
                title: \(name)
                article: none
                source: {url: "\(server.baseURL)/\(name).html", items: div.n, date: .d}
                """
            let config = try Self.config(work, yaml, name: name)
            let state = MemoryStore()
            let report = try await Self.runner().run(config, state: state)
            #expect(report.warnings.isEmpty, "\(report.warnings)")
            for entry in state.entries(feed: config.id) {
                dates[entry.title] = entry.published.map(Timestamp.rfc3339)
            }
        }
        #expect(dates["Eins"] == "2026-03-03T00:00:00Z")
        #expect(dates["Zwei"] == "2026-05-05T00:00:00Z")
        #expect(dates["Uno"] == "2026-05-05T00:00:00Z")
    }
}
