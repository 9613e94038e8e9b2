import Foundation
import Markup

/// Finds the element that holds the article: paragraphs of real prose give points to their ancestors,
/// discounted by link density; the best-scoring ancestor wins and takes along siblings that look like it.
struct ContentScorer {
    let root: Node
    var stats: TextStatsIndex
    private(set) var scores: [Node: Double] = [:]
    /// The scored elements in the order they were first scored, so that ties are broken the same way on
    /// every run (a dictionary's order follows the nodes' addresses).
    private var scored: [Node] = []
    /// The element the page marks as its article's body (schema.org's `itemprop="articleBody"`): where it
    /// holds prose of its own and the scores chose a block outside it (an author's bio, a teaser, a comment
    /// thread longer than a short article), the page's own word settles it.
    private var marked: Node?
    static let markedLength = 200
    /// Whether the body chosen is the one the page marks.
    private(set) var tookMarked = false

    init(root: Node) {
        self.root = root
        self.stats = TextStatsIndex(root: root)
    }

    /// Elements whose text counts as one paragraph.
    static let paragraphTags = TagSet(["p", "pre", "td", "blockquote", "dd"])
    /// Containers that count as a paragraph when they hold only inline content (text laid out with `<br>`).
    static let containerTags = TagSet(["div", "section", "article", "main", "span", "font", "center"])
    static let blockTags = TagSet([
        "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "ul", "tr", "td", "th", "tbody", "thead",
    ])

    /// Minimum paragraph length (in `TextStats` units) that earns points.
    static let minimumParagraphLength = 25

    /// The best candidate and the siblings that go with it, in document order; empty when the page has no
    /// paragraph long enough to score.
    mutating func bestContent() -> [Node] {
        scoreParagraphs()
        guard let best = topCandidate() else { return [] }
        let top = promote(best)
        // A mark inside the chosen block that holds little of it, or on a block whose class others share, is
        // one post of a thread (forums mark their first post so): the scores stand.
        if let marked, stats[marked].length >= Self.markedLength, stats[marked].linkDensity < 0.3,
            !top.contains(marked) || stats[marked].length * 2 >= stats[top].length, !Self.isRepeated(marked, in: root)
        {
            // Beside it, only paragraphs of its own kind: a block that scores (a biography, a teaser) is
            // what the mark leaves out.
            tookMarked = true
            return headerLead(before: marked) + siblings(of: marked, byScore: false)
        }
        let chosen = headerLead(before: top) + siblings(of: top)
        let parts = splitParts(of: top, best: best).filter { part in !chosen.contains { $0.contains(part) } }
        guard !parts.isEmpty else { return chosen }
        let kept = joined(chosen, parts)
        return assembled(kept) ?? kept
    }

    /// The element around the chosen body and its split parts, when it holds little besides them (at most
    /// `assembledShare` times their text, few links, and no furniture name): the headings and the blocks too
    /// short to score between the parts are the page's too (guides and service pages laid out as a run of
    /// sections). WCXB dev: all types 0.827 → 0.828 (service 0.765 → 0.773), articles 0.944 kept with leak
    /// 3.90 → 3.99 %; scrapinghub 0.979 kept. Two and a half times the parts' text took one cloud guide from
    /// 0.57 to 0.92 but brought promotion and sign-up boxes along (leak 4.02 %); the ancestor's children of
    /// the parts' own kinds alone lost more on service pages than they saved. A `form` or a comments box
    /// around a forum's posts is not taken: cleaning drops it whole.
    private func assembled(_ kept: [Node]) -> [Node]? {
        guard kept.count >= 2 else { return nil }
        var ancestor = kept[0].parent
        while let current = ancestor, current != root, !kept.allSatisfy({ current.contains($0) }) {
            ancestor = current.parent
        }
        guard let ancestor, ancestor != root, ancestor.tag(in: Self.sectionTags), Boilerplate.classWeight(ancestor) >= 0
        else { return nil }
        let whole = stats[ancestor]
        let keptLength = kept.reduce(0) { $0 + stats[$1].length }
        guard Double(whole.length) <= Double(keptLength) * Self.assembledShare, whole.linkDensity <= 0.3 else {
            return nil
        }
        return [ancestor]
    }

    static let assembledShare = 2.0
    /// The elements that may stand for the assembled body.
    static let sectionTags = TagSet(["div", "section", "article", "main"])

