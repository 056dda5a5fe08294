import Foundation
import TestSupport
import Testing
import FlowModel
@testable import Policy

/// Differential test: our evaluator against network-config-analyzer (`nca`) on seeded random cases.
/// NCA assumes: ipBlocks never match pod IPs, host-network pods are ordinary pods, self pairs omitted — which
/// is `EvaluatorOptions.default`. Requires `make oracle` (the venv with nca); fails, not skips, without it.
/// Reproduce one case: `RandomCaseGenerator(seed: <base + index>).generate()`.
@Suite struct NCADifferentialTests {
    static let caseCount = 240
    static let baseSeed: UInt64 = 20_261_127

    @Test func evaluatorAgreesWithNCAOnRandomCases() throws {
        var cases: [String] = []
        for i in 0..<Self.caseCount {
            var g = RandomCaseGenerator(seed: Self.baseSeed + UInt64(i))
            cases.append(g.generate())
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-nca-\(getpid())")
        let results = try NCAOracle.run(cases: cases, workDir: work)
        var failures: [String] = []
        var comparisons = 0
        for (i, text) in cases.enumerated() {
            let set = ManifestReader.parse(text: text, file: "case\(i).yaml")
            if !set.issues.isEmpty {
                failures.append("case \(i): our reader rejected a valid case: \(set.issues)")
                continue
            }
            let (diffs, n) = Self.compare(set: set, nca: results[i])
            comparisons += n
            if !diffs.isEmpty {
                failures.append("case \(i) (seed \(Self.baseSeed + UInt64(i))):\n" + diffs.prefix(8).joined(separator: "\n")
                                + "\n--- manifest ---\n\(text)")
            }
        }
        if failures.isEmpty {
            try? FileManager.default.removeItem(at: work)
        } else {
            try? failures.joined(separator: "\n\n").write(to: work.appendingPathComponent("disagreements.txt"),
                                                          atomically: true, encoding: .utf8)
        }
        #expect(comparisons > Self.caseCount * 10, "too few comparisons: \(comparisons)")
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) cases disagree with nca (inputs in \(work.path)):\n\(failures.first ?? "")\nall of them: \(work.path)/disagreements.txt")
    }

    /// Differences between our answers and NCA's lines, and the number of (peer, peer) answers compared.
    static func compare(set: ManifestSet, nca: [NCAOracle.Line]) -> ([String], Int) {
        let workloads = WorkloadBuilder.workloads(from: set)
        let ev = PolicyEvaluator(policies: set.policies, namespaces: Array(set.namespaces.values), workloads: workloads)
        let podPairs = NCAOracle.podPairs(nca)
        func ncaRange(_ ip: IPAddr, pod: String, outbound: Bool) -> ConnectionSet {
            NCAOracle.connections(nca, pod: pod, address: ip, outbound: outbound)
        }
        var diffs: [String] = []
        var n = 0
        func name(_ i: Int) -> String { "\(workloads[i].namespace)/\(workloads[i].endpoint.name)" }
        for s in workloads.indices {
            for d in workloads.indices where s != d {
                let ours = ev.connections(from: .workload(s), to: .workload(d))
                let theirs = podPairs[name(s)]?[name(d)] ?? .none
                n += 1
                if ours != theirs { diffs.append("  \(name(s)) => \(name(d)): ours \(ours), nca \(theirs)") }
            }
        }
        // The pruned pair listing (ConnectivityMap) must equal the brute-force answers above.
        var listed: [String: ConnectionSet] = [:]
        for e in ConnectivityMap(ev).entries(includeExternal: false) {
            listed["\(e.source) => \(e.destination)"] = e.connections
        }
        for s in workloads.indices {
            for d in workloads.indices where s != d {
                let c = ev.connections(from: .workload(s), to: .workload(d))
                let key = "\(workloads[s].endpoint) => \(workloads[d].endpoint)"
                if (listed[key] ?? .none) != c { diffs.append("  connlist \(key): \(listed[key] ?? .none), pair \(c)") }
            }
        }
        // Per-endpoint external ranges (built from the endpoint's own rules' blocks) against the global partition.
        let map = ConnectivityMap(ev)
        for (e, entry) in map.endpoints.enumerated() {
            for outbound in [false, true] {
                let merged = map.merged(endpoint: e, outbound: outbound)
                for a in IPSpacePartition.ranges(blocks: ev.ipBlocks) {
                    let want = map.connections(endpoint: e, range: a, outbound: outbound)
                    let got = merged.first { $0.0.contains(a) }?.1
                    if got != want { diffs.append("  ranges \(entry.endpoint) \(outbound ? "=>" : "<=") \(a): merged \(String(describing: got)), atom \(want)") }
                }
            }
        }
        for a in IPSpacePartition.ranges(blocks: ev.ipBlocks) {
            for d in workloads.indices {
                for outbound in [false, true] {
                    let ours = outbound ? ev.connections(from: .workload(d), to: .range(a))
                                        : ev.connections(from: .range(a), to: .workload(d))
                    let first = ncaRange(a.first, pod: name(d), outbound: outbound)
                    let last = ncaRange(a.last, pod: name(d), outbound: outbound)
                    n += 1
                    if ours != first || ours != last {
                        let dir = outbound ? "\(name(d)) => \(a)" : "\(a) => \(name(d))"
                        diffs.append("  \(dir): ours \(ours), nca \(first) / \(last)")
                    }
                }
            }
        }
        return (diffs, n)
    }
}
