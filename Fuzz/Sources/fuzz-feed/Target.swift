@testable import Pipeline

/// Feed and sitemap parsing on arbitrary bytes: RSS, Atom, RDF, JSON Feed and sitemaps (plain or
/// gzip-compressed), repaired when not well-formed, with entity declarations refused.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFeed(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    _ = try? FeedSource.links(in: bytes, url: "https://fuzz.example/feed.xml")
    _ = try? SitemapSource.read(bytes, url: "https://fuzz.example/sitemap.xml")
    return 0
}
