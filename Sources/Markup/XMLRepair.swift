internal import CLibXML2

/// Mends the faults that make published feeds and sitemaps ill-formed XML, the way feed readers tolerate
/// them: blank lines before the XML declaration (a common result of a stray newline in a CMS plug-in),
/// HTML entities XML does not define (`&nbsp;`, `&eacute;`) and bare ampersands (`?a=1&b=2`). CDATA
/// sections, comments and the document type declaration are copied as they are.
enum XMLRepair {
    static func repaired(_ xml: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(xml.count + 64)
        var index = 0
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if xml.starts(with: bom) {
            output += bom
            index = 3
        }
        while index < xml.count, xml[index] == 0x20 || xml[index] == 0x09 || xml[index] == 0x0A || xml[index] == 0x0D {
            index += 1
        }
        while index < xml.count {
            let byte = xml[index]
            if byte == UInt8(ascii: "<"), let end = verbatimEnd(xml, from: index) {
                output += xml[index..<end]
                index = end
            } else if byte == UInt8(ascii: "&") {
                let (replacement, length) = reference(xml, at: index)
                output += replacement
                index += length
            } else {
                // C0 controls other than tab and line ends are never XML (a NUL in a feed is the usual one):
                // they are dropped rather than lose the document.
                if byte >= 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { output.append(byte) }
                index += 1
            }
        }
        return output
    }

