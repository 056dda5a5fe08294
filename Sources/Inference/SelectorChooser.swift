import FlowModel

/// Chooses, for each workload, the smallest set of stable labels that selects exactly its pods among every pod
/// known in its namespace.
///
/// - Candidates are the stable labels (volatile keys such as `pod-template-hash` removed) that every known pod of
///   the workload carries, so a rollout or a new replica keeps matching.
/// - Smallest first; among equally small sets, the one whose keys rank best in `preferredKeys`.
/// - When no candidate set separates the workload (another workload's pods carry all its common labels), the
///   choice is every common label (the tightest possible) with the workloads it also matches; the caller warns.
public enum SelectorChooser {
    /// Well-known keys, preferred in this order when several label sets separate equally well.
    public static let preferredKeys = [
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app", "k8s-app", "name", "component",
        "app.kubernetes.io/component", "tier", "version",
    ]

    /// Largest selector tried before falling back to every common label.
    static let maxSearchedKeys = 3

    public struct Choice: Sendable, Hashable {
        /// Never empty when `ok` or ambiguous; empty only when the workload has no stable labels at all.
        public var selector: Labels
        /// Workloads (other than the target) the selector also matches; empty when exact.
        public var alsoMatches: [Endpoint]
        /// Why the controller's selector was not used, when one was known; the caller warns.
        public var controllerRejected: String?

        public init(selector: Labels, alsoMatches: [Endpoint], controllerRejected: String? = nil) {
            self.selector = selector
            self.alsoMatches = alsoMatches
            self.controllerRejected = controllerRejected
        }
    }

    /// `target` is the workload; `namespacePods` maps every workload of the namespace to its known label sets.
    public static func choose(for target: Endpoint, in namespacePods: [Endpoint: [Labels]]) -> Choice {
        NamespaceIndex(namespacePods).choose(for: target)
    }

    /// All workloads of one namespace, indexed by label pair, so that many choices in one namespace stay cheap.
    public struct NamespaceIndex: Sendable {
        /// Workloads, sorted.
        let workloads: [Endpoint]
        let position: [Endpoint: Int]
        /// Stable label sets per workload (same order as `workloads`).
        let sets: [[Labels]]
        /// `key=value` -> workloads with at least one known pod carrying it (sorted positions).
        let byPair: [Pair: [Int]]

        struct Pair: Hashable {
            var key: String
            var value: String
        }

        public init(_ namespacePods: [Endpoint: [Labels]]) {
            workloads = namespacePods.keys.sorted()
            position = Dictionary(uniqueKeysWithValues: workloads.enumerated().map { ($1, $0) })
            sets = workloads.map { namespacePods[$0]!.map(VolatileLabels.stable) }
            var idx: [Pair: [Int]] = [:]
            for (i, ss) in sets.enumerated() {
                var seen = Set<Pair>()
                for s in ss { for (k, v) in s { seen.insert(Pair(key: k, value: v)) } }
                for p in seen { idx[p, default: []].append(i) }
            }
            byPair = idx
        }

        /// Workloads other than `target` with a known pod that `sel` matches, sorted.
        func conflicts(_ sel: Labels, target: Int) -> [Int] {
            // Candidates: the workloads carrying the rarest of the pairs (a superset of the matches), then an exact
            // per-pod check. Not an intersection of every pair's list: a pair such as the namespace's team label
            // lists every workload of the namespace, which made each call grow with the namespace's size.
            var cands: [Int]?
            for (k, v) in sel {
                let l = byPair[Pair(key: k, value: v)] ?? []
                if l.isEmpty { return [] }
                if cands == nil || l.count < cands!.count { cands = l }
            }
            return (cands ?? Array(workloads.indices)).filter { i in
                i != target && sets[i].contains { $0.matches(sel) }
            }
        }

        /// The controller's selector without volatile keys when it selects every known pod of `target` and no
        /// other workload's; else the minimal choice, saying why the controller's was not used.
        public func choose(for target: Endpoint, controller: Labels?) -> Choice {
            guard let controller else { return choose(for: target) }
            let sel = VolatileLabels.stable(controller)
            let why: String
            let text = sel.canonical
            if sel.isEmpty {
                why = "its controller's selector has only volatile keys"
            } else if let t = position[target], !sets[t].allSatisfy({ $0.matches(sel) }) {
                why = "its controller's selector \(text) does not select all its known pods"
            } else {
                let others = position[target].map { conflicts(sel, target: $0) } ?? []
                if others.isEmpty { return Choice(selector: sel, alsoMatches: []) }
                why = "its controller's selector \(text) also selects pods of "
                    + others.map { workloads[$0].description }.joined(separator: ", ")
            }
            var c = choose(for: target)
            c.controllerRejected = why
            return c
        }

        public func choose(for target: Endpoint) -> Choice {
            guard let t = position[target] else { return Choice(selector: [:], alsoMatches: []) }
            let own = sets[t]
            guard var common = own.first else { return Choice(selector: [:], alsoMatches: []) }
            for s in own.dropFirst() { common = common.filter { s[$0.key] == $0.value } }
            // A capture can carry label text the API server would reject; one such pair in a selector would make
            // the whole policy invalid, so it is never a candidate.
            common = common.filter { KubernetesLabel.isValidKey($0.key) && KubernetesLabel.isValidValue($0.value) }
            if common.isEmpty { return Choice(selector: [:], alsoMatches: []) }
            let keys = common.keys.sorted { rank($0) < rank($1) }
            for size in 1...min(maxSearchedKeys, keys.count) {
                for combo in combinations(keys, size) {
                    let sel = Labels(uniqueKeysWithValues: combo.map { ($0, common[$0]!) })
                    if conflicts(sel, target: t).isEmpty { return Choice(selector: sel, alsoMatches: []) }
                }
            }
            // Nothing small separates it: every common label is the tightest selector there is.
            return Choice(selector: common, alsoMatches: conflicts(common, target: t).map { workloads[$0] })
        }
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
