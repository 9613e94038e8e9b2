import Foundation
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
        ("title: x\nsource:\n  url: a\n  links: 'a['\n", "p.yml:4:10: invalid CSS selector 'a[': expected an attribute name after '['"),
        ("title: x\nsource:\n  url: a\n  links: a\nmax_entries: many\n", "p.yml:5:14: 'max_entries' must be a whole number from 1 to 10000"),
        ("title: x\nsource:\n  url: a\n  links: a\nextract:\n  drop_text: ['(unclosed']\n", "p.yml:6:15: invalid regular expression '(unclosed'"),
        ("title: [x\n", "p.yml:2:1: invalid YAML: did not find expected ',' or ']'"),
        ("source:\n  url: a\n  links: a\n", "p.yml:1:1: missing required key 'title'"),
        ("title: x\nsource:\n  links: a\n", "p.yml:3:3: missing required key 'url'"),
        ("title: x\nid: not an iri\nsource:\n  url: a\n  links: a\n", "p.yml:2:5: 'id' must be an absolute IRI such as urn:uuid:… or https://…"),
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

    @Test func aMissingFileIsNamed() {
        #expect(throws: PipelineError(file: "/nonexistent/x.yml", "cannot be read (missing or not a file)")) {
            try PipelineConfig.load("/nonexistent/x.yml")
        }
    }
}
