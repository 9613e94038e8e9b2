internal import CLibXML2
import Foundation

/// A borrowed view of one node of a `Document`. It does not keep the document alive.
public struct Node: Hashable, @unchecked Sendable {
    let pointer: xmlNodePtr

    init(_ pointer: xmlNodePtr) { self.pointer = pointer }

    /// What kind of node this is.
    package enum Kind: Sendable { case element, text, comment, other }

    package var kind: Kind {
        switch pointer.pointee.type {
        case XML_ELEMENT_NODE: .element
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: .text
        case XML_COMMENT_NODE: .comment
        default: .other
        }
    }

    package var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }
    package var isText: Bool { kind == .text }

    /// One integer a caller may keep on a node while it works on the tree, 0 until set: libxml2's `_private`
    /// field, which its parser leaves alone. Markup itself never reads it.
    package var mark: Int {
        get { Int(bitPattern: pointer.pointee._private) }
        nonmutating set { pointer.pointee._private = UnsafeMutableRawPointer(bitPattern: newValue) }
    }

    /// The element's name as written (libxml2's HTML parser lower-cases tag names); "" for other nodes.
    package var name: String {
        guard isElement, let name = pointer.pointee.name else { return "" }
        return String(cString: name)
    }

    /// The local name without any namespace prefix, for XML documents.
    package var localName: String { name }

    /// The namespace URI of an XML element, if any.
    package var namespace: String? {
        pointer.pointee.ns?.pointee.href.map { String(cString: $0) }
    }

    /// Whether this is an element with the given name, compared as bytes without making a string.
    package func `is`(_ tag: StaticString) -> Bool {
        guard isElement, let name = pointer.pointee.name else { return false }
        return Self.equal(name, tag.utf8Start)
    }

    /// Whether two NUL-terminated names are the same bytes: names are short, and most differ in their first
    /// byte, so a loop here costs less than a call to `strcmp`.
    @inline(__always)
    private static func equal(_ name: UnsafePointer<UInt8>, _ wanted: UnsafePointer<UInt8>) -> Bool {
        var index = 0
        while name[index] == wanted[index] {
            if name[index] == 0 { return true }
            index += 1
        }
        return false
    }

    /// The element's name as one of the names in `tags`, or `nil`.
    package func tag(in tags: TagSet) -> Bool {
        guard isElement, let name = pointer.pointee.name else { return false }
        return tags.contains(name)
    }

    // MARK: Tree

    /// The document the node belongs to. Nodes do not keep it alive: use only while the caller holds it.
    package var document: DocumentReference { DocumentReference(pointer: pointer.pointee.doc) }

    package var parent: Node? {
        guard let parent = pointer.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE else { return nil }
        return Node(parent)
    }
    package var firstChild: Node? { pointer.pointee.children.map(Node.init) }
    package var lastChild: Node? { pointer.pointee.last.map(Node.init) }
    package var nextSibling: Node? { pointer.pointee.next.map(Node.init) }
    package var previousSibling: Node? { pointer.pointee.prev.map(Node.init) }

    /// Direct children, in order.
    package var children: [Node] {
        var result: [Node] = []
        var child = pointer.pointee.children
        while let current = child {
            result.append(Node(current))
            child = current.pointee.next
        }
        return result
    }

    /// Element children, in order.
    package var elementChildren: [Node] { children.filter(\.isElement) }

    /// The first child that is an element.
    package var firstElementChild: Node? { Self.firstElement(from: pointer.pointee.children) { $0.pointee.next } }

    /// The next sibling that is an element.
    package var nextElementSibling: Node? { Self.firstElement(from: pointer.pointee.next) { $0.pointee.next } }

    /// The previous sibling that is an element.
    package var previousElementSibling: Node? { Self.firstElement(from: pointer.pointee.prev) { $0.pointee.prev } }

    /// The first element from `start` on, taking `step` (to the next or the previous sibling) past others.
    private static func firstElement(from start: xmlNodePtr?, _ step: (xmlNodePtr) -> xmlNodePtr?) -> Node? {
        var node = start
        while let current = node {
            if current.pointee.type == XML_ELEMENT_NODE { return Node(current) }
            node = step(current)
        }
        return nil
    }

    /// The first child element with the given name.
    package func firstChild(named name: StaticString) -> Node? {
        var child = firstChild
        while let current = child {
            if current.is(name) { return current }
            child = current.nextSibling
        }
        return nil
    }

    /// Whether one of the child elements is one of `tags`, looked at in place (no array of children made).
    package func hasChild(in tags: TagSet) -> Bool {
        var child = firstChild
        while let current = child {
            if current.isElement, current.tag(in: tags) { return true }
            child = current.nextSibling
        }
        return false
    }

    /// Every node below this one (not this one itself), in document order.
    package var descendants: Descendants { Descendants(root: self) }

    /// Whether `other` is this node or below it.
    package func contains(_ other: Node) -> Bool {
        var current: xmlNodePtr? = other.pointer
        while let node = current {
            if node == pointer { return true }
            current = node.pointee.parent
        }
        return false
    }

    /// How many elements stand between this node and the document root.
    package var depth: Int {
        var depth = 0
        var current = pointer.pointee.parent
        while let node = current, node.pointee.type == XML_ELEMENT_NODE {
            depth += 1
            current = node.pointee.parent
        }
        return depth
    }

    // MARK: Attributes

    /// Whether the element has any attribute at all: a free test before looking for particular ones.
    package var hasAttributes: Bool { isElement && pointer.pointee.properties != nil }

    package func attribute(_ name: String) -> String? {
        guard let property = property(named: name) else { return nil }
        // The usual value is one text node: read it in place rather than have libxml2 copy it first.
        if let child = property.pointee.children, child.pointee.next == nil, child.pointee.type == XML_TEXT_NODE {
            return child.pointee.content.map { String(cString: $0) } ?? ""
        }
        guard let value = xmlNodeListGetString(pointer.pointee.doc, property.pointee.children, 1) else { return "" }
        defer { feedpipe_xmlFree(value) }
        return String(cString: value)
    }

    /// The address relative references in this node resolve against (XML Base): the nearest `xml:base`
    /// on it or its ancestors, itself resolved against theirs and the document's URL.
    package var xmlBase: String? {
        guard let base = xmlNodeGetBase(pointer.pointee.doc, pointer) else { return nil }
        defer { feedpipe_xmlFree(base) }
        return String(cString: base)
    }

    /// Whether the attribute's value contains `needle` (case-sensitive), tested in place by libxml2: no
    /// string is made, so it suits checks over every element of a page.
    package func attribute(_ name: String, contains needle: String) -> Bool {
        test(name, inPlace: { Self.holds($0, needle) }, string: { $0.contains(needle) })
    }

    /// Whether the attribute's value contains any of the needles, its value looked up once.
    package func attribute(_ name: String, containsAny needles: [String]) -> Bool {
        test(
            name, inPlace: { value in needles.contains { Self.holds(value, $0) } },
            string: { value in needles.contains { value.contains($0) } })
    }

    /// Tests the attribute's value where libxml2 keeps it when it is one text node (the usual case), else as a
    /// string; `false` when the element has no such attribute.
    private func test(
        _ name: String, inPlace: (UnsafePointer<xmlChar>) -> Bool, string: (String) -> Bool
    ) -> Bool {
        guard let property = property(named: name) else { return false }
        if let child = property.pointee.children, child.pointee.next == nil, child.pointee.type == XML_TEXT_NODE {
            guard let content = child.pointee.content else { return false }
            return inPlace(content)
        }
        return attribute(name).map(string) ?? false
    }

    private static func holds(_ value: UnsafePointer<xmlChar>, _ needle: String) -> Bool {
        needle.withCString { xmlStrstr(value, UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) != nil }
    }

    package func hasAttribute(_ name: String) -> Bool {
        property(named: name) != nil
    }

    /// The attribute node called `name` (HTML names are compared as the parser stored them, lower-case).
    private func property(named name: String) -> xmlAttrPtr? {
        guard isElement, var property = pointer.pointee.properties else { return nil }
        return name.withCString { wanted in
            let wanted = UnsafeRawPointer(wanted).assumingMemoryBound(to: UInt8.self)
            while true {
                if let own = property.pointee.name, Self.equal(own, wanted) {
                    return property
                }
                guard let next = property.pointee.next else { return nil }
                property = next
            }
        }
    }

    package func setAttribute(_ name: String, _ value: String) {
        xmlSetProp(pointer, name, value)
    }

    package func removeAttribute(_ name: String) {
        if let attribute = xmlHasProp(pointer, name) { xmlRemoveProp(attribute) }
    }

    /// The element's attributes as name/value pairs, in document order.
    package var attributes: [(name: String, value: String)] {
        var result: [(String, String)] = []
        var attribute = isElement ? pointer.pointee.properties : nil
        while let current = attribute {
            let name = String(cString: current.pointee.name)
            let value = xmlNodeListGetString(pointer.pointee.doc, current.pointee.children, 1)
            result.append((name, value.map { String(cString: $0) } ?? ""))
            if let value { feedpipe_xmlFree(value) }
            attribute = current.pointee.next
        }
        return result
    }

    /// The `class` and `id` attributes joined, the usual input of class/id heuristics.
    package var classAndID: String {
        guard hasAttributes else { return "" }
        let classes = attribute("class") ?? ""
        guard let id = attribute("id") else { return classes }
        return classes.isEmpty ? id : classes + " " + id
    }

    // MARK: Text

    /// All text below this node, concatenated as it stands in the source.
    package var text: String {
        guard let content = xmlNodeGetContent(pointer) else { return "" }
        defer { feedpipe_xmlFree(content) }
        return String(cString: content)
    }

    /// Replaces the content of a text or comment node, or all children of an element with one text node.
    package func setText(_ text: String) {
        if kind == .comment {
            xmlNodeSetContent(pointer, text)
        } else if isText {
            xmlNodeSetContent(pointer, nil)
            xmlNodeAddContent(pointer, text)
        } else {
            xmlNodeSetContent(pointer, nil)
            xmlAddChild(pointer, xmlNewDocText(pointer.pointee.doc, text))
        }
    }

    /// Calls `body` with the raw UTF-8 bytes of every text node below (or at) this node, in order, without
    /// making strings. Stops early when `body` returns `false`.
    package func forEachTextRun(skipping skipped: TagSet? = nil, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        var stop = false
        func visit(_ node: xmlNodePtr) {
            var child: xmlNodePtr? = node
            while let current = child, !stop {
                switch current.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = current.pointee.content {
                        let length = strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
                        if !body(UnsafeBufferPointer(start: content, count: length)) { stop = true }
                    }
                case XML_ELEMENT_NODE:
                    if let skipped, let name = current.pointee.name, skipped.contains(name) { break }
                    if let first = current.pointee.children { visit(first) }
                default: break
                }
                child = current == pointer ? nil : current.pointee.next
            }
        }
        visit(pointer)
    }

    // MARK: Editing

    /// Detaches the node from its tree; it stays owned by its document until freed with `remove()`.
    package func unlink() { xmlUnlinkNode(pointer) }

    /// Detaches the node and frees it with everything below it. Do not use the node afterwards.
    package func remove() {
        xmlUnlinkNode(pointer)
        xmlFreeNode(pointer)
    }

    /// Removes and frees a set of nodes, some of which may contain others: all are unlinked before any is
    /// freed, so a node freed with its ancestor is never freed twice.
    package static func remove(_ nodes: [Node]) {
        var seen = Set<Node>()
        let unique = nodes.filter { seen.insert($0).inserted }
        for node in unique { xmlUnlinkNode(node.pointer) }
        for node in unique { xmlFreeNode(node.pointer) }
    }

    /// Moves `child` (detached or not) to the end of this element's children.
    package func append(_ child: Node) {
        xmlUnlinkNode(child.pointer)
        xmlAddChild(pointer, child.pointer)
    }

    /// Moves `node` in front of this node.
    package func insertBefore(_ node: Node) {
        xmlUnlinkNode(node.pointer)
        xmlAddPrevSibling(pointer, node.pointer)
    }

    /// Replaces this node with its own children, keeping them in place.
    package func unwrap() {
        while let child = pointer.pointee.children {
            xmlUnlinkNode(child)
            xmlAddPrevSibling(pointer, child)
        }
        remove()
    }

    /// Renames the element, keeping attributes and children.
    package func rename(_ name: String) { xmlNodeSetName(pointer, name) }

    // MARK: Serialisation

    /// The node and everything below it as HTML.
    package var outerHTML: String {
        guard let buffer = Self.growingBuffer() else { return "" }
        defer { xmlBufferFree(buffer) }
        htmlNodeDump(buffer, pointer.pointee.doc, pointer)
        return String(cString: xmlBufferContent(buffer))
    }

    /// A buffer that doubles as it grows (libxml2's default grows by exactly what each write needs, which
    /// makes serialising a large body quadratic).
    static func growingBuffer() -> xmlBufferPtr? {
        guard let buffer = xmlBufferCreate() else { return nil }
        xmlBufferSetAllocationScheme(buffer, XML_BUFFER_ALLOC_DOUBLEIT)
        return buffer
    }

    /// The node's children as HTML.
    package var innerHTML: String {
        guard let buffer = Self.growingBuffer() else { return "" }
        defer { xmlBufferFree(buffer) }
        var child = pointer.pointee.children
        while let current = child {
            htmlNodeDump(buffer, pointer.pointee.doc, current)
            child = current.pointee.next
        }
        return String(cString: xmlBufferContent(buffer))
    }

    // MARK: Queries

    /// Nodes matching an XPath expression evaluated with this node as the context node.
    package func xpath(_ expression: String) -> [Node] {
        guard let context = xmlXPathNewContext(pointer.pointee.doc) else { return [] }
        defer { xmlXPathFreeContext(context) }
        context.pointee.node = pointer
        guard let object = xmlXPathEvalExpression(expression, context) else { return [] }
        defer { xmlXPathFreeObject(object) }
        guard let set = object.pointee.nodesetval, set.pointee.nodeNr > 0 else { return [] }
        return (0..<Int(set.pointee.nodeNr)).compactMap { set.pointee.nodeTab[$0].map(Node.init) }
    }

    /// Elements below this node matching a CSS selector.
    public func select(_ selector: Selector) -> [Node] {
        guard let compiled = selector.compiled else { return xpath(selector.xpath) }
        guard let context = xmlXPathNewContext(pointer.pointee.doc) else { return [] }
        defer { xmlXPathFreeContext(context) }
        context.pointee.node = pointer
        guard let object = xmlXPathCompiledEval(compiled.pointer, context) else { return [] }
        defer { xmlXPathFreeObject(object) }
        guard let set = object.pointee.nodesetval, set.pointee.nodeNr > 0 else { return [] }
        return (0..<Int(set.pointee.nodeNr)).compactMap { set.pointee.nodeTab[$0].map(Node.init) }
    }

    /// The value of an XPath expression that computes a string or number rather than selecting nodes
    /// (`substring-before(//title, ' | ')`, `normalize-space(//h1)`), or `nil` when it selects nodes or
    /// computes nothing.
    package func value(of selector: Selector) -> String? {
        guard let context = xmlXPathNewContext(pointer.pointee.doc) else { return nil }
        defer { xmlXPathFreeContext(context) }
        context.pointee.node = pointer
        guard let object = xmlXPathEvalExpression(selector.xpath, context) else { return nil }
        defer { xmlXPathFreeObject(object) }
        switch object.pointee.type {
        case XPATH_STRING:
            return object.pointee.stringval.map { String(cString: $0) }
        case XPATH_NUMBER where object.pointee.floatval.isFinite:
            let number = object.pointee.floatval
            return number == number.rounded() ? String(Int(number)) : String(number)
        default:
            return nil
        }
    }
}

