import Extract
import Feed
import Fetch
import Foundation
import Markup
import Normalize
import Sources
import Yams

/// Whether a pipeline reads each item's page: `fetch` always (the page's extraction makes the entry, the
/// item fills what it lacks), `missing` only for items that carry no content, `none` never (each item is its
/// entry: list pages whose rows carry the text, full-content feeds).
package enum ArticleMode: String, Sendable {
    case fetch, missing, none
}

/// A pipeline file, validated. Relative source paths resolve against the pipeline file's folder; relative
/// output paths against the current directory.
public struct PipelineConfig: Sendable {
    /// The file's name without extension; feeds and state are keyed by it.
    package var name: String
    package var file: String
    package var title: String
    package var id: String
    package var link: String?
    package var selfLink: String?
    package var author: String?
    /// Where the items come from, merged in this order: each one of `ItemSources.kinds`.
    package var sources: [any ItemSource]
    /// Whether each item's page is read (see `ArticleMode`).
    package var article = ArticleMode.fetch
    /// The `rewrite:` steps, in the order written.
    package var rewrites: [Rewrite] = []
    package var output: String
    /// The formats written, each beside `output` with its own extension.
    package var formats: [FeedFormat] = [.atom]
    package var maxEntries: Int
    /// With workers sharing a PostgreSQL store, how long after its last run finished a pipeline is due again
    /// (`every:`, seconds): a worker that starts later in the same round leaves it alone.
    package var every: Double = 600
    package var rules: ExtractionRules
    package var filter = EntryFilter()
    /// A folder of ftr-site-config rule files, looked up by each article's host.
    package var siteRules: SiteRuleFolder?
    /// How this pipeline's requests are made.
    package var fetch = FetchSettings()
    /// A hash of the pipeline file's text: sources are read again in full after the file changes.
    package var fingerprint: UInt64 = 0
    /// Where `id` and `output` were written (line, column), for errors that involve other pipelines.
    package var locations: [String: (line: Int, column: Int)] = [:]

    /// Per-pipeline request settings.
    package struct FetchSettings: Sendable {
        /// The policy of the requests for the links the source offers. Its `privateAddresses` is the
        /// pipeline's `private_addresses` (default false); a source on a private address allows them too.
        package var policy = Request.Policy.forLinks
        /// Extra headers on every request (cookies included, as a `Cookie` header).
        package var headers: [String: String] = [:]
        /// An article fetched this recently is not fetched again (seconds).
        package var refreshAfter: Double = 86_400
        /// Pages (the list page and the articles) are rendered in headless Chromium after they are fetched,
        /// for sites whose pages are drawn by scripts (`render: browser`).
        package var render = false
        /// Whether the source's own address was chosen by the pipeline's author, who may point it at an
        /// intranet; a source given by someone else (`serve --on-demand`) obeys the link policy too.
        package var trustedSource = true

        package init() {}
    }

    /// Where the feed in `format` is written: `output` for Atom, and the same path with the format's extension
    /// (`.rss`, `.json`) for the others.
    package func path(for format: FeedFormat) -> String {
        if format == .atom { return output }
        let url = URL(fileURLWithPath: output)
        let base = url.pathExtension.isEmpty ? output : String(output.dropLast(url.pathExtension.count + 1))
        return base + "." + format.fileExtension
    }

    /// The key a source's validators are kept under: its address and the pipeline file's fingerprint. A
    /// loosened filter, a raised `max_entries` or a new selector must see the source's items again, where
    /// a conditional request would get "not modified" and nothing to select from.
    package func sourceKey(_ url: String) -> String {
        fingerprint == 0 ? url : url + " #" + String(fingerprint, radix: 16)
    }

    /// The first source (the only one, in most pipelines).
    package var source: any ItemSource { sources[0] }

