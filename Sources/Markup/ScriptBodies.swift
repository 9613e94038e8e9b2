import Foundation

/// The bodies of a page's `<script>` and `<style>` elements and the content of its inline `<svg>` drawings,
/// taken out before parsing when only the page's content is wanted. Scripts and styles are half the bytes of
/// a typical page (51 % of the scrapinghub benchmark's), and libxml2 reads such raw text one character at a
/// time into text nodes nobody reads: extraction removes scripts and styles unread. Drawings are an eighth of
/// what remains on WCXB's pages (icon paths, sprite sheets), and extraction removes them unread too. JSON
/// scripts (`application/ld+json` metadata) keep their bodies.
///
/// Only what lies between a start tag and the next `</script` or `</style` goes, which is where libxml2
/// (and a browser) ends raw text, and between `<svg …>` and the end tag libxml2 ends the drawing at, so the
/// tree is the one the whole page gives, less those nodes. Tags are read as libxml2 reads them once their
/// names are repaired (below): an attribute's quoted value may hold `>` or `<script>`. Comments are skipped
/// whole, and a page whose markup cannot be followed to the end of a tag is kept as it is from there.
///
/// On the way, attribute names that start with `@` (the event shorthand of Alpine.js and Vue,
/// `@click="add(x => x > 1)"`) have that `@` and any other byte libxml2 cannot read in a name rewritten as
/// `_`. libxml2 reads such a name as a stray character and the quoted value after it as more attributes,
/// word by word, so that a `>` in the script ends the tag there and the rest of the script becomes text of
/// the page (on WCXB's pages, a shop's cart script came out as its product description). WCXB dev: three
/// pages better (an article 0.931 → 0.996), none worse; scrapinghub unchanged.
enum ScriptBodies {
    /// HTML elements whose end tag, met in a drawing that did not open one, closes the drawing's parent and the
    /// drawing with it (an `<svg>` left open inside a link or a box).
    static let containers: Set<ArraySlice<UInt8>> = Set(
        [
            "a", "article", "aside", "body", "button", "div", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
            "h6", "header", "html", "label", "li", "main", "nav", "ol", "p", "section", "span", "table", "td", "th",
            "tr", "ul",
        ].map { ArraySlice($0.utf8) })

    /// The longest comment text kept when bodies are removed.
    static let commentKept = 8

    /// Elements libxml2 ends at their start tag.
    static let voidElements: Set<ArraySlice<UInt8>> = Set(
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
            .map { ArraySlice($0.utf8) })

    /// The UTF-8 page without those bodies, or `nil` when it has none to take out. Cut at ASCII `<` and `>`
    /// only, the bytes are as valid UTF-8 as the page was.
    static func removed(from page: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        prepared(page, removingBodies: true)
    }

    /// The page with only its `@` attribute names rewritten, or `nil` when it has none: what `removed(from:)`
    /// leaves of a page, bodies and drawings kept.
    static func namesRepaired(in page: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        prepared(page, removingBodies: false)
    }

