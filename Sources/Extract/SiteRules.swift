import Foundation
import Markup

/// Per-site extraction rules in the ftr-site-config text format (one `directive: value` per line, `#`
/// comments): `title`, `body`, `author`, `date` (XPath), `strip` (XPath), `strip_id_or_class`,
/// `strip_image_src`, `replace_string(find): replacement` (or `find_string:` / `replace_string:` pairs),
/// `next_page_link`, `single_page_link`, `http_header(name): value`, `test_url` and `test_contains`. Other
/// directives of the format (`prune`, `tidy`, `autodetect_on_failure`, …) are accepted and have no effect
/// here; lines that cannot be applied are passed over and counted in `skipped`. Files are named after the host they serve: `example.com.txt`, or `.example.com.txt` for every
/// subdomain.
package struct SiteRules: Sendable {
    package var file: String
    package var title: [Selector] = []
    package var body: [Selector] = []
    package var author: [Selector] = []
    package var date: [Selector] = []
    package var strip: [Selector] = []
    package var stripImageSource: [String] = []
    package var replacements: [(find: String, replacement: String)] = []
    package var nextPageLink: [Selector] = []
    package var singlePageLink: [Selector] = []
    package var headers: [String: String] = [:]
    /// Pages the rules were written for, each with the texts its body must contain.
    package var tests: [(url: String, contains: [String])] = []
    /// Lines passed over, by directive name (or by what is wrong with them), with how many: directives of
    /// the format feedpipe does not implement, misspelt ones, invalid XPath. Full-Text RSS skips such lines
    /// too; none of them stops the other rules of the file.
    package var skipped: [String: Int] = [:]

    /// An error in a rule file: the file, the line, and what is wrong.
    package struct ParseError: Error, CustomStringConvertible, Sendable {
        package let file: String
        package let line: Int
        package let message: String
        package var description: String { "\(file):\(line): \(message)" }
    }

    static let ignored: Set<String> = [
        "prune", "tidy", "autodetect_on_failure", "dissolve", "parser", "convert_double_br_tags", "login_uri",
        "login_username_field", "login_password_field", "not_logged_in_xpath", "login_extra_fields", "native_ad_clue",
        "src_lazy_load_attr", "skip_json_ld", "wrap_in", "if_page_contains", "move_into", "insert_detected_image",
        "find_string_regex", "replace_string_regex",
    ]

    package init(_ text: String, file: String) throws(ParseError) {
        self.file = file
        var pendingFind: [String] = []
        // Lines end in LF, CRLF or CR (a CRLF is one Character to Swift, so splitting on "\n" alone would
        // read a Windows-written file as one line).
        for rawLine in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let colon = Self.directiveEnd(line) else {
                skipped["(a line without 'directive: value')", default: 0] += 1
                continue
            }
            let directive = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            /// The value as XPath; an invalid one is skipped, as Full-Text RSS skips it.
            func xpath(_ append: (Selector) -> Void) {
                guard let selector = try? Selector(xpath: value) else {
                    skipped["\(directive.lowercased()) (invalid XPath)", default: 0] += 1
                    return
                }
                append(selector)
            }
            if let argument = Self.argument(of: directive, named: "replace_string") {
                replacements.append((argument, value))
                continue
            }
            if let argument = Self.argument(of: directive, named: "http_header") {
                headers[argument.lowercased()] = value
                continue
            }
            switch directive.lowercased() {
            case "title": xpath { title.append($0) }
            case "body": xpath { body.append($0) }
            case "author": xpath { author.append($0) }
            case "date": xpath { date.append($0) }
            // `strip_attr` is the format's other name for `strip`.
            case "strip", "strip_attr": xpath { strip.append($0) }
            case "strip_id_or_class":
                // As Full-Text RSS matches it: the text anywhere in the class or id ("share-box" strips
                // "share-box-wrapper"), quotes around it dropped.
                let name = value.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
                guard !name.isEmpty, !name.contains("'"),
                    let selector = try? Selector(xpath: "//*[contains(@class,'\(name)') or contains(@id,'\(name)')]")
                else {
                    skipped["strip_id_or_class (not a class or id)", default: 0] += 1
                    continue
                }
                strip.append(selector)
            case "strip_image_src": stripImageSource.append(value)
            case "find_string": pendingFind.append(value)
            case "replace_string":
                guard !pendingFind.isEmpty else {
                    skipped["replace_string (no find_string before it)", default: 0] += 1
                    continue
                }
                replacements.append((pendingFind.removeFirst(), value))
            case "next_page_link": xpath { nextPageLink.append($0) }
            case "single_page_link": xpath { singlePageLink.append($0) }
            case "test_url": tests.append((value, []))
            case "test_contains":
                guard !tests.isEmpty else {
                    skipped["test_contains (no test_url before it)", default: 0] += 1
                    continue
                }
                tests[tests.count - 1].contains.append(value)
            case let other where Self.ignored.contains(other): continue
            default:
                // Named without an argument: `wrap_in(blockquote)` and `wrap_in(b)` are one directive.
                let name = directive.prefix { $0 != "(" }.lowercased()
                skipped[name, default: 0] += 1
            }
        }
    }

    /// The colon that ends the directive (a `replace_string(…)` argument may hold colons itself).
    static func directiveEnd(_ line: String) -> String.Index? {
        if let open = line.firstIndex(of: "("), let close = line[open...].firstIndex(of: ")"),
            line[..<open].allSatisfy({ $0.isLetter || $0 == "_" })
        {
            return line[close...].firstIndex(of: ":")
        }
        return line.firstIndex(of: ":")
    }

    /// `find` in `replace_string(find)`.
    static func argument(of directive: String, named name: String) -> String? {
        guard directive.lowercased().hasPrefix(name + "("), directive.hasSuffix(")") else { return nil }
        return String(directive.dropFirst(name.count + 1).dropLast())
    }

    /// The page's HTML with the rules' replacements made, before it is parsed.
    package func rewrite(_ html: String) -> String {
        replacements.reduce(html) { $0.replacingOccurrences(of: $1.find, with: $1.replacement) }
    }

    /// The extraction rules these site rules amount to, added to a pipeline's own.
    package func applied(to rules: ExtractionRules) -> ExtractionRules {
        var rules = rules
        if rules.body == nil, !body.isEmpty {
            // Marks the body as the rules'; the extractor tries their expressions in turn (see `findBody`).
            rules.body = try? Selector(xpath: body.map { "(\($0.xpath))" }.joined(separator: " | "))
            rules.bodyFromSiteRules = rules.body != nil
        }
        rules.remove += strip
        rules.stripImageSources += stripImageSource
        rules.site = self
        return rules
    }

    /// The first text an expression list finds in the document (an attribute's value or an element's text).
    func firstText(_ selectors: [Selector], in document: Document) -> String? {
        guard let root = document.root else { return nil }
        for selector in selectors {
            for node in root.select(selector) {
                let text = node.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                if !text.isEmpty { return text }
            }
            // An expression computing a string (`substring-before(//title, ' | Site')`), as the format allows.
            if let value = root.value(of: selector)?.split(whereSeparator: \.isWhitespace).joined(separator: " "),
                !value.isEmpty
            {
                return value
            }
        }
        return nil
    }
}

