import Foundation
import Markup

/// What marks an element as page furniture rather than article: class and id words, ARIA roles, and the
/// text of blocks that every news site repeats (sign-up notices, share bars, "Read Full Article" links…).
enum Boilerplate {
    // MARK: Class and id hints

    /// Words in class or id that mark navigation, sharing, sign-up, comments, ads and the like. Long words
    /// match anywhere ("articleShareBar"); short ones only as whole tokens ("ad", not "header"). Not
    /// "jump-link": CMSs call a block of sections after their menu that (WCXB dev articles 0.933 → 0.934,
    /// scrapinghub unchanged).
    static let negativeFragments = [
        "comment", "disqus", "newsletter", "subscri", "signup", "sign-up", "cookie", "consent", "gdpr",
        "related", "recommend", "sponsor", "advert", "breadcrumb", "sidebar", "outbrain", "taboola",
        "social", "sharing", "share", "promo", "popup", "masthead", "pagination", "trending", "mostread",
        "most-read", "readmore", "read-more", "morestories", "more-stories", "footer", "widget", "navbar",
        "banner", "byline", "author-bio", "authorbio", "toolbar", "paywall-prompt", "skip-link",
        "gallery", "slideshow", "carousel",
    ]
    static let negativeTokens = TagSet([
        "ad", "ads", "adv", "advertisement", "nav", "menu", "tag", "tags", "modal", "rss", "print", "tools",
        "bio", "meta", "login", "signin", "subnav", "topics", "keywords", "rating",
        "dialog", "overlay", "donate", "survey", "credits",
    ])
    /// Words that mark the article itself.
    static let positiveFragments = [
        "article", "content", "entry", "story", "post", "text", "main", "blog", "hentry", "prose", "body",
        "column",
    ]

    /// Words that name a consent prompt (cookie and privacy banners, consent managers' dialogs).
    static let consentWords = FragmentSet([
        "consent", "gdpr", "cookiebanner", "cookie-banner", "cookie_banner", "cookienotice", "cookie-notice",
        "cookie_notice", "cookiebot", "cookiebar", "cookie-bar", "cookie-law", "cookie-popup", "cookie-modal",
        "cookie-dialog",
    ])

    private static let negativeFragmentSet = FragmentSet(negativeFragments)
    private static let positiveFragmentSet = FragmentSet(positiveFragments)
    private static let protectingFragmentSet = FragmentSet(protectingFragments)

    static func isNegative(_ classAndID: String, inMainContent: Bool = false, holdingProse: Bool = false) -> Bool {
        guard !classAndID.isEmpty else { return false }
        var lowered = TextBytes.lowercasedASCII(classAndID)
        if layoutPrefixes.occurs(in: lowered) {
            for prefix in layoutPrefixBytes { TextBytes.blankOut(prefix, in: &lowered) }
        }
        if inMainContent { TextBytes.blankOut(widgetBytes, in: &lowered) }
        blankOutTaxonomy(in: &lowered)
        if holdingProse { for notice in noticeBytes { TextBytes.blankOut(notice, in: &lowered) } }
        return lowered.withUnsafeBufferPointer { bytes in
            negativeFragmentSet.occurs(in: bytes) || TextBytes.hasWord(in: bytes, from: negativeTokens)
        }
    }

    /// WordPress's `post_class()` names the post's own element by its terms, `tag-<slug>` and
    /// `category-<slug>`, beside `hentry`, `type-post` or `status-publish`: there they say what the post is
    /// about, not that the element is a box of tags. Those class tokens are blanked out before the words are
    /// read (a story tagged "newsletter" or filed under "sidebar" is still the story).
    static func blankOutTaxonomy(in lowered: inout [UInt8]) {
        guard postClassMarkers.contains(where: { TextBytes.contains(lowered, $0) }) else { return }
        var start = 0
        while start < lowered.count {
            var end = start
            while end < lowered.count, lowered[end] != 0x20 { end += 1 }
            let token = lowered[start..<end]
            if taxonomyPrefixes.contains(where: { token.starts(with: $0) && token.count > $0.count }) {
                lowered.replaceSubrange(start..<end, with: repeatElement(0x20, count: end - start))
            }
            start = end + 1
        }
    }

