import Extract
import Feed
import Fetch
import Foundation
import Logging
import Markup
import Sources
import State

/// Emit: each pipeline's feed files, written from the entries in the store.
extension Runner {
    /// A feed on disk is a backup of its entries: when the store has none for it (a store lost, emptied,
    /// replaced or moved aside as corrupt), the feed file gives them back before anything is merged, so
    /// that a run never writes a feed with fewer entries than it had.
    /// Returns what it did, to be told once; a store that cannot be read fails the pipeline.
    func restoreFromFeed(_ config: PipelineConfig, state: any StateStore, seenAt: Date) async throws(RunError)
        -> String?
    {
        let stored: Bool
        do {
            stored = try await state.status(feed: config.id).count > 0
        } catch {
            throw .state(error)
        }
        guard !stored, let data = FileManager.default.contents(atPath: config.output) else { return nil }
        do {
            let entries = try AtomReader.entries(in: Array(data), url: config.output)
            guard !entries.isEmpty else { return nil }
            try await state.merge(entries, feed: config.id, seenAt: seenAt, keep: config.maxEntries)
            return
                "\(config.output): the state store had no entries for this feed; \(entries.count) were read back from the feed"
        } catch {
            return
                "\(config.output): the state store has no entries for this feed, and the feed cannot be read back: \(error)"
        }
    }

    /// A pipeline's feed files, made from the entries in the store, its report as it stands once they are
    /// written (`write(_:on:)`), and the mark to record then (`StateStore.markEmitted`, with the files'
    /// `stamps`). A feed whose entries have not changed since its files were written, with the same
    /// settings, and whose files are the ones written then, is not written again: no file and no mark, and
    /// no entry read.
    func emit(_ config: PipelineConfig, report: RunReport, state: any StateStore) async throws(RunError)
        -> (report: RunReport, files: [FeedFile], mark: String?)
    {
        var report = report
        var status: FeedStatus
        do {
            status = try await state.status(feed: config.id)
            // Prunes to the maximum even when nothing new came in (the maximum may have been lowered).
            if status.count > config.maxEntries {
                _ = try await state.merge([], feed: config.id, seenAt: Date(), keep: config.maxEntries)
                status = try await state.status(feed: config.id)
            }
        } catch {
            throw RunError.state(error)
        }
        let mark = "\(status.revision) \(Self.settings(of: config))"
        // The files on disk are the ones written at that mark (not another machine's, nor older copies).
        let stamps = Self.stamps(of: config)
        // A store that publishes the feeds holds the copy readers get: once it is published at this mark, this
        // machine's folder (a worker's scratch space, maybe new on every run) need not hold it.
        let published = state is any FeedPublishing && status.emitted?.hasPrefix(mark + Self.stampSeparator) == true
        if published || stamps.map({ status.emitted == mark + Self.stampSeparator + $0 }) == true {
            report.kept = max(0, status.count - report.new - report.updated)
            return (report, [], nil)
        }
        if let spliced = try await spliced(config, status: status, stamps: stamps, report: report, state: state) {
            return (spliced.report, spliced.files, mark)
        }
        let stored: [Entry]
        do {
            stored = try await state.entries(feed: config.id)
        } catch {
            throw RunError.state(error)
        }
        report.kept = max(0, stored.count - report.new - report.updated)

        var meta = FeedMeta(
            id: config.id, title: config.title, link: config.link ?? siteLink(config) ?? Self.site(of: stored),
            selfLink: nil,
            author: config.author ?? config.title)
        var files: [FeedFile] = []
        for format in config.formats {
            let path = config.path(for: format)
            // Each file names itself as `self`: the RSS and JSON Feed files their own address, not the Atom's.
            meta.selfLink = Self.selfLink(of: config, format: format)
            files.append(FeedFile(path: path, content: .whole(Array(format.document(meta, entries: stored).utf8))))
            report.written[FeedFolder.key(path)] = format.head(meta, entries: stored.count)
        }
        return (report, files, mark)
    }

    /// The Atom file of a pipeline that writes only Atom, made from the file written before
    /// (`AtomWriter.document(_:outline:changed:previous:)`): only the entries stored since are read from the
    /// store and written anew. `nil` when the file must be written whole: another format is written, the
    /// settings changed, the file is missing or lacks an entry, or the site's address comes from the entries.
    private func spliced(
        _ config: PipelineConfig, status: FeedStatus, stamps: String?, report: RunReport, state: any StateStore
    ) async throws(RunError) -> (
        report: RunReport, files: [FeedFile]
    )? {
        // The file there must be the one written at the recorded revision, with these settings.
        guard config.formats == [.atom], let stamps, let emitted = status.emitted,
            emitted.hasSuffix(Self.stampSeparator + stamps), let space = emitted.firstIndex(of: " "),
            let written = Int(emitted[..<space]),
            emitted[emitted.index(after: space)...] == Self.settings(of: config) + Self.stampSeparator + stamps,
            let link = config.link ?? siteLink(config),
            let previous = AtomicFile.OpenFile(config.output)
        else { return nil }
        var scanner = EntryScanner()
        guard previous.read({ scanner.scan($0) }) else { return nil }
        let outline: [EntryOutline]
        var changed: [String: Entry] = [:]
        do {
            outline = try await state.outline(feed: config.id)
            for item in outline where item.revision > written {
                changed[item.id] = try await state.entry(feed: config.id, id: item.id)
            }
        } catch {
            throw RunError.state(error)
        }
        let meta = FeedMeta(
            id: config.id, title: config.title, link: link, selfLink: Self.selfLink(of: config, format: .atom),
            author: config.author ?? config.title)
        guard
            let pieces = AtomWriter.document(
                meta, outline: outline.map { ($0.id, $0.updated) }, changed: changed, kept: scanner.found)
        else { return nil }
        var report = report
        report.kept = max(0, outline.count - report.new - report.updated)
        report.written[FeedFolder.key(config.output)] = FeedFormat.atom.head(meta, entries: outline.count)
        return (report, [FeedFile(path: config.output, content: .spliced(pieces, from: previous))])
    }

