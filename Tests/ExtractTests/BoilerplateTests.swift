import Foundation
import Markup
import TestSupport
import Testing

@testable import Extract

@Suite("Boilerplate text rules")
struct BoilerplateTests {
    @Test(arguments: [
        "We use your sign-up to provide content in ways you've consented to and to improve our understanding of you.",
        "Source: Read Full Article",
        "Read Full Article",
        "Read the full story",
        "Putin sends Belarus terrifying weapons over NATO panic [NEWS]",
        "Belarus posed for ‘covert’ military campaign in Ukraine [REVEAL]\nPutin’s plot to ‘crush’ NATO exposed [INSIGHT]",
        "Queen’s final wish revealed by royal aide [PICS]",
        // Under a heading, and with the separators some pages set between the lines.
        "DON'T MISS\nPlague warning: CDC names EIGHT deadly diseases [WARNING]\nPlane passengers quarantined [NEWS]",
        "China furious at Macron for protest jibe [INSIGHT]|\nLakers vs Nets: NBA make final decision [VIDEO]",
        "Advertisement",
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "Share this article",
        "Share on Facebook",
        "Share: Facebook | Twitter | Email",
        "We use cookies to improve your experience.",
        "This website uses cookies to ensure you get the best experience.",
        "Leave a comment",
        "12 Comments",
        "Sign up to our newsletter for the best stories every morning",
        "You can unsubscribe at any time.",
        "Join our mailing list for new recipes every week",
        "Did you make this recipe? Tag us so we can see it!",
        "How was today's newsletter?",
        "Other posts you might like",
        "Subscribe",
        "Book a demo",
        "Start your free trial",
        "TRY IT FOR FREE",
        "Get a free quote!",
    ])
    func furnitureIsRecognised(text: String) {
        #expect(Boilerplate.isFurnitureText(text))
    }

    @Test(arguments: [
        "The officers wrote that they would not read the full article of the constitution aloud.",
        "Cookies were handed out to the volunteers who spent the night counting otters [sic] along the river.",
        "Share prices fell by four per cent on Tuesday after the company warned on profits.",
        "Comments by the minister drew criticism from the opposition, who said the plan was unfunded.",
        "NATO [North Atlantic Treaty Organization] members met in Brussels on Thursday to discuss the request.",
        "He said: “We use your sign-up sheets to plan the rota,” adding that the list was full.",
        "Advertisement spending rose by a third during the tournament, according to industry figures.",
        "Don't miss\nThe council will vote on the plan in March, the mayor said on Tuesday.",
        "Join our team of volunteers on Saturday, when the beach clean starts at nine by the lifeboat station.",
        "How was the bridge built? Engineers floated each span down the river on barges in the spring of 1931.",
        "Get started early on the beds: the almanac says the last frost will come late this year.",
    ])
    func proseIsKept(text: String) {
        #expect(!Boilerplate.isFurnitureText(text))
    }

    @Test func classAndIDWordsMarkFurniture() {
        #expect(Boilerplate.isNegative("social-share-bar"))
        #expect(Boilerplate.isNegative("newsletterSignup"))
        #expect(Boilerplate.isNegative("ad slot-top"))
        #expect(!Boilerplate.isNegative("header-image"))
        #expect(!Boilerplate.isNegative("with-sidebar-layout") && !Boilerplate.isNegative("container has-sidebar"))
        #expect(Boilerplate.isNegative("sidebar-right") && Boilerplate.isNegative("has-sidebar sidebar"))
        #expect(!Boilerplate.isNegative("article-body"))
        #expect(Boilerplate.isPositive("article-body"))
    }
}

/// A notice ends a paragraph, not the article around it: a short body whose last line is "To read this
/// article in full, please click here" keeps its paragraphs (it came out empty: the wrappers' text, judged
/// whole, ended with the notice).
@Suite("Notices inside short bodies")
struct NoticeInsideShortBodyTests {
    @Test(arguments: [
        "<p>To read this article in full, please <a href=\"/register\">click here</a></p>",
        "<div>To read this article in full, please click here.</div>",
    ])
    func theNoticeGoesAndTheParagraphsStay(notice: String) throws {
        let html = """
            <html><head><title>Vendor patches router flaw</title></head><body>
            <header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
            <div class="page"><section class="article-body"><h1>Vendor patches router flaw</h1>
            <p>The vendor released firmware on Tuesday that closes a flaw letting attackers take over home routers remotely.</p>
            <p>Owners should install the update from the settings page; automatic updates reach most units within a week.</p>
            \(notice)
            </section></div><footer><a href="/about">About us</a></footer></body></html>
            """
        let article = Extractor().extract(try Document(html: html, url: "https://tech.example.org/router-flaw"))
        #expect(article.text.contains("The vendor released firmware on Tuesday"), "\(article.text)")
        #expect(article.text.contains("automatic updates reach most units"))
        #expect(!article.text.contains("click here"))
    }
}

