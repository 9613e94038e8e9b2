internal import CCurl
import Dispatch
import Foundation
import Synchronization

/// Fetches resources with libcurl's multi interface: one multi handle per client drives every transfer, so
/// connections are reused across batches, with a global and a per-host concurrency limit.
package final class HTTPClient: @unchecked Sendable {
    package let options: FetchOptions
    // The multi handle is only touched on `queue`.
    private let multi: UnsafeMutableRawPointer
    private let queue = DispatchQueue(label: "feedpipe.fetch")
    /// The sockets and timers libcurl asks to have watched (touched on `queue`, but for its `wake`).
    private let watch: SocketWatch?

    /// Why no transfer can be made, when libcurl could not be set up: every request fails with it.
    private let setupFailure: String?

    package init(options: FetchOptions = FetchOptions()) {
        self.options = options
        self.multi = curl_multi_init()!
        self.watch = SocketWatch()
        var failure =
            Curl.initialized == CURLE_OK
            ? nil : "libcurl cannot start: " + String(cString: curl_easy_strerror(Curl.initialized))
        if failure == nil {
            if let watch {
                failure = Curl.failure(watch.install(on: multi)).map { "libcurl cannot be set up: " + $0 }
            } else {
                failure = "no pipe to wait on: " + String(cString: strerror(errno))
            }
        }
        // Connections are kept alive across batches; on HTTP/2, transfers to one host share one connection.
        for (option, value) in [
            (CURLMOPT_MAX_TOTAL_CONNECTIONS, options.concurrency),
            (CURLMOPT_MAX_HOST_CONNECTIONS, options.perHostConcurrency), (CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX)),
        ] where failure == nil {
            failure = Curl.failure(feedpipe_curl_multi_setopt_long(multi, option, value)).map {
                "libcurl cannot be set up: " + $0
            }
        }
        setupFailure = failure
    }

    // Nothing is left to fail for: every transfer was taken off the handle when its batch ended.
    deinit { _ = curl_multi_cleanup(multi) }

    /// Fetches one resource.
    package func fetch(_ request: Request) async -> Result<Response, FetchError> {
        await fetch([request])[0]
    }

    /// Fetches every request, concurrently within the client's limits; results come back in request order.
    package func fetch(_ requests: [Request]) async -> [Result<Response, FetchError>] {
        var results = [Result<Response, FetchError>?](repeating: nil, count: requests.count)
        for await answer in answers(to: requests) { results[answer.index] = answer.result }
        return results.map { $0 ?? .failure(.transport(url: "", message: "not fetched")) }
    }

    /// The answers to every request, as they arrive, each with its request's position. Transfers start
    /// only while fewer than `window` answers wait to be read (default: the concurrency), so a slow reader
    /// (extraction) holds back the fetching instead of piling up bodies in memory. Ending the iteration early (a cancelled task)
    /// stops the transfers still running.
    package func answers(to requests: [Request], window: Int? = nil) -> Answers {
        let flow = Answers.Flow(
            window: max(1, window ?? options.concurrency),
            wake: { [watch] in
                // A wake-up that fails costs at most the wait's 200 ms limit: the driver looks again then.
                watch?.wake()
            })
        let stream = AsyncStream<Answer> { continuation in
            continuation.onTermination = { _ in flow.stopped.store(true, ordering: .relaxed) }
            guard !requests.isEmpty else {
                continuation.finish()
                return
            }
            queue.async {
                self.run(requests, flow: flow) { continuation.yield($0) }
                continuation.finish()
            }
        }
        return Answers(stream: stream, flow: flow)
    }

    // Robots rules per scheme://host[:port] (and whether private addresses may be reached), kept for the
    // client's lifetime, with why robots.txt could not be had where it could not; touched only on `queue`.
    private var robots: [String: RobotsRules] = [:]
    private var robotsFailures: [String: FetchError] = [:]

    /// A request waiting for its turn: which attempt it is and when it may start.
    private struct Pending {
        let index: Int
        var attempt = 0
        var notBefore = DispatchTime.now()
        /// Asks caches to fetch anew: the last answer was a 304 to a request without validators.
        var bypassesCache = false
        /// robots.txt allows it (looked up once, not on every pass of the scheduler).
        var robotsChecked = false
    }

    /// Where a request goes, worked out once per batch: the scheduler looks at every waiting request on
    /// every pass, and parsing its URL each time would cost more than the transfers.
    private struct Target {
        let host: String
        /// `scheme://host[:port]` for http(s) URLs.
        let site: String?
        /// The path and query robots.txt rules are matched against.
        let path: String

        init(_ url: String) {
            let components = URLComponents(string: url)
            let host = components?.host?.lowercased()
            self.host = host ?? ""
            if let components, let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host
            {
                site = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
            } else {
                site = nil
            }
            let path = components.map { $0.percentEncodedPath + ($0.percentEncodedQuery.map { "?" + $0 } ?? "") } ?? "/"
            self.path = path.isEmpty ? "/" : path
        }
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
    private func run(_ requests: [Request], flow: Answers.Flow, yield: (Answer) -> Void) {
        var delivered = 0
        func deliver(_ index: Int, _ result: Result<Response, FetchError>) {
            guard index >= 0 else { return }
            delivered += 1
            yield(Answer(index: index, result: result))
        }
        let targets = requests.map { Target($0.url) }
        var pending: [Pending] = []
        for (index, request) in requests.enumerated() {
            if let refusal = request.refusal {
                deliver(index, .failure(refusal))
            } else {
                pending.append(Pending(index: index))
            }
        }
        var active: [UnsafeMutableRawPointer: (transfer: Transfer, attempt: Int, host: Int)] = [:]
        func robotsKey(_ site: String, _ policy: Request.Policy) -> String {
            policy.privateAddresses ? site : site + " public"
        }
        // Each host's state in a slot of its own, its requests' slots worked out once per batch: the scheduler
        // looks at every waiting request on every pass, and hashing host names there cost more than the rest.
        var slots: [String: Int] = [:]
        let hostSlots = targets.map { target in
            if let known = slots[target.host] { return known }
            slots[target.host] = slots.count
            return slots.count - 1
        }
        var hosts = [HostState](repeating: HostState(), count: slots.count)
        let robotsIndex = -1  // marks robots.txt transfers

        func start(_ request: Request, index: Int, attempt: Int, host: Int, bypassesCache: Bool = false) {
            var made =
                setupFailure.map { Result<Transfer, FetchError>.failure(.transport(url: request.url, message: $0)) }
                ?? Transfer.make(index: index, request: request, options: options, bypassesCache: bypassesCache)
            if case .success(let transfer) = made,
                let failure = Curl.failure(curl_multi_add_handle(multi, transfer.easy))
            {
                made = .failure(.transport(url: request.url, message: "cannot start the transfer: \(failure)"))
            }
            switch made {
            case .failure(let error):
                if index == robotsIndex, let site = Target(request.url).site {
                    robots[robotsKey(site, request.policy)] = .unreachableSite
                    robotsFailures[robotsKey(site, request.policy)] = error
                    hosts[host].robotsInFlight = false
                }
                deliver(index, .failure(error))
            case .success(let transfer):
                hosts[host].active += 1
                hosts[host].lastStart = .now()
                active[transfer.easy] = (transfer, attempt, host)
            }
        }

        /// Starts what may start now; returns when the next waiting request may start, if any waits.
        func startReady() -> DispatchTime? {
            var nextDue: DispatchTime?
            // Nothing can start: the transfers are all in use, or the reader has enough answers waiting.
            guard active.count < options.concurrency, delivered - flow.read.load(ordering: .relaxed) < flow.window
            else { return nil }
            var still: [Pending] = []
            let now = DispatchTime.now()
            for var item in pending {
                let host = hostSlots[item.index]
                let state = hosts[host]
                // Most waiting requests wait for their host to finish one: pass them without a closer look.
                // (A host with transfers running has had its robots.txt read.)
                if state.active >= options.perHostConcurrency, state.failuresInARow < options.hostFailureLimit {
                    still.append(item)
                    continue
                }
                let request = requests[item.index]
                let target = targets[item.index]
                if state.failuresInARow >= options.hostFailureLimit {
                    deliver(item.index, .failure(.hostUnavailable(url: request.url, failures: state.failuresInARow)))
                    continue
                }
                if !item.robotsChecked, request.policy.obeysRobots, let site = target.site {
                    let key = robotsKey(site, request.policy)
                    guard let rules = robots[key] else {
                        if !state.robotsInFlight, active.count < options.concurrency {
                            hosts[host].robotsInFlight = true
                            start(
                                Request(url: site + "/robots.txt", policy: request.policy), index: robotsIndex,
                                attempt: 0, host: host)
                        }
                        still.append(item)
                        continue
                    }
                    if rules.unreachable {
                        // The page would meet what robots.txt met: a refused connection, a private address.
                        let failure = robotsFailures[key].map { cause -> FetchError in
                            if case .http(_, let status) = cause {
                                return .transport(
                                    url: request.url,
                                    message:
                                        "\(site)/robots.txt answered status \(status); the site is not crawled for now")
                            }
                            return cause.addressed(to: request.url)
                        }
                        deliver(
                            item.index,
                            .failure(
                                failure
                                    ?? .transport(
                                        url: request.url,
                                        message:
                                            "\(site)/robots.txt could not be fetched; the site is not crawled for now"))
                        )
                        continue
                    }
                    if !rules.allows(path: target.path) {
                        deliver(item.index, .failure(.disallowedByRobots(url: request.url)))
                        continue
                    }
                    item.robotsChecked = true
                }
                var due = item.notBefore
                if let last = state.lastStart, request.policy.hostDelay > 0 {
                    let earliest = last + request.policy.hostDelay
                    if earliest > due { due = earliest }
                }
                guard due <= now, active.count < options.concurrency,
                    hosts[host].active < options.perHostConcurrency,
                    delivered - flow.read.load(ordering: .relaxed) < flow.window
                else {
                    if due > now { nextDue = min(nextDue ?? due, due) }
                    still.append(item)
                    continue
                }
                start(request, index: item.index, attempt: item.attempt, host: host, bypassesCache: item.bypassesCache)
            }
            pending = still
            return nextDue
        }

        func finished(_ transfer: Transfer, attempt: Int, host: Int, code: CURLcode) {
            hosts[host].active -= 1
            let result = transfer.finish(code: code)
            if transfer.index == robotsIndex {
                hosts[host].robotsInFlight = false
                if let site = Target(transfer.request.url).site {
                    let key = robotsKey(site, transfer.request.policy)
                    robots[key] = Self.robotsRules(from: result, options: options)
                    if case .failure(let error) = result { robotsFailures[key] = error }
                }
                return
            }
            switch result {
            case .success(let response) where response.isNotModified && !transfer.request.hasValidators:
                // Nothing was asked to be "not modified": a cache on the way answered for another client. Ask
                // once more past the caches; a second such answer is a failure, never "unchanged".
                if transfer.bypassesCache {
                    deliver(transfer.index, .failure(.notModifiedUnasked(url: transfer.request.url)))
                } else {
                    pending.append(Pending(index: transfer.index, attempt: attempt, bypassesCache: true))
                }
            case .success:
                hosts[host].failuresInARow = 0
                deliver(transfer.index, result)
            case .failure(let error):
                hosts[host].failuresInARow += 1
                let policy = transfer.request.policy
                guard transfer.isRetryable(code: code, result: result), attempt < policy.retries else {
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
                pending.append(
                    Pending(
                        index: transfer.index, attempt: attempt + 1, notBefore: .now() + wait,
                        bypassesCache: transfer.bypassesCache))
            }
        }

        /// Tells libcurl what happened on a socket (or, with `CURL_SOCKET_TIMEOUT`, that its timers are due),
        /// then takes the transfers that ended. Each host's next request starts as soon as its answer is in,
        /// not after the other answers that arrived with it are read. False when the multi handle failed.
        func act(on socket: curl_socket_t, events: Int32) -> Bool {
            var running: Int32 = 0
            if let failure = Curl.failure(curl_multi_socket_action(multi, socket, events, &running)) {
                failAll("libcurl stopped driving the transfers: \(failure)")
                return false
            }
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let entry = active.removeValue(forKey: easy)
                else { continue }
                let code = message.pointee.data.result
                abandon([easy])
                finished(entry.transfer, attempt: entry.attempt, host: entry.host, code: code)
                nextDue = startReady()
            }
            return true
        }

        var nextDue = startReady()
        while !active.isEmpty || !pending.isEmpty {
            if flow.stopped.load(ordering: .relaxed) {
                // Nobody reads the answers any more: end the transfers and leave.
                abandon(active.keys)
                return
            }
            guard let watch else {
                failAll("no pipe to wait on")
                return
            }
            // libcurl's timers: transfers just added start here, and time limits are enforced.
            if let deadline = watch.deadline, deadline <= DispatchTime.now().uptimeNanoseconds {
                watch.deadline = nil
                guard act(on: CURL_SOCKET_TIMEOUT, events: 0) else { return }
            }
            nextDue = startReady()
            guard !active.isEmpty || !pending.isEmpty else { break }
            // Sleep until a socket is ready, libcurl's next timer or the next waiting request is due, or the
            // reader took an answer (`SocketWatch.wake`).
            let now = DispatchTime.now().uptimeNanoseconds
            var wait = 200
            for due in [watch.deadline, nextDue?.uptimeNanoseconds].compactMap({ $0 }) {
                wait = min(wait, due <= now ? 0 : Int((due - now) / 1_000_000) + 1)
            }
            switch watch.wait(milliseconds: wait) {
            case .failure(let failure):
                failAll("cannot wait for the transfers: \(failure.reason)")
                return
            case .success(let ready):
                for (socket, events) in ready {
                    guard act(on: socket, events: events) else { return }
                }
            }
        }

        /// Takes transfers off the multi handle. Removing a handle libcurl knows cannot fail but for a bug
        /// of ours (a handle removed twice), which is a programming error.
        func abandon(_ handles: some Sequence<UnsafeMutableRawPointer>) {
            for easy in handles {
                let code = curl_multi_remove_handle(multi, easy)
                assert(code == CURLM_OK, "curl_multi_remove_handle: \(Curl.failure(code) ?? "")")
            }
        }

        /// Ends the batch when the multi handle itself fails: every request still waiting or running gets
        /// that failure as its answer.
        func failAll(_ message: String) {
            for (easy, entry) in active {
                abandon([easy])
                deliver(entry.transfer.index, .failure(.transport(url: entry.transfer.request.url, message: message)))
            }
            active = [:]
            for item in pending {
                deliver(item.index, .failure(.transport(url: requests[item.index].url, message: message)))
            }
            pending = []
        }
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
    /// Whether this attempt asks caches on the way to fetch anew (after a 304 nobody asked for).
    let bypassesCache: Bool
    let publicForTesting: Set<String>
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var exceededLimit = false
    /// The private address the transfer was stopped from reaching, when the policy stopped it.
    var refusedAddress: String?
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl's own words for the last error (CURLOPT_ERRORBUFFER).
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    let started = DispatchTime.now()

    private init(
        index: Int, request: Request, easy: UnsafeMutableRawPointer, options: FetchOptions, bypassesCache: Bool
    ) {
        self.index = index
        self.publicForTesting = options.publicForTesting
        self.request = request
        self.easy = easy
        self.limit = options.maxBodyBytes
        self.bypassesCache = bypassesCache
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    static func make(index: Int, request: Request, options: FetchOptions, bypassesCache: Bool = false)
        -> Result<Transfer, FetchError>
    {
        if let refusal = request.refusal { return .failure(refusal) }
        guard let easy = curl_easy_init() else {
            return .failure(.transport(url: request.url, message: "cannot create a transfer"))
        }
        let transfer = Transfer(
            index: index, request: request, easy: easy, options: options, bypassesCache: bypassesCache)
        let settings: [(CURLoption, Int)] = [
            (CURLOPT_NOSIGNAL, 1), (CURLOPT_FOLLOWLOCATION, 1), (CURLOPT_MAXREDIRS, options.maxRedirects),
            (CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000)),
            (CURLOPT_TIMEOUT_MS, Int((request.policy.timeout ?? options.timeout) * 1000)),
            (CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytes), (CURLOPT_LOW_SPEED_TIME, options.lowSpeedSeconds),
            // Bodies are decompressed here, not by libcurl, which takes a gzip stream cut short for a whole one.
            (CURLOPT_HTTP_CONTENT_DECODING, 0),
            // HTTP/2 where TLS lets the server offer it, HTTP/1.1 with keep-alive elsewhere.
            (CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)),
            // Reads of 64 KB rather than 16: a page of 170 KB comes in three reads, not eleven (in the fetch
            // benchmark's latency case, 1,700 `recvfrom` calls instead of 5,700, and 7 % less CPU in six
            // alternating runs, for 3 MB more peak memory).
            (CURLOPT_BUFFERSIZE, 64 << 10),
        ]
        var code = feedpipe_curl_setopt_string(easy, CURLOPT_URL, request.url)
        for (option, value) in settings where code == CURLE_OK { code = feedpipe_curl_setopt_long(easy, option, value) }
        let protocols = request.policy.fileFolder == nil ? "http,https" : "http,https,file"
        let strings: [(CURLoption, String)] = [
            (CURLOPT_PROTOCOLS_STR, protocols), (CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
            (CURLOPT_ACCEPT_ENCODING, "gzip, deflate"),
            (CURLOPT_USERAGENT, request.policy.userAgent ?? options.userAgent),
        ]
        for (option, value) in strings where code == CURLE_OK {
            code = feedpipe_curl_setopt_string(easy, option, value)
        }
        if code == CURLE_OK {
            code = feedpipe_curl_setopt_int64(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes))
        }
        var lines = request.headerLines
        if bypassesCache { lines += ["Cache-Control: no-cache", "Pragma: no-cache"] }
        for line in lines {
            guard let list = curl_slist_append(transfer.headerList, line) else {
                return .failure(.transport(url: request.url, message: "cannot set up the transfer: out of memory"))
            }
            transfer.headerList = list
        }
        if code == CURLE_OK, let list = transfer.headerList {
            code = feedpipe_curl_setopt_pointer(easy, CURLOPT_HTTPHEADER, list)
        }
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        if code == CURLE_OK { code = feedpipe_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer) }
        if code == CURLE_OK { code = feedpipe_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context) }
        if code == CURLE_OK { code = feedpipe_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context) }
        if code == CURLE_OK {
            code = feedpipe_curl_setopt_write_function(easy) { data, size, count, context in
                let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                let length = size * count
                // Counted as received; decompression has the same limit, so a compression bomb stops too.
                guard transfer.body.count + length <= transfer.limit else {
                    transfer.exceededLimit = true
                    return 0
                }
                data.map { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: length)) }
                return length
            }
        }
        if code == CURLE_OK {
            code = feedpipe_curl_setopt_header_function(easy) { data, size, count, context in
                let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                let length = size * count
                guard let data else { return length }
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                transfer.receivedHeader(line)
                return length
            }
        }
        if code == CURLE_OK, !request.policy.privateAddresses {
            // The address is judged before the socket is opened, so a refused address sees no connection
            // attempt, and the answer is the same whether anything listens there or not.
            code = feedpipe_curl_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, context)
            if code == CURLE_OK {
                code = feedpipe_curl_setopt_opensocket_function(easy) { context, _, address in
                    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                    guard let address else { return CURL_SOCKET_BAD }
                    // The address in place: an IPv6 one runs past the declared `struct sockaddr`.
                    let offset = MemoryLayout<curl_sockaddr>.offset(of: \.addr)!
                    let target = AddressPolicy.text(
                        of: UnsafeRawPointer(address).advanced(by: offset).assumingMemoryBound(to: sockaddr.self))
                    if AddressPolicy.isPrivate(target, publicForTesting: transfer.publicForTesting) {
                        transfer.refusedAddress = target
                        return CURL_SOCKET_BAD
                    }
                    return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
                }
            }
        }
        // A connection libcurl reuses was opened for another transfer: its address is checked again here.
        if code == CURLE_OK, !request.policy.privateAddresses {
            code = feedpipe_curl_setopt_pointer(easy, CURLOPT_PREREQDATA, context)
            if code == CURLE_OK {
                code = feedpipe_curl_setopt_prereq_function(easy) { context, address, _, _, _ in
                    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                    let connected = address.map { String(cString: $0) } ?? ""
                    // A file has no address (its folder was checked before the transfer was made).
                    guard !connected.isEmpty,
                        AddressPolicy.isPrivate(connected, publicForTesting: transfer.publicForTesting)
                    else { return CURL_PREREQFUNC_OK }
                    transfer.refusedAddress = connected
                    return CURL_PREREQFUNC_ABORT
                }
            }
        }
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            return .failure(.transport(url: request.url, message: "cannot set up the transfer: \(message)"))
        }
        return .success(transfer)
    }

    /// Whether trying again may help: timeouts, refused or reset connections, 429 and 5xx answers, but not
    /// a refusal of feedpipe's own or a bot defence.
    func isRetryable(code: CURLcode, result: Result<Response, FetchError>) -> Bool {
        if exceededLimit || refusedAddress != nil { return false }
        if case .failure(.blocked) = result { return false }
        switch code {
        case CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
            CURLE_PARTIAL_FILE, CURLE_COULDNT_RESOLVE_HOST:
            return true
        case CURLE_OK:
            let status = info(CURLINFO_RESPONSE_CODE) ?? 0
            return status == 429 || status == 500 || status == 502 || status == 503 || status == 504
        default:
            return false
        }
    }

    /// A number libcurl knows of the transfer; `nil` when it cannot say.
    func info(_ item: CURLINFO) -> Int? {
        var value = 0
        return feedpipe_curl_getinfo_long(easy, item, &value) == CURLE_OK ? value : nil
    }

    /// A string libcurl knows of the transfer; `nil` when it cannot say or has none.
    func text(_ item: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard feedpipe_curl_getinfo_string(easy, item, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
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
        // The body's room at once rather than by doubling (a copy and fresh pages each time); a length
        // claimed beyond a few megabytes gets no more room than that before it arrives.
        if name == "content-length", body.isEmpty, let length = Int(value), length > 0 {
            body.reserveCapacity(min(length, limit, 4 << 20))
        }
    }

    /// Why libcurl stopped, in words a user can act on.
    func failure(code: CURLcode) -> FetchError {
        let url = request.url
        if let refusedAddress { return .privateAddress(url: url, address: refusedAddress) }
        let detail = String(cString: errorBuffer)
        switch code {
        case CURLE_COULDNT_CONNECT:
            let osError = info(CURLINFO_OS_ERRNO) ?? 0
            let components = URLComponents(string: url)
            let host = components?.host ?? "the host"
            let port = components?.port ?? (components?.scheme?.lowercased() == "https" ? 443 : 80)
            if osError == Int(ECONNREFUSED) {
                return .transport(url: url, message: "the site refused the connection (\(host) port \(port))")
            }
            return .transport(
                url: url, message: "cannot connect to \(host) port \(port)" + (detail.isEmpty ? "" : ": \(detail)"))
        case CURLE_OUT_OF_MEMORY where body.isEmpty:
            // libcurl 7.x reports a header over its 100 KB limit as "out of memory" (later versions say
            // CURLE_TOO_LARGE); before any body arrives, that is what it means.
            return .headerTooLarge(url: url)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_TOO_MANY_REDIRECTS:
            return .transport(url: url, message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        default:
            let message = String(cString: curl_easy_strerror(code))
            return .transport(
                url: url, message: detail.isEmpty || detail == message ? message : "\(message): \(detail)")
        }
    }

    /// The body as sent, decompressed when the server compressed it; a stream that stops before its end
    /// marker is a failure, never a shorter page.
    func decodedBody() -> Result<[UInt8], FetchError> {
        let encoding = headers["content-encoding"]?.lowercased().trimmingCharacters(in: .whitespaces) ?? ""
        guard !body.isEmpty, !encoding.isEmpty, encoding != "identity", encoding != "none" else {
            return .success(body)
        }
        do throws(Gzip.Failure) {
            switch encoding {
            case "gzip", "x-gzip":
                return .success(try Gzip.decompress(body, limit: limit, wrapping: .zlibOrGzip))
            case "deflate":
                if let zlib = try? Gzip.decompress(body, limit: limit, wrapping: .zlibOrGzip) { return .success(zlib) }
                return .success(try Gzip.decompress(body, limit: limit, wrapping: .raw))
            default:
                return .failure(
                    .transport(url: request.url, message: "the body is in an encoding not asked for (\(encoding))"))
            }
        } catch .tooLarge(let limit) {
            return .failure(.tooLarge(url: request.url, limit: limit))
        } catch {
            // A misconfigured server labels plain bytes as compressed; say so rather than "cut short".
            if encoding.hasSuffix("gzip"), !Gzip.isCompressed(body) {
                return .failure(
                    .transport(
                        url: request.url, message: "the body is not gzip data, though its Content-Encoding says so"))
            }
            return .failure(.truncated(url: request.url))
        }
    }

    func finish(code: CURLcode) -> Result<Response, FetchError> {
        if exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(.tooLarge(url: request.url, limit: limit))
        }
        guard code == CURLE_OK else { return .failure(failure(code: code)) }
        guard var status = info(CURLINFO_RESPONSE_CODE) else {
            return .failure(.transport(url: request.url, message: "libcurl gives no response status"))
        }
        let finalURL = text(CURLINFO_EFFECTIVE_URL) ?? request.url
        let address = text(CURLINFO_PRIMARY_IP).flatMap { $0.isEmpty ? nil : $0 }
        let isFile = finalURL.lowercased().hasPrefix("file:")
        if isFile { status = 200 }
        let decoded: [UInt8]
        switch decodedBody() {
        case .success(let bytes): decoded = bytes
        case .failure(let error): return .failure(error)
        }
        if !isFile, status == 200 || status == 403 || status == 429 || status == 503 {
            switch BlockPage.kind(of: decoded) {
            case .defence(let name): return .failure(.blocked(url: request.url, by: name))
            case .errorPage(let name) where status == 200: return .failure(.errorPage(url: request.url, kind: name))
            default: break
            }
        }
        guard (200..<300).contains(status) || status == 304 else {
            return .failure(.http(url: request.url, status: status))
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return .success(
            Response(
                requestedURL: request.url, url: finalURL, status: status, headers: headers, body: decoded,
                elapsed: elapsed, address: address))
    }
}

/// libcurl's process-wide set-up, done once.
enum Curl {
    /// What `curl_global_init` answered, once for the process.
    static let initialized: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// libcurl's words for a failed multi call; `nil` for success.
    static func failure(_ code: CURLMcode) -> String? {
        code == CURLM_OK ? nil : String(cString: curl_multi_strerror(code))
    }

}

/// One answer of `HTTPClient.answers(to:)`: the position of its request, and what came of it.
package struct Answer: Sendable {
    package var index: Int
    package var result: Result<Response, FetchError>
}

/// The answers of one batch, in the order they arrive. Reading one lets the client start another transfer.
package struct Answers: AsyncSequence, Sendable {
    package typealias Element = Answer

    /// What the reader and the client's thread share: how many answers were read, and whether reading
    /// stopped. Atomics, no lock: the client only ever compares them.
    final class Flow: Sendable {
        let window: Int
        let read = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
        let wake: @Sendable () -> Void

        init(window: Int, wake: @escaping @Sendable () -> Void) {
            self.window = window
            self.wake = wake
        }
    }

    let stream: AsyncStream<Answer>
    let flow: Flow

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<Answer>.AsyncIterator
        let flow: Flow

        package mutating func next() async -> Answer? {
            guard let answer = await base.next() else { return nil }
            flow.read.add(1, ordering: .relaxed)
            flow.wake()
            return answer
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), flow: flow)
    }
}
