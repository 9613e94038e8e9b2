import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A forward HTTP proxy on loopback through which headless Chromium loads everything a rendered page asks for
/// (its scripts, images, `fetch` calls, tunnels for https and WebSockets), so that the browser's traffic meets
/// the address policy libcurl's does: each destination is resolved here and judged on the address it resolves
/// to before any connection is made, and a refused one gets `403` without a packet sent to it. One proxy
/// serves one rendering and is stopped with it.
final class PolicyProxy: @unchecked Sendable {
    /// Whether a connection to an IP address (as text) and port may be made.
    typealias Rule = @Sendable (_ address: String, _ port: Int) -> Bool

    let port: Int
    private let listener: Int32
    private let allows: Rule
    private let lock = NSLock()
    private var connections: Set<Int32> = []
    private var stopped = false

    /// Starts listening on a free loopback port.
    init(allows: @escaping Rule) throws {
        self.allows = allows
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { stop() }

    /// Stops listening and ends every connection still open.
    func stop() {
        let open: Set<Int32>? = lock.withLock {
            guard !stopped else { return nil }
            stopped = true
            return connections
        }
        guard let open else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for descriptor in open { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard track(client) else {
                close(client)
                return
            }
            Thread { [self] in
                serve(client)
                untrack(client)
            }.start()
        }
    }

    private func track(_ descriptor: Int32) -> Bool {
        lock.withLock {
            guard !stopped else { return false }
            connections.insert(descriptor)
            return true
        }
    }

    private func untrack(_ descriptor: Int32) {
        lock.withLock { _ = connections.remove(descriptor) }
        close(descriptor)
    }

    /// One client connection: its request head, the destination judged and connected to, then bytes both ways.
    private func serve(_ client: Int32) {
        Self.setTimeout(client, seconds: 30)
        guard let (head, rest) = Self.readHead(client), let line = head.split(separator: "\r\n").first else { return }
        let words = line.split(separator: " ")
        guard words.count == 3 else { return reply(client, "400 Bad Request") }
        let method = words[0].uppercased()
        let tunnel = method == "CONNECT"
        guard let target = Self.destination(String(words[1]), tunnel: tunnel) else {
            return reply(client, "400 Bad Request")
        }
        let upstream: Int32
        switch connect(to: target.host, port: target.port) {
        case .refused: return reply(client, "403 Forbidden")
        case .failed: return reply(client, "502 Bad Gateway")
        case .connected(let descriptor): upstream = descriptor
        }
        guard track(upstream) else {
            close(upstream)
            return
        }
        defer { untrack(upstream) }
        if tunnel {
            guard Self.send(Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8), to: client) else { return }
        } else {
            // The request again in origin form, asking the server to close after answering: the next request
            // on this client connection may be for another host, and must be judged on its own.
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).dropFirst().filter { header in
                let name = header.prefix { $0 != ":" }.lowercased()
                return !header.isEmpty && !["connection", "proxy-connection", "keep-alive"].contains(name)
            }.map(String.init)
            lines.insert("\(method) \(target.path) HTTP/1.1", at: 0)
            lines.append("Connection: close")
            guard Self.send(Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8), to: upstream) else { return }
        }
        guard rest.isEmpty || Self.send(rest, to: upstream) else { return }
        let sending = Thread {
            Self.copy(from: client, to: upstream)
            shutdown(upstream, Int32(SHUT_WR))
        }
        sending.start()
        Self.copy(from: upstream, to: client)
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(upstream, Int32(SHUT_RDWR))
    }

    private func reply(_ client: Int32, _ status: String) {
        _ = Self.send(Array("HTTP/1.1 \(status)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8), to: client)
    }

    private enum Connection {
        case connected(Int32)
        case refused
        case failed
    }

    /// Resolves the host and connects to the first of its addresses the rule allows; an address refused is
    /// never connected to.
    private func connect(to host: String, port: Int) -> Connection {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return .failed }
        defer { freeaddrinfo(list) }
        var sawAllowed = false
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            guard let address = current.pointee.ai_addr else { continue }
            let text = AddressPolicy.text(of: address)
            guard !text.isEmpty, allows(text, port) else { continue }
            sawAllowed = true
            let descriptor = socket(
                current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
                current.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            Self.setTimeout(descriptor, seconds: 30)
            if Glibc.connect(descriptor, address, current.pointee.ai_addrlen) == 0 { return .connected(descriptor) }
            close(descriptor)
        }
        return sawAllowed ? .failed : .refused
    }

    // MARK: Bytes

    /// The host, port and path a request names: `host:port` for a tunnel, an absolute `http://` URL otherwise.
    static func destination(_ target: String, tunnel: Bool) -> (host: String, port: Int, path: String)? {
        let address = tunnel ? "http://" + target : target
        guard let components = URLComponents(string: address), components.scheme?.lowercased() == "http",
            let host = components.host, !host.isEmpty
        else { return nil }
        let port = components.port ?? 80
        guard tunnel || (1...65535).contains(port) else { return nil }
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return (bare, port, path)
    }

    /// The request head (without its blank line) and whatever arrived after it, or `nil`.
    private static func readHead(_ descriptor: Int32) -> (head: String, rest: [UInt8])? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        let end: [UInt8] = [13, 10, 13, 10]
        while received.count < 65536 {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            let searchFrom = max(0, received.count - 3)
            received += buffer.prefix(count)
            if let index = (searchFrom..<max(searchFrom, received.count - 3)).first(where: {
                received[$0..<$0 + 4].elementsEqual(end)
            }) {
                return (String(decoding: received[..<index], as: UTF8.self), Array(received[(index + 4)...]))
            }
        }
        return nil
    }

    private static func copy(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0, send(Array(buffer.prefix(count)), to: destination) else { return }
        }
    }

    private static func send(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    private static func setTimeout(_ descriptor: Int32, seconds: Int) {
        var wait = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    }
}
