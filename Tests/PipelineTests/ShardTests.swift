import Foundation
import Testing

@testable import Pipeline

@Suite("Shards")
struct ShardTests {
    @Test func textIsIOverNWithIBelowN() {
        #expect(Shard("0/1") == Shard(index: 0, count: 1))
        #expect(Shard("3/4")?.index == 3)
        for bad in ["4/4", "-1/3", "1/0", "1", "a/b", "1/2/3", "", "/2"] { #expect(Shard(bad) == nil, "\(bad)") }
    }

    @Test func everyPipelineBelongsToExactlyOneShardAndTheSplitIsEven() throws {
        let ids = (0..<2000).map { "urn:uuid:pipeline-\($0)" }
        for count in [1, 2, 3, 7] {
            let shards = (0..<count).map { Shard(index: $0, count: count)! }
            var sizes = Array(repeating: 0, count: count)
            for id in ids {
                let owners = shards.filter { $0.owns(id: id) }
                #expect(owners.count == 1)
                sizes[owners[0].index] += 1
            }
            // A hash that spreads: no shard holds more than 1.25 times its share.
            #expect(sizes.allSatisfy { Double($0) <= 1.25 * Double(ids.count) / Double(count) }, "\(sizes)")
        }
    }

    /// The hash is FNV-1a 64 (its published test values), not Swift's per-process seeded hashing: two
    /// machines, or two runs, agree.
    @Test func theHashIsTheSameOnEveryMachine() {
        #expect(Shard.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.hash("foobar") == 0x8594_4171_f739_67e8)
    }
}
