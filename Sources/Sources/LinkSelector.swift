import Feed
import Foundation
import Markup

/// A CSS selector for the article links of a list page, found from the links a reader would take for
/// articles (`ListPage.articleLinks`): the selector, built from the classes, ids and tags around those
/// links, that selects as many of them as it can and as few other links as it can.
package struct LinkSelector: Sendable {
    package var selector: String
    /// Article links it selects, of those found.
    package var selected: Int
    /// Article links found on the page.
    package var found: Int
    /// Other links it selects too (in navigation, "most read" boxes, footers and the like).
    package var others: Int
    /// Article links whose first selected anchor has no headline of its own (a picture's link): the title
    /// then comes from the article page alone.
    var untitled = 0

    /// Why this selector, in a sentence for the pipeline file's comments.
    package var reason: String {
        let extra = others == 0 ? "and no other link" : "and \(others) other link\(others == 1 ? "" : "s")"
        return "'\(selector)' selects \(selected) of the \(found) article links found on the page \(extra)"
    }

    /// How far up from a link the elements that may name it are looked at.
    static let depth = 6

    /// The best selector for the page's article links, or `nil` when it has none (fewer than two found, or
    /// no selector takes half of them).
    package static func find(in document: Document) -> LinkSelector? {
        guard let root = document.root else { return nil }
        var articles = Set(ListPage.articleLinks(in: document).compactMap(\.link))
        // A page of links to other sites (an aggregator) or to pages not named like articles (releases):
        // headline-like links anywhere outside the furniture.
        if articles.count < 2 { articles = Set(ListPage.articleLinks(in: document, relaxed: true).compactMap(\.link)) }
        guard articles.count >= 2 else { return nil }
        let base = document.baseAddress
        func address(_ anchor: Node) -> String? {
            anchor.attribute("href").flatMap { Document.linkAddress($0, base: base) }
        }
        // The names of the elements around each article link, innermost first.
        var candidates: [String: Int] = [:]
        for anchor in root.xpath("//a[@href]") where address(anchor).map(articles.contains) == true {
            var names: [String] = []
            var node = anchor.parent
            while let element = node, element.isElement, !element.is("body"), names.count < depth {
                names += Self.names(of: element)
                node = element.parent
            }
            let own = Self.names(of: anchor).filter { $0.hasPrefix("a.") }
            for name in own { candidates[name, default: 0] += 1 }
            for (position, inner) in names.enumerated() {
                candidates[inner + " a", default: 0] += 1
                for outer in names[(position + 1)...] where outer != inner {
                    candidates[outer + " " + inner + " a", default: 0] += 1
                }
            }
        }
        var best: LinkSelector?
        for (candidate, _) in candidates where candidates[candidate]! * 2 >= articles.count {
            guard let selector = try? Selector(candidate) else { continue }
            var selected = Set<String>()
            var others = Set<String>()
            var untitled = 0
            for match in root.select(selector) {
                let anchor = match.is("a") ? match : match.xpath(".//a[@href][1]").first
                guard let anchor, let url = address(anchor) else { continue }
                if !articles.contains(url) {
                    others.insert(url)
                } else if selected.insert(url).inserted, anchor.text.split(whereSeparator: \.isWhitespace).count < 3 {
                    untitled += 1
                }
            }
            var found = LinkSelector(
                selector: candidate, selected: selected.count, found: articles.count, others: others.count)
            found.untitled = untitled
            guard found.selected * 2 >= articles.count else { continue }
            if best.map({ found.isBetter(than: $0) }) ?? true { best = found }
        }
        return best
    }

    /// More article links and fewer others (each other link costs two), then fewer untitled ones, then the
    /// shorter selector, then the first in alphabetical order, so the choice is the same on every run.
    func isBetter(than other: LinkSelector) -> Bool {
        let score = selected - 2 * others
        let otherScore = other.selected - 2 * other.others
        if score != otherScore { return score > otherScore }
        if untitled != other.untitled { return untitled < other.untitled }
        if selector.count != other.selector.count { return selector.count < other.selector.count }
        return selector < other.selector
    }

    /// The simple selectors that name an element: `tag#id` when its id is a CSS name, `tag.class` for its
    /// first class that is, and the tag alone for the elements that mean something (`article`, headings,
    /// `li`, `main`).
    static func names(of element: Node) -> [String] {
        let tag = element.name.lowercased()
        guard tag.allSatisfy({ $0.isLetter || $0.isNumber }) else { return [] }
        var names: [String] = []
        if let id = element.attribute("id"), isName(id) { names.append("\(tag)#\(id)") }
        if let name = element.attribute("class")?.split(whereSeparator: \.isWhitespace).first(where: {
            isName(String($0))
        }) {
            names.append("\(tag).\(name)")
        }
        if ["article", "h1", "h2", "h3", "h4", "li", "main", "section"].contains(tag) { names.append(tag) }
        return names
    }

    /// A CSS identifier written as it is: letters, digits, `-` and `_`, not starting with a digit or `--`.
    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !text.hasPrefix("--"), text.count <= 60,
            !CharacterSet.decimalDigits.contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_")
        }
    }
}

