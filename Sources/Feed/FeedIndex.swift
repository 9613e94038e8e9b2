import Foundation
import Markup

/// The pages that list a folder of feeds: OPML 2.0 for feed readers to import them all at once, and an
/// HTML page for people. Links are relative to the folder, so the folder can be served or copied anywhere.
package enum FeedIndex {
    /// One feed of the folder, in each format written for it.
    package struct Listing: Sendable, Equatable {
        package var title: String
        /// The site the feed follows.
        package var site: String?
        /// File names in the folder, by format.
        package var files: [FeedFormat: String]
        /// Entries in the feed (its largest file's count).
        package var entries: Int?
        /// When its pipeline last ran, and the first failure of that run, when there was one.
        package var lastRun: Date?
        package var lastError: String?
        /// Public addresses the files name as their own (`rel="self"`, `feed_url`), by file name, when
        /// the pipeline gave one (`url:`): OPML then carries absolute addresses a reader can import.
        package var published: [String: String] = [:]

        package init(title: String, site: String? = nil, files: [FeedFormat: String] = [:]) {
            self.title = title
            self.site = site
            self.files = files
        }

        /// The file a reader should subscribe to: the first format of the table present (Atom, else RSS,
        /// else JSON Feed).
        package var preferred: String? { FeedFormat.allCases.lazy.compactMap { files[$0] }.first }
    }

    /// A feed file as the index knows it: its name, what its head says, and how its pipeline's last run
    /// went, when that is known.
    package struct File: Sendable {
        package var name: String
        package var head: FeedHead
        package var lastRun: Date?
        package var lastError: String?

        package init(name: String, head: FeedHead, lastRun: Date? = nil, lastError: String? = nil) {
            self.name = name
            self.head = head
            self.lastRun = lastRun
            self.lastError = lastError
        }
    }

    /// One listing per feed, its files grouped by name without extension, sorted by title: the Atom file's
    /// title and site win over the others'.
    package static func listings(_ files: [File]) -> [Listing] {
        var byName: [String: Listing] = [:]
        for file in files.sorted(by: { $0.name < $1.name }) {
            let url = URL(fileURLWithPath: file.name)
            guard let format = FeedFormat(fileExtension: url.pathExtension) else { continue }
            let stem = url.deletingPathExtension().lastPathComponent
            let head = file.head
            var listing = byName[stem] ?? Listing(title: head.title ?? "Untitled feed", site: head.site)
            if let address = head.selfLink, address.hasPrefix("http://") || address.hasPrefix("https://") {
                listing.published[file.name] = address
            }
            listing.files[format] = file.name
            listing.entries = max(listing.entries ?? 0, head.entries)
            if let lastRun = file.lastRun {
                listing.lastRun = lastRun
                listing.lastError = file.lastError
            }
            if format == .atom {
                listing.title = head.title ?? "Untitled feed"
                listing.site = head.site ?? listing.site
            }
            byName[stem] = listing
        }
        return byName.values.sorted {
            ($0.title.lowercased(), $0.preferred ?? "") < ($1.title.lowercased(), $1.preferred ?? "")
        }
    }

    /// OPML 2.0 with one `rss`-type outline per feed (OPML calls every feed format "rss").
    package static func opml(_ listings: [Listing], title: String = "feedpipe feeds") -> String {
        var xml = XMLBuilder()
        xml.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
        xml.open("opml", [("version", "2.0")])
        xml.open("head")
        xml.element("title", title)
        xml.close("head")
        xml.open("body")
        for listing in listings {
            guard let feed = listing.preferred else { continue }
            let address = listing.published[feed] ?? feed
            var attributes = [("type", "rss"), ("text", listing.title), ("title", listing.title), ("xmlUrl", address)]
            if let site = listing.site { attributes.append(("htmlUrl", site)) }
            xml.empty("outline", attributes)
        }
        xml.close("body")
        xml.close("opml")
        return xml.text
    }

    /// A page listing every feed with links to each of its formats.
    package static func html(_ listings: [Listing], title: String = "feedpipe feeds") -> String {
        let escape = XMLBuilder.escape
        var page =
            HTMLPage.head(title: title, links: [("alternate", "text/x-opml", "index.opml")], style: style) + """
                <h1>\(escape(title))</h1>
                <p>Subscribe to a feed below, or import <a href="index.opml">index.opml</a> into a feed reader to follow them all.</p>
                <ul class="feeds">

                """
        for listing in listings {
            let formats = FeedFormat.allCases.compactMap { format in
                listing.files[format].map {
                    "<a href=\"\(escape($0))\" type=\"\(format.mediaType)\">\(format.name)</a>"
                }
            }
            let site = listing.site.map { " · <a href=\"\(escape($0))\">site</a>" } ?? ""
            var status: [String] = []
            if let entries = listing.entries { status.append("\(entries) entr\(entries == 1 ? "y" : "ies")") }
            if let lastRun = listing.lastRun {
                status.append(
                    "last run <time datetime=\"\(Timestamp.rfc3339(lastRun))\">\(escape(Self.moment(lastRun)))</time>")
            }
            let problem = listing.lastError.map { "<p class=\"error\">Last error: \(escape($0))</p>" } ?? ""
            page +=
                "<li><span class=\"title\">\(escape(listing.title))</span> \(formats.joined(separator: " · "))\(site)"
                + "<p class=\"status\">\(status.joined(separator: " · "))</p>\(problem)</li>\n"
        }
        page += "</ul>\n</body>\n</html>\n"
        return page
    }

    /// A run's time as people read it, in UTC.
    static func moment(_ date: Date) -> String { Timestamp.display(date, "d MMM yyyy, HH:mm 'UTC'") }

    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}\
        h1{font-size:1.6rem}.feeds{padding:0;list-style:none}.feeds li{padding:.5rem 0;border-bottom:1px solid #ddd}\
        .title{font-weight:600;margin-right:.5rem}a{color:#0645ad}.status{margin:.2rem 0 0;color:#666;font-size:.9rem}\
        .error{margin:.2rem 0 0;color:#a00;font-size:.9rem}
        """

}
