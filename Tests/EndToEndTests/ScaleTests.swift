import Foundation
import TestSupport
import Testing

/// Memory stays flat as pipelines are added: a run over 200 pipelines peaks no higher than about a run over
/// 50 (pages are processed in chunks, and each parsed page is freed before the next chunk).
@Suite("Many pipelines")
struct ScaleTests {
    /// A working folder with `count` pipelines, each a feed of three items pointing at the example articles.
    static func pipelines(_ count: Int) throws -> URL {
        let folder = try Repository.temporaryFolder()
        let pipelines = folder.appendingPathComponent("Pipelines")
        try FileManager.default.createDirectory(at: pipelines, withIntermediateDirectories: true)
        // The feeds' files are read inside their own folder: a local source's links stay in its folder.
        let articles = pipelines.appendingPathComponent("articles")
        try FileManager.default.copyItem(at: Repository.exampleSite.appendingPathComponent("articles"), to: articles)
        let names = ["otters-return", "battery-recycling-plant", "cycle-lanes-vote", "belarus-officers-letter"]
        for index in 0..<count {
            let items = (0..<3).map { item in
                let name = names[(index + item) % names.count]
                return
                    "<item><title>\(name) \(index)</title><link>\(articles.appendingPathComponent(name + ".html").absoluteString)?p=\(index)</link></item>"
            }.joined()
            let feed = "<rss version=\"2.0\"><channel><title>Feed \(index)</title>\(items)</channel></rss>"
            try feed.write(to: pipelines.appendingPathComponent("feed\(index).xml"), atomically: true, encoding: .utf8)
            try "title: Pipeline \(index)\nsource: {type: feed, url: feed\(index).xml}\n"
                .write(to: pipelines.appendingPathComponent("p\(index).yml"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// Runs `feedpipe run` in the folder and returns its exit status and peak resident memory in MB, read
    /// from the kernel's high-water mark while it runs.
    static func peakMemory(in folder: URL) throws -> (status: Int32, megabytes: Double) {
        let process = try CommandLineTests.launch(["run"], in: folder)
        var peak = 0.0
        while process.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
            {
                peak = max(peak, kilobytes / 1024)
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return (process.terminationStatus, peak)
    }

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["FEEDPIPE_SANITIZED"] == nil,
            "skipped under AddressSanitizer, whose quarantine makes memory figures meaningless"))
    func memoryStaysFlatFrom50To200Pipelines() throws {
        let small = try Self.peakMemory(in: try Self.pipelines(50))
        let large = try Self.peakMemory(in: try Self.pipelines(200))
        #expect(small.status == 0 && large.status == 0)
        #expect(small.megabytes > 0 && large.megabytes > 0)
        // 4× the pipelines and articles: the peak may grow by the per-pipeline bookkeeping, not 4×.
        #expect(
            large.megabytes < small.megabytes * 1.5 + 20,
            "50 pipelines: \(small.megabytes) MB, 200: \(large.megabytes) MB")
        #expect(large.megabytes < 200)
    }
}
