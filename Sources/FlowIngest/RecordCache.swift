import FlowModel

/// Per-reader caches of the Calico, VPC and generic readers' fast paths (issue 22): raw field bytes -> what the
/// reader's own decoding made of them the first time (a peer or why it is rejected, a drop reason, an
/// observation point) and the aggregator's ids for it. Pure caches: the value for a key is computed by the same
/// code the reader always used, so dropping them changes nothing but speed. Tied to one aggregator (its
/// `instance` and `epoch`), cleared when that changes or when they outgrow `maxBytes`.
struct RecordCache {
    static let maxBytes = 32 << 20

    private var instance: UInt64 = 0
    private var epoch = -1
    private var serial = -1
    /// Changes whenever the cache is dropped, for readers that keep entry ids of their own.
    private(set) var generation = 0

    /// One side of a record: the peer the reader's decoding gave, or the rejection (field and message).
    struct Peer {
        var peer: FlowPeer?
        var problem: (field: String, message: String)?
        /// Aggregator endpoint id (after `FlowAggregator.add`'s world -> address rule), -1 until first needed.
        var endpointID: Int32 = -1
        var notedSerial = -1
        /// 1 when the peer is an address no inventory mapped (an unmapped side), 0 when not, -1 until first needed.
        var unknownSide: Int8 = -1
        /// `FlowAggregator.edgeAddressID` of the peer (-1: not kept per connection), -2 until first needed.
        var edgeAddress: Int32 = -2
    }

    private var peerKeys = ByteInterner()
    private(set) var peers: [Peer] = []
    private var stringKeys = ByteInterner(capacity: 256)
    private var stringValues: [Int32] = []
    /// Memoised values of other kinds (a service name, an address), by key bytes.
    private var textKeys = ByteInterner(capacity: 256)
    private(set) var texts: [String?] = []
    private var notedPairs: Set<UInt64> = []
    /// Unmapped-address string ids (`unmappedIDs`, by `unmapped`'s id) of source peer << 32 | destination peer.
    private var unmapped = PointTable()
    private var unmappedIDs: [Int32] = []
    /// Key bytes being built (`beginKey` / `append`).
    var key: [UInt8] = []

    init() { key.reserveCapacity(512) }

    /// Drops everything tied to another aggregator or epoch, and everything when the caches grew too large.
    @inline(__always) mutating func sync(with agg: FlowAggregator) {
        if agg.instance != instance || agg.epoch != epoch
            || (peers.count + texts.count > 4096
                && peerKeys.footprint + stringKeys.footprint + textKeys.footprint > Self.maxBytes) {
            let g = generation &+ 1
            self = RecordCache()
            generation = g
            instance = agg.instance
            epoch = agg.epoch
        }
        if serial != agg.batchSerial {
            notedPairs.removeAll(keepingCapacity: true)
            serial = agg.batchSerial
        }
    }

    // MARK: Keys

    @inline(__always) mutating func beginKey(_ tag: UInt8) {
        key.removeAll(keepingCapacity: true)
        key.append(tag)
    }

    /// Appends a field's bytes, or an absent marker: a present field is `1`, its bytes, `0` and its length (three
    /// bytes), an absent one `2`, so two different field lists never make the same key.
    @inline(__always) mutating func append(_ p: UnsafeRawPointer?, _ n: Int) {
        guard let p else {
            key.append(2)
            return
        }
        key.append(1)
        key.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        key.append(0)
        key.append(UInt8(truncatingIfNeeded: n))
        key.append(UInt8(truncatingIfNeeded: n >> 8))
        key.append(UInt8(truncatingIfNeeded: n >> 16))
    }

    @inline(__always) mutating func appendAbsent() { key.append(2) }

    // MARK: Peers

    /// The peer entry for the key built so far; `make` decodes it when these bytes are new.
    @inline(__always) mutating func peer(_ make: () -> Peer) -> Int32 {
        let (id, isNew) = key.withUnsafeBytes { peerKeys.intern($0.baseAddress!, $0.count) }
        if isNew { peers.append(make()) }
        return id
    }

    /// Aggregator endpoint id of a peer entry, noting the peer (labels, namespace labels, address) once per batch,
    /// as `FlowAggregator.add` does for every flow.
    @inline(__always) mutating func endpoint(_ entry: Int32, agg: inout FlowAggregator) -> Int32 {
        let i = Int(entry)
        if peers[i].endpointID < 0 {
            var ep = peers[i].peer!.endpoint
            if ep == FlowAggregator.world, !peers[i].peer!.ip.isEmpty { ep = .external(peers[i].peer!.ip) }
            peers[i].endpointID = agg.endpointID(ep)
        }
        if peers[i].notedSerial != agg.batchSerial {
            peers[i].notedSerial = agg.batchSerial
            agg.notePeer(peers[i].endpointID, peers[i].peer!)
        }
        return peers[i].endpointID
    }