/// A list the article gives — links to other sites between its paragraphs — is content; a related-stories
/// list of the site's own links, or one closing the article, is not.
@Suite("Lists of links in the body")
struct ListedContentTests {
    static func page(links: [String], closing: Bool) -> String {
        let items = links.enumerated().map { "<li><a href=\"\($1)\">Tool number \($0 + 1)</a></li>" }.joined()
        let after = closing ? "" : "<p>We review the list every year and drop whatever we no longer open at all.</p>"
        return """
            <html><head><title>Tools we use</title></head><body><nav><a href="/">Home</a></nav><article><h1>Tools we use</h1>
            <p>These are the tools our team relies on each day, and why we keep paying for every one of them.</p>
            <ul>\(items)</ul>\(after)</article><footer>About</footer></body></html>
            """
    }

    static func text(_ html: String) throws -> String {
        Extractor().extract(try Document(html: html, url: "https://blog.example.org/tools")).text
    }

    @Test func aListOfOtherSitesAmongTheParagraphsStays() throws {
        let links = ["https://alpha.example/", "https://www.beta.example/app", "https://gamma.example/"]
        let text = try Self.text(Self.page(links: links, closing: false))
        #expect(text.contains("Tool number 1") && text.contains("Tool number 3"), "\(text)")
    }

    @Test func theSitesOwnLinksOrAClosingListGo() throws {
        let own = ["https://blog.example.org/a", "/b", "https://www.blog.example.org/c"]
        #expect(!(try Self.text(Self.page(links: own, closing: false))).contains("Tool number"))
        let others = ["https://alpha.example/", "https://beta.example/", "https://gamma.example/"]
        #expect(!(try Self.text(Self.page(links: others, closing: true))).contains("Tool number"))
    }
}

/// A `<footer>` outside every sectioning element is the page's (address, contact, legal lines); one inside the
/// article is the article's own closing part.
@Suite("Page footers")
struct PageFooterTests {
    static func text(footer: String, insideArticle: Bool) throws -> String {
        let body = """
            <p>The harbour trust voted on Monday to reopen the old ferry slip after three years of repairs to the pier.</p>
            <p>Boats will run every hour from May, and the trust expects the first season to pay for the upkeep.</p>
            """
        let article =
            insideArticle ? "<article>\(body)\(footer)</article>" : "<div class=\"story\">\(body)\(footer)</div>"
        let html = """
            <html><head><title>Ferry slip to reopen</title></head><body><nav><a href="/">Home</a></nav>
            <div class="wrap"><h1>Ferry slip to reopen</h1>\(article)</div></body></html>
            """
        return Extractor().extract(try Document(html: html, url: "https://news.example.org/ferry")).text
    }

    static let footer = """
        <footer><p>The Quay Gazette is published weekly by the Harbour Press Cooperative, twelve Quay Street, and is \
        printed on recycled paper by our members, who meet every second Thursday of the month.</p></footer>
        """

    @Test func thePagesFooterGoes() throws {
        let text = try Self.text(footer: Self.footer, insideArticle: false)
        #expect(text.contains("reopen the old ferry slip"), "\(text)")
        #expect(!text.contains("Harbour Press Cooperative"), "\(text)")
    }

    @Test func theArticlesFooterStays() throws {
        let text = try Self.text(footer: Self.footer, insideArticle: true)
        #expect(text.contains("Harbour Press Cooperative"), "\(text)")
    }
}

