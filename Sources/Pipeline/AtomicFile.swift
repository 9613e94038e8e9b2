import Foundation

/// Writes files so that readers see the old or the new content, never a mix: a temporary file in the same
/// folder, flushed, then renamed over the target. An unchanged file is not touched.
package enum AtomicFile {
    /// Why a file could not be written: the path and the system's own words ("Read-only file system",
    /// "No space left on device", "Is a directory", "Permission denied").
    package struct WriteError: Error, Sendable, CustomStringConvertible {
        package let path: String
        package let cause: String

        init(path: String, errno code: Int32) {
            self.path = path
            self.cause = String(cString: strerror(code))
        }

        package var description: String { "cannot write \(path): \(cause)" }
    }

    package static func write(_ text: String, to path: String) throws(WriteError) {
        try write(bytes: Array(text.utf8), to: path)
    }

    /// `write(_:to:)` for content already in bytes.
    package static func write(bytes data: [UInt8], to path: String) throws(WriteError) {
        if holds(path, data) { return }
        let (folder, temporary) = try temporaryFile(for: path)
        // Leftovers of a run that was killed while writing this file (no two runs write one feed at once: the
        // run lock, or the pipeline's claim on a shared store, sees to it).
        let prefix = ".\(URL(fileURLWithPath: path).lastPathComponent)."
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            unlink(folder.appendingPathComponent(name).path)
        }
        var failure = writeFlushed(data, to: temporary)
        if failure == nil, rename(temporary, path) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw WriteError(path: path, errno: failure)
        }
    }

    /// The bytes of the file at `path`, read straight into an array; `nil` when it cannot be read.
    package static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        let size = Int(status.st_size)
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let read = Glibc.read(descriptor, buffer.baseAddress! + count, size - count)
                guard read > 0 else { break }
                count += read
            }
        }
        guard bytes.count == size else { return nil }
        return bytes
    }

    /// Whether the file at `path` holds exactly `data`: its size is looked at first, then its bytes.
    private static func holds(_ path: String, _ data: [UInt8]) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, Int(status.st_size) == data.count, let existing = read(path) else {
            return false
        }
        return existing.withUnsafeBytes { old in
            data.withUnsafeBytes { new in
                guard old.count == new.count, let old = old.baseAddress, let new = new.baseAddress else {
                    return old.count == 0 && new.count == 0
                }
                return memcmp(old, new, data.count) == 0
            }
        }
    }

    /// Writes a new file, whole or not at all, and never over an existing one (`EEXIST`: "File exists").
    package static func create(_ text: String, at path: String) throws(WriteError) {
        let temporary = try temporaryFile(for: path).path
        var failure = writeFlushed(Array(text.utf8), to: temporary)
        // link(2) fails when the name exists, where rename(2) would replace it.
        if failure == nil, link(temporary, path) != 0 { failure = errno }
        unlink(temporary)
        if let failure { throw WriteError(path: path, errno: failure) }
    }

    /// The file's folder (made when missing) and the temporary file beside it that is written first.
    private static func temporaryFile(for path: String) throws(WriteError) -> (folder: URL, path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        try makeFolders(folder.path)
        let name = ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp"
        return (folder, folder.appendingPathComponent(name).path)
    }

    /// Writes `data` to a new file at `path` and flushes it to disk; the `errno` of what failed, if any.
    private static func writeFlushed(_ data: [UInt8], to path: String) -> Int32? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return errno }
        var failure: Int32?
        data.withUnsafeBytes { bytes in
            var written = 0
            while written < bytes.count {
                let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += count
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == nil { failure = errno }
        return failure
    }

    /// Creates the folder and the folders above it that are missing.
    private static func makeFolders(_ path: String) throws(WriteError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw WriteError(path: path, errno: ENOTDIR) }
            return
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if parent != path { try makeFolders(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw WriteError(path: path, errno: errno) }
    }
}
