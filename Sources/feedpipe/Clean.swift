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
                let article = try Extractor.extract(
                    utf8: Charset.utf8(bytes, contentType: nil), url: baseURL ?? Self.fileURL(file),
                    siteRules: siteRules.map(SiteRuleFolder.init(path:)))
                Self.write(output(article, file: file))
            } catch {
                failed = true
                FileHandle.standardError.write(Data("feedpipe: \(file): \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// What is printed for one page, line feed included: the JSON line is made as bytes (made into a string,
    /// it would be checked again).
    private func output(_ article: Article, file: String) -> [UInt8] {
        switch format {
        case .html: Array((article.html + "\n").utf8)
        case .text: Array((article.text + "\n").utf8)
        case .markdown: Array((Extractor.render(article, as: .markdown) + "\n").utf8)
        case .json: json(article, file: file).bytes
        }
    }

    /// The article's line of `--format json`: keys in sorted order, every one always there (`null` when the
    /// page does not say), and a line feed.
    private func json(_ article: Article, file: String) -> JSONLine {
        var line = JSONLine()
        line.add("author", article.author)
        line.add("file", file)
        line.add("html", article.html)
        line.add("image", article.image)
        line.add("language", article.language)
        line.add("modified", article.modified.map(Timestamp.rfc3339))
        line.add("published", article.publicationDate.map(Timestamp.rfc3339))
        line.add("text", article.text)
        line.add("title", article.title)
        line.add("url", article.url ?? baseURL)
        return line
    }

    /// Writes bytes to standard output.
    private static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            var written = 0
            while written < buffer.count {
                let count = Glibc.write(1, buffer.baseAddress! + written, buffer.count - written)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return }
                written += count
            }
        }
    }

    /// The file's bytes, read straight into the array extraction takes (through `Data` they were copied
    /// once more, a page at a time).
    static func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CleanError.unreadable(file) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw CleanError.unreadable(file)
        }
        var bytes: [UInt8] = []
        var chunk = max(Int(status.st_size), 0) + 1
        while true {
            // Read straight into the array's new capacity, with nothing written there first.
            var failed = false
            let more = [UInt8](unsafeUninitializedCapacity: chunk) { buffer, filled in
                let count = Glibc.read(descriptor, buffer.baseAddress!, chunk)
                failed = count < 0
                filled = max(count, 0)
            }
            if failed, errno == EINTR { continue }
            guard !failed else { throw CleanError.unreadable(file) }
            if more.isEmpty { return bytes }
            if bytes.isEmpty { bytes = more } else { bytes += more }
            chunk = 1 << 16
        }
    }

    static func fileURL(_ file: String) -> String? {
        file == "-" ? nil : URL(fileURLWithPath: file, isDirectory: false).absoluteString
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

/// One JSON object on one line, written as it goes: `JSONEncoder` builds a tree of values first, which cost
/// a sixth as much as extracting the pages. Strings are escaped as RFC 8259 requires (quote, backslash,
/// control characters) and nothing more, `/` and non-ASCII text left as they are.
struct JSONLine {
    private var body: [UInt8] = [UInt8(ascii: "{")]

    mutating func add(_ key: String, _ value: String?) {
        if body.count > 1 { body.append(UInt8(ascii: ",")) }
        append(key)
        body.append(UInt8(ascii: ":"))
        if let value { append(value) } else { body += "null".utf8 }
    }

    /// The object, closed, and its line feed.
    var bytes: [UInt8] { body + [UInt8(ascii: "}"), UInt8(ascii: "\n")] }

    private mutating func append(_ string: String) {
        var string = string
        body.append(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                body.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                body.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x22, 0x5C: body.append(byte)
                case 0x0A: body.append(UInt8(ascii: "n"))
                case 0x0D: body.append(UInt8(ascii: "r"))
                case 0x09: body.append(UInt8(ascii: "t"))
                case 0x08: body.append(UInt8(ascii: "b"))
                case 0x0C: body.append(UInt8(ascii: "f"))
                default: body += "u00".utf8 + [Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]]
                }
            }
            body.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        body.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
