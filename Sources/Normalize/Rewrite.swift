import Feed
import Foundation
import Markup

/// A pipeline's `rewrite:` steps, applied in the order written: a template composing fields
/// (`{title} ({author})`), a regular-expression replacement with capture groups (`$1`), or a prefix or
/// suffix trimmed. A step on `link` changes the item's link before its page is fetched; the others change
/// the entry once its fields are decided.
package struct Rewrite: Sendable {
    package enum Field: String, Sendable, CaseIterable {
        case title, link, author, summary, content, image, categories
    }

    package enum Action: @unchecked Sendable {
        /// Fields in braces: `{title}`, `{link}`, `{author}`, `{summary}`, `{published}` (its day,
        /// `2026-11-03`), `{categories}` (joined by commas), `{host}` (the link's).
        case template(String)
        /// An expression compiled when the pipeline is read, and its replacement (`$1` for a group).
        case replace(NSRegularExpression, with: String)
        case trimPrefix(String)
        case trimSuffix(String)
    }

    package var field: Field
    package var action: Action

    package init(field: Field, action: Action) {
        self.field = field
        self.action = action
    }

    /// The longest text an expression is run on: a step is bounded by its input as well as by its pattern.
    static let maxInput = 1 << 20

    /// Why a pattern may not be used (`nil`: it may): a quantified group that holds a quantifier (`(a+)+`,
    /// `(.*)*`) can take exponential time on a text that almost matches, so one bad pattern could hang a run.
    package static func refusal(of pattern: String) -> String? {
        var groups: [Bool] = []  // per open group: whether it holds a quantifier
        var escaped = false
        var inClass = false
        var lastClosedHeldQuantifier = false
        var previous: Character = " "
        for character in pattern {
            defer { previous = character }
            if escaped {
                escaped = false
                lastClosedHeldQuantifier = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "[" where !inClass: inClass = true
            case "]" where inClass: inClass = false
            case _ where inClass: break
            case "(":
                groups.append(false)
                lastClosedHeldQuantifier = false
            case ")":
                lastClosedHeldQuantifier = groups.popLast() ?? false
                if lastClosedHeldQuantifier, !groups.isEmpty { groups[groups.count - 1] = true }
                continue
            case "*", "+", "{":
                if lastClosedHeldQuantifier {
                    return "a repeated group that repeats inside itself ('\(pattern)') can take exponential time"
                }
                if !groups.isEmpty { groups[groups.count - 1] = true }
            case "?" where previous == "(":
                break  // a group's kind (`(?:`, `(?=`, `(?<name>`), not a quantifier
            case "?":
                if !groups.isEmpty { groups[groups.count - 1] = true }
            default: break
            }
            lastClosedHeldQuantifier = false
        }
        return nil
    }

    /// The item as the steps on `link` leave it.
    package static func apply(_ steps: [Rewrite], to item: Item) -> Item {
        var item = item
        for step in steps where step.field == .link {
            guard let link = item.link else { continue }
            let values: [String: String] = [
                "link": link, "title": item.title ?? item.linkText ?? "", "guid": item.guid ?? "",
                "host": URL(string: link)?.host ?? "",
            ]
            item.link = step.action.apply(to: link, fields: values)
        }
        return item
    }

    /// The entry as the steps on its other fields leave it.
    package static func apply(_ steps: [Rewrite], to entry: Entry) -> Entry {
        var entry = entry
        for step in steps where step.field != .link {
            var values: [String: String] = [
                "title": entry.title, "link": entry.link ?? "", "author": entry.author ?? "",
                "summary": entry.summary ?? "", "categories": entry.categories.joined(separator: ", "),
                "host": entry.link.flatMap { URL(string: $0)?.host } ?? "",
            ]
            values["published"] = entry.published.map { String(Timestamp.rfc3339($0).prefix(10)) } ?? ""
            func change(_ value: String) -> String { step.action.apply(to: value, fields: values) }
            func optional(_ value: String?) -> String? {
                let changed = change(value ?? "")
                return changed.isEmpty ? nil : changed
            }
            switch step.field {
            case .title: entry.title = change(entry.title)
            case .author: entry.author = optional(entry.author)
            case .summary: entry.summary = optional(entry.summary)
            case .content: entry.content = optional(entry.content)
            case .image: entry.image = optional(entry.image)
            case .categories: entry.categories = entry.categories.map(change).filter { !$0.isEmpty }
            case .link: break
            }
        }
        return entry
    }
}

extension Rewrite.Action {
    func apply(to value: String, fields: [String: String]) -> String {
        switch self {
        case .template(let template):
            var result = ""
            var rest = Substring(template)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                result += rest[..<open]
                let name = String(rest[rest.index(after: open)..<close])
                result += fields[name] ?? "{\(name)}"
                rest = rest[rest.index(after: close)...]
            }
            return result + rest
        case .replace(let expression, let replacement):
            guard value.utf16.count <= Rewrite.maxInput else { return value }
            return expression.stringByReplacingMatches(
                in: value, range: NSRange(value.startIndex..., in: value), withTemplate: replacement)
        case .trimPrefix(let prefix):
            return value.hasPrefix(prefix) ? String(value.dropFirst(prefix.count)) : value
        case .trimSuffix(let suffix):
            return value.hasSuffix(suffix) ? String(value.dropLast(suffix.count)) : value
        }
    }
}
