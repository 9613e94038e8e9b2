import ArgumentParser
import Extract
import Feed
import Fetch
import Foundation
import Markup
import Pipeline
import Sources

/// `feedpipe check`: validates a pipeline file and previews a run without writing anything.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a pipeline file and preview what a run would do; writes nothing.",
        discussion: """
            Errors name the file, line and column. When the file is valid, the source is fetched and the \
            links it offers are listed, then the first article is extracted and its title and first lines are \
            shown. Exit status: 0 valid, 1 the source or the article failed, 2 the file is invalid.
            """)

    @Argument(help: "The pipeline file.")
    var pipeline: String?

    @Option(name: .customLong("site-rules"), help: "Check a folder of ftr-site-config rule files instead.")
    var siteRules: String?

    @Option(help: "With --site-rules: a folder of saved pages to run each rule file's test_url / test_contains on.")
    var pages: String?

    @Option(help: "How many lines of the first article to show.")
    var lines = 3

    @Option(help: "How many of the entries a run would make to show with every field (0: none).")
    var entries = 5

    @Flag(help: "Print the entries a run would make as JSON, every field, and nothing else on standard output.")
    var json = false

    @Flag(name: .shortAndLong, help: "Log every fetch and extraction to standard error.")
    var verbose = false

    func validate() throws {
        if pipeline == nil, siteRules == nil { throw ValidationError("Name a pipeline file, or --site-rules DIR.") }
        if pages != nil, siteRules == nil { throw ValidationError("--pages goes with --site-rules.") }
    }

    func run() async throws {
        if let siteRules {
            try checkSiteRules(siteRules)
            return
        }
        guard let pipeline else { return }
        let config: PipelineConfig
        do {
            config = try PipelineConfig.load(pipeline)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.invalidInput)
        }
        let runner = Runner(client: HTTPClient(), logger: makeLogger(verbose: verbose))
        if json {
            try await printJSON(config, runner: runner)
            return
        }
        print("\(pipeline): valid — \"\(config.title)\" → \(config.output) (at most \(config.maxEntries) entries)")
        let links: [Item]
        let discovery: Runner.Discovery
        switch await runner.discover([config])[0] {
        case .success(let found):
            links = Runner.select(found.items ?? [], config: config, now: Date())
            discovery = found
            for warning in found.warnings { printError("\(pipeline): warning: \(warning)") }
            for failure in found.failures { printError("\(pipeline): \(failure)") }
            if found.refused > 0 {
                printError(
                    "\(pipeline): \(found.refused) links refused (only http and https, or files in the source's folder)"
                )
            }
        case .failure(let error):
            printError("\(pipeline): \(error)")
            throw ExitCode(ExitStatus.partialFailure)
        }
        print("\(links.count) links from \(config.sources.map(\.url).joined(separator: ", "))")
        for link in links {
            print("  \(link.link ?? "(no link)")" + ((link.title ?? link.linkText).map { "  \($0)" } ?? ""))
        }
        if entries > 0 { await printEntries(config, runner: runner) }
        guard let first = Runner.firstJob(of: links, discovery: discovery, config: config) else { return }
        switch await runner.articles([first]).first {
        case .success(.article(let article, _)):
            print("\nFirst article: \(article.title ?? "(no title)")")
            for line in article.text.split(separator: "\n", omittingEmptySubsequences: true).prefix(lines) {
                print("  \(line)")
            }
        case .failure(let error), .some(.success(.unreadable(let error, _))):
            printError("\(pipeline): \(error)")
            throw ExitCode(ExitStatus.partialFailure)
        case .success(.unchanged), nil:
            break
        }
    }

    /// The first `entries` entries a run would make, made in memory (nothing written), each with every
    /// field; then the fields no entry has, and why.
    func printEntries(_ config: PipelineConfig, runner: Runner) async {
        var limited = config
        limited.maxEntries = min(config.maxEntries, entries)
        let (made, report) = await runner.entries(of: limited)
        for failure in report.failures { printError("\(config.file): \(failure)") }
        print("\nEntries a run would make (the first \(made.count)):")
        for (number, entry) in made.enumerated() {
            print("\(number + 1). \(entry.title)")
            for (name, value) in Self.fields(of: entry) where name != "title" {
                print("   \(name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(value ?? "—")")
            }
        }
        guard !made.isEmpty else { return }
        let empty = Self.fields(of: made[0]).map(\.name).filter { name in
            made.allSatisfy { entry in Self.fields(of: entry).first { $0.name == name }?.value == nil }
        }
        for name in empty { print("No entry has \(name): \(Self.why(name, config: config))") }
    }

    /// The entries a run would make, every field, as JSON on standard output.
    func printJSON(_ config: PipelineConfig, runner: Runner) async throws {
        var limited = config
        limited.maxEntries = min(config.maxEntries, max(entries, 1))
        let (made, report) = await runner.entries(of: limited)
        for failure in report.failures { printError("\(config.file): \(failure)") }
        for warning in report.warnings { printError("\(config.file): warning: \(warning)") }
        let objects = made.map { entry -> [String: Any] in
            var object: [String: Any] = ["id": entry.id, "title": entry.title]
            for (name, value) in Self.fields(of: entry) { object[name] = value ?? NSNull() }
            object["categories"] = entry.categories
            object["enclosures"] = entry.enclosures.map { file -> [String: Any] in
                [
                    "url": file.url, "type": file.mediaType, "length": file.length ?? NSNull(),
                    "duration": file.duration ?? NSNull(),
                ]
            }
            object["content"] = entry.content ?? NSNull()
            return object
        }
        let data = try JSONSerialization.data(
            withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
        if !report.failures.isEmpty { throw ExitCode(ExitStatus.partialFailure) }
    }

    /// An entry's fields as `check` shows them (`nil`: empty), in a fixed order.
    static func fields(of entry: Entry) -> [(name: String, value: String?)] {
        func cut(_ text: String?, _ limit: Int) -> String? {
            guard let text, !text.isEmpty else { return nil }
            return text.count > limit ? String(text.prefix(limit)) + "…" : text
        }
        return [
            ("title", entry.title), ("link", entry.link), ("published", entry.published.map(Timestamp.rfc3339)),
            ("updated", Timestamp.rfc3339(entry.updated)), ("author", entry.author),
            ("summary", cut(entry.summary, 160)),
            ("content", entry.content.map { "\($0.utf8.count) bytes of HTML" }), ("image", entry.image),
            ("categories", entry.categories.isEmpty ? nil : entry.categories.joined(separator: ", ")),
            ("enclosures", entry.enclosures.isEmpty ? nil : entry.enclosures.map(\.url).joined(separator: ", ")),
            ("language", entry.language),
        ]
    }

    /// Why no entry has a field, in the pipeline's terms.
    static func why(_ field: String, config: PipelineConfig) -> String {
        let key: String =
            switch field {
            case "published": "date"
            case "enclosures": "enclosure"
            default: field
            }
        let read = config.article != .none
        let pages = read ? ", and the pages name none" : ""
        for source in config.sources {
            if let list = source as? ListPageSource {
                let selectors: [String: Selector?] = [
                    "link": list.link, "date": list.date, "author": list.author, "summary": list.summary,
                    "content": list.content, "image": list.image, "categories": list.categories,
                    "enclosure": list.enclosure,
                ]
                if let selector = selectors[key] {
                    if let selector { return "'\(selector.source)' matched nothing in the items\(pages)" }
                    return "the list page source has no '\(key):' selector\(pages)"
                }
            } else if let api = source as? JSONSource {
                if let path = api.fields[key] { return "'\(path)' found nothing in the items\(pages)" }
                return "the JSON source has no '\(key):' path\(pages)"
            }
        }
        return "the source gives none\(pages)"
    }

    /// Parses every rule file of the folder, then, with saved pages, extracts each rule's `test_url` from
    /// the page saved for it (its canonical address, or its file name, matching the URL) and looks for each
    /// `test_contains` in the text.
    func checkSiteRules(_ folder: String) throws {
        let rules: [SiteRules]
        do {
            rules = try SiteRuleFolder(path: folder).all()
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.invalidInput)
        }
        let tests = rules.reduce(0) { $0 + $1.tests.count }
        print("\(folder): \(rules.count) rule files loaded, \(tests) tests")
        // What was passed over, once per directive name with its count, as Full-Text RSS passes it over.
        var skipped: [String: (lines: Int, files: Int)] = [:]
        for rule in rules {
            for (name, count) in rule.skipped {
                skipped[name, default: (0, 0)].lines += count
                skipped[name, default: (0, 0)].files += 1
            }
        }
        if !skipped.isEmpty {
            let lines = skipped.values.reduce(0) { $0 + $1.lines }
            print("skipped \(lines) lines that feedpipe does not apply:")
            for (name, count) in skipped.sorted(by: { ($0.value.lines, $1.key) > ($1.value.lines, $0.key) }) {
                print(
                    "  \(name): \(count.lines) line\(count.lines == 1 ? "" : "s") in \(count.files) file\(count.files == 1 ? "" : "s")"
                )
            }
        }
        guard let pages else { return }
        let saved = SavedPageIndex(folder: pages)
        var failed = false
        for rule in rules {
            for test in rule.tests {
                let name = "\(URL(fileURLWithPath: rule.file).lastPathComponent): \(test.url)"
                guard let page = saved.page(for: test.url) else {
                    print("\(name): no saved page (save it in \(pages) to test offline)")
                    continue
                }
                do {
                    let article = try Extractor.extract(
                        html: page.html, url: test.url, siteRules: SiteRuleFolder(path: folder))
                    let missing = test.contains.filter { !article.text.contains($0) && !article.html.contains($0) }
                    if missing.isEmpty {
                        print("\(name): ok (\(test.contains.count) texts found)")
                    } else {
                        failed = true
                        print("\(name): FAIL, missing " + missing.map { "'\($0)'" }.joined(separator: ", "))
                    }
                } catch {
                    failed = true
                    print("\(name): FAIL, \(error)")
                }
            }
        }
        if failed { throw ExitCode(ExitStatus.partialFailure) }
    }
}

/// Saved pages by the address they were saved from: their canonical or `og:url` address, and their file name.
struct SavedPageIndex {
    let pages: [(file: String, html: String, address: String?)]

    init(folder: String) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        pages = names.filter { $0.hasSuffix(".html") || $0.hasSuffix(".htm") }.compactMap { name in
            let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            let html = Charset.decode(Array(data), contentType: nil)
            let address = (try? Extractor.extract(html: html, url: nil, siteRules: nil))?.url
            return (name, html, address)
        }
    }

    func page(for url: String) -> (file: String, html: String)? {
        let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
        let last = URL(string: url)?.lastPathComponent ?? ""
        let match =
            pages.first { page in
                guard let address = page.address else { return false }
                return address == url || address == trimmed || address == trimmed + "/"
            } ?? pages.first { !last.isEmpty && ($0.file == last || $0.file == last + ".html") }
        return match.map { ($0.file, $0.html) }
    }
}
