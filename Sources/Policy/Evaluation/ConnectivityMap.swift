import FlowModel

/// Pairwise connectivity over the evaluator's workloads (one entry per endpoint pair; an endpoint with several
/// label-set variants gets what holds for all of them) and external address ranges. Self pairs are left out, as
/// netpol-analyzer's connlist does; empty connections are left out.
public struct ConnectivityMap: Sendable {
    public let evaluator: PolicyEvaluator
    /// Endpoints in output order, each with its workload variant indexes.
    public let endpoints: [(endpoint: Endpoint, variants: [Int])]
    /// Whether external ranges include IPv6 (some policy of either compared set has an IPv6 block).
    public let includeV6: Bool

    /// The variant index of each endpoint with exactly one variant, else -1.
    let single: [Int]

    public init(_ evaluator: PolicyEvaluator, includeV6: Bool? = nil) {
        self.evaluator = evaluator
        var byEp: [Endpoint: [Int]] = [:]
        for (i, w) in evaluator.workloads.enumerated() { byEp[w.endpoint, default: []].append(i) }
        // Sort on precomputed names (a comparator building both descriptions costs two strings per comparison).
        endpoints = byEp.keys.map { ($0.description, $0) }.sorted { $0.0 < $1.0 }.map { ($0.1, byEp[$0.1]!) }
        self.includeV6 = includeV6 ?? evaluator.hasIPv6Blocks
        single = endpoints.map { $0.variants.count == 1 ? $0.variants[0] : -1 }
    }

    /// Connections from endpoint `s` to endpoint `d` (indexes into `endpoints`).
    @inline(__always)
    public func connections(_ s: Int, _ d: Int) -> ConnectionSet {
        let a0 = single[s], b0 = single[d]
        if a0 >= 0 && b0 >= 0 { return evaluator.connections(a0, b0) }
        var out = ConnectionSet.all
        for a in endpoints[s].variants {
            for b in endpoints[d].variants { out = out.intersection(evaluator.connections(a, b)) }
        }
        return out
    }

    /// Connections between endpoint `e` and external range `r`, in either direction.
    public func connections(endpoint e: Int, range r: IPRange, outbound: Bool) -> ConnectionSet {
        var out = ConnectionSet.all
        for v in endpoints[e].variants {
            let c = outbound ? evaluator.connections(from: .workload(v), to: .range(r))
                             : evaluator.connections(from: .range(r), to: .workload(v))
            out = out.intersection(c)
        }
        return out
    }

    /// Every non-empty entry: external ranges (adjacent ranges with equal answers merged) and endpoint pairs,
    /// sorted netpol-analyzer style (by source, then destination).
    public func entries(includeExternal: Bool = true) -> [ConnectivityEntry] {
        let n = endpoints.count
        let (dests, sources) = candidates([evaluator])
        let pairParts = ParallelChunks.map(count: n) { rows -> [ConnectivityEntry] in
            var out: [ConnectivityEntry] = []
            for s in rows {
                dests[s].forEach { d in
                    guard d != s && sources[d].contains(s) else { return }
                    let c = connections(s, d)
                    if !c.isEmpty {
                        out.append(ConnectivityEntry(source: .endpoint(endpoints[s].endpoint),
                                                     destination: .endpoint(endpoints[d].endpoint), connections: c))
                    }
                }
            }
            return out
        }
        var all = pairParts.flatMap { $0 }
        if includeExternal {
            all += ParallelChunks.map(count: n) { rows -> [ConnectivityEntry] in
                var out: [ConnectivityEntry] = []
                for e in rows {
                    for outbound in [false, true] {
                        for (r, c) in merged(endpoint: e, outbound: outbound) where !c.isEmpty {
                            let ep = ConnectivityPeer.endpoint(endpoints[e].endpoint)
                            out.append(outbound ? ConnectivityEntry(source: ep, destination: .range(r), connections: c)
                                                : ConnectivityEntry(source: .range(r), destination: ep, connections: c))
                        }
                    }
                }
                return out
            }.flatMap { $0 }
        }
        all.sort { ($0.source, $0.destination) < ($1.source, $1.destination) }
        return all
    }

