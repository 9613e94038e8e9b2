import Foundation

/// An exclusive advisory lock (flock) on a file beside the state store, held for the whole run: two runs
/// on one store never interleave (cron firing while the last run still goes on); the second waits, then
/// gives up with a clear line.
package struct RunLock: Sendable {
    let descriptor: Int32

    package struct Busy: Error, CustomStringConvertible {
        let path: String
        let waited: Double
        package var description: String {
            "another feedpipe run holds \(path); waited \(Int(waited.rounded())) s, giving up"
        }
    }

    package static func acquire(path: String, waiting seconds: Double) throws -> RunLock {
        try? FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Busy(path: path, waited: 0) }
        let deadline = Date().addingTimeInterval(seconds)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard Date() < deadline else {
                close(descriptor)
                throw Busy(path: path, waited: seconds)
            }
            usleep(100_000)
        }
        return RunLock(descriptor: descriptor)
    }

    package func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
