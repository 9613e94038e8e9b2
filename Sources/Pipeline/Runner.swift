import Extract
import Feed
import Fetch
import Foundation
import State
import Logging
import Markup

/// What one pipeline run did, for the one-line report and the exit status.
public struct RunReport: Sendable, CustomStringConvertible {
    public var pipeline: String
    public var output: String
    public var discovered = 0
    public var new = 0
    public var updated = 0
    public var kept = 0
    /// Errors that did not stop the run: a source or an article that could not be fetched or read.
    public var failures: [String] = []
    /// What a user should know though nothing failed: entries read back from the feed, a page that lost
    /// its text and was not taken, links refused.
    public var warnings: [String] = []
    /// Links the source offered that are never fetched: other schemes than http(s), files outside the
    /// pipeline's folder.
    public var refused = 0

    public var description: String {
        var line = "\(pipeline): \(new) new, \(updated) updated, \(kept) kept → \(output)"
        var notes: [String] = []
        if !failures.isEmpty { notes.append("\(failures.count) failed") }
        if refused > 0 { notes.append("\(refused) link\(refused == 1 ? "" : "s") refused") }
        if !notes.isEmpty { line += " (" + notes.joined(separator: ", ") + ")" }
        return line
    }
}

/// Discover, fetch, extract, normalize and emit for one pipeline.
public struct Runner: Sendable {
    public let client: HTTPClient
    public let logger: Logger
    /// Told, as articles arrive, how many of the run's articles have an answer out of how many.
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

