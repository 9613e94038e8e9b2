import Feed
import Foundation
import Markup

/// Reads the items of an HTML list page.
package enum ListPage {
    /// The items selected by `list.items` (a row, or an `<a>`), in page order, each with the fields its own
    /// selectors find inside it. The link is `list.link`'s (else the row itself when it is a link, else its
    /// first `<a href>`), absolute; only `http`, `https` and `file` links are kept, and each once. A row
    /// with no link is kept when it has a title, a summary or content of its own.
    package static func items(in document: Document, list: ListPageSource) -> [Item] {
        var unreadable: [String] = []
        return items(in: document, list: list, unreadable: &unreadable)
    }

    /// The items, with the texts of the dates that could not be read added to `unreadable`.
    package static func items(in document: Document, list: ListPageSource, unreadable: inout [String]) -> [Item] {
        guard let root = document.root else { return [] }
        let base = document.baseAddress
        // Where a row without a link of its own is found: the page's web address.
        let canonical = root.xpath("//link[@rel='canonical'][@href][1]").first?.attribute("href")
            .flatMap { Document.linkAddress($0, base: base) }
        let page = canonical.flatMap { $0.hasPrefix("http") ? $0 : nil } ?? document.url
        let language = root.attribute("lang").flatMap { $0.isEmpty ? nil : $0 }
        // Dates with month names are read in the page's language unless the pipeline names one.
        let reading = list.dates.reading(pageLanguage: language)
        var seen = Set<String>()
        var items: [Item] = []
        for row in root.select(list.items) {
            func first(_ selector: Selector?) -> Node? { selector.flatMap { row.select($0).first } }
            func address(_ value: String?) -> String? { value.flatMap { Document.linkAddress($0, base: base) } }
            /// A field's text: the attribute its selector names, else the element's words.
            func text(_ node: Node?, _ field: String) -> String? {
                guard let node else { return nil }
                let value = PlainText.words(list.attributes[field].map { node.attribute($0) ?? "" } ?? node.text)
                return value.isEmpty ? nil : value
            }
            let anchor =
                list.link.map { first($0) } ?? (row.is("a") ? row : row.xpath(".//a[@href][1]").first)
            let link = anchor.flatMap { anchor in
                address(
                    list.attributes["link"].flatMap { anchor.attribute($0) } ?? anchor.attribute("href")
                        ?? anchor.xpath(".//a[@href][1]").first?.attribute("href"))
            }
            if let link, !seen.insert(link).inserted { continue }
            var item = Item(link: link)
            item.language = language
            item.title = text(first(list.title), "title")
            let words = PlainText.words(anchor?.text ?? "")
            item.linkText = words.isEmpty ? nil : words
            let dateNode = first(list.date) ?? row.xpath(".//time[@datetime][1]").first
            func date(_ node: Node?, _ field: String) -> Date? {
                guard let node else { return nil }
                if let attribute = list.attributes[field] {
                    guard let value = node.attribute(attribute), !value.isEmpty else { return nil }
                    if let date = reading.read(value) { return date }
                    unreadable.append(value)
                    return nil
                }
                if let date = Self.date(node, reading: reading) { return date }
                let text = PlainText.words(node.attribute("datetime") ?? node.text)
                if !text.isEmpty { unreadable.append(text) }
                return nil
            }
            item.published = date(dateNode, "date")
            item.updated = date(first(list.updated), "updated")
            item.authors = list.author.map { row.select($0).compactMap { text($0, "author") } } ?? []
            item.summary = text(first(list.summary), "summary")
            item.content = first(list.content).map(\.innerHTML).flatMap {
                $0.contains(where: { !$0.isWhitespace }) ? $0 : nil
            }
            item.image = first(list.image).flatMap { node in
                if let attribute = list.attributes["image"] { return address(node.attribute(attribute)) }
                let image = node.is("img") ? node : node.xpath(".//img[1]").first
                return address(
                    image.flatMap(imageSource) ?? node.attribute("content") ?? node.attribute("href"))
            }
            if let selector = list.categories {
                for node in row.select(selector) {
                    guard let name = text(node, "categories") else { continue }
                    if !item.categories.contains(name) { item.categories.append(name) }
                }
            }
            if let selector = list.enclosure {
                for node in row.select(selector) {
                    let media = node.xpath("descendant-or-self::*[@src or @href or @url][1]").first ?? node
                    let value =
                        list.attributes["enclosure"].flatMap { node.attribute($0) } ?? media.attribute("src")
                        ?? media.attribute("href") ?? media.attribute("url")
                    guard let url = address(value) else { continue }
                    let length = media.attribute("length").flatMap { Int($0) }
                    item.enclosures.append(Enclosure(url: url, type: media.attribute("type"), length: length))
                }
            }
            guard link != nil || item.title != nil || item.summary != nil || item.content != nil else { continue }
            if link == nil {
                if item.title == nil { item.title = item.linkText }
                let anchor = row.attribute("id").flatMap { $0.isEmpty ? nil : "#" + $0 } ?? ""
                item.listedOn = page.map { $0.split(separator: "#", maxSplits: 1)[0] + anchor }
            }
            item.position = items.count
            items.append(item)
        }
        return items
    }

    /// The date an element gives: its `datetime` or `content` attribute, else its text.
    static func date(_ node: Node, reading: DateReading) -> Date? {
        (node.attribute("datetime") ?? node.attribute("content") ?? node.attribute("title")).flatMap {
            reading.read($0)
        }
            ?? reading.read(node.text)
    }

    /// An image's address: a lazy-loading one's real source before its placeholder.
    static func imageSource(_ image: Node) -> String? {
        for name in ["data-src", "data-lazy-src", "data-original", "src"] {
            if let value = image.attribute(name), !value.isEmpty, !value.hasPrefix("data:") { return value }
        }
        return image.attribute("srcset").flatMap { $0.split(separator: ",").first }.flatMap {
            $0.split(whereSeparator: \.isWhitespace).first.map(String.init)
        }
    }

    /// The links of a page that names neither a feed nor selectors (a site's front page), found the way a
    /// reader would: links on the page's own host, outside navigation, headers, footers and sidebars, whose
    /// address names one article (a slug of several words, a number, or a dated path) and whose text reads
    /// as a headline (three words or more). In page order, without duplicates.
    package static func articleLinks(in document: Document, relaxed: Bool = false) -> [Item] {
        guard let root = document.root, let base = document.baseAddress else { return [] }
        var seen = Set<String>()
        var links: [Item] = []
        root.walk { node in
            guard node.isElement else { return .skipChildren }
            if node.tag(in: furnitureTags) || isFurniture(node) { return .skipChildren }
            guard node.is("a") else { return .enter }
            // Relaxed: any host and any path, for a link whose text reads as a headline of four words or more.
            guard let address = node.attribute("href").flatMap({ Document.linkAddress($0, base: base) }),
                let url = URL(string: address), relaxed || (url.host == base.host && isArticlePath(url.path))
            else { return .skipChildren }
            var title = words(node.text)
            // A "Read more" link stands for the headline of the card it closes.
            if title.split(separator: " ").count < 3 { title = headline(near: node) ?? title }
            if title.split(separator: " ").count >= (relaxed ? 4 : 3), title.count <= 300, seen.insert(address).inserted
            {
                var item = Item(link: address)
                item.linkText = title
                item.position = links.count
                links.append(item)
            }
            return .skipChildren
        }
        return links
    }

    /// The headline a short link ("Read more", "→") stands for: its `title` or `aria-label`, else the
    /// heading of the nearest of its three closest ancestors that has one.
    static func headline(near anchor: Node) -> String? {
        for label in [anchor.attribute("title"), anchor.attribute("aria-label")] {
            if let label, label.split(separator: " ").count >= 3 { return words(label) }
        }
        var node = anchor.parent
        for _ in 0..<3 {
            guard let element = node, element.isElement, !element.is("body") else { return nil }
            if let heading = element.xpath(".//*[self::h1 or self::h2 or self::h3 or self::h4][1]").first {
                let text = words(heading.text)
                return text.isEmpty ? nil : text
            }
            node = element.parent
        }
        return nil
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

    static func words(_ text: String) -> String { PlainText.words(text) }
}
