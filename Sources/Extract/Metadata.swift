import Foundation
import Markup

/// Title, author, dates, lead image, language and canonical URL, read from JSON-LD, then OpenGraph and
/// other meta tags, then `<time>` and the page itself, in that order of trust.
struct Metadata {
    var title: String?
    var author: String?
    var published: Date?
    var modified: Date?
    /// The day the page's address names, for a page that gives no date of its own.
    var addressDate: Date?
    var image: String?
    var language: String?
    var url: String?
    var siteName: String?
    var description: String?
    /// The article's text as the page's JSON-LD gives it (often cut short; pages drawn by scripts may have
    /// no other copy), its entities not yet decoded: it is seldom used.
    var rawArticleBody: String?
    /// Whether the page says it sells a product (JSON-LD `Product`, `og:type` product) and names no article.
    var isProductPage = false
    /// The page's audio and video files, absolute.
    var media: [MediaFile] = []

    init(document: Document) {
        var meta: [String: String] = [:]
        var canonical: String?
        var jsonLD: [[String: Any]] = []
        // JSON-LD that names no article but dates the page (a `WebPage`), read only when nothing else does.
        var datedScripts: [String] = []
        // JSON-LD that may name a product, read only when no script names an article.
        var productScripts: [String] = []
        var firstTime: String?
        var otherPublished: String?
        var citationAuthors: [String] = []
        var documentTitle: String?
        var headingNode: Node?
        // Byline links, for pages whose metadata names no author: `rel="author"`, as the HTML standard
        // defines it, or else a link to an author page, as blog engines write their bylines.
        // Only the first few of each are kept, and read only when the metadata names nobody.
        var authorLinks: [Node] = []
        var authorPageLinks: [Node] = []
        var players: [Node] = []

        // Only scripts that name an article type are worth decoding (some pages carry tens of kilobytes of
        // breadcrumbs and organisation data).
        func readStructuredData(_ json: String) {
            let bytes = Array(json.utf8)
            if Self.articleTypeWords.contains(where: { TextBytes.contains(bytes, $0) }) {
                jsonLD.append(contentsOf: Self.articleObjects(in: json, page: document.url))
            } else if TextBytes.contains(bytes, Self.datePublishedWord) {
                datedScripts.append(json)
            }
            if TextBytes.contains(bytes, Self.productWord) { productScripts.append(json) }
        }
        if let root = document.root {
            for node in root.descendants where node.tag(in: Self.metadataTags) {
                if node.is("meta") {
                    let key = (node.attribute("property") ?? node.attribute("name") ?? node.attribute("itemprop"))?
                        .lowercased()
                    // JSON-LD in a `<meta name="script:ld+json">`: what Next.js renders for structured data
                    // handed to its `other` metadata field, a common mistake. WCXB dev articles: day
                    // published 0.873 → 0.874 and title 0.801 → 0.802 (one page); scrapinghub has none.
                    if key == "script:ld+json" {
                        if let content = node.attribute("content") { readStructuredData(content) }
                        continue
                    }
                    // Scholarly pages name each author in a `citation_author` of its own (Highwire Press tags,
                    // which Google Scholar reads). WCXB dev articles: author 0.820 → 0.825 (three papers; a
                    // fourth gives its authors surname first, as annotated the other way round).
                    if key == "citation_author", let content = node.attribute("content")?.trimmed, !content.isEmpty {
                        citationAuthors.append(content)
                    }
                    if let key, let content = node.attribute("content")?.trimmed, !content.isEmpty,
                        meta[key] == nil
                    {
                        meta[key] = content
                        // A publication date under a name of the site's own (`w-published-date`).
                        if otherPublished == nil, TextBytes.contains(key, "publish"),
                            TextBytes.contains(key, "date") || TextBytes.contains(key, "time"),
                            !TextBytes.contains(key, "modif"), !TextBytes.contains(key, "updat")
                        {
                            otherPublished = content
                        }
                    }
                    if let equiv = node.attribute("http-equiv")?.lowercased(), equiv == "content-language",
                        let content = node.attribute("content")
                    {
                        meta["content-language"] = content
                    }
                } else if node.is("link") {
                    if canonical == nil, node.attribute("rel")?.lowercased() == "canonical" {
                        canonical = node.attribute("href")
                    }
                } else if node.is("script") {
                    if node.attribute("type").map({ TextBytes.contains($0.lowercased(), "ld+json") }) == true {
                        readStructuredData(node.text)
                    }
                } else if node.is("time") {
                    if firstTime == nil { firstTime = node.attribute("datetime") }
                } else if node.is("title") {
                    if documentTitle == nil { documentTitle = node.text.collapsedWhitespace }
                } else if node.is("h1") {
                    if headingNode == nil { headingNode = node }
                } else if node.is("audio") || node.is("video") {
                    if players.count < 4 { players.append(node) }
                } else if authorLinks.count < 3, node.hasAttributes {
                    if node.attribute("rel", contains: "author") {
                        authorLinks.append(node)
                    } else if authorPageLinks.count < 3, Self.isAuthorPage(node) {
                        authorPageLinks.append(node)
                    }
                }
            }
        }

        let ld = jsonLD.first ?? [:]
        let firstHeading = headingNode?.text.collapsedWhitespace
        let citedAuthors = citationAuthors.isEmpty ? nil : citationAuthors.joined(separator: ", ")
        title =
            Self.string(ld["headline"]) ?? Self.string(ld["name"])
            ?? meta["og:title"] ?? meta["twitter:title"] ?? meta["dc.title"]
            ?? firstHeading.flatMap { $0.isEmpty ? nil : $0 }
            ?? documentTitle.map(Self.withoutSiteName)
        author =
            Self.author(ld["author"]) ?? meta["author"] ?? meta["article:author"].flatMap(Self.nameNotURL)
            ?? meta["dc.creator"] ?? citedAuthors ?? meta["parsely-author"] ?? meta["sailthru.author"] ?? meta["byl"]
            .map(Self.withoutBy) ?? (authorLinks + authorPageLinks).lazy.compactMap(Self.bylineName).first
        published =
            [
                Self.string(ld["datePublished"]), meta["article:published_time"], meta["datepublished"],
                meta["pubdate"], meta["publishdate"], meta["publish-date"], meta["date"], meta["dc.date"],
                meta["dc.date.issued"], meta["parsely-pub-date"], meta["sailthru.date"], meta["og:published_time"],
                meta["og:article:published_time"], meta["published"], meta["publish_date"], meta["published_date"],
                meta["date_published"], meta["publication_date"], meta["article.published"], meta["dcterms.created"],
                meta["dcterms.date"], meta["citation_publication_date"], meta["citation_date"],
                otherPublished, firstTime, Self.string(ld["dateCreated"]),
            ].lazy.compactMap { $0.flatMap(Timestamp.parse) }.first
        modified =
            [
                Self.string(ld["dateModified"]), meta["article:modified_time"], meta["og:updated_time"],
                meta["datemodified"], meta["last-modified"], meta["og:article:modified_time"], meta["dcterms.modified"],
                meta["modified"], meta["date_modified"], meta["last_modified"],
            ].lazy.compactMap { $0.flatMap(Timestamp.parse) }.first
        image =
            Self.image(ld["image"]) ?? meta["og:image"] ?? meta["og:image:url"] ?? meta["twitter:image"]
            ?? meta["twitter:image:src"]
        language =
            document.root?.attribute("lang") ?? document.root?.attribute("xml:lang")
            ?? Self.string(ld["inLanguage"]) ?? meta["content-language"] ?? meta["og:locale"]
        language = language.flatMap(Self.languageTag)
        url = canonical ?? meta["og:url"] ?? Self.string(ld["url"])
        siteName = meta["og:site_name"] ?? Self.string((ld["publisher"] as? [String: Any])?["name"])
        description =
            meta["og:description"] ?? meta["description"] ?? meta["twitter:description"]
            ?? Self.string(ld["description"])
        rawArticleBody = ld["articleBody"] as? String
        let ogType = meta["og:type"]?.lowercased()
        isProductPage =
            jsonLD.isEmpty
            && (ogType == "product" || ogType == "og:product" || ogType == "product.item"
                || productScripts.contains { !Self.objects(in: $0) { Self.types(of: $0).contains("Product") }.isEmpty })

        // Against `<base href>` as the body's links are (an RSS enclosure must not become a file: URL).
        if let base = document.baseURL {
            url = url.flatMap { URLResolver(base: base).resolve($0) }
        }
        let base = Self.base(of: document, canonical: url)
        if let base { image = image.flatMap { URLResolver(base: base).resolve($0) } }
        media = Self.media(players: players, meta: meta, base: base)
        if published == nil,
            let dated = datedScripts.lazy.flatMap({ Self.objects(in: $0) { $0["datePublished"] != nil } }).first
        {
            published = Self.string(dated["datePublished"]).flatMap(Timestamp.parse)
            modified = modified ?? Self.string(dated["dateModified"]).flatMap(Timestamp.parse)
        }
        // Metadata that dates the page days after the day shown beside its title has been stamped again
        // (republished, migrated, re-saved by its CMS): readers are told the day beside the title, and the
        // later stamp is the page's update. WCXB dev articles: day published 0.860 → 0.873 (nine pages right,
        // one wrong: a `<time>` whose text and value disagree); three forum threads are dated by their first
        // post rather than their last; scrapinghub has no dates.
        if let stamped = published, let body = document.body,
            let shown = VisibleDate.besideTitle(in: body, heading: headingNode, firstDatelineOnly: true).published,
            shown < stamped.addingTimeInterval(-2 * 86_400)
        {
            published = shown
            modified = max(modified ?? stamped, stamped)
        }
        // The date the page shows, for a page whose metadata dates nothing (WCXB dev articles: the day of
        // publication found on 0.65 of dated pages before, see Benchmarks/README.md for after).
        // A dated address (`/2022/11/14/slug`) is trusted before a date read from the page's text.
        if published == nil { addressDate = (url ?? document.url).flatMap(Self.dateInPath) }
        if published == nil, addressDate == nil, let body = document.body {
            let shown = VisibleDate.find(in: body, heading: headingNode)
            published = shown.published
            modified = modified ?? shown.modified
        }
        author = author.flatMap(Self.plausibleAuthor)
        // A byline the page shows, when the metadata names nobody or only the site itself.
        if author == nil || (author != nil && author?.collapsedWhitespace.lowercased() == siteName?.lowercased()),
            let body = document.body, let shown = Byline.find(in: body, heading: headingNode)
        {
            author = shown
        }
        title = title.map {
            Self.cleanTitle($0.collapsedWhitespace, heading: firstHeading, site: siteName, url: url ?? document.url)
        }
        author = author?.collapsedWhitespace
    }

