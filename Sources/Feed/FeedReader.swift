import Foundation
import Markup

/// Reads the article links of a feed: RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom (namespaces matched by local name,
/// so prefixed and default forms both work), or JSON Feed 1.0/1.1. Each link carries the title, date and
/// author the feed gives its item.
public enum FeedReader {
    /// The links of a feed's bytes, whichever format they are in.
    public static func links(in bytes: [UInt8], url: String?) throws(SourceError) -> [Link] {
        if bytes.first(where: { $0 > 0x20 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }) == UInt8(ascii: "{") {
            return try jsonFeedLinks(in: bytes, url: url)
        }
        let document: Document
        do {
            document = try Document(xml: bytes, url: url, lenient: true)
        } catch {
            throw SourceError("\(error)")
        }
        guard let root = document.root, ["rss", "feed", "RDF"].contains(root.localName) else {
            let name = document.root?.localName ?? ""
            throw SourceError("\(url ?? "feed"): not a feed (its root is <\(name)>, not <rss>, <feed> or <rdf:RDF>)")
        }
        return links(in: document)
    }

    package static func links(in document: Document) -> [Link] {
        guard let root = document.root else { return [] }
        let base = document.url.flatMap(URL.init(string:))
        let items = root.xpath("//*[local-name()='item' or local-name()='entry']")
        var seen = Set<String>()
        var links: [Link] = []
        for item in items {
            // Atom feeds may set `xml:base` on the feed, the entry or the link itself (RFC 4287, 2).
            guard let (href, node) = link(of: item),
                let url = absolute(href, base: node.xmlBase.flatMap(URL.init(string:)) ?? base),
                seen.insert(url).inserted
            else { continue }
            let title = child(item, "title").map {
                $0.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            }
            let date = ["updated", "modified", "pubDate", "published", "date", "issued"].lazy
                .compactMap { child(item, $0).flatMap { Timestamp.parse($0.text) } }.first
            let author =
                (child(item, "author").flatMap { child($0, "name") } ?? child(item, "creator")
                ?? child(item, "author"))
                .map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            var link = Link(
                url: url, title: title.flatMap { $0.isEmpty ? nil : $0 }, date: date,
                author: author.flatMap { $0.isEmpty ? nil : $0 })
            link.content = content(of: item)
            link.image = image(of: item).flatMap { absolute($0, base: item.xmlBase.flatMap(URL.init(string:)) ?? base) }
            links.append(link)
        }
        return links
    }

    /// The feed a web page advertises (`<link rel="alternate" type="application/rss+xml" href>`, or Atom, or
    /// JSON Feed), resolved against the page: what a reader does with a site's address instead of its feed's.
    public static func advertisedFeed(in document: Document) -> String? {
        guard let root = document.root else { return nil }
        let types: Set<String> = [
            "application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml",
        ]
        for link in root.xpath("//link[@href]") {
            let rel = (link.attribute("rel") ?? "").lowercased().split(separator: " ")
            guard rel.contains("alternate"), let type = link.attribute("type")?.lowercased(), types.contains(type),
                let href = link.attribute("href")
            else { continue }
            return absolute(href, base: document.baseURL.flatMap(URL.init(string:)))
        }
        return nil
    }

    /// The body the feed itself gives an item, as HTML: RSS's `content:encoded` or else `description`;
    /// Atom's `content` or else `summary`, by their `type` (`html`, `xhtml`, or text to be escaped).
    /// Media RSS elements (`media:content` is an image or video, not a body) are passed over, as are empty
    /// ones (Atom's out-of-line `<content src>`).
    static func content(of item: Node) -> String? {
        for name in ["encoded", "content", "description", "summary"] {
            for element in item.elementChildren where element.localName == name && element.namespace != mediaRSS {
                let html: String
                switch element.attribute("type")?.lowercased() {
                case "xhtml":
                    html = element.elementChildren.first?.innerHTML ?? ""
                case "text", "text/plain":
                    html = PlainText.paragraphs(element.text)
                default:
                    // RSS descriptions and Atom's `html` type hold escaped HTML, read here as its markup.
                    html = element.text
                }
                if html.contains(where: { !$0.isWhitespace }) { return html }
            }
        }
        return nil
    }

    /// The address of the item's image: Media RSS `content` (an image by its `medium` or `type`) or
    /// `thumbnail`, also inside a `group`, or an `enclosure` (Atom: a link) whose type is an image.
    static func image(of item: Node) -> String? {
        func isImage(_ node: Node) -> Bool {
            node.attribute("medium") == "image" || node.attribute("type")?.lowercased().hasPrefix("image/") == true
        }
        let media = item.elementChildren + (child(item, "group")?.elementChildren ?? [])
        for node in media where node.namespace == mediaRSS {
            if node.localName == "content", isImage(node), let url = node.attribute("url") { return url }
        }
        for node in media where node.namespace == mediaRSS && node.localName == "thumbnail" {
            if let url = node.attribute("url") { return url }
        }
        for node in item.elementChildren where isImage(node) {
            if node.localName == "enclosure", let url = node.attribute("url") { return url }
            if node.localName == "link", node.attribute("rel") == "enclosure", let href = node.attribute("href") {
                return href
            }
        }
        return nil
    }

    static let mediaRSS = "http://search.yahoo.com/mrss/"

