import Foundation
import Markup
import Testing

@testable import Extract

@Suite("Dates a page shows")
struct VisibleDateTests {
    static func day(_ text: String) -> Date? { Timestamp.parse(text) }

    @Test(arguments: [
        ("Posted on March 3, 2024 by Ann", "2024-03-03"), ("3 March 2024", "2024-03-03"),
        ("Sept. 21st, 2023", "2023-09-21"),
        ("le 3 mars 2024", "2024-03-03"), ("3. März 2024", "2024-03-03"), ("3 de marzo de 2024", "2024-03-03"),
        ("12 maggio 2022", "2022-05-12"), ("2024-03-03", "2024-03-03"), ("03.04.2024", "2024-04-03"),
        ("2024年3月3日", "2024-03-03"), ("3/14/2024", "2024-03-14"), ("14/3/2024", "2024-03-14"),
        ("29 February 2024", "2024-02-29"),
    ])
    func readsDatesAsTheyAreWritten(text: String, expected: String) {
        #expect(VisibleDate.firstDate(in: text) == Self.day(expected), "\(text)")
    }

    @Test(arguments: [
        "No date here", "Call 555-1234 today", "Chapter 3, 2024 edition of 13 pages", "Revenue of 3.5 million in 2024",
        "June 31, 2024", "29 February 2023",
    ])
    func findsNoDateWhereThereIsNone(text: String) {
        #expect(VisibleDate.firstDate(in: text) == nil, "\(text)")
    }

    /// Lines are passed over without the regular expressions unless a year could be in them.
    @Test(arguments: [
        ("3/14/2024", true), ("2024年3月3日", true), ("Sept. 21st, 1999", true), ("le 3 mars 2024.", true),
        ("Call 555-1234 today", false), ("Order 120245 shipped", false), ("Route 2100", false), ("No date", false),
    ])
    func aYearIsLookedForFirst(text: String, holdsYear: Bool) {
        #expect(VisibleDate.holdsYear(text) == holdsYear, "\(text)")
    }

    /// The dates in a list of other posts (`role="listitem"`) are theirs: the page is dated by its own line.
    @Test func aListOfOtherPostsDoesNotDateThePage() throws {
        let prose = String(
            repeating: "<p>Seven networks were compared on fees, speed and the tools they give developers.</p>",
            count: 6)
        let items = ["December 2, 2025", "November 28, 2025"].map {
            "<div role=\"listitem\"><a href=\"/blog/other\">Another post</a><div class=\"post-date\">\($0)</div></div>"
        }
        let html = """
            <html><body><div class="heading-wrap"><div class="text">Dec 12, 2025</div><h1>The top seven networks</h1></div>
            <div class="rich-text">\(prose)</div><div role="list">\(items.joined())</div></body></html>
            """
        let article = Extractor().extract(try Document(html: html, url: "https://example.com/blog/networks"))
        #expect(article.publicationDate == Self.day("2025-12-12"))
    }

    /// An author block names the date beside the name ("Luke Kim · December 17, 2025") on pages whose
    /// title is no `<h1>`.
    @Test func theAuthorBlockDatesAPageWithoutHeading() throws {
        let prose = String(
            repeating: "<p>The accelerator keeps hot data in memory and spills the rest to disk in columns.</p>",
            count: 6)
        let html = """
            <html><body><div class="resource-head"><div class="title">Introducing the data accelerator</div>
            <div class="resource-author-details"><p>Luke Kim</p><small>December 17, 2025</small></div></div>
            <div class="resource-content">\(prose)</div></body></html>
            """
        let article = Extractor().extract(try Document(html: html, url: "https://example.ai/blog/accelerator"))
        #expect(article.published == Self.day("2025-12-17"))
    }