    /// The day a dated address names, as blog engines and many news sites write them: `/2022/11/14/slug`,
    /// or `/2022-11-14-slug`.
    static func dateInPath(_ address: String) -> Date? {
        guard let path = URLComponents(string: address)?.path else { return nil }
        let parts = path.split(separator: "/")
        for part in parts where part.utf8.count >= 10 {
            let head = part.utf8.prefix(11)
            let digits = head.enumerated().allSatisfy { index, byte in
                switch index {
                case 4, 7: byte == UInt8(ascii: "-")
                case 10: !(0x30...0x39).contains(byte)
                default: (0x30...0x39).contains(byte)
                }
            }
            guard digits, let date = Timestamp.parse(String(part.prefix(10))),
                (1995...2100).contains(Int(part.prefix(4)) ?? 0)
            else { continue }
            return date
        }
        for start in parts.indices.dropLast(2) {
            guard parts[start].count == 4, let year = Int(parts[start]), (1995...2100).contains(year),
                (1...2).contains(parts[start + 1].count), let month = Int(parts[start + 1]), (1...12).contains(month),
                (1...2).contains(parts[start + 2].count), let day = Int(parts[start + 2]), (1...31).contains(day)
            else { continue }
            return Timestamp.day(year: year, month: month, day: day)
        }
        return nil
    }