    public init(client: HTTPClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The requests of a pipeline for a URL: its headers and policy, and the validators of the last fetch.
    /// A link's request has the pipeline's link policy; the source's own (`asSource`) may reach any address
    /// (the pipeline's author chose it) and read its own file.
    func request(_ url: String, config: PipelineConfig, validators: Validators? = nil, asSource: Bool = false)
        -> Request
    {
        var policy = config.fetch.policy
        policy.fileFolder = config.sourceFolder
        if asSource { policy.privateAddresses = true }
        return Request(
            url: url, headers: config.fetch.headers, etag: validators?.etag, lastModified: validators?.lastModified,
            policy: policy)
    }

    /// What a pipeline's source offered.
    public struct Discovery: Sendable {
        /// The links, in source order, without duplicates; `nil` when the source is unchanged since the last
        /// run.
        public var links: [Link]?
        /// The pipeline as its links are fetched: a source on a private address (an intranet) lets its links
        /// reach private addresses too.
        public var config: PipelineConfig
        /// Links dropped before fetching (see `RunReport.refused`).
        public var refused = 0
        /// What the user should know of how the links were found (links guessed on a page with no feed).
        public var warnings: [String] = []
    }

    /// The links each pipeline's source offers; all sources are fetched together. With a state store,
    /// sources are fetched conditionally. Links that may not be fetched are dropped and counted; a source
    /// that offers no link at all is a failure naming it (and its selector).
    public func discover(_ configs: [PipelineConfig], state: (any StateStore)? = nil, now: Date = Date()) async
        -> [Result<Discovery, RunError>]
    {
        var reach = configs
        var warnings = [[String]](repeating: [], count: configs.count)
        let offered = await discoverLinks(configs, reach: &reach, warnings: &warnings, state: state, now: now)
        return zip(zip(offered, reach), warnings).map { pair, warnings in
            let (result, config) = pair
            return result.flatMap { links in
                guard let links else { return .success(Discovery(links: nil, config: config, warnings: warnings)) }
                let fetchable = links.filter { request($0.url, config: config).refusal == nil }
                let refused = links.count - fetchable.count
                guard !fetchable.isEmpty else {
                    return .failure(.source(Self.noLinks(config, refused: refused)))
                }
                return .success(
                    Discovery(links: Link.withoutTracking(fetchable), config: config, refused: refused, warnings: warnings))
            }
        }
    }

    /// Why a source offering no links is a failure, in its own terms.
    static func noLinks(_ config: PipelineConfig, refused: Int) -> String {
        let what = switch config.source {
        case .htmlList(_, let list): "the list page offers no links: '\(list.links.source)' matched none"
        case .feed: "the feed has no items with links"
        case .sitemap: "the sitemap lists no pages"
        case .folder: "the folder holds no .html pages"
        }
        let because = refused > 0 ? " that may be fetched (\(refused) refused: only http and https, or files in its folder)" : ""
        return "\(config.sourceURL): \(what)\(because)"
    }

    private func discoverLinks(
        _ configs: [PipelineConfig], reach: inout [PipelineConfig], warnings: inout [[String]], state: (any StateStore)?,
        now: Date
    ) async -> [Result<[Link]?, RunError>] {
        // Folders are listed, not fetched.
        var results = [Result<[Link]?, RunError>?](repeating: nil, count: configs.count)
        var fetched: [(index: Int, request: Request)] = []
        for (index, config) in configs.enumerated() {
            if case .folder(let url) = config.source {
                reach[index].fetch.policy.privateAddresses = true
                results[index] = SavedPages.links(in: url).mapError { RunError.source($0.description) }.map { $0 }
                continue
            }
            let known = (try? state?.validators(for: config.sourceURL, feed: config.id)) ?? nil
            fetched.append((index, request(config.sourceURL, config: config, validators: known, asSource: true)))
        }
        let responses = await client.fetch(fetched.map(\.request))
        for ((index, _), result) in zip(fetched, responses) {
            if case .success(let response) = result {
                logger.info("\(response.requestedURL): source fetched, status \(response.status), \(response.body.count) bytes")
            }
            // A source on this machine (a file) or on a private address (an intranet) is no public source.
            if configs[index].sourceFolder != nil { reach[index].fetch.policy.privateAddresses = true }
            if case .success(let response) = result, let address = response.address,
                AddressPolicy.isPrivate(address, publicForTesting: client.options.publicForTesting)
            {
                reach[index].fetch.policy.privateAddresses = true
            }
            let configs = reach
            switch links(from: result, config: configs[index], state: state, now: now) {
            case .success(.links(let links)): results[index] = .success(links)
            case .success(.guessedLinks(let links)):
                warnings[index].append(
                    "\(configs[index].sourceURL): a web page with no feed; its article links are guessed (give 'links' to choose them)")
                results[index] = .success(links)
            case .success(.sitemaps(let urls)): results[index] = await sitemapLinks(from: urls, config: configs[index]).map { $0 }
            case .success(.listPage(let links, let next)):
                results[index] = .success(await following(next, after: links, config: configs[index]))
            case .success(.advertisedFeed(let url)):
                switch await client.fetch([request(url, config: configs[index])])[0] {
                case .failure(let error): results[index] = .failure(.source(error.description))
                case .success(let response):
                    results[index] = Result { try FeedSource.links(in: response.body, url: response.url) }
                        .mapError { RunError.source("\($0)") }.map { $0 }
                }
            case .failure(let error): results[index] = .failure(error)
            }
        }
        return results.map { $0 ?? .failure(.source("not read")) }
    }

    /// The links of a list page and of the pages after it, read through the "next" link one at a time up
    /// to the pipeline's page limit, or until enough links are found. A later page that fails ends the walk
    /// with what was found (and is logged).
    private func following(_ next: String?, after first: [Link], config: PipelineConfig) async -> [Link] {
        guard case .htmlList(_, let list) = config.source, let selector = list.next else { return first }
        var links = first, seen = Set(first.map(\.url)), visited: Set<String> = [config.sourceURL]
        var next = next, page = 1
        while let url = next, page < list.pages, links.count < config.maxEntries, visited.insert(url).inserted {
            page += 1
            do {
                let response = try await client.fetch([request(url, config: config)])[0].get()
                let document = try Document(html: response.text, url: response.url)
                links += ListPage.links(in: document, list: list).filter { seen.insert($0.url).inserted }
                next = ListPage.nextPage(in: document, next: selector)
            } catch {
                logger.error("\(url): \(error)")
                break
            }
        }
        return links
    }

    /// Sitemap indexes are followed this deep (an index of indexes of sitemaps is three levels).
    static let sitemapDepth = 3
    /// Sitemaps read from one index, newest first.
    static let sitemapsPerIndex = 10

    /// The pages of the sitemaps an index names, read level by level until the pipeline has enough.
    private func sitemapLinks(from urls: [String], config: PipelineConfig) async -> Result<[Link], RunError> {
        var links: [Link] = [], seen = Set<String>()
        var pending = Array(urls.prefix(Self.sitemapsPerIndex))
        var depth = 1
        while !pending.isEmpty, depth < Self.sitemapDepth, links.count < config.maxEntries {
            let answers = await client.fetch(pending.map { request($0, config: config) })
            var next: [String] = []
            for (url, answer) in zip(pending, answers) {
                do {
                    let response = try answer.get()
                    switch try SitemapSource.read(response.body, url: response.url) {
                    case .pages(let found): links += found.filter { seen.insert($0.url).inserted }
                    case .sitemaps(let more): next += more.prefix(Self.sitemapsPerIndex)
                    }
                } catch {
                    return .failure(.source("\(url): \(error)"))
                }
            }
            pending = next
            depth += 1
        }
        return .success(newestFirst(links, date: \.date))
    }

    /// What a feed source's answer offers when it is not a feed: a sitemap is read as one; a web page gives
    /// the feed it advertises or, lacking one, the article links it seems to list; `nil` when it gives none.
    private func notAFeed(_ response: Response, config: PipelineConfig) -> Offered? {
        if let contents = try? SitemapSource.read(response.body, url: response.url) {
            switch contents {
            case .pages(let links): return .links(links)
            case .sitemaps(let urls): return .sitemaps(urls)
            }
        }
        guard let page = try? Document(html: response.text, url: response.url) else { return nil }
        if let feed = FeedSource.advertisedFeed(in: page) {
            logger.info("\(config.sourceURL): a web page; reading the feed it advertises, \(feed)")
            return .advertisedFeed(feed)
        }
        let found = ListPage.articleLinks(in: page)
        guard !found.isEmpty else { return nil }
        return .guessedLinks(found)
    }

    /// What a source's answer offers: links (`nil` when unchanged), or the sitemaps a sitemap index names.
    private enum Offered {
        case links([Link]?)
        case sitemaps([String])
        /// A list page's links and the address of the next page, if any is to be read.
        case listPage([Link], next: String?)
        /// The feed a web page advertises, given as a feed source.
        case advertisedFeed(String)
        /// The article links a web page with no feed seems to list, guessed.
        case guessedLinks([Link])
    }

    private func links(from result: Result<Response, FetchError>, config: PipelineConfig, state: (any StateStore)?, now: Date)
        -> Result<Offered, RunError>
    {
        do {
            switch result {
            case .failure(let error):
                return .failure(.source(error.description))
            case .success(let response) where response.isNotModified:
                logger.info("\(config.sourceURL): not modified")
                return .success(.links(nil))
            case .success(let response):
                let offered: Offered
                switch config.source {
                case .htmlList(_, let list):
                    if response.body.allSatisfy({ $0 <= 0x20 }) {
                        return .failure(.source(Self.noLinks(config, refused: 0) + " (the page is empty)"))
                    }
                    let document = try Document(html: response.text, url: response.url)
                    let next = list.pages > 1 ? list.next.flatMap { ListPage.nextPage(in: document, next: $0) } : nil
                    offered = .listPage(ListPage.links(in: document, list: list), next: next)
                case .feed:
                    do {
                        offered = .links(try FeedSource.links(in: response.body, url: response.url))
                    } catch {
                        guard let other = notAFeed(response, config: config) else { throw error }
                        offered = other
                    }
                case .sitemap:
                    switch try SitemapSource.read(response.body, url: response.url) {
                    case .pages(let links): offered = .links(links)
                    case .sitemaps(let urls): offered = .sitemaps(urls)
                    }
                case .folder:
                    offered = .links([])
                }
                // Validators are kept only for a source that could be read, so a broken one is read again.
                try? state?.save(
                    .init(etag: response.headers["etag"], lastModified: response.headers["last-modified"], fetchedAt: now),
                    for: config.sourceURL, feed: config.id)
                return .success(offered)
            }
        } catch {
            return .failure(.source("\(error)"))
        }
    }

    /// What fetching one article came to.
    public enum Fetched: Sendable {
        /// The article, and the validators its response carried.
        case article(Article, Validators)
        /// Fetched recently enough, or answered 304: the stored entry stands.
        case unchanged
    }

    /// Fetches and extracts the articles of any pipelines together; failures are reported per URL. With a
    /// state store, articles fetched within their pipeline's refresh age are skipped and the others are
    /// fetched conditionally. `each` is given every article's outcome (by its position in `jobs`) as soon
    /// as it is final, on the calling task: answers are extracted as they arrive, at most one per core at
    /// a time, and the fetching waits for the extraction rather than pile up bodies.
    public func articles(
        _ jobs: [(link: Link, config: PipelineConfig)], state: (any StateStore)? = nil, now: Date = Date(),
        each: (_ index: Int, _ outcome: Result<Fetched, RunError>) async -> Void
    ) async {
        var work: [(index: Int, request: Request, rules: ExtractionRules)] = []
        var siteRuleCache: [String: SiteRules?] = [:]
        for (index, job) in jobs.enumerated() {
            let known = (try? state?.validators(for: job.link.url, feed: job.config.id)) ?? nil
            // A source's date (feed `updated`, sitemap `lastmod`) newer than the last fetch means it changed.
            if let fetched = known?.fetchedAt, now.timeIntervalSince(fetched) < job.config.fetch.refreshAfter,
                !(job.link.date.map { $0 > fetched } ?? false)
            {
                await each(index, .success(.unchanged))
                continue
            }
            switch siteRules(for: job.link.url, config: job.config, cache: &siteRuleCache) {
            case .failure(let error):
                await each(index, .failure(.article("\(job.link.url): site rules: \(error)")))
            case .success(let rules):
                var request = request(job.link.url, config: job.config, validators: known)
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
                if let next = made.next {
                    continuing[made.index] = (made.result, next)
                } else {
                    await each(made.index, made.result)
                }
            }
            for await answer in client.answers(to: work.map(\.request)) {
                if running == cores, let made = await group.next() {
                    running -= 1
                    await take(made)
                }
                let (index, _, rules) = work[answer.index]
                let url = jobs[index].link.url
                group.addTask {
                    let made = Runner.outcome(of: answer.result, url: url, rules: rules, allowSinglePage: true)
                    // --verbose: each fetch and each extraction.
                    if case .success(let response) = answer.result {
                        log.info("\(url): fetched, status \(response.status), \(response.body.count) bytes in \(String(format: "%.2f", response.elapsed)) s")
                    }
                    if case .success(.article(let article, _)) = made.result {
                        log.info("\(url): extracted \(article.text.count) characters, \"\(article.title ?? "untitled")\"")
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
    public func articles(_ jobs: [(link: Link, config: PipelineConfig)], state: (any StateStore)? = nil, now: Date = Date())
        async -> [Result<Fetched, RunError>]
    {
        var outcomes = [Result<Fetched, RunError>?](repeating: nil, count: jobs.count)
        await articles(jobs, state: state, now: now) { outcomes[$0] = $1 }
        return zip(jobs, outcomes).map { $1 ?? .failure(.article("\($0.link.url): not fetched")) }
    }

    /// Pages an article continues on, at most this many in all.
    static let articlePageLimit = 10

    /// Multi-page articles (site rules): a single-page version replaces the first page; next pages are
    /// fetched round by round, all articles' at once, and their bodies appended. A page that fails ends its
    /// article where it is, with what it has.
    private func followContinuations(
        _ start: [Int: Continuation], outcomes: inout [Int: Result<Fetched, RunError>],
        jobs: [(link: Link, config: PipelineConfig)], rules: [Int: ExtractionRules]
    ) async {
        var pending = start
        var seen: [Int: Set<String>] = [:]
        for round in 1..<Self.articlePageLimit where !pending.isEmpty {
            // A page already read (a "next" link back to the first page, say) ends the article.
            let order = pending.keys.sorted().filter { index in
                seen[index, default: [jobs[index].link.url]].insert(pending[index]!.url).inserted
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
                let made = Runner.outcome(of: answers[position], url: addresses[position], rules: rule, allowSinglePage: false)
                guard case .success(.article(let page, _)) = made.result else {
                    logger.error("\(addresses[position]): page \(round + 1) of \(jobs[index].link.url) not read")
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

    /// Where a page of an article says the article goes on (site rules' `single_page_link` or
    /// `next_page_link`).
    enum Continuation: Sendable {
        case singlePage(String)
        case nextPage(String)

        var url: String {
            switch self {
            case .singlePage(let url), .nextPage(let url): url
            }
        }
    }

    /// The continuation the site rules find in a page, resolved against the page's address.
    static func continuation(in document: Document, rules: ExtractionRules, allowSinglePage: Bool) -> Continuation? {
        guard let site = rules.site, let root = document.root else { return nil }
        func link(_ selectors: [Selector]) -> String? {
            for selector in selectors {
                for node in root.select(selector) {
                    let href = node.isElement ? node.attribute("href") : node.text
                    if let href, let address = ListPage.address(href, base: ListPage.base(of: document)),
                        address != document.url
                    {
                        return address
                    }
                }
            }
            return nil
        }
        if allowSinglePage, let single = link(site.singlePageLink) { return .singlePage(single) }
        return link(site.nextPageLink).map(Continuation.nextPage)
    }

    /// What a response comes to: the extracted article (or why there is none), and where the article goes
    /// on when site rules say so.
    static func outcome(
        of result: Result<Response, FetchError>, url: String, rules: ExtractionRules, allowSinglePage: Bool
    ) -> (result: Result<Fetched, RunError>, continuation: Continuation?) {
        var continuation: Continuation?
        let result = outcomeResult(of: result, url: url, rules: rules) { document in
            continuation = Self.continuation(in: document, rules: rules, allowSinglePage: allowSinglePage)
        }
        return (result, continuation)
    }

    private static func outcomeResult(
        of result: Result<Response, FetchError>, url: String, rules: ExtractionRules, inspect: (Document) -> Void
    ) -> Result<Fetched, RunError> {
        switch result {
        case .failure(let error):
            return .failure(.article(error.description))
        case .success(let response) where response.isNotModified:
            return .success(.unchanged)
        case .success(let response):
            if let type = response.headers["content-type"], !isPage(type) {
                return .failure(.article("\(url): not an HTML page (\(type))"))
            }
            if response.body.allSatisfy({ $0 <= 0x20 }) { return .failure(.article("\(url): the page is empty")) }
            if let kind = PageBytes.binaryKind(response.body) { return .failure(.article("\(url): not an HTML page (\(kind) data)")) }
            do {
                let document = try rules.document(html: response.text, url: response.url)
                inspect(document)
                let validators = Validators(
                    etag: response.headers["etag"], lastModified: response.headers["last-modified"])
                let article = Extractor(rules: rules).extract(document)
                if article.text.isEmpty, article.html.isEmpty {
                    return .failure(.article("\(url): no article text found in the page"))
                }
                return .success(.article(article, validators))
            } catch {
                return .failure(.article("\(url): \(error)"))
            }
        }
    }

    /// Whether a `Content-Type` can be a web page: HTML, XHTML, or a type servers give pages by mistake
    /// (`text/plain`, XML); PDF, images and the like cannot.
    static func isPage(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type.isEmpty || type == "text/html" || type == "application/xhtml+xml" || type == "text/plain"
            || type.hasSuffix("/xml") || type.hasSuffix("+xml") || type == "application/octet-stream"
    }

    /// Runs one pipeline and writes its feed.
    public func run(_ config: PipelineConfig, state: any StateStore, now: Date = Date()) async throws(RunError)
        -> RunReport
    {
        try await run([config], state: state, now: now)[0].get()
    }

    /// Runs pipelines together (one fetch batch for all sources, one for all articles) and writes each
    /// feed. A failed source or article is reported, and its feed is still written with every entry it had;
    /// a pipeline whose state or feed cannot be written fails alone.
    public func run(_ configs: [PipelineConfig], state: any StateStore, now: Date = Date()) async
        -> [Result<RunReport, RunError>]
    {
        let seenAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        var reports = configs.map { RunReport(pipeline: $0.name, output: $0.output) }
        for (index, config) in configs.enumerated() {
            if let note = restoreFromFeed(config, state: state, seenAt: seenAt) { reports[index].warnings.append(note) }
        }
        var jobs: [(link: Link, config: PipelineConfig)] = []
        var owners: [Int] = []
        var perPipeline = [[(link: Link, config: PipelineConfig)]](repeating: [], count: configs.count)
        for (index, source) in await discover(configs, state: state, now: seenAt).enumerated() {
            switch source {
            case .failure(let error):
                reports[index].failures.append(error.description)
                logger.error("\(error)")
            case .success(let found):
                let admitted = (found.links ?? []).filter { configs[index].filter.admits($0, now: seenAt) }
                let kept = Array(admitted.prefix(configs[index].maxEntries))
                reports[index].discovered = kept.count
                reports[index].refused = found.refused
                reports[index].warnings += found.warnings
                if found.refused > 0 {
                    reports[index].warnings.append(
                        "\(configs[index].sourceURL): \(found.refused) links refused (only http and https, or files in the source's folder)")
                }
                perPipeline[index] = kept.map { ($0, found.config) }
            }
        }
        // Pipelines take turns, one article each, so that every chunk keeps every host busy: a chunk of one
        // pipeline's articles would wait on that one host's politeness while the others idle.
        for turn in 0..<(perPipeline.map(\.count).max() ?? 0) {
            for (index, articles) in perPipeline.enumerated() where turn < articles.count {
                jobs.append(articles[turn])
                owners.append(index)
            }
        }
        // Outcomes are merged into the store as they come, a chunk at a time, so that a run over thousands
        // of articles holds only a chunk of them in memory.
        var merge = FeedMerge(configs: configs, reports: reports, state: state, seenAt: seenAt, logger: logger)
        await articles(jobs, state: state, now: seenAt) { position, outcome in
            merge.take(outcome, link: jobs[position].link, pipeline: owners[position])
            if merge.buffered >= Self.chunkSize { merge.flush() }
        }
        merge.flush()
        reports = merge.reports
        let broken = merge.broken
        let results = configs.indices.map { index -> Result<RunReport, RunError> in
            if let error = broken[index] { return .failure(error) }
            return Result { () throws(RunError) in try emit(configs[index], report: reports[index], state: state) }
        }
        let folders = Set(configs.map { URL(fileURLWithPath: $0.output).deletingLastPathComponent().standardizedFileURL.path })
        for folder in folders.sorted() {
            do {
                try FeedFolder.writeIndex(in: folder)
            } catch {
                logger.error("cannot write the feed index in \(folder): \(error)")
            }
        }
        return results
    }

    /// A feed on disk is a backup of its entries: when the store has none for it (a store lost, emptied,
    /// replaced or moved aside as corrupt), the feed file gives them back before anything is merged, so
    /// that a run never writes a feed with fewer entries than it had.
    /// Returns what it did, to be told once.
    func restoreFromFeed(_ config: PipelineConfig, state: any StateStore, seenAt: Date) -> String? {
        guard (try? state.entries(feed: config.id).isEmpty) == true,
            let data = FileManager.default.contents(atPath: config.output)
        else { return nil }
        do {
            let entries = try AtomReader.entries(in: Array(data), url: config.output)
            guard !entries.isEmpty else { return nil }
            try state.merge(entries, feed: config.id, seenAt: seenAt, keep: config.maxEntries)
            return "\(config.output): the state store had no entries for this feed; \(entries.count) were read back from the feed"
        } catch {
            return "\(config.output): the state store has no entries for this feed, and the feed cannot be read back: \(error)"
        }
    }

    /// Articles fetched and extracted before their entries are stored.
    static let chunkSize = 200

    /// Writes a pipeline's feed atomically from the entries in the store.
    private func emit(_ config: PipelineConfig, report: RunReport, state: any StateStore) throws(RunError) -> RunReport {
        var report = report
        let stored: [Entry]
        do {
            // Prunes to the maximum even when nothing new came in (the maximum may have been lowered).
            _ = try state.merge([], feed: config.id, seenAt: Date(), keep: config.maxEntries)
            stored = try state.entries(feed: config.id)
        } catch {
            throw RunError.state(error.description)
        }
        report.kept = max(0, stored.count - report.new - report.updated)

        var meta = FeedMeta(
            id: config.id, title: config.title, link: config.link ?? siteLink(config), selfLink: nil,
            author: config.author ?? config.title)
        for format in config.formats {
            let path = config.path(for: format)
            // Each file names itself as `self`: the RSS and JSON Feed files their own address, not the Atom's.
            meta.selfLink = Self.selfLink(of: config, format: format)
            let text = switch format {
            case .atom: AtomWriter.document(meta, entries: stored, stylesheet: FeedFolder.stylesheetName)
            case .rss: RSSWriter.document(meta, entries: stored)
            case .json: JSONFeedWriter.document(meta, entries: stored)
            }
            do {
                try AtomicFile.write(text, to: path)
            } catch {
                throw RunError.output("\(error)")
            }
        }
        return report
    }

    /// The public address of a pipeline's feed in one format: `url:` with the format's extension in place of
    /// the Atom file's, or the written file's own `file:` URL when the pipeline names no public address.
    static func selfLink(of config: PipelineConfig, format: PipelineConfig.FeedFormat) -> String {
        let path = config.path(for: format)
        guard let published = config.selfLink else { return URL(fileURLWithPath: path).standardizedFileURL.absoluteString }
        guard format != .atom, var components = URLComponents(string: published) else { return published }
        let atomName = URL(fileURLWithPath: config.output).lastPathComponent
        let ownName = URL(fileURLWithPath: path).lastPathComponent
        if components.path.hasSuffix("/" + atomName) || components.path == atomName {
            components.path = String(components.path.dropLast(atomName.count)) + ownName
        } else if components.path.hasSuffix(".atom") || components.path.hasSuffix(".xml") {
            let stem = components.path.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".")
            components.path = stem + "." + format.fileExtension
        } else {
            return published
        }
        return components.string ?? published
    }

    /// The text lengths of a refetched article and of its stored entry when the article has less than half
    /// the stored text; `nil` when it is not far shorter.
    static func shrinkage(of article: Article, against stored: Entry) -> (now: Int, before: Int)? {
        guard let content = stored.content, content.utf8.count > 2 * article.text.utf8.count,
            let document = try? Document(html: "<html><body>\(content)</body></html>", url: stored.link),
            let text = document.root?.text
        else { return nil }
        let before = text.count { !$0.isWhitespace }, now = article.text.count { !$0.isWhitespace }
        return now * 2 < before ? (now, before) : nil
    }

    /// The article a feed item's own body makes, extracted and made safe like a page's, or `nil` when the
    /// item has no body with text. With `page`, only when the page's text is less than half as long, and
    /// then with the page's metadata (title, author, dates, image).
    static func feedArticle(_ link: Link, rules: ExtractionRules, unlessAsLongAs page: Article? = nil) -> Article? {
        guard let content = link.content, let body = try? Selector("body") else { return nil }
        if let page, page.text.utf8.count * 2 >= content.utf8.count { return nil }
        var rules = rules
        rules.body = body
        rules.site = nil
        guard let document = try? Document(html: "<html><body>\(content)</body></html>", url: link.url) else { return nil }
        let article = Extractor(rules: rules).extract(document)
        if article.text.isEmpty { return nil }
        guard var page else { return article }
        if page.text.utf8.count * 2 >= article.text.utf8.count { return nil }
        page.html = article.html
        page.text = article.text
        return page
    }

    /// The feed entry for an extracted article. The id comes from the article's canonical URL when the page
    /// names one on the same site, else from the link that led to it.
    static func entry(for article: Article, link: Link, feed: String, state: any StateStore, seenAt: Date) throws(StateError)
        -> Entry
    {
        // A saved page's own canonical URL is its real address; elsewhere a canonical on another host is
        // not trusted.
        let address = article.url.flatMap { canonical in
            let canonicalURL = URL(string: canonical), linkURL = URL(string: link.url)
            if linkURL?.isFileURL == true { return canonicalURL?.scheme?.hasPrefix("http") == true ? canonical : nil }
            return canonicalURL?.host == linkURL?.host ? canonical : nil
        } ?? link.url
        let id = StableID.uuid(for: address)
        let firstSeen = try state.firstSeen(feed: feed, id: id) ?? seenAt
        let title = article.title ?? link.title ?? address
        let summary = Summary.of(article.text, limit: 400) ?? link.summary
        return Entry(
            id: id, title: title, link: address, author: article.author ?? link.author,
            published: article.published ?? link.date ?? article.addressDate,
            updated: article.modified ?? article.published ?? link.date ?? article.addressDate ?? firstSeen,
            summary: summary,
            content: article.html, image: article.image ?? link.image, language: article.language)
    }

    private func siteLink(_ config: PipelineConfig) -> String? {
        let url = config.sourceURL
        return url.hasPrefix("http") ? url : nil
    }
}

/// Why a run could not finish.
public enum RunError: Error, Sendable, CustomStringConvertible {
    /// The source could not be fetched or read.
    case source(String)
    /// One article could not be fetched or read.
    case article(String)
    /// The state store failed.
    case state(String)
    /// The feed could not be written.
    case output(String)

    public var description: String {
        switch self {
        case .source(let message): "source: \(message)"
        case .article(let message): "article: \(message)"
        case .state(let message): message
        case .output(let message): message
        }
    }
}

/// Plain-text summaries: the first paragraphs of the body, cut at a word boundary.
enum Summary {
    /// The text with its white space collapsed, cut at the last word that fits in `limit` characters (and
    /// then ending in "…"); `nil` for text with nothing but white space. Only the start of the text is read.
    static func of(_ text: String, limit: Int) -> String? {
        var flat = "", count = 0, space = false, cut = false
        for character in text {
            if character.isWhitespace {
                space = count > 0
                continue
            }
            if count + (space ? 1 : 0) >= limit {
                cut = true
                break
            }
            if space {
                flat.append(" ")
                count += 1
                space = false
            }
            flat.append(character)
            count += 1
        }
        guard !flat.isEmpty else { return nil }
        guard cut else { return flat }
        // Cut inside a word: that word goes.
        let end = space ? flat.endIndex : flat.lastIndex(of: " ") ?? flat.endIndex
        return String(flat[..<end]) + "…"
    }
}
