// swift-tools-version:6.0
// libFuzzer targets for PruneDoctor. Not part of the root package's build: run them with
// `Tests/Fuzz/run.sh` (see its header), which builds this package with
// `-sanitize=fuzzer,address` in release mode.
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, whatever the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL
let rootIdentity = root.lastPathComponent

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: "fuzz-\(name)",
        dependencies: [.product(name: "PruneDoctor", package: rootIdentity)],
        path: "Sources/fuzz-\(name)"
    )
}

let targets = ["evidence"]

let package = Package(
    name: "PruneDoctorFuzz",
    platforms: [.macOS(.v13)],
    products: targets.map { .executable(name: "fuzz-\($0)", targets: ["fuzz-\($0)"]) },
    dependencies: [.package(path: root.path)],
    targets: targets.map(fuzzTarget),
    swiftLanguageModes: [.v6]
)
