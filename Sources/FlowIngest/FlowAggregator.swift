import FlowModel

/// Folds decoded flows into an `IngestBatch`: one edge per (source, destination, protocol, port, outcome).
///
/// Counting: a connection is usually seen several times (at the source's egress and the destination's ingress,
/// at several observation points, and once per packet in each). Each (edge, direction, observation point) gets
/// its own counter and the edge's flow count is the largest of them, so a second observation point of the same
/// connection never doubles a count, and a capture from a single node still counts what that node saw.
/// Reply flows add nothing.
///
/// Internally everything is interned to small integers so the per-flow work is one hash lookup on two machine
/// words; `Endpoint`s, label sets and strings are materialised once per batch in `take()`. Decoders with their
/// own caches use the id-based entry points (`endpointID`, `pointID`, `addInterned`); `add(_:)` is the generic
/// entry point for any `Flow`. Two aggregators filled in parallel are combined with `absorb(_:)`, which adds the
/// per-observation-point counters before taking the maximum, so the result equals a single-threaded run.
public struct FlowAggregator {
    // MARK: Persistent interning (survives take(); reset with an epoch bump when it grows too large)

    private(set) var endpoints = InternTable<Endpoint>()
    private(set) var strings = InternTable<String>()
    private(set) var l7Requests = InternTable<L7Request>()
    /// Changes whenever the interned ids above are invalidated; decoders caching ids compare it.
    public private(set) var epoch: Int = 0
    /// Changes with every `take()`; decoders caching "already noted in this batch" compare it.
    public private(set) var batchSerial: Int = 0
    /// Tells aggregators apart for decoder caches (a copy shares it: give each worker its own aggregator).
    public let instance = UInt64.random(in: 1...UInt64.max)
    /// ClusterMesh: the name of the local cluster (`ingest --cluster`). Workloads reported in another cluster
    /// become `Endpoint.cluster` peers; nil: decided per flow by the readers (`HubbleCache.localCluster`).
    public var localCluster: String?

    // MARK: Per batch

    /// Hashed by `PointTable` (three words of interned ids, no `Hasher`); equality compares all.
    struct PointKey: Equatable {
        /// source id << 32 | destination id
        var peers: UInt64
        /// port | proto << 16 | outcome << 24 | point << 32
        var rest: UInt64
        /// Start of the flow's time bucket (`TimeBucket.start`).
        var bucket: Int64
    }
    struct Acc {
        var flows: Int64
        var first: Int64
        var last: Int64
        /// First drop reason (string id), -1 when none; more in `extraReasons`.
        var reason: Int32
    }
    private var pointKeys = PointTable()
    private var pointAcc: [Acc] = []
    private var extraReasons: Set<UInt64> = []
    /// (point entry << 32 | l7 id) -> index into l7Acc
    private var l7Index = PointTable()
    private var l7Acc: [Acc] = []
    /// (point entry << 32 | string id of "sides srcIP dstIP") -> index into unmappedAcc: flows with an address no
    /// inventory knew (`absorb` carries them, and the pending flows' ids).
    private var unmappedIndex = PointTable()
    private var unmappedAcc: [Acc] = []
    /// Node ends' addresses per point entry (`EdgeAddresses`): point entry << 32 | side << 31 | address string id.
    private var edgeAddressKeys: Set<UInt64> = []
    /// The Services flows were addressed to per point entry (`EdgeAddresses.services`): point entry << 32 | string id.
    private var edgeServiceKeys: Set<UInt64> = []
    /// Labels, namespaces, names and addresses (the edge maps are filled in `take()`).
    private var side = IngestBatch()
    private var notedLabels: Set<UInt64> = []
    private var ruleCounts = [Int64](repeating: 0, count: ReplyRule.allCases.count)
    private var plainCounts = IngestCounts()

    /// A flow no per-flow rule could orient, kept until the batch ends (`resolvePending`).
    struct Pending {
        var source: Int32, destination: Int32
        var proto: Proto
        var sourcePort: UInt16, port: UInt16
        var verdict: Verdict
        var point: Int32, time: Int64, weight: Int64, dropReason: Int32, l7: Int32, until: Int64
        var unmapped: Int32 = -1
        var sourceAddress: Int32 = -1, destinationAddress: Int32 = -1
        var service: Int32 = -1
    }
    private var pending: [Pending] = []
    /// Listening ports seen in this epoch: endpoint id << 32 | proto code << 16 | port.
    private var listeningIDs: Set<UInt64> = []
    /// Listening ports by endpoint: declared by an inventory, or seen in an earlier epoch. Never reset.
    private var listeningPorts: Set<ListeningPort> = []
    /// Flows of this batch that showed a port listening (key as `listeningIDs`), handed to the store with the
    /// batch (`IngestBatch.listening`) so later ingests know the port.
    private var batchListening: [UInt64: Int64] = [:]

    /// A port a workload listens on (`FlowModel.ListeningPort`).
    public typealias ListeningPort = FlowModel.ListeningPort

