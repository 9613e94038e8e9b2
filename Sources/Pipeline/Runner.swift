import Extract
import Feed
import Fetch
import Foundation
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

    public var description: String {
        var line = "\(pipeline): \(new) new, \(updated) updated, \(kept) kept → \(output)"
        if !failures.isEmpty { line += " (\(failures.count) failed)" }
        return line
    }
}

/// Discover, fetch, extract, normalize and emit for one pipeline.
public struct Runner: Sendable {
    public let client: HTTPClient
    public let logger: Logger
    /// Told, as articles arrive, how many of a pipeline's articles have an answer out of how many.
    public var progress: (@Sendable (_ pipeline: String, _ done: Int, _ total: Int) -> Void)?

    public init(client: HTTPClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The requests of a pipeline for a URL: its headers and policy, and the validators of the last fetch.
    func request(_ url: String, config: PipelineConfig, validators: StateStore.Validators? = nil) -> Request {
        Request(
            url: url, headers: config.fetch.headers, etag: validators?.etag, lastModified: validators?.lastModified,
            policy: config.fetch.policy)
    }

    /// The links a source offers, in source order, without duplicates. With a state store, the source is
    /// fetched conditionally: `nil` means it has not changed since the last run.
    public func discover(_ config: PipelineConfig, state: StateStore? = nil, now: Date = Date()) async throws(RunError)
        -> [Link]?
    {
        switch config.source {
        case .htmlList(let url, let selector):
            let known = try? state?.validators(for: url)
            let response: Response
            switch await client.fetch(request(url, config: config, validators: known ?? nil)) {
            case .success(let value): response = value
            case .failure(let error): throw RunError.source(error.description)
            }
            if response.isNotModified {
                logger.info("\(url): not modified")
                return nil
            }
            try? state?.save(
                .init(etag: response.headers["etag"], lastModified: response.headers["last-modified"], fetchedAt: now),
                for: url)
            let document: Document
            do {
                document = try Document(html: response.text, url: response.url)
            } catch {
                throw RunError.source(error.description)
            }
            return ListPage.links(in: document, selector: selector)
        }
    }

    /// What fetching one article came to.
    public enum Fetched: Sendable {
        case article(Article, Response)
        /// Fetched recently enough, or answered 304: the stored entry stands.
        case unchanged
    }

    /// Fetches and extracts articles; failures are reported per URL. With a state store, articles fetched
    /// within the pipeline's refresh age are skipped and the others are fetched conditionally.
    public func articles(
        for links: [Link], config: PipelineConfig, state: StateStore? = nil, now: Date = Date()
    ) async -> [(Link, Result<Fetched, RunError>)] {
        var outcomes = [Result<Fetched, RunError>?](repeating: nil, count: links.count)
        var requests: [(index: Int, request: Request)] = []
        for (index, link) in links.enumerated() {
            let known = (try? state?.validators(for: link.url)) ?? nil
            if let fetched = known?.fetchedAt, now.timeIntervalSince(fetched) < config.fetch.refreshAfter {
                outcomes[index] = .success(.unchanged)
            } else {
                requests.append((index, request(link.url, config: config, validators: known)))
            }
        }
        let name = config.name, report = progress
        let responses = await client.fetch(requests.map(\.request)) { done, total in report?(name, done, total) }
        for ((index, _), result) in zip(requests, responses) {
            let link = links[index]
            switch result {
            case .failure(let error):
                outcomes[index] = .failure(.article(error.description))
            case .success(let response) where response.isNotModified:
                outcomes[index] = .success(.unchanged)
            case .success(let response):
                do {
                    let document = try Document(html: response.text, url: response.url)
                    outcomes[index] = .success(.article(Extractor(rules: config.rules).extract(document), response))
                } catch {
                    outcomes[index] = .failure(.article("\(link.url): \(error)"))
                }
            }
        }
        return zip(links, outcomes).map { ($0, $1 ?? .failure(.article("\($0.url): not fetched"))) }
    }

    /// Runs the whole pipeline and writes its feed. A failed source or article is reported, and the feed is
    /// still written with every entry it had.
    public func run(_ config: PipelineConfig, state: StateStore, now: Date = Date()) async throws(RunError)
        -> RunReport
    {
        var report = RunReport(pipeline: config.name, output: config.output)
        let seenAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        var links: [Link] = []
        do {
            links = try await discover(config, state: state, now: seenAt) ?? []
        } catch {
            report.failures.append(error.description)
            logger.error("\(error)")
        }
        links = Array(links.prefix(config.maxEntries))
        report.discovered = links.count

        var entries: [Entry] = []
        for (link, result) in await articles(for: links, config: config, state: state, now: seenAt) {
            switch result {
            case .failure(let error):
                report.failures.append(error.description)
                logger.error("\(error)")
            case .success(.unchanged):
                continue
            case .success(.article(let article, let response)):
                do {
                    entries.append(try entry(for: article, link: link, feed: config.id, state: state, seenAt: seenAt))
                    try state.save(
                        .init(
                            etag: response.headers["etag"], lastModified: response.headers["last-modified"],
                            fetchedAt: seenAt), for: link.url)
                } catch {
                    throw RunError.state(error.description)
                }
            }
        }
        let counts: (new: Int, updated: Int)
        let stored: [Entry]
        do {
            counts = try state.merge(entries, feed: config.id, seenAt: seenAt, keep: config.maxEntries)
            stored = try state.entries(feed: config.id)
        } catch {
            throw RunError.state(error.description)
        }
        report.new = counts.new
        report.updated = counts.updated
        report.kept = stored.count - counts.new - counts.updated

        let meta = FeedMeta(
            id: config.id, title: config.title, link: config.link ?? siteLink(config),
            selfLink: config.selfLink ?? URL(fileURLWithPath: config.output).standardizedFileURL.absoluteString,
            author: config.author ?? config.title)
        do {
            try AtomicFile.write(AtomWriter.document(meta, entries: stored), to: config.output)
        } catch {
            throw RunError.output("\(config.output): \(error.localizedDescription)")
        }
        return report
    }

    /// The feed entry for an extracted article. The id comes from the article's canonical URL when the page
    /// names one on the same site, else from the link that led to it.
    func entry(for article: Article, link: Link, feed: String, state: StateStore, seenAt: Date) throws(PipelineError)
        -> Entry
    {
        let address = article.url.flatMap { canonical in
            URL(string: canonical)?.host == URL(string: link.url)?.host ? canonical : nil
        } ?? link.url
        let id = StableID.uuid(for: address)
        let firstSeen = try state.firstSeen(feed: feed, id: id) ?? seenAt
        let title = article.title ?? link.title ?? address
        let summary = Summary.of(article.text, limit: 400)
        return Entry(
            id: id, title: title, link: address, author: article.author, published: article.published ?? link.date,
            updated: article.modified ?? article.published ?? link.date ?? firstSeen, summary: summary,
            content: article.html, image: article.image, language: article.language)
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
        case .output(let message): "cannot write \(message)"
        }
    }
}

/// Plain-text summaries: the first paragraphs of the body, cut at a word boundary.
enum Summary {
    static func of(_ text: String, limit: Int) -> String? {
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !flat.isEmpty else { return nil }
        guard flat.count > limit else { return flat }
        let cut = flat.prefix(limit)
        let end = cut.lastIndex(of: " ") ?? cut.endIndex
        return String(cut[..<end]) + "…"
    }
}

/// Writes files so that readers see the old or the new content, never a mix: a temporary file in the same
/// folder, flushed, then renamed over the target. An unchanged file is not touched.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let data = Data(text.utf8)
        if let existing = FileManager.default.contents(atPath: path), existing == data { return }
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
