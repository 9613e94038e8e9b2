import ArgumentParser
import Extract
import Fetch
import Foundation
import Logging
import Pipeline
import PostgresState
import State

/// `feedpipe run`: runs pipelines and writes their feeds.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run pipelines and write their feeds.",
        discussion: """
            Runs each PIPELINE file, or every Pipelines/*.yml when none is given, and prints one line per \
            pipeline: entries new, updated and kept, and failures. Entries are kept across runs in the state \
            store, so an article stays in its feed after it leaves the source.

            Exit status: 0 all good; 1 a source or article failed but feeds were written with the entries \
            they had; 2 a pipeline file is invalid (nothing was fetched or written for it); 3 a feed or the \
            state store could not be written; 4 another run holds the state store and did not finish within \
            --wait seconds (nothing was fetched or written).
            """)

    @Argument(help: "Pipeline files (default: every Pipelines/*.yml).")
    var pipelines: [String] = []

    @Option(
        help: ArgumentHelp(
            "The state store: an SQLite file, or a postgres:// address that workers on any machines share (FEEDPIPE_STATE when not given). With --shard, each shard has its own SQLite file by default.",
            valueName: "file|postgres://…"))
    var state: String?

    @Option(
        help:
            "With a postgres:// store, how many pipelines this worker takes at a time; the others are left to the workers beside it."
    )
    var batch = 4

    @Option(
        help: ArgumentHelp(
            "Run only shard I of N (I from 0): the pipelines whose id hashes there. N machines, each with its own I, share the pipelines with no coordinator.",
            valueName: "I/N"),
        transform: { text in
            guard let shard = Shard(text) else {
                throw ValidationError("--shard takes I/N with 0 ≤ I < N, as 2/4; not '\(text)'")
            }
            return shard
        })
    var shard: Shard?

    @Flag(name: .shortAndLong, help: "Log every fetch and extraction to standard error.")
    var verbose = false

    @Flag(
        help:
            "Forget what the pipelines run kept before running them: their stored entries, validators and feed files (to try a changed recipe from scratch)."
    )
    var fresh = false

    @Option(
        help: ArgumentHelp(
            "What standard output says: text (a line per pipeline) or json (one document for monitoring: each pipeline's counts, seconds and failures).",
            valueName: "text|json"))
    var report: ReportFormat = .text

    @Option(help: "Seconds to wait for another run that holds the state store (cron firing while one still runs).")
    var wait: Double = 300

    @Option(help: "Transfers at once, in all.")
    var concurrency = FetchOptions().concurrency

    @Option(name: .customLong("per-host"), help: "Transfers at once to one host.")
    var perHost = FetchOptions().perHostConcurrency

    @Option(
        name: .customLong("site-rules"), help: "A folder of ftr-site-config rule files, for pipelines that name none.")
    var siteRules: String?

    @Option(
        name: .customLong("public-url"),
        help:
            "Where the feeds folder is published (https://feeds.example.net/): the address of every feed whose pipeline gives no url:, for rel=\"self\" and index.opml."
    )
    var publicURL: String?

    func validate() throws {
        if let publicURL {
            guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host != nil
            else {
                throw ValidationError("--public-url is an http or https address, such as https://feeds.example.net/")
            }
        }
        if StateLocation.isShared(statePath), shard != nil {
            throw ValidationError(
                "--shard splits pipelines among SQLite stores; workers on a postgres:// store share them by themselves")
        }
        guard concurrency >= 1, perHost >= 1, batch >= 1 else {
            throw ValidationError("--concurrency and --per-host must be at least 1.")
        }
        // `run` is the default command, so a mistyped command arrives here as a pipeline file.
        for name in pipelines
        where !FileManager.default.fileExists(atPath: name) && !name.contains(".") && !name.contains("/") {
            let commands = Feedpipe.configuration.subcommands.map { $0._commandName }
            if let command = PipelineConfig.suggestion(for: name, among: commands) {
                throw ValidationError(
                    "'\(name)' is neither a command nor a pipeline file; did you mean 'feedpipe \(command)'?")
            }
            throw ValidationError(
                "'\(name)' is neither a command (\(commands.joined(separator: ", "))) nor a pipeline file")
        }
    }

    /// The state store: the one named (by option, else by `FEEDPIPE_STATE`), else one per shard.
    var statePath: String {
        state ?? StateLocation.fromEnvironment ?? shard.map {
            ".feedpipe/state-shard-\($0.index)-of-\($0.count).sqlite"
        }
            ?? ".feedpipe/state.sqlite"
    }

    func run() async throws {
        let logger = makeLogger(verbose: verbose)
        let state = statePath
        let files = try pipelineFiles(pipelines)
        var configs: [PipelineConfig] = []
        var invalid: [(file: String, message: String)] = []
        var status = ExitStatus.success
        for file in files {
            do {
                var config = try PipelineConfig.load(file)
                if config.siteRules == nil, let siteRules { config.siteRules = SiteRuleFolder(path: siteRules) }
                if config.selfLink == nil, let publicURL { config.selfLink = config.publishedAddress(under: publicURL) }
                configs.append(config)
            } catch {
                printError(error.description)
                invalid.append((file, error.description))
                status = ExitStatus.invalidInput
            }
        }
        // Conflicts are looked for among all the pipelines, so that every shard sees the same ones.
        let conflicts = PipelineConfig.conflicts(among: configs)
        if !conflicts.isEmpty {
            for conflict in conflicts { printError(conflict.description) }
            throw ExitCode(ExitStatus.invalidInput)
        }
        if let shard {
            let all = configs.count
            configs = configs.filter { shard.owns(id: $0.id) }
            logger.info("shard \(shard): \(configs.count) of \(all) pipelines")
        }
        // Two runs on one SQLite store never interleave: the second waits, then gives up with a clear line.
        // Workers on a shared store take each pipeline's own claim instead.
        let lock = StateLocation.isShared(state) ? nil : try storeLock(state, waiting: wait)
        defer { lock?.release() }
        let store = try await StateLocation.open(state)
        if fresh {
            for config in configs {
                do {
                    try await Reset.forget(config, store: store)
                } catch {
                    printError("\(config.name): \(error)")
                    throw ExitCode(ExitStatus.failure)
                }
            }
        }
        var options = FetchOptions()
        options.concurrency = concurrency
        options.perHostConcurrency = perHost
        let runner = Runner(client: HTTPClient(options: options), logger: logger)
        // On a terminal, a live progress line on standard error; under cron, nothing but the summaries.
        let progress = ProgressLine.onTerminal()
        let started = Date()
        let outcomes: [Result<RunReport, RunError>?]
        if let claims = store as? any PipelineClaims {
            outcomes = await runner.runShared(configs, state: store, claims: claims, batch: batch)
        } else {
            outcomes = await runner.run(configs, state: store) { done, total in
                progress?.show("\(done)/\(total) articles")
            }
        }
        progress?.clear()
        // Pipelines another worker ran are left to that worker's report.
        let ran = zip(configs, outcomes).compactMap { config, outcome in outcome.map { (config, $0) } }
        if report == .json {
            print(
                RunDocument(configs: ran.map(\.0), outcomes: ran.map(\.1), invalid: invalid, started: started).json)
        }
        if self.report == .text, ran.count < configs.count {
            print("\(configs.count - ran.count) pipelines were not due: run by other workers within their every:")
        }
        for (config, outcome) in ran {
            switch outcome {
            case .success(let report):
                if self.report == .text { print(report) }
                for warning in report.warnings { printError("\(config.name): warning: \(warning)") }
                for failure in report.failures { printError("\(config.name): \(failure)") }
            case .failure(let error):
                printError("\(config.name): \(error)")
            }
            status = max(status, ExitStatus.of(outcome))
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}

/// The pipeline files named, or every `Pipelines/*.yml` (and `.yaml`) in name order.
func pipelineFiles(_ named: [String]) throws -> [String] {
    if !named.isEmpty { return named }
    let folder = "Pipelines"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
        printError("no pipeline files given and no Pipelines/ folder here")
        throw ExitCode(ExitStatus.invalidInput)
    }
    let files = names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
    if files.isEmpty {
        printError("Pipelines/ holds no .yml files")
        throw ExitCode(ExitStatus.invalidInput)
    }
    return files
}

