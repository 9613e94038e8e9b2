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
}