    /// Limits on the persistent tables; past them they are cleared at the next `take()`.
    static let maxInterned = 500_000

    /// `--dedupe-window`: events seen before are dropped here, before they count (one thread only).
    public var dedupe: FlowDedupe?

    /// Width of the time buckets counts are kept in (the store's): a flow goes into the bucket of its start.
    public var bucketWidth: Int64 = TimeBucket.defaultWidth {
        didSet { lastBucket = 0 }
    }
    /// The bucket of the previous flow (flows mostly arrive in time order): spares two divisions per flow.
    private var lastBucket: Int64 = 0

    /// `TimeBucket.start(time, width: bucketWidth)`, reusing the previous flow's bucket when `time` is in it.
    @inline(__always) private mutating func bucket(of time: Int64) -> Int64 {
        if time >= lastBucket, UInt64(bitPattern: time &- lastBucket) < UInt64(bitPattern: bucketWidth) { return lastBucket }
        lastBucket = TimeBucket.start(time, width: bucketWidth)
        return lastBucket
    }

    public init() {}

    public init(bucketWidth: Int64) { self.bucketWidth = bucketWidth }

    /// Counts so far in the current batch.
    public var counts: IngestCounts {
        if !pending.isEmpty {
            var copy = self
            copy.resolvePending()
            return copy.counts
        }
        var c = plainCounts
        for rule in ReplyRule.allCases where ruleCounts[rule.index] > 0 {
            c.replyRules[rule.rawValue, default: 0] += ruleCounts[rule.index]
        }
        return c
    }

    /// Flows accepted, lines rejected and lines read so far in this batch, without deciding the pending flows
    /// (which `counts` does on a copy of everything): for progress lines and batch decisions, per chunk.
    public var runningCounts: (accepted: Int64, rejected: Int64, lines: Int64) {
        (plainCounts.accepted, plainCounts.rejected, plainCounts.lines)
    }

    /// Snapshot of the current batch (for tests and tools; `take()` is the normal way out).
    public var batch: IngestBatch {
        var copy = self
        copy.resolvePending()
        return copy.finish()
    }

    // MARK: Interning

    /// The endpoint of an id from `endpointID`.
    public func endpoint(_ id: Int32) -> Endpoint { endpoints[Int(id)] }

    public mutating func endpointID(_ e: Endpoint) -> Int32 { endpoints.id(e) }

    public mutating func stringID(_ s: String) -> Int32 { strings.id(s) }

    /// The parts of the unmapped-address strings interned by `unmappedID`, by string id, so `finish` need not
    /// split them again (cleared with the strings).
    private var unmappedPartsOf: [Int32: (sides: UInt8, source: String, destination: String)] = [:]

    /// String id of a flow's unmapped addresses (`"sides srcIP dstIP"`, for `addInterned(unmapped:)`).
    public mutating func unmappedID(sides: UInt8, source: String, destination: String) -> Int32 {
        let id = stringID("\(sides) \(source) \(destination)")
        if unmappedPartsOf[id] == nil { unmappedPartsOf[id] = (sides, source, destination) }
        return id
    }

    public mutating func l7ID(_ r: L7Request) -> Int32 { l7Requests.id(r) }

    /// String id of a flow end's address when it is kept per connection (`EdgeAddresses.records`: a node entity
    /// or a host-network pod), else -1: the `sourceAddress` / `destinationAddress` of `addInterned`.
    public mutating func edgeAddressID(_ endpoint: Endpoint, ip: String, hostNetwork: Bool) -> Int32 {
        ip.isEmpty || !EdgeAddresses.records(endpoint, hostNetwork: hostNetwork) ? -1 : stringID(ip)
    }

    /// Id of an observation point: direction and the producer's point name.
    public mutating func pointID(direction: Direction, observationPoint: String) -> Int32 {
        stringID("\(direction.rawValue)/\(observationPoint)")
    }

    // MARK: Adding

