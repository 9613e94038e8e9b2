import Foundation
import Markup
import Testing

@testable import Extract

@Suite("Extraction")
struct ExtractionTests {
    @Test func findsTheBodyAmongNavigationAndLinkLists() throws {
        let html = """
            <html><body>
            <div class="header"><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></div>
            <div class="links"><ul><li><a href="/1">A very long related headline that goes on and on, and on</a></li>
            <li><a href="/2">Another very long related headline that goes on and on, and on</a></li></ul></div>
            <div class="c1"><p>The river authority said on Monday that water quality had improved at most sites, the first rise in a decade.</p>
            <p>Nitrate levels fell at 60 of the 80 monitoring stations, while phosphate levels were unchanged, officials said.</p>
            <p>Campaigners welcomed the figures but warned that sewage overflows remained a serious problem in summer.</p></div>
            </body></html>
            """
        let article = Extractor().extract(try Document(html: html))
        #expect(article.text.hasPrefix("The river authority said on Monday"))
        #expect(article.text.hasSuffix("serious problem in summer."))
        #expect(!article.text.contains("related headline"))
        #expect(!article.text.contains("Sport"))
    }

    /// A body broken around full-width figures into wrappers that sit in separate sections, as some
    /// magazine templates lay out long reads; the page may then load the next story with the same wrappers.
    static func splitPage(nextStory: Bool) -> String {
        func part(_ words: String, _ count: Int) -> String {
            "<div class=\"post__content wysiwyg\">"
                + (1...count).map {
                    "<p>\(words) paragraph \($0) goes on about the tuft cells, their receptors, and what they sense in the gut.</p>"
                }
                .joined() + "</div>"
        }
        let next =
            nextStory
            ? "<section class=\"outer\"><h1>The next story</h1><div class=\"body\">\(part("Next story", 4))</div></section>"
            : ""
        return """
            <html><body><header><h1>Tuft cells that taste danger</h1></header>
            <section class="outer"><div class="intro">\(part("Opening", 3))</div></section>
            <figure class="full-width"><img src="/cells.jpg"><figcaption>Tuft cells in the lining.</figcaption></figure>
            <section class="outer"><div class="flexible">\(part("Middle", 6))
            <aside class="pullquote">“They are everywhere,” she said.</aside>\(part("Closing", 5))</div></section>
            \(next)<footer><a href="/about">About</a></footer></body></html>
            """
    }

    @Test(arguments: [
        "<header role=\"banner\"><button class=\"menu-button\"><span>Menu</span>",
        "<nav class=\"top\"><a href=\"/\">Home</a>",
        "<div hidden id=\"S:0\">", "<div style=\"display: none\" class=\"read-more-content\">",
    ])
    func aWrapperLeftOpenOverTheArticleOrHidingItKeepsIt(opening: String) throws {
        let paragraph =
            "<p>The ferry crossing reopened on Friday after the storm, and the first boats left on time.</p>"
        let html =
            "<html><body>\(opening)<article>" + String(repeating: paragraph, count: 8) + "</article></body></html>"
        let article = Extractor().extract(try Document(html: html))
        #expect(article.text.contains("the first boats left on time"), "\(opening)")
    }

    @Test func theLeadImageIsARealPictureNotAPixelOrAnIcon() throws {
        let paragraph =
            "<p>The ferry crossing reopened on Friday after the storm, and the first boats left on time.</p>"
        let html =
            "<html><body><article><img src=\"https://t.example.org/pixel.gif\" width=\"1\" height=\"1\">"
            + "<p><img src=\"https://news.example.org/icons/pdf.svg\"> Download</p>"
            + String(repeating: paragraph, count: 6)
            + "<figure><img src=\"https://news.example.org/photos/ferry.jpg\" width=\"800\" height=\"450\"></figure>"
            + "</article></body></html>"
        let article = Extractor().extract(try Document(html: html, url: "https://news.example.org/a"))
        #expect(article.image == "https://news.example.org/photos/ferry.jpg")
    }

