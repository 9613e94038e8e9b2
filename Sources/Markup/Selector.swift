internal import CLibXML2

/// A CSS selector translated to XPath. Supports what pipeline files use: type selectors, `*`, `.class`,
/// `#id`, `[attr]`, `[attr=value]`, `[attr~=value]`, `[attr^=value]`, `[attr$=value]`, `[attr*=value]`,
/// `[attr|=value]`, the descendant, child and sibling combinators, selector lists, and the pseudo-classes
/// XPath can express: `:first-child`, `:last-child`, `:only-child`, `:nth-child()`, `:nth-last-child()`,
/// `:first-of-type`, `:last-of-type`, `:nth-of-type()` (after an element name), `:not()`, `:has()`,
/// `:empty` and jQuery's `:contains()`.
public struct Selector: Sendable, CustomStringConvertible {
    /// The selector as written.
    package let source: String
    /// The equivalent XPath expression, relative to the context node.
    package let xpath: String
    /// The expression compiled once, for selectors run on every row of a list page.
    let compiled: CompiledXPath?

    public var description: String { source }

    public init(_ source: String) throws(MarkupError) {
        self.source = source
        var parser = SelectorParser(source: source)
        self.xpath = try parser.parseList()
        Markup.initialize()
        self.compiled = CompiledXPath(xpath)
    }

    /// A selector written as XPath 1.0 (relative expressions start from the node selected from); the
    /// expression is compiled once here so that a mistake is reported when the pipeline is read.
    package init(xpath: String) throws(MarkupError) {
        Markup.initialize()
        guard let compiled = CompiledXPath(xpath) else {
            throw MarkupError.invalidSelector(xpath, reason: "not a valid XPath 1.0 expression")
        }
        self.source = xpath
        self.xpath = xpath
        self.compiled = compiled
    }

    /// XPath axes a relative expression may start with (`ancestor::article//h2`).
    static let axes = [
        "ancestor::", "ancestor-or-self::", "attribute::", "child::", "descendant::", "descendant-or-self::",
        "following::", "following-sibling::", "parent::", "preceding::", "preceding-sibling::", "self::",
    ]

    /// CSS, or XPath when the text starts as only XPath can (`/`, `./`, `../`, `(`, an axis such as
    /// `following-sibling::`): `//article//h2/a`.
    public init(cssOrXPath text: String) throws(MarkupError) {
        if text.hasPrefix("/") || text.hasPrefix("./") || text.hasPrefix("(") || text.hasPrefix("../")
            || text == "." || text == ".." || Self.axes.contains(where: text.hasPrefix)
        {
            try self.init(xpath: text)
        } else {
            try self.init(text)
        }
    }
}

/// A compiled XPath expression, freed with its last selector. libxml2 evaluates a compiled expression in
/// a context of the caller's own and does not change it, so one may be used by several threads at once.
final class CompiledXPath: @unchecked Sendable {
    let pointer: xmlXPathCompExprPtr

    init?(_ expression: String) {
        guard let pointer = xmlXPathCompile(expression) else { return nil }
        self.pointer = pointer
    }

    deinit { xmlXPathFreeCompExpr(pointer) }
}

private struct SelectorParser {
    let source: String
    let characters: [Character]
    var index = 0

    init(source: String) {
        self.source = source
        self.characters = Array(source)
    }

    /// How many `:not(` or `:has(` are open: a `)` ends a selector inside one.
    var depth = 0

    mutating func parseList() throws(MarkupError) -> String {
        var alternatives: [String] = []
        repeat {
            skipSpaces()
            alternatives.append(try parseComplex())
            skipSpaces()
        } while consume(",")
        guard index == characters.count else { throw failure("unexpected '\(characters[index])'") }
        return alternatives.joined(separator: " | ")
    }

    /// compound (combinator compound)*
    mutating func parseComplex() throws(MarkupError) -> String {
        var path = ".//" + (try parseCompound())
        while true {
            let hadSpace = skipSpaces()
            if index == characters.count || peek(",") || (depth > 0 && peek(")")) { break }
            if consume(">") {
                skipSpaces()
                path += "/" + (try parseCompound())
            } else if consume("+") {
                skipSpaces()
                path += "/following-sibling::*[1]/self::" + (try parseCompound())
            } else if consume("~") {
                skipSpaces()
                path += "/following-sibling::" + (try parseCompound())
            } else if hadSpace {
                path += "//" + (try parseCompound())
            } else {
                throw failure("unexpected '\(characters[index])'")
            }
        }
        return path
    }

