import Foundation

/// Pages that bot defences answer instead of the one asked for (often with status 200): Cloudflare's
/// "Just a moment…" challenge, Akamai's "Access Denied", DataDome and PerimeterX captchas, Imperva and
/// Sucuri firewalls, and the "enable JavaScript and cookies to continue" interstitials. Publishing one as an
/// article would replace the story with the defence's text, so they are failures.
enum BlockPage {
    /// Markers only a defence's own page carries, each with the name given in errors. Several of these
    /// products also add scripts to the ordinary pages they protect, so a marker counts only on a page with
    /// little text of its own (`textLimit`).
    static let markers: [(marker: String, name: String)] = [
        ("cf_chl_opt", "Cloudflare challenge"), ("cf-browser-verification", "Cloudflare challenge"),
        ("checking if the site connection is secure", "Cloudflare challenge"),
        ("<title>just a moment...</title>", "Cloudflare challenge"),
        ("<title>just a moment…</title>", "Cloudflare challenge"),
        ("attention required! | cloudflare", "Cloudflare"), ("cf-error-details", "Cloudflare"),
        ("you don't have permission to access", "Akamai access denied"),
        ("captcha-delivery.com", "DataDome captcha"), ("px-captcha", "PerimeterX captcha"),
        ("press &amp; hold", "PerimeterX captcha"), ("press & hold", "PerimeterX captcha"),
        ("_incapsula_resource", "Imperva Incapsula"), ("incapsula incident id", "Imperva Incapsula"),
        ("sucuri website firewall", "Sucuri firewall"), ("access denied - sucuri", "Sucuri firewall"),
        ("enable javascript and cookies to continue", "JavaScript and cookies interstitial"),
        ("please enable cookies and javascript", "JavaScript and cookies interstitial"),
        ("verify you are human", "captcha"), ("are you a robot", "captcha"), ("unusual traffic from your", "captcha"),
        ("<title>access denied</title>", "access denied page"), ("pardon our interruption", "bot check"),
    ]

    /// Error pages served with status 200 ("soft" errors), by markers of their title, each with what the
    /// error calls it. Publishing one would put "Page not found" in a feed as an article.
    static let errorPages: [(marker: String, name: String)] = [
        ("<title>404", "a 'not found' page"), ("<title>page not found", "a 'not found' page"),
        ("<title>not found", "a 'not found' page"), ("<title>error 404", "a 'not found' page"),
        ("<title>500 internal server error", "a server error page"), ("<title>503 service", "a server error page"),
        ("<title>service unavailable", "a server error page"), ("<title>site maintenance", "a maintenance page"),
        ("<title>under maintenance", "a maintenance page"), ("<title>we'll be back soon", "a maintenance page"),
    ]

    /// A page with more visible text than this is an article whatever scripts it carries (a challenge page
    /// shows a sentence or two; Akamai's denial, about 200 bytes).
    static let textLimit = 1500

    /// What a short page that is not the one asked for is.
    enum Kind: Equatable {
        /// A bot defence's page, by the defence's name.
        case defence(String)
        /// An error page served with status 200, by what it is.
        case errorPage(String)
    }

    /// What the body is, when it is a defence's page or an error page rather than the page asked for.
    static func kind(of body: [UInt8]) -> Kind? {
        guard visibleTextLength(body, limit: textLimit) < textLimit else { return nil }
        let lowered = body.prefix(96 * 1024).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        if let found = markers.first(where: { contains(lowered, $0.marker) }) { return .defence(found.name) }
        return errorPages.first { contains(lowered, $0.marker) }.map { .errorPage($0.name) }
    }

    /// Whether the bytes hold the marker's UTF-8 bytes (a byte search: markers are lowercase already).
    private static func contains(_ bytes: [UInt8], _ marker: String) -> Bool {
        let needle = Array(marker.utf8)
        guard let first = needle.first, needle.count <= bytes.count else { return false }
        var start = 0
        while let found = bytes[start...].firstIndex(of: first) {
            guard found + needle.count <= bytes.count else { return false }
            if bytes[found..<found + needle.count].elementsEqual(needle) { return true }
            start = found + 1
        }
        return false
    }

    /// The defence that answered, when the body is one of their pages.
    static func defence(in body: [UInt8]) -> String? {
        if case .defence(let name) = kind(of: body) { return name }
        return nil
    }

    /// Bytes of text outside tags, scripts, styles and comments, not counting white space; counting stops at
    /// `limit`.
    static func visibleTextLength(_ body: [UInt8], limit: Int) -> Int {
        body.withUnsafeBufferPointer { bytes in
            let end = bytes.count
            /// Whether `name` (lower case) starts at `position`, in any case.
            func matches(_ name: StaticString, at position: Int) -> Bool {
                let count = name.utf8CodeUnitCount
                guard position + count <= end else { return false }
                let pattern = name.utf8Start
                for offset in 0..<count where bytes[position + offset] | 0x20 != pattern[offset] | 0x20 { return false }
                return true
            }
            /// The position after the first `closing` at or after `position`, or the end. Every closing begins
            /// with a character that has no case (`<`, `-`, `>`), found with `memchr` (a script runs to
            /// hundreds of kilobytes).
            func skip(past closing: StaticString, from position: Int) -> Int {
                let first = Int32(closing.utf8Start[0])
                var at = position
                while at < end, let found = memchr(bytes.baseAddress! + at, first, end - at) {
                    at = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if matches(closing, at: at) { return at + closing.utf8CodeUnitCount }
                    at += 1
                }
                return end
            }
            var count = 0
            var index = 0
            while index < end, count < limit {
                let byte = bytes[index]
                if byte == 0x3C {  // <
                    if matches("script", at: index + 1) {
                        index = skip(past: "</script", from: index + 7)
                    } else if matches("style", at: index + 1) {
                        index = skip(past: "</style", from: index + 6)
                    } else if matches("!--", at: index + 1) {
                        index = skip(past: "-->", from: index + 4)
                    } else {
                        index = skip(past: ">", from: index + 1)
                    }
                    continue
                }
                if byte > 0x20 { count += 1 }
                index += 1
            }
            return count
        }
    }
}
