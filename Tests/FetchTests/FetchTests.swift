import Foundation
import TestSupport
import Testing

@testable import Fetch

@Suite("Charset")
struct CharsetTests {
    // "Привет, мир" and friends, as each encoding writes them.
    @Test(arguments: [
        ([0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2] as [UInt8], "windows-1251", "Привет"),
        ([0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "koi8-r", "Привет"),
        ([0x5A, 0xB3, 0x6F, 0x74, 0x79], "iso-8859-2", "Złoty"),
        ([0xC4, 0xE3, 0xBA, 0xC3], "gbk", "你好"),
        ([0x82, 0xB1, 0x82, 0xF1, 0x82, 0xC9, 0x82, 0xBF, 0x82, 0xCD], "shift_jis", "こんにちは"),
        ([0xBE, 0xC8, 0xB3, 0xE7], "euc-kr", "안녕"),
        ([0x93, 0x63, 0x61, 0x66, 0xE9, 0x94], "iso-8859-1", "“café”"),
    ])
    func decodesTheHeaderCharset(bytes: [UInt8], charset: String, expected: String) {
        #expect(Charset.decode(bytes, contentType: "text/html; charset=\(charset)") == expected)
    }

    @Test func readsTheMetaDeclarationWhenTheHeaderIsSilent() {
        let bytes = Array("<html><head><meta charset=\"windows-1251\"></head><body>".utf8) + [0xCF, 0xF0, 0xE8]
        #expect(Charset.decode(bytes, contentType: "text/html").hasSuffix("При"))
        let equiv =
            Array("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">".utf8) + [0xF0, 0xD2]
        #expect(Charset.decode(equiv, contentType: nil).hasSuffix("Пр"))
        let shouted =
            Array("<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; CHARSET='KOI8-R'\">".utf8) + [0xF0, 0xD2]
        #expect(Charset.decode(shouted, contentType: nil).hasSuffix("Пр"))
        let declaration = Array("<?xml version=\"1.0\" Encoding=\"windows-1251\"?><p>".utf8) + [0xCF, 0xF0, 0xE8]
        #expect(Charset.decode(declaration, contentType: nil).hasSuffix("При"))
    }

    @Test func prefersAByteOrderMarkToTheDeclaration() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<meta charset=\"windows-1251\">Ж".utf8)
        #expect(Charset.decode(bytes, contentType: nil).hasSuffix("Ж"))
    }

    @Test func aByteOrderMarkWinsOverTheHeader() {
        let page = "<p>Été</p>"
        let utf16 = [UInt8]([0xFF, 0xFE]) + Array(page.data(using: .utf16LittleEndian)!)
        #expect(Charset.decode(utf16, contentType: "text/html; charset=utf-8") == page)
        let utf8 = [UInt8]([0xEF, 0xBB, 0xBF]) + Array(page.utf8)
        #expect(Charset.decode(utf8, contentType: "text/html; charset=windows-1252") == page)
    }

    @Test func aSingleByteDeclarationDoesNotOverruleValidUTF8() {
        let page = "<html><head><meta charset=\"windows-1252\"></head><body><p>Müller’s “café”</p></body></html>"
        #expect(Charset.decode(Array(page.utf8), contentType: "text/html") == page)
        let xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><p>Grüße</p>"
        #expect(Charset.decode(Array(xml.utf8), contentType: nil) == xml)
        // Bytes that are the declared charset are read as it.
        let latin: [UInt8] = Array("<meta charset=\"iso-8859-1\"><p>M".utf8) + [0xFC] + Array("ller</p>".utf8)
        #expect(Charset.decode(latin, contentType: nil).hasSuffix("<p>Müller</p>"))
    }

    @Test func fallsBackToWindows1252WhenBytesAreNotUTF8() {
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9], contentType: nil) == "café")
        #expect(Charset.decode(Array("café".utf8), contentType: nil) == "café")
    }
}

@Suite("HTTP client")
struct HTTPClientTests {
    @Test func fetchesLocalFiles() async throws {
        let folder = try Repository.temporaryFolder()
        let file = folder.appendingPathComponent("page.html")
        try "<p>hello</p>".write(to: file, atomically: true, encoding: .utf8)
        var policy = Request.Policy()
        policy.fileFolder = folder.path
        let response = try await HTTPClient().fetch(Request(url: file.absoluteString, policy: policy)).get()
        #expect(response.status == 200)
        #expect(response.text == "<p>hello</p>")
    }

