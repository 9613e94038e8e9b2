import Foundation
import Sources
import Testing

@testable import Pipeline

@Suite("Pipeline files")
struct PipelineConfigTests {
    static let valid = """
        title: Example
        source:
          url: site/index.html
          links: ".story a"
        max_entries: 20
        extract:
          body: article .content
          remove: [".ad", "aside"]
          drop_text:
            - "^Sponsored"
        """

    @Test func aSourceWithoutTypeOrLinksIsAFeedAndFeedFormatsNameFeeds() throws {
        for yaml in [
            "title: x\nsource: {url: https://a.example/}\n", "title: x\nsource: {type: rss, url: https://a.example/}\n",
            "title: x\nsource: {type: Atom, url: https://a.example/}\n",
            "title: x\nsource: {type: jsonfeed, url: https://a.example/}\n",
        ] {
            let config = try PipelineConfig.parse(yaml, file: "p.yml")
            guard let feed = config.source as? FeedSource else {
                Issue.record("\(yaml) is not a feed source")
                continue
            }
            #expect(feed.url == "https://a.example/")
        }
        // `type: json` is JSON read with paths (a JSON Feed among the shapes it reads without any).
        #expect(
            try PipelineConfig.parse("title: x\nsource: {type: json, url: https://a.example/}\n", file: "p.yml").source
                is JSONSource)
        #expect(
            try PipelineConfig.parse(Self.valid, file: "p.yml").source is ListPageSource,
            "a source with links is a list page")
    }

    @Test(arguments: [
        (
            "title: \(String(repeating: "T", count: 10_000_000))\nsource: {url: a}\n",
            "p.yml:1:8: a value of 10000000 characters is too long (at most 512)"
        ),
        (
            "title: x\nauthor: \(String(repeating: "A", count: 600))\nsource: {url: a}\n",
            "p.yml:2:9: a value of 600 characters is too long (at most 512)"
        ),
        (
            "title: x\nsource: {url: \"https://a.example/\(String(repeating: "p", count: 5000))\"}\n",
            "p.yml:2:15: a value of 5018 characters is too long (at most 4096)"
        ),
        ("title: x\nsource: {url: a}\nfetch: {timeout: 90d}\n", "p.yml:3:18: 'timeout' must be at most 1h"),
        (
            "title: x\nsource: {url: a}\nfetch: {refresh_after: 1e12}\n",
            "p.yml:3:24: 'refresh_after' must be at most 3650d"
        ),
        (
            "title: x\nsource: {url: a, links: a}\nextract: {remove: [\(Array(repeating: "b", count: 1001).joined(separator: ","))]}\n",
            "p.yml:3:19: a list of 1001 values is too long (at most 1000)"
        ),
    ])
    func valuesHaveSaneLimitsNamedWithTheirPlace(yaml: String, message: String) {
        #expect(throws: PipelineError.self) { try PipelineConfig.parse(yaml, file: "p.yml") }
        do {
            _ = try PipelineConfig.parse(yaml, file: "p.yml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func readsAValidFile() throws {
        let config = try PipelineConfig.parse(Self.valid, file: "/srv/feeds/Pipelines/news.yml")
        #expect(config.name == "news")
        #expect(config.title == "Example")
        #expect(config.output == "Feeds/news.atom")
        #expect(config.maxEntries == 20)
        #expect(config.sourceURL == "file:///srv/feeds/Pipelines/site/index.html")
        #expect(config.rules.remove.count == 2)
        #expect(config.rules.dropText == ["^Sponsored"])
        #expect(config.id.hasPrefix("urn:uuid:"))
        #expect(config.id == (try PipelineConfig.parse(Self.valid, file: "elsewhere/news.yml")).id)
    }

    @Test(arguments: [
        ("title: x\nsourse:\n  url: a\n", "p.yml:2:1: unknown key 'sourse' in the pipeline; did you mean 'source'?"),
        (
            "title: x\nsource:\n  url: a\n  links: 'a['\n",
            "p.yml:4:10: invalid selector 'a[': expected an attribute name after '['"
        ),
        (
            "title: x\nsource:\n  url: a\n  links: a\nmax_entries: many\n",
            "p.yml:5:14: 'max_entries' must be a whole number from 1 to 10000"
        ),
        (
            "title: x\nsource:\n  url: a\n  links: a\nextract:\n  drop_text: ['(unclosed']\n",
            "p.yml:6:15: invalid regular expression '(unclosed'"
        ),
        ("title: [x\n", "p.yml:2:1: invalid YAML: did not find expected ',' or ']'"),
        ("source:\n  url: a\n  links: a\n", "p.yml:1:1: missing required key 'title'"),
        (
            "title: x\nsource:\n  type: rsss\n  url: a\n",
            "p.yml:3:9: unknown source type 'rsss'; use html, feed (or rss, atom, rdf), json (or api, wordpress), sitemap or folder"
        ),
        (
            "title: x\nsource:\n  type: feed\n  url: a\n  links: a\n",
            "p.yml:5:10: 'links' is for html sources; a feed source gives the items itself"
        ),
        ("title: x\nsource:\n  links: a\n", "p.yml:3:3: missing required key 'url'"),
        (
            "title: x\nid: not an iri\nsource:\n  url: a\n  links: a\n",
            "p.yml:2:5: 'id' must be an absolute IRI such as urn:uuid:… or https://…"
        ),
        (
            "title: x\nsource:\n  url: a\n  links: a\nfetch:\n  delay: soon\n",
            "p.yml:6:10: 'delay' must be a duration such as 30, 1.5s, 10m, 6h or 2d"
        ),
        (
            "title: x\nsource:\n  url: a\n  links: a\nfetch:\n  robot: false\n",
            "p.yml:6:3: unknown key 'robot' in 'fetch'; did you mean 'robots'?"
        ),
        (
            "title: x\nsource:\n  url: a\n  links: a\nfetch:\n  retries: 99\n",
            "p.yml:6:12: 'retries' must be a whole number from 0 to 10"
        ),
        (
            "title: x\nsource:\n  url: a\n  links: a\nformats: [atom, rdf]\n",
            "p.yml:5:17: unknown format 'rdf'; use atom, rss or json"
        ),
        (
            "title: x\nsource: {url: a, links: a}\nfilter:\n  exclude: {titel: x}\n",
            "p.yml:4:13: unknown key 'titel' in 'exclude'; did you mean 'title'?"
        ),
        (
            "title: x\nsource:\n  url: a\n  links: \"//a[\"\n",
            "p.yml:4:10: invalid selector '//a[': not a valid XPath 1.0 expression"
        ),
    ])
    func namesFileLineAndColumnOfEachMistake(yaml: String, message: String) {
        #expect(throws: PipelineError.self) {
            do {
                _ = try PipelineConfig.parse(yaml, file: "p.yml")
            } catch {
                #expect(String(describing: error) == message)
                throw error
            }
        }
    }

    @Test func readsFetchSettings() throws {
        let yaml =
            Self.valid + "\nfetch:\n  delay: 1.5s\n  refresh_after: 6h\n  timeout: 20\n  robots: false\n  retries: 4\n"
        let fetch = try PipelineConfig.parse(yaml, file: "p.yml").fetch
        #expect(fetch.policy.hostDelay == 1.5)
        #expect(fetch.refreshAfter == 6 * 3600)
        #expect(fetch.policy.timeout == 20)
        #expect(fetch.policy.obeysRobots == false)
        #expect(fetch.policy.retries == 4)
    }

    @Test func pipelinesMayNotShareAFeedIdOrAnOutput() throws {
        let first = try PipelineConfig.parse(Self.valid, file: "Pipelines/a.yml")
        let sameOutput = try PipelineConfig.parse(Self.valid + "\noutput: Feeds/a.atom\n", file: "Pipelines/b.yml")
        let sameID = try PipelineConfig.parse(Self.valid + "\nid: \(first.id)\n", file: "Pipelines/c.yml")
        let errors = PipelineConfig.conflicts(among: [first, sameOutput, sameID]).map(\.description)
        #expect(
            errors == [
                "Pipelines/b.yml:11:9: output 'Feeds/a.atom' is also written by Pipelines/a.yml",
                "Pipelines/c.yml:11:5: feed id '\(first.id)' is also the id of Pipelines/a.yml",
            ])
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: PipelineError(file: "/nonexistent/x.yml", "cannot be read (missing or not a file)")) {
            try PipelineConfig.load("/nonexistent/x.yml")
        }
    }
}

/// Before: `check` stopped at the first bad selector of a file.
@Suite("Every bad selector at once")
struct BadSelectorsTests {
    @Test func eachBadSelectorIsNamedWithItsLineAndColumn() {
        let yaml = """
            title: x
            source:
              url: https://a.example/
              items: "li:hover"
              title: "h2 >"
            extract:
              remove: [".ok", "a[href"]
            """
        #expect {
            try PipelineConfig.parse(yaml, file: "p.yml")
        } throws: { error in
            let lines = "\(error)".split(separator: "\n")
            return lines.count == 3 && lines[0].hasPrefix("p.yml:4:10: ") && lines[0].contains(":hover")
                && lines[1].hasPrefix("p.yml:5:10: ") && lines[2].hasPrefix("p.yml:7:19: ")
        }
    }
}