    private static func prepared(_ page: UnsafeBufferPointer<UInt8>, removingBodies: Bool) -> [UInt8]? {
        guard let bytes = page.baseAddress else { return nil }
        let end = page.count
        var output: [UInt8] = []
        var copied = 0
        var index = 0

        func byte(_ at: Int) -> UInt8 { at < end ? bytes[at] : 0 }
        func isBlank(_ value: UInt8) -> Bool { value == 0x20 || value == 0x09 || value == 0x0A || value == 0x0D }
        func isLetter(_ value: UInt8) -> Bool { (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A }
        /// The position of `value` at or after `start`, if any.
        func find(_ value: UInt8, from start: Int) -> Int? {
            guard start < end, let found = memchr(bytes + start, Int32(value), end - start) else { return nil }
            return bytes.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        /// Whether the ASCII letters of `word` (lower case) start at `start`, in any case.
        func matches(_ word: StaticString, at start: Int) -> Bool {
            let count = word.utf8CodeUnitCount
            guard start + count <= end else { return false }
            for offset in 0..<count {
                let (wanted, found) = (word.utf8Start[offset], bytes[start + offset])
                if found != wanted, !(isLetter(wanted) && found | 0x20 == wanted) { return false }
            }
            return true
        }
        /// The position just past the `>` that ends the start tag whose attributes begin at `start`, read as
        /// libxml2 reads attributes, and whether the tag closed itself (`/>`: libxml2 then ends the element
        /// at once, script or not); `nil` when the page ends first.
        func endOfTag(from start: Int, repairing: Bool = false) -> (end: Int, selfClosed: Bool)? {
            var at = start
            func closesHere() -> Bool { byte(at) == 0x2F && byte(at + 1) == 0x3E }  // />
            while true {
                while isBlank(byte(at)) { at += 1 }
                guard at < end else { return nil }
                if bytes[at] == 0x3E { return (at + 1, false) }  // >
                if closesHere() { return (at + 2, true) }
                // An attribute's name (or a stray character), then its value when `=` follows.
                let name = at
                while at < end, !isBlank(bytes[at]), bytes[at] != 0x3D, bytes[at] != 0x3E, !closesHere() { at += 1 }
                if repairing, bytes[name] == 0x40 { repairName(from: name, to: at) }  // @
                while isBlank(byte(at)) { at += 1 }
                guard byte(at) == 0x3D else { continue }  // =
                at += 1
                while isBlank(byte(at)) { at += 1 }
                let quote = byte(at)
                if quote == 0x22 || quote == 0x27 {
                    guard let closing = find(quote, from: at + 1) else { return nil }
                    at = closing + 1
                } else {
                    while at < end, !isBlank(bytes[at]), bytes[at] != 0x3E { at += 1 }
                }
            }
        }
        /// Where `marker` next starts at or after `start` (its first byte found with memchr), if anywhere.
        func find(_ marker: StaticString, from start: Int) -> Int? {
            var search = start
            while let candidate = find(marker.utf8Start[0], from: search) {
                if matches(marker, at: candidate) { return candidate }
                search = candidate + 1
            }
            return nil
        }
        /// Whether the attributes between `start` and `stop` name a JSON type.
        func namesJSON(from start: Int, to stop: Int) -> Bool {
            var at = start
            while at + 4 <= stop {
                if matches("json", at: at) { return true }
                at += 1
            }
            return false
        }

        /// The end of a start tag's name that begins at `start`.
        func nameEnd(from start: Int) -> Int {
            var at = start
            while at < end, !isBlank(bytes[at]), bytes[at] != 0x3E, bytes[at] != 0x2F { at += 1 }
            return at
        }
        /// Where a drawing whose content begins at `start` ends, as libxml2 ends it: at the `</svg` that
        /// closes it, or at an end tag for an element the drawing did not open (a `</div>` that closes the
        /// drawing's parent closes a drawing left open, and a stray one is passed over by libxml2 either way:
        /// what follows it is parsed as before). Tags are read whole, comments and the raw text of scripts
        /// and styles passed over; `nil` when the page ends first.
        func endOfDrawing(from start: Int) -> Int? {
            var open: [ArraySlice<UInt8>] = [ArraySlice("svg".utf8)]
            var at = start
            func lowered(_ from: Int, _ to: Int) -> ArraySlice<UInt8> {
                let name = UnsafeBufferPointer(start: bytes + from, count: to - from)
                return ArraySlice(name.map { isLetter($0) ? $0 | 0x20 : $0 })
            }
            while let tagStart = find(0x3C, from: at) {  // <
                at = tagStart + 1
                if matches("!--", at: tagStart + 1) {
                    guard let closing = find("-->", from: tagStart + 4) else { return nil }
                    at = closing + 3
                    continue
                }
                if byte(tagStart + 1) == 0x2F {  // </
                    let name = lowered(tagStart + 2, nameEnd(from: tagStart + 2))
                    guard let depth = open.lastIndex(of: name) else {
                        if Self.containers.contains(name) { return tagStart }
                        continue  // a stray `</g>`: libxml2 passes over it, inside the drawing
                    }
                    if depth == 0 { return tagStart }
                    open.removeSubrange(depth...)
                    continue
                }
                guard isLetter(byte(tagStart + 1)) else { continue }
                let nameStop = nameEnd(from: tagStart + 1)
                guard let tag = endOfTag(from: nameStop) else { return nil }
                at = tag.end
                if tag.selfClosed { continue }
                let name = lowered(tagStart + 1, nameStop)
                if Self.voidElements.contains(name) { continue }
                open.append(name)
                if name == ArraySlice("script".utf8) || name == ArraySlice("style".utf8) {
                    guard let closing = find(name.count == 6 ? "</script" : "</style", from: at) else { return nil }
                    at = closing
                }
            }
            return nil
        }
        /// Leaves the bytes from `start` to `stop` out of the output.
        func cut(from start: Int, to stop: Int) {
            guard stop > start else { return }
            if output.isEmpty { output.reserveCapacity(end) }
            output.append(contentsOf: UnsafeBufferPointer(start: bytes + copied, count: start - copied))
            copied = stop
        }
        /// Writes `_` for each byte of the attribute name from `start` to `stop` that libxml2 does not read in
        /// a name (it reads ASCII letters and digits, `:`, `-`, `_` and `.`, and no digit or `-` first).
        func repairName(from start: Int, to stop: Int) {
            for at in start..<stop {
                let value = bytes[at]
                let readable =
                    isLetter(value) || value == 0x3A || value == 0x5F || value == 0x2E
                    || at > start && (value == 0x2D || (0x30...0x39).contains(value))
                guard !readable else { continue }
                cut(from: at, to: at + 1)
                output.append(0x5F)
            }
        }

        while let open = find(0x3C, from: index) {  // <
            index = open + 1
            if matches("!--", at: open + 1) {
                // A comment runs to `-->`; a page that never closes one is left alone from here.
                guard let closing = find("-->", from: open + 4) else { break }
                index = closing + 3
                // Extraction reads no comment but the short markers React streams around its parts (`$`,
                // `/$`): a longer comment keeps its delimiters and loses its text.
                if removingBodies, closing - open - 4 > Self.commentKept { cut(from: open + 4, to: closing) }
                continue
            }
            guard isLetter(byte(open + 1)) else { continue }
            let nameEnd = nameEnd(from: open + 1)
            if nameEnd - open - 1 == 3, matches("svg", at: open + 1) {
                guard let tag = endOfTag(from: nameEnd, repairing: true) else { break }
                index = tag.end
                if tag.selfClosed || !removingBodies { continue }
                // A drawing that never closes is left as it is; its start tag is passed.
                guard let bodyEnd = endOfDrawing(from: tag.end) else { continue }
                index = bodyEnd
                cut(from: tag.end, to: bodyEnd)
                continue
            }
            let closing: StaticString
            if nameEnd - open - 1 == 6, matches("script", at: open + 1) {
                closing = "</script"
            } else if nameEnd - open - 1 == 5, matches("style", at: open + 1) {
                closing = "</style"
            } else {
                guard let tag = endOfTag(from: nameEnd, repairing: true) else { break }
                index = tag.end
                continue
            }
            guard let tag = endOfTag(from: nameEnd, repairing: true) else { break }
            index = tag.end
            if tag.selfClosed { continue }
            let bodyStart = tag.end
            // Raw text that never ends runs to the end of the page, for libxml2 too.
            let bodyEnd = find(closing, from: bodyStart) ?? end
            index = bodyEnd
            if !removingBodies { continue }
            if closing.utf8CodeUnitCount == 8, namesJSON(from: nameEnd, to: bodyStart) { continue }
            cut(from: bodyStart, to: bodyEnd)
        }
        guard copied > 0 else { return nil }
        output.append(contentsOf: UnsafeBufferPointer(start: bytes + copied, count: end - copied))
        return output
    }
}
