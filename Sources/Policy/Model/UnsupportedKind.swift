/// A kind FlowMap does not evaluate although it changes what can connect (CNI-specific policies,
/// ingress routes). A check over a set that holds one would answer for only part of the rules in force.
public struct UnsupportedKind: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The `kind` as written.
    public var kind: String
    /// API group (`cilium.io`); empty for the core group.
    public var group: String
    /// What objects of this kind can change, for the message.
    public var effect: String

    public init(kind: String, group: String, effect: String) {
        self.kind = kind
        self.group = group
        self.effect = effect
    }

    /// `Kind.group` (kubectl's spelling), the name `--ignore-kind` takes.
    public var qualifiedName: String { group.isEmpty ? kind : "\(kind).\(group)" }

    public var description: String { qualifiedName }

    /// `--ignore-kind NAME` accepts this kind: the qualified name, or the bare kind when that is unambiguous
    /// (a bare `NetworkPolicy` is always the Kubernetes one).
    public func matches(_ name: String) -> Bool {
        name == qualifiedName || (name == kind && kind != "NetworkPolicy")
    }

    public static func < (a: UnsupportedKind, b: UnsupportedKind) -> Bool { a.qualifiedName < b.qualifiedName }

    static let cilium = "Cilium local redirects and egress gateways, which change where traffic goes"
    static let calico = "Calico ordered allow / deny / pass rules evaluated before NetworkPolicies"
    static let antrea = "Antrea tiered allow / drop rules evaluated before NetworkPolicies"
    static let ingress = "traffic from the ingress or gateway controller's pods to the routed backends"
    static let multiNetwork = "policies on secondary (Multus) networks"
    static let mesh = "service-mesh L7 authorization that can deny connections NetworkPolicies allow"

    /// The known kinds, by API group (a group matches itself and, for the Calico CRD group, its prefix).
    static let table: [String: [String: String]] = [
        "cilium.io": ["CiliumLocalRedirectPolicy": cilium, "CiliumEgressGatewayPolicy": cilium],
        "projectcalico.org": ["NetworkPolicy": calico, "GlobalNetworkPolicy": calico,
                              "StagedNetworkPolicy": calico, "StagedGlobalNetworkPolicy": calico],
        "crd.projectcalico.org": ["NetworkPolicy": calico, "GlobalNetworkPolicy": calico],
        "crd.antrea.io": ["NetworkPolicy": antrea, "ClusterNetworkPolicy": antrea],
        "networking.k8s.io": ["Ingress": ingress],
        "extensions": ["Ingress": ingress],
        "gateway.networking.k8s.io": ["Gateway": ingress, "HTTPRoute": ingress, "GRPCRoute": ingress,
                                      "TCPRoute": ingress, "TLSRoute": ingress, "UDPRoute": ingress],
        "route.openshift.io": ["Route": ingress],
        "k8s.cni.cncf.io": ["MultiNetworkPolicy": multiNetwork],
        "security.istio.io": ["AuthorizationPolicy": mesh],
        "policy.linkerd.io": ["AuthorizationPolicy": mesh, "Server": mesh],
    ]

    /// The unsupported kind of an object, if it is one: `apiVersion` is `group/version` (or `version`).
    public static func of(kind: String, apiVersion: String) -> UnsupportedKind? {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        guard let effect = table[group]?[kind] else { return nil }
        return UnsupportedKind(kind: kind, group: group, effect: effect)
    }
}
