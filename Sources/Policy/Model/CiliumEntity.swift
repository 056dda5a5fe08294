import FlowModel

/// A Cilium entity (`fromEntities`/`toEntities`): a name for peers without pod labels (CE1-CE4).
public enum CiliumEntity: String, Sendable, Hashable, CaseIterable, Comparable {
    case all
    case world
    case worldIPv4 = "world-ipv4"
    case worldIPv6 = "world-ipv6"
    case cluster
    case host
    case remoteNode = "remote-node"
    case kubeAPIServer = "kube-apiserver"
    case health
    case initializing = "init"
    case ingress
    case unmanaged
    case none

    public static func < (a: CiliumEntity, b: CiliumEntity) -> Bool { a.rawValue < b.rawValue }

    /// The reserved identities a policy entity selects (pkg/policy/api/entity.go `EntitySelectorMapping`);
    /// `all` and `cluster` also select pods and are handled by the evaluator.
    public var reservedIdentities: Set<CiliumEntity> {
        switch self {
        case .all: return Set(CiliumEntity.identities)
        case .world: return [.world, .worldIPv4, .worldIPv6]
        case .cluster: return [.host, .remoteNode, .initializing, .ingress, .health, .unmanaged, .kubeAPIServer]
        default: return [self]
        }
    }

    /// Entities that are identities a peer can have (`all`, `cluster` and `none` are only selectors).
    public static let identities: [CiliumEntity] = [.world, .worldIPv4, .worldIPv6, .host, .remoteNode,
                                                    .kubeAPIServer, .health, .initializing, .ingress, .unmanaged]
}