    @Test func theLeadImageResolvesAgainstTheBaseHref() throws {
        let paragraph =
            "<p>The ferry crossing reopened on Friday after the storm, and the first boats left on time.</p>"
        let html =
            "<html><head><base href=\"https://news.example.org/2024/\"><meta property=\"og:image\" content=\"otter.jpg\">"
            + "</head><body><article>" + String(repeating: paragraph, count: 6) + "</article></body></html>"
        let article = Extractor().extract(try Document(html: html, url: "file:///saved/page.html"))
        #expect(article.image == "https://news.example.org/2024/otter.jpg")
    }

    @Test func anArticleInAWrapperNamedLikeAMenuIsKept() throws {
        let paragraph =
            "<p>The ferry crossing reopened on Friday after the storm, and the first boats left on time.</p>"
        let html =
            "<html><body><div class=\"site-header__menu-top\">" + String(repeating: paragraph, count: 8)
            + "</div></body></html>"
        #expect(Extractor().extract(try Document(html: html)).text.contains("the first boats left on time"))
    }

    /// A template built of components names each block of the article after one, with a word that usually
    /// marks furniture ("Widget"); the blocks together are the article and stay. A share bar among them goes.
    @Test func blocksThatShareAFurnitureLikeClassAndHoldTheArticleStay() throws {
        let block = { (text: String) in
            "<div class=\"BlockWidget_BlockWidget__x1\"><div class=\"Prose\"><p>\(text)</p><p>\(text) Again, "
                + "with more detail about what the council decided.</p></div></div>"
        }
        let html =
            "<html><body><div class=\"Page\"><h1>Harbour works</h1>"
            + block("The ferry crossing reopened on Friday after the storm, and the first boats left on time.")
            + "<div class=\"BlockWidget_BlockWidget__x1\"><ul class=\"share\"><li><a href=\"/s\">Share</a></li></ul></div>"
            + block("Harbour staff said the last repairs to the pier would be finished by the end of the month.")
            + block("Fishermen, who had waited two weeks, unloaded their first full catch since the storm.")
            + "</div><div class=\"footer-widget\"><a href=\"/about\">About us</a></div></body></html>"
        let text = Extractor().extract(try Document(html: html)).text
        #expect(text.contains("the first boats left on time"))
        #expect(text.contains("the last repairs to the pier"))
        #expect(text.contains("their first full catch"))
        #expect(!text.contains("Share") && !text.contains("About us"))
    }

    @Test func aNULByteInThePageEndsNothing() throws {
        let paragraph =
            "<p>The ferry crossing reopened on Friday after the storm, and the first boats left on time.</p>"
        let html =
            "<html><body><article>" + String(repeating: paragraph, count: 12) + "\0"
            + "<p>Harbour staff said the last repairs to the pier would be finished by the end of the month.</p>"
            + "</article></body></html>"
        let article = Extractor().extract(try Document(html: html))
        #expect(article.text.contains("the last repairs to the pier"))
    }

    @Test func aBodySplitAcrossSectionsIsJoinedInOrder() throws {
        let article = Extractor().extract(try Document(html: Self.splitPage(nextStory: false)))
        let firsts = article.text.components(separatedBy: "\n\n").map {
            $0.components(separatedBy: " paragraph").first!
        }
        #expect(firsts.first == "Opening")
        #expect(firsts.last == "Closing")
        #expect(firsts.filter { $0 == "Opening" }.count == 3 && firsts.filter { $0 == "Middle" }.count == 6)
    }

    /// A guide laid out as a run of sections, each a heading and a rich-text block, the first most of it and the
    /// others a sentence or two: the blocks that score are parts of one body, and so are the headings and
    /// the blocks too short to score between them.
    @Test func aGuideInManySectionsKeepsItsHeadingsAndShortBlocks() throws {
        let sentence =
            "explains, in plain words, what the service does, who pays for it, and how the bill is worked out."
        func section(_ number: Int, sentences: Int) -> String {
            let text = (1...sentences).map { "Section \(number), sentence \($0), \(sentence)" }.joined(separator: " ")
            return "<section class=\"jump\"><div class=\"module\"><div class=\"row\"><div class=\"column\">"
                + "<h2>Part \(number) of the guide</h2><div class=\"rich\"><p>\(text)</p></div></div></div></div></section>"
        }
        let sections = [section(1, sentences: 8)] + (2...7).map { section($0, sentences: $0.isMultiple(of: 3) ? 1 : 2) }
        let html = """
            <html><body><nav><a href="/">Home</a> <a href="/learn">Learn</a></nav><main><div class="guide">
            <h1>What is cloud computing?</h1>\(sections.joined())</div></main>
            <footer><a href="/terms">Terms</a></footer></body></html>
            """
        let article = Extractor().extract(try Document(html: html))
        for number in 1...7 {
            #expect(article.text.contains("Part \(number) of the guide"), "heading \(number)")
            #expect(article.text.contains("Section \(number), sentence 1"), "block \(number)")
        }
        #expect(!article.text.contains("Terms"))
    }

