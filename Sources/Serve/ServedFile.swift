import Feed
import Fetch
import Foundation
import Hummingbird
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A file of the feeds folder that `serve` hands out: only what `feedpipe run` writes for readers — the feeds
/// of the formats table, `index.opml` and `index.html` — opened once, so that its validators and its bytes
/// are those of the same file even when a run replaces it meanwhile. A file published in a shared store is
/// held in memory instead (`stored(name:bytes:modified:identity:)`).
final class ServedFile: Sendable {
    /// What the file is to a reader.
    enum Kind: Sendable, Equatable {
        case feed(FeedFormat)
        case opml
        case index
    }

    let kind: Kind
    let path: String
    let size: Int
    let modified: Date
    /// Changes whenever the file is written again (a run replaces it by renaming): inode, size and the
    /// modification time to the nanosecond. The validators come from it, with no byte of the file read.
    let identity: String
    /// The open file, or -1 for a file held in `memory`.
    private let descriptor: Int32
    private let memory: [UInt8]

    private init(kind: Kind, path: String, descriptor: Int32, status: stat) {
        self.kind = kind
        self.path = path
        self.descriptor = descriptor
        memory = []
        size = Int(status.st_size)
        let seconds = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
        modified = Date(timeIntervalSince1970: seconds)
        identity =
            [UInt64(status.st_ino), UInt64(status.st_size), UInt64(status.st_mtim.tv_sec)]
            .map { String($0, radix: 16) }.joined(separator: "-") + "." + String(status.st_mtim.tv_nsec, radix: 16)
    }

