import Feed
import Fetch
import Foundation
import HTTPTypes
import Hummingbird

/// Serves a folder of feeds over HTTP: the right media types, strong ETags and Last-Modified with 304
/// answers, gzip when the client accepts it, and nothing outside the folder.
package struct FeedServer: Sendable {
    package let folder: URL

    /// `/full?url=`, when on.
    let onDemand: OnDemandWork?
    /// `/preview/NAME`, when on.
    let previews: Previews?

    package init(folder: String, onDemand: OnDemand? = nil, previews: Previews? = nil) {
        self.folder = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath()
        self.onDemand = onDemand.map(OnDemandWork.init)
        self.previews = previews
    }

    /// The preview pages of a folder of pipelines (`serve --pipelines DIR`): what `feedpipe check` prints,
    /// as pages.
    package struct Previews: Sendable {
        package var index: @Sendable () -> String
        package var page: @Sendable (_ name: String) async -> String?

        package init(index: @escaping @Sendable () -> String, page: @escaping @Sendable (String) async -> String?) {
            self.index = index
            self.page = page
        }
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
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

    /// The file's media type; anything unknown is bytes.
    static func mediaType(of file: URL) -> String {
        mediaTypes[file.pathExtension.lowercased()] ?? "application/octet-stream"
    }

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    /// Whether the client is a browser asking for a page: it accepts `text/html` and names no feed type.
    /// Feed readers name the feed types, or accept anything (`*/*`) without naming HTML.
    static func wantsPage(_ accept: String?) -> Bool {
        guard let accept = accept?.lowercased(), accept.contains("text/html") else { return false }
        return !FeedFormat.allCases.contains { accept.contains($0.mediaType) }
    }

    /// The feed as a page for a person, with the addresses of every format of it in the folder as seen by
    /// this client (`Host`, and `X-Forwarded-Proto` behind a proxy).
    func page(for file: URL, format: FeedFormat, data: Data, request: Request) -> Data? {
        guard let contents = FeedPage.read(Array(data), as: format) else { return nil }
        let host = request.head.authority ?? "localhost"
        let scheme = request.headers[Self.forwardedProto] == "https" ? "https" : "http"
        let stem = file.deletingPathExtension()
        let relative = stem.path.dropFirst(folder.path.count)
        let addresses = FeedFormat.allCases.compactMap { other -> (format: FeedFormat, url: String)? in
            let sibling = stem.appendingPathExtension(other.fileExtension)
            guard FileManager.default.fileExists(atPath: sibling.path) else { return nil }
            let path = (relative + "." + other.fileExtension).addingPercentEncoding(
                withAllowedCharacters: .urlPathAllowed)
            return (other, "\(scheme)://\(host)\(path ?? "")")
        }
        return Data(FeedPage.html(contents, addresses: addresses).utf8)
    }

    /// Runs until the process is stopped.
    package func run(host: String, port: Int) async throws {
        let router = Router()
        router.get("/") { request, _ in self.respond(to: request, path: "/") }
        if let previews {
            router.get("/preview") { _, _ in Self.html(previews.index()) }
            router.get("/preview/:name") { _, context in
                guard let name = context.parameters.get("name"), let page = await previews.page(name) else {
                    return Response(status: .notFound)
                }
                return Self.html(page)
            }
        }
        if let onDemand {
            router.get("/full") { request, _ in
                switch await onDemand.answer(for: request.uri.queryParameters["url"].map(String.init)) {
                case .feed(let feed):
                    var headers = HTTPFields()
                    headers[.contentType] = FeedFormat.atom.mediaType + "; charset=utf-8"
                    headers[.cacheControl] = "max-age=\(Int(onDemand.settings.cacheSeconds))"
                    return Response(
                        status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: feed)))
                case .refused(let status, let message):
                    var headers = HTTPFields()
                    headers[.contentType] = "text/plain; charset=utf-8"
                    if status == 503 { headers[.retryAfter] = "5" }
                    return Response(
                        status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
                }
            }
        }
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
        guard var data = FileManager.default.contents(atPath: file.path),
            let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
            let modified = attributes[.modificationDate] as? Date
        else { return Response(status: .notFound) }
        var mediaType = Self.mediaType(of: file)
        // A browser gets a feed as a page rendered here; a reader gets the feed itself.
        if let format = FeedFormat(fileExtension: file.pathExtension), Self.wantsPage(request.headers[.accept]),
            let page = page(for: file, format: format, data: data, request: request)
        {
            data = page
            mediaType = "text/html; charset=utf-8"
        }

        let gzip = Self.acceptsGzip(request.headers[.acceptEncoding]) && data.count > 256
        let body = gzip ? Gzip.compress(data) ?? data : data
        let tag = "\"\(Self.hash(data))\(gzip && body != data ? "-gz" : "")\""
        var headers = HTTPFields()
        headers[.contentType] = mediaType
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
    static func hash(_ data: Data) -> String { String(FNV1a.hash(data), radix: 16) }

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
