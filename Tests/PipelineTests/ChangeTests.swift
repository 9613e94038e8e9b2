import Feed
import Fetch
import Foundation
import Logging
import Markup
import State
import TestSupport
import Testing

@testable import Pipeline

/// A run costs what changed: a feed whose entries did not change is neither read from the store nor
/// written, and an entry keeps its id whatever its page names as its address later.
@Suite("Work in proportion to change")
struct ChangeTests {
    typealias Site = RunnerTests.Site

    /// A store that counts the readings of whole feeds.
    final class CountingStore: StateStore {
        let inner: any StateStore
        var wholeFeedsRead = 0

        init(_ inner: any StateStore) { self.inner = inner }

        func validators(for url: String, feed: String) async throws(StateError) -> Validators? {
            try await inner.validators(for: url, feed: feed)
        }
        func save(_ validators: Validators, for url: String, feed: String) async throws(StateError) {
            try await inner.save(validators, for: url, feed: feed)
        }
        func entries(feed: String) async throws(StateError) -> [Entry] {
            wholeFeedsRead += 1
            return try await inner.entries(feed: feed)
        }
        func entry(feed: String, id: String) async throws(StateError) -> Entry? {
            try await inner.entry(feed: feed, id: id)
        }
        func firstSeen(feed: String, id: String) async throws(StateError) -> Date? {
            try await inner.firstSeen(feed: feed, id: id)
        }
        func status(feed: String) async throws(StateError) -> FeedStatus { try await inner.status(feed: feed) }
        func bodyMarks(feed: String) async throws(StateError) -> [UInt64: String] {
            try await inner.bodyMarks(feed: feed)
        }
        func outline(feed: String) async throws(StateError) -> [EntryOutline] { try await inner.outline(feed: feed) }
        func markEmitted(_ mark: String, feed: String) async throws(StateError) {
            try await inner.markEmitted(mark, feed: feed)
        }
        func forget(feed: String) async throws(StateError) -> Int { try await inner.forget(feed: feed) }
        func merge(
            _ incoming: [Entry], fetched: [(url: String, validators: Validators)], feed: String, seenAt: Date, keep: Int
        ) async throws(StateError) -> (new: Int, updated: Int) {
            try await inner.merge(incoming, fetched: fetched, feed: feed, seenAt: seenAt, keep: keep)
        }
    }

    static let runner = RunnerTests.runner

