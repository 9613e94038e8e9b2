import Foundation
import Markup
import TestSupport
import Testing

/// Runs the built `feedpipe` binary as a user would and checks what it prints, writes and returns.
@Suite("feedpipe command line")
struct CommandLineTests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let binary: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Repository.root.appendingPathComponent(".build/debug"),
        ]
        for folder in candidates {
            for candidate in [folder, folder.deletingLastPathComponent()] {
                let binary = candidate.appendingPathComponent("feedpipe")
                if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
            }
        }
        return Repository.root.appendingPathComponent(".build/debug/feedpipe")
    }()

    /// Runs the binary to its end; with a `timeout`, a process still running then is stopped (SIGTERM).
    static func run(_ arguments: [String], in folder: URL? = nil, timeout: Double? = nil) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [process] in
                if process.isRunning { process.terminate() }
            }
        }
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Starts the binary without waiting for it, its output discarded.
    static func launch(_ arguments: [String], in folder: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A working folder holding a copy of the bundled pipelines, as a user's checkout would.
    static func workingCopy() throws -> URL {
        let folder = try Repository.temporaryFolder()
        try FileManager.default.copyItem(
            at: Repository.root.appendingPathComponent("Pipelines"), to: folder.appendingPathComponent("Pipelines"))
        return folder
    }

    static let seed = Repository.exampleSite.appendingPathComponent("articles/belarus-officers-letter.html").path

    @Test func cleanPrintsTheSeedArticleWithoutBoilerplate() throws {
        let output = try Self.run(["clean", "--format", "text", Self.seed])
        #expect(output.status == 0)
        #expect(
            output.stdout.hasPrefix("Lukashenko says Russia 'must be ready' to use nuclear arsenal\n\nLast Sunday,"))
        #expect(
            output.stdout.contains("“To join Russia in its fight against Ukraine would be an act of pure suicide.”"))
        for boilerplate in ["We use your sign-up", "Read Full Article", "[REVEAL]", "[INSIGHT]", "[NEWS]", "Share"] {
            #expect(!output.stdout.contains(boilerplate))
        }
    }

    /// With the folder's public address, every feed names its own address in each format, and the OPML
    /// lists absolute addresses a reader can import.
    @Test func thePublicURLNamesEveryFeedAndFillsTheOPML() throws {
        let folder = try Self.workingCopy()
        let output = try Self.run(["run", "--public-url", "https://feeds.example.net/news"], in: folder)
        #expect(output.status == 0, "\(output.stderr)")
        let feeds = folder.appendingPathComponent("Feeds")
        let atom = try String(contentsOf: feeds.appendingPathComponent("example.atom"), encoding: .utf8)
        #expect(atom.contains(#"href="https://feeds.example.net/news/example.atom""#))
        let rss = try String(contentsOf: feeds.appendingPathComponent("example-feed.rss"), encoding: .utf8)
        #expect(rss.contains(#"href="https://feeds.example.net/news/example-feed.rss" rel="self""#))
        let json = try String(contentsOf: feeds.appendingPathComponent("example-feed.json"), encoding: .utf8)
        #expect(
            json.contains(#"https:\/\/feeds.example.net\/news\/example-feed.json"#)
                || json.contains("https://feeds.example.net/news/example-feed.json"))
        let opml = try Document(xml: Array(try Data(contentsOf: feeds.appendingPathComponent("index.opml"))))
        let addresses = opml.root?.xpath("//outline").compactMap { $0.attribute("xmlUrl") } ?? []
        #expect(
            addresses.count == 10 && addresses.allSatisfy { $0.hasPrefix("https://feeds.example.net/news/") },
            "\(addresses)")
        let refused = try Self.run(["run", "--public-url", "feeds.example.net"], in: folder)
        #expect(refused.status == 64)
    }

    /// N machines each running their shard write every feed once between them, each with its own store.
    @Test func shardsSplitTheBundledPipelinesWithoutOverlap() throws {
        let folder = try Self.workingCopy()
        let all = try Self.run(["run"], in: try Self.workingCopy())
        #expect(all.status == 0, "\(all.stderr)")
        let everyFeed = all.stdout.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) }
            .sorted()
        var ran: [String] = []
        for index in 0..<3 {
            let output = try Self.run(["run", "--shard", "\(index)/3"], in: folder)
            #expect(output.status == 0, "\(output.stderr)")
            ran += output.stdout.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) }
            #expect(
                FileManager.default.fileExists(
                    atPath: folder.appendingPathComponent(".feedpipe/state-shard-\(index)-of-3.sqlite").path))
        }
        #expect(ran.sorted() == everyFeed)
        #expect(everyFeed.count == 10)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".feedpipe/state.sqlite").path))
        let refused = try Self.run(["run", "--shard", "3/3"], in: folder)
        #expect(
            refused.status == 64 && refused.stderr.contains("--shard takes I/N"), "\(refused.status) \(refused.stderr)")
    }

    @Test func cleanJSONReportsEachFileAndNamesTheOnesItCannotRead() throws {
        let output = try Self.run(["clean", "--format", "json", Self.seed, "/nonexistent/page.html"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("/nonexistent/page.html"))
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        for key in ["file", "url", "title", "author", "published", "language", "image", "text", "html"] {
            #expect(object.keys.contains(key), "missing \(key)")
        }
        #expect(object["published"] as? String == "2022-04-14T08:30:00Z")
        #expect(object["language"] as? String == "en-GB")
    }

    @Test func cleanJSONCarriesQuotesBackslashesLineBreaksAndAccentsExactly() throws {
        let work = try Repository.temporaryFolder()
        let page = work.appendingPathComponent("escapes.html")
        let title = #"The "otters" of C:\River, été"#
        let first = #"Keepers say "hello" to the otters at C:\River every morning, and the otters answer back."#
        let second = "The second paragraph follows on its own line, with a tab\there and an accent: é, ü, 水."
        try Data(
            "<html><head><title>\(title)</title></head><body><article><h1>\(title)</h1><p>\(first)</p><p>\(second)</p></article></body></html>"
                .utf8
        ).write(to: page)
        let output = try Self.run(["clean", "--format", "json", page.path])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(object["title"] as? String == title)
        let text = try #require(object["text"] as? String)
        #expect(text.contains(first) && text.contains("\n") && text.contains("accent: é, ü, 水."), "\(text)")
        #expect(object["file"] as? String == page.path)
        #expect(
            object.keys.sorted() == [
                "author", "file", "html", "image", "language", "modified", "published", "text", "title", "url",
            ])
    }

    @Test func cleanNamesAFileThatIsNotAPage() throws {
        let work = try Repository.temporaryFolder()
        let image = work.appendingPathComponent("photo.html")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]).write(to: image)
        let utf16 = work.appendingPathComponent("utf16.html")
        try Data(
            "<html><body><p>Été: the long summer of the river otters, told in full by the keepers.</p></body></html>"
                .data(using: .utf16)!
        ).write(to: utf16)
        let output = try Self.run(["clean", "--format", "text", image.path, utf16.path])
        #expect(output.status == 1)
        #expect(output.stderr == "feedpipe: \(image.path): not an HTML page (PNG data)\n")
        #expect(output.stdout.hasPrefix("Été: the long summer"))
    }

    @Test func runWritesTheExampleFeedAndASecondRunChangesNoByte() throws {
        let folder = try Self.workingCopy()
        let first = try Self.run(["run"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("example: 4 new, 0 updated, 0 kept → Feeds/example.atom\n"))
        #expect(first.stdout.contains("example-feed: 2 new, 0 updated, 0 kept → Feeds/example-feed.atom\n"))
        Repository.keepFeed(folder.appendingPathComponent("Feeds/example-feed.atom"), as: "cli-example-feed.atom")
        let feed = folder.appendingPathComponent("Feeds/example.atom")
        let bytes = try Data(contentsOf: feed)
        Repository.keepFeed(feed, as: "cli-example.atom")

        let second = try Self.run(["run", "Pipelines/example.yml"], in: folder)
        #expect(second.status == 0)
        #expect(second.stdout == "example: 0 new, 0 updated, 4 kept → Feeds/example.atom\n")
        #expect(try Data(contentsOf: feed) == bytes)
    }

    /// `--report json` gives monitoring one document: each pipeline's counts, seconds and failures, an
    /// invalid pipeline file among them.
    @Test func runReportsAsJSONForMonitoring() throws {
        let folder = try Self.workingCopy()
        let bad = folder.appendingPathComponent("Pipelines/bad.yml")
        try "title: Bad\nsource:\n  url: x.html\n  links: 'a[href'\n".write(to: bad, atomically: true, encoding: .utf8)
        let output = try Self.run(["run", "--report", "json"], in: folder)
        #expect(output.status == 2)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let pipelines = try #require(document["pipelines"] as? [[String: Any]])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("Pipelines").path)
        #expect(pipelines.count == files.filter { $0.hasSuffix(".yml") }.count)
        let example = try #require(pipelines.first { $0["name"] as? String == "example" })
        #expect(example["status"] as? String == "ok")
        #expect(example["new"] as? Int == 4 && example["kept"] as? Int == 0)
        #expect((example["seconds"] as? Double).map { $0 > 0 } == true)
        let refused = try #require(pipelines.first { $0["name"] as? String == "bad" })
        #expect(refused["status"] as? String == "invalid")
        let failure = try #require((refused["failures"] as? [[String: Any]])?.first)
        #expect((failure["message"] as? String)?.contains("bad.yml:4:10: invalid selector") == true)
        #expect(document["started"] is String && document["seconds"] is Double)
    }

    @Test func anInvalidPipelineExitsWithStatus2AndNamesTheLine() throws {
        let folder = try Self.workingCopy()
        let bad = folder.appendingPathComponent("Pipelines/bad.yml")
        try "title: Bad\nsource:\n  url: x.html\n  links: 'a[href'\n".write(to: bad, atomically: true, encoding: .utf8)
        let output = try Self.run(["run"], in: folder)
        #expect(output.status == 2)
        #expect(output.stderr.contains("Pipelines/bad.yml:4:10: invalid selector"))
        // The valid pipeline still ran.
        #expect(output.stdout.contains("example: 4 new"))
    }

    @Test func aFailedSourceExitsWithStatus1AndKeepsTheFeed() throws {
        let folder = try Self.workingCopy()
        #expect(try Self.run(["run"], in: folder).status == 0)
        let feed = folder.appendingPathComponent("Feeds/example.atom")
        let before = try Data(contentsOf: feed)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("Pipelines/example-site/index.html"))
        let output = try Self.run(["run"], in: folder)
        #expect(output.status == 1)
        #expect(output.stderr.contains("example-site/index.html"))
        #expect(output.stdout.contains("example: 0 new, 0 updated, 4 kept → Feeds/example.atom (1 failed)\n"))
        #expect(try Data(contentsOf: feed) == before)
    }

    @Test func aMistypedCommandIsNamedWithTheOneMeantAndVersionIsPrinted() throws {
        let folder = try Self.workingCopy()
        let mistyped = try Self.run(["serv"], in: folder)
        #expect(mistyped.status != 0)
        #expect(
            mistyped.stderr.contains("'serv' is neither a command nor a pipeline file; did you mean 'feedpipe serve'?"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".feedpipe").path))
        let version = try Self.run(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test func aListPageWhoseSelectorMatchesNothingFailsRunAndCheck() throws {
        let folder = try Self.workingCopy()
        let pipeline = folder.appendingPathComponent("Pipelines/example.yml")
        let yaml = try String(contentsOf: pipeline, encoding: .utf8)
            .replacingOccurrences(of: ".story-list a.headline", with: ".story-grid a.title")
        try yaml.write(to: pipeline, atomically: true, encoding: .utf8)
        for command in ["run", "check"] {
            let output = try Self.run([command, "Pipelines/example.yml"], in: folder)
            #expect(output.status == 1, "\(command): \(output.stderr)")
            #expect(
                output.stderr.contains(
                    "example-site/index.html: the list page offers no items: '.story-grid a.title' matched none"),
                "\(command): \(output.stderr)")
        }
    }

    @Test func aFeedWithABadByteIsReadAndLibxml2SaysNothingOnStderr() throws {
        let folder = try Self.workingCopy()
        let feed = folder.appendingPathComponent("Pipelines/example-site/feed.xml")
        var bytes = try [UInt8](Data(contentsOf: feed))
        let title = try #require(bytes.firstRange(of: Array("<title>".utf8)))
        bytes.insert(0x9D, at: title.upperBound + 1)
        try Data(bytes).write(to: feed)
        let output = try Self.run(["run", "Pipelines/example-feed.yml"], in: folder)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("example-feed: 2 new"), "\(output.stdout)")
        for noise in ["encoding error", "I/O error", "input conversion failed", "parser error"] {
            #expect(!output.stderr.contains(noise), "\(output.stderr)")
        }
    }

    /// The entry ids of an Atom feed file.
    static func entryIDs(_ feed: URL) throws -> [String] {
        let text = try String(contentsOf: feed, encoding: .utf8)
        return text.components(separatedBy: "<entry").dropFirst().compactMap { entry in
            entry.range(of: "<id>").flatMap { start in
                entry[start.upperBound...].range(of: "</id>").map { String(entry[start.upperBound..<$0.lowerBound]) }
            }
        }
    }

    @Test(arguments: ["lost", "emptied", "corrupt"])
    func aBrokenStateStoreLosesNoEntryTheFeedCarries(damage: String) throws {
        let folder = try Self.workingCopy()
        #expect(try Self.run(["run"], in: folder).status == 0)
        let feed = folder.appendingPathComponent("Feeds/example.atom")
        let ids = try Self.entryIDs(feed)
        #expect(ids.count == 4)
        let store = folder.appendingPathComponent(".feedpipe/state.sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
        switch damage {
        case "emptied": try Data().write(to: store)
        case "corrupt": try Data(String(repeating: "not a database ", count: 400).utf8).write(to: store)
        default: break
        }
        // The source fails too, so nothing comes in to refill the feed.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("Pipelines/example-site/index.html"))
        let output = try Self.run(["run", "Pipelines/example.yml"], in: folder)
        #expect(output.status == 1, "\(output.stderr)")
        #expect(try Self.entryIDs(feed) == ids)
        #expect(output.stderr.contains("4 were read back from the feed"), "\(output.stderr)")
        if damage == "corrupt" {
            #expect(output.stderr.contains("was corrupt: moved aside to"), "\(output.stderr)")
            let kept = try FileManager.default.contentsOfDirectory(atPath: store.deletingLastPathComponent().path)
            #expect(kept.contains { $0.hasPrefix("state.sqlite.corrupt-") })
        }
        // The next run finds the store whole: nothing more to say.
        let again = try Self.run(["run", "Pipelines/example.yml"], in: folder)
        #expect(!again.stderr.contains("read back") && !again.stderr.contains("corrupt"), "\(again.stderr)")
        #expect(try Self.entryIDs(feed) == ids)
    }

    @Test func aFeedThatCannotBeWrittenNamesThePathAndTheCause() throws {
        let folder = try Self.workingCopy()
        // The feed's path is taken by a folder, then its folder by a file.
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("Feeds/example.atom"), withIntermediateDirectories: true)
        var output = try Self.run(["run", "Pipelines/example.yml"], in: folder)
        #expect(output.status == 3)
        #expect(output.stderr.contains("cannot write Feeds/example.atom: Is a directory"), "\(output.stderr)")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("Feeds"))
        try Data().write(to: folder.appendingPathComponent("Feeds"))
        output = try Self.run(["run", "Pipelines/example.yml"], in: folder)
        #expect(output.status == 3)
        #expect(output.stderr.contains("/Feeds: Not a directory"), "\(output.stderr)")
        #expect(!output.stderr.contains("NSCocoaErrorDomain"))
    }

    @Test func aSecondRunWaitsForTheFirstThenGivesUpClearly() throws {
        let folder = try Self.workingCopy()
        let lockPath = folder.appendingPathComponent(".feedpipe/state.sqlite.lock").path
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent(".feedpipe"), withIntermediateDirectories: true)
        // This process plays the first run, holding the lock.
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(flock(descriptor, LOCK_EX) == 0)
        let output = try Self.run(["run", "--wait", "0.5"], in: folder)
        #expect(output.status == 4)
        #expect(output.stderr.contains("another feedpipe run holds .feedpipe/state.sqlite.lock"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Feeds").path))
        flock(descriptor, LOCK_UN)
        close(descriptor)
        #expect(try Self.run(["run", "--wait", "0.5"], in: folder).status == 0)
    }

    @Test func checkPreviewsLinksAndTheFirstArticleWithoutWriting() throws {
        let folder = try Self.workingCopy()
        let output = try Self.run(["check", "Pipelines/example.yml"], in: folder)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("4 links from file://"))
        #expect(output.stdout.contains("First article: Belarus army accuses Putin of destroying our sovereignty"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Feeds").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".feedpipe").path))
    }
}

