import Foundation
import Markup
import TestSupport
import Testing

/// `feedpipe serve --on-demand`: `/full?url=` answers with the full-text feed of an allowed address.
@Suite("feedpipe serve --on-demand")
struct OnDemandTests {
    /// A site whose feed gives only a line per item; the articles carry the text.
    static func site() throws -> LoopbackServer {
        try LoopbackServer { request in
            switch request.path {
            case "/feed.xml":
                let rss = """
                    <?xml version="1.0"?><rss version="2.0"><channel><title>Harbour news</title><link>/</link>
                    <item><title>Ferry timetable changes</title><link>/ferry-timetable-changes</link><description>Short.</description></item>
                    <item><title>Lighthouse opens to visitors</title><link>/lighthouse-opens</link><description>Short.</description></item>
                    </channel></rss>
                    """
                return .init(status: 200, headers: ["Content-Type": "application/rss+xml"], body: Array(rss.utf8))
            case "/ferry-timetable-changes", "/lighthouse-opens":
                let name = request.path.dropFirst()
                let paragraphs = (1...5).map {
                    "<p>The full story of \(name), paragraph \($0), told at the length an article has.</p>"
                }
                let html =
                    "<html><head><title>\(name)</title></head><body><article><h1>\(name)</h1>\(paragraphs.joined())</article></body></html>"
                return .init(status: 200, headers: ["Content-Type": "text/html"], body: Array(html.utf8))
            default:
                return .init(status: 404)
            }
        }
    }

    static func serve(_ arguments: [String], _ body: (Int) throws -> Void) throws {
        try ServeTests.withServer(arguments, folder: try Repository.temporaryFolder(), body)
    }

    static func full(_ address: String, port: Int) -> RawHTTP.Answer? {
        let query = address.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? address
        return RawHTTP.request(port: port, path: "/full?url=" + query)
    }

    @Test func anAllowedHostGetsItsFullTextFeedOthersAre403() throws {
        let site = try Self.site()
        defer { site.stop() }
        try Self.serve(["--on-demand", "--allow-host", "127.0.0.1", "--allow-private-addresses"]) { port in
            let answer = try #require(Self.full(site.baseURL + "/feed.xml", port: port))
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"] == "application/atom+xml; charset=utf-8")
            let document = try Document(xml: answer.body)
            let entries = document.root?.xpath("//*[local-name()='entry']") ?? []
            #expect(entries.count == 2)
            let feed = String(decoding: answer.body, as: UTF8.self)
            #expect(feed.contains("The full story of lighthouse-opens, paragraph 5"))
            let file = try Repository.temporaryFolder().appendingPathComponent("full.atom")
            try Data(answer.body).write(to: file)
            Repository.keepFeed(file, as: "on-demand-full.atom")

            // Kept for the cache's time: asked again, the site is not read again.
            let reads = site.received.count
            #expect(Self.full(site.baseURL + "/feed.xml", port: port)?.body == answer.body)
            #expect(site.received.count == reads)

            let other = try #require(Self.full("https://elsewhere.example/feed.xml", port: port))
            #expect(other.status == 403)
            #expect(String(decoding: other.body, as: UTF8.self).contains("not an allowed host"))
            #expect(RawHTTP.request(port: port, path: "/full")?.status == 400)
            #expect(Self.full("file:///etc/passwd", port: port)?.status == 403)
        }
    }

    @Test func anAllowedHostOnAPrivateAddressIsStillRefusedByDefault() throws {
        let site = try Self.site()
        defer { site.stop() }
        try Self.serve(["--on-demand", "--allow-host", "127.0.0.1"]) { port in
            let answer = try #require(Self.full(site.baseURL + "/feed.xml", port: port))
            #expect(answer.status == 502)
            #expect(String(decoding: answer.body, as: UTF8.self).contains("a private or local address"))
            #expect(site.received.isEmpty)
        }
    }

    /// A host name that leads inside is refused without saying where it leads: the requester learns
    /// nothing of the inside network's addresses.
    @Test func aRefusalDoesNotNameThePrivateAddressAHostLeadsTo() throws {
        let site = try Self.site()
        defer { site.stop() }
        try Self.serve(["--on-demand", "--allow-host", "localhost"]) { port in
            let address = site.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost") + "/feed.xml"
            let answer = try #require(Self.full(address, port: port))
            #expect(answer.status == 502)
            let message = String(decoding: answer.body, as: UTF8.self)
            #expect(message.contains("a private or local address"))
            #expect(
                !message.contains("127.0.0.1") && !message.contains("::1") && !message.contains("private_addresses"))
            #expect(site.received.isEmpty)
        }
    }

    @Test func onDemandIsOffUnlessAskedForAndNeedsItsHosts() throws {
        try OnDemandTests.serve([]) { port in
            #expect(RawHTTP.request(port: port, path: "/full?url=http%3A%2F%2F127.0.0.1%2F")?.status == 404)
        }
        let refused = try CommandLineTests.run(["serve", "--on-demand"])
        #expect(refused.status == 64 && refused.stderr.contains("--allow-host"))
    }
}
