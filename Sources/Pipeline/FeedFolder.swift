import Feed
import Foundation
import Markup

/// The files that accompany the feeds of a folder: `index.opml` and `index.html` listing every feed found
/// there (whichever pipelines wrote them), and `.feedpipe-runs.json`, when each feed's pipeline last ran and
/// how that went (a dotfile: `serve` never serves it; the index page shows it).
enum FeedFolder {
    static let runsName = ".feedpipe-runs.json"

    /// Rewrites the folder's index files (each only when its content changes). `written` holds the heads of
    /// the feeds this run wrote, by `key(_:)` of their path; the folder's other feeds are read.
    static func writeIndex(in folder: String, written: [String: FeedHead] = [:]) throws {
        var heads = HeadCache(folder: folder)
        let listings = self.listings(in: folder, written: written, heads: &heads)
        heads.save()
        let base = URL(fileURLWithPath: folder)
        // Feeds no longer name a stylesheet (a browser is shown a page by `serve`): the one once written goes.
        unlink(base.appendingPathComponent("feed.xsl").path)
        try AtomicFile.write(
            FeedIndex.opml(listings), to: base.appendingPathComponent("index.opml").path, durable: false)
        try AtomicFile.write(
            FeedIndex.html(listings), to: base.appendingPathComponent("index.html").path, durable: false)
    }

    /// Records pipelines' runs beside their feeds (by feed path), one write per folder, keeping what the
    /// folders' other feeds recorded.
    static func record(_ statuses: [(output: String, status: RunStatus)]) throws {
        let byFolder = Dictionary(grouping: statuses) {
            URL(fileURLWithPath: $0.output).deletingLastPathComponent().path
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        for (folder, statuses) in byFolder.sorted(by: { $0.key < $1.key }) {
            let path = URL(fileURLWithPath: folder).appendingPathComponent(runsName).path
            var runs = self.runs(at: path)
            for (output, status) in statuses {
                runs[URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent] = status
            }
            let data = (try? encoder.encode(runs)) ?? Data()
            try AtomicFile.write(String(decoding: data, as: UTF8.self) + "\n", to: path, durable: false)
        }
    }

    /// The runs recorded in a folder, by feed name; none when the file is missing or unreadable.
    static func runs(at path: String) -> [String: RunStatus] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode([String: RunStatus].self, from: data)) ?? [:]
    }

    /// A feed file's path as `writeIndex` knows it: absolute, without `.` or `..`.
    static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Every feed in the folder, one listing per name with the formats present, sorted by title. A file
    /// whose head is in `written` is not read.
    static func listings(in folder: String, written: [String: FeedHead] = [:]) -> [FeedIndex.Listing] {
        var heads = HeadCache(folder: folder)
        return listings(in: folder, written: written, heads: &heads)
    }

    /// `listings(in:written:)`, the heads of unchanged files taken from `heads` rather than read.
    static func listings(in folder: String, written: [String: FeedHead], heads: inout HeadCache)
        -> [FeedIndex.Listing]
    {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let runs = self.runs(at: URL(fileURLWithPath: folder).appendingPathComponent(runsName).path)
        var files: [FeedIndex.File] = []
        for file in names.sorted() where !file.hasPrefix(".") {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(file)
            guard let format = FeedFormat(fileExtension: url.pathExtension),
                let head = heads.head(of: file, format: format, written: written[key(url.path)])
            else { continue }
            let run = runs[url.deletingPathExtension().lastPathComponent]
            files.append(FeedIndex.File(name: file, head: head, lastRun: run?.lastRun, lastError: run?.lastError))
        }
        return FeedIndex.listings(files)
    }
}

/// How a pipeline's last run went, as the folder's index shows it.
struct RunStatus: Codable, Equatable {
    var lastRun: Date
    /// Sources and articles that failed.
    var failures: Int
    /// The first of them, or why the feed could not be written.
    var lastError: String?
}

/// The heads of a folder's feed files as last read or written, with each file's size and time of change,
/// kept in `.feedpipe-heads.json`: the index of a folder whose feeds did not change is made without opening
/// one (a feed of a thousand entries takes a third of a second to parse).
struct HeadCache {
    private struct Known: Codable, Equatable {
        var title: String?
        var site: String?
        var selfLink: String?
        var entries: Int
        var size: Int
        var modified: Double
    }

    static let name = ".feedpipe-heads.json"
    private let path: String
    private let folder: URL
    private let loaded: [String: Known]
    private var known: [String: Known] = [:]

    init(folder: String) {
        self.folder = URL(fileURLWithPath: folder)
        path = self.folder.appendingPathComponent(Self.name).path
        loaded =
            FileManager.default.contents(atPath: path).flatMap {
                try? JSONDecoder().decode([String: Known].self, from: $0)
            }
            ?? [:]
    }

    /// The head of the folder's file `name`: `written` when this run wrote it, the one kept when the file has
    /// the size and time of change it had then, else read from the file.
    mutating func head(of name: String, format: FeedFormat, written: FeedHead?) -> FeedHead? {
        let filePath = folder.appendingPathComponent(name).path
        var info = stat()
        guard stat(filePath, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        let head: FeedHead
        if let written {
            head = written
        } else if let kept = loaded[name], kept.size == size, kept.modified == modified {
            head = FeedHead(title: kept.title, site: kept.site, selfLink: kept.selfLink, entries: kept.entries)
        } else if let data = FileManager.default.contents(atPath: filePath),
            let read = FeedHead.read(Array(data), as: format)
        {
            head = read
        } else {
            return nil
        }
        known[name] = Known(
            title: head.title, site: head.site, selfLink: head.selfLink, entries: head.entries, size: size,
            modified: modified)
        return head
    }

    /// Keeps the heads seen, when they differ from those loaded. A cache that cannot be written costs only a
    /// reading next time.
    func save() {
        guard known != loaded, let data = try? JSONEncoder().encode(known) else { return }
        try? AtomicFile.write(String(decoding: data, as: UTF8.self), to: path, durable: false)
    }
}
