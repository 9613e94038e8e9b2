import Foundation
import Markup

/// Writes RSS 2.0 (the RSS Advisory Board's specification): a channel with title, link and description,
/// and one item per entry with its guid, link, date (RFC 822), author, categories, the body in
/// `content:encoded` and one enclosure (RSS allows one: the first file, else the lead image).
/// Like the Atom writer it depends only on its input.
package enum RSSWriter {
    package static func document(_ meta: FeedMeta, entries: [Entry]) -> String {
        var xml = XMLBuilder()
        xml.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
        xml.open(
            "rss",
            [
                ("version", "2.0"), ("xmlns:atom", AtomWriter.namespace),
                ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
                ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
                ("xmlns:itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
            ])
        xml.open("channel")
        xml.element("title", meta.title)
        // RSS requires a channel link; the feed's own address stands in when the site's is unknown.
        xml.element("link", meta.link ?? meta.selfLink ?? meta.id)
        xml.element("description", meta.subtitle ?? meta.title)
        if let language = meta.language { xml.element("language", language) }
        if let newest = entries.map(\.updated).max() { xml.element("lastBuildDate", rfc822(newest)) }
        xml.element("generator", "feedpipe")
        if let selfLink = meta.selfLink {
            xml.empty("atom:link", [("href", selfLink), ("rel", "self"), ("type", "application/rss+xml")])
        }
        for entry in entries {
            xml.open("item")
            xml.element("title", entry.title)
            if let link = entry.link { xml.element("link", link) }
            // The guid is the entry's stable id, which is not the article's address.
            xml.element("guid", entry.id, [("isPermaLink", "false")])
            xml.element("pubDate", rfc822(entry.date))
            if let author = entry.author, !author.isEmpty { xml.element("dc:creator", author) }
            for category in entry.categories { xml.element("category", category) }
            if let summary = entry.summary, !summary.isEmpty { xml.element("description", summary) }
            if let content = entry.content, !content.isEmpty { xml.element("content:encoded", content) }
            if let file = entry.enclosures.first {
                // RSS 2.0 requires a length; 0 says it is unknown, as readers accept.
                xml.empty(
                    "enclosure", [("url", file.url), ("length", String(file.length ?? 0)), ("type", file.mediaType)])
                if let duration = file.duration { xml.element("itunes:duration", String(duration)) }
            } else if let image = entry.image {
                // RSS 2.0 requires a length; 0 says it is unknown, as readers accept.
                xml.empty("enclosure", [("url", image), ("length", "0"), ("type", AtomWriter.imageType(image))])
            }
            xml.close("item")
        }
        xml.close("channel")
        xml.close("rss")
        return xml.text
    }

    /// RFC 822 date-time as RSS 2.0 wants it, always in GMT: "Tue, 19 Nov 2019 12:13:48 GMT".
    package static func rfc822(_ date: Date) -> String {
        let (year, month, day, secondOfDay, days) = Timestamp.civil(Int(date.timeIntervalSince1970.rounded(.down)))
        let weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (index 4, Sunday = 0)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(
            format: "%@, %02d %@ %04d %02d:%02d:%02d GMT", weekdays[weekday], day, months[month - 1], year,
            secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }
}