    /// Adds one flow. Returns false when the flow was a reply and contributed no edge.
    @discardableResult
    public mutating func add(_ flow: Flow) -> Bool {
        var flow = flow
        // A `world` (or CIDR) identity with a known address is that address: policies need the IP.
        if flow.source.endpoint == Self.world, !flow.source.ip.isEmpty { flow.source.endpoint = .external(flow.source.ip) }
        if flow.destination.endpoint == Self.world, !flow.destination.ip.isEmpty {
            flow.destination.endpoint = .external(flow.destination.ip)
        }
        let src = endpointID(flow.source.endpoint)
        let dst = endpointID(flow.destination.endpoint)
        notePeer(src, flow.source)
        notePeer(dst, flow.destination)
        let (reply, rule, opens) = ReplyRule.classify(flow)
        let reason = flow.dropReason.isEmpty ? -1 : stringID(flow.dropReason)
        let l7 = flow.l7.map { l7ID($0) } ?? -1
        let point = pointID(direction: flow.direction, observationPoint: flow.observationPoint)
        let added = addInterned(source: src, destination: dst, proto: flow.proto, port: flow.destinationPort,
                                verdict: flow.verdict, isReply: reply, rule: rule, point: point, time: flow.time,
                                weight: flow.weight, dropReason: reason, l7: l7, until: flow.endTime ?? .min,
                                sourcePort: flow.sourcePort, opens: opens,
                                addresses: dedupe == nil ? "" : flow.source.ip + " " + flow.destination.ip,
                                unmapped: flow.unknownSides == 0 ? -1
                                    : unmappedID(sides: flow.unknownSides, source: flow.source.ip,
                                                 destination: flow.destination.ip),
                                sourceAddress: edgeAddressID(flow.source.endpoint, ip: flow.source.ip,
                                                             hostNetwork: flow.source.hostNetwork),
                                destinationAddress: edgeAddressID(flow.destination.endpoint, ip: flow.destination.ip,
                                                                  hostNetwork: flow.destination.hostNetwork),
                                service: flow.destinationService.isEmpty ? -1 : stringID(flow.destinationService))
        if added, flow.destination.endpoint.kind != .workload, !flow.destination.names.isEmpty {
            noteNames(dst, flow.destination.names)
        }
        if added, !flow.destinationService.isEmpty { noteService(flow.destinationService, for: flow.destination.endpoint) }
        return added
    }

    /// The hot path: a flow whose parts are already interned. Counts the flow as accepted.
    /// Returns false when the flow was a reply and contributed no edge. `opens` (from `ReplyRule.classify`):
    /// the flow shows a listening port (the destination's, or a reply's source port). An `undecided` flow with
    /// both ports waits for the end of the batch, when the listening ports are known (`resolvePending`).
    /// `sourceAddress` / `destinationAddress`: `edgeAddressID` of each end (-1: not kept per connection);
    /// `service`: string id of the Service the flow was addressed to (`namespace/name[:port-name]`, -1: none), kept
    /// per connection (callers also `noteService` it per destination).
    @inline(__always)
    public mutating func addInterned(source: Int32, destination: Int32, proto: Proto, port: UInt16, verdict: Verdict,
                                     isReply: Bool, rule: ReplyRule, point: Int32, time: Int64, weight: Int64,
                                     dropReason: Int32, l7: Int32, until: Int64 = .min, sourcePort: UInt16 = 0,
                                     opens: Bool = false, addresses: String = "", unmapped: Int32 = -1,
                                     sourceAddress: Int32 = -1, destinationAddress: Int32 = -1,
                                     service: Int32 = -1) -> Bool {
        if let d = dedupe {
            let k = FlowDedupe.key(time: time, source: endpoints[Int(source)], destination: endpoints[Int(destination)],
                                   addresses: addresses, proto: proto, sourcePort: sourcePort, port: port,
                                   point: strings[Int(point)])
            if !d.admit(k, time: time) {
                plainCounts.duplicates += 1
                return false
            }
        }
        plainCounts.accepted += 1
        if rule == .undecided && port != 0 && sourcePort != 0 && proto.isPolicyProtocol {
            pending.append(Pending(source: source, destination: destination, proto: proto, sourcePort: sourcePort,
                                   port: port, verdict: verdict, point: point, time: time, weight: weight,
                                   dropReason: dropReason, l7: l7, until: until, unmapped: unmapped,
                                   sourceAddress: sourceAddress, destinationAddress: destinationAddress,
                                   service: service))
            return true
        }
        return record(source: source, destination: destination, proto: proto, port: port, verdict: verdict,
                      isReply: isReply, rule: rule, point: point, time: time, weight: weight, dropReason: dropReason,
                      l7: l7, until: until, sourcePort: sourcePort, opens: opens, unmapped: unmapped,
                      sourceAddress: sourceAddress, destinationAddress: destinationAddress, service: service)
    }

    /// Declares a listening port known from elsewhere (an inventory's containerPort or Service targetPort).
    public mutating func declareListening(_ endpoint: Endpoint, proto: Proto, port: UInt16) {
        listeningPorts.insert(ListeningPort(endpoint: endpoint, proto: proto, port: port))
    }

    @inline(__always) static func listeningKey(_ ep: Int32, _ proto: Proto, _ port: UInt16) -> UInt64 {
        UInt64(UInt32(bitPattern: ep)) << 32 | UInt64(protoCode(proto)) << 16 | UInt64(port)
    }

    /// (An empty set is asked first: a VPC log without TCP flags shows no port listening, and `resolvePending`
    /// asks twice per record, each a seeded hash of the key.)
    func isListening(_ ep: Int32, _ proto: Proto, _ port: UInt16) -> Bool {
        !listeningIDs.isEmpty && listeningIDs.contains(Self.listeningKey(ep, proto, port))
            || !listeningPorts.isEmpty && listeningPorts.contains(ListeningPort(endpoint: endpoints[Int(ep)], proto: proto, port: port))
    }

