/// How generated policies are laid out.
public struct EmitOptions: Sendable {
    public enum Layout: String, Sendable, CaseIterable {
        case perNamespace = "per-namespace"
        case perWorkload = "per-workload"
    }
    /// Which policy API to write.
    public enum Flavor: String, Sendable, CaseIterable {
        /// `networking.k8s.io/v1` NetworkPolicy: L3/L4, any conformant CNI.
        case k8s
        /// `cilium.io/v2` CiliumNetworkPolicy: adds L7 HTTP and DNS rules, `toFQDNs` and `toEntities`.
        case cilium
    }
    public var layout: Layout = .perNamespace
    public var flavor: Flavor = .k8s
    /// Written into an annotation of every policy.
    public var version: String = "0.1.0"

    public init() {}
}
