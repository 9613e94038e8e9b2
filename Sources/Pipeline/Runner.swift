import Extract
import Feed
import Fetch
import Foundation
import State
import Logging
import Markup
import Sources

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

    /// The links each pipeline's source offers; all sources that are fetched are fetched together, and
    /// conditionally with a state store. Links that may not be fetched are dropped and counted; a source
    /// that offers no link at all is a failure naming it (and its selector).
    public func discover(_ configs: [PipelineConfig], state: (any StateStore)? = nil, now: Date = Date()) async
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
        switch answer {
        case .failure(let error):
            return .failure(.source(error.description))
        case .success(let answer):
            logger.info("\(answer.requestedURL): source fetched, status \(answer.status), \(answer.body.count) bytes")
            if let address = answer.address, AddressPolicy.isPrivate(address, publicForTesting: client.options.publicForTesting) {
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
        case .failure(let error): return .failure(.source(error.description))
        }
        // Validators are kept only for a source that could be read, so a broken one is read again.
        if let response {
            try? state?.save(
                Validators(etag: response.headers["etag"], lastModified: response.headers["last-modified"], fetchedAt: now),
                for: config.sourceURL, feed: config.id)
        }
        let fetchable = offer.links.filter { request($0.url, config: reach).refusal == nil }
        let refused = offer.links.count - fetchable.count
        guard !fetchable.isEmpty else {
            let because = refused > 0 ? " that may be fetched (\(refused) refused: only http and https, or files in its folder)" : ""
            return .failure(.source("\(config.sourceURL): \(config.source.nothingOffered)\(because)"))
        }
        return .success(
            Discovery(links: Link.withoutTracking(fetchable), config: reach, refused: refused, warnings: offer.warnings))
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
                    if let href, let address = Document.linkAddress(href, base: document.baseAddress),
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
            let text = format.document(meta, entries: stored, stylesheet: FeedFolder.stylesheetName)
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
    static func selfLink(of config: PipelineConfig, format: FeedFormat) -> String {
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
