import Foundation

/// Values kept by key up to a budget of bytes, the least recently used leaving first, and each made once
/// however many ask for it at the same time: what `serve` makes of a request (a compressed feed, a feed drawn
/// as a page, a feed made on demand) costs memory that strangers must not be able to grow without bound.
actor BoundedCache<Key: Hashable & Sendable, Value: Sendable> {
    /// The most bytes kept in all; a value larger than a quarter of it is made and handed out, never kept.
    let budget: Int
    /// How long a value is kept at most, in seconds (`nil`: until the budget needs its room).
    let lifetime: Double?
    private let cost: @Sendable (Value) -> Int

    private struct Kept {
        var value: Value
        var bytes: Int
        var made: Date
        var used: UInt64
    }

    private var kept: [Key: Kept] = [:]
    private var bytes = 0
    private var clock: UInt64 = 0
    private var making: [Key: Task<Value?, Never>] = [:]

    init(budget: Int, lifetime: Double? = nil, cost: @escaping @Sendable (Value) -> Int) {
        self.budget = budget
        self.lifetime = lifetime
        self.cost = cost
    }

    /// The bytes kept now.
    var size: Int { bytes }

    /// The value kept for `key` if it is still fresh.
    func value(for key: Key, now: Date = Date()) -> Value? {
        guard var entry = kept[key] else { return nil }
        if let lifetime, now.timeIntervalSince(entry.made) >= lifetime {
            drop(key)
            return nil
        }
        clock += 1
        entry.used = clock
        kept[key] = entry
        return entry.value
    }

    /// The value for `key`: the one kept, the one being made for another request, or one made now with
    /// `make` (`nil` when it could not be made; nothing is kept then).
    func value(for key: Key, make: @escaping @Sendable () async -> Value?) async -> Value? {
        if let value = value(for: key) { return value }
        if let task = making[key] { return await task.value }
        let task = Task { await make() }
        making[key] = task
        let value = await task.value
        making[key] = nil
        if let value { keep(value, for: key) }
        return value
    }

    /// Keeps a value, making room by dropping the least recently used ones.
    func keep(_ value: Value, for key: Key, now: Date = Date()) {
        let size = cost(value)
        drop(key)
        guard size <= budget / 4 else { return }
        while bytes + size > budget, let oldest = kept.min(by: { $0.value.used < $1.value.used })?.key {
            drop(oldest)
        }
        clock += 1
        kept[key] = Kept(value: value, bytes: size, made: now, used: clock)
        bytes += size
    }

    private func drop(_ key: Key) {
        guard let entry = kept.removeValue(forKey: key) else { return }
        bytes -= entry.bytes
    }
}

/// At most `limit` pieces of work at once in all, and at most `perClient` of them for one client: a client
/// that asks for more gets a refusal at once rather than a place in a queue, and never takes every place.
actor WorkSlots {
    let limit: Int
    let perClient: Int
    private var running = 0
    private var byClient: [String: Int] = [:]

    /// The places taken now.
    var taken: Int { running }

    init(limit: Int, perClient: Int) {
        self.limit = limit
        self.perClient = perClient
    }

    enum Refusal: Error, Equatable {
        /// Every place is taken.
        case busy
        /// This client holds its share already.
        case clientBusy
    }

    /// Takes a place for `client`, or says why there is none.
    func take(for client: String) -> Refusal? {
        guard byClient[client, default: 0] < perClient else { return .clientBusy }
        guard running < limit else { return .busy }
        running += 1
        byClient[client, default: 0] += 1
        return nil
    }

    /// Gives the place back.
    func release(for client: String) {
        running -= 1
        byClient[client, default: 1] -= 1
        if byClient[client] == 0 { byClient[client] = nil }
    }
}

/// At most `width` pieces of work at once; the others wait their turn in order of arrival.
actor Gate {
    let width: Int
    private var inside = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        self.width = width
    }

    /// Runs `work` once a place is free.
    func pass<T: Sendable>(_ work: @Sendable () async -> T) async -> T {
        if inside >= width {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            inside += 1
        }
        defer {
            if waiting.isEmpty {
                inside -= 1
            } else {
                waiting.removeFirst().resume()
            }
        }
        return await work()
    }
}