    static let postClassMarkers = ["hentry", "type-post", "status-publish", "format-standard"].map { Array($0.utf8) }
    static let taxonomyPrefixes = ["tag-", "category-", "post_tag-", "tag_"].map { Array($0.utf8) }

    /// Words that name a layout, not furniture. Page builders call every block a widget: Elementor, the most
    /// used WordPress builder, gives each layout box `elementor-widget-wrap` / `elementor-widget-container`,
    /// the article's own box included; what follows still counts (`elementor-widget-share-buttons`). And a
    /// box `with-sidebar-layout` or `has-sidebar` holds the column beside the sidebar as well as the
    /// sidebar: WCXB dev articles 0.941 → 0.942 (a page whose article came out as its menu is whole, none
    /// worse); scrapinghub unchanged.
    static let layoutWords = ["elementor-widget", "with-sidebar", "has-sidebar", "no-sidebar", "sidebar-layout"]
    static let layoutPrefixBytes = layoutWords.map { Array($0.utf8) }
    private static let layoutPrefixes = FragmentSet(layoutWords)

    /// Other builders (SiteOrigin's `so-panel widget widget_sow-editor`, WordPress's `textwidget`) put the
    /// article's blocks in widgets too; inside the page's `<main>` or `<article>` the word says nothing.
    /// WCXB dev articles: F1 0.931 → 0.932 (an empty page gets its article, two others most of theirs);
    /// scrapinghub unchanged.
    static let widgetBytes = Array("widget".utf8)

    /// Whether an element's class or id words mark it as furniture. Notice words do not when it holds
    /// paragraphs of prose: WCXB dev articles 0.942 → 0.944, a newsletter's issue that came out as its
    /// sign-up form is whole, none worse; scrapinghub unchanged.
    static func isNegative(_ node: Node, words: String, inMainContent: Bool = false) -> Bool {
        isNegative(words, inMainContent: inMainContent)
            && (isNegative(words, inMainContent: inMainContent, holdingProse: true) || !holdsProse(node))
    }

    /// Whether `paragraphs` paragraphs of prose (150 characters or more each) are inside.
    static func holdsProse(_ node: Node, paragraphs: Int = 3) -> Bool {
        var prose = 0
        return node.descendants.contains { inside in
            if inside.is("p"), TextStats.of(inside).length >= 150 { prose += 1 }
            return prose >= paragraphs
        }
    }

    /// Words of the short boxes a page puts around its article: a sign-up form, a promotion, a cookie notice.
    /// A box so named that holds paragraphs of prose is something else (the page is a newsletter's issue, a
    /// promotion's terms): the words say nothing of it.
    /// A share bar or a social widget never holds paragraphs of prose either, while a template's
    /// `share_wrapper` or `social-wrap` around the article does.
    static let noticeBytes = [
        "newsletter", "subscri", "signup", "sign-up", "promo", "popup", "cookie", "consent", "share", "sharing",
        "social",
    ]
    .map { Array($0.utf8) }

    /// Words that keep a furniture-looking element when the prepass removes unlikely candidates: a
    /// "content-share" wrapper may still hold the article.
    static let protectingFragments = ["article", "body", "content", "main", "column", "shadow"]

    /// A word of the comment section qualifies the protecting word in the same token: `comment-body`,
    /// `commentcontent` and `comments-main` are a comment's body, not the article's (Blogger, Movable Type
    /// and many themes name each reader's comment so). Another token still protects (`entry-content
    /// has-comments`).
    static func isProtected(_ classAndID: String) -> Bool {
        guard protectingFragmentSet.occurs(in: classAndID) else { return false }
        guard commentFragmentSet.occurs(in: classAndID) else { return true }
        return classAndID.split(separator: " ").contains { token in
            let word = String(token)
            return protectingFragmentSet.occurs(in: word) && !commentFragmentSet.occurs(in: word)
        }
    }

    static let commentFragmentSet = FragmentSet(["comment", "disqus"])

