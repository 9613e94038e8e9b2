import Markup
import Testing

@testable import Extract

/// The byte-level helpers that replaced string operations in the hot paths must give what the plain
/// definitions give.
@Suite("Text measures")
struct TextMeasureTests {
    /// The definition `TextStats.measure` implements, one scalar at a time.
    static func reference(_ text: String) -> TextStats {
        var stats = TextStats()
        var inSpace = true
        for scalar in text.unicodeScalars {
            let isSpace = scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r"
            if !isSpace || !inSpace { stats.length += (0x3000...0xDFFF).contains(scalar.value) ? 3 : 1 }
            inSpace = isSpace
            if scalar == "," || scalar == "，" || scalar == "、" { stats.commas += 1 }
            if scalar == "，" { stats.length += 2 }
        }
        return stats
    }

    @Test(arguments: [
        "", "a", "abcdefgh", "abcdefghi", "Longer words, with commas, across eight-byte blocks.",
        "  spaces   between\twords\nand\r\nlines  ", "commas,,,,,,,,,,,,in a row", "control\u{1}bytes\u{7F}here",
        "Überprüfung der Größenverhältnisse", "中文文本，包括标点、和逗号。", "日本語のテキストです", "한국어 텍스트입니다",
        "Mixed ASCII then 中文 then ASCII again, with a comma", String(repeating: "x", count: 67),
    ])
    func measuresLikeTheDefinition(text: String) {
        let measured = Array(text.utf8).withUnsafeBufferPointer(TextStats.measure)
        let expected = Self.reference(text)
        #expect(measured.length == expected.length)
        #expect(measured.commas == expected.commas)
    }

    @Test(arguments: [
        ("plain", "plain"), ("  two  spaces  ", "two spaces"), ("line one  \n\n  line   two\n", "line one\nline two"),
        ("a\u{A0}\u{A0}b", "a b"), ("\n\n", ""), ("ünï  cödé\nzweite   Zeile", "ünï cödé\nzweite Zeile"),
    ])
    func collapsesLines(text: String, expected: String) {
        #expect(TextBytes.collapseLines(text) == expected)
    }

    @Test func findsFragmentsInAnyCase() {
        let set = FragmentSet(["share", "comment", "ad-slot"])
        #expect(set.occurs(in: "articleShareBar"))
        #expect(set.occurs(in: "post COMMENTS"))
        #expect(set.occurs(in: "x ad-slot"))
        #expect(!set.occurs(in: "shar"))
        #expect(!set.occurs(in: "ad-slo"))
        #expect(!set.occurs(in: ""))
        // A word of one letter matches anywhere, the last byte too; the offset is the first match's.
        let letters = FragmentSet(["x", "sh"])
        #expect(letters.firstOffset(in: "abX") == 2)
        #expect(letters.firstOffset(in: "a sHx") == 2)
        #expect(letters.firstOffset(in: "s") == nil)
    }

    @Test func classWordsOfPageBuildersAreNeutral() {
        #expect(!Boilerplate.isNegative("elementor-widget-wrap elementor-element-populated"))
        #expect(Boilerplate.isNegative("elementor-widget elementor-widget-share-buttons"))
        #expect(Boilerplate.isNegative("sidebar-widget"))
        #expect(Boilerplate.isNegative("top ad"))
        #expect(!Boilerplate.isNegative("header-style-2 reading"))
    }
}

/// Extraction never changes a character of the text it keeps: no Unicode normalisation (composing or
/// decomposing), no case or width folding, in the text, the HTML, the Markdown and the title alike.
@Suite("Characters kept as written")
struct CharactersKeptTests {
    /// Sequences that normalisation would rewrite: Bengali and Devanagari letters with a nukta (whose
    /// precomposed forms are composition exclusions), a decomposed accent, Hangul jamo, a ligature, full-width
    /// letters and a precomposed accent.
    static let words = [
        "য\u{09BC}", "ড\u{09BC}", "ঢ\u{09BC}", "क\u{093C}", "e\u{0301}", "\u{1100}\u{1161}", "\u{FB01}", "ＡＢＣ", "é",
    ]

    @Test func everyScalarSurvivesInEveryForm() throws {
        let line = Self.words.joined(separator: " ")
        let paragraphs = (1...4).map {
            "<p>Paragraph \($0) of a page written with care, holding the words \(line) among others.</p>"
        }
        let html =
            "<html><head><title>\(line)</title></head><body><article><h1>\(line)</h1>"
            + paragraphs.joined() + "</article></body></html>"
        let article = Extractor().extract(try Document(html: html))
        let markdown = Extractor.render(article, as: .markdown)
        for (name, output) in [
            ("text", article.text), ("html", article.html), ("markdown", markdown), ("title", article.title ?? ""),
        ] {
            let scalars = Array(output.unicodeScalars)
            for word in Self.words {
                let wanted = Array(word.unicodeScalars)
                let found = scalars.indices.contains { start in
                    start + wanted.count <= scalars.count && Array(scalars[start..<start + wanted.count]) == wanted
                }
                #expect(found, "\(name) lost \(wanted.map { String($0.value, radix: 16) })")
            }
            #expect(!output.unicodeScalars.contains { (0x09DC...0x09DF).contains($0.value) || $0.value == 0x0958 })
        }
    }
}
