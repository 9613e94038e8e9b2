import Feed
import Fetch
import Foundation
import Markup

/// `type: html`: an HTML page listing articles, read with selectors; the pages after it are followed
/// through its "next" link.
package struct ListPageSource: LinkSource {
    package static let type = "html"
    package static let keys = ["links", "next", "pages", "title", "date", "summary"]

    package let url: String
    /// The `<a>` elements of the articles, or elements holding one (the items).
    package var links: Selector
    /// The link to the next list page, followed up to `pages` pages in all.
    package var next: Selector?
    package var pages = 1
    /// Item fields, relative to each item: used where the article page lacks them.
    package var title: Selector?
    package var date: Selector?
    package var summary: Selector?

    package init(url: String, links: Selector) {
        self.url = url
        self.links = links
    }

    package init(url: String, settings: any SourceSettings) throws(SourceSettingsError) {
        guard let links = try settings.selector("links") else {
            throw SourceSettingsError(key: nil, "missing required key 'links' (a CSS selector)")
        }
        self.init(url: url, links: links)
        if let next = try settings.selector("next") {
            self.next = next
            pages = 5
        }
        if let pages = try settings.integer("pages", in: 1...100) { self.pages = pages }
        title = try settings.selector("title")
        date = try settings.selector("date")
        summary = try settings.selector("summary")
    }

    package var nothingOffered: String { "the list page offers no links: '\(links.source)' matched none" }

    /// The links of the list page and of the pages after it, read through the "next" link one at a time up
    /// to `pages` pages, or until enough links are found. A later page that fails ends the walk with what
    /// was found (and is logged).
    package func links(in answer: Response?, reading: SourceReading) async throws(SourceError) -> Offer {
        guard let answer else { return Offer(links: []) }
        if answer.body.allSatisfy({ $0 <= 0x20 }) { throw SourceError("\(url): \(nothingOffered) (the page is empty)") }
        let document: Document
        do {
            document = try Document(html: answer.text, url: answer.url)
        } catch {
            throw SourceError("\(error)")
        }
        var found = ListPage.links(in: document, list: self)
        var seen = Set(found.map(\.url))
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
                found += ListPage.links(in: document, list: self).filter { seen.insert($0.url).inserted }
                nextPage = ListPage.nextPage(in: document, next: next)
            } catch {
                reading.logger.error("\(address): \(error)")
                break
            }
        }
        return Offer(links: found)
    }
}
