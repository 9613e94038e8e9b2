import Feed
import Fetch
import Foundation
import Logging
import State
import TestSupport
import Testing

@testable import Pipeline

/// `fetch: {render: browser}`: a site whose list and articles exist only once its scripts ran.
@Suite("Pages drawn by scripts")
struct RenderTests {
    static let stories = [("a1", "Drawn story about the river crossing"), ("a2", "Drawn story about the night market")]

    static func site() throws -> LoopbackServer {
        try LoopbackServer { request in
            let html = ["Content-Type": "text/html; charset=utf-8"]
            if request.path == "/" {
                let items = stories.map { #"<li><a href="/\#($0.0)">\#($0.1)</a></li>"# }.joined()
                let page = """
                    <html><head><title>Drawn news</title></head><body><div id="list">Loading…</div>
                    <script>document.getElementById('list').innerHTML = '<ul>\(items)</ul>';</script></body></html>
                    """
                return .init(status: 200, headers: html, body: Array(page.utf8))
            }
            guard let story = stories.first(where: { "/" + $0.0 == request.path }) else { return .init(status: 404) }
            let page = """
                <html><head><title>\(story.1)</title></head><body><div id="app"></div><noscript>Enable JavaScript.</noscript>
                <script>
                var paragraphs = [];
                for (var i = 1; i <= 5; i++) {
                  paragraphs.push('<p>Drawn paragraph ' + i + ' of \(story.0), written by the page script at the length of an article.</p>');
                }
                document.getElementById('app').innerHTML = '<article><h1>\(story.1)</h1>' + paragraphs.join('') + '</article>';
                </script></body></html>
                """
            return .init(status: 200, headers: html, body: Array(page.utf8))
        }
    }

    static func config(_ site: LoopbackServer, render: Bool, output: URL) throws -> PipelineConfig {
        try PipelineConfig.parse(
            """
            title: Drawn news
            source:
              url: \(site.baseURL)/
              links: "li a"
            output: \(output.path)
            fetch:
              retries: 0
              render: \(render ? "browser" : "none")
            """, file: "drawn.yml")
    }

    @Test(.enabled(if: Tool.find("chromium") != nil, "skipped: Chromium is not installed (Debian package chromium)"))
    func aRenderingPipelineGetsTheDrawnListAndTheDrawnParagraphs() async throws {
        let site = try Self.site()
        defer { site.stop() }
        let output = try Repository.temporaryFolder().appendingPathComponent("drawn.atom")
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test"))
            .run(try Self.config(site, render: true, output: output), state: MemoryStore())
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.new == 2)
        let feed = try String(contentsOf: output, encoding: .utf8)
        #expect(feed.contains("Drawn paragraph 5 of a1") && feed.contains("Drawn paragraph 1 of a2"))
        #expect(!feed.contains("Enable JavaScript"))
        Repository.keepFeed(output, as: "render-browser.atom")
    }

    /// Without `render`, the list page's links are not in its HTML: the source fails and says what it
    /// looked for.
    @Test func withoutRenderingTheDrawnListOffersNoLinks() async throws {
        let site = try Self.site()
        defer { site.stop() }
        let output = try Repository.temporaryFolder().appendingPathComponent("drawn.atom")
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test"))
            .run(try Self.config(site, render: false, output: output), state: MemoryStore())
        #expect(report.new == 0)
        #expect(report.failures.first?.description.contains("offers no items: 'li a' matched none") == true)
    }

    /// A public page whose script and picture reach for another port of this machine: Chromium's traffic
    /// goes through the address policy, so the listener there sees no connection at all; a pipeline that
    /// allows private addresses lets the same page reach it.
    @Test(.enabled(if: Tool.find("chromium") != nil, "skipped: Chromium is not installed (Debian package chromium)"))
    func aRenderedPagesScriptsCannotReachThisMachine() async throws {
        let inside = try LoopbackServer { _ in
            .init(status: 200, headers: ["Content-Type": "text/plain", "Access-Control-Allow-Origin": "*"])
        }
        // 127.0.0.2 stands in for a public site.
        let site = try LoopbackServer(host: "127.0.0.2") { request in
            let probe = "http://127.0.0.1:\(inside.port)"
            let page = """
                <html><head><title>Probe</title></head><body><div id="app"></div>
                <img src="\(probe)/pixel.png">
                <script>
                fetch('\(probe)/admin').catch(function () {});
                var text = [];
                for (var i = 1; i <= 5; i++) { text.push('<p>Paragraph ' + i + ' of the probing page, long enough to be an article body.</p>'); }
                document.getElementById('app').innerHTML = '<article><h1>Probe</h1>' + text.join('') + '</article>';
                </script></body></html>
                """
            return request.path == "/robots.txt"
                ? .init(status: 404)
                : .init(status: 200, headers: ["Content-Type": "text/html"], body: Array(page.utf8))
        }
        var options = FetchOptions()
        options.publicForTesting = ["127.0.0.2"]
        let runner = Runner(client: HTTPClient(options: options), logger: Logger(label: "test"))
        let output = try Repository.temporaryFolder().appendingPathComponent("probe.atom")
        let list = try LoopbackServer(host: "127.0.0.2") { request in
            request.path == "/robots.txt"
                ? .init(status: 404)
                : .init(
                    status: 200, headers: ["Content-Type": "text/html"],
                    body: Array("<ul><li><a href=\"\(site.baseURL)/story\">The probing story</a></li></ul>".utf8))
        }
        for allowing in [false, true] {
            let config = try PipelineConfig.parse(
                """
                title: Probe
                source: {url: "\(list.baseURL)/", links: "li a"}
                output: \(output.path)
                fetch: {retries: 0, render: browser, private_addresses: \(allowing)}
                """, file: "probe.yml")
            let report = try await runner.run(config, state: MemoryStore())
            #expect(report.failures.isEmpty, "\(report.failures)")
            let feed = try String(contentsOf: output, encoding: .utf8)
            #expect(feed.contains("Paragraph 5 of the probing page"))
            if allowing {
                #expect(inside.connections > 0, "the page's own requests were not made: the probe proves nothing")
            } else {
                #expect(inside.connections == 0)
                #expect(inside.received.isEmpty)
            }
        }
    }

    @Test func withoutChromiumTheErrorNamesThePackage() {
        #expect {
            _ = try BrowserRenderer.find(path: "/nonexistent:/also-missing")
        } throws: { error in
            "\(error)".contains("Debian package 'chromium'")
        }
    }

    @Test func renderTakesBrowserOrNone() {
        #expect(throws: PipelineError.self) {
            try PipelineConfig.parse(
                "title: x\nsource: {url: https://a.example/}\nfetch: {render: chrome}\n", file: "p.yml")
        }
    }
}