/// Pre-order iteration over the nodes below a root, read straight off libxml2's links.
package struct Descendants: Sequence {
    let root: Node

    package struct Iterator: IteratorProtocol {
        let root: xmlNodePtr
        var upcoming: xmlNodePtr?

        package mutating func next() -> Node? {
            guard let current = upcoming else { return nil }
            if let child = current.pointee.children, current.pointee.type == XML_ELEMENT_NODE {
                upcoming = child
            } else {
                var node: xmlNodePtr? = current
                upcoming = nil
                while let candidate = node, candidate != root {
                    if let sibling = candidate.pointee.next {
                        upcoming = sibling
                        break
                    }
                    node = candidate.pointee.parent
                }
            }
            return Node(current)
        }
    }

    package func makeIterator() -> Iterator {
        Iterator(root: root.pointer, upcoming: root.pointer.pointee.children)
    }
}

extension Node {
    /// Iterates the nodes below this one in pre-order, letting `visit` decide whether to enter each element.
    /// `visit` may remove the node it is given when it returns `.skipChildren`.
    package func walk(_ visit: (Node) -> WalkDecision) {
        walk(from: pointer.pointee.children, visit)
    }

    /// `walk` over what follows `node` in document order below this node: `node`'s own children and
    /// ancestors are not visited.
    package func walk(after node: Node, _ visit: (Node) -> WalkDecision) {
        walk(from: nextInWalk(after: node.pointer, entering: false), visit)
    }

