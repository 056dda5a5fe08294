import FlowModel

/// A `cilium.io/v2` CiliumNetworkPolicy (namespaced) or CiliumClusterwideNetworkPolicy: `spec` and `specs`
/// are both rules of the same policy (docs/cilium-semantics.md, CP1).
public struct CiliumPolicy: Sendable, Hashable {
    public var name: String
    /// The policy's namespace; empty for a clusterwide policy.
    public var namespace: String
    public var rules: [CiliumRule]
    public var location: SourceLocation

    public init(name: String, namespace: String, rules: [CiliumRule], location: SourceLocation) {
        self.name = name
        self.namespace = namespace
        self.rules = rules
        self.location = location
    }

    public var isClusterwide: Bool { namespace.isEmpty }
    public var kind: String { isClusterwide ? "CiliumClusterwideNetworkPolicy" : "CiliumNetworkPolicy" }
    /// `CiliumNetworkPolicy ns/name` or `CiliumClusterwideNetworkPolicy name`, for messages.
    public var displayName: String { isClusterwide ? "\(kind) \(name)" : "\(kind) \(namespace)/\(name)" }
}
