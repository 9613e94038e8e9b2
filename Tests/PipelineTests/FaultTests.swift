import Feed
import Fetch
import Foundation
import Logging
import Markup
import State
import TestSupport
import Testing

@testable import Pipeline

/// Full runs against a server whose article pages misbehave on purpose, after a first run in which they all
/// behaved: each fault ends within its bounds with an error naming the URL and the cause, the feed keeps every
/// entry it had, and another pipeline of the same run still updates.
@Suite("Faults during a run")
struct FaultTests {
    /// A fault, the path that shows it, and words one of which the error must contain.
    static let faults: [(path: String, expected: [String])] = [
        ("/500", ["status 500"]), ("/503", ["status 503"]), ("/429", ["status 429"]),
        ("/reset", ["reset", "recv", "partial"]), ("/drip", ["timeout", "timed out", "too slow"]),
        ("/endless", ["larger than"]), ("/huge", ["larger than"]), ("/bomb", ["larger than"]),
        ("/loop", ["redirect"]), ("/to-file", ["protocol", "scheme", "redirect", "not supported"]),
        ("/to-gopher", ["protocol", "scheme", "redirect", "not supported"]), ("/pdf", ["not an html page"]),
        ("/image", ["not an html page"]), ("/deep", ["no article text"]), ("/empty", ["the page is empty"]),
    ]

    /// A page of real prose for a path, different for each path.
    static func story(_ path: String) -> [UInt8] {
        let sentence =
            "The council met on Tuesday to discuss the river path at \(path), and residents spoke at length. "
        return Array(
            """
            <html lang="en"><head><title>Story \(path)</title></head><body><article><h1>Story \(path)</h1>
            <p>\(String(repeating: sentence, count: 6))</p><p>\(String(repeating: sentence, count: 5))</p>
            </article></body></html>
            """.utf8)
    }

    final class Switch: @unchecked Sendable {
        var faulty = false
    }

