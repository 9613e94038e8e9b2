import Foundation
import NIOCore
import Testing

@testable import Serve

/// The on-demand endpoint's memory and its places: bounded by bytes and per client, whatever is asked.
@Suite("On-demand limits")
struct OnDemandLimitsTests {
    @Test func theCacheKeepsNoMoreThanItsBudgetDroppingTheLeastRecentlyUsed() async {
        let cache = BoundedCache<String, ByteBuffer>(budget: 1000) { $0.readableBytes }
        for index in 0..<30 { await cache.keep(ByteBuffer(repeating: 0, count: 200), for: "feed \(index)") }
        #expect(await cache.size <= 1000)
        #expect(await cache.value(for: "feed 0") == nil)
        #expect(await cache.value(for: "feed 29") != nil)
        // A value read lately stays when room is made; the one read longest ago leaves.
        _ = await cache.value(for: "feed 25")
        await cache.keep(ByteBuffer(repeating: 0, count: 200), for: "feed 30")
        #expect(await cache.value(for: "feed 25") != nil)
        #expect(await cache.value(for: "feed 26") == nil)
        // A value over a quarter of the budget is handed out and never kept.
        await cache.keep(ByteBuffer(repeating: 0, count: 600), for: "large")
        #expect(await cache.value(for: "large") == nil)
    }

    @Test func aValueIsMadeOnceForEveryoneAskingAtTheSameTime() async {
        let cache = BoundedCache<String, ByteBuffer>(budget: 1 << 20) { $0.readableBytes }
        let made = Counter()
        await withTaskGroup(of: ByteBuffer?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await cache.value(for: "page") {
                        await made.increment()
                        try? await Task.sleep(for: .milliseconds(50))
                        return ByteBuffer(string: "made")
                    }
                }
            }
            for await value in group { #expect(value == ByteBuffer(string: "made")) }
        }
        #expect(await made.count == 1)
    }

    /// Thirty distinct addresses of an allowed host: the cache stays within its budget (it grew by 104 MB).
    @Test func feedsMadeOnDemandStayWithinTheCacheBudget() async {
        let settings = OnDemand(
            hosts: ["news.example.org"], anyHost: false, cacheSeconds: 900, limit: 2, cacheBytes: 8 << 20,
            make: { _ in .success(String(repeating: "x", count: 1_500_000)) })
        let work = OnDemandWork(settings)
        for index in 0..<30 {
            let answer = await work.answer(for: "https://news.example.org/feed?page=\(index)", client: "192.0.2.1")
            guard case .feed = answer else {
                Issue.record("\(answer)")
                continue
            }
        }
        #expect(await work.cache.size <= 8 << 20)
        #expect(await work.cache.size > 0)
    }

    /// One client holding its share gets 429 for more; another client still gets its feed made.
    @Test func oneClientCannotTakeEveryPlace() async throws {
        let release = Counter()
        let settings = OnDemand(
            hosts: ["news.example.org"], anyHost: false, cacheSeconds: 900, limit: 2, perClient: 1,
            make: { url in
                while await release.count == 0 { try? await Task.sleep(for: .milliseconds(5)) }
                return .success("<feed>\(url)</feed>")
            })
        let work = OnDemandWork(settings)
        let first = Task { await work.answer(for: "https://news.example.org/a", client: "198.51.100.7") }
        while await work.slots.taken == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let second = await work.answer(for: "https://news.example.org/b", client: "198.51.100.7")
        #expect(second == .refused(status: 429, message: "1 of your feeds are being made; ask again once they are"))
        let other = Task { await work.answer(for: "https://news.example.org/c", client: "203.0.113.9") }
        while await work.slots.taken < 2 { try await Task.sleep(for: .milliseconds(5)) }
        // Every place is taken now: a third client is told the server is busy.
        let third = await work.answer(for: "https://news.example.org/d", client: "192.0.2.44")
        guard case .refused(503, _) = third else {
            Issue.record("\(third)")
            return
        }
        await release.increment()
        #expect(await first.value == .feed(ByteBuffer(string: "<feed>https://news.example.org/a</feed>")))
        #expect(await other.value == .feed(ByteBuffer(string: "<feed>https://news.example.org/c</feed>")))
    }
}

actor Counter {
    private(set) var count = 0
    func increment() { count += 1 }
}
