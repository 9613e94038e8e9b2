import Foundation

/// Turns the bytes of a page into text, finding the character set the way browsers do.
public enum Charset {
    /// Decodes `bytes` to a string using, in order: a byte-order mark (which wins over any label, as the
    /// WHATWG Encoding standard says), the `charset` of the Content-Type header, a `<meta charset>` /
    /// `http-equiv` or XML declaration in the first 4 KiB, then UTF-8 if the bytes are valid UTF-8, and
    /// windows-1252 otherwise. A declaration of a single-byte charset is not believed over bytes that are
    /// valid UTF-8 with multi-byte characters: such pages were saved or converted to UTF-8 and kept their
    /// old declaration.
    public static func decode(_ bytes: [UInt8], contentType: String?) -> String {
        if let (name, length) = byteOrderMark(bytes) {
            return decode(Array(bytes.dropFirst(length)), charset: name) ?? String(decoding: bytes, as: UTF8.self)
        }
        if let name = contentType.flatMap(charsetParameter), let text = decode(bytes, charset: name) { return text }
        if let name = declaredCharset(bytes) {
            if isSingleByte(name), hasMultibyteUTF8(bytes), let text = String(validating: bytes, as: UTF8.self) {
                return text
            }
            if let text = decode(bytes, charset: name) { return text }
        }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return decode(bytes, charset: "windows-1252") ?? String(decoding: bytes, as: UTF8.self)
    }

    /// The page's text as UTF-8, read as `decode` reads it; for a page that is valid UTF-8 already and
    /// declares nothing else, the bytes themselves, with no string made of them (the common case, and a
    /// pass and a copy of the page saved).
    package static func utf8(_ bytes: [UInt8], contentType: String?) -> [UInt8] {
        if byteOrderMark(bytes) == nil {
            // The header's charset wins over the page's own declaration, as in `decode`.
            let takesUTF8 =
                if let label = contentType.flatMap(charsetParameter) {
                    canonicalName(label) == "UTF-8"
                } else {
                    declaredCharset(bytes).map { name in
                        canonicalName(name) == "UTF-8" || isSingleByte(name) && hasMultibyteUTF8(bytes)
                    } ?? true
                }
            if takesUTF8, bytes.withUnsafeBufferPointer(UTF8Validation.isValid) { return bytes }
        }
        return Array(decode(bytes, contentType: contentType).utf8)
    }

    /// Whether a label names a charset of one byte per character (the Latin, Cyrillic, Greek and other
    /// ISO-8859 and windows-125x families, KOI8), which UTF-8 text can be mistaken for but never is.
    static func isSingleByte(_ label: String) -> Bool {
        let name = canonicalName(label)
        return name == "WINDOWS-1252" || name.hasPrefix("ISO-8859") || name.hasPrefix("ISO8859")
            || name.hasPrefix("WINDOWS-125")
            || name.hasPrefix("CP125") || name.hasPrefix("KOI8") || name.hasPrefix("MACINTOSH")
    }

