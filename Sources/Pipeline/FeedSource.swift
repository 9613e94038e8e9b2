import Foundation
import Markup

/// Reads the article links of an RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom feed, with the title and date the
/// feed gives each item. Namespaces are matched by local name, so prefixed and default forms both work.
enum FeedSource {
    static func links(in document: Document) -> [Link] {
        guard let root = document.root else { return [] }
        let base = document.url.flatMap(URL.init(string:))
        let items = root.xpath("//*[local-name()='item' or local-name()='entry']")
        var seen = Set<String>()
        var links: [Link] = []
        for item in items {
            guard let href = link(of: item), let url = URL(string: href, relativeTo: base)?.absoluteURL,
                let scheme = url.scheme?.lowercased(), ["http", "https", "file"].contains(scheme),
                seen.insert(url.absoluteString).inserted
            else { continue }
            let title = child(item, "title").map { $0.text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            let date = ["pubDate", "published", "date", "updated", "issued", "modified"].lazy
                .compactMap { child(item, $0).flatMap { Timestamp.parse($0.text) } }.first
            links.append(Link(url: url.absoluteString, title: title.flatMap { $0.isEmpty ? nil : $0 }, date: date))
        }
        return links
    }

    /// The item's article address: Atom's alternate link, RSS's `<link>`, or a permalink `<guid>`.
    static func link(of item: Node) -> String? {
        for element in item.elementChildren where element.localName == "link" {
            if let href = element.attribute("href") {
                let rel = element.attribute("rel") ?? "alternate"
                if rel == "alternate" { return href.trimmingCharacters(in: .whitespacesAndNewlines) }
            } else {
                let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { return text }
            }
        }
        if let guid = child(item, "guid"), guid.attribute("isPermaLink") != "false" {
            let text = guid.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("http://") || text.hasPrefix("https://") { return text }
        }
        return item.attribute("rdf:about") ?? item.attribute("about")
    }

    static func child(_ node: Node, _ name: String) -> Node? {
        node.elementChildren.first { $0.localName == name }
    }
}
