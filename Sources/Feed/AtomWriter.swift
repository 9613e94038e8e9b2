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

    /// The document `document(_:entries:)` writes, made from the one it wrote before: the entries in
    /// `changed` are written anew, every other entry of `outline` (the feed's ids and update dates, in order)
    /// is a stretch of the previous document, where `kept` (`EntryScanner`) found it. `nil` when `kept`
    /// lacks one of them; the feed is then written whole. A feed of a thousand entries with one new is
    /// mostly copied, not escaped again; neighbouring stretches are one piece. The previous document must
    /// be one this writer wrote, as it wrote it (the runner knows its file by the size and time recorded
    /// when it was written).
    package static func document(
        _ meta: FeedMeta, outline: [(id: String, updated: Date)], changed: [String: Entry], kept: [String: Range<Int>]
    ) -> [SplicePiece]? {
        var pieces = [SplicePiece.bytes(Array(head(meta, updated: outline.map(\.updated).max()).text.utf8))]
        for (id, _) in outline {
            if let entry = changed[id] {
                var xml = XMLBuilder(depth: 1)
                write(entry, to: &xml)
                pieces.append(.bytes(Array(xml.text.utf8)))
            } else if let range = kept[id] {
                if case .copy(let before) = pieces.last, before.upperBound == range.lowerBound {
                    pieces[pieces.count - 1] = .copy(before.lowerBound..<range.upperBound)
                } else {
                    pieces.append(.copy(range))
                }
            } else {
                return nil
            }
        }
        pieces.append(.bytes(Array("</feed>\n".utf8)))
        return pieces
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