    /// `FlowAggregator.edgeAddressID` of a peer entry (after `endpoint`), decided once per entry.
    @inline(__always) mutating func edgeAddress(_ entry: Int32, agg: inout FlowAggregator) -> Int32 {
        let i = Int(entry)
        if peers[i].edgeAddress == -2 {
            let p = peers[i].peer!
            peers[i].edgeAddress = agg.edgeAddressID(agg.endpoint(peers[i].endpointID), ip: p.ip, hostNetwork: p.hostNetwork)
        }
        return peers[i].edgeAddress
    }

    /// True when a peer entry is an address no inventory mapped (`UnmappedFlow`'s unknown side).
    @inline(__always) mutating func isUnknownSide(_ entry: Int32) -> Bool {
        let i = Int(entry)
        if peers[i].unknownSide < 0 {
            let p = peers[i].peer!
            peers[i].unknownSide = p.endpoint.kind == .external && !p.ip.isEmpty ? 1 : 0
        }
        return peers[i].unknownSide == 1
    }

    // MARK: Strings and other values

    /// The aggregator's string id for the key built so far; `make` gives the string when these bytes are new.
    @inline(__always) mutating func stringID(agg: inout FlowAggregator, _ make: () -> String) -> Int32 {
        let (id, isNew) = key.withUnsafeBytes { stringKeys.intern($0.baseAddress!, $0.count) }
        if isNew { stringValues.append(agg.stringID(make())) }
        return stringValues[Int(id)]
    }

    /// A memoised value for the key built so far; `make` computes it when these bytes are new.
    @inline(__always) mutating func text(_ make: () -> String?) -> Int32 {
        let (id, isNew) = key.withUnsafeBytes { textKeys.intern($0.baseAddress!, $0.count) }
        if isNew { texts.append(make()) }
        return id
    }

    /// True the first time in a batch for this pair of ids (a service noted for a destination).
    @inline(__always) mutating func firstInBatch(_ a: Int32, _ b: Int32) -> Bool {
        notedPairs.insert(UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))).inserted
    }

    // MARK: Adding

    /// `FlowAggregator.add(flow)` for a flow whose sides are cache entries and whose strings are interned:
    /// the same classification and counting, without building the `Flow`. `service`: the aggregator's string id of
    /// the Service the record was addressed to (-1: none).
    @inline(__always)
    mutating func add(agg: inout FlowAggregator, source: Int32, destination: Int32, proto: Proto, sourcePort: UInt16,
                      destinationPort: UInt16, verdict: Verdict, dropReason: Int32, point: Int32, isReply: Bool?,
                      tcpFlags: TCPFlags? = nil, weight: Int64, time: Int64, endTime: Int64?,
                      trackUnmapped: Bool, service: Int32 = -1) -> Bool {
        let src = endpoint(source, agg: &agg)
        let dst = endpoint(destination, agg: &agg)
        let (reply, rule, opens) = ReplyRule.classify(isReply: isReply, proto: proto, tcpFlags: tcpFlags,
                                                      traceReason: .other, sourcePort: sourcePort,
                                                      destinationPort: destinationPort)
        var unmappedID: Int32 = -1
        if trackUnmapped {
            // Decided once per peer entry: copying the two `FlowPeer`s per record was 2% of the VPC reader.
            var sides: UInt8 = 0
            if isUnknownSide(source) { sides |= UnmappedFlow.sourceUnknown }
            if isUnknownSide(destination) { sides |= UnmappedFlow.destinationUnknown }
            if sides != 0 {
                let k = UInt64(UInt32(bitPattern: source)) << 32 | UInt64(UInt32(bitPattern: destination))
                let (u, isNew) = unmapped.insert(FlowAggregator.PointKey(peers: k, rest: 0, bucket: 0))
                if isNew {
                    let sp = peers[Int(source)].peer!, dp = peers[Int(destination)].peer!
                    unmappedIDs.append(agg.unmappedID(sides: sides, source: sp.ip, destination: dp.ip))
                }
                unmappedID = unmappedIDs[Int(u)]
            }
        }
        var addresses = ""
        if agg.dedupe != nil { addresses = peers[Int(source)].peer!.ip + " " + peers[Int(destination)].peer!.ip }
        return agg.addInterned(source: src, destination: dst, proto: proto, port: destinationPort, verdict: verdict,
                               isReply: reply, rule: rule, point: point, time: time, weight: weight,
                               dropReason: dropReason, l7: -1, until: endTime ?? .min, sourcePort: sourcePort,
                               opens: opens, addresses: addresses, unmapped: unmappedID,
                               sourceAddress: edgeAddress(source, agg: &agg),
                               destinationAddress: edgeAddress(destination, agg: &agg), service: service)
    }
}
