// swift-tools-version:6.1
// Stage graph (dependencies only point down; docs/architecture.md has the table, and
// Tests/HardeningTests/PackageGraphTests.swift fails on an upward edge):
//   FlowModel                                               the domain core, no dependency
//   FlowIngest, FlowStore, Inference, Policy, FlowMapView   -> FlowModel (and the CZlib / CSQLite / CSHA256 C targets)
//   Emit (writes a PolicyPlan)                              -> Inference, Policy, FlowModel
//   HubbleLive (gRPC client: Hubble Observer / Peer)        -> HubbleAPI (generated, `make proto`) -> HubbleCodec
//   FlowMapKit (facade)                                     -> FlowModel, FlowIngest, FlowStore, Inference, Policy,
//                                                              Emit, FlowMapView, HubbleLive
//   flowmap (CLI)                                           -> FlowMapKit only
// The CLI imports FlowMapKit only (nothing is re-exported; Sources/FlowMapKit/Facade.swift names what it needs).
import PackageDescription

let package = Package(
    name: "FlowMap",
    platforms: [.macOS(.v15)],  // gRPC Swift 2 needs macOS 15
    products: [
        .executable(name: "flowmap", targets: ["flowmap"]),
        .library(name: "FlowMapKit", targets: ["FlowMapKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        // grpc-swift-protobuf 2.4.1 is used only to build the code generator (scripts/generate-hubble-api.sh), not
        // as a dependency: its build plugins make every `swift build --build-tests` compile protoc from source.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // The PostgreSQL store backend (Sources/FlowStore/Postgres.swift): `--db postgresql://...`.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "FlowModel"),
        // SHA-256 rounds on the x86 SHA extensions (FlowIngest's input hash; Swift fallback elsewhere).
        .target(name: "CSHA256", path: "Sources/CSHA256"),
        .target(name: "FlowIngest", dependencies: ["FlowModel", "CZlib", "CSHA256"]),
        .target(name: "FlowStore", dependencies: ["FlowModel", "CSQLite", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .target(name: "Inference", dependencies: ["FlowModel"]),
        .target(name: "Policy", dependencies: ["FlowModel", .product(name: "Yams", package: "Yams")]),
        // The writers of a PolicyPlan (NetworkPolicy / Cilium YAML, kustomization, evidence.json, cluster baseline):
        // the one stage that sees both the plan (Inference) and the policy model (Policy).
        .target(name: "Emit", dependencies: ["FlowModel", "Inference", "Policy"]),
        // Assets/ (map.js, map.css) are embedded by scripts/embed-assets.py (`make assets`), not shipped as resources.
        .target(name: "FlowMapView", dependencies: ["FlowModel"], exclude: ["Assets"]),
        // Generated once from proto/hubble (scripts/generate-hubble-api.sh); no build plugin.
        .target(name: "HubbleAPI", dependencies: [
            "HubbleCodec",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "GRPCCore", package: "grpc-swift-2"),
        ]),
        // The protobuf message coding the generated gRPC code calls (in place of grpc-swift-protobuf's GRPCProtobuf).
        .target(name: "HubbleCodec", dependencies: [
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "GRPCCore", package: "grpc-swift-2"),
        ]),
        // Hubble over gRPC (Relay or per-node servers): flows out as the JSON lines HubbleReader reads.
        .target(name: "HubbleLive", dependencies: [
            "HubbleAPI",
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .target(name: "FlowMapKit", dependencies: ["FlowModel", "FlowIngest", "FlowStore", "Inference", "Policy", "Emit",
                                                   "FlowMapView", "HubbleLive", .product(name: "Yams", package: "Yams")]),
        // The CLI imports FlowMapKit only; FlowMapKit's dependencies are declared too, for the build alone: SwiftPM
        // recompiles a target only when a module it declares changed, so a HubbleLive struct the CLI sees through a
        // FlowMapKit typealias that gained a field left the CLI compiled against the old layout (a crash or a hang
        // of the built flowmap). PackageGraphTests.buildOnly holds this list to FlowMapKit's.
        .executableTarget(name: "flowmap", dependencies: [
            "FlowMapKit", "FlowModel", "FlowIngest", "FlowStore", "Inference", "Policy", "Emit", "FlowMapView",
            "HubbleLive", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Shared by every test target and PolicyBench: seeded generator, process runner, temporary directories and
        // stores, repository / fixture paths (Foundation only).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // `make bench`: check / diff at 2,000 policies over 5,000 pods (Sources/PolicyBench/main.swift).
        .executableTarget(name: "PolicyBench", dependencies: ["Policy", "FlowModel", "TestSupport"]),
        .executableTarget(name: "ingest-bench", dependencies: ["FlowIngest", "FlowModel"], path: "bench/IngestBench"),
        .executableTarget(name: "generate-bench", dependencies: ["FlowMapKit", "FlowStore", "Inference", "Policy", "Emit", "FlowModel"],
                          path: "bench/GenerateBench"),
        // The generate stages in memory (no store, no FlowMapKit): small to build, for callgrind / perf.
        .executableTarget(name: "generate-profile", dependencies: ["Inference", "Policy", "Emit", "FlowModel"],
                          path: "bench/GenerateProfile"),
        .testTarget(name: "FlowModelTests", dependencies: ["TestSupport", "FlowModel"]),
        .testTarget(name: "FlowIngestTests", dependencies: ["TestSupport", "FlowIngest", "FlowModel", "FlowStore"], exclude: ["Fixtures"]),
        .testTarget(name: "FlowStoreTests", dependencies: ["TestSupport", "FlowStore", "FlowModel"]),
        .testTarget(name: "InferenceTests", dependencies: ["TestSupport", "Inference", "FlowModel"]),
        .testTarget(name: "PolicyTests", dependencies: ["TestSupport", "Policy", "Emit", "Inference", "FlowModel", .product(name: "Yams", package: "Yams")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "MapTests", dependencies: ["TestSupport", "FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy"]),
        .testTarget(name: "EmitTests", dependencies: [
            "TestSupport", "FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy", "Emit", .product(name: "Yams", package: "Yams"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "HardeningTests", dependencies: ["TestSupport", "FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy", "Emit"]),
        // Random clusters -> inference (-> emitter -> manifest reader -> evaluator): issue 5's property tests.
        .testTarget(name: "PropertyTests", dependencies: ["TestSupport", "Inference", "FlowModel", "Policy", "Emit", "FlowIngest"]),
        .testTarget(name: "FormatTests", dependencies: ["TestSupport", "FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy"], exclude: ["Fixtures"]),
        // netpol-analyzer's test inputs and golden connlist / diff outputs (Fixtures/SOURCES.md).
        .testTarget(name: "NetpolAnalyzerTests", dependencies: ["TestSupport", "FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy", "CZlib"],
                    exclude: ["Fixtures"]),
        // In-process Hubble servers on loopback (GetFlows, Peer/Notify) serving samples/hubble.
        .testTarget(name: "LiveTests", dependencies: [
            "TestSupport", "FlowMapKit", "FlowModel", "FlowStore", "Policy", "HubbleAPI", "HubbleLive",
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        // The PostgreSQL backend against a private server (PostgresHarness: initdb in a temporary directory), beside
        // SQLite: parity, concurrent ingest processes, Citus rules.
        .testTarget(name: "PostgresTests", dependencies: ["TestSupport", "FlowMapKit", "FlowIngest", "FlowModel", "FlowStore", "Inference", "Policy", "Emit"]),
        // The tests that need the Python oracles of the venv (`make venv`, `make oracle`): kubernetes-validate,
        // jsonschema (output schemas, Cilium and network-policy-api CRDs), PyYAML, ipaddress, network-config-analyzer
        // (nca). They run them through TestSupport's `Oracle`; Support/ links the helper files of the targets the
        // tests came from. `swift test --skip OracleTests` runs everything else without a venv.
        .testTarget(name: "OracleTests", dependencies: [
            "TestSupport", "FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy", "Emit",
            .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "FlowMapKitTests", dependencies: ["TestSupport", "FlowMapKit", "FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy", "Emit",
                                                         .product(name: "Yams", package: "Yams")],
                    exclude: ["Fixtures"]),
    ]
)

// libFuzzer targets (see `make fuzz`): only with FLOWMAP_FUZZ=1, because a fuzz target has no `main` and would
// break a normal build. Built with -sanitize=fuzzer,address into .build-fuzz. They depend on the stages, not on
// FlowMapKit, so the sanitized build does not compile gRPC and BoringSSL (HubbleLive) a second time.
if Context.environment["FLOWMAP_FUZZ"] == "1" {
    for name in ["FuzzHubble", "FuzzCalico", "FuzzVPC", "FuzzFlowCSV", "FuzzFlowJSONL", "FuzzInventory", "FuzzManifest",
                 "FuzzYAMLLimits", "FuzzAddress"] {
        package.targets.append(.executableTarget(
            name: name, dependencies: ["FlowIngest", "FlowMapView", "FlowModel", "FlowStore", "Inference", "Policy"], path: "Fuzz/\(name)",
            // No top-level code: the target exports `<name>_main` (SwiftPM's renamed entry point), which starts
            // libFuzzer's driver.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
