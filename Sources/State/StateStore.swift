import Feed
import Foundation

/// The one place feedpipe keeps state between runs: the entries of every feed (so an article stays in its
/// feed after it leaves the source) and the HTTP validators of what was fetched. `SQLiteStore` keeps it in a
/// file; `MemoryStore` keeps it for one process (tests, previews); `PostgresStore` in a database that workers
/// on several machines share. The protocol is async, for a store across a network; the two local stores
/// answer at once (a synchronous method meets an async requirement).
package protocol StateStore: AnyObject {
    /// The validators of a URL as one feed last fetched it. Each feed keeps its own: a feed that starts
    /// following a page another feed already fetched must still fetch it once for itself.
    func validators(for url: String, feed: String) async throws(StateError) -> Validators?
    func save(_ validators: Validators, for url: String, feed: String) async throws(StateError)
    /// Every entry stored for a feed, newest first (by publication, else update, then first seen, then id).
    func entries(feed: String) async throws(StateError) -> [Entry]
    /// One stored entry of a feed, if there is one with that id.
    func entry(feed: String, id: String) async throws(StateError) -> Entry?
    /// When an entry was first stored, if it was.
    func firstSeen(feed: String, id: String) async throws(StateError) -> Date?
    /// The body fingerprints of a feed's entries (`BodyFingerprint`), each with the id of the newest entry
    /// that has it: what `dedupe` compares a new body with, without reading a body.
    func bodyMarks(feed: String) async throws(StateError) -> [UInt64: String]
    /// A feed's entries in their order (as `entries(feed:)` gives them) without their bodies: each one's id,
    /// update date and the revision of the feed that last stored it.
    func outline(feed: String) async throws(StateError) -> [EntryOutline]
    /// How many entries a feed keeps, its revision and what was last emitted from it, without reading an
    /// entry: what a run that brought nothing new needs to know to leave the feed's files alone.
    func status(feed: String) async throws(StateError) -> FeedStatus
    /// Records that the feed's files were written as `mark` says (`FeedStatus.emitted`).
    func markEmitted(_ mark: String, feed: String) async throws(StateError)
    /// Forgets everything kept for a feed: its entries and the validators of what it fetched. Returns how
    /// many entries there were.
    @discardableResult
    func forget(feed: String) async throws(StateError) -> Int
    /// Stores entries (replacing earlier versions with the same id), keeps only the newest `keep` of the
    /// feed, and saves the validators of the articles `fetched`, all at once. Returns how many entries were
    /// new and how many changed. The feed's revision goes up when an entry came, changed or went.
    @discardableResult
    func merge(
        _ incoming: [Entry], fetched: [(url: String, validators: Validators)], feed: String, seenAt: Date, keep: Int
    ) async throws(StateError) -> (new: Int, updated: Int)
}

extension StateStore {
    /// Stores entries and prunes the feed (see `merge(_:fetched:feed:seenAt:keep:)`), with no validators.
    @discardableResult
    package func merge(_ incoming: [Entry], feed: String, seenAt: Date, keep: Int) async throws(StateError) -> (
        new: Int, updated: Int
    ) {
        try await merge(incoming, fetched: [], feed: feed, seenAt: seenAt, keep: keep)
    }
}

/// What a merge writes, as every store decides it: the incoming entries that differ from their stored
/// versions, each keeping the place on the source where it was first seen (later runs do not move it), and
/// how many of them are new and how many changed.
package struct MergePlan {
    package private(set) var writes: [Entry] = []
    package private(set) var new = 0
    package private(set) var updated = 0

    package init(_ incoming: [Entry], stored: [String: Entry]) {
        for var entry in incoming {
            if let old = stored[entry.id] {
                entry.position = old.position
                if old == entry { continue }
                updated += 1
            } else {
                new += 1
            }
            writes.append(entry)
        }
    }
}

/// An entry as a feed's outline lists it (`StateStore.outline(feed:)`).
package struct EntryOutline: Sendable, Equatable {
    package var id: String
    package var updated: Date
    /// The feed's revision when this entry was last stored: an entry of a revision after the one a feed
    /// file was written at is not in that file as it is now.
    package var revision: Int

    package init(id: String, updated: Date, revision: Int) {
        self.id = id
        self.updated = updated
        self.revision = revision
    }
}

/// A feed's standing in the store, read without its entries.
package struct FeedStatus: Sendable, Equatable {
    /// How many entries the feed keeps.
    package var count: Int
    /// Goes up by one with every merge that adds, changes or removes an entry; 0 for a feed never stored.
    package var revision: Int
    /// What the last writing of the feed's files recorded (`markEmitted`): their revision and settings.
    package var emitted: String?

    package init(count: Int = 0, revision: Int = 0, emitted: String? = nil) {
        self.count = count
        self.revision = revision
        self.emitted = emitted
    }
}

/// What an earlier successful fetch of a URL left: its validators and when it happened.
package struct Validators: Sendable, Equatable {
    package var etag: String?
    package var lastModified: String?
    package var fetchedAt: Date?
    /// The id of the entry the page made: decided when the page was first read and kept for its later
    /// readings, whatever canonical address the page names then.
    package var entry: String?

    package init(etag: String? = nil, lastModified: String? = nil, fetchedAt: Date? = nil, entry: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
        self.fetchedAt = fetchedAt
        self.entry = entry
    }
}

/// Why the state store could not be opened, read or written: the store's path and the cause.
package struct StateError: Error, Sendable, CustomStringConvertible, Equatable {
    package let path: String
    package let message: String

    package init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    package var description: String { "\(path): state store: \(message)" }
}

extension Entry {
    /// The order of a feed's entries, newest first: by publication (else update) date, then by when they
    /// were first seen, then by their place on the source, then by id.
    static func newestFirst(_ a: (entry: Entry, firstSeen: Date), _ b: (entry: Entry, firstSeen: Date)) -> Bool {
        let dateA = a.entry.published ?? a.entry.updated
        let dateB = b.entry.published ?? b.entry.updated
        if dateA != dateB { return dateA > dateB }
        if a.firstSeen != b.firstSeen { return a.firstSeen > b.firstSeen }
        if a.entry.position ?? 0 != b.entry.position ?? 0 { return a.entry.position ?? 0 < b.entry.position ?? 0 }
        return a.entry.id < b.entry.id
    }
}

/// How workers that share one store split the pipelines among them, with no shard given to any: a worker
/// runs a pipeline only while it holds the pipeline's claim, so a pipeline never runs twice at once, and a
/// claim dies with its worker, so another takes the pipeline up.
package protocol PipelineClaims: AnyObject {
    /// Tries to take `pipeline` for this worker: `.taken` (it is this worker's until `finish` or
    /// `release`), `.held` (another worker runs it now) or `.done` (a run of it finished after `dueAfter`:
    /// it is not due).
    func claim(_ pipeline: String, dueAfter: Date) async throws(StateError) -> Claim
    /// Records that this worker's run of `pipeline` finished, and gives up its claim.
    func finish(_ pipeline: String, at: Date) async throws(StateError)
    /// Gives up a claim without recording a run.
    func release(_ pipeline: String) async throws(StateError)
}

/// The answer to a claim (`PipelineClaims.claim`).
package enum Claim: Sendable, Equatable {
    case taken, held, done
}

/// A store that also keeps the feed files the workers write, for `serve` replicas that share no folder
/// with them.
package protocol FeedPublishing: AnyObject, Sendable {
    /// Publishes a feed file under its name (replacing the one published before), with its head for the
    /// index pages.
    func publish(_ name: String, bytes: [UInt8], head: FeedHead?, at time: Date) async throws(StateError)
}
