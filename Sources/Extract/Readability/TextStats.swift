import Markup

/// How much text an element holds, how much of it is link text, and how many commas it has, counted in one
/// pass over the UTF-8 bytes of its text nodes.
struct TextStats {
    /// Characters of text, with CJK characters counted three times: one CJK character carries about as much
    /// as a short Latin word, so length thresholds written for Latin text hold for Chinese, Japanese and
    /// Korean pages too.
    var length = 0
    /// The same measure for text inside links.
    var linkLength = 0
    /// Commas, including the CJK full-width comma and enumeration comma.
    var commas = 0

    var linkDensity: Double { length == 0 ? 0 : Double(linkLength) / Double(length) }

    static func += (lhs: inout TextStats, rhs: TextStats) {
        lhs.length += rhs.length
        lhs.linkLength += rhs.linkLength
        lhs.commas += rhs.commas
    }

    /// The statistics of one element, measured now (nothing cached).
    static func of(_ node: Node) -> TextStats {
        var index = TextStatsIndex(keeping: false)
        return index.collect(node, insideLink: node.is("a"))
    }

    /// Measures a run of UTF-8 text. Runs of white space count as one character.
    static func measure(_ bytes: UnsafeBufferPointer<UInt8>) -> TextStats {
        var stats = TextStats()
        var inSpace = true
        var index = 0
        let count = bytes.count
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return stats }
        while index < count {
            // Most text is ASCII prose: eight bytes at a time when none is a control byte, a comma or
            // non-ASCII (each test sets the high bit of an offending byte). A space counts unless it follows
            // another.
            if index + 8 <= count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let ones: UInt64 = 0x0101_0101_0101_0101
                let high: UInt64 = 0x8080_8080_8080_8080
                let commas = word ^ (ones &* 0x2C)
                let offending = ((word &- ones &* 0x20) & ~word) | ((commas &- ones) & ~commas)
                if (word | offending) & high == 0 {
                    let blanks = word ^ (ones &* 0x20)
                    let spaces = ~(((blanks & ~high) &+ ~high) | blanks) & high
                    let afterSpace = (spaces << 8) | (inSpace ? 0x80 : 0)
                    stats.length += 8 - (spaces & afterSpace).nonzeroBitCount
                    inSpace = spaces >> 63 != 0
                    index += 8
                    continue
                }
            }
            let byte = bytes[index]
            if byte < 0x80 {
                let isSpace = byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
                if !isSpace || !inSpace { stats.length += 1 }
                inSpace = isSpace
                if byte == 0x2C { stats.commas += 1 }
                index += 1
                continue
            }
            inSpace = false
            if byte >= 0xE3 && byte <= 0xED && index + 2 < count {
                // U+3000..U+DFFF: CJK punctuation, kana, ideographs, Hangul.
                let second = bytes[index + 1]
                let third = bytes[index + 2]
                if byte == 0xE3 && second == 0x80 && third == 0x81 { stats.commas += 1 }  // 、
                stats.length += 3
                index += 3
                continue
            }
            if byte == 0xEF && index + 2 < count && bytes[index + 1] == 0xBC && bytes[index + 2] == 0x8C {
                stats.commas += 1  // ，
                stats.length += 3
                index += 3
                continue
            }
            if byte & 0xC0 != 0x80 { stats.length += 1 }
            index += 1
        }
        return stats
    }
}

/// Text statistics for every element below a root, computed bottom-up in one walk and looked up by node.
struct TextStatsIndex {
    /// The statistics of each element measured, found through the element's `mark` (its index here plus
    /// one); the node is kept beside them so that a mark left by another index is never trusted.
    private var entries: [(node: Node, stats: TextStats)] = []
    /// Whether statistics are kept per element (false when only the root's total is wanted).
    private let keeping: Bool

    init(root: Node) {
        keeping = true
        // A page's body has some hundreds to thousands of elements measured: room for a thousand spares the
        // first doublings of the array (each a copy of every entry so far).
        entries.reserveCapacity(1024)
        _ = collect(root, insideLink: false)
    }

    subscript(node: Node) -> TextStats {
        let slot = node.mark - 1
        if slot >= 0, slot < entries.count, entries[slot].node == node { return entries[slot].stats }
        return TextStats.of(node)
    }

    fileprivate init(keeping: Bool) {
        self.keeping = keeping
    }

    fileprivate mutating func collect(_ node: Node, insideLink: Bool, store: Bool? = nil) -> TextStats {
        var total = TextStats()
        var child = node.firstChild
        while let current = child {
            switch current.kind {
            case .text:
                current.forEachTextRun { bytes in
                    var run = TextStats.measure(bytes)
                    if insideLink { run.linkLength = run.length }
                    total += run
                    return true
                }
            case .element:
                total += collect(
                    current, insideLink: insideLink || current.is("a"),
                    store: keeping && !current.tag(in: Self.inlineTags))
            default: break
            }
            child = current.nextSibling
        }
        if store ?? keeping {
            entries.append((node, total))
            node.mark = entries.count
        }
        return total
    }

    /// Inline elements are never scored or weighed alone, so their statistics are not kept (asked for, they
    /// are measured again).
    static let inlineTags = TagSet([
        "a", "span", "b", "strong", "i", "em", "u", "small", "sup", "sub", "abbr", "cite", "code", "mark", "q",
        "s", "time", "br", "img", "wbr", "label", "font",
    ])
}
