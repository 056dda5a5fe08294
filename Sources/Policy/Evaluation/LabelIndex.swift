/// Inverted index from labels to workloads, so a selector is answered from the shortest list of workloads that
/// carry one of its required labels instead of a label comparison per workload. The lists are ascending
/// workload indexes; a selector's answer is the same as `LabelSelector.matches` over every selectable workload.
/// (Lists, not a bitset per label value: generated selectors use one distinct `instance` value per workload,
/// and a bitset of every workload per value grows with the square of the cluster.)
struct LabelIndex: Sendable {
    var byKeyValue: [String: [String: [Int32]]] = [:]
    var byKey: [String: [Int32]] = [:]
    let labels: [[String: String]]
    let all: Bitset
    /// The selectable workloads, ascending.
    let allList: [Int32]
    let count: Int

    init(labels: [[String: String]], selectable: Bitset) {
        count = labels.count
        all = selectable
        self.labels = labels
        var list: [Int32] = []
        for (i, l) in labels.enumerated() where selectable.contains(i) {
            list.append(Int32(i))
            for (k, v) in l {
                byKey[k, default: []].append(Int32(i))
                byKeyValue[k, default: [:]][v, default: []].append(Int32(i))
            }
        }
        allList = list
    }

    /// The selectable workloads `s` matches, ascending.
    func selectList(_ s: LabelSelector) -> [Int32] {
        // Candidates: the shortest list a workload must be on to match (a matchLabels pair, an In requirement's
        // values, an Exists key); every selectable workload when the selector has no such term. Then the exact test.
        var best: [Int32]? = nil
        for (k, v) in s.matchLabels {
            let l = byKeyValue[k]?[v] ?? []
            if l.isEmpty { return [] }
            if best == nil || l.count < best!.count { best = l }
        }
        var inTerm: (key: String, values: [String], count: Int)?
        for e in s.matchExpressions {
            switch e.op {
            case .in:
                let values = Array(Set(e.values))
                let n = values.reduce(0) { $0 + (byKeyValue[e.key]?[$1]?.count ?? 0) }
                if n == 0 { return [] }
                if (best?.count ?? Int.max) > n && (inTerm?.count ?? Int.max) > n { inTerm = (e.key, values, n) }
            case .exists:
                let l = byKey[e.key] ?? []
                if l.isEmpty { return [] }
                if best == nil || l.count < best!.count { best = l }
            case .notIn, .doesNotExist:
                continue
            }
        }
        var candidates: [Int32]
        if let t = inTerm, t.count < (best?.count ?? Int.max) {
            candidates = []
            candidates.reserveCapacity(t.count)
            for v in t.values { candidates += byKeyValue[t.key]?[v] ?? [] }
            if t.values.count > 1 { candidates.sort() }  // a workload has one value per key: no duplicates
        } else {
            candidates = best ?? allList
        }
        return candidates.filter { s.matches(labels[Int($0)]) }
    }

    func select(_ s: LabelSelector) -> Bitset {
        var r = Bitset(count: count)
        for i in selectList(s) { r.insert(Int(i)) }
        return r
    }
}
