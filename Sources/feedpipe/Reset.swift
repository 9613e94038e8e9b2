import ArgumentParser
import Foundation
import Pipeline
import State

/// `feedpipe reset`: forgets what pipelines kept, so that a changed recipe is tried from scratch.
struct Reset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forget the stored entries, validators and feed files of pipelines.",
        discussion: """
            For each PIPELINE file: its entries and the validators of what it fetched are removed from the \
            state store, and its feed files (every format) are deleted, so that the next run starts from \
            nothing. Other pipelines are left as they are. `feedpipe run --fresh` does the same before running.
            """)

    @Argument(help: "Pipeline files.")
    var pipelines: [String]

    @Option(
        help: ArgumentHelp(
            "The state store: an SQLite file or a postgres:// address (FEEDPIPE_STATE when not given).",
            valueName: "file|postgres://…"))
    var state = StateLocation.fromEnvironment ?? ".feedpipe/state.sqlite"

    @Option(help: "Seconds to wait for a run that holds the state store.")
    var wait: Double = 300

    func validate() throws {
        if pipelines.isEmpty { throw ValidationError("Name the pipeline files to reset.") }
    }

    func run() async throws {
        var configs: [PipelineConfig] = []
        for file in pipelines {
            do {
                configs.append(try PipelineConfig.load(file))
            } catch {
                printError(error.description)
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
        let lock = StateLocation.isShared(state) ? nil : try storeLock(state, waiting: wait)
        defer { lock?.release() }
        let store = try await StateLocation.open(state)
        do {
            for config in configs {
                let (entries, files) = try await Self.forget(config, store: store)
                print("\(config.name): \(entries) stored entries forgotten, \(files) feed files deleted")
            }
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
    }

    /// Forgets a pipeline's entries and validators and deletes its feed files; returns how many of each.
    @discardableResult
    static func forget(_ config: PipelineConfig, store: any StateStore) async throws -> (entries: Int, files: Int) {
        let entries = try await store.forget(feed: config.id)
        var files = 0
        for format in config.formats where FileManager.default.fileExists(atPath: config.path(for: format)) {
            try FileManager.default.removeItem(atPath: config.path(for: format))
            files += 1
        }
        return (entries, files)
    }
}
