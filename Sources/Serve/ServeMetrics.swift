import Foundation
import Hummingbird
import Prometheus

/// What `serve` counts, in Prometheus's text format at `/metrics`: requests by kind and status and their
/// latency, the feed variants (compressed, drawn as a page, images proxied) asked for and made, and what
/// on-demand requests came to. Each server keeps its own registry.
package struct ServeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let variantsAsked: Counter
    private let variantsMade: Counter

    package init() {
        variantsAsked = registry.makeCounter(
            name: "feedpipe_serve_variants_requested_total", labels: [],
            help: "Answers that needed a variant of a file (compressed, drawn as a page, images proxied)")
        variantsMade = registry.makeCounter(
            name: "feedpipe_serve_variants_made_total", labels: [],
            help: "Variants made; the others were answered from the cache")
    }

    /// The kind of a request, from its path: what the metrics are labelled by (never the path itself, whose
    /// values are unbounded).
    static func kind(ofPath path: String) -> String {
        switch path {
        case "/", "/index.html", "/index.opml": return "index"
        case "/full": return "full"
        case "/image": return "image"
        case "/metrics": return "metrics"
        default:
            if path.hasPrefix("/preview") { return "preview" }
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            return ServedFile.kind(ofName: name).map { _ in "feed" } ?? "other"
        }
    }

    func answered(kind: String, status: Int, after duration: Duration) {
        let labels = [("kind", kind), ("status", String(status))]
        registry.makeCounter(name: "feedpipe_serve_requests_total", labels: labels, help: "Requests answered")
            .increment()
        registry.makeDurationHistogram(
            name: "feedpipe_serve_request_duration_seconds", labels: [("kind", kind)], buckets: Self.buckets,
            help: "Time to answer a request, its body not counted"
        ).record(duration)
    }

    func variant(made: Bool) {
        variantsAsked.increment()
        if made { variantsMade.increment() }
    }

    func onDemand(outcome: String) {
        registry.makeCounter(
            name: "feedpipe_serve_on_demand_total", labels: [("outcome", outcome)],
            help: "Requests to /full, by what they came to: a feed, or the HTTP status of a refusal"
        ).increment()
    }

    static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
        .milliseconds(500), .seconds(2), .seconds(10), .seconds(60),
    ]

    /// The metrics in Prometheus's text exposition format.
    var exposition: String { registry.emitToString() }
}

/// Counts every request `serve` answers, by kind and status, and times it.
struct MetricsRecorder<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let started = ContinuousClock.now
        let kind = ServeMetrics.kind(ofPath: request.uri.path)
        do {
            let response = try await next(request, context)
            metrics.answered(kind: kind, status: response.status.code, after: ContinuousClock.now - started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.answered(kind: kind, status: status, after: ContinuousClock.now - started)
            throw error
        }
    }
}

/// A flag a `@Sendable` closure sets and its caller reads afterwards.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
