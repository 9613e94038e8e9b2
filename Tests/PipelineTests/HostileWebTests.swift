import Feed
import Fetch
import Foundation
import Logging
import Markup
import State
import TestSupport
import Testing

@testable import Pipeline

/// Whole runs against sources that try to make feedpipe publish what it must not: local files, the
/// machine's own services, pages that are not the article.
@Suite("The hostile web")
struct HostileWebTests {
    /// A page of real prose, different for each path.
    static func story(_ path: String, sentences: Int = 11) -> [UInt8] {
        let sentence =
            "The harbour board met on Monday to discuss the ferry timetable at \(path), and sailors spoke at length. "
        return Array(
            """
            <html lang="en"><head><title>Story \(path)</title></head><body><article><h1>Story \(path)</h1>
            <p>\(String(repeating: sentence, count: sentences))</p></article></body></html>
            """.utf8)
    }

    static let html = ["Content-Type": "text/html; charset=utf-8"]

    /// A runner whose client counts 127.0.0.2 as a public address, so that a server there stands for a site
    /// on the web.
    static func runner() -> Runner {
        var options = FetchOptions()
        options.publicForTesting = ["127.0.0.2"]
        return Runner(client: HTTPClient(options: options), logger: Logger(label: "test"))
    }

    static func config(_ work: URL, _ yaml: String, name: String = "p") throws -> PipelineConfig {
        try PipelineConfig.parse(
            yaml + "\noutput: \(work.path)/\(name).atom\n", file: work.appendingPathComponent("\(name).yml").path)
    }

    @Test func aPublicSourceCannotMakeItReadLocalFilesOrPrivateAddresses() async throws {
        let work = try Repository.temporaryFolder()
        let inside = try LoopbackServer { _ in .init(status: 200, headers: Self.html, body: Self.story("/secret")) }
        let links = [
            "file:///etc/passwd", "FILE:///etc/hostname", "/story", "http://127.0.0.1:\(inside.port)/secret",
            "http://localhost:\(inside.port)/secret",
        ]
        let site = try LoopbackServer(host: "127.0.0.2") { request in
            switch request.path {
            case "/list.html":
                let items = links.map { "<li><a href=\"\($0)\">\($0)</a></li>" }.joined()
                return .init(
                    status: 200, headers: Self.html, body: Array("<html><body><ul>\(items)</ul></body></html>".utf8))
            case "/robots.txt": return .init(status: 404)
            default: return .init(status: 200, headers: Self.html, body: Self.story(request.path))
            }
        }
        let yaml = "title: Public\nsource: {url: \"\(site.baseURL)/list.html\", links: \"li a\"}"
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Self.runner().run(try Self.config(work, yaml), state: state)
        #expect(report.new == 1)
        #expect(report.refused == 2)
        #expect(report.description.contains("2 links refused"))
        let atom = try String(contentsOfFile: work.appendingPathComponent("p.atom").path, encoding: .utf8)
        #expect(atom.contains("Story /story"))
        #expect(!atom.contains("root:") && !atom.contains("/secret"))
        #expect(inside.received.isEmpty)
        for host in ["127.0.0.1", "localhost"] {
            let failure = report.failures.first { $0.description.contains("http://\(host):\(inside.port)/secret") }
            // `localhost` may resolve to ::1 first; either address is refused before connecting.
            #expect(
                ["127.0.0.1", "::1"].contains {
                    failure?.description.contains("\($0), a private or local address") == true
                },
                "\(report.failures)")
        }
        #expect(inside.connections == 0)

