import Foundation
import Markup

/// Reads back the entries of an Atom feed that feedpipe wrote, so that a written feed is a backup of its
/// entries: a state store that was lost, emptied or rebuilt is filled again from it.
package enum AtomReader {
    /// The entries of the feed, in the feed's order. Entries without an id are passed over.
    package static func entries(in bytes: [UInt8], url: String) throws -> [Entry] {
        let document = try Document(xml: bytes, url: url)
        guard let feed = document.root, feed.localName == "feed" else { return [] }
        return feed.elementChildren.filter { $0.localName == "entry" }.compactMap(entry)
    }

    private static func entry(_ node: Node) -> Entry? {
        func text(_ name: String) -> String? {
            node.elementChildren.first { $0.localName == name }.map(\.text)
        }
        func link(_ rel: String) -> String? {
            node.elementChildren.first { $0.localName == "link" && ($0.attribute("rel") ?? "alternate") == rel }?
                .attribute("href")
        }
        guard let id = text("id"), !id.isEmpty else { return nil }
        let address = link("alternate")
        let author = node.elementChildren.first { $0.localName == "author" }?
            .elementChildren.first { $0.localName == "name" }?.text
        let published = text("published").flatMap(Timestamp.parse)
        // The writer gives the lead image as an enclosure with an image type, and files with their own.
        var image: String?
        var enclosures: [Enclosure] = []
        for file in node.elementChildren where file.localName == "link" && file.attribute("rel") == "enclosure" {
            guard let href = file.attribute("href") else { continue }
            let type = file.attribute("type")
            if image == nil, enclosures.isEmpty, type?.hasPrefix("image/") == true {
                image = href
            } else {
                enclosures.append(
                    Enclosure(url: href, type: type, length: file.attribute("length").flatMap { Int($0) }))
            }
        }
        return Entry(
            id: id, title: text("title") ?? address ?? id, link: address, author: author, published: published,
            updated: text("updated").flatMap(Timestamp.parse) ?? published ?? Date(timeIntervalSince1970: 0),
            summary: text("summary"), content: text("content"), image: image,
            language: node.attribute("xml:lang") ?? node.attribute("lang"),
            categories: node.elementChildren.filter { $0.localName == "category" }.compactMap { $0.attribute("term") },
            enclosures: enclosures)
    }
}
