import Foundation
import Markup

/// How a source reads the dates its items carry: the common forms `Timestamp` knows, epoch seconds and
/// milliseconds, relative dates ("2 hours ago", "yesterday") against the run's time, and — when a pipeline
/// names them — an explicit format (PHP `date()` style, `d/m/Y H:i`, or a Unicode pattern, `MMMM d, yyyy
/// 'at' h:mm a`), a time zone for dates written without one, and the language of month names.
package struct DateReading: Sendable {
    /// The explicit format as a Unicode (ICU) pattern.
    package var format: String?
    package var timeZone: TimeZone
    /// The locale month and day names are read in.
    package var locale: Locale
    /// Whether the pipeline named the language (else a page's own `lang` may stand in).
    package private(set) var hasLanguage: Bool
    /// When the run started: what "2 hours ago" counts back from.
    package var now: Date

    package init(format: String? = nil, timeZone: TimeZone? = nil, language: String? = nil, now: Date = Date()) {
        self.format = format.map(Self.pattern)
        self.timeZone = timeZone ?? TimeZone(identifier: "UTC")!
        self.locale = Locale(identifier: language ?? "en_US_POSIX")
        self.hasLanguage = language != nil
        self.now = now
    }

    /// The reading with a page's language (`<html lang>`) for its month and day names, unless the pipeline
    /// named one.
    package func reading(pageLanguage: String?) -> DateReading {
        guard !hasLanguage, let language = pageLanguage, !language.lowercased().hasPrefix("en") else { return self }
        var reading = self
        reading.locale = Locale(identifier: language.replacingOccurrences(of: "-", with: "_"))
        reading.hasLanguage = true
        return reading
    }

    /// Written dates in a language other than English, tried when none of the common forms reads.
    static let writtenPatterns = [
        "d MMMM yyyy", "d. MMMM yyyy", "d 'de' MMMM 'de' yyyy", "MMMM d, yyyy", "d MMM yyyy", "d. MMM yyyy",
        "EEEE d MMMM yyyy", "EEEE, d. MMMM yyyy", "EEEE d 'de' MMMM 'de' yyyy", "d MMMM yyyy HH:mm",
        "d. MMMM yyyy, HH:mm",
    ]

    /// The reading a source's keys describe: `date_format`, `timezone` (an IANA name) and `date_language`.
    package init(settings: any SourceSettings) throws(SourceSettingsError) {
        var zone: TimeZone?
        if let name = try settings.string("timezone") {
            guard let found = TimeZone(identifier: name) else {
                throw SourceSettingsError(key: "timezone", "'\(name)' is no IANA time zone (such as Europe/Berlin)")
            }
            zone = found
        }
        self.init(
            format: try settings.string("date_format"), timeZone: zone, language: try settings.string("date_language"))
    }

    /// The warning for dates a source could not read, naming the first one's text.
    package static func warning(_ unreadable: [String], source: String) -> String? {
        guard let first = unreadable.first else { return nil }
        let count = unreadable.count
        return
            "\(source): \(count) date\(count == 1 ? "" : "s") could not be read, the first '\(first)' (give 'date_format', and 'timezone' or 'date_language' if needed)"
    }

    /// The date a text or number gives, or `nil`.
    package func read(_ value: Any) -> Date? {
        if let number = value as? NSNumber { return epoch(number.doubleValue) }
        guard let text = value as? String else { return nil }
        return read(text)
    }

    package func read(_ text: String) -> Date? {
        let text = PlainText.words(text)
        guard !text.isEmpty else { return nil }
        if let format {
            let formatter = DateFormatter()
            formatter.locale = locale
            formatter.timeZone = timeZone
            formatter.dateFormat = format
            formatter.isLenient = true
            if let date = formatter.date(from: text) { return date }
        }
        if text.allSatisfy(\.isNumber), (9...13).contains(text.count), let number = Double(text) {
            return epoch(number)
        }
        if let relative = relative(text) { return relative }
        guard let date = Timestamp.parse(text) else { return hasLanguage ? written(text) : nil }
        // `Timestamp` takes a time without a zone as UTC; a pipeline's own zone moves it.
        if timeZone.identifier != "UTC", !Self.namesZone(text) {
            return date.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: date)))
        }
        return date
    }

    /// A date written with month or day names in the reading's language ("3. März 2026", "5 de mayo de 2026").
    func written(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = locale
        formatter.timeZone = timeZone
        for pattern in Self.writtenPatterns {
            formatter.dateFormat = pattern
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// Seconds since 1970, or milliseconds when the number is too large to be seconds of this era.
    func epoch(_ value: Double) -> Date? {
        // Before 1973 a number is no date of a page (a flag, a count, an id).
        guard value > 100_000_000 else { return nil }
        let seconds = value > 100_000_000_000 ? value / 1000 : value
        return Date(timeIntervalSince1970: seconds)
    }

    /// "just now", "today", "yesterday", "5 minutes ago", "an hour ago", "3 days ago", "2 weeks ago" (English),
    /// rounded down to their unit (the minute, the hour, the day in UTC): the site says "3 hours ago" an hour
    /// after it said "2 hours ago", and the entry's date must not move between runs.
    func relative(_ text: String) -> Date? {
        func floor(_ date: Date, _ unit: Double) -> Date {
            Date(timeIntervalSince1970: (date.timeIntervalSince1970 / unit).rounded(.down) * unit)
        }
        let lowered = text.lowercased()
        switch lowered {
        case "just now", "now": return floor(now, 60)
        case "today": return floor(now, 86_400)
        case "yesterday": return floor(now.addingTimeInterval(-86_400), 86_400)
        default: break
        }
        let words = lowered.split(separator: " ")
        guard words.count == 3, words[2] == "ago" else { return nil }
        let count: Double
        if let number = Double(words[0]) {
            count = number
        } else if words[0] == "a" || words[0] == "an" || words[0] == "one" {
            count = 1
        } else {
            return nil
        }
        let unit = words[1].hasSuffix("s") ? String(words[1].dropLast()) : String(words[1])
        let seconds: Double? =
            switch unit {
            case "second", "sec": 1
            case "minute", "min": 60
            case "hour", "hr": 3600
            case "day": 86_400
            case "week": 604_800
            case "month": 2_629_746
            case "year": 31_556_952
            default: nil
            }
        guard let seconds else { return nil }
        return floor(now.addingTimeInterval(-count * seconds), min(seconds, 86_400))
    }

    /// Whether a date text names its own zone or offset (`Z`, `+02:00`, `GMT`, `CET`).
    static func namesZone(_ text: String) -> Bool {
        if text.hasSuffix("Z") || text.hasSuffix("z") { return true }
        if text.range(of: #"[+-]\d{2}:?\d{2}$"#, options: .regularExpression) != nil { return true }
        return text.range(of: #"\b(GMT|UTC|[A-Z]{2,4}T)\b"#, options: .regularExpression) != nil
    }

    /// A PHP `date()` format (`d/m/Y H:i`: single letters standing for fields) as a Unicode pattern; a
    /// Unicode pattern (runs of letters, quoted text) is taken as it is.
    package static func pattern(_ format: String) -> String {
        let isPHP =
            !format.contains("'") && format.contains(where: \.isLetter)
            && !zip(format, format.dropFirst()).contains { $0.isLetter && $1.isLetter }
        guard isPHP else { return format }
        let map: [Character: String] = [
            "d": "dd", "j": "d", "D": "EEE", "l": "EEEE", "m": "MM", "n": "M", "M": "MMM", "F": "MMMM", "Y": "yyyy",
            "y": "yy", "H": "HH", "G": "H", "h": "hh", "g": "h", "i": "mm", "s": "ss", "A": "a", "a": "a",
            "T": "zzz", "P": "xxx", "O": "xx", "e": "VV",
        ]
        var pattern = ""
        for character in format {
            if let field = map[character] {
                pattern += field
            } else if character.isLetter {
                pattern += "'\(character)'"
            } else {
                pattern.append(character)
            }
        }
        return pattern
    }
}
