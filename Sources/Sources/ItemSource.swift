import Feed
import Fetch
import Foundation
import Logging
import Markup

/// Where a pipeline's items come from. Each kind of source is one type: it reads its own keys of its
/// mapping in the pipeline's `sources:` and turns its answer (and whatever else it fetches: next pages,
/// sitemaps, an advertised feed) into items. A new kind is a new type listed in `ItemSources.kinds`.
package protocol ItemSource: Sendable {
    /// The `type:` that names the kind in a pipeline file, and other names accepted for it.
    static var type: String { get }
    static var aliases: [String] { get }
    /// The keys of `source:` the kind reads, besides `url` and `type`.
    static var keys: [String] { get }

    /// The source at `url` (absolute; a relative path in the pipeline file is already a `file:` URL), with
    /// its keys.
    init(url: String, settings: any SourceSettings) throws(SourceSettingsError)

    var url: String { get }
    /// Whether the runner fetches `url` and hands the answer to `items` (conditionally, with the validators
    /// of the last run); a source read from this machine (a folder) is not fetched.
    var isFetched: Bool { get }
    /// The folder this source's `file:` links must stay inside, when it reads this machine.
    var localFolder: String? { get }
    /// Why a source that offers no items fails, in this kind's words ("the feed has no items").
    var nothingOffered: String { get }

    /// The items the source offers, in its order. `answer` is the fetched source (`nil` when not fetched).
    func items(in answer: Response?, reading: SourceReading) async throws(SourceError) -> Offer
}

extension ItemSource {
    /// The source of this kind that `url` and `settings` describe, or why they describe none.
    package static func read(url: String, settings: any SourceSettings) -> Result<any ItemSource, SourceSettingsError> {
        do {
            return .success(try Self(url: url, settings: settings))
        } catch {
            return .failure(error)
        }
    }

    /// `items(in:reading:)` as a result (what the runner calls on a source of any kind).
    package func offer(in answer: Response?, reading: SourceReading) async -> Result<Offer, SourceError> {
        do {
            return .success(try await items(in: answer, reading: reading))
        } catch {
            return .failure(error)
        }
    }

    package static var aliases: [String] { [] }
    package static var keys: [String] { [] }
    package var isFetched: Bool { true }

    package var localFolder: String? {
        guard let url = URL(string: url), url.isFileURL else { return nil }
        return url.deletingLastPathComponent().standardizedFileURL.path
    }
}

/// The kinds of source a pipeline may name.
package enum ItemSources {
    package static let kinds: [any ItemSource.Type] = [
        ListPageSource.self, FeedSource.self, JSONSource.self, SitemapSource.self, FolderSource.self,
    ]

    /// The kind a `type:` names, by its name or an alias (case does not matter).
    package static func kind(named name: String) -> (any ItemSource.Type)? {
        let name = name.lowercased()
        return kinds.first { $0.type == name || $0.aliases.contains(name) }
    }
}

/// What a source offered: its items, and what the user should know of how they were found.
package struct Offer: Sendable {
    package var items: [Item]
    package var warnings: [String] = []

    package init(items: [Item], warnings: [String] = []) {
        self.items = items
        self.warnings = warnings
    }
}

/// What a source may use while it reads: fetching further addresses under the pipeline's rules, how many
/// items are enough, and the run's log.
package struct SourceReading: Sendable {
    /// Fetches another address for the source (a next list page, a sitemap, the feed a page advertises).
    package var fetch: @Sendable (String) async -> Result<Response, FetchError>
    /// How many items the pipeline takes: a walk over further pages stops once it has found as many.
    package var enough: Int
    package var logger: Logger
    /// When the run started: what relative dates ("2 hours ago") count back from.
    package var now: Date

    package init(
        fetch: @escaping @Sendable (String) async -> Result<Response, FetchError>, enough: Int, logger: Logger,
        now: Date = Date()
    ) {
        self.fetch = fetch
        self.enough = enough
        self.logger = logger
        self.now = now
    }
}

/// A source's keys as the pipeline file gives them; errors name the key, and the pipeline file adds the
/// line and column.
package protocol SourceSettings {
    func has(_ key: String) -> Bool
    /// The CSS selector under `key`, if given.
    func selector(_ key: String) throws(SourceSettingsError) -> Selector?
    /// The CSS selector under `key`, if given, and the attribute a trailing `@name` names (`time@data-ts`,
    /// `div.card@data-href`): the value is then read from that attribute of the element selected.
    func attributeSelector(_ key: String) throws(SourceSettingsError) -> (selector: Selector, attribute: String?)?
    /// The text under `key`, if given.
    func string(_ key: String) throws(SourceSettingsError) -> String?
    /// The whole number under `key`, if given; outside `range` it is an error.
    func integer(_ key: String, in range: ClosedRange<Int>) throws(SourceSettingsError) -> Int?
}

/// A source's keys that cannot be used: the key at fault (`nil`: the `source:` mapping itself) and why.
package struct SourceSettingsError: Error, Sendable {
    package var key: String?
    package var message: String

    package init(key: String?, _ message: String) {
        self.key = key
        self.message = message
    }
}