    static func modified(_ url: URL) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date
    }

    @Test func anUnchangedRunReadsNoEntryAndWritesNoFeed() async throws {
        let site = try Site()
        let config = try site.config()
        let store = CountingStore(try site.state())
        let first = try await Self.runner.run(config, state: store)
        #expect(first.new == 4 && store.wholeFeedsRead > 0)
        let atom = site.work.appendingPathComponent("Feeds/example.atom")
        let index = site.work.appendingPathComponent("Feeds/index.html")
        let written = try Self.modified(atom)
        let feed = try site.feed()

        // The list page gives the same links, whose pages were read within the day: nothing new, nothing read,
        // nothing written; the folder's index still lists the feed with its four entries (from the heads kept
        // beside it, not from the file).
        store.wholeFeedsRead = 0
        let second = try await Self.runner.run(config, state: store, now: Date().addingTimeInterval(3600))
        #expect(second.new == 0 && second.updated == 0 && second.kept == 4 && second.failures.isEmpty)
        #expect(store.wholeFeedsRead == 0)
        #expect(try Self.modified(atom) == written)
        #expect(try site.feed() == feed)
        #expect(try String(contentsOf: index, encoding: .utf8).contains("Example over HTTP"))

        // A feed file gone, or a changed title, has the feed written again.
        try FileManager.default.removeItem(at: atom)
        _ = try await Self.runner.run(config, state: store, now: Date().addingTimeInterval(7200))
        #expect(try site.feed() == feed)
        var retitled = config
        retitled.title = "Renamed over HTTP"
        _ = try await Self.runner.run(retitled, state: store, now: Date().addingTimeInterval(10800))
        #expect(try site.feed().contains(">Renamed over HTTP</title>"))
        #expect(try site.entryTitles().count == 4)

        // A file put back in its place since it was written (an older copy restored; with workers on several
        // machines sharing one store, this machine's copy of an earlier revision) is not taken for the one
        // written: the next run writes the feed again.
        let current = try site.feed()
        try feed.write(to: atom, atomically: true, encoding: .utf8)
        _ = try await Self.runner.run(retitled, state: store, now: Date().addingTimeInterval(14400))
        #expect(try site.feed() == current)
    }

    /// A page whose canonical address comes and goes between fetches keeps one entry: the id decided when
    /// it was first read stands. (An id taken from the address the page names each time forked it.)
    @Test func anEntryKeepsItsIdWhenItsPageStopsNamingItsCanonical() async throws {
        let site = try Site()
        let page = site.folder.appendingPathComponent("articles/cycle-lanes-vote.html")
        let original = try String(contentsOf: page, encoding: .isoLatin1)
        // The page names an address on the link's own host (a canonical only counts there).
        let named = original.replacingOccurrences(
            of: "https://ledger.example.org/politics/2022/04/cycle-lanes-vote",
            with: "\(site.server.baseURL)/politics/cycle-lanes-vote")
        #expect(named != original)
        try named.write(to: page, atomically: true, encoding: .isoLatin1)
        let config = try site.config(refreshAfter: "0s")
        let store = try site.state()
        _ = try await Self.runner.run(config, state: store)
        let ids = Set(try store.entries(feed: config.id).map(\.id))
        #expect(ids.count == 4)
        #expect(
            try store.entries(feed: config.id).contains { $0.link?.hasSuffix("/politics/cycle-lanes-vote") == true })

        // Fetched again, updated, with its canonical gone: the same entry, changed.
        let updated = original.replacingOccurrences(
            of: "<p>", with: "<p>Update: the council has published the figures.</p><p>", options: [], range: nil)
        try updated.write(to: page, atomically: true, encoding: .isoLatin1)
        let again = try await Self.runner.run(config, state: store, now: Date().addingTimeInterval(60))
        #expect(again.new == 0 && again.updated == 1)
        #expect(Set(try store.entries(feed: config.id).map(\.id)) == ids)
        #expect(try site.entryTitles().count == 4)
    }

    /// A page that gives no article is reported once, and not asked for again on every run: only once its
    /// refresh age has passed. (Each run fetched and extracted it again, to fail again.)
    @Test func aPageWithoutAnArticleIsNotFetchedOnEveryRun() async throws {
        let story = (1...12).map { "<p>Paragraph \($0) of a story long enough to be an article, with its words.</p>" }
        let server = try LoopbackServer { request in
            switch request.path {
            case "/index.html":
                return .init(
                    status: 200, headers: ["Content-Type": "text/html"],
                    body: Array(
                        "<ul><li><a href=\"/story.html\">Story</a></li><li><a href=\"/video.html\">Video</a></li></ul>"
                            .utf8))
            case "/story.html":
                return .init(
                    status: 200, headers: ["Content-Type": "text/html"],
                    body: Array("<html><body><article><h1>Story</h1>\(story.joined())</article></body></html>".utf8))
            default:
                return .init(
                    status: 200, headers: ["Content-Type": "text/html"],
                    body: Array("<html><body><nav><a href=\"/\">Home</a></nav></body></html>".utf8))
            }
        }
        let work = try Repository.temporaryFolder()
        let yaml = """
            title: Videos and stories
            source:
              url: \(server.baseURL)/index.html
              links: "li a"
            output: \(work.appendingPathComponent("Feeds/mixed.atom").path)
            fetch:
              refresh_after: 1h
            """
        let config = try PipelineConfig.parse(yaml, file: work.appendingPathComponent("mixed.yml").path)
        let store = MemoryStore()
        let first = try await Self.runner.run(config, state: store)
        #expect(first.new == 1)
        #expect(
            first.failures.map(\.description) == [
                "article: \(server.baseURL)/video.html: no article text found in the page"
            ])
        let videoRequests = { server.received.filter { $0.path == "/video.html" }.count }
        #expect(videoRequests() == 1)

        let second = try await Self.runner.run(config, state: store, now: Date().addingTimeInterval(600))
        #expect(second.failures.isEmpty && second.kept == 1)
        #expect(videoRequests() == 1)

        let later = try await Self.runner.run(config, state: store, now: Date().addingTimeInterval(7200))
        #expect(later.failures.count == 1)
        #expect(videoRequests() == 2)
    }

    /// A changed entry rewrites its feed from the file written before: the store gives the changed entry
    /// and the feed's outline, not every body, and the file is the one a whole rewrite gives, byte for byte.
    @Test func aChangedFeedIsMadeFromItsPreviousFileAsAWholeRewriteWouldBe() async throws {
        let site = try Site()
        let config = try site.config(refreshAfter: "0s")
        let store = CountingStore(try site.state())
        _ = try await Self.runner.run(config, state: store)
        let page = site.folder.appendingPathComponent("articles/battery-recycling-plant.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        let changed = html.replacingOccurrences(of: "<p>", with: "<p>Correction: the plant opens in May.</p><p>")
        #expect(changed != html)
        try changed.write(to: page, atomically: true, encoding: .utf8)
        store.wholeFeedsRead = 0
        let second = try await Self.runner.run(config, state: store, now: Date().addingTimeInterval(60))
        #expect(second.updated == 1 && second.kept == 3)
        #expect(store.wholeFeedsRead == 0)
        let spliced = try site.feed()
        #expect(spliced.contains("Correction: the plant opens in May."))
        // CI checks the spliced file as it checks every feed the tests write.
        Repository.keepFeed(site.work.appendingPathComponent("Feeds/example.atom"), as: "spliced-example.atom")

        try FileManager.default.removeItem(at: site.work.appendingPathComponent("Feeds/example.atom"))
        _ = try await Self.runner.run(config, state: store, now: Date().addingTimeInterval(120))
        #expect(store.wholeFeedsRead == 1)
        #expect(try site.feed() == spliced)
    }
}

