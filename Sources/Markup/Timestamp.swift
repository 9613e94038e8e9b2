import Foundation

/// Reads the date formats found in pages and feeds: RFC 3339 / ISO 8601 (with or without time, fraction or
/// zone), RFC 822 / 1123 as used by RSS, and a few common human-written forms.
public enum Timestamp {
    /// The date written in `text`, or `nil`. A time without a zone is taken as UTC.
    public static func parse(_ text: String) -> Date? {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count >= 8, value.count <= 64 else { return nil }
        if let first = value.unicodeScalars.first, CharacterSet.decimalDigits.contains(first) {
            if let date = iso8601(value) { return date }
        }
        guard value.unicodeScalars.contains(where: { CharacterSet.letters.contains($0) }) || value.contains("/") else {
            return nil
        }
        for formatter in formatters {
            if let date = formatter.date(from: value) { return date }
        }
        return nil
    }

    // Formatters are costly to make and safe to share for parsing.
    nonisolated(unsafe) private static let formatters: [DateFormatter] = formats.map { format in
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    nonisolated(unsafe) private static let isoFormatters: [ISO8601DateFormatter] = [
        [.withInternetDateTime],
        [.withInternetDateTime, .withFractionalSeconds],
        [.withFullDate],
        [.withFullDate, .withTime, .withColonSeparatorInTime, .withTimeZone],
    ].map { (options: ISO8601DateFormatter.Options) in
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = options
        return formatter
    }

    nonisolated(unsafe) private static let outputFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    /// The date as RFC 3339 in UTC with a `Z` and no fraction, as Atom wants it.
    public static func rfc3339(_ date: Date) -> String {
        outputFormatter.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }

    private static func iso8601(_ value: String) -> Date? {
        var text = value.replacingOccurrences(of: " ", with: "T", options: [], range: nil)
        // "+0100" zones (no colon) are common; ISO8601DateFormatter wants "+01:00".
        if let match = text.range(of: #"[+-]\d{4}$"#, options: .regularExpression) {
            let zone = text[match]
            text.replaceSubrange(match, with: zone.prefix(3) + ":" + zone.suffix(2))
        }
        let withZone = text.hasSuffix("Z") || text.range(of: #"[+-]\d\d:\d\d$"#, options: .regularExpression) != nil
        if !withZone, text.count > 10 { text += "Z" }
        for formatter in isoFormatters {
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz", "EEE, d MMM yyyy HH:mm:ss zzz", "EEE, dd MMM yyyy HH:mm:ss Z",
        "EEE, d MMM yyyy HH:mm:ss Z", "dd MMM yyyy HH:mm:ss zzz", "EEE, dd MMM yyyy HH:mm zzz",
        "EEE, dd MMM yyyy", "MMMM d, yyyy", "MMM d, yyyy", "d MMMM yyyy", "yyyy/MM/dd", "yyyy/MM/dd HH:mm",
    ]
}
