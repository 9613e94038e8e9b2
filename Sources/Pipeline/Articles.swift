import Extract
import Feed
import Fetch
import Foundation
import Logging
import Markup
import Sources
import State

/// One item's page to read, under its pipeline (narrowed to the item's source).
package struct ArticleJob: Sendable {
    package var item: Item
    /// The item's link: the page.
    package var url: String
    package var config: PipelineConfig

    package init(item: Item, url: String, config: PipelineConfig) {
        self.item = item
        self.url = url
        self.config = config
    }
}

/// Fetch and extract: the articles of every pipeline, as their answers arrive.
extension Runner {
    /// What fetching one article came to.
    package enum Fetched: Sendable {
        /// The article, and the validators its response carried (with the id of the entry the page made
        /// when it was first read, when it was).
        case article(Article, Validators)
        /// Fetched recently enough, or answered 304: the stored entry stands.
        case unchanged
        /// Fetched, but the page gives no article (no text, not a page): why, and the validators its response
        /// carried. The page is marked fetched, so that it is asked for again once its refresh age has passed
        /// rather than on every run.
        case unreadable(RunError, Validators)
    }

    /// Fetches and extracts the articles of any pipelines together; failures are reported per URL. With a
    /// state store, articles fetched within their pipeline's refresh age are skipped and the others are
    /// fetched conditionally. `each` is given every article's outcome (by its position in `jobs`) as soon
    /// as it is final, on the calling task: answers are extracted as they arrive, at most one per core at
    /// a time, and the fetching waits for the extraction rather than pile up bodies.
    package func articles(
        _ jobs: [ArticleJob], state: (any StateStore)? = nil, now: Date = Date(),
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
        each: (_ index: Int, _ outcome: Result<Fetched, RunError>) async -> Void
    ) async {
        var work: [(index: Int, request: Request, rules: ExtractionRules)] = []
        var siteRuleCache: [String: SiteRules?] = [:]
        // The entry ids pages made before, read with their validators: the entry keeps its id.
        var decided: [Int: String] = [:]
        for (index, job) in jobs.enumerated() {
            let known: Validators?
            do {
                known = try await state?.validators(for: job.url, feed: job.config.id)
            } catch {
                await each(index, .failure(.state(error)))
                continue
            }
            // A source's date (feed `updated`, sitemap `lastmod`) newer than the last fetch means it changed.
            if let fetched = known?.fetchedAt, now.timeIntervalSince(fetched) < job.config.fetch.refreshAfter,
                !(job.item.date.map { $0 > fetched } ?? false)
            {
                await each(index, .success(.unchanged))
                continue
            }
            decided[index] = known?.entry
            switch siteRules(for: job.url, config: job.config, cache: &siteRuleCache) {
            case .failure(let error):
                await each(index, .failure(.article("site rules: \(error)", url: job.url, underlying: error)))
            case .success(let rules):
                var request = request(job.url, config: job.config, validators: known)
                for (name, value) in rules.site?.headers ?? [:] { request.headers[name] = value }
                work.append((index, request, rules))
            }
        }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let log = logger
        var done = 0
        // Articles whose site rules say they go on elsewhere wait for their other pages.
        var continuing: [Int: (outcome: Result<Fetched, RunError>, next: Continuation)] = [:]
        await withTaskGroup(of: (index: Int, result: Result<Fetched, RunError>, next: Continuation?).self) { group in
            var running = 0
            func take(_ made: (index: Int, result: Result<Fetched, RunError>, next: Continuation?)) async {
                done += 1
                progress?(done, work.count)
                var result = made.result
                if case .success(.article(let article, var validators)) = result, let entry = decided[made.index] {
                    validators.entry = entry
                    result = .success(.article(article, validators))
                }
                if let next = made.next {
                    continuing[made.index] = (result, next)
                } else {
                    await each(made.index, result)
                }
            }
            for await answer in client.answers(to: work.map(\.request)) {
                if running == cores, let made = await group.next() {
                    running -= 1
                    await take(made)
                }
                let (index, _, rules) = work[answer.index]
                let url = jobs[index].url
                let config = jobs[index].config
                group.addTask {
                    let result = await self.rendered(answer.result, config: config)
                    let made = Runner.outcome(of: result, url: url, rules: rules, allowSinglePage: true)
                    // --verbose: each fetch and each extraction.
                    if case .success(let response) = result {
                        log.info(
                            "\(url): fetched, status \(response.status), \(response.body.count) bytes in \(String(format: "%.2f", response.elapsed)) s"
                        )
                    }
                    if case .success(.article(let article, _)) = made.result {
                        log.info(
                            "\(url): extracted \(article.text.count) characters, \"\(article.title ?? "untitled")\"")
                    }
                    return (index, made.result, made.continuation)
                }
                running += 1
            }
            for await made in group { await take(made) }
        }
        guard !continuing.isEmpty else { return }
        let rules = Dictionary(uniqueKeysWithValues: work.map { ($0.index, $0.rules) })
        var outcomes = continuing.mapValues(\.outcome)
        await followContinuations(continuing.mapValues(\.next), outcomes: &outcomes, jobs: jobs, rules: rules)
        for (index, outcome) in outcomes.sorted(by: { $0.key < $1.key }) { await each(index, outcome) }
    }

