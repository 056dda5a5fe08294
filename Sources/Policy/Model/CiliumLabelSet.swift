import FlowModel

/// The labels of one identity (a pod's workload, a reserved entity, an address), indexed by key.
public struct CiliumLabelSet: Sendable, Hashable {
    /// key -> (source, value) pairs, sorted.
    var byKey: [String: [CiliumLabel]] = [:]

    public init(_ labels: [CiliumLabel] = []) {
        for l in labels { byKey[l.key, default: []].append(l) }
        for k in byKey.keys { byKey[k]!.sort() }
    }

    /// A pod's identity labels: its labels under `k8s:`, its namespace and the namespace's labels (CS3, CS4),
    /// and the cluster name.
    public static func pod(labels: [String: String], namespace: String, namespaceLabels: [String: String],
                           cluster: String) -> CiliumLabelSet {
        var out = labels.map { CiliumLabel(source: CiliumLabel.k8s, key: $0.key, value: $0.value) }
        out.append(CiliumLabel(source: CiliumLabel.k8s, key: CiliumLabel.namespaceKey, value: namespace))
        for (k, v) in namespaceLabels {
            out.append(CiliumLabel(source: CiliumLabel.k8s, key: CiliumLabel.namespaceLabelsPrefix + k, value: v))
        }
        out.append(CiliumLabel(source: CiliumLabel.k8s, key: CiliumLabel.clusterKey, value: cluster))
        return CiliumLabelSet(out)
    }

    /// A reserved identity: `reserved:<entity>`.
    public static func reserved(_ e: CiliumEntity) -> CiliumLabelSet {
        CiliumLabelSet([CiliumLabel(source: CiliumLabel.reserved, key: e.rawValue)])
    }

    /// The first label with this key whose source matches (`any` matches every source).
    public func value(source: String, key: String) -> String? {
        guard let ls = byKey[key] else { return nil }
        return ls.first { source == CiliumLabel.any || $0.source == source }?.value
    }

    public var labels: [CiliumLabel] { byKey.values.flatMap { $0 }.sorted() }
}