    /// Decides the batch's undecided flows from the listening ports (see `ReplyRule`): from a listening port to
    /// one that is not a reply; to a listening port forward; else from an ephemeral port to a non-ephemeral one
    /// forward; else undecided: to an ephemeral port no edge, otherwise forward, and named in the counts.
    mutating func resolvePending() {
        for p in pending {
            let srcListens = isListening(p.source, p.proto, p.sourcePort)
            let dstListens = isListening(p.destination, p.proto, p.port)
            var reply = false, rule = ReplyRule.listeningPort
            if srcListens && !dstListens {
                reply = true
            } else if dstListens {
                reply = false
            } else if ReplyRule.isEphemeral(p.sourcePort) && !ReplyRule.isEphemeral(p.port) {
                rule = .ephemeralPort
            } else {
                rule = .undecided
                let written = !ReplyRule.isEphemeral(p.port)
                plainCounts.noteUnoriented("\(endpoints[Int(p.source)]):\(p.sourcePort) -> \(endpoints[Int(p.destination)]):"
                                           + "\(p.port) \(p.proto.rawValue): "
                                           + (written ? "treated as forward" : "no edge (ephemeral port)"), p.weight)
                if !written {
                    ruleCounts[rule.index] += 1
                    continue
                }
            }
            _ = record(source: p.source, destination: p.destination, proto: p.proto, port: p.port,
                       verdict: p.verdict, isReply: reply, rule: rule, point: p.point, time: p.time,
                       weight: p.weight, dropReason: p.dropReason, l7: p.l7, until: p.until, unmapped: p.unmapped,
                       sourceAddress: p.sourceAddress, destinationAddress: p.destinationAddress, service: p.service)
        }
        pending.removeAll()
    }

    @inline(__always)
    private mutating func record(source: Int32, destination: Int32, proto: Proto, port: UInt16, verdict: Verdict,
                                 isReply: Bool, rule: ReplyRule, point: Int32, time: Int64, weight: Int64,
                                 dropReason: Int32, l7: Int32, until: Int64, sourcePort: UInt16 = 0,
                                 opens: Bool = false, unmapped: Int32 = -1, sourceAddress: Int32 = -1,
                                 destinationAddress: Int32 = -1, service: Int32 = -1) -> Bool {
        ruleCounts[rule.index] += 1
        if opens {
            let k = isReply ? Self.listeningKey(source, proto, sourcePort) : Self.listeningKey(destination, proto, port)
            if (isReply ? sourcePort : port) != 0 {
                listeningIDs.insert(k)
                batchListening[k, default: 0] = Counts.saturatingAdd(batchListening[k, default: 0], weight)
            }
        }
        if isReply {
            plainCounts.replies += 1
            return false
        }
        let policyProto = proto.isPolicyProtocol
        if !policyProto { plainCounts.nonPolicyProtocol += 1 }
        let outcome = verdict.outcome
        let key = PointKey(
            peers: UInt64(UInt32(bitPattern: source)) << 32 | UInt64(UInt32(bitPattern: destination)),
            rest: UInt64(policyProto ? port : 0) | UInt64(Self.protoCode(proto)) << 16
                | UInt64(Self.outcomeCode(outcome)) << 24 | UInt64(UInt32(bitPattern: point)) << 32,
            bucket: bucket(of: time))
        let reason = outcome == .denied ? dropReason : -1
        // An aggregated record (Calico, VPC) covers [time, until]: last seen is its end.
        let last = max(time, until)
        let idx = countPoint(key, flows: weight, first: time, last: last, reason: reason)
        if sourceAddress >= 0 { edgeAddressKeys.insert(Self.edgeAddressKey(idx, 0, sourceAddress)) }
        if destinationAddress >= 0 { edgeAddressKeys.insert(Self.edgeAddressKey(idx, 1, destinationAddress)) }
        if service >= 0 { edgeServiceKeys.insert(UInt64(idx) << 32 | UInt64(UInt32(bitPattern: service))) }
        if unmapped >= 0 {
            Self.count(UInt64(idx) << 32 | UInt64(UInt32(bitPattern: unmapped)), in: &unmappedIndex, &unmappedAcc,
                       weight: weight, time: time, last: last)
        }
        if l7 >= 0 {
            Self.count(UInt64(idx) << 32 | UInt64(UInt32(bitPattern: l7)), in: &l7Index, &l7Acc,
                       weight: weight, time: time, last: last)
        }
        return true
    }

    @inline(__always) static func edgeAddressKey(_ entry: Int, _ side: UInt64, _ address: Int32) -> UInt64 {
        UInt64(entry) << 32 | side << 31 | UInt64(UInt32(bitPattern: address) & 0x7FFF_FFFF)
    }

    /// Adds flows (first and last seen, a drop reason or -1) to the point entry of `key`, new or not; its index.
    @inline(__always)
    private mutating func countPoint(_ key: PointKey, flows: Int64, first: Int64, last: Int64, reason: Int32) -> Int {
        let (id, inserted) = pointKeys.insert(key)
        let idx = Int(id)
        if inserted {
            pointAcc.append(Acc(flows: flows, first: first, last: last, reason: reason))
            return idx
        }
        pointAcc[idx].flows = Counts.saturatingAdd(pointAcc[idx].flows, flows)
        if first < pointAcc[idx].first { pointAcc[idx].first = first }
        if last > pointAcc[idx].last { pointAcc[idx].last = last }
        if reason >= 0 && pointAcc[idx].reason != reason {
            if pointAcc[idx].reason < 0 {
                pointAcc[idx].reason = reason
            } else {
                extraReasons.insert(UInt64(idx) << 32 | UInt64(reason))
            }
        }
        return idx
    }

