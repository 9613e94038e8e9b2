import Foundation

/// The PostgreSQL database the tests may use: `FEEDPIPE_TEST_POSTGRES` names it (a `postgres://` address;
/// `.ci/run` starts a server on loopback and sets it). Each use gets a schema of its own, so that tests
/// running at once, and earlier runs, never see one another's rows.
package enum TestDatabase {
    package static var address: String? {
        ProcessInfo.processInfo.environment["FEEDPIPE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The address with a new schema in it, or `nil` when there is no database.
    package static func fresh() -> String? {
        guard let address else { return nil }
        let schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return address + (address.contains("?") ? "&" : "?") + "schema=" + schema
    }
}

/// Runs blocking work (waiting for processes) on a thread of its own, so that an async test waiting for it
/// leaves the task pool's few threads to the async work of other tests, and of its own.
package func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