/// Page builders put the article's blocks in boxes named "widget"; inside `<main>` the word marks no
/// furniture, while the widgets of a sidebar outside it still go.
@Suite("Widgets in the main content")
struct MainContentWidgetTests {
    @Test func theArticlesWidgetsStayAndTheSidebarsGo() throws {
        func widget(_ text: String) -> String {
            "<div class=\"so-panel widget widget_sow-editor\"><div class=\"textwidget\"><p>\(text)</p></div></div>"
        }
        let html = """
            <html><head><title>Pricing for electrical services</title></head><body>
            <section class="title-bar"><h1>Pricing for electrical services</h1></section>
            <div class="page-with-sidebar"><main><div class="panel-layout">
            \(widget("This guide gives the prices of our electrical services in and around the city, from a visit to a new panel."))
            \(widget("Troubleshooting a house without power costs a flat fee, which includes the call and the diagnosis of the fault."))
            \(widget("Replacing a breaker in the panel, or the panel itself, is priced by the part and the hours the work needs."))
            </div></main>
            <aside><div class="widget widget_text"><p>Call us today for a quote, any day of the week, from eight in the morning until late.</p></div></aside>
            </div></body></html>
            """
        let text = Extractor().extract(try Document(html: html, url: "https://electric.example.com/pricing/")).text
        #expect(text.contains("This guide gives the prices"), "\(text)")
        #expect(text.contains("flat fee"))
        #expect(text.contains("priced by the part"))
        #expect(!text.contains("Call us today"))
    }
}

/// A box named like furniture around an `<article>` with the page's `<h1>`, or with paragraphs of prose,
/// holds the story itself.
@Suite("Articles inside furniture-named boxes")
struct TitledArticleInsideFurnitureTests {
    @Test(arguments: [true, false])
    func theArticleInsideAPostsSlotStays(titled: Bool) throws {
        let notes = (1...7).map { number in
            "<p>Note \(number): the office is closed on public holidays, and letters sent then are answered later.</p>"
        }.joined()
        let html = """
            <html><head><title>Enrolment open for Spanish classes</title></head><body>
            <section class="widget widget_posts_slot"><article class="single-post">
            \(titled ? "<h1>Enrolment open for Spanish classes</h1>" : "")<div class="body">
            <p>The cultural institute has begun enrolment for new students who want to join its Spanish courses this winter, in the town and online, for adults and children alike.</p>
            <p>Enrolment runs until the sixth of January, and classes begin the week after, the institute said in a release on Friday morning, with places limited this year.</p>
            <p>Learning the language opens doors to new cultures, strengthens ties across the region, and brings people together, it added in the same release on Friday.</p>
            </div></article></section>
            <div class="notes">\(notes)</div></body></html>
            """
        let text = Extractor().extract(try Document(html: html, url: "https://news.example.org/spanish-classes")).text
        #expect(text.contains("has begun enrolment for new students"), "\(text)")
        #expect(text.contains("classes begin the week after"))
    }
}

/// A box named for a notice (newsletter, promotion) holding paragraphs of prose is the page's content; the
/// sign-up form beside it still goes.
@Suite("Prose in notice-named boxes")
struct ProseInNoticeBoxTests {
    @Test func theNewslettersIssueStaysAndItsSignUpGoes() throws {
        let paragraphs = [
            "This month's letter is about sleep: how light in the first hour after waking sets the clock that decides when we feel tired again at night, every night.",
            "Morning light through a window is weaker than light outdoors, even on a cloudy day, so ten minutes outside does more than an hour at the desk by the window.",
            "In the evening the reverse holds: dim the lights after sunset, keep screens low, and the body's own signal to sleep arrives on time, most nights of the week.",
            "Caffeine has a long half-life, so a coffee at three in the afternoon is still, in part, in the blood at midnight, and sleep is lighter and shorter for it.",
            "Temperature matters too: a cool room, a warm shower before bed, and cold feet warmed up all help the drop in core temperature that deep sleep needs.",
            "None of this is new, but together, and kept up for a few weeks, these habits do more for most people than any pill or gadget sold for better sleep.",
        ].map { "<p>\($0)</p>" }.joined()
        // More text than the issue, in lines too short to be its body.
        let notes = (1...16).map { "<p>Note \($0) says the office is closed on public holidays and replies later</p>" }
            .joined()
        let html = """
            <html><body><main><section class="section-hero cc-newsletter">
            <div class="toc"><a href="#light">Light</a> <a href="#heat">Heat</a>
            <div class="newsletter-signup"><p>Join our newsletter for more tools.</p></div></div>
            <div class="issue"><div class="rich-text">\(paragraphs)</div></div></section>
            <div class="notes">\(notes)</div></main></body></html>
            """
        let text = Extractor().extract(try Document(html: html, url: "https://letters.example/sleep")).text
        #expect(text.hasPrefix("This month's letter is about sleep"), "\(text)")
        #expect(text.contains("any pill or gadget sold for better sleep."))
        #expect(!text.contains("Join our newsletter"))
    }
}