    /// Endpoints (indexes into `endpoints`): every one, an ascending list, or a bitset.
    public struct EndpointSet: Sendable {
        public let count: Int
        let list: [Int32]?
        let bits: Bitset?

        init(all count: Int) { self.count = count; list = nil; bits = nil }
        init(list: [Int32], count: Int) { self.count = count; self.list = list; bits = nil }
        init(bits: Bitset) { count = bits.count; list = nil; self.bits = bits }

        public var isAll: Bool { list == nil && bits == nil }

        @inline(__always)
        public func contains(_ i: Int) -> Bool {
            if let list { return WorkloadSet.sortedContains(list, Int32(truncatingIfNeeded: i)) }
            if let bits { return bits.contains(i) }
            return true
        }

        /// Every member, ascending.
        @inline(__always)
        public func forEach(_ body: (Int) -> Void) {
            if let list {
                for m in list { body(Int(m)) }
            } else if let bits {
                for m in bits.members { body(m) }
            } else {
                for m in 0..<count { body(m) }
            }
        }
    }

    /// Per endpoint, the endpoints it can possibly reach and be reached from under any of `evaluators` (all built
    /// over this map's workloads): a pair is non-empty only if each is a candidate of the other. An endpoint whose
    /// rules name few workloads gets a list (what its rules name, not a bit per endpoint: bitsets for every
    /// endpoint would grow with the square of the cluster); one that may reach many, a bitset; every endpoint, `all`.
    public func candidates(_ evaluators: [PolicyEvaluator]) -> (destinations: [EndpointSet], sources: [EndpointSet]) {
        let n = endpoints.count, wn = evaluator.workloads.count
        var endpointOf = [Int](repeating: 0, count: wn)
        for (e, v) in endpoints.enumerated() { for w in v.variants { endpointOf[w] = e } }
        let epOf = endpointOf
        let fullW = Bitset.full(wn)
        let limit = WorkloadSet.listLimit(wn)
        func collect(outbound: Bool) -> [EndpointSet] {
            ParallelChunks.map(count: n) { rows -> [EndpointSet] in
                rows.map { e in
                    var list: [Int32]? = []
                    lists: for v in endpoints[e].variants {
                        for ev in evaluators {
                            guard let l = ev.possibleList(of: v, outbound: outbound, limit: limit) else {
                                list = nil
                                break lists
                            }
                            list! += l
                        }
                    }
                    if var l = list {
                        for i in l.indices { l[i] = Int32(epOf[Int(l[i])]) }
                        l.sortRemovingRepeats()
                        return EndpointSet(list: l, count: n)
                    }
                    var b = Bitset(count: wn)
                    outer: for v in endpoints[e].variants {
                        for ev in evaluators {
                            b.formUnion(outbound ? ev.possibleDestinations(of: v) : ev.possibleSources(of: v))
                            if b == fullW { break outer }
                        }
                    }
                    if b == fullW { return EndpointSet(all: n) }
                    var out = Bitset(count: n)
                    for w in b.members { out.insert(epOf[w]) }
                    return EndpointSet(bits: out)
                }
            }.flatMap { $0 }
        }
        return (collect(outbound: true), collect(outbound: false))
    }

    /// Answers towards external addresses for one endpoint and direction, as ranges covering the whole address
    /// space (adjacent ranges with equal answers merged). Only the blocks of the rules that apply to the
    /// endpoint's variants can change the answer, so only their boundaries are visited.
    public func merged(endpoint e: Int, outbound: Bool) -> [(IPRange, ConnectionSet)] {
        var blocks: [IPBlock] = []
        for v in endpoints[e].variants { blocks += evaluator.applicableBlocks(of: v, outbound: outbound) }
        var out: [(IPRange, ConnectionSet)] = []
        for r in IPSpacePartition.ranges(blocks: blocks, includeV6: includeV6) {
            let c = connections(endpoint: e, range: r, outbound: outbound)
            if let last = out.last, last.1 == c, last.0.first.isV6 == r.first.isV6,
               last.0.last.successor == r.first {
                out[out.count - 1].0.last = r.last
            } else {
                out.append((r, c))
            }
        }
        return out
    }
}
