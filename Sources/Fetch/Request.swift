/// One resource to fetch.
package struct Request: Sendable, Hashable {
    /// An absolute `http`, `https` or `file` URL.
    package var url: String
    /// Extra request headers, sent as given.
    package var headers: [String: String]
    /// Validators from an earlier response, sent back as `If-None-Match` / `If-Modified-Since`.
    package var etag: String?
    package var lastModified: String?
    /// How politely and persistently to fetch it.
    package var policy: Policy

    package init(
        url: String, headers: [String: String] = [:], etag: String? = nil, lastModified: String? = nil,
        policy: Policy = Policy()
    ) {
        self.url = url
        self.headers = headers
        self.etag = etag
        self.lastModified = lastModified
        self.policy = policy
    }

    /// Per-request (in practice per-pipeline) fetching rules.
    package struct Policy: Sendable, Hashable {
        /// Sent instead of the client's User-Agent when set.
        package var userAgent: String?
        /// Attempts after the first for timeouts, resets, 429 and 5xx answers.
        package var retries = 2
        /// The first retry waits this long (seconds); each further one twice as long, with jitter.
        package var backoff = 1.0
        /// The longest `Retry-After` honoured (seconds); a longer one fails the request.
        package var maxRetryAfter = 120.0
        /// Seconds between the starts of two requests to the same host.
        package var hostDelay = 0.0
        /// Whether the host's robots.txt is obeyed.
        package var obeysRobots = true
        /// Seconds for the whole transfer, instead of the client's.
        package var timeout: Double?
        /// Whether the transfer may connect to a loopback, private, link-local or metadata address (checked
        /// on the address connected to, after DNS, on every redirect). A pipeline's own source may; the links
        /// a public source offers may not, unless the pipeline allows it.
        package var privateAddresses = true
        /// The folder `file:` URLs must stay inside; with none, `file:` URLs are refused.
        package var fileFolder: String?

        package init() {}

        /// The policy for links a source offers: no private addresses, no files.
        package static var forLinks: Policy {
            var policy = Policy()
            policy.privateAddresses = false
            return policy
        }
    }

    /// Why the policy refuses the request before anything is sent (a scheme other than http and https, a
    /// file outside the folder it may read), or `nil`.
    package var refusal: FetchError? {
        switch url.prefix(while: { $0 != ":" }).lowercased() {
        case "http", "https":
            return nil
        case "file":
            guard let folder = policy.fileFolder else { return .unsupported(url: url) }
            return AddressPolicy.file(url, isInside: folder) ? nil : .outsideFolder(url: url, folder: folder)
        default:
            return .unsupported(url: url)
        }
    }

    /// Whether the request carries validators, so that a `304` can answer it.
    var hasValidators: Bool { etag != nil || lastModified != nil }

    /// The request headers in wire form, validators included.
    var headerLines: [String] {
        var lines = headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        if let etag { lines.append("If-None-Match: \(etag)") }
        if let lastModified { lines.append("If-Modified-Since: \(lastModified)") }
        return lines
    }
}

/// What came back for a request.
package struct Response: Sendable {
    /// The URL that was asked for.
    package var requestedURL: String
    /// The URL after redirects.
    package var url: String
    /// The HTTP status; `file:` URLs report 200.
    package var status: Int
    /// Response headers of the final response, names in lower case.
    package var headers: [String: String]
    /// The body as received (after transfer decompression).
    package var body: [UInt8]
    /// Seconds from start to end of the transfer.
    package var elapsed: Double
    /// The IP address the transfer connected to last (`nil` for files).
    package var address: String?

    package init(
        requestedURL: String, url: String, status: Int, headers: [String: String], body: [UInt8], elapsed: Double,
        address: String? = nil
    ) {
        self.requestedURL = requestedURL
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed
        self.address = address
    }

    /// `304 Not Modified`: the validators matched and the body is empty.
    package var isNotModified: Bool { status == 304 }

    package var contentType: String? { headers["content-type"] }

    /// The body decoded to text with the charset from the header, a byte-order mark, the document's own
    /// declaration, or a UTF-8 check falling back to windows-1252, in that order.
    package var text: String { Charset.decode(body, contentType: contentType) }
    /// `text` as UTF-8 bytes: the body itself when it is valid UTF-8 and declares nothing else.
    package var utf8: [UInt8] { Charset.utf8(body, contentType: contentType) }
}

/// Limits and identity used for every transfer of a client.
package struct FetchOptions: Sendable {
    package var userAgent = "feedpipe/0.1 (+https://github.com/feedpipe/feedpipe)"
    /// Seconds to establish a connection.
    package var connectTimeout: Double = 15
    /// Seconds for a whole transfer.
    package var timeout: Double = 60
    /// A transfer slower than `lowSpeedBytes` per second for `lowSpeedSeconds` is cut off.
    package var lowSpeedBytes = 100
    package var lowSpeedSeconds = 20
    /// The largest body accepted, counted after decompression.
    package var maxBodyBytes = 10 * 1024 * 1024
    package var maxRedirects = 5
    /// Transfers running at once, in all and per host. The global limit bounds sockets and bodies in
    /// memory; it is high enough that distinct hosts never wait for one another (64 hosts at their own
    /// limit), so a run over distant, slow hosts costs their latency once per round, not once per batch.
    package var concurrency = 128
    package var perHostConcurrency = 2
    /// Failures in a row after which a host's remaining requests fail at once, for the rest of the run.
    package var hostFailureLimit = 5
    /// Addresses counted as public although they are not: lets a test stand a loopback server in for a
    /// site on the web. Empty outside tests.
    package var publicForTesting: Set<String> = []

    package init() {}
}

