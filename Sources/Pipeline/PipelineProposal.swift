import Feed
import Fetch
import Foundation
import Markup
import Sources

/// The pipeline `feedpipe new` writes for an address: found by looking at what the address offers, in the
/// order a feed reader would — a feed itself, a sitemap, the feed a web page advertises, else the page's
/// article links with a selector chosen for them — and written as a commented file a person can edit.
package struct PipelineProposal: Sendable {
    package enum Source: Sendable {
        case feed(String)
        case sitemap(String)
        case listPage(String, LinkSelector, RowGuess?)
        /// JSON (an API's answer, or a page's embedded JSON): with paths, or none for a shape read as it is.
        case json(String, JSONGuess?)
    }

    /// Whether the items carry their text, so that no page need be read (`article: none`).
    package var carriesText = false

    package var source: Source
    package var title: String
    /// Why this source, for the file's comments and the command's output.
    package var why: String
    /// The first titles the source gives, as a preview.
    package var titles: [String]

    /// Why no pipeline can be proposed for an address.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Looks at `url` and proposes the pipeline for it.
    package static func find(for url: String, client: HTTPClient) async throws(Failure) -> PipelineProposal {
        let answer = try await fetch(url, client: client)
        if let links = try? FeedReader.items(in: answer.body, url: answer.url), !links.isEmpty {
            return PipelineProposal(
                source: .feed(url), title: feedTitle(answer.body) ?? host(of: url),
                why: "The address is a feed; each of its items links to an article.", titles: titles(links))
        }
        if let contents = try? SitemapSource.contents(of: answer.body, url: answer.url) {
            let pages = if case .pages(let links) = contents { links } else { [Item]() }
            return PipelineProposal(
                source: .sitemap(url), title: host(of: url),
                why: "The address is a sitemap; the pages it lists, newest first, are the articles.",
                titles: titles(pages))
        }
        // JSON: an API's answer, or a page's own item JSON when it names titles and links (else its links).
        let isJSON = answer.body.first { $0 > 0x20 }.map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } ?? false
        let json = try? JSONSource.json(in: answer, script: nil, url: url)
        if let json, let found = jsonProposal(json, url: url, strict: !isJSON) { return found }
        if isJSON {
            throw Failure(
                description:
                    "\(url): JSON with no list of items found; write the pipeline by hand with 'type: json', 'items' and field paths"
            )
        }
        let page: Document
        do {
            page = try Document(html: answer.text, url: answer.url)
        } catch {
            throw Failure(description: "\(url): neither a feed, a sitemap nor a web page (\(error))")
        }
        let title = siteName(of: page) ?? host(of: url)
        if let advertised = FeedReader.advertisedFeed(in: page),
            let feed = try? await fetch(advertised, client: client),
            let links = try? FeedReader.items(in: feed.body, url: feed.url), !links.isEmpty
        {
            return PipelineProposal(
                source: .feed(advertised), title: feedTitle(feed.body) ?? title,
                why:
                    "The page advertises a feed (\(advertised)), which is read instead of the page: each of its items links to an article.",
                titles: titles(links))
        }
        guard let selector = LinkSelector.find(in: page) else {
            // A page drawn by scripts: its item JSON, even without links of its own.
            if let json, let found = jsonProposal(json, url: url, strict: false) { return found }
            throw Failure(
                description:
                    "\(url): the page advertises no feed, holds no item JSON, and no links on it read as articles; write the pipeline by hand with an 'items' selector"
            )
        }
        let links = try! Selector(selector.selector)
        let rows = RowGuess.find(in: page, links: links)
        var list = ListPageSource(url: url, items: links)
        if let rows, let items = try? Selector(rows.items) {
            list = ListPageSource(url: url, items: items)
            list.link = rows.link.flatMap { try? Selector($0) }
            list.title = rows.title.flatMap { try? Selector($0) }
        }
        var proposal = PipelineProposal(
            source: .listPage(url, selector, rows), title: title,
            why: """
                The page advertises no feed. Its article links were found as a reader finds them (links to the site's \
                own pages, outside navigation, headers, footers, sidebars and "most read" boxes, whose address names \
                one article and whose text reads as a headline), and \(selector.reason).
                """
                    + (rows.map {
                        " Each sits in a '\($0.items)' row, whose other fields are proposed"
                            + ($0.content != nil ? "; the rows carry their text, so no article page is read." : ".")
                    } ?? ""),
            titles: titles(ListPage.items(in: page, list: list)))
        proposal.carriesText = rows?.content != nil
        return proposal
    }

    /// The proposal for JSON items (an answer, or a page's embedded JSON), or `nil` when it holds no list;
    /// `strict` (a page's JSON) asks for two items or more, with titles and links.
    static func jsonProposal(_ json: Any, url: String, strict: Bool) -> PipelineProposal? {
        let host = host(of: url)
        if let items = JSONSource.knownShape(json, base: url, dates: DateReading()), items.count >= (strict ? 2 : 1) {
            var proposal = PipelineProposal(
                source: .json(url, nil), title: host,
                why:
                    "The address gives items as JSON of a known shape (WordPress posts, JSON-LD or a JSON Feed), read with no paths.",
                titles: titles(items))
            proposal.carriesText = items.allSatisfy { $0.content != nil }
            return proposal
        }
        guard let guess = JSONGuess.find(in: json),
            !strict || (guess.fields.contains { $0.key == "title" } && guess.fields.contains { $0.key == "link" })
        else { return nil }
        let list = guess.items.flatMap { try? JSONPath($0) }?.values(in: json) ?? ((json as? [Any]) ?? [])
        let titlePath = guess.fields.first { $0.key == "title" }.flatMap { try? JSONPath($0.path) }
        let titles = list.prefix(5).compactMap { titlePath?.texts(in: $0).first.map { nonEmpty($0) ?? $0 } }
        var proposal = PipelineProposal(
            source: .json(url, guess), title: host,
            why: """
                The address gives JSON: the list of \(guess.count) objects at '\(guess.items ?? "(the answer itself)")' \
                looks like its items, and each field is read from the key that names it.
                """,
            titles: titles)
        proposal.carriesText = guess.fields.contains { $0.key == "content" }
        return proposal
    }

    /// The pipeline file: comments saying where it came from and why, the keys, and the preview.
    package func yaml(url: String, date: Date) -> String {
        var lines = ["# A pipeline for \(url), written by `feedpipe new` on \(Self.day(date)).", "#"]
        lines += Self.wrapped(why, prefix: "# ")
        lines += ["# Edit it as you like; `feedpipe check` on this file previews a run.", ""]
        lines.append("title: \(Self.quoted(title))")
        lines.append("source:")
        switch source {
        case .feed(let address):
            lines += ["  type: feed", "  url: \(Self.quoted(address))"]
        case .sitemap(let address):
            lines += ["  type: sitemap", "  url: \(Self.quoted(address))"]
        case .listPage(let address, let selector, let rows):
            lines += ["  type: html", "  url: \(Self.quoted(address))"]
            if let rows {
                lines.append("  items: \(Self.quoted(rows.items))")
                let fields: [(String, String?)] = [
                    ("link", rows.link), ("title", rows.title), ("date", rows.date), ("author", rows.author),
                    ("summary", rows.summary), ("image", rows.image), ("categories", rows.categories),
                    ("enclosure", rows.enclosure),
                    ("content", rows.content), ("next", rows.next),
                ]
                for case (let key, let value?) in fields { lines.append("  \(key): \(Self.quoted(value))") }
                if rows.next != nil { lines.append("  pages: 3") }
            } else {
                lines.append("  links: \(Self.quoted(selector.selector))")
            }
        case .json(let address, let guess):
            lines += ["  type: json", "  url: \(Self.quoted(address))"]
            if let guess {
                if let items = guess.items { lines.append("  items: \(Self.quoted(items))") }
                for (key, path) in guess.fields { lines.append("  \(key): \(Self.quoted(path))") }
                if !guess.fields.contains(where: { $0.key == "link" }) {
                    lines.append(
                        "  # link: \"https://…/{slug}\"   (no key names a link: compose one from the item's keys)")
                }
            }
        }
        if carriesText { lines.append("article: none") }
        lines.append("max_entries: 50")
        if !titles.isEmpty {
            lines += ["", "# The first titles it gives today:"]
            lines += titles.map { "#   \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The name `feedpipe new` gives a pipeline by default: the host, without `www.`, dots made dashes.
    package static func name(for url: String) -> String {
        let host = URL(string: url)?.host?.lowercased() ?? "pipeline"
        let bare = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
        let name = bare.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return name.isEmpty ? "pipeline" : name
    }

    // MARK: Reading the address

    static func fetch(_ url: String, client: HTTPClient) async throws(Failure) -> Response {
        switch await client.fetch(Request(url: url)) {
        case .success(let response): return response
        case .failure(let error): throw Failure(description: error.description)
        }
    }

    static func titles(_ links: [Item]) -> [String] {
        links.prefix(5).map { link in
            let title = (link.title ?? link.linkText ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return title.isEmpty ? link.link ?? "" : String(title.prefix(100))
        }
    }

    /// A feed's own title (RSS channel, Atom feed, JSON Feed).
    static func feedTitle(_ bytes: [UInt8]) -> String? {
        let json = bytes.first { $0 > 0x20 } == UInt8(ascii: "{")
        return FeedHead.read(bytes, as: json ? .json : .atom)?.title.flatMap(nonEmpty)
    }

    /// The site's name as the page gives it (`og:site_name`, `application-name`), else its `<title>`.
    static func siteName(of page: Document) -> String? {
        guard let root = page.root else { return nil }
        for query in ["//meta[@property='og:site_name']", "//meta[@name='application-name']"] {
            if let name = root.xpath(query).first?.attribute("content").flatMap(nonEmpty) { return name }
        }
        return root.xpath("//title").first.flatMap { nonEmpty($0.text) }
    }

    static func nonEmpty(_ text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.isEmpty ? nil : words
    }

    static func host(of url: String) -> String { URL(string: url)?.host ?? url }

    // MARK: Writing YAML

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\x%02X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func wrapped(_ text: String, prefix: String, width: Int = 110) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + word.count + 1 > width {
                lines.append(prefix + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(prefix + line) }
        return lines
    }

    static func day(_ date: Date) -> String { Timestamp.display(date, "yyyy-MM-dd") }
}