    /// The folder a local source reads, which its `file:` links must stay inside; `nil` for a source on
    /// the web, whose `file:` links are all refused. Of the first source: a pipeline's articles are fetched
    /// under `narrowed(to:)`, which has their own source first.
    package var sourceFolder: String? { source.localFolder }

    /// The pipeline as one of its sources' items are read: that source alone.
    package func narrowed(to index: Int) -> PipelineConfig {
        var config = self
        config.sources = [sources[index]]
        return config
    }

    /// The feed's public address when its folder is published at `base`: the Atom file's name under it.
    package func publishedAddress(under base: String) -> String {
        let name = URL(fileURLWithPath: output).lastPathComponent
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name
        return (base.hasSuffix("/") ? base : base + "/") + encoded
    }

    package var sourceURL: String { source.url }

    static let keys = [
        "title", "id", "link", "url", "author", "source", "sources", "article", "output", "formats", "max_entries",
        "every", "extract", "fetch", "filter", "site_rules", "rewrite",
    ]
    static let filterKeys = ["include", "exclude", "max_age", "dedupe"]
    static let fetchKeys = [
        "user_agent", "headers", "cookies", "timeout", "retries", "backoff", "delay", "robots", "refresh_after",
        "private_addresses", "render",
    ]
    /// The keys of `source:`: `url`, `type`, and those of every kind.
    static let sourceKeys = ["url", "type"] + ItemSources.kinds.flatMap { $0.keys }
    static let extractKeys = ["body", "remove", "drop_text", "iframes"]

    /// The word among `candidates` nearest to a misspelt one, when it is close enough to be the likely
    /// intent (for "did you mean" in errors).
    package static func suggestion(for word: String, among candidates: [String]) -> String? {
        NodeReader.closest(to: word, in: candidates)
    }

    /// The largest pipeline file read: a pipeline is a few dozen lines.
    static let maxFileBytes = 256 * 1024

