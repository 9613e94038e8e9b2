import Foundation
import TestSupport
import Testing

/// `feedpipe serve` with an access key: what needs it, the two ways a request shows it, and the image proxy
/// whose addresses it signs.
@Suite("feedpipe serve: access key and image proxy")
struct ServeAccessTests {
    static let secret = "correct horse battery staple 42"

    /// A file holding the key, as an operator would keep it.
    static func keyFile() throws -> URL {
        let file = try Repository.temporaryFolder().appendingPathComponent("key")
        try (secret + "\n").write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// `feedpipe sign`'s answer for a path.
    static func signed(_ path: String) throws -> String {
        let output = try CommandLineTests.run(["sign", "--access-key-file", try keyFile().path, path])
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func onDemandAndPreviewsNeedTheKeyFeedsStayPublic() throws {
        let site = try LoopbackServer { _ in .init(status: 404) }
        let pipelines = ServeTests.feeds.deletingLastPathComponent().appendingPathComponent("Pipelines")
        let arguments = [
            "--on-demand", "--allow-host", "127.0.0.1", "--pipelines", pipelines.path, "--access-key-file",
            try Self.keyFile().path,
        ]
        let full =
            "/full?url=" + "\(site.baseURL)/feed.xml".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let signedFull = try Self.signed(full)
        #expect(signedFull.hasPrefix(full + "&sig="))
        try ServeTests.withServer(arguments) { port in
            #expect(RawHTTP.request(port: port, path: "/example.atom")?.status == 200)
            for path in [full, "/preview", "/preview/example"] {
                let refused = try #require(RawHTTP.request(port: port, path: path))
                #expect(refused.status == 401, "\(path)")
                #expect(refused.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                let wrong = RawHTTP.request(port: port, path: path, headers: ["Authorization": "Bearer not-the-key"])
                #expect(wrong?.status == 401, "\(path)")
            }
            // Shown as a bearer token or as the signature `feedpipe sign` made, the key opens them.
            let bearer = ["Authorization": "Bearer \(Self.secret)"]
            #expect(RawHTTP.request(port: port, path: "/preview", headers: bearer)?.status == 200)
            // The host is allowed and on a private address, so past the key the policy answers (502).
            #expect(RawHTTP.request(port: port, path: full, headers: bearer)?.status == 502)
            #expect(RawHTTP.request(port: port, path: signedFull)?.status == 502)
            // A signature is for one address only.
            let other =
                "/full?url=" + "\(site.baseURL)/other.xml".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let stolen = other + "&sig=" + signedFull.components(separatedBy: "&sig=")[1]
            #expect(RawHTTP.request(port: port, path: stolen)?.status == 401)
        }
        #expect(site.connections == 0)
    }

    @Test func protectedFeedsNeedTheKeyAndTheKeyIsNeverPrinted() throws {
        let port = RawHTTP.freePort()
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = ["serve", "--port", String(port), "--folder", ServeTests.feeds.path, "--protect-feeds"]
        process.environment = ["FEEDPIPE_ACCESS_KEY": Self.secret]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { process.terminate() }
        let deadline = Date().addingTimeInterval(20)
        while RawHTTP.request(port: port, method: "HEAD", path: "/") == nil, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(RawHTTP.request(port: port, path: "/example.atom")?.status == 401)
        #expect(RawHTTP.request(port: port, path: "/")?.status == 401)
        let feed = RawHTTP.request(port: port, path: try Self.signed("/example.atom"))
        #expect(feed?.status == 200)
        let body = String(decoding: feed?.body ?? [], as: UTF8.self)
        #expect(!body.contains(Self.secret))
        process.terminate()
        process.waitUntilExit()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed.contains("Serving"))
        #expect(!printed.contains(Self.secret))
    }

    @Test func aKeyTooShortOrAProxyWithoutKeyIsRefused() throws {
        let short = try CommandLineTests.run(["serve", "--access-key", "short", "--folder", ServeTests.feeds.path])
        #expect(short.status != 0)
        #expect(short.stderr.contains("at least 16 characters"))
        let proxy = try CommandLineTests.run(["serve", "--image-proxy", "--folder", ServeTests.feeds.path])
        #expect(proxy.status != 0)
        #expect(proxy.stderr.contains("need the access key"))
    }

    /// A feed with pictures on another site, in the three places a feed carries them.
    static func feedWithImages(at site: String) throws -> URL {
        let folder = try Repository.temporaryFolder().appendingPathComponent("Feeds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let atom = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Pictures</title><id>urn:uuid:pictures</id>
            <updated>2026-12-01T00:00:00Z</updated>
            <entry><title>One</title><id>urn:uuid:one</id><updated>2026-12-01T00:00:00Z</updated>
            <link rel="alternate" href="https://news.example.org/one"/>
            <link rel="enclosure" type="image/png" href="\(site)/lead.png"/>
            <content type="html">&lt;p&gt;Text&lt;img src="\(site)/inline.png" srcset="\(site)/inline-2x.png 2x"&gt;&lt;img src="data:image/gif;base64,R0lGOD"&gt;&lt;/p&gt;</content>
            </entry></feed>
            """
        try atom.write(to: folder.appendingPathComponent("pictures.atom"), atomically: true, encoding: .utf8)
        return folder
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)

    @Test func imagesGoThroughTheProxyOnlyWhenSigned() throws {
        let site = try LoopbackServer { request in
            request.path.hasSuffix(".png")
                ? .init(status: 200, headers: ["Content-Type": "image/png"], body: Self.png)
                : .init(status: 200, headers: ["Content-Type": "text/html"], body: Array("<p>secret page</p>".utf8))
        }
        let folder = try Self.feedWithImages(at: site.baseURL)
        let arguments = ["--image-proxy", "--allow-private-addresses", "--access-key-file", try Self.keyFile().path]
        try ServeTests.withServer(arguments, folder: folder) { port in
            let answer = try #require(RawHTTP.request(port: port, path: "/pictures.atom"))
            let feed = String(decoding: answer.body, as: UTF8.self)
            // No address of the image site is left for a reader to load directly.
            #expect(!feed.contains("src=\"\(site.baseURL)") && !feed.contains("href=\"\(site.baseURL)"), "\(feed)")
            #expect(!feed.contains("srcset"))
            #expect(feed.contains("data:image/gif;base64,R0lGOD"))
            let proxied = feed.components(separatedBy: "http://127.0.0.1:\(port)/image?url=").dropFirst().map {
                "/image?url=" + $0.prefix { $0 != "\"" && $0 != "&" && $0 != "<" }
                    + "&sig=" + ($0.components(separatedBy: "sig=").dropFirst().first?.prefix(64) ?? "")
            }
            #expect(proxied.count == 2, "\(feed)")
            for path in proxied {
                let image = try #require(RawHTTP.request(port: port, path: path))
                #expect(image.status == 200, "\(path)")
                #expect(image.headers["content-type"] == "image/png")
                #expect(image.body == Self.png)
                #expect(image.headers["cache-control"]?.contains("max-age") == true)
            }
            #expect(site.received.count == 2)
            // An address the server did not sign is never fetched, nor is a signed one that is no image.
            let unsigned =
                "/image?url=" + "\(site.baseURL)/other.png".addingPercentEncoding(
                    withAllowedCharacters: .alphanumerics)!
            #expect(RawHTTP.request(port: port, path: unsigned)?.status == 401)
            #expect(RawHTTP.request(port: port, path: unsigned + "&sig=00")?.status == 401)
            #expect(site.received.count == 2)
            let page = try Self.signed(
                "/image?url=" + "\(site.baseURL)/page.html".addingPercentEncoding(
                    withAllowedCharacters: .alphanumerics)!)
            let notImage = try #require(RawHTTP.request(port: port, path: page))
            #expect(notImage.status == 502)
            #expect(!String(decoding: notImage.body, as: UTF8.self).contains("secret page"))
        }
        // Without --allow-private-addresses the proxy obeys the address policy: nothing is connected to.
        let before = site.connections
        let strict = ["--image-proxy", "--access-key-file", try Self.keyFile().path]
        try ServeTests.withServer(strict, folder: folder) { port in
            let path = try Self.signed(
                "/image?url=" + "\(site.baseURL)/lead.png".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            )
            let refused = try #require(RawHTTP.request(port: port, path: path))
            #expect(refused.status == 502)
            #expect(String(decoding: refused.body, as: UTF8.self).contains("private or local address"))
        }
        #expect(site.connections == before)
    }
}
