import Feed
import Foundation
import Markup

/// The files that accompany the feeds of a folder: `index.opml` and `index.html` listing every feed found
/// there (whichever pipelines wrote them), and the stylesheet Atom feeds point at.
enum FeedFolder {
    static let stylesheetName = "feed.xsl"

    /// Rewrites the folder's index files and stylesheet (each only when its content changes).
    static func writeIndex(in folder: String) throws {
        let listings = self.listings(in: folder)
        let base = URL(fileURLWithPath: folder)
        try AtomicFile.write(FeedIndex.stylesheet, to: base.appendingPathComponent(stylesheetName).path)
        try AtomicFile.write(FeedIndex.opml(listings), to: base.appendingPathComponent("index.opml").path)
        try AtomicFile.write(FeedIndex.html(listings), to: base.appendingPathComponent("index.html").path)
    }

    /// Every feed in the folder, one listing per name with the formats present, sorted by title.
    static func listings(in folder: String) -> [FeedIndex.Listing] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var byName: [String: FeedIndex.Listing] = [:]
        for file in names.sorted() where !file.hasPrefix(".") {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(file)
            let stem = url.deletingPathExtension().lastPathComponent
            guard let format = FeedFormat(fileExtension: url.pathExtension),
                let data = FileManager.default.contents(atPath: url.path), let found = describe(Array(data), as: format)
            else { continue }
            var listing = byName[stem] ?? FeedIndex.Listing(title: found.title, site: found.site)
            if let address = found.published, address.hasPrefix("http://") || address.hasPrefix("https://") {
                listing.published[file] = address
            }
            listing.files[format] = file
            if format == .atom {
                listing.title = found.title  // Atom's title wins
                listing.site = found.site ?? listing.site
            }
            byName[stem] = listing
        }
        return byName.values.sorted {
            ($0.title.lowercased(), $0.preferred ?? "") < ($1.title.lowercased(), $1.preferred ?? "")
        }
    }

    /// The title, site link and own address (`rel="self"`, `feed_url`) of an Atom, RSS or JSON Feed file;
    /// `nil` for anything else.
    static func describe(_ bytes: [UInt8], as format: FeedFormat) -> (title: String, site: String?, published: String?)?
    {
        switch format {
        case .atom, .rss:
            guard let document = try? Document(xml: bytes), let root = document.root else { return nil }
            let channel = root.localName == "rss" ? root.elementChildren.first { $0.localName == "channel" } : root
            guard let channel, root.localName == "feed" || root.localName == "rss" else { return nil }
            let title = channel.elementChildren.first { $0.localName == "title" }?.text ?? ""
            let site = channel.elementChildren.first { link in
                link.localName == "link" && (link.attribute("rel") ?? "alternate") == "alternate"
                    && (link.attribute("href") != nil || root.localName == "rss")
            }.map { $0.attribute("href") ?? $0.text }
            let published = channel.elementChildren.first { $0.localName == "link" && $0.attribute("rel") == "self" }?
                .attribute("href")
            return (title.isEmpty ? "Untitled feed" : title, site, published)
        case .json:
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                (object["version"] as? String)?.hasPrefix("https://jsonfeed.org/version/") == true
            else { return nil }
            return (
                (object["title"] as? String) ?? "Untitled feed", object["home_page_url"] as? String,
                object["feed_url"] as? String
            )
        }
    }
}
