// generate-bench: `flowmap generate` on synthetic evidence of 2,000 workloads / 50,000 edges, for `make bench`.
// Stages are timed separately (store read, inference, NetworkPolicy emit, Cilium emit, self-check, evidence
// report) and end to end (`Generate.run` into a directory, as the CLI does), each with wall and CPU seconds and
// the stage's peak RSS. `--scale K` (make bench: 10) runs the same generator at K times the workloads and edges
// too and prints each stage's CPU ratio beside the linear bar (issue 22: within 11x for 10x).
// `--store PATH` only writes the synthetic store to PATH (for `flowmap generate` under callgrind or perf) and exits.
// usage: generate-bench [--workloads N] [--edges N] [--runs N] [--scale K] [--large-runs N] [--store PATH]
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

var workloadCount = 2000, edgeCount = 50000, runs = 3, scale = 0, largeRuns = 1
var storeOnly: String?
var args = Array(CommandLine.arguments.dropFirst())
while let a = args.first {
    args.removeFirst()
    if a == "--store", let path = args.first {
        storeOnly = path
        args.removeFirst()
        continue
    }
    guard let v = args.first.flatMap(Int.init) else {
        print("usage: generate-bench [--workloads N] [--edges N] [--runs N] [--scale K] [--large-runs N] [--store PATH]")
        exit(2)
    }
    args.removeFirst()
    switch a {
    case "--workloads": workloadCount = v
    case "--edges": edgeCount = v
    case "--runs": runs = v
    case "--scale": scale = v
    case "--large-runs": largeRuns = v
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
/// Peak resident set size of a stage: Linux's high-water mark (`VmHWM`), reset before the stage by writing 5 to
/// `/proc/self/clear_refs`. It includes what earlier stages still hold (the evidence, the plan). nil elsewhere.
func resetPeakRSS() {
    guard let f = fopen("/proc/self/clear_refs", "w") else { return }
    fputs("5", f)
    fclose(f)
}
func peakRSSMB() -> Double? {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return kb / 1024
}
struct Sample { var wall: Double; var cpu: Double; var rss: Double? }
struct Timer {
    var wall = seconds(), cpu = cpuSeconds()
    var times: [String: [Sample]] = [:]
    init() { resetPeakRSS() }
    mutating func lap(_ name: String) {
        let w = seconds(), c = cpuSeconds()
        times[name, default: []].append(Sample(wall: w - wall, cpu: c - cpu, rss: peakRSSMB()))
        resetPeakRSS()
        wall = seconds()
        cpu = cpuSeconds()
    }
}

/// Deterministic synthetic cluster: 40 namespaces, workloads with two label sets each (a rollout), CoreDNS,
/// service calls (zipf-ish: a few popular services), world egress with names, internet-facing ingress,
/// denied probes and HTTP observations on a tenth of the edges.
struct LCG { var s: UInt64; mutating func next(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int((s >> 33) % UInt64(n)) } }
let t0: Int64 = 1_750_000_000_000_000_000

func syntheticBatch(workloads workloadCount: Int, edges edgeCount: Int) -> IngestBatch {
    var rng = LCG(s: 42)
    var batch = IngestBatch()
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
            let popular = rng.next(4) == 0 ? rng.next(workloads.count) : rng.next(min(200, workloads.count))  // the popular ones; fewer when the cluster is small
            let (proto, port) = ports[rng.next(ports.count)]
            key = EdgeKey(source: src, destination: workloads[popular], proto: proto, port: port, outcome: .allowed)
        } else if r < 88 {
            let ext = Endpoint.external("93.184.\(rng.next(256)).\(rng.next(254) + 1)")
            batch.names[ext] = ["api\(rng.next(500)).example.com"]
            key = EdgeKey(source: src, destination: ext, proto: .tcp, port: 443, outcome: .allowed)
        } else if r < 97 {
            let ext = Endpoint.external("198.51.\(rng.next(256)).\(rng.next(254) + 1)")
            key = EdgeKey(source: ext, destination: workloads[rng.next(min(100, workloads.count))], proto: .tcp, port: 443, outcome: .allowed)
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
    return batch
}

/// The synthetic evidence written to a new store at `path`, as one source.
func writeStore(_ path: String, workloads: Int, edges: Int) throws {
    _ = try FlowStore(path: path).write(syntheticBatch(workloads: workloads, edges: edges), counts: IngestCounts(),
                                        path: "synthetic", format: "synthetic", contentHash: nil, now: t0)
}

let endToEnd = "7 generate end to end (store -> files)"

/// One size: the store written once, then every stage `runs` times. Returns the samples per stage.
func bench(workloads workloadCount: Int, edges edgeCount: Int, runs: Int) throws -> [String: [Sample]] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-generate-bench-\(getpid())-\(workloadCount)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = dir.appendingPathComponent("bench.db").path
    try writeStore(db, workloads: workloadCount, edges: edgeCount)
    var t = Timer()
    var summary = ""
    for _ in 0..<runs {
        t.lap("0 (between runs)")
        let ev = try Generate.evidence(from: FlowStore(path: db))
        t.lap("1 read store (evidence)")
        let p = Inferrer().infer(ev)
        t.lap("2 inference")
        var o = EmitOptions()
        let bytesK8s = PolicyEmitter(options: o).files(for: p).reduce(0) { $0 + $1.text.utf8.count }
        t.lap("3 emit NetworkPolicy (incl. evidence report)")
        o.flavor = .cilium
        let bytesCilium = PolicyEmitter(options: o).files(for: p).reduce(0) { $0 + $1.text.utf8.count }
        t.lap("4 emit CiliumNetworkPolicy (incl. evidence report)")
        let data = try PolicyInputs.data(FlowStore(path: db))
        t.lap("5 self-check: store data (inventory read)")
        let checked = SelfCheck.edges(ev.edges, InferenceOptions())
        t.lap("5 self-check: edges filtered")
        let check = SelfCheck.run(plan: p, edges: checked, store: data)
        t.lap("5 self-check: model + evaluator + replay")
        let report = EvidenceReport(plan: p, version: "bench")
        let bytesEvidence = report.json.utf8.count + report.markdown.utf8.count
        t.lap("6 evidence report (json + md)")
        // Synthetic evidence: written whatever the self-check finds (it still runs, and is timed, as in the CLI).
        _ = try Generate.run(Generate.Options(db: db, out: dir.appendingPathComponent("out").path, allowBreaks: true))
        t.lap(endToEnd)
        let rules = p.namespaces.flatMap(\.workloads).reduce(0) { $0 + $1.ingress.count + $1.egress.count }
        summary = "generate-bench: \(ev.edges.count) edges (\(ev.edges.filter { $0.key.outcome == .allowed }.count) allowed), "
            + "\(ev.labelSets.count) workloads, \(ev.l7.values.reduce(0) { $0 + $1.count }) L7 observations -> "
            + "\(p.workloadCount) allow policies in \(p.namespaces.count) namespaces, \(rules) rules; "
            + "YAML \(bytesK8s / 1024) KiB (k8s), \(bytesCilium / 1024) KiB (cilium), evidence report "
            + "\(bytesEvidence / 1024) KiB; self-check \(check.failed ? "found breaks" : "passed"); \(runs) run(s)"
    }
    t.times["0 (between runs)"] = nil
    print(summary)
    return t.times
}

func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
func f3(_ x: Double) -> String { String(format: "%.3f", x) }
func rss(_ v: [Sample]) -> String { v.compactMap(\.rss).max().map { String(format: "%.0f", $0) } ?? "?" }
func table(_ times: [String: [Sample]]) {
    print("| stage | wall best s | wall median s | CPU median s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for k in times.keys.sorted() {
        let v = times[k]!
        print("| \(k.dropFirst(2)) | \(f3(v.map(\.wall).min()!)) | \(f3(median(v.map(\.wall)))) | \(f3(median(v.map(\.cpu)))) | \(rss(v)) |")
    }
}
func loadText() -> String {
    var load = [Double](repeating: 0, count: 3)
    _ = getloadavg(&load, 3)
    return "load average \(String(format: "%.1f", load[0])) on \(ProcessInfo.processInfo.activeProcessorCount) CPUs"
}

if let path = storeOnly {
    try writeStore(path, workloads: workloadCount, edges: edgeCount)
    print("generate-bench: wrote \(workloadCount) workloads / \(edgeCount) edges to \(path)")
    exit(0)
}
print("== generate: \(workloadCount) workloads / \(edgeCount) edges ==")
let small = try bench(workloads: workloadCount, edges: edgeCount, runs: runs)
table(small)
let e2e = small[endToEnd]!
let bar = 1.0
let best = e2e.map(\.wall).min()!, cpu = median(e2e.map(\.cpu))
print("bar: generate end to end under \(bar) s for \(workloadCount) workloads / \(edgeCount) edges: best wall "
      + "\(f3(best)) s, median CPU \(f3(cpu)) s -> \(cpu < bar ? "PASS" : "FAIL") on CPU time (\(loadText()))")
if scale > 1 {
    let w = workloadCount * scale, e = edgeCount * scale
    print("\n== generate: \(w) workloads / \(e) edges (\(scale)x) ==")
    let large = try bench(workloads: w, edges: e, runs: largeRuns)
    table(large)
    let linearBar = Double(scale) * 1.1
    print("\n| stage | CPU s at 1x | CPU s at \(scale)x | ratio (bar \(String(format: "%.0f", linearBar))x) | peak RSS MB 1x / \(scale)x |")
    print("|---|---:|---:|---:|---:|")
    var pass = true
    for k in small.keys.sorted() {
        let a = median(small[k]!.map(\.cpu)), b = median(large[k]!.map(\.cpu))
        let ratio = b / max(a, 1e-9)
        if k == endToEnd { pass = ratio <= linearBar }
        print("| \(k.dropFirst(2)) | \(f3(a)) | \(f3(b)) | \(String(format: "%.1f", ratio))x | \(rss(small[k]!)) / \(rss(large[k]!)) |")
    }
    print("bar: generate end to end at \(scale)x the work within \(String(format: "%.0f", linearBar))x the CPU time -> "
          + "\(pass ? "PASS" : "FAIL") (\(loadText()))")
}
