import ArgumentParser
import Foundation
import Serve

/// Where `serve` and `sign` read the access key: `--access-key`, `--access-key-file`, or the
/// `FEEDPIPE_ACCESS_KEY` environment variable, in that order.
struct AccessKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("access-key"),
        help:
            "The key /full, previews and images need (prefer --access-key-file or FEEDPIPE_ACCESS_KEY: a command line is visible to other users)."
    )
    var secret: String?

    @Option(name: .customLong("access-key-file"), help: "A file holding the access key.")
    var file: String?

    static let environmentVariable = "FEEDPIPE_ACCESS_KEY"

    /// The key given, or `nil` when none is; an unreadable file or a key too short is an error.
    func key() throws -> AccessKey? {
        let secret: String
        if let given = self.secret {
            secret = given
        } else if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("\(file): cannot read the access key file")
            }
            secret = String(decoding: data, as: UTF8.self)
        } else if let variable = ProcessInfo.processInfo.environment[Self.environmentVariable], !variable.isEmpty {
            secret = variable
        } else {
            return nil
        }
        guard let key = AccessKey(secret: secret) else {
            throw ValidationError("the access key must be at least \(AccessKey.minimumLength) characters long")
        }
        return key
    }
}

/// `feedpipe sign`: the signed form of a `serve` address, for a feed reader that cannot send the key.
struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the signed form of a serve address (for readers that cannot send the access key).",
        discussion: """
            Given a path such as '/full?url=https://news.example.org/rss', '/preview/news' or '/news.atom', \
            prints it with a sig= parameter: an HMAC-SHA256 of the path and its url parameter made with the \
            access key, which `feedpipe serve` accepts in place of the key itself.
            """)

    @OptionGroup var access: AccessKeyOptions

    @Argument(help: "The address's path and query, as a reader would ask for it.")
    var address: String

    func validate() throws {
        guard address.hasPrefix("/") else { throw ValidationError("give the address's path, starting with '/'") }
    }

    func run() throws {
        guard let key = try access.key() else {
            throw ValidationError(
                "no access key: give --access-key-file FILE or set \(AccessKeyOptions.environmentVariable)")
        }
        guard let components = URLComponents(string: address),
            let path = components.percentEncodedPath.removingPercentEncoding
        else { throw ValidationError("\(address): not a path and query") }
        let url = components.queryItems?.first { $0.name == "url" }?.value
        let separator = components.percentEncodedQuery == nil ? "?" : "&"
        print(address + separator + "sig=" + key.signature(path: path, url: url))
    }
}
