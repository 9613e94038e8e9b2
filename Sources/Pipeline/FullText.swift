import Extract
import Feed
import Fetch
import Foundation
import Logging
import Sources

/// The full-text Atom feed of any address, made on demand as a `type: feed` pipeline with default settings
/// would make it (the address may be a feed, a sitemap or a page that advertises a feed), for
/// `feedpipe serve --on-demand`. The address is someone else's choice: it obeys the link policy (no private
/// addresses unless allowed), and nothing is kept but the feed text, for the cache.
package struct FullText: Sendable {
    let runner: Runner
    let privateAddresses: Bool
    let maxEntries: Int

    package init(client: HTTPClient, logger: Logger, privateAddresses: Bool = false, maxEntries: Int = 20) {
        runner = Runner(client: client, logger: logger)
        self.privateAddresses = privateAddresses
        self.maxEntries = maxEntries
    }

    /// Why no feed could be made for an address.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// The Atom feed of `url`'s articles, in full text: the pipeline built as a value and its stages run in
    /// memory (nothing is written, no state is kept).
    package func feed(for url: String) async throws(Failure) -> String {
        guard let address = URL(string: url), let scheme = address.scheme?.lowercased(),
            scheme == "http" || scheme == "https", address.host?.isEmpty == false
        else { throw Failure(description: "\(url): not an address feedpipe can read (only http and https)") }
        let config = Self.pipeline(for: url, maxEntries: maxEntries, privateAddresses: privateAddresses)
        let (entries, report) = await runner.entries(of: config)
        // A source that gave nothing is the answer's failure; articles that failed leave their item out.
        if report.discovered == 0, let failure = report.failures.first {
            throw Failure(description: Self.told(failure))
        }
        let meta = FeedMeta(
            id: config.id, title: config.title, link: url, author: config.title)
        return AtomWriter.document(meta, entries: entries)
    }

    /// A failure as the requester is told it. Who asks for `/full` is not the server's operator: an address
    /// refused as private is not named (that a host name leads to `10.0.0.5` is the inside network's
    /// business), nor is the setting that would allow it.
    static func told(_ failure: RunError) -> String {
        if case .privateAddress(let url, _)? = failure.underlying as? FetchError {
            return "\(url): not fetched: it leads to a private or local address"
        }
        return failure.description
    }

    /// The pipeline a `type: feed` file with default settings would be for `url`, but that its source is
    /// someone else's choice and obeys the link policy.
    static func pipeline(for url: String, maxEntries: Int, privateAddresses: Bool) -> PipelineConfig {
        var rules = ExtractionRules()
        rules.keepsLocalAddresses = false
        var config = PipelineConfig(
            name: "on-demand", file: "on-demand", title: "Full text of \(URL(string: url)?.host ?? url)",
            id: StableID.uuid(for: "feedpipe:on-demand:" + url), link: nil, selfLink: nil, author: nil,
            sources: [FeedSource(url: url)], output: "on-demand.atom", maxEntries: maxEntries, rules: rules)
        config.fetch.policy.privateAddresses = privateAddresses
        config.fetch.trustedSource = false
        return config
    }
}
