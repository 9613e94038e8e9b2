internal import CLibXML2
import Foundation

/// A parsed HTML page or XML document. It owns the libxml2 tree; every `Node` borrowed from it is valid only
/// while the document is alive.
public final class Document {
    let pointer: xmlDocPtr
    /// The URL the document was read from, used to resolve relative links.
    package let url: String?

    /// The HTML the document was parsed from, kept (without copying) so that work can start again from the
    /// untouched page.
    private let source: Source?

    /// HTML as it was given: a string, or the UTF-8 bytes made from one.
    private enum Source {
        case text(String)
        case utf8([UInt8])
    }

    private init(pointer: xmlDocPtr, url: String?, source: Source? = nil) {
        self.pointer = pointer
        self.url = url
        self.source = source
    }

    deinit { xmlFreeDoc(pointer) }

    /// Parses an HTML page (already decoded to UTF-8) the way a browser would: recovering from any markup,
    /// never touching the network.
    public convenience init(html: String, url: String? = nil) throws(MarkupError) {
        var text = html
        let parsed = text.withUTF8 { Self.parseHTML($0, url: url) }
        guard let parsed else { throw MarkupError.unparsable(url ?? "HTML input") }
        self.init(pointer: parsed, url: url, source: .text(html))
    }

    /// Parses an HTML page for its content: as `init(html:url:)`, less the bodies of its scripts (but JSON)
    /// and styles and the content of its drawings, which extraction never reads (`ScriptBodies`).
    package static func content(html: String, url: String? = nil) throws(MarkupError) -> Document {
        var text = html
        guard let reduced = text.withUTF8(ScriptBodies.removed) else { return try Document(html: html, url: url) }
        return try Document(utf8: reduced, url: url)
    }

    /// `content(html:url:)` for a page given as valid UTF-8 bytes (no string made of them).
    package static func content(utf8 page: [UInt8], url: String? = nil) throws(MarkupError) -> Document {
        try Document(utf8: page.withUnsafeBufferPointer(ScriptBodies.removed) ?? page, url: url)
    }

    /// Parses an HTML page given as valid UTF-8 bytes, which it keeps as its source.
    private convenience init(utf8 page: [UInt8], url: String?) throws(MarkupError) {
        guard let parsed = page.withUnsafeBufferPointer({ Self.parseHTML($0, url: url) }) else {
            throw MarkupError.unparsable(url ?? "HTML input")
        }
        self.init(pointer: parsed, url: url, source: .utf8(page))
    }

