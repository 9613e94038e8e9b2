import Foundation

/// One article as it appears in a feed.
package struct Entry: Sendable, Equatable {
    /// A stable IRI: the same article gives the same id on every run.
    package var id: String
    package var title: String
    /// The article's address (`rel="alternate"`); `nil` for an item that has none (a row carrying its text).
    package var link: String?
    package var author: String?
    package var published: Date?
    /// When the entry last changed in a way readers should see.
    package var updated: Date
    /// A plain-text summary.
    package var summary: String?
    /// The body as HTML.
    package var content: String?
    /// The lead image, an absolute URL.
    package var image: String?
    /// A BCP 47 language tag.
    package var language: String?
    package var categories: [String] = []
    package var enclosures: [Enclosure] = []
    /// Where the item stood on its source when the entry was made (0 first): entries dated alike (undated
    /// ones, first seen in the same run) keep that order.
    package var position: Int?

    package init(
        id: String, title: String, link: String?, author: String? = nil, published: Date? = nil, updated: Date,
        summary: String? = nil, content: String? = nil, image: String? = nil, language: String? = nil,
        categories: [String] = [], enclosures: [Enclosure] = [], position: Int? = nil
    ) {
        self.id = id
        self.title = title
        self.link = link
        self.author = author
        self.published = published
        self.updated = updated
        self.summary = summary
        self.content = content
        self.image = image
        self.language = language
        self.categories = categories
        self.enclosures = enclosures
        self.position = position
    }

    /// The date readers sort by: publication when known, else the last update.
    package var date: Date { published ?? updated }
}

/// What a feed says about itself.
package struct FeedMeta: Sendable, Equatable {
    /// A stable IRI for the feed.
    package var id: String
    package var title: String
    package var subtitle: String?
    /// The site the feed follows (`rel="alternate"`).
    package var link: String?
    /// Where the feed itself is published (`rel="self"`).
    package var selfLink: String?
    /// The author named at feed level, so every entry has one (RFC 4287 §4.1.1).
    package var author: String
    package var language: String?

    package init(
        id: String, title: String, subtitle: String? = nil, link: String? = nil, selfLink: String? = nil,
        author: String, language: String? = nil
    ) {
        self.id = id
        self.title = title
        self.subtitle = subtitle
        self.link = link
        self.selfLink = selfLink
        self.author = author
        self.language = language
    }
}

/// FNV-1a, 64 bits: a hash that is the same on every machine and in every run (Swift's `hashValue` is
/// seeded per process), for shards, ETags and the like.
package enum FNV1a {
    package static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}

/// Name-based ids: a `urn:uuid:` (RFC 9562 version 8) made from a 128-bit FNV-1a hash of a name, so an
/// entry's id depends only on its canonical URL and the feed's id only on its name.
package enum StableID {
    package static func uuid(for name: String) -> String {
        var low: UInt64 = 0xcbf2_9ce4_8422_2325
        var high: UInt64 = 0x6c62_272e_07bb_0142
        for byte in name.utf8 {
            low = (low ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            high = (high ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            high = high &+ (low >> 29)
        }
        var bytes = withUnsafeBytes(of: high.bigEndian, Array.init) + withUnsafeBytes(of: low.bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let digits = Array("0123456789abcdef".utf8)
        var text = Array("urn:uuid:".utf8)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
