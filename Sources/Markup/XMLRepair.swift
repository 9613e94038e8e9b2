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
                output.append(byte)
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
            var index = start, depth = 0
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

    /// Whether a document that says it is UTF-8 (or says nothing, which means UTF-8) is not: such feeds are
    /// nearly always windows-1252, the encoding of the CMS or database that wrote them.
    static func needsWindows1252(_ xml: [UInt8]) -> Bool {
        if xml.starts(with: [0xFE, 0xFF]) || xml.starts(with: [0xFF, 0xFE]) { return false }
        let head = String(decoding: xml.prefix(200), as: UTF8.self).lowercased()
        if let declared = head.range(of: "encoding=")
            .map({ head[$0.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" } }),
            declared != "utf-8", declared != "utf8"
        {
            return false
        }
        return String(validating: xml, as: UTF8.self) == nil
    }
}
