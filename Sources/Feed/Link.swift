import Foundation

/// A link found by a source, with whatever the source already knew about the article.
public struct Link: Sendable, Hashable {
    package var url: String
    package var title: String?
    /// When the source says the article was published or last changed.
    package var date: Date?
    package var author: String?
    /// A summary the source gives, used when the page yields no text.
    package var summary: String?
    /// The body a feed source gives the item itself (HTML, unsafe until extracted), used when the page
    /// cannot be read or yields far less.
    package var content: String?
    /// The item's image as the feed names it (`media:content`, `media:thumbnail`, an image enclosure, JSON
    /// Feed's `image`), used when the page names none.
    package var image: String?

    package init(url: String, title: String? = nil, date: Date? = nil, author: String? = nil, summary: String? = nil) {
        self.url = url
        self.title = title
        self.date = date
        self.author = author
        self.summary = summary
    }
}

extension Link {
    /// Query parameters that only tell a site where a visitor came from (campaign tags, click ids).
    package static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi",
    ]

    /// The address without tracking parameters (`utm_*` and the click ids above), so that the same article
    /// reached from a newsletter and from the feed is one entry with a clean link.
    package var untracked: String {
        guard url.contains("?"), var parts = URLComponents(string: url), let items = parts.queryItems else {
            return url
        }
        let kept = items.filter {
            !$0.name.lowercased().hasPrefix("utm_") && !Self.trackingParameters.contains($0.name.lowercased())
        }
        guard kept.count < items.count else { return url }
        parts.queryItems = kept.isEmpty ? nil : kept
        return parts.string ?? url
    }

    /// Links without tracking parameters, duplicates that leaves dropped (the first kept).
    package static func withoutTracking(_ links: [Link]) -> [Link] {
        var seen = Set<String>()
        return links.compactMap { link in
            var link = link
            link.url = link.untracked
            return seen.insert(link.url).inserted ? link : nil
        }
    }
}
