import Foundation
import Markup
import TestSupport
import Testing

@testable import Feed

@Suite("Atom writer")
struct AtomWriterTests {
    @Test func escapingLeavesOnlyWhatXMLAllows() {
        #expect(XMLBuilder.escape("plain text, café — 東京") == "plain text, café — 東京")
        #expect(XMLBuilder.escape("a&b<c>\"d\re\u{1}f\u{1F}\tg\nh") == "a&amp;b&lt;c&gt;&quot;d&#13;ef\tg\nh")
        // U+FFFE and U+FFFF are not XML characters; their neighbours in UTF-8 (U+FFFD, U+FFxx) are.
        #expect(XMLBuilder.escape("x\u{FFFE}y\u{FFFF}z\u{FFFD}\u{FF5E}ï") == "xyz\u{FFFD}\u{FF5E}ï")
    }

    static let meta = FeedMeta(
        id: StableID.uuid(for: "feedpipe:test"), title: "Tests & <Things>", link: "https://example.org/",
        selfLink: "https://example.org/feed.atom", author: "Desk", language: "en")

    static let entries = [
        Entry(
            id: StableID.uuid(for: "https://example.org/a"), title: "A \"quoted\" <title> & more",
            link: "https://example.org/a?x=1&y=2", author: "Ann",
            published: Date(timeIntervalSince1970: 1_650_000_000.75),
            updated: Date(timeIntervalSince1970: 1_650_000_100), summary: "Plain\u{0B} text",
            content: "<p>Body with <a href=\"https://example.org/?a=1&amp;b=2\">link</a></p>",
            image: "https://example.org/lead.png", language: "en-GB"),
        Entry(
            id: StableID.uuid(for: "https://example.org/b"), title: "B", link: "https://example.org/b",
            updated: Date(timeIntervalSince1970: 1_600_000_000)),
    ]

    @Test func writesWellFormedAtomWithEscapedContent() throws {
        let xml = AtomWriter.document(Self.meta, entries: Self.entries)
        let document = try Document(xml: Array(xml.utf8), url: "feed.atom")
        let root = try #require(document.root)
        #expect(root.name == "feed")
        #expect(root.namespace == AtomWriter.namespace)
        #expect(root.elementChildren.filter { $0.name == "entry" }.count == 2)
        let content = try #require(root.xpath("//*[local-name()='content']").first)
        #expect(content.attribute("type") == "html")
        #expect(content.text == Self.entries[0].content)
        #expect(root.xpath("//*[local-name()='entry'][1]/*[local-name()='title']").first?.text == Self.entries[0].title)
        #expect(!xml.contains("\u{0B}"))
    }

    @Test func aWrittenFeedReadsBackAsItsEntries() throws {
        let written = AtomWriter.document(Self.meta, entries: Self.entries)
        let read = try AtomReader.entries(in: Array(written.utf8), url: "feed.atom")
        // Dates are written to the second, and a summary loses what XML cannot carry.
        var expected = Self.entries
        expected[0].published = Date(timeIntervalSince1970: 1_650_000_000)
        expected[0].summary = "Plain text"
        #expect(read == expected)
    }

    @Test func datesAreUTCWithoutFractionsAndFeedUpdatedIsTheNewestEntry() {
        let xml = AtomWriter.document(Self.meta, entries: Self.entries)
        #expect(xml.contains("<published>2022-04-15T05:20:00Z</published>"))
        #expect(xml.contains("<updated>2022-04-15T05:21:40Z</updated>"))
        #expect(xml.components(separatedBy: "<updated>2022-04-15T05:21:40Z</updated>").count == 3)
    }

    @Test func outputDependsOnlyOnInput() {
        #expect(
            AtomWriter.document(Self.meta, entries: Self.entries)
                == AtomWriter.document(Self.meta, entries: Self.entries))
    }

    @Test func stableIDsAreVersion8UUIDs() {
        let id = StableID.uuid(for: "https://example.org/a")
        #expect(id == StableID.uuid(for: "https://example.org/a"))
        #expect(id != StableID.uuid(for: "https://example.org/b"))
        #expect(
            id.range(
                of: "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                options: .regularExpression) != nil)
    }

    @Test func feedValidatesForCI() throws {
        let folder = try Repository.temporaryFolder()
        let file = folder.appendingPathComponent("writer.atom")
        try AtomWriter.document(Self.meta, entries: Self.entries).write(to: file, atomically: true, encoding: .utf8)
        Repository.keepFeed(file, as: "atom-writer.atom")
        #expect(FileManager.default.fileExists(atPath: file.path))
    }
}

@Suite("A feed made from its previous file")
struct SplicedFeedTests {
    /// Entries with long one-line bodies, so that lines cross the chunks a feed file is read in.
    static let entries = (0..<6).map { number in
        Entry(
            id: StableID.uuid(for: "https://example.org/\(number)"), title: "Entry \(number)",
            link: "https://example.org/\(number)", updated: Date(timeIntervalSince1970: 1_600_000_000 + Double(number)),
            content: "<p>" + String(repeating: "Paragraph \(number) & more. ", count: 900 * number) + "</p>")
    }

    static func document(_ entries: [Entry]) -> [UInt8] {
        Array(AtomWriter.document(AtomWriterTests.meta, entries: entries).utf8)
    }

    @Test func entriesAreFoundWhateverTheChunksTheFileIsReadIn() {
        let document = Self.document(Self.entries)
        let whole = EntryScanner.entries(in: document)
        #expect(Set(whole.keys) == Set(Self.entries.map(\.id)))
        for range in whole.values {
            #expect(document[range].starts(with: Array("  <entry>\n".utf8)))
            #expect(document[..<range.upperBound].reversed().starts(with: Array("</entry>\n".utf8).reversed()))
        }
        for size in [1, 7, 4096, 20_000] {
            var scanner = EntryScanner()
            document.withUnsafeBufferPointer { bytes in
                for start in stride(from: 0, to: bytes.count, by: size) {
                    scanner.scan(UnsafeBufferPointer(rebasing: bytes[start..<min(start + size, bytes.count)]))
                }
            }
            #expect(scanner.found == whole, "chunks of \(size) bytes")
        }
    }

    @Test func aSplicedFeedIsTheFeedWrittenWhole() throws {
        let previous = Self.document(Array(Self.entries.dropFirst()))
        var changed = Self.entries[3]
        changed.title = "Entry 3, corrected"
        let now = [Self.entries[0]] + Self.entries[1...].map { $0.id == changed.id ? changed : $0 }
        let pieces = try #require(
            AtomWriter.document(
                AtomWriterTests.meta, outline: now.map { ($0.id, $0.updated) },
                changed: [now[0].id: now[0], changed.id: changed], kept: EntryScanner.entries(in: previous)))
        var made: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .bytes(let bytes): made += bytes
            case .copy(let range): made += previous[range]
            }
        }
        #expect(made == Self.document(now))
        // Entries 1 and 2 lie side by side in the previous file: one stretch.
        #expect(pieces.filter { if case .copy = $0 { true } else { false } }.count == 2)
        // An entry the previous file lacks has the feed written whole.
        #expect(
            AtomWriter.document(
                AtomWriterTests.meta, outline: now.map { ($0.id, $0.updated) }, changed: [:],
                kept: EntryScanner.entries(in: previous)) == nil)
    }
}
