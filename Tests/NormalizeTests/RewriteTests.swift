import Feed
import Foundation
import Normalize
import Testing

/// `rewrite:` steps, in the order written (before, a field could not be changed at all).
@Suite("Rewriting fields")
struct RewriteTests {
    static let entry = Entry(
        id: "urn:x", title: "Breaking: Harbour pier reopens", link: "https://news.example.org/a/1?ref=rss",
        author: "Ann Lee", published: Date(timeIntervalSince1970: 1_762_160_400), updated: Date(),
        summary: "The pier reopens. [more]", categories: ["harbour", "Sponsored"])

    @Test func stepsRunInOrderOnTheFieldsTheyName() throws {
        let steps = [
            Rewrite(field: .title, action: .trimPrefix("Breaking: ")),
            Rewrite(
                field: .title,
                action: .replace(try NSRegularExpression(pattern: "^(Harbour) (\\w+)"), with: "$2 at the $1")),
            Rewrite(field: .title, action: .template("{title} ({author}, {published})")),
            Rewrite(field: .summary, action: .trimSuffix(" [more]")),
            Rewrite(field: .categories, action: .replace(try NSRegularExpression(pattern: "^Sponsored$"), with: "")),
        ]
        let entry = Rewrite.apply(steps, to: Self.entry)
        #expect(entry.title == "pier at the Harbour reopens (Ann Lee, 2025-11-03)")
        #expect(entry.summary == "The pier reopens.")
        #expect(entry.categories == ["harbour"])
        // A link step is for the item, before its page is fetched: the entry's link is left alone.
        #expect(entry.link == Self.entry.link)
    }

    @Test func aLinkStepChangesTheItemBeforeItsPageIsFetched() throws {
        let step = Rewrite(
            field: .link, action: .replace(try NSRegularExpression(pattern: "^https://m\\."), with: "https://www."))
        let item = Rewrite.apply([step], to: Item(link: "https://m.example.org/story/1", title: "A story"))
        #expect(item.link == "https://www.example.org/story/1")
        let print = Rewrite(field: .link, action: .template("https://{host}/print?url={link}"))
        #expect(
            Rewrite.apply([print], to: Item(link: "https://example.org/s")).link
                == "https://example.org/print?url=https://example.org/s")
    }

    /// One pattern that backtracks exponentially could hang every run: it is refused when the pipeline is read.
    @Test(arguments: ["(a+)+$", "(.*)*x", "((ab)*c)+", "(x+x+)+y", "(\\w+\\s?)*$"])
    func patternsThatBacktrackExponentiallyAreRefused(pattern: String) {
        #expect(Rewrite.refusal(of: pattern) != nil)
    }

    @Test(arguments: ["^Breaking: (.*)$", "(a+)?b", "\\(\\d+\\)+", "[(a+)]+", "(\\d{4})-(\\d{2})", "(?:foo|bar)+"])
    func ordinaryPatternsAreAllowed(pattern: String) {
        #expect(Rewrite.refusal(of: pattern) == nil)
    }
}