    @Test func theNextStoryInTheSameWrappersIsLeftOut() throws {
        let article = Extractor().extract(try Document(html: Self.splitPage(nextStory: true)))
        #expect(article.text.hasPrefix("Opening paragraph 1"))
        #expect(!article.text.contains("Next story"))
    }

    @Test func ofTwoEqualCandidatesTheFirstWinsEveryTime() throws {
        func story(_ name: String) -> String {
            let paragraph =
                "<p>\(name) paragraph, with commas, long enough to count as the prose of an article here.</p>"
            return "<section><h1>\(name)</h1><div>" + String(repeating: paragraph, count: 5) + "</div></section>"
        }
        let html = "<html><body>\(story("Alpha"))\(story("Bravo"))</body></html>"
        let texts = try (0..<24).map { _ in Extractor().extract(try Document(html: html)).text }
        #expect(Set(texts).count == 1)
        #expect(texts.allSatisfy { $0.hasPrefix("Alpha") && !$0.contains("Bravo") })
    }

    @Test func embeddedPostsStayWhileShareBarsGo() throws {
        let paragraphs = (1...4).map {
            "<p>Paragraph \($0) of the story about the slogan that everyone on social media was talking about on Monday.</p>"
        }.joined()
        // Twitter's embed code, in the wrapper a news CMS puts around it.
        let tweet = """
            <div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en" dir="ltr">Yes this is real \
            and yes the state spent nearly half a million dollars on it: <a href="https://t.co/Nc0nKoXGBP">https://t.co/Nc0nKoXGBP</a></p>\
            — Dianna E. Anderson (@diannaeanderson) <a href="https://twitter.com/diannaeanderson/status/1196501054197649413">\
            November 18, 2019</a></blockquote><script async src="https://platform.twitter.com/widgets.js"></script></div>
            """
        let share =
            #"<div class="social-share"><a href="https://twitter.com/share">Tweet</a> <a href="https://facebook.com/share">Share</a></div>"#
        let html =
            "<html><body><article><div class=\"article-body\">\(paragraphs)\(tweet)\(paragraphs)\(share)</div></article></body></html>"
        let article = Extractor().extract(try Document(html: html))
        #expect(article.text.contains("Yes this is real and yes the state spent nearly half a million dollars on it"))
        #expect(article.text.contains("— Dianna E. Anderson (@diannaeanderson) November 18, 2019"))
        #expect(article.html.contains("<blockquote>"))
        #expect(!article.text.contains("Tweet") && !article.html.contains("script"))
    }

    /// A shop's page: the product's description in short lines and a list, and the customers' reviews in
    /// long prose below it.
    static func productPage(jsonLD: String) -> String {
        let reviews = (1...5).map {
            """
            <div class="review-card"><p class="review-author">Customer \($0)</p><p>I bought this kettle for my \
            mother, and she uses it every morning, twice on Sundays, without a single complaint so far, which, \
            given how particular she is about tea, says a great deal about it.</p></div>
            """
        }.joined()
        return """
            <html><head><script type="application/ld+json">\(jsonLD)</script>
            </head><body><div class="product"><h1>Stove-top kettle</h1><div class="description">
            <p>Enamelled steel, 1.5 litres.</p><ul><li>Whistles when the water boils</li><li>Fits gas and \
            induction hobs</li><li>Handle stays cool</li></ul><p>Made in Portugal.</p></div>
            <section id="customer-reviews"><h2>Reviews</h2>\(reviews)</section></div>
            <div class="cart-preview"><p>Your basket is empty.</p></div></body></html>
            """
    }

