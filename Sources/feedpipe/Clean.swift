import ArgumentParser
import Extract
import Fetch
import Foundation
import Markup
import Pipeline

/// `feedpipe clean`: extraction on saved pages, offline.
struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extract the article from saved HTML files and print it.",
        discussion: """
            Reads each FILE (or standard input for -), finds the article, strips boilerplate and prints the \
            body as HTML, Markdown or plain text, or one JSON object per file with the metadata. \
            A file that cannot be read is reported on standard error; the other files are still printed. \
            Exit status: 0 when every file was cleaned, 1 when one could not be read.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case html, text, markdown, json
    }

    @Option(name: .shortAndLong, help: "Output format: html, text, markdown or json.")
    var format: Format = .html

    @Option(name: .customLong("base-url"), help: "The page's original URL, to resolve relative links.")
    var baseURL: String?

    @Option(
        name: .customLong("site-rules"), help: "A folder of ftr-site-config rule files, matched by the page's host.")
    var siteRules: String?

    @Argument(help: "Saved HTML pages.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one HTML file.") }
    }

    func run() throws {
        var failed = false
        for file in files {
            do {
                let bytes = try Self.read(file)
                if let kind = PageBytes.binaryKind(bytes) { throw CleanError.notAPage(file, kind: kind) }
                let html = Charset.decode(bytes, contentType: nil)
                let article = try Extractor.extract(
                    html: html, url: baseURL ?? Self.fileURL(file), siteRules: siteRules.map(SiteRuleFolder.init(path:))
                )
                print(render(article, file: file))
            } catch {
                failed = true
                FileHandle.standardError.write(Data("feedpipe: \(file): \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func render(_ article: Article, file: String) -> String {
        switch format {
        case .html: return article.html
        case .text: return article.text
        case .markdown: return Extractor.render(article, as: .markdown)
        case .json:
            let page = CleanedPage(
                file: file, url: article.url ?? baseURL, title: article.title, author: article.author,
                published: article.publicationDate.map(Timestamp.rfc3339),
                modified: article.modified.map(Timestamp.rfc3339),
                language: article.language, image: article.image, text: article.text, html: article.html)
            let data = try? Self.encoder.encode(page)
            return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }

    private static let encoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// One line of `--format json`: every key is always there, `null` when the page does not say.
    private struct CleanedPage: Encodable {
        let file: String
        let url, title, author, published, modified, language, image: String?
        let text, html: String

        enum CodingKeys: String, CodingKey {
            case file, url, title, author, published, modified, language, image, text, html
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(file, forKey: .file)
            try container.encode(url, forKey: .url)
            try container.encode(title, forKey: .title)
            try container.encode(author, forKey: .author)
            try container.encode(published, forKey: .published)
            try container.encode(modified, forKey: .modified)
            try container.encode(language, forKey: .language)
            try container.encode(image, forKey: .image)
            try container.encode(text, forKey: .text)
            try container.encode(html, forKey: .html)
        }
    }

    static func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CleanError.unreadable(file)
        }
        return Array(data)
    }

    static func fileURL(_ file: String) -> String? {
        file == "-" ? nil : URL(fileURLWithPath: file).absoluteString
    }
}

enum CleanError: Error, CustomStringConvertible {
    case unreadable(String)
    case notAPage(String, kind: String)

    var description: String {
        switch self {
        case .unreadable: "cannot be read (missing, unreadable or a folder)"
        case .notAPage(_, let kind): "not an HTML page (\(kind) data)"
        }
    }
}
