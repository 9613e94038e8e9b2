import Foundation
import TestSupport
import Testing

/// `feedpipe serve` where strangers reach it: only what `feedpipe run` writes for readers is served, a
/// project's folder is not served by mistake, and connections end as HTTP says.
@Suite("feedpipe serve: what is exposed")
struct ServeExposureTests {
    /// A copy of the example feeds with files beside them that are not for readers.
    static func feedsWithStrayFiles() throws -> URL {
        let folder = try Repository.temporaryFolder().appendingPathComponent("Feeds")
        try FileManager.default.copyItem(at: ServeTests.feeds, to: folder)
        let strays: [String: String] = [
            "state.sqlite": "SQLite format 3\0", "news.yml": "fetch: {cookies: {session: secret-cookie}}",
            "notes.json": "{\"token\": \"secret-token\"}", "README.md": "secret notes", "backup.atom.bak": "<feed/>",
            "draft.atom": "secret draft, no feed", "sub/passwords.txt": "secret",
        ]
        for (name, text) in strays {
            let file = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func onlyFeedsAndTheIndexesAreServed() throws {
        let folder = try Self.feedsWithStrayFiles()
        // A state store and a pipeline file in the folder stop `serve` from starting unless told (below).
        try ServeTests.withServer(["--allow-project-folder"], folder: folder) { port in
            for path in ["/example.atom", "/example-feed.rss", "/example-feed.json", "/index.opml", "/"] {
                #expect(RawHTTP.request(port: port, path: path)?.status == 200, "\(path)")
            }
            for path in [
                "/state.sqlite", "/news.yml", "/notes.json", "/README.md", "/backup.atom.bak", "/draft.atom",
                "/sub/passwords.txt", "/sub/",
            ] {
                let answer = try #require(RawHTTP.request(port: port, path: path))
                #expect(answer.status == 404, "\(path)")
                #expect(!String(decoding: answer.body, as: UTF8.self).contains("secret"), "\(path)")
            }
        }
    }

    @Test func aFileNamedWithATrailingSlashIsNotFound() throws {
        try ServeTests.withServer { port in
            #expect(RawHTTP.request(port: port, path: "/example.atom/")?.status == 404)
            #expect(RawHTTP.request(port: port, path: "/example.atom")?.status == 200)
        }
    }

    @Test func aProjectFolderIsRefusedUnlessAskedFor() throws {
        let project = ServeTests.feeds.deletingLastPathComponent()
        let refused = try CommandLineTests.run(
            ["serve", "--port", String(RawHTTP.freePort()), "--folder", project.path], timeout: 20)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("holds Pipelines/"), "\(refused.stderr)")
        // Told to, it serves the folder, and still never a pipeline file or the state store.
        try ServeTests.withServer(["--allow-project-folder"], folder: project) { port in
            #expect(RawHTTP.request(port: port, path: "/Feeds/example.atom")?.status == 200)
            #expect(RawHTTP.request(port: port, path: "/Pipelines/example.yml")?.status == 404)
            #expect(RawHTTP.request(port: port, path: "/.feedpipe/state.sqlite")?.status == 404)
        }
    }

    @Test func anHTTP10RequestWithoutKeepAliveIsAnsweredAndClosed() throws {
        try ServeTests.withServer { port in
            let plain = try #require(RawHTTP.exchange(port: port, "GET /example.atom HTTP/1.0\r\n\r\n", timeout: 5))
            #expect(plain.closed)
            let answer = try #require(RawHTTP.parse(plain.bytes))
            #expect(answer.status == 200)
            #expect(answer.headers["connection"]?.lowercased() == "close")
            // HTTP/1.1 asking to close is closed too; without asking, the connection stays open.
            let closing = RawHTTP.exchange(
                port: port, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", timeout: 5)
            #expect(closing?.closed == true)
            let kept = RawHTTP.exchange(port: port, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", timeout: 1)
            #expect(kept?.closed == false)
            #expect(kept.flatMap { RawHTTP.parse($0.bytes) }?.status == 200)
        }
    }
}
