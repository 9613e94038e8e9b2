import Extract
import Feed
import Fetch
import Foundation
import Logging

/// What `feedpipe check` prints, as a page for a browser (`serve --pipelines`): whether the pipeline file is
/// valid, the links its source offers and the first article as extracted. Nothing is written.
package struct Preview: Sendable {
    let folder: String
    let runner: Runner

    package init(folder: String, client: HTTPClient, logger: Logger) {
        self.folder = folder
        runner = Runner(client: client, logger: logger)
    }

    /// The pipeline files of the folder, by name.
    package func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
            .map { String($0.split(separator: ".").dropLast().joined(separator: ".")) }
    }

    /// The list of the folder's pipelines, each linked to its preview.
    package func index() -> String {
        let escape = XMLBuilder.escape
        let items = names().map { "<li><a href=\"/preview/\(escape($0))\">\(escape($0))</a></li>" }.joined(
            separator: "\n")
        return Self.page(title: "Pipelines", body: "<h1>Pipelines</h1>\n<ul>\n\(items)\n</ul>")
    }

    /// The preview of the pipeline `name`; `nil` when the folder has no such pipeline.
    package func page(for name: String, lines: Int = 12) async -> String? {
        guard names().contains(name) else { return nil }
        let escape = XMLBuilder.escape
        let file = ["yml", "yaml"].map { "\(folder)/\(name).\($0)" }.first {
            FileManager.default.fileExists(atPath: $0)
        }!
        let config: PipelineConfig
        do {
            config = try PipelineConfig.load(file)
        } catch {
            return Self.page(
                title: name, body: "<h1>\(escape(name))</h1>\n<p class=\"error\">\(escape(error.description))</p>")
        }
        var body =
            "<h1>\(escape(config.title))</h1>\n<p>\(escape(file)): valid — writes \(escape(config.output)), at most \(config.maxEntries) entries.</p>\n"
        let discovery: Runner.Discovery
        switch await runner.discover([config])[0] {
        case .failure(let error):
            return Self.page(title: config.title, body: body + "<p class=\"error\">\(escape(error.description))</p>")
        case .success(let found):
            discovery = found
        }
        let links = Runner.select(discovery.items ?? [], config: config, now: Date())
        for warning in discovery.warnings { body += "<p class=\"warning\">\(escape(warning))</p>\n" }
        for failure in discovery.failures { body += "<p class=\"error\">\(escape(failure.description))</p>\n" }
        let sources = config.sources.map(\.url).joined(separator: ", ")
        body += "<h2>\(links.count) links from \(escape(sources))</h2>\n<ol class=\"links\">\n"
        for link in links {
            let title = (link.title ?? link.linkText).map { " — " + escape($0) } ?? ""
            let address = link.link ?? "(no link)"
            body += "<li><a href=\"\(escape(address))\">\(escape(address))</a>\(title)</li>\n"
        }
        body += "</ol>\n"
        if let first = Runner.firstJob(of: links, discovery: discovery, config: config) {
            switch await runner.articles([first]).first {
            case .success(.article(let article, _)):
                body += "<h2>First article: \(escape(article.title ?? "(no title)"))</h2>\n<div class=\"article\">\n"
                for line in article.text.split(separator: "\n", omittingEmptySubsequences: true).prefix(lines) {
                    body += "<p>\(escape(String(line)))</p>\n"
                }
                body += "</div>\n"
            case .failure(let error), .some(.success(.unreadable(let error, _))):
                body += "<p class=\"error\">\(escape(error.description))</p>\n"
            case .success(.unchanged), nil:
                break
            }
        }
        return Self.page(title: config.title, body: body)
    }

    static func page(title: String, body: String) -> String {
        HTMLPage.head(title: "Preview: " + title, style: style) + body + "\n</body>\n</html>\n"
    }

    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}\
        .error{color:#a00}.warning{color:#850}.links li{margin:.2rem 0}.article{border-left:3px solid #ddd;\
        padding-left:1rem}a{color:#0645ad}
        """
}