@Suite("Atomic files")
struct AtomicFileTests {
    @Test func aFileMadeOfPiecesCopiesTheFileItReplacesAsItWasOpened() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("feed.atom").path
        try AtomicFile.write("0123456789", to: path)
        let previous = try #require(AtomicFile.OpenFile(path))
        // Whatever is put at the path meanwhile, the stretches come from the file opened.
        try AtomicFile.write("something else", to: path)
        try AtomicFile.write(
            [.bytes(Array("ab".utf8)), .copy(2..<5), .bytes([]), .copy(8..<10)], from: previous, to: path)
        #expect(String(decoding: try #require(AtomicFile.read(path)), as: UTF8.self) == "ab23489")
        #expect(
            throws: AtomicFile.WriteError.self,
            performing: { try AtomicFile.write([.copy(5..<11)], from: previous, to: path) })
        #expect(String(decoding: try #require(AtomicFile.read(path)), as: UTF8.self) == "ab23489")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["feed.atom"])
    }

    @Test func piecesThatMakeTheFileAsItIsLeaveItUntouched() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("feed.atom").path
        try AtomicFile.write("head|body|tail", to: path)
        let before = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        let previous = try #require(AtomicFile.OpenFile(path))
        try AtomicFile.write(
            [.bytes(Array("head|".utf8)), .copy(5..<10), .bytes(Array("tail".utf8))], from: previous, to: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == before)
        try AtomicFile.write([.bytes(Array("HEAD|".utf8)), .copy(5..<14)], from: previous, to: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int != before)
        #expect(String(decoding: try #require(AtomicFile.read(path)), as: UTF8.self) == "HEAD|body|tail")
    }
}