    @Test func refusesFilesOutsideTheFolderAndFilesWhenNoFolderIsGiven() async throws {
        let folder = try Repository.temporaryFolder()
        let inside = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inside, withIntermediateDirectories: true)
        try "<p>secret</p>".write(to: folder.appendingPathComponent("secret.html"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            at: inside.appendingPathComponent("link.html"),
            withDestinationURL: folder.appendingPathComponent("secret.html"))
        var policy = Request.Policy()
        policy.fileFolder = inside.path
        let client = HTTPClient()
        for url in [
            "file:///etc/passwd", "FILE:///etc/passwd", inside.absoluteString + "../secret.html",
            inside.appendingPathComponent("link.html").absoluteString,
            "file://elsewhere.example" + inside.path + "/x.html",
        ] {
            let result = await client.fetch(Request(url: url, policy: policy))
            #expect(throws: FetchError.self, "\(url) was read") { try result.get() }
            if case .failure(let error) = result { #expect("\(error)".contains("not fetched")) }
        }
        let noFolder = await client.fetch(Request(url: folder.appendingPathComponent("secret.html").absoluteString))
        #expect(throws: FetchError.unsupported(url: folder.appendingPathComponent("secret.html").absoluteString)) {
            try noFolder.get()
        }
    }

    @Test func fetchesConcurrentlyInRequestOrderAndNamesFailingURLs() async throws {
        let server = try LoopbackServer { request in
            if request.path == "/missing" { return .init(status: 404) }
            return .init(status: 200, headers: ["Content-Type": "text/html; charset=koi8-r"], body: [0xF0, 0xD2])
        }
        let urls = (0..<12).map { "\(server.baseURL)/page\($0)" } + ["\(server.baseURL)/missing"]
        let results = await HTTPClient().fetch(urls.map { Request(url: $0) })
        #expect(results.count == 13)
        for (url, result) in zip(urls.prefix(12), results) {
            let response = try result.get()
            #expect(response.url == url)
            #expect(response.text == "Пр")
        }
        #expect(throws: FetchError.http(url: "\(server.baseURL)/missing", status: 404)) { try results[12].get() }
    }

    @Test func sendsValidatorsAndReportsNotModified() async throws {
        let server = try LoopbackServer { request in
            request.headers["if-none-match"] == "\"v1\""
                ? .init(status: 304) : .init(status: 200, headers: ["ETag": "\"v1\""])
        }
        let client = HTTPClient()
        let first = try await client.fetch(Request(url: server.baseURL + "/feed")).get()
        #expect(first.headers["etag"] == "\"v1\"")
        let second = try await client.fetch(Request(url: server.baseURL + "/feed", etag: "\"v1\"")).get()
        #expect(second.isNotModified)
    }

    /// With one transfer at a time and room for one unread answer, a request waits for the reader: the
    /// third goes out only after the reader is done with the first answer. Read without a window, all five
    /// pages would be in before the reader finished with any.
    @Test func aReaderThatFallsBehindHoldsTheFetchingBack() async throws {
        let server = try LoopbackServer { request in .init(status: 200, body: Array(request.path.utf8)) }
        defer { server.stop() }
        var options = FetchOptions()
        options.concurrency = 1
        let requests = (0..<5).map { Request(url: "\(server.baseURL)/page\($0)") }
        var doneWith: [Date] = []
        for await answer in HTTPClient(options: options).answers(to: requests, window: 1) {
            #expect((try? answer.result.get())?.body == Array("/page\(answer.index)".utf8))
            try await Task.sleep(for: .milliseconds(40))
            doneWith.append(Date())
        }
        let sent = server.received.filter { $0.path.hasPrefix("/page") }.map(\.time)
        #expect(sent.count == 5 && doneWith.count == 5)
        for index in 2..<min(sent.count, 5) {
            #expect(sent[index] >= doneWith[index - 2], "request \(index) went out before answer \(index - 2) was read")
        }
    }

