import Feed
import Markup

@testable import Sources

/// Feed and sitemap parsing on arbitrary bytes: RSS, Atom, RDF, JSON Feed and sitemaps (plain or
/// gzip-compressed), repaired when not well-formed, with entity declarations refused; and a web page given
/// as a feed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFeed(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    _ = try? FeedReader.links(in: bytes, url: "https://fuzz.example/feed.xml")
    _ = try? SitemapSource.contents(of: bytes, url: "https://fuzz.example/sitemap.xml")
    // What a feed source does with a web page: the feed it advertises, or the article links it seems to list.
    if let page = try? Markup.Document(html: String(decoding: bytes, as: UTF8.self), url: "https://fuzz.example/") {
        _ = FeedReader.advertisedFeed(in: page)
        _ = ListPage.articleLinks(in: page)
    }
    return 0
}