    private init(kind: Kind, name: String, bytes: [UInt8], modified: Date, identity: String) {
        self.kind = kind
        path = name
        descriptor = -1
        memory = bytes
        size = bytes.count
        self.modified = modified
        self.identity = identity
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// A file published in a store, held in memory: `nil` for a name `serve` never hands out or bytes not
    /// of the kind the name says.
    static func stored(name: String, bytes: [UInt8], modified: Date, identity: String) -> ServedFile? {
        guard let kind = kind(ofName: name) else { return nil }
        let file = ServedFile(kind: kind, name: name, bytes: bytes, modified: modified, identity: identity)
        return file.headIsOfItsKind ? file : nil
    }

    /// Up to `count` bytes from `offset`, from the file or from memory; how many were read (negative on a
    /// read error).
    private func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        guard descriptor < 0 else { return pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset)) }
        let count = max(0, min(buffer.count, memory.count - offset))
        memory.withUnsafeBytes { source in
            if count > 0 { buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count) }
        }
        return count
    }

    /// The media type of its kind.
    var mediaType: String {
        switch kind {
        case .feed(let format): format.mediaType + "; charset=utf-8"
        case .opml: "text/x-opml; charset=utf-8"
        case .index: "text/html; charset=utf-8"
        }
    }

    /// What a file's name says it is, or `nil` for a name `serve` never hands out.
    static func kind(ofName name: String) -> Kind? {
        if name == "index.opml" { return .opml }
        if name == "index.html" { return .index }
        let parts = name.split(separator: ".")
        guard parts.count >= 2, let last = parts.last, let format = FeedFormat(fileExtension: String(last)) else {
            return nil
        }
        return .feed(format)
    }

    /// Opens a regular file of a name `serve` hands out, whose first bytes are of the kind its name says (a
    /// `.json` that is no JSON Feed is not served); `nil` otherwise.
    static func open(_ path: String) -> ServedFile? {
        guard let kind = kind(ofName: (path as NSString).lastPathComponent) else { return nil }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return nil
        }
        let file = ServedFile(kind: kind, path: path, descriptor: descriptor, status: status)
        return file.headIsOfItsKind ? file : nil
    }

    /// Whether the file's first kilobyte (and, for JSON, whose keys may come in any order, its last) shows the
    /// format its name says.
    private var headIsOfItsKind: Bool {
        func read(at offset: Int) -> String {
            var bytes = [UInt8](repeating: 0, count: 1024)
            let count = bytes.withUnsafeMutableBytes { self.read(into: $0, at: max(0, offset)) }
            return String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
        }
        var text = read(at: 0)
        if kind == .feed(.json), size > 1024 { text += read(at: size - 1024) }
        switch kind {
        case .feed(.atom): return text.contains("<feed")
        case .feed(.rss): return text.contains("<rss") || text.contains("<rdf:RDF")
        case .feed(.json): return text.contains("jsonfeed.org/version")
        case .opml: return text.contains("<opml")
        case .index: return text.lowercased().contains("<html")
        }
    }

    /// The file's first `limit` bytes (all of it by default), for the variants made of it (compressed, or
    /// drawn as a page), read off the event loops.
    func bytes(limit: Int = .max) async throws -> [UInt8] {
        let count = min(size, limit)
        if descriptor < 0 { return Array(memory.prefix(count)) }
        return try await NIOThreadPool.singleton.runIfActive { [self] in
            var bytes = [UInt8](repeating: 0, count: count)
            let read = bytes.withUnsafeMutableBytes { self.read(into: $0, at: 0) }
            guard read == count else { throw POSIXError(.EIO) }
            return bytes
        }
    }

    /// The file gzip-compressed, read chunk by chunk.
    func compressed() -> [UInt8]? {
        var offset = 0
        return Gzip.compress { () -> [UInt8]? in
            guard offset < size else { return nil }
            var chunk = [UInt8](repeating: 0, count: min(Self.chunkLength, size - offset))
            let read = chunk.withUnsafeMutableBytes { self.read(into: $0, at: offset) }
            guard read > 0 else { return nil }
            offset += read
            return Array(chunk.prefix(read))
        }
    }

    /// The first `limit` bytes of a feed, cut after its last whole entry and closed again, for a view of a
    /// feed too large to read whole (feedpipe's own Atom and RSS; a JSON Feed is read whole or not at all).
    func leadingEntries(limit: Int) async throws -> [UInt8]? {
        guard size > limit else { return try await bytes() }
        guard case .feed(let format) = kind, format != .json else { return nil }
        let head = try await bytes(limit: limit)
        let marker = Array((format == .atom ? "</entry>" : "</item>").utf8)
        guard let end = Self.lastRange(of: marker, in: head) else { return nil }
        return Array(head[..<end]) + Array((format == .atom ? "\n</feed>\n" : "\n</channel>\n</rss>\n").utf8)
    }

    /// Where the last `marker` in `bytes` ends.
    static func lastRange(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
        var index = bytes.count - marker.count
        while index >= 0 {
            if bytes[index] == marker[0], bytes[index..<index + marker.count].elementsEqual(marker) {
                return index + marker.count
            }
            index -= 1
        }
        return nil
    }

    /// The file as a response body read from disk in chunks as the client takes them, so that a client that
    /// never reads holds a few chunks, not the file. A chunk is handed to the connection's event loop, and the
    /// next one is read only once the loop has taken it: the writer learns that the connection is full on that
    /// loop, and a reader of the page cache running ahead of it would pile megabytes of chunks into its queue
    /// (2–6 MB a connection in `Benchmarks/serve/run`).
    func body(pacedBy loop: any EventLoop) -> ResponseBody {
        if descriptor < 0 { return ResponseBody(byteBuffer: ByteBuffer(bytes: memory)) }
        return ResponseBody(contentLength: size) { [self] writer in
            var offset = 0
            while offset < size {
                let length = min(Self.chunkLength, size - offset)
                var chunk = ByteBufferAllocator().buffer(capacity: length)
                let read = chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: length) {
                    max(0, pread(descriptor, $0.baseAddress, length, off_t(offset)))
                }
                guard read > 0 else { throw POSIXError(.EIO) }
                offset += read
                try await writer.write(chunk)
                try await loop.submit {}.get()
            }
            try await writer.finish(nil)
        }
    }

    static let chunkLength = 64 * 1024
}
