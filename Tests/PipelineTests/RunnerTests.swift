import Feed
import Fetch
import Foundation
import Logging
import Markup
import State
import TestSupport
import Testing

@testable import Pipeline

/// Runs the bundled example pipeline against the example site served over HTTP on 127.0.0.1.
@Suite("Runner")
struct RunnerTests {
    /// A copy of the example site that a test may edit, served by its own loopback server.
    final class Site: @unchecked Sendable {
        let work: URL
        let folder: URL
        let server: LoopbackServer
        let flag = Flag()

        /// Makes the list page answer 503, or 304 to a matching `If-None-Match`, while set.
        final class Flag: @unchecked Sendable {
            var failing = false
            var notModifiedFor: String?
        }

        init() throws {
            work = try Repository.temporaryFolder()
            folder = work.appendingPathComponent("site")
            try FileManager.default.copyItem(at: Repository.exampleSite, to: folder)
            let files = LoopbackServer.files(under: folder)
            let flag = self.flag
            server = try LoopbackServer { request in
                guard request.path.hasSuffix("index.html") else { return files(request) }
                if flag.failing { return .init(status: 503) }
                if let etag = flag.notModifiedFor, request.headers["if-none-match"] == etag {
                    return .init(status: 304)
                }
                return files(request)
            }
        }

        func config(maxEntries: Int = 50, refreshAfter: String = "1d") throws -> PipelineConfig {
            let yaml = """
                title: Example over HTTP
                source:
                  url: \(server.baseURL)/index.html
                  links: ".story-list a.headline"
                output: \(work.appendingPathComponent("Feeds/example.atom").path)
                max_entries: \(maxEntries)
                fetch:
                  retries: 1
                  backoff: 10ms
                  refresh_after: \(refreshAfter)
                """
            return try PipelineConfig.parse(yaml, file: work.appendingPathComponent("example.yml").path)
        }

        func state() throws -> SQLiteStore { try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path) }

        func feed() throws -> String {
            try String(contentsOf: work.appendingPathComponent("Feeds/example.atom"), encoding: .utf8)
        }

