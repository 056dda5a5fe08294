import FlowModel
import Inference
import Policy

/// Writes a `PolicyPlan` as Kubernetes NetworkPolicy YAML: per namespace a default-deny policy and one allow
/// policy per workload, with the evidence as comments. Output is a pure function of the plan.
public struct NetworkPolicyEmitter: Sendable, PolicyDocumentWriter {
    public var options: EmitOptions

    public init(options: EmitOptions = EmitOptions()) { self.options = options }

    public static let managedBy = EmitCommon.managedBy

    /// File name -> contents, plus `kustomization.yaml` listing the others.
    public func files(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> [(name: String, text: String)] {
        layoutFiles(for: plan, baseline: baseline)
    }

    /// All policies as one multi-document stream (for `--out -`).
    public func stream(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> String {
        layoutStream(for: plan, baseline: baseline)
    }

    /// The same policies as `stream(for:)`, as the evaluator's model, without writing and re-reading YAML (for
    /// `generate`'s self-check on large plans). Equal to the stream read back by `ManifestReader` (tested), apart
    /// from source locations. `invalid` lists CIDRs the API server would reject (never expected).
    public func policies(for plan: PolicyPlan) -> (policies: [NetworkPolicy], invalid: [String]) {
        var out: [NetworkPolicy] = []
        var invalid: [String] = []
        for ns in plan.namespaces {
            func rules(_ list: [RulePlan], _ policy: String) -> [NetworkPolicyRule] {
                list.compactMap { r in
                    let peer: NetworkPolicyPeer
                    switch r.peer {
                    case .workload(let ep, let sel):
                        peer = .pods(podSelector: LabelSelector(matchLabels: sel),
                                     namespaceSelector: ep.namespace == ns.name ? nil
                                         : LabelSelector(matchLabels: ["kubernetes.io/metadata.name": ep.namespace]))
                    case .ipBlock(let cidr, let except, _):
                        let ex = except.compactMap(CIDR.init)
                        guard let c = CIDR(cidr), ex.count == except.count else {
                            invalid.append("\(ns.name)/\(policy): ipBlock \(cidr) except \(except)")
                            return nil
                        }
                        peer = .ipBlock(IPBlock(cidr: c, except: ex))
                    case .namespace(let other):
                        peer = .pods(podSelector: nil,
                                     namespaceSelector: LabelSelector(matchLabels: ["kubernetes.io/metadata.name": other]))
                    }
                    return NetworkPolicyRule(peers: [peer], ports: r.ports.map {
                        NetworkPolicyPort(proto: $0.proto, port: $0.name.map { .name($0) } ?? .number(Int($0.port)),
                                          endPort: $0.endPort.map(Int.init))
                    })
                }
            }
            if ns.hasDefaultDeny {
                var types = Set<PolicyType>()
                if ns.denyIngress { types.insert(.ingress) }
                if ns.denyEgress { types.insert(.egress) }
                out.append(NetworkPolicy(name: "default-deny", namespace: ns.name, podSelector: .everything,
                                         policyTypes: types))
            }
            if !ns.dnsBaseline.isEmpty {
                out.append(NetworkPolicy(name: EmitCommon.dnsBaselineName, namespace: ns.name, podSelector: .everything,
                                         policyTypes: [.egress],
                                         egress: rules(ns.dnsBaseline, EmitCommon.dnsBaselineName)))
            }
            for (w, name) in zip(ns.workloads, EmitCommon.allowNames(ns)) {
                // As `allow`: a policy with no rules is a record in a direction the default-deny isolates.
                var types = Set<PolicyType>()
                if !w.ingress.isEmpty { types.insert(.ingress) }
                if !w.egress.isEmpty { types.insert(.egress) }
                if types.isEmpty { types.insert(ns.denyIngress ? .ingress : .egress) }
                out.append(NetworkPolicy(name: name, namespace: ns.name, podSelector: LabelSelector(matchLabels: w.selector),
                                         policyTypes: types, ingress: rules(w.ingress, name), egress: rules(w.egress, name)))
            }
        }
        for i in out.indices { out[i].managedBy = Self.managedBy }  // as the YAML's managed-by label says
        return (out, invalid)
    }

    static let apiVersion = "networking.k8s.io/v1"
    static let kind = "NetworkPolicy"

    func defaultDeny(_ y: inout YAMLBuilder, _ ns: NamespacePlan, plan: PolicyPlan) {
        defaultDenyDocument(
            &y, ns, plan: plan,
            bothDirections: "Selects every pod in the namespace; with no rules it allows nothing in either direction.",
            oneDirection: "Selects every pod in the namespace; with no rules it allows nothing in the direction listed.")
        y.line(2, "podSelector: {}")
        y.line(2, "policyTypes:")
        if ns.denyIngress { y.line(4, "- Ingress") }
        if ns.denyEgress { y.line(4, "- Egress") }
    }

    func dnsBaseline(_ y: inout YAMLBuilder, _ ns: NamespacePlan, plan: PolicyPlan) {
        dnsBaselineDocument(&y, ns, plan: plan, selects: "pod")
        y.line(2, "podSelector: {}")
        y.line(2, "policyTypes:")
        y.line(4, "- Egress")
        y.line(2, "egress:")
        for r in ns.dnsBaseline { rule(&y, r, field: "to", policyNamespace: ns.name) }
    }

    func allow(_ y: inout YAMLBuilder, _ w: WorkloadPlan, in ns: NamespacePlan, name: String, plan: PolicyPlan) {
        document(&y, name: name, namespace: w.endpoint.namespace, plan: plan)
        EmitCommon.workloadComments(&y, 2, w)
        y.line(2, "podSelector:")
        y.line(4, "matchLabels:")
        y.labels(6, w.selector)
        y.line(2, "policyTypes:")
        if !w.ingress.isEmpty { y.line(4, "- Ingress") }
        if !w.egress.isEmpty { y.line(4, "- Egress") }
        // Only notes or denied evidence: keep the policy as a visible record that allows nothing, in a direction
        // the namespace's default-deny already isolates (never one the capture did not see).
        let recordOnly = w.ingress.isEmpty && w.egress.isEmpty
        let recordEgress = recordOnly && !ns.denyIngress
        if recordOnly { y.line(4, recordEgress ? "- Egress" : "- Ingress") }
        if !w.ingress.isEmpty {
            y.line(2, "ingress:")
            for r in w.ingress { rule(&y, r, field: "from", policyNamespace: w.endpoint.namespace) }
        } else if recordOnly {
            y.line(2, recordEgress ? "egress: []" : "ingress: []")
        }
        if !w.egress.isEmpty {
            y.line(2, "egress:")
            for r in w.egress { rule(&y, r, field: "to", policyNamespace: w.endpoint.namespace) }
        }
    }

    private func rule(_ y: inout YAMLBuilder, _ r: RulePlan, field: String, policyNamespace: String) {
        y.line(4, "- \(field):", comment: EmitCommon.peerEvidence(EmitCommon.peerText(r.peer), r.ports))
        switch r.peer {
        case .workload(let ep, let sel):
            if ep.namespace == policyNamespace {
                y.line(8, "- podSelector:")
            } else {
                y.line(8, "- namespaceSelector:")
                y.line(12, "matchLabels:")
                y.pair(14, "kubernetes.io/metadata.name", ep.namespace)
                y.line(10, "podSelector:")
            }
            y.line(12, "matchLabels:")
            y.labels(14, sel)
        case .ipBlock(let cidr, let except, let note):
            y.line(8, "- ipBlock:", comment: note.isEmpty ? nil : note)
            y.pair(12, "cidr", cidr)
            if !except.isEmpty {
                y.line(12, "except:")
                for e in except { y.line(14, "- \(YAMLText.scalar(e))") }
            }
        case .namespace(let ns):
            y.line(8, "- namespaceSelector:")
            y.line(12, "matchLabels:")
            y.pair(14, "kubernetes.io/metadata.name", ns)
        }
        y.line(6, "ports:")
        for p in r.ports {
            y.line(8, "- protocol: \(p.proto.rawValue)")
            y.line(10, "port: \(p.name.map(YAMLText.scalar) ?? String(p.port))", comment: EmitCommon.portEvidence(p))
            if let e = p.endPort { y.line(10, "endPort: \(e)") }
        }
    }
}
