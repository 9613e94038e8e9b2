import Foundation

/// Reads the date formats found in pages and feeds: RFC 3339 / ISO 8601 (with or without time, fraction or
/// zone), RFC 822 / 1123 as used by RSS, and a few common human-written forms.
public enum Timestamp {
    /// The date written in `text`, or `nil`. A time without a zone is taken as UTC.
    public static func parse(_ text: String) -> Date? {
        let value = text.utf8.first.map { $0 > 0x20 } == true && text.utf8.last.map { $0 > 0x20 } == true
            ? text : text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count >= 8, value.count <= 64 else { return nil }
        if let first = value.utf8.first, first >= 0x30 && first <= 0x39 {
            if let date = rfc3339Fast(Array(value.utf8)) ?? iso8601(value) { return date }
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

    /// Reads `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM`, `:SS`, a fraction, and `Z` or
    /// `±HH:MM` / `±HHMM` (none means UTC) by hand: the common case, without a formatter.
    static func rfc3339Fast(_ bytes: [UInt8]) -> Date? {
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<digits {
                let byte = bytes[index + offset]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += digits
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(0x2D), let month = number(2), expect(0x2D), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = 0
        var offset = 0
        if index < bytes.count {
            guard bytes[index] == 0x54 || bytes[index] == 0x74 || bytes[index] == 0x20 else { return nil }
            index += 1
            guard let hour = number(2), expect(0x3A), let minute = number(2), hour < 24, minute < 60 else { return nil }
            seconds = hour * 3600 + minute * 60
            if expect(0x3A) {
                guard let second = number(2), second <= 60 else { return nil }
                seconds += second
                if expect(0x2E) || expect(0x2C) {
                    while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
                }
            }
            if expect(0x5A) || expect(0x7A) {
            } else if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D {
                let sign = bytes[index] == 0x2D ? -1 : 1
                index += 1
                guard let zoneHours = number(2) else { return nil }
                _ = expect(0x3A)
                guard let zoneMinutes = number(2) else { return nil }
                offset = sign * (zoneHours * 3600 + zoneMinutes * 60)
            }
            guard index == bytes.count else { return nil }
        }
        // Days from the civil date (proleptic Gregorian calendar), after H. Hinnant's algorithm.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + seconds - offset))
    }

    /// The date as RFC 3339 in UTC with a `Z` and no fraction, as Atom wants it.
    public static func rfc3339(_ date: Date) -> String {
        outputFormatter.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }

    private static func iso8601(_ value: String) -> Date? {
        var text = value.replacingOccurrences(of: " ", with: "T")
        let bytes = Array(text.utf8)
        func isDigit(_ offset: Int) -> Bool {
            offset >= 0 && offset < bytes.count && bytes[offset] >= 0x30 && bytes[offset] <= 0x39
        }
        let count = bytes.count
        // "+0100" zones (no colon) are common; ISO8601DateFormatter wants "+01:00".
        if count > 15, bytes[count - 5] == 0x2B || bytes[count - 5] == 0x2D, (1...4).allSatisfy({ isDigit(count - $0) }) {
            text.insert(":", at: text.index(text.endIndex, offsetBy: -2))
        }
        let zoned = Array(text.utf8)
        let hasZone = zoned.last == 0x5A
            || (zoned.count > 16 && (zoned[zoned.count - 6] == 0x2B || zoned[zoned.count - 6] == 0x2D)
                && zoned[zoned.count - 3] == 0x3A)
        if !hasZone, text.count > 10 { text += "Z" }
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
