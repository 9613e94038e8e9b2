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

    public init(client: HTTPClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The links a source offers, in source order, without duplicates.
    public func discover(_ config: PipelineConfig) async throws(RunError) -> [Link] {
        switch config.source {
        case .htmlList(let url, let selector):
            let response: Response
            switch await client.fetch(Request(url: url)) {
            case .success(let value): response = value
            case .failure(let error): throw RunError.source(error.description)
            }
            let document: Document
            do {
                document = try Document(html: response.text, url: response.url)
            } catch {
                throw RunError.source(error.description)
            }
            return ListPage.links(in: document, selector: selector)
        }
    }

    /// Fetches and extracts articles; failures are reported per URL.
    public func articles(for links: [Link], rules: ExtractionRules) async -> [(Link, Result<Article, RunError>)] {
        let responses = await client.fetch(links.map { Request(url: $0.url) })
        return zip(links, responses).map { link, result in
            switch result {
            case .failure(let error):
                return (link, .failure(.article(error.description)))
            case .success(let response):
                do {
                    let document = try Document(html: response.text, url: response.url)
                    return (link, .success(Extractor(rules: rules).extract(document)))
                } catch {
                    return (link, .failure(.article("\(link.url): \(error)")))
                }
            }
        }
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
            links = try await discover(config)
        } catch {
            report.failures.append(error.description)
            logger.error("\(error)")
        }
        links = Array(links.prefix(config.maxEntries))
        report.discovered = links.count

        var entries: [Entry] = []
        for (link, result) in await articles(for: links, rules: config.rules) {
            switch result {
            case .failure(let error):
                report.failures.append(error.description)
                logger.error("\(error)")
            case .success(let article):
                do {
                    entries.append(try entry(for: article, link: link, feed: config.id, state: state, seenAt: seenAt))
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