    /// Whether the bytes hold at least one well-formed multi-byte UTF-8 sequence (a lead byte and its
    /// continuation bytes), which single-byte text almost never does by chance.
    static func hasMultibyteUTF8(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index + 1 < bytes.count {
            let byte = bytes[index]
            if byte >= 0xC2, byte <= 0xF4 {
                let length = byte <= 0xDF ? 2 : byte <= 0xEF ? 3 : 4
                if index + length <= bytes.count,
                    bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 })
                {
                    return true
                }
            }
            index += 1
        }
        return false
    }

    /// Decodes with a named character set; `nil` when the name is unknown.
    package static func decode(_ bytes: [UInt8], charset: String) -> String? {
        let name = canonicalName(charset)
        if name == "UTF-8" {
            return String(validating: bytes, as: UTF8.self) ?? String(decoding: bytes, as: UTF8.self)
        }
        return Iconv.convert(bytes, from: name)
    }

    /// The value of a `charset=` parameter in a Content-Type.
    static func charsetParameter(_ contentType: String) -> String? {
        for part in contentType.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "charset" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    static func byteOrderMark(_ bytes: [UInt8]) -> (String, Int)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return ("UTF-8", 3) }
        if bytes.starts(with: [0xFF, 0xFE]) { return ("UTF-16LE", 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return ("UTF-16BE", 2) }
        return nil
    }

    /// The charset a page declares in its first 4 KiB: `<meta charset=…>`, `content="…; charset=…"`, or
    /// `<?xml … encoding="…"?>`.
    static func declaredCharset(_ bytes: [UInt8]) -> String? {
        let head = bytes.prefix(4096)
        for marker in ["charset=", "encoding="].map({ Array($0.utf8) }) {
            var start = head.startIndex
            while let found = Self.range(of: marker, in: head[start...]) {
                let value = head[found...].drop { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == 0x20 }
                    .prefix { byte in
                        let lowered = byte | 0x20
                        return (0x61...0x7A).contains(lowered) || (0x30...0x39).contains(byte)
                            || "-_:.".utf8.contains(byte)
                    }
                if !value.isEmpty { return String(decoding: value, as: UTF8.self).lowercased() }
                start = found
            }
        }
        return nil
    }

    private static func lowered(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    /// Where the bytes just after an ASCII `marker` start, matched without regard to case.
    private static func range(of marker: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = marker.first, bytes.count >= marker.count else { return nil }
        var index = bytes.startIndex
        let last = bytes.endIndex - marker.count
        while index <= last {
            if lowered(bytes[index]) == first,
                marker.indices.dropFirst().allSatisfy({ lowered(bytes[index + $0]) == marker[$0] })
            {
                return index + marker.count
            }
            index += 1
        }
        return nil
    }

    /// Maps labels to the names iconv knows, following the WHATWG Encoding standard's aliases where they
    /// differ (a page labelled ISO-8859-1 or ASCII is decoded as windows-1252, as browsers do).
    static func canonicalName(_ label: String) -> String {
        let name = label.trimmingCharacters(in: .whitespaces).lowercased()
        switch name {
        case "utf-8", "utf8", "unicode-1-1-utf-8": return "UTF-8"
        case "iso-8859-1", "latin1", "l1", "ascii", "us-ascii", "iso8859-1", "iso_8859-1", "cp1252",
            "windows-1252", "x-cp1252":
            return "WINDOWS-1252"
        case "gb2312", "gbk", "x-gbk", "chinese", "csgb2312": return "GBK"
        case "shift_jis", "sjis", "shift-jis", "x-sjis", "ms_kanji", "windows-31j": return "SHIFT_JIS"
        case "euc-kr", "ks_c_5601-1987", "windows-949", "cp949": return "CP949"
        case "koi8-r", "koi8r": return "KOI8-R"
        case "koi8-u": return "KOI8-U"
        default: return name.uppercased()
        }
    }
}

/// A thin wrapper over the C library's iconv, converting to UTF-8.
enum Iconv {
    static func convert(_ bytes: [UInt8], from charset: String) -> String? {
        let descriptor = iconv_open("UTF-8//IGNORE", charset)
        guard descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        let produced: Int = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inputBuffer.baseAddress)?
                    .assumingMemoryBound(to: CChar.self)
                var inLeft = inputBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outputBuffer.baseAddress)?
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = outputBuffer.count
                while inLeft > 0 {
                    if iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft) == -1 {
                        // An invalid or incomplete sequence: skip one byte and go on, as a browser would.
                        guard errno == EILSEQ || errno == EINVAL, inLeft > 0 else { break }
                        inPointer = inPointer?.advanced(by: 1)
                        inLeft -= 1
                    }
                }
                return outputBuffer.count - outLeft
            }
        }
        return String(decoding: output.prefix(produced), as: UTF8.self)
    }
}