    /// The classes that social networks' embed codes give the `<blockquote>` holding a post's own text
    /// (Twitter/X, Instagram, TikTok, Reddit, Threads, Bluesky, Mastodon): the post is quoted content, even
    /// inside a wrapper named "social".
    static let embeddedPostClasses = [
        "twitter-tweet", "instagram-media", "tiktok-embed", "reddit-embed-bq", "text-post-media", "bluesky-embed",
        "mastodon-embed",
    ]

    /// Whether the element is an embedded post's blockquote.
    static func isEmbeddedPost(_ element: Node) -> Bool {
        element.is("blockquote") && embeddedPostClasses.contains { element.attribute("class", contains: $0) }
    }

    /// Whether the element is, or holds, an embedded post's blockquote.
    static func holdsEmbeddedPost(_ node: Node) -> Bool {
        isEmbeddedPost(node) || node.descendants.contains { $0.isElement && isEmbeddedPost($0) }
    }

    static func isPositive(_ classAndID: String) -> Bool {
        !classAndID.isEmpty && positiveFragmentSet.occurs(in: classAndID)
    }

    /// +25 for article words, −25 for furniture words, in class and id alike.
    static func classWeight(_ node: Node) -> Double {
        guard node.hasAttributes else { return 0 }
        var weight = 0.0
        for value in [node.attribute("class"), node.attribute("id")] {
            guard let value, !value.isEmpty else { continue }
            if isNegative(value) { weight -= 25 }
            if isPositive(value) { weight += 25 }
        }
        return weight
    }

    /// Class and id words of image captions and credits.
    static let captionFragments = FragmentSet(["caption", "credit", "image-source", "photo-source"])

    static func isCaption(_ classAndID: String) -> Bool {
        !classAndID.isEmpty && captionFragments.occurs(in: classAndID)
    }

    /// ARIA roles and tags that are never part of an article body.
    static let furnitureRoles: Set<String> = [
        "navigation", "banner", "complementary", "contentinfo", "dialog", "alertdialog", "menu", "menubar",
        "search", "toolbar",
    ]

    static let hiddenStyles = [Array("display:none".utf8), Array("visibility:hidden".utf8)]

    /// Whether the element is hidden from readers by the page itself.
    static func isHidden(_ node: Node) -> Bool {
        if node.hasAttribute("hidden") { return true }
        if node.attribute("aria-hidden") == "true", !node.is("figure"), !node.is("img") {
            return true
        }
        guard let style = node.attribute("style"), !style.isEmpty else { return false }
        let compact = TextBytes.lowercasedASCII(style).filter { $0 != 0x20 }
        return TextBytes.contains(compact, hiddenStyles[0]) || TextBytes.contains(compact, hiddenStyles[1])
    }

    // MARK: Text rules

    /// A whole-block text that is never article text: a case-insensitive regular expression, the lower-case
    /// words one of which must occur for it to match (a cheap test that spares most blocks the regex), and
    /// whether it can match a block longer than a line (160 bytes).
    struct TextRule: @unchecked Sendable {
        let triggers: [[UInt8]]
        let long: Bool
        /// The pattern is anchored at the start and the triggers are its possible first words.
        let atStart: Bool
        let pattern: NSRegularExpression

        init(_ triggers: [String], long: Bool, atStart: Bool = false, _ pattern: String) {
            self.triggers = triggers.map { Array($0.utf8) }
            self.long = long
            self.atStart = atStart
            self.pattern = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        }

        /// Whether the cheap tests pass: length and trigger words.
        func mayMatch(_ lowered: [UInt8]) -> Bool {
            guard long || lowered.count <= Boilerplate.lineBytes else { return false }
            return atStart
                ? triggers.contains { lowered.starts(with: $0) } : triggers.contains { TextBytes.contains(lowered, $0) }
        }

        func matches(_ text: String, lowered: [UInt8]) -> Bool {
            mayMatch(lowered) && pattern.matches(text)
        }
    }

