// swift-tools-version:6.0
import PackageDescription

/// One set of settings for every Swift target: Swift 6 language mode with strict concurrency.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "feedpipe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "feedpipe", targets: ["feedpipe"]),
        // The stages as a library, for the fuzz targets in Fuzz/.
        .library(
            name: "FeedpipeStages",
            targets: ["Markup", "Extract", "Normalize", "Feed", "Fetch", "Sources", "State", "Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // `feedpipe serve` only: an HTTP server we do not write ourselves.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Runs headless Chromium for pages drawn by scripts (`fetch: {render: browser}`).
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
        // Hummingbird's own header types, named directly by `serve`.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // The channel below Hummingbird's router, where `serve` closes connections that asked for it.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // `serve`'s /metrics, in Prometheus's format.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // HMAC-SHA256 for `serve`'s access key and signed addresses.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // The shared state store for several workers (`--state postgres://…`).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C libraries, each behind a system library target with a small shim header.
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),

        // One module per stage; see DESIGN.md.
        .target(name: "Markup", dependencies: ["CLibXML2"], swiftSettings: swiftSettings),
        .target(
            name: "Fetch",
            dependencies: ["CCurl", "CZlib", .product(name: "Subprocess", package: "swift-subprocess")],
            swiftSettings: swiftSettings),
        .target(name: "Extract", dependencies: ["Markup"], swiftSettings: swiftSettings),
        .target(name: "Feed", dependencies: ["Markup"], swiftSettings: swiftSettings),
        .target(name: "Normalize", dependencies: ["Extract", "Feed", "Markup"], swiftSettings: swiftSettings),
        .target(name: "State", dependencies: ["Feed", "Markup", "CSQLite", "CZlib"], swiftSettings: swiftSettings),
        // The state store in PostgreSQL, and the pipeline locks that let several workers share one database.
        .target(
            name: "PostgresState",
            dependencies: [
                "State", "Feed", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Sources",
            dependencies: ["Feed", "Fetch", "Markup", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .target(
            name: "Pipeline",
            dependencies: [
                "Markup", "Fetch", "Extract", "Normalize", "Feed", "Sources", "State",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Serve",
            dependencies: [
                "Feed", "Fetch", "Markup", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "feedpipe",
            dependencies: [
                "Pipeline", "Extract", "Markup", "Fetch", "Feed", "State", "PostgresState", "Serve",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            // jemalloc in place of glibc's allocator: libxml2 builds and frees a tree per page on every core,
            // and glibc's arenas hand the memory back to the system and fault it in again. In the fetch
            // benchmark's latency case the run takes 16 % less CPU (2.17 → 1.82 s) and 5 % less wall time,
            // for 9 MB more peak memory.
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]),

        // The extraction benchmark (Benchmarks/extraction/run): its scorer and its measuring executable.
        .target(name: "Scoring", path: "Benchmarks/extraction/Sources/Scoring", swiftSettings: swiftSettings),
        .executableTarget(
            name: "extraction-benchmark", dependencies: ["Scoring", "Extract", "Markup", "Fetch"],
            path: "Benchmarks/extraction/Sources/Runner", swiftSettings: swiftSettings),

        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "BenchmarkScoringTests", dependencies: ["Scoring"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MarkupTests", dependencies: ["Markup", "Fetch", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ExtractTests", dependencies: ["Extract", "Markup", "TestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "FeedTests", dependencies: ["Feed", "Markup", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FetchTests", dependencies: ["Fetch", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NormalizeTests", dependencies: ["Normalize", "Extract", "Feed"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ServeTests", dependencies: ["Serve", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StateTests", dependencies: ["State", "PostgresState", "Feed", "Markup", "TestSupport", "CSQLite"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "Feed", "Fetch", "Markup", "Sources", "State", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["feedpipe", "TestSupport", "Markup", "Feed", "State", "PostgresState", "CSQLite"],
            swiftSettings: swiftSettings),
    ]
)
