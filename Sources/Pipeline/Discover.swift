import Extract
import Feed
import Fetch
import Foundation
import Logging
import Markup
import Sources
import State

/// Discover: each pipeline's source, asked for its links.
extension Runner {
    /// What a pipeline's source offered.
    package struct Discovery: Sendable {
        /// The links, in source order, without duplicates; `nil` when the source is unchanged since the last
        /// run.
        package var links: [Link]?
        /// The pipeline as its links are fetched: a source on a private address (an intranet) lets its links
        /// reach private addresses too.
        package var config: PipelineConfig
        /// Links dropped before fetching (see `RunReport.refused`).
        package var refused = 0
        /// What the user should know of how the links were found (links guessed on a page with no feed).
        package var warnings: [String] = []
    }

    /// The links each pipeline's source offers; all sources that are fetched are fetched together, and
    /// conditionally with a state store. Links that may not be fetched are dropped and counted; a source
    /// that offers no link at all is a failure naming it (and its selector).
    package func discover(_ configs: [PipelineConfig], state: (any StateStore)? = nil, now: Date = Date()) async
        -> [Result<Discovery, RunError>]
    {
        let fetched = configs.indices.filter { configs[$0].source.isFetched }
        let requests = fetched.map { index in
            let config = configs[index]
            let known = (try? state?.validators(for: config.sourceURL, feed: config.id)) ?? nil
            return request(config.sourceURL, config: config, validators: known, asSource: true)
        }
        let answers = Dictionary(uniqueKeysWithValues: zip(fetched, await client.fetch(requests)))
        var discoveries: [Result<Discovery, RunError>] = []
        for (index, config) in configs.enumerated() {
            discoveries.append(await discovery(of: config, answer: answers[index], state: state, now: now))
        }
        return discoveries
    }

    /// What one source offers, given its answer when it is fetched.
    private func discovery(
        of config: PipelineConfig, answer: Result<Response, FetchError>?, state: (any StateStore)?, now: Date
    ) async -> Result<Discovery, RunError> {
        // A source on this machine (a file, a folder) or on a private address (an intranet) is no public
        // source: its links may reach private addresses too.
        var reach = config
        if config.sourceFolder != nil || !config.source.isFetched { reach.fetch.policy.privateAddresses = true }
        var response: Response?
        let answer = if let answer { await rendered(answer, config: config) } else { answer }
        switch answer {
        case .failure(let error):
            return .failure(.fetch(error, .source))
        case .success(let answer):
            logger.info("\(answer.requestedURL): source fetched, status \(answer.status), \(answer.body.count) bytes")
            if let address = answer.address,
                AddressPolicy.isPrivate(address, publicForTesting: client.options.publicForTesting)
            {
                reach.fetch.policy.privateAddresses = true
            }
            if answer.isNotModified {
                logger.info("\(config.sourceURL): not modified")
                return .success(Discovery(links: nil, config: reach))
            }
            response = answer
        case nil:
            break
        }
        let reading = SourceReading(
            fetch: { [self, reach] url in await client.fetch(request(url, config: reach)) }, enough: config.maxEntries,
            logger: logger)
        let offer: Offer
        switch await config.source.offer(in: response, reading: reading) {
        case .success(let offered): offer = offered
        case .failure(let error): return .failure(.source(error.description, url: config.sourceURL, underlying: error))
        }
        // Validators are kept only for a source that could be read, so a broken one is read again.
        if let response {
            try? state?.save(
                Validators(
                    etag: response.headers["etag"], lastModified: response.headers["last-modified"], fetchedAt: now),
                for: config.sourceURL, feed: config.id)
        }
        let fetchable = offer.links.filter { request($0.url, config: reach).refusal == nil }
        let refused = offer.links.count - fetchable.count
        guard !fetchable.isEmpty else {
            let because =
                refused > 0
                ? " that may be fetched (\(refused) refused: only http and https, or files in its folder)" : ""
            return .failure(
                .source("\(config.sourceURL): \(config.source.nothingOffered)\(because)", url: config.sourceURL))
        }
        return .success(
            Discovery(links: Link.withoutTracking(fetchable), config: reach, refused: refused, warnings: offer.warnings)
        )
    }
}