    /// Parts of a body split across the page: elements outside the chosen one with the best candidate's own
    /// class that score as prose (sites that break an article around full-width figures or asides repeat
    /// the same wrapper).
    private func splitParts(of top: Node, best: Node) -> [Node] {
        guard let bestClass = best.attribute("class"), !bestClass.isEmpty else { return [] }
        let threshold = max(10, score(of: best) * 0.2)
        let parts = scored.filter { node in
            score(of: node) >= threshold && !node.contains(top) && !top.contains(node)
                && node.attribute("class") == bestClass
        }
        // Nested matches: the outermost stands for the rest.
        return parts.filter { part in !parts.contains { $0 != part && $0.contains(part) } }
    }

    /// The chosen nodes and the split parts in the order they appear in the page, leaving out a part with
    /// an `<h1>` between it and the chosen ones: that is another article's title (pages that load the next
    /// story below this one repeat its wrappers).
    private func joined(_ chosen: [Node], _ parts: [Node]) -> [Node] {
        enum Mark {
            case chosen(Node)
            case part(Node)
            case title
        }
        let isChosen = Set(chosen)
        var wanted = Set(chosen + parts)
        var marks: [Mark] = []
        root.walk { node in
            guard node.isElement, !wanted.isEmpty else { return .skipChildren }
            if wanted.remove(node) != nil {
                marks.append(isChosen.contains(node) ? .chosen(node) : .part(node))
                return .skipChildren
            }
            if node.is("h1") { marks.append(.title) }
            return .enter
        }
        // A part is kept when no title stands between it and a chosen node, looking either way.
        var reachable = Array(repeating: false, count: marks.count)
        for pass in [Array(marks.indices), Array(marks.indices.reversed())] {
            var open = false
            for index in pass {
                switch marks[index] {
                case .chosen: open = true
                case .title: open = false
                case .part: if open { reachable[index] = true }
                }
            }
        }
        var kept: [Node] = []
        for (index, mark) in marks.enumerated() {
            switch mark {
            case .chosen(let node): kept.append(node)
            case .part(let node) where reachable[index]: kept.append(node)
            default: break
            }
        }
        return kept
    }

    func score(of node: Node) -> Double { scores[node] ?? 0 }

    // MARK: Paragraph scoring

    private mutating func scoreParagraphs() {
        var paragraphs: [Node] = []
        var marked: Node?
        var markings = 0
        root.walk { node in
            guard node.isElement else { return .skipChildren }
            if markings < 2, node.hasAttributes, node.attribute("itemprop", contains: "articleBody") {
                marked = node
                markings += 1
            }
            if node.tag(in: Self.paragraphTags) {
                // A layout cell (a table cell holding blocks: nested tables, boxes, paragraphs) is no
                // paragraph: its blocks are scored, and it would score its row again with all their text.
                if !(node.is("td") && node.hasChild(in: Self.blockTags)) { paragraphs.append(node) }
                return node.is("td") || node.is("blockquote") || node.is("dd") ? .enter : .skipChildren
            }
            if node.tag(in: Self.containerTags), !node.hasChild(in: Self.blockTags) {
                paragraphs.append(node)
                return .skipChildren
            }
            return .enter
        }
        for paragraph in paragraphs {
            let text = stats[paragraph]
            guard text.length >= Self.minimumParagraphLength else { continue }
            // One point for being a paragraph, one per comma, one per 100 characters up to three.
            let points = 1 + Double(text.commas) + min(Double(text.length / 100), 3)
            var ancestor = paragraph.parent
            var level = 0
            while let current = ancestor, level < 5 {
                if scores[current] == nil {
                    scores[current] = Self.initialScore(current)
                    scored.append(current)
                }
                let divider = level == 0 ? 1.0 : level == 1 ? 2.0 : Double(level) * 3
                scores[current, default: 0] += points / divider
                if current == root { break }
                ancestor = current.parent
                level += 1
            }
        }
        for (node, score) in scores {
            scores[node] = score * (1 - stats[node].linkDensity)
        }
        // Some sites mark each paragraph (the New York Times): a mark on several elements names no body.
        self.marked = markings == 1 ? marked : nil
    }

    /// A starting score from the kind of element and its class/id words.
    static func initialScore(_ node: Node) -> Double {
        var score = Boilerplate.classWeight(node)
        switch node.name {
        case "div", "article", "section", "main": score += 5
        case "pre", "td", "blockquote": score += 3
        case "address", "ol", "ul", "dl", "dd", "dt", "li", "form": score -= 3
        case "h1", "h2", "h3", "h4", "h5", "h6", "th": score -= 5
        default: break
        }
        return score
    }

    // MARK: Choosing the candidate