    /// A "Posted on …" line under a long article, beyond the lines read near the title, dates it; the same
    /// line in a comment dates the comment, not the page.
    @Test func aPostedOnLineAnywhereDatesThePageButNotOneInAComment() throws {
        let prose = String(
            repeating: "<p>The compiler goes through several passes and, in the end, emits code for the target.</p>",
            count: 25)
        func page(_ closing: String) -> String {
            """
            <html><body><div class="top"><h1>A new backend</h1><div class="donate">Support this blog</div>
            <div class="intro">Why and how, in a few parts.</div><ul class="toc"><li>Why</li><li>How</li></ul></div>
            <div class="text">\(prose)</div>\(closing)</body></html>
            """
        }
        let dated = page(
            "<div style=\"text-align:center\">Posted on the 15/12/2025 at 19:00 by <a href=\"/\">me</a></div>")
        let commented = page(
            "<div class=\"comments\"><div class=\"comment\"><p>Posted on 03/01/2026 by a reader</p><p>Thanks!</p></div></div>"
        )
        let first = Extractor().extract(try Document(html: dated, url: "https://blog.example.org/articles/backend"))
        let second = Extractor().extract(
            try Document(html: commented, url: "https://blog.example.org/articles/backend"))
        #expect(first.published == Self.day("2025-12-15"))
        #expect(second.published == nil)
    }

    @Test func aPageWithoutDateMetadataGetsTheDateItShowsAndItsUpdateApart() throws {
        let prose = String(
            repeating: "<p>The council met on Tuesday to discuss the river path, and residents spoke at length.</p>",
            count: 6)
        let html = """
            <html><body><header><h1>River path</h1><div class="byline">By Ann Lee</div>
            <div class="post-date">Published 14 November 2023</div><div class="meta">Last updated: December 2, 2023</div></header>
            <article>\(prose)<p>Next meeting: 9 January 2024.</p></article>
            <aside><div class="date">1 January 2020</div></aside></body></html>
            """
        let article = Extractor().extract(try Document(html: html, url: "https://news.example.org/river-path"))
        #expect(article.published == Self.day("2023-11-14"))
        #expect(article.modified == Self.day("2023-12-02"))
    }

    @Test func aDateInAnElementRunTogetherWithOthersIsRead() throws {
        let prose = String(
            repeating: "<p>The council met on Tuesday to discuss the river path, and residents spoke at length.</p>",
            count: 6)
        let html =
            "<html><body><header><div class=\"post-meta\">\n    <div><span class=\"cat\"><a href=\"/c/\">Editorial</a></span><span class=\"x-date\">November 22, 2018 </span></div></div>"
            + "<h2>River path</h2></header><div>\(prose)</div></body></html>"
        #expect(Extractor().extract(try Document(html: html)).published == Self.day("2018-11-22"))
    }

    @Test func aDatelineBesideTheTitleIsRead() throws {
        let prose = String(
            repeating: "<p>The council met on Tuesday to discuss the river path, and residents spoke at length.</p>",
            count: 6)
        let html =
            "<html><body><div class=\"hero\"><p>April 8, 2024</p><h1>River path</h1><p>Written by Ann</p></div><div>\(prose)</div></body></html>"
        let article = Extractor().extract(try Document(html: html))
        #expect(article.published == Self.day("2024-04-08"))
    }

    static let prose = String(
        repeating: "<p>The council met on Tuesday to discuss the river path, and residents spoke at length.</p>",
        count: 6)

    @Test func aLineWithBothDatesGivesEachItsPlace() throws {
        let html =
            "<html><body><h1>River path</h1><div class=\"entry-date\">August 16, 2019 - Updated July 9, 2025</div>"
            + "<article>\(Self.prose)</article></body></html>"
        let article = Extractor().extract(try Document(html: html))
        #expect(article.published == Self.day("2019-08-16"))
        #expect(article.modified == Self.day("2025-07-09"))
    }

    @Test func aDateBlockThatAlsoHoldsLinksHasItsDateLineRead() throws {
        let tags = (1...12).map { "<a href=\"/tag/\($0)\">Topic number \($0)</a>" }.joined(separator: " ")
        let html =
            "<html><body><h1>River path</h1><article>\(String(repeating: Self.prose, count: 4))</article>"
            + "<div class=\"post-date\"><span>Posted on 5 May 2021</span> <p>\(tags)</p></div></body></html>"
        #expect(Extractor().extract(try Document(html: html)).published == Self.day("2021-05-05"))
    }

    @Test func aDateInAnAsideUnderTheTitleIsRead() throws {
        let html =
            "<html><body><h1>River path</h1><aside><p>Ann Lee</p><p>June 2, 2022</p></aside>"
            + "<article>\(Self.prose)</article></body></html>"
        #expect(Extractor().extract(try Document(html: html)).published == Self.day("2022-06-02"))
    }

