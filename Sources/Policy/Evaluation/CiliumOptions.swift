import FlowModel

/// The parts of Cilium's enforcement that depend on agent configuration, as switches (docs/cilium-semantics.md,
/// section "Configuration"). Defaults are Cilium's defaults.
public struct CiliumOptions: Sendable, Hashable {
    /// `policy-enforcement`: `default` isolates an endpoint only when a rule selects it (CD1); `always`
    /// isolates every endpoint in both directions; `never` enforces nothing.
    public enum Enforcement: String, Sendable, Hashable, CaseIterable {
        case `default`, always, never
    }
    public var enforcement: Enforcement = .default

    /// `enable-non-default-deny-policies` (on by default): `enableDefaultDeny: false` is honoured (CD2). Off:
    /// every rule isolates its subjects in the directions it has rules for.
    public var nonDefaultDenyPolicies: Bool = true

    /// `allow-localhost` (`auto`, i.e. always, outside host-firewall setups): a pod's own node reaches it
    /// whatever its ingress policy says (CE5).
    public var allowLocalhost: Bool = true

    /// `enable-host-firewall` (off by default): only then do `nodeSelector` policies police the host (CP2).
    public var hostFirewall: Bool = false

    /// Dual-stack identities: external addresses are `world-ipv4` / `world-ipv6` (both selected by `world`);
    /// single-stack (default) they are `world`, which `world-ipv4`/`world-ipv6` do not select (CE3).
    public var dualStack: Bool = false

    /// `enable-sctp` (off by default): without it `ANY` covers TCP and UDP and SCTP rules open nothing (CR5).
    public var sctp: Bool = false

    /// `cluster-name`: the value of `io.cilium.k8s.policy.cluster` on every pod.
    public var clusterName: String = "default"

    /// `policy-default-local-cluster` (ClusterMesh; on by default since Cilium 1.19): an endpoint selector
    /// without `io.cilium.k8s.policy.cluster` selects endpoints of the local cluster only, and so do the peers
    /// of a NetworkPolicy. Off (Cilium 1.18 and older): they select endpoints of every cluster of the mesh.
    /// Policies always select their subjects in the local cluster only (docs/topologies.md).
    public var policyDefaultLocalCluster: Bool = true

    /// B6 as for NetworkPolicy: a single pod talking to itself is always allowed.
    public var selfAlwaysAllowed: Bool = true

    public init(enforcement: Enforcement = .default, nonDefaultDenyPolicies: Bool = true, allowLocalhost: Bool = true,
                hostFirewall: Bool = false, dualStack: Bool = false, sctp: Bool = false,
                clusterName: String = "default", selfAlwaysAllowed: Bool = true,
                policyDefaultLocalCluster: Bool = true) {
        self.policyDefaultLocalCluster = policyDefaultLocalCluster
        self.enforcement = enforcement
        self.nonDefaultDenyPolicies = nonDefaultDenyPolicies
        self.allowLocalhost = allowLocalhost
        self.hostFirewall = hostFirewall
        self.dualStack = dualStack
        self.sctp = sctp
        self.clusterName = clusterName
        self.selfAlwaysAllowed = selfAlwaysAllowed
    }

    public static let `default` = CiliumOptions()
}
