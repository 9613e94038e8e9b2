import Foundation

/// The rules of a robots.txt file (RFC 9309) for one user agent.
package struct RobotsRules: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        let allow: Bool
        let pattern: String
    }

    let rules: [Rule]
    /// The file could not be fetched (5xx or no answer): nothing may be crawled for now.
    package let unreachable: Bool

    /// Everything allowed (no robots.txt, or a 4xx answer for it).
    package static let allowAll = RobotsRules(rules: [])
    /// Nothing allowed (robots.txt unreachable: RFC 9309 §2.3.1.4).
    package static let unreachableSite = RobotsRules(rules: [Rule(allow: false, pattern: "/")], unreachable: true)

    init(rules: [Rule], unreachable: Bool = false) {
        self.rules = rules
        self.unreachable = unreachable
    }

    /// Parses robots.txt text and keeps the group that applies to `userAgent` (its product token, matched
    /// case-insensitively), or the `*` group when none names it.
    package init(parsing text: String, userAgent: String) {
        let token = userAgent.split(separator: "/").first.map { $0.lowercased() } ?? userAgent.lowercased()
        var groups: [(agents: [String], rules: [Rule])] = []
        var collectingAgents = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let key = parts[0].lowercased()
            let value = parts[1]
            switch key {
            case "user-agent":
                if !collectingAgents || groups.isEmpty { groups.append(([], [])) }
                groups[groups.count - 1].agents.append(value.lowercased())
                collectingAgents = true
            case "allow", "disallow":
                collectingAgents = false
                guard !groups.isEmpty, !(key == "disallow" && value.isEmpty) else { continue }
                groups[groups.count - 1].rules.append(Rule(allow: key == "allow", pattern: value))
            default:
                continue
            }
        }
        let named = groups.filter { $0.agents.contains(where: { $0 != "*" && token.hasPrefix($0) }) }
        let chosen = named.isEmpty ? groups.filter { $0.agents.contains("*") } : named
        rules = chosen.flatMap(\.rules)
        unreachable = false
    }

    /// Whether a path (with its query) may be fetched: the longest matching rule wins, `allow` on a tie.
    package func allows(path: String) -> Bool {
        var best: Rule?
        for rule in rules where Self.matches(rule.pattern, path) {
            guard let current = best else {
                best = rule
                continue
            }
            if rule.pattern.count > current.pattern.count || (rule.pattern.count == current.pattern.count && rule.allow)
            {
                best = rule
            }
        }
        return best?.allow ?? true
    }

    /// Prefix match with `*` (any run of characters) and a final `$` (end of path).
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let anchored = pattern.hasSuffix("$")
        let body = anchored ? String(pattern.dropLast()) : pattern
        let pieces = body.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(path)
        for (offset, piece) in pieces.enumerated() {
            if offset == 0 {
                guard rest.hasPrefix(piece) else { return false }
                rest = rest.dropFirst(piece.count)
            } else if let range = rest.range(of: piece) {
                if offset == pieces.count - 1 && anchored {
                    return rest.hasSuffix(piece)
                }
                rest = rest[range.upperBound...]
            } else {
                return false
            }
        }
        return !anchored || rest.isEmpty
    }
}