        func entryTitles() throws -> [String] {
            let document = try Document(xml: Array(try feed().utf8))
            return document.root?.xpath("//*[local-name()='entry']/*[local-name()='title']").map(\.text) ?? []
        }
    }

    static let runner = Runner(client: HTTPClient(), logger: Logger(label: "test"))

    @Test func buildsAFeedFromTheSiteAndIsIdempotent() async throws {
        let site = try Site()
        let config = try site.config()
        let first = try await Self.runner.run(config, state: try site.state())
        #expect(first.new == 4)
        #expect(first.failures.isEmpty)
        let feed = try site.feed()
        #expect(try site.entryTitles().count == 4)
        #expect(feed.contains("Belarus army accuses Putin"))
        #expect(!feed.contains("We use your sign-up"))
        #expect(!feed.contains("Read Full Article"))
        Repository.keepFeed(site.work.appendingPathComponent("Feeds/example.atom"), as: "runner-example.atom")

        let second = try await Self.runner.run(config, state: try site.state(), now: Date().addingTimeInterval(3600))
        #expect(second.new == 0)
        #expect(second.updated == 0)
        #expect(second.kept == 4)
        #expect(try site.feed() == feed)
    }

    /// The runner sees the store only through `StateStore`: the in-memory store gives the same feed, byte
    /// for byte, as SQLite, and the same "nothing changed" on a second run.
    @Test func theInMemoryStoreRunsLikeSQLite() async throws {
        let site = try Site()
        let config = try site.config()
        _ = try await Self.runner.run(config, state: try site.state())
        let written = try site.feed()
        try FileManager.default.removeItem(at: site.work.appendingPathComponent("Feeds"))

        let memory = MemoryStore()
        let first = try await Self.runner.run(config, state: memory)
        #expect(first.new == 4 && first.failures.isEmpty)
        let undated = { (feed: String) in
            feed.replacingOccurrences(of: #"<updated>[^<]*</updated>"#, with: "", options: .regularExpression)
        }
        #expect(undated(try site.feed()) == undated(written))
        let second = try await Self.runner.run(config, state: memory, now: Date().addingTimeInterval(3600))
        #expect(second.new == 0 && second.updated == 0 && second.kept == 4)
    }

    @Test func keepsEntriesThatLeaveTheListPage() async throws {
        let site = try Site()
        let config = try site.config()
        _ = try await Self.runner.run(config, state: try site.state())
        let index = site.folder.appendingPathComponent("index.html")
        let html = try String(contentsOf: index, encoding: .utf8)
        let trimmed = html.replacingOccurrences(of: "articles/otters-return.html", with: "articles/missing.html")
        try trimmed.write(to: index, atomically: true, encoding: .utf8)

        let report = try await Self.runner.run(config, state: try site.state())
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.description.contains("/articles/missing.html") == true)
        #expect(try site.entryTitles().contains("Otters return to every county as rivers recover, survey finds"))
        #expect(try site.entryTitles().count == 4)
    }

    @Test func aFailedSourceLeavesTheFeedAsItWas() async throws {
        let site = try Site()
        let config = try site.config()
        _ = try await Self.runner.run(config, state: try site.state())
        let before = try site.feed()
        site.flag.failing = true
        let report = try await Self.runner.run(config, state: try site.state())
        #expect(report.failures.count == 1)
        #expect(report.failures[0].description.contains("\(site.server.baseURL)/index.html: HTTP status 503"))
        #expect(report.failures[0].stage == .source && report.failures[0].status == 503)
        #expect(report.failures[0].url == "\(site.server.baseURL)/index.html")
        #expect(try site.feed() == before)
        // The 503 was tried twice: once, and once more after the back-off.
        #expect(site.server.received.filter { $0.path == "/index.html" }.count == 3)
    }

    @Test func anUnchangedRunSendsValidatorsAndFetchesNoArticle() async throws {
        let site = try Site()
        let config = try site.config(refreshAfter: "0")
        _ = try await Self.runner.run(config, state: try site.state())
        let before = site.server.received.count
        // The loopback server sends no validators; store some as a server would have sent them.
        let state = try site.state()
        try state.save(
            .init(etag: "\"v1\"", fetchedAt: Date()), for: config.sourceKey(site.server.baseURL + "/index.html"),
            feed: config.id)
        site.flag.notModifiedFor = "\"v1\""
        let report = try await Self.runner.run(config, state: state)
        let requests = site.server.received.dropFirst(before)
        #expect(requests.map(\.path) == ["/index.html"])
        #expect(requests.first?.headers["if-none-match"] == "\"v1\"")
        #expect(report.new == 0 && report.kept == 4 && report.failures.isEmpty)
    }

    @Test func sendsThePipelinesHeadersCookiesAndUserAgent() async throws {
        let site = try Site()
        let yaml = """
            title: With consent
            source:
              url: \(site.server.baseURL)/index.html
              links: ".story-list a.headline"
            output: \(site.work.appendingPathComponent("Feeds/consent.atom").path)
            fetch:
              user_agent: "Mozilla/5.0 (compatible; feedpipe-test)"
              cookies:
                consent: "yes"
                region: eu
              headers:
                Accept-Language: en-GB
            """
        let config = try PipelineConfig.parse(yaml, file: site.work.appendingPathComponent("consent.yml").path)
        _ = try await Self.runner.run(config, state: try site.state())
        let pages = site.server.received.filter { $0.path.hasSuffix(".html") }
        #expect(pages.count == 5)
        for page in pages {
            #expect(page.headers["cookie"] == "consent=yes; region=eu")
            #expect(page.headers["user-agent"] == "Mozilla/5.0 (compatible; feedpipe-test)")
            #expect(page.headers["accept-language"] == "en-GB")
        }
    }

    @Test func articlesFetchedWithinTheRefreshAgeAreNotFetchedAgain() async throws {
        let site = try Site()
        let config = try site.config()
        _ = try await Self.runner.run(config, state: try site.state())
        let before = site.server.received.count
        let report = try await Self.runner.run(config, state: try site.state())
        #expect(site.server.received.dropFirst(before).map(\.path) == ["/index.html"])
        #expect(report.kept == 4)
    }

    @Test func keepsOnlyTheNewestEntriesUpToTheMaximum() async throws {
        let site = try Site()
        let report = try await Self.runner.run(try site.config(maxEntries: 2), state: try site.state())
        #expect(report.new == 2)
        #expect(try site.entryTitles().count == 2)
    }
}
