import Feed
import Fetch
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves a folder of feeds over HTTP: the right media types, strong ETags and Last-Modified with 304
/// answers, gzip when the client accepts it, and nothing but feeds and their indexes. With an access key,
/// `/full`, previews and images (and the feeds, when protected) need it.
package struct FeedServer: Sendable {
    package let folder: URL

    /// `/full?url=`, when on.
    let onDemand: OnDemandWork?
    /// `/preview/NAME`, when on.
    let previews: Previews?
    let access: Access
    /// `/image?url=`, and feeds whose images go through it, when on.
    let images: ImageProxy?
    /// The feeds published in a shared store, answered in place of the folder's, when given.
    let shelf: PublishedShelf?

    /// Compressed feeds, feeds with their images through the proxy, and feeds drawn as pages, kept within a
    /// budget of bytes.
    let variants: BoundedCache<Variant, ByteBuffer>
    /// The entries of whole feeds as their views show them, by the variant they were read from: a view's
    /// later pages are each cut from one reading of the feed, not from a reading each (a stranger asking for
    /// page after page of a long feed costs one parse of it).
    let views: BoundedCache<Variant, FeedPage.Contents>
    /// How many of those are made at once: each reads its whole file.
    let making = Gate(width: 1)
    /// What `/metrics` shows.
    package let metrics = ServeMetrics()

    /// The most of a feed read to draw its page.
    static let pageSourceBytes = 2 << 20

    /// Who may ask for what.
    package struct Access: Sendable {
        /// The key `/full`, previews and images need; with none, they are open to anyone who reaches the server.
        package var key: AccessKey?
        /// Whether the feeds and their indexes need the key too.
        package var protectsFeeds = false
        /// Whether feeds' images are loaded through `/image` (needs a key, which signs their addresses).
        package var proxiesImages = false
        /// Whether `/image` may reach private and local addresses.
        package var privateAddresses = false

        package init(key: AccessKey? = nil, protectsFeeds: Bool = false, proxiesImages: Bool = false) {
            self.key = key
            self.protectsFeeds = protectsFeeds
            self.proxiesImages = proxiesImages
        }
    }

    package init(
        folder: String, onDemand: OnDemand? = nil, previews: Previews? = nil, access: Access = Access(),
        variantBytes: Int = 24 << 20, published: (any PublishedFeeds)? = nil
    ) {
        self.folder = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath()
        shelf = published.map(PublishedShelf.init)
        self.onDemand = onDemand.map(OnDemandWork.init)
        self.previews = previews
        self.access = access
        images = access.key.flatMap { key in
            access.proxiesImages ? ImageProxy(key: key, privateAddresses: access.privateAddresses) : nil
        }
        variants = BoundedCache(budget: variantBytes) { $0.readableBytes }
        views = BoundedCache(budget: variantBytes) { contents in
            contents.items.reduce(0) { $0 + 256 + $1.title.utf8.count + ($1.summary?.utf8.count ?? 0) }
        }
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

    static func text(_ text: String, status: Int, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    /// Whether the client is a browser asking for a page: it accepts `text/html` and names no feed type.
    /// Feed readers name the feed types, or accept anything (`*/*`) without naming HTML.
    static func wantsPage(_ accept: String?) -> Bool {
        guard let accept = accept?.lowercased(), accept.contains("text/html") else { return false }
        return !FeedFormat.allCases.contains { accept.contains($0.mediaType) }
    }

    /// `scheme://host` of this server as the client reached it (`Host`, and `X-Forwarded-Proto` behind a
    /// proxy).
    static func origin(of request: Request) -> String {
        let host = request.head.authority.map { String($0.prefix(255)) } ?? "localhost"
        return (request.headers[forwardedProto] == "https" ? "https" : "http") + "://" + host
    }

    /// Whether the request shows the access key (as a bearer token, or a signature of what it asks for), or
    /// none is needed.
    func isAuthorized(_ request: Request) -> Bool {
        guard let key = access.key else { return true }
        if let authorization = request.headers[.authorization], key.accepts(authorization: authorization) {
            return true
        }
        guard let signature = request.uri.queryParameters["sig"], let path = request.uri.path.removingPercentEncoding
        else { return false }
        let url = request.uri.queryParameters["url"].map(String.init)
        return key.accepts(signature: String(signature), path: path, url: url)
    }

    static let unauthorized: Response = {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"feedpipe\""
        return text(
            "this address needs the access key: send Authorization: Bearer KEY, or use the signed address "
                + "`feedpipe sign` prints", status: 401, headers: headers)
    }()

    /// The feed as a page for a person, with the addresses of every format of it served beside it
    /// (`formats`, the feed's path without extension being `stem`) as seen from `origin`.
    func page(
        of contents: FeedPage.Contents, stem: String, formats: [FeedFormat], origin: String, number: Int = 1,
        more: Bool = false
    ) -> [UInt8] {
        let addresses = formats.map { format in
            let path = (stem + "." + format.fileExtension).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)
            return (format, origin + (path ?? ""))
        }
        return Array(FeedPage.html(contents, addresses: addresses, number: number, more: more).utf8)
    }

    /// A feed's path as served, without its extension, and the formats of it that are served: from the
    /// folder, or from what is published.
    func siblings(of file: ServedFile) async -> (stem: String, formats: [FeedFormat]) {
        if let shelf {
            let stem = URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent
            var formats: [FeedFormat] = []
            for format in FeedFormat.allCases
            where (try? await shelf.feeds.version(of: stem + "." + format.fileExtension)) != nil {
                formats.append(format)
            }
            return ("/" + stem, formats)
        }
        let stem = URL(fileURLWithPath: file.path).deletingPathExtension()
        let formats = FeedFormat.allCases.filter { format in
            FileManager.default.fileExists(atPath: stem.appendingPathExtension(format.fileExtension).path)
        }
        return (String(stem.path.dropFirst(folder.path.count)), formats)
    }

    /// Runs until the process is stopped.
    package func run(host: String, port: Int) async throws {
        let router = Router(context: ServeContext.self)
        router.add(middleware: MetricsRecorder(metrics: metrics))
        router.get("/") { request, context in await self.respond(to: request, context: context, path: "/") }
        router.get("/metrics") { request, _ in
            if access.protectsFeeds, !isAuthorized(request) { return Self.unauthorized }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition)))
        }
        if let previews {
            router.get("/preview") { request, _ in
                isAuthorized(request) ? Self.html(previews.index()) : Self.unauthorized
            }
            router.get("/preview/:name") { request, context in
                guard isAuthorized(request) else { return Self.unauthorized }
                guard let name = context.parameters.get("name"), let page = await previews.page(name) else {
                    return Response(status: .notFound)
                }
                return Self.html(page)
            }
        }
        if let onDemand {
            router.get("/full") { request, context in
                guard isAuthorized(request) else { return Self.unauthorized }
                let address = request.uri.queryParameters["url"].map(String.init)
                let answer = await onDemand.answer(for: address, client: context.client)
                switch answer {
                case .feed: metrics.onDemand(outcome: "feed")
                case .refused(let status, _): metrics.onDemand(outcome: String(status))
                }
                switch answer {
                case .feed(let feed):
                    var headers = HTTPFields()
                    headers[.contentType] = FeedFormat.atom.mediaType + "; charset=utf-8"
                    headers[.cacheControl] = "max-age=\(Int(onDemand.settings.cacheSeconds))"
                    var body = feed
                    if let images,
                        let proxied = images.rewrite(Array(buffer: feed), as: .atom, origin: Self.origin(of: request))
                    {
                        body = ByteBuffer(bytes: proxied)
                    }
                    return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
                case .refused(let status, let message):
                    var headers = HTTPFields()
                    if status == 503 || status == 429 { headers[.retryAfter] = "5" }
                    return Self.text(message, status: status, headers: headers)
                }
            }
        }
        if let images {
            router.get("/image") { request, context in
                guard isAuthorized(request) else { return Self.unauthorized }
                guard let url = request.uri.queryParameters["url"].map(String.init), ImageProxy.isProxied(url) else {
                    return Self.text("give the image's address as /image?url=ADDRESS", status: 400)
                }
                let answer = await images.image(at: url, client: context.client)
                var headers = HTTPFields()
                headers[.contentType] = answer.type
                if answer.status == 200 {
                    headers[.cacheControl] = "public, max-age=86400"
                    // An image opened on its own runs nothing: no script of an SVG, no sniffing into HTML.
                    headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
                    headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
                }
                return Response(
                    status: HTTPResponse.Status(code: answer.status), headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bytes)))
            }
        }
        router.get("**") { request, context in
            await self.respond(to: request, context: context, path: request.uri.path)
        }
        router.head("/") { request, context in
            await self.respond(to: request, context: context, path: "/", bodyless: true)
        }
        router.head("**") { request, context in
            await self.respond(to: request, context: context, path: request.uri.path, bodyless: true)
        }
        let app = Application(
            router: router, server: .closingHTTP1(idleTimeout: .seconds(60)),
            configuration: .init(address: .hostname(host, port: port), serverName: "feedpipe"))
        try await app.runService()
    }

    /// A request's context: Hummingbird's, with the address of the client.
    struct ServeContext: RequestContext, RemoteAddressRequestContext {
        var coreContext: CoreRequestContextStorage
        let remoteAddress: SocketAddress?
        /// The connection's event loop, which paces a file's chunks.
        let eventLoop: any EventLoop

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            remoteAddress = source.channel.remoteAddress
            eventLoop = source.channel.eventLoop
        }

        /// What the on-demand and image limits count as one client: its IP address.
        var client: String { remoteAddress.map { $0.ipAddress ?? $0.description } ?? "unknown" }
    }

    /// What is made of a file for some requests, kept by the file's identity so that a changed file is made
    /// anew: its images through the proxy, drawn as a page for a browser, compressed — each made from the
    /// one before it. The origin (whose addresses the proxied images and the page show) is part of it.
    struct Variant: Hashable, Sendable {
        var identity: String
        var origin: String?
        var proxied = false
        var page = false
        /// Which page of a feed's view (from 1; `FeedPage.perPage` entries each).
        var number = 1
        var gzip = false

        /// Whether it is the file as it is, which is streamed and never made.
        var isFile: Bool { !proxied && !page && !gzip }
    }

    /// The answer to a request for `path` (URL-encoded, as sent).
    func respond(to request: Request, context: ServeContext, path: String, bodyless: Bool = false) async -> Response {
        if access.protectsFeeds, !isAuthorized(request) { return Self.unauthorized }
        let found: ServedFile? =
            if let shelf {
                await shelf.file(for: path)
            } else {
                file(for: path).flatMap { ServedFile.open($0.path) }
            }
        guard let file = found else { return Response(status: .notFound) }
        var wanted = Variant(identity: file.identity)
        if case .feed = file.kind {
            // A browser gets a feed as a page drawn here; a reader gets the feed itself.
            wanted.page = Self.wantsPage(request.headers[.accept])
            if wanted.page, let number = request.uri.queryParameters["page"].flatMap({ Int($0) }), number > 1 {
                wanted.number = min(number, 100_000)
            }
            wanted.proxied = images != nil
            if wanted.page || wanted.proxied { wanted.origin = Self.origin(of: request) }
        }
        wanted.gzip = Self.acceptsGzip(request.headers[.acceptEncoding]) && file.size > 256

        var tag = file.identity
        if let origin = wanted.origin { tag += "-" + String(FNV1a.hash(origin.utf8), radix: 16) }
        tag +=
            (wanted.proxied ? "i" : "") + (wanted.page ? "p" : "") + (wanted.number > 1 ? "\(wanted.number)" : "")
            + (wanted.gzip ? "z" : "")
        var headers = HTTPFields()
        headers[.contentType] = wanted.page ? "text/html; charset=utf-8" : file.mediaType
        headers[.eTag] = "\"\(tag)\""
        headers[.lastModified] = Self.httpDate(file.modified)
        headers[.cacheControl] = "no-cache"
        headers[.vary] = "Accept, Accept-Encoding"
        if Self.isNotModified(request, tag: "\"\(tag)\"", modified: file.modified) {
            return Response(status: .notModified, headers: headers)
        }
        guard !wanted.isFile, let made = await variant(wanted, of: file) else {
            // The file as it is (also when no variant can be made of it, say a feed too broken to draw).
            headers[.contentType] = file.mediaType
            headers[.eTag] = "\"\(file.identity)\""
            headers[.contentLength] = String(file.size)
            return Response(
                status: .ok, headers: headers, body: bodyless ? ResponseBody() : file.body(pacedBy: context.eventLoop))
        }
        if wanted.gzip { headers[.contentEncoding] = "gzip" }
        headers[.contentLength] = String(made.readableBytes)
        return Response(status: .ok, headers: headers, body: bodyless ? ResponseBody() : ResponseBody(byteBuffer: made))
    }

    /// A variant of a file, kept in the bounded cache and made at most `making.width` at a time.
    func variant(_ key: Variant, of file: ServedFile) async -> ByteBuffer? {
        let made = ManagedFlag()
        defer { metrics.variant(made: made.isSet) }
        return await variants.value(for: key) { [self] in
            made.set()
            // What this variant is made from: the variant one step before it, or the file.
            var before = key
            if key.gzip {
                before.gzip = false
            } else if key.page {
                before.page = false
                before.number = 1
            } else {
                before.proxied = false
            }
            if key.page, !key.gzip { return await page(key, of: file, from: before) }
            let source: ByteBuffer?
            if before.isFile {
                // A plain file is compressed as it is read.
                if key.gzip { return await making.pass { file.compressed().map { ByteBuffer(bytes: $0) } } }
                source = await making.pass { (try? await file.bytes()).map { ByteBuffer(bytes: $0) } }
            } else {
                source = await variant(before, of: file)
            }
            guard let source else { return nil }
            return await making.pass { () -> ByteBuffer? in
                if key.gzip { return Gzip.compress(Array(buffer: source)).map { ByteBuffer(bytes: $0) } }
                guard case .feed(let format) = file.kind, let origin = key.origin else { return nil }
                return images?.rewrite(Array(buffer: source), as: format, origin: origin).map { ByteBuffer(bytes: $0) }
            }
        }
    }

    /// A page of a feed's view, made from `before` (the file, or its images through the proxy). The first
    /// page shows the entries of the feed's first megabytes (reading a feed of tens of megabytes whole would
    /// cost ten times that); a later page is cut from the whole feed, read once (`views`).
    func page(_ key: Variant, of file: ServedFile, from before: Variant) async -> ByteBuffer? {
        guard case .feed(let format) = file.kind, let origin = key.origin else { return nil }
        /// The entries of the source's first `limit` bytes, read and parsed at most `making.width` at a time.
        @Sendable func contents(limit: Int) async -> FeedPage.Contents? {
            let bytes =
                before.isFile
                ? await making.pass { try? await file.leadingEntries(limit: limit) }
                : await variant(before, of: file).map { Array(buffer: $0) }
            guard let bytes else { return nil }
            return await making.pass { FeedPage.read(bytes, as: format) }
        }
        let contents =
            key.number == 1
            ? await contents(limit: Self.pageSourceBytes)
            : await views.value(for: before) { await contents(limit: .max) }
        guard let contents else { return nil }
        // A first page made from the start of a long file has older entries after it.
        let more = key.number == 1 && before.isFile && file.size > Self.pageSourceBytes
        let (stem, formats) = await siblings(of: file)
        return ByteBuffer(
            bytes: page(of: contents, stem: stem, formats: formats, origin: origin, number: key.number, more: more))
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