    @Test func stopsBodiesOverTheLimit() async throws {
        let server = try LoopbackServer { _ in .init(status: 200, body: [UInt8](repeating: 0x41, count: 200_000)) }
        var options = FetchOptions()
        options.maxBodyBytes = 50_000
        let result = await HTTPClient(options: options).fetch(Request(url: server.baseURL + "/big"))
        #expect(throws: FetchError.tooLarge(url: server.baseURL + "/big", limit: 50_000)) { try result.get() }
    }

    @Test func refusesOtherSchemes() async {
        let result = await HTTPClient().fetch(Request(url: "gopher://example.org/"))
        #expect(throws: FetchError.unsupported(url: "gopher://example.org/")) { try result.get() }
    }
}

@Suite("Politeness and failure")
struct PolitenessTests {
    /// A policy that retries quickly, so that tests stay short.
    static func quick(retries: Int = 2, robots: Bool = false) -> Request.Policy {
        var policy = Request.Policy()
        policy.retries = retries
        policy.backoff = 0.01
        policy.obeysRobots = robots
        return policy
    }

    @Test func retriesServerErrorsAndHonoursRetryAfter() async throws {
        let attempts = Counter()
        let server = try LoopbackServer { request in
            switch attempts.next() {
            case 0: return .init(status: 503)
            case 1: return .init(status: 429, headers: ["Retry-After": "1"])
            default: return .init(status: 200, body: Array("finally".utf8))
            }
        }
        let response = try await HTTPClient().fetch(Request(url: server.baseURL + "/flaky", policy: Self.quick())).get()
        #expect(response.text == "finally")
        let times = server.received.map(\.time)
        #expect(times.count == 3)
        #expect(times[2].timeIntervalSince(times[1]) >= 0.95)
    }

    @Test func givesUpWhenRetriesRunOutAndNamesTheStatus() async throws {
        let server = try LoopbackServer { _ in .init(status: 502) }
        let result = await HTTPClient().fetch(Request(url: server.baseURL + "/down", policy: Self.quick(retries: 1)))
        #expect(throws: FetchError.http(url: server.baseURL + "/down", status: 502)) { try result.get() }
        #expect(server.received.count == 2)
    }

