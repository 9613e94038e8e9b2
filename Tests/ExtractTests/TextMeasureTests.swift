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
