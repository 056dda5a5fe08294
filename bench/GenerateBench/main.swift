// generate-bench: `flowmap generate` on synthetic evidence of 2,000 workloads / 50,000 edges, for `make bench`.
// Stages are timed separately (store read, inference, NetworkPolicy emit, Cilium emit) and end to end
// (`Generate.run` into a directory, as the CLI does). usage: generate-bench [--workloads N] [--edges N] [--runs N]
#if canImport(Glibc)
import Emit
import Glibc
#endif
import FlowMapKit
import FlowModel
import FlowStore
import Foundation
import Inference
import Policy

var workloadCount = 2000, edgeCount = 50000, runs = 3
var args = Array(CommandLine.arguments.dropFirst())
while let a = args.first {
    args.removeFirst()
    guard let v = args.first.flatMap(Int.init) else { print("usage: generate-bench [--workloads N] [--edges N] [--runs N]"); exit(2) }
    args.removeFirst()
    switch a {
    case "--workloads": workloadCount = v
    case "--edges": edgeCount = v
    case "--runs": runs = v
    default: print("unknown option \(a)"); exit(2)
    }
}

func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
/// CPU time of this process: on a machine shared with other builds, wall time alone says little.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
struct Timer {
    var wall = seconds(), cpu = cpuSeconds()
    mutating func lap(_ name: String) {
        let w = seconds(), c = cpuSeconds()
        times[name, default: []].append((w - wall, c - cpu))
        wall = w
        cpu = c
    }
}

/// Deterministic synthetic cluster: 40 namespaces, workloads with two label sets each (a rollout), CoreDNS,
/// service calls (zipf-ish: a few popular services), world egress with names, internet-facing ingress,
/// denied probes and HTTP observations on a tenth of the edges.
struct LCG { var s: UInt64; mutating func next(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int((s >> 33) % UInt64(n)) } }
var rng = LCG(s: 42)
var batch = IngestBatch()
let t0: Int64 = 1_750_000_000_000_000_000
let namespaces = (0..<40).map { "team-\($0)" }
let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")
batch.labelSets[dns] = ["k8s-app=kube-dns"]
var workloads: [Endpoint] = []
for i in 0..<(workloadCount - 1) {
    let ns = namespaces[i % namespaces.count]
    let ep = Endpoint.workload(ns, "svc-\(i)", kind: i % 7 == 0 ? "StatefulSet" : "Deployment")
    workloads.append(ep)
    let common = "app.kubernetes.io/instance=svc-\(i),app.kubernetes.io/name=product-\(i % 13),team=\(ns)"
    batch.labelSets[ep] = [common + ",version=v1", common + ",version=v2"]
    batch.addresses[ep] = ["10.\(i / 250).\(i % 250).1", "10.\(i / 250).\(i % 250).2"]
}
let ports: [(Proto, UInt16)] = [(.tcp, 80), (.tcp, 443), (.tcp, 8080), (.tcp, 9090), (.tcp, 5432), (.udp, 8125)]
func stats(_ n: Int64) -> EdgeStats { EdgeStats(flows: n, firstSeen: t0 + n * 1_000_000, lastSeen: t0 + n * 9_000_000) }
var added = 0
for w in workloads where added < edgeCount {  // DNS for everyone
    batch.edges[EdgeKey(source: w, destination: dns, proto: .udp, port: 53, outcome: .allowed)] = stats(50)
    added += 1
}
while added < edgeCount {
    let r = rng.next(100)
    let src = workloads[rng.next(workloads.count)]
    let key: EdgeKey
    if r < 80 {
        let popular = rng.next(4) == 0 ? rng.next(workloads.count) : rng.next(200)
        let (proto, port) = ports[rng.next(ports.count)]
        key = EdgeKey(source: src, destination: workloads[popular], proto: proto, port: port, outcome: .allowed)
    } else if r < 88 {
        let ext = Endpoint.external("93.184.\(rng.next(256)).\(rng.next(254) + 1)")
        batch.names[ext] = ["api\(rng.next(500)).example.com"]
        key = EdgeKey(source: src, destination: ext, proto: .tcp, port: 443, outcome: .allowed)
    } else if r < 97 {
        let ext = Endpoint.external("198.51.\(rng.next(256)).\(rng.next(254) + 1)")
        key = EdgeKey(source: ext, destination: workloads[rng.next(100)], proto: .tcp, port: 443, outcome: .allowed)
    } else {
        key = EdgeKey(source: src, destination: workloads[rng.next(workloads.count)], proto: .tcp, port: 22,
                      outcome: .denied)
    }
    if batch.edges[key] != nil { continue }
    batch.edges[key] = stats(Int64(rng.next(1000) + 1))
    added += 1
    if key.port == 8080 && rng.next(2) == 0 {
        for _ in 0..<3 {
            let req = L7Request.http(method: ["GET", "POST"][rng.next(2)], path: "/api/v1/items/\(rng.next(100000))")
            batch.l7[L7Key(edge: key, request: req)] = stats(3)
        }
    }
}

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-generate-bench-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let db = dir.appendingPathComponent("bench.db").path
let store = try FlowStore(path: db)
_ = try store.write(batch, counts: IngestCounts(), path: "synthetic", format: "synthetic", contentHash: nil, now: t0)

