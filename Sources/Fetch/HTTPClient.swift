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
    public func fetch(_ requests: [Request]) async -> [Result<Response, FetchError>] {
        guard !requests.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.run(requests)) }
        }
    }

    /// Blocking: drives the multi handle until every transfer has finished.
    private func run(_ requests: [Request]) -> [Result<Response, FetchError>] {
        var results = [Result<Response, FetchError>?](repeating: nil, count: requests.count)
        var waiting = Array(requests.indices.reversed())
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        var perHost: [String: Int] = [:]

        func startMore() {
            var deferred: [Int] = []
            while active.count < options.concurrency, let index = waiting.popLast() {
                let request = requests[index]
                let host = Transfer.host(of: request.url)
                if perHost[host, default: 0] >= options.perHostConcurrency {
                    deferred.append(index)
                    continue
                }
                switch Transfer.make(index: index, request: request, options: options) {
                case .failure(let error):
                    results[index] = .failure(error)
                case .success(let transfer):
                    perHost[host, default: 0] += 1
                    active[transfer.easy] = transfer
                    curl_multi_add_handle(multi, transfer.easy)
                }
            }
            waiting.append(contentsOf: deferred.reversed())
        }

        startMore()
        while !active.isEmpty {
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let transfer = active.removeValue(forKey: easy)
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                results[transfer.index] = transfer.finish(code: code)
                perHost[Transfer.host(of: transfer.request.url), default: 1] -= 1
            }
            startMore()
            if !active.isEmpty { curl_multi_poll(multi, nil, 0, 200, nil) }
        }
        return results.map { $0 ?? .failure(.transport(url: "", message: "not fetched")) }
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
        feedpipe_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(options.timeout * 1000))
        feedpipe_curl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytes)
        feedpipe_curl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, options.lowSpeedSeconds)
        feedpipe_curl_setopt_int64(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes))
        feedpipe_curl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")  // every encoding libcurl can decode
        feedpipe_curl_setopt_string(easy, CURLOPT_USERAGENT, options.userAgent)
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
