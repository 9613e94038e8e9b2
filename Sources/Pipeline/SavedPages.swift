import Foundation

/// Lists a folder of saved HTML pages as links (`file:` URLs, sorted by path); each page's canonical URL
/// becomes its entry's address when the page names one.
enum SavedPages {
    struct Unreadable: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path): the folder cannot be read" }
    }

    static func links(in folderURL: String) -> Result<[Link], Unreadable> {
        guard let folder = URL(string: folderURL), folder.isFileURL else { return .failure(Unreadable(path: folderURL)) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue,
            let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        else { return .failure(Unreadable(path: folder.path)) }
        var files: [URL] = []
        for case let file as URL in walker where ["html", "htm"].contains(file.pathExtension.lowercased()) {
            files.append(file.standardizedFileURL)
        }
        return .success(files.sorted { $0.path < $1.path }.map { Link(url: $0.absoluteString) })
    }
}
