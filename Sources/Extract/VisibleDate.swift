import Foundation
import Markup

/// The date a page shows its readers, for pages whose metadata gives none: "March 3, 2024", "3 mars 2024",
/// "3. März 2024", "3 de marzo de 2024", "2024-03-03", "3.3.2024", "2024年3月3日", found in the page's
/// dateline or byline — an element whose class or id names a date, a `<time>`, or a short line near the
/// title. A line that says the page was updated gives the modification date instead.
///
/// Measured on the WCXB dev articles: 181 of 659 dated pages had no date from metadata; a date read this way
/// is the annotated day on most of them (see Benchmarks/README.md).
enum VisibleDate {
    /// The dates found: what the page says it was published, and what it says it was updated.
    struct Found {
        var published: Date?
        var modified: Date?

        /// Takes the dates of a dateline. "August 16, 2019 - Updated July 9, 2025": the date before the update
        /// word is the publication's.
        mutating func note(_ text: String) {
            guard holdsYear(text) else { return }
            guard let split = updateWordStart(in: text) else {
                if published == nil { published = firstDate(in: text) }
                return
            }
            if published == nil { published = firstDate(in: String(text[..<split])) }
            if modified == nil { modified = firstDate(in: String(text[split...])) }
        }
    }

    /// What the lines after the title are read outside of: code, and quotes (an embedded post's date is its
    /// author's).
    static let unquotedTags = TagSet(NearTitle.codeTagNames + ["blockquote"])

    /// The longest text of an element read as a dateline: longer ones are prose, whose dates are the story's.
    static let datelineLength = 160

    static func find(in body: Node, heading: Node? = nil) -> Found {
        var found = Found()
        // Elements that say they hold the date, and `<time>`s without a machine-readable value.
        body.walk { node in
            guard found.published == nil || found.modified == nil, node.isElement, !node.tag(in: NearTitle.skippedTags)
            else {
                return .skipChildren
            }
            // An item of a list of posts (`role="listitem"`, as collection lists are written) dates another
            // post (WCXB dev articles: day published 0.859 → 0.860, one page).
            if node.hasAttributes, node.attribute("role") == "listitem" { return .skipChildren }
            if node.is("time") || (node.hasAttributes && isDateNamed(node)),
                TextBytes.length(of: node, limit: NearTitle.byteLimit) <= NearTitle.byteLimit
            {
                let text = NearTitle.spacedText(node)
                if text.count <= datelineLength {
                    found.note(text)
                    return .skipChildren
                }
                // A named block that also holds tags or links: its own short lines ("Posted on …").
                for child in node.elementChildren where !child.tag(in: NearTitle.skippedTags) {
                    let line = NearTitle.spacedText(child)
                    if line.count <= datelineLength { found.note(line) }
                }
            }
            return .enter
        }
        if found.published != nil || found.modified != nil { return found }
        found = besideTitle(in: body, heading: heading)
        if found.published == nil, found.modified == nil { noteSaidLine(in: body) { found.note($0) } }
        return found
    }

    /// How far after the title the first dateline is looked for: a few short lines.
    static let firstDatelineReach = 300

    /// The dates of the short lines beside the page's title: in the title's own header, then in the first
    /// lines after it. With `firstDatelineOnly`, only the first line that holds a date is read: the date a
    /// reader meets first ("Last updated …" first gives no publication date).
    static func besideTitle(in body: Node, heading known: Node? = nil, firstDatelineOnly: Bool = false) -> Found {
        var found = Found()
        guard let (heading, header) = NearTitle.title(in: body, heading: known) else { return found }
        func read(_ text: String, _: Node) -> Bool {
            found.note(text)
            return found.published == nil && !(firstDatelineOnly && found.modified != nil)
        }
        if header != heading {
            NearTitle.forEachLine(in: header, heading: heading, afterHeading: false, length: datelineLength, read)
            if found.published != nil || (firstDatelineOnly && found.modified != nil) { return found }
        }
        // Here an `<aside>` or `<footer>` counts: beside or under the title it is the article's own.
        NearTitle.forEachLine(
            in: body, heading: heading, afterHeading: true, length: datelineLength,
            budget: firstDatelineOnly ? firstDatelineReach : NearTitle.reach, skipping: Self.unquotedTags, read)
        return found
    }