    @Test func aProductPageIsItsDescriptionNotItsReviews() throws {
        let jsonLD = #"{"@type": "Product", "name": "Stove-top kettle"}"#
        let article = Extractor().extract(try Document(html: Self.productPage(jsonLD: jsonLD)))
        #expect(article.text.contains("Whistles when the water boils"))
        #expect(article.text.contains("Made in Portugal."))
        #expect(!article.text.contains("I bought this kettle"))
    }

    @Test func aReviewArticleKeepsItsReviews() throws {
        // The same markup on a page that names an article beside the product: "review" names its content.
        let jsonLD =
            #"{"@graph": [{"@type": "Article", "headline": "Kettles"}, {"@type": "Product", "name": "Kettle"}]}"#
        let article = Extractor().extract(try Document(html: Self.productPage(jsonLD: jsonLD)))
        #expect(article.text.contains("I bought this kettle"))
    }

    @Test func contentLaidOutTwiceForTwoScreenSizesComesOutOnce() throws {
        let description = """
            <p>Each mug is thrown on the wheel in our studio, so no two are quite the same in size or speckle.</p>
            <p>Stoneware with a clear glazed inside; it is safe in the dishwasher and in the microwave oven.</p>
            <p>Take care when stacking ceramics, and keep them away from sudden heating or cooling.</p>
            """
        let refrain = "<p>And the river runs on to the sea, to the sea, and the river runs on to the sea again.</p>"
        let html = """
            <html><body><article><h1>White speckle mug</h1>
            <div class="product-description hidden-down-md">\(description)</div>
            <p>Sold out; a new batch comes out of the kiln next month, and the list below tells you first.</p>
            \(refrain)<p>The song ends as it began, with its refrain sung twice over by everyone in the hall.</p>
            \(refrain)<div class="product-description hidden-up-md">
            \(description)</div></article></body></html>
            """
        let text = Extractor().extract(try Document(html: html)).text
        #expect(text.components(separatedBy: "thrown on the wheel").count == 2)
        #expect(text.components(separatedBy: "to the sea again").count == 3)
    }

    @Test func worksForChineseText() throws {
        let paragraph = "北京市政府周一表示，今年前十个月全市空气质量持续改善，细颗粒物平均浓度同比下降百分之十二，优良天数比例进一步提高。"
        let html = """
            <html lang="zh-CN"><body>
            <div class="nav"><a href="/">首页</a><a href="/a">新闻</a><a href="/b">体育</a><a href="/c">财经</a></div>
            <div class="main"><p>\(paragraph)</p><p>\(paragraph)</p><p>\(paragraph)</p></div>
            <div class="list"><a href="/x">相关新闻一</a><a href="/y">相关新闻二</a></div>
            </body></html>
            """
        let article = Extractor().extract(try Document(html: html))
        #expect(article.text == [paragraph, paragraph, paragraph].joined(separator: "\n\n"))
        #expect(article.language == "zh-CN")
    }

    @Test func pipelineRulesSelectRemoveAndDrop() throws {
        let html = """
            <html><body><div id="story"><p>Keep this paragraph, which is the article itself and long enough.</p>
            <p class="promo">Buy our magazine, now half price for new readers everywhere.</p>
            <p>Sponsored: a word from our partners about their products and services.</p></div>
            <div id="other"><p>Another block with plenty of text, commas, clauses, and words, that scores well.</p></div>
            </body></html>
            """
        let rules = ExtractionRules(
            body: try Selector("#story"), remove: [try Selector(".promo")], dropText: ["^Sponsored:"])
        let article = Extractor(rules: rules).extract(try Document(html: html))
        #expect(article.text == "Keep this paragraph, which is the article itself and long enough.")
    }

    @Test func metadataFromJSONLDOutranksMetaTags() throws {
        let html = """
            <html><head>
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},
            {"@type":"NewsArticle","headline":"From JSON-LD","author":[{"@type":"Person","name":"Ada Byron"},
            {"@type":"Person","name":"Charles Babbage"}],"datePublished":"2021-03-04T05:06:07Z",
            "image":["https://img.example.org/lead.jpg"]}]}</script>
            <meta property="og:title" content="From OpenGraph"><meta name="author" content="Meta Author">
            <meta property="og:image" content="https://img.example.org/og.jpg">
            <title>From title | Site</title></head><body><p>x</p></body></html>
            """
        let article = Extractor().extract(try Document(html: html))
        #expect(article.title == "From JSON-LD")
        #expect(article.author == "Ada Byron, Charles Babbage")
        #expect(article.published.map(Timestamp.rfc3339) == "2021-03-04T05:06:07Z")
        #expect(article.image == "https://img.example.org/lead.jpg")
    }

