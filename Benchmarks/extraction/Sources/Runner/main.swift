import Extract
import Foundation
import Markup
import Scoring

// extraction-benchmark: the measuring half of Benchmarks/extraction/run.
//
//   extraction-benchmark measure parse|extract PAGES_DIR [--passes N] [--out PREDICTIONS.json]
//       Reads every *.html in PAGES_DIR, then parses (and extracts) all of them N times in this process,
//       and prints one JSON line: pages, CPU seconds per pass, pages per CPU second, peak RSS in MB.
//   extraction-benchmark report GROUND_TRUTH.json RESULTS.json [--worst N]
//       RESULTS.json is a list of {"name", "predictions", "pages_per_second", "peak_rss_mb"}; the first whose
//       name is "libxml2 parse-only" gives the speed baseline. Prints the table and feedpipe's worst pages.

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
    var predictions: [String: [String: String]] = [:]
    // Each page's time is the least of its passes: the machine's noise (other processes, frequency changes)
    // only ever adds time, so the minimum is the stable estimate, for parse-only and extraction alike.
    var fastest = [Double](repeating: .infinity, count: files.count)
    for pass in 0..<passes {
        for (index, name) in files.enumerated() {
            let html = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            let start = cpuSeconds()
            let document = try? Document(html: html, url: nil)
            let text = mode == "extract" ? document.map { Extractor().extract($0).text } : nil
            fastest[index] = min(fastest[index], cpuSeconds() - start)
            if pass == 0, let text { predictions[String(name.dropLast(5))] = ["articleBody": text] }
        }
    }
    let pages = files
    let perPass = fastest.reduce(0, +)
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
    if let wrapped = value as? [String: Any], let output = wrapped["output"], wrapped["version"] != nil { value = output }
    guard let map = value as? [String: Any] else { fail("\(path): expected an object of predictions") }
    return map.compactMapValues { ($0 as? [String: Any])?["articleBody"] as? String ?? "" }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func report(_ arguments: [String]) {
    guard arguments.count >= 2 else { fail("usage: report GROUND_TRUTH.json RESULTS.json [--worst N]") }
    guard let truth = loadJSON(arguments[0]) as? [String: [String: Any]] else { fail("\(arguments[0]): bad ground truth") }
    guard let systems = loadJSON(arguments[1]) as? [[String: Any]] else { fail("\(arguments[1]): expected a list") }
    let worst = Int(option("--worst", in: arguments) ?? "10") ?? 10
    let baseline = systems.first { $0["name"] as? String == "libxml2 parse-only" }?["pages_per_second"] as? Double
    print("| extractor | F1 | precision | recall | accuracy | pages/s (CPU) | × parse-only | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    var feedpipePages: [Scoring.Page] = []
    for system in systems {
        let name = system["name"] as? String ?? "?"
        let speed = system["pages_per_second"] as? Double
        let rss = system["peak_rss_mb"] as? Double
        var cells = ["—", "—", "—", "—"]
        if let path = system["predictions"] as? String {
            let predicted = bodies(path)
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
                + " | \(speed.map { String(format: "%.0f", $0) } ?? "—") | \(ratio) | \(rss.map { String(format: "%.0f", $0) } ?? "—") |")
    }
    guard !feedpipePages.isEmpty, worst > 0 else { return }
    print("\nfeedpipe's \(worst) worst pages (lowest F1):")
    for page in feedpipePages.sorted(by: { $0.f1 < $1.f1 }).prefix(worst) {
        let url = truth[page.id]?["url"] as? String ?? ""
        print(String(format: "  P %.3f  R %.3f  ", page.precision, page.recall) + "\(page.id.prefix(12))  \(url)")
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: measure … | report …") }
arguments.removeFirst()
switch command {
case "measure": measure(arguments)
case "report": report(arguments)
default: fail("unknown command \(command)")
}