    static func reply(_ path: String, faulty: Bool, bomb: [UInt8]) -> LoopbackServer.Reply {
        let html = ["Content-Type": "text/html; charset=utf-8"]
        if path == "/list.html" {
            let links = (faults.map(\.path) + ["/invalid-utf8", "/fine"]).map { "<li><a href=\"\($0)\">\($0)</a></li>" }
            return .init(
                status: 200, headers: html, body: Array("<html><body><ul>\(links.joined())</ul></body></html>".utf8))
        }
        guard faulty, path != "/fine" else {
            return .init(status: 200, headers: ["Content-Type": "text/html"], body: story(path))
        }
        switch path {
        case "/500": return .init(status: 500)
        case "/503": return .init(status: 503, headers: ["Retry-After": "1"])
        case "/429": return .init(status: 429, headers: ["Retry-After": "1"])
        case "/reset": return .init(status: 200, headers: html, body: story(path) + story(path), resetAfter: 200)
        case "/drip": return .init(status: 200, headers: html, body: Array("<p>".utf8), drip: 1)
        case "/endless":
            return .init(status: 200, headers: html, body: Array(repeating: 0x61, count: 65_536), endless: true)
        case "/huge": return .init(status: 200, headers: html, body: Array(repeating: 0x61, count: 50 * 1024 * 1024))
        case "/bomb": return .init(status: 200, headers: html.merging(["Content-Encoding": "gzip"]) { $1 }, body: bomb)
        case "/loop": return .init(status: 302, headers: ["Location": "/loop"])
        case "/to-file": return .init(status: 302, headers: ["Location": "file:///etc/passwd"])
        case "/to-gopher": return .init(status: 301, headers: ["Location": "gopher://127.0.0.1/1"])
        case "/pdf":
            return .init(
                status: 200, headers: ["Content-Type": "application/pdf"], body: Array("%PDF-1.7\n%âãÏÓ\n".utf8))
        case "/image":
            return .init(
                status: 200, headers: ["Content-Type": "image/png"],
                body: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "/deep":
            return .init(
                status: 200, headers: html,
                body: Array(
                    ("<html><body>" + String(repeating: "<div>", count: 100_000)
                        + "buried text" + String(repeating: "</div>", count: 100_000) + "</body></html>").utf8))
        case "/empty": return .init(status: 200, headers: html)
        case "/invalid-utf8":
            // Declared as UTF-8 by nobody and not valid UTF-8: Latin-1 bytes, as old pages are.
            var body = story(path)
            body.insert(contentsOf: [0x20, 0x63, 0x61, 0x66, 0xE9, 0x20, 0xFF, 0xFE, 0x20], at: body.count - 40)
            return .init(status: 200, headers: ["Content-Type": "text/html"], body: body)
        default: return .init(status: 404)
        }
    }

    @Test func everyFaultIsNamedAndNothingIsLost() async throws {
        let work = try Repository.temporaryFolder()
        let bomb = try Tool.gzip([UInt8](repeating: 0, count: 50 * 1024 * 1024))
        let toggle = Switch()
        let faulty = try LoopbackServer { request in Self.reply(request.path, faulty: toggle.faulty, bomb: bomb) }
        let healthy = try LoopbackServer(serving: Repository.exampleSite)
        func config(_ yaml: String, _ name: String) throws -> PipelineConfig {
            try PipelineConfig.parse(yaml, file: work.appendingPathComponent("\(name).yml").path)
        }
        let flaky = try config(
            """
            title: Flaky site
            source: {url: "\(faulty.baseURL)/list.html", links: "li a"}
            output: \(work.path)/Feeds/flaky.atom
            fetch: {timeout: 4s, retries: 1, backoff: 0.05s, refresh_after: 0}
            """, "flaky")
        // Another host ("localhost", not "127.0.0.1"), so the flaky host's circuit breaker does not touch it.
        let steady = try config(
            """
            title: Steady site
            source: {url: "\(healthy.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost"))/index.html", links: ".story-list a.headline"}
            output: \(work.path)/Feeds/steady.atom
            max_entries: 2
            """, "steady")
        var options = FetchOptions()
        options.hostFailureLimit = 100
        options.lowSpeedSeconds = 2
        let runner = Runner(client: HTTPClient(options: options), logger: Logger(label: "test"))
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)

        let first = try await runner.run(flaky, state: state)
        #expect(first.failures.isEmpty)
        let before = try state.entries(feed: flaky.id)
        #expect(before.count == Self.faults.count + 2)
        let atomBefore = try String(contentsOfFile: flaky.output, encoding: .utf8)

        toggle.faulty = true
        let started = Date()
        let results = await runner.run([flaky, steady], state: state)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 90, "the faulty run took \(elapsed) s")

        let report = try results[0].get()
        for (path, expected) in Self.faults {
            let url = faulty.baseURL + path
            let failure = report.failures.first { $0.description.contains(url + ":") }
            #expect(failure != nil, "no error names \(url)")
            if let failure {
                #expect(expected.contains { failure.description.lowercased().contains($0) }, "\(path): \(failure)")
                // The failure carries its address and stage, not only a line of text.
                #expect(failure.url == url && failure.stage == .article, "\(path): \(failure)")
            }
        }
        #expect(report.failures.count == Self.faults.count)
        // Every entry of the first run is still there; the page with Latin-1 bytes was read, not refused.
        let after = try state.entries(feed: flaky.id)
        #expect(Set(after.map(\.id)) == Set(before.map(\.id)))
        let latin = try #require(after.first { $0.link?.hasSuffix("/invalid-utf8") == true })
        #expect(latin.content?.contains("café") == true)
        #expect(!(latin.content ?? "").contains("\u{FFFD}"))
        let atomAfter = try String(contentsOfFile: flaky.output, encoding: .utf8)
        #expect(atomAfter.components(separatedBy: "<entry").count == atomBefore.components(separatedBy: "<entry").count)
        Repository.keepFeed(URL(fileURLWithPath: flaky.output), as: "faults-flaky.atom")

        // The other source of the same run still updated.
        let other = try results[1].get()
        #expect(other.new == 2 && other.failures.isEmpty)
    }
}