    mutating func parseCompound() throws(MarkupError) -> String {
        let start = index
        var element = "*"
        var predicates: [String] = []
        if consume("*") {
        } else if let name = identifier() {
            element = name.lowercased()
        }
        while index < characters.count {
            if consume(".") {
                guard let name = identifier() else { throw failure("expected a class name after '.'") }
                predicates.append("contains(concat(' ', normalize-space(@class), ' '), ' \(name) ')")
            } else if consume("#") {
                guard let name = identifier() else { throw failure("expected an id after '#'") }
                predicates.append("@id = \(literal(name))")
            } else if consume("[") {
                predicates.append(try parseAttribute())
            } else if consume(":") {
                predicates.append(try parsePseudoClass(element: element))
            } else {
                break
            }
        }
        if index == start {
            throw failure(index < characters.count ? "unexpected '\(characters[index])'" : "expected a selector")
        }
        return element + predicates.map { "[\($0)]" }.joined()
    }

    /// A pseudo-class (after its `:`) as an XPath predicate on the element.
    mutating func parsePseudoClass(element: String) throws(MarkupError) -> String {
        guard let name = identifier()?.lowercased() else { throw failure("expected a pseudo-class after ':'") }
        func ofType() throws(MarkupError) -> String {
            guard element != "*" else { throw failure(":\(name) needs an element name before it (li:\(name))") }
            return element
        }
        switch name {
        case "first-child": return "not(preceding-sibling::*)"
        case "last-child": return "not(following-sibling::*)"
        case "only-child": return "not(preceding-sibling::*) and not(following-sibling::*)"
        case "first-of-type": return "not(preceding-sibling::\(try ofType()))"
        case "last-of-type": return "not(following-sibling::\(try ofType()))"
        case "empty": return "not(node())"
        case "nth-child": return try nth("count(preceding-sibling::*) + 1")
        case "nth-last-child": return try nth("count(following-sibling::*) + 1")
        case "nth-of-type": return try nth("count(preceding-sibling::\(try ofType())) + 1")
        case "nth-last-of-type": return try nth("count(following-sibling::\(try ofType())) + 1")
        case "not":
            let inner = try parenthesised { parser throws(MarkupError) in
                var alternatives = [try parser.parseCompound()]
                while true {
                    parser.skipSpaces()
                    guard parser.consume(",") else { break }
                    parser.skipSpaces()
                    alternatives.append(try parser.parseCompound())
                }
                return alternatives.map { "self::" + $0 }.joined(separator: " or ")
            }
            return "not(\(inner))"
        case "has":
            let inner = try parenthesised { parser throws(MarkupError) in
                let child = parser.consume(">")
                parser.skipSpaces()
                let path = try parser.parseComplex()
                // `.//x` from parseComplex; a child combinator first makes it `./x`.
                return child ? "./" + path.dropFirst(3) : path
            }
            return inner
        case "contains":
            guard consume("(") else { throw failure("expected '(' after :contains") }
            skipSpaces()
            let text: String
            if let quoted = try quotedString() {
                text = quoted
            } else {
                let start = index
                while index < characters.count && characters[index] != ")" { index += 1 }
                text = String(characters[start..<index]).trimmingCharacters(in: .whitespaces)
            }
            skipSpaces()
            guard consume(")") else { throw failure("expected ')'") }
            return "contains(., \(literal(text)))"
        default:
            throw failure("the pseudo-class :\(name) is not supported")
        }
    }

    /// What is inside `( … )`, read by `body`.
    mutating func parenthesised(_ body: (inout SelectorParser) throws(MarkupError) -> String) throws(MarkupError)
        -> String
    {
        guard consume("(") else { throw failure("expected '('") }
        depth += 1
        skipSpaces()
        let inner = try body(&self)
        skipSpaces()
        depth -= 1
        guard consume(")") else { throw failure("expected ')'") }
        return inner
    }

