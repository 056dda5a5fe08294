import FlowModel
import Inference
import Policy

/// `generate --cluster-baseline`: one baseline-tier object (ClusterNetworkPolicy tier Baseline, or the
/// BaselineAdminNetworkPolicy `default`) in place of the egress half of every namespace's `default-deny` and its
/// `allow-dns` (docs/admin-network-policy-semantics.md, "generate --cluster-baseline", has the reasoning):
/// - egress: Accept/Allow DNS to the resolvers the namespaces' DNS baseline names, then Deny everything (every
///   namespace and `networks` 0.0.0.0/0, ::/0). A pod an allow NetworkPolicy isolates for egress never reaches
///   the baseline tier (T2), so its allow policy carries the DNS rules itself.
/// - ingress: Deny from every pod. Baseline ingress peers cannot name external addresses, so each covered
///   namespace keeps a `default-deny` NetworkPolicy for ingress; this rule covers namespaces the run did not
///   see (new ones).
/// A namespace is covered only when its default-deny isolated both directions and its DNS baseline is the shared
/// one; the others keep their per-namespace policies and are left out of the subject.
public struct ClusterBaseline: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy, tier Baseline.
        case cnp
        /// `policy.networking.k8s.io/v1alpha1` BaselineAdminNetworkPolicy (the singleton `default`).
        case banp
    }

    public var kind: Kind
    /// Namespaces whose egress default-deny and DNS baseline this object replaces, sorted.
    public var covered: [String]
    /// The subject: every namespace except these (sorted; a cluster-wide run), or only `covered` (a run limited
    /// with --namespace) when nil.
    public var leftOut: [String]?
    /// The shared DNS baseline (empty: none), ports by number.
    public var dns: [RulePlan]

    /// The ClusterNetworkPolicy's name and the file name stem; a BaselineAdminNetworkPolicy is always `default`.
    public static let name = "cluster-baseline"
    /// Last in the Baseline tier: a catch-all deny goes after any more specific baseline policy.
    public static let priority = 1000
    static let nameLabel = "kubernetes.io/metadata.name"

    /// Moves what the baseline object takes over out of `plan`. `scoped`: the run named its namespaces
    /// (--namespace), so the subject lists them; otherwise it selects every namespace except `leftOut` (system and
    /// excluded namespaces, and the known ones not covered). Nil when no namespace qualifies.
    public static func apply(to plan: PolicyPlan, kind: Kind, scoped: Bool,
                             leftOut: Set<String>) -> (plan: PolicyPlan, baseline: ClusterBaseline?) {
        let candidates = plan.namespaces.filter { $0.denyIngress && $0.denyEgress && expressible($0.dnsBaseline) }
        // The most common DNS baseline (ties: the first namespace's) is the one the object carries.
        var count: [[RulePlan]: Int] = [:]
        for ns in candidates { count[ns.dnsBaseline, default: 0] += 1 }
        guard let shared = candidates.map(\.dnsBaseline).max(by: { count[$0]! < count[$1]! }) else {
            var p = plan
            p.warnings = PlanWarning.sorted(p.warnings + [.noClusterBaseline])
            return (p, nil)
        }
        var p = plan
        var covered: [String] = []
        var warnings = p.warnings
        for i in p.namespaces.indices {
            let ns = p.namespaces[i]
            guard ns.denyIngress && ns.denyEgress else { continue }  // its notes already say which direction is open
            guard ns.dnsBaseline == shared else {
                warnings.append(.outsideClusterBaseline(namespace: ns.name))
                continue
            }
            covered.append(ns.name)
            p.namespaces[i].denyEgress = false
            p.namespaces[i].dnsBaseline = []
            p.namespaces[i].notes = InferenceNote.sorted(ns.notes + [.inClusterBaseline(file: "\(Self.name).yaml")])
            for w in ns.workloads.indices where !ns.workloads[w].egress.isEmpty {
                p.namespaces[i].workloads[w].egress = merged(ns.workloads[w].egress, shared)
            }
        }
        p.warnings = PlanWarning.sorted(warnings)
        let out = leftOut.subtracting(covered).sorted()
        return (p, ClusterBaseline(kind: kind, covered: covered.sorted(), leftOut: scoped ? nil : out,
                                   dns: shared.map { RulePlan(peer: $0.peer, ports: $0.ports.map(numbered)) }))
    }

    /// Peers the admin API can name: workloads, and addresses without exceptions (`networks` has none).
    static func expressible(_ rules: [RulePlan]) -> Bool {
        rules.allSatisfy {
            switch $0.peer {
            case .workload: return true
            case .ipBlock(_, let except, _): return except.isEmpty
            case .namespace: return false
            }
        }
    }

    /// `rules` plus the DNS rules, ports added to a rule for the same peer, sorted by peer.
    static func merged(_ rules: [RulePlan], _ dns: [RulePlan]) -> [RulePlan] {
        var out = rules
        for d in dns {
            if let i = out.firstIndex(where: { $0.peer == d.peer }) {
                for port in d.ports where !out[i].ports.contains(where: { $0.proto == port.proto && $0.port == port.port }) {
                    out[i].ports.append(port)
                }
                out[i].ports.sort()
            } else {
                out.append(d)
            }
        }
        return out.sorted { $0.peer < $1.peer }
    }

    /// The admin API's standard channel has no named ports: DNS is written by number.
    static func numbered(_ p: PortPlan) -> PortPlan {
        var q = p
        q.name = nil
        return q
    }

    /// The network-policy-api release whose CRD (standard channel) the object validates against.
    public var release: String { kind == .cnp ? "v0.2.0" : "v0.1.7" }

    public var adminKind: AdminPolicy.Kind { kind == .cnp ? .clusterNetworkPolicy : .baselineAdminNetworkPolicy }
    public var objectName: String { kind == .cnp ? Self.name : "default" }

    /// `kubernetes.io/metadata.name NotIn leftOut` (everything when nothing is left out), or `In covered`.
    public var subjectSelector: LabelSelector {
        guard let leftOut else {
            return LabelSelector(matchExpressions: [LabelSelectorRequirement(key: Self.nameLabel, op: .in, values: covered)])
        }
        if leftOut.isEmpty { return .everything }
        return LabelSelector(matchExpressions: [LabelSelectorRequirement(key: Self.nameLabel, op: .notIn, values: leftOut)])
    }

    /// The object as the evaluator's model: equal to its YAML read back (tested), apart from the source location.
    public var policy: AdminPolicy {
        var egress = dns.map { r -> AdminPolicy.Rule in
            AdminPolicy.Rule(name: "allow-dns", action: .allow, peers: [Self.peer(r.peer)],
                             ports: r.ports.map { .number($0.proto, Int($0.port)) })
        }
        egress.append(AdminPolicy.Rule(name: "deny-all", action: .deny,
                                       peers: [.selection(.namespaces(.everything)),
                                               .networks([CIDR("0.0.0.0/0")!, CIDR("::/0")!])]))
        return AdminPolicy(kind: adminKind, name: objectName, tier: .baseline,
                           priority: kind == .cnp ? Self.priority : Int.max,
                           subject: .namespaces(subjectSelector),
                           ingress: [AdminPolicy.Rule(name: "deny-in-cluster", action: .deny,
                                                      peers: [.selection(.namespaces(.everything))])],
                           egress: egress)
    }

    static func peer(_ p: PeerPlan) -> AdminPolicy.Peer {
        switch p {
        case .workload(let ep, let sel):
            return .selection(.pods(namespaces: LabelSelector(matchLabels: [nameLabel: ep.namespace]),
                                    pods: LabelSelector(matchLabels: sel)))
        case .ipBlock(let cidr, _, _):
            return .networks(CIDR(cidr).map { [$0] } ?? [])
        case .namespace(let n):
            return .selection(.namespaces(LabelSelector(matchLabels: [nameLabel: n])))
        }
    }

    /// The first lines of a rule: its name, its action and the key its peers follow (`from` or `to`).
    static func rule(_ y: inout YAMLBuilder, _ name: String, action: String, peers: String, comment: String? = nil) {
        y.line(4, "- name: \(name)", comment: comment)
        y.line(6, "action: \(action)")
        y.line(6, "\(peers):")
    }

    /// The YAML document (no file header).
    func yaml(plan: PolicyPlan, version: String) -> String {
        var y = YAMLBuilder()
        let cnp = kind == .cnp
        EmitCommon.header(&y, apiVersion: cnp ? "policy.networking.k8s.io/v1alpha2" : "policy.networking.k8s.io/v1alpha1",
                          kind: adminKind.rawValue, name: objectName, namespace: nil, plan: plan, version: version,
                          annotations: ["flowmap.io/network-policy-api": release])  // the release whose CRD it follows
        y.line(0, "spec:")
        y.comment(2, "Cluster baseline: what no NetworkPolicy admits is denied here, for pods no NetworkPolicy "
                  + "isolates (an isolating NetworkPolicy decides on its own; the baseline tier is then not consulted).")
        y.comment(2, "Ingress from outside the cluster cannot be denied by a baseline rule: each covered namespace "
                  + "keeps a default-deny NetworkPolicy for ingress.")
        y.comment(2, "Covers: " + (covered.isEmpty ? "(none)" : covered.joined(separator: ", ")))
        if cnp {
            y.line(2, "tier: Baseline")
            y.line(2, "priority: \(Self.priority)")
        }
        y.line(2, "subject:")
        y.line(4, "namespaces:" + (subjectSelector.isEmpty ? " {}" : ""))
        if let r = subjectSelector.matchExpressions.first {
            y.line(6, "matchExpressions:")
            y.itemPair(8, "key", r.key)
            y.line(10, "operator: \(r.op.rawValue)")
            y.line(10, "values:")
            for v in r.values { y.line(12, "- \(YAMLText.scalar(v))") }
        }
        y.line(2, "ingress:")
        Self.rule(&y, "deny-in-cluster", action: "Deny", peers: "from")
        y.line(8, "- namespaces: {}")
        y.line(2, "egress:")
        for r in dns {
            Self.rule(&y, "allow-dns", action: cnp ? "Accept" : "Allow", peers: "to",
                      comment: EmitCommon.peerEvidence(EmitCommon.peerText(r.peer), r.ports))
            switch r.peer {
            case .workload(let ep, let sel):
                y.line(8, "- pods:")
                y.line(12, "namespaceSelector:")
                y.line(14, "matchLabels:")
                y.pair(16, Self.nameLabel, ep.namespace)
                y.line(12, "podSelector:")
                y.line(14, "matchLabels:")
                y.labels(16, sel)
            case .ipBlock(let cidr, _, let note):
                y.line(8, "- networks:", comment: note.isEmpty ? nil : note)
                y.line(12, "- \(YAMLText.scalar(cidr))")
            case .namespace(let n):
                y.line(8, "- namespaces:")
                y.line(12, "matchLabels:")
                y.pair(14, Self.nameLabel, n)
            }
            y.line(6, cnp ? "protocols:" : "ports:")
            for p in r.ports {
                if cnp {
                    y.line(8, "- \(p.proto.rawValue.lowercased()):", comment: EmitCommon.portEvidence(p))
                    y.line(12, "destinationPort:")
                    y.line(14, "number: \(p.port)")
                } else {
                    y.line(8, "- portNumber:", comment: EmitCommon.portEvidence(p))
                    y.line(12, "protocol: \(p.proto.rawValue)")
                    y.line(12, "port: \(p.port)")
                }
            }
        }
        Self.rule(&y, "deny-all", action: "Deny", peers: "to")
        y.line(8, "- namespaces: {}")
        y.line(8, "- networks:")
        y.line(12, "- 0.0.0.0/0")
        y.line(12, "- \"::/0\"")
        return y.text
    }
}
