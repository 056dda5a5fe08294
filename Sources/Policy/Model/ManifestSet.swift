/// Everything read from a manifests path: valid policies, namespaces, pods and controllers, the rejected
/// documents' issues, and how many documents of other kinds were skipped.
public struct ManifestSet: Sendable {
    public var policies: [NetworkPolicy] = []
    /// CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies (`cilium.io/v2`).
    public var ciliumPolicies: [CiliumPolicy] = []
    /// Namespaces by name (labels as given; the evaluator adds `kubernetes.io/metadata.name`).
    public var namespaces: [String: ClusterNamespace] = [:]
    public var pods: [PodManifest] = []
    public var controllers: [ControllerManifest] = []
    public var issues: [ManifestIssue] = []
    /// Documents of other kinds, by kind (`(none)` for documents without a kind).
    public var skipped: [String: Int] = [:]
    /// Files read.
    public var files: Int = 0

    public init() {}

    public var skippedCount: Int { skipped.values.reduce(0, +) }

    public mutating func merge(_ o: ManifestSet) {
        policies += o.policies
        ciliumPolicies += o.ciliumPolicies
        for (k, v) in o.namespaces { namespaces[k] = v }
        pods += o.pods
        controllers += o.controllers
        issues += o.issues
        for (k, v) in o.skipped { skipped[k, default: 0] += v }
        files += o.files
    }
}
