import Feed
import Fetch
import Foundation
import Logging
import State

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

    /// The Atom feed of `url`'s articles, in full text.
    package func feed(for url: String) async throws(Failure) -> String {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("feedpipe-full-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let output = work.appendingPathComponent("full.atom").path
        let yaml = """
            title: \(PipelineProposal.quoted("Full text of \(URL(string: url)?.host ?? url)"))
            source:
              type: feed
              url: \(PipelineProposal.quoted(url))
            output: \(PipelineProposal.quoted(output))
            max_entries: \(maxEntries)
            fetch:
              private_addresses: \(privateAddresses)
            """
        var config: PipelineConfig
        do {
            config = try PipelineConfig.parse(yaml, file: "on-demand")
        } catch {
            throw Failure(description: "\(url): not an address feedpipe can read (\(error.message))")
        }
        config.fetch.trustedSource = false
        let report: RunReport
        do {
            report = try await runner.run(config, state: MemoryStore())
        } catch {
            throw Failure(description: error.description)
        }
        // A source that gave nothing is the answer's failure; articles that failed leave their item out.
        if report.discovered == 0, let failure = report.failures.first {
            throw Failure(description: failure.description)
        }
        guard let data = FileManager.default.contents(atPath: output) else {
            throw Failure(description: "\(url): no feed could be made")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
