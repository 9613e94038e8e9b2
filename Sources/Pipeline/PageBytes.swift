/// What a file or response body that should be a web page is, judged by its bytes before any parsing.
package enum PageBytes {
    /// The kind of a body whose first bytes say it is a document, image or program rather than text
    /// ("PDF", "PNG", …), or "binary" for any other body whose first 4 KiB are more than 5 % control bytes
    /// (NUL and the C0 controls text never uses); `nil` for text, which a stray NUL does not change.
    /// UTF-16 text, which is full of NUL bytes, is known by its byte-order mark.
    package static func binaryKind(_ body: [UInt8]) -> String? {
        let signatures: [(String, [UInt8])] = [
            ("PDF", Array("%PDF-".utf8)), ("PNG", [0x89, 0x50, 0x4E, 0x47]), ("JPEG", [0xFF, 0xD8, 0xFF]),
            ("GIF", Array("GIF8".utf8)), ("ZIP", [0x50, 0x4B, 0x03, 0x04]), ("gzip", [0x1F, 0x8B]),
            ("RIFF (WebP, WAV, AVI)", Array("RIFF".utf8)), ("ELF", [0x7F, 0x45, 0x4C, 0x46]),
        ]
        if let kind = signatures.first(where: { body.starts(with: $0.1) })?.0 { return kind }
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) { return nil }
        let head = body.prefix(4096)
        let controls = head.count { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x0C && $0 != 0x1B }
        return controls * 20 > head.count ? "binary" : nil
    }
}
