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
        let equiv = Array("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">".utf8) + [0xF0, 0xD2]
        #expect(Charset.decode(equiv, contentType: nil).hasSuffix("Пр"))
    }

    @Test func prefersAByteOrderMarkToTheDeclaration() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<meta charset=\"windows-1251\">Ж".utf8)
        #expect(Charset.decode(bytes, contentType: nil).hasSuffix("Ж"))
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
        let response = try await HTTPClient().fetch(Request(url: file.absoluteString)).get()
        #expect(response.status == 200)
        #expect(response.text == "<p>hello</p>")
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
            request.headers["if-none-match"] == "\"v1\"" ? .init(status: 304) : .init(status: 200, headers: ["ETag": "\"v1\""])
        }
        let client = HTTPClient()
        let first = try await client.fetch(Request(url: server.baseURL + "/feed")).get()
        #expect(first.headers["etag"] == "\"v1\"")
        let second = try await client.fetch(Request(url: server.baseURL + "/feed", etag: "\"v1\"")).get()
        #expect(second.isNotModified)
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