/// The sanitizer's vectors again, now through a whole pipeline: saved pages full of them become an Atom
/// feed whose HTML content carries none of their active parts.
@Suite("XSS vectors into Atom")
struct XSSIntoAtomTests {
    @Test func noVectorSurvivesIntoTheFeed() async throws {
        let vectors = try String(
            contentsOf: Repository.root.appendingPathComponent("Tests/ExtractTests/Fixtures/xss-vectors.txt"),
            encoding: .utf8
        ).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        #expect(vectors.count >= 100)
        let work = try Repository.temporaryFolder()
        let saved = work.appendingPathComponent("saved")
        try FileManager.default.createDirectory(at: saved, withIntermediateDirectories: true)
        let prose = String(
            repeating: "Ordinary reporting about the harbour works, long enough to be the article. ", count: 5)
        // Ten vectors per page, each page a story of its own.
        for (page, start) in stride(from: 0, to: vectors.count, by: 10).enumerated() {
            let batch = vectors[start..<min(vectors.count, start + 10)].joined(separator: "\n<p>\(prose)</p>\n")
            let html = """
                <html><head><title>Harbour works, part \(page)</title></head><body><article>
                <h1>Harbour works, part \(page)</h1><p>\(prose) Part \(page).</p>\n\(batch)\n<p>\(prose)</p></article></body></html>
                """
            try html.write(to: saved.appendingPathComponent("page\(page).html"), atomically: true, encoding: .utf8)
        }
        let yaml =
            "title: Hostile pages\nsource: {type: folder, url: \(saved.path)}\noutput: \(work.path)/Feeds/x.atom\nmax_entries: 100\n"
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("x.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(report.new == (vectors.count + 9) / 10 && report.failures.isEmpty)

        let feed = try Document(xml: Array(try Data(contentsOf: URL(fileURLWithPath: config.output))))
        let contents = feed.root?.xpath("//*[local-name()='content']").map { $0.text.lowercased() } ?? []
        #expect(contents.count == report.new)
        for content in contents {
            #expect(content.contains("ordinary reporting about the harbour works"))
            for fragment in [
                "<script", "javascript:", "vbscript:", "data:text", "data:image/svg", "<iframe", "<object",
                "<embed", "<form", "<meta", "<base", "<style", "style=", "expression(", "<svg", "<link", "<mglyph",
                "<maction", "<annotation", "xlink:",
            ] {
                #expect(!content.contains(fragment), "\(fragment) reached the feed")
            }
            #expect(content.range(of: #"<[^>]*\son[a-z]+\s*="#, options: .regularExpression) == nil)
        }
        Repository.keepFeed(URL(fileURLWithPath: config.output), as: "xss-vectors.atom")
    }
}

@Suite("Site rules in a run")
struct SiteRulesRunTests {
    /// Runs a pipeline over the example site served on 127.0.0.1, with `rules` as that host's rule file.
    static func run(rules: String) async throws -> (LoopbackServer, PipelineConfig, RunReport, any StateStore) {
        let work = try Repository.temporaryFolder()
        let server = try LoopbackServer(serving: Repository.exampleSite)
        let folder = work.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try rules.write(to: folder.appendingPathComponent("127.0.0.1.txt"), atomically: true, encoding: .utf8)
        let yaml = """
            title: With rules
            source: {url: "\(server.baseURL)/index.html", links: ".story-list a.headline"}
            output: \(work.path)/Feeds/r.atom
            site_rules: rules
            """
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("r.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        return (server, config, report, state)
    }

    @Test func aPipelinesSiteRulesShapeItsArticlesAndRequests() async throws {
        let (server, config, report, state) = try await Self.run(
            rules: """
                title: //td[@class='main']//h1
                body: //td[@class='main']//div[@class='text']
                replace_string(survey): census
                http_header(x-rules): applied
                """)
        #expect(report.failures.isEmpty)
        let otters = try #require(try await state.entries(feed: config.id).first { $0.title.hasPrefix("Otters") })
        #expect(otters.content?.contains("sixth national census") == true)
        #expect(
            server.received.filter { $0.path.hasPrefix("/articles/") }.allSatisfy { $0.headers["x-rules"] == "applied" }
        )
        #expect(server.received.first { $0.path == "/index.html" }?.headers["x-rules"] == nil)
    }

