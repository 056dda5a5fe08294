/// Inverted index from labels to workload bits, so a selector is answered with a few bitset operations
/// instead of a label comparison per workload.
struct LabelIndex: Sendable {
    var byKeyValue: [String: [String: Bitset]] = [:]
    var byKey: [String: Bitset] = [:]
    let all: Bitset
    let count: Int

    init(labels: [[String: String]], selectable: Bitset) {
        count = labels.count
        all = selectable
        for (i, l) in labels.enumerated() where selectable.contains(i) {
            for (k, v) in l {
                byKey[k, default: Bitset(count: count)].insert(i)
                byKeyValue[k, default: [:]][v, default: Bitset(count: count)].insert(i)
            }
        }
    }

    func select(_ s: LabelSelector) -> Bitset {
        var r = all
        for (k, v) in s.matchLabels {
            guard let b = byKeyValue[k]?[v] else { return Bitset(count: count) }
            r.formIntersection(b)
        }
        for e in s.matchExpressions {
            var any = Bitset(count: count)
            switch e.op {
            case .in, .notIn:
                for v in e.values { if let b = byKeyValue[e.key]?[v] { any.formUnion(b) } }
                if e.op == .in { r.formIntersection(any) } else { r.subtract(any) }  // NotIn keeps key-less (D2)
            case .exists:
                r.formIntersection(byKey[e.key] ?? any)
            case .doesNotExist:
                if let b = byKey[e.key] { r.subtract(b) }
            }
        }
        return r
    }
}