    /// Reads and validates a pipeline file.
    package static func load(_ path: String) throws(PipelineError) -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(file: path, "cannot be read (missing or not a file)")
        }
        guard data.count <= maxFileBytes else {
            throw PipelineError(file: path, "is \(data.count) bytes; a pipeline file is at most \(maxFileBytes)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError(file: path, "is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses pipeline YAML; `file` names it in errors and anchors relative paths.
    public static func parse(_ yaml: String, file: String) throws(PipelineError) -> PipelineConfig {
        let root: Yams.Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw PipelineError(file: file, "is empty") }
            root = node
        } catch let error as PipelineError {
            throw error
        } catch let error as YamlError {
            throw Self.error(from: error, file: file)
        } catch {
            throw PipelineError(file: file, "\(error)")
        }
        let reader = NodeReader(file: file)
        let top = try reader.mapping(root, keys: keys, context: "the pipeline")
        let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()

        let title = try reader.requiredString(top, "title", in: root, max: NodeReader.maxNameLength)
        let id = try reader.string(top["id"]) ?? StableID.uuid(for: "feedpipe:" + name)
        if let idNode = top["id"], !isAbsoluteIRI(id) {
            throw reader.error(idNode, "'id' must be an absolute IRI such as urn:uuid:… or https://…")
        }
        let sourceNodes: [Yams.Node]
        switch (top["source"], top["sources"]) {
        case (let single?, nil):
            sourceNodes = [single]
        case (nil, let list?):
            sourceNodes = try reader.list(list)
            guard !sourceNodes.isEmpty else { throw reader.error(list, "'sources' must list at least one source") }
            guard sourceNodes.count <= maxSources else {
                throw reader.error(list, "'sources' lists \(sourceNodes.count) sources; at most \(maxSources)")
            }
        case (_?, let list?):
            throw reader.error(list, "give 'source' (one) or 'sources' (a list), not both")
        case (nil, nil):
            throw reader.error(root, "missing required key 'source' (or 'sources', a list)")
        }
        var sources: [any ItemSource] = []
        for node in sourceNodes { sources.append(try source(node, folder: folder, reader: reader)) }
        var article = ArticleMode.fetch
        if let node = top["article"] {
            guard let value = try reader.string(node), let mode = ArticleMode(rawValue: value) else {
                throw reader.error(
                    node,
                    "'article' is fetch (read every item's page), missing (only for items without content) or none (the items are the entries)"
                )
            }
            article = mode
        }

        var maxEntries = 50
        if let node = top["max_entries"] {
            guard let value = node.int, value > 0, value <= 10_000 else {
                throw reader.error(node, "'max_entries' must be a whole number from 1 to 10000")
            }
            maxEntries = value
        }
        var rules = ExtractionRules()
        // A feed is published: no path of this machine goes into it, even from pages read from files.
        rules.keepsLocalAddresses = false
        if let extractNode = top["extract"] {
            let map = try reader.mapping(extractNode, keys: extractKeys, context: "'extract'")
            if let body = map["body"] { rules.body = try reader.selector(body) }
            for node in try reader.list(map["remove"]) { rules.remove.append(try reader.selector(node)) }
            for node in try reader.list(map["drop_text"]) { rules.dropText.append(try reader.regex(node)) }
            for node in try reader.list(map["iframes"]) {
                guard let host = try reader.string(node), !host.contains("/"), !host.contains(":") else {
                    throw reader.error(node, "'iframes' lists host names such as www.youtube.com")
                }
                rules.iframeHosts.append(host)
            }
        }
        let output = try reader.string(top["output"]) ?? "Feeds/\(name).atom"
        var config = PipelineConfig(
            name: name, file: file, title: title, id: id, link: try reader.string(top["link"]),
            selfLink: try reader.string(top["url"]),
            author: try reader.string(top["author"], max: NodeReader.maxNameLength),
            sources: sources,
            output: output, maxEntries: maxEntries, rules: rules)
        config.article = article
        if let node = top["every"] { config.every = try reader.duration(node, key: "every", max: 365 * 86_400) }
        for node in try reader.list(top["rewrite"]) { config.rewrites.append(try rewrite(node, reader: reader)) }
        config.fingerprint = FNV1a.hash(yaml.utf8)
        if let fetchNode = top["fetch"] { config.fetch = try fetchSettings(fetchNode, reader: reader) }
        if let filterNode = top["filter"] { config.filter = try filter(filterNode, reader: reader) }
        if let rulesNode = top["site_rules"] {
            let path = try reader.requiredString(top, "site_rules", in: root)
            let resolved = path.hasPrefix("/") ? path : folder.appendingPathComponent(path).standardizedFileURL.path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), isFolder.boolValue else {
                throw reader.error(rulesNode, "'site_rules' must name a folder of rule files; \(resolved) is not one")
            }
            config.siteRules = SiteRuleFolder(path: resolved)
        }
        if let formatsNode = top["formats"] {
            var formats: [FeedFormat] = []
            for node in try reader.list(formatsNode) {
                let name = try reader.string(node) ?? ""
                guard let format = FeedFormat(fileExtension: name) else {
                    throw reader.error(node, "unknown format '\(name)'; use atom, rss or json")
                }
                if !formats.contains(format) { formats.append(format) }
            }
            guard !formats.isEmpty else { throw reader.error(formatsNode, "'formats' must name at least one format") }
            config.formats = formats
        }
        for key in ["id", "output"] {
            if let mark = top[key]?.mark { config.locations[key] = (mark.line, mark.column) }
        }
        if var first = reader.badSelectors.errors.first {
            first.more = Array(reader.badSelectors.errors.dropFirst())
            throw first
        }
        return config
    }

    /// One source's mapping: its `url`, its `type` (else a list page when it names `items` or `links`, and a
    /// feed otherwise, which also finds a sitemap or the feed a web page advertises) and its kind's keys.
    static func source(_ node: Yams.Node, folder: URL, reader: NodeReader) throws(PipelineError) -> any ItemSource {
        let map = try reader.mapping(node, keys: sourceKeys, context: "a source")
        let url = resolveSource(try reader.requiredString(map, "url", in: node), folder: folder)
        let isList = map["links"] != nil || map["items"] != nil
        let type = try reader.string(map["type"]) ?? (isList ? ListPageSource.type : FeedSource.type)
        guard let kind = ItemSources.kind(named: type) else {
            let names = ItemSources.kinds.map { kind in
                kind.type + (kind.aliases.isEmpty ? "" : " (or \(kind.aliases.prefix(3).joined(separator: ", ")))")
            }
            let listed = names.dropLast().joined(separator: ", ") + " or " + names.last!
            throw reader.error(map["type"]!, "unknown source type '\(type)'; use \(listed)")
        }
        for key in map.keys.sorted() where !["url", "type"].contains(key) && !kind.keys.contains(key) {
            let owners = ItemSources.kinds.filter { $0.keys.contains(key) }.map { $0.type }
            throw reader.error(
                map[key]!,
                "'\(key)' is for \(owners.joined(separator: ", ")) sources; a \(kind.type) source gives the items itself"
            )
        }
        switch kind.read(url: url, settings: YAMLSourceSettings(map: map, reader: reader)) {
        case .success(let read): return read
        case .failure(let error): throw reader.error(error.key.flatMap { map[$0] } ?? node, error.message)
        }
    }

    /// One `rewrite:` step: `field` and one of `template`, `replace` (with `with`), `trim_prefix`,
    /// `trim_suffix`.
    static func rewrite(_ node: Yams.Node, reader: NodeReader) throws(PipelineError) -> Rewrite {
        let actions = ["template", "replace", "trim_prefix", "trim_suffix"]
        let map = try reader.mapping(node, keys: ["field", "with"] + actions, context: "a rewrite step")
        let name = try reader.requiredString(map, "field", in: node)
        guard let field = Rewrite.Field(rawValue: name) else {
            let fields = Rewrite.Field.allCases.map(\.rawValue).joined(separator: ", ")
            throw reader.error(map["field"]!, "'\(name)' is no field a rewrite can change; use \(fields)")
        }
        let given = actions.filter { map[$0] != nil }
        guard given.count == 1, let key = given.first, let valueNode = map[key] else {
            throw reader.error(node, "a rewrite step takes one of \(actions.joined(separator: ", "))")
        }
        let value = try reader.string(valueNode, exact: true) ?? ""
        if map["with"] != nil, key != "replace" { throw reader.error(map["with"]!, "'with' goes with 'replace'") }
        switch key {
        case "template":
            return Rewrite(field: field, action: .template(value))
        case "replace":
            _ = try reader.regex(valueNode)
            if let refusal = Rewrite.refusal(of: value) { throw reader.error(valueNode, refusal) }
            let expression = try! NSRegularExpression(pattern: value, options: [])
            return Rewrite(
                field: field, action: .replace(expression, with: try reader.string(map["with"], exact: true) ?? ""))
        case "trim_prefix":
            return Rewrite(field: field, action: .trimPrefix(value))
        default:
            return Rewrite(field: field, action: .trimSuffix(value))
        }
    }

    /// The most sources one pipeline may merge.
    static let maxSources = 50

    static func filter(_ node: Yams.Node, reader: NodeReader) throws(PipelineError) -> EntryFilter {
        let map = try reader.mapping(node, keys: filterKeys, context: "'filter'")
        var filter = EntryFilter()
        let fields = EntryFilter.Field.allCases.map(\.rawValue)
        for key in ["include", "exclude"] {
            guard let rules = map[key] else { continue }
            for (name, value) in try reader.mapping(rules, keys: fields, context: "'\(key)'") {
                let pattern = try reader.regex(value)
                // `reader.regex` checked that the pattern compiles.
                let expression = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
                if key == "include" {
                    filter.include[EntryFilter.Field(rawValue: name)!] = expression
                } else {
                    filter.exclude[EntryFilter.Field(rawValue: name)!] = expression
                }
            }
        }
        if let value = map["max_age"] {
            filter.maxAge = try reader.duration(value, key: "max_age", max: 36_500 * 86_400)
        }
        if let value = map["dedupe"] {
            guard let dedupe = value.bool else { throw reader.error(value, "'dedupe' must be true or false") }
            filter.dedupe = dedupe
        }
        return filter
    }

    static func fetchSettings(_ node: Yams.Node, reader: NodeReader) throws(PipelineError) -> FetchSettings {
        let map = try reader.mapping(node, keys: fetchKeys, context: "'fetch'")
        var settings = FetchSettings()
        settings.policy.userAgent = try reader.string(map["user_agent"])
        if let headers = map["headers"] {
            for (name, value) in try reader.mapping(headers, keys: nil, context: "'headers'") {
                settings.headers[name] = try reader.string(value) ?? ""
            }
        }
        if let cookies = map["cookies"] {
            if case .mapping = cookies {
                let pairs = try reader.mapping(cookies, keys: nil, context: "'cookies'")
                var parts: [String] = []
                for name in pairs.keys.sorted() { parts.append("\(name)=\(try reader.string(pairs[name]) ?? "")") }
                settings.headers["Cookie"] = parts.joined(separator: "; ")
            } else {
                settings.headers["Cookie"] = try reader.string(cookies)
            }
        }
        if let value = map["timeout"] {
            settings.policy.timeout = try reader.duration(value, key: "timeout", max: 3600)
        }
        if let value = map["delay"] { settings.policy.hostDelay = try reader.duration(value, key: "delay", max: 3600) }
        if let value = map["backoff"] {
            settings.policy.backoff = try reader.duration(value, key: "backoff", max: 3600)
        }
        if let value = map["refresh_after"] {
            settings.refreshAfter = try reader.duration(value, key: "refresh_after", max: 3650 * 86_400)
        }
        if let value = map["retries"] {
            guard let retries = value.int, (0...10).contains(retries) else {
                throw reader.error(value, "'retries' must be a whole number from 0 to 10")
            }
            settings.policy.retries = retries
        }
        if let value = map["private_addresses"] {
            guard let allowed = value.bool else {
                throw reader.error(value, "'private_addresses' must be true or false")
            }
            settings.policy.privateAddresses = allowed
        }
        if let value = map["robots"] {
            guard let obeys = value.bool else { throw reader.error(value, "'robots' must be true or false") }
            settings.policy.obeysRobots = obeys
        }
        if let value = map["render"] {
            switch try reader.string(value) {
            case "browser": settings.render = true
            case "none": settings.render = false
            default:
                throw reader.error(value, "'render' is browser (pages drawn by scripts, in headless Chromium) or none")
            }
        }
        return settings
    }

    /// A source URL as written, or a path relative to the pipeline's folder turned into a `file:` URL.
    static func resolveSource(_ value: String, folder: URL) -> String {
        if let scheme = value.split(separator: ":", maxSplits: 1).first,
            value.contains("://") || value.hasPrefix("file:"),
            scheme.allSatisfy({ $0.isLetter })
        {
            return value
        }
        let url = value.hasPrefix("/") ? URL(fileURLWithPath: value) : folder.appendingPathComponent(value)
        return url.standardizedFileURL.absoluteString
    }

    /// Errors for pipelines that share a feed id or an output path with an earlier one: both would write
    /// over each other. Each error names the later file (with line and column) and the earlier one.
    package static func conflicts(among configs: [PipelineConfig]) -> [PipelineError] {
        var errors: [PipelineError] = []
        var ids: [String: PipelineConfig] = [:]
        var outputs: [String: PipelineConfig] = [:]
        for config in configs {
            let output = URL(fileURLWithPath: config.output).standardizedFileURL.path
            if let earlier = ids[config.id] {
                let at = config.locations["id"]
                errors.append(
                    PipelineError(
                        file: config.file, line: at?.line, column: at?.column,
                        "feed id '\(config.id)' is also the id of \(earlier.file)"))
            } else if let earlier = outputs[output] {
                let at = config.locations["output"]
                errors.append(
                    PipelineError(
                        file: config.file, line: at?.line, column: at?.column,
                        "output '\(config.output)' is also written by \(earlier.file)"))
            }
            ids[config.id] = ids[config.id] ?? config
            outputs[output] = outputs[output] ?? config
        }
        return errors
    }

    static func isAbsoluteIRI(_ value: String) -> Bool {
        value.range(of: "^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+$", options: .regularExpression) != nil
    }

    static func error(from error: YamlError, file: String) -> PipelineError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return PipelineError(file: file, line: mark.line, column: mark.column, "invalid YAML: \(problem)")
        case .reader(let problem, _, _, _):
            return PipelineError(file: file, "invalid YAML: \(problem)")
        default:
            return PipelineError(file: file, "invalid YAML: \(error)")
        }
    }
}

