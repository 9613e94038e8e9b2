import Feed
import Foundation
import Markup

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

    /// Whether an item may lead to an entry, judged before its page is fetched, on the fields whose value
    /// the entry will have: the item's title and authors (the entry keeps them), its address and date, and
    /// its body when no page will replace it (`bodyIsFinal`). A field the item lacks is judged on the entry.
    func admits(_ item: Item, bodyIsFinal: Bool, now: Date) -> Bool {
        if let date = item.published ?? item.updated, let maxAge, now.timeIntervalSince(date) > maxAge { return false }
        var values: [Field: String] = [:]
        if let link = item.link { values[.url] = link }
        if let title = item.title { values[.title] = title }
        if !item.authors.isEmpty { values[.author] = item.authors.joined(separator: ", ") }
        if bodyIsFinal, include[.body] != nil || exclude[.body] != nil {
            values[.body] = item.content.map(PlainText.words(ofHTML:)) ?? item.summary ?? ""
        }
        for (field, pattern) in include {
            if let value = values[field], !Self.matches(pattern, value) { return false }
        }
        for (field, pattern) in exclude {
            if let value = values[field], Self.matches(pattern, value) { return false }
        }
        return true
    }

    /// Whether an extracted entry is kept; `text` is the body as plain text.
    func admits(_ entry: Entry, text: String, now: Date) -> Bool {
        if let maxAge, now.timeIntervalSince(entry.date) > maxAge { return false }
        let values: [Field: String] = [
            .title: entry.title, .body: text, .author: entry.author ?? "", .url: entry.link ?? "",
        ]
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
        guard var html, !html.isEmpty else { return nil }
        return html.withUTF8(fingerprint(of:))
    }

    /// Worked on UTF-8 bytes: ASCII (most text) is classified and lower-cased by arithmetic, and so are the
    /// no-break space and the General Punctuation block (curly quotes, dashes, ellipses), which hold no
    /// letters; other scalars are decoded and classified by their Unicode properties.
    private static func fingerprint(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var inTag = false
        var words = 0
        var inWord = false
        /// Notes a letter or digit: the start of a word when the byte before was none.
        func wordCharacter() {
            if !inWord {
                words += 1
                mix(0x20)
            }
            inWord = true
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                if byte == UInt8(ascii: "<") { inTag = true }
                if inTag {
                    if byte == UInt8(ascii: ">") { inTag = false }
                    inWord = false
                    continue
                }
                guard (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte >= 0x30 && byte <= 0x39 else {
                    inWord = false
                    continue
                }
                wordCharacter()
                mix(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
                continue
            }
            let start = index
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            var value = UInt32(byte) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for offset in 1..<length where start + offset < bytes.count {
                value = value << 6 | UInt32(bytes[start + offset] & 0x3F)
            }
            index = min(bytes.count, start + length)
            guard !inTag, value != 0xA0, !(0x2000...0x206F).contains(value), let scalar = Unicode.Scalar(value),
                scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            else {
                inWord = false
                continue
            }
            wordCharacter()
            if scalar.properties.changesWhenLowercased {
                for lower in String(scalar).lowercased().utf8 { mix(lower) }
            } else {
                for offset in start..<index { mix(bytes[offset]) }
            }
        }
        // A few words say too little to call two bodies the same.
        return words >= 20 ? hash : nil
    }
}