    static let storyParagraphs = [
        "The city's last independent cinema will close in March after ninety years, its owners said on Friday, blaming falling audiences.",
        "Ticket sales never recovered after the pandemic, and the building needs a new roof the family cannot afford without a buyer.",
        "A campaign to buy the cinema for the community has raised a third of the asking price in a fortnight, helped by a local brewery.",
        "Its organisers said they would ask the council for a loan to cover the rest before the sale closes at the end of January.",
        "The cinema opened in 1934 and still shows films from a projector restored by volunteers in 2015, one of few left in the country.",
        "Regulars gathered outside on Saturday with placards and flasks of tea, and the owners thanked them from the steps of the foyer.",
        "Whatever happens, the final screening will be the film it opened with, the owners added, and every seat will be free that night.",
        "Film clubs from three neighbouring towns have offered to run matinees through the winter to keep the doors open until then.",
        "The council said it would consider any request for a loan at its next meeting, but warned that its own budget was stretched.",
    ]

    /// A page drawn by scripts, as single-page applications serve it: an empty mount point, the navigation,
    /// and the article only in the JSON-LD.
    static func scriptPage(articleBody: String, inPage: String = "") -> String {
        let json = String(
            decoding: try! JSONSerialization.data(withJSONObject: [
                "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Last picture show",
                "articleBody": articleBody,
            ]), as: UTF8.self)
        return """
            <html><head><script type="application/ld+json">\(json)</script></head><body>
            <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/culture">Culture</a></nav>
            <div id="root">\(inPage)</div><noscript>Please enable JavaScript to use this site.</noscript>
            <script src="/bundle.js"></script></body></html>
            """
    }

    @Test func aPageDrawnByScriptsGivesItsJSONLDArticleBody() throws {
        let plain = Extractor().extract(
            try Document(
                html: Self.scriptPage(articleBody: Self.storyParagraphs.joined(separator: "\n\n")),
                url: "https://news.example.org/cinema"))
        #expect(plain.text == Self.storyParagraphs.joined(separator: "\n\n"))
        #expect(plain.html.hasPrefix("<p>The city"))

        // Some sites put markup in it; it is made safe like any body.
        let marked =
            Self.storyParagraphs.map { "<p>\($0)</p>" }.joined()
            + "<script>alert(1)</script><p onclick=\"x()\">End.</p>"
        let withMarkup = Extractor().extract(try Document(html: Self.scriptPage(articleBody: marked)))
        #expect(withMarkup.text.hasPrefix(Self.storyParagraphs[0] + "\n\n" + Self.storyParagraphs[1]))
        #expect(!withMarkup.html.contains("script") && !withMarkup.html.contains("onclick"))
    }

    @Test func thePageWinsOverAShorterOrTruncatedJSONLDBody() throws {
        let page = Self.storyParagraphs.map { "<p>\($0)</p>" }.joined()
        let truncated = String(Self.storyParagraphs.joined(separator: " ").prefix(500))
        let article = Extractor().extract(
            try Document(html: Self.scriptPage(articleBody: truncated, inPage: "<article>\(page)</article>")))
        #expect(article.text == Self.storyParagraphs.joined(separator: "\n\n"))
    }