/// A folder of site rule files, looked up by host.
package struct SiteRuleFolder: Sendable {
    package let path: String

    package init(path: String) {
        self.path = path
    }

    /// The rule file names that apply to a host, as Full-Text RSS looks them up: `host.txt`, the host
    /// without `www.`, then `.parent.txt` for the domain one level up — `.example.org.txt` serves
    /// `news.example.org`, not `example.org` itself, nor `a.news.example.org`.
    package static func candidates(for host: String) -> [String] {
        let host = host.lowercased()
        var names = [host + ".txt"]
        let bare = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
        if bare != host { names.append(bare + ".txt") }
        let parts = bare.split(separator: ".")
        if parts.count >= 3 { names.append("." + parts.dropFirst().joined(separator: ".") + ".txt") }
        return names
    }

    /// The rules for a URL's host, or `nil` when the folder has none.
    package func rules(for url: String) throws(SiteRules.ParseError) -> SiteRules? {
        guard let host = URL(string: url)?.host else { return nil }
        for name in Self.candidates(for: host) {
            let file = URL(fileURLWithPath: path).appendingPathComponent(name).path
            if let data = FileManager.default.contents(atPath: file) {
                return try SiteRules(String(decoding: data, as: UTF8.self), file: file)
            }
        }
        return nil
    }

    /// Every rule file of the folder.
    package func all() throws(SiteRules.ParseError) -> [SiteRules] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".txt") }
            .sorted()
        var rules: [SiteRules] = []
        for name in names {
            let file = URL(fileURLWithPath: path).appendingPathComponent(name).path
            let text = String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self)
            rules.append(try SiteRules(text, file: file))
        }
        return rules
    }
}

extension Extractor {
    /// Extracts a page with the rules of its host from `siteRules`, the host being that of `url` or, for a
    /// saved page, of the canonical address the page names. Errors are a rule file's, or the page's.
    package static func extract(html: String, url: String?, siteRules: SiteRuleFolder?, rules: ExtractionRules = .none)
        throws -> Article
    {
        let document = try Document.content(html: html, url: url)
        guard let siteRules else { return Extractor(rules: rules).extract(document) }
        let address = [url, Metadata(document: document).url].compactMap { $0 }.first { $0.hasPrefix("http") }
        guard let address, let site = try siteRules.rules(for: address) else {
            return Extractor(rules: rules).extract(document)
        }
        let applied = site.applied(to: rules)
        return Extractor(rules: applied).extract(try applied.document(html: html, url: url))
    }

    /// `extract(html:url:siteRules:rules:)` for a page given as valid UTF-8 bytes: without site rules, no
    /// string is made of the page.
    package static func extract(utf8 page: [UInt8], url: String?, siteRules: SiteRuleFolder?) throws -> Article {
        guard siteRules == nil else {
            return try extract(html: String(decoding: page, as: UTF8.self), url: url, siteRules: siteRules)
        }
        return Extractor().extract(try Document.content(utf8: page, url: url))
    }
}

extension ExtractionRules {
    /// A page parsed for extraction under these rules: its HTML rewritten first by the site rules'
    /// `replace_string` directives, when there are site rules, else without the script bodies it never
    /// reads (site rules may read a script's text).
    package func document(html: String, url: String?) throws -> Document {
        guard let site else { return try Document.content(html: html, url: url) }
        return try Document(html: site.rewrite(html), url: url)
    }

    /// `document(html:url:)` for a page given as valid UTF-8 bytes: without site rules, no string is made.
    package func document(utf8 page: [UInt8], url: String?) throws -> Document {
        guard site != nil else { return try Document.content(utf8: page, url: url) }
        return try document(html: String(decoding: page, as: UTF8.self), url: url)
    }
}
