import Emit
import FlowModel
import Inference
import Policy

/// `generate`'s check of its own output: the generated set replayed against the evidence it was inferred from,
/// by the evaluation `flowmap check` uses (`Check.Evaluation`), so `flowmap check` of the written files agrees.
public struct SelfCheck: Sendable {
    /// What `check` reports for the generated set over the edges inference used.
    public var report: PolicyCheck.Report
    /// Documents of the generated set the manifest reader rejected (a FlowMap bug; never expected).
    public var invalid: [String]
    /// Edges replayed.
    public var edges: Int

    /// True when applying the set would deny an observed-allowed connection, allow an observed-denied one,
    /// or when part of it could not be evaluated.
    public var failed: Bool {
        report.deniedConnections > 0 || report.observedDeniedNowAllowed > 0 || report.unresolvedConnections > 0
            || !invalid.isEmpty
    }

    /// One line per finding, each naming source, destination, protocol and port; empty when nothing failed.
    public var findings: [String] {
        func line(_ i: PolicyCheck.Item) -> String {
            "  \(i.source) => \(i.destination) : \(i.proto) \(i.port)  (\(i.flows) flow\(i.flows == 1 ? "" : "s")"
                + (i.lastSeen.isEmpty ? ")" : ", last seen \(i.lastSeen))") + (i.note.isEmpty ? "" : ": \(i.note)")
        }
        var out: [String] = []
        if !report.denied.isEmpty {
            out.append("would break \(report.denied.count) observed-allowed connection(s), denied by the generated policies:")
            out += report.denied.map(line)
        }
        if !report.nowAllowed.isEmpty {
            out.append("would allow \(report.nowAllowed.count) observed-denied connection(s):")
            out += report.nowAllowed.map(line)
        }
        if !report.unresolved.isEmpty {
            out.append("could not evaluate \(report.unresolved.count) observed connection(s):")
            out += report.unresolved.map(line)
        }
        if !invalid.isEmpty {
            out.append("the generated policies were rejected by FlowMap's own manifest reader (please report this):")
            out += invalid.map { "  \($0)" }
        }
        return out
    }

    /// The edges inference used: in the evidence window, at least `minFlows` flows (denied edges always), with
    /// an end in an included namespace. Edges between namespaces the run left out are not its to judge.
    public static func edges(_ all: [ObservedEdge], _ o: InferenceOptions) -> [ObservedEdge] {
        all.filter { e in
            (e.key.outcome == .denied || e.stats.flows >= o.minFlows)
                && (o.includes(e.key.source) || o.includes(e.key.destination))
        }
    }

    /// Replays `edges` against the NetworkPolicy rendering of `plan` (the flavour `check` reads), built as the
    /// evaluator's model directly: equal to the YAML read back by `check` (`EmitTests` "the policy model equals
    /// the YAML read back"), without the cost of writing and parsing it again. `baseline` (`--cluster-baseline`)
    /// is evaluated with it, as `check` of the written files evaluates `cluster-baseline.yaml`.
    ///
    /// A Cilium run (`cilium` set: the options, with the observed DNS names and requests) is checked through its
    /// own rendering read back, since only Cilium can name some peers (`fromEntities: [ingress]` for Cilium's
    /// Envoy, peers of another cluster by `io.cilium.k8s.policy.cluster`) that the NetworkPolicy rendering leaves
    /// out.
    ///
    /// Host-network workloads (`StoreData.hostNetwork`) are evaluated as node traffic (`--host-network node`).
    ///
    /// ClusterMesh: the NetworkPolicy flavour writes no rule for edges with an end in another cluster
    /// (`Endpoint.cluster`; inference warned), so they are not its to judge and are left out of its replay.
    public static func run(plan: PolicyPlan, baseline: ClusterBaseline? = nil, edges: [ObservedEdge],
                           store: ClusterInventory.StoreData,
                           cilium: (options: EmitOptions, dnsNames: [IPAddr: [String]], l7: [EdgeKey: [L7Observation]])? = nil)
        -> SelfCheck {
        let edges = cilium != nil ? edges : edges.filter { !$0.key.source.isRemote && !$0.key.destination.isRemote }
        var set = ManifestSet()
        var invalid: [String]
        var dnsNames = [IPAddr: [String]](), l7 = [EdgeKey: [L7Observation]]()
        if let cilium {
            set = ManifestReader.parse(text: CiliumPolicyEmitter(options: cilium.options).stream(for: plan),
                                       file: "generated")
            invalid = set.issues.map(\.description)
            (dnsNames, l7) = (cilium.dnsNames, cilium.l7)
        } else {
            let built = NetworkPolicyEmitter(options: EmitOptions()).policies(for: plan)
            set.policies = built.policies
            invalid = built.invalid
        }
        set.adminPolicies = baseline.map { [$0.policy] } ?? []
        // Host-network workloads as node traffic (G1: what most CNIs do, and what inference writes them as: their
        // nodes' ipBlocks); without any, the same as the default. `check --host-network node` agrees.
        let report = Check.Evaluation(manifests: set, data: store, edges: edges,
                                      options: EvaluatorOptions(hostNetwork: .asNode),
                                      dnsNames: dnsNames, l7: l7).report()
        return SelfCheck(report: report, invalid: invalid, edges: edges.count)
    }
}
