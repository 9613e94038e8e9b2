internal import CZlib

/// Entry bodies as the stores keep them: zlib streams (RFC 1950), their length kept beside them.
/// An article's HTML shrinks to a third or less, and the feeds on disk already hold it as text. The summary
/// goes into the same stream, after the body it is mostly made of, and costs next to nothing there.
package enum PackedText {
    /// Bodies shorter than this are kept as text: compressing them saves too little to be worth a stream.
    static let smallest = 256

    /// zlib's level 5: on the scale benchmark's articles, 0.7 % larger than its default (6) and a sixth less
    /// time, which a fresh run pays for every article it stores.
    static let level: Int32 = 5

    /// The texts compressed one after the other, or `nil` when they are short or zlib refuses.
    package static func pack(_ texts: [String]) -> [UInt8]? {
        var joined: [UInt8] = []
        for text in texts { joined += text.utf8 }
        guard joined.count >= smallest else { return nil }
        var length = compressBound(uLong(joined.count))
        var packed = [UInt8](repeating: 0, count: Int(length))
        let status = packed.withUnsafeMutableBufferPointer { target in
            compress2(target.baseAddress, &length, joined, uLong(joined.count), level)
        }
        guard status == Z_OK else { return nil }
        packed.removeSubrange(Int(length)...)
        return packed
    }

    /// The texts of a stream `pack` made, of `sizes` bytes each; `nil` when the stream is damaged.
    package static func unpack(_ packed: UnsafeRawBufferPointer, sizes: [Int]) -> [String]? {
        let total = sizes.reduce(0, +)
        guard total > 0, sizes.allSatisfy({ $0 >= 0 }), let source = packed.baseAddress else {
            return total == 0 ? sizes.map { _ in "" } : nil
        }
        var bytes = [UInt8](repeating: 0, count: total)
        var length = uLongf(total)
        let status = bytes.withUnsafeMutableBufferPointer { target in
            uncompress(target.baseAddress, &length, source.assumingMemoryBound(to: Bytef.self), uLong(packed.count))
        }
        guard status == Z_OK, Int(length) == total else { return nil }
        var texts: [String] = []
        var start = 0
        for size in sizes {
            texts.append(String(decoding: bytes[start..<start + size], as: UTF8.self))
            start += size
        }
        return texts
    }
}
