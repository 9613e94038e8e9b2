import ArgumentParser
import Feed
import Fetch
import Foundation
import Pipeline
import PostgresState
import Serve
import State

/// `feedpipe serve`: the feeds folder over HTTP, for feed readers on this machine or the network.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the feeds folder over HTTP.",
        discussion: """
            Serves every file of the folder with its media type (application/atom+xml, application/rss+xml, \
            application/feed+json, text/x-opml), ETag and Last-Modified validators answered with 304, and \
            gzip when the client accepts it. Nothing outside the folder is served. `/` is the folder's \
            index.html, which `feedpipe run` writes. A browser is shown each feed as a page. With \
            --on-demand, /full?url=ADDRESS answers with the full-text Atom feed of that address (a feed, or a \
            page that advertises one), for the hosts --allow-host names. With --state postgres://…, the feeds \
            the workers published in that database are served instead of a folder (index pages drawn from \
            them), so that replicas need no shared volume. Runs until stopped (Ctrl-C or SIGTERM).
            """)

    @Option(help: "The address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "The folder to serve.")
    var folder = "Feeds"

    @Option(
        help: ArgumentHelp(
            "Serve the feeds published in this shared store instead of a folder (FEEDPIPE_STATE when it names one).",
            valueName: "postgres://…"))
    var state: String?

    @Option(help: "A folder of pipelines to preview at /preview/NAME (what `feedpipe check` prints, as a page).")
    var pipelines: String?

    @Flag(name: .customLong("on-demand"), help: "Answer /full?url=ADDRESS with that address's full-text feed.")
    var onDemand = false

    @Option(name: .customLong("allow-host"), help: "A host /full may read (and its subdomains); repeat for more.")
    var allowHosts: [String] = []

    @Flag(name: .customLong("allow-any-host"), help: "Let /full read any host (a public full-text service).")
    var allowAnyHost = false

    @Flag(
        name: .customLong("allow-private-addresses"), help: "Let /full reach private and local addresses (an intranet)."
    )
    var allowPrivateAddresses = false

    @Option(name: .customLong("cache"), help: "Seconds a feed made by /full is kept and served again.")
    var cacheSeconds: Double = 900

    @Option(name: .customLong("on-demand-limit"), help: "Feeds /full makes at once; more requests get 503.")
    var limit = 2

    @Option(
        name: .customLong("on-demand-per-client"),
        help: "Feeds /full makes at once for one client (IP address); more of its requests get 429.")
    var perClient = 1

    @Option(name: .customLong("cache-size"), help: "Megabytes of feeds made by /full kept in memory at most.")
    var cacheMegabytes = 16

    @OptionGroup var access: AccessKeyOptions

    @Flag(name: .customLong("protect-feeds"), help: "Make the feeds and their indexes need the access key too.")
    var protectFeeds = false

    @Flag(
        name: .customLong("image-proxy"),
        help: "Load the feeds' images through /image (signed addresses; needs the access key).")
    var imageProxy = false

    @Flag(
        name: .customLong("allow-project-folder"),
        help: "Serve a folder that holds Pipelines/ or a state store (whose files are still never served).")
    var allowProjectFolder = false

    func validate() throws {
        guard onDemand || imageProxy || (allowHosts.isEmpty && !allowAnyHost && !allowPrivateAddresses) else {
            throw ValidationError(
                "--allow-host, --allow-any-host and --allow-private-addresses go with --on-demand (or --image-proxy)")
        }
        let key = try access.key()
        guard key != nil || !(protectFeeds || imageProxy) else {
            throw ValidationError(
                "--protect-feeds and --image-proxy need the access key: --access-key-file FILE or "
                    + AccessKeyOptions.environmentVariable)
        }
        guard !onDemand || !allowHosts.isEmpty || allowAnyHost else {
            throw ValidationError("--on-demand needs the hosts it may read: --allow-host HOST (or --allow-any-host)")
        }
        guard limit >= 1, perClient >= 1, cacheSeconds >= 0, cacheMegabytes >= 0 else {
            throw ValidationError(
                "--on-demand-limit and --on-demand-per-client are at least 1, --cache and --cache-size at least 0")
        }
    }

    /// The shared store to serve from, if any: the one named, else `FEEDPIPE_STATE` when it is shared.
    var sharedStore: String? {
        state ?? StateLocation.fromEnvironment.flatMap { StateLocation.isShared($0) ? $0 : nil }
    }

    func run() async throws {
        var published: (any PublishedFeeds)?
        if let sharedStore {
            guard StateLocation.isShared(sharedStore) else {
                printError("--state names a postgres:// store to serve from; a folder is served with --folder")
                throw ExitCode(ExitStatus.invalidInput)
            }
            do {
                published = StoreShelf(store: try await PostgresStore(url: sharedStore))
            } catch {
                printError(error.description)
                throw ExitCode(ExitStatus.failure)
            }
        }
        var isFolder: ObjCBool = false
        guard
            published != nil
                || FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
        else {
            printError("\(folder): not a folder (run `feedpipe run` first, or pass --folder)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        if published == nil, !allowProjectFolder, let reason = Self.projectFiles(in: folder) {
            printError(
                "\(folder): holds \(reason), which a feeds folder does not; serve the folder the feeds are written to"
                    + " (or pass --allow-project-folder: only feeds, index.opml and index.html are ever served)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        var fullText: OnDemand?
        if onDemand {
            let maker = FullText(
                client: HTTPClient(), logger: makeLogger(verbose: false), privateAddresses: allowPrivateAddresses)
            fullText = OnDemand(
                hosts: Set(allowHosts), anyHost: allowAnyHost, cacheSeconds: cacheSeconds, limit: limit,
                perClient: perClient, cacheBytes: cacheMegabytes << 20,
                make: { url in
                    do throws(FullText.Failure) {
                        return .success(try await maker.feed(for: url))
                    } catch {
                        return .failure(OnDemandFailure(error.description))
                    }
                })
        }
        let previews = pipelines.map { folder in
            let preview = Preview(folder: folder, client: HTTPClient(), logger: makeLogger(verbose: false))
            return FeedServer.Previews(index: { preview.index() }, page: { await preview.page(for: $0) })
        }
        var rules = FeedServer.Access(key: try access.key(), protectsFeeds: protectFeeds, proxiesImages: imageProxy)
        rules.privateAddresses = allowPrivateAddresses
        let locked = rules.key == nil ? "" : " (the access key opens /full, previews and images)"
        let served = (published as? StoreShelf)?.store.location ?? folder
        print("Serving \(served) at http://\(host):\(port)/" + (onDemand ? " and /full?url=" : "") + locked)
        try await FeedServer(
            folder: folder, onDemand: fullText, previews: previews, access: rules, published: published
        ).run(host: host, port: port)
    }

    /// What in a folder says it is a project's folder rather than a feeds folder: `Pipelines/` (whose files
    /// may hold cookies and headers) or a state store; `nil` when there is nothing of the kind.
    static func projectFiles(in folder: String) -> String? {
        let base = URL(fileURLWithPath: folder)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(
            atPath: base.appendingPathComponent("Pipelines").path, isDirectory: &isFolder),
            isFolder.boolValue
        {
            return "Pipelines/"
        }
        if FileManager.default.fileExists(atPath: base.appendingPathComponent(".feedpipe").path) {
            return ".feedpipe/ (the state store)"
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        if let store = names.first(where: { $0.hasSuffix(".sqlite") || $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") })
        {
            return store
        }
        return nil
    }
}

/// The feeds a PostgreSQL store holds, as `serve` asks for them.
struct StoreShelf: PublishedFeeds {
    let store: PostgresStore

    func version(of name: String) async throws -> PublishedVersion? {
        try await store.publishedVersion(of: name).map { PublishedVersion(tag: $0.tag, modified: $0.modified) }
    }

    func file(named name: String) async throws -> (version: PublishedVersion, bytes: [UInt8])? {
        try await store.publishedFile(named: name).map {
            (PublishedVersion(tag: $0.tag, modified: $0.modified), $0.bytes)
        }
    }

    func heads() async throws -> [FeedIndex.File] {
        try await store.publishedHeads().map { FeedIndex.File(name: $0.name, head: $0.head) }
    }
}