/// Reads typed values out of YAML nodes, naming the line and column of anything wrong.
struct NodeReader {
    let file: String
    let badSelectors = BadSelectors()

    func error(_ node: Yams.Node, _ message: String) -> PipelineError {
        PipelineError(file: file, line: node.mark?.line, column: node.mark?.column, message)
    }

    /// A mapping whose keys are all known; an unknown key gets a "did you mean".
    func mapping(_ node: Yams.Node, keys: [String]?, context: String) throws(PipelineError) -> [String: Yams.Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(context) must be a mapping of keys to values")
        }
        var result: [String: Yams.Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw error(key, "keys must be strings") }
            if let keys, !keys.contains(name) {
                let hint = Self.closest(to: name, in: keys).map { "; did you mean '\($0)'?" } ?? ""
                throw error(key, "unknown key '\(name)' in \(context)\(hint)")
            }
            guard result[name] == nil else { throw error(key, "duplicate key '\(name)'") }
            result[name] = value
        }
        return result
    }

    /// The longest value a key may have: addresses, selectors, expressions and header values fit in it
    /// with room to spare; anything longer is a mistake (or an attempt to make every feed huge).
    static let maxValueLength = 4096
    /// The longest title or author: it is repeated in every feed file and reader.
    static let maxNameLength = 512

    /// A single value, its surrounding white space dropped unless `exact` and the value is quoted (a
    /// rewrite's `trim_prefix: "Breaking: "`).
    func string(_ node: Yams.Node?, max: Int = NodeReader.maxValueLength, exact: Bool = false) throws(PipelineError)
        -> String?
    {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else {
            throw error(node, "expected a single value, not a list or mapping")
        }
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        let value = exact && quoted ? scalar.string : scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count <= max else {
            throw error(node, "a value of \(value.count) characters is too long (at most \(max))")
        }
        return value.isEmpty ? nil : value
    }

    func requiredString(
        _ map: [String: Yams.Node], _ key: String, in parent: Yams.Node, max: Int = NodeReader.maxValueLength
    ) throws(PipelineError) -> String {
        guard let node = map[key] else { throw error(parent, "missing required key '\(key)'") }
        guard let value = try string(node, max: max) else { throw error(node, "'\(key)' must not be empty") }
        return value
    }

    /// Seconds, written as a number or with a unit: `30`, `1.5s`, `10m`, `6h`, `2d`.
    /// `max` is in seconds, and said in the error in the largest unit that fits it.
    func duration(_ node: Yams.Node, key: String, max: Double) throws(PipelineError) -> Double {
        let text = (try string(node) ?? "").lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var seconds: Double?
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value >= 0 {
                seconds = value * scale
                break
            }
        }
        guard let value = seconds ?? Double(text), value >= 0, value.isFinite else {
            throw error(node, "'\(key)' must be a duration such as 30, 1.5s, 10m, 6h or 2d")
        }
        guard value <= max else {
            let limit = max >= 86_400 ? "\(Int(max / 86_400))d" : max >= 3600 ? "\(Int(max / 3600))h" : "\(Int(max))s"
            throw error(node, "'\(key)' must be at most \(limit)")
        }
        return value
    }

    /// The longest list a key may have.
    static let maxListLength = 1000

    func list(_ node: Yams.Node?) throws(PipelineError) -> [Yams.Node] {
        guard let node else { return [] }
        switch node {
        case .sequence(let sequence):
            guard sequence.count <= Self.maxListLength else {
                throw error(node, "a list of \(sequence.count) values is too long (at most \(Self.maxListLength))")
            }
            return Array(sequence)
        case .scalar: return [node]
        default: throw error(node, "expected a list")
        }
    }

    /// A selector; one that is not valid is noted in `badSelectors` and stood in for, so that the file's
    /// every bad selector is reported at once (see `parse`).
    func selector(_ node: Yams.Node) throws(PipelineError) -> Selector {
        guard let text = try string(node) else { throw error(node, "expected a CSS selector or an XPath expression") }
        do {
            return try Selector(cssOrXPath: text)
        } catch {
            badSelectors.errors.append(self.error(node, error.description))
            return Self.standIn
        }
    }

    /// What a bad selector stands for until the file's errors are reported; never run.
    static let standIn = try! Selector("*")

    /// The selectors of a file that are not valid, in file order.
    final class BadSelectors: @unchecked Sendable {
        var errors: [PipelineError] = []
    }

    func regex(_ node: Yams.Node) throws(PipelineError) -> String {
        guard let text = try string(node) else { throw error(node, "expected a regular expression") }
        do {
            _ = try NSRegularExpression(pattern: text)
        } catch {
            throw self.error(node, "invalid regular expression '\(text)'")
        }
        return text
    }

    /// The known key nearest to a misspelt one, when it is close enough to be the likely intent.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, word.count / 3) else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// A `source:` mapping as its kind reads it.