/// A "jump link" block (a menu of the article's sections, then the sections) holds the article.
@Suite("Jump-link sections")
struct JumpLinkSectionTests {
    @Test func theSectionsAfterTheMenuStay() throws {
        let offer =
            "This month only every new unit ships free to most addresses in the country and the price includes "
            + "a second sensor for the upstairs rooms and a year of the premium app which shows the savings each week"
        let offers = (1...3).map { "<p>Offer \($0). \(offer).</p>" }.joined()
        let html = """
            <html><head><title>Can a smart thermostat save you money?</title></head><body>
            <article><h1>Can a smart thermostat save you money?</h1>
            <div class="paragraph paragraph--type--jump-link"><ul class="jump-link-menu"><li><a href="#a">Savings</a></li>
            <li><a href="#b">Setup</a></li></ul><div class="jump-link-items">
            <div id="a"><h2>Savings</h2><p>Smart thermostats cut the yearly cost of heating, cooling, and hot water by a twelfth, the agency says.</p>
            <p>Homes that sit empty during the day, like flats, save the most, since the heating stays low until later.</p></div>
            <div id="b"><h2>Setup</h2><p>Most models take under an hour to fit, and the apps walk owners, step by step, through the old wiring.</p>
            <p>A common wire is needed for power; where the wiring lacks one, an adapter, in the box, adds it for you.</p></div>
            </div></div></article>
            <div class="offers">\(offers)</div></body></html>
            """
        let text = Extractor().extract(try Document(html: html, url: "https://home.example.com/thermostats")).text
        #expect(text.contains("cut the yearly cost of heating"), "\(text)")
        #expect(text.contains("walk owners, step by step"))
    }
}

/// A template that indents with kilobytes of white space: the box holding most of what a reader sees is
/// kept whatever it is called, though it holds less than half of the page's bytes.
@Suite("Indented templates")
struct IndentedTemplateTests {
    @Test func theGuideInAPageFooterBoxStays() throws {
        let indent = String(repeating: "\t", count: 400)
        let padding = (1...40).map { "<div class=\"slot\">\n\(indent)<span>\($0)</span>\n\(indent)</div>" }.joined()
        let guide = (1...5).map { number in
            "<h3>Stop \(number)</h3><p>The \(number) stop on the walk is a bakery that opens at six, sells rye by the kilo, "
                + "and keeps a bench outside for those who cannot wait to eat.</p>"
        }.joined()
        let html = """
            <html><body>\(padding)<div class="page"><div class="page-lead"><p>Five places to stop on a morning walk through the old town, from the bakery by the gate to the café on the square, chosen by our readers over the summer, with the hours they open and what to order when you get there, and a map at the end.</p></div>
            <div class="page-footer"><div class="venues">\(guide)</div></div></div></body></html>
            """
        let text = Extractor().extract(try Document(html: html, url: "https://guide.example/walk")).text
        #expect(text.contains("The 1 stop on the walk"), "\(text)")
        #expect(text.contains("The 5 stop on the walk"))
    }
}

/// A store app that hides the product until a script has checked the visitor: the hidden box holds most of
/// `<main>`, and the product is read.
@Suite("Content hidden until a script shows it")
struct HiddenMainContentTests {
    @Test func theHiddenProductInMainIsRead() throws {
        let description = (1...3).map { number in
            "<p>Roast \(number) is dark, smooth and strong, with notes of cocoa and cherry, ground to order and "
                + "shipped the day after roasting.</p>"
        }.joined()
        let links = (1...40).map { "<li>Store policy line \($0) about returns and shipping times</li>" }.joined()
        let html = """
            <html><body><main><div class="lockdown-content" style="display:none;"><h1>Dark roast</h1>\(description)</div></main>
            <div class="site-info"><ul>\(links)</ul></div></body></html>
            """
        let text = Extractor().extract(try Document(html: html, url: "https://coffee.example/p/dark")).text
        #expect(text.contains("Roast 1 is dark, smooth and strong"), "\(text)")
        #expect(text.contains("Roast 3 is dark"))
    }
}

