import Feed
import Foundation

/// The one place feedpipe keeps state between runs: the entries of every feed (so an article stays in its
/// feed after it leaves the source) and the HTTP validators of what was fetched. `SQLiteStore` keeps it in a
/// file; `MemoryStore` keeps it for one process (tests, previews).
package protocol StateStore: AnyObject {
    /// The validators of a URL as one feed last fetched it. Each feed keeps its own: a feed that starts
    /// following a page another feed already fetched must still fetch it once for itself.
    func validators(for url: String, feed: String) throws(StateError) -> Validators?
    func save(_ validators: Validators, for url: String, feed: String) throws(StateError)
    /// Every entry stored for a feed, newest first (by publication, else update, then first seen, then id).
    func entries(feed: String) throws(StateError) -> [Entry]
    /// One stored entry of a feed, if there is one with that id.
    func entry(feed: String, id: String) throws(StateError) -> Entry?
    /// When an entry was first stored, if it was.
    func firstSeen(feed: String, id: String) throws(StateError) -> Date?
    /// Forgets everything kept for a feed: its entries and the validators of what it fetched. Returns how
    /// many entries there were.
    @discardableResult
    func forget(feed: String) throws(StateError) -> Int
    /// Stores entries (replacing earlier versions with the same id), keeps only the newest `keep` of the
    /// feed, and saves the validators of the articles `fetched`, all at once. Returns how many entries were
    /// new and how many changed.
    @discardableResult
    func merge(
        _ incoming: [Entry], fetched: [(url: String, validators: Validators)], feed: String, seenAt: Date, keep: Int
    ) throws(StateError) -> (new: Int, updated: Int)
}

extension StateStore {
    /// Stores entries and prunes the feed (see `merge(_:fetched:feed:seenAt:keep:)`), with no validators.
    @discardableResult
    package func merge(_ incoming: [Entry], feed: String, seenAt: Date, keep: Int) throws(StateError) -> (
        new: Int, updated: Int
    ) {
        try merge(incoming, fetched: [], feed: feed, seenAt: seenAt, keep: keep)
    }
}

/// What an earlier successful fetch of a URL left: its validators and when it happened.
package struct Validators: Sendable, Equatable {
    package var etag: String?
    package var lastModified: String?
    package var fetchedAt: Date?

    package init(etag: String? = nil, lastModified: String? = nil, fetchedAt: Date? = nil) {
        self.etag = etag
        self.lastModified = lastModified
        self.fetchedAt = fetchedAt
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
