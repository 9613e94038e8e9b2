import Foundation

/// Reads the date formats found in pages and feeds: RFC 3339 / ISO 8601 (with or without time, fraction or
/// zone), RFC 822 / 1123 as used by RSS, and a few common human-written forms.
package enum Timestamp {
    /// The date written in `text`, or `nil`. A time without a zone is taken as UTC.
    package static func parse(_ text: String) -> Date? {
        // A year before 1900 is a misread ("01/07/16" taken as year 1), never a page's or a feed's date.
        guard let date = anyDate(text), date.timeIntervalSince1970 >= -2_208_988_800 else { return nil }
        return date
    }

    private static func anyDate(_ text: String) -> Date? {
        let value =
            text.utf8.first.map { $0 > 0x20 } == true && text.utf8.last.map { $0 > 0x20 } == true
            ? text : text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count >= 8, value.count <= 64 else { return nil }
        if let first = value.utf8.first, first >= 0x30 && first <= 0x39 {
            let bytes = Array(value.utf8)
            // ISO 8601 dates open with a four-digit year and a dash or the month ("2019-11-19", "20191119"):
            // others ("19 Nov 2019 10:28 GMT") are not tried on its formatters, which are slow to fail.
            let year = bytes.prefix(4).allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            let isoLike = year && bytes.count > 4 && (bytes[4] == 0x2D || bytes[4] >= 0x30 && bytes[4] <= 0x39)
            if let date = rfc3339Fast(bytes) ?? (isoLike ? iso8601(value) : nil) { return date }
        }
        if let date = writtenDate(value) { return date }
        guard value.unicodeScalars.contains(where: { CharacterSet.letters.contains($0) }) || value.contains("/") else {
            return nil
        }
        for formatter in formatters {
            if let date = formatter.date(from: value) { return date }
        }
        return nil
    }

    // Formatters are costly to make and safe to share for parsing.
    private static let formatters: [DateFormatter] = formats.map { format in
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
        return Date(timeIntervalSince1970: TimeInterval(days(year, month, day) * 86_400 + seconds - offset))
    }

    /// Midnight UTC of a day, `nil` for one that is not in the calendar (a 31 June, a 29 February of a
    /// common year).
    package static func day(year: Int, month: Int, day: Int) -> Date? {
        guard (1...12).contains(month), day >= 1 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let length = month == 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].contains(month) ? 30 : 31
        guard day <= length else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(days(year, month, day) * 86_400))
    }

    /// Days since 1970-01-01 of a civil date (proleptic Gregorian calendar), after H. Hinnant's algorithm.
    private static func days(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Reads dates written with a month name, by hand: RFC 822 as RSS uses it ("Tue, 19 Nov 2019 06:13:48
    /// -0600"), JavaScript's form ("Wed Nov 20 2019 08:00:58 GMT+0000") and the usual human ones ("November
    /// 19, 2019, 07:47 PM EST", "20 Nov 2019 08:02 GMT"). A weekday is skipped; the day and the month may
    /// come in either order; time, AM/PM and zone are optional.
    static func writtenDate(_ value: String) -> Date? {
        let words = value.utf8.split { $0 == 0x20 || $0 == 0x2C || $0 == 0x09 }.map(Array.init)
        var index = 0
        func isNumber(_ word: [UInt8]) -> Bool { !word.isEmpty && word.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        func number(_ word: [UInt8]) -> Int { word.reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        func dayNumber(_ word: [UInt8]) -> Int? {
            // "19", "19th", "1st"
            let digits = Array(word.prefix { $0 >= 0x30 && $0 <= 0x39 })
            guard (1...2).contains(digits.count),
                ["", "st", "nd", "rd", "th"].contains(
                    String(decoding: word.dropFirst(digits.count), as: UTF8.self).lowercased())
            else { return nil }
            let day = number(digits)
            return (1...31).contains(day) ? day : nil
        }
        if index < words.count, monthNumber(words[index]) == nil, weekdayWords.contains(lowered(words[index])) {
            index += 1
        }
        guard index + 2 < words.count else { return nil }
        var day: Int?
        var month: Int?
        if let name = monthNumber(words[index]) {
            month = name
            day = dayNumber(words[index + 1])
        } else {
            day = dayNumber(words[index])
            month = monthNumber(words[index + 1])
        }
        guard let day, let month, isNumber(words[index + 2]) else { return nil }
        var year = number(words[index + 2])
        if words[index + 2].count == 2 {
            year += year < 70 ? 2000 : 1900
        } else if words[index + 2].count != 4 {
            return nil
        }
        index += 3
        var seconds = 0
        if index < words.count, words[index].contains(0x3A) {
            let parts = words[index].split(separator: 0x3A).map(Array.init)
            guard (2...3).contains(parts.count), parts.allSatisfy(isNumber) else { return nil }
            var hour = number(parts[0])
            let minute = number(parts[1])
            let second = parts.count == 3 ? number(parts[2]) : 0
            index += 1
            if index < words.count, ["am", "pm", "a.m.", "p.m."].contains(lowered(words[index])) {
                guard (1...12).contains(hour) else { return nil }
                hour = hour % 12 + (lowered(words[index]).hasPrefix("p") ? 12 : 0)
                index += 1
            }
            guard hour < 24, minute < 60, second <= 60 else { return nil }
            seconds = hour * 3600 + minute * 60 + second
        }
        var offset = 0
        if index < words.count {
            guard let zone = zoneOffset(words[index]) else { return nil }
            offset = zone
            index += 1
        }
        // A trailing "(Coordinated Universal Time)" after JavaScript's form says nothing more.
        guard index == words.count || words[index].first == 0x28 else { return nil }
        guard (0...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(days(year, month, day) * 86_400 + seconds - offset))
    }

    private static func lowered(_ word: [UInt8]) -> String {
        String(decoding: word, as: UTF8.self).lowercased()
    }

    private static let weekdayWords: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday",
    ]

    /// 1...12 for an English month name or its abbreviation (with or without a full stop).
    private static func monthNumber(_ word: [UInt8]) -> Int? {
        var name = lowered(word)
        if name.hasSuffix(".") { name.removeLast() }
        guard name.count >= 3 else { return nil }
        let months = [
            "january", "february", "march", "april", "may", "june", "july", "august", "september",
            "october", "november", "december",
        ]
        return months.firstIndex { $0 == name || ($0.hasPrefix(name) && (name.count == 3 || name == "sept")) }
            .map { $0 + 1 }
    }

    /// Seconds east of UTC for "GMT", "UT", "Z", a North American zone, "+0100", "-06:00" or "GMT+0000".
    private static func zoneOffset(_ word: [UInt8]) -> Int? {
        var name = String(decoding: word, as: UTF8.self).uppercased()
        let named = [
            "GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
            "MDT": -6, "PST": -8, "PDT": -7,
        ]
        if let hours = named[name] { return hours * 3600 }
        for prefix in ["GMT", "UTC"] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
        let bytes = Array(name.utf8).filter { $0 != 0x3A }
        guard bytes.count == 5, bytes[0] == 0x2B || bytes[0] == 0x2D,
            bytes.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        let digits = bytes.dropFirst().map { Int($0 - 0x30) }
        let minutes = (digits[0] * 10 + digits[1]) * 60 + digits[2] * 10 + digits[3]
        return (bytes[0] == 0x2D ? -1 : 1) * minutes * 60
    }

    /// The date as RFC 3339 in UTC with a `Z` and no fraction, as Atom wants it.
    /// A date as people read it, in UTC and English: `pattern` is a `DateFormatter` pattern such as
    /// `d MMMM yyyy` or `yyyy-MM-dd`.
    package static func display(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, written by hand from the Gregorian calendar's first day to the year 9999 (a
    /// formatter costs a microsecond a date); earlier dates go to the formatter, whose calendar is Julian there.
    package static func rfc3339(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        // -12219292800 is 1582-10-15T00:00:00Z, 253402300799 is 9999-12-31T23:59:59Z.
        guard seconds >= -12_219_292_800, seconds <= 253_402_300_799 else {
            return outputFormatter.string(from: Date(timeIntervalSince1970: seconds))
        }
        let (year, month, day, time, _) = civil(Int(seconds))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(0x30 + value / divisor % 10))
                divisor /= 10
            }
        }
        append(year, digits: 4)
        bytes.append(0x2D)
        append(month, digits: 2)
        bytes.append(0x2D)
        append(day, digits: 2)
        bytes.append(0x54)
        append(time / 3600, digits: 2)
        bytes.append(0x3A)
        append(time / 60 % 60, digits: 2)
        bytes.append(0x3A)
        append(time % 60, digits: 2)
        bytes.append(0x5A)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The proleptic Gregorian date and UTC time of day of a count of seconds since 1970-01-01, and the days
    /// since then: civil dates from day counts in 400-year eras of 146,097 days that start on 1 March
    /// (H. Hinnant's algorithm).
    package static func civil(_ seconds: Int) -> (year: Int, month: Int, day: Int, secondOfDay: Int, days: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, seconds - days * 86_400, days)
    }

    private static func iso8601(_ value: String) -> Date? {
        var text = value.replacingOccurrences(of: " ", with: "T")
        let bytes = Array(text.utf8)
        func isDigit(_ offset: Int) -> Bool {
            offset >= 0 && offset < bytes.count && bytes[offset] >= 0x30 && bytes[offset] <= 0x39
        }
        let count = bytes.count
        // "+0100" zones (no colon) are common; ISO8601DateFormatter wants "+01:00".
        if count > 15, bytes[count - 5] == 0x2B || bytes[count - 5] == 0x2D, (1...4).allSatisfy({ isDigit(count - $0) })
        {
            text.insert(":", at: text.index(text.endIndex, offsetBy: -2))
        }
        let zoned = Array(text.utf8)
        let hasZone =
            zoned.last == 0x5A
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