    /// JSON Feed (jsonfeed.org): each item's `url` (or `external_url`), `title`, `date_modified` or
    /// `date_published`, and first author (`authors`, or 1.0's `author`).
    static func jsonFeedLinks(in bytes: [UInt8], url: String?) throws(SourceError) -> [Link] {
        let name = url ?? "JSON Feed"
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw SourceError("\(name): not a JSON Feed (not a JSON object)")
        }
        // Feeds written to 1.0's examples say http://; the specification's own address is https since 1.1.
        guard let version = (object["version"] as? String)?.lowercased(),
            version.hasPrefix("https://jsonfeed.org/version/") || version.hasPrefix("http://jsonfeed.org/version/")
        else {
            throw SourceError("\(name): not a JSON Feed (no jsonfeed.org 'version')")
        }
        guard let items = object["items"] as? [[String: Any]] else {
            throw SourceError("\(name): JSON Feed 'items' is not a list of objects")
        }
        let base = url.flatMap(URL.init(string:))
        var seen = Set<String>()
        return items.compactMap { item in
            guard let href = (item["url"] as? String) ?? (item["external_url"] as? String),
                let address = absolute(href, base: base), seen.insert(address).inserted
            else { return nil }
            let date = ["date_modified", "date_published"].lazy.compactMap {
                (item[$0] as? String).flatMap(Timestamp.parse)
            }.first
            let authors = (item["authors"] as? [[String: Any]]) ?? (item["author"] as? [String: Any]).map { [$0] }
            let title = (item["title"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
            var link = Link(
                url: address, title: title.flatMap { $0.isEmpty ? nil : $0 }, date: date,
                author: authors?.first?["name"] as? String)
            link.content =
                (item["content_html"] as? String) ?? (item["content_text"] as? String).map(PlainText.paragraphs)
                ?? (item["summary"] as? String).map(PlainText.paragraphs)
            link.image = ((item["image"] as? String) ?? (item["banner_image"] as? String)).flatMap {
                absolute($0, base: base)
            }
            return link
        }
    }

    /// The absolute http, https or file address of a link, or `nil`.
    static func absolute(_ href: String, base: URL?) -> String? {
        guard
            let url = URL(string: href.trimmingCharacters(in: .whitespacesAndNewlines), relativeTo: base)?.absoluteURL,
            let scheme = url.scheme?.lowercased(), ["http", "https", "file"].contains(scheme)
        else { return nil }
        return url.absoluteString
    }

    /// The item's article address and the element that gives it: FeedBurner's `origLink`, Atom's alternate
    /// link, RSS's `<link>`, or a permalink `<guid>`.
    static func link(of item: Node) -> (String, Node)? {
        // Feeds once proxied by FeedBurner link through its redirector and keep the real address here.
        if let original = child(item, "origLink") ?? child(item, "origlink") {
            let text = original.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("http://") || text.hasPrefix("https://") { return (text, original) }
        }
        for element in item.elementChildren where element.localName == "link" {
            if let href = element.attribute("href") {
                let rel = element.attribute("rel") ?? "alternate"
                let address = href.trimmingCharacters(in: .whitespacesAndNewlines)
                // An empty href would resolve to the feed itself.
                if rel == "alternate", !address.isEmpty { return (address, element) }
            } else {
                let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { return (text, element) }
            }
        }
        if let guid = child(item, "guid"), guid.attribute("isPermaLink") != "false" {
            let text = guid.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("http://") || text.hasPrefix("https://") { return (text, guid) }
        }
        // An Atom entry with no usable link whose id is its address (as many blogs write them).
        if item.localName == "entry", let id = child(item, "id") {
            let text = id.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.lowercased().hasPrefix("http://") || text.lowercased().hasPrefix("https://") { return (text, id) }
        }
        return (item.attribute("rdf:about") ?? item.attribute("about")).map { ($0, item) }
    }

    static func child(_ node: Node, _ name: String) -> Node? {
        node.elementChildren.first { $0.localName == name }
    }
}

/// What a feed file says of itself, before its items: its title, the site it follows, the address it
/// names as its own, and how many entries it holds. Read by the folder's index, the page a browser is
/// shown, and `feedpipe new`.
package struct FeedHead: Sendable, Equatable {
    /// The feed's title as written (`nil` when it has none).
    package var title: String?
    package var site: String?
    /// `rel="self"` or JSON Feed's `feed_url`.
    package var selfLink: String?
    package var entries: Int

    /// The head of an Atom or RSS file (either root is read whichever `format` says) or of a JSON Feed
    /// (which must name its version); `nil` for anything else.
    package static func read(_ bytes: [UInt8], as format: FeedFormat) -> FeedHead? {
        switch format {
        case .atom, .rss:
            guard let document = try? Document(xml: bytes, lenient: true), let root = document.root else { return nil }
            let channel = root.localName == "rss" ? root.elementChildren.first { $0.localName == "channel" } : root
            guard let channel, root.localName == "feed" || root.localName == "rss" else { return nil }
            let title = channel.elementChildren.first { $0.localName == "title" }?.text
            let site = channel.elementChildren.first { link in
                link.localName == "link" && (link.attribute("rel") ?? "alternate") == "alternate"
                    && (link.attribute("href") != nil || root.localName == "rss")
            }.map { $0.attribute("href") ?? $0.text }
            let published = channel.elementChildren.first { $0.localName == "link" && $0.attribute("rel") == "self" }?
                .attribute("href")
            let entries = channel.elementChildren.count { $0.localName == "entry" || $0.localName == "item" }
            return FeedHead(
                title: title.flatMap { $0.isEmpty ? nil : $0 }, site: site, selfLink: published, entries: entries)
        case .json:
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                (object["version"] as? String)?.hasPrefix("https://jsonfeed.org/version/") == true
            else { return nil }
            return FeedHead(
                title: object["title"] as? String, site: object["home_page_url"] as? String,
                selfLink: object["feed_url"] as? String, entries: (object["items"] as? [Any])?.count ?? 0)
        }
    }
}