    @Test func bylineLinksNameTheAuthorWhenMetadataDoesNot() throws {
        func author(_ header: String) throws -> String? {
            let html = """
                <html><body><nav><a href="/authors/">Authors</a> <a href="/about/">About</a></nav>
                <article><header>\(header)</header>
                <p>The first frost arrived overnight on Sunday, a week later than last year, and the plot looked white.</p>
                </article></body></html>
                """
            return Extractor().extract(try Document(html: html, url: "https://blog.example.net/2022/11/frost/")).author
        }
        // WordPress themes' byline: an hCard whose link goes to the author's page.
        #expect(
            try author(
                #"<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/maggie/">Maggie</a></span></span>"#
            ) == "Maggie")
        // The HTML standard's rel="author", "By" dropped; it outranks an earlier author-page link.
        #expect(
            try author(#"<a href="/author/ed/">Ed</a> <a rel="author" href="https://example.org/~pat">By Pat Lee</a>"#)
                == "Pat Lee")
        // A link to the list of authors names nobody.
        #expect(try author("<p>Posted on Monday</p>") == nil)
    }

    @Test func aDatedAddressDatesAnUndatedPage() throws {
        let html =
            "<html><body><article><p>The first frost arrived overnight on Sunday, a week late.</p></article></body></html>"
        func published(_ url: String) throws -> String? {
            let article = Extractor().extract(try Document(html: html, url: url))
            #expect(article.published == nil)
            return article.addressDate.map(Timestamp.rfc3339)
        }
        #expect(try published("https://blog.example.net/2022/11/14/first-frost/") == "2022-11-14T00:00:00Z")
        #expect(try published("https://news.example.org/world/2019/1/9/story.html") == "2019-01-09T00:00:00Z")
        // Numbers that are not a date, and a year and month without a day, say nothing.
        #expect(try published("https://shop.example.com/items/2022/13/40/") == nil)
        #expect(try published("https://blog.example.net/2022/11/first-frost/") == nil)
    }

    @Test func thePagesFirstPictureLeadsWhenNoImageIsNamed() throws {
        func image(_ head: String) throws -> String? {
            let html = """
                <html><head>\(head)</head><body><article>
                <p>The harbour board voted on Tuesday to open the old ferry pier to walkers from next spring.</p>
                <figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/pier.jpg" alt="The pier"></figure>
                <p>Engineers found the timber deck sound after a winter of tests, the board's report said.</p>
                </article></body></html>
                """
            return Extractor().extract(try Document(html: html, url: "https://news.example.org/2022/pier")).image
        }
        // The lazy-loaded picture's real address, made absolute.
        #expect(try image("") == "https://news.example.org/img/pier.jpg")
        #expect(
            try image(#"<meta property="og:image" content="https://cdn.example.org/lead.jpg">"#)
                == "https://cdn.example.org/lead.jpg")
    }

    @Test func metadataFallsBackToTheDocumentTitle() throws {
        let html = """
            <html><head><title>Council approves new library plans | The Gazette</title>
            <meta name="byl" content="By Sam Jones"></head><body><p>x</p><time datetime="2020-01-02">2 Jan</time></body></html>
            """
        let article = Extractor().extract(try Document(html: html))
        #expect(article.title == "Council approves new library plans")
        #expect(article.author == "Sam Jones")
        #expect(article.published.map(Timestamp.rfc3339) == "2020-01-02T00:00:00Z")
    }

    /// A standfirst set in the article's header beside the headline is the article's first paragraph; the
    /// headline, byline and date stay out, as does a header without the page's `<h1>` (a site banner).
    @Test func theLeadInTheArticlesHeaderOpensTheBody() throws {
        let lead =
            "After ninety years the last independent cinema in the city is to close, unless a campaign finds a buyer."
        let html = """
            <html><body>
            <header><p>The Valley Courier brings you the news of the valley and its towns every morning.</p></header>
            <article><header><h1>Last picture show</h1><p class="standfirst">\(lead)</p>
            <p class="byline">By Ann Lee</p></header>
            <div class="story">\(Self.storyParagraphs.map { "<p>\($0)</p>" }.joined())</div></article></body></html>
            """
        let article = Extractor().extract(try Document(html: html))
        #expect(article.text.hasPrefix(lead + "\n\n" + Self.storyParagraphs[0]), "\(article.text)")
        #expect(!article.text.contains("Last picture show") && !article.text.contains("Ann Lee"))
        #expect(!article.text.contains("Valley Courier"))
    }
}

/// Pages streamed by React's server rendering: the parts arrive late in `<div hidden id="S:…">` and are
/// put where their `<template id="B:…">` stands, in place of the "Loading…" fallback, as the page's script
/// would.
@Suite("Streamed server rendering")
struct StreamedSegmentTests {
    static let parts = [
        "Index funds hold every stock of a market index, so a single purchase spreads the money across hundreds of firms.",
        "Their fees are low because nobody picks the stocks: the fund follows the index and trades only when it changes.",
        "Over long periods most actively managed funds have earned less than the index funds that track their market.",
    ]

