import Feed
import Fetch
import Foundation
import Markup

/// `type: html`: an HTML page listing articles, read with selectors (`items`, and for each item its `link`,
/// `title`, dates, `author`, `summary`, `content`, `image`, `categories` and `enclosure`); the pages after it
/// are followed through its "next" link.
package struct ListPageSource: ItemSource {
    package static let type = "html"
    package static let keys = [
        "links", "items", "next", "pages", "link", "title", "date", "updated", "author", "summary", "content",
        "image", "categories", "enclosure", "date_format", "timezone", "date_language",
    ]

    package let url: String
    /// The items: rows (each holding its link and fields) or the articles' `<a>` elements (`items:`, or
    /// `links:` as older pipelines name it).
    package var items: Selector
    /// The link to the next list page, followed up to `pages` pages in all.
    package var next: Selector?
    package var pages = 1
    /// Item fields, each selected inside the item. `link` chooses the item's link (else its first `<a>`).
    package var link: Selector?
    package var title: Selector?
    package var date: Selector?
    package var updated: Selector?
    package var author: Selector?
    package var summary: Selector?
    package var content: Selector?
    package var image: Selector?
    package var categories: Selector?
    package var enclosure: Selector?
    /// How the dates the rows give are read.
    package var dates = DateReading()
    /// The attribute a field's value is read from (`date: "span@data-ts"`), by field name.
    package var attributes: [String: String] = [:]

    package init(url: String, items: Selector) {
        self.url = url
        self.items = items
    }

    package init(url: String, settings: any SourceSettings) throws(SourceSettingsError) {
        if settings.has("links"), settings.has("items") {
            throw SourceSettingsError(key: "items", "'items' and 'links' name the same selector: give one")
        }
        let items: Selector? =
            if let chosen = try settings.selector("items") { chosen } else { try settings.selector("links") }
        guard let items else {
            throw SourceSettingsError(key: nil, "missing required key 'items' (a CSS selector; 'links' also works)")
        }
        self.init(url: url, items: items)
        if let next = try settings.selector("next") {
            self.next = next
            pages = 5
        }
        if let pages = try settings.integer("pages", in: 1...100) { self.pages = pages }
        func field(_ key: String) throws(SourceSettingsError) -> Selector? {
            guard let (selector, attribute) = try settings.attributeSelector(key) else { return nil }
            if let attribute { attributes[key] = attribute }
            return selector
        }
        link = try field("link")
        title = try field("title")
        date = try field("date")
        updated = try field("updated")
        author = try field("author")
        summary = try field("summary")
        content = try settings.selector("content")
        image = try field("image")
        categories = try field("categories")
        enclosure = try field("enclosure")
        dates = try DateReading(settings: settings)
    }

    package var nothingOffered: String { "the list page offers no items: '\(items.source)' matched none" }

    /// The items of the list page and of the pages after it, read through the "next" link one at a time up
    /// to `pages` pages, or until enough items are found. A later page that fails ends the walk with what
    /// was found (and is logged).
    package func items(in answer: Response?, reading: SourceReading) async throws(SourceError) -> Offer {
        guard let answer else { return Offer(items: []) }
        if answer.body.allSatisfy({ $0 <= 0x20 }) { throw SourceError("\(url): \(nothingOffered) (the page is empty)") }
        let document: Document
        do {
            document = try Document(html: answer.text, url: answer.url)
        } catch {
            throw SourceError("\(error)")
        }
        var list = self
        list.dates.now = reading.now
        var unreadable: [String] = []
        var found = ListPage.items(in: document, list: list, unreadable: &unreadable)
        var seen = Set(found.compactMap(\.link))
        var visited: Set<String> = [url]
        var nextPage = pages > 1 ? next.flatMap { ListPage.nextPage(in: document, next: $0) } : nil
        var page = 1
        while let address = nextPage, let next, page < pages, found.count < reading.enough,
            visited.insert(address).inserted
        {
            page += 1
            do {
                let response = try await reading.fetch(address).get()
                let document = try Document(html: response.text, url: response.url)
                for var item in ListPage.items(in: document, list: list, unreadable: &unreadable)
                where item.link.map({ seen.insert($0).inserted }) ?? true {
                    item.position = found.count
                    found.append(item)
                }
                nextPage = ListPage.nextPage(in: document, next: next)
            } catch {
                reading.logger.error("\(address): \(error)")
                break
            }
        }
        return Offer(items: found, warnings: DateReading.warning(unreadable, source: url).map { [$0] } ?? [])
    }
}
