import Extract
import Fetch
import Foundation
import Markup
import Scoring

// extraction-benchmark: the measuring half of Benchmarks/extraction/run.
//
//   extraction-benchmark measure parse|extract PAGES_DIR [--passes N] [--out PREDICTIONS.json] [--urls TRUTH.json]
//       Reads every *.html in PAGES_DIR, then parses (and extracts) all of them N times in this process,
//       and prints one JSON line: pages, CPU seconds per pass, pages per CPU second, peak RSS in MB.
//       With --urls, each page is parsed at the address its ground truth gives (as a fetched page would be),
//       and the predictions carry the title, author and publication time (RFC 3339) as well.
//   extraction-benchmark report GROUND_TRUTH.json RESULTS.json [--worst N]
//       RESULTS.json is a list of {"name", "predictions", "pages_per_second", "peak_rss_mb"}; the first whose
//       name is "libxml2 parse-only" gives the speed baseline. Prints the table and feedpipe's worst pages.
//   extraction-benchmark report-wcxb TRUTH.json RESULTS.json [--worst N]
//       WCXB, its `with` / `without` snippets as lists: articles' text, leak, snippets and metadata, then F1
//       per page type, and feedpipe's worst articles.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("extraction-benchmark: \(message)\n".utf8))
    exit(2)
}

func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func measure(_ arguments: [String]) {
    guard arguments.count >= 2 else { fail("usage: measure parse|extract PAGES_DIR [--passes N] [--out FILE]") }
    let mode = arguments[0]
    let folder = URL(fileURLWithPath: arguments[1])
    let passes = Int(option("--passes", in: arguments) ?? "3") ?? 3
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
        fail("\(folder.path): cannot list the folder")
    }
    // Pages are read one at a time, outside the timed part, so that peak memory is that of extraction.
    let files = names.filter { $0.hasSuffix(".html") }.sorted()
    var addresses: [String: String] = [:]
    if let path = option("--urls", in: arguments), let truth = loadJSON(path) as? [String: [String: Any]] {
        addresses = truth.compactMapValues { $0["url"] as? String }
    }
    // With --site-rules, only the pages whose host has a rule file are extracted (with the rules), for
    // `compare-rules`.
    let siteRules = option("--site-rules", in: arguments).map { SiteRuleFolder(path: $0) }
    var predictions: [String: [String: String]] = [:]
    // Each page's time is the least of its passes: the machine's noise (other processes, frequency changes)
    // only ever adds time, so the minimum is the stable estimate, for parse-only and extraction alike.
    var fastest = [Double](repeating: .infinity, count: files.count)
    for pass in 0..<passes {
        for (index, name) in files.enumerated() {
            // Decoded as feedpipe decodes a page it fetched (byte-order mark, declared charset, UTF-8 or
            // windows-1252): saved pages of the old web are in their own encodings.
            let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()
            let html = Charset.decode(Array(bytes), contentType: nil)
            let id = String(name.dropLast(5))
            if let siteRules {
                guard let url = addresses[id], (try? siteRules.rules(for: url)) != nil else { continue }
            }
            let start = cpuSeconds()
            // Parse-only is libxml2 reading the whole page; extraction parses the page as feedpipe does.
            let article: Article?
            if mode != "extract" {
                article = nil
                _ = try? Document(html: html, url: addresses[id])
            } else if let siteRules {
                article = try? Extractor.extract(html: html, url: addresses[id], siteRules: siteRules)
            } else {
                article = try? Extractor.extract(html: html, url: addresses[id], siteRules: nil)
            }
            fastest[index] = min(fastest[index], cpuSeconds() - start)
            if pass == 0, let article {
                var prediction = ["articleBody": article.text]
                if !addresses.isEmpty {
                    prediction["title"] = article.title
                    prediction["author"] = article.author
                    prediction["published"] = article.publicationDate.map(Timestamp.rfc3339)
                    prediction["modified"] = article.modified.map(Timestamp.rfc3339)
                }
                predictions[id] = prediction
            }
        }
    }
    let pages = files
    let perPass = fastest.filter(\.isFinite).reduce(0, +)
    if let out = option("--out", in: arguments), mode == "extract" {
        let data = try! JSONSerialization.data(withJSONObject: predictions, options: [.sortedKeys])
        try! data.write(to: URL(fileURLWithPath: out))
    }
    let result: [String: Any] = [
        "mode": mode, "pages": pages.count, "cpu_seconds": perPass,
        "pages_per_second": Double(pages.count) / perPass, "peak_rss_mb": peakRSSMegabytes(),
    ]
    let data = try! JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func loadJSON(_ path: String) -> Any {
    guard let data = FileManager.default.contents(atPath: path),
        let value = try? JSONSerialization.jsonObject(with: data)
    else { fail("\(path): cannot read JSON") }
    return value
}

