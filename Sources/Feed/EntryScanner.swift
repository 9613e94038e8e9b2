import Foundation

/// A part of a file written from the file it replaces: new bytes, or a stretch of the old file.
package enum SplicePiece: Sendable, Equatable {
    case bytes([UInt8])
    case copy(Range<Int>)
}

/// Where each entry of an Atom document `AtomWriter` made lies, by id: from its opening line to its closing
/// line, as written. The document is given in order, a chunk at a time, so that a feed of tens of
/// megabytes is read through a small buffer rather than held whole.
package struct EntryScanner {
    /// The entries found so far.
    package private(set) var found: [String: Range<Int>] = [:]
    /// Bytes given so far.
    private var offset = 0
    /// The start of the line being read, and its first bytes when it began in an earlier chunk (up to
    /// `lineLimit`: no line this scanner looks for is longer).
    private var lineStart = 0
    private var carried: [UInt8] = []
    /// The open entry's start and id.
    private var entryStart: Int?
    private var id: String?

    private static let open = Array("  <entry".utf8)
    private static let close = Array("  </entry>\n".utf8)
    private static let idOpen = Array("    <id>".utf8)
    private static let idClose = Array("</id>\n".utf8)
    private static let lineLimit = 16_384

    package init() {}

    /// The entries of a whole document.
    package static func entries(in document: [UInt8]) -> [String: Range<Int>] {
        var scanner = EntryScanner()
        document.withUnsafeBufferPointer { scanner.scan($0) }
        return scanner.found
    }

    /// Reads the next bytes of the document.
    package mutating func scan(_ chunk: UnsafeBufferPointer<UInt8>) {
        guard let base = chunk.baseAddress else { return }
        var index = 0
        while index < chunk.count {
            guard let newline = memchr(base + index, 0x0A, chunk.count - index) else {
                if carried.count < Self.lineLimit {
                    carried += UnsafeBufferPointer(
                        start: base + index, count: min(chunk.count - index, Self.lineLimit - carried.count))
                }
                offset += chunk.count
                return
            }
            let end = base.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
            let length = offset + end - lineStart
            if carried.isEmpty {
                line(UnsafeBufferPointer(start: base + index, count: end - index), length: length)
            } else {
                if carried.count < Self.lineLimit {
                    carried += UnsafeBufferPointer(
                        start: base + index, count: min(end - index, Self.lineLimit - carried.count))
                }
                carried.withUnsafeBufferPointer { line($0, length: length) }
                carried.removeAll(keepingCapacity: true)
            }
            lineStart = offset + end
            index = end
        }
        offset += chunk.count
    }

    /// One line: `bytes` holds it whole, or its first `lineLimit` bytes when it is longer (`length`).
    private mutating func line(_ bytes: UnsafeBufferPointer<UInt8>, length: Int) {
        let whole = bytes.count == length
        func starts(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
        func ends(_ suffix: [UInt8]) -> Bool { whole && bytes.suffix(suffix.count).elementsEqual(suffix) }
        if starts(Self.open), bytes.count > Self.open.count,
            bytes[Self.open.count] == 0x3E || bytes[Self.open.count] == 0x20
        {
            (entryStart, id) = (lineStart, nil)
        } else if entryStart != nil, id == nil, starts(Self.idOpen), length > Self.idOpen.count + 6,
            ends(Self.idClose)
        {
            id = String(decoding: bytes[Self.idOpen.count..<bytes.count - Self.idClose.count], as: UTF8.self)
        } else if let opened = entryStart, whole, length == Self.close.count, starts(Self.close) {
            if let id { found[id] = opened..<lineStart + length }
            (entryStart, id) = (nil, nil)
        }
    }
}