struct YAMLSourceSettings: SourceSettings {
    let map: [String: Yams.Node]
    let reader: NodeReader

    func has(_ key: String) -> Bool { map[key] != nil }

    func selector(_ key: String) throws(SourceSettingsError) -> Selector? {
        guard let node = map[key] else { return nil }
        do {
            return try reader.selector(node)
        } catch {
            throw SourceSettingsError(key: key, error.message)
        }
    }

    func attributeSelector(_ key: String) throws(SourceSettingsError) -> (selector: Selector, attribute: String?)? {
        guard let node = map[key] else { return nil }
        let text: String
        do {
            guard let value = try reader.string(node) else { return nil }
            text = value
        } catch {
            throw SourceSettingsError(key: key, error.message)
        }
        guard let at = text.range(of: #"\s*@([A-Za-z_][-A-Za-z0-9_:.]*)$"#, options: .regularExpression),
            at.lowerBound > text.startIndex, !text[..<at.lowerBound].hasSuffix("/")
        else { return try selector(key).map { ($0, nil) } }
        let attribute = String(text[at].drop { $0 != "@" }.dropFirst())
        do {
            return (try Selector(cssOrXPath: String(text[..<at.lowerBound])), attribute)
        } catch {
            reader.badSelectors.errors.append(reader.error(node, error.description))
            return (NodeReader.standIn, attribute)
        }
    }

    func string(_ key: String) throws(SourceSettingsError) -> String? {
        guard let node = map[key] else { return nil }
        do {
            return try reader.string(node)
        } catch {
            throw SourceSettingsError(key: key, error.message)
        }
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(SourceSettingsError) -> Int? {
        guard let node = map[key] else { return nil }
        guard let value = node.int, range.contains(value) else {
            throw SourceSettingsError(
                key: key, "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
