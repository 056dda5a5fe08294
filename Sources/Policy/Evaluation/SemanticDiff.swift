import FlowModel

/// A semantic connectivity diff of two policy sets as netpol-analyzer's `diff` defines it: each side's
/// connectivity over its OWN workloads, compared per (source, destination) pair — changed / added / removed —
/// with external ranges refined to the common partition of both sides; a pair whose workload exists on one side
/// only is added or removed and says so. Annotated with observed evidence when edges are given.
public enum SemanticDiff {
    public enum Kind: String, Sendable, Codable {
        case changed, added, removed
    }

    /// Observed-allowed traffic on one port that the new set no longer allows.
    public struct Break: Sendable, Hashable, CustomStringConvertible {
        public var proto: Proto
        public var port: Int
        public var flows: Int64
        public var description: String { "\(proto.rawValue) \(port) (\(flows) flows)" }
    }

    public struct Change: Sendable, Hashable {
        public var kind: Kind
        /// `ns/name[Kind]`, or `first-last[External]` for an external range (netpol-analyzer's naming).
        public var source: String
        public var destination: String
        public var sourceIsExternal = false
        public var destinationIsExternal = false
        public var old: ConnectionSet
        public var new: ConnectionSet
        /// The source (destination) workload exists only in NEW (added) or only in OLD (removed).
        public var sourceOnOneSide = false
        public var destinationOnOneSide = false
        /// Observed-allowed connections the new set no longer allows: what would break.
        public var breaks: [Break] = []
        /// Connections the new set adds: `never observed` when no observed flow uses any of them.
        public var addedObserved = false
        public var addedAnything = false

        /// netpol-analyzer's `workloads-diff-info` (`workload ns/a[Deployment] added`), or "".
        public var workloadsInfo: String {
            guard sourceOnOneSide || destinationOnOneSide else { return "" }
            let names = (sourceOnOneSide ? [source] : []) + (destinationOnOneSide ? [destination] : [])
            return "workload " + names.joined(separator: " and ") + " " + kind.rawValue
        }
    }

    public struct Report: Sendable {
        /// netpol-analyzer's grouping: changed, added, removed; each sorted by source then destination (address
        /// ranges first, by address; workloads by name).
        public var changes: [Change] = []
        /// Workloads present only in NEW / only in OLD (`ns/name[Kind]`), sorted.
        public var addedWorkloads: [String] = []
        public var removedWorkloads: [String] = []
        public var oldWorkloads = 0
        public var newWorkloads = 0
        /// Whether observed edges were given (the evidence annotations mean something).
        public var hasEvidence = false
        /// Workloads that no policy of the NEW set selects, per direction (`ns/name[Kind]`).
        public var uncoveredIngress: [String] = []
        public var uncoveredEgress: [String] = []
        /// Namespaces with workloads but no policy in the NEW set.
        public var uncoveredNamespaces: [String] = []
        /// What either side knowingly left out (`--skip-invalid`, `--ignore-kind`): the verdict says it.
        public var caveats = EvaluationCaveats()

        public init() {}

        public var isEmpty: Bool { changes.isEmpty && addedWorkloads.isEmpty && removedWorkloads.isEmpty }
        /// Workloads on either side.
        public var workloads: Int { newWorkloads + removedWorkloads.count }
        public var breakingChanges: Int { changes.filter { !$0.breaks.isEmpty }.count }
        public var unobservedAdditions: Int { changes.filter { $0.addedAnything && !$0.addedObserved }.count }
        public func count(_ k: Kind) -> Int { changes.filter { $0.kind == k }.count }
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

    /// Whether `new` adds anything to `old`, memoized per chunk (a diff has many changed pairs but few distinct
    /// connection sets).
    struct Memo {
        var gains: [Pair: Bool] = [:]
        struct Pair: Hashable {
            var old: ConnectionSet
            var new: ConnectionSet
        }
        mutating func gains(_ o: ConnectionSet, _ w: ConnectionSet) -> Bool {
            let k = Pair(old: o, new: w)
            if let g = gains[k] { return g }
            let g = !w.subtracting(o).isEmpty
            gains[k] = g
            return g
        }
    }

    static func change(_ src: String, _ dst: String, _ o: ConnectionSet, _ w: ConnectionSet,
                       _ seen: [(Proto, Int, Int64)], _ memo: inout Memo) -> Change {
        let kind: Kind = o.isEmpty ? .added : (w.isEmpty ? .removed : .changed)
        var c = Change(kind: kind, source: src, destination: dst, old: o, new: w)
        if seen.isEmpty {
            c.addedAnything = memo.gains(o, w)
            return c
        }
        let gained = w.subtracting(o)
        let lost = o.subtracting(w)
        var breaks: [PortKey: Int64] = [:]
        for (p, port, flows) in seen {
            if lost.contains(p, port) { breaks[PortKey(proto: p, port: port), default: 0] += flows }
            if gained.contains(p, port) { c.addedObserved = true }
        }
        c.breaks = breaks.keys.sorted().map { Break(proto: $0.proto, port: $0.port, flows: breaks[$0]!) }
        c.addedAnything = !gained.isEmpty
        return c
    }

