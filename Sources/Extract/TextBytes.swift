import Foundation
import Markup

/// Byte-level text helpers for the hot paths of extraction: they work on UTF-8 directly instead of
/// `Character`, whose Unicode-aware predicates dominated the profile.
enum TextBytes {
    /// ASCII white space and the no-break space (U+00A0) count as white space.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C || byte == 0x0B
    }

    /// The text with every run of white space (including U+00A0) folded to one space, ends trimmed.
    static func collapse(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if isSpace(byte) {
                pendingSpace = true
                previous = byte
                continue
            }
            if byte == 0xC2 {
                previous = byte
                continue  // decided by the next byte
            }
            if previous == 0xC2 {
                if byte == 0xA0 {
                    pendingSpace = true
                    previous = byte
                    continue
                }
                if pendingSpace && !output.isEmpty { output.append(0x20) }
                pendingSpace = false
                output.append(0xC2)
            }
            if pendingSpace && !output.isEmpty { output.append(0x20) }
            pendingSpace = false
            output.append(byte)
            previous = byte
        }
        if previous == 0xC2 { output.append(0xC2) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The text with white space folded within each line as `collapse` does, empty lines dropped, and the
    /// remaining lines joined by newlines (they matter for `<br>`-separated related links).
    static func collapseLines(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var lineHasText = false
        var pendingSpace = false
        var pendingNewline = false
        let bytes = text.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            if byte == 0x0A {
                if lineHasText { pendingNewline = true }
                lineHasText = false
                pendingSpace = false
                continue
            }
            let isNoBreakSpace = byte == 0xC2 && index != bytes.endIndex && bytes[index] == 0xA0
            if isSpace(byte) || isNoBreakSpace {
                if isNoBreakSpace { index = bytes.index(after: index) }
                if lineHasText { pendingSpace = true }
                continue
            }
            if pendingNewline {
                output.append(0x0A)
            } else if pendingSpace {
                output.append(0x20)
            }
            pendingNewline = false
            pendingSpace = false
            lineHasText = true
            output.append(byte)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The text with runs of ASCII white space folded to one space, ends kept (a space at either end still
    /// separates words from the neighbouring inline elements). No-break spaces are kept as they are.
    static func foldSpaces(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var inSpace = false
        for byte in text.utf8 {
            if isSpace(byte) {
                if !inSpace { output.append(0x20) }
                inSpace = true
            } else {
                output.append(byte)
                inSpace = false
            }
        }
        return output.count == text.utf8.count && !text.utf8.contains(where: { $0 != 0x20 && isSpace($0) })
            ? text : String(decoding: output, as: UTF8.self)
    }

    /// Whether `foldSpaces` would change the text below `node`: it has white space other than single spaces.
    static func needsFolding(_ node: Node) -> Bool {
        var needed = false
        node.forEachTextRun { run in
            var previousWasSpace = false
            for byte in run {
                guard isSpace(byte) else {
                    previousWasSpace = false
                    continue
                }
                if byte != 0x20 || previousWasSpace {
                    needed = true
                    return false
                }
                previousWasSpace = true
            }
            return true
        }
        return needed
    }

    /// ASCII letters lower-cased; other bytes unchanged.
    static func lowercasedASCII(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] |= 0x20 }
        return bytes
    }

    /// Whether the text starts with one of the lower-case `prefixes`, ASCII letters compared in any case.
    static func startsCaseInsensitively(_ text: String, withAnyOf prefixes: [[UInt8]]) -> Bool {
        let bytes = text.utf8
        return prefixes.contains { prefix in
            prefix.count <= bytes.count
                && zip(bytes, prefix).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
        }
    }

    /// Replaces every occurrence of `needle` in `bytes` with spaces.
    static func blankOut(_ needle: [UInt8], in bytes: inout [UInt8]) {
        guard !needle.isEmpty, bytes.count >= needle.count else { return }
        var start = 0
        while start <= bytes.count - needle.count {
            if bytes[start] == needle[0], bytes[start..<start + needle.count].elementsEqual(needle) {
                bytes.replaceSubrange(start..<start + needle.count, with: repeatElement(0x20, count: needle.count))
                start += needle.count
            } else {
                start += 1
            }
        }
    }

    /// Whether one of the words of lower-case `bytes` (runs of ASCII letters and digits, and of non-ASCII
    /// bytes) is in `words`.
    static func hasWord(in bytes: UnsafeBufferPointer<UInt8>, from words: TagSet) -> Bool {
        func isWordByte(_ byte: UInt8) -> Bool {
            byte >= 0x80 || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
        }
        var index = 0
        while index < bytes.count {
            guard isWordByte(bytes[index]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
            if words.contains(bytes: UnsafeBufferPointer(rebasing: bytes[index..<end])) { return true }
            index = end
        }
        return false
    }

    /// Whether the text holds the fragment, byte for byte (Foundation's `contains` goes through `NSString`).
    static func contains(_ text: String, _ fragment: String) -> Bool {
        guard text.utf8.count >= fragment.utf8.count else { return false }
        var text = text
        var fragment = fragment
        return text.withUTF8 { hay in fragment.withUTF8 { pin in contains(hay, pin) } }
    }

    /// Whether `needle` occurs in `haystack`: `memchr` finds each candidate first byte, `memcmp` the rest.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBufferPointer { hay in needle.withUnsafeBufferPointer { pin in contains(hay, pin) } }
    }

    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ pin: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !pin.isEmpty else { return true }
        guard hay.count >= pin.count, let base = hay.baseAddress else { return false }
        let first = Int32(pin[0])
        let lastStart = hay.count - pin.count
        var offset = 0
        while offset <= lastStart {
            guard let found = memchr(base + offset, first, lastStart - offset + 1) else { return false }
            let position = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + position, pin.baseAddress!, pin.count) == 0 { return true }
            offset = position + 1
        }
        return false
    }

    /// The string without ASCII white space and control characters at either end; no copy when there are
    /// none.
    static func trim(_ text: String) -> String {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last, first <= 0x20 || last <= 0x20 else { return text }
        let start = bytes.firstIndex { $0 > 0x20 } ?? bytes.endIndex
        guard start != bytes.endIndex else { return "" }
        let end = bytes.lastIndex { $0 > 0x20 }!
        return String(text[start...end])
    }

    /// The text below `node` as lower-cased bytes with white space folded and trimmed, or `nil` when its
    /// source is longer than `limit` bytes.
    static func loweredText(of node: Node, limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var seen = 0
        var pendingSpace = false
        var over = false
        node.forEachTextRun { run in
            seen += run.count
            guard seen <= limit else {
                over = true
                return false
            }
            for byte in run {
                if isSpace(byte) {
                    pendingSpace = !bytes.isEmpty
                    continue
                }
                if pendingSpace {
                    bytes.append(0x20)
                    pendingSpace = false
                }
                bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
            return true
        }
        return over ? nil : bytes
    }

    /// Whether the text at or below `node` is only white space (ASCII or U+00A0), read without making a string.
    static func isBlank(_ node: Node) -> Bool {
        var blank = true
        node.forEachTextRun { run in
            var index = 0
            while index < run.count {
                let byte = run[index]
                if isSpace(byte) {
                    index += 1
                } else if byte == 0xC2, index + 1 < run.count, run[index + 1] == 0xA0 {
                    index += 2
                } else {
                    blank = false
                    return false
                }
            }
            return true
        }
        return blank
    }

    /// How many characters (Unicode scalars) of text the node holds, counted in place up to a little past
    /// `limit`.
    static func characters(of node: Node, limit: Int) -> Int {
        var total = 0
        node.forEachTextRun { run in
            for byte in run where byte & 0xC0 != 0x80 { total += 1 }
            return total <= limit
        }
        return total
    }

    /// Bytes of text below `node`, counting no further than `limit`.
    static func length(of node: Node, limit: Int, skipping skipped: TagSet? = nil) -> Int {
        var total = 0
        node.forEachTextRun(skipping: skipped) { run in
            total += run.count
            return total <= limit
        }
        return total
    }
}

