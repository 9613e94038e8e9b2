import Feed
import Foundation
import Hummingbird
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A file of the feeds folder that `serve` hands out: only what `feedpipe run` writes for readers — the feeds
/// of the formats table, `index.opml` and `index.html` — opened once, so that its validators and its bytes
/// are those of the same file even when a run replaces it meanwhile.
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
    private let descriptor: Int32

    private init(kind: Kind, path: String, descriptor: Int32, status: stat) {
        self.kind = kind
        self.path = path
        self.descriptor = descriptor
        size = Int(status.st_size)
        let seconds = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
        modified = Date(timeIntervalSince1970: seconds)
        identity =
            [UInt64(status.st_ino), UInt64(status.st_size), UInt64(status.st_mtim.tv_sec)]
            .map { String($0, radix: 16) }.joined(separator: "-") + "." + String(status.st_mtim.tv_nsec, radix: 16)
    }

    deinit { close(descriptor) }

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
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
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

    /// The whole file, for the variants made of it (compressed, or drawn as a page).
    func bytes() async throws -> [UInt8] {
        let (descriptor, size) = (self.descriptor, self.size)
        return try await NIOThreadPool.singleton.runIfActive {
            var bytes = [UInt8](repeating: 0, count: size)
            let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            guard read == size else { throw POSIXError(.EIO) }
            return bytes
        }
    }

    /// The file as a response body read from disk in chunks as the client takes them: each chunk is written
    /// only once the connection can take more, so a client that never reads holds one chunk, not the file.
    var body: ResponseBody {
        ResponseBody(contentLength: size) { [self] writer in
            var offset = 0
            while offset < size {
                let length = min(Self.chunkLength, size - offset)
                let start = offset
                let chunk = try await NIOThreadPool.singleton.runIfActive { () throws -> ByteBuffer in
                    var buffer = ByteBufferAllocator().buffer(capacity: length)
                    let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) {
                        max(0, pread(self.descriptor, $0.baseAddress, length, off_t(start)))
                    }
                    guard read > 0 else { throw POSIXError(.EIO) }
                    return buffer
                }
                offset += chunk.readableBytes
                try await writer.write(chunk)
            }
            try await writer.finish(nil)
        }
    }

    static let chunkLength = 64 * 1024
}