    /// The tree of an HTML page given as valid UTF-8, or `nil` when libxml2 makes none.
    private static func parseHTML(_ page: UnsafeBufferPointer<UInt8>, url: String?) -> xmlDocPtr? {
        Markup.initialize()
        // libxml2 is told not to imply `<html>` and `<body>` (it would wrap stray text in paragraphs and open
        // a body inside head matter), but a page that has neither tag needs them implied: without, libxml2
        // 2.9 never closes the first element, which then holds the whole page, head matter and all.
        let implied = Self.namesNoRoot(page) ? 0 : HTML_PARSE_NOIMPLIED.rawValue
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue | implied)
        // libxml2 switches encodings when it meets a <meta charset>, even after being told the input is UTF-8;
        // the text is UTF-8 by now, so such declarations are neutralised before parsing.
        let declarations = Self.foreignCharsets(in: UnsafeBufferPointer(rebasing: page.prefix(16384)))
        // libxml2 ends the document at a NUL byte; browsers skip the character and read on.
        let hasNUL = page.baseAddress.map { memchr($0, 0, page.count) != nil } ?? false
        func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> xmlDocPtr? {
            let parsed = bytes.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    htmlReadMemory($0, Int32(clamping: bytes.count), url, "UTF-8", options)
                }
            }
            if let parsed { Self.gatherIntoBody(parsed) }
            return parsed
        }
        guard !declarations.isEmpty || hasNUL else { return parse(page) }
        var bytes = Array(page)
        for range in declarations.reversed() { bytes.replaceSubrange(range, with: "utf-8".utf8) }
        if hasNUL { bytes.removeAll { $0 == 0 } }
        return bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Whether the page has no `<html` and no `<body` tag anywhere (any case).
    static func namesNoRoot(_ page: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = page.baseAddress else { return true }
        var start = 0
        while start < page.count, let hit = memchr(base + start, 0x3C, page.count - start) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            start = at + 1
            guard at + 5 <= page.count else { break }
            let name = (page[at + 1] | 0x20, page[at + 2] | 0x20, page[at + 3] | 0x20, page[at + 4] | 0x20)
            if name == (0x68, 0x74, 0x6D, 0x6C) || name == (0x62, 0x6F, 0x64, 0x79) { return false }  // html, body
        }
        return true
    }

    /// Puts what libxml2 leaves beside the root into the body, where a browser puts it: content after an
    /// early `</body></html>` (a template that closes the page before the article), and a `<body>` that is
    /// the root's sibling when the page has `<head>` and `<body>` but no `<html>`.
    private static func gatherIntoBody(_ document: xmlDocPtr) {
        guard var root = xmlDocGetRootElement(document) else { return }
        // Something before `<html>` (a script printed ahead of the page) made itself the root: it goes into
        // the `<html>` it stands before, head matter in the head, anything else at the body's start.
        if !Node(root).is("html") {
            var moving: [xmlNodePtr] = []
            var sibling: xmlNodePtr? = root
            while let node = sibling, !(node.pointee.type == XML_ELEMENT_NODE && Node(node).is("html")) {
                moving.append(node)
                sibling = node.pointee.next
            }
            if let html = sibling {
                let head = Node(html).firstChild(named: "head")?.pointer
                let body = Node(html).firstChild(named: "body")?.pointer
                for node in moving.reversed() {
                    let headMatter =
                        node.pointee.type != XML_ELEMENT_NODE
                        || ["script", "style", "meta", "link", "title", "base", "noscript"].contains {
                            Node(node).is($0)
                        }
                    guard let target = (headMatter ? head : body) ?? head ?? body else { break }
                    xmlUnlinkNode(node)
                    if let first = target.pointee.children {
                        xmlAddPrevSibling(first, node)
                    } else {
                        xmlAddChild(target, node)
                    }
                }
                root = html
            }
        }
        // No `<html>` at all: markup that starts straight with comments, tables, divs or a bare `<head>` and
        // `<body>` pair. libxml2 makes the first element the root and leaves the rest of the page beside it,
        // where nothing that reads the body would look; a browser builds `<html>` with a head and a body.
        if !Node(root).is("html") {
            wrapInHTML(document)
            return
        }
        let isHTML = Node(root).is("html")
        // A script writes `<body>` with `document.write` and the page keeps the tag for readers without
        // scripts in a `<noscript>` in its head: libxml2 then opens the body there, inside the head, and the
        // whole page is head matter. The body belongs beside the head.
        if isHTML, Node(root).firstChild(named: "body") == nil, let head = Node(root).firstChild(named: "head"),
            let nested = head.descendants.first(where: { $0.is("body") })
        {
            xmlUnlinkNode(nested.pointer)
            xmlAddChild(root, nested.pointer)
        }
        var strays: [xmlNodePtr] = []
        // What the root holds after its body (libxml2 puts there what follows `</html>`)…
        if isHTML, let body = Node(root).firstChild(named: "body")?.pointer {
            var after = body.pointee.next
            while let node = after {
                strays.append(node)
                after = node.pointee.next
            }
        }
        // …and what stands beside the root.
        var sibling = root.pointee.next
        while let node = sibling {
            strays.append(node)
            sibling = node.pointee.next
        }
        guard !strays.isEmpty else { return }
        // The body: the root's own, or a body standing beside a root that is not `<html>`.
        var body = isHTML ? Node(root).firstChild(named: "body")?.pointer : nil
        if body == nil, let index = strays.firstIndex(where: { Node($0).is("body") }) {
            body = strays.remove(at: index)
            if !isHTML {
                // `<head>` then `<body>` with no `<html>`: both go under a new `<html>` root.
                let html = xmlNewDocNode(document, nil, "html", nil)!
                xmlReplaceNode(root, html)
                xmlAddChild(html, root)
                xmlUnlinkNode(body)
                xmlAddChild(html, body)
            }
        }
        guard let body else { return }
        for node in strays where node.pointee.type == XML_ELEMENT_NODE || node.pointee.type == XML_TEXT_NODE {
            xmlUnlinkNode(node)
            xmlAddChild(body, node)
        }
    }

    /// Builds `<html>` for a page that has none: its `<head>` (if any) first, then a body holding everything
    /// else in the order it came, inside the page's own `<body>` where it has one.
    private static func wrapInHTML(_ document: xmlDocPtr) {
        var nodes: [xmlNodePtr] = []
        var cursor = document.pointee.children
        while let node = cursor {
            cursor = node.pointee.next
            guard node.pointee.type != XML_DTD_NODE else { continue }
            nodes.append(node)
            // Without `<html>`, libxml2 2.9 drops `<head>` and leaves `<title>` open over the rest of the page:
            // what follows the title's own text belongs after it.
            if node.pointee.type == XML_ELEMENT_NODE, Node(node).is("title") {
                var child = node.pointee.children
                while let current = child, current.pointee.type != XML_ELEMENT_NODE { child = current.pointee.next }
                while let current = child {
                    child = current.pointee.next
                    nodes.append(current)
                }
            }
        }
        func element(_ name: StaticString) -> xmlNodePtr? {
            nodes.first { $0.pointee.type == XML_ELEMENT_NODE && Node($0).is(name) }
        }
        let existingBody = element("body")
        for node in nodes { xmlUnlinkNode(node) }
        guard let html = xmlNewDocNode(document, nil, "html", nil) else { return }
        xmlDocSetRootElement(document, html)
        // The head: the page's own, or one made for a title standing alone.
        let title = element("title")
        let head = element("head") ?? (title != nil ? xmlNewDocNode(document, nil, "head", nil) : nil)
        if let head {
            xmlAddChild(html, head)
            if let title, title.pointee.parent == nil { xmlAddChild(head, title) }
        }
        guard let body = existingBody ?? xmlNewDocNode(document, nil, "body", nil) else { return }
        xmlAddChild(html, body)
        let bodyStart = existingBody?.pointee.children
        var beforeBody = existingBody != nil
        for node in nodes where node != head && node != title {
            if node == existingBody {
                beforeBody = false
            } else if beforeBody, let bodyStart {
                xmlAddPrevSibling(bodyStart, node)
            } else {
                xmlAddChild(body, node)
            }
        }
    }

    /// Parses an XML document (a feed, a sitemap) with no network access, no DTD loading and no entity
    /// expansion, so external entities and entity bombs are refused rather than expanded.
    ///
    /// `lenient` reads what the web publishes as feeds but is not well-formed, as feed readers do: the
    /// document is repaired first (see `XMLRepair`; a DOCTYPE naming an unread DTD makes libxml2 drop
    /// undefined entities silently, so a clean parse proves nothing) and transcoded when it claims UTF-8
    /// but is not (see `XMLRepair.transcoded`); when even that is not well-formed, libxml2's recovering parser is tried,
    /// and the strict parse's error is reported if that yields nothing either.
    package convenience init(xml: [UInt8], url: String? = nil, lenient: Bool = false) throws(MarkupError) {
        Markup.initialize()
        let name = url ?? "XML input"
        var input = lenient ? XMLRepair.repaired(xml) : xml
        var encoding: String?
        if lenient, XMLRepair.isMislabelledUTF8(input) {
            input = XMLRepair.transcoded(input)
            encoding = "UTF-8"
        } else if lenient, XMLRepair.declaresSingleByteButIsUTF8(input) {
            encoding = "UTF-8"
        }
        var parsed = Self.parseXML(input, url: url, encoding: encoding, recover: false)
        let strictError = parsed == nil ? Self.lastXMLError(name) : nil
        if parsed == nil, lenient { parsed = Self.parseXML(input, url: url, encoding: encoding, recover: true) }
        guard let parsed, xmlDocGetRootElement(parsed) != nil else {
            if let parsed { xmlFreeDoc(parsed) }
            throw strictError ?? .invalidXML(name, line: 1, "no root element")
        }
        if let entities = parsed.pointee.intSubset, entities.pointee.entities != nil {
            xmlFreeDoc(parsed)
            throw MarkupError.entitiesRefused(name)
        }
        self.init(pointer: parsed, url: url)
    }

    private static func parseXML(_ xml: [UInt8], url: String?, encoding: String?, recover: Bool) -> xmlDocPtr? {
        var options =
            XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_COMPACT.rawValue | XML_PARSE_NOCDATA.rawValue
        if recover { options |= XML_PARSE_RECOVER.rawValue }
        return xml.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlReadMemory($0, Int32(buffer.count), url, encoding, Int32(options))
                }
            }
        }
    }

    private static func lastXMLError(_ name: String) -> MarkupError {
        let message = xmlGetLastError().map { String(cString: $0.pointee.message).trimmed } ?? "not XML"
        return .invalidXML(name, line: Int(xmlGetLastError()?.pointee.line ?? 0), message)
    }

    /// A fresh copy of the document as it was parsed (edits made since are not in it), for work that must
    /// start again from the untouched page. Call it only when needed: it parses the page again.
    package func copy() -> Document {
        switch source {
        case .text(let html): if let fresh = try? Document(html: html, url: url) { return fresh }
        case .utf8(let bytes): if let fresh = try? Document(utf8: bytes, url: url) { return fresh }
        case nil: break
        }
        return Document(pointer: xmlCopyDoc(pointer, 1), url: url, source: source)
    }

    /// The root element (`<html>` for a page).
    public var root: Node? { xmlDocGetRootElement(pointer).map(Node.init) }

    /// The `<head>` element, when the page has one.
    package var head: Node? { root?.firstChild(named: "head") }

    /// The address relative links resolve against: the first `<base href>` wherever it is (as browsers take
    /// it), resolved against the document's URL when it is an http, https or file address; else the
    /// document's URL.
    package var baseURL: String? {
        if let knownBase { return knownBase }
        let base = findBaseURL()
        knownBase = .some(base)
        return base
    }

    /// The base URL once worked out: the page's `<base>` is read before extraction changes the tree.
    private var knownBase: String??

    private func findBaseURL() -> String? {
        var base: String?
        if mayHoldBase {
            root?.walk { node in
                guard base == nil else { return .stop }
                guard node.isElement else { return .skipChildren }
                if node.is("base") { base = node.attribute("href") }
                return .enter
            }
        }
        guard let href = base?.trimmingCharacters(in: .whitespacesAndNewlines), !href.isEmpty,
            let resolved = URL(string: href, relativeTo: url.flatMap(URL.init(string:)))?.absoluteURL,
            let scheme = resolved.scheme?.lowercased(), ["http", "https", "file"].contains(scheme)
        else { return url }
        return resolved.absoluteString
    }

    /// Whether the page's source has a `<base` in it, in any case: a page without one is not walked for its
    /// `<base>` element. `true` when the source is not kept.
    private var mayHoldBase: Bool {
        func holdsBase(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let start = bytes.baseAddress else { return false }
            var at = 0
            while at + 5 <= bytes.count, let found = memchr(start + at, 0x3C, bytes.count - at) {  // <
                at = start.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                guard at + 4 <= bytes.count else { return false }
                if bytes[at] | 0x20 == UInt8(ascii: "b"),
                    zip("ase".utf8, bytes[at + 1..<at + 4]).allSatisfy({ $0 == $1 | 0x20 })
                {
                    return true
                }
            }
            return false
        }
        switch source {
        case .utf8(let bytes): return bytes.withUnsafeBufferPointer(holdsBase)
        case .text(var text): return text.withUTF8(holdsBase)
        case nil: return true
        }
    }

    /// The `<body>` element, or the root when the page has none.
    package var body: Node? { root?.firstChild(named: "body") ?? root }

    /// Creates an element that belongs to this document, not yet attached anywhere (attach it, or it is not
    /// freed with the document).
    package func createElement(_ name: String) -> Node {
        DocumentReference(pointer: pointer).createElement(name)
    }

    /// The names after `charset=` in `head` (the first 16 KiB, where `<meta>` declarations live) that are not
    /// UTF-8's, to be rewritten to it.
    private static func foreignCharsets(in head: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        charsetDeclarations(in: head).filter { range in
            let name = head[range].lazy.map { $0 | 0x20 }
            return !name.elementsEqual("utf-8".utf8) && !name.elementsEqual("utf8".utf8)
        }
    }

    /// The byte ranges of the names after each `charset=` (any case, optional spaces and quotes) in `head`.
    private static func charsetDeclarations(in head: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        let pattern: [UInt8] = Array("charset".utf8)
        guard let base = head.baseAddress else { return [] }
        var found: [Range<Int>] = []
        // From each `=` (found with memchr: it is rare beside the letters) back over spaces to the name.
        var search = 0
        while search < head.count, let hit = memchr(base + search, 0x3D, head.count - search) {
            let equals = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            search = equals + 1
            var name = equals
            while name > 0, head[name - 1] == UInt8(ascii: " ") { name -= 1 }
            guard name >= pattern.count,
                zip(head[(name - pattern.count)..<name], pattern).allSatisfy({ $0 | 0x20 == $1 })
            else { continue }
            var cursor = equals + 1
            while cursor < head.count, head[cursor] == 0x20 || head[cursor] == 0x22 || head[cursor] == 0x27 {
                cursor += 1
            }
            var end = cursor
            while end < head.count, head[end].isCharsetNameByte { end += 1 }
            if end > cursor { found.append(cursor..<end) }
            search = max(search, end)
        }
        return found
    }
}