    @Test func refusesARetryAfterLongerThanTheLimit() async throws {
        let server = try LoopbackServer { _ in .init(status: 429, headers: ["Retry-After": "3600"]) }
        let result = await HTTPClient().fetch(Request(url: server.baseURL + "/later", policy: Self.quick()))
        #expect(throws: FetchError.retryAfterTooLong(url: server.baseURL + "/later", seconds: 3600)) {
            try result.get()
        }
    }

    @Test func obeysRobotsTxt() async throws {
        let server = try LoopbackServer { request in
            if request.path == "/robots.txt" {
                return .init(status: 200, body: Array("User-agent: *\nDisallow: /private\nAllow: /private/ok\n".utf8))
            }
            return .init(status: 200, body: Array("page".utf8))
        }
        let client = HTTPClient()
        let urls = ["/private/secret", "/private/ok", "/public"].map { server.baseURL + $0 }
        let results = await client.fetch(urls.map { Request(url: $0, policy: Self.quick(robots: true)) })
        #expect(throws: FetchError.disallowedByRobots(url: urls[0])) { try results[0].get() }
        #expect(try results[1].get().text == "page")
        #expect(try results[2].get().text == "page")
        // robots.txt was read once for the host, and the disallowed page was never asked for.
        #expect(server.received.filter { $0.path == "/robots.txt" }.count == 1)
        #expect(!server.received.contains { $0.path == "/private/secret" })
        // A pipeline may choose not to obey it.
        let ignoring = await client.fetch(Request(url: urls[0], policy: Self.quick(robots: false)))
        #expect(try ignoring.get().text == "page")
    }

    @Test func cutsOffAServerThatDrips() async throws {
        let server = try LoopbackServer { _ in .init(status: 200, body: Array("x".utf8), drip: 0.5) }
        var options = FetchOptions()
        options.lowSpeedBytes = 100
        options.lowSpeedSeconds = 1
        let result = await HTTPClient(options: options).fetch(
            Request(url: server.baseURL + "/drip", policy: Self.quick(retries: 0)))
        guard case .failure(.transport(let url, let message)) = result else {
            Issue.record("a dripping server was not cut off: \(result)")
            return
        }
        #expect(url == server.baseURL + "/drip")
        // Cut off by the low-speed limit ("Operation too slow. Less than 100 bytes/sec…"), not by the whole
        // transfer's timeout ("Operation timed out after…"): the message says which, with no clock in the test.
        #expect(message.lowercased().contains("too slow"), "\(message)")
    }

    @Test func stopsACompressionBombAtTheDecompressedLimit() async throws {
        let bomb = try gzip([UInt8](repeating: 0, count: 20 * 1024 * 1024))
        #expect(bomb.count < 100_000)
        let server = try LoopbackServer { _ in
            .init(status: 200, headers: ["Content-Encoding": "gzip", "Content-Type": "text/html"], body: bomb)
        }
        var options = FetchOptions()
        options.maxBodyBytes = 1024 * 1024
        let result = await HTTPClient(options: options).fetch(
            Request(url: server.baseURL + "/bomb", policy: Self.quick()))
        #expect(throws: FetchError.tooLarge(url: server.baseURL + "/bomb", limit: 1024 * 1024)) { try result.get() }
    }

    @Test func boundsRedirectLoops() async throws {
        let server = try LoopbackServer { _ in .init(status: 302, headers: ["Location": "/loop"]) }
        let result = await HTTPClient().fetch(Request(url: server.baseURL + "/loop", policy: Self.quick()))
        guard case .failure(.transport(let url, let message)) = result else {
            Issue.record("a redirect loop was followed: \(result)")
            return
        }
        #expect(url == server.baseURL + "/loop")
        #expect(message.lowercased().contains("redirect"))
        #expect(server.received.count <= 7)
    }

    @Test func refusesRedirectsToOtherSchemes() async throws {
        let server = try LoopbackServer { _ in .init(status: 302, headers: ["Location": "file:///etc/passwd"]) }
        let result = await HTTPClient().fetch(Request(url: server.baseURL + "/escape", policy: Self.quick()))
        #expect(throws: (any Error).self) { try result.get() }
    }

    @Test func aHostThatKeepsFailingIsLeftAloneForTheRun() async throws {
        let server = try LoopbackServer { _ in .init(status: 500) }
        var options = FetchOptions()
        options.hostFailureLimit = 3
        options.perHostConcurrency = 1
        let urls = (0..<8).map { server.baseURL + "/item\($0)" }
        let results = await HTTPClient(options: options).fetch(
            urls.map { Request(url: $0, policy: Self.quick(retries: 0)) })
        let unavailable = results.filter {
            if case .failure(.hostUnavailable) = $0 { return true } else { return false }
        }
        #expect(unavailable.count == 5)
        #expect(server.received.count == 3)
    }

    @Test func spacesRequestsToOneHost() async throws {
        let server = try LoopbackServer { _ in .init(status: 200, body: Array("ok".utf8)) }
        var policy = Self.quick()
        policy.hostDelay = 0.3
        _ = await HTTPClient().fetch((0..<3).map { Request(url: server.baseURL + "/p\($0)", policy: policy) })
        let times = server.received.map(\.time).sorted()
        #expect(times.count == 3)
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(later.timeIntervalSince(earlier) >= 0.25) }
    }

    /// Compresses with the system's gzip, as a server would.
    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let folder = try Repository.temporaryFolder()
        let file = folder.appendingPathComponent("zeros")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-9", "-n", file.path]
        try process.run()
        process.waitUntilExit()
        return Array(try Data(contentsOf: folder.appendingPathComponent("zeros.gz")))
    }
}

