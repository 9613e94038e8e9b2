import Feed
import Foundation
import PostgresState
import State
import TestSupport
import Testing

/// Workers sharing one PostgreSQL store, as `feedpipe run --state postgres://…` processes: where
/// `FEEDPIPE_TEST_POSTGRES` names a database (CI starts one on loopback).
@Suite("Workers on a shared store", .enabled(if: TestDatabase.address != nil))
struct SharedStoreTests {
    /// A feed of `count` items, each with its text, date and guid: what an `article: none` pipeline makes
    /// its entries of.
    static func feed(_ number: Int, count: Int) -> String {
        let items = (0..<count).map { index in
            let date = Date(timeIntervalSince1970: 1_780_000_000 - Double(number * count + index) * 60)
            return """
                <item><title>Story \(number)-\(index)</title><link>/story/\(number)/\(index)</link>
                <guid isPermaLink="false">story-\(number)-\(index)</guid><pubDate>\(Self.rfc822(date))</pubDate>
                <description>&lt;p&gt;The text of story \(index) on feed \(number), as the source gave it.&lt;/p&gt;</description></item>
                """
        }
        return """
            <?xml version="1.0"?><rss version="2.0"><channel><title>Feed \(number)</title><link>/</link>
            \(items.joined())</channel></rss>
            """
    }

    static func rfc822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    /// A working folder with one pipeline per feed of `server`.
    static func pipelines(_ names: [String], server: LoopbackServer, keep: Int, article: String = "none") throws
        -> URL
    {
        let work = try Repository.temporaryFolder()
        let folder = work.appendingPathComponent("Pipelines")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in names {
            let yaml = """
                title: \(name)
                id: \(Self.feedID(name))
                source:
                  type: feed
                  url: \(server.baseURL)/\(name).xml
                output: Feeds/\(name).atom
                article: \(article)
                max_entries: \(keep)
                """
            try yaml.write(to: folder.appendingPathComponent("\(name).yml"), atomically: true, encoding: .utf8)
        }
        return work
    }

    /// The id a pipeline's feed is stored under.
    static func feedID(_ name: String) -> String { "urn:feedpipe-test:\(name)" }

    /// Each feed's entry ids in the store, by feed id.
    static func ids(in store: any StateStore, feeds: [String]) async throws -> [String: [String]] {
        var ids: [String: [String]] = [:]
        for feed in feeds { ids[feed] = try await store.entries(feed: feed).map(\.id) }
        return ids
    }