    static func page(comments: Bool) -> String {
        let boundaries = Self.parts.indices.map { index in
            comments
                ? "<!--$?--><template id=\"B:\(index)\"></template><div>Loading paragraph...</div><!--/$-->"
                : "<template id=\"B:\(index)\"></template><div>Loading paragraph...</div>"
        }.joined()
        let segments = Self.parts.enumerated().map { "<div hidden id=\"S:\($0)\"><p>\($1)</p></div>" }.joined()
        let links = (1...6).map { "<li><a href=\"/guide/\($0)\">Another guide to saving money, number \($0)</a></li>" }
        return """
            <html><head><title>How to invest in index funds</title></head><body>
            <main><h1>How to invest in index funds</h1><div class="article-body">\(boundaries)</div>
            <ul class="more-guides">\(links.joined())</ul></main>\(segments)</body></html>
            """
    }

    @Test(arguments: [true, false])
    func thePartsAreReadInTheirPlaces(comments: Bool) throws {
        let text = Extractor().extract(
            try Document(html: Self.page(comments: comments), url: "https://money.example/index-funds")
        )
        .text
        let positions = Self.parts.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(text)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(!text.contains("Loading paragraph"))
    }
}

/// A `<noscript>` holding more text than the rest of the page is the page a reader without scripts sees
/// (forum software serves its posts there, around an empty application shell); a small one in an ordinary
/// article stays out.
@Suite("Pages inside noscript")
struct NoscriptPageTests {
    static let posts = [
        "We're on the team plan and since last night's update the assistant refuses to review documents at all.",
        "Same here: it answers every request for a grammar check by pointing us to another product instead.",
        "It has been rolled back now, according to the status page, so please try again and tell us how it goes.",
    ]

    @Test func theForumThreadInsideNoscriptIsRead() throws {
        let posts = Self.posts.enumerated().map { index, text in
            "<div class=\"topic-body crawler-post\"><span class=\"creator\">member\(index)</span>"
                + "<div class=\"post\" itemprop=\"text\"><p>\(text)</p></div></div>"
        }.joined()
        let html = """
            <html><head><title>Update broke document reviews</title></head><body>
            <div id="app-shell"><div class="loading">Loading…</div></div>
            <noscript><div id="main-outlet" role="main"><h1>Update broke document reviews</h1>\(posts)</div></noscript>
            </body></html>
            """
        let text = Extractor().extract(try Document(html: html, url: "https://community.example.org/t/update/931")).text
        for post in Self.posts { #expect(text.contains(post), "\(text)") }
    }

    @Test func aNoticeInNoscriptStaysOut() throws {
        let html = """
            <html><head><title>Ferry slip to reopen</title></head><body><article><h1>Ferry slip to reopen</h1>
            <noscript><p>Please enable JavaScript in your browser to see the comments and the map of the harbour.</p></noscript>
            <p>The harbour trust voted on Monday to reopen the old ferry slip after three years of repairs to the pier.</p>
            <p>Boats will run every hour from May, and the trust expects the first season to pay for the upkeep.</p>
            </article></body></html>
            """
        let text = Extractor().extract(try Document(html: html, url: "https://news.example.org/ferry")).text
        #expect(text.contains("reopen the old ferry slip"), "\(text)")
        #expect(!text.contains("enable JavaScript"))
    }
}

@Suite("Pages that are not prose")
struct PageRegionTests {
    /// A shop's category page: a grid of cards, each a name, a line and a price, one card longer than the
    /// rest, between the site's menu and footer.
    static let shop: String = {
        let cards = (1...12).map { number in
            let line =
                number == 3
                ? "Hand-thrown in our studio from local clay, glazed in three colours, fired twice, and safe for the dishwasher and the oven."
                : "Stoneware, glazed by hand."
            return "<div class=\"card\"><a href=\"/p/\(number)\"><h3>Mug number \(number)</h3></a><p>\(line)</p>"
                + "<span class=\"price\">$\(number + 20).00</span></div>"
        }
        return """
            <html><body><nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
            <main><h1>Mugs</h1><p>Every mug is made to order.</p><div class="grid">\(cards.joined())</div></main>
            <footer><a href="/terms">Terms</a></footer></body></html>
            """
    }()

