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

/// Where the items of unknown JSON probably are, and which of their keys holds each field: what
/// `feedpipe new` proposes for an API's answer or a page's embedded JSON.
package struct JSONGuess: Sendable, Equatable {
    /// The path of the list (`nil`: the JSON is the list).
    package var items: String?
    /// Field name → path inside an item, in the order a pipeline file lists them.
    package var fields: [(key: String, path: String)]
    /// How many items the list holds.
    package var count: Int

    package static func == (lhs: JSONGuess, rhs: JSONGuess) -> Bool {
        lhs.items == rhs.items && lhs.count == rhs.count && lhs.fields.map(\.key) == rhs.fields.map(\.key)
            && lhs.fields.map(\.path) == rhs.fields.map(\.path)
    }

    static let candidates: [(key: String, paths: [String])] = [
        ("link", ["url", "link", "href", "permalink", "canonical_url", "web_url", "html_url", "external_url"]),
        ("title", ["title.rendered", "title", "headline", "name", "subject"]),
        (
            "date",
            [
                "date_published", "published_at", "publishedAt", "published", "pubDate", "date_gmt", "date",
                "datePublished", "created_at", "createdAt", "created", "timestamp", "startsAt", "start_date",
                "startDate", "time",
            ]
        ),
        ("updated", ["updated_at", "updatedAt", "date_modified", "dateModified", "modified_gmt", "modified"]),
        ("author", ["author.name", "authors[].name", "byline", "user.name", "creator", "author"]),
        (
            "summary",
            [
                "excerpt.rendered", "summary", "excerpt", "description", "abstract", "teaser", "subtitle", "blurb",
                "dek", "lede", "standfirst", "snippet",
            ]
        ),
        ("content", ["content.rendered", "content_html", "body_html", "content", "body", "html"]),
        (
            "image",
            [
                "image.url", "cover.url", "image_url", "thumbnail_url", "featured_image", "thumbnail", "cover", "image",
            ]
        ),
        ("categories", ["tags[].name", "categories[].name", "tags", "categories", "keywords"]),
        ("guid", ["guid", "uuid", "id"]),
    ]

    /// The likeliest list of items in `root` — the largest list of objects, ahead when they have a title and
    /// a link — with the paths of the fields its first objects have; `nil` when there is no list of at
    /// least two objects.
    package static func find(in root: Any) -> JSONGuess? {
        var best: (score: Int, guess: JSONGuess)?
        var pending: [(value: Any, path: [String], depth: Int)] = [(root, [], 0)]
        while let (value, path, depth) = pending.popLast() {
            if let array = value as? [[String: Any]], array.count >= 2 {
                let fields = Self.fields(of: Array(array.prefix(5)))
                let keys = Set(fields.map(\.key))
                let score =
                    array.count * (keys.contains("title") ? 3 : 1) * (keys.contains("link") ? 2 : 1)
                    * (keys.contains("date") ? 2 : 1)
                if keys.contains("title") || keys.contains("link"), score > (best?.score ?? 0) {
                    let items = path.isEmpty ? nil : path.joined(separator: ".")
                    best = (score, JSONGuess(items: items, fields: fields, count: array.count))
                }
            } else if let object = value as? [String: Any], depth < 8 {
                for (key, inner) in object where !key.contains(".") && !key.contains("[") {
                    pending.append((inner, path + [key], depth + 1))
                }
            }
        }
        return best?.guess
    }

    /// For each field, the first candidate path that gives text in most of `objects`.
    static func fields(of objects: [[String: Any]]) -> [(key: String, path: String)] {
        var found: [(key: String, path: String)] = []
        for (key, paths) in candidates {
            for path in paths {
                guard let parsed = try? JSONPath(path) else { continue }
                let hits = objects.count { object in
                    parsed.values(in: object).contains { value in
                        if let text = JSONPath.text(value) { return !text.isEmpty }
                        return false
                    }
                }
                if hits * 2 > objects.count {
                    found.append((key, path))
                    break
                }
            }
        }
        return found
    }
}
