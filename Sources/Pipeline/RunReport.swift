import Feed
import Fetch
import Foundation
import State

/// What one pipeline run did, for the one-line report and the exit status.
package struct RunReport: Sendable, CustomStringConvertible {
    package var pipeline: String
    package var output: String
    package var discovered = 0
    package var new = 0
    package var updated = 0
    package var kept = 0
    /// Errors that did not stop the run: a source or an article that could not be fetched or read.
    package var failures: [RunError] = []
    /// What a user should know though nothing failed: entries read back from the feed, a page that lost
    /// its text and was not taken, links refused.
    package var warnings: [String] = []
    /// Links the source offered that are never fetched: other schemes than http(s), files outside the
    /// pipeline's folder.
    package var refused = 0
    /// The feed files the run wrote (or found unchanged), by absolute path, with what they say of
    /// themselves: the folder's index lists them without reading them back.
    package var written: [String: FeedHead] = [:]
    /// Seconds from the start of the run to when this pipeline's feed was made (the pipelines of one run
    /// share its fetches, so each is timed from the run's start).
    package var seconds = 0.0

    package var description: String {
        var line = "\(pipeline): \(new) new, \(updated) updated, \(kept) kept → \(output)"
        var notes: [String] = []
        if !failures.isEmpty { notes.append("\(failures.count) failed") }
        if refused > 0 { notes.append("\(refused) link\(refused == 1 ? "" : "s") refused") }
        if !notes.isEmpty { line += " (" + notes.joined(separator: ", ") + ")" }
        return line
    }
}

/// Why a source, an article or a pipeline's run failed: the stage, the URL and HTTP status when there
/// were any, and the error underneath. `description` is the line a user reads.
package struct RunError: Error, Sendable, CustomStringConvertible {
    /// Where the failure happened.
    package enum Stage: Sendable, Equatable {
        /// The source could not be fetched or read; the feed keeps its entries.
        case source
        /// One article could not be fetched or read; its entry, if any, stays as it was.
        case article
        /// The state store failed: the pipeline's feed is not written this run.
        case state
        /// The feed could not be written.
        case output
    }

    package let stage: Stage
    /// The address that failed, when one did.
    package let url: String?
    /// The HTTP status that made it fail, when one did.
    package let status: Int?
    /// The error underneath: a `FetchError`, `SourceError`, `StateError` or `AtomicFile.WriteError`.
    package let underlying: (any Error & Sendable)?
    private let message: String

    init(
        _ stage: Stage, _ message: String, url: String? = nil, status: Int? = nil,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.stage = stage
        self.message = message
        self.url = url
        self.status = status
        self.underlying = underlying
    }

    /// A fetch that failed, for the source or for an article.
    static func fetch(_ error: FetchError, _ stage: Stage) -> RunError {
        RunError(stage, error.description, url: error.url, status: error.status, underlying: error)
    }

    static func source(_ message: String, url: String?, underlying: (any Error & Sendable)? = nil) -> RunError {
        RunError(.source, message, url: url, underlying: underlying)
    }

    static func article(_ message: String, url: String, underlying: (any Error & Sendable)? = nil) -> RunError {
        RunError(.article, "\(url): \(message)", url: url, underlying: underlying)
    }

    static func state(_ error: StateError) -> RunError {
        RunError(.state, error.description, underlying: error)
    }

    static func output(_ error: any Error & Sendable, path: String) -> RunError {
        RunError(.output, "\(error)", url: URL(fileURLWithPath: path).absoluteString, underlying: error)
    }

    package var description: String {
        switch stage {
        case .source: "source: \(message)"
        case .article: "article: \(message)"
        case .state, .output: message
        }
    }
}
