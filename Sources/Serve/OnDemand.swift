import Foundation

/// `/full?url=ADDRESS`: the full-text feed of an address, made when asked (`serve --on-demand`), for the
/// hosts allowed, at most `limit` at once, each kept for `cacheSeconds`.
package struct OnDemand: Sendable {
    /// Hosts whose addresses may be asked for (a host allows its subdomains too); ignored with `anyHost`.
    package var hosts: Set<String>
    package var anyHost: Bool
    package var cacheSeconds: Double
    package var limit: Int
    /// Makes the feed of an address: its Atom text, or why there is none.
    package var make: @Sendable (String) async -> Result<String, OnDemandFailure>

    package init(
        hosts: Set<String>, anyHost: Bool, cacheSeconds: Double, limit: Int,
        make: @escaping @Sendable (String) async -> Result<String, OnDemandFailure>
    ) {
        self.hosts = Set(hosts.map { $0.lowercased() })
        self.anyHost = anyHost
        self.cacheSeconds = cacheSeconds
        self.limit = limit
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

/// The cache and the count of feeds being made, shared by every request.
actor OnDemandWork {
    let settings: OnDemand
    private var cache: [String: (made: Date, feed: String)] = [:]
    private var running = 0

    init(_ settings: OnDemand) {
        self.settings = settings
    }

    enum Answer: Equatable {
        case feed(String)
        case refused(status: Int, message: String)
    }

    /// The answer for the `url` query parameter's value.
    func answer(for address: String?, now: Date = Date()) async -> Answer {
        guard let address, !address.isEmpty else {
            return .refused(status: 400, message: "give the address as /full?url=ADDRESS")
        }
        guard let url = URL(string: address) else {
            return .refused(status: 400, message: "\(address): not an address")
        }
        guard settings.allows(url) else {
            return .refused(status: 403, message: "\(address): not an allowed host (serve --allow-host)")
        }
        if let kept = cache[address], now.timeIntervalSince(kept.made) < settings.cacheSeconds {
            return .feed(kept.feed)
        }
        guard running < settings.limit else {
            return .refused(status: 503, message: "busy: \(running) feeds are being made; ask again shortly")
        }
        running += 1
        defer { running -= 1 }
        switch await settings.make(address) {
        case .success(let feed):
            cache[address] = (Date(), feed)
            // The cache holds what is fresh, no more.
            cache = cache.filter { now.timeIntervalSince($0.value.made) < settings.cacheSeconds }
            return .feed(feed)
        case .failure(let failure):
            return .refused(status: 502, message: failure.message)
        }
    }
}
