/// Why inference wrote no rule (or a different one) for something it observed: one case per reason, with what the
/// reason is about as values, not text. A workload's notes and a namespace's notes in a `PolicyPlan` are these; the
/// text a reviewer reads (a YAML comment `# note: ...`) is rendered in one place, `description`.
///
/// An emitter decides by case, never by matching the text (the Cilium emitter drops `reservedPeer` notes for an
/// entity it writes a `fromEntities` / `toEntities` rule for).
public enum InferenceNote: Sendable, Hashable, CustomStringConvertible {
    /// Which way a peer was seen: traffic from it (into the owner's ingress) or to it (out of the owner's egress).
    public enum Direction: String, Sendable, Hashable {
        case from, to
    }

    /// Why a reserved entity (Cilium `reserved:<name>`) peer gave no NetworkPolicy rule.
    public enum ReservedReason: Sendable, Hashable {
        /// `host`: the pod's own node (kubelet probes) is always allowed by NetworkPolicy.
        case alwaysAllowedNode
        /// `kube-apiserver`, `remote-node`: no address of it is known, so no ipBlock.
        case noAddress
        /// `world` without an address, `health`, `init`, `unmanaged`, `ingress`, `unknown` ...
        case notExpressible
    }

    /// An allowed edge without a TCP / UDP / SCTP port (ICMP, protocol OTHER, port 0): NetworkPolicy cannot say it.
    case noPort(source: Endpoint, destination: Endpoint, proto: Proto, port: UInt16)
    /// A workload peer without stable labels: nothing selects it.
    case unselectablePeer(Endpoint)
    /// A reserved-entity peer that produced no rule, and why.
    case reservedPeer(entity: String, direction: Direction, reason: ReservedReason)
    /// One DNS protocol to a resolver was observed denied, so it is not allowed beside its sibling.
    case dnsSiblingDenied(proto: Proto, resolver: Endpoint)
    /// DNS to a resolver that answers from a node (a host-network resolver, node-local DNS) was observed on one
    /// protocol only: the other is not allowed (never broader than the evidence), though a truncated response
    /// makes clients retry over TCP.
    case dnsSiblingNotObserved(proto: Proto, resolver: Endpoint)
    /// The workload resolved names but no DNS server was observed anywhere.
    case noDNSServer
    /// The workload resolved names without a DNS flow of its own: DNS allowed to the cluster's resolvers.
    case clusterResolvers([Endpoint])
    /// The controller-level selector was rejected (the reason as `SelectorChooser` gives it); the minimal one is used.
    case minimalSelector(reason: String)
    /// A direction of the namespace was never observed: no default-deny for it. `knownWorkloads` is the list
    /// as written (`a/b[Deployment], ...`, or `(none)`).
    case directionNotObserved(ingress: Bool, knownWorkloads: String)
    /// `--cluster-baseline`: the namespace's egress default-deny and DNS baseline are in the cluster-wide object.
    case inClusterBaseline(file: String)
    /// The API server called an admission webhook (`webhook` as `InventoryRoute.description` names it) served by
    /// the owner on `proto`/`port`; `allowed` is false when no API server address is known, so the NetworkPolicy
    /// flavour has no ipBlock to allow it by.
    case webhookCall(webhook: String, source: Endpoint, proto: Proto, port: UInt16, allowed: Bool)
    /// `--services`: flows to `peer` were addressed to `service` (`namespace/name`), but the egress rule keeps the
    /// endpoint selector; `reason` says why (the Service selects other workloads too, has no selector, ...).
    case serviceKept(service: String, peer: Endpoint, reason: String)
    /// ClusterMesh: a peer of another cluster (`Endpoint.cluster`), which NetworkPolicy cannot name.
    case remoteClusterPeer(Endpoint, direction: Direction)
    /// A workload peer whose pods all run in the host network (inventory `hostNetwork: true`): allowed as its
    /// nodes' traffic (NetworkPolicy: ipBlocks of the node addresses; Cilium: `host` / `remote-node`), since
    /// the NetworkPolicy spec leaves host-network pods to the CNI. `addressed` is false when no address of its
    /// nodes is known, so the NetworkPolicy flavour has no rule for it.
    case hostNetworkPeer(Endpoint, direction: Direction, addressed: Bool)

    /// The entity and direction of a `reservedPeer` note; nil for every other case.
    public var reservedPeer: (entity: String, direction: Direction)? {
        if case .reservedPeer(let entity, let direction, _) = self { return (entity, direction) }
        return nil
    }