@Suite("feedpipe check --site-rules")
struct SiteRulesCheckTests {
    @Test func theWholeFtrSiteConfigCorpusLoads() throws {
        let corpus = Repository.root.deletingLastPathComponent().appendingPathComponent("shared/ftr-site-config")
        let output = try CommandLineTests.run(["check", "--site-rules", corpus.path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("rule files loaded"))
        #expect(output.stderr.isEmpty, "\(output.stderr)")
    }

    @Test func theBundledRulesPassTheirTestsOnTheSavedPages() throws {
        let output = try CommandLineTests.run([
            "check", "--site-rules", Repository.root.appendingPathComponent("Pipelines/site-rules").path, "--pages",
            Repository.exampleSite.appendingPathComponent("articles").path,
        ])
        #expect(output.status == 0)
        #expect(
            output.stdout.contains(
                "ledger.example.org.txt: https://ledger.example.org/science/2022/04/otters-return: ok"))
    }

    @Test func aTestThatFailsIsReportedAndLinesItCannotApplyAreCounted() throws {
        let rules = try Repository.temporaryFolder()
        try
            "body: //div[@class='text']\ntest_url: https://ledger.example.org/science/2022/04/otters-return\ntest_contains: Penguins\n"
            .write(to: rules.appendingPathComponent("ledger.example.org.txt"), atomically: true, encoding: .utf8)
        let failing = try CommandLineTests.run([
            "check", "--site-rules", rules.path, "--pages",
            Repository.exampleSite.appendingPathComponent("articles").path,
        ])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("FAIL, missing 'Penguins'"))
        // A line it cannot apply is skipped and counted; the folder still loads.
        try "body //div\r\nstrip_comments: yes\r\nbody: //article\r\n".write(
            to: rules.appendingPathComponent("bad.example.txt"), atomically: true, encoding: .utf8)
        let skipping = try CommandLineTests.run(["check", "--site-rules", rules.path])
        #expect(skipping.status == 0, "\(skipping.stderr)")
        #expect(skipping.stdout.contains("2 rule files loaded"))
        #expect(skipping.stdout.contains("(a line without 'directive: value'): 1 line in 1 file"), "\(skipping.stdout)")
        #expect(skipping.stdout.contains("strip_comments: 1 line in 1 file"))
    }

    /// Before: `check` showed links and one article's text, not the entries and their fields.
    @Test func checkShowsTheEntriesARunWouldMakeWithEveryFieldAndWhyOnesAreEmpty() throws {
        let folder = try CommandLineTests.workingCopy()
        let output = try CommandLineTests.run(["check", "Pipelines/example-list.yml"], in: folder)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("1. Correction: Cycle lanes vote: the count"))
        #expect(output.stdout.contains("categories  Politics"))
        #expect(output.stdout.contains("No entry has image: the list page source has no 'image:' selector"))
        let json = try CommandLineTests.run(["check", "--json", "Pipelines/example-podcast.yml"], in: folder)
        #expect(json.status == 0, "\(json.stderr)")
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 2)
        let files = entries.first?["enclosures"] as? [[String: Any]]
        #expect(files?.first?["url"] as? String == "https://ledger.example.org/audio/weekly-12.mp3")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Feeds").path))
    }

    /// Before: trying a changed recipe again meant deleting the whole store by hand.
    @Test func resetAndRunFreshForgetOnePipelineOnly() throws {
        let folder = try CommandLineTests.workingCopy()
        #expect(try CommandLineTests.run(["run"], in: folder).status == 0)
        let list = folder.appendingPathComponent("Feeds/example-list.atom")
        let other = try Data(contentsOf: folder.appendingPathComponent("Feeds/example.atom"))
        let reset = try CommandLineTests.run(["reset", "Pipelines/example-list.yml"], in: folder)
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(reset.stdout.contains("example-list: 3 stored entries forgotten, 1 feed files deleted"))
        #expect(!FileManager.default.fileExists(atPath: list.path))
        let again = try CommandLineTests.run(
            ["run", "Pipelines/example-list.yml", "Pipelines/example.yml"], in: folder)
        #expect(again.stdout.contains("example-list: 3 new") && again.stdout.contains("example: 0 new"), "\(again)")
        let fresh = try CommandLineTests.run(["run", "--fresh", "Pipelines/example-list.yml"], in: folder)
        #expect(fresh.stdout.contains("example-list: 3 new"), "\(fresh.stdout)")
        #expect(try Data(contentsOf: folder.appendingPathComponent("Feeds/example.atom")) == other)
    }
}
