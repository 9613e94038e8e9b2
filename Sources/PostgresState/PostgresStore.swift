import Feed
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import State

/// The state store in a PostgreSQL database, shared by workers on any machines. It keeps what `SQLiteStore`
/// keeps, in the same shape, with the same semantics (the store tests run against both): each merge is one
/// transaction, bodies are compressed with their summary, a feed's revision goes up with every change.
///
/// One connection carries every call, one call at a time (`Turns`): a transaction's statements are never
/// interleaved with another task's. `serve` reads what is published through a store of its own.
package final class PostgresStore: StateStore, PipelineClaims, FeedPublishing, @unchecked Sendable {
    /// The database's address with any password left out, for messages.
    package let location: String
    let connection: PostgresConnection
    let logger: Logger
    /// Whose turn it is to use the connection.
    let turn = Turns()
    /// This worker's name, recorded with the pipelines it takes.
    package let worker: String

    /// Connects to the database `url` names (`postgres://user:password@host:port/database?sslmode=…`) and
    /// makes the store's tables when they are not there; in the schema `?schema=NAME` names, if it does, so
    /// that several installations can share a database. `worker` names this connection in the server's
    /// `pg_stat_activity`.
    package init(url: String, worker: String = PostgresStore.workerName) async throws(StateError) {
        let address = try PostgresAddress(url)
        location = address.display
        self.worker = worker
        var logger = Logger(label: "feedpipe.postgres")
        logger.logLevel = .critical
        self.logger = logger
        var configuration = address.configuration
        configuration.options.additionalStartupParameters = [("application_name", worker)]
        do {
            connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger)
        } catch {
            throw StateError(path: address.display, "cannot connect: \(Self.reason(error))")
        }
        try await setUp(schema: address.schema)
    }

    /// The connection is closed when the store goes; it is kept until the server has seen it closed.
    deinit {
        let connection = connection
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// This process as other workers and the database see it: the host's name and the process id.
    package static var workerName: String {
        "feedpipe \(ProcessInfo.processInfo.hostName) \(ProcessInfo.processInfo.processIdentifier)"
    }

    private func setUp(schema: String?) async throws(StateError) {
        // Two workers starting at once would both make the tables: the first takes a lock for the
        // transaction, the second finds them made.
        try await transaction { () async throws(StateError) in
            // One lock per schema: installations (and tests) in schemas of their own never wait on one another.
            try await execute("SELECT pg_advisory_xact_lock(\(Self.lockSpace), hashtext(\(schema ?? "")))")
            if let schema {
                try await execute("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)")
                // For the session, not only this transaction.
                try await execute("SET search_path TO \(unescaped: schema)")
            }
            try await execute(
                """
                CREATE TABLE IF NOT EXISTS feedpipe_entries (
                    feed TEXT NOT NULL, id TEXT NOT NULL, link TEXT NOT NULL, title TEXT NOT NULL, author TEXT,
                    published DOUBLE PRECISION, updated DOUBLE PRECISION NOT NULL, summary TEXT, content TEXT,
                    image TEXT, language TEXT, first_seen DOUBLE PRECISION NOT NULL, categories TEXT, enclosures TEXT,
                    position BIGINT, packed_content BYTEA, content_size BIGINT, summary_size BIGINT, body_mark BIGINT,
                    stored_in BIGINT,
                    PRIMARY KEY (feed, id)
                )
                """)
            try await execute(
                """
                CREATE TABLE IF NOT EXISTS feedpipe_validators (
                    feed TEXT NOT NULL, url TEXT NOT NULL, etag TEXT, last_modified TEXT, fetched_at DOUBLE PRECISION,
                    entry TEXT,
                    PRIMARY KEY (feed, url)
                )
                """)
            try await execute(
                """
                CREATE TABLE IF NOT EXISTS feedpipe_feeds (
                    feed TEXT PRIMARY KEY, revision BIGINT NOT NULL DEFAULT 0, emitted TEXT
                )
                """)
            try await execute(
                """
                CREATE TABLE IF NOT EXISTS feedpipe_published (
                    name TEXT PRIMARY KEY, tag TEXT NOT NULL, modified DOUBLE PRECISION NOT NULL, title TEXT,
                    site TEXT, self_link TEXT, entries BIGINT NOT NULL DEFAULT 0, body BYTEA NOT NULL
                )
                """)
            try await execute(
                """
                CREATE TABLE IF NOT EXISTS feedpipe_runs (
                    pipeline TEXT PRIMARY KEY, worker TEXT, claimed_at DOUBLE PRECISION, finished_at DOUBLE PRECISION
                )
                """)
        }
    }

    /// The first key of every advisory lock feedpipe takes ("feed" in ASCII), so that its locks stay apart
    /// from any other application's in the same database.
    static let lockSpace: Int32 = 0x6665_6564

    /// The order of a feed's entries, as `Entry.newestFirst` and `SQLiteStore` have it.
    private static let newestFirst =
        "COALESCE(published, updated) DESC, first_seen DESC, COALESCE(position, 0), id"

    private static let entryColumns = """
        id, link, title, author, published, updated, summary, content, image, language, categories, enclosures,
            position, packed_content, content_size, summary_size
        """

    package func validators(for url: String, feed: String) async throws(StateError) -> Validators? {
        try await locked { () async throws(StateError) in
            try await rows(
                "SELECT etag, last_modified, fetched_at, entry FROM feedpipe_validators WHERE feed = \(feed) AND url = \(url)"
            ).first.map { row throws(StateError) in
                Validators(
                    etag: try row.text(0), lastModified: try row.text(1), fetchedAt: try row.date(2),
                    entry: try row.text(3))
            }
        }
    }

    package func save(_ validators: Validators, for url: String, feed: String) async throws(StateError) {
        try await locked { () async throws(StateError) in try await saveUnlocked(validators, for: url, feed: feed) }
    }

    private func saveUnlocked(_ validators: Validators, for url: String, feed: String) async throws(StateError) {
        try await execute(
            """
            INSERT INTO feedpipe_validators (feed, url, etag, last_modified, fetched_at, entry)
            VALUES (\(feed), \(url), \(validators.etag), \(validators.lastModified),
                \(validators.fetchedAt?.timeIntervalSince1970), \(validators.entry))
            ON CONFLICT (feed, url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                fetched_at = excluded.fetched_at, entry = COALESCE(excluded.entry, feedpipe_validators.entry)
            """)
    }

    package func entries(feed: String) async throws(StateError) -> [Entry] {
        try await locked { () async throws(StateError) in
            try await rows(
                "SELECT \(unescaped: Self.entryColumns) FROM feedpipe_entries WHERE feed = \(feed) ORDER BY \(unescaped: Self.newestFirst)"
            ).map(Self.entry)
        }
    }

    package func entry(feed: String, id: String) async throws(StateError) -> Entry? {
        try await locked { () async throws(StateError) in try await entryUnlocked(feed: feed, id: id) }
    }

    private func entryUnlocked(feed: String, id: String) async throws(StateError) -> Entry? {
        try await rows(
            "SELECT \(unescaped: Self.entryColumns) FROM feedpipe_entries WHERE feed = \(feed) AND id = \(id)"
        ).first.map(Self.entry)
    }

    /// The entry a row holds (see `SQLiteStore`: a damaged compressed body is read as none).
    private static func entry(from row: Row) throws(StateError) -> Entry {
        var (content, summary) = (try row.text(7), try row.text(6))
        if let size = try row.integer(14) {
            let sizes = [size] + (try row.integer(15).map { [$0] } ?? [])
            let texts = try row.bytes(13).flatMap { bytes in
                bytes.withUnsafeBytes { PackedText.unpack($0, sizes: sizes) }
            }
            content = texts?.first
            if sizes.count == 2 { summary = texts?.last }
        }
        return Entry(
            id: try row.text(0) ?? "", title: try row.text(2) ?? "",
            link: try row.text(1).flatMap { $0.isEmpty ? nil : $0 }, author: try row.text(3),
            published: try row.date(4), updated: try row.date(5) ?? Date(timeIntervalSince1970: 0),
            summary: summary, content: content, image: try row.text(8), language: try row.text(9),
            categories: try row.text(10).map { $0.split(separator: "\n").map(String.init) } ?? [],
            enclosures: try row.text(11).flatMap { try? JSONDecoder().decode([Enclosure].self, from: Data($0.utf8)) }
                ?? [],
            position: try row.integer(12))
    }

    package func bodyMarks(feed: String) async throws(StateError) -> [UInt64: String] {
        try await locked { () async throws(StateError) in
            var marks: [UInt64: String] = [:]
            for row in try await rows(
                """
                SELECT id, body_mark FROM feedpipe_entries WHERE feed = \(feed) AND body_mark IS NOT NULL
                    AND body_mark != 0
                ORDER BY \(unescaped: Self.newestFirst)
                """)
            {
                let mark = UInt64(bitPattern: Int64(try row.integer(1) ?? 0))
                if marks[mark] == nil { marks[mark] = try row.text(0) ?? "" }
            }
            return marks
        }
    }

    package func outline(feed: String) async throws(StateError) -> [EntryOutline] {
        try await locked { () async throws(StateError) in
            try await rows(
                "SELECT id, updated, stored_in FROM feedpipe_entries WHERE feed = \(feed) ORDER BY \(unescaped: Self.newestFirst)"
            ).map { row throws(StateError) in
                EntryOutline(
                    id: try row.text(0) ?? "", updated: try row.date(1) ?? Date(timeIntervalSince1970: 0),
                    revision: try row.integer(2) ?? 0)
            }
        }
    }

    package func status(feed: String) async throws(StateError) -> FeedStatus {
        try await locked { () async throws(StateError) in
            var status = FeedStatus()
            status.count =
                try await rows("SELECT COUNT(*) FROM feedpipe_entries WHERE feed = \(feed)").first?.integer(0) ?? 0
            if let row = try await rows("SELECT revision, emitted FROM feedpipe_feeds WHERE feed = \(feed)").first {
                status.revision = try row.integer(0) ?? 0
                status.emitted = try row.text(1)
            }
            return status
        }
    }

    package func markEmitted(_ mark: String, feed: String) async throws(StateError) {
        try await locked { () async throws(StateError) in
            _ = try await execute(
                """
                INSERT INTO feedpipe_feeds (feed, emitted) VALUES (\(feed), \(mark))
                ON CONFLICT (feed) DO UPDATE SET emitted = excluded.emitted
                """)
        }
    }

    @discardableResult
    package func forget(feed: String) async throws(StateError) -> Int {
        try await locked { () async throws(StateError) in
            try await transaction { () async throws(StateError) in
                let count =
                    try await rows("SELECT COUNT(*) FROM feedpipe_entries WHERE feed = \(feed)").first?.integer(0) ?? 0
                try await execute("DELETE FROM feedpipe_entries WHERE feed = \(feed)")
                try await execute("DELETE FROM feedpipe_feeds WHERE feed = \(feed)")
                try await execute("DELETE FROM feedpipe_validators WHERE feed = \(feed)")
                return count
            }
        }
    }

    package func firstSeen(feed: String, id: String) async throws(StateError) -> Date? {
        try await locked { () async throws(StateError) in
            try await rows("SELECT first_seen FROM feedpipe_entries WHERE feed = \(feed) AND id = \(id)").first?.date(0)
        }
    }

    @discardableResult
    package func merge(
        _ incoming: [Entry], fetched: [(url: String, validators: Validators)], feed: String, seenAt now: Date,
        keep: Int
    ) async throws(StateError) -> (new: Int, updated: Int) {
        try await locked { () async throws(StateError) in
            try await transaction { () async throws(StateError) in
                // The feed's row is locked first: two merges into one feed (two workers given the same
                // pipeline by mistake) take turns instead of counting the same revision.
                try await execute("INSERT INTO feedpipe_feeds (feed) VALUES (\(feed)) ON CONFLICT (feed) DO NOTHING")
                let revision =
                    (try await rows("SELECT revision FROM feedpipe_feeds WHERE feed = \(feed) FOR UPDATE").first?
                        .integer(0)
                        ?? 0) + 1
                // Only the entries coming in are looked up, as in `SQLiteStore`.
                var existing: [String: Entry] = [:]
                for entry in incoming where existing[entry.id] == nil {
                    if let stored = try await entryUnlocked(feed: feed, id: entry.id) { existing[entry.id] = stored }
                }
                let plan = MergePlan(incoming, stored: existing)
                for entry in plan.writes { try await store(entry, feed: feed, seenAt: now, revision: revision) }
                let count =
                    try await rows("SELECT COUNT(*) FROM feedpipe_entries WHERE feed = \(feed)").first?.integer(0) ?? 0
                var removed = 0
                if count > keep {
                    removed = try await execute(
                        """
                        DELETE FROM feedpipe_entries WHERE feed = \(feed) AND id NOT IN (
                            SELECT id FROM feedpipe_entries WHERE feed = \(feed)
                            ORDER BY \(unescaped: Self.newestFirst) LIMIT \(max(0, keep)))
                        """)
                }
                if plan.new + plan.updated + removed > 0 {
                    try await execute("UPDATE feedpipe_feeds SET revision = revision + 1 WHERE feed = \(feed)")
                }
                for (url, validators) in fetched { try await saveUnlocked(validators, for: url, feed: feed) }
                return (plan.new, plan.updated)
            }
        }
    }

    /// Writes one entry's row (see `SQLiteStore.merge` for the packing of body and summary).
    private func store(_ entry: Entry, feed: String, seenAt now: Date, revision: Int) async throws(StateError) {
        let packed = entry.content.flatMap { PackedText.pack([$0] + (entry.summary.map { [$0] } ?? [])) }
        try await execute(
            """
            INSERT INTO feedpipe_entries (feed, id, link, title, author, published, updated, summary, content, image,
                language, first_seen, categories, enclosures, position, packed_content, content_size, body_mark,
                summary_size, stored_in)
            VALUES (\(feed), \(entry.id), \(entry.link ?? ""), \(entry.title), \(entry.author),
                \(entry.published?.timeIntervalSince1970), \(entry.updated.timeIntervalSince1970),
                \(packed == nil ? entry.summary : nil), \(packed == nil ? entry.content : nil), \(entry.image),
                \(entry.language), \(now.timeIntervalSince1970),
                \(entry.categories.isEmpty ? nil : entry.categories.joined(separator: "\n")),
                \(Self.stored(entry.enclosures)), \(entry.position), \(packed.map { ByteBuffer(bytes: $0) }),
                \(packed == nil ? nil : entry.content?.utf8.count),
                \(BodyFingerprint.of(entry.content).map { Int(Int64(bitPattern: $0)) }),
                \(packed == nil ? nil : entry.summary?.utf8.count), \(revision))
            ON CONFLICT (feed, id) DO UPDATE SET link = excluded.link, title = excluded.title,
                author = excluded.author, published = excluded.published, updated = excluded.updated,
                summary = excluded.summary, content = excluded.content, image = excluded.image,
                language = excluded.language, categories = excluded.categories, enclosures = excluded.enclosures,
                position = excluded.position, packed_content = excluded.packed_content,
                content_size = excluded.content_size, body_mark = excluded.body_mark,
                summary_size = excluded.summary_size, stored_in = excluded.stored_in
            """)
    }

    /// An entry's enclosures as stored: JSON, or `nil` for none.
    private static func stored(_ enclosures: [Enclosure]) -> String? {
        guard !enclosures.isEmpty, let data = try? JSONEncoder().encode(enclosures) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Claims

    /// A pipeline's claim is a session lock of PostgreSQL's (`pg_try_advisory_lock`): the server drops it
    /// when the worker's connection ends, however the worker ended. The runs table says who took a pipeline
    /// when and when its last run finished.
    package func claim(_ pipeline: String, dueAfter: Date) async throws(StateError) -> Claim {
        try await locked { () async throws(StateError) in
            let taken =
                try await rows("SELECT pg_try_advisory_lock(\(Self.lockSpace), hashtext(\(pipeline)))").first?
                .value(0, as: Bool.self) ?? false
            guard taken else { return .held }
            let finished = try await rows("SELECT finished_at FROM feedpipe_runs WHERE pipeline = \(pipeline)").first?
                .date(0)
            if let finished, finished > dueAfter {
                try await unlock(pipeline)
                return .done
            }
            try await execute(
                """
                INSERT INTO feedpipe_runs (pipeline, worker, claimed_at) VALUES (\(pipeline), \(worker),
                    \(Date().timeIntervalSince1970))
                ON CONFLICT (pipeline) DO UPDATE SET worker = excluded.worker, claimed_at = excluded.claimed_at
                """)
            return .taken
        }
    }

    package func finish(_ pipeline: String, at time: Date) async throws(StateError) {
        try await locked { () async throws(StateError) in
            try await execute(
                "UPDATE feedpipe_runs SET finished_at = \(time.timeIntervalSince1970) WHERE pipeline = \(pipeline)")
            try await unlock(pipeline)
        }
    }

    package func release(_ pipeline: String) async throws(StateError) {
        try await locked { () async throws(StateError) in try await unlock(pipeline) }
    }

    private func unlock(_ pipeline: String) async throws(StateError) {
        try await execute("SELECT pg_advisory_unlock(\(Self.lockSpace), hashtext(\(pipeline)))")
    }

    /// The worker that last took each pipeline, as it named itself (`workerName`), by pipeline id.
    package func claimants() async throws(StateError) -> [String: String] {
        try await locked { () async throws(StateError) in
            var found: [String: String] = [:]
            for row in try await rows("SELECT pipeline, worker FROM feedpipe_runs") {
                if let pipeline = try row.text(0) { found[pipeline] = try row.text(1) }
            }
            return found
        }
    }

    // MARK: Published feeds

    /// A file's version is a hash of its bytes: republishing the same bytes changes nothing, not even the
    /// time a `serve` replica gives as Last-Modified.
    package func publish(_ name: String, bytes: [UInt8], head: FeedHead?, at time: Date) async throws(StateError) {
        let tag = String(FNV1a.hash(bytes), radix: 16)
        _ = try await locked { () async throws(StateError) in
            try await execute(
                """
                INSERT INTO feedpipe_published (name, tag, modified, title, site, self_link, entries, body)
                VALUES (\(name), \(tag), \(time.timeIntervalSince1970), \(head?.title), \(head?.site),
                    \(head?.selfLink), \(head?.entries ?? 0), \(ByteBuffer(bytes: bytes)))
                ON CONFLICT (name) DO UPDATE SET tag = excluded.tag, modified = excluded.modified,
                    title = excluded.title, site = excluded.site, self_link = excluded.self_link,
                    entries = excluded.entries, body = excluded.body
                WHERE feedpipe_published.tag <> excluded.tag
                """)
        }
    }

    /// A published file's version and time (`serve`), asked without the lock the runner's calls take: it
    /// is one statement, and the connection runs statements in the order they come.
    package func publishedVersion(of name: String) async throws(StateError) -> (tag: String, modified: Date)? {
        guard let row = try await rows("SELECT tag, modified FROM feedpipe_published WHERE name = \(name)").first,
            let tag = try row.text(0), let modified = try row.date(1)
        else { return nil }
        return (tag, modified)
    }

    package func publishedFile(named name: String) async throws(StateError) -> (
        tag: String, modified: Date, bytes: [UInt8]
    )? {
        guard
            let row = try await rows(
                "SELECT tag, modified, body FROM feedpipe_published WHERE name = \(name)"
            ).first,
            let tag = try row.text(0), let modified = try row.date(1), let bytes = try row.bytes(2)
        else { return nil }
        return (tag, modified, bytes)
    }

    /// Every published file's name, head and time.
    package func publishedHeads() async throws(StateError) -> [(name: String, head: FeedHead, modified: Date)] {
        try await rows(
            "SELECT name, title, site, self_link, entries, modified FROM feedpipe_published ORDER BY name"
        )
        .map { row throws(StateError) in
            (
                try row.text(0) ?? "",
                FeedHead(
                    title: try row.text(1), site: try row.text(2), selfLink: try row.text(3),
                    entries: try row.integer(4) ?? 0),
                try row.date(5) ?? Date(timeIntervalSince1970: 0)
            )
        }
    }

    // MARK: PostgreSQL

    /// Runs `body` alone: a transaction's statements are never interleaved with another call's on the one
    /// connection.
    func locked<T>(_ body: () async throws(StateError) -> T) async throws(StateError) -> T {
        await turn.take()
        do {
            let result = try await body()
            await turn.give()
            return result
        } catch {
            await turn.give()
            throw error
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () async throws(StateError) -> T) async throws(StateError) -> T {
        try await execute("BEGIN")
        do {
            let result = try await body()
            try await execute("COMMIT")
            return result
        } catch {
            _ = try? await execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a statement; how many rows it changed.
    @discardableResult
    func execute(_ query: PostgresQuery) async throws(StateError) -> Int {
        do {
            return try await connection.query(query, logger: logger).get().metadata.rows ?? 0
        } catch {
            throw StateError(path: location, Self.reason(error))
        }
    }

    func rows(_ query: PostgresQuery) async throws(StateError) -> [Row] {
        do {
            return try await connection.query(query, logger: logger).get().rows.map {
                Row(cells: $0.makeRandomAccess())
            }
        } catch {
            throw StateError(path: location, Self.reason(error))
        }
    }

    /// What went wrong, in the server's words where it gave some.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        return "\(error)"
    }

    struct Row {
        let cells: PostgresRandomAccessRow

        func value<T: PostgresDecodable>(_ column: Int, as type: T.Type) throws(StateError) -> T?
        where T._DecodableType == T {
            do {
                return try cells[column].decode(T?.self)
            } catch {
                throw StateError(path: "postgres", "column \(column): \(error)")
            }
        }

        func text(_ column: Int) throws(StateError) -> String? { try value(column, as: String.self) }
        func integer(_ column: Int) throws(StateError) -> Int? { try value(column, as: Int.self) }
        func date(_ column: Int) throws(StateError) -> Date? {
            try value(column, as: Double.self).map(Date.init(timeIntervalSince1970:))
        }
        func bytes(_ column: Int) throws(StateError) -> [UInt8]? {
            try value(column, as: ByteBuffer.self).map { Array($0.readableBytesView) }
        }
    }
}

/// A `postgres://` address taken apart: where the server is, who connects, to which database, with TLS or
/// not (libpq's `sslmode`: `disable`, `prefer` — the default —, `require`, `verify-full`).
struct PostgresAddress {
    let configuration: PostgresConnection.Configuration
    /// The address with its password left out.
    let display: String
    /// The schema the store's tables are in, when not the database's default.
    let schema: String?

    init(_ text: String) throws(StateError) {
        guard let parts = URLComponents(string: text), ["postgres", "postgresql"].contains(parts.scheme ?? "")
        else {
            throw StateError(path: text, "not a postgres:// address")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        let user = parts.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = parts.password.flatMap { $0.removingPercentEncoding }
        let query = Dictionary(
            (parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        var shown = parts
        shown.password = nil
        display = shown.string ?? "postgres"
        schema = query["schema"]
        if let schema, !Self.isPlainName(schema) {
            throw StateError(path: display, "schema \(schema) is not a lower-case name of letters, digits and _")
        }
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            configuration = .init(
                unixSocketPath: socketFolder + "/.s.PGSQL.\(parts.port ?? 5432)", username: user, password: password,
                database: database.isEmpty ? nil : database)
            return
        }
        let tls: PostgresConnection.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case let mode where ["allow", "prefer", "require", "verify-ca", "verify-full"].contains(mode):
            var settings = TLSConfiguration.makeClientConfiguration()
            if mode != "verify-full", mode != "verify-ca" { settings.certificateVerification = .none }
            do {
                let context = try NIOSSLContext(configuration: settings)
                tls = mode == "allow" || mode == "prefer" ? .prefer(context) : .require(context)
            } catch {
                throw StateError(path: display, "TLS: \(error)")
            }
        case let mode:
            throw StateError(path: display, "sslmode \(mode) is not one of disable, prefer, require, verify-full")
        }
        configuration = .init(
            host: parts.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost", port: parts.port ?? 5432,
            username: user, password: password, database: database.isEmpty ? nil : database, tls: tls)
    }

    /// Whether a name can go into SQL as it is: lower-case ASCII letters, digits and `_`, not starting
    /// with a digit, at most 63 characters (PostgreSQL's limit).
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            name.utf8.count <= 63
        else { return false }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}

/// Turns at something one task may use at a time, handed out in the order they were asked for.
actor Turns {
    private var taken = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func take() async {
        guard taken else {
            taken = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func give() {
        if waiting.isEmpty {
            taken = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