    /// The outcome of every job, in job order (see the streaming `articles(_:state:now:each:)`).
    package func articles(
        _ jobs: [ArticleJob], state: (any StateStore)? = nil, now: Date = Date()
    )
        async -> [Result<Fetched, RunError>]
    {
        var outcomes = [Result<Fetched, RunError>?](repeating: nil, count: jobs.count)
        await articles(jobs, state: state, now: now) { outcomes[$0] = $1 }
        return zip(jobs, outcomes).map { $1 ?? .failure(.article("not fetched", url: $0.url)) }
    }

    /// Pages an article continues on, at most this many in all.
    static let articlePageLimit = 10

    /// Multi-page articles (site rules): a single-page version replaces the first page; next pages are
    /// fetched round by round, all articles' at once, and their bodies appended. A page that fails ends its
    /// article where it is, with what it has.
    private func followContinuations(
        _ start: [Int: Continuation], outcomes: inout [Int: Result<Fetched, RunError>],
        jobs: [ArticleJob], rules: [Int: ExtractionRules]
    ) async {
        var pending = start
        var seen: [Int: Set<String>] = [:]
        for round in 1..<Self.articlePageLimit where !pending.isEmpty {
            // A page already read (a "next" link back to the first page, say) ends the article.
            let order = pending.keys.sorted().filter { index in
                seen[index, default: [jobs[index].url]].insert(pending[index]!.url).inserted
            }
            let addresses = order.map { pending[$0]!.url }
            var requests: [Request] = []
            for (index, url) in zip(order, addresses) {
                var request = request(url, config: jobs[index].config)
                for (name, value) in rules[index]?.site?.headers ?? [:] { request.headers[name] = value }
                requests.append(request)
            }
            let answers = await client.fetch(requests)
            var next: [Int: Continuation] = [:]
            for (position, index) in order.enumerated() {
                guard case .success(.article(let article, let validators)) = outcomes[index] else { continue }
                let rule = rules[index] ?? jobs[index].config.rules
                let made = Runner.outcome(
                    of: answers[position], url: addresses[position], rules: rule, allowSinglePage: false)
                guard case .success(.article(let page, _)) = made.result else {
                    logger.error("\(addresses[position]): page \(round + 1) of \(jobs[index].url) not read")
                    continue
                }
                switch pending[index]! {
                case .singlePage:
                    outcomes[index] = .success(.article(page, validators))
                case .nextPage:
                    var joined = article
                    joined.html += "\n" + page.html
                    joined.text += "\n\n" + page.text
                    outcomes[index] = .success(.article(joined, validators))
                }
                next[index] = made.continuation
            }
            pending = next
        }
    }

    /// A pipeline's extraction rules for one article, with the site rules of its host when the pipeline
    /// names a folder of them (each file read once per batch).
    func siteRules(for url: String, config: PipelineConfig, cache: inout [String: SiteRules?])
        -> Result<ExtractionRules, SiteRules.ParseError>
    {
        guard let folder = config.siteRules, let host = URL(string: url)?.host?.lowercased() else {
            return .success(config.rules)
        }
        let key = folder.path + "\n" + host
        if cache[key] == nil {
            do {
                cache[key] = .some(try folder.rules(for: url))
            } catch {
                return .failure(error)
            }
        }
        guard let found = cache[key] ?? nil else { return .success(config.rules) }
        return .success(found.applied(to: config.rules))
    }

    /// What a response comes to: the extracted article (or why there is none), and where the article goes
    /// on when site rules say so.
    static func outcome(
        of result: Result<Response, FetchError>, url: String, rules: ExtractionRules, allowSinglePage: Bool
    ) -> (result: Result<Fetched, RunError>, continuation: Continuation?) {
        var continuation: Continuation?
        let result = outcomeResult(of: result, url: url, rules: rules) { document in
            continuation = Continuation.find(in: document, rules: rules, allowSinglePage: allowSinglePage)
        }
        return (result, continuation)
    }

    private static func outcomeResult(
        of result: Result<Response, FetchError>, url: String, rules: ExtractionRules, inspect: (Document) -> Void
    ) -> Result<Fetched, RunError> {
        switch result {
        case .failure(let error):
            return .failure(.fetch(error, .article))
        case .success(let response) where response.isNotModified:
            return .success(.unchanged)
        case .success(let response):
            let validators = Validators(etag: response.headers["etag"], lastModified: response.headers["last-modified"])
            if let type = response.headers["content-type"], !isPage(type) {
                return .success(.unreadable(.article("not an HTML page (\(type))", url: url), validators))
            }
            if response.body.allSatisfy({ $0 <= 0x20 }) {
                return .success(.unreadable(.article("the page is empty", url: url), validators))
            }
            if let kind = PageBytes.binaryKind(response.body) {
                return .success(.unreadable(.article("not an HTML page (\(kind) data)", url: url), validators))
            }
            do {
                let document = try rules.document(utf8: response.utf8, url: response.url)
                inspect(document)
                let article = Extractor(rules: rules).extract(document)
                if article.text.isEmpty, article.html.isEmpty {
                    return .success(.unreadable(.article("no article text found in the page", url: url), validators))
                }
                return .success(.article(article, validators))
            } catch {
                return .failure(.article("\(error)", url: url, underlying: error))
            }
        }
    }

    /// Whether a `Content-Type` can be a web page: HTML, XHTML, or a type servers give pages by mistake
    /// (`text/plain`, XML); PDF, images and the like cannot.
    static func isPage(_ contentType: String) -> Bool {
        let type =
            contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type.isEmpty || type == "text/html" || type == "application/xhtml+xml" || type == "text/plain"
            || type.hasSuffix("/xml") || type.hasSuffix("+xml") || type == "application/octet-stream"
    }
}
