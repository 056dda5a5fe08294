import Testing
import TestSupport
@testable import Policy

/// The diff's candidate lists (issue 22): the mutual-candidate test read from the transpose of the sources
/// instead of a binary search per pair, and the sorted member lists merged from ascending runs, each against the
/// plain definition on pseudo-random input.
@Suite struct CandidateListTests {
    @Test func mutualCandidatesMatchTheDefinition() {
        var r = SplitMix64(seed: 11)
        for n in [1, 5, 40, 130] {
            var sources: [ConnectivityMap.EndpointSet] = []
            var dests: [ConnectivityMap.EndpointSet] = []
            func set() -> ConnectivityMap.EndpointSet {
                switch r.int(below: 6) {
                case 0: return ConnectivityMap.EndpointSet(all: n)
                case 1:
                    var b = Bitset(count: n)
                    for _ in 0..<r.int(below: n + 1) { b.insert(r.int(below: n)) }
                    return ConnectivityMap.EndpointSet(bits: b)
                default:
                    var l = (0..<r.int(below: min(n, 12) + 1)).map { _ in Int32(r.int(below: n)) }
                    l.sortRemovingRepeats()
                    return ConnectivityMap.EndpointSet(list: l, count: n)
                }
            }
            for _ in 0..<n { sources.append(set()); dests.append(set()) }
            let reverse = ReverseSources(sources)
            for s in 0..<n {
                var got: [Int] = []
                reverse.forEachMutual(s, dests[s]) { got.append($0) }
                var want: [Int] = []
                dests[s].forEach { d in if sources[d].contains(s) { want.append(d) } }
                #expect(got == want, "n \(n) s \(s)")
            }
        }
    }

    /// `mergeRuns(at:)` and `sortRemovingRepeats` give the sorted distinct elements, whether the runs are
    /// ascending (merged), overlapping, empty, or not ascending at all (sorted).
    @Test func mergedRunsAreTheSortedDistinctElements() {
        var r = SplitMix64(seed: 5)
        for _ in 0..<500 {
            func run() -> [Int32] {
                var l = (0..<r.int(below: 9)).map { _ in Int32(r.int(below: 20)) }
                if r.int(below: 4) != 0 { l.sort() }
                return l
            }
            let a = run(), b = run()
            var merged = a + b
            merged.mergeRuns(at: a.count)
            #expect(merged == Array(Set(a + b)).sorted(), "\(a) + \(b)")
            let head = Array(Set(a)).sorted()  // what `possibleList` keeps: an ascending head, merged run by run
            var mergedOnHead = head + b
            mergedOnHead.mergeRuns(at: head.count, headAscending: true)
            #expect(mergedOnHead == Array(Set(a + b)).sorted(), "\(head) + \(b), head ascending")
            var sorted = a + b
            sorted.sortRemovingRepeats()
            #expect(sorted == Array(Set(a + b)).sorted())
        }
    }
}
