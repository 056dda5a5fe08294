/// The transpose of a side's possible sources: for each endpoint `s`, the endpoints `d` (ascending) whose source
/// list contains `s`. The diff keeps a destination `d` of `destinations[s]` only when `s` is among `d`'s possible
/// sources too; testing that with a binary search in `d`'s list per pair reads the 50,000 endpoints' lists at
/// random (at 20,000 x 50,000 most of the row loop's own time went to those cache misses). Walking row `s` of the
/// transpose beside `destinations[s]` reads two ascending lists instead.
struct ReverseSources: Sendable {
    /// Row `s` is `members[start[s]..<start[s + 1]]`.
    let start: [Int]
    let members: [Int32]
    /// Whether `sources[d]` is a list (then it is in `members`); a bitset or `all` is tested directly.
    let listed: [Bool]
    let sources: [ConnectivityMap.EndpointSet]

    init(_ sources: [ConnectivityMap.EndpointSet]) {
        let n = sources.count
        var start = [Int](repeating: 0, count: n + 1)
        var listed = [Bool](repeating: false, count: n)
        for (d, set) in sources.enumerated() {
            guard let l = set.list else { continue }
            listed[d] = true
            for s in l { start[Int(s) + 1] += 1 }
        }
        for i in 0..<n { start[i + 1] += start[i] }
        var next = start
        var members = [Int32](repeating: 0, count: start[n])
        for (d, set) in sources.enumerated() {
            guard let l = set.list else { continue }
            for s in l {
                members[next[Int(s)]] = Int32(d)
                next[Int(s)] += 1
            }
        }
        self.start = start
        self.members = members
        self.listed = listed
        self.sources = sources
    }

    /// Each `d` of `destinations` (ascending) that has `s` among its possible sources, in ascending order.
    @inline(__always)
    func forEachMutual(_ s: Int, _ destinations: ConnectivityMap.EndpointSet, _ body: (Int) -> Void) {
        var i = start[s]
        let end = start[s + 1]
        destinations.forEach { d in
            if listed[d] {
                while i < end && Int(members[i]) < d { i += 1 }
                if i < end && Int(members[i]) == d { body(d) }
            } else if sources[d].contains(s) {
                body(d)
            }
        }
    }
}
