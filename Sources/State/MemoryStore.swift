import Feed
import Foundation

/// A state store that lives as long as the process: for tests and for one-off runs that keep nothing.
/// It orders and prunes entries as `SQLiteStore` does.
package final class MemoryStore: StateStore {
    private var stored: [String: [String: (entry: Entry, firstSeen: Date)]] = [:]
    /// The feed revision that last stored each entry, by feed and id.
    private var storedIn: [String: [String: Int]] = [:]
    private var fetched: [String: Validators] = [:]
    private var statuses: [String: FeedStatus] = [:]

    package init() {}

    package func validators(for url: String, feed: String) -> Validators? { fetched[feed + " " + url] }

    package func save(_ validators: Validators, for url: String, feed: String) {
        var validators = validators
        validators.entry = validators.entry ?? fetched[feed + " " + url]?.entry
        fetched[feed + " " + url] = validators
    }

    package func entries(feed: String) -> [Entry] {
        (stored[feed]?.values ?? [:].values).sorted(by: Entry.newestFirst).map(\.entry)
    }

    package func entry(feed: String, id: String) -> Entry? { stored[feed]?[id]?.entry }

    package func bodyMarks(feed: String) -> [UInt64: String] {
        var marks: [UInt64: String] = [:]
        for entry in entries(feed: feed) {
            if let mark = BodyFingerprint.of(entry.content), marks[mark] == nil { marks[mark] = entry.id }
        }
        return marks
    }

    package func outline(feed: String) -> [EntryOutline] {
        entries(feed: feed).map { entry in
            EntryOutline(id: entry.id, updated: entry.updated, revision: storedIn[feed]?[entry.id] ?? 0)
        }
    }

    package func status(feed: String) -> FeedStatus {
        var status = statuses[feed] ?? FeedStatus()
        status.count = stored[feed]?.count ?? 0
        return status
    }

    package func markEmitted(_ mark: String, feed: String) {
        statuses[feed, default: FeedStatus()].emitted = mark
    }

    @discardableResult
    package func forget(feed: String) -> Int {
        fetched = fetched.filter { !$0.key.hasPrefix(feed + " ") }
        statuses[feed] = nil
        storedIn[feed] = nil
        return stored.removeValue(forKey: feed)?.count ?? 0
    }

    package func firstSeen(feed: String, id: String) -> Date? { stored[feed]?[id]?.firstSeen }

    @discardableResult
    package func merge(
        _ incoming: [Entry], fetched: [(url: String, validators: Validators)], feed: String, seenAt: Date, keep: Int
    ) -> (new: Int, updated: Int) {
        for (url, validators) in fetched { save(validators, for: url, feed: feed) }
        var entries = stored[feed, default: [:]]
        var new = 0
        var updated = 0
        let revision = (statuses[feed]?.revision ?? 0) + 1
        let plan = MergePlan(incoming, stored: entries.mapValues(\.entry))
        (new, updated) = (plan.new, plan.updated)
        for entry in plan.writes {
            entries[entry.id] = (entry, entries[entry.id]?.firstSeen ?? seenAt)
            storedIn[feed, default: [:]][entry.id] = revision
        }
        let kept = entries.values.sorted(by: Entry.newestFirst).prefix(max(0, keep))
        let removed = entries.count - kept.count
        stored[feed] = Dictionary(uniqueKeysWithValues: kept.map { ($0.entry.id, $0) })
        if new + updated + removed > 0 { statuses[feed, default: FeedStatus()].revision += 1 }
        return (new, updated)
    }
}
