import Foundation
import Markup

/// The author a page names in its byline, for pages whose metadata names nobody (or only the publisher):
/// an element the page marks as the author's (`itemprop="author"`, a class or id with "author" or
/// "byline"), a line beginning "By …" / "Written by …" near the title, or the value beside an "Author"
/// label. WCXB dev articles: author 0.696 → see Benchmarks/README.md.
enum Byline {
    static func find(in body: Node, heading known: Node? = nil) -> String? {
        var found: String?
        body.walk { node in
            guard found == nil, node.isElement, !node.tag(in: NearTitle.skippedTags) else { return .skipChildren }
            guard node.hasAttributes else { return .enter }
            let marked = node.attribute("itemprop", contains: "author") || isBylineNamed(node)
            guard marked else { return .enter }
            // Bytes first (indentation counts, hence the margin): a wrapper named for its author box may
            // hold the whole article.
            guard TextBytes.length(of: node, limit: NearTitle.byteLimit) <= NearTitle.byteLimit else { return .enter }
            let text = NearTitle.spacedText(node)
            if text.count <= 120 {
                found = labelled(node) ?? name(in: text).map { ownName(in: node, of: $0) }
                if found != nil { return .skipChildren }
            }
            return .enter
        }
        if let found { return found }
        // "By …" lines and "Written by" labels near the title: in its header, or else after it.
        guard let (heading, header) = NearTitle.title(in: body, heading: known) else { return nil }
        NearTitle.forEachLine(
            in: header != heading ? header : body, heading: heading, afterHeading: header == heading, length: 120,
            budget: NearTitle.reach
        ) { text, node in
            found = startsWithBy(text) ? name(in: text).map { ownName(in: node, of: $0) } : labelled(node)
            return found == nil
        }
        return found
    }

    static let bylineWords = VisibleDate.inBothCases(["author", "byline", "writer", "contributor"])
    static let notBylineWords = VisibleDate.inBothCases(
        ["bio", "avatar", "image", "img", "photo", "picture", "about", "description", "social", "follow"])

    static func isBylineNamed(_ node: Node) -> Bool {
        VisibleDate.namesAny(node, bylineWords) && !VisibleDate.namesAny(node, notBylineWords)
    }

    /// "By", "Written by", and their equivalents in the languages dates are read in.
    static let prefixes = [
        "written by", "words by", "posted by", "published by", "reviewed by", "story by", "text by", "articles by",
        "authors", "author", "by", "autor", "auteur", "autore", "escrito por",
    ]
    /// Other languages' "by", which are also names' first words ("Von Miller", "Di Wang"): only as written
    /// in lower case.
    static let lowercasePrefixes = ["par", "von", "por", "di", "door"]
    static let labelEnds = CharacterSet(charactersIn: ": ")
    static let labels: Set<String> = [
        "written by", "author", "authors", "by", "autor", "auteur", "autore", "door", "escrito por",
    ]

    static func startsWithBy(_ text: String) -> Bool { prefix(of: text) != nil }

    /// The byline prefix the text starts with, followed by a space or a colon.
    static func prefix(of text: String) -> String? {
        let lowered = text.lowercased()
        func follows(_ word: String, in text: String) -> Bool {
            guard text.hasPrefix(word) else { return false }
            let next = text.dropFirst(word.count).first
            return next == " " || next == ":" || next == "\u{A0}"
        }
        return prefixes.first { follows($0, in: lowered) } ?? lowercasePrefixes.first { follows($0, in: text) }
    }

