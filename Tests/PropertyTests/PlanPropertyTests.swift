import FlowModel
import TestSupport
import Testing
@testable import Inference

/// Random clusters -> Evidence -> Inferrer -> the plan read with NetworkPolicy semantics (`PlanOracle`), checked
/// against the spec (`Expectation`) on every (source pod, destination pod, protocol, port) tuple, including
/// replicas from a rollout that the evidence never saw.
@Suite("Property: the plan allows exactly the evidence")
struct PlanPropertyTests {
    static let seeds: [UInt64] = Array(1...64)

    @Test("observed allowed => allowed, not observed => denied", arguments: seeds, InferenceOptions.SelectorMode.allCases)
    func exactness(seed: UInt64, selector: InferenceOptions.SelectorMode) throws {
        let c = ClusterGenerator.make(seed: seed)
        let plan = Inferrer(options: ClusterGenerator.options(for: c, selector: selector)).infer(c.evidence)
        #expect(plan.namespaces.flatMap(\.workloads).allSatisfy { !$0.selector.isEmpty && $0.selectorWarning == nil },
                "seed \(seed): \(plan.warnings)")
        let v = Expectation(c).violations(PlanOracle(plan, pods: c.pods))
        #expect(v.isEmpty, "seed \(seed):\n\(v.joined(separator: "\n"))")
    }

    @Test("selectors never use volatile labels, cover future replicas and select no other workload's pods",
          arguments: seeds, InferenceOptions.SelectorMode.allCases)
    func stableSelectors(seed: UInt64, selector: InferenceOptions.SelectorMode) {
        let c = ClusterGenerator.make(seed: seed)
        let plan = Inferrer(options: ClusterGenerator.options(for: c, selector: selector)).infer(c.evidence)
        let byWorkload = c.podsByWorkload
        for w in plan.namespaces.flatMap(\.workloads) {
            #expect(w.selector.keys.allSatisfy { !VolatileLabels.isVolatile($0) }, "seed \(seed): \(w.selector)")
            for p in byWorkload[w.endpoint] ?? [] { #expect(p.labels.matches(w.selector), "seed \(seed): \(p)") }
            for p in c.pods where p.workload != w.endpoint && p.namespace == w.endpoint.namespace {
                #expect(!p.labels.matches(w.selector), "seed \(seed): \(w.endpoint) selector matches \(p)")
            }
        }
    }

    @Test("inference does not depend on the order of the evidence", arguments: seeds.prefix(20))
    func orderIndependent(seed: UInt64) {
        let c = ClusterGenerator.make(seed: seed)
        var shuffled = c.evidence
        var rng = SeededRNG(propertySeed: seed ^ 0xFFFF)
        shuffled.edges.shuffle(using: &rng)
        let o = ClusterGenerator.options(for: c)
        #expect(Inferrer(options: o).infer(c.evidence) == Inferrer(options: o).infer(shuffled))
    }

    @Test("the check fails on a plan that allows too much or too little")
    func checkCanFail() throws {
        // Find a seed with a workload-to-workload egress rule.
        var seed: UInt64 = 1
        var c = ClusterGenerator.make(seed: seed)
        var plan = Inferrer(options: ClusterGenerator.options(for: c)).infer(c.evidence)
        func firstEgress(_ p: PolicyPlan) -> (Int, Int, Int)? {
            for (ni, ns) in p.namespaces.enumerated() {
                for (wi, w) in ns.workloads.enumerated() {
                    if let ri = w.egress.firstIndex(where: { if case .workload = $0.peer { return true } else { return false } }) {
                        return (ni, wi, ri)
                    }
                }
            }
            return nil
        }
        while firstEgress(plan) == nil {
            seed += 1
            c = ClusterGenerator.make(seed: seed)
            plan = Inferrer(options: ClusterGenerator.options(for: c)).infer(c.evidence)
        }
        let (ni, wi, ri) = firstEgress(plan)!
        let exp = Expectation(c)
        #expect(exp.violations(PlanOracle(plan, pods: c.pods)).isEmpty)

        var tooLittle = plan
        tooLittle.namespaces[ni].workloads[wi].egress.remove(at: ri)
        #expect(exp.violations(PlanOracle(tooLittle, pods: c.pods)).contains { $0.hasPrefix("observed but DENIED") })

        // One extra egress rule to the whole IPv4 internet.
        var tooMuch = plan
        tooMuch.namespaces[ni].workloads[wi].egress.append(RulePlan(
            peer: .ipBlock(cidr: "0.0.0.0/0", except: [], note: ""),
            ports: [PortPlan(proto: .tcp, port: 443, flows: 1, firstSeen: 0, lastSeen: 0)]))
        #expect(exp.violations(PlanOracle(tooMuch, pods: c.pods)).contains { $0.hasPrefix("not observed but ALLOWED") })

        // A namespace without its default-deny.
        var open = plan
        open.namespaces.remove(at: ni)
        #expect(exp.violations(PlanOracle(open, pods: c.pods)).contains { $0.hasPrefix("not observed but ALLOWED") })
    }

    @Test("observed-denied probes stay denied", arguments: seeds.prefix(16))
    func deniedStayDenied(seed: UInt64) {
        let c = ClusterGenerator.make(seed: seed)
        let plan = Inferrer(options: ClusterGenerator.options(for: c)).infer(c.evidence)
        let oracle = PlanOracle(plan, pods: c.pods)
        let pods = c.podsByWorkload
        #expect(Set(plan.denied.map { Conn(src: $0.key.source, dst: $0.key.destination, proto: $0.key.proto,
                                           port: $0.key.port) }) == c.denied)
        for d in c.denied where !Expectation(c).allowed.contains(d) {
            for s in pods[d.src] ?? [] {
                for t in pods[d.dst] ?? [] where s != t {
                    #expect(!oracle.allows(s, t, d.proto, d.port), "seed \(seed): \(d)")
                }
            }
        }
    }
}