nonisolated(unsafe) var times: [String: [(wall: Double, cpu: Double)]] = [:]
var plan: PolicyPlan?
var evidence: Evidence?
var bytesK8s = 0, bytesCilium = 0
var selfCheckFailed = false
var bytesEvidence = 0
for _ in 0..<runs {
    var t = Timer()
    let ev = try Generate.evidence(from: FlowStore(path: db))
    t.lap("1 read store (evidence)")
    let p = Inferrer().infer(ev)
    t.lap("2 inference")
    var o = EmitOptions()
    bytesK8s = PolicyEmitter(options: o).files(for: p).reduce(0) { $0 + $1.text.utf8.count }
    t.lap("3 emit NetworkPolicy")
    o.flavor = .cilium
    bytesCilium = PolicyEmitter(options: o).files(for: p).reduce(0) { $0 + $1.text.utf8.count }
    t.lap("4 emit CiliumNetworkPolicy")
    _ = SelfCheck.run(plan: p, edges: SelfCheck.edges(ev.edges, InferenceOptions()),
                      store: try PolicyInputs.data(FlowStore(path: db)))
    t.lap("4a self-check (model + evaluator)")
    let report = EvidenceReport(plan: p, version: "bench")
    bytesEvidence = report.json.utf8.count + report.markdown.utf8.count
    t.lap("4b evidence report (json + md)")
    // Synthetic evidence: written whatever the self-check finds (it still runs, and is timed, as in the CLI).
    selfCheckFailed = try Generate.run(Generate.Options(db: db, out: dir.appendingPathComponent("out").path,
                                                        allowBreaks: true)).selfCheck.failed
    t.lap("5 generate end to end (store -> files)")
    plan = p
    evidence = ev
}
let p = plan!, ev = evidence!
let rules = p.namespaces.flatMap(\.workloads).reduce(0) { $0 + $1.ingress.count + $1.egress.count }
print("generate-bench: \(ev.edges.count) edges (\(ev.edges.filter { $0.key.outcome == .allowed }.count) allowed), "
      + "\(ev.labelSets.count) workloads, \(ev.l7.values.reduce(0) { $0 + $1.count }) L7 observations -> "
      + "\(p.workloadCount) allow policies in \(p.namespaces.count) namespaces, \(rules) rules; "
      + "YAML \(bytesK8s / 1024) KiB (k8s), \(bytesCilium / 1024) KiB (cilium), evidence report \(bytesEvidence / 1024) KiB; self-check \(selfCheckFailed ? "found breaks" : "passed"); \(runs) runs")
print("| stage | wall best s | wall median s | CPU median s |")
print("|---|---:|---:|---:|")
func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
for k in times.keys.sorted() {
    let v = times[k]!
    print("| \(k.dropFirst(2)) | \(String(format: "%.3f", v.map(\.wall).min()!)) | \(String(format: "%.3f", median(v.map(\.wall)))) | "
          + "\(String(format: "%.3f", median(v.map(\.cpu)))) |")
}
let e2e = times["5 generate end to end (store -> files)"]!
let bar = 2.0
let best = e2e.map(\.wall).min()!, cpu = median(e2e.map(\.cpu))
var load = [Double](repeating: 0, count: 3)
_ = getloadavg(&load, 3)
print("bar: generate end to end under \(bar) s for \(workloadCount) workloads / \(edgeCount) edges: best wall "
      + "\(String(format: "%.3f", best)) s, median CPU \(String(format: "%.3f", cpu)) s -> \(best < bar ? "PASS" : "FAIL") "
      + "(load average \(String(format: "%.1f", load[0])) on \(ProcessInfo.processInfo.activeProcessorCount) CPUs)")