/// Charsets as real pages carry them: each page is written with iconv from UTF-8 text and declares its
/// charset only in a `<meta>` element, the way most of the web does.
@Suite("Charset pages")
struct CharsetPageTests {
    @Test(arguments: [
        ("windows-1251", "Съешь же ещё этих мягких французских булок"),
        ("KOI8-R", "Съешь же ещё этих мягких французских булок"),
        ("ISO-8859-2", "Zażółć gęślą jaźń, Příliš žluťoučký kůň"),
        ("GBK", "我能吞下玻璃而不伤身体"),
        ("Shift_JIS", "いろはにほへと ちりぬるを"),
        ("EUC-KR", "다람쥐 헌 쳇바퀴에 타고파"),
    ])
    func decodesPagesWrittenInTheirCharset(charset: String, text: String) async throws {
        let html = "<html><head><meta charset=\"\(charset)\"><title>t</title></head><body><p>\(text)</p></body></html>"
        let encoded = try iconv(html, to: charset)
        #expect(encoded != Array(html.utf8))
        let server = try LoopbackServer { _ in .init(status: 200, headers: ["Content-Type": "text/html"], body: encoded)
        }
        var policy = Request.Policy()
        policy.obeysRobots = false
        let response = try await HTTPClient().fetch(Request(url: server.baseURL + "/page", policy: policy)).get()
        #expect(response.status == 200)
        #expect(response.body == encoded)
        #expect(response.text.contains("<p>\(text)</p>"))
    }

    /// Encodes with the C library's iconv in this process (a child process per case made the test depend on
    /// how many other tests were spawning processes at the same moment).
    func iconv(_ text: String, to charset: String) throws -> [UInt8] {
        let descriptor = iconv_open(charset, "UTF-8")
        try #require(descriptor != iconv_t(bitPattern: -1), "iconv knows no \(charset)")
        defer { iconv_close(descriptor) }
        var input = Array(text.utf8)
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        let left: Int = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inPointer = UnsafeMutableRawPointer(inputBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var inLeft = inputBuffer.count
                var outPointer = UnsafeMutableRawPointer(outputBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var outLeft = outputBuffer.count
                let result = Glibc.iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                return result == -1 ? -1 : outLeft
            }
        }
        try #require(left >= 0, "iconv could not write the text in \(charset)")
        return Array(output.prefix(output.count - left))
    }
}

/// A thread-safe counter for handlers that answer differently on each call.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            defer { value += 1 }
            return value
        }
    }
}

