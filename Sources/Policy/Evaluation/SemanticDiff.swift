import FlowModel

/// A semantic connectivity diff of two policy sets over the same workloads (netpol-analyzer's `diff`:
/// changed / added / removed per source-destination pair), annotated with observed evidence.
public enum SemanticDiff {
    public enum Kind: String, Sendable, Codable {
        case changed, added, removed
    }

    public struct Change: Sendable, Hashable, Codable {
        public var kind: Kind
        public var source: String
        public var destination: String
        public var old: String
        public var new: String
        /// Observed-allowed connections the new set no longer allows: what would break (`TCP 80 (12 flows)`).
        public var breaks: [String]
        /// Connections the new set adds: `never observed` when no observed flow uses any of them.
        public var addedObserved: Bool
        public var addedAnything: Bool
    }

    public struct Report: Sendable, Codable {
        public var changes: [Change] = []
        /// Workloads that no policy of the NEW set selects, per direction (`ns/name[Kind]`).
        public var uncoveredIngress: [String] = []
        public var uncoveredEgress: [String] = []
        /// Namespaces with workloads but no policy in the NEW set.
        public var uncoveredNamespaces: [String] = []
        public var workloads = 0
        public var pairsCompared = 0

        public var isEmpty: Bool { changes.isEmpty }
        public var breakingChanges: Int { changes.filter { !$0.breaks.isEmpty }.count }
        public var unobservedAdditions: Int { changes.filter { $0.addedAnything && !$0.addedObserved }.count }
    }

    struct Observed {
        var pairs: [Endpoint: [Endpoint: [(Proto, Int, Int64)]]] = [:]
        var outbound: [Endpoint: [(IPAddr, Proto, Int, Int64)]] = [:]
        var inbound: [Endpoint: [(IPAddr, Proto, Int, Int64)]] = [:]

        init(_ edges: [ObservedEdge]) {
            for e in edges where e.key.outcome == .allowed && e.key.proto.isPolicyProtocol {
                let k = e.key, p = Int(k.port)
                switch (k.source.kind, k.destination.kind) {
                case (.workload, .workload):
                    pairs[k.source, default: [:]][k.destination, default: []].append((k.proto, p, e.stats.flows))
                case (.workload, .external):
                    if let ip = IPAddr(k.destination.name) { outbound[k.source, default: []].append((ip, k.proto, p, e.stats.flows)) }
                case (.external, .workload):
                    if let ip = IPAddr(k.source.name) { inbound[k.destination, default: []].append((ip, k.proto, p, e.stats.flows)) }
                default:
                    break
                }
            }
        }
    }

    static func change(_ src: String, _ dst: String, _ o: ConnectionSet, _ w: ConnectionSet,
                _ seen: [(Proto, Int, Int64)]) -> Change {
        let kind: Kind = o.isEmpty ? .added : (w.isEmpty ? .removed : .changed)
        let gained = w.subtracting(o)
        if seen.isEmpty {
            return Change(kind: kind, source: src, destination: dst, old: o.description, new: w.description,
                          breaks: [], addedObserved: false, addedAnything: !gained.isEmpty)
        }
        let lost = o.subtracting(w)
        var breaks: [String: Int64] = [:]
        var addedObserved = false
        for (p, port, flows) in seen {
            if lost.contains(p, port) { breaks["\(p.rawValue) \(port)", default: 0] += flows }
            if gained.contains(p, port) { addedObserved = true }
        }
        return Change(kind: kind, source: src, destination: dst, old: o.description,
                      new: w.description,
                      breaks: breaks.keys.sorted().map { "\($0) (\(breaks[$0]!) flows)" },
                      addedObserved: addedObserved, addedAnything: !gained.isEmpty)
    }

    /// `old` and `new` must be built over the same workloads (same order).
    public static func run(old: PolicyEvaluator, new: PolicyEvaluator, edges: [ObservedEdge] = []) -> Report {
        let v6 = old.hasIPv6Blocks || new.hasIPv6Blocks
        let a = ConnectivityMap(old, includeV6: v6), b = ConnectivityMap(new, includeV6: v6)
        let observed = Observed(edges)
        let n = a.endpoints.count
        // Candidate pairs: a pair can differ only if one set allows something, and a set allows s -> d only when
        // s is among d's possible sources and d among s's possible destinations.
        let (dests, sources) = a.candidates([old, new])
        let names = a.endpoints.map(\.endpoint.description)
        let parts = ParallelChunks.map(count: n) { rows -> [Change] in
            var out: [Change] = []
            for s in rows {
                let se = a.endpoints[s].endpoint, sName = names[s]
                let seenFrom = observed.pairs[se] ?? [:]
                for d in dests[s].members where d != s && sources[d].contains(s) {
                    let o = a.connections(s, d), w = b.connections(s, d)
                    if o == w { continue }
                    let de = a.endpoints[d].endpoint
                    out.append(change(sName, names[d], o, w, seenFrom.isEmpty ? [] : seenFrom[de] ?? []))
                }
                for outbound in [false, true] {
                    let oldR = a.merged(endpoint: s, outbound: outbound)
                    let newR = b.merged(endpoint: s, outbound: outbound)
                    // Compare on the common refinement of both merged range lists.
                    var i = 0, j = 0
                    var pending: [(IPRange, ConnectionSet, ConnectionSet)] = []
                    while i < oldR.count && j < newR.count {
                        let lo = max(oldR[i].0.first, newR[j].0.first)
                        let hi = min(oldR[i].0.last, newR[j].0.last)
                        if lo <= hi && lo.isV6 == hi.isV6 && oldR[i].1 != newR[j].1 {
                            if let last = pending.last, last.1 == oldR[i].1, last.2 == newR[j].1,
                               last.0.last.successor == lo {
                                pending[pending.count - 1].0.last = hi
                            } else {
                                pending.append((IPRange(first: lo, last: hi), oldR[i].1, newR[j].1))
                            }
                        }
                        if oldR[i].0.last < newR[j].0.last { i += 1 } else if newR[j].0.last < oldR[i].0.last { j += 1 } else { i += 1; j += 1 }
                    }
                    let seenIPs = (outbound ? observed.outbound[se] : observed.inbound[se]) ?? []
                    for (r, o, w) in pending {
                        let seen = seenIPs.filter { r.contains($0.0) }.map { ($0.1, $0.2, $0.3) }
                        out.append(outbound ? change(sName, r.description, o, w, seen)
                                            : change(r.description, sName, o, w, seen))
                    }
                }
            }
            return out
        }
        var r = Report()
        // Order: by workload (endpoints sorted by name); for each, its outgoing pairs in destination order, then
        // its external ranges (inbound, then outbound). Deterministic without a global string sort.
        r.changes = parts.flatMap { $0 }
        r.workloads = n
        r.pairsCompared = n * (n - 1)
        var coveredNs = Set<String>()
        for p in new.policies { coveredNs.insert(p.namespace) }
        var nsWithWorkloads = Set<String>()
        for (ep, variants) in b.endpoints {
            nsWithWorkloads.insert(ep.namespace)
            if !variants.contains(where: { new.isIngressIsolated($0) }) { r.uncoveredIngress.append(ep.description) }
            if !variants.contains(where: { new.isEgressIsolated($0) }) { r.uncoveredEgress.append(ep.description) }
        }
        r.uncoveredNamespaces = nsWithWorkloads.subtracting(coveredNs).sorted()
        return r
    }
}