        // The pipeline may allow it (an intranet reached from a public page).
        let allowing = try Self.config(work, yaml + "\nfetch: {private_addresses: true}", name: "q")
        let allowed = try await Self.runner().run(allowing, state: state)
        #expect(allowed.new == 2 && allowed.refused == 2 && allowed.failures.isEmpty, "\(allowed)")
    }

    @Test func aSourceOnAPrivateAddressMayLinkToOne() async throws {
        let work = try Repository.temporaryFolder()
        let intranet = try LoopbackServer { request in
            switch request.path {
            case "/list.html":
                .init(status: 200, headers: Self.html, body: Array("<p><a href=\"/wiki\">Wiki</a></p>".utf8))
            case "/wiki": .init(status: 200, headers: Self.html, body: Self.story("/wiki"))
            default: .init(status: 404)
            }
        }
        let yaml = "title: Intranet\nsource: {url: \"\(intranet.baseURL)/list.html\", links: a}"
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Self.runner().run(try Self.config(work, yaml), state: state)
        #expect(report.new == 1 && report.failures.isEmpty, "\(report) \(report.failures)")
    }

    @Test func aLocalSourceReadsOnlyFilesInItsOwnFolder() async throws {
        let work = try Repository.temporaryFolder()
        let site = work.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try Data(Self.story("/inside")).write(to: site.appendingPathComponent("inside.html"))
        try Data(Self.story("/outside")).write(to: work.appendingPathComponent("outside.html"))
        try """
        <ul><li><a href="inside.html">in</a></li><li><a href="../outside.html">out</a></li>
        <li><a href="/etc/passwd">abs</a></li></ul>
        """.write(to: site.appendingPathComponent("list.html"), atomically: true, encoding: .utf8)
        let yaml = "title: Local\nsource: {url: site/list.html, links: \"li a\"}"
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let report = try await Self.runner().run(try Self.config(work, yaml), state: state)
        #expect(report.new == 1 && report.refused == 2, "\(report)")
        let atom = try String(contentsOfFile: work.appendingPathComponent("p.atom").path, encoding: .utf8)
        #expect(atom.contains("Story /inside") && !atom.contains("Story /outside") && !atom.contains("root:"))
    }

    /// What the article server answers on the second run.
    final class Mood: @unchecked Sendable {
        var answer: LoopbackServer.Reply?
        var list: LoopbackServer.Reply?
    }

    static let challenge = """
        <html><head><title>Just a moment...</title></head><body><p>Checking if the site connection is secure</p>
        <script>window._cf_chl_opt={cType: 'managed'};</script></body></html>
        """

    /// A list page with one article, run once as it should be, then with `mood` set for the second run.
    static func secondRun(_ mood: Mood, _ configure: (Mood) -> Void) async throws -> (
        RunReport, before: Entry, after: Entry?
    ) {
        let work = try Repository.temporaryFolder()
        let server = try LoopbackServer { request in
            switch request.path {
            case "/list.html":
                mood.list
                    ?? .init(status: 200, headers: Self.html, body: Array("<p><a href=\"/story\">Story</a></p>".utf8))
            case "/story": mood.answer ?? .init(status: 200, headers: Self.html, body: Self.story("/story"))
            default: .init(status: 404)
            }
        }
        let yaml =
            "title: Moody\nsource: {url: \"\(server.baseURL)/list.html\", links: a}\nfetch: {refresh_after: 0, retries: 0}"
        let config = try Self.config(work, yaml)
        let state = try SQLiteStore(path: work.appendingPathComponent("state.sqlite").path)
        let runner = Self.runner()
        let first = try await runner.run(config, state: state)
        #expect(first.new == 1)
        let before = try #require(try state.entries(feed: config.id).first)
        configure(mood)
        let report = try await runner.run(config, state: state)
        return (report, before, try state.entries(feed: config.id).first)
    }

    @Test func aBlockPageNeverReplacesTheArticle() async throws {
        let (report, before, after) = try await Self.secondRun(Mood()) {
            $0.answer = .init(status: 200, headers: Self.html, body: Array(Self.challenge.utf8))
        }
        #expect(
            report.failures.count == 1
                && report.failures[0].description.contains("blocked by the site (Cloudflare challenge)"))
        #expect(report.updated == 0 && after == before)
    }

    @Test func aBlockedListPageIsASourceFailure() async throws {
        let (report, before, after) = try await Self.secondRun(Mood()) {
            $0.list = .init(status: 403, headers: Self.html, body: Array(Self.challenge.utf8))
        }
        #expect(
            report.failures.count == 1 && report.failures[0].description.contains("blocked by the site"),
            "\(report.failures)")
        #expect(after == before)
    }

    @Test func aPageThatLostMostOfItsTextKeepsTheStoredArticle() async throws {
        let (report, before, after) = try await Self.secondRun(Mood()) {
            $0.answer = .init(status: 200, headers: Self.html, body: Self.story("/story", sentences: 2))
        }
        #expect(report.failures.isEmpty && report.updated == 0, "\(report)")
        #expect(
            report.warnings.contains {
                $0.contains("/story: the page now gives") && $0.contains("the stored entry is kept")
            })
        #expect(after == before)
    }

    @Test func aPageThatGrewReplacesTheStoredArticle() async throws {
        let (report, before, after) = try await Self.secondRun(Mood()) {
            $0.answer = .init(status: 200, headers: Self.html, body: Self.story("/story", sentences: 14))
        }
        #expect(report.updated == 1 && after != before)
    }

    @Test(arguments: ["<html><body><p>No links here any more.</p></body></html>", ""])
    func aSourceThatOffersNoLinksIsAFailureNamingTheSelector(page: String) async throws {
        let (report, before, after) = try await Self.secondRun(Mood()) {
            $0.list = .init(status: 200, headers: Self.html, body: Array(page.utf8))
        }
        #expect(report.failures.count == 1, "\(report.failures)")
        #expect(
            report.failures.first?.description.contains("offers no items: 'a' matched none") == true,
            "\(report.failures)")
        #expect(after == before)
    }

    @Test func aStrayNULIsTextAndOnlyARealBinaryIsRefused() {
        let page =
            Array("<html><body>".utf8) + Array(repeating: UInt8(ascii: "a"), count: 500) + [0]
            + Array(repeating: UInt8(ascii: "b"), count: 2000) + Array("</body></html>".utf8)
        #expect(PageBytes.binaryKind(page) == nil)
        var binary = [UInt8](repeating: 0, count: 4096)
        for index in binary.indices where index % 3 == 0 { binary[index] = UInt8(truncatingIfNeeded: index * 7 + 0x41) }
        #expect(PageBytes.binaryKind(binary) == "binary")
    }
}
