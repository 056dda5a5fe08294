// Benchmark of `check` and `diff` at scale: 2,000 NetworkPolicies over 5,000 pods (each pod its own
// workload: the worst case for the pairwise diff), 100 namespaces, 50,000 observed edges.
// Run with `make bench` (release build). Times include YAML parsing and validation, the inventory, the
// evaluator's precomputation and the replay / pairwise comparison; generating the YAML text is not timed.
// `--scale K` (make bench: 10) also runs K times the policies, pods, namespaces and edges and prints the CPU
// ratio of check and diff beside the linear bar (issue 22: within 11x for 10x). A larger cluster is more teams,
// not more reach per pod: namespaces come in cells of 100 (team and env labels, and the selectors that use
// them, stay within a cell), so each pod's possible peers and the diff's changed pairs grow with the cluster,
// not with its square. At the default size there is one cell and the manifests are the same as before.
// `--digest` prints a digest of check's items and diff's changes (in output order) at each size.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FlowModel
import Policy
import TestSupport

let args = CommandLine.arguments
func arg(_ name: String, _ def: Int) -> Int {
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return def
}
let appsPerNs = 10
/// Namespaces per cell (team / env labels and the selectors using them stay in one cell).
let cellSize = 100

/// Peak RSS of a phase: Linux's high-water mark, reset before the phase (`/proc/self/clear_refs`); it includes
/// what earlier phases still hold. nil elsewhere.
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

struct Size {
    var pods: Int, policies: Int, edges: Int, namespaces: Int
}

struct Inputs {
    var cluster = "", oldText = "", newText = ""
    var edges: [ObservedEdge] = []
}

