import Markup

/// The pass over the whole page before scoring: removes what can never be article text (scripts, forms,
/// navigation, hidden elements) and, in strict mode, elements whose class or id marks them as furniture.
struct Preparation {
    let strict: Bool

    static let removedTags = TagSet([
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "button", "input",
        "select", "textarea", "nav", "link", "meta", "head", "title", "dialog", "menu",
    ])
    /// Elements never removed for their class or id.
    static let keptTags = TagSet(["body", "a", "html", "main", "article"])

    func apply(to root: Node) {
        var removed: [Node] = []
        root.walk { node in
            switch node.kind {
            case .comment, .other:
                removed.append(node)
                return .skipChildren
            case .text:
                return .skipChildren
            case .element:
                if node.tag(in: Self.removedTags) || Boilerplate.isHidden(node) {
                    removed.append(node)
                    return .skipChildren
                }
                if let role = node.attribute("role")?.lowercased(), Boilerplate.furnitureRoles.contains(role) {
                    removed.append(node)
                    return .skipChildren
                }
                if strict, !node.tag(in: Self.keptTags) {
                    let words = node.classAndID
                    if Boilerplate.isNegative(words), !Boilerplate.isProtected(words) {
                        removed.append(node)
                        return .skipChildren
                    }
                }
                return .enter
            }
        }
        Node.remove(removed)
    }
}
