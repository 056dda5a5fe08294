/// How generated policies are laid out.
public struct EmitOptions: Sendable {
    public enum Layout: String, Sendable, CaseIterable {
        case perNamespace = "per-namespace"
        case perWorkload = "per-workload"
    }
    public var layout: Layout = .perNamespace
    /// Written into an annotation of every policy.
    public var version: String = "0.1.0"

    public init() {}
}