    struct PortKey: Hashable, Comparable {
        var proto: Proto
        var port: Int
        static func < (a: PortKey, b: PortKey) -> Bool { (a.proto.rawValue, a.port) < (b.proto.rawValue, b.port) }
    }

    /// Output order without comparing strings: kind (changed, added, removed), then source, then destination;
    /// address ranges (index -1, by address) before workloads (by name: union index), as in the connlist.
    struct Order: Comparable {
        var kind: Int
        var source: Int
        var sourceRange: IPAddr
        var destination: Int
        var destinationRange: IPAddr

        static func rank(_ k: Kind) -> Int { k == .changed ? 0 : (k == .added ? 1 : 2) }

        init(_ k: Kind, _ s: Int, _ sr: IPRange?, _ d: Int, _ dr: IPRange?) {
            kind = Self.rank(k)
            source = s
            sourceRange = sr?.first ?? .v4Min
            destination = d
            destinationRange = dr?.first ?? .v4Min
        }

        /// An endpoint pair's order (no ranges).
        init(kind: Int, source: Int, destination: Int) {
            self.kind = kind
            self.source = source
            sourceRange = .v4Min
            self.destination = destination
            destinationRange = .v4Min
        }

        static func < (a: Order, b: Order) -> Bool {
            if a.kind != b.kind { return a.kind < b.kind }
            if a.source != b.source { return a.source < b.source }
            if a.sourceRange != b.sourceRange { return a.sourceRange < b.sourceRange }
            if a.destination != b.destination { return a.destination < b.destination }
            return a.destinationRange < b.destinationRange
        }
    }

    /// One chunk of rows' changes. Endpoint pairs come out already in output order within each kind (rows
    /// ascending, destinations ascending), so only the range entries are sorted, and the kinds are merged with
    /// them: sorting two million (Order, Change) values moved each Change (two Strings, six port arrays) about
    /// twenty times, with a retain and release per reference each time.
    struct Chunk {
        /// Endpoint-pair changes per kind (changed, added, removed), with their (source, destination) union indexes.
        var pairs: [[Change]] = [[], [], []]
        var pairKeys: [[(Int32, Int32)]] = [[], [], []]
        /// Changes with an external range at one end, in any order.
        var ranges: [(Order, Change)] = []

        mutating func add(pair c: Change, _ s: Int32, _ d: Int32) {
            let k = Order.rank(c.kind)
            pairs[k].append(c)
            pairKeys[k].append((s, d))
        }

        /// Every chunk's changes in `Order` (the chunks hold ascending, disjoint row ranges, in order).
        static func ordered(_ chunks: [Chunk]) -> [Change] {
            var ranges = chunks.flatMap(\.ranges)
            ranges.sort { $0.0 < $1.0 }
            var out: [Change] = []
            out.reserveCapacity(ranges.count + chunks.reduce(0) { $0 + $1.pairs.reduce(0) { $0 + $1.count } })
            var ri = 0
            for kind in 0..<3 {
                for c in chunks {
                    for (i, key) in c.pairKeys[kind].enumerated() {
                        let order = Order(kind: kind, source: Int(key.0), destination: Int(key.1))
                        while ri < ranges.count && ranges[ri].0 < order {
                            out.append(ranges[ri].1)
                            ri += 1
                        }
                        out.append(c.pairs[kind][i])
                    }
                }
                while ri < ranges.count && ranges[ri].0.kind == kind {
                    out.append(ranges[ri].1)
                    ri += 1
                }
            }
            return out
        }
    }

    /// One endpoint of the union of both sides: its index in each side's map, or -1 where it is absent.
    struct UnionEndpoint {
        var endpoint: Endpoint
        var name: String
        var old: Int
        var new: Int
    }

    /// Both sides' endpoints merged by name (each map lists its endpoints sorted by name).
    static func union(_ a: ConnectivityMap, _ b: ConnectivityMap) -> [UnionEndpoint] {
        let na = a.endpoints.map(\.endpoint.description), nb = b.endpoints.map(\.endpoint.description)
        var out: [UnionEndpoint] = []
        out.reserveCapacity(max(na.count, nb.count))
        var i = 0, j = 0
        while i < na.count || j < nb.count {
            if j == nb.count || (i < na.count && na[i] < nb[j]) {
                out.append(UnionEndpoint(endpoint: a.endpoints[i].endpoint, name: na[i], old: i, new: -1)); i += 1
            } else if i == na.count || nb[j] < na[i] {
                out.append(UnionEndpoint(endpoint: b.endpoints[j].endpoint, name: nb[j], old: -1, new: j)); j += 1
            } else {
                out.append(UnionEndpoint(endpoint: a.endpoints[i].endpoint, name: na[i], old: i, new: j)); i += 1; j += 1
            }
        }
        return out
    }