func inputs(_ z: Size) -> Inputs {
    var rng = SplitMix64(seed: 42)
    var cluster = ""
    for n in 0..<z.namespaces {
        let cell = n / cellSize
        let env = n % 3 == 0 ? "prod" : "dev"
        cluster += "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns\(n), labels: {team: t\(cell * 7 + n % 7), env: \(cell == 0 ? env : "\(env)-\(cell)")}}\n---\n"
    }
    var pods: [(ns: Int, app: Int, name: String)] = []
    for i in 0..<z.pods {
        let ns = i % z.namespaces, app = (i / z.namespaces) % appsPerNs
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
        for n in 0..<z.namespaces { emit(n, "default-deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]") }
        var i = 0
        while count < z.policies {
            let ns = r.int(below: z.namespaces), app = r.int(below: appsPerNs)
            let cell = ns / cellSize
            // ~5% of the allow policies differ between the two sets (the diff has something to find).
            let changed = variant && r.int(below: 20) == 0
            let port = changed ? 7000 : 8000 + app
            var ingress = "  - from:\n      - podSelector: {matchLabels: {app: app\((app + 1) % appsPerNs)}}\n"
            ingress += "      - namespaceSelector: {matchLabels: {team: t\(cell * 7 + r.int(below: 7))}}\n        podSelector: {matchExpressions: [{key: tier, operator: In, values: [web]}]}\n"
            ingress += "    ports: [{port: \(port)}, {port: metrics}]\n"
            if r.int(below: 4) == 0 {
                let b = r.int(below: 16) + 16
                ingress += "  - from: [{ipBlock: {cidr: 172.\(b).0.0/16, except: [172.\(b).\(r.int(below: 256)).0/24]}}]\n    ports: [{port: http}]\n"
            }
            var egress = "  - to: [{namespaceSelector: {matchLabels: {env: \(cell == 0 ? "prod" : "prod-\(cell)")}}, podSelector: {matchLabels: {app: app\(r.int(below: appsPerNs))}}}]\n    ports: [{port: http}, {protocol: UDP, port: 53}]\n"
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

    var edges: [ObservedEdge] = []
    for _ in 0..<z.edges {
        let s = pods[rng.int(below: pods.count)], d = pods[rng.int(below: pods.count)]
        let ep = { (p: (ns: Int, app: Int, name: String)) in Endpoint.workload("ns\(p.ns)", p.name, kind: "Pod") }
        edges.append(ObservedEdge(key: EdgeKey(source: ep(s), destination: ep(d), proto: .tcp,
                                               port: UInt16(8000 + d.app), outcome: .allowed),
                                  stats: EdgeStats(flows: Int64(rng.int(below: 100) + 1), firstSeen: 0, lastSeen: 0)))
    }
    return Inputs(cluster: cluster, oldText: policies(seed: 7, variant: false), newText: policies(seed: 7, variant: true),
                  edges: edges)
}

/// Process CPU time (all threads), seconds.
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

struct Phase { var wall: Double; var cpu: Double; var rss: Double? }

/// `--digest`: FNV-1a over every item of the check report and every change of the diff, in order, so a
/// refactoring of either is checked for the same output at both sizes (the counts alone do not see the order).
struct Digest {
    var h: UInt64 = 0xcbf29ce484222325
    mutating func add(_ s: String) {
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        h = (h ^ 0x0a) &* 0x100000001b3
    }
    static func of(_ r: PolicyCheck.Report) -> String {
        var d = Digest()
        for (name, items) in [("denied", r.denied), ("unresolved", r.unresolved), ("nowAllowed", r.nowAllowed)] {
            d.add(name)
            for i in items {
                d.add("\(i.source) \(i.destination) \(i.proto) \(i.port) \(i.flows) \(i.firstSeen) \(i.lastSeen) \(i.note) "
                      + "\(i.sourceEgressPolicies) \(i.destinationIngressPolicies) \(i.deniedBy) \(i.routes)")
            }
        }
        return String(d.h, radix: 16)
    }
    static func of(_ r: SemanticDiff.Report) -> String {
        var d = Digest()
        for c in r.changes {
            d.add("\(c.kind) \(c.source) \(c.destination) \(c.sourceIsExternal) \(c.destinationIsExternal) \(c.old) \(c.new) "
                  + "\(c.sourceOnOneSide) \(c.destinationOnOneSide) \(c.breaks) \(c.addedObserved) \(c.addedAnything)")
        }
        d.add("\(r.addedWorkloads) \(r.removedWorkloads) \(r.uncoveredIngress.count) \(r.uncoveredEgress.count) \(r.uncoveredNamespaces)")
        return String(d.h, radix: 16)
    }
}

/// Best-of-`repeats` totals of one size: check and diff (wall, CPU, peak RSS over their phases).
struct Totals {
    var checkWall = Double.infinity, checkCPU = Double.infinity, diffWall = Double.infinity, diffCPU = Double.infinity
    var checkRSS = 0.0, diffRSS = 0.0
}

func run(_ z: Size, repeats: Int) -> Totals {
    print("policy bench: \(z.policies) policies, \(z.pods) pods, \(z.namespaces) namespaces, \(z.edges) edges, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    let input = inputs(z)
    var phases: [String: Phase] = [:]
    /// Times one phase: wall clock, process CPU time and peak RSS (the machine may be shared: CPU time is what
    /// the phase costs, wall time what a user waits on this machine right now).
    func time<T>(_ label: String, _ body: () throws -> T) rethrows -> (T, Double) {
        resetPeakRSS()
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpuNow()
        let v = try body()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, dc = cpuNow() - c0
        let rss = peakRSSMB()
        phases[label] = Phase(wall: dt, cpu: dc, rss: rss)
        print("  " + label.padding(toLength: 44, withPad: " ", startingAt: 0)
              + String(format: " wall %7.3f s   cpu %7.3f s   peak RSS %6.0f MB", dt, dc, rss ?? -1))
        return (v, dt)
    }
    func sum(_ labels: [String]) -> (cpu: Double, rss: Double) {
        (labels.reduce(0) { $0 + (phases[$1]?.cpu ?? 0) }, labels.compactMap { phases[$0]?.rss }.max() ?? 0)
    }
    var best = Totals()
    for round in 1...repeats {
        print("round \(round) of \(repeats)")
        print("check:")
        let (clusterSet, tParseCluster) = time("parse + validate cluster manifests") { ManifestReader.parse(text: input.cluster, file: "cluster.yaml") }
        let (oldSet, tParseOld) = time("parse + validate policies") { ManifestReader.parse(text: input.oldText, file: "old.yaml") }
        if !oldSet.issues.isEmpty || oldSet.policies.count != z.policies || !clusterSet.issues.isEmpty {
            FileHandle.standardError.write(Data("bench manifests invalid: \(oldSet.policies.count) policies; \(clusterSet.issues.prefix(2)) \(oldSet.issues.prefix(3))\n".utf8))
            if args.contains("--dump") { print(input.oldText.components(separatedBy: "---\n")[z.namespaces...].prefix(2).joined(separator: "---\n")) }
            exit(2)
        }
        let (inv, tInv) = time("inventory (group workloads)") { ClusterInventory.build(manifests: clusterSet, store: nil) }
        let (ev, tEv) = time("evaluator precomputation") {
            PolicyEvaluator(policies: oldSet.policies, namespaces: inv.namespaces, workloads: inv.workloads)
        }
        let (report, tCheck) = time("replay \(z.edges) edges") { PolicyCheck.run(ev, edges: input.edges) }
        let checkTotal = tParseCluster + tParseOld + tInv + tEv + tCheck
        let check = sum(["parse + validate cluster manifests", "parse + validate policies", "inventory (group workloads)",
                         "evaluator precomputation", "replay \(z.edges) edges"])
        if args.contains("--digest") { print("  check digest \(Digest.of(report))") }
        print("  " + "CHECK TOTAL".padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " wall %7.3f s   cpu %7.3f s   peak RSS %6.0f MB   (allowed %d, would break %d)", checkTotal, check.cpu, check.rss, report.allowedConnections, report.deniedConnections))

        print("diff:")
        let (newSet, tParseNew) = time("parse + validate new policies") { ManifestReader.parse(text: input.newText, file: "new.yaml") }
        let (evNew, tEvNew) = time("evaluator precomputation (new)") {
            PolicyEvaluator(policies: newSet.policies, namespaces: inv.namespaces, workloads: inv.workloads)
        }
        let diffLabel = "pairwise diff (\(inv.workloads.count) workloads + ranges)"
        let (diff, tDiff) = time(diffLabel) { SemanticDiff.run(old: ev, new: evNew, edges: input.edges) }
        let diffTotal = tParseCluster + tParseOld + tParseNew + tInv + tEv + tEvNew + tDiff
        let d = sum(["parse + validate cluster manifests", "parse + validate policies", "parse + validate new policies",
                     "inventory (group workloads)", "evaluator precomputation", "evaluator precomputation (new)", diffLabel])
        if args.contains("--digest") { print("  diff digest \(Digest.of(diff))") }
        print("  " + "DIFF TOTAL".padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " wall %7.3f s   cpu %7.3f s   peak RSS %6.0f MB   (%d changed pairs, %d breaking)", diffTotal, d.cpu, d.rss, diff.changes.count, diff.breakingChanges))
        if args.contains("--connectivity") {
            let (entries, _) = time("connectivity map (all pairs)") { ConnectivityMap(ev).entries() }
            print("  connectivity entries: \(entries.count)")
        }
        best = Totals(checkWall: min(best.checkWall, checkTotal), checkCPU: min(best.checkCPU, check.cpu),
                      diffWall: min(best.diffWall, diffTotal), diffCPU: min(best.diffCPU, d.cpu),
                      checkRSS: max(best.checkRSS, check.rss), diffRSS: max(best.diffRSS, d.rss))
    }
    print(String(format: "best of %d: check wall %.3f s (cpu %.3f s, peak RSS %.0f MB), diff wall %.3f s (cpu %.3f s, peak RSS %.0f MB)",
                 repeats, best.checkWall, best.checkCPU, best.checkRSS, best.diffWall, best.diffCPU, best.diffRSS))
    return best
}

let base = Size(pods: arg("--pods", 5000), policies: arg("--policies", 2000), edges: arg("--edges", 50000),
                namespaces: arg("--namespaces", 100))
let small = run(base, repeats: arg("--repeat", 3))
let bar = 2.0
print(small.checkWall < bar && small.diffWall < bar ? "OK: both under \(bar) s wall" : "SLOW: over the \(bar) s bar (wall)")
let scale = arg("--scale", 0)
if scale > 1 {
    let big = Size(pods: base.pods * scale, policies: base.policies * scale, edges: base.edges * scale,
                   namespaces: base.namespaces * scale)
    let large = run(big, repeats: arg("--large-repeat", 1))
    let linearBar = Double(scale) * 1.1
    print("\n| verb | CPU s at \(base.policies) x \(base.pods) | CPU s at \(big.policies) x \(big.pods) | ratio (bar \(String(format: "%.0f", linearBar))x) | peak RSS MB 1x / \(scale)x |")
    print("|---|---:|---:|---:|---:|")
    for (verb, a, b, ra, rb) in [("check", small.checkCPU, large.checkCPU, small.checkRSS, large.checkRSS),
                                 ("diff", small.diffCPU, large.diffCPU, small.diffRSS, large.diffRSS)] {
        let ratio = b / max(a, 1e-9)
        print(String(format: "| %@ | %.3f | %.3f | %.1fx %@ | %.0f / %.0f |", verb, a, b, ratio,
                     ratio <= linearBar ? "PASS" : "FAIL", ra, rb))
    }
}
print(String(format: "load average at the end: %@", ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)))
