import Foundation
import Markup

/// A feed shown to a person in a browser: an HTML page rendered from the feed file itself (Atom, RSS or JSON
/// Feed), with each entry as a link with its date, author, picture and summary, and the feed's addresses to
/// copy into a reader. No XSLT and no script: every browser shows it, and it says nothing the feed does not.
package enum FeedPage {
    /// What the page shows of one entry.
    package struct Item: Sendable, Equatable {
        package var title: String
        package var link: String?
        package var date: Date?
        package var author: String?
        package var image: String?
        package var summary: String?

        package init(
            title: String, link: String? = nil, date: Date? = nil, author: String? = nil, image: String? = nil,
            summary: String? = nil
        ) {
            self.title = title
            self.link = link
            self.date = date
            self.author = author
            self.image = image
            self.summary = summary
        }
    }

    /// What the page shows of a feed.
    package struct Contents: Sendable, Equatable {
        package var title: String
        package var site: String?
        package var items: [Item]

        package init(title: String, site: String?, items: [Item]) {
            self.title = title
            self.site = site
            self.items = items
        }
    }

    /// Reads a feed file as the page shows it; `nil` when it is no feed of that format.
    package static func read(_ bytes: [UInt8], as format: FeedFormat) -> Contents? {
        switch format {
        case .atom:
            guard let head = FeedHead.read(bytes, as: .atom),
                let entries = try? AtomReader.entries(in: bytes, url: "feed.atom")
            else { return nil }
            let items = entries.map { entry in
                Item(
                    title: entry.title, link: entry.link, date: entry.published ?? entry.updated, author: entry.author,
                    image: entry.image, summary: entry.summary)
            }
            return Contents(title: head.title ?? "Untitled feed", site: head.site, items: items)
        case .rss, .json:
            guard let links = try? FeedReader.items(in: bytes, url: nil) else { return nil }
            let head = FeedHead.read(bytes, as: format)
            let items = links.map { item in
                Item(
                    title: item.title ?? item.link ?? "Untitled", link: item.link, date: item.published ?? item.updated,
                    author: item.authors.isEmpty ? nil : item.authors.joined(separator: ", "), image: item.image,
                    summary: item.summary ?? item.content.flatMap(plainText))
            }
            return Contents(title: head?.title ?? "Untitled feed", site: head?.site, items: items)
        }
    }

    /// Entries on one page of a feed's view.
    package static let perPage = 100

    /// The page for a browser: the feed's addresses (one per format written, for a reader), then its
    /// entries, `perPage` at a time; `number` is the page shown (from 1), and `more` says whether entries
    /// follow those in `contents` (a view made from the start of a feed too long to read whole), so that the
    /// last page links to an older one.
    package static func html(
        _ contents: Contents, addresses: [(format: FeedFormat, url: String)], number: Int = 1, more: Bool = false
    ) -> String {
        let escape = XMLBuilder.escape
        let links = addresses.map { (rel: "alternate", type: $0.format.mediaType, href: $0.url) }
        var page = HTMLPage.head(title: contents.title, links: links, style: style)
        page += """
            <header>
            <h1>\(escape(contents.title))</h1>

            """
        if let site = contents.site.flatMap(webAddress) {
            page += "<p class=\"site\"><a href=\"\(escape(site))\">\(escape(site))</a></p>\n"
        }
        page +=
            "<section class=\"subscribe\"><p>This is a web feed. Copy its address into a feed reader to follow it:</p><ul>\n"
        for address in addresses {
            page +=
                "<li>\(address.format.name): <input readonly value=\"\(escape(address.url))\" aria-label=\"\(address.format.name) address\"></li>\n"
        }
        let first = min(contents.items.count, (max(1, number) - 1) * perPage)
        let shown = contents.items[first..<min(contents.items.count, first + perPage)]
        let older = first + perPage < contents.items.count || more && !shown.isEmpty
        let count =
            if number == 1 && !older {
                "\(contents.items.count) entr\(contents.items.count == 1 ? "y" : "ies")"
            } else if shown.isEmpty {
                "No entries on this page: the feed has \(contents.items.count)"
            } else {
                "Entries \(first + 1)–\(first + shown.count)" + (more ? "" : " of \(contents.items.count)")
            }
        page +=
            "</ul></section>\n</header>\n<main>\n<p class=\"count\">\(count)</p>\n<ol class=\"entries\"\(first > 0 ? " start=\"\(first + 1)\"" : "")>\n"
        for item in shown {
            page += "<li class=\"entry\">"
            if let image = item.image.flatMap(webAddress) {
                page += "<img src=\"\(escape(image))\" alt=\"\" loading=\"lazy\">"
            }
            let link = item.link.flatMap(webAddress) ?? "#"
            page += "<h2><a href=\"\(escape(link))\">\(escape(item.title))</a></h2>"
            var meta: [String] = []
            if let date = item.date {
                meta.append("<time datetime=\"\(Timestamp.rfc3339(date))\">\(escape(day(date)))</time>")
            }
            if let author = item.author, !author.isEmpty {
                meta.append("<span class=\"author\">\(escape(author))</span>")
            }
            if !meta.isEmpty { page += "<p class=\"meta\">\(meta.joined(separator: " · "))</p>" }
            if let summary = item.summary, !summary.isEmpty { page += "<p class=\"summary\">\(escape(summary))</p>" }
            page += "</li>\n"
        }
        page += "</ol>\n"
        if number > 1 || older {
            var links: [String] = []
            if number > 1 { links.append("<a rel=\"prev\" href=\"?page=\(number - 1)\">Newer entries</a>") }
            if older { links.append("<a rel=\"next\" href=\"?page=\(number + 1)\">Older entries</a>") }
            page += "<nav class=\"pages\">\(links.joined(separator: " · "))</nav>\n"
        }
        page += "</main>\n</body>\n</html>\n"
        return page
    }

    /// An http(s) address as it is, else `nil`: a feed's links are shown only when a browser may follow them.
    static func webAddress(_ text: String) -> String? {
        let lowered = text.lowercased()
        return lowered.hasPrefix("https://") || lowered.hasPrefix("http://") ? text : nil
    }

    /// The text of an item's HTML body, cut to a summary's length.
    static func plainText(_ html: String) -> String? {
        guard let document = try? Document(html: "<html><body>\(html)</body></html>"), let text = document.root?.text
        else { return nil }
        return Summary.of(text, limit: 300)
    }

    static func day(_ date: Date) -> String { Timestamp.display(date, "d MMMM yyyy") }

    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}\
        h1{font-size:1.7rem;margin-bottom:.2rem}.site{margin-top:0}.subscribe{background:#f4f6f8;padding:.6rem 1rem;\
        border-radius:6px}.subscribe ul{padding-left:1.2rem}.subscribe input{width:100%;max-width:30rem;font:inherit;\
        font-size:.9rem}.count{color:#666}.entries{list-style:none;padding:0}.entry{padding:1rem 0;border-bottom:1px \
        solid #ddd;overflow:hidden}.entry h2{font-size:1.15rem;margin:0 0 .3rem}.entry img{float:right;max-width:8rem;\
        max-height:5.5rem;margin-left:1rem;border-radius:4px}.meta{color:#666;font-size:.9rem;\
        margin:0 0 .3rem}.summary{margin:0}a{color:#0645ad}
        """
}
