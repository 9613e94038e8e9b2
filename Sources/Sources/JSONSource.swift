import Feed
import Fetch
import Foundation
import Markup

/// `type: json`: items read from JSON — an API's answer (an array, or an object holding the items at the path
/// `items`), or JSON inside an HTML page (`script:` names the element; without it, Next.js `__NEXT_DATA__`,
/// JSON-LD `ItemList` and article lists, and `window.… = {…}` assignments are looked for). Each field is a
/// path into the item or a template (`JSONField`). Without field paths, the shapes that need none are read
/// as they are: a JSON Feed, the WordPress REST API's posts, JSON-LD.
package struct JSONSource: ItemSource {
    package static let type = "json"
    package static let aliases = ["api", "wordpress"]
    static let fieldKeys = [
        "link", "guid", "title", "date", "updated", "author", "summary", "content", "image", "categories",
        "enclosure",
    ]
    package static let keys = ["items", "script", "date_format", "timezone", "date_language"] + fieldKeys

    package let url: String
    /// Where the items are: `nil` for the answer itself (an array) or a shape found without one.
    package var items: JSONPath?
    /// The `<script>` (or other element) whose text holds the JSON, in an HTML page.
    package var script: Selector?
    package var fields: [String: JSONField] = [:]
    package var dates = DateReading()

    package init(url: String, settings: any SourceSettings) throws(SourceSettingsError) {
        self.url = url
        func keyed<T>(_ key: String, _ make: (String) throws(SourceSettingsError) -> T) throws(SourceSettingsError)
            -> T?
        {
            guard let text = try settings.string(key) else { return nil }
            do {
                return try make(text)
            } catch {
                throw SourceSettingsError(key: key, error.message)
            }
        }
        items = try keyed("items") { text throws(SourceSettingsError) in try JSONPath(text) }
        script = try settings.selector("script")
        for key in Self.fieldKeys {
            fields[key] = try keyed(key) { text throws(SourceSettingsError) in try JSONField(text) }
        }
        dates = try DateReading(settings: settings)
    }

    package var nothingOffered: String { "the JSON holds no items" + (items.map { " at '\($0)'" } ?? "") }

    package func items(in answer: Response?, reading: SourceReading) throws(SourceError) -> Offer {
        guard let answer else { return Offer(items: []) }
        var dates = dates
        dates.now = reading.now
        let root = try Self.json(in: answer, script: script, url: url)
        var warnings: [String] = []
        let found: [Item]
        if fields.isEmpty, items == nil, let known = Self.knownShape(root, base: answer.url, dates: dates) {
            found = known
        } else {
            let objects: [Any]
            if let items {
                objects = items.values(in: root)
            } else if let array = root as? [Any] {
                objects = array
            } else {
                throw SourceError(
                    "\(url): the JSON is an object; give 'items' with the path of its list of items (such as data.posts)"
                )
            }
            var unreadable: [String] = []
            found = objects.enumerated().compactMap { position, object in
                read(object, position: position, base: answer.url, dates: dates, unreadable: &unreadable)
            }
            if let warning = DateReading.warning(unreadable, source: url) { warnings.append(warning) }
        }
        return Offer(items: found, warnings: warnings)
    }

    /// One item from its JSON object by the pipeline's fields; `nil` when it gives neither link nor title
    /// nor content.
    func read(_ object: Any, position: Int, base: String?, dates: DateReading, unreadable: inout [String]) -> Item? {
        func text(_ key: String) -> String? {
            fields[key]?.texts(in: object).first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .flatMap { $0.isEmpty ? nil : $0 }
        }
        func address(_ value: String?) -> String? { value.flatMap { Self.absolute($0, base: base) } }
        func date(_ key: String) -> Date? {
            guard let value = fields[key]?.values(in: object).first else { return nil }
            if let date = dates.read(value) { return date }
            if let text = JSONPath.text(value), !text.isEmpty { unreadable.append(text) }
            return nil
        }
        var item = Item(link: address(text("link")), title: text("title").map(PlainText.words(ofHTML:)))
        item.guid = text("guid")
        item.published = date("date")
        item.updated = date("updated")
        item.authors = fields["author"]?.texts(in: object).map { PlainText.words($0) }.filter { !$0.isEmpty } ?? []
        item.summary = text("summary").map(PlainText.words(ofHTML:)).flatMap { $0.isEmpty ? nil : $0 }
        item.content = text("content")
        item.image = address(text("image"))
        item.categories =
            fields["categories"]?.texts(in: object).map { PlainText.words($0) }.filter { !$0.isEmpty } ?? []
        item.enclosures = fields["enclosure"]?.texts(in: object).compactMap(address).map { Enclosure(url: $0) } ?? []
        guard item.link != nil || item.title != nil || item.content != nil else { return nil }
        item.position = position
        return item
    }

    /// The JSON of an answer: the body itself, or in an HTML page the text of `script` (or of the first
    /// element holding item JSON that is found without one).
    package static func json(in answer: Response, script: Selector?, url: String) throws(SourceError) -> Any {
        let bytes = answer.body
        let first = bytes.first { $0 > 0x20 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
                throw SourceError("\(url): the answer starts as JSON but is not valid JSON")
            }
            return value
        }
        guard let document = try? Document(html: answer.text, url: answer.url), let root = document.root else {
            throw SourceError("\(url): neither JSON nor an HTML page holding JSON")
        }
        if let script {
            guard let node = root.select(script).first else {
                throw SourceError("\(url): '\(script.source)' matched no element of the page")
            }
            guard let value = embedded(node.text) else {
                throw SourceError("\(url): the text of '\(script.source)' is not JSON (nor an assignment of JSON)")
            }
            return value
        }
        for node in root.xpath(
            "//script[@id='__NEXT_DATA__' or @type='application/json' or @type='application/ld+json']")
        {
            if let value = embedded(node.text),
                knownShape(value, base: answer.url, dates: DateReading()) != nil
                    || node.attribute("id") == "__NEXT_DATA__"
            {
                return value
            }
        }
        for node in root.xpath("//script[not(@src)]") where node.text.contains("window.") {
            if let value = embedded(node.text) { return value }
        }
        throw SourceError("\(url): an HTML page with no item JSON found; give 'script' (the element that holds it)")
    }

    /// JSON in a script's text: the whole text, or what is assigned (`window.__STATE__ = {…};`).
    static func embedded(_ text: String) -> Any? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) { return value }
        guard let equals = trimmed.firstIndex(of: "="),
            let start = trimmed[equals...].firstIndex(where: { $0 == "{" || $0 == "[" })
        else { return nil }
        var body = trimmed[start...]
        while let last = body.last, last == ";" || last.isWhitespace { body = body.dropLast() }
        return try? JSONSerialization.jsonObject(with: Data(body.utf8))
    }

    /// The items of JSON whose shape says what each field is: a JSON Feed, WordPress REST posts, JSON-LD
    /// (an `ItemList`, or articles in a `@graph` or a list); `nil` for any other shape.
    package static func knownShape(_ root: Any, base: String?, dates: DateReading) -> [Item]? {
        if let object = root as? [String: Any], (object["version"] as? String)?.contains("jsonfeed.org") == true {
            return try? FeedReader.jsonFeedItems(in: object, url: base)
        }
        if let posts = root as? [[String: Any]], let first = posts.first, first["link"] is String,
            (first["title"] as? [String: Any])?["rendered"] != nil
        {
            return posts.enumerated().map { wordPress($1, position: $0, base: base, dates: dates) }
        }
        let ld = linkedData(root)
        guard !ld.isEmpty else { return nil }
        return ld.enumerated().compactMap { position, object in
            linkedDataItem(object, position: position, base: base, dates: dates)
        }
    }

    /// A post of the WordPress REST API (`/wp-json/wp/v2/posts`, with `_embed` for authors, terms and the
    /// featured image).
    static func wordPress(_ post: [String: Any], position: Int, base: String?, dates: DateReading) -> Item {
        func rendered(_ key: String) -> String? {
            ((post[key] as? [String: Any])?["rendered"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        }
        // `date_gmt` is UTC written without a zone; `date` is the site's local time.
        func gmt(_ key: String) -> Date? {
            (post[key + "_gmt"] as? String).flatMap { DateReading().read($0) }
                ?? (post[key] as? String).flatMap { dates.read($0) }
        }
        let embedded = post["_embedded"] as? [String: Any]
        var item = Item(
            link: (post["link"] as? String).flatMap { absolute($0, base: base) },
            title: rendered("title").map(PlainText.words(ofHTML:)), published: gmt("date"), updated: gmt("modified"))
        item.guid = rendered("guid")
        item.summary = rendered("excerpt").map(PlainText.words(ofHTML:)).flatMap { $0.isEmpty ? nil : $0 }
        item.content = rendered("content")
        item.authors = ((embedded?["author"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        let terms = (embedded?["wp:term"] as? [[[String: Any]]]) ?? []
        item.categories = terms.flatMap { $0 }.compactMap { term in
            (term["taxonomy"] as? String) == "category" ? term["name"] as? String : nil
        }
        item.image =
            ((embedded?["wp:featuredmedia"] as? [[String: Any]])?.first?["source_url"] as? String
            ?? post["jetpack_featured_media_url"] as? String).flatMap { absolute($0, base: base) }
        item.position = position
        return item
    }

    /// The article objects of JSON-LD: an `ItemList`'s elements, or objects typed as articles, in a
    /// `@graph`, a list, or alone.
    static func linkedData(_ root: Any) -> [[String: Any]] {
        let nodes: [[String: Any]]
        if let list = root as? [[String: Any]] {
            nodes = list
        } else if let object = root as? [String: Any] {
            nodes = (object["@graph"] as? [[String: Any]]) ?? [object]
        } else {
            return []
        }
        func types(_ object: [String: Any]) -> [String] {
            (object["@type"] as? String).map { [$0] } ?? (object["@type"] as? [String]) ?? []
        }
        for node in nodes where types(node).contains("ItemList") {
            let elements = (node["itemListElement"] as? [[String: Any]]) ?? []
            return elements.map { element in (element["item"] as? [String: Any]) ?? element }
        }
        let articles: Set<String> = [
            "Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle", "TechArticle", "PodcastEpisode",
            "VideoObject", "Event", "Product", "Recipe",
        ]
        let found = nodes.filter { !Set(types($0)).isDisjoint(with: articles) }
        return found.count >= 1 && (nodes.count > 1 || root is [Any]) ? found : []
    }

    static func linkedDataItem(_ object: [String: Any], position: Int, base: String?, dates: DateReading) -> Item? {
        func string(_ key: String) -> String? { (object[key]).flatMap(JSONPath.text) }
        let link = (string("url") ?? string("@id")).flatMap { absolute($0, base: base) }
        var item = Item(
            link: link, title: (string("headline") ?? string("name")).map(PlainText.words(ofHTML:)),
            published: object["datePublished"].flatMap { dates.read($0) },
            updated: object["dateModified"].flatMap { dates.read($0) })
        let authors = (object["author"] as? [Any]) ?? object["author"].map { [$0] } ?? []
        item.authors = authors.compactMap(JSONPath.text)
        item.summary = string("description").map(PlainText.words(ofHTML:))
        item.content = string("articleBody").map(PlainText.paragraphs)
        let image = (object["image"] as? [Any])?.first ?? object["image"]
        item.image = image.flatMap(JSONPath.text).flatMap { absolute($0, base: base) }
        if let keywords = object["keywords"] as? String {
            item.categories = keywords.split(separator: ",").map { PlainText.words($0) }.filter { !$0.isEmpty }
        } else {
            item.categories = ((object["keywords"] as? [Any]) ?? []).compactMap(JSONPath.text)
        }
        if let section = string("articleSection"), !item.categories.contains(section) {
            item.categories.insert(section, at: 0)
        }
        guard item.link != nil || item.title != nil else { return nil }
        item.position = position
        return item
    }

    /// An absolute http, https or file address.
    static func absolute(_ href: String, base: String?) -> String? {
        let trimmed = href.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty,
            let url = URL(string: trimmed, relativeTo: base.flatMap(URL.init(string:)))?.absoluteURL,
            let scheme = url.scheme?.lowercased(), ["http", "https", "file"].contains(scheme)
        else { return nil }
        return url.absoluteString
    }
}