/// An accordion or a "read more" disclosure: its panels are hidden until a button that names them
/// (`aria-controls`) is pressed, and their text is the page's own. A dialog opened the same way is not.
@Suite("Collapsed panels")
struct CollapsedPanelTests {
    static let page = """
        <html><body><main><article><h1>Going solar, step by step</h1>
        <p>Installing solar panels takes about three months from the first quote to the day the system is switched on, most of it paperwork.</p>
        <p>The steps below are the ones every installer follows, whatever the size of the roof and the system.</p>
        <button aria-controls="step-1" aria-expanded="false">1. Understand your electric bill</button>
        <div id="step-1" role="region" style="display: none"><p>Gather twelve months of bills first: the higher your usage, the larger the system, and the more a panel saves you every month of the year, so the bills are the first thing an installer asks for.</p></div>
        <button aria-controls="step-2 step-2-note" aria-expanded="false">2. Check your roof</button>
        <div id="step-2" hidden><p>Shade, the roof's angle towards the sun and its age decide how much a panel makes; an old roof is best replaced before the panels go up, since taking them down again costs as much as a new roof.</p></div>
        <button aria-controls="step-3" aria-expanded="false">3. Compare quotes</button>
        <div id="step-3" style="display:none"><ul><li>Ask each installer for the panels' make and warranty.</li><li>Compare the price per watt, not the total.</li><li>Check the installer's licence.</li></ul></div>
        <button aria-controls="signup">Get our newsletter</button>
        <div id="signup" role="dialog" style="display:none"><p>Sign up to receive the best solar deals in your inbox every week, with offers from installers near you and more.</p></div>
        <div id="unlinked" style="display:none"><p>This box is hidden and no control on the page opens it, so a reader never sees it, whatever it says here.</p></div>
        </article></main></body></html>
        """

    @Test func panelsThatAControlOpensAreRead() throws {
        let text = Extractor().extract(try Document(html: Self.page, url: "https://solar.example/guide")).text
        #expect(text.contains("Gather twelve months of bills first"), "\(text)")
        #expect(text.contains("Shade, the roof's angle"))
        #expect(text.contains("Compare the price per watt"))
    }

    @Test func aDialogOrAnUnopenedHiddenBoxIsNot() throws {
        let text = Extractor().extract(try Document(html: Self.page, url: "https://solar.example/guide")).text
        #expect(!text.contains("Sign up to receive"), "\(text)")
        #expect(!text.contains("no control on the page opens it"))
    }
}

@Suite("Code blocks keep their highlighted tokens")
struct CodeTokenTests {
    @Test func commentTokensInACodeBlockAreKept() throws {
        let prose = String(
            repeating: "Version control is part of every developer's toolkit, whatever the size of the project. ",
            count: 3)
        let page = """
            <html><body><article><h1>A brief introduction to git</h1><p>\(prose)</p><p>\(prose)</p>
            <pre><code class="language-bash hljs"><span class="hljs-comment"># stage every modified file</span>
            git add -A
            <span class="token comment"># amend the last commit's message</span>
            git commit --amend</code></pre><p>\(prose)</p></article></body></html>
            """
        let text = Extractor().extract(try Document(html: page, url: "https://dev.example/git")).text
        #expect(text.contains("# stage every modified file"), "\(text)")
        #expect(text.contains("# amend the last commit's message"))
        #expect(text.contains("git commit --amend"))
    }
}