    @Test func aRuleFileWithLinesItCannotApplyStillServesItsHost() async throws {
        // As Full-Text RSS reads them: the invalid XPath and the unknown directive are passed over, the
        // rest of the file applies, and no article fails for it.
        let (_, config, report, state) = try await Self.run(
            rules: """
                body: //div[
                strip_comments: yes
                title: //td[@class='main']//h1
                replace_string(survey): census
                """)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.new == 4)
        let otters = try #require(try await state.entries(feed: config.id).first { $0.title.hasPrefix("Otters") })
        #expect(otters.content?.contains("sixth national census") == true)
    }
}

@Suite("Multi-page articles")
struct MultiPageTests {
    static func page(_ title: String, _ words: String, next: String?) -> [UInt8] {
        let prose = String(repeating: "\(words) goes on about the harbour, the tides, and the town. ", count: 6)
        let link = next.map { "<div class=\"pager\"><a rel=\"next\" href=\"\($0)\">Next page</a></div>" } ?? ""
        return Array(
            "<html><body><h1>\(title)</h1><div class=\"story\"><p>\(prose)</p></div>\(link)</body></html>".utf8)
    }

    @Test func nextPagesAreJoinedAndSinglePageVersionsReplaceTheFirst() async throws {
        let work = try Repository.temporaryFolder()
        let server = try LoopbackServer { request in
            let html = ["Content-Type": "text/html"]
            switch request.path {
            case "/list.html":
                return .init(
                    status: 200, headers: html,
                    body: Array(
                        "<ul><li><a href=\"/long/1\">Long</a></li><li><a href=\"/split/1\">Split</a></li></ul>".utf8))
            case "/long/1":
                return .init(status: 200, headers: html, body: Self.page("Long", "Page one", next: "/long/2"))
            case "/long/2":
                return .init(status: 200, headers: html, body: Self.page("Long", "Page two", next: "/long/3"))
            case "/long/3":
                return .init(status: 200, headers: html, body: Self.page("Long", "Page three", next: "/long/1"))
            case "/split/1":
                var body = Self.page("Split", "Teaser only", next: nil)
                body.insert(
                    contentsOf: Array("<a class=\"print\" href=\"/split/all\">Single page</a>".utf8),
                    at: body.count - 14)
                return .init(status: 200, headers: html, body: body)
            case "/split/all":
                return .init(status: 200, headers: html, body: Self.page("Split", "The whole story", next: nil))
            default: return .init(status: 404)
            }
        }
        let rules = work.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try """
        body: //div[@class='story']
        next_page_link: //a[@rel='next']
        single_page_link: //a[@class='print']
        """.write(to: rules.appendingPathComponent("127.0.0.1.txt"), atomically: true, encoding: .utf8)
        let yaml = """
            title: Multi-page
            source: {url: "\(server.baseURL)/list.html", links: "li a"}
            output: \(work.path)/Feeds/m.atom
            site_rules: rules
            """
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("m.yml").path)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        #expect(report.failures.isEmpty && report.new == 2)
        let entries = try state.entries(feed: config.id)
        let long = try #require(entries.first { $0.link?.hasSuffix("/long/1") == true })
        let content = long.content ?? ""
        #expect(content.contains("Page one") && content.contains("Page two") && content.contains("Page three"))
        #expect(content.range(of: "Page one")!.lowerBound < content.range(of: "Page three")!.lowerBound)
        // The loop back to page one was not followed.
        #expect(server.received.filter { $0.path == "/long/1" }.count == 1)
        let split = try #require(entries.first { $0.link?.hasSuffix("/split/1") == true })
        #expect(split.content?.contains("The whole story") == true)
        #expect(split.content?.contains("Teaser only") == false)
    }
}
