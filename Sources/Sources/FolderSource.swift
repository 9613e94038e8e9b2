import Feed
import Fetch
import Foundation

/// `type: folder`: a folder of saved HTML pages on this machine, listed as `file:` links (every `.html` and
/// `.htm` below it, sorted by path); each page's canonical URL becomes its entry's address when it names one.
package struct FolderSource: ItemSource {
    package static let type = "folder"

    package let url: String

    package init(url: String, settings: any SourceSettings) throws(SourceSettingsError) {
        guard url.hasPrefix("file:") else {
            throw SourceSettingsError(key: "url", "a folder source is a path on this machine")
        }
        self.url = url
    }

    package var isFetched: Bool { false }

    package var localFolder: String? { URL(string: url).map { $0.standardizedFileURL.path } }

    package var nothingOffered: String { "the folder holds no .html pages" }

    package func items(in answer: Response?, reading: SourceReading) throws(SourceError) -> Offer {
        guard let folder = URL(string: url), folder.isFileURL else {
            throw SourceError("\(url): the folder cannot be read")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue,
            let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        else { throw SourceError("\(folder.path): the folder cannot be read") }
        var files: [URL] = []
        for case let file as URL in walker where ["html", "htm"].contains(file.pathExtension.lowercased()) {
            files.append(file.standardizedFileURL)
        }
        return Offer(items: files.sorted { $0.path < $1.path }.map { Item(link: $0.absoluteString) })
    }
}
