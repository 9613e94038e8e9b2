import Extract
import Feed
import Foundation
import Markup

/// Normalize: an item (what its source gave) and, when its page was read, the page's `Article` become a
/// feed `Entry`. The one place that decides each field; no I/O, and no HTML parsed that a stage before
/// parsed (an item's own body is parsed here, once, when it is the entry's body).
///
/// Precedence, field by field:
/// - **title, authors, categories, dates**: the item's, as its source states them; the page's fill what the
///   item lacks (a page's address date last). The text of the link that led to the page is a title only
///   when neither has one.
/// - **body**: the page's extraction (the full text), unless the item's own body has more than twice its
///   text (a full-content feed over a teaser page); the item's body when the page is not read.
/// - **summary**: the item's, else the body's first sentences.
/// - **link**: the page's canonical URL on the same site, else the item's link, else the page that lists an
///   item without one (to its row's anchor), else the entry's id (a `urn:`); never a `file:` address
///   (a saved page without a web address has no link, and no local image or file goes into a feed).
/// - **image, language**: the page's, else the item's.
/// - **enclosures**: the item's, then the page's audio and video not already among them.
package enum EntryMaker {
    /// The id of an item and its page (`nil`: not read): from the link (or the page's canonical address on its
    /// host, see above), else from the item's guid, else from its title and body. An item whose page made an
    /// entry before keeps that entry's id (`decidedID`), so that a canonical address that comes and goes does
    /// not fork it. Known before the entry is made, so that when the entry was first seen can be looked up.
    package static func id(of item: Item, page: Article?, decidedID: String? = nil) -> String {
        if let decidedID, item.link != nil { return decidedID }
        if let found = canonical(page?.url, of: item.link) ?? item.link { return StableID.uuid(for: found) }
        if let guid = item.guid { return StableID.uuid(for: "guid " + guid) }
        return StableID.uuid(for: "item " + (item.title ?? "") + "\n" + (item.content ?? item.summary ?? ""))
    }

    /// The entry for an item and its page (`nil`: not read), under the `id` that `id(of:page:decidedID:)`
    /// gave them; an entry with no date of its own is dated when it was first seen (`firstSeen`). With the
    /// entry comes its body as plain text (for filters). `nil` when there is nothing to publish: no page
    /// text, no item body, no summary and no title.
    package static func entry(
        item: Item, article page: Article?, rules: ExtractionRules, rewrites: [Rewrite] = [], id: String,
        firstSeen: Date
    ) -> (entry: Entry, text: String)? {
        let own = itemBody(item, rules: rules, unlessShorterThan: page)
        let article = page.map { page in
            guard let own else { return page }
            var page = page
            page.html = own.html
            page.text = own.text
            return page
        }
        let body: (html: String, text: String)? =
            article.flatMap { $0.text.isEmpty && $0.html.isEmpty ? nil : ($0.html, $0.text) } ?? own
        guard body != nil || item.summary != nil || item.title != nil || item.linkText != nil else { return nil }
        let found = canonical(article?.url, of: item.link) ?? item.link
        // A feed names no file of this machine: a saved page without a web address has no link.
        let address = found.flatMap(publishable) ?? item.listedOn.flatMap(publishable)
        let summary = item.summary ?? body.flatMap { Summary.sentences(of: $0.text, limit: 400) }
        let published =
            item.published ?? article?.published ?? article?.addressDate ?? item.updated ?? article?.modified
        var enclosures = item.enclosures.filter { publishable($0.url) != nil }
        for file in article?.media ?? [] where !enclosures.contains(where: { $0.url == file.url }) {
            enclosures.append(Enclosure(url: file.url, type: file.type))
        }
        let entry = Entry(
            id: id,
            title: item.title ?? article?.title ?? item.linkText ?? address ?? summary.map { String($0.prefix(80)) }
                ?? "Untitled",
            // An entry with no web address names its id, not a path of this machine: feed readers want a
            // link on every entry, and a urn: one leads nowhere rather than somewhere private.
            link: address ?? id,
            author: item.authors.isEmpty ? article?.author : item.authors.joined(separator: ", "),
            published: published,
            updated: item.updated ?? article?.modified ?? published ?? firstSeen,
            summary: summary, content: body?.html, image: (article?.image ?? item.image).flatMap(publishable),
            language: article?.language ?? item.language, categories: item.categories, enclosures: enclosures,
            position: item.position)
        return (Rewrite.apply(rewrites, to: entry), body?.text ?? "")
    }

    /// An address as a feed may publish it: any but this machine's files (`file:`).
    static func publishable(_ address: String) -> String? {
        address.utf8.count >= 5 && address.prefix(5).lowercased() == "file:" ? nil : address
    }

    /// A page's canonical URL when it may stand for the item's link: on the link's host, or any web address
    /// for a saved page (a `file:` link), whose canonical is its real address. `nil` otherwise.
    static func canonical(_ canonical: String?, of link: String?) -> String? {
        guard let canonical, let canonicalURL = URL(string: canonical) else { return nil }
        let linkURL = link.flatMap(URL.init(string:))
        if linkURL == nil || linkURL?.isFileURL == true {
            return canonicalURL.scheme?.hasPrefix("http") == true && linkURL != nil ? canonical : nil
        }
        return canonicalURL.host == linkURL?.host ? canonical : nil
    }

    /// The item's own body, made safe as a page's is (the pipeline's removals and boilerplate rules apply),
    /// or `nil` when it has none with text. With `page`, only when the page's text is less than half as long.
    static func itemBody(_ item: Item, rules: ExtractionRules, unlessShorterThan page: Article?) -> (
        html: String, text: String
    )? {
        guard let content = item.content else { return nil }
        // The body's bytes are more than its text: a page with half as much text as those is long enough.
        if let page, page.text.utf8.count * 2 >= content.utf8.count { return nil }
        var rules = rules
        rules.body = bodySelector
        rules.site = nil
        guard let document = try? Document(html: "<html><body>\(content)</body></html>", url: item.link) else {
            return nil
        }
        let article = Extractor(rules: rules).extract(document)
        if article.text.isEmpty { return nil }
        if let page, page.text.utf8.count * 2 >= article.text.utf8.count { return nil }
        return (article.html, article.text)
    }

    /// An item's body is the whole of the document it is parsed into.
    static let bodySelector = try! Selector("body")

    /// The text lengths of a refetched article and of its stored entry when the article has less than half
    /// the stored text; `nil` when it is not far shorter. The stored body is measured without parsing it.
    package static func shrinkage(of article: Article, against stored: Entry) -> (now: Int, before: Int)? {
        guard let content = stored.content, content.utf8.count > 2 * article.text.utf8.count else { return nil }
        let before = visibleCharacters(content)
        let now = article.text.count { !$0.isWhitespace }
        return now * 2 < before ? (now, before) : nil
    }

    /// How many characters of an HTML body a reader sees, white space aside: those outside tags, an entity
    /// counted as one.
    static func visibleCharacters(_ html: String) -> Int {
        var count = 0
        var inTag = false
        var inEntity = false
        for scalar in html.unicodeScalars {
            switch scalar {
            case "<": inTag = true
            case ">": inTag = false
            case _ where inTag: break
            case "&":
                inEntity = true
                count += 1
            case ";" where inEntity: inEntity = false
            case _ where inEntity: if scalar.properties.isWhitespace { inEntity = false }
            default: if !scalar.properties.isWhitespace { count += 1 }
            }
        }
        return count
    }
}