/// Where the state is kept: an SQLite file (the default, for one machine) or a PostgreSQL database that
/// workers share.
enum StateLocation {
    /// `FEEDPIPE_STATE`, when set.
    static var fromEnvironment: String? {
        ProcessInfo.processInfo.environment["FEEDPIPE_STATE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func isShared(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// The store at `location`; a store that cannot be opened ends the command with the cause.
    static func open(_ location: String) async throws -> any StateStore {
        do {
            if isShared(location) { return try await PostgresStore(url: location) }
            let store = try SQLiteStore(path: location)
            if let aside = store.movedAside {
                printError(
                    "the state store \(location) was corrupt: moved aside to \(aside); a new one is made and the feeds give their entries back"
                )
            }
            return store
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.failure)
        }
    }
}

/// The state store's run lock, waited for up to `waiting` seconds; a run still holding it ends the command
/// with `ExitStatus.busy` and a line saying so.
func storeLock(_ state: String, waiting: Double) throws -> RunLock {
    do {
        return try RunLock.acquire(path: state + ".lock", waiting: waiting)
    } catch {
        printError("\(error)")
        throw ExitCode(ExitStatus.busy)
    }
}

func makeLogger(verbose: Bool) -> Logger {
    var logger = Logger(label: "feedpipe") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = verbose ? .info : .critical
    return logger
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("feedpipe: \(message)\n".utf8))
}