    @Test func aPublicationDateUnderTheSitesOwnMetaNameIsRead() throws {
        let html =
            "<html><head><meta name=\"w-published-date\" content=\"2021-03-04T10:00:00Z\">"
            + "<meta name=\"w-updated-date\" content=\"2022-01-01T10:00:00Z\"></head>"
            + "<body><h1>River path</h1><article>\(Self.prose)</article></body></html>"
        #expect(Extractor().extract(try Document(html: html)).published == Self.day("2021-03-04T10:00:00Z"))
    }

    @Test func aBlogsListOfPostsDatesThePostThePageIs() throws {
        func post(_ slug: String, _ day: String) -> String {
            "{\"@type\": \"BlogPosting\", \"headline\": \"\(slug)\", \"datePublished\": \"\(day)T10:00:00Z\", "
                + "\"mainEntityOfPage\": {\"@type\": \"WebPage\", \"@id\": \"https://blog.example.org/post/\(slug)\"}}"
        }
        let script =
            "<script type=\"application/ld+json\">{\"@context\": \"https://schema.org\", \"@type\": \"Blog\", "
            + "\"blogPost\": [\(post("ferry", "2025-12-01")), \(post("river-path", "2025-11-20"))]}</script>"
        let html = "<html><head>\(script)</head><body><h1>River path</h1><article>\(Self.prose)</article></body></html>"
        let page = try Document(html: html, url: "https://blog.example.org/post/river-path/")
        #expect(Extractor().extract(page).published == Self.day("2025-11-20T10:00:00Z"))
        let index = try Document(html: html, url: "https://blog.example.org/")
        #expect(Extractor().extract(index).published == nil)
    }

    @Test(
        arguments: [
            ("https://example.org/2022/11/14/river-path", "2022-11-14"),
            ("https://example.org/news/2025-12-15-river-path", "2025-12-15"),
            ("https://example.org/news/2025-12-15", "2025-12-15"),
            ("https://example.org/news/2025-12-150", nil), ("https://example.org/parts/1234-56-78", nil),
            ("https://example.org/news/1890-01-01-history", nil),
        ] as [(String, String?)])
    func anAddressThatNamesADayDatesThePage(address: String, expected: String?) {
        #expect(Metadata.dateInPath(address) == expected.flatMap(Self.day), "\(address)")
    }

    @Test func aPageThatOnlySaysWhenItWasUpdatedIsDatedByThat() throws {
        let html =
            "<html><head><meta property=\"article:modified_time\" content=\"2023-05-06T08:00:00Z\"></head>"
            + "<body><h1>River path</h1><article>\(Self.prose)</article></body></html>"
        let article = Extractor().extract(try Document(html: html, url: "https://news.example.org/river-path"))
        #expect(article.published == nil)
        #expect(article.publicationDate == Self.day("2023-05-06T08:00:00Z"))
    }

    /// A CMS that stamps `datePublished` anew on each save dates the page after the day its title shows: the
    /// shown day is the publication, the stamp its update.
    @Test func metadataStampedAfterTheDayBesideTheTitleGivesWay() throws {
        let html = """
            <html><head><script type="application/ld+json">{"@type": "Article", "datePublished": "2025-06-12",
            "dateModified": "2025-06-10"}</script></head><body><h1>Foundational fitness</h1><p>November 2, 2022</p>
            \(Self.prose)</body></html>
            """
        let article = Extractor().extract(try Document(html: html))
        #expect(article.published == Self.day("2022-11-02"))
        #expect(article.modified == Self.day("2025-06-12"))
    }

    /// Next.js renders structured data handed to its `other` metadata field as a `<meta>` whose content is
    /// the JSON-LD, entity-escaped: it is read as the script would be.
    @Test func structuredDataInAMetaTagDatesThePage() throws {
        let json = #"{"@type":"Article","headline":"Full EV cars","datePublished":"2025-11-17T09:00:00-05:00"}"#
        let escaped = json.replacingOccurrences(of: "\"", with: "&quot;")
        let html = """
            <html><head><meta name="script:ld+json" content="\(escaped)"></head>
            <body><h1>Full EV cars</h1>\(Self.prose)</body></html>
            """
        let article = Extractor().extract(try Document(html: html))
        #expect(article.published == Self.day("2025-11-17T14:00:00Z"))
    }

