import Extract
import Feed
import Foundation
import Markup

/// The last step of the stages before emit: an extracted `Article`, with what its source knew (`Link`),
/// becomes a feed `Entry` with a stable id, a plain-text summary and its dates settled. No I/O.
package enum EntryMaker {
    /// The feed entry for an extracted article. The id comes from the article's canonical URL when the page
    /// names one on the same site, else from the link that led to it; an entry with no date of its own is
    /// dated when it was first seen (`firstSeen` of its id, else `seenAt`).
    package static func entry<Failure: Error>(
        for article: Article, link: Link, seenAt: Date, firstSeen: (_ id: String) throws(Failure) -> Date?
    ) throws(Failure) -> Entry {
        // A saved page's own canonical URL is its real address; elsewhere a canonical on another host is
        // not trusted.
        let address =
            article.url.flatMap { canonical in
                let canonicalURL = URL(string: canonical)
                let linkURL = URL(string: link.url)
                if linkURL?.isFileURL == true {
                    return canonicalURL?.scheme?.hasPrefix("http") == true ? canonical : nil
                }
                return canonicalURL?.host == linkURL?.host ? canonical : nil
            } ?? link.url
        let id = StableID.uuid(for: address)
        let firstSeen = try firstSeen(id) ?? seenAt
        let title = article.title ?? link.title ?? address
        let summary = Summary.of(article.text, limit: 400) ?? link.summary
        return Entry(
            id: id, title: title, link: address, author: article.author ?? link.author,
            published: article.published ?? link.date ?? article.publicationDate,
            updated: article.modified ?? article.published ?? link.date ?? article.addressDate ?? firstSeen,
            summary: summary,
            content: article.html, image: article.image ?? link.image, language: article.language)
    }

    /// The article a feed item's own body makes, extracted and made safe like a page's, or `nil` when the
    /// item has no body with text. With `page`, only when the page's text is less than half as long, and
    /// then with the page's metadata (title, author, dates, image).
    package static func feedArticle(_ link: Link, rules: ExtractionRules, unlessAsLongAs page: Article? = nil)
        -> Article?
    {
        guard let content = link.content, let body = try? Selector("body") else { return nil }
        if let page, page.text.utf8.count * 2 >= content.utf8.count { return nil }
        var rules = rules
        rules.body = body
        rules.site = nil
        guard let document = try? Document(html: "<html><body>\(content)</body></html>", url: link.url) else {
            return nil
        }
        let article = Extractor(rules: rules).extract(document)
        if article.text.isEmpty { return nil }
        guard var page else { return article }
        if page.text.utf8.count * 2 >= article.text.utf8.count { return nil }
        page.html = article.html
        page.text = article.text
        return page
    }

    /// The text lengths of a refetched article and of its stored entry when the article has less than half
    /// the stored text; `nil` when it is not far shorter.
    package static func shrinkage(of article: Article, against stored: Entry) -> (now: Int, before: Int)? {
        guard let content = stored.content, content.utf8.count > 2 * article.text.utf8.count,
            let document = try? Document(html: "<html><body>\(content)</body></html>", url: stored.link),
            let text = document.root?.text
        else { return nil }
        let before = text.count { !$0.isWhitespace }
        let now = article.text.count { !$0.isWhitespace }
        return now * 2 < before ? (now, before) : nil
    }
}