@Suite("Address policy")
struct AddressPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "::ffff:127.0.0.1",
        "::ffff:169.254.169.254", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "::127.0.0.1", "not an address", "",
    ])
    func privateAddresses(address: String) {
        #expect(AddressPolicy.isPrivate(address))
    }

    @Test(arguments: [
        "8.8.8.8", "93.184.216.34", "172.32.0.1", "172.15.255.255", "2001:4860:4860::8888", "::ffff:8.8.8.8",
    ])
    func publicAddresses(address: String) {
        #expect(!AddressPolicy.isPrivate(address))
    }

    static var linkPolicy: Request.Policy {
        var policy = Request.Policy.forLinks
        policy.retries = 0
        policy.obeysRobots = false
        return policy
    }

    @Test func aLinkToThisMachineIsRefusedWhateverItsNameAndNothingIsSent() async throws {
        let server = try LoopbackServer { _ in .init(status: 200, body: Array("<p>internal</p>".utf8)) }
        let client = HTTPClient()
        for host in ["127.0.0.1", "localhost", "0x7f000001", "2130706433", "127.1"] {
            let url = "http://\(host):\(server.port)/admin"
            let result = await client.fetch(Request(url: url, policy: Self.linkPolicy))
            // `localhost` resolves to ::1 first where the machine has IPv6: either is refused.
            guard case .failure(let error) = result else {
                Issue.record("\(host): fetched")
                continue
            }
            #expect(["127.0.0.1", "::1"].map { FetchError.privateAddress(url: url, address: $0) }.contains(error))
        }
        #expect(server.received.isEmpty)
        // The same address is fetched when the request may reach it (a pipeline's own source).
        var allowed = Self.linkPolicy
        allowed.privateAddresses = true
        let response = try await client.fetch(Request(url: server.baseURL + "/admin", policy: allowed)).get()
        #expect(response.address == "127.0.0.1")
    }

    /// Ways of writing this machine's address that libcurl or the resolver accept.
    static let loopbackSpellings = [
        "127.0.0.1", "127.1", "127.0.1", "127.000.000.001", "2130706433", "0x7f000001", "0x7f.0.0.1", "0x7f.1",
        "0177.0.0.1", "0177.1", "017700000001", "0", "0.0.0.0", "0x0", "localhost", "LOCALHOST", "0x7f.0x0.0x0.0x1",
        "[::1]", "[::]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:0.0.0.0]",
        "[64:ff9b::7f00:1]", "[::127.0.0.1]", "127.255.255.254",
    ]

    @Test func aPrivateAddressIsRefusedBeforeAnyConnectionIsOpened() async throws {
        let server = try LoopbackServer { _ in .init(status: 200, body: Array("<p>internal</p>".utf8)) }
        let client = HTTPClient()
        var answers: Set<String> = []
        for host in Self.loopbackSpellings {
            let url = "http://\(host):\(server.port)/admin"
            let result = await client.fetch(Request(url: url, policy: Self.linkPolicy))
            guard case .failure(.privateAddress(_, let address)) = result else {
                Issue.record("\(host): \(result)")
                continue
            }
            #expect(AddressPolicy.isPrivate(address))
            answers.insert(String(describing: result).replacingOccurrences(of: host, with: "HOST"))
        }
        // Not one connection reached the listener: the policy decided before any socket was opened.
        #expect(server.connections == 0)
        #expect(server.received.isEmpty)
        // A closed port gets the answer an open one gets: no port scanning through the refusal.
        let closed = RawHTTP.freePort()
        let open = await client.fetch(Request(url: "http://127.0.0.1:\(server.port)/", policy: Self.linkPolicy))
        let shut = await client.fetch(Request(url: "http://127.0.0.1:\(closed)/", policy: Self.linkPolicy))
        #expect(
            String(describing: open).replacingOccurrences(of: String(server.port), with: "PORT")
                == String(describing: shut).replacingOccurrences(of: String(closed), with: "PORT"))
    }

    @Test func aRedirectToThisMachineIsRefusedOnTheAddressConnectedTo() async throws {
        let inside = try LoopbackServer { _ in .init(status: 200, body: Array("<p>metadata</p>".utf8)) }
        // 127.0.0.2 stands in for a public site.
        let outside = try LoopbackServer(host: "127.0.0.2") { request in
            request.path == "/away"
                ? .init(status: 302, headers: ["Location": "http://localhost:\(inside.port)/latest/meta-data/"])
                : .init(status: 200, headers: ["Content-Type": "text/html"], body: Array("<p>public</p>".utf8))
        }
        var options = FetchOptions()
        options.publicForTesting = ["127.0.0.2"]
        let client = HTTPClient(options: options)
        let fine = try await client.fetch(Request(url: outside.baseURL + "/page", policy: Self.linkPolicy)).get()
        #expect(fine.text == "<p>public</p>")
        let result = await client.fetch(Request(url: outside.baseURL + "/away", policy: Self.linkPolicy))
        guard case .failure(.privateAddress(let url, let address)) = result else {
            Issue.record("the redirect was followed: \(result)")
            return
        }
        #expect(url == outside.baseURL + "/away")
        #expect(["127.0.0.1", "::1"].contains(address))
        #expect(inside.received.isEmpty)
        #expect(inside.connections == 0)
    }

    @Test func robotsTxtOnAPrivateAddressNamesTheAddressNotRobots() async throws {
        let server = try LoopbackServer { _ in .init(status: 200) }
        var policy = Self.linkPolicy
        policy.obeysRobots = true
        let url = server.baseURL + "/story"
        let result = await HTTPClient().fetch(Request(url: url, policy: policy))
        #expect(throws: FetchError.privateAddress(url: url, address: "127.0.0.1")) { try result.get() }
    }
}

/// Answers that look like success and are not: they must fail, naming the URL and the cause, so that
/// nothing stored is replaced by them.
@Suite("Answers that are not the page")
struct MisleadingAnswerTests {
    static var once: Request.Policy {
        var policy = Request.Policy()
        policy.retries = 0
        policy.obeysRobots = false
        return policy
    }

    static let html = ["Content-Type": "text/html; charset=utf-8"]

