import Crypto
import Foundation

/// The secret that opens what `serve` keeps from strangers (`/full`, previews, the image proxy, and the feeds
/// themselves with `--protect-feeds`). A request shows it as `Authorization: Bearer KEY`, or carries a
/// signature of what it asks for (`sig=`, an HMAC-SHA256 of the path and the `url` parameter), so that a feed
/// reader that cannot send headers can still subscribe to a signed address. Comparisons take the same time
/// whatever the guess, and the key itself is never written anywhere.
package struct AccessKey: Sendable {
    private let key: SymmetricKey
    private let digest: SHA256.Digest

    /// The shortest secret accepted: anything shorter can be guessed.
    package static let minimumLength = 16

    /// A key from its secret, or `nil` when the secret is shorter than `minimumLength` bytes (white space
    /// around it, as a file or variable often ends with a newline, is not part of it).
    package init?(secret: String) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count >= Self.minimumLength else { return nil }
        key = SymmetricKey(data: Data(trimmed.utf8))
        digest = SHA256.hash(data: Data(trimmed.utf8))
    }

    /// What a signature covers: the request's path and its `url` parameter, if any.
    static func message(path: String, url: String?) -> Data {
        Data((path + "\n" + (url ?? "")).utf8)
    }

    /// The signature of a request for `path` (with its `url` parameter), as hexadecimal.
    package func signature(path: String, url: String? = nil) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Self.message(path: path, url: url), using: key)
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` (hexadecimal) signs a request for `path` with `url`.
    package func accepts(signature: String, path: String, url: String? = nil) -> Bool {
        guard let bytes = Self.bytes(hex: signature), bytes.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            bytes, authenticating: Self.message(path: path, url: url), using: key)
    }

    /// Whether an `Authorization` header's value is `Bearer` and this key.
    package func accepts(authorization: String) -> Bool {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let given = SHA256.hash(data: Data(parts[1].trimmingCharacters(in: .whitespaces).utf8))
        // Digests of equal length, compared byte by byte without stopping early.
        return zip(given, digest).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The bytes a hexadecimal string spells, or `nil`.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
