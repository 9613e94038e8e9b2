internal import CSQLite
import Feed
import Foundation
import Markup

/// The state store in one SQLite file; every write is a transaction. The connection is this object's own:
/// no SQLite pointer leaves it.
package final class SQLiteStore: StateStore {
    private let database: OpaquePointer
    /// Statements already prepared, by their SQL: a run asks the same few questions for every article. No
    /// row handler runs a query itself, so a statement is never stepped twice at once.
    private var prepared: [String: OpaquePointer] = [:]
    package let path: String
    /// Where a corrupt store found at `path` was moved before a new one was made there, this run.
    package let movedAside: String?

    /// Opens the store at `path`, making it when there is none. A file there that is not an SQLite
    /// database, or one that fails SQLite's integrity check, is moved aside (kept beside it as
    /// `PATH.corrupt-TIME`, named in `movedAside`) and a new store is made, so that one broken file does not
    /// stop every later run; the feeds on disk then give their entries back (see `Runner`).
    package init(path: String) throws(StateError) {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        switch Self.open(path) {
        case .success(let handle):
            database = handle
            movedAside = nil
        case .failure(let failure) where failure.isCorruption:
            let stamp = Timestamp.rfc3339(Date()).replacingOccurrences(of: ":", with: "")
            let aside = "\(path).corrupt-\(stamp)"
            guard rename(path, aside) == 0 else {
                throw StateError(
                    path: path, "\(failure.message); it cannot be moved aside: \(String(cString: strerror(errno)))")
            }
            for suffix in ["-wal", "-shm"] { rename(path + suffix, aside + suffix) }
            switch Self.open(path) {
            case .success(let handle): database = handle
            case .failure(let again): throw StateError(path: path, "\(again.message)")
            }
            movedAside = aside
        case .failure(let failure):
            throw StateError(path: path, "\(failure.message)")
        }
    }

    /// Why SQLite could not open or set up a store.
    private struct OpenFailure: Error {
        let code: Int32
        let message: String
        var isCorruption: Bool { code == SQLITE_NOTADB || code == SQLITE_CORRUPT }
    }

    private static func open(_ path: String) -> Result<OpaquePointer, OpenFailure> {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            let code = handle.map { sqlite3_errcode($0) } ?? SQLITE_CANTOPEN
            sqlite3_close(handle)
            return .failure(OpenFailure(code: code, message: message))
        }
        sqlite3_busy_timeout(handle, 30_000)
        func fail(_ message: String, code: Int32? = nil) -> Result<OpaquePointer, OpenFailure> {
            let failure = OpenFailure(code: code ?? sqlite3_errcode(handle), message: message)
            sqlite3_close(handle)
            return .failure(failure)
        }
        var error: UnsafeMutablePointer<CChar>?
        // The validators are a table without rowids: their key ("feed url") is kept once, not in the table
        // and again in its index (a megabyte at 10,000 articles; stores made before keep their layout).
        // An entry's row starts with what a feed's outline and body fingerprints are read from and ends with
        // its compressed body: a body longer than a page spills over pages of its own, and the columns
        // before it are read from the row's first page without them.
        let schema = """
            PRAGMA page_size = 2048;
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS entries (
                feed TEXT NOT NULL, id TEXT NOT NULL, published REAL, updated REAL NOT NULL, first_seen REAL NOT NULL,
                position INTEGER, stored_in INTEGER, body_mark INTEGER,
                link TEXT NOT NULL, title TEXT NOT NULL, author TEXT, image TEXT, language TEXT, categories TEXT,
                enclosures TEXT, content_size INTEGER, summary_size INTEGER, summary TEXT, content TEXT,
                packed_content BLOB,
                PRIMARY KEY (feed, id)
            );
            CREATE TABLE IF NOT EXISTS validators (
                url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, fetched_at REAL, entry TEXT
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS feeds (
                feed TEXT PRIMARY KEY, revision INTEGER NOT NULL DEFAULT 0, emitted TEXT
            );
            """
        guard sqlite3_exec(handle, schema, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "cannot be set up"
            sqlite3_free(error)
            return fail(message)
        }
        // Stores made before these were kept lack the columns; adding one twice fails harmlessly.
        for column in [
            "validators ADD COLUMN fetched_at REAL", "validators ADD COLUMN entry TEXT",
            "entries ADD COLUMN categories TEXT",
            "entries ADD COLUMN enclosures TEXT", "entries ADD COLUMN position INTEGER",
            "entries ADD COLUMN packed_content BLOB", "entries ADD COLUMN content_size INTEGER",
            "entries ADD COLUMN body_mark INTEGER", "entries ADD COLUMN summary_size INTEGER",
            "entries ADD COLUMN stored_in INTEGER",
        ] {
            sqlite3_exec(handle, "ALTER TABLE " + column, nil, nil, nil)
        }
        // Stores made before the layout above have the outline's columns after the compressed body, where
        // reading them read every page of every body (59,000 reads for 20 feeds of 500): there an index holds
        // them. The new layout needs none (1.5 MB, 3 % of the store, at 10,000 articles).
        if Self.bodyComesFirst(handle) {
            sqlite3_exec(
                handle,
                """
                CREATE INDEX IF NOT EXISTS entries_outline ON entries (
                    feed, published, updated, first_seen, position, id, stored_in, body_mark)
                """, nil, nil, nil)
        }
        // A store whose pages are damaged opens and fails later, on some query or other: look now. The check
        // reads every page, so it runs on the first opening of each day (the day is kept as the store's
        // `user_version`), not on every run: a run that changes nothing costs nothing per stored entry.
        let today = Int32(clamping: Int(Date().timeIntervalSince1970 / 86_400))
        var version: OpaquePointer?
        var checkedOn: Int32 = -1
        if sqlite3_prepare_v2(handle, "PRAGMA user_version", -1, &version, nil) == SQLITE_OK,
            sqlite3_step(version) == SQLITE_ROW
        {
            checkedOn = sqlite3_column_int(version, 0)
        }
        sqlite3_finalize(version)
        guard checkedOn != today else { return .success(handle) }
        var check: OpaquePointer?
        var verdict = "ok"
        if sqlite3_prepare_v2(handle, "PRAGMA quick_check(1)", -1, &check, nil) == SQLITE_OK {
            if sqlite3_step(check) == SQLITE_ROW, let text = sqlite3_column_text(check, 0) {
                verdict = String(cString: text)
            }
        } else {
            verdict = String(cString: sqlite3_errmsg(handle))
        }
        let checkCode = sqlite3_errcode(handle)
        sqlite3_finalize(check)
        if verdict != "ok" {
            return fail(
                "integrity check: \(verdict)", code: checkCode == SQLITE_NOTADB ? SQLITE_NOTADB : SQLITE_CORRUPT)
        }
        sqlite3_exec(handle, "PRAGMA user_version = \(today)", nil, nil, nil)
        return .success(handle)
    }

    /// Whether the entries table keeps its compressed bodies before the outline's columns (the layout of
    /// stores whose columns were added one by one).
    private static func bodyComesFirst(_ handle: OpaquePointer) -> Bool {
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(handle, "PRAGMA table_info(entries)", -1, &statement, nil) == SQLITE_OK else {
            return true
        }
        var columns: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW, let name = sqlite3_column_text(statement, 1) {
            columns.append(String(cString: name))
        }
        guard let body = columns.firstIndex(of: "packed_content"), let mark = columns.firstIndex(of: "body_mark")
        else { return true }
        return body < mark
    }

    package func validators(for url: String, feed: String) throws(StateError) -> Validators? {
        var found: Validators?
        try query(
            "SELECT etag, last_modified, fetched_at, entry FROM validators WHERE url = ?", [Self.key(url, feed)]
        ) { row in
            found = Validators(etag: row.text(0), lastModified: row.text(1), fetchedAt: row.date(2), entry: row.text(3))
        }
        return found
    }

    /// Rows are keyed by the feed's id and the URL, separated by a space (ids are IRIs: they have none).
    static func key(_ url: String, _ feed: String) -> String { feed + " " + url }

    package func save(_ validators: Validators, for url: String, feed: String) throws(StateError) {
        let url = Self.key(url, feed)
        try run(
            """
            INSERT INTO validators (url, etag, last_modified, fetched_at, entry) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                fetched_at = excluded.fetched_at, entry = COALESCE(excluded.entry, validators.entry)
            """, [url, validators.etag, validators.lastModified, validators.fetchedAt, validators.entry])
    }

    deinit {
        for statement in prepared.values { sqlite3_finalize(statement) }
        sqlite3_close(database)
    }

    package func entries(feed: String) throws(StateError) -> [Entry] {
        var entries: [Entry] = []
        try query(
            """
            SELECT \(Self.entryColumns)
            FROM entries WHERE feed = ?
            ORDER BY COALESCE(published, updated) DESC, first_seen DESC, COALESCE(position, 0), id
            """, [feed]
        ) { entries.append(Self.entry(from: $0)) }
        return entries
    }

    package func entry(feed: String, id: String) throws(StateError) -> Entry? {
        var found: Entry?
        try query(
            """
            SELECT \(Self.entryColumns)
            FROM entries WHERE feed = ? AND id = ?
            """, [feed, id]
        ) { found = Self.entry(from: $0) }
        return found
    }

    private static let entryColumns = """
        id, link, title, author, published, updated, summary, content, image, language, categories, enclosures, position,
            packed_content, content_size, summary_size
        """

    /// The entry a row holds. A body whose compressed copy is damaged is read as none: the entry stays (with
    /// its summary), and its next fetch gives the body back.
    private static func entry(from row: Row) -> Entry {
        var (content, summary) = (row.text(7), row.text(6))
        if let size = row.integer(14) {
            let sizes = [size] + (row.integer(15).map { [$0] } ?? [])
            let texts = row.blob(13) { PackedText.unpack($0, sizes: sizes) }
            content = texts?.first
            if sizes.count == 2 { summary = texts?.last }
        }
        return Entry(
            id: row.text(0) ?? "", title: row.text(2) ?? "", link: row.text(1).flatMap { $0.isEmpty ? nil : $0 },
            author: row.text(3), published: row.date(4), updated: row.date(5) ?? Date(timeIntervalSince1970: 0),
            summary: summary, content: content, image: row.text(8), language: row.text(9),
            categories: row.text(10).map { $0.split(separator: "\n").map(String.init) } ?? [],
            enclosures: row.text(11).flatMap { try? JSONDecoder().decode([Enclosure].self, from: Data($0.utf8)) } ?? [],
            position: row.integer(12))
    }

    /// An entry's enclosures as stored: JSON, or `nil` for none.
    private static func stored(_ enclosures: [Enclosure]) -> String? {
        guard !enclosures.isEmpty, let data = try? JSONEncoder().encode(enclosures) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    package func bodyMarks(feed: String) throws(StateError) -> [UInt64: String] {
        // Rows stored before fingerprints were kept have none: their bodies are read once, then marked (0:
        // a body too short to have one).
        var unmarked: [String] = []
        try query(
            """
            SELECT id FROM entries
            WHERE feed = ? AND body_mark IS NULL AND (content IS NOT NULL OR packed_content IS NOT NULL)
            """, [feed]
        ) { unmarked.append($0.text(0) ?? "") }
        for id in unmarked {
            let mark = try entry(feed: feed, id: id).flatMap { BodyFingerprint.of($0.content) } ?? 0
            try run(
                "UPDATE entries SET body_mark = ? WHERE feed = ? AND id = ?", [Int(Int64(bitPattern: mark)), feed, id])
        }
        var marks: [UInt64: String] = [:]
        try query(
            """
            SELECT id, body_mark FROM entries WHERE feed = ? AND body_mark IS NOT NULL AND body_mark != 0
            ORDER BY COALESCE(published, updated) DESC, first_seen DESC, COALESCE(position, 0), id
            """, [feed]
        ) { row in
            let mark = UInt64(bitPattern: Int64(row.integer(1) ?? 0))
            if marks[mark] == nil { marks[mark] = row.text(0) ?? "" }
        }
        return marks
    }

    package func outline(feed: String) throws(StateError) -> [EntryOutline] {
        var outline: [EntryOutline] = []
        try query(
            """
            SELECT id, updated, stored_in FROM entries WHERE feed = ?
            ORDER BY COALESCE(published, updated) DESC, first_seen DESC, COALESCE(position, 0), id
            """, [feed]
        ) { row in
            outline.append(
                EntryOutline(
                    id: row.text(0) ?? "", updated: row.date(1) ?? Date(timeIntervalSince1970: 0),
                    revision: row.integer(2) ?? 0))
        }
        return outline
    }

    package func status(feed: String) throws(StateError) -> FeedStatus {
        var status = FeedStatus()
        try query("SELECT COUNT(*) FROM entries WHERE feed = ?", [feed]) { status.count = $0.integer(0) ?? 0 }
        try query("SELECT revision, emitted FROM feeds WHERE feed = ?", [feed]) { row in
            status.revision = row.integer(0) ?? 0
            status.emitted = row.text(1)
        }
        return status
    }

    package func markEmitted(_ mark: String, feed: String) throws(StateError) {
        try run(
            "INSERT INTO feeds (feed, emitted) VALUES (?, ?) ON CONFLICT (feed) DO UPDATE SET emitted = excluded.emitted",
            [feed, mark])
    }

    @discardableResult
    package func forget(feed: String) throws(StateError) -> Int {
        var count = 0
        try query("SELECT COUNT(*) FROM entries WHERE feed = ?", [feed]) { count = $0.integer(0) ?? 0 }
        try execute("BEGIN IMMEDIATE")
        do {
            try run("DELETE FROM entries WHERE feed = ?", [feed])
            try run("DELETE FROM feeds WHERE feed = ?", [feed])
            // Validators are keyed "feed url" (see `key`): the feed's own, by their prefix.
            try run("DELETE FROM validators WHERE substr(url, 1, length(?) + 1) = ? || ' '", [feed, feed])
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        return count
    }

    package func firstSeen(feed: String, id: String) throws(StateError) -> Date? {
        var seen: Date?
        try query("SELECT first_seen FROM entries WHERE feed = ? AND id = ?", [feed, id]) { seen = $0.date(0) }
        return seen
    }

    @discardableResult
    package func merge(
        _ incoming: [Entry], fetched: [(url: String, validators: Validators)], feed: String, seenAt now: Date,
        keep: Int
    ) throws(StateError) -> (new: Int, updated: Int) {
        // Only the entries coming in are looked up: the feed keeps up to `keep` entries, bodies and all, and a
        // run that brings one new article has no need to read them all.
        var existing: [String: Entry] = [:]
        for entry in incoming where existing[entry.id] == nil {
            if let stored = try self.entry(feed: feed, id: entry.id) { existing[entry.id] = stored }
        }
        var new = 0
        var updated = 0
        try execute("BEGIN IMMEDIATE")
        do {
            // The revision this merge makes, should it change anything: each row it writes is marked with it.
            var revision = 1
            try query("SELECT revision FROM feeds WHERE feed = ?", [feed]) { revision = ($0.integer(0) ?? 0) + 1 }
            let plan = MergePlan(incoming, stored: existing)
            (new, updated) = (plan.new, plan.updated)
            for entry in plan.writes {
                // The body and the summary go into one stream; a short body stays as text, the summary beside it.
                let packed = entry.content.flatMap { PackedText.pack([$0] + (entry.summary.map { [$0] } ?? [])) }
                try run(
                    """
                    INSERT INTO entries (feed, id, link, title, author, published, updated, summary, content, image,
                        language, first_seen, categories, enclosures, position, packed_content, content_size, body_mark,
                        summary_size, stored_in)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (feed, id) DO UPDATE SET link = excluded.link, title = excluded.title,
                        author = excluded.author, published = excluded.published, updated = excluded.updated,
                        summary = excluded.summary, content = excluded.content, image = excluded.image,
                        language = excluded.language, categories = excluded.categories,
                        enclosures = excluded.enclosures, position = excluded.position,
                        packed_content = excluded.packed_content, content_size = excluded.content_size,
                        body_mark = excluded.body_mark, summary_size = excluded.summary_size,
                        stored_in = excluded.stored_in
                    """,
                    [
                        feed, entry.id, entry.link ?? "", entry.title, entry.author, entry.published, entry.updated,
                        packed == nil ? entry.summary : nil, packed == nil ? entry.content : nil, entry.image,
                        entry.language, now,
                        entry.categories.isEmpty ? nil : entry.categories.joined(separator: "\n"),
                        Self.stored(entry.enclosures), entry.position, packed,
                        packed == nil ? nil : entry.content?.utf8.count,
                        BodyFingerprint.of(entry.content).map { Int(Int64(bitPattern: $0)) },
                        packed == nil ? nil : entry.summary?.utf8.count, revision,
                    ])
            }
            // Pruning sorts the feed's entries: only when there are more than it keeps.
            var count = 0
            try query("SELECT COUNT(*) FROM entries WHERE feed = ?", [feed]) { count = $0.integer(0) ?? 0 }
            var removed = 0
            if count > keep {
                try run(
                    """
                    DELETE FROM entries WHERE feed = ? AND id NOT IN (
                        SELECT id FROM entries WHERE feed = ?
                        ORDER BY COALESCE(published, updated) DESC, first_seen DESC, COALESCE(position, 0), id LIMIT ?)
                    """, [feed, feed, max(0, keep)])
                removed = Int(sqlite3_changes(database))
            }
            if new + updated + removed > 0 {
                try run(
                    """
                    INSERT INTO feeds (feed, revision) VALUES (?, 1)
                    ON CONFLICT (feed) DO UPDATE SET revision = revision + 1
                    """, [feed])
            }
            // In the same transaction: a transaction of its own for each article cost a WAL write and four
            // file locks, 500 of them in a run over 50 sites.
            for (url, validators) in fetched { try save(validators, for: url, feed: feed) }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        return (new, updated)
    }

    // MARK: SQLite

    private func execute(_ sql: String) throws(StateError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(database, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw StateError(path: path, "\(text)")
        }
    }

    private func run(_ sql: String, _ values: [(any Sendable)?]) throws(StateError) {
        try query(sql, values) { _ in }
    }

    private func query(_ sql: String, _ values: [(any Sendable)?], row: (Row) -> Void) throws(StateError) {
        let statement = try statement(for: sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case let text as String: feedpipe_sqlite3_bind_text(statement, index, text)
            case let date as Date: sqlite3_bind_double(statement, index, date.timeIntervalSince1970)
            case let number as Int: sqlite3_bind_int64(statement, index, Int64(number))
            case let bytes as [UInt8]:
                bytes.withUnsafeBytes {
                    _ = feedpipe_sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count))
                }
            default: sqlite3_bind_null(statement, index)
            }
        }
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_ROW {
                row(Row(statement: statement))
            } else if status == SQLITE_DONE {
                return
            } else {
                throw StateError(path: path, "\(String(cString: sqlite3_errmsg(database)))")
            }
        }
    }

    /// The statement for `sql`, prepared on its first use and kept until the store is closed.
    private func statement(for sql: String) throws(StateError) -> OpaquePointer {
        if let statement = prepared[sql] { return statement }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
            let statement
        else {
            throw StateError(path: path, "\(String(cString: sqlite3_errmsg(database)))")
        }
        prepared[sql] = statement
        return statement
    }

    private struct Row {
        let statement: OpaquePointer

        func text(_ column: Int32) -> String? {
            sqlite3_column_text(statement, column).map { String(cString: $0) }
        }

        /// The column's bytes, read in place by `read`; `nil` when it is NULL.
        func blob<T>(_ column: Int32, _ read: (UnsafeRawBufferPointer) -> T?) -> T? {
            guard sqlite3_column_type(statement, column) != SQLITE_NULL else { return nil }
            let bytes = sqlite3_column_blob(statement, column)
            return read(UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))))
        }

        func integer(_ column: Int32) -> Int? {
            sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(statement, column))
        }

        func date(_ column: Int32) -> Date? {
            sqlite3_column_type(statement, column) == SQLITE_NULL
                ? nil : Date(timeIntervalSince1970: sqlite3_column_double(statement, column))
        }
    }
}