    /// The worker that last took a pipeline, asked of the database with psql: from a server's thread, with
    /// nothing of the test's task pool (which other tests may keep busy) in the way.
    static func claimant(of pipeline: String, in database: String) -> String? {
        guard let psql = Tool.find("psql"), let query = database.range(of: "schema=") else { return nil }
        let schema = database[query.upperBound...].prefix { $0 != "&" }
        let address = database.replacingOccurrences(of: "schema=\(schema)", with: "")
        let sql = "SELECT worker FROM \(schema).feedpipe_runs WHERE pipeline = '\(pipeline)'"
        let answer = try? Tool.output(psql, [address, "-Atc", sql], input: [])
        return answer.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The pipelines a run's summary lines name (`NAME: 3 new, …`).
    static func ran(_ output: CommandLineTests.Output) -> [String] {
        output.stdout.split(separator: "\n").compactMap { line in
            line.contains(" new, ") ? line.split(separator: ":").first.map(String.init) : nil
        }
    }

    /// Two `feedpipe run` processes started at once (not through the test's task pool, which other tests
    /// may keep busy), waited for; their outputs.
    static func together(_ arguments: [String], in work: URL) throws -> [CommandLineTests.Output] {
        let folder = try Repository.temporaryFolder()
        let processes = try (0..<2).map { number in
            let process = Process()
            process.executableURL = CommandLineTests.binary
            process.arguments = arguments
            process.currentDirectoryURL = work
            for (stream, name) in [(1, "out"), (2, "err")] {
                let file = folder.appendingPathComponent("\(number).\(name)")
                _ = FileManager.default.createFile(atPath: file.path, contents: nil)
                let handle = try FileHandle(forWritingTo: file)
                if stream == 1 { process.standardOutput = handle } else { process.standardError = handle }
            }
            try process.run()
            return process
        }
        return try processes.enumerated().map { number, process in
            process.waitUntilExit()
            func text(_ name: String) throws -> String {
                try String(contentsOf: folder.appendingPathComponent("\(number).\(name)"), encoding: .utf8)
            }
            return CommandLineTests.Output(
                status: process.terminationStatus, stdout: try text("out"), stderr: try text("err"))
        }
    }

    @Test func twoWorkersOnOneDatabaseMakeTheEntriesOneSQLiteRunMakes() async throws {
        let feeds = 20
        let perFeed = 500
        let server = try LoopbackServer { request in
            let name = request.path.dropFirst().split(separator: ".").first.map(String.init) ?? ""
            guard name.hasPrefix("feed-"), let number = Int(name.dropFirst(5)) else { return .init(status: 404) }
            // Each feed takes half a second to come, so that no worker is done before the other has started.
            Thread.sleep(forTimeInterval: 0.5)
            return .init(
                status: 200, headers: ["Content-Type": "application/rss+xml"],
                body: Array(Self.feed(number, count: perFeed).utf8))
        }
        defer { server.stop() }
        let names = (0..<feeds).map { "feed-\($0)" }

        let alone = try Self.pipelines(names, server: server, keep: perFeed)
        let single = try await onThread {
            try CommandLineTests.run(["run", "--state", "state.sqlite"], in: alone, timeout: 300)
        }
        #expect(single.status == 0, "\(single.stderr)")

        let shared = try Self.pipelines(names, server: server, keep: perFeed)
        let database = try #require(TestDatabase.fresh())
        let workers = try await onThread {
            try Self.together(["run", "--state", database, "--batch", "2"], in: shared)
        }
        for worker in workers { #expect(worker.status == 0, "\(worker.stderr)") }
        // Each pipeline was run by one worker, and both worked.
        let ran = workers.map(Self.ran)
        #expect(ran.allSatisfy { !$0.isEmpty }, "\(ran)")
        #expect((ran[0] + ran[1]).sorted() == names.sorted(), "\(ran)")

        let store = try await PostgresStore(url: database)
        let sqlite = try SQLiteStore(path: alone.appendingPathComponent("state.sqlite").path)
        let pipelineIDs = names.map(Self.feedID)
        let expected = try await Self.ids(in: sqlite, feeds: pipelineIDs)
        #expect(expected.values.map(\.count).reduce(0, +) == feeds * perFeed)
        #expect(try await Self.ids(in: store, feeds: pipelineIDs) == expected)
        #expect(Set(try await store.claimants().values).count == 2)
        // A worker started later in the same round (within the pipelines' `every:`) finds nothing due.
        let late = try await onThread {
            try CommandLineTests.run(["run", "--state", database], in: shared, timeout: 120)
        }
        #expect(late.status == 0 && Self.ran(late).isEmpty, "\(late.stdout)")
        #expect(late.stdout.contains("\(feeds) pipelines were not due"), "\(late.stdout)")
        // Both workers wrote into one feeds folder: every feed is there, with every entry.
        for name in names {
            let file = shared.appendingPathComponent("Feeds/\(name).atom")
            let entries = try AtomReader.entries(in: Array(try Data(contentsOf: file)), url: file.absoluteString)
            #expect(entries.map(\.id) == expected[Self.feedID(name)])
        }
    }

    @Test func aWorkerKilledMidRunLeavesNothingHalfWrittenAndItsPipelineIsRunByTheOther() async throws {
        // Five quick feeds, and one whose article pages are asked for only by the worker that took it: the
        // server kills that worker at its first request for one, before answering, so the kill comes mid-run
        // however busy the machine is.
        let slowPages = 4
        let database = try #require(TestDatabase.fresh())
        let store = try await PostgresStore(url: database)
        let workers = Locked<[Process]>([])
        let killed = Locked<Process?>(nil)
        let server = try LoopbackServer { request in
            let path = request.path
            if path.hasPrefix("/slow/") {
                killed.withLock { killed in
                    guard killed == nil, let claimant = Self.claimant(of: Self.feedID("slow"), in: database),
                        let holder = workers.withLock({ $0.first { claimant.hasSuffix(" \($0.processIdentifier)") } })
                    else { return }
                    kill(holder.processIdentifier, SIGKILL)
                    killed = holder
                }
                let page = """
                    <html><head><title>Slow story</title></head><body><article><h1>Slow story \(path)</h1>
                    <p>\((0..<12).map { "Sentence \($0) of the slow story at \(path), which no other page tells. " }.joined())</p>
                    </article></body></html>
                    """
                return .init(status: 200, headers: ["Content-Type": "text/html"], body: Array(page.utf8))
            }
            if path == "/slow.xml" {
                let items = (0..<slowPages).map { "<item><title>Slow \($0)</title><link>/slow/\($0)</link></item>" }
                let rss = "<rss version=\"2.0\"><channel><title>Slow</title>\(items.joined())</channel></rss>"
                return .init(status: 200, headers: ["Content-Type": "application/rss+xml"], body: Array(rss.utf8))
            }
            guard let number = Int(path.dropFirst("/feed-".count).prefix { $0.isNumber }) else {
                return .init(status: 404)
            }
            return .init(
                status: 200, headers: ["Content-Type": "application/rss+xml"],
                body: Array(Self.feed(number, count: 10).utf8))
        }
        defer { server.stop() }
        let quick = (0..<5).map { "feed-\($0)" }
        let work = try Self.pipelines(quick, server: server, keep: 50)
        try """
        title: slow
        id: \(Self.feedID("slow"))
        source:
          type: feed
          url: \(server.baseURL)/slow.xml
        output: Feeds/slow.atom
        """.write(to: work.appendingPathComponent("Pipelines/slow.yml"), atomically: true, encoding: .utf8)

        let arguments = ["run", "--state", database, "--batch", "1"]
        try workers.withLock { workers in
            workers = try (0..<2).map { _ in try CommandLineTests.launch(arguments, in: work) }
        }
        let launched = workers.withLock { $0 }
        defer { for worker in launched where worker.isRunning { worker.terminate() } }
        try await onThread { for worker in launched { worker.waitUntilExit() } }
        let victim = try #require(killed.withLock { $0 }, "no worker was killed while reading the slow pipeline")
        #expect(victim.terminationReason == .uncaughtSignal)
        let survivor = try #require(launched.first { $0 !== victim })
        #expect(survivor.terminationStatus == 0)
        // The killed worker stored nothing of the slow pipeline: the survivor's one merge made it (revision 1).
        #expect(try await store.status(feed: Self.feedID("slow")).revision == 1)
        // The survivor took the slow pipeline up when the killed worker's claim lapsed, and ran it whole.
        #expect(try await store.claimants()[Self.feedID("slow")]?.hasSuffix(" \(survivor.processIdentifier)") == true)
        #expect(try await store.entries(feed: Self.feedID("slow")).count == slowPages)
        for name in quick { #expect(try await store.entries(feed: Self.feedID(name)).count == 10) }
        let files = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("Feeds").path)
        #expect(Set(files.filter { $0.hasSuffix(".atom") }) == Set((quick + ["slow"]).map { "\($0).atom" }))
        // No file was left half-written: every file in the folder is a finished one.
        #expect(files.allSatisfy { !$0.hasPrefix(".") || $0.hasPrefix(".feedpipe") }, "\(files)")
    }

    /// `serve --state` answers the feeds the workers published, from the database alone: the workers'
    /// folder is gone, and a change a worker publishes is served with a new version.
    @Test func serveAnswersThePublishedFeedsWithNoFolder() throws {
        let work = try CommandLineTests.workingCopy()
        let database = try #require(TestDatabase.fresh())
        // Due on every run, so that the second run below is not left to the first.
        let example = work.appendingPathComponent("Pipelines/example.yml")
        try (try String(contentsOf: example, encoding: .utf8) + "\nevery: 0s\n").write(
            to: example, atomically: true, encoding: .utf8)
        let ran = try CommandLineTests.run(["run", "--state", database], in: work, timeout: 120)
        #expect(ran.status == 0, "\(ran.stderr)")
        let feeds = work.appendingPathComponent("Feeds")
        let written = Array(try Data(contentsOf: feeds.appendingPathComponent("example.atom")))
        let names = try FileManager.default.contentsOfDirectory(atPath: feeds.path).filter {
            FeedFormatName.isFeed($0)
        }
        try FileManager.default.removeItem(at: feeds)
        // A worker whose folder is new (a pod's scratch space) writes nothing for a feed already published
        // as it stands.
        let unchanged = try CommandLineTests.run(["run", "--state", database, example.path], in: work, timeout: 120)
        #expect(unchanged.status == 0, "\(unchanged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: feeds.appendingPathComponent("example.atom").path))

        let empty = try Repository.temporaryFolder()
        try ServeTests.withServe(["--state", database], in: empty) { port in
            let first = try #require(RawHTTP.request(port: port, path: "/example.atom"))
            #expect(first.status == 200 && first.body == written)
            #expect(first.headers["content-type"] == "application/atom+xml; charset=utf-8")
            let tag = try #require(first.headers["etag"])
            #expect(RawHTTP.request(port: port, path: "/example.atom", headers: ["If-None-Match": tag])?.status == 304)
            let zipped = try #require(
                RawHTTP.request(port: port, path: "/example.atom", headers: ["Accept-Encoding": "gzip"]))
            #expect(zipped.headers["content-encoding"] == "gzip" && zipped.body.starts(with: [0x1F, 0x8B]))
            // Every feed written is served, and the index pages list them all.
            for name in names { #expect(RawHTTP.request(port: port, path: "/" + name)?.status == 200, "\(name)") }
            let opml = String(
                decoding: try #require(RawHTTP.request(port: port, path: "/index.opml")).body, as: UTF8.self)
            #expect(opml.components(separatedBy: "<outline").count - 1 == names.filter { $0.hasSuffix(".atom") }.count)
            let index = try #require(RawHTTP.request(port: port, path: "/", headers: ["Accept": "text/html"]))
            #expect(String(decoding: index.body, as: UTF8.self).contains("example.atom"))
            // A browser's view of a feed names its address in every format published beside it.
            let view = try #require(
                RawHTTP.request(port: port, path: "/example-feed.atom", headers: ["Accept": "text/html"]))
            let shown = String(decoding: view.body, as: UTF8.self)
            for format in ["atom", "rss", "json"] { #expect(shown.contains("/example-feed.\(format)\""), "\(format)") }
            for path in ["/missing.atom", "/../example.atom", "/.hidden.atom", "/sub/example.atom", "/state.sqlite"] {
                #expect(RawHTTP.request(port: port, path: path)?.status == 404, "\(path)")
            }

            // A worker publishes a change: the same address answers it, with a new version.
            try
                (try String(contentsOf: example, encoding: .utf8).replacingOccurrences(
                    of: "\ntitle: ", with: "\ntitle: Renamed, ")).write(to: example, atomically: true, encoding: .utf8)
            let again = try CommandLineTests.run(["run", "--state", database, example.path], in: work, timeout: 120)
            #expect(again.status == 0, "\(again.stderr)")
            let changed = try #require(
                RawHTTP.request(port: port, path: "/example.atom", headers: ["If-None-Match": tag]))
            #expect(changed.status == 200 && changed.headers["etag"] != tag)
            #expect(String(decoding: changed.body, as: UTF8.self).contains("Renamed, "))
        }
    }
}

/// Which file names are feeds.
enum FeedFormatName {

    static func isFeed(_ name: String) -> Bool {
        [".atom", ".rss", ".json"].contains { name.hasSuffix($0) } && !name.hasPrefix(".")
    }
}

/// A value behind a lock, for the server's threads and the test's.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