@Suite("Lists whose items say something besides their links")
struct AnnotatedListTests {
    static let page: String = {
        let prose =
            "Park Hyatt is the most refined brand of its group, known for its art programmes, quiet rooms, and dining rooms led by celebrated chefs in every city it opens in."
        return """
            <html><body><article><h1>The ten best hotel brands</h1><p>\(prose)</p><p>\(prose)</p>
            <ul>
            <li><strong>Official website</strong>: <a href="https://hotels.example/">Park Hyatt</a></li>
            <li><strong>Flagship hotel</strong>: <a href="https://hotels.example/ny">Park Hyatt New York</a>, USA<ul>
            <li>This hotel is on my lists of the <a href="/best-new-york">best luxury hotels in New York City</a> and the <a href="/best-pools">most stunning indoor hotel pools in the world</a>.</li>
            <li>Read my review of this property <a href="/review-park-hyatt">here</a>.</li></ul></li>
            <li><strong>My favourite hotel</strong>: <a href="https://hotels.example/bangkok">Park Hyatt Bangkok</a>, Thailand<ul>
            <li>This hotel is on my lists of the <a href="/best-bangkok">ten best hotels in Bangkok</a> and <a href="/best-new">the best new hotels of the year</a>.</li></ul></li>
            </ul>
            <p>\(prose)</p>
            <ul><li><a href="/one">The best hotels in Paris this year</a></li><li><a href="/two">The best hotels in Rome this year</a></li>
            <li><a href="/three">The best hotels in Tokyo this year</a></li></ul>
            </article></body></html>
            """
    }()

    @Test func aListOfLinksWithWordsOfItsOwnKeepsThemAndABareOneDoesNot() throws {
        let text = Extractor().extract(try Document(html: Self.page, url: "https://travel.example/brands")).text
        #expect(text.contains("Flagship hotel: Park Hyatt New York, USA"), "\(text)")
        #expect(text.contains("most stunning indoor hotel pools"))
        #expect(text.contains("Read my review of this property here."))
        #expect(!text.contains("The best hotels in Rome"))
    }
}

@Suite("Short lists of the article's own lines")
struct ShortListTests {
    @Test func aOneItemListOfAParagraphIsKept() throws {
        let prose =
            "Grain bowls are versatile and nutritious, a base of whole grains like quinoa, brown rice, or farro, topped with vegetables, proteins, and healthy fats."
        let page = """
            <html><body><article><h1>Catering trends</h1><p>\(prose)</p>
            <h4><strong>1. Salad bars</strong></h4><p>\(prose)</p>
            <ul><li><p><strong>Benefits</strong>: customizable, accommodates different dietary needs, and promotes healthy eating.</p></li></ul>
            <h4><strong>2. Grain bowls</strong></h4><p>\(prose)</p>
            <ul><li><p><strong>Benefits</strong>: a balanced meal, high in fiber and nutrients, and satisfying for long hours of work.</p></li></ul>
            <p>\(prose)</p></article></body></html>
            """
        let text = Extractor().extract(try Document(html: page, url: "https://food.example/trends")).text
        #expect(text.contains("Benefits: customizable, accommodates"), "\(text)")
        #expect(text.contains("Benefits: a balanced meal"))
    }
}

@Suite("Lists a sentence introduces")
struct IntroducedListTests {
    @Test func aListOfLinksThatASentenceIntroducesIsKeptInsideItsWrappers() throws {
        let prose =
            "The project is a code generator for the compiler, meaning that it can be loaded by the existing front end, but benefits from having more architectures supported."
        let page = """
            <html><body><article><h1>Progress report</h1>
            <div class="paragraph"><p>\(prose)</p></div>
            <div class="paragraph"><p>There has been some nice progress these past months, and many patches were sent for review:</p></div>
            <div class="ulist"><ul>
            <li><p><a href="https://forge.example/pulls/97">Make is_same_type_as() support floating point types</a></p></li>
            <li><p><a href="https://forge.example/pulls/98">Allow casts between integers and pointers</a></p></li>
            <li><p><a href="https://forge.example/pulls/99">Add support for the weak variable attribute</a></p></li>
            </ul></div>
            <div class="paragraph"><p>\(prose)</p></div><div class="paragraph"><p>\(prose)</p></div>
            </article></body></html>
            """
        let text = Extractor().extract(try Document(html: page, url: "https://blog.example/report")).text
        #expect(text.contains("Allow casts between integers and pointers"), "\(text)")
        #expect(text.contains("Add support for the weak variable attribute"))
    }
}