    /// Bot defences' pages as they are served (trimmed), each with the name the error gives.
    static let defences: [(page: String, name: String)] = [
        (
            """
            <!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="refresh" content="390">
            <script>(function(){window._cf_chl_opt={cvId: '3',cZone: "example.org",cType: 'managed'};}());</script></head>
            <body><div class="main-wrapper"><h1>example.org</h1><p>Checking if the site connection is secure</p>
            <p>example.org needs to review the security of your connection before proceeding.</p></div></body></html>
            """, "Cloudflare challenge"
        ),
        (
            """
            <HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>
            You don't have permission to access "http&#58;&#47;&#47;www&#46;example&#46;com&#47;news" on this server.<P>
            Reference&#32;&#35;18&#46;4d3c2f17&#46;1700000000&#46;1a2b3c4d</BODY></HTML>
            """, "Akamai access denied"
        ),
        (
            """
            <html><head><title>example.com</title></head><body><p>Please enable JS and disable any ad blocker</p>
            <script>var dd={'rt':'c','cid':'AHrlqAAAAAMA','hsh':'2211F5','t':'fe','host':'geo.captcha-delivery.com'}</script>
            <script src="https://ct.captcha-delivery.com/c.js"></script></body></html>
            """, "DataDome captcha"
        ),
        (
            """
            <html><head><title>Access to this page has been denied</title></head><body><div id="px-captcha"></div>
            <p>Press &amp; Hold to confirm you are a human (and not a bot).</p></body></html>
            """, "PerimeterX captcha"
        ),
        (
            """
            <html><body><h1>One more step</h1><p>Please enable JavaScript and cookies to continue.</p>
            <noscript>Enable JavaScript and cookies to continue</noscript></body></html>
            """, "JavaScript and cookies interstitial"
        ),
    ]

    @Test(arguments: defences.indices)
    func aBotDefencesPageIsABlockNamingTheDefence(index: Int) async throws {
        let (page, name) = Self.defences[index]
        let server = try LoopbackServer { _ in .init(status: 200, headers: Self.html, body: Array(page.utf8)) }
        let url = server.baseURL + "/story"
        let result = await HTTPClient().fetch(Request(url: url, policy: Self.once))
        #expect(throws: FetchError.blocked(url: url, by: name)) { try result.get() }
        #expect("\(FetchError.blocked(url: url, by: name))".contains("blocked by the site (\(name))"))
    }

    @Test func aNotFoundPageServedWith200IsAnError() async throws {
        let page =
            "<html><head><title>Page not found | The Ledger</title></head><body><h1>Sorry</h1>"
            + "<p>We can't find the page you were looking for.</p><a href=\"/\">Home</a></body></html>"
        let server = try LoopbackServer { _ in .init(status: 200, headers: Self.html, body: Array(page.utf8)) }
        let url = server.baseURL + "/gone"
        let result = await HTTPClient().fetch(Request(url: url, policy: Self.once))
        #expect(throws: FetchError.errorPage(url: url, kind: "a 'not found' page")) { try result.get() }
    }

    @Test func plainBytesLabelledGzipAreNamedAsSuch() async throws {
        let server = try LoopbackServer { _ in
            .init(
                status: 200, headers: Self.html.merging(["Content-Encoding": "gzip"]) { $1 },
                body: Array("<p>plain</p>".utf8))
        }
        let result = await HTTPClient().fetch(Request(url: server.baseURL + "/a", policy: Self.once))
        guard case .failure(.transport(_, let message)) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(message.contains("not gzip data"))
    }

    @Test func anArticleAboutCaptchasIsNoBlock() async throws {
        let prose = String(
            repeating: "Sites ask visitors to verify you are human with a captcha, and readers tire of it. ", count: 30)
        let page =
            "<html><head><title>Captchas</title><script src=\"/cdn-cgi/challenge-platform/scripts/jsd/main.js\"></script>"
            + "</head><body><article><p>\(prose)</p></article></body></html>"
        let server = try LoopbackServer { _ in .init(status: 200, headers: Self.html, body: Array(page.utf8)) }
        let response = try await HTTPClient().fetch(Request(url: server.baseURL + "/story", policy: Self.once)).get()
        #expect(response.text.contains("readers tire of it"))
    }

