import Feed
import Fetch
import Foundation
import Logging
import Markup
import Sources
import State
import TestSupport
import Testing

@testable import Pipeline

/// JSON sources: an API's answer read with paths, JSON inside pages, and the public shapes read with no
/// paths at all (the WordPress REST API, JSON-LD, Next.js pages). Before, a JSON array was "not
/// well-formed XML" and any other object "not a JSON Feed".
@Suite("JSON sources")
struct JSONSourceTests {
    /// Serves `pages` (path → content type and text) and runs `yaml` (given the server's address) with
    /// `article: none`; returns the report and the entries.
    static func run(_ pages: [String: (String, String)], _ yaml: (String) -> String) async throws -> (
        RunReport, [Entry]
    ) {
        let server = try LoopbackServer { request in
            guard let (type, text) = pages[request.path] else { return .init(status: 404) }
            return .init(status: 200, headers: ["Content-Type": type], body: Array(text.utf8))
        }
        let work = try Repository.temporaryFolder()
        let config = try PipelineConfig.parse(
            yaml(server.baseURL) + "\narticle: none\noutput: \(work.path)/j.atom\nformats: [atom, rss, json]\n",
            file: work.appendingPathComponent("j.yml").path)
        let state = MemoryStore()
        let report = try await Runner(client: HTTPClient(), logger: Logger(label: "test")).run(config, state: state)
        Repository.keepFeed(URL(fileURLWithPath: config.output), as: "json-\(abs(yaml("").hashValue)).atom")
        return (report, state.entries(feed: config.id))
    }

    static let wordPress = """
        [{"id": 41, "date": "2026-11-03T10:00:00", "date_gmt": "2026-11-03T09:00:00",
          "modified_gmt": "2026-11-04T08:00:00", "guid": {"rendered": "https://blog.example.org/?p=41"},
          "link": "https://blog.example.org/2026/11/harbour-pier/", "title": {"rendered": "Harbour pier &#8211; reopened"},
          "content": {"rendered": "<p>The pier reopened on Monday.</p>"},
          "excerpt": {"rendered": "<p>The pier reopened.</p>"}, "author": 2, "categories": [5],
          "_embedded": {"author": [{"name": "Ann Lee"}],
            "wp:term": [[{"taxonomy": "category", "name": "Harbour"}], [{"taxonomy": "post_tag", "name": "pier"}]],
            "wp:featuredmedia": [{"source_url": "https://blog.example.org/wp-content/uploads/pier.jpg"}]}},
         {"id": 40, "date_gmt": "2026-11-01T09:00:00", "link": "https://blog.example.org/2026/11/tides/",
          "title": {"rendered": "Tides"}, "content": {"rendered": "<p>Tide tables.</p>"},
          "excerpt": {"rendered": ""}}]
        """

    @Test func theWordPressRESTAPIIsReadWithoutConfiguration() async throws {
        let (report, entries) = try await Self.run(["/wp-json/wp/v2/posts?_embed": ("application/json", Self.wordPress)]
        ) {
            "title: Blog\nsource: {url: \"\($0)/wp-json/wp/v2/posts?_embed\"}"
        }
        #expect(report.failures.isEmpty, "\(report.failures)")
        let pier = try #require(entries.first { $0.link == "https://blog.example.org/2026/11/harbour-pier/" })
        #expect(pier.title == "Harbour pier – reopened" && pier.author == "Ann Lee")
        #expect(pier.published.map(Timestamp.rfc3339) == "2026-11-03T09:00:00Z")
        #expect(Timestamp.rfc3339(pier.updated) == "2026-11-04T08:00:00Z")
        #expect(pier.summary == "The pier reopened." && pier.content == "<p>The pier reopened on Monday.</p>")
        #expect(pier.categories == ["Harbour"] && pier.image == "https://blog.example.org/wp-content/uploads/pier.jpg")
        #expect(entries.count == 2)
    }

    @Test func anAPIObjectIsReadWithPathsTemplatesAndEpochDates() async throws {
        let api = """
            {"data": {"total": 2, "posts": [
              {"slug": "first-light", "headline": "First light", "published": 1762160400000,
               "writer": {"name": "Bea"}, "tags": [{"name": "Sky"}, {"name": "Night"}], "body": "<p>Dawn.</p>",
               "media": {"audio": "/audio/1.mp3"}},
              {"slug": "no-date", "headline": "Undated", "published": "soon", "body": "<p>Later.</p>"}]}}
            """
        let (report, entries) = try await Self.run(["/api/posts": ("application/json", api)]) { base in
            """
            title: API
            source:
              type: json
              url: \(base)/api/posts
              items: data.posts
              link: "https://news.example.org/posts/{slug}"
              title: headline
              date: published
              author: writer.name
              categories: tags[].name
              content: body
              enclosure: media.audio
            """
        }
        let first = try #require(entries.first { $0.title == "First light" })
        #expect(first.link == "https://news.example.org/posts/first-light")
        #expect(first.published.map(Timestamp.rfc3339) == "2025-11-03T09:00:00Z")
        #expect(first.author == "Bea" && first.categories == ["Sky", "Night"] && first.content == "<p>Dawn.</p>")
        #expect(first.enclosures.first?.url.hasSuffix("/audio/1.mp3") == true)
        // A date that is there but cannot be read is a warning naming its text, not a silent drop.
        #expect(report.warnings.contains { $0.contains("could not be read, the first 'soon'") }, "\(report.warnings)")
        #expect(entries.count == 2)
    }