/// A status line redrawn in place on a terminal's standard error, by the run's own task only.
final class ProgressLine {
    private var width = 0

    /// A progress line when standard error is a terminal, else `nil`.
    static func onTerminal() -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
    }

    func show(_ text: String) {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        FileHandle.standardError.write(Data("\r\(text)\(padding)".utf8))
        width = text.count
    }

    func clear() {
        guard width > 0 else { return }
        FileHandle.standardError.write(Data("\r\(String(repeating: " ", count: width))\r".utf8))
        width = 0
    }
}

/// How `run` reports on standard output.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// A run as `run --report json` prints it: when it started and how long it took, and each pipeline's
/// counts, seconds, warnings and failures (stage, address, HTTP status and message), for monitoring.
struct RunDocument: Encodable {
    struct Pipeline: Encodable {
        let name: String
        let file: String
        let output: String
        /// `ok`, `failures` (some sources or articles failed; the feed was written), `failed` (nothing was
        /// written) or `invalid` (the pipeline file was refused; nothing was fetched).
        let status: String
        var discovered = 0
        var new = 0
        var updated = 0
        var kept = 0
        var seconds = 0.0
        var warnings: [String] = []
        var failures: [Failure] = []
    }

    struct Failure: Encodable {
        var stage: String
        var url: String?
        var status: Int?
        var message: String

        /// A pipeline file refused before anything ran.
        init(refusedPipeline message: String) {
            (stage, url, status, self.message) = ("pipeline", nil, nil, message)
        }

        init(_ error: RunError) {
            switch error.stage {
            case .source: stage = "source"
            case .article: stage = "article"
            case .state: stage = "state"
            case .output: stage = "output"
            }
            url = error.url
            status = error.status
            message = error.description
        }
    }

    let started: Date
    let seconds: Double
    let pipelines: [Pipeline]

    init(
        configs: [PipelineConfig], outcomes: [Result<RunReport, RunError>], invalid: [(file: String, message: String)],
        started: Date
    ) {
        self.started = started
        seconds = Date().timeIntervalSince(started)
        let refused = invalid.map { file, message in
            var pipeline = Pipeline(
                name: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent, file: file, output: "",
                status: "invalid")
            pipeline.failures = [Failure(refusedPipeline: message)]
            return pipeline
        }
        pipelines =
            refused
            + zip(configs, outcomes).map { config, outcome in
                switch outcome {
                case .success(let report):
                    var pipeline = Pipeline(
                        name: config.name, file: config.file, output: config.output,
                        status: report.failures.isEmpty ? "ok" : "failures")
                    pipeline.discovered = report.discovered
                    pipeline.new = report.new
                    pipeline.updated = report.updated
                    pipeline.kept = report.kept
                    pipeline.seconds = report.seconds
                    pipeline.warnings = report.warnings
                    pipeline.failures = report.failures.map(Failure.init)
                    return pipeline
                case .failure(let error):
                    var pipeline = Pipeline(
                        name: config.name, file: config.file, output: config.output, status: "failed")
                    pipeline.failures = [Failure(error)]
                    return pipeline
                }
            }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