    /// Adds a flow to the counter `key` of a point entry's details (its L7 requests, its unmapped addresses).
    @inline(__always)
    /// `index` numbers keys as `acc` grows (one word in `peers`: `PointTable`'s cheap hash, not a seeded SipHash).
    private static func count(_ key: UInt64, in index: inout PointTable, _ acc: inout [Acc], weight: Int64,
                              time: Int64, last: Int64) {
        let (id, inserted) = index.insert(PointKey(peers: key, rest: 0, bucket: 0))
        if inserted {
            acc.append(Acc(flows: weight, first: time, last: last, reason: -1))
        } else {
            let j = Int(id)
            acc[j].flows = Counts.saturatingAdd(acc[j].flows, weight)
            if time < acc[j].first { acc[j].first = time }
            if last > acc[j].last { acc[j].last = last }
        }
    }

    static let world = Endpoint.reserved(.world)

    /// True when `notePeer`/`noteWorkload` record anything for this endpoint.
    public static func isNoted(_ e: Endpoint) -> Bool {
        e.kind == .workload || e.reservedEntity.map(ReservedEntity.addressed.contains) == true
    }

    /// Records what a peer tells about its workload and namespace (and the address of an addressed entity).
    public mutating func notePeer(_ id: Int32, _ peer: FlowPeer) {
        guard Self.isNoted(peer.endpoint) else { return }
        noteWorkload(id, stableLabels: peer.labels.isEmpty ? nil : VolatileLabels.stable(peer.labels).canonical,
                     namespaceLabels: peer.namespaceLabels, ip: peer.ip)
    }

    /// Records a workload's stable label set (canonical form), namespace labels and pod IP; for the reserved
    /// entities in `ReservedEntity.addressed` only the IP.
    public mutating func noteWorkload(_ id: Int32, stableLabels: String?, namespaceLabels: Labels, ip: String) {
        let ep = endpoints[Int(id)]
        if ep.reservedEntity.map(ReservedEntity.addressed.contains) == true {
            if !ip.isEmpty, side.addresses[ep]?.contains(ip) != true { side.addresses[ep, default: []].insert(ip) }
            return
        }
        guard ep.kind == .workload else { return }
        if let stable = stableLabels {
            let key = UInt64(UInt32(bitPattern: id)) << 32 | UInt64(UInt32(bitPattern: stringID(stable)))
            if notedLabels.insert(key).inserted { side.labelSets[ep, default: []].insert(stable) }
        }
        if !namespaceLabels.isEmpty, side.namespaceLabels[ep.namespace] == nil {
            side.namespaceLabels[ep.namespace] = namespaceLabels
        }
        if !ip.isEmpty, side.addresses[ep]?.contains(ip) != true {
            side.addresses[ep, default: []].insert(ip)
        }
    }

    /// Records DNS names seen for a (non-workload) destination.
    public mutating func noteNames(_ id: Int32, _ names: [String]) {
        let ep = endpoints[Int(id)]
        guard ep.kind != .workload, !names.isEmpty else { return }
        if let have = side.names[ep], names.allSatisfy(have.contains) { return }
        side.names[ep, default: []].formUnion(names)
    }

    /// Records that flows to `endpoint` were addressed to `service` (`namespace/name[:port-name]`).
    public mutating func noteService(_ service: String, for endpoint: Endpoint) {
        if side.services[endpoint]?.contains(service) != true { side.services[endpoint, default: []].insert(service) }
    }

    public mutating func countLine() { plainCounts.lines += 1 }
    public mutating func countSkipped() { plainCounts.skipped += 1 }
    public mutating func countRejected() { plainCounts.rejected += 1 }
    public mutating func countBytes(_ n: Int) { plainCounts.bytes += Int64(n) }

    // MARK: Combining and handing out

