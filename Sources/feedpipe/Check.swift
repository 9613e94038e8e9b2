import ArgumentParser
import Fetch
import Foundation
import Pipeline

/// `feedpipe check`: validates a pipeline file and previews a run without writing anything.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a pipeline file and preview what a run would do; writes nothing.",
        discussion: """
            Errors name the file, line and column. When the file is valid, the source is fetched and the
            links it offers are listed, then the first article is extracted and its title and first lines are
            shown. Exit status: 0 valid, 1 the source or the article failed, 2 the file is invalid.
            """)

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(help: "How many lines of the first article to show.")
    var lines = 3

    func run() async throws {
        let config: PipelineConfig
        do {
            config = try PipelineConfig.load(pipeline)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.invalidInput)
        }
        print("\(pipeline): valid — \"\(config.title)\" → \(config.output) (at most \(config.maxEntries) entries)")
        let runner = Runner(client: HTTPClient(), logger: makeLogger(verbose: false))
        let links: [Link]
        switch await runner.discover([config])[0] {
        case .success(let found):
            links = Array((found ?? []).prefix(config.maxEntries))
        case .failure(let error):
            printError("\(pipeline): \(error)")
            throw ExitCode(ExitStatus.partialFailure)
        }
        print("\(links.count) links from \(config.sourceURL)")
        for link in links { print("  \(link.url)" + (link.title.map { "  \($0)" } ?? "")) }
        guard let first = links.first else { return }
        switch await runner.articles([(first, config)]).first {
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
}
