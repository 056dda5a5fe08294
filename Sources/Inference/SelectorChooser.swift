import FlowModel

/// Chooses, for each workload, the smallest set of stable labels that selects exactly its pods among every pod
/// known in its namespace.
public enum SelectorChooser {
    /// Well-known keys, preferred in this order when several label sets separate equally well.
    public static let preferredKeys = [
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app", "k8s-app", "name", "component",
        "app.kubernetes.io/component", "tier", "version",
    ]

    public struct Choice: Sendable, Hashable {
        /// Never empty when `ok` or ambiguous; empty only when the workload has no stable labels at all.
        public var selector: Labels
        /// Workloads (other than the target) the selector also matches; empty when exact.
        public var alsoMatches: [Endpoint]
    }

    /// `target` is the workload; `namespacePods` maps every workload of the namespace to its known label sets.
    public static func choose(for target: Endpoint, in namespacePods: [Endpoint: [Labels]]) -> Choice {
        let own = (namespacePods[target] ?? []).map(VolatileLabels.stable)
        guard var common = own.first else { return Choice(selector: [:], alsoMatches: []) }
        for s in own.dropFirst() { common = common.filter { s[$0.key] == $0.value } }
        if common.isEmpty { return Choice(selector: [:], alsoMatches: []) }
        let others = namespacePods.filter { $0.key != target }.sorted { $0.key < $1.key }
            .map { ($0.key, $0.value.map(VolatileLabels.stable)) }

        func conflicts(_ sel: Labels) -> [Endpoint] {
            others.filter { _, sets in sets.contains { $0.matches(sel) } }.map(\.0)
        }
        let keys = common.keys.sorted { rank($0) < rank($1) }
        // Smallest first; within a size, preferred keys first. Label sets are small, so this stays cheap; the
        // search is capped at 3 keys and falls back to every common label.
        for size in 1...min(3, keys.count) {
            for combo in combinations(keys, size) {
                let sel = Labels(uniqueKeysWithValues: combo.map { ($0, common[$0]!) })
                if conflicts(sel).isEmpty { return Choice(selector: sel, alsoMatches: []) }
            }
        }
        return Choice(selector: common, alsoMatches: conflicts(common))
    }

    static func rank(_ key: String) -> (Int, String) {
        (preferredKeys.firstIndex(of: key) ?? preferredKeys.count, key)
    }

    static func combinations(_ items: [String], _ k: Int) -> [[String]] {
        if k == 0 { return [[]] }
        if items.count < k { return [] }
        var out: [[String]] = []
        for (i, first) in items.enumerated() {
            for rest in combinations(Array(items[(i + 1)...]), k - 1) { out.append([first] + rest) }
        }
        // Order by summed preference so `app` alone beats `zz` alone, and `name+instance` beats odd pairs.
        return out.sorted { a, b in
            let ra = a.map { rank($0).0 }.reduce(0, +), rb = b.map { rank($0).0 }.reduce(0, +)
            return ra != rb ? ra < rb : a.joined(separator: ",") < b.joined(separator: ",")
        }
    }
}
