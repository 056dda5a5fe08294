import FlowModel

/// One end of a connection asked of the evaluator.
public enum EvalPeer: Sendable, Hashable {
    /// Index into the evaluator's `workloads`.
    case workload(Int)
    /// An address outside the cluster's pods.
    case address(IPAddr)
    /// A range of addresses: matched by an ipBlock only when the block holds the whole range.
    case range(IPRange)
    /// An address that is not known (a reserved identity such as `world`): matched only by rules that match
    /// every address (no peers, or an ipBlock of a whole family without exceptions).
    case unknownAddress
    /// The node a pod runs on; traffic between a pod and its own node is always allowed (B5).
    case ownNode
    /// Another reserved identity by its Cilium entity name (`kube-apiserver`, `remote-node`, ...): only sets
    /// with Cilium policies ask about these; a NetworkPolicy rule matches it only when it matches every peer.
    case reserved(String)
}
