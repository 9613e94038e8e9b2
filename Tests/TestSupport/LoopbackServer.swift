import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests: a real socket on a free port, answering each request
/// from a handler (by default, files under a folder). Connections are closed after each response.
package final class LoopbackServer: @unchecked Sendable {
    /// What the server answers.
    package struct Reply: Sendable {
        package var status: Int
        package var headers: [String: String]
        package var body: [UInt8]
        /// When set, the body is sent one byte at a time with this many seconds between bytes, repeated
        /// until the client hangs up (a server that drips forever).
        package var drip: Double?
        /// When set, the connection is reset (TCP RST) after this many bytes of the body, the declared
        /// length notwithstanding.
        package var resetAfter: Int?
        /// When set, the body is sent again and again with no length until the client hangs up.
        package var endless = false

        package init(
            status: Int, headers: [String: String] = [:], body: [UInt8] = [], drip: Double? = nil,
            resetAfter: Int? = nil, endless: Bool = false
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.drip = drip
            self.resetAfter = resetAfter
            self.endless = endless
        }
    }

    /// A request as the handler sees it.
    package struct Received: Sendable {
        package var path: String
        package var headers: [String: String]
        /// When the request arrived.
        package var time = Date()
    }

    package let port: Int
    /// What the server's threads use: kept alive by them, so that a server dropped while a connection is
    /// still being served (or before its thread has started) leaves nothing dangling.
    private let core: Core

    /// The loopback address it listens on (any of 127/8 is this machine on Linux).
    package let host: String
    package var baseURL: String { "http://\(host):\(port)" }

    /// Every request received so far.
    package var received: [Received] { core.lock.withLock { core.requests } }

    /// How many connections were accepted so far, whether or not a request came over them.
    package var connections: Int { core.lock.withLock { core.connections } }

    package init(host: String = "127.0.0.1", handler: @escaping @Sendable (Received) -> Reply) throws {
        self.host = host
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let core = Core(socket: fd, handler: handler)
        self.core = core
        Thread { core.acceptLoop() }.start()
    }

    /// Serves the files under `root`.
    package convenience init(serving root: URL) throws {
        try self.init(handler: Self.files(under: root))
    }

    /// A handler answering with the files under `root`; a path ending in `/` serves `index.html`.
    package static func files(under root: URL) -> @Sendable (Received) -> Reply {
        { request in
            var path = request.path.split(separator: "?").first.map(String.init) ?? "/"
            if path.hasSuffix("/") { path += "index.html" }
            let file = root.appendingPathComponent(String(path.dropFirst()))
            guard !path.contains(".."), let data = FileManager.default.contents(atPath: file.path) else {
                return Reply(status: 404, headers: ["Content-Type": "text/plain"], body: Array("not found".utf8))
            }
            let type = file.pathExtension == "html" ? "text/html" : "application/octet-stream"
            return Reply(status: 200, headers: ["Content-Type": type], body: Array(data))
        }
    }

    deinit { stop() }

    package func stop() { core.stop() }
}

/// The listening socket, the handler and the requests seen, shared by the server's threads.
private final class Core: @unchecked Sendable {
    typealias Received = LoopbackServer.Received
    typealias Reply = LoopbackServer.Reply

    let socket: Int32
    let handler: @Sendable (Received) -> Reply
    let lock = NSLock()
    var requests: [Received] = []
    var connections = 0
    private var stopped = false

    init(socket: Int32, handler: @escaping @Sendable (Received) -> Reply) {
        self.socket = socket
        self.handler = handler
    }

    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    func acceptLoop() {
        while true {
            let client = accept(socket, nil, nil)
            guard client >= 0 else { return }
            lock.withLock { connections += 1 }
            let connection = Thread { [self] in self.serve(client) }
            connection.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !buffer.contains(subsequence: [13, 10, 13, 10]) {
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer.append(contentsOf: chunk[0..<count])
            if buffer.count > 65536 { return }
        }
        let head = String(decoding: buffer, as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let request = Received(path: String(parts[1]), headers: headers)
        lock.withLock { requests.append(request) }
        let reply = handler(request)
        var response = "HTTP/1.1 \(reply.status) \(reply.status == 200 ? "OK" : "Status")\r\n"
        var replyHeaders = reply.headers
        if reply.drip == nil, !reply.endless {
            replyHeaders["Content-Length"] = replyHeaders["Content-Length"] ?? String(reply.body.count)
        }
        replyHeaders["Connection"] = "close"
        for (name, value) in replyHeaders.sorted(by: { $0.key < $1.key }) { response += "\(name): \(value)\r\n" }
        response += "\r\n"
        if let interval = reply.drip, !reply.body.isEmpty {
            guard sendAll(Array(response.utf8), to: client) else { return }
            // Bounded: at most ten minutes of dripping even if the client never hangs up.
            for index in 0..<Int(600 / max(interval, 0.001)) {
                usleep(useconds_t(interval * 1_000_000))
                guard sendAll([reply.body[index % reply.body.count]], to: client) else { return }
            }
            return
        }
        if let cut = reply.resetAfter {
            _ = sendAll(Array(response.utf8) + reply.body.prefix(cut), to: client)
            // A zero linger time makes close() send a reset instead of an orderly end.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            return
        }
        if reply.endless {
            guard sendAll(Array(response.utf8), to: client), !reply.body.isEmpty else { return }
            // Bounded: at most 2 GB even if the client never hangs up.
            for _ in 0..<(2_000_000_000 / reply.body.count) where !sendAll(reply.body, to: client) { return }
            return
        }
        _ = sendAll(Array(response.utf8) + reply.body, to: client)
    }

    private func sendAll(_ bytes: [UInt8], to client: Int32) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }
}

extension Array where Element == UInt8 {
    fileprivate func contains(subsequence: [UInt8]) -> Bool {
        guard count >= subsequence.count else { return false }
        return (0...(count - subsequence.count)).contains {
            self[$0..<$0 + subsequence.count].elementsEqual(subsequence)
        }
    }
}

/// Paths of the repository, for tests that read the bundled example or write artifacts.
package enum Repository {
    /// The package root, found from this file's location.
    package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    package static var exampleSite: URL { root.appendingPathComponent("Pipelines/example-site") }

    /// Keeps a copy of a feed a test produced where CI validates them (`FEEDPIPE_FEED_ARTIFACTS`), if set.
    package static func keepFeed(_ file: URL, as name: String) {
        guard let folder = ProcessInfo.processInfo.environment["FEEDPIPE_FEED_ARTIFACTS"] else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let target = URL(fileURLWithPath: folder).appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        try? FileManager.default.copyItem(at: file, to: target)
    }

    /// A fresh temporary folder.
    package static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("feedpipe-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