/// The rows a list page's article links sit in, and the selectors of what each row carries: what `feedpipe
/// new` proposes beside the link selector (`items`, `link`, `title`, `date`, `summary`, `image`, `content`).
package struct RowGuess: Sendable, Equatable {
    package var items: String
    package var link: String?
    package var title: String?
    package var date: String?
    package var summary: String?
    package var image: String?
    package var author: String?
    package var categories: String?
    package var enclosure: String?
    /// A block of text in each row long enough to be the entry itself (`article: none`).
    package var content: String?
    package var next: String?

    /// The rows around the links `links` selects: for each link, its highest ancestor holding no other
    /// selected link, named as `LinkSelector` names elements; `nil` unless one name covers most links.
    package static func find(in document: Document, links: Selector) -> RowGuess? {
        guard let root = document.root else { return nil }
        let anchors = root.select(links).compactMap { match in
            match.is("a") ? match : match.xpath(".//a[@href][1]").first
        }
        guard anchors.count >= 2 else { return nil }
        // How many of the selected addresses each element links to, from the links up (a card's picture and
        // its headline may both link to the story: one address).
        var linked: [Node: Set<String>] = [:]
        for anchor in Set(anchors) {
            let address = anchor.attribute("href") ?? ""
            var node = anchor.parent
            while let element = node, element.isElement {
                linked[element, default: []].insert(address)
                node = element.parent
            }
        }
        let holding = linked.mapValues(\.count)
        var names: [String: Int] = [:]
        for anchor in anchors {
            var row: Node?
            var node = anchor.parent
            var level = 0
            while let element = node, element.isElement, !element.is("body"), level < 6 {
                guard holding[element, default: 0] <= 1 else { break }
                row = element
                node = element.parent
                level += 1
            }
            guard let row else { continue }
            let name = LinkSelector.names(of: row).first { !$0.contains("#") } ?? row.name.lowercased()
            names[name, default: 0] += 1
        }
        guard let (common, count) = names.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
            count * 2 >= anchors.count, let selector = try? Selector(common)
        else { return nil }
        var name = common
        var rows = root.select(selector)
        // Rows of the same name elsewhere ("most read" boxes built like the stories) narrow the name by the
        // link selector's outermost part, or the rows are not proposed.
        // A table's header row, which links nowhere, is left out by `:has(a[href])`.
        if rows.contains(where: { holding[$0, default: 0] == 0 }) {
            var narrowings = [name + ":has(a[href])"]
            if let outer = links.source.split(separator: " ").first.map(String.init), outer != name,
                !outer.contains(",")
            {
                narrowings.append(outer + " " + name)
            }
            guard
                let narrowed = narrowings.first(where: { candidate in
                    guard let selector = try? Selector(candidate) else { return false }
                    return !root.select(selector).contains { holding[$0, default: 0] == 0 }
                })
            else { return nil }
            rows = root.select(try! Selector(narrowed))
            name = narrowed
        }
        guard rows.count >= 2 else { return nil }
        var guess = RowGuess(items: name)
        func most(_ test: (Node) -> Bool) -> Bool { rows.count(where: test) * 2 > rows.count }
        // The link: the anchor's own class, else the heading it sits in.
        let anchor = anchors[0]
        if let own = LinkSelector.names(of: anchor).first(where: { $0.hasPrefix("a.") }),
            let ownSelector = try? Selector(own), most({ !$0.select(ownSelector).isEmpty })
        {
            guess.link = own
        } else if let parent = anchor.parent, ["h1", "h2", "h3", "h4"].contains(parent.name.lowercased()) {
            guess.link = parent.name.lowercased() + " a"
        }
        // "Read more" links: the row's heading is the title.
        let words = anchor.text.split(whereSeparator: \.isWhitespace).count
        if words < 3 {
            for heading in ["h1", "h2", "h3", "h4"] where most({ !$0.xpath(".//\(heading)").isEmpty }) {
                guess.title = heading
                break
            }
        }
        if most({ !$0.xpath(".//time").isEmpty }) { guess.date = "time" }
        if most({ !$0.xpath(".//img").isEmpty }) { guess.image = "img" }
        for media in ["audio", "video"] where most({ !$0.xpath(".//\(media)[@src or source]").isEmpty }) {
            guess.enclosure = media
            break
        }
        // Tags: links whose rel says so, or whose class names tags or categories.
        let tags = rows.compactMap { row in
            row.xpath(
                ".//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ') or contains(@class, 'tag') or contains(@class, 'categor')]"
            ).first
        }
        if tags.count * 2 > rows.count {
            if tags[0].attribute("rel")?.split(separator: " ").contains("tag") == true {
                guess.categories = "a[rel~=tag]"
            } else if let name = LinkSelector.names(of: tags[0]).first(where: { $0.hasPrefix("a.") }) {
                guess.categories = name
            }
        }
        // A byline: an element whose class or rel names the author.
        let bylines = rows.compactMap { row in
            row.xpath(
                ".//*[@rel='author' or contains(@class, 'byline') or contains(@class, 'author')][normalize-space()]"
            ).first
        }
        if bylines.count * 2 > rows.count,
            let name = LinkSelector.names(of: bylines[0]).first(where: { $0.contains(".") })
        {
            guess.author = "." + name.split(separator: ".", maxSplits: 1)[1]
        }
        func wordCount(_ node: Node) -> Int { node.text.split(whereSeparator: \.isWhitespace).count }
        // A paragraph that is not the link: the summary; a block of 80 words or more: the entry's text.
        if most({ row in row.xpath(".//p[not(.//a)]").contains { wordCount($0) >= 6 } }) {
            guess.summary = "p"
        }
        for tag in ["div", "section"] {
            let blocks = rows.compactMap { row in
                row.xpath(".//\(tag)[not(.//a[@href])]").first { wordCount($0) >= 80 }
            }
            if blocks.count * 2 > rows.count, let name = LinkSelector.names(of: blocks[0]).first {
                guess.content = name
                break
            }
        }
        if !root.xpath("//a[@href][contains(concat(' ', normalize-space(@rel), ' '), ' next ')]").isEmpty {
            guess.next = "a[rel~=next]"
        } else if !root.xpath("//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' next ')]").isEmpty {
            guess.next = "link[rel~=next]"
        }
        return guess
    }
}