    /// A page that first says when it was updated, or shows a day close to its metadata's, keeps the
    /// metadata's date; so does one whose only date beside the title is a quoted post's.
    @Test(arguments: [
        "<p>Last updated Nov 6, 2025</p><p>First written January 1, 2013</p>", "<p>June 11, 2025</p>",
        "<blockquote class=\"twitter-tweet\"><p>So we are not in disagreement.</p>&mdash; Yann <a href=\"/s/1\">October 16, 2024</a></blockquote>",
    ])
    func metadataStandsBesideOtherDatelines(lines: String) throws {
        let html = """
            <html><head><meta property="article:published_time" content="2025-06-12T08:00:00Z"></head>
            <body><h1>Foundational fitness</h1>\(lines)\(Self.prose)</body></html>
            """
        #expect(Extractor().extract(try Document(html: html)).published == Self.day("2025-06-12T08:00:00Z"))
    }
}

@Suite("Titles readers see")
struct TitleTests {
    @Test(
        arguments: [
            (
                "Best Cloud Computing Stocks of 2025 | The Motley Fool", "Best Cloud Computing Stocks of 2025",
                "The Motley Fool", "https://www.fool.com/x", "Best Cloud Computing Stocks of 2025"
            ),
            (
                "What is Cloud Computing? | Google Cloud", "Google Cloud", nil, "https://cloud.google.com/learn",
                "What is Cloud Computing?"
            ),
            (
                "Health And Nutrition Trends For 2026 - Tastewise", nil, nil, "https://tastewise.io/blog/x",
                "Health And Nutrition Trends For 2026"
            ),
            (
                "Healthy Eating Plate &bull; The Nutrition Source", nil, "The Nutrition Source",
                "https://nutritionsource.hsph.harvard.edu/", "Healthy Eating Plate"
            ),
            (
                "Ledger: Council votes on river path", nil, "Ledger", "https://ledger.example.org/a",
                "Ledger: Council votes on river path"
            ),
            ("Rust 1.80 - what is new", nil, nil, "https://blog.example.org/a", "Rust 1.80 - what is new"),
            // The headline readers see, when it says mostly what the metadata title says.
            (
                "Health And Nutrition Trends For 2026", "Top 10 Health and Nutrition Trends to Watch", nil,
                "https://tastewise.io/blog/x", "Top 10 Health and Nutrition Trends to Watch"
            ),
            (
                "Best Residential Movers in NYC 2025 | Top 19 Companies", "Best Residential Movers in NYC 2025", nil,
                "https://movers.example/x", "Best Residential Movers in NYC 2025"
            ),
            (
                "json — JSON encoder and decoder — Python 3.14 documentation", "json — JSON encoder and decoder¶", nil,
                "https://docs.python.org/3/library/json.html", "json — JSON encoder and decoder"
            ),
            // Not a blog's name, a heading with a date run into it, or a heading in capitals.
            (
                "Defer, Panic, and Recover - The Go Programming Language", "The Go Blog", nil,
                "https://go.dev/blog/defer", "Defer, Panic, and Recover - The Go Programming Language"
            ),
            (
                "Preparing a transition in Debusine", "Dec 18 2025 Preparing a transition in Debusine", nil,
                "https://blog.example.org/a", "Preparing a transition in Debusine"
            ),
            (
                "Best Drip Coffee Maker 2026: Buying Tips From Coffee Pros",
                "BEST DRIP COFFEE MAKER IN 2026: BUYING TIPS",
                nil, "https://coffee.example/x", "Best Drip Coffee Maker 2026: Buying Tips From Coffee Pros"
            ),
        ] as [(String, String?, String?, String?, String)])
    func titlesLoseTheSitesName(title: String, heading: String?, site: String?, url: String?, expected: String) {
        #expect(Metadata.cleanTitle(title, heading: heading, site: site, url: url) == expected)
    }
}

@Suite("Bylines")
struct BylineTests {
    static let prose = String(
        repeating: "<p>The council met on Tuesday to discuss the river path, and residents spoke at length.</p>",
        count: 6)

