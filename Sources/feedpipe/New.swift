import ArgumentParser
import Fetch
import Foundation
import Pipeline

/// `feedpipe new URL`: writes a pipeline file for an address, from what the address offers.
struct New: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a pipeline file for a web address.",
        discussion: """
            Looks at what the address offers, as a feed reader would: a feed, a sitemap, the feed a web page \
            advertises, or else the page's article links, for which it chooses a CSS selector. Writes \
            DIR/NAME.yml with comments saying what it chose and why, and the first titles it gives. Never \
            overwrites a file; the file's path is the last line printed.
            """)

    @Argument(help: "The address: a site's front page, a section page, a feed or a sitemap.")
    var url: String

    @Option(help: "The pipeline's name (its file name and feed name); default: from the host.")
    var name: String?

    @Option(help: "The folder the pipeline file is written to.")
    var pipelines = "Pipelines"

    func validate() throws {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            parsed.host != nil
        else { throw ValidationError("'\(url)' is not an http or https address") }
        if let name, name.isEmpty || name.contains("/") || name.hasPrefix(".") {
            throw ValidationError("--name is a file name without folders, such as 'city-news'")
        }
    }

    func run() async throws {
        let name = self.name ?? PipelineProposal.name(for: url)
        let path = (pipelines as NSString).appendingPathComponent(name + ".yml")
        if FileManager.default.fileExists(atPath: path) {
            printError("\(path) exists; it is not overwritten (give another --name)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let proposal: PipelineProposal
        do {
            proposal = try await PipelineProposal.find(for: url, client: HTTPClient())
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.partialFailure)
        }
        let text = proposal.yaml(url: url, date: Date())
        do {
            try FileManager.default.createDirectory(atPath: pipelines, withIntermediateDirectories: true)
            try AtomicFile.create(text, at: path)
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
        print(proposal.why)
        if !proposal.titles.isEmpty {
            print("First titles:")
            for title in proposal.titles { print("  \(title)") }
        }
        print(path)
    }
}
