import Markup

/// Where a page of an article says the article goes on, by its site rules: a single-page version of the
/// whole article (`single_page_link`), or the article's next page (`next_page_link`). Extraction finds it;
/// the fetch stage follows it and joins the pages.
package enum Continuation: Sendable, Equatable {
    case singlePage(String)
    case nextPage(String)

    package var url: String {
        switch self {
        case .singlePage(let url), .nextPage(let url): url
        }
    }

    /// The continuation the site rules find in a page, resolved against the page's address; a link back to
    /// the page itself is none. `allowSinglePage` is false on the pages after the first.
    package static func find(in document: Document, rules: ExtractionRules, allowSinglePage: Bool) -> Continuation? {
        guard let site = rules.site, let root = document.root else { return nil }
        func link(_ selectors: [Selector]) -> String? {
            for selector in selectors {
                for node in root.select(selector) {
                    let href = node.isElement ? node.attribute("href") : node.text
                    if let href, let address = Document.linkAddress(href, base: document.baseAddress),
                        address != document.url
                    {
                        return address
                    }
                }
            }
            return nil
        }
        if allowSinglePage, let single = link(site.singlePageLink) { return .singlePage(single) }
        return link(site.nextPageLink).map(Continuation.nextPage)
    }
}