    /// The name as the byline's own element holds it, when the byline's text runs on past it into other
    /// elements: a role, a publication, a link ("Stephen Jesudunsin" + "AI Writer, Embarque", "A. J. Neal" +
    /// "View In Digital Edition"). A list of names ("… and …", "…, …") is left whole, and so is a byline
    /// whose first element is a letter alone (an avatar's initial). WCXB dev articles: author 0.801 → 0.817
    /// (ten pages right, none wrong; three forum threads right too); scrapinghub has no authors annotated and
    /// gives the same authors.
    static func ownName(in node: Node, of name: String) -> String {
        var first: String?
        node.forEachTextRun(skipping: NearTitle.skippedTags) { run in
            let line = String(decoding: run, as: UTF8.self).collapsedWhitespace
            guard !line.isEmpty, !labels.contains(line.lowercased().trimmingCharacters(in: labelEnds)) else {
                return true
            }
            first = Byline.name(in: line)
            return false
        }
        // A letter alone is an avatar's initial, not a name.
        guard let first, first.filter(\.isLetter).count >= 2, first.count < name.count, name.hasPrefix(first) else {
            return name
        }
        let rest = name.dropFirst(first.count)
        let next = rest.drop { $0 == " " }.lowercased()
        guard rest.first == " ", !next.hasPrefix(","), !next.hasPrefix(";"),
            !listWords.contains(where: { next.hasPrefix($0) })
        else { return name }
        return first
    }

    /// What joins the names of a list of authors.
    static let listWords = ["and ", "& ", "und ", "et ", "y ", "e ", "en ", "with "]

    /// The name after a label element ("Written by" / "Author") in its next sibling.
    static func labelled(_ node: Node) -> String? {
        // The labels are short: a longer line is none, and is not lower-cased and trimmed to find out.
        let text = node.text.collapsedWhitespace
        guard text.utf8.count <= 24, labels.contains(text.lowercased().trimmingCharacters(in: labelEnds)),
            let next = node.nextElementSibling
        else { return nil }
        return name(in: NearTitle.spacedText(next))
    }

    /// The name in a byline's text: without its "By", cut before a date, a "|" or a line of other facts,
    /// and only when it reads as a name (one to six words, no digits, not a button's words).
    static func name(in text: String) -> String? {
        var rest = text
        if let prefix = prefix(of: rest) {
            rest = String(rest.dropFirst(prefix.count)).trimmingCharacters(in: CharacterSet(charactersIn: " :\u{A0}"))
        }
        for separator in [
            " | ", " • ", " · ", " — ", " – ", " - ", " on ", " updated", " published", " posted", " last ", " in ",
        ] {
            if let range = rest.range(of: separator, options: .caseInsensitive) {
                rest = String(rest[..<range.lowerBound])
            }
        }
        // A date after the name ("Andrew Gerrand 4 August 2010", "Ziyi Xu, Dec 17, 2025"): the name ends
        // at its first number, or at a day's or month's name followed by one ("June Carter" stays whole).
        // WCXB dev articles: author 0.825 → 0.837 (seven pages right, none wrong). Forum threads: ten right,
        // and twelve without an author now name their first post's author block, where the annotation
        // names another member.
        let parts = rest.split(separator: " ")
        func plain(_ word: Substring) -> String { word.lowercased().trimmingCharacters(in: .punctuationCharacters) }
        func isMonth(_ word: Substring) -> Bool { VisibleDate.months[plain(word)] != nil }
        if let cut = parts.indices.first(where: { index in
            if parts[index].contains(where: \.isNumber) { return true }
            return index + 1 < parts.count && (isMonth(parts[index]) || weekdays.contains(plain(parts[index])))
                && (parts[index + 1].contains(where: \.isNumber) || isMonth(parts[index + 1]))
        }), cut > 0 {
            rest = parts[..<cut].joined(separator: " ")
        }
        rest = rest.trimmingCharacters(in: CharacterSet(charactersIn: " :,.\u{A0}–—-"))
        let words = rest.split(separator: " ")
        guard (1...6).contains(words.count), rest.count <= 60, rest.filter(\.isLetter).count >= 2,
            !rest.contains(where: \.isNumber), !rest.contains("@"),
            !rest.contains("://"), let first = rest.first, first.isUppercase || !first.isLetter
        else { return nil }
        let lowered2 = rest.lowercased()
        guard !notNames.contains(where: { lowered2 == $0 || lowered2.hasPrefix($0 + " ") }) else { return nil }
        return rest
    }

    static let notNames = [
        "share", "follow", "comments", "comment", "menu", "home", "read more", "subscribe", "sign in", "login",
        "search",
        "admin", "the author", "undefined", "null", "staff writer", "updated", "last updated", "published", "posted",
        "post", "date",
    ]

    /// Days' names, as datelines write them before a date ("Sun Dec 14, 2025").
    static let weekdays: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday",
    ]
}
