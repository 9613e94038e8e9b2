import CSQLite
import Foundation
import Markup
import TestSupport
import Testing

/// A run killed (SIGKILL) at many points while it fetches, stores and writes: every feed left behind is
/// valid, the state store opens and is intact, and a run afterwards finishes the job with nothing lost.
@Suite("Killed mid-run")
struct CrashTests {
    static let checkFeed = Repository.root.appendingPathComponent("../shared/atom/check-feed").standardizedFileURL

    /// Every `.atom` file of the folder parses as an Atom feed whose entries each have an id, a title and
    /// content; with the shared checker beside the repository, that checker passes them too.
    static func expectValidFeeds(in folder: URL, at point: Int) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".atom") }
        for name in names where !name.hasPrefix(".") {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            let document = try Document(xml: bytes)
            #expect(document.root?.localName == "feed", "\(name) after a kill at \(point) ms")
            for entry in document.root?.elementChildren.filter({ $0.localName == "entry" }) ?? [] {
                #expect(entry.elementChildren.contains { $0.localName == "id" }, "\(name)")
                #expect(entry.elementChildren.contains { $0.localName == "content" }, "\(name)")
            }
        }
        if FileManager.default.isExecutableFile(atPath: checkFeed.path), !names.isEmpty {
            let status = try Tool.run(
                checkFeed.path, names.map { folder.appendingPathComponent($0).path }, timeout: 120)
            #expect(status == 0, "check-feed failed after a kill at \(point) ms")
        }
    }

    /// The entries in a working copy's store as "feed address" (addresses of the copy's own files written
    /// relative to it, so that two copies compare), after SQLite's own integrity check passed.
    static func stored(in folder: URL) throws -> Set<String> {
        let path = folder.appendingPathComponent(".feedpipe/state.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let check = try sqliteRows(path: path, query: "PRAGMA integrity_check")
        #expect(check.first?.first == "ok", "integrity: \(check)")
        // Killed before the schema was committed: nothing was stored.
        let tables = try sqliteRows(path: path, query: "SELECT name FROM sqlite_master WHERE name = 'entries'")
        guard !tables.isEmpty else { return [] }
        return Set(
            try sqliteRows(path: path, query: "SELECT feed || ' ' || link FROM entries").compactMap { row in
                row[0]?.replacingOccurrences(of: folder.standardizedFileURL.absoluteString, with: "/")
                    .replacingOccurrences(of: folder.resolvingSymlinksInPath().absoluteString, with: "/")
            })
    }

    @Test func killedAtManyPointsNothingIsLostOrBroken() throws {
        // What a whole run stores when nothing stops it.
        let reference = try CommandLineTests.workingCopy()
        let started = Date()
        let complete = try CommandLineTests.run(["run"], in: reference)
        #expect(complete.status == 0)
        let expected = try Self.stored(in: reference)
        #expect(expected.count >= 15)

        // Kill points spread over a run's length. Other tests share the machine, so a run's length is
        // re-learnt from every run that ends before its kill, and attempts go on until enough kills have
        // landed inside a run.
        var duration = Date().timeIntervalSince(started)
        let wanted = 16
        let attempts = 64
        var killedMidRun = 0
        var attempt = 0
        while killedMidRun < wanted, attempt < attempts {
            attempt += 1
            let folder = try CommandLineTests.workingCopy()
            let launched = Date()
            let process = try CommandLineTests.launch(["run"], in: folder)
            // Fractions of the run spread evenly by the golden ratio, never the very start or end.
            let fraction = 0.03 + 0.94 * (Double(attempt) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1)
            let delay = duration * fraction
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killedMidRun += 1
                process.waitUntilExit()
            } else {
                process.waitUntilExit()
                duration = min(duration, Date().timeIntervalSince(launched))
            }
            let milliseconds = Int(delay * 1000)

            let survived = try Self.stored(in: folder)
            #expect(survived.isSubset(of: expected))
            let feeds = folder.appendingPathComponent("Feeds")
            if FileManager.default.fileExists(atPath: feeds.path) {
                try Self.expectValidFeeds(in: feeds, at: milliseconds)
            }

            // The next run (cron's next turn) completes the work, keeping what the killed one stored.
            let resumed = try CommandLineTests.run(["run"], in: folder)
            #expect(resumed.status == 0, "after a kill at \(milliseconds) ms: \(resumed.stderr)")
            let after = try Self.stored(in: folder)
            #expect(
                after == expected,
                "after a kill at \(milliseconds) ms: missing \(expected.subtracting(after)), extra \(after.subtracting(expected))"
            )
            try Self.expectValidFeeds(in: feeds, at: milliseconds)
        }
        // Enough kills must have landed inside a run, or the test proves little.
        #expect(killedMidRun >= wanted, "only \(killedMidRun) of \(attempt) kills landed mid-run")
    }
}
