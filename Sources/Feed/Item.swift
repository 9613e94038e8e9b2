import Foundation

/// What a source gives for one article: a list page's row, a feed's item, a sitemap's URL, a saved page. Any
/// field may be missing, the link too (a row that carries its own text); `Normalize` decides, field by field,
/// what the entry takes from the item and what from the page when the page is read.
public struct Item: Sendable, Hashable {
    /// The article's address, absolute; `nil` for a row that has none.
    package var link: String?
    /// For an item with no link of its own, the page that lists it (a list page's address, to the row's
    /// anchor when it has an id; a feed's site): where its entry links to.
    package var listedOn: String?
    /// The source's own identifier for the item (RSS `guid`, Atom `id`, JSON Feed `id`).
    package var guid: String?
    /// The title as the source states it (a feed's, or a list page's `title:` selector).
    package var title: String?
    /// The words of the link that led to the item on a list page: a title of last resort ("Read more", a
    /// teaser's first words), used only when neither the item nor its page has one.
    package var linkText: String?
    package var published: Date?
    /// When the source says the item last changed.
    package var updated: Date?
    package var authors: [String] = []
    /// A plain-text summary the source gives.
    package var summary: String?
    /// The body the source gives the item (HTML, unsafe until normalized).
    package var content: String?
    /// The item's image (`media:content`, `media:thumbnail`, an image enclosure, JSON Feed's `image`, a row's
    /// `<img>`), absolute.
    package var image: String?
    package var categories: [String] = []
    /// Audio, video and other files the item carries (a podcast's episodes).
    package var enclosures: [Enclosure] = []
    /// A BCP 47 language tag.
    package var language: String?
    /// Which of the pipeline's sources gave the item (its index in `sources:`), and where on it (0 first).
    package var source = 0
    package var position = 0

    package init(
        link: String?, title: String? = nil, published: Date? = nil, updated: Date? = nil, authors: [String] = [],
        summary: String? = nil, content: String? = nil
    ) {
        self.link = link
        self.title = title
        self.published = published
        self.updated = updated
        self.authors = authors
        self.summary = summary
        self.content = content
    }

    /// The newest date the source gives: a change after the article was last fetched means it changed.
    package var date: Date? { updated ?? published }
}

/// A file attached to an entry: RSS `<enclosure>`, Atom `link rel="enclosure"`, JSON Feed `attachments`.
public struct Enclosure: Sendable, Hashable, Codable {
    /// Absolute.
    package var url: String
    /// The media type (`audio/mpeg`), when known.
    package var type: String?
    /// Size in bytes, when known.
    package var length: Int?
    /// Playing time in seconds, when known.
    package var duration: Int?

    package init(url: String, type: String? = nil, length: Int? = nil, duration: Int? = nil) {
        self.url = url
        self.type = type
        self.length = length
        self.duration = duration
    }

    /// The media type, or one guessed from the address's extension (`application/octet-stream` when it
    /// names none known): RSS and JSON Feed require one.
    package var mediaType: String {
        if let type, !type.isEmpty { return type }
        let path = (url.split(separator: "?").first.map(String.init) ?? url).lowercased()
        let known: [(String, String)] = [
            (".mp3", "audio/mpeg"), (".m4a", "audio/mp4"), (".aac", "audio/aac"), (".ogg", "audio/ogg"),
            (".oga", "audio/ogg"), (".opus", "audio/ogg"), (".flac", "audio/flac"), (".wav", "audio/wav"),
            (".mp4", "video/mp4"), (".m4v", "video/mp4"), (".webm", "video/webm"), (".mov", "video/quicktime"),
            (".pdf", "application/pdf"), (".jpg", "image/jpeg"), (".jpeg", "image/jpeg"), (".png", "image/png"),
            (".gif", "image/gif"), (".webp", "image/webp"),
        ]
        return known.first { path.hasSuffix($0.0) }?.1 ?? "application/octet-stream"
    }

    /// A duration as feeds write it: seconds (`1830`), or `MM:SS` / `HH:MM:SS` (`itunes:duration`).
    package static func seconds(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var total = 0
        for part in parts {
            guard let value = Double(part), value >= 0 else { return nil }
            total = total * 60 + Int(value)
        }
        return total
    }
}

extension Item {
    /// Query parameters that only tell a site where a visitor came from (campaign tags, click ids).
    package static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi",
    ]

    /// An address without tracking parameters (`utm_*` and the click ids above), so that the same article
    /// reached from a newsletter and from the feed is one entry with a clean link.
    package static func untracked(_ url: String) -> String {
        // A byte test: `String.contains` with a string argument goes through Foundation's `NSString`.
        guard url.utf8.contains(UInt8(ascii: "?")), var parts = URLComponents(string: url), let items = parts.queryItems
        else {
            return url
        }
        let kept = items.filter {
            !$0.name.lowercased().hasPrefix("utm_") && !trackingParameters.contains($0.name.lowercased())
        }
        guard kept.count < items.count else { return url }
        parts.queryItems = kept.isEmpty ? nil : kept
        return parts.string ?? url
    }

    /// Items without tracking parameters in their links, merged: an item whose guid or link an earlier one
    /// has is dropped (the first kept). Items with neither are kept. A guid that is no IRI (`1234`) is only
    /// unique on its own source.
    package static func merged(_ items: [Item]) -> [Item] {
        var links = Set<String>()
        var guids = Set<String>()
        return items.compactMap { item in
            var item = item
            item.link = item.link.map(untracked)
            let newLink = item.link.map { !links.contains($0) } ?? true
            let guid = item.guid.map { $0.utf8.contains(UInt8(ascii: ":")) ? $0 : "\(item.source) \($0)" }
            let newGuid = guid.map { !guids.contains($0) } ?? true
            guard newLink, newGuid else { return nil }
            if let link = item.link { links.insert(link) }
            if let guid { guids.insert(guid) }
            return item
        }
    }
}
