extension Array where Element: Comparable {
    /// Sorts the array and drops repeated elements, in place: the evaluator's member lists (short, and built per
    /// rule or per workload, where a `Set` would cost a hash table each). Lists collected in index order are
    /// often ascending already: one pass finds that and skips the sort.
    mutating func sortRemovingRepeats() {
        guard count > 1 else { return }
        if !isAscending(0..<count) { sort() }
        removeAdjacentRepeats()
    }

    /// Merges the runs `self[..<mid]` and `self[mid...]` and drops repeated elements, in place; sorts instead
    /// when a run is not ascending. Two ascending runs cost one pass, not a sort. `headAscending`: the caller
    /// keeps `self[..<mid]` ascending (a list merged run by run), so it is not checked again on every merge.
    mutating func mergeRuns(at mid: Int, headAscending: Bool = false) {
        guard count > 1 else { return }
        guard mid > 0 && mid < count && (headAscending || isAscending(0..<mid)) && isAscending(mid..<count) else {
            sortRemovingRepeats()
            return
        }
        if self[mid - 1] <= self[mid] {
            removeAdjacentRepeats()
            return
        }
        var out: [Element] = []
        out.reserveCapacity(count)
        var i = 0, j = mid
        while i < mid || j < count {
            let x: Element
            if j == count || (i < mid && self[i] <= self[j]) {
                x = self[i]; i += 1
            } else {
                x = self[j]; j += 1
            }
            if out.isEmpty || out[out.count - 1] != x { out.append(x) }
        }
        self = out
    }

    /// Whether `self[r]` never descends.
    func isAscending(_ r: Range<Int>) -> Bool {
        guard r.count > 1 else { return true }
        for i in (r.lowerBound + 1)..<r.upperBound where self[i] < self[i - 1] { return false }
        return true
    }

    /// Drops repeats of an ascending array, in place.
    private mutating func removeAdjacentRepeats() {
        guard count > 1 else { return }
        var k = 1
        for i in 1..<count where self[i] != self[k - 1] {
            self[k] = self[i]
            k += 1
        }
        if k < count { removeLast(count - k) }
    }
}
