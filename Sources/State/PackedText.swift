internal import CZlib

/// Entry bodies as the SQLite store keeps them: zlib streams (RFC 1950), their length kept beside them.
/// An article's HTML shrinks to a third or less, and the feeds on disk already hold it as text.
enum PackedText {
    /// Bodies shorter than this are kept as text: compressing them saves too little to be worth a stream.
    static let smallest = 256

    /// The text compressed, or `nil` when it is short or zlib refuses.
    static func pack(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { source -> [UInt8]? in
            guard source.count >= smallest, let base = source.baseAddress else { return nil }
            var length = compressBound(uLong(source.count))
            var packed = [UInt8](repeating: 0, count: Int(length))
            let status = packed.withUnsafeMutableBufferPointer { target in
                compress2(target.baseAddress, &length, base, uLong(source.count), Z_DEFAULT_COMPRESSION)
            }
            guard status == Z_OK else { return nil }
            packed.removeSubrange(Int(length)...)
            return packed
        }
    }

    /// The text of a stream `pack` made, `size` bytes long; `nil` when the stream is damaged.
    static func unpack(_ packed: UnsafeRawBufferPointer, size: Int) -> String? {
        guard size > 0, let source = packed.baseAddress else { return size == 0 ? "" : nil }
        var length = uLongf(size)
        var failed = false
        let text = String(unsafeUninitializedCapacity: size) { target in
            let status = uncompress(
                target.baseAddress, &length, source.assumingMemoryBound(to: Bytef.self), uLong(packed.count))
            failed = status != Z_OK || Int(length) != size
            return failed ? 0 : size
        }
        return failed ? nil : text
    }
}
