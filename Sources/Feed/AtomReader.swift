import Foundation
import Markup

/// Reads back the entries of an Atom feed that feedpipe wrote, so that a written feed is a backup of its
/// entries: a state store that was lost, emptied or rebuilt is filled again from it.
package enum AtomReader {
    /// The entries of the feed, in the feed's order. Entries without an id or a link are passed over.
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
        guard let id = text("id"), !id.isEmpty, let address = link("alternate") else { return nil }
        let author = node.elementChildren.first { $0.localName == "author" }?
            .elementChildren.first { $0.localName == "name" }?.text
        let published = text("published").flatMap(Timestamp.parse)
        return Entry(
            id: id, title: text("title") ?? address, link: address, author: author, published: published,
            updated: text("updated").flatMap(Timestamp.parse) ?? published ?? Date(timeIntervalSince1970: 0),
            summary: text("summary"), content: text("content"), image: link("enclosure"),
            language: node.attribute("xml:lang") ?? node.attribute("lang"))
    }
}