    @Test func aGridOfCardsIsTakenWhole() throws {
        let article = Extractor().extract(try Document(html: Self.shop, url: "https://shop.example/mugs"))
        for number in [1, 3, 7, 12] { #expect(article.text.contains("Mug number \(number)")) }
        #expect(article.text.contains("$32.00"))
        #expect(!article.text.contains("Terms"))
    }

    @Test func aStoryAmongHeadlineListsKeepsItsBody() throws {
        let headlines = (1...30).map {
            "<li><a href=\"/news/\($0)\">Headline number \($0) of the day's other news</a></li>"
        }
        let html = """
            <html><body><main><ul class="latest">\(headlines.joined())</ul>
            <div class="story"><p>The harbour master said on Tuesday that the new breakwater had held through the winter storms, the first test of the design since it was finished last spring.</p>
            <p>Boats that used to leave the bay in a gale stayed moored all season, and insurers have cut the premiums they charge the fishing fleet, according to the co-operative.</p></div>
            </main></body></html>
            """
        let article = Extractor().extract(try Document(html: html, url: "https://news.example/harbour"))
        #expect(article.text.hasPrefix("The harbour master said"))
        #expect(!article.text.contains("Headline number"))
    }

    /// The region is only copied and cleaned when, measured before cleaning, it could complete the body: a
    /// body of prose among text that is mostly links is turned down at once, a card among prose is not.
    @Test func aRegionOfLinksIsTurnedDownBeforeItIsCopied() throws {
        let document = try Document(
            html: """
                <html><body><div id="story"><p>The harbour master said on Tuesday that the new breakwater had held through the winter storms, the first test of the design since it was finished last spring.</p></div>
                <div id="card"><h3>Mug number 1</h3><p>Stoneware, glazed by hand.</p></div></body></html>
                """)
        let story = try #require(document.body?.select(try Selector("#story")).first)
        let card = try #require(document.body?.select(try Selector("#card")).first)
        let measured = TextStats.of(story)
        let links = TextStats(length: measured.length * 3, linkLength: measured.length * 2)
        let prose = TextStats(length: measured.length * 3, linkLength: measured.length / 2)
        #expect(!Extractor.mayComplete(story, measured: measured, region: links))
        #expect(Extractor.mayComplete(story, measured: measured, region: prose))
        #expect(!Extractor.mayComplete(story, measured: measured, region: TextStats(length: measured.length * 2)))
        // A card holds no paragraph of prose: what the region adds may be links and still complete it.
        #expect(Extractor.mayComplete(card, measured: TextStats.of(card), region: links))
    }
}

/// A short article beside a longer block that is not it (an author's biography): the page's own mark of its
/// article's body (`itemprop="articleBody"`) settles what the scores cannot.
@Suite("The page's mark of its body")
struct MarkedBodyTests {
    static let story = [
        "The county library on Mill Street will reopen on Monday after eighteen months of repairs, the council said.",
        "Readers will find the children's room moved to the ground floor and the history collection back on open shelves.",
    ]
    static let biography = (1...3).map {
        "Part \($0) of the author's life: she has written about libraries, museums and the arts in the county for twenty "
            + "years, after a decade at the regional paper, where she covered the council and its long arguments."
    }

    static func page(mark: String, posts: Bool = false) -> String {
        let body = story.map { "<p>\($0)</p>" }.joined()
        let others = biography.map { "<p>\($0)</p>" }.joined()
        let second = posts ? "<div class=\"post-body\">\(others)</div>" : "<div class=\"profile\">\(others)</div>"
        return """
            <html><body><h1>Library to reopen</h1><div class="post-body"\(mark)>\(body)</div>\(second)</body></html>
            """
    }

    @Test func theMarkedBodyWinsOverALongerBiography() throws {
        let text = Extractor().extract(try Document(html: Self.page(mark: #" itemprop="articleBody""#))).text
        #expect(text == Self.story.joined(separator: "\n\n"), "\(text)")
    }

    /// A thread marks its first post; the posts share their class, and the mark names no single body.
    @Test func aMarkedPostOfAThreadDoesNotStandForIt() throws {
        let html = Self.page(mark: #" itemprop="articleBody""#, posts: true)
        let text = Extractor().extract(try Document(html: html)).text
        #expect(text.contains(Self.biography[2]), "\(text)")
    }
}
