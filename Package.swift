// swift-tools-version:6.0
import PackageDescription

// Dependencies, and why:
// - swift-argument-parser: the CLI surface, help text and shell completion scripts.
// - Yams: `oc get … -o yaml` snapshots (JSON goes through our own streaming decoder).
// - Hummingbird, swift-service-lifecycle, swift-prometheus: `prunedoc serve` only, in the PruneDoctorServer
//   module; the library and the CLI's start-up path don't link them.
let package = Package(
    name: "PruneDoctor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "prunedoc", targets: ["prunedoc"]),
        .library(name: "PruneDoctor", targets: ["PruneDoctor"]),
        .executable(name: "prunedoc-serve", targets: ["prunedoc-serve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CLZMA",
            pkgConfig: "liblzma",
            providers: [.apt(["liblzma-dev"]), .brew(["xz"])]
        ),
        .target(
            name: "PruneDoctor",
            dependencies: ["COpenSSL", "CZlib", "CLZMA", .product(name: "Yams", package: "Yams")],
            swiftSettings: [.unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug))]
        ),
        .executableTarget(
            name: "prunedoc",
            dependencies: ["PruneDoctor", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(
            name: "PruneDoctorServer",
            dependencies: [
                "PruneDoctor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "prunedoc-serve",
            dependencies: ["PruneDoctorServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "PruneDoctorServerTests",
            dependencies: ["PruneDoctorServer", "PruneDoctor"]
        ),
        .testTarget(
            name: "PruneDoctorTests",
            dependencies: ["PruneDoctor"],
            // Fixtures are read through #filePath-relative paths, not bundled.
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
