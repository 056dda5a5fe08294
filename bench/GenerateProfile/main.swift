// generate-profile: the stages of `generate` on generate-bench's synthetic evidence, built in memory (no store,
// no FlowMapKit, so no gRPC in the binary): inference, both emitters, the evidence report and the self-check's
// model + inventory + evaluator. Small and quick to build, for `valgrind --tool=callgrind` and `perf` at two sizes
// (docs/benchmarks.md). usage: generate-profile [--workloads N] [--edges N] [--only STAGE[,STAGE...]]
// (stages: infer, k8s, cilium, report, selfcheck; default all).
#if canImport(Glibc)
import Glibc
#endif
import Emit
import FlowModel
import Foundation
import Inference
import Policy

var workloadCount = 2000, edgeCount = 50000
var only: Set<String> = ["infer", "k8s", "cilium", "report", "selfcheck"]
var args = Array(CommandLine.arguments.dropFirst())
while let a = args.first {
    args.removeFirst()
    guard let v = args.first else { print("usage: generate-profile [--workloads N] [--edges N] [--only STAGES]"); exit(2) }
    args.removeFirst()
    switch a {
    case "--workloads": workloadCount = Int(v) ?? workloadCount
    case "--edges": edgeCount = Int(v) ?? edgeCount
    case "--only": only = Set(v.split(separator: ",").map(String.init))
    default: print("unknown option \(a)"); exit(2)
    }
}

func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
nonisolated(unsafe) var last = cpuSeconds()
/// FNV-1a over every output, so a refactoring can be checked byte for byte at any size (`digest` line).
nonisolated(unsafe) var digest: UInt64 = 0xcbf2_9ce4_8422_2325
func mix(_ s: String) {
    for b in s.utf8 { digest = (digest ^ UInt64(b)) &* 0x100_0000_01b3 }
}
func lap(_ name: String) {
    let c = cpuSeconds()
    print(name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: " CPU %7.3f s", c - last))
    last = cpuSeconds()
}

/// The same synthetic cluster as generate-bench (bench/GenerateBench), as Evidence.
struct LCG { var s: UInt64; mutating func next(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int((s >> 33) % UInt64(n)) } }
var rng = LCG(s: 42)
let t0: Int64 = 1_750_000_000_000_000_000
let namespaces = (0..<40).map { "team-\($0)" }
let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")
var labelSets: [Endpoint: [Labels]] = [dns: [["k8s-app": "kube-dns"]]]
var addresses: [Endpoint: [String]] = [:]
var names: [Endpoint: Set<String>] = [:]
var edges: [EdgeKey: EdgeStats] = [:]
var l7: [EdgeKey: [L7Observation]] = [:]
var workloads: [Endpoint] = []
for i in 0..<(workloadCount - 1) {
    let ns = namespaces[i % namespaces.count]
    let ep = Endpoint.workload(ns, "svc-\(i)", kind: i % 7 == 0 ? "StatefulSet" : "Deployment")
    workloads.append(ep)
    let common: Labels = ["app.kubernetes.io/instance": "svc-\(i)", "app.kubernetes.io/name": "product-\(i % 13)", "team": ns]
    labelSets[ep] = [common.merging(["version": "v1"]) { a, _ in a }, common.merging(["version": "v2"]) { a, _ in a }]
    addresses[ep] = ["10.\(i / 250).\(i % 250).1", "10.\(i / 250).\(i % 250).2"]
}
let ports: [(Proto, UInt16)] = [(.tcp, 80), (.tcp, 443), (.tcp, 8080), (.tcp, 9090), (.tcp, 5432), (.udp, 8125)]
func stats(_ n: Int64) -> EdgeStats { EdgeStats(flows: n, firstSeen: t0 + n * 1_000_000, lastSeen: t0 + n * 9_000_000) }
var added = 0
for w in workloads where added < edgeCount {
    edges[EdgeKey(source: w, destination: dns, proto: .udp, port: 53, outcome: .allowed)] = stats(50)
    added += 1
}
while added < edgeCount {
    let r = rng.next(100)
    let src = workloads[rng.next(workloads.count)]
    let key: EdgeKey
    if r < 80 {
        let popular = rng.next(4) == 0 ? rng.next(workloads.count) : rng.next(min(200, workloads.count))  // the popular ones; fewer when the cluster is small
        let (proto, port) = ports[rng.next(ports.count)]
        key = EdgeKey(source: src, destination: workloads[popular], proto: proto, port: port, outcome: .allowed)
    } else if r < 88 {
        let ext = Endpoint.external("93.184.\(rng.next(256)).\(rng.next(254) + 1)")
        names[ext, default: []].insert("api\(rng.next(500)).example.com")
        key = EdgeKey(source: src, destination: ext, proto: .tcp, port: 443, outcome: .allowed)
    } else if r < 97 {
        let ext = Endpoint.external("198.51.\(rng.next(256)).\(rng.next(254) + 1)")
        key = EdgeKey(source: ext, destination: workloads[rng.next(min(100, workloads.count))], proto: .tcp, port: 443, outcome: .allowed)
    } else {
        key = EdgeKey(source: src, destination: workloads[rng.next(workloads.count)], proto: .tcp, port: 22, outcome: .denied)
    }
    if edges[key] != nil { continue }
    edges[key] = stats(Int64(rng.next(1000) + 1))
    added += 1
    if key.port == 8080 && rng.next(2) == 0 {
        for _ in 0..<3 {
            let req = L7Request.http(method: ["GET", "POST"][rng.next(2)], path: "/api/v1/items/\(rng.next(100000))")
            l7[key, default: []].append(L7Observation(request: req, stats: stats(3)))
        }
    }
}
let ev = Evidence(edges: edges.map { ObservedEdge(key: $0.key, stats: $0.value) }.sorted { $0.key < $1.key }, l7: l7,
                  labelSets: labelSets, names: names.mapValues { $0.sorted() }, addresses: addresses)
