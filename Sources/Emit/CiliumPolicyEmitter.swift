import FlowModel
import Inference
import Policy

/// Writes a `PolicyPlan` as CiliumNetworkPolicy (`cilium.io/v2`) YAML: per namespace a default-deny policy and
/// one allow policy per workload, with the evidence as comments, like `NetworkPolicyEmitter`, plus what only
/// Cilium can say:
/// - peers as `fromEndpoints`/`toEndpoints` that always name the namespace (`k8s:io.kubernetes.pod.namespace`);
/// - `toPorts[].rules.http` (method, path regex) on ports where HTTP was observed, on both sides of the edge;
/// - egress to DNS servers with `rules.dns` listing the names queried (the DNS proxy must see the queries for
///   `toFQDNs` to work);
/// - `toFQDNs` instead of `/32`s for external peers with known names, when the workload has a DNS rule;
/// - `fromEntities`/`toEntities` for `host`, `kube-apiserver` and `remote-node` instead of their addresses;
/// - `toServices` (`k8sService`) for egress rules inference gave a Service (`--services`, `RulePlan.toService`).
/// Output is a pure function of the plan.
public struct CiliumPolicyEmitter: Sendable, PolicyDocumentWriter {
    public var options: EmitOptions

    public init(options: EmitOptions = EmitOptions()) { self.options = options }

    /// Cilium's label for an endpoint's namespace, used in every endpoint peer.
    public static let namespaceLabel = "k8s:io.kubernetes.pod.namespace"
    /// Cilium's label for an endpoint's cluster, in the peers of another cluster (ClusterMesh).
    public static let clusterLabel = "k8s:io.cilium.k8s.policy.cluster"

