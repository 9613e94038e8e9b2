import Foundation
import Markup

/// Writes Atom 1.0 (RFC 4287) documents. Output depends only on its input, so an unchanged feed is
/// byte-for-byte the same on every run.
package enum AtomWriter {
    package static let namespace = "http://www.w3.org/2005/Atom"

    /// The feed as an XML document. `updated` is the newest entry's, never the clock's.
    package static func document(_ meta: FeedMeta, entries: [Entry]) -> String {
        var xml = head(meta, updated: entries.map(\.updated).max())
        for entry in entries { write(entry, to: &xml) }
        xml.close("feed")
        return xml.text
    }

    /// The document `document(_:entries:)` writes, made from the one it wrote before (`previous`): the
    /// entries in `changed` are written anew, every other entry of `outline` (the feed's ids and update
    /// dates, in order) is copied from `previous` as it is there. `nil` when `previous` lacks one of them;
    /// the feed is then written whole. A feed of a thousand entries with one new is copied, not escaped
    /// again. `previous` must be a document this writer wrote, as it wrote it: its bytes are copied as they
    /// are (the runner knows its file by the size and time recorded when it was written).
    package static func document(
        _ meta: FeedMeta, outline: [(id: String, updated: Date)], changed: [String: Entry], previous: [UInt8]
    ) -> [UInt8]? {
        let kept = entryRanges(in: previous)
        var output = Array(head(meta, updated: outline.map(\.updated).max()).text.utf8)
        output.reserveCapacity(previous.count + previous.count / 8)
        for (id, _) in outline {
            if let entry = changed[id] {
                var xml = XMLBuilder(depth: 1)
                write(entry, to: &xml)
                output += xml.text.utf8
            } else if let range = kept[id] {
                output += previous[range]
            } else {
                return nil
            }
        }
        output += "</feed>\n".utf8
        return output
    }

    /// Where each entry of a document this writer made lies, by id: from its opening line to its closing
    /// line, as written.
    static func entryRanges(in document: [UInt8]) -> [String: Range<Int>] {
        let open = Array("  <entry".utf8)
        let close = Array("  </entry>\n".utf8)
        let idOpen = Array("    <id>".utf8)
        let idClose = Array("</id>\n".utf8)
        var found: [String: Range<Int>] = [:]
        document.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            func starts(_ prefix: [UInt8], at index: Int) -> Bool {
                index + prefix.count <= bytes.count && memcmp(base + index, prefix, prefix.count) == 0
            }
            /// The start of the line after the one at `index`, or the end.
            func nextLine(_ index: Int) -> Int {
                guard index < bytes.count, let newline = memchr(base + index, 0x0A, bytes.count - index) else {
                    return bytes.count
                }
                return base.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
            }
            var line = 0
            var start: Int?
            var id: String?
            while line < bytes.count {
                let next = nextLine(line)
                if starts(open, at: line), line + open.count < bytes.count,
                    bytes[line + open.count] == 0x3E || bytes[line + open.count] == 0x20
                {
                    (start, id) = (line, nil)
                } else if start != nil, id == nil, starts(idOpen, at: line), next - line > idOpen.count + 6,
                    starts(idClose, at: next - idClose.count)
                {
                    id = String(decoding: bytes[line + idOpen.count..<next - idClose.count], as: UTF8.self)
                } else if let opened = start, starts(close, at: line), next == line + close.count {
                    if let id { found[id] = opened..<next }
                    (start, id) = (nil, nil)
                }
                line = next
            }
        }
        return found
    }

    /// The document up to its first entry.
    private static func head(_ meta: FeedMeta, updated: Date?) -> XMLBuilder {
        var xml = XMLBuilder()
        xml.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
        var feedAttributes = [("xmlns", namespace)]
        if let language = meta.language { feedAttributes.append(("xml:lang", language)) }
        xml.open("feed", feedAttributes)
        xml.element("id", meta.id)
        xml.element("title", meta.title, [("type", "text")])
        if let subtitle = meta.subtitle { xml.element("subtitle", subtitle, [("type", "text")]) }
        xml.element("updated", Timestamp.rfc3339(updated ?? Date(timeIntervalSince1970: 0)))
        if let link = meta.link { xml.empty("link", [("rel", "alternate"), ("type", "text/html"), ("href", link)]) }
        if let selfLink = meta.selfLink {
            xml.empty("link", [("rel", "self"), ("type", "application/atom+xml"), ("href", selfLink)])
        }
        xml.open("author")
        xml.element("name", meta.author)
        xml.close("author")
        xml.element("generator", "feedpipe", [("uri", "https://github.com/feedpipe/feedpipe")])
        return xml
    }

    private static func write(_ entry: Entry, to xml: inout XMLBuilder) {
        xml.open("entry", entry.language.map { [("xml:lang", $0)] } ?? [])
        xml.element("id", entry.id)
        xml.element("title", entry.title, [("type", "text")])
        xml.element("updated", Timestamp.rfc3339(entry.updated))
        if let published = entry.published { xml.element("published", Timestamp.rfc3339(published)) }
        if let link = entry.link { xml.empty("link", [("rel", "alternate"), ("type", "text/html"), ("href", link)]) }
        if let image = entry.image, !entry.enclosures.contains(where: { $0.url == image }) {
            xml.empty("link", [("rel", "enclosure"), ("type", imageType(image)), ("href", image)])
        }
        for enclosure in entry.enclosures {
            var attributes = [("rel", "enclosure"), ("type", enclosure.mediaType), ("href", enclosure.url)]
            if let length = enclosure.length { attributes.append(("length", String(length))) }
            xml.empty("link", attributes)
        }
        if let author = entry.author, !author.isEmpty {
            xml.open("author")
            xml.element("name", author)
            xml.close("author")
        }
        for category in entry.categories { xml.empty("category", [("term", category)]) }
        if let summary = entry.summary, !summary.isEmpty { xml.element("summary", summary, [("type", "text")]) }
        if let content = entry.content, !content.isEmpty { xml.element("content", content, [("type", "html")]) }
        xml.close("entry")
    }

    static func imageType(_ url: String) -> String {
        let path = url.split(separator: "?").first.map { $0.lowercased() } ?? ""
        if path.hasSuffix(".png") { return "image/png" }
        if path.hasSuffix(".gif") { return "image/gif" }
        if path.hasSuffix(".webp") { return "image/webp" }
        if path.hasSuffix(".avif") { return "image/avif" }
        if path.hasSuffix(".svg") { return "image/svg+xml" }
        return "image/jpeg"
    }
}

