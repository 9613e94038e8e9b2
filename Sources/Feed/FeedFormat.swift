/// The formats feedpipe writes, in one table: each format's writer, file extension, media type and name.
/// Emit, the folder's index and OPML, and `serve` all read it; a new format is a writer and a case here.
package enum FeedFormat: String, Sendable, CaseIterable {
    case atom, rss, json

    /// The extension of the format's files, which also names the format in a pipeline's `formats:`.
    package var fileExtension: String { rawValue }

    package var mediaType: String {
        switch self {
        case .atom: "application/atom+xml"
        case .rss: "application/rss+xml"
        case .json: "application/feed+json"
        }
    }

    /// What people call it.
    package var name: String {
        switch self {
        case .atom: "Atom"
        case .rss: "RSS"
        case .json: "JSON Feed"
        }
    }

    /// The format whose files end in `fileExtension`.
    package init?(fileExtension: String) {
        self.init(rawValue: fileExtension.lowercased())
    }

    /// What `FeedHead.read` finds in `document(meta, entries:)`, known without writing or reading it: the
    /// folder's index lists the feeds a run has just written from this.
    package func head(_ meta: FeedMeta, entries: Int) -> FeedHead {
        switch self {
        case .atom:
            FeedHead(
                title: meta.title.isEmpty ? nil : meta.title, site: meta.link, selfLink: meta.selfLink, entries: entries
            )
        case .rss:
            FeedHead(
                title: meta.title.isEmpty ? nil : meta.title, site: meta.link ?? meta.selfLink ?? meta.id,
                selfLink: meta.selfLink, entries: entries)
        case .json: FeedHead(title: meta.title, site: meta.link, selfLink: meta.selfLink, entries: entries)
        }
    }

    /// The feed in this format.
    package func document(_ meta: FeedMeta, entries: [Entry]) -> String {
        switch self {
        case .atom: AtomWriter.document(meta, entries: entries)
        case .rss: RSSWriter.document(meta, entries: entries)
        case .json: JSONFeedWriter.document(meta, entries: entries)
        }
    }
}