    @Test func aJSONAnswerThatIsNoJSONFeedSaysHowToReadIt() async throws {
        let (report, _) = try await Self.run(["/api": ("application/json", "{\"results\": [{\"id\": 1}]}")]) {
            "title: API\nsource: {url: \"\($0)/api\"}"
        }
        #expect(report.failures.first?.description.contains("JSON that is not a JSON Feed") == true)
        let (array, _) = try await Self.run(["/api": ("application/json", "[{\"id\": 1}]")]) {
            "title: API\nsource: {url: \"\($0)/api\"}"
        }
        #expect(array.failures.first?.description.contains("'type: json'") == true, "\(array.failures)")
    }

    @Test func nextDataJSONLDListsAndAssignedStateAreReadFromPages() async throws {
        let next = """
            <html><head><title>Blog</title></head><body><div id="__next"></div>
            <script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": {"posts": [
              {"title": "Built with Next", "url": "/posts/next", "date": "2026-10-30"}]}}}</script></body></html>
            """
        let ld = """
            <html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": "ItemList",
              "itemListElement": [
                {"@type": "ListItem", "position": 1, "item": {"@type": "BlogPosting", "headline": "Listed one",
                  "url": "https://shop.example.org/blog/one", "datePublished": "2026-10-01T08:00:00Z",
                  "author": {"@type": "Person", "name": "Cy"}, "keywords": "tea, cups"}},
                {"@type": "ListItem", "position": 2, "url": "https://shop.example.org/blog/two", "name": "Listed two"}]}
            </script></head><body><p>Blog</p></body></html>
            """
        let state = """
            <html><body><script>window.__STATE__ = {"feed": {"entries": [{"t": "From state", "u": "/s/1",
              "when": "03/11/2026 14:30"}]}};</script></body></html>
            """
        let (nextReport, nextEntries) = try await Self.run(["/next": ("text/html", next)]) { base in
            "title: N\nsource:\n  type: json\n  url: \(base)/next\n  items: props.pageProps.posts\n  link: url\n  title: title\n  date: date"
        }
        #expect(nextReport.failures.isEmpty, "\(nextReport.failures)")
        #expect(nextEntries.map(\.title) == ["Built with Next"])
        #expect(nextEntries.first?.link?.hasSuffix("/posts/next") == true)

        let (_, listed) = try await Self.run(["/ld": ("text/html", ld)]) {
            "title: L\nsource: {type: json, url: \"\($0)/ld\"}"
        }
        #expect(Set(listed.map(\.title)) == ["Listed one", "Listed two"])
        let one = try #require(listed.first { $0.title == "Listed one" })
        #expect(
            one.author == "Cy" && one.categories == ["tea", "cups"] && one.link == "https://shop.example.org/blog/one")

        let (_, assigned) = try await Self.run(["/state": ("text/html", state)]) { base in
            """
            title: S
            source:
              type: json
              url: \(base)/state
              script: script
              items: feed.entries
              title: t
              link: u
              date: when
              date_format: d/m/Y H:i
              timezone: Europe/Berlin
            """
        }
        // 14:30 in Berlin in November is 13:30 UTC.
        #expect(assigned.first?.title == "From state")
        #expect(assigned.first?.published.map(Timestamp.rfc3339) == "2026-11-03T13:30:00Z")
    }

    @Test func datesAsSitesWriteThem() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21T14:13:20Z
        let english = DateReading(now: now)
        // Rounded down to their unit, so that an hour later "3 hours ago" is the same date as "2 hours ago".
        #expect(english.read("2 hours ago").map(Timestamp.rfc3339) == "2026-09-21T12:00:00Z")
        #expect(
            DateReading(now: now.addingTimeInterval(3600)).read("3 hours ago") == english.read("2 hours ago"))
        #expect(english.read("an hour ago").map(Timestamp.rfc3339) == "2026-09-21T13:00:00Z")
        #expect(english.read("5 minutes ago").map(Timestamp.rfc3339) == "2026-09-21T14:08:00Z")
        #expect(english.read("yesterday").map(Timestamp.rfc3339) == "2026-09-20T00:00:00Z")
        #expect(english.read("1762160400") == Date(timeIntervalSince1970: 1_762_160_400))
        #expect(english.read(NSNumber(value: 1_762_160_400_000)) == Date(timeIntervalSince1970: 1_762_160_400))
        let pattern = DateReading(
            format: "MMMM d, yyyy 'at' h:mm a", timeZone: TimeZone(identifier: "America/New_York"))
        #expect(pattern.read("November 3, 2026 at 9:05 AM").map(Timestamp.rfc3339) == "2026-11-03T14:05:00Z")
        let german = DateReading(format: "d. MMMM yyyy", language: "de")
        #expect(german.read("3. März 2026").map(Timestamp.rfc3339) == "2026-03-03T00:00:00Z")
        // Without a format, a date with no zone is in the pipeline's zone.
        let berlin = DateReading(timeZone: TimeZone(identifier: "Europe/Berlin"))
        #expect(berlin.read("2026-07-01 12:00").map(Timestamp.rfc3339) == "2026-07-01T10:00:00Z")
        #expect(berlin.read("2026-07-01T12:00:00Z").map(Timestamp.rfc3339) == "2026-07-01T12:00:00Z")
        #expect(DateReading.pattern("d/m/Y H:i") == "dd/MM/yyyy HH:mm")
        #expect(english.read("soon") == nil)
    }
}
