import FlowModel

/// Pairwise connectivity over the evaluator's workloads (one entry per endpoint pair; an endpoint with several
/// label-set variants gets what holds for all of them) and external address ranges. Self pairs are left out, as
/// netpol-analyzer's connlist does; empty connections are left out.
public struct ConnectivityMap: Sendable {
    public let evaluator: PolicyEvaluator
    /// Endpoints in output order, each with its workload variant indexes.
    public let endpoints: [(endpoint: Endpoint, variants: [Int])]
    /// The external ranges the policy set distinguishes (see `IPSpacePartition`).
    public let ranges: [IPRange]

    public init(_ evaluator: PolicyEvaluator, ranges: [IPRange]? = nil) {
        self.evaluator = evaluator
        var byEp: [Endpoint: [Int]] = [:]
        for (i, w) in evaluator.workloads.enumerated() { byEp[w.endpoint, default: []].append(i) }
        endpoints = byEp.keys.sorted { $0.description < $1.description }.map { ($0, byEp[$0]!) }
        self.ranges = ranges ?? IPSpacePartition.ranges(blocks: evaluator.ipBlocks)
    }

    /// Connections from endpoint `s` to endpoint `d` (indexes into `endpoints`).
    @inline(__always)
    public func connections(_ s: Int, _ d: Int) -> ConnectionSet {
        let vs = endpoints[s].variants, vd = endpoints[d].variants
        if vs.count == 1 && vd.count == 1 {
            return evaluator.connections(from: .workload(vs[0]), to: .workload(vd[0]))
        }
        var out = ConnectionSet.all
        for a in vs { for b in vd { out = out.intersection(evaluator.connections(from: .workload(a), to: .workload(b))) } }
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
        let pairParts = ParallelChunks.map(count: n) { rows -> [ConnectivityEntry] in
            var out: [ConnectivityEntry] = []
            for s in rows {
                for d in 0..<n where d != s {
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

    /// The partition's ranges for one endpoint and direction, adjacent ranges with equal answers merged.
    public func merged(endpoint e: Int, outbound: Bool) -> [(IPRange, ConnectionSet)] {
        var out: [(IPRange, ConnectionSet)] = []
        for r in ranges {
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
