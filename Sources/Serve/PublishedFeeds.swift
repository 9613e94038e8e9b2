import Feed
import Foundation
import Synchronization

/// Feeds published in a shared store by the workers that make them (`feedpipe serve --state postgres://…`):
/// `serve` replicas answer from it and need no folder shared with the workers.
package protocol PublishedFeeds: Sendable {
    /// A published file's version (it changes whenever its bytes do) and when it was published; `nil` when
    /// there is no file of that name.
    func version(of name: String) async throws -> PublishedVersion?
    /// A published file's bytes and version.
    func file(named name: String) async throws -> (version: PublishedVersion, bytes: [UInt8])?
    /// Every published feed file, with its head, for the index pages.
    func heads() async throws -> [FeedIndex.File]
}

/// What a published file's validators are made of.
package struct PublishedVersion: Sendable, Equatable {
    package var tag: String
    package var modified: Date

    package init(tag: String, modified: Date) {
        self.tag = tag
        self.modified = modified
    }
}

/// The published files `serve` holds, each until a newer version is published: the store is asked for a
/// file's version on each request (one small query), and for its bytes only when that changed.
final class PublishedShelf: Sendable {
    let feeds: any PublishedFeeds
    private let held = Mutex<[String: ServedFile]>([:])

    init(_ feeds: any PublishedFeeds) { self.feeds = feeds }

    /// The file of a request path (`/NAME.atom`, `/` for `index.html`), or `nil`: names in folders, hidden
    /// names and names `serve` never hands out are refused before the store is asked.
    func file(for path: String) async -> ServedFile? {
        guard let decoded = path.removingPercentEncoding, !decoded.contains("\0") else { return nil }
        var name = String(decoded.drop { $0 == "/" })
        if name.isEmpty { name = "index.html" }
        guard !name.contains("/"), !name.contains("\\"), !name.hasPrefix("."), let kind = ServedFile.kind(ofName: name)
        else { return nil }
        if kind == .index || kind == .opml { return await index(name, kind: kind) }
        do {
            guard let version = try await feeds.version(of: name) else { return nil }
            let identity = version.tag
            if let file = held.withLock({ $0[name] }), file.identity == identity { return file }
            guard let (current, bytes) = try await feeds.file(named: name),
                let file = ServedFile.stored(
                    name: name, bytes: bytes, modified: current.modified, identity: current.tag)
            else { return nil }
            held.withLock { $0[name] = file }
            return file
        } catch {
            return nil
        }
    }

    /// `index.html` or `index.opml`, drawn from the heads of the published feeds.
    private func index(_ name: String, kind: ServedFile.Kind) async -> ServedFile? {
        guard let files = try? await feeds.heads() else { return nil }
        let listings = FeedIndex.listings(files)
        let text = kind == .index ? FeedIndex.html(listings) : FeedIndex.opml(listings)
        let bytes = Array(text.utf8)
        let identity = "i" + String(FNV1a.hash(bytes), radix: 16)
        if let file = held.withLock({ $0[name] }), file.identity == identity { return file }
        // Drawn anew only when what it lists changed: it is as old as that change.
        guard let file = ServedFile.stored(name: name, bytes: bytes, modified: Date(), identity: identity) else {
            return nil
        }
        held.withLock { $0[name] = file }
        return file
    }
}
