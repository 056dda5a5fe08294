/// The workloads a compiled rule's peers match: a sorted list when few (the usual generated rule names one
/// workload's variants), a `Bitset` when many. A bitset per rule costs rules x workloads bits, which grows with
/// the square of the cluster (20,000 workloads with 800,000 rules: 4 GB); the list costs what the rule matches.
struct WorkloadSet: Sendable {
    /// Sorted, distinct members; used when `bits` is nil.
    private(set) var members: [Int32]
    private(set) var bits: Bitset?
    /// Number of workloads the indexes refer to.
    let count: Int

    /// Largest member list kept as a list (beyond it a bitset is smaller or the same).
    static func listLimit(_ count: Int) -> Int { max(64, count / 32) }

    /// `dense` (may be nil) united with `extra` (any order, duplicates allowed).
    init(count: Int, dense: Bitset?, extra: [Int32]) {
        self.count = count
        if var b = dense {
            for m in extra { b.insert(Int(m)) }
            if b.popcount <= Self.listLimit(count) {
                members = b.members.map { Int32($0) }
                bits = nil
            } else {
                members = []
                bits = b
            }
            return
        }
        var list = extra
        list.sortRemovingRepeats()
        if list.count <= Self.listLimit(count) {
            members = list
            bits = nil
        } else {
            var b = Bitset(count: count)
            for m in list { b.insert(Int(m)) }
            members = []
            bits = b
        }
    }

    /// True when the members are kept as a list (then `members` lists them all).
    var isList: Bool { bits == nil }

    @inline(__always)
    func contains(_ i: Int) -> Bool {
        if let b = bits { return b.contains(i) }
        return Self.sortedContains(members, Int32(truncatingIfNeeded: i))
    }

    /// Binary search in an ascending list.
    @inline(__always)
    static func sortedContains(_ list: [Int32], _ x: Int32) -> Bool {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if list[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < list.count && list[lo] == x
    }

    /// Adds every member to `b` (same `count`).
    func union(into b: inout Bitset) {
        if let x = bits { b.formUnion(x); return }
        for m in members { b.insert(Int(m)) }
    }
}
