import Foundation
import Markup

/// What extraction finds in a page: the article body and its metadata.
public struct Article: Sendable, Equatable {
    package var title: String?
    package var author: String?
    package var published: Date?
    package var modified: Date?
    /// For a page that gives no date of its own, the day its address names (`/2022/11/14/slug`): less
    /// exact than a source's own date, so a last resort.
    package var addressDate: Date?
    /// The lead image, an absolute URL.
    package var image: String?
    /// A BCP 47 language tag such as `en` or `de-AT`.
    package var language: String?
    /// The canonical URL of the article, when the page names one.
    package var url: String?
    package var siteName: String?
    /// The page's own short description.
    package var description: String?
    /// Audio and video files the page plays (its `<audio>` and `<video>`, `og:audio`, `og:video`).
    package var media: [MediaFile] = []
    /// The body as safe, compact HTML with absolute URLs.
    package var html: String
    /// The body as plain text: paragraphs separated by one blank line, no title or byline.
    package var text: String

    /// The day to date the page by: when it was published, else the day its address names, else — for a
    /// page that says only when it was last updated — that day, the oldest it claims (WCXB dev articles:
    /// the day of publication found on 0.813 of dated pages before the last step, see Benchmarks/README.md).
    package var publicationDate: Date? { published ?? addressDate ?? modified }

    package init(
        title: String? = nil, author: String? = nil, published: Date? = nil, modified: Date? = nil,
        addressDate: Date? = nil, image: String? = nil, language: String? = nil, url: String? = nil,
        siteName: String? = nil,
        description: String? = nil, html: String = "", text: String = "", media: [MediaFile] = []
    ) {
        self.title = title
        self.author = author
        self.published = published
        self.modified = modified
        self.addressDate = addressDate
        self.image = image
        self.language = language
        self.url = url
        self.siteName = siteName
        self.description = description
        self.html = html
        self.text = text
        self.media = media
    }
}

/// A file a page plays: its absolute address and media type when the page names one.
public struct MediaFile: Sendable, Equatable {
    package var url: String
    package var type: String?

    package init(url: String, type: String? = nil) {
        self.url = url
        self.type = type
    }
}

/// Per-pipeline adjustments to the built-in extraction.
public struct ExtractionRules: Sendable {
    /// When set and matching, the body is taken from these elements instead of being found by scoring.
    package var body: Selector?
    /// Elements removed before anything else.
    package var remove: [Selector]
    /// Regular expressions; a block whose whole text matches one is dropped from the body.
    package var dropText: [String]
    /// Hosts whose `<iframe>`s (embedded videos, maps) are kept, over https only and sandboxed; every other
    /// frame is removed.
    package var iframeHosts: [String]
    /// Images whose address contains one of these strings are removed (site rules' `strip_image_src`).
    package var stripImageSources: [String] = []
    /// The site rules these rules came from, for the title, author and date they name.
    package var site: SiteRules?
    /// Whether `body` is the site rules' (which may be written for another layout of the site) rather than
    /// the pipeline's own choice.
    package var bodyFromSiteRules = false
    /// Whether `file:` addresses stay in the body (cleaning a saved page for this machine) or go (a feed
    /// published from local pages must not name this machine's paths).
    package var keepsLocalAddresses = true

    package init(body: Selector? = nil, remove: [Selector] = [], dropText: [String] = [], iframeHosts: [String] = []) {
        self.body = body
        self.remove = remove
        self.dropText = dropText
        self.iframeHosts = iframeHosts
    }

    /// Whether an iframe's `src` may stay: an https URL on an allowed host (or a subdomain of one).
    package func allowsFrame(_ source: String?) -> Bool {
        guard !iframeHosts.isEmpty, let source, let url = URL(string: source.trimmingCharacters(in: .whitespaces)),
            url.scheme?.lowercased() == "https", let host = url.host?.lowercased()
        else { return false }
        return iframeHosts.contains { allowed in
            let allowed = allowed.lowercased()
            return host == allowed || host.hasSuffix("." + allowed)
        }
    }

    public static let none = ExtractionRules()
}
