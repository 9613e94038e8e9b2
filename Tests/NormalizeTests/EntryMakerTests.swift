import Extract
import Feed
import Foundation
import Normalize
import Testing

@Suite("Entry summaries")
struct SummaryTests {
    @Test func whiteSpaceCollapsesAndALongTextIsCutAtAWord() {
        #expect(Summary.of("  One\n\ntwo\tthree  ", limit: 400) == "One two three")
        #expect(Summary.of(" \n\t ", limit: 400) == nil)
        #expect(Summary.of("alpha beta gamma", limit: 16) == "alpha beta gamma")
        #expect(Summary.of("alpha beta gamma delta", limit: 13) == "alpha beta…")
        #expect(Summary.of("alpha beta gamma delta", limit: 16) == "alpha beta gamma…")
        #expect(Summary.of("alpha beta gamma delta", limit: 17) == "alpha beta gamma…")
        #expect(Summary.of("Supercalifragilistic", limit: 5) == "Super…")
    }
}

@Suite("Article to entry")
struct EntryMakerTests {
    static let seenAt = Date(timeIntervalSince1970: 1_700_000_000)
    static func never(_ id: String) -> Date? { nil }

    @Test func theCanonicalAddressOnTheSameSiteNamesTheEntryAndOneElsewhereDoesNot() {
        let link = Link(url: "https://news.example/story?ref=home", title: "From the list")
        let same = EntryMaker.entry(
            for: Article(url: "https://news.example/story", html: "<p>x</p>", text: "x"), link: link,
            seenAt: Self.seenAt,
            firstSeen: Self.never)
        #expect(same.link == "https://news.example/story")
        #expect(same.id == StableID.uuid(for: "https://news.example/story"))
        let foreign = EntryMaker.entry(
            for: Article(url: "https://aggregator.example/copy", text: "x"), link: link, seenAt: Self.seenAt,
            firstSeen: Self.never)
        #expect(foreign.link == link.url)
        // A saved page's canonical address is its real one.
        let saved = EntryMaker.entry(
            for: Article(url: "https://news.example/story", text: "x"), link: Link(url: "file:///saved/story.html"),
            seenAt: Self.seenAt, firstSeen: Self.never)
        #expect(saved.link == "https://news.example/story")
    }

    @Test func datesComeFromThePageThenTheSourceThenTheAddressThenFirstSight() {
        let published = Date(timeIntervalSince1970: 1_600_000_000)
        let modified = Date(timeIntervalSince1970: 1_650_000_000)
        let fromSource = Date(timeIntervalSince1970: 1_500_000_000)
        let firstSeen = Date(timeIntervalSince1970: 1_690_000_000)
        let link = Link(url: "https://news.example/a", date: fromSource)
        let page = EntryMaker.entry(
            for: Article(published: published, modified: modified, text: "x"), link: link, seenAt: Self.seenAt,
            firstSeen: Self.never)
        #expect(page.published == published && page.updated == modified)
        let source = EntryMaker.entry(for: Article(text: "x"), link: link, seenAt: Self.seenAt, firstSeen: Self.never)
        #expect(source.published == fromSource && source.updated == fromSource)
        // Nothing dated: no published date, and updated is when the entry was first seen, stable across runs.
        let undated = EntryMaker.entry(
            for: Article(text: "x"), link: Link(url: "https://news.example/b"), seenAt: Self.seenAt,
            firstSeen: { _ in firstSeen })
        #expect(undated.published == nil && undated.updated == firstSeen)
        let new = EntryMaker.entry(
            for: Article(text: "x"), link: Link(url: "https://news.example/b"), seenAt: Self.seenAt,
            firstSeen: Self.never)
        #expect(new.updated == Self.seenAt)
    }

    @Test func theTitleAndSummaryFallBackToWhatTheSourceKnew() {
        var link = Link(url: "https://news.example/c", title: "Listed title", summary: "Listed summary")
        link.author = "Desk"
        let entry = EntryMaker.entry(for: Article(), link: link, seenAt: Self.seenAt, firstSeen: Self.never)
        #expect(entry.title == "Listed title" && entry.summary == "Listed summary" && entry.author == "Desk")
        let untitled = EntryMaker.entry(
            for: Article(text: "Body text"), link: Link(url: "https://news.example/d"), seenAt: Self.seenAt,
            firstSeen: Self.never)
        #expect(untitled.title == "https://news.example/d" && untitled.summary == "Body text")
    }

    @Test func aFeedItemsOwnBodyStandsInOnlyForAPageWithFarLessText() {
        var link = Link(url: "https://news.example/e")
        link.content =
            "<p>" + String(repeating: "A full sentence of the story as the feed gives it. ", count: 20) + "</p>"
        let own = EntryMaker.feedArticle(link, rules: ExtractionRules())
        #expect(own?.text.contains("A full sentence") == true)
        let short = Article(title: "Page title", html: "<p>Teaser</p>", text: "Teaser")
        #expect(EntryMaker.feedArticle(link, rules: ExtractionRules(), unlessAsLongAs: short)?.title == "Page title")
        let long = Article(html: "", text: String(repeating: "word ", count: 400))
        #expect(EntryMaker.feedArticle(link, rules: ExtractionRules(), unlessAsLongAs: long) == nil)
    }
}
