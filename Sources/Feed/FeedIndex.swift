import Foundation

/// The pages that list a folder of feeds: OPML 2.0 for feed readers to import them all at once, and an
/// HTML page for people. Links are relative to the folder, so the folder can be served or copied anywhere.
package enum FeedIndex {
    /// One feed of the folder, in each format written for it.
    package struct Listing: Sendable, Equatable {
        package var title: String
        /// The site the feed follows.
        package var site: String?
        /// File names in the folder, by format.
        package var files: [FeedFormat: String]
        /// Public addresses the files name as their own (`rel="self"`, `feed_url`), by file name, when
        /// the pipeline gave one (`url:`): OPML then carries absolute addresses a reader can import.
        package var published: [String: String] = [:]

        package init(title: String, site: String? = nil, files: [FeedFormat: String] = [:]) {
            self.title = title
            self.site = site
            self.files = files
        }

        /// The file a reader should subscribe to: the first format of the table present (Atom, else RSS,
        /// else JSON Feed).
        package var preferred: String? { FeedFormat.allCases.lazy.compactMap { files[$0] }.first }
    }

    /// OPML 2.0 with one `rss`-type outline per feed (OPML calls every feed format "rss").
    package static func opml(_ listings: [Listing], title: String = "feedpipe feeds") -> String {
        var xml = XMLBuilder()
        xml.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
        xml.open("opml", [("version", "2.0")])
        xml.open("head")
        xml.element("title", title)
        xml.close("head")
        xml.open("body")
        for listing in listings {
            guard let feed = listing.preferred else { continue }
            let address = listing.published[feed] ?? feed
            var attributes = [("type", "rss"), ("text", listing.title), ("title", listing.title), ("xmlUrl", address)]
            if let site = listing.site { attributes.append(("htmlUrl", site)) }
            xml.empty("outline", attributes)
        }
        xml.close("body")
        xml.close("opml")
        return xml.text
    }

    /// A page listing every feed with links to each of its formats.
    package static func html(_ listings: [Listing], title: String = "feedpipe feeds") -> String {
        let escape = XMLBuilder.escape
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <link rel="alternate" type="text/x-opml" title="All feeds" href="index.opml">
            <style>\(style)</style>
            </head>
            <body>
            <h1>\(escape(title))</h1>
            <p>Subscribe to a feed below, or import <a href="index.opml">index.opml</a> into a feed reader to follow them all.</p>
            <ul class="feeds">

            """
        for listing in listings {
            let formats = FeedFormat.allCases.compactMap { format in
                listing.files[format].map {
                    "<a href=\"\(escape($0))\" type=\"\(format.mediaType)\">\(format.name)</a>"
                }
            }
            let site = listing.site.map { " · <a href=\"\(escape($0))\">site</a>" } ?? ""
            page +=
                "<li><span class=\"title\">\(escape(listing.title))</span> \(formats.joined(separator: " · "))\(site)</li>\n"
        }
        page += "</ul>\n</body>\n</html>\n"
        return page
    }

    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}\
        h1{font-size:1.6rem}.feeds{padding:0;list-style:none}.feeds li{padding:.5rem 0;border-bottom:1px solid #ddd}\
        .title{font-weight:600;margin-right:.5rem}a{color:#0645ad}
        """

    /// An XSLT 1.0 stylesheet that shows an Atom feed as a readable page in a browser: the feed's title and
    /// each entry's title (linked), date and summary. Atom feeds point at it with `<?xml-stylesheet?>`.
    package static let stylesheet = """
        <?xml version="1.0" encoding="utf-8"?>
        <xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
          xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
          <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
          <xsl:template match="/atom:feed">
            <html lang="en">
              <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title><xsl:value-of select="atom:title"/></title>
                <style>\(style)</style>
              </head>
              <body>
                <h1><xsl:value-of select="atom:title"/></h1>
                <p>This is an Atom feed. Copy its address into a feed reader to subscribe; <a href="index.html">all feeds</a>.</p>
                <ul class="feeds">
                  <xsl:for-each select="atom:entry">
                    <li class="entry">
                      <a class="title" href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
                      <small><xsl:value-of select="substring(atom:updated, 1, 10)"/></small>
                      <p><xsl:value-of select="atom:summary"/></p>
                    </li>
                  </xsl:for-each>
                </ul>
              </body>
            </html>
          </xsl:template>
        </xsl:stylesheet>

        """
}