    @Test(
        arguments: [
            ("<div class=\"byline\">By Ann Lee | March 3, 2024</div>", "Ann Lee"),
            ("<div class=\"author-wrap\"><div>Written By</div><div>Ann Lee</div></div>", "Ann Lee"),
            ("<p><span>Written by</span> <a href=\"/team/ann\">Ann Lee</a></p>", "Ann Lee"),
            ("<div class=\"post-meta\"><p>Author</p><p>Ann Lee</p></div>", "Ann Lee"),
            ("<span itemprop=\"author\">Ann Lee</span>", "Ann Lee"),
            ("<p class=\"dek\">par Jean Dupont</p>", "Jean Dupont"),
            ("<p>Von Miller signs for the club</p>", nil),
            // The name in its own element, the role or the publication after it in others.
            (
                "<div class=\"author-title-wrap\"><div>Written By</div><div>Ann Lee</div><div>AI Writer, Acme</div></div>",
                "Ann Lee"
            ),
            ("<div class=\"byline-section\"><a>Ann Lee</a> <span>USA TODAY</span></div>", "Ann Lee"),
            ("<p>By <a href=\"/ann\">Ann Lee</a> <a href=\"/print\">View In Digital Edition</a></p>", "Ann Lee"),
            // A date after the name ends it; a name that is a month's stays whole.
            ("<p class=\"author\"> Ann Lee<br> 4 August 2010 </p>", "Ann Lee"),
            ("<p>by: <!-- -->Ann Lee<!-- -->,<!-- --> <!-- -->Dec 17, 2025<!-- --></p>", "Ann Lee"),
            ("<div class=\"author-details\"><p>June Carter</p><small>Sun Dec 14, 2025</small></div>", "June Carter"),
            ("<div class=\"author-meta\"><span>Updated</span> <span>Dec 14, 2025</span></div>", nil),
            // Two authors stay two; an avatar's initial is no name.
            ("<p class=\"byline\">By <a>Ann Lee</a> and <a>Bo Chen</a></p>", "Ann Lee and Bo Chen"),
            ("<div class=\"author\"><span>A</span> <span>Ann Lee</span></div>", "A Ann Lee"),
        ] as [(String, String?)])
    func aBylineThePageShowsNamesTheAuthor(byline: String, expected: String?) throws {
        let html =
            "<html><body><header><h1>River path</h1>\(byline)</header><article>\(Self.prose)</article></body></html>"
        #expect(Extractor().extract(try Document(html: html)).author == expected, "\(byline)")
    }

    /// Scholarly pages name each author in a `citation_author` of its own.
    @Test func citationAuthorsAreTheAuthors() throws {
        let html = """
            <html><head><meta name="citation_title" content="River paths">
            <meta name="citation_author" content="Ann Lee"><meta name="citation_author" content="Bo Chen">
            </head><body><h1>River paths</h1><article>\(Self.prose)</article></body></html>
            """
        #expect(Extractor().extract(try Document(html: html)).author == "Ann Lee, Bo Chen")
    }

    /// An author's label and role are not part of the name.
    @Test(arguments: [
        ("Author: Ann Lee", "Ann Lee"), ("Ann Lee - Editorial Team", "Ann Lee"), ("Ann Lee | The Newsroom", "Ann Lee"),
        ("Jean-Pierre Martin", "Jean-Pierre Martin"), ("Ann Lee, Bo Chen", "Ann Lee, Bo Chen"),
    ])
    func metadataAuthorsLoseTheirLabelsAndRoles(given: String, expected: String) throws {
        let html = """
            <html><head><meta name="author" content="\(given)"></head><body><h1>River path</h1>
            <article>\(Self.prose)</article></body></html>
            """
        #expect(Extractor().extract(try Document(html: html)).author == expected)
    }

    @Test func metadataThatNamesNobodyGivesWayToTheByline() throws {
        let html = """
            <html><head><meta name="author" content="https://example.org/u/123"></head><body><h1>River path</h1>
            <div class="byline">By Ann Lee</div><article>\(Self.prose)</article></body></html>
            """
        #expect(Extractor().extract(try Document(html: html)).author == "Ann Lee")
    }
}
