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

    /// The example feed's HTML view showed "…to use nuclear arsenal Last Sunday, the Belarus…" and
    /// "Saturday 9 April 2022 Otters have been…": a subheading and a date line glued to the sentence after.
    @Test func aHeadingOrADateLineIsNotGluedToTheFirstSentence() {
        let belarus =
            "Lukashenko says Russia 'must be ready' to use nuclear arsenal\n\nLast Sunday, the Belarus President reaffirmed his support."
        #expect(
            Summary.sentences(of: belarus, limit: 400) == "Last Sunday, the Belarus President reaffirmed his support.")
        let otters =
            "Saturday 9 April 2022\n\nOtters have been recorded in every county. Volunteers looked for spraints."
        #expect(
            Summary.sentences(of: otters, limit: 400)
                == "Otters have been recorded in every county. Volunteers looked for spraints.")
        // A heading in the middle ends nothing: the sentences after it follow on.
        #expect(
            Summary.sentences(of: "One sentence.\n\nWhat happens next\n\nAnother one.", limit: 400)
                == "One sentence. Another one.")
        // Text with no sentence at all (a list of names) is summarised as it stands.
        #expect(Summary.sentences(of: "Alpha\n\nBeta", limit: 400) == "Alpha Beta")
    }
}

@Suite("Item and article to entry")
struct EntryMakerTests {
    static let seenAt = Date(timeIntervalSince1970: 1_700_000_000)
    static func entry(_ item: Item, _ article: Article?, firstSeen: Date? = nil) -> Entry? {
        EntryMaker.entry(
            item: item, article: article, rules: ExtractionRules(), id: EntryMaker.id(of: item, page: article),
            firstSeen: firstSeen ?? seenAt)?.entry
    }

    @Test func theCanonicalAddressOnTheSameSiteNamesTheEntryAndOneElsewhereDoesNot() throws {
        let item = Item(link: "https://news.example/story?ref=home", title: "From the list")
        let same = try #require(
            Self.entry(item, Article(url: "https://news.example/story", html: "<p>x</p>", text: "x")))
        #expect(same.link == "https://news.example/story")
        #expect(same.id == StableID.uuid(for: "https://news.example/story"))
        let foreign = try #require(Self.entry(item, Article(url: "https://aggregator.example/copy", text: "x")))
        #expect(foreign.link == item.link)
        // A saved page's canonical address is its real one.
        let saved = try #require(
            Self.entry(Item(link: "file:///saved/story.html"), Article(url: "https://news.example/story", text: "x")))
        #expect(saved.link == "https://news.example/story")
    }

    @Test func datesComeFromTheItemThenThePageThenTheAddressThenFirstSight() throws {
        let published = Date(timeIntervalSince1970: 1_600_000_000)
        let modified = Date(timeIntervalSince1970: 1_650_000_000)
        let fromSource = Date(timeIntervalSince1970: 1_500_000_000)
        let firstSeen = Date(timeIntervalSince1970: 1_690_000_000)
        let page = Article(published: published, modified: modified, text: "x")
        let dated = try #require(Self.entry(Item(link: "https://news.example/a", published: fromSource), page))
        #expect(dated.published == fromSource && dated.updated == modified)
        let undatedItem = try #require(Self.entry(Item(link: "https://news.example/a"), page))
        #expect(undatedItem.published == published && undatedItem.updated == modified)
        // A sitemap's `lastmod` is when the page changed: the entry's update, and its date when none else.
        let changed = try #require(
            Self.entry(Item(link: "https://news.example/a", updated: fromSource), Article(text: "x")))
        #expect(changed.published == fromSource && changed.updated == fromSource)
        // Nothing dated: no published date, and updated is when the entry was first seen, stable across runs.
        let undated = try #require(
            Self.entry(Item(link: "https://news.example/b"), Article(text: "x"), firstSeen: firstSeen))
        #expect(undated.published == nil && undated.updated == firstSeen)
        let new = try #require(Self.entry(Item(link: "https://news.example/b"), Article(text: "x")))
        #expect(new.updated == Self.seenAt)
    }

    /// A list page's `summary:` and title were ignored whenever the page existed.
    @Test func theItemsTitleAuthorsSummaryAndCategoriesWinOverThePages() throws {
        var item = Item(
            link: "https://news.example/c", title: "Listed title", authors: ["Desk", "Wire"], summary: "Listed summary")
        item.categories = ["Politics"]
        let page = Article(title: "Page title", author: "Someone", html: "<p>Body text.</p>", text: "Body text.")
        let entry = try #require(Self.entry(item, page))
        #expect(entry.title == "Listed title" && entry.summary == "Listed summary" && entry.author == "Desk, Wire")
        #expect(entry.categories == ["Politics"] && entry.content == "<p>Body text.</p>")
        let untitled = try #require(Self.entry(Item(link: "https://news.example/d"), Article(text: "Body text.")))
        #expect(untitled.title == "https://news.example/d" && untitled.summary == "Body text.")
    }

    @Test func anItemsOwnBodyStandsInOnlyForAPageWithFarLessText() throws {
        var item = Item(link: "https://news.example/e")
        item.content =
            "<p>" + String(repeating: "A full sentence of the story as the feed gives it. ", count: 20) + "</p>"
        let short = Article(title: "Page title", html: "<p>Teaser</p>", text: "Teaser")
        let teaser = try #require(Self.entry(item, short))
        #expect(teaser.title == "Page title" && teaser.content?.contains("A full sentence") == true)
        let long = Article(html: "<p>long</p>", text: String(repeating: "word ", count: 400))
        #expect(try #require(Self.entry(item, long)).content == "<p>long</p>")
    }

    /// Rows without a link were dropped; an item that is its own entry (`article: none`) is kept, made safe.
    @Test func anItemWithoutALinkIsAnEntryWithAnIdFromItsGuidOrItsContent() throws {
        var row = Item(link: nil, title: "Release 2.1")
        row.content = "<p onclick=\"x()\">Fixes the <script>alert(1)</script>parser.</p>"
        let entry = try #require(Self.entry(row, nil))
        #expect(entry.link == entry.id && entry.title == "Release 2.1")
        #expect(entry.content == "<p>Fixes the parser.</p>")
        #expect(entry.summary == "Fixes the parser.")
        #expect(entry.id == Self.entry(row, nil)?.id)
        var other = row
        other.content = "<p>Another text.</p>"
        #expect(Self.entry(other, nil)?.id != entry.id)
        var guided = row
        guided.guid = "release-2.1"
        let byGuid = try #require(Self.entry(guided, nil))
        guided.content = "<p>Edited text.</p>"
        #expect(Self.entry(guided, nil)?.id == byGuid.id)
        #expect(Self.entry(Item(link: nil), nil) == nil)
    }

    @Test func enclosuresAreTheItemsThenThePagesAudioAndVideo() throws {
        var item = Item(link: "https://pod.example/ep/1", title: "Episode 1")
        item.enclosures = [
            Enclosure(url: "https://cdn.example/ep1.mp3", type: "audio/mpeg", length: 1234, duration: 61)
        ]
        var page = Article(text: "Show notes.")
        page.media = [
            MediaFile(url: "https://cdn.example/ep1.mp3"),
            MediaFile(url: "https://cdn.example/ep1.mp4", type: "video/mp4"),
        ]
        let entry = try #require(Self.entry(item, page))
        #expect(
            entry.enclosures == [
                Enclosure(url: "https://cdn.example/ep1.mp3", type: "audio/mpeg", length: 1234, duration: 61),
                Enclosure(url: "https://cdn.example/ep1.mp4", type: "video/mp4"),
            ])
    }
}
