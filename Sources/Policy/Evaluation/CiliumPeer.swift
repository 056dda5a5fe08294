import FlowModel

/// One end of a connection asked of the Cilium evaluator: a pod workload, a reserved identity, or an address
/// outside the cluster.
public enum CiliumPeer: Sendable, Hashable {
    /// Index into the evaluator's `workloads`.
    case workload(Int)
    /// A reserved identity (`host` is the pod's own node; `world` an external address that is not known).
    case entity(CiliumEntity)
    /// An address outside the cluster (identity `world`, selected by CIDR rules and, through the DNS names
    /// observed for it, by `toFQDNs`).
    case address(IPAddr)
    /// A range of external addresses: matched by a CIDR rule only when the rule holds the whole range.
    case range(IPRange)

    /// The NetworkPolicy evaluator's peer for the same end.
    public init(_ p: EvalPeer) {
        switch p {
        case .workload(let i): self = .workload(i)
        case .address(let a): self = .address(a)
        case .range(let r): self = .range(r)
        case .unknownAddress: self = .entity(.world)
        case .ownNode: self = .entity(.host)
        case .reserved(let name): self = .entity(CiliumEntity(rawValue: name) ?? .world)
        }
    }

    /// The peer a NetworkPolicy rule of a mixed set sees (CM2): Cilium gives ipBlocks CIDR identities, which
    /// never select reserved identities other than `world`; `.ownNode` is what only a peerless rule matches.
    var networkPolicyPeer: EvalPeer {
        switch self {
        case .workload(let i): return .workload(i)
        case .address(let a): return .address(a)
        case .range(let r): return .range(r)
        case .entity(.world), .entity(.worldIPv4), .entity(.worldIPv6): return .unknownAddress
        case .entity: return .ownNode
        }
    }
}