    private func topCandidate() -> Node? {
        // Of equals, the first scored wins (`max` keeps the first it finds).
        scored.max { lhs, rhs in
            let (left, right) = (score(of: lhs), score(of: rhs))
            return left != right ? left < right : lhs.depth < rhs.depth
        }
    }

    /// Moves from the best candidate up to the element that really holds the article: a common ancestor
    /// of several near-best candidates (a body split into blocks), or a parent that scores higher.
    private func promote(_ candidate: Node) -> Node {
        var top = candidate
        let topScore = score(of: top)
        // Several candidates close to the best usually mean a body split into sibling blocks.
        let rivals = scored.filter { $0 != top && score(of: $0) >= topScore * 0.75 }
        if rivals.count >= 2 {
            var ancestor = top.parent
            while let current = ancestor, current != root {
                let holding = rivals.filter { current.contains($0) }.count
                if holding >= 2 {
                    top = current
                    break
                }
                ancestor = current.parent
            }
        }
        // Climb while the parent earns more than the child did (sibling paragraphs feed the parent).
        var lastScore = score(of: top)
        var parent = top.parent
        while let current = parent, current != root {
            guard let parentScore = scores[current] else {
                parent = current.parent
                continue
            }
            if parentScore < lastScore / 3 { break }
            if parentScore > lastScore {
                top = current
                break
            }
            lastScore = parentScore
            parent = current.parent
        }
        // A lone child says nothing its parent does not.
        while let current = top.parent, current != root, current.elementChildren.count == 1 {
            top = current
        }
        return top
    }

    /// The lead an article sets in its `<header>` with the headline (a standfirst, a summary in prose): the
    /// paragraphs of prose of a header that holds the page's `<h1>` and comes before the body in the same
    /// `<article>`, two levels up from the body at most. The header itself stays behind with its headline,
    /// byline and date.
    private func headerLead(before top: Node) -> [Node] {
        var article = top.parent
        while let current = article, !current.is("article") { article = current.parent }
        guard let article else { return [] }
        var level: Node? = top
        for _ in 0..<3 {
            guard let current = level, current != article else { break }
            var sibling = current.previousSibling
            while let candidate = sibling {
                if candidate.is("header"), candidate.descendants.contains(where: { $0.is("h1") }) {
                    let lead = candidate.descendants.filter { node in
                        guard node.is("p") else { return false }
                        let text = stats[node]
                        return text.length >= Self.leadLength && text.linkDensity < 0.25
                    }
                    if !lead.isEmpty { return lead }
                }
                sibling = candidate.previousSibling
            }
            level = current.parent
        }
        return []
    }

    /// Whether another element of the page has the element's class.
    static func isRepeated(_ node: Node, in root: Node) -> Bool {
        guard let name = node.attribute("class"), !name.isEmpty else { return false }
        return root.descendants.contains { $0 != node && $0.isElement && $0.attribute("class") == name }
    }

    /// The shortest lead taken from an article's header.
    static let leadLength = 80

    /// The candidate plus siblings that score well or read like prose, in document order.
    private func siblings(of top: Node, byScore: Bool = true) -> [Node] {
        guard let parent = top.parent else { return [top] }
        let topScore = score(of: top)
        let threshold = max(10, topScore * 0.2)
        let topClass = top.attribute("class") ?? ""
        var chosen: [Node] = []
        for sibling in parent.children where sibling.isElement {
            if sibling == top {
                chosen.append(sibling)
                continue
            }
            var bonus = 0.0
            if !topClass.isEmpty, sibling.attribute("class") == topClass { bonus = topScore * 0.2 }
            if byScore, let score = scores[sibling], score + bonus >= threshold {
                chosen.append(sibling)
                continue
            }
            if sibling.is("p") || (sibling.tag(in: Self.containerTags) && !sibling.hasChild(in: Self.blockTags)) {
                let text = stats[sibling]
                if text.length > 80 && text.linkDensity < 0.25 {
                    chosen.append(sibling)
                } else if text.length > 0 && text.length <= 80 && text.linkDensity == 0
                    && sibling.text.trimmed.hasSuffix(".")
                {
                    chosen.append(sibling)
                }
            }
        }
        return chosen
    }
}

extension String {
    /// The string without white space at either end (ASCII white space on the fast path).
    var trimmed: String {
        let fast = TextBytes.trim(self)
        guard let first = fast.unicodeScalars.first, let last = fast.unicodeScalars.last,
            first.properties.isWhitespace || last.properties.isWhitespace
        else { return fast }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
