import CZlib
import Foundation

/// gzip members (RFC 1952) through zlib: a server compresses what it sends, and a client opens files that
/// were stored compressed (`sitemap.xml.gz`), which HTTP's own decompression does not touch.
package enum Gzip {
    /// Whether the bytes start with gzip's magic number.
    package static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The bytes as one gzip member at the best compression, or `nil` if zlib refuses.
    package static func compress(_ data: Data) -> Data? {
        compress([UInt8](data)).map { Data($0) }
    }

    /// The bytes as one gzip member at the best compression, or `nil` if zlib refuses.
    package static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        var given = false
        return compress { () -> [UInt8]? in
            defer { given = true }
            return given ? nil : bytes
        }
    }

    /// One gzip member at the best compression of the chunks `next` gives until it gives `nil`, made chunk by
    /// chunk: a large file is never held whole beside its compressed form. `nil` if zlib refuses.
    package static func compress(chunks next: () -> [UInt8]?) -> [UInt8]? {
        var stream = z_stream()
        // 15 window bits + 16 asks zlib for a gzip header and trailer.
        guard
            deflateInit2_(
                &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        let roomSize = 64 << 10
        let room = UnsafeMutablePointer<UInt8>.allocate(capacity: roomSize)
        defer { room.deallocate() }
        var output: [UInt8] = []
        var status = Z_OK
        // Deflates what is given to zlib, collecting output until zlib leaves room unused (zlib's own loop).
        func pump(_ flush: Int32) -> Bool {
            repeat {
                stream.next_out = room
                stream.avail_out = UInt32(roomSize)
                status = deflate(&stream, flush)
                guard status != Z_STREAM_ERROR else { return false }
                output.append(contentsOf: UnsafeBufferPointer(start: room, count: roomSize - Int(stream.avail_out)))
            } while stream.avail_out == 0
            return true
        }
        while var chunk = next() {
            let pumped = chunk.withUnsafeMutableBufferPointer { source in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                return pump(Z_NO_FLUSH)
            }
            guard pumped else { return nil }
        }
        stream.next_in = nil
        stream.avail_in = 0
        guard pump(Z_FINISH), status == Z_STREAM_END else { return nil }
        return output
    }

    package enum Failure: Error, Equatable {
        /// The data is not a whole gzip member.
        case corrupt
        /// Decompressed, it would be larger than the limit (a "zip bomb").
        case tooLarge(limit: Int)
    }

    /// How the compressed stream is wrapped.
    enum Wrapping: Int32 {
        /// RFC 1952 (`Content-Encoding: gzip`, `.gz` files).
        case gzip = 31
        /// RFC 1950 (what `Content-Encoding: deflate` means), or gzip: zlib tells them apart by their header.
        case zlibOrGzip = 47
        /// Bare RFC 1951 data, which some servers send as `deflate`.
        case raw = -15
    }

    /// The decompressed bytes of the gzip member at the start of `bytes`, stopping as soon as they would
    /// pass `limit`. A stream that ends before its end marker (a truncated transfer) is `corrupt`.
    package static func decompress(_ bytes: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        try decompress(bytes, limit: limit, wrapping: .gzip)
    }

    static func decompress(_ bytes: [UInt8], limit: Int, wrapping: Wrapping) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, wrapping.rawValue, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt
        }
        defer { inflateEnd(&stream) }
        var input = bytes
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output += target.prefix(target.count - Int(stream.avail_out))
                }
                if output.count > limit { return }
            }
        }
        if output.count > limit { throw .tooLarge(limit: limit) }
        guard status == Z_STREAM_END else { throw .corrupt }
        return output
    }
}
