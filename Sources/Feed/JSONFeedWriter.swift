import Foundation
import Markup

/// Writes JSON Feed 1.1 (jsonfeed.org/version/1.1): `version`, `title` and `items` with `id`, `url`, `title`,
/// `content_html`, `summary`, `image`, dates in RFC 3339, `authors`, `language`, `tags` and `attachments`. Keys are sorted so that
/// an unchanged feed is byte-for-byte the same.
package enum JSONFeedWriter {
    package static let version = "https://jsonfeed.org/version/1.1"

    package static func document(_ meta: FeedMeta, entries: [Entry]) -> String {
        var feed: [String: Any] = ["version": version, "title": meta.title, "authors": [["name": meta.author]]]
        if let link = meta.link { feed["home_page_url"] = link }
        if let selfLink = meta.selfLink { feed["feed_url"] = selfLink }
        if let subtitle = meta.subtitle { feed["description"] = subtitle }
        if let language = meta.language { feed["language"] = language }
        feed["items"] = entries.map { entry -> [String: Any] in
            var item: [String: Any] = [
                "id": entry.id, "title": entry.title,
                "date_modified": Timestamp.rfc3339(entry.updated),
            ]
            // An item must have content_html or content_text; an empty body still says so.
            if let content = entry.content, !content.isEmpty {
                item["content_html"] = content
            } else {
                item["content_text"] = entry.summary ?? ""
            }
            if let summary = entry.summary, !summary.isEmpty { item["summary"] = summary }
            if let published = entry.published { item["date_published"] = Timestamp.rfc3339(published) }
            if let author = entry.author, !author.isEmpty { item["authors"] = [["name": author]] }
            if let image = entry.image { item["image"] = image }
            if let language = entry.language { item["language"] = language }
            if let link = entry.link { item["url"] = link }
            if !entry.categories.isEmpty { item["tags"] = entry.categories }
            if !entry.enclosures.isEmpty {
                item["attachments"] = entry.enclosures.map { file -> [String: Any] in
                    var attachment: [String: Any] = ["url": file.url, "mime_type": file.mediaType]
                    if let length = file.length { attachment["size_in_bytes"] = length }
                    if let duration = file.duration { attachment["duration_in_seconds"] = duration }
                    return attachment
                }
            }
            return item
        }
        let data =
            (try? JSONSerialization.data(
                withJSONObject: feed, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
