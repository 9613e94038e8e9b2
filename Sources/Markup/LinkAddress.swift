import Foundation

extension Document {
    /// The address links of the document are resolved against: its `<base href>`, else its own URL.
    package var baseAddress: URL? { baseURL.flatMap(URL.init(string:)) }

    /// An `href` made absolute against `base`, without its fragment; `nil` for a fragment alone and for
    /// schemes other than http, https and file.
    package static func linkAddress(_ href: String, base: URL?) -> String? {
        // Most addresses begin and end with a visible ASCII character: nothing to trim, and no bridging to
        // Foundation's string type to find so (half the cost of a link on a list of 500).
        let plain = href.utf8.first.map(Self.isVisibleASCII) == true && href.utf8.last.map(Self.isVisibleASCII) == true
        let href = plain ? href : href.trimmingCharacters(in: .whitespaces)
        guard !href.isEmpty, !href.hasPrefix("#"), let url = URL(string: href, relativeTo: base)?.absoluteURL,
            let scheme = url.scheme?.lowercased(), ["http", "https", "file"].contains(scheme)
        else { return nil }
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.fragment = nil
        return components?.url?.absoluteString ?? url.absoluteString
    }

    private static func isVisibleASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
}

/// Plain text as HTML.
package enum PlainText {
    /// The text with every run of white space one space, and none at its ends.
    package static func words(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let space =
                scalar.isASCII
                ? scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D) : scalar.properties.isWhitespace
            if space {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
            }
            if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
            } else {
                Unicode.UTF8.encode(scalar) { bytes.append($0) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The words of an HTML fragment (a feed's description, a row's cell), tags and entities read as a
    /// browser would; text with neither is taken as it is.
    package static func words(ofHTML html: String) -> String {
        guard html.contains("<") || html.contains("&"),
            let document = try? Document(html: "<html><body>\(html)</body></html>"), let body = document.body
        else { return words(html) }
        return words(body.text)
    }

    /// Paragraphs (split at blank lines, or at line ends when there are none) as escaped `<p>` elements.
    package static func paragraphs(_ text: String) -> String {
        let separator = text.contains("\n\n") ? "\n\n" : "\n"
        return text.components(separatedBy: separator).map { paragraph in
            let escaped = paragraph.trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            return escaped.isEmpty ? "" : "<p>\(escaped)</p>"
        }.joined()
    }
}
