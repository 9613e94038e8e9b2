import CSQLite
import Foundation
import Markup
import TestSupport
import Testing

/// `feedpipe serve` over the feeds of the bundled example, seen by a raw HTTP client, by newsboat (a real
/// feed reader) and by headless Chromium.
@Suite("feedpipe serve")
struct ServeTests {
    /// A working copy whose `Feeds/` holds the example feeds in every format, written by `feedpipe run`.
    static let feeds: URL = {
        let folder = try! CommandLineTests.workingCopy()
        let output = try! CommandLineTests.run(["run"], in: folder)
        precondition(output.status == 0, "feedpipe run failed: \(output.stderr)")
        return folder.appendingPathComponent("Feeds")
    }()

    /// Runs `feedpipe serve` on a free port for the duration of `body`.
    static func withServer<T>(_ arguments: [String] = [], folder: URL = feeds, _ body: (Int) throws -> T) throws -> T {
        try withServe(["--folder", folder.path] + arguments, body)
    }

    /// Runs `feedpipe serve ARGUMENTS` on a free port, in `folder` when one is given, until `body` is done.
    static func withServe<T>(_ arguments: [String], in folder: URL? = nil, _ body: (Int) throws -> T) throws -> T {
        let port = RawHTTP.freePort()
        let process = try CommandLineTests.launch(["serve", "--port", String(port)] + arguments, in: folder)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(20)
        while RawHTTP.request(port: port, method: "HEAD", path: "/") == nil {
            guard Date() < deadline else { throw POSIXError(.ETIMEDOUT) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try body(port)
    }

    @Test func servesEachFormatWithItsMediaType() throws {
        try Self.withServer { port in
            let expected = [
                "/example.atom": "application/atom+xml; charset=utf-8",
                "/example-feed.rss": "application/rss+xml; charset=utf-8",
                "/example-feed.json": "application/feed+json; charset=utf-8",
                "/index.opml": "text/x-opml; charset=utf-8", "/": "text/html; charset=utf-8",
            ]
            for (path, type) in expected {
                let answer = try #require(RawHTTP.request(port: port, path: path, headers: ["Accept": "*/*"]))
                #expect(answer.status == 200, "\(path)")
                #expect(answer.headers["content-type"] == type, "\(path)")
            }
            let disk = try Data(contentsOf: Self.feeds.appendingPathComponent("example.atom"))
            #expect(RawHTTP.request(port: port, path: "/example.atom")?.body == Array(disk))
        }
    }

    @Test func answersValidatorsWith304() throws {
        try Self.withServer { port in
            let first = try #require(RawHTTP.request(port: port, path: "/example.atom"))
            let tag = try #require(first.headers["etag"])
            let modified = try #require(first.headers["last-modified"])
            let byTag = RawHTTP.request(port: port, path: "/example.atom", headers: ["If-None-Match": tag])
            #expect(byTag?.status == 304)
            #expect(byTag?.body.isEmpty == true)
            let byDate = RawHTTP.request(port: port, path: "/example.atom", headers: ["If-Modified-Since": modified])
            #expect(byDate?.status == 304)
            let stale = RawHTTP.request(port: port, path: "/example.atom", headers: ["If-None-Match": "\"other\""])
            #expect(stale?.status == 200)
        }
    }

    @Test func compressesForClientsThatAcceptGzip() throws {
        try Self.withServer { port in
            let plain = try #require(RawHTTP.request(port: port, path: "/example.atom"))
            let zipped = try #require(
                RawHTTP.request(port: port, path: "/example.atom", headers: ["Accept-Encoding": "gzip"]))
            #expect(zipped.headers["content-encoding"] == "gzip")
            #expect(zipped.body.starts(with: [0x1F, 0x8B]))
            #expect(zipped.body.count < plain.body.count / 2)
            #expect(zipped.headers["etag"] != plain.headers["etag"])
            #expect(plain.headers["content-encoding"] == nil)
        }
    }

    /// `/metrics` counts requests by kind and status (never by path), their latency, and the compressed
    /// variants asked for against those made: the second gzip request is answered from the cache.
    @Test func exposesPrometheusMetrics() throws {
        try Self.withServer { port in
            for _ in 0..<2 {
                _ = RawHTTP.request(port: port, path: "/example.atom", headers: ["Accept-Encoding": "gzip"])
            }
            _ = RawHTTP.request(port: port, path: "/missing.atom")
            let answer = try #require(RawHTTP.request(port: port, path: "/metrics"))
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(decoding: answer.body, as: UTF8.self)
            let lines = text.split(separator: "\n").map(String.init)
            func value(_ prefix: String) -> Double? {
                lines.first { $0.hasPrefix(prefix + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            #expect(value(#"feedpipe_serve_requests_total{kind="feed",status="200"}"#) == 2)
            #expect(value(#"feedpipe_serve_requests_total{kind="feed",status="404"}"#) == 1)
            #expect(value("feedpipe_serve_variants_requested_total") == 2)
            #expect(value("feedpipe_serve_variants_made_total") == 1)
            #expect(text.contains(#"feedpipe_serve_request_duration_seconds_bucket{kind="feed",le="+Inf"} 3"#))
            #expect(!text.contains("example.atom"))
        }
    }

    @Test(arguments: [
        "/../Package.swift", "/%2e%2e/Package.swift", "/..%2fPackage.swift", "/.%2e/.%2e/etc/passwd",
        "//etc/passwd", "/.lock", "/missing.atom", "/Feeds/../../Package.swift",
    ])
    func servesNothingOutsideTheFolder(path: String) throws {
        try Self.withServer { port in
            let answer = try #require(RawHTTP.request(port: port, path: path))
            #expect(answer.status == 404 || answer.status == 400)
            #expect(!String(decoding: answer.body, as: UTF8.self).contains("PackageDescription"))
        }
    }

    /// The entries of the example Atom feed: title, link and the start of the content.
    static func atomEntries(of name: String = "example.atom") throws -> [(title: String, link: String, content: String)]
    {
        let document = try Document(xml: Array(try Data(contentsOf: feeds.appendingPathComponent(name))))
        return (document.root?.xpath("//*[local-name()='entry']") ?? []).map { entry in
            func child(_ name: String) -> Node? { entry.elementChildren.first { $0.localName == name } }
            let link = entry.elementChildren.first { $0.localName == "link" && $0.attribute("rel") == "alternate" }
            return (child("title")?.text ?? "", link?.attribute("href") ?? "", child("content")?.text ?? "")
        }
    }

    @Test(.enabled(if: Tool.find("newsboat") != nil, "newsboat is not installed (Debian package newsboat)"))
    func newsboatReadsEveryEntry() throws {
        let work = try Repository.temporaryFolder()
        let entries = try Self.atomEntries()
        #expect(entries.count >= 4)
        try Self.withServer { port in
            let urls = work.appendingPathComponent("urls")
            let config = work.appendingPathComponent("config")
            try "http://127.0.0.1:\(port)/example.atom\n".write(to: urls, atomically: true, encoding: .utf8)
            try "".write(to: config, atomically: true, encoding: .utf8)
            let cache = work.appendingPathComponent("cache.db")
            let status = try Tool.run(
                Tool.find("newsboat")!, ["-u", urls.path, "-c", cache.path, "-C", config.path, "-x", "reload"],
                environment: ["HOME": work.path], timeout: 60)
            #expect(status == 0)
            let rows = try sqliteRows(path: cache.path, query: "SELECT title, url, content FROM rss_item")
            #expect(rows.count == entries.count)
            for entry in entries {
                let row = rows.first { $0[1] == entry.link }
                #expect(row?[0] == entry.title, "title of \(entry.link)")
                #expect(row?[2] == entry.content, "content of \(entry.link)")
            }
        }
    }

    /// A podcast passed through (`Pipelines/example-podcast.yml`) is one to a podcast reader: newsboat lists
    /// each episode's audio file with its type, from the RSS and from the Atom file alike (before, the audio was
    /// lost on the way through).
    @Test(.enabled(if: Tool.find("newsboat") != nil, "newsboat is not installed (Debian package newsboat)"))
    func newsboatListsThePodcastsEpisodesWithTheirAudio() throws {
        let work = try Repository.temporaryFolder()
        try Self.withServer { port in
            // One feed at a time: the RSS and Atom files name their items by the same ids.
            for format in ["rss", "atom"] {
                let urls = work.appendingPathComponent("urls-\(format)")
                let config = work.appendingPathComponent("config")
                try "http://127.0.0.1:\(port)/example-podcast.\(format)\n".write(
                    to: urls, atomically: true, encoding: .utf8)
                try "".write(to: config, atomically: true, encoding: .utf8)
                let cache = work.appendingPathComponent("cache-\(format).db")
                let status = try Tool.run(
                    Tool.find("newsboat")!, ["-u", urls.path, "-c", cache.path, "-C", config.path, "-x", "reload"],
                    environment: ["HOME": work.path], timeout: 60)
                #expect(status == 0)
                let episodes = try sqliteRows(
                    path: cache.path, query: "SELECT title, enclosure_url, enclosure_type FROM rss_item")
                #expect(episodes.count == 2, "\(format): \(episodes)")
                let twelve = episodes.first { $0[0]?.hasPrefix("Episode 12") == true }
                #expect(twelve?[1] == "https://ledger.example.org/audio/weekly-12.mp3", "\(format)")
                #expect(twelve?[2] == "audio/mpeg", "\(format)")
            }
        }
    }

    @Test(.enabled(if: Tool.find("chromium") != nil, "skipped: Chromium is not installed (Debian package chromium)"))
    func chromiumShowsTheFeedListAndEachFeedAsAPage() throws {
        let entries = try Self.atomEntries()
        try Self.withServer { port in
            let index = try Tool.dumpDOM("http://127.0.0.1:\(port)/")
            #expect(index.contains("The Daily Ledger (example)"))
            #expect(index.contains("The Daily Ledger (full text from its RSS summaries)"))
            #expect(index.contains("href=\"example-feed.json\""))
            // Per feed: its entries and its last run.
            #expect(index.contains("4 entries · last run"), "\(index.prefix(2000))")
            // The pipeline that writes every format: each is shown as the same page, naming all three.
            let everyFormat = try Self.atomEntries(of: "example-feed.atom")
            #expect(everyFormat.count == 2)
            for name in ["example.atom", "example-feed.atom", "example-feed.rss", "example-feed.json"] {
                let feed = try Tool.dumpDOM("http://127.0.0.1:\(port)/\(name)")
                // A page drawn by feedpipe, not the feed's XML shown as text, and no XSLT involved.
                #expect(feed.contains("<h1>The Daily Ledger"), "\(name): \(feed.prefix(600))")
                #expect(!feed.contains("&lt;feed") && !feed.contains("&lt;rss") && !feed.contains("\"version\""))
                let stem = name.split(separator: ".")[0]
                #expect(feed.contains("value=\"http://127.0.0.1:\(port)/\(stem).atom\""))
                if stem == "example-feed" {
                    #expect(feed.contains("value=\"http://127.0.0.1:\(port)/example-feed.json\""))
                }
                for entry in stem == "example" ? entries : everyFormat {
                    let escaped = entry.title.replacingOccurrences(of: "&", with: "&amp;")
                    #expect(feed.contains(">\(escaped)</a>"), "\(name): \(entry.title)")
                }
            }
            // What the README shows: the feed as a browser draws it.
            let shot = try Tool.screenshot("http://127.0.0.1:\(port)/example.atom")
            #expect(shot.count > 10_000 && shot.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            if let folder = ProcessInfo.processInfo.environment["FEEDPIPE_SCREENSHOTS"] {
                try shot.write(to: URL(fileURLWithPath: folder).appendingPathComponent("browser-view.png"))
            }
        }
    }

    /// `serve --pipelines`: what `check` prints, in the browser — the links the source offers and the first
    /// article as extracted.
    @Test(.enabled(if: Tool.find("chromium") != nil, "skipped: Chromium is not installed (Debian package chromium)"))
    func chromiumShowsAPipelinesPreview() throws {
        let pipelines = Self.feeds.deletingLastPathComponent().appendingPathComponent("Pipelines")
        try Self.withServer(["--pipelines", pipelines.path]) { port in
            let index = try Tool.dumpDOM("http://127.0.0.1:\(port)/preview")
            #expect(index.contains("href=\"/preview/example\""))
            let preview = try Tool.dumpDOM("http://127.0.0.1:\(port)/preview/example")
            #expect(preview.contains("<h1>The Daily Ledger (example)</h1>"), "\(preview.prefix(800))")
            #expect(preview.contains("4 links from"))
            #expect(preview.contains("First article: "))
            // The seed article's first words, extracted, and none of its boilerplate.
            #expect(preview.contains("Last Sunday"))
            #expect(!preview.contains("We use your sign-up"))
            #expect(RawHTTP.request(port: port, path: "/preview/no-such-pipeline")?.status == 404)
        }
    }

    @Test func aFeedReaderStillGetsTheFeedAndABrowserAPage() throws {
        try Self.withServer { port in
            let reader = try #require(
                RawHTTP.request(
                    port: port, method: "GET", path: "/example.atom",
                    headers: ["Accept": "application/atom+xml, application/rss+xml;q=0.9, */*;q=0.1"]))
            #expect(reader.headers["content-type"] == "application/atom+xml; charset=utf-8")
            #expect(
                String(decoding: reader.body, as: UTF8.self).contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""))
            let browser = try #require(
                RawHTTP.request(
                    port: port, method: "GET", path: "/example.atom",
                    headers: ["Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]))
            #expect(browser.headers["content-type"] == "text/html; charset=utf-8")
            let page = String(decoding: browser.body, as: UTF8.self)
            #expect(page.contains("<h1>The Daily Ledger (example)</h1>"))
            #expect(!page.contains("xml-stylesheet"))
        }
    }
}

extension Tool {
    /// A PNG of the page headless Chromium draws for a URL, 1000 × 1300 pixels.
    static func screenshot(_ url: String) throws -> Data {
        let work = try Repository.temporaryFolder()
        let shot = work.appendingPathComponent("shot.png")
        try run(
            find("chromium")!,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=\(work.path)/profile",
                "--window-size=1000,1300", "--screenshot=\(shot.path)", url,
            ],
            environment: ["HOME": work.path], timeout: 90, output: work.appendingPathComponent("log.txt"))
        return try Data(contentsOf: shot)
    }

    /// The DOM headless Chromium renders for a URL.
    static func dumpDOM(_ url: String) throws -> String {
        let work = try Repository.temporaryFolder()
        let out = work.appendingPathComponent("dom.html")
        try run(
            find("chromium")!,
            ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(work.path)/profile", "--dump-dom", url],
            environment: ["HOME": work.path], timeout: 90, output: out)
        return try String(contentsOf: out, encoding: .utf8)
    }
}

/// The rows of a query on an SQLite file, every column as text.
func sqliteRows(path: String, query: String) throws -> [[String?]] {
    var database: OpaquePointer?
    guard sqlite3_open_v2(path, &database, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else { throw POSIXError(.EIO) }
    defer { sqlite3_close(database) }
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(database, query, -1, &statement, nil) == SQLITE_OK else { throw POSIXError(.EINVAL) }
    defer { sqlite3_finalize(statement) }
    var rows: [[String?]] = []
    while sqlite3_step(statement) == SQLITE_ROW {
        rows.append(
            (0..<sqlite3_column_count(statement)).map { column in
                sqlite3_column_text(statement, column).map { String(cString: $0) }
            })
    }
    return rows
}
