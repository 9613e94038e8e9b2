import Extract
import Feed
import Fetch
import Foundation
import Logging
import Markup
import Normalize
import Sources
import State

/// The stages in order for each pipeline: discover → select → read (fetch and extract) → normalize → emit.
package struct Runner: Sendable {
    package let client: HTTPClient
    package let logger: Logger
    /// Headless Chromium for `render: browser` pipelines, or why there is none; at most `renders` at once.
    let renderer: Result<BrowserRenderer, BrowserRenderer.Failure>
    let renders: RenderSlots

    package init(client: HTTPClient, logger: Logger, renders: Int = 2) {
        self.client = client
        self.logger = logger
        self.renderer = Result { () throws(BrowserRenderer.Failure) in try BrowserRenderer.find() }
        self.renders = RenderSlots(limit: renders)
    }

    /// The page as Chromium draws it, for a pipeline that renders: only pages that came back as HTML, the
    /// others (a feed, a 304) as they are.
    func rendered(_ answer: Result<Response, FetchError>, config: PipelineConfig) async -> Result<Response, FetchError>
    {
        guard config.fetch.render, case .success(let response) = answer, !response.isNotModified,
            response.contentType.map({ $0.lowercased().contains("html") }) ?? true
        else { return answer }
        switch renderer {
        case .failure(let failure):
            return .failure(.transport(url: response.requestedURL, message: failure.description))
        case .success(let renderer):
            let agent = config.fetch.policy.userAgent ?? client.options.userAgent
            let policy = config.fetch.policy
            let testing = client.options.publicForTesting
            return await renders.run {
                await renderer.render(response, userAgent: agent, policy: policy, publicForTesting: testing)
            }
        }
    }

    /// The requests of a pipeline for a URL: its headers and policy, and the validators of the last fetch.
    /// A link's request has the pipeline's link policy; the source's own (`asSource`) may reach any address
    /// (the pipeline's author chose it) and read its own file.
    func request(_ url: String, config: PipelineConfig, validators: Validators? = nil, asSource: Bool = false)
        -> Request
    {
        var policy = config.fetch.policy
        policy.fileFolder = config.sourceFolder
        if asSource, config.fetch.trustedSource { policy.privateAddresses = true }
        return Request(
            url: url, headers: config.fetch.headers, etag: validators?.etag, lastModified: validators?.lastModified,
            policy: policy)
    }

    /// Runs one pipeline and writes its feed.
    package func run(_ config: PipelineConfig, state: any StateStore, now: Date = Date()) async throws(RunError)
        -> RunReport
    {
        try await run([config], state: state, now: now)[0].get()
    }

    /// Runs pipelines together (one fetch batch for all sources, one for all articles) and writes each
    /// feed. A failed source or article is reported, and its feed is still written with every entry it had;
    /// a pipeline whose state or feed cannot be written fails alone.
    /// `progress` is told, on the calling task, how many of the run's articles have an answer out of how
    /// many.
    package func run(
        _ configs: [PipelineConfig], state: any StateStore, now: Date = Date(),
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) async -> [Result<RunReport, RunError>] {
        let seenAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let started = ContinuousClock.now
        var reports = configs.map { RunReport(pipeline: $0.name, output: $0.output) }
        var unreadable: [Int: RunError] = [:]
        for (index, config) in configs.enumerated() {
            do {
                if let note = try await restoreFromFeed(config, state: state, seenAt: seenAt) {
                    reports[index].warnings.append(note)
                }
            } catch {
                unreadable[index] = error
            }
        }
        var jobs: [ArticleJob] = []
        var owners: [Int] = []
        var perPipeline = [[ArticleJob]](repeating: [], count: configs.count)
        // Items whose page is not read go straight to their entries.
        var unread = [[Item]](repeating: [], count: configs.count)
        for (index, discovered) in await discover(configs, state: state, now: seenAt).enumerated() {
            (perPipeline[index], unread[index]) = plan(
                discovered, config: configs[index], now: seenAt, report: &reports[index])
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
        // A pipeline whose articles are all in is merged and its feed written at once, while the others'
        // articles are still being fetched and extracted.
        var merge = FeedMerge(configs: configs, reports: reports, state: state, seenAt: seenAt, logger: logger)
        for (index, error) in unreadable { merge.fail(pipeline: index, error) }
        for (index, items) in unread.enumerated() {
            for item in items {
                await merge.take(nil, item: item, pipeline: index)
                if merge.buffered >= Self.chunkSize { await merge.flush() }
            }
        }
        var remaining = perPipeline.map(\.count)
        var written = [Result<RunReport, RunError>?](repeating: nil, count: configs.count)
        var marks = [String?](repeating: nil, count: configs.count)
        // Two writers: a write ends waiting for the disk (fsync), while the next feed's file is ready.
        let files = [DispatchQueue(label: "feedpipe.feed-files.0"), DispatchQueue(label: "feedpipe.feed-files.1")]
        // A store that publishes feeds is given each file as soon as it is written.
        let shelf = state as? any FeedPublishing
        await withTaskGroup(of: (index: Int, failure: RunError?, unpublished: StateError?).self) { writes in
            func finish(_ index: Int) async {
                await merge.flush(pipeline: index)
                if let error = merge.broken[index] {
                    written[index] = .failure(error)
                    return
                }
                do {
                    var (report, feedFiles, mark) = try await emit(
                        configs[index], report: merge.reports[index], state: state)
                    let elapsed = ContinuousClock.now - started
                    report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    written[index] = .success(report)
                    marks[index] = mark
                    guard !feedFiles.isEmpty else { return }
                    let heads = report.written
                    // The files are held only while they are written (and published): a feed can be tens of
                    // megabytes.
                    writes.addTask {
                        if let failure = await Self.write(feedFiles, on: files[index % files.count]) {
                            return (index, failure, nil)
                        }
                        return (index, nil, await Self.publish(feedFiles, heads: heads, to: shelf))
                    }
                } catch {
                    written[index] = .failure(error)
                }
            }
            await articles(jobs, state: state, now: seenAt, progress: progress) { position, outcome in
                let owner = owners[position]
                await merge.take(outcome, item: jobs[position].item, pipeline: owner)
                remaining[owner] -= 1
                if remaining[owner] == 0 {
                    await finish(owner)
                } else if merge.buffered >= Self.chunkSize {
                    await merge.flush()
                }
            }
            for index in configs.indices where written[index] == nil { await finish(index) }
            for await (index, failure, unpublished) in writes {
                if let failure {
                    written[index] = .failure(failure)
                    continue
                }
                // Not published or not recorded, the feed is only written again next time.
                if let unpublished {
                    logger.warning("\(configs[index].name): the feed is written but not published: \(unpublished)")
                    continue
                }
                do {
                    if let mark = marks[index] {
                        try await state.markEmitted(
                            Self.emitted(mark, config: configs[index]), feed: configs[index].id)
                    }
                } catch {
                    logger.warning("\(error)")
                }
            }
        }
        let results = written.map { $0! }
        let statuses = zip(configs, results).map { config, result in
            switch result {
            case .success(let report):
                (
                    config.output,
                    RunStatus(
                        lastRun: seenAt, failures: report.failures.count, lastError: report.failures.first?.description)
                )
            case .failure(let error):
                (config.output, RunStatus(lastRun: seenAt, failures: 1, lastError: error.description))
            }
        }
        do {
            try FeedFolder.record(statuses)
        } catch {
            logger.error("cannot record the runs beside the feeds: \(error)")
        }
        let folders = Set(
            configs.map { URL(fileURLWithPath: $0.output).deletingLastPathComponent().standardizedFileURL.path })
        let heads = results.reduce(into: [String: FeedHead]()) { heads, result in
            if case .success(let report) = result { heads.merge(report.written) { $1 } }
        }
        for folder in folders.sorted() {
            do {
                try FeedFolder.writeIndex(in: folder, written: heads)
            } catch {
                logger.error("cannot write the feed index in \(folder): \(error)")
            }
        }
        return results
    }

    /// Articles fetched and extracted before their entries are stored.
    static let chunkSize = 200

    /// What a pipeline's discovery comes to: its items selected, split into the pages to read and the items
    /// that are entries as they are; failures and warnings go into its report.
    func plan(
        _ discovered: Result<Discovery, RunError>, config: PipelineConfig, now: Date, report: inout RunReport
    ) -> (
        read: [ArticleJob], unread: [Item]
    ) {
        let found: Discovery
        switch discovered {
        case .failure(let error):
            report.failures.append(error)
            logger.error("\(error)")
            return ([], [])
        case .success(let discovery):
            found = discovery
        }
        for error in found.failures {
            report.failures.append(error)
            logger.error("\(error)")
        }
        let items = (found.items ?? []).map { Rewrite.apply(config.rewrites, to: $0) }
        let selected = Self.select(items, config: config, now: now)
        report.discovered = selected.count
        report.refused = found.refused
        report.warnings += found.warnings
        if found.refused > 0 {
            report.warnings.append(
                "\(config.sourceURL): \(found.refused) links refused (only http and https, or files in the source's folder)"
            )
        }
        var read: [ArticleJob] = []
        var unread: [Item] = []
        for item in selected {
            if Self.reads(item, config: config), let url = item.link, let reach = found.config(for: item.source) {
                read.append(ArticleJob(item: item, url: url, config: reach))
            } else {
                unread.append(item)
            }
        }
        return (read, unread)
    }

    /// One pipeline's stages up to normalize, in memory, with nothing read from or written to disk: its
    /// entries newest first as its feed would hold them, and its report (`serve`'s on-demand feeds).
    package func entries(of config: PipelineConfig, now: Date = Date()) async -> (entries: [Entry], report: RunReport) {
        let seenAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let state = MemoryStore()
        var report = RunReport(pipeline: config.name, output: config.output)
        let (jobs, unread) = plan(
            await discover([config], now: seenAt)[0], config: config, now: seenAt, report: &report)
        var merge = FeedMerge(configs: [config], reports: [report], state: state, seenAt: seenAt, logger: logger)
        for item in unread { await merge.take(nil, item: item, pipeline: 0) }
        await articles(jobs, now: seenAt) { index, outcome in
            await merge.take(outcome, item: jobs[index].item, pipeline: 0)
        }
        await merge.flush()
        return (state.entries(feed: config.id), merge.reports[0])
    }
}

/// At most `limit` Chromium renders at once, whatever the number of cores or transfers: each is a browser.
actor RenderSlots {
    let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if running >= limit { await withCheckedContinuation { waiting.append($0) } } else { running += 1 }
        defer {
            if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
        }
        return await body()
    }
}
