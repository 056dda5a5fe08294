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
                for d in dests[s].members where d != s && sources[d].contains(s) {
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

    /// Per endpoint, the endpoints it can possibly reach and be reached from under any of `evaluators` (all built
    /// over this map's workloads): a pair is non-empty only if each is a candidate of the other.
    public func candidates(_ evaluators: [PolicyEvaluator]) -> (destinations: [Bitset], sources: [Bitset]) {
        let n = endpoints.count, wn = evaluator.workloads.count
        var endpointOf = [Int](repeating: 0, count: wn)
        for (e, v) in endpoints.enumerated() { for w in v.variants { endpointOf[w] = e } }
        let epOf = endpointOf
        let fullW = Bitset.full(wn)
        func collect(outbound: Bool) -> [Bitset] {
            ParallelChunks.map(count: n) { rows -> [Bitset] in
                rows.map { e in
                    var b = Bitset(count: wn)
                    outer: for v in endpoints[e].variants {
                        for ev in evaluators {
                            b.formUnion(outbound ? ev.possibleDestinations(of: v) : ev.possibleSources(of: v))
                            if b == fullW { break outer }
                        }
                    }
                    if b == fullW { return Bitset.full(n) }
                    var out = Bitset(count: n)
                    for w in b.members { out.insert(epOf[w]) }
                    return out
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
