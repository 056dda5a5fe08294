/// Label identities (`Endpoint.labelIdentityKind`: a Hubble endpoint with labels and a namespace but no pod name,
/// as proxy legs report) and the workloads they stand for: the known workloads of the same namespace with a label
/// set carrying every one of the identity's labels. The store reads an identity with exactly one such workload as
/// that workload (so no verb sees it as a workload of its own); inference names the others (`StandIns`).
public enum LabelIdentities {
    /// Each identity's candidate workloads, sorted (empty when it has no labels or nothing matches).
    public static func matches(of identities: [Endpoint], labelSets: [Endpoint: [Labels]]) -> [Endpoint: [Endpoint]] {
        var byNamespace = [String: [(Endpoint, [Labels])]]()
        for (ep, sets) in labelSets where ep.kind == .workload && ep.workloadKind != Endpoint.labelIdentityKind {
            byNamespace[ep.namespace, default: []].append((ep, sets))
        }
        var out = [Endpoint: [Endpoint]]()
        for s in identities {
            let labels = (labelSets[s] ?? []).reduce(into: Labels()) { acc, l in acc.merge(l) { a, _ in a } }
            out[s] = labels.isEmpty ? [] : (byNamespace[s.namespace] ?? [])
                .filter { _, sets in sets.contains { $0.matches(labels) } }.map(\.0).sorted()
        }
        return out
    }

    /// The identities among `labelSets`' keys that stand for exactly one known workload, mapped to it.
    public static func resolved(_ labelSets: [Endpoint: [Labels]]) -> [Endpoint: Endpoint] {
        let ids = labelSets.keys.filter { $0.workloadKind == Endpoint.labelIdentityKind }
        guard !ids.isEmpty else { return [:] }
        return matches(of: ids, labelSets: labelSets).compactMapValues { $0.count == 1 ? $0[0] : nil }
    }
}