    /// Last, a short line anywhere, outside comments, that says it is the publication's ("Posted on the
    /// 15/12/2025 at 19:00 by …" under the article). Only pages whose text holds such a phrase are walked.
    /// WCXB dev articles: day published 0.856 → 0.857 (one page); scrapinghub unchanged.
    static func noteSaidLine(in body: Node, _ note: (String) -> Void) {
        var mentioned = false
        body.forEachTextRun(skipping: NearTitle.codeTags) { run in
            mentioned = publishPhrases.firstOffset(in: run) != nil
            return !mentioned
        }
        guard mentioned else { return }
        var done = false
        body.walk { node in
            guard !done, node.isElement, !node.tag(in: NearTitle.skippedTags) else { return .skipChildren }
            if node.hasAttributes, namesAny(node, commentWords) { return .skipChildren }
            guard TextBytes.length(of: node, limit: NearTitle.byteLimit) <= NearTitle.byteLimit else { return .enter }
            let text = NearTitle.spacedText(node)
            guard text.count <= datelineLength, publishPhrases.firstOffset(in: text) == 0 else { return .enter }
            note(text)
            done = true
            return .skipChildren
        }
    }

    /// How a line starts when it dates the publication, in the languages the dates are read in.
    static let publishPhrases = FragmentSet([
        "posted on", "published on", "posted:", "published:", "publié le", "veröffentlicht am", "publicado el",
        "publicado em", "pubblicato il", "gepubliceerd op",
    ])

    static let commentWords = inBothCases(["comment", "reply", "respon"])

    /// "author" too: author blocks give the date beside the name (WCXB dev articles: day published 0.857 →
    /// 0.859, one page; another stays wrong with a different day).
    static let dateWords = inBothCases([
        "date", "time", "publish", "posted", "byline", "meta", "updated", "modified", "author",
    ])

    /// Whether an element's class or id names a date or byline (`post-date`, `entry-meta`,
    /// `article__timestamp`). Tested in place, in the cases templates write them, so that the walk over a
    /// page without dates makes no strings.
    static func isDateNamed(_ node: Node) -> Bool {
        namesAny(node, dateWords) && !namesAny(node, ["metabox", "update-"])
    }

    /// Whether the element's class or id contains one of the words (give them in lower case and capitalised).
    static func namesAny(_ node: Node, _ words: [String]) -> Bool {
        node.attribute("class", containsAny: words) || node.attribute("id", containsAny: words)
    }

    /// The words as templates write them in class names: lower case and capitalised.
    static func inBothCases(_ words: [String]) -> [String] { words + words.map(\.capitalized) }

    /// Where a line starts saying when the page was updated rather than published, if it does.
    static func updateWordStart(in text: String) -> String.Index? {
        updateWords.firstOffset(in: text).map { text.utf8.index(text.utf8.startIndex, offsetBy: $0) }
    }

    /// Found without regard to the case of ASCII letters.
    static let updateWords = FragmentSet([
        "updated", "modified", "revised", "reviewed", "aktualisiert", "mis à jour", "mise à jour", "actualizado",
        "aggiornato", "atualizado", "bijgewerkt", "更新",
    ])

    /// Month names and their abbreviations in English, German, French, Spanish, Italian, Portuguese and
    /// Dutch, lower-cased, with their numbers.
    static let months: [String: Int] = {
        let names: [[String]] = [
            ["january", "jan", "januar", "jänner", "janvier", "enero", "gennaio", "janeiro", "januari"],
            ["february", "feb", "februar", "février", "fevrier", "febrero", "febbraio", "fevereiro", "februari"],
            ["march", "mar", "märz", "maerz", "mars", "marzo", "março", "marco", "maart"],
            ["april", "apr", "avril", "abril", "aprile"],
            ["may", "mai", "mayo", "maggio", "maio", "mei"],
            ["june", "jun", "juni", "juin", "junio", "giugno", "junho"],
            ["july", "jul", "juli", "juillet", "julio", "luglio", "julho"],
            ["august", "aug", "août", "aout", "agosto", "augustus"],
            ["september", "sep", "sept", "septembre", "septiembre", "settembre", "setembro"],
            ["october", "oct", "oktober", "octobre", "octubre", "ottobre", "outubro", "okt"],
            ["november", "nov", "novembre", "noviembre", "novembro"],
            ["december", "dec", "dezember", "décembre", "decembre", "diciembre", "dicembre", "dezembro", "dez"],
        ]
        var table: [String: Int] = [:]
        for (index, words) in names.enumerated() { for word in words { table[word] = index + 1 } }
        return table
    }()

