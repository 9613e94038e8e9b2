import Feed
import Fetch
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves a folder of feeds over HTTP: the right media types, strong ETags and Last-Modified with 304
/// answers, gzip when the client accepts it, and nothing outside the folder.
package struct FeedServer: Sendable {
    package let folder: URL

    /// `/full?url=`, when on.
    let onDemand: OnDemandWork?
    /// `/preview/NAME`, when on.
    let previews: Previews?

    /// Compressed feeds and feeds drawn as pages, kept within a budget of bytes.
    let variants: BoundedCache<Variant, ByteBuffer>
    /// How many of those are made at once: each reads its whole file.
    let making = Gate(width: 2)

    package init(folder: String, onDemand: OnDemand? = nil, previews: Previews? = nil, variantBytes: Int = 24 << 20) {
        self.folder = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath()
        self.onDemand = onDemand.map(OnDemandWork.init)
        self.previews = previews
        variants = BoundedCache(budget: variantBytes) { $0.readableBytes }
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

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    /// Whether the client is a browser asking for a page: it accepts `text/html` and names no feed type.
    /// Feed readers name the feed types, or accept anything (`*/*`) without naming HTML.
    static func wantsPage(_ accept: String?) -> Bool {
        guard let accept = accept?.lowercased(), accept.contains("text/html") else { return false }
        return !FeedFormat.allCases.contains { accept.contains($0.mediaType) }
    }

    /// The feed as a page for a person, with the addresses of every format of it in the folder as seen from
    /// `origin` (the client's `Host`, and `X-Forwarded-Proto` behind a proxy).
    func page(for file: URL, format: FeedFormat, bytes: [UInt8], origin: String) -> [UInt8]? {
        guard let contents = FeedPage.read(bytes, as: format) else { return nil }
        let stem = file.deletingPathExtension()
        let relative = stem.path.dropFirst(folder.path.count)
        let addresses = FeedFormat.allCases.compactMap { other -> (format: FeedFormat, url: String)? in
            let sibling = stem.appendingPathExtension(other.fileExtension)
            guard FileManager.default.fileExists(atPath: sibling.path) else { return nil }
            let path = (relative + "." + other.fileExtension).addingPercentEncoding(
                withAllowedCharacters: .urlPathAllowed)
            return (other, origin + (path ?? ""))
        }
        return Array(FeedPage.html(contents, addresses: addresses).utf8)
    }

    /// Runs until the process is stopped.
    package func run(host: String, port: Int) async throws {
        let router = Router(context: ServeContext.self)
        router.get("/") { request, _ in await self.respond(to: request, path: "/") }
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
            router.get("/full") { request, context in
                let client = context.remoteAddress.map(Self.client) ?? "unknown"
                switch await onDemand.answer(for: request.uri.queryParameters["url"].map(String.init), client: client) {
                case .feed(let feed):
                    var headers = HTTPFields()
                    headers[.contentType] = FeedFormat.atom.mediaType + "; charset=utf-8"
                    headers[.cacheControl] = "max-age=\(Int(onDemand.settings.cacheSeconds))"
                    return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: feed))
                case .refused(let status, let message):
                    var headers = HTTPFields()
                    headers[.contentType] = "text/plain; charset=utf-8"
                    if status == 503 || status == 429 { headers[.retryAfter] = "5" }
                    return Response(
                        status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
                }
            }
        }
        router.get("**") { request, _ in await self.respond(to: request, path: request.uri.path) }
        router.head("/") { request, _ in await self.respond(to: request, path: "/", bodyless: true) }
        router.head("**") { request, _ in await self.respond(to: request, path: request.uri.path, bodyless: true) }
        let app = Application(
            router: router, server: .closingHTTP1(idleTimeout: .seconds(60)),
            configuration: .init(address: .hostname(host, port: port), serverName: "feedpipe"))
        try await app.runService()
    }

    /// What the on-demand limits count as one client: its IP address.
    static func client(_ address: SocketAddress) -> String {
        address.ipAddress ?? address.description
    }

    /// A request's context: Hummingbird's, with the address of the client.
    struct ServeContext: RequestContext, RemoteAddressRequestContext {
        var coreContext: CoreRequestContextStorage
        let remoteAddress: SocketAddress?

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            remoteAddress = source.channel.remoteAddress
        }
    }

    /// What is made of a file for some requests, kept by the file's identity so that a changed file is made
    /// anew: compressed, drawn as a page for a browser (per origin, whose addresses it shows), or both.
    struct Variant: Hashable, Sendable {
        enum Form: Hashable, Sendable {
            case gzip
            case page(origin: String)
            case gzippedPage(origin: String)
        }

        var identity: String
        var form: Form
    }

    /// The answer to a request for `path` (URL-encoded, as sent).
    func respond(to request: Request, path: String, bodyless: Bool = false) async -> Response {
        guard let resolved = file(for: path), let file = ServedFile.open(resolved.path) else {
            return Response(status: .notFound)
        }
        // A browser gets a feed as a page drawn here; a reader gets the feed itself.
        var origin: String?
        if case .feed = file.kind, Self.wantsPage(request.headers[.accept]) {
            let host = request.head.authority.map { String($0.prefix(255)) } ?? "localhost"
            origin = (request.headers[Self.forwardedProto] == "https" ? "https" : "http") + "://" + host
        }
        let gzip = Self.acceptsGzip(request.headers[.acceptEncoding]) && file.size > 256
        let form: Variant.Form? =
            switch (origin, gzip) {
            case (let origin?, true): .gzippedPage(origin: origin)
            case (let origin?, false): .page(origin: origin)
            case (nil, true): .gzip
            case (nil, false): nil
            }

        var tag = file.identity
        if let origin { tag += "-p" + String(FNV1a.hash(origin.utf8), radix: 16) }
        if gzip { tag += "-gz" }
        var headers = HTTPFields()
        headers[.contentType] = origin == nil ? file.mediaType : "text/html; charset=utf-8"
        headers[.eTag] = "\"\(tag)\""
        headers[.lastModified] = Self.httpDate(file.modified)
        headers[.cacheControl] = "no-cache"
        headers[.vary] = "Accept, Accept-Encoding"
        if Self.isNotModified(request, tag: "\"\(tag)\"", modified: file.modified) {
            return Response(status: .notModified, headers: headers)
        }
        guard let form else {
            headers[.contentLength] = String(file.size)
            return Response(status: .ok, headers: headers, body: bodyless ? ResponseBody() : file.body)
        }
        guard let made = await variant(Variant(identity: file.identity, form: form), of: file) else {
            // A feed the page cannot be drawn from (or a compression failure): the file as it is.
            headers[.contentType] = file.mediaType
            headers[.eTag] = "\"\(file.identity)\""
            headers[.contentLength] = String(file.size)
            return Response(status: .ok, headers: headers, body: bodyless ? ResponseBody() : file.body)
        }
        if gzip { headers[.contentEncoding] = "gzip" }
        headers[.contentLength] = String(made.readableBytes)
        return Response(status: .ok, headers: headers, body: bodyless ? ResponseBody() : ResponseBody(byteBuffer: made))
    }

    /// A variant of a file, kept in the bounded cache and made at most `making.width` at a time.
    func variant(_ key: Variant, of file: ServedFile) async -> ByteBuffer? {
        await variants.value(for: key) { [self] in
            switch key.form {
            case .gzippedPage(let origin):
                let plain = Variant(identity: key.identity, form: .page(origin: origin))
                guard let page = await variant(plain, of: file) else { return nil }
                return await making.pass { Gzip.compress(Data(buffer: page)).map { ByteBuffer(bytes: $0) } }
            case .gzip:
                return await making.pass {
                    guard let bytes = try? await file.bytes() else { return nil }
                    return Gzip.compress(Data(bytes)).map { ByteBuffer(bytes: $0) }
                }
            case .page(let origin):
                return await making.pass {
                    guard case .feed(let format) = file.kind, let bytes = try? await file.bytes() else { return nil }
                    return page(for: URL(fileURLWithPath: file.path), format: format, bytes: bytes, origin: origin)
                        .map { ByteBuffer(bytes: $0) }
                }
            }
        }
    }

    /// The file for a request path inside the folder, or `nil`: paths that leave the folder (through `..`,
    /// encoded or not, or a symbolic link) and hidden files are refused; a folder means its `index.html`, and
    /// a file named with a trailing slash does not exist.
    func file(for path: String) -> URL? {
        guard let decoded = path.removingPercentEncoding, !decoded.contains("\0") else { return nil }
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains(where: { $0 == ".." || $0.hasPrefix(".") || $0.contains("\\") }) else { return nil }
        var url = parts.reduce(folder) { $0.appendingPathComponent(String($1)) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue {
            url.appendPathComponent("index.html")
        } else if decoded.hasSuffix("/") {
            return nil
        }
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL
        guard resolved.path.hasPrefix(folder.path + "/") else { return nil }
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