    private func walk(from start: xmlNodePtr?, _ visit: (Node) -> WalkDecision) {
        var current = start
        while let node = current {
            let next = nextInWalk(after: node, entering: false)
            switch visit(Node(node)) {
            case .enter:
                current = nextInWalk(after: node, entering: true)
            case .skipChildren:
                current = next
            case .stop:
                return
            }
        }
    }

    private func nextInWalk(after node: xmlNodePtr, entering: Bool) -> xmlNodePtr? {
        if entering, node.pointee.type == XML_ELEMENT_NODE, let child = node.pointee.children { return child }
        var candidate: xmlNodePtr? = node
        while let current = candidate, current != pointer {
            if let sibling = current.pointee.next { return sibling }
            candidate = current.pointee.parent
        }
        return nil
    }
}

/// What `Node.walk` does after visiting a node: go into its children, go on past them, or end the walk.
package enum WalkDecision: Sendable { case enter, skipChildren, stop }

/// A set of element names, compared as packed bytes so that a lookup makes no string.
package struct TagSet: Sendable {
    private struct Key: Hashable { var low: UInt64 = 0, high: UInt64 = 0 }
    /// Open addressing with a multiplicative hash: a lookup is a multiply, a shift and one or two compares,
    /// far cheaper than `Set`'s SipHash for the thousands of lookups one page takes.
    private let slots: [Key?]
    private let shift: UInt64

    package init(_ names: [String]) {
        let keys = Set(
            names.compactMap { name in
                name.utf8.withContiguousStorageIfAvailable { Self.key($0.baseAddress!, limit: $0.count) } ?? nil
            })
        var size = 8
        while size < keys.count * 4 { size *= 2 }
        shift = UInt64(64 - size.trailingZeroBitCount)
        var slots = [Key?](repeating: nil, count: size)
        for key in keys {
            var index = Self.slot(key, shift: shift)
            while slots[index] != nil { index = (index + 1) & (size - 1) }
            slots[index] = key
        }
        self.slots = slots
    }

    @inline(__always)
    private static func slot(_ key: Key, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: ((key.low ^ (key.high &* 31)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    @inline(__always)
    private func lookup(_ key: Key) -> Bool {
        var index = Self.slot(key, shift: shift)
        while let candidate = slots[index] {
            if candidate == key { return true }
            index = (index + 1) & (slots.count - 1)
        }
        return false
    }

    /// Packs up to 16 bytes of a name; longer names are never members.
    private static func key(_ bytes: UnsafePointer<UInt8>, limit: Int = .max) -> Key? {
        var key = Key()
        var index = 0
        while index < limit, bytes[index] != 0 {
            guard index < 16 else { return nil }
            let byte = UInt64(bytes[index])
            if index < 8 { key.low |= byte << (8 * UInt64(index)) } else { key.high |= byte << (8 * UInt64(index - 8)) }
            index += 1
        }
        return key
    }

    func contains(_ name: UnsafePointer<xmlChar>) -> Bool {
        guard let key = Self.key(name) else { return false }
        return lookup(key)
    }

    /// Whether the bytes (a lower-case word, say) are a member.
    package func contains(bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count <= 16 else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { Self.key($0, limit: buffer.count) }.map(lookup) ?? false
        }
    }

    /// Whether the bytes are a member.
    package func contains(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count <= 16, let base = bytes.baseAddress else { return false }
        return Self.key(base, limit: bytes.count).map(lookup) ?? false
    }

    package func contains(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { buffer in
            buffer.baseAddress.flatMap { Self.key($0, limit: buffer.count) }.map(lookup) ?? false
        }
    }
}