    @Test func aCompressedBodyCutShortIsAnErrorNotAShorterPage() async throws {
        let page = Array(String(repeating: "<p>The whole article, paragraph after paragraph.</p>\n", count: 400).utf8)
        let compressed = try Tool.gzip(page)
        let whole = try LoopbackServer { _ in
            .init(status: 200, headers: Self.html.merging(["Content-Encoding": "gzip"]) { $1 }, body: compressed)
        }
        let read = try await HTTPClient().fetch(Request(url: whole.baseURL + "/a", policy: Self.once)).get()
        #expect(read.body == page)
        // Half the stream, with a Content-Length that matches what is sent: libcurl sees a complete transfer.
        let cut = try LoopbackServer { _ in
            .init(
                status: 200, headers: Self.html.merging(["Content-Encoding": "gzip"]) { $1 },
                body: Array(compressed.prefix(compressed.count / 2)))
        }
        let url = cut.baseURL + "/a"
        let result = await HTTPClient().fetch(Request(url: url, policy: Self.once))
        #expect(throws: FetchError.truncated(url: url)) { try result.get() }
    }

    @Test func aNotModifiedNobodyAskedForIsAskedAgainPastCachesThenAFailure() async throws {
        // A cache in front of the site answers 304 to everyone, unless told not to use its copy.
        let honest = try LoopbackServer { request in
            request.headers["cache-control"] == "no-cache"
                ? .init(status: 200, headers: Self.html, body: Array("<p>new article</p>".utf8)) : .init(status: 304)
        }
        let response = try await HTTPClient().fetch(Request(url: honest.baseURL + "/new", policy: Self.once)).get()
        #expect(response.status == 200 && response.text == "<p>new article</p>")

        let stubborn = try LoopbackServer { _ in .init(status: 304) }
        let url = stubborn.baseURL + "/new"
        let result = await HTTPClient().fetch(Request(url: url, policy: Self.once))
        #expect(throws: FetchError.notModifiedUnasked(url: url)) { try result.get() }
        // With validators, a 304 is the answer asked for.
        let asked = try await HTTPClient().fetch(Request(url: url, etag: "\"v1\"", policy: Self.once)).get()
        #expect(asked.isNotModified)
    }

    @Test func aHugeHeaderIsNamedAsSuch() async throws {
        let server = try LoopbackServer { _ in
            .init(
                status: 200, headers: ["X-Padding": String(repeating: "a", count: 2_000_000)],
                body: Array("<p>x</p>".utf8))
        }
        let url = server.baseURL + "/big"
        let result = await HTTPClient().fetch(Request(url: url, policy: Self.once))
        #expect(throws: FetchError.headerTooLarge(url: url)) { try result.get() }
        #expect(!"\(FetchError.headerTooLarge(url: url))".lowercased().contains("memory"))
    }

    @Test func aRefusedConnectionNamesHostAndPortEvenWhenRobotsTxtComesFirst() async throws {
        let port = RawHTTP.freePort()
        var policy = Self.once
        policy.obeysRobots = true
        let url = "http://127.0.0.1:\(port)/story"
        let result = await HTTPClient().fetch(Request(url: url, policy: policy))
        guard case .failure(let error) = result else {
            Issue.record("a closed port answered")
            return
        }
        #expect(error.description == "\(url): the site refused the connection (127.0.0.1 port \(port))")
    }
}

/// The block-page test on pages that are real articles, listings and forums: none of them is a block.
@Suite("Block pages on real pages")
struct BlockPageCorpusTests {
    static let shared = Repository.root.deletingLastPathComponent().appendingPathComponent("shared")

    @Test func noPageOfTheBenchmarkCorporaIsTakenForABlock() throws {
        var pages: [(String, [UInt8])] = []
        for folder in ["extraction-benchmark/html", "wcxb-dev/html"] {
            let url = Self.shared.appendingPathComponent(folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
                guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path) else {
                    continue
                }
                let bytes =
                    Gzip.isCompressed(Array(data)) ? try Gzip.decompress(Array(data), limit: 50_000_000) : Array(data)
                pages.append((name, bytes))
            }
        }
        try #require(pages.count > 1000, "the corpora in shared/ were not found")
        let blocked = pages.filter { BlockPage.kind(of: $0.1) != nil }.map(\.0)
        #expect(blocked.isEmpty, "taken for block pages: \(blocked)")
    }
}
