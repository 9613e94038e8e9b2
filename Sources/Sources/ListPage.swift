import Feed
import Foundation
import Markup

/// Reads article links off an HTML list page.
package enum ListPage {
    /// The links selected by `list.links` (an `<a>` or an item holding one), absolute, deduplicated, in page
    /// order, with the title, date and summary the item's own selectors find. Only `http`, `https` and
    /// `file` links are kept.
    package static func links(in document: Document, list: ListPageSource) -> [Link] {
        guard let root = document.root else { return [] }
        let base = document.baseAddress
        var seen = Set<String>()
        var links: [Link] = []
        for match in root.select(list.links) {
            let anchor = match.is("a") ? match : match.xpath(".//a[@href][1]").first
            guard let anchor, let address = anchor.attribute("href").flatMap({ Document.linkAddress($0, base: base) }),
                seen.insert(address).inserted
            else { continue }
            func field(_ selector: Selector?) -> Node? { selector.flatMap { match.select($0).first } }
            let title = words(field(list.title)?.text ?? anchor.text)
            let dateNode = field(list.date) ?? match.xpath(".//time[@datetime][1]").first
            let date = (dateNode?.attribute("datetime") ?? dateNode?.attribute("content") ?? dateNode?.text)
                .flatMap(Timestamp.parse)
            let summary = field(list.summary).map { words($0.text) }
            links.append(
                Link(
                    url: address, title: title.isEmpty ? nil : title, date: date,
                    summary: summary.flatMap { $0.isEmpty ? nil : $0 }))
        }
        return links
    }

    /// The links of a page that names neither a feed nor selectors (a site's front page), found the way a
    /// reader would: links on the page's own host, outside navigation, headers, footers and sidebars, whose
    /// address names one article (a slug of several words, a number, or a dated path) and whose text reads
    /// as a headline (three words or more). In page order, without duplicates.
    package static func articleLinks(in document: Document) -> [Link] {
        guard let root = document.root, let base = document.baseAddress else { return [] }
        var seen = Set<String>()
        var links: [Link] = []
        root.walk { node in
            guard node.isElement else { return .skipChildren }
            if node.tag(in: furnitureTags) || isFurniture(node) { return .skipChildren }
            guard node.is("a") else { return .enter }
            guard let address = node.attribute("href").flatMap({ Document.linkAddress($0, base: base) }),
                let url = URL(string: address), url.host == base.host, isArticlePath(url.path)
            else { return .skipChildren }
            let title = words(node.text)
            if title.split(separator: " ").count >= 3, title.count <= 300, seen.insert(address).inserted {
                links.append(Link(url: address, title: title))
            }
            return .skipChildren
        }
        return links
    }

    static let furnitureTags = TagSet(["nav", "header", "footer", "aside", "form", "script", "style", "noscript"])
    /// Words in a class or id that mark a page's furniture: menus, footers, sharing and cookie bars, and the
    /// boxes that list other stories than the page's own ("most read", "trending", "related", newsletters).
    static let furnitureWords = [
        "menu", "nav", "footer", "sidebar", "breadcrumb", "share", "social", "masthead", "cookie", "most-read",
        "mostread", "popular", "trending", "related", "recommended", "newsletter",
    ]
    static let furnitureRoles: Set<String> = [
        "navigation", "banner", "contentinfo", "complementary", "menu", "menubar",
    ]

    static func isFurniture(_ node: Node) -> Bool {
        guard node.hasAttributes else { return false }
        if let role = node.attribute("role")?.lowercased(), furnitureRoles.contains(role) { return true }
        let words = ((node.attribute("class") ?? "") + " " + (node.attribute("id") ?? "")).lowercased()
        return furnitureWords.contains { words.contains($0) }
    }

    /// Paths of listings rather than articles: sections, tags, authors, pages of a list, accounts.
    static let listingPrefixes = [
        "/tag/", "/tags/", "/category/", "/categories/", "/topic/", "/topics/", "/author/",
        "/authors/", "/page/", "/search", "/login", "/signin", "/account", "/subscribe", "/newsletter",
    ]

    /// Whether a path names one article: a last segment with three or more words joined by hyphens or
    /// underscores, or digits (an article number), or a dated path (`/2022/11/…`).
    static func isArticlePath(_ path: String) -> Bool {
        let lowered = path.lowercased()
        if listingPrefixes.contains(where: { lowered.hasPrefix($0) }) { return false }
        let segments = lowered.split(separator: "/")
        guard let last = segments.last else { return false }
        let stem = last.split(separator: ".").first ?? last
        let words = stem.split(whereSeparator: { $0 == "-" || $0 == "_" }).count
        let dated =
            segments.count >= 3
            && segments.contains { $0.count == 4 && Int($0).map { (1995...2100).contains($0) } == true }
        return words >= 3 || dated || (stem.contains(where: \.isNumber) && stem.count >= 5)
    }

    /// The absolute address of the page's next list page, when `next` finds a link.
    static func nextPage(in document: Document, next: Selector) -> String? {
        guard let match = document.root?.select(next).first else { return nil }
        let anchor = match.attribute("href") != nil ? match : match.xpath(".//a[@href][1]").first
        return anchor?.attribute("href").flatMap { Document.linkAddress($0, base: document.baseAddress) }
    }

    static func words(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
