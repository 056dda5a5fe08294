// Benchmark of `check` and `diff` at scale: 2,000 NetworkPolicies over 5,000 pods (each pod its own
// workload: the worst case for the pairwise diff), 100 namespaces, 50,000 observed edges.
// Run with `make bench` (release build). Times include YAML parsing and validation, the inventory, the
// evaluator's precomputation and the replay / pairwise comparison; generating the YAML text is not timed.
import Foundation
import FlowModel
import Policy
import TestSupport


let args = CommandLine.arguments
func arg(_ name: String, _ def: Int) -> Int {
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return def
}
let podCount = arg("--pods", 5000), policyCount = arg("--policies", 2000), edgeCount = arg("--edges", 50000)
let nsCount = arg("--namespaces", 100)
let appsPerNs = 10

var rng = SplitMix64(seed: 42)
var cluster = ""
for n in 0..<nsCount {
    cluster += "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns\(n), labels: {team: t\(n % 7), env: \(n % 3 == 0 ? "prod" : "dev")}}\n---\n"
}
var pods: [(ns: Int, app: Int, name: String)] = []
for i in 0..<podCount {
    let ns = i % nsCount, app = (i / nsCount) % appsPerNs
    pods.append((ns, app, "pod\(i)"))
    cluster += """
        apiVersion: v1
        kind: Pod
        metadata: {name: pod\(i), namespace: ns\(ns), labels: {app: app\(app), tier: \(app < 3 ? "web" : "backend"), version: v\(i % 3)}}
        spec: {containers: [{name: c, image: x, ports: [{containerPort: \(8000 + app), name: http}, {containerPort: 9090, name: metrics}]}]}
        status: {podIP: 10.\(i / 65536 % 256).\(i / 256 % 256).\(i % 256)}
        ---

        """
}

func policies(seed: UInt64, variant: Bool) -> String {
    var r = SplitMix64(seed: seed)
    var out = ""
    var count = 0
    func emit(_ ns: Int, _ name: String, _ spec: String) {
        out += "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: \(name), namespace: ns\(ns)}\nspec:\n\(spec)\n---\n"
        count += 1
    }
    for n in 0..<nsCount { emit(n, "default-deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]") }
    var i = 0
    while count < policyCount {
        let ns = r.int(below: nsCount), app = r.int(below: appsPerNs)
        // ~5% of the allow policies differ between the two sets (the diff has something to find).
        let changed = variant && r.int(below: 20) == 0
        let port = changed ? 7000 : 8000 + app
        var ingress = "  - from:\n      - podSelector: {matchLabels: {app: app\((app + 1) % appsPerNs)}}\n"
        ingress += "      - namespaceSelector: {matchLabels: {team: t\(r.int(below: 7))}}\n        podSelector: {matchExpressions: [{key: tier, operator: In, values: [web]}]}\n"
        ingress += "    ports: [{port: \(port)}, {port: metrics}]\n"
        if r.int(below: 4) == 0 {
            let b = r.int(below: 16) + 16
            ingress += "  - from: [{ipBlock: {cidr: 172.\(b).0.0/16, except: [172.\(b).\(r.int(below: 256)).0/24]}}]\n    ports: [{port: http}]\n"
        }
        var egress = "  - to: [{namespaceSelector: {matchLabels: {env: prod}}, podSelector: {matchLabels: {app: app\(r.int(below: appsPerNs))}}}]\n    ports: [{port: http}, {protocol: UDP, port: 53}]\n"
        if r.int(below: 3) == 0 { egress += "  - to: [{ipBlock: {cidr: \(r.int(below: 200) + 20).\(r.int(below: 256)).0.0/16}}]\n    ports: [{port: 443}]\n" }
        emit(ns, "allow-\(i)", """
              podSelector: {matchLabels: {app: app\(app)}}
              policyTypes: [Ingress, Egress]
              ingress:
            \(ingress)  egress:
            \(egress)
            """)
        i += 1
    }
    return out
}

let oldText = policies(seed: 7, variant: false)
let newText = policies(seed: 7, variant: true)
var edges: [ObservedEdge] = []
for _ in 0..<edgeCount {
    let s = pods[rng.int(below: pods.count)], d = pods[rng.int(below: pods.count)]
    let ep = { (p: (ns: Int, app: Int, name: String)) in Endpoint.workload("ns\(p.ns)", p.name, kind: "Pod") }
    edges.append(ObservedEdge(key: EdgeKey(source: ep(s), destination: ep(d), proto: .tcp,
                                           port: UInt16(8000 + d.app), outcome: .allowed),
                              stats: EdgeStats(flows: Int64(rng.int(below: 100) + 1), firstSeen: 0, lastSeen: 0)))
}