/// Boxes inside the body that promote the publication's other pages.
@Suite("Promotion boxes in the body")
struct PromotionBoxTests {
    static let story = [
        "The county library on Mill Street will reopen on Monday after eighteen months of repairs to its roof and heating, the council said on Thursday.",
        "Readers will find the children's room moved to the ground floor, a new study area upstairs, and the local history collection back on open shelves.",
        "The work cost 2.4 million pounds, most of it from a heritage grant, and was delayed twice when builders found rot in the old timber beams.",
        "Opening hours stay as before, nine to seven on weekdays and ten to four on Saturdays, and the mobile library keeps its rounds of the villages.",
    ]

    static func page(box: String) -> String {
        let paragraphs = story.map { "<p>\($0)</p>" }
        return "<html><body><article><h1>Library to reopen</h1>" + paragraphs[0...1].joined() + box
            + paragraphs[2...3].joined() + "</article></body></html>"
    }

    static let teaser =
        "Our March issue looks at the cost of keeping old buildings warm, and at the grants for listed homes."

    @Test(arguments: [
        #"<div class="box"><h4>From the issue</h4><p>\#(teaser)</p><a href="/issues/march">Read the issue</a></div>"#,
        #"<div class="callout"><h3>Highlights</h3><p>\#(teaser)</p></div>"#,
        #"<section><strong>Most popular</strong><p>\#(teaser)</p></section>"#,
    ])
    func aBoxOpenedByAPromotionHeadingGoes(box: String) throws {
        let text = Extractor().extract(try Document(html: Self.page(box: box))).text
        #expect(text == Self.story.joined(separator: "\n\n"), "\(text)")
    }

    @Test(arguments: ["See also", "Background"])
    func aNoteOfTheArticlesOwnStays(heading: String) throws {
        let box = #"<div class="note"><h4>\#(heading)</h4><p>\#(Self.teaser)</p></div>"#
        let text = Extractor().extract(try Document(html: Self.page(box: box))).text
        #expect(text.contains(Self.teaser), "\(text)")
    }
}

/// Readers' comments named for their parts: the word "body" or "content" in `comment-body` is the comment's.
@Suite("Comments named as bodies")
struct CommentBodyTests {
    /// A short post and a longer thread after it, as Blogger writes one: the thread holds most of the page.
    @Test(arguments: ["comment-body", "commentbody by-ann", "comments-content"])
    func aCommentsBodyIsNoArticle(name: String) throws {
        let story = (1...2).map {
            "<p>Paragraph \($0) of the post: the allotment flooded again this week, and the leeks will not survive it.</p>"
        }
        let comments = (1...8).map {
            "<dt class=\"comment-author\">Reader \($0) said...</dt><dd class=\"\(name)\"><p>So sorry about the leeks, "
                + "ours went the same way last year when the river came over the bank, and we lost the onions too.</p></dd>"
        }
        let html = """
            <html><body><div class="post"><h3 class="post-title">Floods again</h3>
            <div class="post-body entry-content">\(story.joined())</div></div>
            <div id="comments"><h4>8 Comments:</h4><dl id="comments-block">\(comments.joined())</dl></div></body></html>
            """
        let text = Extractor().extract(try Document(html: html)).text
        #expect(text.contains("Paragraph 2 of the post"))
        #expect(!text.contains("onions"), "\(text)")
    }

    /// A blog post under a thread of readers' comments that holds most of the page (dragnet-train R220): the
    /// thread's size does not make it the page's layout. Before, the page came out as its comments (F1 0.05).
    @Test func aCommentThreadLongerThanThePostIsStillComments() throws {
        let corpus = Repository.root.appendingPathComponent("../shared/dragnet-train")
        let page = try Tool.gunzip(corpus.appendingPathComponent("html/R220.html.gz"))
        let truth = try JSONSerialization.jsonObject(
            with: Data(contentsOf: corpus.appendingPathComponent("ground-truth.json")))
        let entry = try #require((truth as? [String: [String: Any]])?["R220"])
        let without = try #require(entry["without"] as? [String])
        try #require(!without.isEmpty)
        let text = Extractor().extract(try Document(html: page)).text
        #expect(text.contains("It began back in 2007"), "\(text.prefix(300))")
        #expect(without.filter { text.contains($0) }.isEmpty)
    }

    @Test func anotherTokenStillProtects() {
        #expect(Boilerplate.isProtected("entry-content has-comments"))
        #expect(!Boilerplate.isProtected("comment-body"))
        #expect(Boilerplate.isProtected("main-column"))
    }
}
