/// A namespace with its labels; `kubernetes.io/metadata.name` is always present (C9).
public struct ClusterNamespace: Sendable, Hashable {
    public static let nameLabel = "kubernetes.io/metadata.name"

    public var name: String
    public var labels: [String: String]

    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        var l = labels
        l[ClusterNamespace.nameLabel] = name
        self.labels = l
    }
}
