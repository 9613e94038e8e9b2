import CSQLite
import Feed
import Foundation
import PostgresState
import State
import TestSupport
import Testing

/// The behaviours every state store must have, run against the SQLite store, the in-memory one and, where
/// `FEEDPIPE_TEST_POSTGRES` names a database (CI starts one), the PostgreSQL store alike.
@Suite("State stores")
struct StateStoreTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, memory, postgres
        var testDescription: String { rawValue }

        /// The stores this machine can make.
        static var available: [Kind] { TestDatabase.address == nil ? [.sqlite, .memory] : allCases }

        func make() async throws -> any StateStore {
            switch self {
            case .sqlite:
                try SQLiteStore(path: Repository.temporaryFolder().appendingPathComponent("state.sqlite").path)
            case .memory: MemoryStore()
            case .postgres: try await PostgresStore(url: try #require(TestDatabase.fresh()))
            }
        }
    }

    static func entry(_ id: String, published: TimeInterval?, updated: TimeInterval = 0, title: String? = nil) -> Entry
    {
        Entry(
            id: id, title: title ?? "Story \(id)", link: "https://news.example/\(id)", author: nil,
            published: published.map { Date(timeIntervalSince1970: $0) }, updated: Date(timeIntervalSince1970: updated),
            summary: nil, content: "<p>\(id)</p>", image: nil, language: nil)
    }

    @Test("merge counts new and changed entries, keeps the newest, and orders newest first", arguments: Kind.available)
    func mergeCountsPrunesAndOrders(kind: Kind) async throws {
        let store = try await kind.make()
        let first = Date(timeIntervalSince1970: 1_000)
        let counts = try await store.merge(
            [
                Self.entry("a", published: 10), Self.entry("b", published: 30),
                Self.entry("c", published: nil, updated: 20),
            ],
            feed: "f", seenAt: first, keep: 10)
        #expect(counts.new == 3 && counts.updated == 0)
        #expect(try await store.entries(feed: "f").map(\.id) == ["b", "c", "a"])

        // The same entry again is no change; a changed title is one; the oldest goes past `keep`.
        let again = try await store.merge(
            [Self.entry("a", published: 10), Self.entry("b", published: 30, title: "New title")], feed: "f",
            seenAt: first.addingTimeInterval(60), keep: 2)
        #expect(again.new == 0 && again.updated == 1)
        #expect(try await store.entries(feed: "f").map(\.id) == ["b", "c"])
        #expect(try await store.entry(feed: "f", id: "b")?.title == "New title")
        #expect(try await store.entry(feed: "f", id: "a") == nil)
        // An entry keeps the time it was first seen through its updates.
        #expect(try await store.firstSeen(feed: "f", id: "b") == first)
        // Feeds do not see one another's entries.
        #expect(try await store.entries(feed: "other").isEmpty)
    }

    @Test("validators are kept per feed and URL", arguments: Kind.available)
    func validatorsPerFeed(kind: Kind) async throws {
        let store = try await kind.make()
        let saved = Validators(
            etag: "\"v1\"", lastModified: "Tue, 01 Dec 2026 10:00:00 GMT", fetchedAt: Date(timeIntervalSince1970: 5))
        try await store.save(saved, for: "https://news.example/a", feed: "f")
        #expect(try await store.validators(for: "https://news.example/a", feed: "f") == saved)
        #expect(try await store.validators(for: "https://news.example/a", feed: "g") == nil)
        #expect(try await store.validators(for: "https://news.example/b", feed: "f") == nil)
    }

    @Test("a merge saves the validators of the articles its entries came from", arguments: Kind.available)
    func mergeSavesValidators(kind: Kind) async throws {
        let store = try await kind.make()
        let saved = Validators(etag: "\"v2\"", lastModified: nil, fetchedAt: Date(timeIntervalSince1970: 7))
        try await store.merge(
            [Self.entry("a", published: 1)], fetched: [("https://news.example/a", saved)], feed: "f",
            seenAt: Date(), keep: 5)
        #expect(try await store.validators(for: "https://news.example/a", feed: "f") == saved)
        #expect(try await store.entries(feed: "f").map(\.id) == ["a"])
    }

    @Test(
        "forgetting a feed removes its entries, revision and validators and no other feed's", arguments: Kind.available)
    func forgetIsPerFeed(kind: Kind) async throws {
        let store = try await kind.make()
        let validators = Validators(etag: "\"e\"", fetchedAt: Date(timeIntervalSince1970: 3))
        for feed in ["f", "f2"] {
            try await store.merge(
                [Self.entry("a", published: 1), Self.entry("b", published: 2)],
                fetched: [("https://news.example/a", validators)], feed: feed, seenAt: Date(), keep: 10)
        }
        #expect(try await store.forget(feed: "f") == 2)
        #expect(try await store.status(feed: "f") == FeedStatus())
        #expect(try await store.validators(for: "https://news.example/a", feed: "f") == nil)
        #expect(try await store.entries(feed: "f2").map(\.id) == ["b", "a"])
        #expect(try await store.validators(for: "https://news.example/a", feed: "f2") == validators)
    }

    @Test("a database that cannot be reached or an address that is not one is named with the cause")
    func unreachableDatabase() async {
        await #expect {
            _ = try await PostgresStore(url: "postgres://feedpipe:secret@127.0.0.1:1/feeds?sslmode=disable")
        } throws: { error in
            let text = "\(error)"
            return text.contains("postgres://feedpipe@127.0.0.1:1/feeds") && text.contains("cannot connect")
                && !text.contains("secret")
        }
        await #expect {
            _ = try await PostgresStore(url: "postgres://127.0.0.1/feeds?schema=Robert');DROP")
        } throws: { error in "\(error)".contains("schema") }
    }

    @Test("a file that is not a store is moved aside and a new store made in its place")
    func corruptFileIsMovedAside() async throws {
        let folder = try Repository.temporaryFolder()
        let path = folder.appendingPathComponent("state.sqlite").path
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: path))
        let store = try SQLiteStore(path: path)
        let aside = try #require(store.movedAside)
        #expect(FileManager.default.fileExists(atPath: aside))
        #expect(try store.entries(feed: "f").isEmpty)
        try await store.merge([Self.entry("a", published: 1)], feed: "f", seenAt: Date(), keep: 5)
        #expect(try SQLiteStore(path: path).entries(feed: "f").map(\.id) == ["a"])
    }

    @Test("a store that cannot be made names its path and the cause")
    func unopenableStoreNamesPath() throws {
        let folder = try Repository.temporaryFolder()
        let blocker = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let path = blocker.appendingPathComponent("state.sqlite").path
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            "\(error)".hasPrefix("\(path): state store: ")
        }
    }

    @Test("a feed's revision goes up only when an entry comes, changes or goes", arguments: Kind.available)
    func revisionFollowsChange(kind: Kind) async throws {
        let store = try await kind.make()
        #expect(try await store.status(feed: "f") == FeedStatus())
        let seen = Date(timeIntervalSince1970: 1_000)
        try await store.merge(
            [Self.entry("a", published: 10), Self.entry("b", published: 20)], feed: "f", seenAt: seen, keep: 5)
        let status = try await store.status(feed: "f")
        #expect(status.revision == 1 && status.count == 2)
        try await store.markEmitted("1 settings", feed: "f")
        // The same entries again, or nothing: no change.
        try await store.merge([Self.entry("a", published: 10)], feed: "f", seenAt: seen, keep: 5)
        try await store.merge([], feed: "f", seenAt: seen, keep: 5)
        #expect(try await store.status(feed: "f") == FeedStatus(count: 2, revision: 1, emitted: "1 settings"))
        // A lower maximum removes one: a change.
        try await store.merge([], feed: "f", seenAt: seen, keep: 1)
        #expect(try await store.status(feed: "f") == FeedStatus(count: 1, revision: 2, emitted: "1 settings"))
        #expect(try await store.status(feed: "other") == FeedStatus())
        try await store.forget(feed: "f")
        #expect(try await store.status(feed: "f") == FeedStatus())
    }

    @Test("a long body comes back as it went in, and a page keeps the id of its first entry", arguments: Kind.available)
    func bodiesAndDecidedIDs(kind: Kind) async throws {
        let store = try await kind.make()
        var long = Self.entry("a", published: 10)
        long.content = (0..<400).map { "<p>Paragraph \($0): les élèves ont dû répondre — 学生们 ✓</p>" }.joined()
        try await store.merge([long, Self.entry("b", published: 5)], feed: "f", seenAt: Date(), keep: 5)
        #expect(try await store.entry(feed: "f", id: "a")?.content == long.content)
        #expect(try await store.entries(feed: "f").map(\.content) == [long.content, "<p>b</p>"])

        try await store.save(Validators(etag: "\"1\"", entry: "a"), for: "https://news.example/a", feed: "f")
        // A later fetch's validators that name no entry keep the one decided first.
        try await store.save(Validators(etag: "\"2\""), for: "https://news.example/a", feed: "f")
        #expect(
            try await store.validators(for: "https://news.example/a", feed: "f")
                == Validators(etag: "\"2\"", entry: "a"))
    }

    @Test("bodies are kept compressed")
    func bodiesAreCompressed() async throws {
        let path = try Repository.temporaryFolder().appendingPathComponent("state.sqlite").path
        let store = try SQLiteStore(path: path)
        let body = (0..<2000).map { "<p>Council meeting minutes, item \($0 % 40): the vote was carried.</p>" }.joined()
        let entries = (0..<20).map { index in
            var entry = Self.entry("e\(index)", published: Double(index))
            entry.content = body + "<p>\(index)</p>"
            return entry
        }
        try await store.merge(entries, feed: "f", seenAt: Date(), keep: 50)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(size + wal < body.utf8.count * 20 / 5)
        #expect(try store.entries(feed: "f").first?.content == entries.last?.content)
    }

    @Test(
        "a feed's body fingerprints are known without its bodies, each with its newest entry", arguments: Kind.available
    )
    func bodyMarksNameTheNewestEntry(kind: Kind) async throws {
        let store = try await kind.make()
        let words = (1...30).map { "word\($0)" }.joined(separator: " ")
        var old = Self.entry("old", published: 10)
        old.content = "<p>\(words)</p>"
        var new = Self.entry("new", published: 20)
        new.content = "<div>\(words.uppercased())</div>"
        try await store.merge([old, new, Self.entry("short", published: 30)], feed: "f", seenAt: Date(), keep: 10)
        let mark = try #require(BodyFingerprint.of(old.content))
        #expect(try await store.bodyMarks(feed: "f") == [mark: "new"])
        #expect(try await store.bodyMarks(feed: "other").isEmpty)
    }

    @Test("a feed's outline lists its entries in order with the revision that stored each", arguments: Kind.available)
    func outlineNamesRevisions(kind: Kind) async throws {
        let store = try await kind.make()
        try await store.merge(
            [Self.entry("a", published: 10), Self.entry("b", published: 20)], feed: "f", seenAt: Date(), keep: 5)
        try await store.merge(
            [Self.entry("a", published: 10, title: "Changed"), Self.entry("b", published: 20)], feed: "f",
            seenAt: Date(), keep: 5)
        let outline = try await store.outline(feed: "f")
        #expect(outline.map(\.id) == ["b", "a"])
        #expect(outline.map(\.revision) == [1, 2])
        #expect(outline.map(\.updated) == [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 0)])
    }

    /// A store made before entries' rows began with the outline's columns has them after the compressed
    /// body: it keeps its layout and gets the index that holds them; a new store needs no index.
    @Test("a store of the earlier layout is read and written, with the outline's index")
    func earlierLayoutKeepsItsIndex() async throws {
        let folder = try Repository.temporaryFolder()
        let old = folder.appendingPathComponent("old.sqlite").path
        let new = folder.appendingPathComponent("new.sqlite").path
        try Self.execute(
            """
            CREATE TABLE entries (
                feed TEXT NOT NULL, id TEXT NOT NULL, link TEXT NOT NULL, title TEXT NOT NULL, author TEXT,
                published REAL, updated REAL NOT NULL, summary TEXT, content TEXT, image TEXT, language TEXT,
                first_seen REAL NOT NULL, categories TEXT, enclosures TEXT, position INTEGER, packed_content BLOB,
                content_size INTEGER, body_mark INTEGER, summary_size INTEGER, stored_in INTEGER,
                PRIMARY KEY (feed, id));
            INSERT INTO entries (feed, id, link, title, published, updated, content, first_seen)
                VALUES ('f', 'kept', 'https://news.example/kept', 'Kept', 5, 5, '<p>Kept from before.</p>', 5);
            """, in: old)
        for path in [old, new] {
            let store = try SQLiteStore(path: path)
            var entry = Self.entry("a", published: 10)
            entry.content = "<p>" + String(repeating: "A body longer than a page of the store. ", count: 200) + "</p>"
            try await store.merge([entry], feed: "f", seenAt: Date(), keep: 5)
            #expect(try store.entries(feed: "f").first?.content == entry.content)
            #expect(try await store.outline(feed: "f").map(\.id) == (path == old ? ["a", "kept"] : ["a"]))
        }
        #expect(try Self.indexes(in: old).contains("entries_outline"))
        #expect(try !Self.indexes(in: new).contains("entries_outline"))
    }

    static func execute(_ sql: String, in path: String) throws {
        var handle: OpaquePointer?
        defer { sqlite3_close(handle) }
        try #require(sqlite3_open(path, &handle) == SQLITE_OK)
        try #require(sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK)
    }

    static func indexes(in path: String) throws -> [String] {
        var handle: OpaquePointer?
        var statement: OpaquePointer?
        defer {
            sqlite3_finalize(statement)
            sqlite3_close(handle)
        }
        try #require(sqlite3_open(path, &handle) == SQLITE_OK)
        try #require(
            sqlite3_prepare_v2(handle, "SELECT name FROM sqlite_master WHERE type = 'index'", -1, &statement, nil)
                == SQLITE_OK)
        var names: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW { names.append(String(cString: sqlite3_column_text(statement, 0))) }
        return names
    }

    /// The integrity check reads the whole file, so it runs on the first opening of a day, which the store
    /// records in its header (`user_version`, four bytes at offset 60).
    @Test("the integrity check is recorded as done today")
    func integrityCheckIsDaily() async throws {
        let path = try Repository.temporaryFolder().appendingPathComponent("state.sqlite").path
        do {
            let store = try SQLiteStore(path: path)
            try await store.merge([Self.entry("a", published: 1)], feed: "f", seenAt: Date(), keep: 5)
        }
        // Closed, the store's last connection writes its log back into the file.
        let header = try #require(FileManager.default.contents(atPath: path)).prefix(64)
        let recorded = header[60..<64].reduce(0) { $0 << 8 | Int($1) }
        #expect(recorded == Int(Date().timeIntervalSince1970 / 86_400))
    }
}
