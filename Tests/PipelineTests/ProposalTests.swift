import Foundation
import Testing

@testable import Pipeline

@Suite("Pipeline proposals")
struct ProposalTests {
    @Test func aFeedsTitleIsItsChannelsOrItsOwn() {
        let rss =
            #"<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger news</title><link>/</link></channel></rss>"#
        #expect(PipelineProposal.feedTitle(Array(rss.utf8)) == "Ledger news")
        let atom = #"<feed xmlns="http://www.w3.org/2005/Atom"><title> Ledger  updates </title></feed>"#
        #expect(PipelineProposal.feedTitle(Array(atom.utf8)) == "Ledger updates")
        #expect(
            PipelineProposal.feedTitle(Array(#"{"version": "https://jsonfeed.org/version/1.1", "title": "J"}"#.utf8))
                == "J")
    }

    @Test func namesComeFromTheHostAndYAMLIsQuoted() {
        #expect(PipelineProposal.name(for: "https://www.news.example.org/section/") == "news-example-org")
        #expect(PipelineProposal.quoted(#"a "b" \ c"#) == #""a \"b\" \\ c""#)
    }
}