extension UInt8 {
    fileprivate var isCharsetNameByte: Bool {
        (self >= 0x30 && self <= 0x39) || (self | 0x20 >= 0x61 && self | 0x20 <= 0x7A) || self == 0x2D
            || self == 0x5F || self == 0x3A || self == 0x2E
    }
}

/// A borrowed handle on a node's document, for making new nodes in it.
package struct DocumentReference {
    let pointer: xmlDocPtr

    /// Creates an element that belongs to the document, not yet attached anywhere.
    package func createElement(_ name: String) -> Node {
        Node(xmlNewDocNode(pointer, nil, name, nil))
    }
}

/// Errors from parsing markup.
public enum MarkupError: Error, Sendable, CustomStringConvertible, Equatable {
    case unparsable(String)
    case invalidXML(String, line: Int, String)
    case entitiesRefused(String)
    case invalidSelector(String, reason: String)

    public var description: String {
        switch self {
        case .unparsable(let source): "\(source): cannot be parsed as HTML"
        case .invalidXML(let source, let line, let message): "\(source):\(line): not well-formed XML: \(message)"
        case .entitiesRefused(let source):
            "\(source): declares entities in a DTD; refused (external entities and entity expansion are not allowed)"
        case .invalidSelector(let selector, let reason): "invalid selector '\(selector)': \(reason)"
        }
    }
}

/// libxml2's process-wide set-up, done once.
enum Markup {
    static let initialized: Bool = {
        xmlInitParser()
        feedpipe_silence_errors()
        return true
    }()

    static func initialize() { _ = initialized }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

extension Document {
    /// The document serialised as XML in UTF-8, its declaration first.
    package var xmlBytes: [UInt8] {
        var memory: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemoryEnc(pointer, &memory, &size, "UTF-8")
        guard let memory else { return [] }
        defer { feedpipe_xmlFree(memory) }
        return Array(UnsafeBufferPointer(start: memory, count: Int(size)))
    }
}