    /// `:nth-…(an+b)`, `odd`, `even` or a number, as a condition on `position` (an XPath number expression).
    mutating func nth(_ position: String) throws(MarkupError) -> String {
        guard consume("(") else { throw failure("expected '('") }
        let start = index
        while index < characters.count && characters[index] != ")" { index += 1 }
        guard index < characters.count else { throw failure("expected ')'") }
        let text = String(characters[start..<index]).filter { !$0.isWhitespace }.lowercased()
        index += 1
        var a = 0
        var b = 0
        switch text {
        case "odd": (a, b) = (2, 1)
        case "even": (a, b) = (2, 0)
        default:
            if let number = Int(text) {
                b = number
            } else if let n = text.firstIndex(of: "n") {
                let coefficient = String(text[..<n])
                switch coefficient {
                case "", "+": a = 1
                case "-": a = -1
                default:
                    guard let value = Int(coefficient) else { throw failure("'\(text)' is no an+b") }
                    a = value
                }
                let rest = String(text[text.index(after: n)...])
                if !rest.isEmpty {
                    guard let value = Int(rest.hasPrefix("+") ? String(rest.dropFirst()) : rest) else {
                        throw failure("'\(text)' is no an+b")
                    }
                    b = value
                }
            } else {
                throw failure("'\(text)' is no an+b")
            }
        }
        if a == 0 { return "\(position) = \(b)" }
        if a > 0 { return "\(position) >= \(b) and (\(position) - \(b)) mod \(a) = 0" }
        return "\(position) <= \(b) and (\(b) - (\(position))) mod \(-a) = 0"
    }

    mutating func parseAttribute() throws(MarkupError) -> String {
        skipSpaces()
        guard let name = identifier() else { throw failure("expected an attribute name after '['") }
        skipSpaces()
        let attribute = "@\(name.lowercased())"
        if consume("]") { return attribute }
        var matcher = "="
        for candidate in ["~=", "^=", "$=", "*=", "|=", "="] where consume(candidate) {
            matcher = candidate
            break
        }
        if matcher == "=" && characters[index - 1] != "=" { throw failure("expected ']' or an operator") }
        skipSpaces()
        let value: String
        if let quoted = try quotedString() {
            value = quoted
        } else {
            guard let bare = identifier() else { throw failure("expected a value") }
            value = bare
        }
        skipSpaces()
        guard consume("]") else { throw failure("expected ']'") }
        let quoted = literal(value)
        switch matcher {
        case "~=": return "contains(concat(' ', normalize-space(\(attribute)), ' '), concat(' ', \(quoted), ' '))"
        case "^=": return "starts-with(\(attribute), \(quoted))"
        case "$=":
            return "substring(\(attribute), string-length(\(attribute)) - string-length(\(quoted)) + 1) = \(quoted)"
        case "*=": return "contains(\(attribute), \(quoted))"
        case "|=": return "(\(attribute) = \(quoted) or starts-with(\(attribute), concat(\(quoted), '-')))"
        default: return "\(attribute) = \(quoted)"
        }
    }

    /// A string in single or double quotes at the current position (without its quotes), or `nil` when none
    /// starts here.
    mutating func quotedString() throws(MarkupError) -> String? {
        guard let quote = characters[safe: index], quote == "\"" || quote == "'" else { return nil }
        index += 1
        let start = index
        while index < characters.count && characters[index] != quote { index += 1 }
        guard index < characters.count else { throw failure("unterminated string") }
        defer { index += 1 }
        return String(characters[start..<index])
    }

    func literal(_ value: String) -> String {
        if !value.contains("'") { return "'\(value)'" }
        if !value.contains("\"") { return "\"\(value)\"" }
        return "concat('" + value.replacingOccurrences(of: "'", with: "', \"'\", '") + "')"
    }

    mutating func identifier() -> String? {
        let start = index
        while index < characters.count {
            let character = characters[index]
            if character.isLetter || character.isNumber || character == "-" || character == "_" {
                index += 1
            } else if character == "\\", index + 1 < characters.count {
                index += 2
            } else {
                break
            }
        }
        guard index > start else { return nil }
        return String(characters[start..<index]).replacingOccurrences(of: "\\", with: "")
    }

    @discardableResult
    mutating func skipSpaces() -> Bool {
        let start = index
        while index < characters.count && characters[index].isWhitespace { index += 1 }
        return index > start
    }

    func peek(_ text: String) -> Bool {
        let scalars = Array(text)
        guard index + scalars.count <= characters.count else { return false }
        return Array(characters[index..<index + scalars.count]) == scalars
    }

    mutating func consume(_ text: String) -> Bool {
        guard peek(text) else { return false }
        index += text.count
        return true
    }

    func failure(_ reason: String) -> MarkupError {
        .invalidSelector(source, reason: index < characters.count ? "\(reason) at character \(index + 1)" : reason)
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
