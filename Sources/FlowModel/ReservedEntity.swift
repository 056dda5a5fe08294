/// A peer without pod labels that FlowMap names (`Endpoint.reserved`): Cilium's reserved identities
/// (pkg/identity: host, world, unmanaged, health, init, remote-node, kube-apiserver, ingress), `unknown` (Hubble
/// endpoints with nothing to name them), and Calico's `private-network`. The one list of their names; an
/// endpoint may still carry a name outside it (a future `reserved:` label, Calico's `networkset:…`), for which
/// `Endpoint.reservedEntity` is nil.
public enum ReservedEntity: String, Sendable, Hashable, CaseIterable, Comparable {
    case host
    case world
    case worldIPv4 = "world-ipv4"
    case worldIPv6 = "world-ipv6"
    case unmanaged
    case health
    case initializing = "init"
    case remoteNode = "remote-node"
    case kubeAPIServer = "kube-apiserver"
    case ingress
    case unknown
    case privateNetwork = "private-network"

    public static func < (a: ReservedEntity, b: ReservedEntity) -> Bool { a.rawValue < b.rawValue }

    /// Entities whose addresses are noted like pods' (inference can turn them into ipBlocks) and that a
    /// flavour can name as entity peers: host, remote-node, kube-apiserver.
    public static let addressed: Set<ReservedEntity> = [.kubeAPIServer, .remoteNode, .host]

    /// Entities a flavour that names entities gets a rule for (Cilium `fromEntities` / `toEntities`): the
    /// addressed ones, and `ingress` (Cilium's Envoy, serving Ingress and Gateway API), which has no address a
    /// NetworkPolicy could use.
    public static let ruleEntities: Set<ReservedEntity> = addressed.union([.ingress])

    /// The nodes: this pod's own (`host`) and the others (`remote-node`).
    public static let nodes: Set<ReservedEntity> = [.remoteNode, .host]

    /// Most specific first: an identity labelled both kube-apiserver and world is the apiserver.
    public static let specificity: [ReservedEntity] = [.kubeAPIServer, .host, .remoteNode, .health, .ingress,
                                                       .initializing, .unmanaged, .worldIPv4, .worldIPv6, .world,
                                                       .unknown]

    /// The entity of a numeric Cilium identity (pkg/identity), for lines whose labels were masked out.
    public init?(identity: Int64) {
        switch identity {
        case 1: self = .host
        case 2, 9, 10: self = .world
        case 3: self = .unmanaged
        case 4: self = .health
        case 5: self = .initializing
        case 6: self = .remoteNode
        case 7: self = .kubeAPIServer
        case 8: self = .ingress
        default: return nil
        }
    }
}

extension Endpoint {
    public static func reserved(_ entity: ReservedEntity) -> Endpoint { .reserved(entity.rawValue) }

    /// The entity of a reserved endpoint whose name is one of `ReservedEntity`; nil otherwise.
    public var reservedEntity: ReservedEntity? { kind == .reserved ? ReservedEntity(rawValue: name) : nil }

    /// True for a reserved endpoint naming `entity`.
    public func isReserved(_ entity: ReservedEntity) -> Bool { kind == .reserved && name == entity.rawValue }
}