    /// Where a CDATA section, comment or document type declaration starting at `start` ends (past its last
    /// byte), or `nil` when none starts there. An unterminated one runs to the end.
    private static func verbatimEnd(_ xml: [UInt8], from start: Int) -> Int? {
        func starts(_ text: String) -> Bool { xml[start...].starts(with: text.utf8) }
        func end(after terminator: String) -> Int {
            let pattern = Array(terminator.utf8)
            var index = start
            while index + pattern.count <= xml.count {
                if xml[index] == pattern[0], xml[index..<index + pattern.count].elementsEqual(pattern) {
                    return index + pattern.count
                }
                index += 1
            }
            return xml.count
        }
        if starts("<![CDATA[") { return end(after: "]]>") }
        if starts("<!--") { return end(after: "-->") }
        if starts("<!DOCTYPE") {
            // An internal subset (`[ … ]`) may hold `>`; the declaration ends at the `>` after it.
            var index = start
            var depth = 0
            while index < xml.count {
                switch xml[index] {
                case UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "]"): depth -= 1
                case UInt8(ascii: ">") where depth <= 0: return index + 1
                default: break
                }
                index += 1
            }
            return xml.count
        }
        return nil
    }

    private static let xmlEntities: Set<String> = ["amp", "lt", "gt", "quot", "apos"]

    /// What to write for the `&` at `start`, and how many input bytes that replaces: a character or XML
    /// entity reference as it is, an HTML entity as a numeric reference, anything else as `&amp;`.
    private static func reference(_ xml: [UInt8], at start: Int) -> ([UInt8], Int) {
        let amp = Array("&amp;".utf8)
        var index = start + 1
        if index < xml.count, xml[index] == UInt8(ascii: "#") {
            index += 1
            let hex = index < xml.count && (xml[index] == UInt8(ascii: "x") || xml[index] == UInt8(ascii: "X"))
            if hex { index += 1 }
            let digits = index
            while index < xml.count, index - digits < 8,
                hex ? isHexDigit(xml[index]) : (0x30...0x39).contains(xml[index])
            {
                index += 1
            }
            if index > digits, index < xml.count, xml[index] == UInt8(ascii: ";") {
                return (Array(xml[start...index]), index - start + 1)
            }
            return (amp, 1)
        }
        let nameStart = index
        while index < xml.count, index - nameStart < 32, isNameByte(xml[index]) { index += 1 }
        guard index > nameStart, index < xml.count, xml[index] == UInt8(ascii: ";") else { return (amp, 1) }
        let name = String(decoding: xml[nameStart..<index], as: UTF8.self)
        if xmlEntities.contains(name) { return (Array(xml[start...index]), index - start + 1) }
        let found = name.withCString { htmlEntityLookup(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
        guard let found else { return (amp, 1) }
        return (Array("&#\(found.pointee.value);".utf8), index - start + 1)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// A document that says it is UTF-8 but is not, as UTF-8: UTF-8 with a few bad bytes (each becomes
    /// U+FFFD, as feed readers show them) when its valid multi-byte sequences outnumber the bad bytes, else
    /// windows-1252, the encoding of the CMS or database that nearly always wrote such a feed (its five
    /// unassigned bytes become U+FFFD too).
    static func transcoded(_ xml: [UInt8]) -> [UInt8] {
        let (valid, invalid) = utf8Sequences(xml)
        if valid >= invalid { return Array(String(decoding: xml, as: UTF8.self).utf8) }
        var output: [UInt8] = []
        output.reserveCapacity(xml.count + xml.count / 8)
        for byte in xml {
            if byte < 0x80 {
                output.append(byte)
            } else {
                let scalar = byte >= 0xA0 ? Unicode.Scalar(byte) : Unicode.Scalar(windows1252[Int(byte - 0x80)])!
                output += Array(String(Character(scalar)).utf8)
            }
        }
        return output
    }

    /// How many well-formed multi-byte UTF-8 sequences the bytes hold, and how many bytes fit none.
    static func utf8Sequences(_ xml: [UInt8]) -> (valid: Int, invalid: Int) {
        var valid = 0
        var invalid = 0
        var index = 0
        while index < xml.count {
            let byte = xml[index]
            let length =
                byte < 0x80
                ? 1
                : byte >= 0xC2 && byte <= 0xDF
                    ? 2
                    : byte >= 0xE0 && byte <= 0xEF
                        ? 3
                        : byte >= 0xF0 && byte <= 0xF4 ? 4 : 0
            if length == 1 {
                index += 1
            } else if length > 1, index + length <= xml.count,
                xml[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 })
            {
                valid += 1
                index += length
            } else {
                invalid += 1
                index += 1
            }
        }
        return (valid, invalid)
    }

    /// Whether a document declares a single-byte encoding (ISO-8859-*, windows-125x, KOI8) in its XML
    /// declaration but is valid UTF-8 with multi-byte characters: it was converted and kept its old
    /// declaration, and is read as UTF-8.
    static func declaresSingleByteButIsUTF8(_ xml: [UInt8]) -> Bool {
        guard let declared = declaredEncoding(xml),
            declared.hasPrefix("iso-8859") || declared.hasPrefix("windows-125") || declared.hasPrefix("koi8")
                || ["latin1", "us-ascii", "ascii", "cp1252"].contains(declared)
        else { return false }
        return String(validating: xml, as: UTF8.self) != nil && utf8Sequences(xml).valid > 0
    }

    /// The encoding named in the XML declaration, in lower case.
    static func declaredEncoding(_ xml: [UInt8]) -> String? {
        let head = String(decoding: xml.prefix(200), as: UTF8.self).lowercased()
        guard head.hasPrefix("<?xml") || head.drop(while: { $0 == "\u{FEFF}" }).hasPrefix("<?xml") else { return nil }
        return head.range(of: "encoding=").map { head[$0.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" } }
            .map(String.init)
    }

    /// windows-1252's 0x80–0x9F (U+FFFD for the unassigned ones).
    private static let windows1252: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    /// Whether a document that says it is UTF-8 (or says nothing, which means UTF-8) is not.
    static func isMislabelledUTF8(_ xml: [UInt8]) -> Bool {
        if xml.starts(with: [0xFE, 0xFF]) || xml.starts(with: [0xFF, 0xFE]) { return false }
        if let declared = declaredEncoding(xml), declared != "utf-8", declared != "utf8" { return false }
        return String(validating: xml, as: UTF8.self) == nil
    }
}
