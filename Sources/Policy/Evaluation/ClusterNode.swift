import FlowModel

/// A node of the cluster as the store's inventory knows it: admin-tier `nodes` peers select its addresses by its
/// labels (T9).
public struct ClusterNode: Sendable, Hashable {
    public var name: String
    /// Nil when no Node object was ingested for it (known only from pods' `hostIP`): no `nodes` peer matches it.
    public var labels: Labels?
    /// InternalIP/ExternalIP of the Node object and the `hostIP` of its pods, sorted.
    public var addresses: [IPAddr]

    public init(name: String, labels: Labels?, addresses: [IPAddr]) {
        self.name = name
        self.labels = labels
        self.addresses = addresses
    }
}
