import Foundation

/// Plain-text summaries: the first paragraphs of the body, cut at a word boundary.
package enum Summary {
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