    /// File name -> contents, plus `kustomization.yaml` listing the others.
    public func files(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> [(name: String, text: String)] {
        layoutFiles(for: plan, baseline: baseline)
    }

    /// All policies as one multi-document stream (for `--out -`).
    public func stream(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> String {
        layoutStream(for: plan, baseline: baseline)
    }

    static let apiVersion = "cilium.io/v2"
    static let kind = "CiliumNetworkPolicy"

    func defaultDeny(_ y: inout YAMLBuilder, _ ns: NamespacePlan, plan: PolicyPlan) {
        defaultDenyDocument(
            &y, ns, plan: plan,
            bothDirections: "Selects every endpoint in the namespace; an empty rule in each direction allows nothing.",
            oneDirection: "Selects every endpoint in the namespace; an empty rule in the direction listed allows nothing.")
        y.line(2, "endpointSelector: {}")
        if ns.denyIngress {
            y.line(2, "ingress:")
            y.line(4, "- {}")
        }
        if ns.denyEgress {
            y.line(2, "egress:")
            y.line(4, "- {}")
        }
    }

    /// DNS baseline; `rules.dns` with every name, so the DNS proxy still sees the queries (`toFQDNs`).
    func dnsBaseline(_ y: inout YAMLBuilder, _ ns: NamespacePlan, plan: PolicyPlan) {
        dnsBaselineDocument(&y, ns, plan: plan, selects: "endpoint")
        y.line(2, "endpointSelector: {}")
        y.line(2, "egress:")
        for r in ns.dnsBaseline {
            // No names observed on these entries, so a non-empty `extraDNS` makes `toPorts` write `matchPattern: "*"`.
            rule(&y, r, ingress: false, namespace: ns.name, fqdns: nil, extraDNS: ["*"])
        }
    }

    func allow(_ y: inout YAMLBuilder, _ w: WorkloadPlan, in ns: NamespacePlan, name: String, plan: PolicyPlan) {
        document(&y, name: name, namespace: w.endpoint.namespace, plan: plan)
        // Inference notes that NetworkPolicy cannot name an entity; here the entity rules below do.
        var shown = w
        shown.notes = w.notes.filter { n in
            guard let (entity, direction) = n.reservedPeer else { return true }
            return !(direction == .from ? w.ingressEntities : w.egressEntities).contains { $0.entity == entity }
        }
        EmitCommon.workloadComments(&y, 2, shown)
        y.line(2, "endpointSelector:")
        y.line(4, "matchLabels:")
        y.labels(6, w.selector)

        // Entity rules replace the ipBlocks that stand for the same entity, and those of host-network peers'
        // nodes (inference adds `host` / `remote-node` for every such peer: Cilium gives them the node's identity).
        let inEntities = Set(w.ingressEntities.map(\.entity)), outEntities = Set(w.egressEntities.map(\.entity))
        let ingress = w.ingress.filter {
            !$0.peer.isHostNetworkBlock && ($0.peer.reservedEntity.map { !inEntities.contains($0) } ?? true)
        }
        let egress = w.egress.filter {
            !$0.peer.isHostNetworkBlock && ($0.peer.reservedEntity.map { !outEntities.contains($0) } ?? true)
        }

        // External peers with known names become toFQDNs, which only works when the workload's DNS traffic goes
        // through a DNS rule: so only when it has one.
        let hasDNSRule = egress.contains(where: Self.isDNSRule)
            || w.egressEntities.contains { $0.ports.contains(where: Self.isDNSPort) }
        var fqdns = [PeerPlan: [String]]()
        if hasDNSRule {
            for r in egress where !Self.isDNSRule(r) {
                guard case .ipBlock(let cidr, let except, _) = r.peer, except.isEmpty else { continue }
                let names = (plan.externalNames[cidr] ?? []).filter(Self.isValidDNSName)
                if !names.isEmpty { fqdns[r.peer] = names }
            }
        }
        let fqdnNames = Set(fqdns.values.joined()).sorted()

        if ingress.isEmpty && egress.isEmpty && w.ingressEntities.isEmpty && w.egressEntities.isEmpty {
            // Only notes or denied evidence: keep the policy as a visible record that allows nothing.
            y.line(2, "ingress:")
            y.line(4, "- {}", comment: "nothing observed to allow")
            return
        }
        if !ingress.isEmpty || !w.ingressEntities.isEmpty {
            y.line(2, "ingress:")
            for r in ingress { rule(&y, r, ingress: true, namespace: w.endpoint.namespace, fqdns: nil, extraDNS: []) }
            for e in w.ingressEntities { entityRule(&y, e, ingress: true, extraDNS: []) }
        }
        if !egress.isEmpty || !w.egressEntities.isEmpty {
            y.line(2, "egress:")
            for r in egress {
                var unused: [String]?
                if case .ipBlock(let cidr, _, _) = r.peer, fqdns[r.peer] == nil { unused = plan.externalNames[cidr] }
                rule(&y, r, ingress: false, namespace: w.endpoint.namespace, fqdns: fqdns[r.peer],
                     extraDNS: Self.isDNSRule(r) ? fqdnNames : [], unusedNames: unused)
            }
            for e in w.egressEntities { entityRule(&y, e, ingress: false, extraDNS: fqdnNames) }
        }
    }

    private func rule(_ y: inout YAMLBuilder, _ r: RulePlan, ingress: Bool, namespace: String, fqdns: [String]?,
                      extraDNS: [String], unusedNames: [String]? = nil) {
        let evidence = EmitCommon.peerEvidence(EmitCommon.peerText(r.peer), r.ports)
        switch r.peer {
        case .workload where !ingress && r.toService != nil:
            // `--services` (Cilium >= 1.17 for a Service with a selector): inference checked that the Service
            // selects exactly this workload (`InferenceOptions.services`).
            let svc = r.toService!
            let slash = svc.firstIndex(of: "/") ?? svc.startIndex
            y.line(4, "- toServices:", comment: evidence)
            y.line(8, "- k8sService:")
            y.pair(12, "serviceName", String(svc[svc.index(after: slash)...]))
            y.pair(12, "namespace", String(svc[..<slash]))
        case .workload(let ep, let sel):
            y.line(4, ingress ? "- fromEndpoints:" : "- toEndpoints:", comment: evidence)
            y.line(8, "- matchLabels:")
            var labels = sel
            labels[Self.namespaceLabel] = ep.namespace
            if ep.isRemote { labels[Self.clusterLabel] = ep.cluster }  // ClusterMesh: a peer of another cluster
            y.labels(12, labels)
        case .ipBlock(let cidr, let except, let note):
            if let names = fqdns {
                y.line(4, "- toFQDNs:", comment: evidence)
                for n in names { y.itemPair(8, "matchName", n) }
            } else {
                y.line(4, ingress ? "- fromCIDRSet:" : "- toCIDRSet:", comment: evidence)
                if !ingress, let names = unusedNames, !names.isEmpty {
                    y.comment(8, "known as \(names.joined(separator: ", ")); no DNS rule observed for this workload, "
                              + "so toFQDNs could not learn its addresses: kept as a CIDR")
                }
                y.itemPair(8, "cidr", cidr, comment: note.isEmpty ? nil : note)
                if !except.isEmpty {
                    y.line(10, "except:")
                    for e in except { y.line(12, "- \(YAMLText.scalar(e))") }
                }
            }
        case .namespace(let ns):
            y.line(4, ingress ? "- fromEndpoints:" : "- toEndpoints:", comment: evidence)
            y.line(8, "- matchLabels:")
            y.labels(12, [Self.namespaceLabel: ns])
        }
        toPorts(&y, r.ports, ingress: ingress, dnsServer: !ingress && Self.isDNSRule(r), extraDNS: extraDNS)
    }

    private func entityRule(_ y: inout YAMLBuilder, _ e: EntityRulePlan, ingress: Bool, extraDNS: [String]) {
        y.line(4, ingress ? "- fromEntities:" : "- toEntities:",
               comment: EmitCommon.peerEvidence("reserved:\(e.entity)", e.ports))
        y.line(8, "- \(YAMLText.scalar(e.entity))")
        let dns = !ingress && e.ports.contains(where: Self.isDNSPort)
        toPorts(&y, e.ports, ingress: ingress, dnsServer: dns, extraDNS: dns ? extraDNS : [])
    }

    /// What a group of ports shares in one `toPorts` entry.
    private enum L7: Hashable {
        case none
        case http([HTTPRulePlan])
        case dns([String])
        /// Every name: DNS seen only at L4, yet toFQDNs needs the DNS proxy to see the answers.
        case dnsAny
    }

    /// `toPorts`: ports with the same L7 rules share an entry; entries ordered by their first port.
    private func toPorts(_ y: inout YAMLBuilder, _ ports: [PortPlan], ingress: Bool, dnsServer: Bool,
                         extraDNS: [String]) {
        var observed = Set<String>()
        for p in ports where Self.isDNSPort(p) { observed.formUnion(p.dnsQueries) }
        let unusable = observed.filter { !Self.isValidDNSName($0) }.sorted()
        let dnsNames = observed.subtracting(unusable).union(extraDNS).sorted()
        var groups: [(l7: L7, ports: [PortPlan])] = []
        for p in ports {
            let l7: L7
            if dnsServer && Self.isDNSPort(p) && !observed.isEmpty {
                l7 = .dns(dnsNames)
            } else if dnsServer && Self.isDNSPort(p) && !extraDNS.isEmpty {
                l7 = .dnsAny
            } else if p.proto == .tcp && !p.http.isEmpty {
                l7 = .http(p.http)
            } else {
                l7 = .none
            }
            if let i = groups.firstIndex(where: { $0.l7 == l7 && $0.ports.count < Self.maxPortsPerEntry }) {
                groups[i].ports.append(p)
            } else {
                groups.append((l7, [p]))
            }
        }
        y.line(6, "toPorts:")
        for g in groups {
            y.line(8, "- ports:")
            for p in g.ports {
                y.itemPair(12, "port", p.name ?? String(p.port), comment: EmitCommon.portEvidence(p))
                if let e = p.endPort { y.line(14, "endPort: \(e)") }
                y.line(14, "protocol: \(p.proto.rawValue)")
            }
            switch g.l7 {
            case .none:
                break
            case .http(let rules):
                y.line(10, "rules:")
                y.line(12, "http:")
                let usable = rules.filter { Self.isHTTPToken($0.method) }
                let unusable = Set(rules.map(\.method)).filter { !Self.isHTTPToken($0) }.sorted()
                if !unusable.isEmpty {
                    y.comment(14, "not HTTP methods (RFC 9110 tokens), no rule allows them: "
                              + unusable.map { YAMLText.quoted($0) }.joined(separator: ", "))
                }
                if usable.isEmpty {
                    // Still an L7 rule, so the port does not open to every request: `^$` matches no method.
                    y.itemPair(14, "method", Self.noMethod, comment: "nothing observed here is an HTTP request")
                }
                for r in usable {
                    // Cilium reads the method as a regular expression: the observed one must match only itself.
                    y.itemPair(14, "method", PathGeneralizer.escape(r.method),
                               comment: "\(r.pathTemplate): \(EmitCommon.band(r.requests)) requests")
                    y.pair(16, "path", r.pathRegex)
                }
            case .dns(let names):
                y.line(10, "rules:")
                y.line(12, "dns:", comment: extraDNS.isEmpty ? "the names queried"
                       : "the names queried, and the names toFQDNs needs resolved")
                if !unusable.isEmpty {
                    y.comment(14, "not expressible as matchName, left out: " + unusable.joined(separator: ", "))
                }
                for n in names { y.itemPair(14, "matchName", n) }
            case .dnsAny:
                y.line(10, "rules:")
                y.line(12, "dns:", comment: "queries were not seen at L7: every name, so toFQDNs can learn addresses")
                y.itemPair(14, "matchPattern", "*")
            }
        }
    }

    /// A method regex no request matches (every request has a non-empty method).
    static let noMethod = "^$"

    /// An RFC 9110 token (`1*tchar`), what an HTTP method is.
    static func isHTTPToken(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    /// The CRD allows at most 40 ports in one `toPorts` entry; more become further entries with the same rules.
    static let maxPortsPerEntry = 40

    /// Egress to a DNS server: a peer on port 53 (resolver pods, node-local DNS addresses).
    static func isDNSRule(_ r: RulePlan) -> Bool { r.ports.contains(where: isDNSPort) }

    static func isDNSPort(_ p: PortPlan) -> Bool { p.port == 53 && (p.proto == .udp || p.proto == .tcp) }

    /// What Cilium's `matchName` accepts: `^([-a-zA-Z0-9_]+[.]?)+$`, at most 255 characters.
    static func isValidDNSName(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 255, s.first != "." else { return false }
        var previousDot = false
        for u in s.unicodeScalars {
            if u == "." {
                if previousDot { return false }
                previousDot = true
            } else {
                let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "-"
                    || u == "_"
                if !ok { return false }
                previousDot = false
            }
        }
        return true
    }
}