    /// The elements metadata is read from.
    /// What a page's relative addresses resolve against: its `<base href>` or its own address, but for a
    /// saved page (a `file:` address) that names its canonical address on the web, that address, where its
    /// images and links really are.
    static func base(of document: Document, canonical: String?) -> String? {
        let base = document.baseURL
        guard base?.hasPrefix("file:") == true, let canonical,
            canonical.hasPrefix("https://") || canonical.hasPrefix("http://")
        else { return base }
        return canonical
    }

    static let metadataTags = TagSet(["meta", "link", "script", "time", "title", "h1", "a", "audio", "video"])

    /// The files of a page's `<audio>` and `<video>` players (their `src`, else their first `<source>`), then
    /// those OpenGraph names (`og:audio`, `og:video`, with their `:type`): an episode page's recording.
    /// Only http and https addresses: a `blob:` stream or a `data:` clip is no file to enclose.
    static func media(players: [Node], meta: [String: String], base: String?) -> [MediaFile] {
        var found: [MediaFile] = []
        func add(_ address: String?, type: String?) {
            guard let address, let url = URLResolver(base: base).resolve(address),
                url.hasPrefix("https://") || url.hasPrefix("http://"), !found.contains(where: { $0.url == url })
            else { return }
            found.append(MediaFile(url: url, type: type.flatMap { $0.isEmpty ? nil : $0.lowercased() }))
        }
        for player in players {
            if let source = player.attribute("src") {
                add(source, type: nil)
            } else if let source = player.elementChildren.first(where: { $0.is("source") && $0.hasAttribute("src") }) {
                add(source.attribute("src"), type: source.attribute("type"))
            }
        }
        for kind in ["og:audio", "og:video"] {
            add(
                meta[kind + ":secure_url"] ?? meta[kind + ":url"] ?? meta[kind],
                type: meta[kind + ":type"])
        }
        return found
    }

