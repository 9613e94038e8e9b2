import Extract
import Feed
import Fetch
import Foundation
import Logging
import Markup
import Sources
import State

/// Discover: each pipeline's sources, asked for their items.
extension Runner {
    /// What a pipeline's sources offered.
    package struct Discovery: Sendable {
        /// The items of every source that was read, in source order and each source's own order; `nil` when
        /// every source is unchanged since the last run. Not yet merged (see `select`).
        package var items: [Item]?
        /// The pipeline as each source's items are fetched (by the source's index): that source alone, and a
        /// source on a private address (an intranet) or on this machine lets its items reach private
        /// addresses too.
        package var reach: [Int: PipelineConfig]
        /// Sources that failed while others were read: each reported on its own.
        package var failures: [RunError] = []
        /// Items whose link may not be fetched, dropped (see `RunReport.refused`).
        package var refused = 0
        /// What the user should know of how the items were found (links guessed on a page with no feed).
        package var warnings: [String] = []

        /// The pipeline as the items of source `index` are read.
        package func config(for index: Int) -> PipelineConfig? { reach[index] }
    }

    /// The items each pipeline's sources offer; every source that is fetched is fetched at once, and
    /// conditionally with a state store. Items whose link may not be fetched are dropped and counted. A
    /// pipeline fails when its only source fails or offers nothing; with several sources, those that fail
    /// are listed in `Discovery.failures` and the others' items still count.
    package func discover(_ configs: [PipelineConfig], state: (any StateStore)? = nil, now: Date = Date()) async
        -> [Result<Discovery, RunError>]
    {
        var requests: [Request] = []
        var owners: [(pipeline: Int, source: Int)] = []
        for (index, config) in configs.enumerated() {
            for (position, source) in config.sources.enumerated() where source.isFetched {
                let known: Validators?
                do {
                    known = try await state?.validators(for: config.sourceKey(source.url), feed: config.id)
                } catch {
                    logger.error("\(error)")
                    known = nil
                }
                requests.append(
                    request(source.url, config: config.narrowed(to: position), validators: known, asSource: true))
                owners.append((index, position))
            }
        }
        var answers: [Int: [Int: Result<Response, FetchError>]] = [:]
        for (owner, answer) in zip(owners, await client.fetch(requests)) {
            answers[owner.pipeline, default: [:]][owner.source] = answer
        }
        var discoveries: [Result<Discovery, RunError>] = []
        for (index, config) in configs.enumerated() {
            var found = Discovery(items: nil, reach: [:])
            var failures: [RunError] = []
            for position in config.sources.indices {
                let source = config.narrowed(to: position)
                switch await discovery(of: source, answer: answers[index]?[position], state: state, now: now) {
                case .failure(let error):
                    failures.append(error)
                case .success(let offered):
                    found.reach[position] = offered.config
                    found.refused += offered.refused
                    found.warnings += offered.warnings
                    if let items = offered.items {
                        found.items =
                            (found.items ?? [])
                            + items.map { item in
                                var item = item
                                item.source = position
                                return item
                            }
                    }
                }
            }
            if config.sources.count == 1, let failure = failures.first {
                discoveries.append(.failure(failure))
            } else {
                found.failures = failures
                discoveries.append(.success(found))
            }
        }
        return discoveries
    }

    /// What one source offers, given its answer when it is fetched.
    private func discovery(
        of config: PipelineConfig, answer: Result<Response, FetchError>?, state: (any StateStore)?, now: Date
    ) async -> Result<(items: [Item]?, config: PipelineConfig, refused: Int, warnings: [String]), RunError> {
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
                return .success((nil, reach, 0, []))
            }
            response = answer
        case nil:
            break
        }
        let reading = SourceReading(
            fetch: { [self, reach] url in await client.fetch(request(url, config: reach)) }, enough: config.maxEntries,
            logger: logger, now: now)
        let offer: Offer
        switch await config.source.offer(in: response, reading: reading) {
        case .success(let offered): offer = offered
        case .failure(let error): return .failure(.source(error.description, url: config.sourceURL, underlying: error))
        }
        let fetchable = offer.items.filter { item in item.link.map { request($0, config: reach).refusal == nil } ?? true
        }
        let refused = offer.items.count - fetchable.count
        guard !fetchable.isEmpty else {
            let because =
                refused > 0
                ? " that may be fetched (\(refused) refused: only http and https, or files in its folder)" : ""
            return .failure(
                .source("\(config.sourceURL): \(config.source.nothingOffered)\(because)", url: config.sourceURL))
        }
        // Validators are kept only for a source that could be read, so a broken one is read again.
        if let response, let state {
            do {
                try await state.save(
                    Validators(
                        etag: response.headers["etag"], lastModified: response.headers["last-modified"], fetchedAt: now),
                    for: config.sourceKey(config.sourceURL), feed: config.id)
            } catch {
                logger.error("\(error)")
            }
        }
        return .success((fetchable, reach, refused, offer.warnings))
    }
}
