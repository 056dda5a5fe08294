/// Everything read from a manifests path: valid policies, namespaces, pods and controllers, the rejected
/// documents' issues, the kinds FlowMap does not evaluate that change connectivity, and how many documents of
/// other (harmless) kinds were skipped.
public struct ManifestSet: Sendable {
    public var policies: [NetworkPolicy] = []
    /// AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy objects (cluster-wide tiers).
    public var adminPolicies: [AdminPolicy] = []
    /// Accepted objects the API server would warn about (equal admin priorities, peers FlowMap cannot match).
    public var warnings: [ManifestIssue] = []
    /// CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies (`cilium.io/v2`).
    public var ciliumPolicies: [CiliumPolicy] = []
    /// Namespaces by name (labels as given; the evaluator adds `kubernetes.io/metadata.name`).
    public var namespaces: [String: ClusterNamespace] = [:]
    public var pods: [PodManifest] = []
    public var controllers: [ControllerManifest] = []
    public var issues: [ManifestIssue] = []
    /// Objects of kinds that change connectivity but are not evaluated (Cilium, Calico,
    /// Ingress ...), with where each was found.
    public var unsupported: [UnsupportedKind: [SourceLocation]] = [:]
    /// Documents of other kinds, by kind (`(none)` for documents without a kind).
    public var skipped: [String: Int] = [:]
    /// Files read, and the documents in them (List items not counted separately).
    public var files: Int = 0
    public var documents: Int = 0
    /// The paths given (files, folders, `-`), for messages.
    public var paths: [String] = []

    public init() {}

    public var skippedCount: Int { skipped.values.reduce(0, +) }

    public mutating func merge(_ o: ManifestSet) {
        policies += o.policies
        adminPolicies += o.adminPolicies
        warnings += o.warnings
        ciliumPolicies += o.ciliumPolicies
        for (k, v) in o.namespaces { namespaces[k] = v }
        pods += o.pods
        controllers += o.controllers
        issues += o.issues
        for (k, v) in o.unsupported { unsupported[k, default: []] += v }
        for (k, v) in o.skipped { skipped[k, default: 0] += v }
        files += o.files
        documents += o.documents
        for p in o.paths where !paths.contains(p) { paths.append(p) }
    }

    /// Two NetworkPolicies with one namespace/name: the API server keeps one object, so evaluating both would
    /// answer for a set that cannot exist. The earlier one is rejected with an issue naming both places; the
    /// last one stays (what `kubectl apply` of the files in order leaves).
    public mutating func rejectDuplicatePolicies() {
        var last: [String: Int] = [:]
        for (i, p) in policies.enumerated() { last[p.qualifiedName] = i }
        guard last.count < policies.count else { return }
        var kept: [NetworkPolicy] = []
        for (i, p) in policies.enumerated() {
            let winner = last[p.qualifiedName]!
            if winner == i {
                kept.append(p)
                continue
            }
            let here = p.location ?? SourceLocation(file: "?", document: -1)
            let there = policies[winner].location.map(\.description) ?? "?"
            issues.append(ManifestIssue(
                file: here.file, document: here.document, path: "metadata.name", line: here.line,
                object: "NetworkPolicy \(p.qualifiedName)",
                message: "Duplicate value: \"\(p.name)\": also defined at \(there); the API server keeps only one "
                    + "object per namespace/name: rename or remove one of them"))
        }
        policies = kept
    }
}