func bodies(_ path: String) -> [String: String] {
    var value = loadJSON(path)
    if let wrapped = value as? [String: Any], let output = wrapped["output"], wrapped["version"] != nil {
        value = output
    }
    guard let map = value as? [String: Any] else { fail("\(path): expected an object of predictions") }
    return map.compactMapValues { ($0 as? [String: Any])?["articleBody"] as? String ?? "" }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func report(_ arguments: [String]) {
    guard arguments.count >= 2 else { fail("usage: report GROUND_TRUTH.json RESULTS.json [--worst N]") }
    guard let truth = loadJSON(arguments[0]) as? [String: [String: Any]] else {
        fail("\(arguments[0]): bad ground truth")
    }
    guard let systems = loadJSON(arguments[1]) as? [[String: Any]] else { fail("\(arguments[1]): expected a list") }
    let worst = Int(option("--worst", in: arguments) ?? "10") ?? 10
    let baseline = systems.first { $0["name"] as? String == "libxml2 parse-only" }?["pages_per_second"] as? Double
    // Sets whose pages name lines that must stay out (dragnet's reader comments) get a leak column.
    let marksLeaks = truth.values.contains { ($0["without"] as? [String])?.isEmpty == false }
    print(
        "| extractor | F1 | precision | recall | accuracy | pages/s (CPU) | × parse-only | peak RSS MB |"
            + (marksLeaks ? " leak |" : ""))
    print("| --- | --- | --- | --- | --- | --- | --- | --- |" + (marksLeaks ? " --- |" : ""))
    var feedpipePages: [Scoring.Page] = []
    for system in systems {
        let name = system["name"] as? String ?? "?"
        let speed = system["pages_per_second"] as? Double
        let rss = system["peak_rss_mb"] as? Double
        var cells = ["—", "—", "—", "—"]
        var leak = "—"
        if let path = system["predictions"] as? String {
            let predicted = bodies(path)
            var (leaked, total) = (0, 0)
            for (id, entry) in truth {
                let found = Metadata.found(entry["without"] as? [String] ?? [], in: predicted[id] ?? "")
                (leaked, total) = (leaked + found.found, total + found.total)
            }
            if total > 0 { leak = String(format: "%.1f %%", 100 * Double(leaked) / Double(total)) }
            let pages = truth.keys.sorted().map { id in
                Scoring.page(id: id, truth: truth[id]?["articleBody"] as? String ?? "", prediction: predicted[id] ?? "")
            }
            let summary = Scoring.summary(pages)
            cells = [summary.f1, summary.precision, summary.recall, summary.accuracy].map { String(format: "%.3f", $0) }
            if name.hasPrefix("feedpipe") { feedpipePages = pages }
        }
        let ratio = speed.flatMap { speed in baseline.map { String(format: "%.2f", speed / $0) } } ?? "—"
        print(
            "| \(name) | " + cells.joined(separator: " | ")
                + " | \(speed.map { String(format: "%.0f", $0) } ?? "—") | \(ratio) | \(rss.map { String(format: "%.0f", $0) } ?? "—") |"
                + (marksLeaks ? " \(leak) |" : "")
        )
    }
    guard !feedpipePages.isEmpty, worst > 0 else { return }
    print("\nfeedpipe's \(worst) worst pages (lowest F1):")
    for page in feedpipePages.sorted(by: { $0.f1 < $1.f1 }).prefix(worst) {
        let url = truth[page.id]?["url"] as? String ?? ""
        print(String(format: "  P %.3f  R %.3f  ", page.precision, page.recall) + "\(page.id.prefix(12))  \(url)")
    }
}

/// Predictions with their metadata: id → field → value.
func predictionRecords(_ path: String) -> [String: [String: String]] {
    guard let map = loadJSON(path) as? [String: Any] else { fail("\(path): expected an object of predictions") }
    return map.compactMapValues { value in
        (value as? [String: Any])?.compactMapValues { $0 as? String }
    }
}

/// WCXB: articles scored for text, boilerplate leak, must-have snippets and metadata; then F1 per page type.
func reportWCXB(_ arguments: [String]) {
    guard arguments.count >= 2 else { fail("usage: report-wcxb TRUTH.json RESULTS.json [--worst N]") }
    guard let truth = loadJSON(arguments[0]) as? [String: [String: Any]] else {
        fail("\(arguments[0]): bad ground truth")
    }
    guard let systems = loadJSON(arguments[1]) as? [[String: Any]] else { fail("\(arguments[1]): expected a list") }
    let worst = Int(option("--worst", in: arguments) ?? "10") ?? 10
    let ids = truth.keys.sorted()
    let types = Set(ids.compactMap { truth[$0]?["page_type"] as? String }).sorted()
    func share(_ hits: Int, _ total: Int) -> String {
        total == 0 ? "—" : String(format: "%.3f", Double(hits) / Double(total))
    }
    var articleRows: [String] = []
    var typeRows: [String] = []
    var feedpipeArticles: [Scoring.Page] = []
    for system in systems {
        guard let name = system["name"] as? String, let path = system["predictions"] as? String else { continue }
        let predicted = predictionRecords(path)
        var pages: [String: Scoring.Page] = [:]
        for id in ids {
            pages[id] = Scoring.page(
                id: id, truth: truth[id]?["articleBody"] as? String ?? "",
                prediction: predicted[id]?["articleBody"] ?? "")
        }
        let articles = ids.filter { truth[$0]?["page_type"] as? String == "article" }
        let summary = Scoring.summary(articles.compactMap { pages[$0] })
        var leaked = 0
        var leakTotal = 0
        var kept = 0
        var keptTotal = 0
        var titles = (0, 0)
        var authors = (0, 0)
        var days = (0, 0)
        var shownDays = 0
        for id in articles {
            let text = predicted[id]?["articleBody"] ?? ""
            let without = Metadata.found(truth[id]?["without"] as? [String] ?? [], in: text)
            let with = Metadata.found(truth[id]?["with"] as? [String] ?? [], in: text)
            (leaked, leakTotal, kept, keptTotal) = (
                leaked + without.found, leakTotal + without.total, kept + with.found, keptTotal + with.total
            )
            if let title = truth[id]?["title"] as? String, !title.isEmpty {
                titles = (titles.0 + (Metadata.sameTitle(title, predicted[id]?["title"]) ? 1 : 0), titles.1 + 1)
            }
            if let author = truth[id]?["author"] as? String, !author.isEmpty {
                authors = (authors.0 + (Metadata.sameAuthor(author, predicted[id]?["author"]) ? 1 : 0), authors.1 + 1)
            }
            if let day = truth[id]?["published"] as? String, !day.isEmpty {
                let published = Metadata.sameDay(day, predicted[id]?["published"])
                days = (days.0 + (published ? 1 : 0), days.1 + 1)
                if published || Metadata.sameDay(day, predicted[id]?["modified"]) { shownDays += 1 }
            }
        }
        let cells = [summary.f1, summary.precision, summary.recall].map { String(format: "%.3f", $0) }
        let leak = leakTotal == 0 ? "—" : String(format: "%.1f %%", 100 * Double(leaked) / Double(leakTotal))
        articleRows.append(
            "| \(name) | " + cells.joined(separator: " | ") + " | \(leak) | \(share(kept, keptTotal)) | "
                + "\(share(titles.0, titles.1)) | \(share(authors.0, authors.1)) | \(share(days.0, days.1)) | "
                + "\(share(shownDays, days.1)) |")
        var perType: [String] = []
        for type in types {
            let inType = ids.filter { truth[$0]?["page_type"] as? String == type }.compactMap { pages[$0] }
            perType.append(String(format: "%.3f", Scoring.summary(inType).f1))
        }
        let all = Scoring.summary(ids.compactMap { pages[$0] }).f1
        typeRows.append("| \(name) | " + perType.joined(separator: " | ") + String(format: " | %.3f |", all))
        if name.hasPrefix("feedpipe") { feedpipeArticles = articles.compactMap { pages[$0] } }
    }
    let articleCount = ids.count { truth[$0]?["page_type"] as? String == "article" }
    print("Articles (\(articleCount) pages):\n")
    // WCXB annotates the day a page shows, which is often its last update: "day shown" also counts an
    // extractor's modification date (an extractor that gives one date gives it in both columns).
    print("| extractor | F1 | precision | recall | leak | with | title | author | day published | day shown |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in articleRows { print(row) }
    print("\nF1 by page type (\(ids.count) pages):\n")
    print(
        "| extractor | "
            + types.map { type in "\(type) (\(ids.count { truth[$0]?["page_type"] as? String == type }))" }.joined(
                separator: " | ") + " | all |")
    print("| --- |" + String(repeating: " --- |", count: types.count + 1))
    for row in typeRows { print(row) }
    guard !feedpipeArticles.isEmpty, worst > 0 else { return }
    print("\nfeedpipe's \(worst) worst articles (lowest F1):")
    for page in feedpipeArticles.sorted(by: { $0.f1 < $1.f1 }).prefix(worst) {
        let url = truth[page.id]?["url"] as? String ?? ""
        print(String(format: "  P %.3f  R %.3f  ", page.precision, page.recall) + "\(page.id)  \(url)")
    }
}

/// Pages extracted with site rules against the same pages without: F1 over the pages the rules apply to,
/// and the pages the rules leave emptier (less than half the text without them).
func compareRules(_ arguments: [String]) {
    guard arguments.count >= 3 else { fail("usage: compare-rules TRUTH.json WITHOUT.json WITH.json") }
    guard let truth = loadJSON(arguments[0]) as? [String: [String: Any]] else {
        fail("\(arguments[0]): bad ground truth")
    }
    let without = bodies(arguments[1])
    let with = bodies(arguments[2])
    let ids = with.keys.sorted()
    func score(_ predicted: [String: String]) -> Scoring.Summary {
        Scoring.summary(
            ids.map {
                Scoring.page(id: $0, truth: truth[$0]?["articleBody"] as? String ?? "", prediction: predicted[$0] ?? "")
            })
    }
    let plain = score(without)
    let ruled = score(with)
    let emptier = ids.filter { (with[$0] ?? "").utf8.count * 2 < (without[$0] ?? "").utf8.count }
    print(
        String(
            format: "| %d | %.3f (%.3f / %.3f) | %.3f (%.3f / %.3f) | %d |", ids.count, plain.f1, plain.precision,
            plain.recall, ruled.f1, ruled.precision, ruled.recall, emptier.count))
    for id in emptier.prefix(10) { print("  emptier with rules: \(id)  \(truth[id]?["url"] as? String ?? "")") }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: measure … | report …") }
arguments.removeFirst()
switch command {
case "measure": measure(arguments)
case "report": report(arguments)
case "report-wcxb": reportWCXB(arguments)
case "compare-rules": compareRules(arguments)
default: fail("unknown command \(command)")
}
