import Foundation
import Markup

/// Rewrites an extracted body in place into safe, compact HTML: an allow-list of elements and attributes,
/// absolute URLs, real images in place of lazy-loading placeholders, no empty elements.
struct Sanitizer {
    let resolver: URLResolver
    var rules = ExtractionRules.none

    /// Elements kept as they are.
    static let allowedTags = TagSet([
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
        "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
        "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    ])
    /// Elements removed with everything inside them: active content, forms, and page machinery.
    static let droppedTags = TagSet([
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "input", "button",
        "select", "textarea", "option", "meta", "link", "base", "svg", "noscript", "template", "canvas",
        "audio", "video", "source", "track", "map", "area", "dialog", "head", "title", "nav", "aside", "label",
        "param", "portal", "slot", "xml", "marquee",
    ])
    /// Presentation MathML, kept inside `<math>` so that formulas stay in the text ("When a ≠ 0, …"), with no
    /// attribute but `display` and `mathvariant`. Other MathML elements give way to their content, but for
    /// annotations (TeX source, or HTML and SVG inside `annotation-xml`), which go.
    static let mathTags = TagSet([
        "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "mstyle", "merror",
        "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup", "msubsup", "munder", "mover", "munderover",
        "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "semantics",
    ])
    static let mathDropped = TagSet(["annotation", "annotation-xml"])

    /// Structural elements that become `div`, so their blocks stay blocks. A `form` that reaches the sanitizer
    /// wraps content (ASP.NET wraps whole pages in one); its fields go one by one.
    static let blockToDiv = TagSet([
        "article", "section", "main", "header", "footer", "center", "hgroup", "address", "body", "html",
        "fieldset", "legend", "form",
    ])
    /// Elements that are meaningful even when empty.
    static let voidTags = TagSet(["br", "hr", "img", "td", "th", "col", "iframe"])

    static let allowedAttributes: [String: Set<String>] = [
        "a": ["href", "title"],
        "img": ["src", "srcset", "alt", "title", "width", "height"],
        "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan", "scope"],
        "ol": ["start", "reversed"], "li": ["value"],
        "time": ["datetime"], "blockquote": ["cite"], "q": ["cite"], "del": ["cite"], "ins": ["cite"],
        "abbr": ["title"], "col": ["span"], "colgroup": ["span"],
        "math": ["display"], "mi": ["mathvariant"], "mn": ["mathvariant"], "mo": ["mathvariant"],
        "mtext": ["mathvariant"],
    ]

    /// Sanitises everything below `container` (the container itself is left as it is).
    func sanitize(_ container: Node) {
        var pending: [Node] = []
        container.walk { node in
            switch node.kind {
            case .element:
                if node.is("iframe"), rules.allowsFrame(node.attribute("src")) {
                    keepFrame(node)
                    return .skipChildren
                }
                if node.tag(in: Self.droppedTags) {
                    pending.append(node)
                    return .skipChildren
                }
                if node.is("math") {
                    sanitizeMath(node)
                    return .skipChildren
                }
                if node.tag(in: Self.blockToDiv) { node.rename("div") }
                if !node.tag(in: Self.allowedTags) {
                    // Unknown inline elements (font, custom tags) give way to their content.
                    node.rename("span")
                }
                cleanAttributes(node)
                if node.is("img"), !node.hasAttribute("src") {
                    pending.append(node)
                    return .skipChildren
                }
                return .enter
            case .text:
                return .skipChildren
            case .comment, .other:
                pending.append(node)
                return .skipChildren
            }
        }
        Node.remove(pending)
        unwrapSpans(container)
        removeEmpty(container)
        collapseWhitespace(container)
        // A lone wrapper around the whole body says nothing.
        while container.elementChildren.count == 1, let only = container.elementChildren.first, only.is("div"),
            container.children.allSatisfy({ $0 == only || ($0.isText && TextBytes.isBlank($0)) })
        {
            only.unwrap()
        }
    }

    /// Elements around which white space is layout, not text.
    static let blockTags = TagSet([
        "blockquote", "caption", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "li", "ol", "p", "pre", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
        "ul",
    ])

    /// Folds runs of white space to one space, and drops white space that only separates blocks.
    private func collapseWhitespace(_ container: Node) {
        var blank: [Node] = []
        container.walk { node in
            if node.isElement { return node.is("pre") ? .skipChildren : .enter }
            guard node.isText else { return .skipChildren }
            if TextBytes.isBlank(node) {
                let previous = node.previousSibling
                let next = node.nextSibling
                let nearBlock =
                    (previous.map { $0.tag(in: Self.blockTags) } ?? true)
                    || (next.map { $0.tag(in: Self.blockTags) } ?? true)
                if nearBlock {
                    blank.append(node)
                } else {
                    node.setText(" ")
                }
                return .skipChildren
            }
            if TextBytes.needsFolding(node) { node.setText(TextBytes.foldSpaces(node.text)) }
            return .skipChildren
        }
        Node.remove(blank)
    }

    /// An allowed frame keeps its address, size and title, and runs sandboxed: its scripts cannot reach the
    /// page, open pop-ups or navigate the reader away.
    private func keepFrame(_ frame: Node) {
        for (name, _) in frame.attributes
        where !["src", "width", "height", "title", "allowfullscreen"].contains(name.lowercased()) {
            frame.removeAttribute(name)
        }
        while let child = frame.firstChild { child.remove() }
        frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation")
        frame.setAttribute("loading", "lazy")
    }

    /// A formula: its presentation MathML kept, everything else unwrapped or, for annotations, removed.
    private func sanitizeMath(_ math: Node) {
        cleanAttributes(math)
        var dropped: [Node] = []
        var unwrapped: [Node] = []
        math.walk { node in
            switch node.kind {
            case .element:
                if node.tag(in: Self.mathDropped) || node.tag(in: Self.droppedTags) {
                    dropped.append(node)
                    return .skipChildren
                }
                if !node.tag(in: Self.mathTags) { unwrapped.append(node) }
                cleanAttributes(node)
                return .enter
            case .text:
                return .skipChildren
            case .comment, .other:
                dropped.append(node)
                return .skipChildren
            }
        }
        Node.remove(dropped)
        for node in unwrapped.reversed() { node.unwrap() }
    }

    private func cleanAttributes(_ node: Node) {
        let name = node.name
        let allowed = Self.allowedAttributes[name] ?? []
        for (attribute, value) in node.attributes {
            let key = attribute.lowercased()
            guard allowed.contains(key) else {
                node.removeAttribute(attribute)
                continue
            }
            switch key {
            case "href", "cite":
                if let url = resolve(value) {
                    node.setAttribute(key, url)
                } else {
                    node.removeAttribute(attribute)
                }
            case "src":
                if let url = resolve(value, allowDataImages: true) {
                    node.setAttribute(key, url)
                } else {
                    node.removeAttribute(attribute)
                }
            case "srcset":
                if let set = resolveSrcset(value) {
                    node.setAttribute(key, set)
                } else {
                    node.removeAttribute(attribute)
                }
            default: break
            }
        }
    }

    /// The absolute form of an address, or `nil` for one not allowed: unsafe schemes, and this machine's
    /// files unless the rules keep them.
    func resolve(_ reference: String, allowDataImages: Bool = false) -> String? {
        guard let url = resolver.resolve(reference, allowDataImages: allowDataImages) else { return nil }
        if !rules.keepsLocalAddresses, url.utf8.count >= 5, url.prefix(5).lowercased() == "file:" { return nil }
        return url
    }

    /// Resolves each URL of a `srcset`, dropping candidates with unsafe URLs.
    func resolveSrcset(_ value: String) -> String? {
        let candidates = value.utf8.split(separator: UInt8(ascii: ",")).compactMap { candidate -> String? in
            let parts = candidate.split(whereSeparator: TextBytes.isSpace)
            guard let first = parts.first, let url = resolve(String(decoding: first, as: UTF8.self))
            else { return nil }
            return ([url] + parts.dropFirst().map { String(decoding: $0, as: UTF8.self) }).joined(separator: " ")
        }
        return candidates.isEmpty ? nil : candidates.joined(separator: ", ")
    }

    /// Spans carry nothing once their attributes are gone.
    private func unwrapSpans(_ container: Node) {
        var spans: [Node] = []
        for node in container.descendants where node.is("span") { spans.append(node) }
        for span in spans.reversed() { span.unwrap() }
    }

    /// Removes elements with no text and no image, bottom-up so that a chain of empty wrappers goes at once.
    private func removeEmpty(_ container: Node) {
        func isEmpty(_ node: Node) -> Bool {
            if node.tag(in: Self.voidTags) { return false }
            var child = node.firstChild
            while let current = child {
                switch current.kind {
                case .text:
                    if !TextBytes.isBlank(current) { return false }
                case .element:
                    if !isEmpty(current) { return false }
                default: break
                }
                child = current.nextSibling
            }
            return true
        }
        var empties: [Node] = []
        container.walk { node in
            guard node.isElement else { return .skipChildren }
            if isEmpty(node) {
                empties.append(node)
                return .skipChildren
            }
            return .enter
        }
        Node.remove(empties)
    }
}