    /// The text rules arranged by what a block must hold for one of them to match, so that a block is tried
    /// against a few: the rules anchored at the start by the first byte of their triggers, the others behind
    /// one search for all their triggers at once.
    struct TextRuleIndex: @unchecked Sendable {
        let rules: [TextRule]
        private let anchored: [[Int]]
        private let unanchored: [Int]
        private let unanchoredTriggers: FragmentSet

        init(_ rules: [TextRule]) {
            self.rules = rules
            var anchored = [[Int]](repeating: [], count: 256)
            for (index, rule) in rules.enumerated() where rule.atStart {
                for first in Set(rule.triggers.compactMap(\.first)) { anchored[Int(first)].append(index) }
            }
            self.anchored = anchored
            unanchored = rules.indices.filter { !rules[$0].atStart }
            unanchoredTriggers = FragmentSet(
                unanchored.flatMap { rules[$0].triggers.map { String(decoding: $0, as: UTF8.self) } })
        }

        /// Whether `test` holds for one of the rules that could match a block with these lower-cased bytes.
        func contains(_ lowered: [UInt8], where test: (TextRule) -> Bool) -> Bool {
            if let first = lowered.first, anchored[Int(first)].contains(where: { test(rules[$0]) }) { return true }
            return unanchoredTriggers.occurs(in: lowered) && unanchored.contains { test(rules[$0]) }
        }
    }

    /// Texts longer than this are paragraphs, not labels or lines.
    static let lineBytes = 160