print("generate-profile: \(workloadCount) workloads, \(ev.edges.count) edges")
lap("build evidence")
let plan = Inferrer().infer(ev)
lap("inference")
/// Writes every file as `generate` does (`EmittedFile.write`, piece by piece) into the digest; returns the bytes.
func emit(_ flavor: EmitOptions.Flavor) -> Int {
    var o = EmitOptions()
    o.flavor = flavor
    var n = 0
    for f in PolicyEmitter(options: o).emit(for: plan) {
        mix(f.name)
        try! f.write { piece in
            for b in piece { digest = (digest ^ UInt64(b)) &* 0x100_0000_01b3 }
            n += piece.count
        }
    }
    return n
}
if only.contains("k8s") {
    let n = emit(.k8s)
    lap("emit NetworkPolicy (\(n / 1024) KiB)")
}
if only.contains("cilium") {
    let n = emit(.cilium)
    lap("emit Cilium (\(n / 1024) KiB)")
}
if only.contains("report") {
    let r = EvidenceReport(plan: plan, version: "profile")
    let n = r.json.utf8.count + r.markdown.utf8.count
    lap("evidence report (\(n / 1024) KiB)")
}
if only.contains("selfcheck") {
    var set = ManifestSet()
    set.policies = NetworkPolicyEmitter(options: EmitOptions()).policies(for: plan).policies
    lap("self-check: policy model")
    let inv = ClusterInventory.build(manifests: set, store: ClusterInventory.StoreData(
        labelSets: labelSets, addresses: addresses, endpoints: Array(Set(ev.edges.flatMap { [$0.key.source, $0.key.destination] }))))
    lap("self-check: inventory")
    let evaluator = PolicyEvaluator(policies: set.policies, namespaces: inv.namespaces, workloads: inv.workloads)
    lap("self-check: evaluator")
    let report = PolicyCheck.run(evaluator, edges: ev.edges)
    lap("self-check: replay (\(report.deniedConnections) break)")
    mix("\(report.allowedConnections) \(report.deniedConnections) \(report.observedDeniedNowAllowed) \(report.unresolvedConnections)")
}
print("digest \(String(digest, radix: 16)) (\(only.sorted().joined(separator: ",")))")
