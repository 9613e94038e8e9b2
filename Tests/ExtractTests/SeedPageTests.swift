import Foundation
import Markup
import TestSupport
import Testing

@testable import Extract

/// The page that started the project: an aggregator's copy of a news article with a sign-up notice,
/// related-story lines, a "Source: Read Full Article" link, share bar, comments and cookie banner.
@Suite("Seed page")
struct SeedPageTests {
    static let page = Repository.exampleSite.appendingPathComponent("articles/belarus-officers-letter.html")

    static func extract() throws -> Article {
        let html = try String(contentsOf: page, encoding: .utf8)
        return Extractor().extract(try Document(html: html, url: page.absoluteString))
    }

    @Test func keepsEveryArticleParagraph() throws {
        let fixture = try #require(
            Bundle.module.url(
                forResource: "seed-article-paragraphs", withExtension: "txt",
                subdirectory: "Fixtures"))
        let expected = try String(contentsOf: fixture, encoding: .utf8)
            .components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        let paragraphs = Set(try Self.extract().text.components(separatedBy: "\n\n"))
        #expect(expected.count == 22)
        for paragraph in expected {
            #expect(paragraphs.contains(paragraph), "missing: \(paragraph)")
        }
    }

    @Test(arguments: [
        "We use your sign-up", "unsubscribe at any time", "Read Full Article", "Source:", "[REVEAL]", "[INSIGHT]",
        "[NEWS]", "Belarus posed for ‘covert’ military campaign", "Share this article", "WhatsApp", "cookies",
        "Advertisement", "Leave a Reply", "3 comments", "This letter changes everything", "Related stories",
        "Most read", "morning briefing", "Tagged", "Staff Reporter",
    ])
    func dropsBoilerplate(fragment: String) throws {
        let article = try Self.extract()
        #expect(!article.text.contains(fragment))
        #expect(!article.html.contains(fragment))
    }

    @Test func readsMetadata() throws {
        let article = try Self.extract()
        #expect(
            article.title == "Belarus army accuses Putin of destroying our sovereignty – Lukashenko faces MAJOR revolt")
        #expect(article.author == "Staff Reporter")
        #expect(article.published.map(Timestamp.rfc3339) == "2022-04-14T08:30:00Z")
        #expect(article.language == "en-GB")
        // The saved page names its address on the web: its picture is there, not in this machine's files.
        #expect(article.image == "https://ledger.example.org/world/2022/images/lukashenko.jpg")
    }

    @Test func bodyHTMLIsSafeAndCompact() throws {
        let html = try Self.extract().html
        for forbidden in ["<script", "<style", "<form", "<button", "class=", "style=", "data-src", "<noscript", "<ins"]
        {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        #expect(html.hasPrefix("<p>"))
    }
}
