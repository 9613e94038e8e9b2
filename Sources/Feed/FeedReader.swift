import Foundation
import Markup

/// Reads the items of a feed: RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom (namespaces matched by local name, so
/// prefixed and default forms both work), or JSON Feed 1.0/1.1. Each item carries every field the feed gives
/// it: link, guid, title, dates, authors, summary, content, image, categories, enclosures and language.
public enum FeedReader {
    /// The items of a feed's bytes, whichever format they are in.
    public static func items(in bytes: [UInt8], url: String?) throws(SourceError) -> [Item] {
        if bytes.first(where: { $0 > 0x20 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }) == UInt8(ascii: "{") {
            return try jsonFeedItems(in: bytes, url: url)
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
        return items(in: document)
    }

    package static func items(in document: Document) -> [Item] {
        guard let root = document.root else { return [] }
        let base = document.url.flatMap(URL.init(string:))
        let channel = root.localName == "rss" ? child(root, "channel") : root
        // The feed's site, where its items without a link of their own are listed.
        let site = channel.flatMap { channel in
            channel.elementChildren.first { link in
                link.localName == "link" && (link.attribute("rel") ?? "alternate") == "alternate"
            }
        }.flatMap { link in absolute(link.attribute("href") ?? link.text, base: base) }
        let feedLanguage = (channel.flatMap { child($0, "language") }?.text ?? root.attribute("xml:lang"))
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        var seen = Set<String>()
        var items: [Item] = []
        for node in root.xpath("//*[local-name()='item' or local-name()='entry']") {
            // Atom feeds may set `xml:base` on the feed, the entry or the link itself (RFC 4287, 2).
            let itemBase = node.xmlBase.flatMap(URL.init(string:)) ?? base
            let url = link(of: node).flatMap { href, element in
                absolute(href, base: element.xmlBase.flatMap(URL.init(string:)) ?? base)
            }
            if let url, !seen.insert(url).inserted { continue }
            func text(_ name: String) -> String? {
                child(node, name).map { $0.text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
                    .flatMap { $0.isEmpty ? nil : $0 }
            }
            var item = Item(link: url, title: text("title"))
            item.guid = text("guid") ?? (node.localName == "entry" ? text("id") : nil)
            item.published =
                ["published", "pubDate", "issued", "date"].lazy.compactMap {
                    text($0).flatMap(Timestamp.parse)
                }.first
            item.updated = ["updated", "modified"].lazy.compactMap { text($0).flatMap(Timestamp.parse) }.first
            item.authors = authors(of: node)
            let body = content(of: node)
            item.content = body?.html
            // A short description beside a full body is the item's summary.
            if body?.name == "encoded" || body?.name == "content" {
                item.summary = (child(node, "description") ?? child(node, "summary")).map {
                    PlainText.words(ofHTML: $0.text)
                }
                .flatMap { $0.isEmpty ? nil : $0 }
            }
            item.image = image(of: node).flatMap { absolute($0, base: itemBase) }
            item.categories = categories(of: node)
            item.enclosures = enclosures(of: node, base: itemBase)
            item.language = node.attribute("xml:lang") ?? feedLanguage
            if url == nil { item.listedOn = site }
            guard url != nil || item.guid != nil || item.title != nil || item.content != nil else { continue }
            item.position = items.count
            items.append(item)
        }
        return items
    }

    /// Every author the item names: Atom's `author/name`, Dublin Core `creator`s, RSS's `author` (an address,
    /// often with the name in brackets: "jo@example.org (Jo Bloggs)").
    static func authors(of item: Node) -> [String] {
        var names: [String] = []
        for element in item.elementChildren where element.localName == "author" || element.localName == "creator" {
            var name = (child(element, "name") ?? element).text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let open = name.firstIndex(of: "("), name.hasSuffix(")"), name[..<open].contains("@") {
                name = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
            }
            if !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The item's categories: RSS `category` text, Atom `category` label or term, Dublin Core `subject`,
    /// Media RSS `keywords` are not (they are search words, not sections).
    static func categories(of item: Node) -> [String] {
        var found: [String] = []
        for element in item.elementChildren where element.localName == "category" || element.localName == "subject" {
            let name = (element.attribute("label") ?? element.attribute("term") ?? element.text)
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if !name.isEmpty, !found.contains(name) { found.append(name) }
        }
        return found
    }

    /// The files the item carries: RSS `enclosure`s, Atom `link rel="enclosure"`, and Media RSS `content`
    /// that is audio or video (also inside a `group`), with `itunes:duration` for a single one. Images are
    /// the item's image, not enclosures.
    static func enclosures(of item: Node, base: URL?) -> [Enclosure] {
        func isImage(_ type: String?, _ medium: String?) -> Bool {
            medium == "image" || type?.lowercased().hasPrefix("image/") == true
        }
        var found: [Enclosure] = []
        func add(_ href: String?, type: String?, length: String?, duration: Int?) {
            guard let href, let url = absolute(href, base: base), !found.contains(where: { $0.url == url }) else {
                return
            }
            let type = type.flatMap { $0.isEmpty ? nil : $0.lowercased() }
            found.append(
                Enclosure(
                    url: url, type: type, length: length.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil },
                    duration: duration))
        }
        for element in item.elementChildren {
            let type = element.attribute("type")
            if element.localName == "enclosure", !isImage(type, nil) {
                add(element.attribute("url"), type: type, length: element.attribute("length"), duration: nil)
            } else if element.localName == "link", element.attribute("rel") == "enclosure", !isImage(type, nil) {
                add(element.attribute("href"), type: type, length: element.attribute("length"), duration: nil)
            }
        }
        let media = item.elementChildren + (child(item, "group")?.elementChildren ?? [])
        for node in media where node.namespace == mediaRSS && node.localName == "content" {
            let medium = node.attribute("medium")
            guard !isImage(node.attribute("type"), medium),
                medium == "audio" || medium == "video"
                    || ["audio/", "video/"].contains(where: {
                        node.attribute("type")?.lowercased().hasPrefix($0) == true
                    })
            else { continue }
            add(
                node.attribute("url"), type: node.attribute("type"), length: node.attribute("fileSize"),
                duration: node.attribute("duration").flatMap(Enclosure.seconds))
        }
        if found.count == 1, found[0].duration == nil, let duration = child(item, "duration") {
            found[0].duration = Enclosure.seconds(duration.text)
        }
        return found
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
    static func content(of item: Node) -> (name: String, html: String)? {
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
                if html.contains(where: { !$0.isWhitespace }) { return (name, html) }
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

    /// JSON Feed (jsonfeed.org): each item's `url` (or `external_url`), `id`, `title`, dates, `authors` (or
    /// 1.0's `author`), `summary`, content, `image`, `tags`, `attachments` and `language`.
    static func jsonFeedItems(in bytes: [UInt8], url: String?) throws(SourceError) -> [Item] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw SourceError("\(url ?? "JSON Feed"): not a JSON Feed (not a JSON object)")
        }
        return try jsonFeedItems(in: object, url: url)
    }

    /// The items of a JSON Feed already parsed (JSON found by a JSON source).
    package static func jsonFeedItems(in object: [String: Any], url: String?) throws(SourceError) -> [Item] {
        let name = url ?? "JSON Feed"
        // Feeds written to 1.0's examples say http://; the specification's own address is https since 1.1.
        guard let version = (object["version"] as? String)?.lowercased(),
            version.hasPrefix("https://jsonfeed.org/version/") || version.hasPrefix("http://jsonfeed.org/version/")
        else {
            throw SourceError("\(name): not a JSON Feed (no jsonfeed.org 'version')")
        }
        guard let entries = object["items"] as? [[String: Any]] else {
            throw SourceError("\(name): JSON Feed 'items' is not a list of objects")
        }
        let base = url.flatMap(URL.init(string:))
        func string(_ value: Any?) -> String? {
            let text = (value as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.flatMap { $0.isEmpty ? nil : $0 }
        }
        var seen = Set<String>()
        var items: [Item] = []
        for entry in entries {
            let address = (string(entry["url"]) ?? string(entry["external_url"])).flatMap { absolute($0, base: base) }
            if let address, !seen.insert(address).inserted { continue }
            let authors = (entry["authors"] as? [[String: Any]]) ?? (entry["author"] as? [String: Any]).map { [$0] }
            var item = Item(
                link: address, title: string(entry["title"]),
                published: string(entry["date_published"]).flatMap(Timestamp.parse),
                updated: string(entry["date_modified"]).flatMap(Timestamp.parse),
                authors: authors?.compactMap { string($0["name"]) } ?? [])
            item.guid = string(entry["id"]) ?? (entry["id"] as? NSNumber)?.stringValue
            item.content =
                string(entry["content_html"]) ?? string(entry["content_text"]).map(PlainText.paragraphs)
            item.summary = string(entry["summary"]).map(PlainText.words)
            if item.content == nil { item.content = item.summary.map(PlainText.paragraphs) }
            item.image = (string(entry["image"]) ?? string(entry["banner_image"])).flatMap { absolute($0, base: base) }
            item.categories = (entry["tags"] as? [Any])?.compactMap(string) ?? []
            item.enclosures = (entry["attachments"] as? [[String: Any]] ?? []).compactMap { attachment in
                guard let href = string(attachment["url"]), let url = absolute(href, base: base) else { return nil }
                return Enclosure(
                    url: url, type: string(attachment["mime_type"]),
                    length: (attachment["size_in_bytes"] as? NSNumber)?.intValue,
                    duration: (attachment["duration_in_seconds"] as? NSNumber)?.intValue)
            }
            item.language = string(entry["language"]) ?? string(object["language"])
            if address == nil { item.listedOn = string(object["home_page_url"]).flatMap { absolute($0, base: base) } }
            guard address != nil || item.guid != nil || item.title != nil || item.content != nil else { continue }
            item.position = items.count
            items.append(item)
        }
        return items
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

    package init(title: String?, site: String?, selfLink: String?, entries: Int) {
        self.title = title
        self.site = site
        self.selfLink = selfLink
        self.entries = entries
    }

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
