import Foundation
import TestSupport
import Testing

@testable import Fetch

@Suite("UTF-8 checked on bytes")
struct UTF8ValidationTests {
    static func standard(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }
    static func ours(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer(UTF8Validation.isValid) }

    @Test(
        arguments: [
            [0x41], [0xC2, 0x80], [0xC1, 0xBF], [0xC0, 0x80], [0xE0, 0xA0, 0x80], [0xE0, 0x9F, 0xBF],
            [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],
            [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFF],
            Array("eight ascii bytes then é".utf8), Array("eight ascii bytes then".utf8) + [0xE9],
        ] as [[UInt8]])
    func edgesOfTheTableAgreeWithTheStandardLibrary(bytes: [UInt8]) {
        #expect(Self.ours(bytes) == Self.standard(bytes), "\(bytes)")
    }

    @Test func randomBytesAgreeWithTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        // Mostly text with a few high bytes, so that long valid runs and every kind of break both occur.
        let alphabet: [UInt8] = Array("a <p>é水😀".utf8) + [0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            #expect(Self.ours(bytes) == Self.standard(bytes), "\(bytes)")
        }
    }

    @Test func aPageIsGivenAsItIsOnlyWhenDecodingWouldGiveTheSameText() {
        let utf8 = Array("<html><head><meta charset=\"iso-8859-1\"></head><body><p>Café</p></body></html>".utf8)
        let latin1: [UInt8] = Array("<p>Caf".utf8) + [0xE9] + Array("</p>".utf8)
        #expect(Charset.utf8(utf8, contentType: nil) == utf8)
        #expect(Charset.utf8(utf8, contentType: "text/html; charset=UTF-8") == utf8)
        #expect(
            Charset.utf8(latin1, contentType: "text/html; charset=utf-8")
                == Array(String(decoding: latin1, as: UTF8.self).utf8))
        #expect(Charset.utf8(latin1, contentType: nil) == Array("<p>Café</p>".utf8))
        #expect(
            Charset.utf8(utf8, contentType: "text/html; charset=windows-1252")
                == Array(Charset.decode(utf8, contentType: "text/html; charset=windows-1252").utf8))
    }
}