/// A small escaping XML writer: every text and attribute value goes through `escape`, and characters XML 1.0
/// forbids are dropped.
package struct XMLBuilder {
    private(set) var text = ""
    private var depth: Int

    init(depth: Int = 0) { self.depth = depth }

    mutating func raw(_ string: String) { text += string }

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        indent()
        text += "<\(name)\(Self.attributes(attributes))>\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        indent()
        text += "</\(name)>\n"
    }

    mutating func element(_ name: String, _ value: String, _ attributes: [(String, String)] = []) {
        indent()
        text += "<\(name)\(Self.attributes(attributes))>\(Self.escape(value))</\(name)>\n"
    }

    mutating func empty(_ name: String, _ attributes: [(String, String)]) {
        indent()
        text += "<\(name)\(Self.attributes(attributes))/>\n"
    }

    private mutating func indent() { text += String(repeating: "  ", count: depth) }

    private static func attributes(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    package static func escape(_ value: String) -> String {
        var value = value
        return value.withUTF8(escaped) ?? value
    }

    /// Worked on UTF-8 bytes: a Swift string holds no surrogates, so what XML 1.0 forbids is C0 controls
    /// other than tab, line feed and carriage return, and U+FFFE/U+FFFF (EF BF BE, EF BF BF). The bytes
    /// between two that need work are copied as one run, found through a table. `nil` when no byte needs
    /// work.
    private static func escaped(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        specialBytes.withUnsafeBufferPointer { special in
            var index = 0
            while index < bytes.count, !special[Int(bytes[index])] { index += 1 }
            guard index < bytes.count else { return nil }
            var escaped: [UInt8] = []
            escaped.reserveCapacity(bytes.count + bytes.count / 8 + 16)
            escaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x26: escaped.append(contentsOf: "&amp;".utf8)
                case 0x3C: escaped.append(contentsOf: "&lt;".utf8)
                case 0x3E: escaped.append(contentsOf: "&gt;".utf8)
                case 0x22: escaped.append(contentsOf: "&quot;".utf8)
                case 0x0D: escaped.append(contentsOf: "&#13;".utf8)
                case 0x09, 0x0A: escaped.append(byte)
                case ..<0x20: break  // not allowed in XML 1.0
                case 0xEF:
                    if index + 1 < bytes.count, bytes[index] == 0xBF, bytes[index + 1] >= 0xBE {
                        index += 2  // U+FFFE or U+FFFF: dropped
                    } else {
                        escaped.append(byte)
                    }
                default:
                    // The run of bytes up to the next one that needs work.
                    let start = index - 1
                    while index < bytes.count, !special[Int(bytes[index])] { index += 1 }
                    escaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                }
            }
            // Cut only at ASCII bytes and at whole U+FFFE/U+FFFF, the bytes are as valid UTF-8 as the string's.
            return String(unsafeUninitializedCapacity: escaped.count) { target in
                _ = target.initialize(fromContentsOf: escaped)
                return escaped.count
            }
        }
    }

    /// The bytes `escaped` rewrites or drops, by value.
    private static let specialBytes: [Bool] = (0..<256).map { byte in
        byte < 0x20 || byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0xEF
    }
}
