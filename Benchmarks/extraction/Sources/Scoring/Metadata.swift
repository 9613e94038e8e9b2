import Foundation

/// How WCXB's annotations are compared with what an extractor gives: the boilerplate-leak and must-have
/// snippet shares (the set's README), and title, author and day of publication.
package enum Metadata {
    /// Lower case, white space collapsed, curly quotes and dashes made plain, outer punctuation trimmed.
    package static func normalized(_ text: String) -> String {
        var plain = text.lowercased()
        for (fancy, simple) in [
            ("’", "'"), ("‘", "'"), ("“", "\""), ("”", "\""), ("–", "-"), ("—", "-"), ("\u{A0}", " "),
        ] {
            plain = plain.replacingOccurrences(of: fancy, with: simple)
        }
        let words = plain.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.trimmingCharacters(in: CharacterSet(charactersIn: " .,:;|\"'-"))
    }

    /// The share of `snippets` found in `text`, both sides normalized, and how many there were.
    package static func found(_ snippets: [String], in text: String) -> (found: Int, total: Int) {
        let haystack = normalized(text)
        let needles = snippets.map(normalized).filter { !$0.isEmpty }
        return (needles.count { haystack.contains($0) }, needles.count)
    }

    /// The same title once normalized.
    package static func sameTitle(_ truth: String, _ predicted: String?) -> Bool {
        guard let predicted else { return false }
        return normalized(truth) == normalized(predicted)
    }

    /// The same author: equal once normalized (a leading "by" dropped), or the first name of a list
    /// ("A, B and C") equal to the other's first.
    package static func sameAuthor(_ truth: String, _ predicted: String?) -> Bool {
        guard let predicted else { return false }
        func names(_ text: String) -> [String] {
            var plain = normalized(text)
            if plain.hasPrefix("by ") { plain.removeFirst(3) }
            return plain.replacingOccurrences(of: " and ", with: ",").replacingOccurrences(of: "&", with: ",")
                .split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        let expected = names(truth)
        let given = names(predicted)
        guard let first = expected.first, let other = given.first else { return false }
        return expected == given || first == other
    }

    /// Whether a predicted publication time (RFC 3339, or a bare YYYY-MM-DD) falls on the annotated day
    /// (YYYY-MM-DD) in some time zone: from 14 hours before the day's start in UTC to 12 hours after its end,
    /// since a page's day is its own local day and an extractor may give UTC.
    package static func sameDay(_ truth: String, _ predicted: String?) -> Bool {
        guard let predicted, let day = instant(truth.prefix(10) + "T00:00:00Z") else { return false }
        if predicted.count == 10 { return predicted == truth.prefix(10) }
        guard let time = instant(predicted) else { return predicted.prefix(10) == truth.prefix(10) }
        return time >= day.addingTimeInterval(-14 * 3600) && time < day.addingTimeInterval(36 * 3600)
    }

    static func instant(_ text: some StringProtocol) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: String(text)) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: String(text))
    }
}
