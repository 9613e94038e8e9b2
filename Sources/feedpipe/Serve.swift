import ArgumentParser
import Foundation
import Serve

/// `feedpipe serve`: the feeds folder over HTTP, for feed readers on this machine or the network.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the feeds folder over HTTP.",
        discussion: """
            Serves every file of the folder with its media type (application/atom+xml, application/rss+xml, \
            application/feed+json, text/x-opml), ETag and Last-Modified validators answered with 304, and \
            gzip when the client accepts it. Nothing outside the folder is served. `/` is the folder's \
            index.html, which `feedpipe run` writes. Runs until stopped (Ctrl-C or SIGTERM).
            """)

    @Option(help: "The address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "The folder to serve.")
    var folder = "Feeds"

    func run() async throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            printError("\(folder): not a folder (run `feedpipe run` first, or pass --folder)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        print("Serving \(folder) at http://\(host):\(port)/")
        try await FeedServer(folder: folder).run(host: host, port: port)
    }
}
