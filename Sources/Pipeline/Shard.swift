import Feed

/// One of N shares of the pipelines, for runs spread over N machines with no coordinator: a pipeline
/// belongs to the share its id's stable hash falls in, so every machine that reads the same `Pipelines/`
/// agrees without talking to the others, and a pipeline stays on its machine while the count is unchanged.
package struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// From 0 (as a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX`) to `count - 1`.
    package let index: Int
    package let count: Int

    package init?(index: Int, count: Int) {
        guard count >= 1, (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// `I/N`, as `--shard` takes it.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    package var description: String { "\(index)/\(count)" }

    /// Whether the pipeline with this id is this shard's.
    package func owns(id: String) -> Bool {
        Int(Self.hash(id) % UInt64(count)) == index
    }

    /// FNV-1a over the id's UTF-8 bytes: the same on every machine and every run.
    static func hash(_ id: String) -> UInt64 { FNV1a.hash(id.utf8) }
}
