import Feed
import Foundation

/// Writes files so that readers see the old or the new content, never a mix: a temporary file in the same
/// folder, flushed, then renamed over the target. An unchanged file is not touched.
///
/// Flushing (fsync) is what makes the new content survive a crash of the machine, and it waits for the
/// disk: milliseconds a file. Files made again from the store on every run (a folder's index, its record of
/// runs, a cache) are written without it (`durable: false`): a reader still sees the old or the new file,
/// and a crash costs at worst one run's bookkeeping.
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

    package static func write(_ text: String, to path: String, durable: Bool = true) throws(WriteError) {
        try write(bytes: Array(text.utf8), to: path, durable: durable)
    }

    /// `write(_:to:durable:)` for content already in bytes.
    package static func write(bytes data: [UInt8], to path: String, durable: Bool = true) throws(WriteError) {
        if holds(path, data) { return }
        try replace(path, durable: durable) { descriptor in data.withUnsafeBytes { writeAll($0, to: descriptor) } }
    }

    /// Writes a file made of new bytes and stretches of `previous`, the file it replaces (kept open since it
    /// was read, so that it is the same file whatever happened at its path since): the stretches are copied
    /// by the kernel, file to file, never through this process's memory. A content equal to the previous
    /// file's leaves it untouched.
    package static func write(_ pieces: [SplicePiece], from previous: OpenFile, to path: String) throws(WriteError) {
        if previous.holds(pieces) { return }
        try replace(path, durable: true) { descriptor in
            for piece in pieces {
                let failure =
                    switch piece {
                    case .bytes(let bytes): bytes.withUnsafeBytes { writeAll($0, to: descriptor) }
                    case .copy(let range): previous.copy(range, to: descriptor)
                    }
                if let failure { return failure }
            }
            return nil
        }
    }

    /// Replaces the file at `path` with a temporary file beside it, which `fill` writes (returning the
    /// `errno` of what failed, if any), flushed when `durable`, then renamed over it.
    private static func replace(_ path: String, durable: Bool, _ fill: (Int32) -> Int32?) throws(WriteError) {
        let (folder, temporary) = try temporaryFile(for: path)
        // Leftovers of a run that was killed while writing this file (no two runs write one feed at once: the
        // run lock, or the pipeline's claim on a shared store, sees to it).
        let prefix = ".\(URL(fileURLWithPath: path).lastPathComponent)."
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            unlink(folder.appendingPathComponent(name).path)
        }
        var failure = writeNew(temporary, durable: durable, fill)
        if failure == nil, rename(temporary, path) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw WriteError(path: path, errno: failure)
        }
    }

    /// A file open for reading, closed when the last reference to it goes.
    package final class OpenFile: Sendable {
        let descriptor: Int32
        /// Its size when it was opened.
        let size: Int

        /// The file at `path`; `nil` when it cannot be opened.
        package init?(_ path: String) {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                close(descriptor)
                return nil
            }
            self.descriptor = descriptor
            self.size = Int(status.st_size)
        }

        deinit { close(descriptor) }

        /// Reads the whole file in order, a chunk at a time; false when it cannot be read to its size.
        package func read(_ chunk: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 18)
            defer { buffer.deallocate() }
            var offset = 0
            while offset < size {
                let count = pread(descriptor, buffer.baseAddress, min(buffer.count, size - offset), off_t(offset))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                chunk(UnsafeBufferPointer(rebasing: buffer[..<count]))
                offset += count
            }
            return true
        }

        /// The whole file, read straight into an array; `nil` when it cannot be read to its size.
        func bytes() -> [UInt8]? {
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = 0
                while count < size {
                    let read = pread(descriptor, buffer.baseAddress! + count, size - count, off_t(count))
                    if read < 0, errno == EINTR { continue }
                    guard read > 0 else { break }
                    count += read
                }
            }
            return bytes.count == size ? bytes : nil
        }

        /// Whether `pieces` make this file as it is: new bytes equal to its own at their place, stretches
        /// copied to where they are.
        func holds(_ pieces: [SplicePiece]) -> Bool {
            var offset = 0
            for piece in pieces {
                switch piece {
                case .bytes(let bytes):
                    guard offset + bytes.count <= size else { return false }
                    var own = [UInt8](repeating: 0, count: bytes.count)
                    guard pread(descriptor, &own, bytes.count, off_t(offset)) == bytes.count, own == bytes else {
                        return false
                    }
                    offset += bytes.count
                case .copy(let range):
                    guard range.lowerBound == offset else { return false }
                    offset = range.upperBound
                }
            }
            return offset == size
        }

        /// Copies a stretch of this file to the end of another: in the kernel (sendfile), else through a
        /// buffer. The `errno` of what failed, if any.
        func copy(_ range: Range<Int>, to target: Int32) -> Int32? {
            guard range.upperBound <= size else { return EINVAL }
            var offset = off_t(range.lowerBound)
            while offset < range.upperBound {
                let sent = sendfile(target, descriptor, &offset, range.upperBound - Int(offset))
                if sent > 0 { continue }
                if sent < 0, errno == EINTR { continue }
                if sent < 0, errno != EINVAL, errno != ENOSYS { return errno }
                return copyThroughBuffer(Int(offset)..<range.upperBound, to: target)
            }
            return nil
        }

        private func copyThroughBuffer(_ range: Range<Int>, to target: Int32) -> Int32? {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 1)
            defer { buffer.deallocate() }
            var offset = range.lowerBound
            while offset < range.upperBound {
                let count = pread(
                    descriptor, buffer.baseAddress, min(buffer.count, range.upperBound - offset), off_t(offset))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return count == 0 ? EIO : errno }
                if let failure = writeAll(UnsafeRawBufferPointer(rebasing: buffer[..<count]), to: target) {
                    return failure
                }
                offset += count
            }
            return nil
        }
    }

    /// Writes every byte to the descriptor; the `errno` of what failed, if any.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += count
        }
        return nil
    }

    /// The bytes of the file at `path`, read straight into an array; `nil` when it cannot be read.
    package static func read(_ path: String) -> [UInt8]? { OpenFile(path)?.bytes() }

    /// Whether the file at `path` holds exactly `data`: its size is looked at first, then its bytes.
    private static func holds(_ path: String, _ data: [UInt8]) -> Bool {
        guard let file = OpenFile(path), file.size == data.count, let existing = file.bytes() else { return false }
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
        let bytes = Array(text.utf8)
        var failure = writeNew(temporary, durable: true) { descriptor in
            bytes.withUnsafeBytes { writeAll($0, to: descriptor) }
        }
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

    /// Makes a new file at `path`, which `fill` writes, and when `durable` flushes it to disk; the `errno`
    /// of what failed, if any.
    private static func writeNew(_ path: String, durable: Bool, _ fill: (Int32) -> Int32?) -> Int32? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return errno }
        var failure = fill(descriptor)
        if failure == nil, durable, fsync(descriptor) != 0 { failure = errno }
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
