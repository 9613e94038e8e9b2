import ArgumentParser
import Pipeline

/// The command line: one type per command, everything else in the library modules.
@main
struct Feedpipe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedpipe",
        abstract: "Turns web pages into clean Atom feeds.",
        discussion: """
            Pipelines are YAML files in Pipelines/. `feedpipe run` runs them and writes feeds into Feeds/; \
            `feedpipe clean` extracts the article from saved HTML pages; `feedpipe check` validates a \
            pipeline file and previews what a run would do.
            """,
        version: Feedpipe.version,
        subcommands: [Run.self, New.self, Clean.self, Check.self, Reset.self, ServeCommand.self, Sign.self],
        defaultSubcommand: Run.self)

    static let version = "0.1.0"
}

/// Exit statuses, documented in `--help` and the README.
enum ExitStatus {
    /// Everything worked.
    static let success: Int32 = 0
    /// A source or an article failed; feeds were still written with what was fetched.
    static let partialFailure: Int32 = 1
    /// A pipeline file (or another input) is invalid; nothing was fetched or written for it.
    static let invalidInput: Int32 = 2
    /// Nothing could be written (for example, the output folder is not writable).
    static let failure: Int32 = 3
    /// Another run holds the state store and did not finish within `--wait` seconds.
    static let busy: Int32 = 4

    /// The status one pipeline's run calls for: a failed source or article is a partial failure (its feed
    /// was still written); a pipeline whose store or feed could not be written is a failure.
    static func of(_ outcome: Result<RunReport, RunError>) -> Int32 {
        switch outcome {
        case .success(let report): report.failures.isEmpty ? success : partialFailure
        case .failure(let error): error.stage == .source || error.stage == .article ? partialFailure : failure
        }
    }
}
