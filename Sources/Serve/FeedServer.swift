import Feed
import Fetch
import Foundation
import Hummingbird

/// Serves a folder of feeds over HTTP: the right media types, strong ETags and Last-Modified with 304
/// answers, gzip when the client accepts it, and nothing outside the folder.
package struct FeedServer: Sendable {
    package let folder: URL

    package init(folder: String) {
        self.folder = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath()
    }

    /// Media types by file extension: the feed formats' own, and the folder's other files; anything else is
    /// served as bytes.
    static let mediaTypes: [String: String] = Dictionary(
        uniqueKeysWithValues: FeedFormat.allCases.map { ($0.fileExtension, $0.mediaType + "; charset=utf-8") }
    ).merging([
        "opml": "text/x-opml; charset=utf-8",
        "xsl": "text/xsl; charset=utf-8", "html": "text/html; charset=utf-8", "xml": "application/xml; charset=utf-8",
        "md": "text/plain; charset=utf-8",
    ]) { own, _ in own }

    /// The file's media type. Browsers asking for a page (they accept `text/html` and name no feed type) get
    /// Atom and RSS as `application/xml`: Chromium shows the feed types as plain text and applies a feed's
    /// stylesheet only to XML. Feed readers get the feed's own type.
    static func mediaType(of file: URL, accept: String?) -> String {
        let fileExtension = file.pathExtension.lowercased()
        if fileExtension == "atom" || fileExtension == "rss", let accept, accept.contains("text/html"),
            !accept.contains("atom+xml"), !accept.contains("rss+xml")
        {
            return "application/xml; charset=utf-8"
        }
        return mediaTypes[fileExtension] ?? "application/octet-stream"
    }

    /// Runs until the process is stopped.
    package func run(host: String, port: Int) async throws {
        let router = Router()
        router.get("/") { request, _ in self.respond(to: request, path: "/") }
        router.get("**") { request, _ in self.respond(to: request, path: request.uri.path) }
        router.head("/") { request, _ in self.respond(to: request, path: "/", bodyless: true) }
        router.head("**") { request, _ in self.respond(to: request, path: request.uri.path, bodyless: true) }
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "feedpipe"))
        try await app.runService()
    }

    /// The answer to a request for `path` (URL-encoded, as sent).
    func respond(to request: Request, path: String, bodyless: Bool = false) -> Response {
        guard let file = file(for: path) else { return Response(status: .notFound) }
        guard let data = FileManager.default.contents(atPath: file.path),
            let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
            let modified = attributes[.modificationDate] as? Date
        else { return Response(status: .notFound) }

        let gzip = Self.acceptsGzip(request.headers[.acceptEncoding]) && data.count > 256
        let body = gzip ? Gzip.compress(data) ?? data : data
        let tag = "\"\(Self.hash(data))\(gzip && body != data ? "-gz" : "")\""
        var headers = HTTPFields()
        headers[.contentType] = Self.mediaType(of: file, accept: request.headers[.accept])
        headers[.eTag] = tag
        headers[.lastModified] = Self.httpDate(modified)
        headers[.cacheControl] = "no-cache"
        headers[.vary] = "Accept, Accept-Encoding"
        if Self.isNotModified(request, tag: tag, modified: modified) {
            return Response(status: .notModified, headers: headers)
        }
        if gzip && body != data { headers[.contentEncoding] = "gzip" }
        headers[.contentLength] = String(body.count)
        if bodyless { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The file a request path names inside the folder, or `nil`: paths that leave the folder (through `..`,
    /// encoded or not, or a symbolic link) and hidden files are refused; a folder means its `index.html`.
    func file(for path: String) -> URL? {
        guard let decoded = path.removingPercentEncoding, !decoded.contains("\0") else { return nil }
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains(where: { $0 == ".." || $0.hasPrefix(".") || $0.contains("\\") }) else { return nil }
        var url = parts.reduce(folder) { $0.appendingPathComponent(String($1)) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue { url.appendPathComponent("index.html") }
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL
        guard resolved.path.hasPrefix(folder.path + "/"), FileManager.default.isReadableFile(atPath: resolved.path)
        else { return nil }
        return resolved
    }

    /// RFC 9110 §13.1.2 and §13.1.3: If-None-Match wins over If-Modified-Since.
    static func isNotModified(_ request: Request, tag: String, modified: Date) -> Bool {
        if let match = request.headers[.ifNoneMatch] {
            return match.split(separator: ",").contains { candidate in
                let value = candidate.trimmingCharacters(in: .whitespaces)
                return value == "*" || value == tag || value == "W/" + tag
            }
        }
        if let since = request.headers[.ifModifiedSince], let date = parseHTTPDate(since) {
            return modified.timeIntervalSince1970.rounded(.down) <= date.timeIntervalSince1970
        }
        return false
    }

    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { coding in
            let parts = coding.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == "gzip" else { return false }
            return !parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "q=0" }
        }
    }

    /// A strong validator: FNV-1a over the bytes, which change whenever the feed does.
    static func hash(_ data: Data) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return String(value, radix: 16)
    }

    static func httpDate(_ date: Date) -> String {
        httpDateFormatter.string(from: date)
    }

    static func parseHTTPDate(_ text: String) -> Date? {
        httpDateFormatter.date(from: text)
    }

    private static let httpDateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()
}