    /// `old` and `new` may be built over different workloads: each side is evaluated over its own.
    public static func run(old: PolicyEvaluator, new: PolicyEvaluator, edges: [ObservedEdge] = []) -> Report {
        let v6 = old.hasIPv6Blocks || new.hasIPv6Blocks
        let a = ConnectivityMap(old, includeV6: v6), b = ConnectivityMap(new, includeV6: v6)
        let observed = Observed(edges)
        let all = union(a, b)
        let n = all.count
        var unionOfOld = [Int](repeating: 0, count: a.endpoints.count)
        var unionOfNew = [Int](repeating: 0, count: b.endpoints.count)
        for (u, e) in all.enumerated() {
            if e.old >= 0 { unionOfOld[e.old] = u }
            if e.new >= 0 { unionOfNew[e.new] = u }
        }
        let fromOld = unionOfOld, fromNew = unionOfNew
        // Candidate pairs: a side allows s -> d only when s is among d's possible sources and d among s's
        // possible destinations on that side.
        let (destsA, sourcesA) = a.candidates([old])
        let (destsB, sourcesB) = b.candidates([new])
        let reverseA = ReverseSources(sourcesA), reverseB = ReverseSources(sourcesB)
        let nothing = IPSpacePartition.ranges(blocks: [], includeV6: v6).map { ($0, ConnectionSet.none) }
        // Per union endpoint, its index on each side (flat: the pair loop reads these for every candidate, and an
        // endpoint's names only when it makes a change).
        let oldOf = all.map { Int32($0.old) }, newOf = all.map { Int32($0.new) }
        let parts = ParallelChunks.map(count: n) { rows -> Chunk in
            var out = Chunk()
            var memo = Memo()
            for s in rows {
                let se = all[s], sa = se.old, sb = se.new
                let seenFrom = observed.pairs[se.endpoint] ?? [:]
                // The union of both sides' candidates, ascending: a sorted list when few, a bitset of the union
                // when many (a bitset per row costs the union's size, squared over the rows).
                var cand: [Int] = []
                if sa >= 0 { reverseA.forEachMutual(sa, destsA[sa]) { cand.append(fromOld[$0]) } }
                if sb >= 0 { reverseB.forEachMutual(sb, destsB[sb]) { cand.append(fromNew[$0]) } }
                if cand.count > WorkloadSet.listLimit(n) {
                    var bits = Bitset(count: n)
                    for d in cand { bits.insert(d) }
                    cand = bits.members
                } else {
                    cand.sortRemovingRepeats()
                }
                for d in cand where d != s {
                    let dOld = Int(oldOf[d]), dNew = Int(newOf[d])
                    let o = sa >= 0 && dOld >= 0 ? a.connections(sa, dOld) : .none
                    let w = sb >= 0 && dNew >= 0 ? b.connections(sb, dNew) : .none
                    if o == w { continue }
                    let de = all[d]
                    var c = change(se.name, de.name, o, w, seenFrom.isEmpty ? [] : seenFrom[de.endpoint] ?? [], &memo)
                    mark(&c, source: se, destination: de)
                    out.add(pair: c, Int32(s), Int32(d))
                }
                for outbound in [false, true] {
                    let oldR = sa >= 0 ? a.merged(endpoint: sa, outbound: outbound) : nothing
                    let newR = sb >= 0 ? b.merged(endpoint: sb, outbound: outbound) : nothing
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
                    let seenIPs = (outbound ? observed.outbound[se.endpoint] : observed.inbound[se.endpoint]) ?? []
                    for (r, o, w) in pending {
                        let seen = seenIPs.filter { r.contains($0.0) }.map { ($0.1, $0.2, $0.3) }
                        let ext = r.description + "[External]"
                        var c = outbound ? change(se.name, ext, o, w, seen, &memo) : change(ext, se.name, o, w, seen, &memo)
                        if outbound {
                            c.destinationIsExternal = true
                            mark(&c, source: se, destination: nil)
                            out.ranges.append((Order(c.kind, s, nil, -1, r), c))
                        } else {
                            c.sourceIsExternal = true
                            mark(&c, source: nil, destination: se)
                            out.ranges.append((Order(c.kind, -1, r, s, nil), c))
                        }
                    }
                }
            }
            return out
        }
        var r = Report()
        r.changes = Chunk.ordered(parts)
        r.addedWorkloads = all.filter { $0.old < 0 }.map(\.name)
        r.removedWorkloads = all.filter { $0.new < 0 }.map(\.name)
        r.oldWorkloads = a.endpoints.count
        r.newWorkloads = b.endpoints.count
        r.hasEvidence = !edges.isEmpty
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

    /// Marks the workload ends that exist on one side only (netpol-analyzer: only for added / removed pairs).
    static func mark(_ c: inout Change, source: UnionEndpoint?, destination: UnionEndpoint?) {
        func oneSide(_ e: UnionEndpoint?) -> Bool {
            guard let e else { return false }
            switch c.kind {
            case .added: return e.old < 0
            case .removed: return e.new < 0
            case .changed: return false
            }
        }
        c.sourceOnOneSide = oneSide(source)
        c.destinationOnOneSide = oneSide(destination)
    }
}
