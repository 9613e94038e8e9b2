import Dispatch
import Foundation
internal import CCurl

/// Fetches resources with libcurl's multi interface: one multi handle per client drives every transfer, so
/// connections are reused across batches, with a global and a per-host concurrency limit.
public final class HTTPClient: @unchecked Sendable {
    public let options: FetchOptions
    // The multi handle is only touched on `queue`.
    private let multi: UnsafeMutableRawPointer
    private let queue = DispatchQueue(label: "feedpipe.fetch")

    public init(options: FetchOptions = FetchOptions()) {
        Curl.initialize()
        self.options = options
        self.multi = curl_multi_init()!
        feedpipe_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options.concurrency)
        feedpipe_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.perHostConcurrency)
    }

    deinit { curl_multi_cleanup(multi) }

    /// Fetches one resource.
    public func fetch(_ request: Request) async -> Result<Response, FetchError> {
        await fetch([request])[0]
    }

    /// Fetches every request, concurrently within the client's limits; results come back in request order.
    /// `progress` is told how many requests have an answer, out of how many, as answers arrive.
    /// `each` is given every answer as soon as it is final (on the client's own thread), so that callers
    /// can work on early answers while later ones are still in flight.
    public func fetch(
        _ requests: [Request], progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        each: (@Sendable (_ index: Int, _ result: Result<Response, FetchError>) -> Void)? = nil
    ) async -> [Result<Response, FetchError>] {
        guard !requests.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.run(requests, progress: progress, each: each)) }
        }
    }

    // Robots rules per scheme://host[:port], kept for the client's lifetime; touched only on `queue`.
    private var robots: [String: RobotsRules] = [:]

    /// A request waiting for its turn: which attempt it is and when it may start.
    private struct Pending {
        let index: Int
        var attempt = 0
        var notBefore = DispatchTime.now()
    }

    /// What the scheduler knows of one host during a run.
    private struct HostState {
        var active = 0
        var lastStart: DispatchTime?
        var failuresInARow = 0
        var robotsInFlight = false
    }

    /// Blocking: drives the multi handle until every request has an answer. Requests wait for their host's
    /// robots.txt, their host's concurrency limit and delay, and their retry time.
    private func run(
        _ requests: [Request], progress: (@Sendable (Int, Int) -> Void)?,
        each: (@Sendable (Int, Result<Response, FetchError>) -> Void)?
    ) -> [Result<Response, FetchError>] {
        var results = [Result<Response, FetchError>?](repeating: nil, count: requests.count)
        func deliver(_ index: Int, _ result: Result<Response, FetchError>) {
            guard index >= 0 else { return }
            guard let each else {
                results[index] = result
                return
            }
            // The caller takes the answer now; keep only its outline, so a large run holds no bodies.
            each(index, result)
            results[index] = result.map { response in
                var outline = response
                outline.body = []
                return outline
            }
        }
        var pending = requests.indices.map { Pending(index: $0) }
        var active: [UnsafeMutableRawPointer: (transfer: Transfer, attempt: Int)] = [:]
        var hosts: [String: HostState] = [:]
        let robotsIndex = -1  // marks robots.txt transfers

        func origin(of url: String) -> String? {
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = components.host?.lowercased()
            else { return nil }
            return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        }

        func start(_ request: Request, index: Int, attempt: Int, host: String) {
            switch Transfer.make(index: index, request: request, options: options) {
            case .failure(let error):
                if index == robotsIndex, let site = origin(of: request.url) {
                    robots[site] = .unreachableSite
                    hosts[host, default: HostState()].robotsInFlight = false
                }
                deliver(index, .failure(error))
            case .success(let transfer):
                hosts[host, default: HostState()].active += 1
                hosts[host, default: HostState()].lastStart = .now()
                active[transfer.easy] = (transfer, attempt)
                curl_multi_add_handle(multi, transfer.easy)
            }
        }

        /// Starts what may start now; returns when the next waiting request may start, if any waits.
        func startReady() -> DispatchTime? {
            var nextDue: DispatchTime?
            var still: [Pending] = []
            let now = DispatchTime.now()
            for item in pending {
                let request = requests[item.index]
                let host = Transfer.host(of: request.url)
                let state = hosts[host, default: HostState()]
                if state.failuresInARow >= options.hostFailureLimit {
                    deliver(item.index, .failure(.hostUnavailable(url: request.url, failures: state.failuresInARow)))
                    continue
                }
                if request.policy.obeysRobots, let site = origin(of: request.url) {
                    guard let rules = robots[site] else {
                        if !state.robotsInFlight, active.count < options.concurrency {
                            hosts[host, default: HostState()].robotsInFlight = true
                            start(Request(url: site + "/robots.txt", policy: request.policy), index: robotsIndex,
                                attempt: 0, host: host)
                        }
                        still.append(item)
                        continue
                    }
                    let path = URLComponents(string: request.url).map { $0.percentEncodedPath + ($0.percentEncodedQuery.map { "?" + $0 } ?? "") }
                    if rules.unreachable {
                        deliver(item.index, .failure(
                            .transport(url: request.url, message: "\(site)/robots.txt could not be fetched; the site is not crawled for now")))
                        continue
                    }
                    if !rules.allows(path: path.flatMap { $0.isEmpty ? "/" : $0 } ?? "/") {
                        deliver(item.index, .failure(.disallowedByRobots(url: request.url)))
                        continue
                    }
                }
                var due = item.notBefore
                if let last = hosts[host]?.lastStart, request.policy.hostDelay > 0 {
                    let earliest = last + request.policy.hostDelay
                    if earliest > due { due = earliest }
                }
                guard due <= now, active.count < options.concurrency,
                    hosts[host, default: HostState()].active < options.perHostConcurrency
                else {
                    if due > now { nextDue = min(nextDue ?? due, due) }
                    still.append(item)
                    continue
                }
                start(request, index: item.index, attempt: item.attempt, host: host)
            }
            pending = still
            return nextDue
        }

        func finished(_ transfer: Transfer, attempt: Int, code: CURLcode) {
            let host = Transfer.host(of: transfer.request.url)
            hosts[host, default: HostState()].active -= 1
            let result = transfer.finish(code: code)
            if transfer.index == robotsIndex {
                hosts[host, default: HostState()].robotsInFlight = false
                if let site = origin(of: transfer.request.url) { robots[site] = Self.robotsRules(from: result, options: options) }
                return
            }
            switch result {
            case .success:
                hosts[host, default: HostState()].failuresInARow = 0
                deliver(transfer.index, result)
            case .failure(let error):
                hosts[host, default: HostState()].failuresInARow += 1
                let policy = transfer.request.policy
                guard transfer.isRetryable(code: code), attempt < policy.retries else {
                    deliver(transfer.index, result)
                    return
                }
                var wait = policy.backoff * pow(2, Double(attempt)) * Double.random(in: 0.5...1.5)
                if let retryAfter = transfer.retryAfter {
                    guard retryAfter <= policy.maxRetryAfter else {
                        deliver(transfer.index, .failure(.retryAfterTooLong(url: error.url, seconds: Int(retryAfter))))
                        return
                    }
                    wait = max(wait, retryAfter)
                }
                pending.append(Pending(index: transfer.index, attempt: attempt + 1, notBefore: .now() + wait))
            }
        }

        var nextDue = startReady()
        while !active.isEmpty || !pending.isEmpty {
            if !active.isEmpty {
                var running: Int32 = 0
                curl_multi_perform(multi, &running)
                var remaining: Int32 = 0
                while let message = curl_multi_info_read(multi, &remaining) {
                    guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                        let entry = active.removeValue(forKey: easy)
                    else { continue }
                    let code = message.pointee.data.result
                    curl_multi_remove_handle(multi, easy)
                    finished(entry.transfer, attempt: entry.attempt, code: code)
                }
            }
            nextDue = startReady()
            progress?(results.count { $0 != nil }, requests.count)
            // Sleep in the poll until a transfer has news or the next waiting request is due.
            var wait = 200
            if let nextDue {
                let nanoseconds = nextDue.uptimeNanoseconds.subtractingReportingOverflow(DispatchTime.now().uptimeNanoseconds)
                wait = nanoseconds.overflow ? 0 : min(200, Int(nanoseconds.partialValue / 1_000_000) + 1)
            }
            if active.isEmpty {
                if !pending.isEmpty { usleep(useconds_t(max(1, wait) * 1000)) }
            } else {
                curl_multi_poll(multi, nil, 0, Int32(wait), nil)
            }
        }
        return results.map { $0 ?? .failure(.transport(url: "", message: "not fetched")) }
    }

    /// robots.txt answers: a 2xx body is parsed; 4xx means no rules; anything else (5xx, unreachable)
    /// means the site cannot be crawled now (RFC 9309 §2.3.1).
    static func robotsRules(from result: Result<Response, FetchError>, options: FetchOptions) -> RobotsRules {
        switch result {
        case .success(let response):
            return RobotsRules(parsing: response.text, userAgent: options.userAgent)
        case .failure(.http(_, let status)) where (400..<500).contains(status):
            return .allowAll
        case .failure(.tooLarge):
            return .allowAll
        case .failure:
            return .unreachableSite
        }
    }
}

