import Foundation

/// Plain-text summaries: the first sentences of the body, cut at a word boundary.
package enum Summary {
    /// The first sentences of a body in plain text (paragraphs on lines of their own), cut like `of`: lines
    /// that end in no sentence punctuation (a heading, a date line, a caption, "Share this") are passed over,
    /// so that none is glued to the sentence after it. Text with no such sentence is summarised as it is.
    package static func sentences(of text: String, limit: Int) -> String? {
        var kept: [Substring] = []
        var length = 0
        for line in text.split(whereSeparator: \.isNewline) {
            let line = line.trimmingCharacters(in: .whitespaces)
            guard let last = line.last else { continue }
            guard endsSentence(last) else { continue }
            kept.append(Substring(line))
            length += line.count + 1
            if length > limit { break }
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