/// Process CPU time (all threads), seconds.
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var cpuTotals: [String: Double] = [:]
/// Times one phase: wall clock and process CPU time (the machine may be shared: CPU time is what the phase
/// costs, wall time what a user waits on this machine right now).
@MainActor func time<T>(_ label: String, _ body: () throws -> T) rethrows -> (T, Double) {
    let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpuNow()
    let v = try body()
    let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, dc = cpuNow() - c0
    cpuTotals[label] = dc
    print("  " + label.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " wall %7.3f s   cpu %7.3f s", dt, dc))
    return (v, dt)
}
@MainActor func cpu(_ labels: [String]) -> Double { labels.reduce(0) { $0 + (cpuTotals[$1] ?? 0) } }

print("policy bench: \(policyCount) policies, \(podCount) pods, \(nsCount) namespaces, \(edgeCount) edges, \(ProcessInfo.processInfo.activeProcessorCount) cores")
let repeats = arg("--repeat", 3)
var best = (checkWall: Double.infinity, checkCPU: Double.infinity, diffWall: Double.infinity, diffCPU: Double.infinity)
for round in 1...repeats {
    print("round \(round) of \(repeats)")
    print("check:")
    let (clusterSet, tParseCluster) = time("parse + validate cluster manifests") { ManifestReader.parse(text: cluster, file: "cluster.yaml") }
    let (oldSet, tParseOld) = time("parse + validate policies") { ManifestReader.parse(text: oldText, file: "old.yaml") }
    if !oldSet.issues.isEmpty || oldSet.policies.count != policyCount || !clusterSet.issues.isEmpty {
        FileHandle.standardError.write(Data("bench manifests invalid: \(oldSet.policies.count) policies; \(clusterSet.issues.prefix(2)) \(oldSet.issues.prefix(3))\n".utf8))
        if args.contains("--dump") { print(oldText.components(separatedBy: "---\n")[nsCount...].prefix(2).joined(separator: "---\n")) }
        exit(2)
    }
    let (inv, tInv) = time("inventory (group workloads)") { ClusterInventory.build(manifests: clusterSet, store: nil) }
    let (ev, tEv) = time("evaluator precomputation") {
        PolicyEvaluator(policies: oldSet.policies, namespaces: inv.namespaces, workloads: inv.workloads)
    }
    let (report, tCheck) = time("replay \(edgeCount) edges") { PolicyCheck.run(ev, edges: edges) }
    let checkTotal = tParseCluster + tParseOld + tInv + tEv + tCheck
    let checkCPU = cpu(["parse + validate cluster manifests", "parse + validate policies", "inventory (group workloads)",
                        "evaluator precomputation", "replay \(edgeCount) edges"])
    print("  " + "CHECK TOTAL".padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " wall %7.3f s   cpu %7.3f s   (allowed %d, would break %d)", checkTotal, checkCPU, report.allowedConnections, report.deniedConnections))

    print("diff:")
    let (newSet, tParseNew) = time("parse + validate new policies") { ManifestReader.parse(text: newText, file: "new.yaml") }
    let (evNew, tEvNew) = time("evaluator precomputation (new)") {
        PolicyEvaluator(policies: newSet.policies, namespaces: inv.namespaces, workloads: inv.workloads)
    }
    let (diff, tDiff) = time("pairwise diff (\(inv.workloads.count) workloads + ranges)") {
        SemanticDiff.run(old: ev, new: evNew, edges: edges)
    }
    let diffTotal = tParseCluster + tParseOld + tParseNew + tInv + tEv + tEvNew + tDiff
    let diffCPU = cpu(["parse + validate cluster manifests", "parse + validate policies", "parse + validate new policies",
                       "inventory (group workloads)", "evaluator precomputation", "evaluator precomputation (new)",
                       "pairwise diff (\(inv.workloads.count) workloads + ranges)"])
    print("  " + "DIFF TOTAL".padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " wall %7.3f s   cpu %7.3f s   (%d changed pairs, %d breaking)", diffTotal, diffCPU, diff.changes.count, diff.breakingChanges))
    if args.contains("--connectivity") {
        let (entries, _) = time("connectivity map (all pairs)") { ConnectivityMap(ev).entries() }
        print("  connectivity entries: \(entries.count)")
    }
    best = (min(best.checkWall, checkTotal), min(best.checkCPU, checkCPU), min(best.diffWall, diffTotal),
            min(best.diffCPU, diffCPU))
}
print(String(format: "best of %d: check wall %.3f s (cpu %.3f s), diff wall %.3f s (cpu %.3f s)", repeats,
             best.checkWall, best.checkCPU, best.diffWall, best.diffCPU))
let bar = 2.0
print(best.checkWall < bar && best.diffWall < bar ? "OK: both under \(bar) s wall" : "SLOW: over the \(bar) s bar (wall)")
print(String(format: "load average at the end: %@", ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)))