@Suite("Property: the generator covers the features under test")
struct GeneratorCoverageTests {
    @Test("across the seeds: rollouts, StatefulSets, internet-facing ports, orphan resolvers, node-local DNS, named ports, dropped probes, L7")
    func coverage() {
        var features: [String: Int] = [:]
        for seed in PlanPropertyTests.seeds {
            let c = ClusterGenerator.make(seed: seed)
            let plan = Inferrer(options: ClusterGenerator.options(for: c)).infer(c.evidence)
            let exp = Expectation(c)
            func count(_ k: String, _ b: Bool) { if b { features[k, default: 0] += 1 } }
            count("future replicas", c.pods.contains { !$0.observed })
            count("StatefulSet", c.workloads.contains { $0.workloadKind == "StatefulSet" })
            count("internet-facing", !exp.internetFacing.isEmpty)
            count("orphan resolver", plan.namespaces.flatMap(\.workloads).contains { $0.notes.contains { $0.description.contains("cluster resolver") } })
            count("node-local DNS", c.allowed.contains { $0.dst.name == "169.254.20.10" })
            count("named port", plan.namespaces.flatMap(\.workloads).flatMap { $0.ingress + $0.egress }.flatMap(\.ports).contains { $0.name != nil })
            count("dropped probe", !c.denied.isEmpty)
            count("http rules", plan.namespaces.flatMap(\.workloads).flatMap(\.ingress).flatMap(\.ports).contains { !$0.http.isEmpty })
            count("cross-namespace", c.allowed.contains { $0.src.kind == .workload && $0.dst.kind == .workload && $0.src.namespace != $0.dst.namespace && $0.dst.namespace != "kube-system" })
            count("IPv6 peer", c.allowed.contains { $0.src.name.contains(":") || $0.dst.name.contains(":") })
            count("one-sided namespace", !exp.openEgress.isEmpty || !exp.openIngress.isEmpty)
            count("DNS baseline", plan.namespaces.contains { !$0.dnsBaseline.isEmpty })
            count("denied DNS", c.denied.contains { $0.port == 53 })
            count("denied internet source", c.denied.contains { $0.src.kind == .external })
            count("stand-ins", c.evidence.edges.contains { $0.key.source.workloadKind == Endpoint.labelIdentityKind })
            let workloads = plan.namespaces.flatMap(\.workloads)
            func controller(_ w: WorkloadPlan) -> Labels? { c.evidence.controllerSelectors[w.endpoint].map(VolatileLabels.stable) }
            let minimal = Inferrer(options: ClusterGenerator.options(for: c, selector: .minimal)).infer(c.evidence)
            count("controller selector used", workloads.contains { w in
                controller(w) == w.selector && minimal.namespaces.flatMap(\.workloads)
                    .contains { $0.endpoint == w.endpoint && $0.selector != w.selector }
            })
            count("controller selector rejected", workloads.contains { w in controller(w).map { $0 != w.selector } ?? false })
        }
        for f in ["future replicas", "StatefulSet", "internet-facing", "orphan resolver", "node-local DNS", "named port",
                  "dropped probe", "http rules", "cross-namespace", "IPv6 peer", "one-sided namespace", "DNS baseline",
                  "denied DNS", "denied internet source", "stand-ins", "controller selector used",
                  "controller selector rejected"] {
            #expect(features[f, default: 0] >= 3, "feature \(f) covered by only \(features[f, default: 0]) seeds")
        }
    }
}