    /// Everything besides the entries that a pipeline's feed files are made of, as one line: a change to any
    /// of it has the files written again. `writerRevision` goes up when the writers change what they write.
    static func settings(of config: PipelineConfig) -> String {
        var parts = [String(writerRevision), config.id, config.title, config.link ?? "", config.author ?? ""]
        for format in config.formats {
            parts += [format.fileExtension, config.path(for: format), selfLink(of: config, format: format) ?? ""]
        }
        return parts.joined(separator: "\u{1F}")
    }

    static let writerRevision = 1

    /// What the files of a pipeline are on disk, each one's size and modification time, or `nil` when one is
    /// missing (`-` then in what is recorded). Recorded with the mark once they are written (`emitted(_:config:)`), it tells the files a
    /// run wrote from files put there since: an older copy restored, a user's edit, or, with workers on
    /// several machines sharing one store, this machine's file of an earlier revision.
    static func stamps(of config: PipelineConfig) -> String? {
        var parts: [String] = []
        for format in config.formats {
            var info = stat()
            guard stat(config.path(for: format), &info) == 0 else { return nil }
            parts.append("\(info.st_size).\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
        }
        return parts.joined(separator: " ")
    }

    static let stampSeparator = "\u{1E}"

    /// The mark to record once a pipeline's files are written (`StateStore.markEmitted`): `mark` and the
    /// files' stamps.
    static func emitted(_ mark: String, config: PipelineConfig) -> String {
        mark + stampSeparator + (stamps(of: config) ?? "-")
    }

    /// One feed file to write: where, and its content, whole or made from the file it replaces.
    struct FeedFile: Sendable {
        let path: String
        let content: Content

        enum Content: Sendable {
            case whole([UInt8])
            /// New bytes and stretches of the previous file, kept open since it was read.
            case spliced([SplicePiece], from: AtomicFile.OpenFile)
        }

        func write() throws(AtomicFile.WriteError) {
            switch content {
            case .whole(let bytes): try AtomicFile.write(bytes: bytes, to: path)
            case .spliced(let pieces, let previous): try AtomicFile.write(pieces, from: previous, to: path)
            }
        }

        /// The bytes written: a spliced file is read back from disk (`nil` when it cannot be).
        func written() -> [UInt8]? {
            switch content {
            case .whole(let bytes): bytes
            case .spliced: AtomicFile.read(path)
            }
        }
    }

    /// Writes feed files atomically, one after another, on `queue` rather than on the calling task's thread:
    /// each write ends in fsync, which blocks for milliseconds on a slow disk, and Swift's cooperative threads
    /// (one per core) are extraction's. Returns the first failure; the files after it are not written.
    static func write(_ files: [FeedFile], on queue: DispatchQueue) async -> RunError? {
        await withCheckedContinuation { continuation in
            queue.async {
                for file in files {
                    do {
                        try file.write()
                    } catch {
                        continuation.resume(returning: .output(error, path: file.path))
                        return
                    }
                }
                continuation.resume(returning: nil)
            }
        }
    }

    /// Publishes written feed files into a store that keeps them for `serve` (`FeedPublishing`), each under
    /// its file name with its head; why one could not be. With no such store there is nothing to do.
    static func publish(_ files: [FeedFile], heads: [String: FeedHead], to shelf: (any FeedPublishing)?) async
        -> StateError?
    {
        guard let shelf else { return nil }
        do {
            for file in files {
                guard let bytes = file.written() else {
                    return StateError(path: file.path, "the feed just written cannot be read back to be published")
                }
                try await shelf.publish(
                    URL(fileURLWithPath: file.path).lastPathComponent, bytes: bytes,
                    head: heads[FeedFolder.key(file.path)], at: Date())
            }
            return nil
        } catch {
            return error
        }
    }

    /// The public address of a pipeline's feed in one format: `url:` with the format's extension in place of
    /// the Atom file's; `nil` when the pipeline names no public address (the file's own path on this machine
    /// is no address to publish).
    static func selfLink(of config: PipelineConfig, format: FeedFormat) -> String? {
        let path = config.path(for: format)
        guard let published = config.selfLink else { return nil }
        guard format != .atom, var components = URLComponents(string: published) else { return published }
        let atomName = URL(fileURLWithPath: config.output).lastPathComponent
        let ownName = URL(fileURLWithPath: path).lastPathComponent
        if components.path.hasSuffix("/" + atomName) || components.path == atomName {
            components.path = String(components.path.dropLast(atomName.count)) + ownName
        } else if components.path.hasSuffix(".atom") || components.path.hasSuffix(".xml") {
            let stem = components.path.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(
                separator: ".")
            components.path = stem + "." + format.fileExtension
        } else {
            return published
        }
        return components.string ?? published
    }

    /// The site a feed's entries come from, for a pipeline whose source is no web page (files on this
    /// machine): the origin of its newest entry's web address.
    static func site(of entries: [Entry]) -> String? {
        for entry in entries {
            guard let link = entry.link, let url = URLComponents(string: link), let scheme = url.scheme?.lowercased(),
                scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty
            else { continue }
            var origin = URLComponents()
            origin.scheme = scheme
            origin.host = host
            origin.port = url.port
            origin.path = "/"
            return origin.string
        }
        return nil
    }

    private func siteLink(_ config: PipelineConfig) -> String? {
        let url = config.sourceURL
        return url.hasPrefix("http") ? url : nil
    }
}
