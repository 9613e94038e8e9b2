import Testing

@testable import Scoring

@Suite("Benchmark scoring")
struct ScoringTests {
    /// The sanity example of the benchmark's FORMAT.md, with 3-token shingles.
    @Test func matchesTheFormatSanityExample() {
        let page = Scoring.page(id: "x", truth: "a b c d", prediction: "a b c", shingleSize: 3)
        #expect(page.precision == 1.0)
        #expect(page.recall == 0.5)
    }

    @Test func tokenizesLikePythonsWordPattern() {
        #expect(
            Scoring.tokens("Hello, world! it's 2019_x — 東京 café ½") == [
                "Hello", "world", "it", "s", "2019_x", "東京", "café", "½",
            ])
        // Combining marks are not word characters for Python's \w: "é" written as e + U+0301 splits.
        #expect(Scoring.tokens("cafe\u{301} au") == ["cafe", "au"])
    }

    @Test func handComputedPages() {
        // Identical texts.
        #expect(
            Scoring.page(id: "a", truth: "one two three four five", prediction: "one two three four five")
                == .init(id: "a", precision: 1, recall: 1, countsForPrecision: true, countsForRecall: true, exact: true)
        )
        // Truth has shingles {1234, 2345}; prediction adds one word: {1234, 2345, 3456}. TP 2, FP 1 → P 2/3, R 1.
        let extra = Scoring.page(id: "b", truth: "1 2 3 4 5", prediction: "1 2 3 4 5 6")
        #expect(abs(extra.precision - 2.0 / 3.0) < 1e-12)
        #expect(extra.recall == 1)
        // An empty prediction: precision skipped, recall 0.
        let empty = Scoring.page(id: "c", truth: "a b c d e", prediction: "")
        #expect(!empty.countsForPrecision)
        #expect(empty.recall == 0)
        // Case matters.
        #expect(Scoring.page(id: "d", truth: "The cat sat down", prediction: "the cat sat down").precision == 0)
        // Repeated shingles count as a multiset: truth "a b c d a b c d" has abcd twice.
        let repeated = Scoring.page(id: "e", truth: "a b c d a b c d", prediction: "a b c d")
        #expect(abs(repeated.recall - 1.0 / 5.0) < 1e-12)
        #expect(repeated.precision == 1)
    }

    @Test func summaryMacroAveragesAndSkipsEmptyPredictionsForPrecision() {
        let pages = [
            Scoring.page(id: "1", truth: "a b c d e", prediction: "a b c d e"),
            Scoring.page(id: "2", truth: "a b c d e", prediction: ""),
        ]
        let summary = Scoring.summary(pages)
        #expect(summary.precision == 1)
        #expect(summary.recall == 0.5)
        #expect(abs(summary.f1 - 2.0 / 3.0) < 1e-12)
        #expect(summary.accuracy == 0.5)
    }
}

@Suite("Benchmark metadata scoring")
struct MetadataScoringTests {
    @Test func snippetsAreFoundCaseAndSpaceInsensitively() {
        let result = Metadata.found(
            ["Sign  up for our Newsletter", "Cookie policy", "absent"],
            in: "… sign up for our\nnewsletter. COOKIE POLICY")
        #expect(result.found == 2 && result.total == 3)
    }

    @Test func titlesAndAuthorsCompareOnceNormalized() {
        #expect(Metadata.sameTitle("It’s “done” — finally", "it's \"done\" - finally"))
        #expect(!Metadata.sameTitle("Story | Site", "Story"))
        #expect(Metadata.sameAuthor("Andrew King", "By Andrew King"))
        #expect(Metadata.sameAuthor("Ann Lee, Bo Chen", "Ann Lee and Bo Chen"))
        #expect(!Metadata.sameAuthor("Ann Lee", "Staff"))
        #expect(!Metadata.sameAuthor("Ann Lee", nil))
    }

    @Test func aDayMatchesInTheTimeZonesItCouldBeIn() {
        #expect(Metadata.sameDay("2025-09-04", "2025-09-04T20:00:00Z"))
        #expect(Metadata.sameDay("2025-09-04", "2025-09-05T03:00:00Z"))  // 20:00 in California
        #expect(Metadata.sameDay("2025-09-04", "2025-09-03T14:00:00Z"))  // 03:00 in Auckland
        #expect(!Metadata.sameDay("2025-09-04", "2025-09-06T03:00:00Z"))
        #expect(Metadata.sameDay("2025-09-04", "2025-09-04"))
        #expect(!Metadata.sameDay("2025-09-04", nil))
    }
}
