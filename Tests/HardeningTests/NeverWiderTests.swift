import Emit
import Testing
@testable import FlowMapKit
import FlowMapView
import FlowModel
import FlowIngest
import FlowStore
import Inference
import Policy

/// Issue 8: "never wider than the evidence" over hostile labels. Random namespaces of workloads whose labels are
/// valid for Kubernetes but awkward for YAML and for selector choice; every emitted allow policy, read back with
/// the manifest reader, must select exactly its workload's pods (or carry the ambiguity warning), and no rule may
/// have an empty peer or port list.
@Suite("Never wider than the evidence")
struct NeverWiderTests {
    /// Valid label values that YAML readers like to turn into other types, plus length edge cases.
    /// `-1`, `+1`, `.5`, `a b` and `x#y` are not valid label values: a capture may still carry them, and they must
    /// never reach a selector.
    static let hostileValues = [
        "", "true", "false", "yes", "no", "on", "off", "y", "n", "null", "Null", "NULL", "1.0", "0755", "0x1F",
        "1e3", "1_000", "12", "-1", "+1", ".5", "inf", "nan", "v1", "a.b-c_d", "a b", "x#y",
        String(repeating: "a", count: 63), String(repeating: "9", count: 63), "a" + String(repeating: "-", count: 61) + "z",
    ]
    static let hostileKeys = [
        "app", "app.kubernetes.io/name", "app.kubernetes.io/instance", "example.com/true", "tier", "yes", "1",
        "k8s-app", "a.b/c_d.e", String(repeating: "k", count: 63), "x." + String(repeating: "p", count: 60) + "/n",
        "pod-template-hash", "controller-revision-hash",
    ]

    struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    func randomCluster(seed: UInt64) -> Evidence {
        var rng = Rng(state: seed)
        var labelSets: [Endpoint: [Labels]] = [:]
        var edges: [ObservedEdge] = []
        let namespaces = ["alpha", "beta"]
        var all: [Endpoint] = []
        for ns in namespaces {
            for w in 0..<(2 + rng.next(5)) {
                let ep = Endpoint.workload(ns, "w\(w)", kind: ["Deployment", "StatefulSet", "DaemonSet"][rng.next(3)])
                var base = Labels()
                for _ in 0..<(rng.next(4)) {
                    base[Self.hostileKeys[rng.next(Self.hostileKeys.count)]] =
                        Self.hostileValues[rng.next(Self.hostileValues.count)]
                }
                // Replicas and rollouts: volatile labels differ between pods of one workload.
                var sets: [Labels] = []
                for r in 0..<(1 + rng.next(3)) {
                    var l = base
                    l["pod-template-hash"] = "h\(r)\(rng.next(1000))"
                    sets.append(l)
                }
                labelSets[ep] = sets
                all.append(ep)
            }
        }
        for _ in 0..<(5 + rng.next(20)) {
            let s = all[rng.next(all.count)], d = all[rng.next(all.count)]
            let key = EdgeKey(source: s, destination: d, proto: [.tcp, .udp, .sctp][rng.next(3)],
                              port: UInt16(1 + rng.next(65535)), outcome: .allowed)
            edges.append(ObservedEdge(key: key, stats: EdgeStats(flows: Int64(1 + rng.next(50)), firstSeen: 1,
                                                                 lastSeen: 2)))
        }
        return Evidence(edges: edges, labelSets: labelSets)
    }

    @Test("every emitted selector selects exactly the pods it was built from", arguments: 0..<150)
    func selectorsAreExact(seed: Int) throws {
        let ev = randomCluster(seed: UInt64(seed) &+ 0x5EED)
        let plan = Inferrer().infer(ev)
        let yaml = NetworkPolicyEmitter().stream(for: plan)
        let set = ManifestReader.parse(text: yaml, file: "generated-\(seed).yaml")
        #expect(set.issues.isEmpty, "\(set.issues.prefix(3))")
        let byName = Dictionary(uniqueKeysWithValues: plan.namespaces.flatMap(\.workloads).map {
            ("\($0.endpoint.namespace)/\(PolicyName.make("allow", $0.endpoint.name))", $0)
        })
        for p in set.policies where p.name != "default-deny" {
            let w = try #require(byName[p.qualifiedName], "policy \(p.qualifiedName) not in the plan")
            #expect(!p.podSelector.isEmpty, "allow policy with an empty podSelector")
            // It selects every pod of its own workload ...
            for l in ev.labelSets[w.endpoint] ?? [] {
                #expect(p.podSelector.matches(l), "\(p.qualifiedName) misses a pod of its own workload: \(l)")
            }
            // ... and another workload's pod only when the plan says no label set separates them.
            let others = ev.labelSets.filter { $0.key.namespace == w.endpoint.namespace && $0.key != w.endpoint }
            let overlapping = others.filter { $0.value.contains(where: p.podSelector.matches) }.keys
            if !overlapping.isEmpty {
                #expect(w.selectorWarning != nil, "\(p.qualifiedName) also selects \(Array(overlapping)) silently")
            }
            for rule in p.ingress + p.egress {
                #expect(!rule.peers.isEmpty, "\(p.qualifiedName): a rule with no peers allows every peer")
                #expect(!rule.ports.isEmpty, "\(p.qualifiedName): a rule with no ports allows every port")
            }
        }
        // Every selector value reads back as the same string it was built from.
        for w in plan.namespaces.flatMap(\.workloads) {
            let p = set.policies.first { $0.qualifiedName == "\(w.endpoint.namespace)/\(PolicyName.make("allow", w.endpoint.name))" }
            #expect(p?.podSelector.matchLabels == w.selector)
        }
    }
}
