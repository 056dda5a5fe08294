/// One ingress or egress rule. An empty `peers` list matches every peer including external addresses (C5);
/// an empty `ports` list matches every protocol and port (F3).
public struct NetworkPolicyRule: Sendable, Hashable {
    public var peers: [NetworkPolicyPeer]
    public var ports: [NetworkPolicyPort]

    public init(peers: [NetworkPolicyPeer] = [], ports: [NetworkPolicyPort] = []) {
        self.peers = peers
        self.ports = ports
    }
}
