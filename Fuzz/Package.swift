// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for feedpipe's parsers. Build and run them with `Fuzz/run` (it passes
/// `--sanitize=fuzzer --sanitize=address`); each target reads arbitrary bytes and must neither crash nor
/// leak, whatever they are.
let package = Package(
    name: "feedpipe-fuzz",
    dependencies: [.package(name: "feedpipe", path: "..")],
    targets: [
        .executableTarget(
            name: "fuzz-clean", dependencies: [.product(name: "FeedpipeStages", package: "feedpipe")]),
        .executableTarget(
            name: "fuzz-feed", dependencies: [.product(name: "FeedpipeStages", package: "feedpipe")]),
        .executableTarget(
            name: "fuzz-selector", dependencies: [.product(name: "FeedpipeStages", package: "feedpipe")]),
        .executableTarget(
            name: "fuzz-pipeline", dependencies: [.product(name: "FeedpipeStages", package: "feedpipe")]),
    ]
)
