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
        case listPage(String, LinkSelector)
    }

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
            throw Failure(
                description:
                    "\(url): the page advertises no feed and no links on it read as articles; write the pipeline by hand with a 'links' selector"
            )
        }
        let list = ListPageSource(url: url, items: try! Selector(selector.selector))
        return PipelineProposal(
            source: .listPage(url, selector), title: title,
            why: """
                The page advertises no feed. Its article links were found as a reader finds them (links to the site's \
                own pages, outside navigation, headers, footers, sidebars and "most read" boxes, whose address names \
                one article and whose text reads as a headline), and \(selector.reason).
                """,
            titles: titles(ListPage.items(in: page, list: list)))
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
        case .listPage(let address, let selector):
            lines += ["  type: html", "  url: \(Self.quoted(address))", "  links: \(Self.quoted(selector.selector))"]
        }
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
