import Foundation
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

@Suite("Shipped (and opt-in extra) Calico / VPC samples")
struct SampleTests {
    /// Every sample with exactly the lines FlowMap must reject (see the SOURCES.md files for why).
    static let awsDocsRejected = [28, 30, 32, 33, 35, 37, 38, 40, 42, 43, 44, 46, 48]
    static let shipped: [(String, [Int])] = [
        ("calico/calico_felix_flows.log", [4]),
        ("calico/flowmap-pretty-printed.json", []),
        ("vpc/awsdocs_flow-logs-records-examples_codeblocks.txt", awsDocsRejected),
        ("vpc/flowmap-v5-all-fields.log", []),
        ("vpc/flowmap-tgw-default.log", []),
        ("vpc/flowmap-v8-ecs.log", []),
    ]
    /// The originals that may not be copied into the repository (Elastic License 2.0, unchecked licence), with the
    /// two shipped copies; FLOWMAP_EXTRA_SAMPLES=<dir> (a directory with calico/ and vpc/) runs the test over them.
    static let extra: [(String, [Int])] = [
        ("calico/calico_felix_flows.log", [4]),
        ("calico/calico_docs_example_noaggr.json", []),
        ("vpc/awsdocs_flow-logs-records-examples_codeblocks.txt", awsDocsRejected),
        ("vpc/elastic_test-extra-samples.log", []),
        ("vpc/elastic_test-tcp-flag-sequence.log", []),
        ("vpc/elastic_test-tgw-samples.log", []),
        ("vpc/elastic_test-v5-all-fields.log", []),
        ("vpc/elastic_test-v8-samples.log", []),
    ]
    static let extraDir: URL? = ProcessInfo.processInfo.environment["FLOWMAP_EXTRA_SAMPLES"]
        .flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }

    static func check(_ path: String, rejected: [Int]) throws {
        let (r, issues) = try Support.ingest([Support.sample("inventory/vpc-sample-cluster.json"), path],
                                             db: Support.newDB())
        #expect(r.failures.isEmpty, "\(r.failures)")
        #expect(issues.map(\.line) == rejected, "\(path): \(issues.map(\.description))")
        #expect(issues.allSatisfy { $0.file == path })
        let f = try #require(r.files.first { $0.path == path })
        #expect(f.counts.rejected == Int64(rejected.count))
        #expect(f.counts.accepted + f.counts.skipped + f.counts.rejected == f.counts.lines, "\(path)")
        #expect(f.counts.accepted > 0 || path.contains("v8-samples"), "\(path): nothing accepted")
    }

    @Test("every shipped sample ingests, with exactly its malformed lines reported by line number")
    func shippedSamples() throws {
        for (rel, lines) in Self.shipped { try Self.check(Support.sample(rel), rejected: lines) }
    }

    /// Opt-in: the originals live outside the repository, so a clone's `make test` never needs them.
    @Test("every extra sample (FLOWMAP_EXTRA_SAMPLES) ingests, with exactly its malformed lines reported by line number",
          .enabled(if: SampleTests.extraDir != nil, "set FLOWMAP_EXTRA_SAMPLES=<dir with calico/ and vpc/>"))
    func extraSamples() throws {
        let dir = try #require(Self.extraDir)
        let fm = FileManager.default
        let present = Set(try fm.contentsOfDirectory(atPath: dir.appendingPathComponent("calico").path).map { "calico/" + $0 }
                          + fm.contentsOfDirectory(atPath: dir.appendingPathComponent("vpc").path).map { "vpc/" + $0 })
        // A new extra sample must be added to the list above.
        #expect(present.filter { !$0.hasSuffix(".md") } == Set(Self.extra.map(\.0)))
        for (rel, lines) in Self.extra { try Self.check(dir.appendingPathComponent(rel).path, rejected: lines) }
        // The shipped copies are the originals, unchanged.
        for rel in ["calico/calico_felix_flows.log", "vpc/awsdocs_flow-logs-records-examples_codeblocks.txt"] {
            #expect(fm.contentsEqual(atPath: Support.sample(rel), andPath: dir.appendingPathComponent(rel).path), "\(rel)")
        }
    }

    @Test("the VPC samples map to the inventory's pods")
    func vpcMapsToPods() throws {
        let db = Support.newDB()
        let paths = ["inventory/vpc-sample-cluster.json", "vpc/awsdocs_flow-logs-records-examples_codeblocks.txt",
                     "vpc/flowmap-v5-all-fields.log", "vpc/flowmap-tgw-default.log", "vpc/flowmap-v8-ecs.log"]
        try Support.ingest(paths.map(Support.sample), db: db)
        let lines = try Support.edgeLines(db)
        #expect(lines == [
            "172.31.9.69 -> ops/desktop[Deployment] TCP/3389 denied 2",
            "2001:db8:1234:a100:8d6e:3477:df66:f105 -> ops/sshd[StatefulSet] TCP/22 allowed 1",
            "203.0.113.12 -> ops/pinger[Deployment] ICMPv4/0 allowed 1",
            // The busiest observation point (eni-1235…, 3 connections) in windows that overlap eni-0f1e…'s one
            // (flowmap-v5-all-fields.log): counted once across files, as within one file (schema 4).
            "52.213.180.42 -> perf/iperf-server[Deployment] TCP/5001 allowed 3",
            "ingest/uploader[CronJob] -> 52.95.128.179 TCP/80 allowed 1",
            "ingest/uploader[CronJob] -> perf/iperf-server[Deployment] TCP/5001 allowed 1",
            "ops/bastion[Deployment] -> ops/sshd[StatefulSet] TCP/22 allowed 1",
            "ops/pinger[Deployment] -> 203.0.113.12 ICMPv4/0 denied 1",
        ], "\(lines)")
    }
}