/// Why a fetch failed. Every case names the URL.
package enum FetchError: Error, Sendable, CustomStringConvertible, Equatable {
    case transport(url: String, message: String)
    case http(url: String, status: Int)
    case tooLarge(url: String, limit: Int)
    case unsupported(url: String)
    case disallowedByRobots(url: String)
    case hostUnavailable(url: String, failures: Int)
    case retryAfterTooLong(url: String, seconds: Int)
    /// A `file:` URL outside the folder the pipeline reads.
    case outsideFolder(url: String, folder: String)
    /// The transfer would reach a loopback, private, link-local or metadata address.
    case privateAddress(url: String, address: String)
    /// A bot defence answered instead of the page (the defence's name).
    case blocked(url: String, by: String)
    /// An error page ("not found", a server error, maintenance) served with status 200.
    case errorPage(url: String, kind: String)
    /// The compressed body ends before its end marker.
    case truncated(url: String)
    /// `304 Not Modified` to a request that sent no validators, even when asked again without caches.
    case notModifiedUnasked(url: String)
    /// The response's header is larger than libcurl accepts.
    case headerTooLarge(url: String)

    package var url: String {
        switch self {
        case .transport(let url, _), .http(let url, _), .tooLarge(let url, _), .unsupported(let url),
            .disallowedByRobots(let url), .hostUnavailable(let url, _), .retryAfterTooLong(let url, _),
            .outsideFolder(let url, _), .privateAddress(let url, _), .blocked(let url, _), .truncated(let url),
            .errorPage(let url, _),
            .notModifiedUnasked(let url), .headerTooLarge(let url):
            url
        }
    }

    /// The HTTP status that made the fetch fail, when one did.
    package var status: Int? {
        if case .http(_, let status) = self { return status }
        return nil
    }

    /// The same failure, told of another URL: a host's robots.txt failure is its pages' failure too.
    func addressed(to other: String) -> FetchError {
        switch self {
        case .transport(_, let message): .transport(url: other, message: message)
        case .http(_, let status): .http(url: other, status: status)
        case .tooLarge(_, let limit): .tooLarge(url: other, limit: limit)
        case .unsupported: .unsupported(url: other)
        case .disallowedByRobots: .disallowedByRobots(url: other)
        case .hostUnavailable(_, let failures): .hostUnavailable(url: other, failures: failures)
        case .retryAfterTooLong(_, let seconds): .retryAfterTooLong(url: other, seconds: seconds)
        case .outsideFolder(_, let folder): .outsideFolder(url: other, folder: folder)
        case .privateAddress(_, let address): .privateAddress(url: other, address: address)
        case .blocked(_, let by): .blocked(url: other, by: by)
        case .errorPage(_, let kind): .errorPage(url: other, kind: kind)
        case .truncated: .truncated(url: other)
        case .notModifiedUnasked: .notModifiedUnasked(url: other)
        case .headerTooLarge: .headerTooLarge(url: other)
        }
    }

    package var description: String {
        switch self {
        case .transport(let url, let message): "\(url): \(message)"
        case .http(let url, let status): "\(url): HTTP status \(status)"
        case .tooLarge(let url, let limit): "\(url): body larger than \(limit) bytes; transfer stopped"
        case .unsupported(let url): "\(url): not fetched: only http and https links are fetched"
        case .disallowedByRobots(let url): "\(url): disallowed by the site's robots.txt"
        case .hostUnavailable(let url, let failures):
            "\(url): not fetched: its host failed \(failures) times in a row in this run"
        case .retryAfterTooLong(let url, let seconds): "\(url): the server asks to retry after \(seconds) s; gave up"
        case .outsideFolder(let url, let folder):
            "\(url): not fetched: a file outside the folder the pipeline reads (\(folder))"
        case .privateAddress(let url, let address):
            "\(url): not fetched: it leads to \(address), a private or local address, and the pipeline's source "
                + "is public (set fetch: {private_addresses: true} to allow it)"
        case .blocked(let url, let by): "\(url): blocked by the site (\(by)); nothing was replaced"
        case .truncated(let url): "\(url): the compressed body ends early (the transfer was cut short)"
        case .errorPage(let url, let kind):
            "\(url): the site answered with \(kind) under status 200; nothing was replaced"
        case .notModifiedUnasked(let url):
            "\(url): the server answered 304 Not Modified to a request without validators, twice"
        case .headerTooLarge(let url): "\(url): the response header is too large"
        }
    }
}