    /// Adds everything `other` gathered in its current batch to this one, as if its flows had been added here.
    public mutating func absorb(_ other: FlowAggregator) {
        var epMap = [Int32](repeating: -1, count: other.endpoints.count)
        func ep(_ id: Int32) -> Int32 {
            if epMap[Int(id)] < 0 { epMap[Int(id)] = endpointID(other.endpoints[Int(id)]) }
            return epMap[Int(id)]
        }
        var strMap = [Int32](repeating: -1, count: other.strings.count)
        func str(_ id: Int32) -> Int32 {
            if id < 0 { return -1 }
            if strMap[Int(id)] < 0 { strMap[Int(id)] = stringID(other.strings[Int(id)]) }
            return strMap[Int(id)]
        }
        /// An unmapped flow's string id here, with the parts `finish` decodes it into (kept from the first side).
        func unmapped(_ id: Int32) -> Int32 {
            let mine = str(id)
            if unmappedPartsOf[mine] == nil, let parts = other.unmappedPartsOf[id] { unmappedPartsOf[mine] = parts }
            return mine
        }
        var pointMap = [Int32](repeating: -1, count: other.pointKeys.count)
        for (i, k) in other.pointKeys.values.enumerated() {
            let src = ep(Int32(truncatingIfNeeded: k.peers >> 32))
            let dst = ep(Int32(truncatingIfNeeded: k.peers & 0xFFFF_FFFF))
            let point = str(Int32(truncatingIfNeeded: k.rest >> 32))
            let key = PointKey(peers: UInt64(UInt32(bitPattern: src)) << 32 | UInt64(UInt32(bitPattern: dst)),
                               rest: (k.rest & 0xFFFF_FFFF) | UInt64(UInt32(bitPattern: point)) << 32,
                               bucket: TimeBucket.start(k.bucket, width: bucketWidth))
            let o = other.pointAcc[i]
            pointMap[i] = Int32(countPoint(key, flows: o.flows, first: o.first, last: o.last, reason: str(o.reason)))
        }
        for packed in other.extraReasons {
            let idx = Int(pointMap[Int(packed >> 32)])
            let r = str(Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF))
            if pointAcc[idx].reason < 0 {
                pointAcc[idx].reason = r
            } else if pointAcc[idx].reason != r {
                extraReasons.insert(UInt64(idx) << 32 | UInt64(r))
            }
        }
        for k in other.edgeAddressKeys {
            edgeAddressKeys.insert(Self.edgeAddressKey(Int(pointMap[Int(k >> 32)]), (k >> 31) & 1,
                                                       str(Int32(truncatingIfNeeded: k & 0x7FFF_FFFF))))
        }
        for k in other.edgeServiceKeys {
            edgeServiceKeys.insert(UInt64(pointMap[Int(k >> 32)]) << 32
                                   | UInt64(UInt32(bitPattern: str(Int32(truncatingIfNeeded: k & 0xFFFF_FFFF)))))
        }
        for (j, k) in other.l7Index.values.enumerated() {
            let lk = k.peers
            let idx = pointMap[Int(lk >> 32)]
            let l7 = l7ID(other.l7Requests[Int(lk & 0xFFFF_FFFF)])
            let key = UInt64(UInt32(bitPattern: idx)) << 32 | UInt64(UInt32(bitPattern: l7))
            let o = other.l7Acc[Int(j)]
            Self.count(key, in: &l7Index, &l7Acc, weight: o.flows, time: o.first, last: o.last)
        }
        for (j, k) in other.unmappedIndex.values.enumerated() {
            let uk = k.peers
            let idx = pointMap[Int(uk >> 32)]
            let mine = unmapped(Int32(truncatingIfNeeded: uk & 0xFFFF_FFFF))
            let o = other.unmappedAcc[j]
            Self.count(UInt64(UInt32(bitPattern: idx)) << 32 | UInt64(UInt32(bitPattern: mine)), in: &unmappedIndex,
                       &unmappedAcc, weight: o.flows, time: o.first, last: o.last)
        }
        for (e, sets) in other.side.labelSets {
            let id = endpointID(e)
            for s in sets {
                let key = UInt64(UInt32(bitPattern: id)) << 32 | UInt64(UInt32(bitPattern: stringID(s)))
                if notedLabels.insert(key).inserted { side.labelSets[e, default: []].insert(s) }
            }
        }
        for (ns, l) in other.side.namespaceLabels where side.namespaceLabels[ns] == nil {
            side.namespaceLabels[ns] = l
        }
        for (e, n) in other.side.names { side.names[e, default: []].formUnion(n) }
        for (e, a) in other.side.addresses { side.addresses[e, default: []].formUnion(a) }
        for (e, a) in other.side.services { side.services[e, default: []].formUnion(a) }
        plainCounts.add(other.plainCounts)
        for i in ruleCounts.indices { ruleCounts[i] += other.ruleCounts[i] }
        for k in other.listeningIDs {
            listeningIDs.insert(Self.listeningKey(ep(Int32(truncatingIfNeeded: k >> 32)),
                                                  Self.protoFromCode(UInt8(truncatingIfNeeded: k >> 16)),
                                                  UInt16(truncatingIfNeeded: k)))
        }
        listeningPorts.formUnion(other.listeningPorts)
        for (k, n) in other.batchListening {
            let mine = Self.listeningKey(ep(Int32(truncatingIfNeeded: k >> 32)),
                                         Self.protoFromCode(UInt8(truncatingIfNeeded: k >> 16)),
                                         UInt16(truncatingIfNeeded: k))
            batchListening[mine] = Counts.saturatingAdd(batchListening[mine, default: 0], n)
        }
        for var p in other.pending {
            p.source = ep(p.source)
            p.destination = ep(p.destination)
            p.point = str(p.point)
            p.dropReason = str(p.dropReason)
            p.l7 = p.l7 < 0 ? -1 : l7ID(other.l7Requests[Int(p.l7)])
            p.sourceAddress = str(p.sourceAddress)
            p.destinationAddress = str(p.destinationAddress)
            p.service = str(p.service)
            if p.unmapped >= 0 { p.unmapped = unmapped(p.unmapped) }
            pending.append(p)
        }
    }

    /// The batch as gathered so far: per-point counters folded into edges per bucket (maximum over points), and
    /// the buckets added up into `edges` and `l7`.
    ///
    /// The point entries are first grouped by bucketed edge and by edge on their interned ids (two machine words
    /// to hash), so each `BucketedEdge` / `EdgeKey` (Strings of two endpoints to hash) is built and inserted once,
    /// not looked up and stored again per observation point (issue 22: this was 44% of the VPC reader's time).
    private func finish() -> IngestBatch {
        var b = side
        let n = pointKeys.count
        // Bucketed edges and edges by ids: the point key without its point (and, for the edge, its bucket).
        var bucketOf = [Int32](repeating: 0, count: n)
        var bucketIDs = PointTable(minimumCapacity: n)
        var edgeOfBucket = [Int32]()
        edgeOfBucket.reserveCapacity(n)
        var edgeIDs = PointTable()
        for (i, k) in pointKeys.values.enumerated() {
            let bk = PointKey(peers: k.peers, rest: k.rest & 0xFFFF_FFFF, bucket: k.bucket)
            let (g, inserted) = bucketIDs.insert(bk)
            bucketOf[i] = g
            if inserted { edgeOfBucket.append(edgeIDs.id(PointKey(peers: k.peers, rest: bk.rest, bucket: 0))) }
        }
        // Per bucketed edge: the busiest point's count, first/last seen, drop reasons; and each point's counters.
        var stats = [EdgeStats](repeating: EdgeStats(), count: bucketIDs.count)
        var points = [[String: EdgeStats]](repeating: [:], count: bucketIDs.count)
        for i in 0..<n {
            let g = Int(bucketOf[i])
            let a = pointAcc[i]
            stats[g].flows = max(stats[g].flows, a.flows)
            stats[g].firstSeen = min(stats[g].firstSeen, a.first)
            stats[g].lastSeen = max(stats[g].lastSeen, a.last)
            if a.reason >= 0 { stats[g].dropReasons.insert(strings[Int(a.reason)]) }
            points[g][strings[Int(pointKeys[i].rest >> 32)]] = EdgeStats(flows: a.flows, firstSeen: a.first,
                                                                         lastSeen: a.last)
        }
        for packed in extraReasons {
            stats[Int(bucketOf[Int(packed >> 32)])].dropReasons.insert(strings[Int(packed & 0xFFFF_FFFF)])
        }
        let edgeKeys = edgeIDs.values.map(edgeKey)
        var edgeStats = [EdgeStats](repeating: EdgeStats(), count: edgeIDs.count)
        var bucketKeys = [BucketedEdge]()
        bucketKeys.reserveCapacity(bucketIDs.count)
        for g in bucketIDs.values.indices {
            let e = Int(edgeOfBucket[g])
            bucketKeys.append(BucketedEdge(edge: edgeKeys[e], bucket: bucketIDs[g].bucket))
            edgeStats[e].merge(stats[g])
        }
        // `side` holds no edges (only `finish` fills these three), so each key is new.
        b.buckets.reserveCapacity(bucketKeys.count)
        b.points.reserveCapacity(bucketKeys.count)
        for g in bucketKeys.indices {
            b.buckets[bucketKeys[g]] = stats[g]
            b.points[bucketKeys[g]] = points[g]
        }
        b.edges.reserveCapacity(edgeKeys.count)
        for e in edgeKeys.indices { b.edges[edgeKeys[e]] = edgeStats[e] }
        for (k, n) in batchListening {
            b.listening[ListeningPort(endpoint: endpoints[Int(k >> 32)],
                                      proto: Self.protoFromCode(UInt8(truncatingIfNeeded: k >> 16)),
                                      port: UInt16(truncatingIfNeeded: k))] = n
        }
        for k in edgeAddressKeys {
            let key = bucketKeys[Int(bucketOf[Int(k >> 32)])]
            b.edgeAddresses[key, default: EdgeAddresses()][Int((k >> 31) & 1)]
                .insert(strings[Int(k & 0x7FFF_FFFF)])
        }
        for k in edgeServiceKeys {
            b.edgeAddresses[bucketKeys[Int(bucketOf[Int(k >> 32)])], default: EdgeAddresses()].services
                .insert(strings[Int(k & 0xFFFF_FFFF)])
        }
        for (j, k) in l7Index.values.enumerated() {
            let lk = k.peers
            let key = bucketKeys[Int(bucketOf[Int(lk >> 32)])]
            let request = l7Requests[Int(lk & 0xFFFF_FFFF)]
            let a = l7Acc[Int(j)]
            var s = b.bucketL7[key]?[request] ?? EdgeStats()
            s.flows = max(s.flows, a.flows)
            s.firstSeen = min(s.firstSeen, a.first)
            s.lastSeen = max(s.lastSeen, a.last)
            b.bucketL7[key, default: [:]][request] = s
        }
        var unmappedParts = [Int32: (sides: UInt8, source: String, destination: String)]()
        for (j, k) in unmappedIndex.values.enumerated() {
            let uk = k.peers
            let a = unmappedAcc[Int(j)]
            let sid = Int32(truncatingIfNeeded: uk & 0xFFFF_FFFF)
            let parts: (sides: UInt8, source: String, destination: String)
            if let known = unmappedParts[sid] ?? unmappedPartsOf[sid] {
                parts = known
            } else {
                parts = Self.unmappedParts(strings[Int(sid)])
                unmappedParts[sid] = parts
            }
            let idx = Int(uk >> 32)
            b.unmapped.append(UnmappedFlow(
                sides: parts.sides, sourceIP: parts.source, destinationIP: parts.destination,
                edge: bucketKeys[Int(bucketOf[idx])], point: strings[Int(pointKeys[idx].rest >> 32)],
                stats: EdgeStats(flows: a.flows, firstSeen: a.first, lastSeen: a.last)))
        }
        for (key, byRequest) in b.bucketL7 {
            for (r, s) in byRequest { b.l7[L7Key(edge: key.edge, request: r), default: EdgeStats()].merge(s) }
        }
        return b
    }

    /// The parts of an unmapped-address string (`"sides srcIP dstIP"`, as `add` and the readers intern it), split
    /// on its UTF-8 bytes.
    static func unmappedParts(_ s: String) -> (sides: UInt8, source: String, destination: String) {
        let parts = s.utf8.split(separator: 0x20, omittingEmptySubsequences: false)
        func text(_ i: Int) -> String { i < parts.count ? String(Substring(parts[i])) : "" }
        return (UInt8(text(0)) ?? 0, text(1), text(2))
    }

    private func edgeKey(_ k: PointKey) -> EdgeKey {
        EdgeKey(source: endpoints[Int(k.peers >> 32)], destination: endpoints[Int(k.peers & 0xFFFF_FFFF)],
                proto: Self.protoFromCode(UInt8(truncatingIfNeeded: k.rest >> 16)),
                port: UInt16(truncatingIfNeeded: k.rest),
                outcome: Self.outcomeFromCode(UInt8(truncatingIfNeeded: k.rest >> 24)))
    }

    /// Hands out what was gathered so far and starts a new batch (stream batching).
    public mutating func take() -> (IngestBatch, IngestCounts) {
        resolvePending()
        let out = (finish(), counts)
        resetBatch()
        return out
    }

    /// Drops the current batch (after it was absorbed elsewhere) and starts a new one.
    public mutating func resetBatch() {
        pointKeys.removeAll(keepingCapacity: true)
        pointAcc.removeAll(keepingCapacity: true)
        extraReasons.removeAll()
        l7Index.removeAll(keepingCapacity: true)
        l7Acc.removeAll(keepingCapacity: true)
        unmappedIndex.removeAll(keepingCapacity: true)
        unmappedAcc.removeAll(keepingCapacity: true)
        edgeAddressKeys.removeAll(keepingCapacity: true)
        edgeServiceKeys.removeAll(keepingCapacity: true)
        side = IngestBatch()
        notedLabels.removeAll()
        plainCounts = IngestCounts()
        for i in ruleCounts.indices { ruleCounts[i] = 0 }
        pending.removeAll()
        batchListening.removeAll()
        batchSerial += 1
        if endpoints.count > Self.maxInterned || strings.count > Self.maxInterned
            || l7Requests.count > Self.maxInterned {
            // Listening ports outlive the interned ids.
            for k in listeningIDs {
                listeningPorts.insert(ListeningPort(endpoint: endpoints[Int(k >> 32)],
                                                    proto: Self.protoFromCode(UInt8(truncatingIfNeeded: k >> 16)),
                                                    port: UInt16(truncatingIfNeeded: k)))
            }
            listeningIDs.removeAll()
            endpoints.removeAll()
            strings.removeAll()
            unmappedPartsOf.removeAll()
            l7Requests.removeAll()
            epoch += 1
        }
    }

    // MARK: Codes

    @inline(__always) static func protoCode(_ p: Proto) -> UInt8 {
        switch p {
        case .tcp: return 0
        case .udp: return 1
        case .sctp: return 2
        case .icmpv4: return 3
        case .icmpv6: return 4
        case .other: return 5
        }
    }
    static func protoFromCode(_ c: UInt8) -> Proto {
        [Proto.tcp, .udp, .sctp, .icmpv4, .icmpv6, .other][Int(c)]
    }
    @inline(__always) static func outcomeCode(_ o: Outcome) -> UInt8 {
        switch o {
        case .allowed: return 0
        case .denied: return 1
        case .other: return 2
        }
    }
    static func outcomeFromCode(_ c: UInt8) -> Outcome {
        [Outcome.allowed, .denied, .other][Int(c)]
    }
}
