import Foundation

/// Programs the tests drive.
package enum Tool {
    package static func find(_ name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program with its output discarded; its exit status, or a timeout error.
    @discardableResult
    package static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double,
        output: URL? = nil
    ) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput =
            try output.map { url in
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
                return try FileHandle(forWritingTo: url)
            } ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                process.terminate()
                throw POSIXError(.ETIMEDOUT)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return process.terminationStatus
    }

    /// The bytes compressed by `gzip -9` itself, as a site's own tooling would store them.
    package static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let file = try Repository.temporaryFolder().appendingPathComponent("data")
        try Data(bytes).write(to: file)
        guard try run("/bin/gzip", ["-9", file.path], timeout: 60) == 0 else { throw POSIXError(.EIO) }
        return Array(try Data(contentsOf: file.appendingPathExtension("gz")))
    }

    /// What a program prints given `input` on its standard input (read to its end, then waited for).
    package static func output(_ path: String, _ arguments: [String], input: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Written from another thread, so that a program that answers before reading all cannot block both.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The text of a gzip-compressed file (as the shared corpora store their pages), decoded as UTF-8.
    package static func gunzip(_ file: URL) throws -> String {
        let output = try Repository.temporaryFolder().appendingPathComponent("page")
        guard try run("/bin/gzip", ["-dc", file.path], timeout: 60, output: output) == 0 else { throw POSIXError(.EIO) }
        return String(decoding: try Data(contentsOf: output), as: UTF8.self)
    }
}
