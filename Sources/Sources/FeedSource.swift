import Feed
import Fetch
import Foundation
import Markup

/// `type: feed` (or rss, atom, rdf, json): an RSS, RSS 1.0, Atom or JSON Feed whose items link to the
/// articles, often with summaries only. An answer that is no feed is read for what it is: a sitemap, or a
/// web page, whose advertised feed is read instead or, lacking one, whose article links are guessed.
package struct FeedSource: ItemSource {
    package static let type = "feed"
    package static let aliases = ["rss", "atom", "rdf", "jsonfeed", "json-feed"]

    package let url: String

    package init(url: String, settings: any SourceSettings) {
        self.url = url
    }

    package init(url: String) {
        self.url = url
    }

    package var nothingOffered: String { "the feed has no items" }

    package func items(in answer: Response?, reading: SourceReading) async throws(SourceError) -> Offer {
        guard let answer else { return Offer(items: []) }
        // JSON, parsed once: a JSON Feed, a shape read without paths (WordPress posts, JSON-LD), or a question.
        let first = answer.body.first { $0 > 0x20 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            guard let root = try? JSONSerialization.jsonObject(with: Data(answer.body)) else {
                throw SourceError("\(answer.url ?? url): not a JSON Feed (not valid JSON)")
            }
            if let object = root as? [String: Any], (object["version"] as? String)?.contains("jsonfeed.org") == true {
                return Offer(items: try FeedReader.jsonFeedItems(in: object, url: answer.url))
            }
            if let items = JSONSource.knownShape(root, base: answer.url, dates: DateReading(now: reading.now)),
                !items.isEmpty
            {
                return Offer(items: items)
            }
            throw SourceError(
                "\(url): JSON that is not a JSON Feed; say how to read it with 'type: json', 'items' (the path of the list) and a path for each field (link, title, date, …)"
            )
        }
        let notFeed: SourceError
        do {
            return Offer(items: try FeedReader.items(in: answer.body, url: answer.url))
        } catch {
            notFeed = error
        }
        if let contents = try? SitemapSource.contents(of: answer.body, url: answer.url) {
            return Offer(items: try await SitemapSource.pages(of: contents, reading: reading).get())
        }
        guard let page = try? Document(html: answer.text, url: answer.url) else { throw notFeed }
        if let feed = FeedReader.advertisedFeed(in: page) {
            reading.logger.info("\(url): a web page; reading the feed it advertises, \(feed)")
            switch await reading.fetch(feed) {
            case .failure(let error): throw SourceError(error.description)
            case .success(let response): return Offer(items: try FeedReader.items(in: response.body, url: response.url))
            }
        }
        let guessed = ListPage.articleLinks(in: page)
        guard !guessed.isEmpty else { throw notFeed }
        return Offer(
            items: guessed,
            warnings: ["\(url): a web page with no feed; its article links are guessed (give 'links' to choose them)"])
    }
}
