import ArgumentParser
import Extract
import Feed
import Fetch
import Foundation
import Pipeline

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
        print("\(pipeline): valid — \"\(config.title)\" → \(config.output) (at most \(config.maxEntries) entries)")
        let runner = Runner(client: HTTPClient(), logger: makeLogger(verbose: verbose))
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
        guard let first = Runner.firstJob(of: links, discovery: discovery, config: config) else { return }
        switch await runner.articles([first]).first {
        case .success(.article(let article, _)):
            print("\nFirst article: \(article.title ?? "(no title)")")
            for line in article.text.split(separator: "\n", omittingEmptySubsequences: true).prefix(lines) {
                print("  \(line)")
            }
        case .failure(let error):
            printError("\(pipeline): \(error)")
            throw ExitCode(ExitStatus.partialFailure)
        case .success(.unchanged), nil:
            break
        }
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
