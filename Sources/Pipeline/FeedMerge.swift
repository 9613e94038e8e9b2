import Extract
import Feed
import Foundation
import Logging
import Markup
import Normalize
import State

/// Articles' outcomes on their way into the store: each becomes an entry of its pipeline's feed (or a
/// failure, a warning, an entry kept as it was), and `flush` merges what was taken into the store.
struct FeedMerge {
    let configs: [PipelineConfig]
    private(set) var reports: [RunReport]
    /// A pipeline whose state could not be read or written fails alone, with this error.
    private(set) var broken: [RunError?]
    let state: any StateStore
    let seenAt: Date
    let logger: Logger

    /// Entries taken since the last flush, by pipeline.
    private var entries: [Int: [Entry]] = [:]
    /// An article's validators (and so "fetched recently") are stored only once its entry is: a run killed
    /// in between fetches it again next time rather than skip an article it never stored.
    private var fetched: [Int: [(url: String, validators: Validators)]] = [:]
    /// Body fingerprints of each feed's entries, for deduplication, read from the store when first needed.
    private var bodies: [[UInt64: String]?]
    /// Outcomes taken since the last flush, by pipeline.
    private var bufferedBy: [Int: Int] = [:]
    /// Outcomes taken since the last flush.
    private(set) var buffered = 0

    init(configs: [PipelineConfig], reports: [RunReport], state: any StateStore, seenAt: Date, logger: Logger) {
        self.configs = configs
        self.reports = reports
        self.state = state
        self.seenAt = seenAt
        self.logger = logger
        broken = Array(repeating: nil, count: configs.count)
        bodies = Array(repeating: nil, count: configs.count)
    }

    /// Marks pipeline `index` failed (its state cannot be read): nothing more is merged for it.
    mutating func fail(pipeline index: Int, _ error: RunError) {
        broken[index] = error
    }

    /// Takes one item for pipeline `index`, with the outcome of reading its page (`nil`: not read).
    mutating func take(_ outcome: Result<Runner.Fetched, RunError>?, item: Item, pipeline index: Int) async {
        buffered += 1
        bufferedBy[index, default: 0] += 1
        let config = configs[index]
        let name = item.link ?? item.title ?? item.guid ?? "an item"
        let page: Article?
        var validators: Validators?
        // The item itself stands in for a page that cannot be read when it has a body of its own.
        func standIn(for error: RunError) -> Bool {
            guard item.content != nil else {
                reports[index].failures.append(error)
                logger.error("\(error)")
                return false
            }
            logger.warning("\(error); the item's own content is used")
            return true
        }
        switch outcome {
        case .success(.unchanged):
            return
        case .failure(let error):
            // Not marked fetched: the next run tries the page again.
            guard standIn(for: error) else { return }
            page = nil
        case .success(.unreadable(let error, var pageValidators)):
            // A page that gives no article is reported once and not asked for again before its refresh age.
            if let url = item.link {
                pageValidators.fetchedAt = seenAt
                fetched[index, default: []].append((url, pageValidators))
            }
            guard standIn(for: error) else { return }
            page = nil
        case .success(.article(let article, let articleValidators)):
            (page, validators) = (article, articleValidators)
        case nil:
            page = nil
        }
        do {
            // The id the page's entry was given when the page was first read, if it was.
            let id = EntryMaker.id(of: item, page: page, decidedID: validators?.entry)
            let firstSeen = try await state.firstSeen(feed: config.id, id: id) ?? seenAt
            let made = EntryMaker.entry(
                item: item, article: page, rules: config.rules, rewrites: config.rewrites, id: id, firstSeen: firstSeen)
            guard let (made, text) = made else {
                reports[index].failures.append(.source("\(name): the item has no title, text or link", url: item.link))
                return
            }
            if let page, let stored = try await state.entry(feed: config.id, id: made.id),
                let shrunk = EntryMaker.shrinkage(of: page, against: stored), made.content == page.html
            {
                // A page that lost most of its text (a paywall, an error page in a 200, a redesign that hides
                // the article) does not replace the article it was.
                reports[index].warnings.append(
                    "\(name): the page now gives \(shrunk.now) characters of text where the stored entry has \(shrunk.before); the stored entry is kept"
                )
            } else if config.filter.admits(made, text: text, now: seenAt) {
                entries[index, default: []].append(made)
            } else {
                // Left out, and not marked fetched: a loosened filter takes it on the next run.
                logger.info("\(name): left out by the pipeline's filter")
                return
            }
            if var validators, let url = item.link {
                validators.fetchedAt = seenAt
                validators.entry = made.id
                fetched[index, default: []].append((url, validators))
            }
        } catch {
            broken[index] = .state(error)
        }
    }

    /// Merges the entries taken into the store, with the validators of the articles they came from: every
    /// pipeline's, or only `pipeline`'s (one whose articles are all in, so that its feed can be written).
    mutating func flush(pipeline: Int? = nil) async {
        // Pipelines whose articles were all left out still record that they were fetched.
        for index in fetched.keys where entries[index] == nil { entries[index] = [] }
        for (index, batch) in entries where broken[index] == nil && (pipeline == nil || pipeline == index) {
            let config = configs[index]
            do {
                var batch = batch
                if config.filter.dedupe { batch = try await withoutDuplicates(batch, pipeline: index) }
                let counts = try await state.merge(
                    batch, fetched: fetched.removeValue(forKey: index) ?? [], feed: config.id, seenAt: seenAt,
                    keep: config.maxEntries)
                reports[index].new += counts.new
                reports[index].updated += counts.updated
            } catch {
                broken[index] = .state(error)
            }
        }
        if let pipeline {
            entries[pipeline] = nil
            fetched[pipeline] = nil
            buffered -= bufferedBy.removeValue(forKey: pipeline) ?? 0
        } else {
            entries = [:]
            fetched = [:]
            bufferedBy = [:]
            buffered = 0
        }
    }

    /// The entries whose body is not already another entry's in the feed (`filter: {dedupe: true}`).
    private mutating func withoutDuplicates(_ batch: [Entry], pipeline index: Int) async throws(StateError)
        -> [Entry]
    {
        if bodies[index] == nil {
            bodies[index] = try await state.bodyMarks(feed: configs[index].id)
        }
        return batch.filter { entry in
            guard let mark = BodyFingerprint.of(entry.content) else { return true }
            if let owner = bodies[index]?[mark], owner != entry.id {
                logger.info("\(entry.link ?? entry.title): same body as an entry already in the feed; left out")
                return false
            }
            bodies[index]?[mark] = entry.id
            return true
        }
    }
}
