import Foundation
import NIOCore

/// `/full?url=ADDRESS`: the full-text feed of an address, made when asked (`serve --on-demand`), for the
/// hosts allowed, at most `limit` at once, each kept for `cacheSeconds`.
package struct OnDemand: Sendable {
    /// Hosts whose addresses may be asked for (a host allows its subdomains too); ignored with `anyHost`.
    package var hosts: Set<String>
    package var anyHost: Bool
    package var cacheSeconds: Double
    package var limit: Int
    /// Feeds one client (one IP address) may have made at once.
    package var perClient: Int
    /// The most bytes of feeds kept in the cache.
    package var cacheBytes: Int
    /// Makes the feed of an address: its Atom text, or why there is none.
    package var make: @Sendable (String) async -> Result<String, OnDemandFailure>

    package init(
        hosts: Set<String>, anyHost: Bool, cacheSeconds: Double, limit: Int, perClient: Int = 1,
        cacheBytes: Int = 16 << 20, make: @escaping @Sendable (String) async -> Result<String, OnDemandFailure>
    ) {
        self.hosts = Set(hosts.map { $0.lowercased() })
        self.anyHost = anyHost
        self.cacheSeconds = cacheSeconds
        self.limit = limit
        self.perClient = perClient
        self.cacheBytes = cacheBytes
        self.make = make
    }

    /// Whether an address may be asked for: http or https, on an allowed host.
    func allows(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host?.lowercased(), !host.isEmpty
        else { return false }
        return anyHost || hosts.contains(host) || hosts.contains { host.hasSuffix("." + $0) }
    }
}

/// Why no feed was made for an address, as the answer's body says.
package struct OnDemandFailure: Error, Sendable {
    package let message: String

    package init(_ message: String) {
        self.message = message
    }
}

/// The cache and the places for feeds being made, shared by every request: the cache is bounded by bytes
/// (the least recently used feed leaves first) as well as by age, and one client holds at most
/// `perClient` of the `limit` places, so that it cannot make everyone else's answer `503`. Both are actors;
/// this holds nothing mutable of its own.
struct OnDemandWork: Sendable {
    let settings: OnDemand
    let cache: BoundedCache<String, ByteBuffer>
    let slots: WorkSlots

    init(_ settings: OnDemand) {
        self.settings = settings
        cache = BoundedCache(budget: settings.cacheBytes, lifetime: settings.cacheSeconds) { $0.readableBytes }
        slots = WorkSlots(limit: settings.limit, perClient: settings.perClient)
    }

    enum Answer: Equatable {
        case feed(ByteBuffer)
        case refused(status: Int, message: String)
    }

    /// The answer for the `url` query parameter's value, asked by `client`.
    func answer(for address: String?, client: String) async -> Answer {
        guard let address, !address.isEmpty else {
            return .refused(status: 400, message: "give the address as /full?url=ADDRESS")
        }
        guard let url = URL(string: address) else {
            return .refused(status: 400, message: "\(address): not an address")
        }
        guard settings.allows(url) else {
            return .refused(status: 403, message: "\(address): not an allowed host (serve --allow-host)")
        }
        if let kept = await cache.value(for: address) { return .feed(kept) }
        switch await slots.take(for: client) {
        case .busy?:
            return .refused(status: 503, message: "busy: \(settings.limit) feeds are being made; ask again shortly")
        case .clientBusy?:
            return .refused(
                status: 429, message: "\(settings.perClient) of your feeds are being made; ask again once they are")
        case nil:
            break
        }
        let made = await settings.make(address)
        await slots.release(for: client)
        switch made {
        case .success(let feed):
            let buffer = ByteBuffer(string: feed)
            await cache.keep(buffer, for: address)
            return .feed(buffer)
        case .failure(let failure):
            return .refused(status: 502, message: failure.message)
        }
    }
}
