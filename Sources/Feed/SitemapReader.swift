import Foundation
import Markup

/// Reads the pages a sitemap lists (sitemaps.org): a `urlset`'s `<loc>`s with their `<lastmod>`, and the
/// title and publication date of Google News sitemaps; a `sitemapindex` names further sitemaps instead.
package enum SitemapReader {
    package enum Contents: Equatable, Sendable {
        case pages([Item])
        case sitemaps([String])
    }

    package static func read(_ document: Document) throws(SourceError) -> Contents {
        guard let root = document.root else { return .pages([]) }
        let base = document.url.flatMap(URL.init(string:))
        func text(_ node: Node, _ name: String) -> String? {
            FeedReader.child(node, name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        switch root.localName {
        case "sitemapindex":
            let entries = root.elementChildren.filter { $0.localName == "sitemap" }
            // Newest first, so that a bounded walk reads the sitemaps most likely to hold new pages.
            let dated = entries.compactMap { entry -> (String, Date?)? in
                guard let loc = text(entry, "loc"), let url = FeedReader.absolute(loc, base: base) else { return nil }
                return (url, text(entry, "lastmod").flatMap(Timestamp.parse))
            }
            return .sitemaps(newestFirst(dated, date: \.1).map(\.0))
        case "urlset":
            var seen = Set<String>()
            let links = root.elementChildren.filter { $0.localName == "url" }.compactMap { entry -> Item? in
                guard let loc = text(entry, "loc"), let url = FeedReader.absolute(loc, base: base),
                    seen.insert(url).inserted
                else { return nil }
                let news = FeedReader.child(entry, "news")
                let published = news.flatMap { text($0, "publication_date") }.flatMap(Timestamp.parse)
                let title = news.flatMap { text($0, "title") }
                var item = Item(
                    link: url, title: title, published: published,
                    updated: text(entry, "lastmod").flatMap(Timestamp.parse))
                item.language = news.flatMap { FeedReader.child($0, "publication") }.flatMap { text($0, "language") }
                return item
            }
            // Sitemaps often list oldest first; a feed wants the newest. Undated pages keep their order, last.
            return .pages(
                newestFirst(links, date: \.date).enumerated().map { position, item in
                    var item = item
                    item.position = position
                    return item
                })
        default:
            throw SourceError(
                "\(document.url ?? "sitemap"): not a sitemap (its root is <\(root.localName)>, not <urlset> or <sitemapindex>)"
            )
        }
    }
}

/// Items sorted newest first by their date; undated items keep their order, after the dated ones.
package func newestFirst<Item>(_ items: [Item], date: (Item) -> Date?) -> [Item] {
    items.enumerated().sorted { lhs, rhs in
        let left = date(lhs.element) ?? .distantPast
        let right = date(rhs.element) ?? .distantPast
        return left != right ? left > right : lhs.offset < rhs.offset
    }.map(\.element)
}

/// A source that was fetched but cannot be read as what the pipeline says it is.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    public let description: String

    package init(_ description: String) {
        self.description = description
    }
}
