import Foundation
import Markup

/// A link found by a source, with whatever the source already knew about the article.
public struct Link: Sendable, Hashable {
    public var url: String
    public var title: String?
    /// When the source says the article was published or last changed.
    public var date: Date?
    public var author: String?

    public init(url: String, title: String? = nil, date: Date? = nil, author: String? = nil) {
        self.url = url
        self.title = title
        self.date = date
        self.author = author
    }
}

/// Reads article links off an HTML list page.
enum ListPage {
    /// The links selected by `selector` (an `<a>` or an element holding one), absolute, deduplicated, in page
    /// order. Only `http`, `https` and `file` links are kept.
    static func links(in document: Document, selector: Selector) -> [Link] {
        guard let root = document.root else { return [] }
        let base = (document.head?.firstChild(named: "base")?.attribute("href")).flatMap { href in
            URL(string: href, relativeTo: document.url.flatMap(URL.init(string:)))
        } ?? document.url.flatMap(URL.init(string:))
        var seen = Set<String>()
        var links: [Link] = []
        for match in root.select(selector) {
            let anchor = match.is("a") ? match : match.xpath(".//a[@href][1]").first
            guard let anchor, let href = anchor.attribute("href")?.trimmingCharacters(in: .whitespaces),
                !href.isEmpty, !href.hasPrefix("#"),
                let url = URL(string: href, relativeTo: base)?.absoluteURL,
                let scheme = url.scheme?.lowercased(), ["http", "https", "file"].contains(scheme)
            else { continue }
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            components?.fragment = nil
            let address = components?.url?.absoluteString ?? url.absoluteString
            guard seen.insert(address).inserted else { continue }
            let title = anchor.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let date = match.xpath(".//time[@datetime][1]").first?.attribute("datetime").flatMap(Timestamp.parse)
            links.append(Link(url: address, title: title.isEmpty ? nil : title, date: date))
        }
        return links
    }
}