    /// The date expressions, each with the order of its parts and the byte a text must hold for it to match
    /// (none for those with a month's name): a line is tried only against those it may match.
    typealias DatePattern = (expression: NSRegularExpression, order: (year: Int, month: Int, day: Int), needs: UInt8?)
    nonisolated(unsafe) static let patterns: [DatePattern] = {
        let month = "([a-zà-ÿ]{3,10})\\.?"
        let day = "(\\d{1,2})(?:st|nd|rd|th|er|º|\\.)?"
        let year = "((?:19|20)\\d{2})"
        let written: [(String, (Int, Int, Int), UInt8?)] = [
            ("\(month)\\s+\(day),?\\s+\(year)", (3, 1, 2), nil),  // March 3, 2024
            // 3 March 2024, 3 de marzo de 2024
            ("\(day)\\s+(?:de\\s+)?\(month),?\\s+(?:de\\s+)?\(year)", (3, 2, 1), nil),
            ("\(year)-(\\d{1,2})-(\\d{1,2})", (1, 2, 3), UInt8(ascii: "-")),  // 2024-03-03
            ("\(year)年(\\d{1,2})月(\\d{1,2})日", (1, 2, 3), 0xE5),  // 2024年3月3日 (年 is E5 B9 B4 in UTF-8)
            // 3.3.2024, as most of Europe writes it
            ("(\\d{1,2})\\.(\\d{1,2})\\.\(year)", (3, 2, 1), UInt8(ascii: ".")),
            ("(\\d{1,2})/(\\d{1,2})/\(year)", (3, 1, 2), UInt8(ascii: "/")),  // 3/14/2024, the American order
        ]
        return written.map { pattern, order, needs in
            let expression = try! NSRegularExpression(
                pattern: "(?<![\\d\\w])" + pattern + "(?!\\d)", options: [.caseInsensitive])
            return (expression, order, needs)
        }
    }()

    /// Whether the text holds a run of exactly four digits starting 19 or 20, as every pattern's year is: most
    /// lines hold none, and are passed without running the regular expressions.
    static func holdsYear(_ text: String) -> Bool {
        var run = 0
        var head: (UInt8, UInt8) = (0, 0)
        func isYear() -> Bool { run == 4 && (head == (0x31, 0x39) || head == (0x32, 0x30)) }
        for byte in text.utf8 {
            guard byte >= 0x30, byte <= 0x39 else {
                if isYear() { return true }
                run = 0
                continue
            }
            if run == 0 { head.0 = byte } else if run == 1 { head.1 = byte }
            run += 1
        }
        return isYear()
    }

    /// The first date written in a short text, as midnight UTC of that day.
    static func firstDate(in text: String) -> Date? {
        guard holdsYear(text) else { return nil }
        let range = NSRange(text.startIndex..., in: text)
        var best: (location: Int, date: Date)?
        for (pattern, order, needs) in patterns {
            if let needs, !text.utf8.contains(needs) { continue }
            for match in pattern.matches(in: text, range: range) {
                if let best, best.location <= match.range.location { break }
                func part(_ index: Int) -> String? {
                    Range(match.range(at: index), in: text).map { String(text[$0]) }
                }
                guard let yearText = part(order.year), let year = Int(yearText), let dayText = part(order.day),
                    let day = Int(dayText), let monthText = part(order.month)
                else { continue }
                guard let month = Int(monthText) ?? months[monthText.lowercased()] else { continue }
                // An American 3/14/2024 read the other way round is not a day: try the other order.
                var (m, d) = (month, day)
                if m > 12, d <= 12, Int(monthText) != nil { (m, d) = (d, m) }
                guard let date = Timestamp.day(year: year, month: m, day: d) else { continue }
                best = (match.range.location, date)
                break
            }
        }
        return best?.date
    }
}
