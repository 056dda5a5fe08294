import FlowModel

/// Folds decoded flows into an `IngestBatch`: one edge per (source, destination, protocol, port, outcome).
///
/// Counting: a connection is usually seen several times (at the source's egress and the destination's ingress,
/// at several observation points, and once per packet in each). Each (edge, direction, observation point) gets
/// its own counter and the edge's flow count is the largest of them, so a second observation point of the same
/// connection never doubles a count, and a capture from a single node still counts what that node saw.
/// Reply flows add nothing.
public struct FlowAggregator {
    public private(set) var batch = IngestBatch()
    public private(set) var counts = IngestCounts()
    private var perPoint: [PointKey: Int64] = [:]
    private var l7PerPoint: [L7PointKey: Int64] = [:]

    struct PointKey: Hashable {
        var edge: EdgeKey
        var point: String
    }
    struct L7PointKey: Hashable {
        var l7: L7Key
        var point: String
    }

    public init() {}

    /// Adds one flow. Returns false when the flow was a reply and contributed no edge.
    @discardableResult
    public mutating func add(_ flow: Flow) -> Bool {
        var flow = flow
        // A `world` (or CIDR) identity with a known address is that address: policies need the IP.
        if flow.source.endpoint == Self.world, !flow.source.ip.isEmpty { flow.source.endpoint = .external(flow.source.ip) }
        if flow.destination.endpoint == Self.world, !flow.destination.ip.isEmpty {
            flow.destination.endpoint = .external(flow.destination.ip)
        }
        counts.accepted += 1
        note(flow.source)
        note(flow.destination)
        let (reply, rule) = ReplyRule.classify(flow)
        counts.replyRules[rule.rawValue, default: 0] += 1
        if reply {
            counts.replies += 1
            return false
        }
        if !flow.proto.isPolicyProtocol { counts.nonPolicyProtocol += 1 }
        let key = EdgeKey(source: flow.source.endpoint, destination: flow.destination.endpoint, proto: flow.proto,
                          port: flow.proto.isPolicyProtocol ? flow.destinationPort : 0,
                          outcome: flow.verdict.outcome)
        let point = "\(flow.direction.rawValue)/\(flow.observationPoint)"
        let n = perPoint[PointKey(edge: key, point: point), default: 0] + flow.weight
        perPoint[PointKey(edge: key, point: point)] = n
        var stats = batch.edges[key] ?? EdgeStats()
        stats.flows = max(stats.flows, n)
        stats.firstSeen = min(stats.firstSeen, flow.time)
        stats.lastSeen = max(stats.lastSeen, flow.endTime ?? flow.time)
        if !flow.dropReason.isEmpty && key.outcome == .denied { stats.dropReasons.insert(flow.dropReason) }
        batch.edges[key] = stats
        if let l7 = flow.l7 {
            let lk = L7Key(edge: key, request: l7)
            let m = l7PerPoint[L7PointKey(l7: lk, point: point), default: 0] + flow.weight
            l7PerPoint[L7PointKey(l7: lk, point: point)] = m
            var ls = batch.l7[lk] ?? EdgeStats()
            ls.flows = max(ls.flows, m)
            ls.firstSeen = min(ls.firstSeen, flow.time)
            ls.lastSeen = max(ls.lastSeen, flow.endTime ?? flow.time)
            batch.l7[lk] = ls
        }
        if flow.destination.endpoint.kind != .workload, !flow.destination.names.isEmpty {
            batch.names[flow.destination.endpoint, default: []].formUnion(flow.destination.names)
        }
        return true
    }

    static let world = Endpoint.reserved("world")
    /// Reserved entities whose addresses inference can turn into ipBlocks.
    static let addressedEntities: Set<String> = ["kube-apiserver", "remote-node", "host"]

    /// Records what a peer tells about its workload and namespace.
    private mutating func note(_ peer: FlowPeer) {
        let ep = peer.endpoint
        if ep.kind == .reserved, Self.addressedEntities.contains(ep.name), !peer.ip.isEmpty,
           batch.addresses[ep]?.contains(peer.ip) != true {
            batch.addresses[ep, default: []].insert(peer.ip)
        }
        guard ep.kind == .workload else { return }
        if !peer.labels.isEmpty {
            let stable = VolatileLabels.stable(peer.labels).canonical
            if batch.labelSets[ep]?.contains(stable) != true { batch.labelSets[ep, default: []].insert(stable) }
        }
        if !peer.namespaceLabels.isEmpty, batch.namespaceLabels[ep.namespace] == nil {
            batch.namespaceLabels[ep.namespace] = peer.namespaceLabels
        }
        if !peer.ip.isEmpty, batch.addresses[ep]?.contains(peer.ip) != true {
            batch.addresses[ep, default: []].insert(peer.ip)
        }
    }

    /// Records that flows to `endpoint` were addressed to `service` (`namespace/name[:port-name]`).
    public mutating func noteService(_ service: String, for endpoint: Endpoint) {
        if batch.services[endpoint]?.contains(service) != true { batch.services[endpoint, default: []].insert(service) }
    }

    public mutating func countLine() { counts.lines += 1 }
    public mutating func countSkipped() { counts.skipped += 1 }
    public mutating func countRejected() { counts.rejected += 1 }
    public mutating func countBytes(_ n: Int) { counts.bytes += Int64(n) }

    /// Hands out what was gathered so far and starts a new batch (stream batching).
    public mutating func take() -> (IngestBatch, IngestCounts) {
        defer {
            batch = IngestBatch()
            counts = IngestCounts()
            perPoint.removeAll(keepingCapacity: true)
            l7PerPoint.removeAll(keepingCapacity: true)
        }
        return (batch, counts)
    }
}