/// One easy handle and what it has received so far.
private final class Transfer {
    let index: Int
    let request: Request
    let easy: UnsafeMutableRawPointer
    let limit: Int
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var exceededLimit = false
    var headerList: UnsafeMutablePointer<curl_slist>?
    let started = DispatchTime.now()

    private init(index: Int, request: Request, easy: UnsafeMutableRawPointer, limit: Int) {
        self.index = index
        self.request = request
        self.easy = easy
        self.limit = limit
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_easy_cleanup(easy)
    }

    static func host(of url: String) -> String {
        URLComponents(string: url)?.host?.lowercased() ?? ""
    }

    static func make(index: Int, request: Request, options: FetchOptions) -> Result<Transfer, FetchError> {
        let scheme = request.url.prefix(while: { $0 != ":" }).lowercased()
        guard ["http", "https", "file"].contains(scheme) else { return .failure(.unsupported(url: request.url)) }
        guard let easy = curl_easy_init() else {
            return .failure(.transport(url: request.url, message: "cannot create a transfer"))
        }
        let transfer = Transfer(index: index, request: request, easy: easy, limit: options.maxBodyBytes)
        feedpipe_curl_setopt_string(easy, CURLOPT_URL, request.url)
        feedpipe_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        feedpipe_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https,file")
        feedpipe_curl_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        feedpipe_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
        feedpipe_curl_setopt_long(easy, CURLOPT_MAXREDIRS, options.maxRedirects)
        feedpipe_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        feedpipe_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int((request.policy.timeout ?? options.timeout) * 1000))
        feedpipe_curl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytes)
        feedpipe_curl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, options.lowSpeedSeconds)
        feedpipe_curl_setopt_int64(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes))
        feedpipe_curl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")  // every encoding libcurl can decode
        feedpipe_curl_setopt_string(easy, CURLOPT_USERAGENT, request.policy.userAgent ?? options.userAgent)
        for line in request.headerLines { transfer.headerList = curl_slist_append(transfer.headerList, line) }
        if let list = transfer.headerList { feedpipe_curl_setopt_pointer(easy, CURLOPT_HTTPHEADER, list) }
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        feedpipe_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        feedpipe_curl_setopt_write_function(easy) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            // Counted after decompression, so a compression bomb stops here too.
            guard transfer.body.count + length <= transfer.limit else {
                transfer.exceededLimit = true
                return 0
            }
            data.map { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: length)) }
            return length
        }
        feedpipe_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        feedpipe_curl_setopt_header_function(easy) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let data else { return length }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            transfer.receivedHeader(line)
            return length
        }
        return .success(transfer)
    }

    /// Whether trying again may help: timeouts, refused or reset connections, 429 and 5xx answers.
    func isRetryable(code: CURLcode) -> Bool {
        if exceededLimit { return false }
        switch code {
        case CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
            CURLE_PARTIAL_FILE, CURLE_COULDNT_RESOLVE_HOST:
            return true
        case CURLE_OK:
            var status = 0
            feedpipe_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return status == 429 || status == 500 || status == 502 || status == 503 || status == 504
        default:
            return false
        }
    }

    /// The `Retry-After` of the last response, in seconds (delay-seconds or an HTTP date).
    var retryAfter: Double? {
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }

    func receivedHeader(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers = [:]  // a new response after a redirect or a 100 Continue
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers[name] = value
    }

    func finish(code: CURLcode) -> Result<Response, FetchError> {
        if exceededLimit || code == CURLE_FILESIZE_EXCEEDED { return .failure(.tooLarge(url: request.url, limit: limit)) }
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            return .failure(.transport(url: request.url, message: message))
        }
        var status = 0
        feedpipe_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>?
        feedpipe_curl_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &effective)
        let finalURL = effective.map { String(cString: $0) } ?? request.url
        if finalURL.lowercased().hasPrefix("file:") { status = 200 }
        guard (200..<300).contains(status) || status == 304 else {
            return .failure(.http(url: request.url, status: status))
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return .success(
            Response(
                requestedURL: request.url, url: finalURL, status: status, headers: headers, body: body,
                elapsed: elapsed))
    }
}

/// libcurl's process-wide set-up, done once.
enum Curl {
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func initialize() { _ = initialized }
}
