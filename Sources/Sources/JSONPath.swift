import Foundation

/// A path into JSON as pipeline files write it: keys joined by dots, `[N]` (or `.N`) for an array's element,
/// `[]` for each element (`data.posts[].title`, `_embedded.author[0].name`, `tags[].name`). Keys with dots
/// or brackets of their own are not supported.
package struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
        case each
    }

    let steps: [Step]
    package let description: String

    /// The path written in `text`, or why it is none.
    package init(_ text: String) throws(SourceSettingsError) {
        description = text
        var steps: [Step] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let name = rest.prefix { $0 != "[" }
            rest = rest.dropFirst(name.count)
            if !name.isEmpty {
                if let index = Int(name), index >= 0 {
                    steps.append(.index(index))
                } else {
                    steps.append(.key(String(name)))
                }
            } else if rest.isEmpty {
                throw SourceSettingsError(key: nil, "'\(text)' is no JSON path (an empty step between dots)")
            }
            while rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else {
                    throw SourceSettingsError(key: nil, "'\(text)' is no JSON path (a '[' without its ']')")
                }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if inside.isEmpty {
                    steps.append(.each)
                } else if let index = Int(inside), index >= 0 {
                    steps.append(.index(index))
                } else {
                    throw SourceSettingsError(key: nil, "'\(text)' is no JSON path ('[\(inside)]' is no index)")
                }
                rest = rest[rest.index(after: close)...]
            }
            guard rest.isEmpty else {
                throw SourceSettingsError(key: nil, "'\(text)' is no JSON path (unexpected '\(rest)')")
            }
        }
        self.steps = steps
    }

    /// Every value the path reaches from `root`; an array at the end gives its elements.
    package func values(in root: Any) -> [Any] {
        var current: [Any] = [root]
        for step in steps {
            var next: [Any] = []
            for value in current {
                switch step {
                case .key(let key):
                    if let object = value as? [String: Any], let found = object[key], !(found is NSNull) {
                        next.append(found)
                    }
                case .index(let index):
                    if let array = value as? [Any], index < array.count { next.append(array[index]) }
                case .each:
                    if let array = value as? [Any] { next.append(contentsOf: array) }
                }
            }
            current = next
        }
        return current.flatMap { value -> [Any] in (value as? [Any]) ?? [value] }
    }

    /// The values as text: strings as they are, numbers written plainly, an object by its `name`,
    /// `rendered` (WordPress), `title`, `url` or `href` member.
    package func texts(in root: Any) -> [String] {
        values(in: root).compactMap(Self.text)
    }

    static func text(_ value: Any) -> String? {
        switch value {
        case let string as String:
            return string
        case let number as NSNumber:
            return number.stringValue
        case let object as [String: Any]:
            for key in ["name", "rendered", "title", "url", "href", "@id"] {
                if let inner = object[key], let text = text(inner) { return text }
            }
            return nil
        default:
            return nil
        }
    }
}

/// An item field as a pipeline gives it for JSON: a path (`title.rendered`), or a template of paths in
/// braces (`https://example.org/posts/{slug}`, `{title} ({author.name})`).
package struct JSONField: Sendable, Equatable, CustomStringConvertible {
    enum Part: Sendable, Equatable {
        case text(String)
        case path(JSONPath)
    }

    let parts: [Part]
    let isTemplate: Bool
    /// The field as written.
    package let description: String

    package init(_ text: String) throws(SourceSettingsError) {
        description = text
        guard text.contains("{") else {
            parts = [.path(try JSONPath(text))]
            isTemplate = false
            return
        }
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw SourceSettingsError(key: nil, "'\(text)' opens a '{' it does not close")
            }
            parts.append(.path(try JSONPath(String(rest[rest.index(after: open)..<close]))))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
        isTemplate = true
    }

    /// The raw values a plain path reaches (a template gives its one text).
    package func values(in item: Any) -> [Any] {
        guard isTemplate else {
            if case .path(let path) = parts.first { return path.values(in: item) }
            return []
        }
        return text(in: item).map { [$0] } ?? []
    }

    /// The field's texts: a path's every value, or the template filled (`nil` when a path in it is empty).
    package func texts(in item: Any) -> [String] {
        guard isTemplate else {
            if case .path(let path) = parts.first { return path.texts(in: item) }
            return []
        }
        return text(in: item).map { [$0] } ?? []
    }

    func text(in item: Any) -> String? {
        var result = ""
        for part in parts {
            switch part {
            case .text(let text): result += text
            case .path(let path):
                guard let value = path.texts(in: item).first else { return nil }
                result += value
            }
        }
        return result
    }
}
