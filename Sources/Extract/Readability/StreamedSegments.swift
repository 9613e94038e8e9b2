import Markup

/// React's streamed server rendering sends the parts of a page that were slow to render at the end of the
/// HTML, each in a `<div hidden id="S:…">`, and leaves a `<template id="B:…">` (followed by a fallback such
/// as "Loading paragraph…") or a `<template id="P:…">` where the part belongs; a script then moves each
/// part into place. A fetched page has run no script, so the parts are moved here, as a browser would, and
/// the article is read in its order instead of as a heap of hidden pieces at the end.
///
/// WCXB dev: 33 pages are written this way; articles 0.934 → 0.936 (two pages from 0 and 0.41 to 0.95 and
/// 0.90), all types 0.791 → 0.792 (a service page from 0 to 0.91, a listing −0.07); scrapinghub has none.
enum StreamedSegments {
    static func place(below root: Node) {
        var segments: [Substring: Node] = [:]
        var placeholders: [(suffix: Substring, template: Node)] = []
        root.walk { node in
            guard node.isElement else { return .skipChildren }
            if node.is("template") {
                if let id = node.attribute("id"), id.hasPrefix("B:") || id.hasPrefix("P:") {
                    placeholders.append((id.dropFirst(2), node))
                }
                return .skipChildren
            }
            if node.is("div"), node.hasAttribute("hidden"), let id = node.attribute("id"), id.hasPrefix("S:") {
                segments[id.dropFirst(2)] = node
            }
            return .enter
        }
        guard !segments.isEmpty else { return }
        // Freed only at the end: a fallback may hold another part's template or segment.
        var removed: [Node] = []
        for (suffix, template) in placeholders {
            guard let segment = segments.removeValue(forKey: suffix), !segment.contains(template) else { continue }
            if template.attribute("id")?.hasPrefix("B:") == true { removed += fallback(after: template) }
            for child in segment.children { template.insertBefore(child) }
            removed += [template, segment]
        }
        Node.remove(removed)
    }

    /// The fallback shown until the part arrives: up to React's `<!--/$-->` closing comment when the page
    /// kept its comments, else the element that follows the template when it is empty or says it is loading
    /// (a Suspense boundary may have no fallback, and then what follows is the page's own).
    private static func fallback(after template: Node) -> [Node] {
        var fallback: [Node] = []
        var sibling = template.nextSibling
        while let current = sibling {
            if current.kind == .comment {
                if current.text.hasPrefix("/$") { return fallback }
            } else {
                fallback.append(current)
            }
            sibling = current.nextSibling
        }
        guard let next = template.nextElementSibling, !next.is("template") else { return [] }
        let isEmpty = TextBytes.isBlank(next) && !next.descendants.contains(where: { $0.is("img") })
        let isLoading =
            TextBytes.loweredText(of: next, limit: fallbackBytes).map({ TextBytes.contains($0, loading) }) == true
        return isEmpty || isLoading ? [next] : []
    }

    /// The longest text of a fallback element: "Loading…" lines.
    static let fallbackBytes = 80
    static let loading = Array("loading".utf8)
}
