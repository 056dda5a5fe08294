// swift-tools-version:6.0
// Stage order (dependencies only point down):
//   flowmap (CLI) -> FlowMapKit (facade) -> Policy, Inference, FlowStore, FlowIngest, FlowMapView -> FlowModel
// The CLI imports FlowMapKit only (nothing is re-exported; Sources/FlowMapKit/Facade.swift names what it needs).
import PackageDescription

let package = Package(
    name: "FlowMap",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "flowmap", targets: ["flowmap"]),
        .library(name: "FlowMapKit", targets: ["FlowMapKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "FlowModel"),
        .target(name: "FlowIngest", dependencies: ["FlowModel", "CZlib"]),
        .target(name: "FlowStore", dependencies: ["FlowModel", "CSQLite"]),
        .target(name: "Inference", dependencies: ["FlowModel"]),
        .target(name: "Policy", dependencies: ["FlowModel", "Inference", .product(name: "Yams", package: "Yams")]),
        // Assets/ (map.js, map.css) are embedded by scripts/embed-assets.py (`make assets`), not shipped as resources.
        .target(name: "FlowMapView", dependencies: ["FlowModel", "Inference"], exclude: ["Assets"]),
        .target(name: "FlowMapKit", dependencies: ["FlowModel", "FlowIngest", "FlowStore", "Inference", "Policy",
                                                   "FlowMapView", .product(name: "Yams", package: "Yams")]),
        .executableTarget(name: "flowmap", dependencies: [
            "FlowMapKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `make bench`: check / diff at 2,000 policies over 5,000 pods (Sources/PolicyBench/main.swift).
        .executableTarget(name: "PolicyBench", dependencies: ["Policy", "FlowModel"]),
        .executableTarget(name: "ingest-bench", dependencies: ["FlowIngest", "FlowModel"], path: "bench/IngestBench"),
        .executableTarget(name: "generate-bench", dependencies: ["FlowMapKit", "FlowStore", "Inference", "Policy", "FlowModel"],
                          path: "bench/GenerateBench"),
        .testTarget(name: "FlowModelTests", dependencies: ["FlowModel"]),
        .testTarget(name: "FlowIngestTests", dependencies: ["FlowIngest", "FlowModel", "FlowStore"]),
        .testTarget(name: "FlowStoreTests", dependencies: ["FlowStore", "FlowModel"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "FlowModel"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Inference", "FlowModel", .product(name: "Yams", package: "Yams")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "MapTests", dependencies: ["FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy"]),
        .testTarget(name: "EmitTests", dependencies: [
            "FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy", .product(name: "Yams", package: "Yams"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "HardeningTests", dependencies: ["FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy"]),
        // Random clusters -> inference (-> emitter -> manifest reader -> evaluator): issue 5's property tests.
        .testTarget(name: "PropertyTests", dependencies: ["Inference", "FlowModel", "Policy", "FlowIngest"]),
        .testTarget(name: "FormatTests", dependencies: ["FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy"], exclude: ["Fixtures"]),
        // netpol-analyzer's test inputs and golden connlist / diff outputs (Fixtures/SOURCES.md).
        .testTarget(name: "NetpolAnalyzerTests", dependencies: ["FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy", "CZlib"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "FlowMapKitTests", dependencies: ["FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy",
                                                         .product(name: "Yams", package: "Yams")]),
    ]
)

// libFuzzer targets (see `make fuzz`): only with FLOWMAP_FUZZ=1, because a fuzz target has no `main` and would
// break a normal build. Built with -sanitize=fuzzer,address into .build-fuzz.
if Context.environment["FLOWMAP_FUZZ"] == "1" {
    for name in ["FuzzHubble", "FuzzCalico", "FuzzVPC", "FuzzFlowCSV", "FuzzFlowJSONL", "FuzzInventory", "FuzzManifest",
                 "FuzzYAMLLimits", "FuzzAddress"] {
        package.targets.append(.executableTarget(
            name: name, dependencies: ["FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy"], path: "Fuzz/\(name)",
            // No top-level code: the target exports `<name>_main` (SwiftPM's renamed entry point), which starts
            // libFuzzer's driver.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
