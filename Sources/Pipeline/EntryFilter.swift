import Feed
import Foundation

/// A pipeline's filters: entries whose title, body, author or address match an `include` expression (all
/// given must match) and none of the `exclude` ones, no older than `maxAge`, and not a duplicate of another
/// entry's body.
package struct EntryFilter: Sendable {
    /// The fields a rule looks at.
    package enum Field: String, Sendable, CaseIterable {
        case title, body, author, url
    }

    /// Case-insensitive expressions by field, compiled once when the pipeline is read.
    package var include: [Field: NSRegularExpression] = [:]
    package var exclude: [Field: NSRegularExpression] = [:]
    /// Entries dated further back than this (seconds) are left out.
    package var maxAge: Double?
    /// Entries whose body is the same as another's (a syndicated copy under another address) are left out.
    package var dedupe = true

    package init() {}

    /// Whether a link may lead to an entry, judged before it is fetched (by its address and the date the
    /// source gives it), so that filtered articles cost nothing.
    func admits(_ link: Link, now: Date) -> Bool {
        if let date = link.date, let maxAge, now.timeIntervalSince(date) > maxAge { return false }
        if let pattern = include[.url], !Self.matches(pattern, link.url) { return false }
        if let pattern = exclude[.url], Self.matches(pattern, link.url) { return false }
        return true
    }

    /// Whether an extracted entry is kept; `text` is the body as plain text.
    func admits(_ entry: Entry, text: String, now: Date) -> Bool {
        if let maxAge, now.timeIntervalSince(entry.date) > maxAge { return false }
        let values: [Field: String] = [.title: entry.title, .body: text, .author: entry.author ?? "", .url: entry.link]
        for (field, pattern) in include where !Self.matches(pattern, values[field] ?? "") { return false }
        for (field, pattern) in exclude where Self.matches(pattern, values[field] ?? "") { return false }
        return true
    }

    static func matches(_ expression: NSRegularExpression, _ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// A fingerprint of a body's words (letters and digits, lower-cased, in order), blind to markup, white
    /// space and punctuation; empty bodies have none.
    static func fingerprint(_ html: String?) -> UInt64? {
        guard let html, !html.isEmpty else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var inTag = false
        var words = 0
        var inWord = false
        for scalar in html.unicodeScalars {
            if scalar == "<" { inTag = true }
            if inTag {
                if scalar == ">" { inTag = false }
                inWord = false
                continue
            }
            // ASCII (most text) is classified and lower-cased by arithmetic, and so are the no-break space and
            // the General Punctuation block (curly quotes, dashes, ellipses), which hold no letters; other
            // scalars by their Unicode properties.
            let ascii = scalar.value < 0x80 ? UInt8(scalar.value) : nil
            let isWordScalar =
                ascii.map { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || $0 >= 0x30 && $0 <= 0x39 }
                ?? (scalar.value != 0xA0 && !(0x2000...0x206F).contains(scalar.value)
                    && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil))
            guard isWordScalar else {
                inWord = false
                continue
            }
            if !inWord {
                words += 1
                hash = (hash ^ 0x20) &* 0x0000_0100_0000_01b3
            }
            inWord = true
            if let ascii {
                let lower = ascii >= 0x41 && ascii <= 0x5A ? ascii | 0x20 : ascii
                hash = (hash ^ UInt64(lower)) &* 0x0000_0100_0000_01b3
            } else if scalar.properties.changesWhenLowercased {
                for byte in String(scalar).lowercased().utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            } else {
                UTF8.encode(scalar) { hash = (hash ^ UInt64($0)) &* 0x0000_0100_0000_01b3 }
            }
        }
        // A few words say too little to call two bodies the same.
        return words >= 20 ? hash : nil
    }
}