    /// Whether a link leads to one author's page (`/author/jane-doe/`, `/authors/…`, `/autor/…`), not to
    /// the list of them.
    static func isAuthorPage(_ link: Node) -> Bool {
        guard link.attribute("href", contains: "/aut"), let href = link.attribute("href") else { return false }
        for prefix in ["/author/", "/authors/", "/autor/", "/auteur/"] {
            if let range = href.range(of: prefix), href[range.upperBound...].contains(where: \.isLetter) { return true }
        }
        return false
    }

    /// A byline link's text when it reads as a person's name: a few words, no address.
    static func bylineName(_ link: Node) -> String? {
        let text = withoutBy(link.text.collapsedWhitespace)
        let words = text.split(separator: " ").count
        return (1...5).contains(words) && text.count <= 60 && !text.contains("://") && !text.contains("@") ? text : nil
    }

    // MARK: JSON-LD

    /// Article-like objects in a JSON-LD script, including those inside `@graph` arrays.
    static func articleObjects(in json: String, page: String? = nil) -> [[String: Any]] {
        objects(in: json, page: page) { types(of: $0).contains(where: articleTypes.contains) }
    }

    static let datePublishedWord = Array("datePublished".utf8)

    /// The objects of a JSON-LD text (in lists, `@graph` and `mainEntity` too) that `wanted` accepts; of a
    /// `Blog`'s list of posts, only the one whose address is the page's.
    static func objects(in json: String, page: String? = nil, where wanted: ([String: Any]) -> Bool)
        -> [[String: Any]]
    {
        guard let data = json.data(using: .utf8),
            let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return [] }
        let pageKey = page.map(addressKey)
        var found: [[String: Any]] = []
        func visit(_ value: Any, depth: Int) {
            guard depth < 6 else { return }
            if let array = value as? [Any] {
                for element in array { visit(element, depth: depth + 1) }
            } else if let object = value as? [String: Any] {
                if wanted(object) { found.append(object) }
                if let graph = object["@graph"] { visit(graph, depth: depth + 1) }
                if let main = object["mainEntity"] { visit(main, depth: depth + 1) }
                if let pageKey, let posts = object["blogPost"] as? [[String: Any]],
                    let post = posts.first(where: { addresses(of: $0).map(addressKey).contains(pageKey) })
                {
                    visit(post, depth: depth + 1)
                }
            }
        }
        visit(value, depth: 0)
        return found
    }

    /// The addresses a JSON-LD object gives itself: `url`, `@id`, and its `mainEntityOfPage`'s.
    private static func addresses(of object: [String: Any]) -> [String] {
        var found = [object["url"], object["@id"]].compactMap { $0 as? String }
        if let main = object["mainEntityOfPage"] as? String { found.append(main) }
        if let main = object["mainEntityOfPage"] as? [String: Any] {
            found += [main["@id"], main["url"]].compactMap { $0 as? String }
        }
        return found
    }

    /// An address without its scheme, fragment and final slash, to compare two spellings of one page.
    private static func addressKey(_ address: String) -> String {
        var key = Substring(address.lowercased())
        if let fragment = key.firstIndex(of: "#") { key = key[..<fragment] }
        if let scheme = key.range(of: "://") { key = key[scheme.upperBound...] }
        if key.hasPrefix("www.") { key = key.dropFirst(4) }
        while key.hasSuffix("/") { key = key.dropLast() }
        return String(key)
    }

    static let articleTypes: Set<String> = [
        "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
        "ReviewNewsArticle", "BackgroundNewsArticle", "TechArticle", "ScholarlyArticle", "Report", "LiveBlogPosting",
        "SocialMediaPosting", "Review", "Recipe",
    ]

    static let productWord = Array("\"Product\"".utf8)

    /// The `@type` of a JSON-LD object, as a list.
    static func types(of object: [String: Any]) -> [String] {
        (object["@type"] as? String).map { [$0] } ?? (object["@type"] as? [String]) ?? []
    }

    static let articleTypeWords = ["Article", "Posting", "Report", "Review", "Recipe"].map { Array($0.utf8) }

    static func string(_ value: Any?) -> String? {
        if let text = value as? String {
            let trimmed = decodingEntities(text).trimmed
            return trimmed.isEmpty ? nil : trimmed
        }
        if let array = value as? [Any] { return array.lazy.compactMap { string($0) }.first }
        return nil
    }

    static func author(_ value: Any?) -> String? {
        if let text = string(value) { return nameNotURL(text) }
        if let object = value as? [String: Any] { return string(object["name"]) }
        if let array = value as? [Any] {
            let names = array.compactMap { author($0) }
            return names.isEmpty ? nil : names.joined(separator: ", ")
        }
        return nil
    }

    static func image(_ value: Any?) -> String? {
        if let text = string(value) { return text }
        if let object = value as? [String: Any] { return string(object["url"]) ?? string(object["contentUrl"]) }
        if let array = value as? [Any] { return array.lazy.compactMap { image($0) }.first }
        return nil
    }

    // MARK: Clean-up

    /// JSON-LD is often written by templates that HTML-escape it: `&#163;`, `&amp;`, `&quot;`.
    static func decodingEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let tail = rest[ampersand...]
            guard let semicolon = tail.prefix(12).firstIndex(of: ";") else {
                result += "&"
                rest = tail.dropFirst()
                continue
            }
            let name = tail[tail.index(after: ampersand)..<semicolon]
            var scalar: Unicode.Scalar?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
            } else if name.hasPrefix("#") {
                scalar = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init)
            } else {
                scalar = namedEntities[String(name)]
            }
            if let scalar {
                result.unicodeScalars.append(scalar)
                rest = tail[tail.index(after: semicolon)...]
            } else {
                result += "&"
                rest = tail.dropFirst()
            }
        }
        return result + rest
    }

    static let namedEntities: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "pound": "£", "euro": "€",
        "mdash": "—", "ndash": "–", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "hellip": "…", "bull": "•",
        "middot": "·", "raquo": "»", "laquo": "«", "copy": "©", "reg": "®", "trade": "™",
    ]

    /// A metadata author as a name: without a byline's "By" / "Articles by" and stray punctuation; `nil`
    /// for what names nobody (an address, a number, an empty string).
    static func plausibleAuthor(_ text: String) -> String? {
        var name = text.collapsedWhitespace
        // "By …", and a label ("Author: …"; WCXB dev articles: two pages right).
        if let prefix = Byline.prefix(of: name),
            prefix.hasSuffix("by") || name.dropFirst(prefix.count).first == ":"
        {
            name = String(name.dropFirst(prefix.count))
        }
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: " ,;:|-\u{A0}"))
        // A name with the author's role after a dash or a bar ("David Jackson - FullStack Editorial Team").
        // WCXB dev articles: one page right, and one wrong whose annotation keeps the newsroom after the bar.
        for separator in [" - ", " – ", " — ", " | "] {
            if let range = name.range(of: separator),
                (2...4).contains(name[..<range.lowerBound].split(separator: " ").count)
            {
                name = String(name[..<range.lowerBound])
            }
        }
        guard !name.isEmpty, !name.contains("://"), !name.allSatisfy({ $0.isNumber || $0 == " " }),
            !["undefined", "null", "none", "admin"].contains(name.lowercased())
        else { return nil }
        return name
    }

    static func nameNotURL(_ text: String) -> String? {
        text.hasPrefix("http://") || text.hasPrefix("https://") ? nil : text
    }

    static func withoutBy(_ text: String) -> String {
        text.range(of: "^by\\s+", options: [.regularExpression, .caseInsensitive]).map {
            String(text[$0.upperBound...])
        }
            ?? text
    }

    /// The title readers see: the page's `<h1>` when the metadata title is that heading with the site's
    /// name around it, else the metadata title with a trailing or leading segment that names the site
    /// (its `og:site_name` or its host) cut off: "Story | Site", "Story - site.com", "Site: Story".
    /// WCXB dev articles: title 0.612 → see Benchmarks/README.md.
    static func cleanTitle(_ title: String, heading: String?, site: String?, url: String?) -> String {
        let title = decodingEntities(title)
        // Letters and digits only, ASCII lower-cased (other scripts' bytes kept as they are).
        func squeezed(_ text: String) -> String {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for byte in text.utf8 {
                switch byte {
                case 0x30...0x39, 0x61...0x7A, 0x80...: bytes.append(byte)
                case 0x41...0x5A: bytes.append(byte | 0x20)
                default: break
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let flatTitle = squeezed(title)
        // The headline readers see, the page's first `<h1>`, when it shares most of its words (three at least)
        // with the metadata title: a title written for search engines or for sharing says the same at greater
        // or lesser length. WCXB dev articles: title 0.802 → 0.856 (67 pages right, 23 wrong whose annotation
        // is the metadata title); the text moves a little, as the heading now leaves the body more often
        // (scrapinghub P 0.970 → 0.971; WCXB articles P 0.940 → 0.941, services 0.788 → 0.787).
        // A documentation generator's permalink mark ("¶") after the heading is not part of it (WCXB dev:
        // seven documentation pages' titles right).
        let heading = heading.map {
            decodingEntities($0).collapsedWhitespace.trimmingCharacters(in: CharacterSet(charactersIn: "¶§# "))
        }
        let flatHeading = heading.map(squeezed)
        let namesSiteOnly = flatHeading == site.map(squeezed)
        if let heading, heading != title, !namesSiteOnly {
            func words(_ text: String) -> Set<String> {
                Set(text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
            }
            let headingWords = words(heading)
            let titleWords = words(title)
            let shared = headingWords.intersection(titleWords).count
            // Not a heading that is the title with a date or a byline run into it, nor one in capitals where
            // the title is not (a style sheet's capitals, or a section's label).
            var addsDateline = false
            if let range = heading.range(of: title, options: .caseInsensitive) {
                let extra = heading.replacingCharacters(in: range, with: " ")
                addsDateline =
                    VisibleDate.firstDate(in: extra) != nil || Byline.startsWithBy(extra.trimmed)
                    || extra.lowercased().contains("posted")
            }
            let shouts = heading == heading.uppercased() && title != title.uppercased()
            // Most of the heading's words, or most of the title's when the heading is at most twice as long
            // (WCXB dev: one service page whose heading runs on past its title is passed over).
            if headingWords.count >= 3, shared >= 3, !addsDateline, !shouts,
                shared * 5 >= headingWords.count * 3
                    || (shared * 5 >= titleWords.count * 3 && headingWords.count <= titleWords.count * 2)
            {
                return heading
            }
        }
        if let heading, let flatHeading, heading.count * 2 >= title.count, heading.count < title.count {
            if !flatHeading.isEmpty, !namesSiteOnly,
                flatTitle.hasPrefix(flatHeading) || flatTitle.hasSuffix(flatHeading)
            {
                return heading
            }
        }
        // Names the site goes by: its own, and its host without "www." and the top-level domain.
        var names = Set<String>()
        if let site, !squeezed(site).isEmpty { names.insert(squeezed(site)) }
        if let host = url.flatMap({ URL(string: $0)?.host?.lowercased() }) {
            let labels = host.split(separator: ".").filter { $0 != "www" }
            if labels.count >= 2 { names.insert(squeezed(labels.dropLast().joined())) }
            names.insert(squeezed(host))
            if let main = labels.dropLast().last { names.insert(squeezed(String(main))) }
        }
        guard !names.isEmpty else { return title }
        func namesSite(_ segment: String) -> Bool {
            let flat = squeezed(segment)
            return !flat.isEmpty
                && names.contains { $0 == flat || (flat.count >= 4 && ($0.hasPrefix(flat) || flat.hasPrefix($0))) }
        }
        for separator in [" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", ": "]
        where TextBytes.contains(title, separator) {
            var parts = title.components(separatedBy: separator)
            guard parts.count >= 2 else { continue }
            if let last = parts.last, namesSite(last) {
                parts.removeLast()
                return parts.joined(separator: separator).trimmed
            }
            if separator != ": ", let first = parts.first, namesSite(first) {
                parts.removeFirst()
                return parts.joined(separator: separator).trimmed
            }
        }
        return title
    }

    /// "Headline | Site" → "Headline": the longest part when the title has a separator.
    static func withoutSiteName(_ title: String) -> String {
        for separator in [" | ", " - ", " – ", " — ", " :: ", " · "] where title.contains(separator) {
            let parts = title.components(separatedBy: separator)
            if let longest = parts.max(by: { $0.count < $1.count }), longest.split(separator: " ").count >= 3 {
                return longest.trimmed
            }
        }
        return title
    }

    /// "en_US" → "en-US"; nil for values that are not language tags.
    static func languageTag(_ value: String) -> String? {
        var tag = value.trimmed
        if tag.utf8.contains(UInt8(ascii: "_")) { tag = tag.replacingOccurrences(of: "_", with: "-") }
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard !tag.isEmpty, tag.count <= 35, let primary = parts.first, (2...8).contains(primary.count),
            primary.allSatisfy({ $0.isASCII && $0.isLetter }),
            parts.dropFirst().allSatisfy({
                (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            })
        else { return nil }
        return tag
    }
}