    static let textRules: [TextRule] = [
        // Newsletter consent notices, e.g. "We use your sign-up to provide content in ways you've consented to…".
        TextRule(["we use your sign"], long: true, atStart: true, #"^we use your sign-?up to provide content"#),
        TextRule(
            ["by signing", "by clicking", "when you subscribe"], long: true, atStart: true,
            #"^(by (signing|clicking) up|when you subscribe),? (you|we) .{0,200}(consent|privacy|terms)"#),
        TextRule(
            ["by subscribing", "by clicking"], long: true, atStart: true,
            #"^(by (subscribing|clicking subscribe)),? (you|we) .{0,200}(consent|privacy|terms)"#),
        TextRule(
            ["sign up", "subscribe"], long: true, atStart: true,
            #"^(sign up|subscribe) (to|for) (our|the|a) .{0,60}newsletter"#),
        TextRule(["unsubscribe"], long: true, #"you can unsubscribe at any time"#),
        TextRule(["join our"], long: true, atStart: true, #"^join our (mailing|e-?mail) list\b"#),
        // Prompts at the end of recipes and newsletter issues.
        TextRule(
            ["did you make", "did you try"], long: true, atStart: true,
            #"^did you (make|try) (this|one of (my|our|these)|my|our) recipes?\b"#),
        TextRule(
            ["how was", "how did you"], long: false, atStart: true,
            #"^how (was|did you (like|enjoy)) (this|today['’]s) (issue|newsletter|edition)\??$"#),
        TextRule(["invalid"], long: false, atStart: true, #"^invalid email$"#),
        // Links out to the original on aggregator pages.
        TextRule(
            ["source", "read"], long: false, atStart: true,
            #"^(source: *)?read (the )?(full|original|complete) (article|story)\b.{0,40}$"#),
        TextRule(["continue", "keep"], long: false, atStart: true, #"^(continue|keep) reading\b.{0,60}$"#),
        TextRule(["read", "see"], long: false, atStart: true, #"^(read|see) more( stories| news)?:?$"#),
        // Ad and sponsor labels.
        TextRule(
            ["advert", "sponsor", "ad", "paid", "story continues"], long: false, atStart: true,
            #"^(advertisement|advertising|advert|sponsored( content)?|ad|paid content|story continues (below|after) (the )?advertisement)$"#
        ),
        // Share bars and follow prompts.
        TextRule(
            ["share", "tweet", "email", "print", "copy"], long: false, atStart: true,
            #"^(share|share this( article| story| page)?|share on \w+|tweet|email|print|copy link)( \|)?$"#),
        TextRule(
            ["share", "follow"], long: false, atStart: true,
            #"^(share|follow us)( on)?:? ?((facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|email|telegram|flipboard|messenger)[ ,|/]*){1,}$"#
        ),
        // Cookie notices.
        TextRule(["this", "we"], long: true, atStart: true, #"^(this (web)?site|we) uses? cookies\b"#),
        TextRule(["cookie"], long: true, #"\baccept (all )?cookies\b.{0,80}$"#),
        // Comment prompts.
        TextRule(["comment"], long: false, #"^(\d+ )?comments?( \(\d+\))?$"#),
        TextRule(
            ["leave", "post", "add", "write"], long: false, atStart: true,
            #"^(leave|post|add|write) a (comment|reply)\b"#),
        TextRule(
            ["join", "start"], long: false, atStart: true, #"^(join|start) the (conversation|discussion)\b.{0,40}$"#),
        TextRule(["view"], long: false, atStart: true, #"^view comments?$"#),
        // Pointers to other stories.
        TextRule(
            ["related"], long: false, atStart: true,
            #"^related( articles?| stories| posts| content| coverage| reading| links| news| video)?\s*[:.…]"#),
        TextRule(["click here", "clicking here"], long: true, #"\b(by )?click(ing)? here\b.{0,40}$"#),
        TextRule(["javascript"], long: true, #"\b(requires|enable) javascript\b"#),
        TextRule(["newsletter"], long: true, #"\bsign up (for|to) .{0,60}newsletter\b"#),
        TextRule(["tell us", "let us"], long: false, atStart: true, #"^(tell us|let us know) what you think\b"#),
        TextRule(["["], long: true, atStart: true, #"^\[\w+[^\]]*\].*\[/\w+\]$"#),
        TextRule(["if you enjoyed"], long: true, atStart: true, #"^if you enjoyed this (article|story|post)"#),
        TextRule(["learn more"], long: false, atStart: true, #"^learn more$"#),
        // Copyright lines.
        TextRule(["©"], long: true, #"©\s*(\d{4}|[a-z])"#),
        TextRule(["copyright"], long: true, #"copyright\W{0,6}\d{4}"#),
        TextRule(["rights reserved"], long: true, #"\ball rights reserved\b"#),
        TextRule(["tag", "topic"], long: false, atStart: true, #"^(tags?|tagged( with)?|topics?)\s*[|:]"#),
        TextRule(["filed"], long: false, atStart: true, #"^filed (under|in)\s*[|:]"#),
        // Share and subscription prompts, affiliate notes, reading times, comment policies, wire credits.
        TextRule(["sharing"], long: false, atStart: true, #"^sharing is caring\b"#),
        TextRule(
            ["like this", "enjoy"], long: true, atStart: true, #"^(like|enjoy(ed)?) this (story|article|post)\?"#),
        TextRule(["subscribe"], long: true, atStart: true, #"^subscribe (to|now|today)\b.{0,120}$"#),
        // A call to action alone in its block: a button's or a link's words, not a sentence. WCXB dev articles:
        // leak 4.0 → 3.9 %, F1 0.951 kept (P 0.941 → 0.940: a page whose pricing table came in with it);
        // service pages 0.788 kept, some annotated with their buttons; scrapinghub unchanged.
        TextRule(
            ["subscribe", "sign", "log", "book", "request", "start", "get", "try"], long: false, atStart: true,
            #"^(subscribe|sign (up|in)|log ?in|book a (free )?(demo|call|consultation)|request a (free )?(demo|quote)|(start|try) (your |a |it )?(for )?free( trial)?|get (a |your )?free (quote|trial|demo|consultation)|get started)[.!]?$"#
        ),
        TextRule(["affiliate"], long: true, #"\b(contains?|may contain|includes?) affiliate\b"#),
        TextRule(["if you buy"], long: true, atStart: true, #"^if you buy (something|anything)\b"#),
        TextRule(["powered by"], long: true, #"\bcomments powered by\b"#),
        TextRule(
            ["as you comment", "please", "comments are"], long: true, atStart: true,
            #"^(as you comment|please (be respectful|keep (your )?comments)|comments are (closed|moderated))\b"#),
        TextRule(
            [
                "reporting", "(reporting", "writing", "(writing", "editing", "(editing", "additional", "(additional",
                "compiled", "produced",
            ], long: true, atStart: true,
            #"^\(?(reporting|writing|editing|additional reporting|compiled|produced) by\b.{0,300}$"#),
        TextRule(
            ["reading time", "tempo de leitura", "lesezeit", "temps de lecture", "tiempo de lectura"], long: false,
            atStart: true, #"^(reading time|tempo de leitura|lesezeit|temps de lecture|tiempo de lectura)\s*:?\s*\d+"#),
        TextRule(
            ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], long: false, atStart: true,
            #"^\d+\s*min(ute)?s?\s+read$"#),
        TextRule(["read more"], long: false, atStart: true, #"^read more\s*:"#),
        TextRule(["affiliate"], long: true, #"\b(may earn|earns?) (an? )?(small )?affiliate commission\b"#),
        TextRule(["contributed"], long: true, #"\bcontributed (reporting|to this (report|story|article))\b"#),
        TextRule(["contributing"], long: false, atStart: true, #"^contributing\s*:"#),
        TextRule(
            ["follow"], long: true, atStart: true,
            #"^follow (me|us|him|her|them|[\w@.’' ]{1,40}) on (twitter|facebook|instagram|linkedin|youtube|x)\b.{0,160}$"#
        ),
        TextRule(
            ["email", "e-mail", "contact", "reach"], long: true, atStart: true,
            #"^(email|e-mail|contact|reach) (the )?(reporters?|writers?|authors?|him|her|them|[\w .’'-]{1,40}) (on twitter )?at\b.{0,200}$"#
        ),
        // Image furniture: credits, gallery counters, zoom buttons.
        TextRule(
            ["image", "photo", "picture"], long: false, atStart: true,
            #"^(image|photo|picture) (copyright|credit|source)\b.{0,80}$"#),
        TextRule(
            ["enlarge", "expand", "view", "open"], long: false, atStart: true,
            #"^(enlarge|expand|view|open) (image|photo|gallery|slideshow)$"#),
        TextRule(
            ["image", "photo", "picture", "slide"], long: false, atStart: true,
            #"^(image|photo|picture|slide) \d+ (of|/) \d+$"#),
    ]

    /// Whether any rule could match a block with these lower-cased bytes (before its text is rendered).
    static func mayBeFurniture(_ lowered: [UInt8]) -> Bool {
        if lowered.count <= lineBytes { return true }  // lines: datelines, headings, labels
        if lowered.last == UInt8(ascii: "]") { return true }  // related-story lines
        return textRuleIndex.contains(lowered) { $0.mayMatch(lowered) }
    }

    static let textRuleIndex = TextRuleIndex(textRules)

    /// Headings that open a block of links to other stories; what follows them at the end of a body goes too.
    static let sectionHeading = try! NSRegularExpression(
        pattern:
            #"^(related( articles| stories| posts| content| coverage| links| reading)?|read (more|next|this next)|also read|see also|don['’]?t miss|further reading|something to consider|more:|leggi anche|lesen sie auch|lire aussi|leia também|lea también|ver también|veja também|"#
            + strongSectionWords + #")\s*[:.…!]*$"#,
        options: [.caseInsensitive])

    /// Headings that only ever open a list of other stories; after them, nothing is article.
    static let strongSectionWords =
        #"more (stories|news|from [\w .'’&-]{1,40}|on this( story| topic)?|in [\w .'’&-]{1,30})|((other|more) (posts|articles|stories) )?you (may|might) (also )?(like|enjoy|be interested in)|most (popular|read|viewed|shared)|popular on [\w .'’&-]{1,30}|trending( now| stories| news)?|recommended( for you| stories| reading)?|top stories|editor['’]?s picks|what to read next|popular (now|stories|posts)|latest (news|stories|posts)|around the web|from the web|promoted stories|sponsored stories|up next|watch next"#

    static let strongSectionHeading = try! NSRegularExpression(
        pattern: "^(" + strongSectionWords + #")\s*[:.…!]*$"#, options: [.caseInsensitive])

    /// The words a section heading can open with (the first words of both patterns above), so that most
    /// short blocks are turned down before the regular expression runs.
    static let sectionHeadingStarts: [[UInt8]] = [
        "related", "read", "also", "see", "don", "further", "something", "more", "leggi", "lesen", "lire", "leia",
        "lea", "ver", "veja", "you", "other", "most", "popular", "trending", "recommended", "top", "editor", "what",
        "latest", "around", "from", "promoted", "sponsored", "up", "watch",
    ].map { Array($0.utf8) }

    static func isSectionHeading(_ text: String) -> Bool {
        text.utf8.count <= 60 && TextBytes.startsCaseInsensitively(text, withAnyOf: sectionHeadingStarts)
            && sectionHeading.matches(text)
    }

    /// Headings of a magazine's boxes that point at its other pages: "From the issue", "In this issue",
    /// "From the archive", "Highlights".
    static let promotionHeading = try! NSRegularExpression(
        pattern: #"^((from|in) (the|this|our|today['’]s) (issue|archives?|magazine|print edition)|highlights"#
            + #"|also in this issue)\s*[:.…!]*$"#,
        options: [.caseInsensitive])

    static func isPromotionHeading(_ text: String) -> Bool {
        text.utf8.count <= 60 && promotionHeading.matches(text)
    }

    static func isStrongSectionHeading(_ text: String) -> Bool {
        text.utf8.count <= 60 && strongSectionHeading.matches(text)
    }

    /// A line that only dates or signs the article: "Updated 5:27 am CST, Wednesday, November 20, 2019",
    /// "By Jane Doe - 11/18/19 11:04 PM EST", "PUBLISHED: 10:48, Tue, Nov 19, 2019".
    static func isDateline(_ text: String) -> Bool {
        guard text.utf8.count <= 160, text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let words = TextBytes.lowercasedASCII(text).split(whereSeparator: {
            !(($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 >= 0x80)
        })
        guard !words.isEmpty else { return false }
        var numbers = 0
        var other = 0
        var hasMonth = false
        for word in words {
            if isNumberWord(word) {
                numbers += 1
                continue
            }
            let name = String(decoding: word, as: UTF8.self)
            if months.contains(name) { hasMonth = true }
            if !datelineWords.contains(name) { other += 1 }
        }
        let hasDate = hasMonth || (numbers >= 2 && hasNumericDate(Array(text.utf8)))
        guard hasDate else { return false }
        let first = String(decoding: words[0], as: UTF8.self)
        let signed = ["by", "published", "updated", "posted"].contains(first)
        // "November 20, 2019 / 1:07 AM / CBS News": separators mark a dateline that names its source.
        let bytes = Array(text.utf8)
        let separated = TextBytes.contains(bytes, Array(" / ".utf8)) || TextBytes.contains(bytes, Array(" | ".utf8))
        return hasDate && numbers >= 1 && other <= (signed ? 4 : separated ? 3 : 1)
    }

    /// "19", "2019", "19th", "10am", "5h".
    static func isNumberWord(_ word: ArraySlice<UInt8>) -> Bool {
        let digits = word.prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard !digits.isEmpty else { return false }
        let suffix = String(decoding: word.dropFirst(digits.count), as: UTF8.self)
        return ["", "st", "nd", "rd", "th", "am", "pm", "h"].contains(suffix)
    }

    /// Whether the bytes hold a numeric date such as 11/18/19, 2019-11-18 or 18.11.2019.
    static func hasNumericDate(_ bytes: [UInt8]) -> Bool {
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        func isSeparator(_ byte: UInt8) -> Bool { byte == 0x2F || byte == 0x2E || byte == 0x2D }
        var index = 0
        while index < bytes.count {
            guard isDigit(bytes[index]) else {
                index += 1
                continue
            }
            var groups = 1
            var cursor = index
            while cursor < bytes.count && isDigit(bytes[cursor]) { cursor += 1 }
            while cursor + 1 < bytes.count && isSeparator(bytes[cursor]) && isDigit(bytes[cursor + 1]) {
                cursor += 1
                while cursor < bytes.count && isDigit(bytes[cursor]) { cursor += 1 }
                groups += 1
            }
            if groups >= 3 { return true }
            index = cursor
        }
        return false
    }

    /// "By Jane Doe, John Roe and Ann Poe": a short line of capitalised names after "By".
    static func isByline(_ text: String) -> Bool {
        guard text.utf8.count <= 100, text.hasPrefix("By ") || text.hasPrefix("BY ") else { return false }
        let words = text.dropFirst(3).split(whereSeparator: { $0 == " " || $0 == "," })
        guard !words.isEmpty, words.count <= 10 else { return false }
        return words.allSatisfy { word in
            ["and", "&", "und", "et", "y", "e"].contains(word) || word.first?.isUppercase == true
        }
    }

    static let months: Set<String> = [
        "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
        "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december",
        "januar", "februar", "märz", "mai", "juni", "juli", "oktober", "dezember", "janvier", "février", "mars",
        "avril", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre", "enero", "febrero",
        "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
        "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro", "novembro", "dezembro",
        "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
        "januari", "februari", "maret", "mei", "agustus", "desember", "maart", "augustus",
    ]
    static let datelineWords: Set<String> = months.union([
        "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs", "thursday", "fri",
        "friday", "sat", "saturday", "sun", "sunday", "am", "pm", "a", "m", "p", "est", "edt", "cst", "cdt", "mst",
        "mdt", "pst", "pdt", "gmt", "utc", "bst", "cet", "cest", "et", "pt", "ct", "ist", "aest", "updated",
        "published", "posted", "last", "modified", "on", "at", "by", "and", "of", "the", "date", "time", "read",
        "min", "mins", "minute", "minutes", "ago", "hours", "hour", "days", "day", "today", "yesterday",
        // Weekdays and the small words of datelines in other languages.
        "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "uhr", "um", "lundi",
        "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "le", "à", "lunes", "martes", "miércoles",
        "jueves", "viernes", "sábado", "domingo", "segunda", "terça", "quarta", "quinta", "sexta", "feira", "de",
        "às", "em", "del", "el",
    ])

    /// A related-story line: a headline followed by an upper-case tag in brackets, such as
    /// `Putin sends Belarus terrifying weapons over NATO panic [NEWS]`.
    static let relatedLine = try! NSRegularExpression(
        pattern: #"^.{8,240}\[(?:[A-Z]{2,12})(?: [A-Z]{2,12})?\]$"#, options: [])

    /// Whether a block of text (white space already collapsed) is furniture by its words alone.
    static func isFurnitureText(_ text: String, extra: [NSRegularExpression] = []) -> Bool {
        guard !text.isEmpty else { return false }
        if extra.contains(where: { $0.matches(text) }) { return true }
        // Real paragraphs are long; the notices above are short. The limit keeps a rule from ever eating a
        // paragraph that merely quotes such a phrase.
        guard text.utf8.count <= 1600, text.unicodeScalars.count <= 400 else { return false }
        if text.utf8.last == UInt8(ascii: "]"), isRelatedLines(text) { return true }
        if isDateline(text) || isSectionHeading(text) || isByline(text) { return true }
        let lowered = TextBytes.lowercasedASCII(text)
        return textRuleIndex.contains(lowered) { $0.matches(text, lowered: lowered) }
    }

    /// Whether the text is a block of related-story lines, under a heading such as "DON'T MISS" or not.
    /// A line may end in the separator some sites set between them (`… [INSIGHT]|`).
    static func isRelatedLines(_ text: String) -> Bool {
        var lines = TextBytes.collapseLines(text).split(separator: "\n").map { line in
            String(line.reversed().drop { " |,;/•·–-".contains($0) }.reversed())
        }
        if lines.count > 1, let first = lines.first, isSectionHeading(first) { lines.removeFirst() }
        guard !lines.isEmpty else { return false }
        return lines.allSatisfy { $0.utf8.last == UInt8(ascii: "]") && relatedLine.matches($0) }
    }
}

extension NSRegularExpression {
    func matches(_ text: String) -> Bool {
        firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