extension String {
    /// Runs of white space (including newlines and no-break spaces) folded to one space, ends trimmed.
    var collapsedWhitespace: String { TextBytes.collapse(self) }
}

/// Lower-case ASCII words found anywhere in a text, case-insensitively, in one pass: each position is
/// compared only with the words that start with its byte. The words live back to back in one buffer, so a
/// search touches no reference counts.
struct FragmentSet: Sendable {
    private let letters: [UInt8]
    /// Start and end of each word in `letters`, grouped by first byte.
    private let bounds: [Int]
    /// The words starting with byte `b` are `bounds[2 * first[b] ..< 2 * first[b + 1]]`.
    private let first: [Int]
    /// For each first byte, the second bytes its words go on with, as 256 bits: most positions of a text
    /// are passed on these two bytes, without a word compared.
    private let seconds: [UInt64]

    init(_ words: [String]) {
        let sorted = words.map { Array($0.utf8) }.filter { !$0.isEmpty }.sorted { $0[0] < $1[0] }
        var letters: [UInt8] = []
        var bounds: [Int] = []
        var first = [Int](repeating: 0, count: 257)
        for word in sorted {
            bounds += [letters.count, letters.count + word.count]
            letters += word
            first[Int(word[0]) + 1] += 1
        }
        for byte in 1...256 { first[byte] += first[byte - 1] }
        var seconds = [UInt64](repeating: 0, count: 256 * 4)
        for word in sorted {
            let row = Int(word[0]) * 4
            guard word.count > 1 else {
                for part in 0..<4 { seconds[row + part] = ~0 }
                continue
            }
            seconds[row + Int(word[1]) >> 6] |= 1 << UInt64(word[1] & 63)
        }
        self.letters = letters
        self.bounds = bounds
        self.first = first
        self.seconds = seconds
    }

    func occurs(in text: String) -> Bool { firstOffset(in: text) != nil }

    func occurs(in bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer(firstOffset(in:)) != nil
    }

    func occurs(in bytes: UnsafeBufferPointer<UInt8>) -> Bool { firstOffset(in: bytes) != nil }

    /// Where, in UTF-8 bytes from the start, the first of the words begins in the text.
    func firstOffset(in text: String) -> Int? {
        text.utf8.withContiguousStorageIfAvailable(firstOffset(in:))
            ?? Array(text.utf8).withUnsafeBufferPointer(firstOffset(in:))
    }

    func firstOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        letters.withUnsafeBufferPointer { letters in
            bounds.withUnsafeBufferPointer { bounds in
                first.withUnsafeBufferPointer { first in
                    seconds.withUnsafeBufferPointer { seconds in
                        for start in bytes.indices {
                            let byte = Int(Self.lowered(bytes[start]))
                            let next = start + 1 < bytes.count ? Self.lowered(bytes[start + 1]) : 0
                            guard seconds[byte * 4 + Int(next >> 6)] & (1 << UInt64(next & 63)) != 0 else { continue }
                            search: for word in first[byte]..<first[byte + 1] {
                                let from = bounds[2 * word]
                                let count = bounds[2 * word + 1] - from
                                guard count <= bytes.count - start else { continue }
                                for offset in 1..<count
                                where Self.lowered(bytes[start + offset]) != letters[from + offset] {
                                    continue search
                                }
                                return start
                            }
                        }
                        return nil
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
