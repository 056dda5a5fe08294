extension Array where Element: Comparable {
    /// Sorts the array and drops repeated elements, in place: the evaluator's member lists (short, and built per
    /// rule or per workload, where a `Set` would cost a hash table each).
    mutating func sortRemovingRepeats() {
        guard count > 1 else { return }
        sort()
        var k = 1
        for i in 1..<count where self[i] != self[k - 1] {
            self[k] = self[i]
            k += 1
        }
        removeLast(count - k)
    }
}