    /// The text of the note, as the YAML comment shows it.
    public var description: String {
        switch self {
        case .noPort(let source, let destination, let proto, let port):
            return "\(source) -> \(destination) \(proto.rawValue)" + (port == 0 ? " (no port)" : "/\(port)")
                + " observed: not expressible (no TCP/UDP/SCTP port), no rule"
        case .unselectablePeer(let ep):
            return "\(ep) has no stable labels to select it by; no rule for it (add labels, or an inventory)"
        case .reservedPeer(let entity, let dir, .alwaysAllowedNode):
            return "traffic \(dir.rawValue) reserved:\(entity) (node, kubelet probes) observed: always allowed for the "
                + "pod's own node, no rule"
        case .reservedPeer(let entity, let dir, .noAddress):
            return "traffic \(dir.rawValue) reserved:\(entity) observed with no address: no rule"
        case .reservedPeer(let entity, let dir, .notExpressible):
            return "traffic \(dir.rawValue) reserved:\(entity) observed: not expressible as a NetworkPolicy peer, no rule"
        case .dnsSiblingDenied(let proto, let resolver):
            return "\(proto.rawValue)/53 to \(resolver) was observed denied: not allowed with its DNS sibling protocol"
        case .dnsSiblingNotObserved(let proto, let resolver):
            return "\(proto.rawValue)/53 to \(resolver) was not observed: not allowed (it answers from a node, where "
                + "only the observed DNS protocols are written); a truncated DNS response retried over TCP would be denied"
        case .noDNSServer:
            return "resolved names but no DNS server was observed: no DNS rule"
        case .clusterResolvers(let resolvers):
            return "resolved names, but none of its DNS flows is in the evidence: DNS allowed to the cluster resolver(s) "
                + resolvers.map(\.description).joined(separator: ", ")
        case .minimalSelector(let reason):
            return "\(reason): minimal selector used"
        case .directionNotObserved(let ingress, let known):
            let (dir, side) = ingress ? ("ingress", "to") : ("egress", "from")
            return "no \(dir) \(side) its pods was observed (known workloads: \(known)): no \(dir) default-deny, "
                + "\(dir) stays unrestricted"
        case .webhookCall(let webhook, let source, let proto, let port, let allowed)
            where source.reservedEntity.map(ReservedEntity.nodes.contains) == true:
            let own = source.reservedEntity == .host
            return "\(proto.rawValue)/\(port) from \(source) is the admission webhook \(webhook): the API server, which "
                + "Cilium reports as a node when it runs in the host network; "
                + (own ? "always allowed from the pod's own node (Cilium: the host entity)"
                    : allowed ? "allowed from the node addresses (Cilium: the remote-node entity)"
                    : "no node address is known, so NetworkPolicy has no rule for it (Cilium: the remote-node entity); "
                        + "add the Node objects to the inventory")
        case .webhookCall(let webhook, let source, let proto, let port, let allowed):
            return "\(proto.rawValue)/\(port) from \(source) is the admission webhook \(webhook): "
                + (allowed ? "allowed from the API server's addresses (Cilium: the kube-apiserver entity)"
                    : "no API server address is known, so NetworkPolicy has no rule for it (Cilium: the kube-apiserver "
                    + "entity); add the default/kubernetes EndpointSlice to the inventory")
        case .serviceKept(let service, let peer, let reason):
            return "traffic to \(peer) via Service \(service): not written as toServices (\(reason)); the endpoint "
                + "selector is kept"
        case .remoteClusterPeer(let ep, let dir):
            return "traffic \(dir.rawValue) \(ep) (cluster \(ep.cluster)) observed: NetworkPolicy cannot name a cluster, "
                + "and a podSelector would also admit local pods with its labels; no rule (--flavor cilium names it)"
        case .hostNetworkPeer(let ep, let dir, let addressed):
            return "traffic \(dir.rawValue) \(ep) observed: it runs in the host network, which the NetworkPolicy spec "
                + "leaves to the CNI (most see its node's addresses): "
                + (addressed ? "allowed as its nodes' traffic (NetworkPolicy: ipBlocks of the node addresses; Cilium: the "
                    + "host / remote-node entities)"
                    : "its flows showed no address of it, so NetworkPolicy has no rule for it (Cilium: the host / "
                    + "remote-node entities)")
        case .inClusterBaseline(let file):
            return "egress default-deny and DNS baseline: in the cluster baseline (\(file)); ingress stays isolated here"
        }
    }

    /// Notes in the order they are shown: by their text (the order the plan has always had).
    public static func sorted<S: Sequence>(_ notes: S) -> [InferenceNote] where S.Element == InferenceNote {
        notes.map { ($0.description, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
