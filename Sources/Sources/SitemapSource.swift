import Feed
import Fetch
import Foundation
import Markup

/// `type: sitemap`: a sitemap (`urlset`, Google News sitemaps) or a sitemap index, whose sitemaps are read
/// level by level, newest first, until the pipeline has enough pages.
package struct SitemapSource: ItemSource {
    package static let type = "sitemap"

    package let url: String

    package init(url: String, settings: any SourceSettings) {
        self.url = url
    }

    package var nothingOffered: String { "the sitemap lists no pages" }

    package func items(in answer: Response?, reading: SourceReading) async throws(SourceError) -> Offer {
        guard let answer else { return Offer(items: []) }
        let contents = try Self.contents(of: answer.body, url: answer.url)
        return Offer(items: try await Self.pages(of: contents, reading: reading).get())
    }

    /// Sitemap indexes are followed this deep (an index of indexes of sitemaps is three levels).
    static let depth = 3
    /// Sitemaps read from one index, newest first.
    static let sitemapsPerIndex = 10
    /// The sitemaps protocol's limit on a sitemap's size, uncompressed.
    static let maxBytes = 50 * 1024 * 1024

    /// A sitemap as fetched: plain XML, or a file stored gzip-compressed (`sitemap.xml.gz`), which HTTP's
    /// own decompression leaves as it is.
    package static func contents(of body: [UInt8], url: String) throws(SourceError) -> SitemapReader.Contents {
        var xml = body
        if Gzip.isCompressed(body) {
            do {
                xml = try Gzip.decompress(body, limit: maxBytes)
            } catch .tooLarge(let limit) {
                throw SourceError("\(url): a gzip-compressed sitemap larger than \(limit) bytes once decompressed")
            } catch {
                throw SourceError(
                    "\(url): a gzip-compressed sitemap that cannot be decompressed (truncated or corrupt)")
            }
        }
        do {
            return try SitemapReader.read(try Document(xml: xml, url: url, lenient: true))
        } catch let error as SourceError {
            throw error
        } catch {
            throw SourceError("\(error)")
        }
    }

    /// The pages a sitemap lists, or those of the sitemaps an index names, read level by level until there
    /// are enough; a sitemap that fails fails the source.
    static func pages(of contents: SitemapReader.Contents, reading: SourceReading) async -> Result<[Item], SourceError>
    {
        var pending: [String]
        switch contents {
        case .pages(let links): return .success(links)
        case .sitemaps(let urls): pending = Array(urls.prefix(sitemapsPerIndex))
        }
        var links: [Item] = []
        var seen = Set<String>()
        var level = 1
        while !pending.isEmpty, level < depth, links.count < reading.enough {
            var next: [String] = []
            for url in pending {
                do throws(SourceError) {
                    let response: Response
                    switch await reading.fetch(url) {
                    case .success(let answer): response = answer
                    case .failure(let error): throw SourceError(error.description)
                    }
                    switch try Self.contents(of: response.body, url: response.url) {
                    case .pages(let found): links += found.filter { seen.insert($0.link ?? "").inserted }
                    case .sitemaps(let more): next += more.prefix(sitemapsPerIndex)
                    }
                } catch {
                    return .failure(SourceError("\(url): \(error)"))
                }
            }
            pending = next
            level += 1
        }
        return .success(newestFirst(links, date: \.date))
    }
}
