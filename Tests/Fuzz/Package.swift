// swift-tools-version:6.0
// libFuzzer targets for PruneDoctor. Not part of the root package's build: `Tests/Fuzz/run.sh`
// builds this package in release mode with `-sanitize=fuzzer,address -enable-testing` (the
// decoders are internal, reached with `@testable import`) and runs each target.
import Foundation
import PackageDescription

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
// A path dependency's identity is its directory's name, whatever the checkout is called.
let root = here.deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL
let rootIdentity = root.lastPathComponent

// One executable per target, in Sources/fuzz-NAME (listed here: SwiftPM caches the manifest,
// so a listing of the folder would not see a new one).
let names = ["evidence", "snapshot-json", "snapshot-yaml", "positions", "probe-decoders"].map { "fuzz-" + $0 }

let package = Package(
    name: "PruneDoctorFuzz",
    platforms: [.macOS(.v13)],
    products: names.map { .executable(name: $0, targets: [$0]) },
    dependencies: [.package(path: root.path)],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "PruneDoctor", package: rootIdentity)]),
    ] + names.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "PruneDoctor", package: rootIdentity)],
            path: "Sources/\(name)"
        )
    },
    swiftLanguageModes: [.v6]
)
