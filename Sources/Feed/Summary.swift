import Foundation

/// Plain-text summaries: the first sentences of the body, cut at a word boundary.
package enum Summary {
    /// The first sentences of a body in plain text (paragraphs on lines of their own), cut like `of`: lines
    /// that end in no sentence punctuation (a heading, a date line, a caption, "Share this") are passed over,
    /// so that none is glued to the sentence after it. Text with no such sentence is summarised as it is.
    package static func sentences(of text: String, limit: Int) -> String? {
        var kept: [Substring] = []
        var length = 0
        // Lines are found on the UTF-8 bytes, and only as many as the summary needs.
        let utf8 = text.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex, length <= limit {
            let end = utf8[start...].firstIndex(of: 0x0A) ?? utf8.endIndex
            let line = Substring(text.utf8[start..<end])
            start = end < utf8.endIndex ? utf8.index(after: end) : end
            guard let last = line.last(where: { !$0.isWhitespace }), endsSentence(last) else { continue }
            kept.append(line)
            length += line.utf8.count + 1
        }
        return kept.isEmpty ? of(text, limit: limit) : of(kept.joined(separator: " "), limit: limit)
    }

    /// Whether a line ending in `character` ends a sentence (closing quotes and brackets after the stop count).
    static func endsSentence(_ character: Character) -> Bool {
        ".!?…:;。！？\"”’'»)]".contains(character)
    }

    /// The text with its white space collapsed, cut at the last word that fits in `limit` characters (and
    /// then ending in "…"); `nil` for text with nothing but white space. Only the start of the text is read.
    package static func of(_ text: String, limit: Int) -> String? {
        var flat = ""
        var count = 0
        var space = false
        var cut = false
        for character in text {
            if character.isWhitespace {
                space = count > 0
                continue
            }
            if count + (space ? 1 : 0) >= limit {
                cut = true
                break
            }
            if space {
                flat.append(" ")
                count += 1
                space = false
            }
            flat.append(character)
            count += 1
        }
        guard !flat.isEmpty else { return nil }
        guard cut else { return flat }
        // Cut inside a word: that word goes.
        let end = space ? flat.endIndex : flat.lastIndex(of: " ") ?? flat.endIndex
        return String(flat[..<end]) + "…"
    }
}
