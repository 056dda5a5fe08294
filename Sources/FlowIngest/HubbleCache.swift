import FlowModel

/// Per-reader caches of the Hubble decoder: raw JSON bytes -> what they decode to and the aggregator's ids for
/// it. Pure caches: dropping them changes nothing but speed. They are tied to one aggregator (its `instance`
/// and `epoch`) and cleared when that changes or when they outgrow `maxBytes`.
struct HubbleCache {
    static let maxBytes = 48 << 20

    private var instance: UInt64 = 0
    private var epoch = -1

    /// How an endpoint object maps to an `Endpoint`.
    enum Resolution {
        /// Always the same endpoint (pods, named reserved entities).
        case fixed(Endpoint)
        /// The peer's IP address (`external`), or the given reserved entity when the line has no IP.
        case byIP(fallback: ReservedEntity)
    }

    struct Identity {
        var resolution: Resolution
        /// Noted in the batch (labels, namespace labels, addresses): workloads and addressed entities.
        var isWorkload: Bool
        var stableLabels: String?
        var namespaceLabels: Labels
        /// Aggregator endpoint id (fixed) or fallback id (byIP); -1 until first needed.
        var endpointID: Int32 = -1
        var notedSerial = -1
        var notedIP: Int32 = -2
        /// The cluster name as decoded (interned into `clusterID` by `side`); nil when none was reported.
        var cluster: String?
        /// Why the endpoint object cannot be used (a member of it, relative to the object, and the reason):
        /// an invalid Kubernetes name or label, a key given twice. The flow is rejected.
        var problem: (field: String, message: String)?
        /// ClusterMesh: the workload's cluster (`cluster_name`, else the `io.cilium.k8s.policy.cluster` label),
        /// interned in `clusterNames`; -1 when none was reported (and for every non-workload identity).
        var clusterID: Int32 = -1
        /// Aggregator id of the endpoint as a workload of another cluster; -1 until first needed.
        var remoteEndpointID: Int32 = -1
    }

    struct Address {
        /// Canonical text (`IPAddr.canonicalHost`); empty when `problem` is set.
        var text: String
        var problem: String?
        var externalID: Int32 = -1
        /// Aggregator string id of `text`, -1 until first needed (`edgeAddress`).
        var stringID: Int32 = -1
    }

    private var identityKeys = ByteInterner()
    private var identities: [Identity] = []
    private var ipKeys = ByteInterner()
    private var ips: [Address] = []
    private var pointKeys = ByteInterner(capacity: 64)
    /// Three entries (unknown, ingress, egress) per point key.
    private var points: [Int32] = []
    private var reasonKeys = ByteInterner(capacity: 64)
    private var reasons: [Int32] = []
    private var l7Keys = ByteInterner()
    private var l7s: [Int32] = []
    private var nameKeys = ByteInterner()
    private var names: [[String]] = []
    private var notedNames: Set<UInt64> = []
    private var namesSerial = -1
    private var scratch: [UInt8] = []
    /// Cluster names of workload identities, by interned id.
    private var clusterNames = InternTable<String>()
    /// `FlowAggregator.localCluster` interned (-2: not set, decide per flow).
    private var fixedLocalCluster: Int32 = -2
    private var fixedLocalClusterName: String?

    private static let emptyObject: [UInt8] = Array("{}".utf8)

    /// Drops everything tied to another aggregator or epoch, and everything when the caches grew too large.
    @inline(__always) mutating func sync(with agg: FlowAggregator) {
        if agg.instance != instance || agg.epoch != epoch || agg.localCluster != fixedLocalClusterName
            || footprintTooLarge() {
            self = HubbleCache()
            instance = agg.instance
            epoch = agg.epoch
            fixedLocalClusterName = agg.localCluster
            fixedLocalCluster = agg.localCluster.map { clusterID($0) } ?? -2
        }
        if namesSerial != agg.batchSerial {
            notedNames.removeAll(keepingCapacity: true)
            namesSerial = agg.batchSerial
        }
    }

    @inline(__always) private func footprintTooLarge() -> Bool {
        // Checked cheaply on counts first.
        guard identities.count + ips.count + l7s.count + names.count > 4096 else { return false }
        return identityKeys.footprint + ipKeys.footprint + l7Keys.footprint + nameKeys.footprint > Self.maxBytes
    }

    // MARK: Validation through the cache

    /// The identities of the endpoint objects last found on each side (source, destination; -1: none).
    private var recentPeers: (source: Int32, destination: Int32) = (-1, -1)

    /// Skips the endpoint object at the scanner's position; returns its range and its identity id when these
    /// exact bytes were seen (and validated) before, else -1 after validating them with `skipValue`.
    ///
    /// A line mostly repeats the peers of the line before (both observation points of a connection, its
    /// packets, its replies with the ends swapped), so the bytes are first compared with the objects last found
    /// on either side: bytes equal to a validated object's are that object and end where it ends (a JSON value's
    /// bytes alone decide its end), so one comparison replaces finding the end and hashing the bytes.
    @inline(__always) mutating func validatedPeer(_ s: inout JSONScanner, destination: Bool) throws(JSONError)
        -> (Range<Int>, Int32) {
        s.skipWhitespace()
        let start = s.pos
        let available = s.count - start
        let here = UnsafeRawPointer(s.base + start)
        let (mine, other) = destination ? (recentPeers.destination, recentPeers.source)
            : (recentPeers.source, recentPeers.destination)
        var found: (Range<Int>, Int32)?
        if mine >= 0, let n = identityKeys.matches(mine, at: here, available: available) {
            found = (start..<(start + n), mine)
        } else if other >= 0, let n = identityKeys.matches(other, at: here, available: available) {
            found = (start..<(start + n), other)
        }
        let r: (Range<Int>, Int32)
        if let f = found {
            s.pos = f.0.upperBound
            r = f
        } else {
            r = try Self.validated(&s, identityKeys)
        }
        if r.1 >= 0 {
            if destination { recentPeers.destination = r.1 } else { recentPeers.source = r.1 }
        }
        return r
    }

    func validatedNames(_ s: inout JSONScanner) throws(JSONError) -> Range<Int> {
        try Self.validated(&s, nameKeys).0
    }

    @inline(__always) private static func validated(_ s: inout JSONScanner, _ keys: ByteInterner)
        throws(JSONError) -> (Range<Int>, Int32) {
        let start = s.pos
        if let r = s.skipStructureUnvalidated(), let id = keys.find(s.base + r.lowerBound, r.count) {
            return (r, id)
        }
        s.pos = start
        return (try s.skipValueRange(), -1)
    }

    // MARK: Peers

    /// One side of a flow, interned but not yet noted: its identity id and address id (-1 without an address),
    /// or why it cannot be used (`field` relative to the endpoint object, or `IP` for the address).
    struct Side {
        var identity: Int32
        var ip: Int32
    }

    mutating func side(_ range: Range<Int>?, knownID: Int32, ip: JSONStringSpan?, line s: JSONScanner)
        -> Result<Side, JSONError> {
        let (id, isNew): (Int32, Bool)
        if knownID >= 0 {
            (id, isNew) = (knownID, false)
        } else if let r = range {
            (id, isNew) = identityKeys.intern(s.base + r.lowerBound, r.count)
        } else {
            (id, isNew) = Self.emptyObject.withUnsafeBytes { identityKeys.intern($0.baseAddress!, $0.count) }
        }
        if isNew {
            var ident = range.map { Self.decodeIdentity(s, $0) } ?? Self.identity(namespace: "",
                labels: [], podName: "", workload: nil, identityNumber: nil)
            if let c = ident.cluster { ident.clusterID = clusterID(c) }
            identities.append(ident)
        }
        if let p = identities[Int(id)].problem { return .failure(JSONError(offset: 0, message: p.message, field: p.field)) }
        var ipID: Int32 = -1
        if let ip = ip, ip.count > 0 {
            let (iid, ipNew) = ipKeys.intern(s.base + ip.start, ip.count)
            if ipNew {
                switch IPAddr.canonicalHost(s.string(ip)) {
                case .success(let a): ips.append(Address(text: a))
                case .failure(let e): ips.append(Address(text: "", problem: e.description))
                }
            }
            ipID = iid
        }
        if ipID >= 0, let p = ips[Int(ipID)].problem { return .failure(JSONError(offset: 0, message: p, field: "IP")) }
        return .success(Side(identity: id, ip: ipID))
    }

    mutating func clusterID(_ name: String) -> Int32 { clusterNames.id(name) }

    /// The local cluster of one flow (interned id, -1 when unknown): `--cluster` when given (`FlowAggregator.
    /// localCluster`); else the cluster of the side Hubble observed the flow at (its source for egress, its
    /// destination for ingress: a node's Hubble sees only its own endpoints); else, when both ends name the
    /// same cluster, that one. Unknown: every end counts as local.
    func localCluster(source: Side, destination: Side, direction: Direction) -> Int32 {
        if fixedLocalCluster != -2 { return fixedLocalCluster }
        let s = identities[Int(source.identity)].clusterID, d = identities[Int(destination.identity)].clusterID
        switch direction {
        case .egress: return s
        case .ingress: return d
        case .unknown: return s == d ? s : -1
        }
    }

    /// Aggregator endpoint id for one side of a flow (from `side`), noting the workload's labels and IP once
    /// per batch. A workload whose cluster is known and differs from `localCluster` (known too) is a peer of
    /// another cluster (`Endpoint.cluster`).
    mutating func peer(_ side: Side, localCluster: Int32, agg: inout FlowAggregator) -> Int32 {
        let ipID = side.ip
        let i = Int(side.identity)
        let ep: Int32
        let cid = identities[i].clusterID
        switch identities[i].resolution {
        case .fixed(var e) where cid >= 0 && localCluster >= 0 && cid != localCluster && e.kind == .workload:
            if identities[i].remoteEndpointID < 0 {
                e.cluster = clusterNames[Int(cid)]
                identities[i].remoteEndpointID = agg.endpointID(e)
            }
            ep = identities[i].remoteEndpointID
        case .fixed(let e):
            if identities[i].endpointID < 0 { identities[i].endpointID = agg.endpointID(e) }
            ep = identities[i].endpointID
        case .byIP(let fallback):
            if ipID >= 0 {
                if ips[Int(ipID)].externalID < 0 {
                    ips[Int(ipID)].externalID = agg.endpointID(.external(ips[Int(ipID)].text))
                }
                ep = ips[Int(ipID)].externalID
            } else {
                if identities[i].endpointID < 0 { identities[i].endpointID = agg.endpointID(.reserved(fallback)) }
                ep = identities[i].endpointID
            }
        }
        if identities[i].isWorkload
            && (identities[i].notedSerial != agg.batchSerial || identities[i].notedIP != ipID) {
            identities[i].notedSerial = agg.batchSerial
            identities[i].notedIP = ipID
            agg.noteWorkload(ep, stableLabels: identities[i].stableLabels,
                             namespaceLabels: identities[i].namespaceLabels,
                             ip: ipID >= 0 ? ips[Int(ipID)].text : "")
        }
        return ep
    }

    /// `FlowAggregator.edgeAddressID` of one side: its address when it is a node entity (`reserved:host`,
    /// `reserved:remote-node`), else -1. Hubble reports host-network pods as their node's entity.
    mutating func edgeAddress(_ side: Side, agg: inout FlowAggregator) -> Int32 {
        guard side.ip >= 0, case .fixed(let e) = identities[Int(side.identity)].resolution,
              EdgeAddresses.records(e, hostNetwork: false) else { return -1 }
        if ips[Int(side.ip)].stringID < 0 { ips[Int(side.ip)].stringID = agg.stringID(ips[Int(side.ip)].text) }
        return ips[Int(side.ip)].stringID
    }

    /// Decodes an endpoint object (already validated by the line walk).
    static func decodeIdentity(_ line: JSONScanner, _ r: Range<Int>) -> Identity {
        var s = JSONScanner(UnsafeRawBufferPointer(start: line.base + r.lowerBound, count: r.count))
        var namespace = "", podName = ""
        var labels: [String] = []
        var workload: (name: String, kind: String)?
        var identityNumber: Int64?
        var clusterName = ""
        var seen = Set<String>()
        var duplicate: String?
        do {
            if try s.beginObject() {
                repeat {
                    let k = try s.nextKey()
                    if duplicate == nil, !seen.insert(s.string(k)).inserted { duplicate = s.string(k) }
                    if s.spanEquals(k, "namespace"), s.peek() == 0x22 {
                        namespace = try s.readString()
                    } else if s.spanEquals(k, "pod_name"), s.peek() == 0x22 {
                        podName = try s.readString()
                    } else if s.spanEquals(k, "identity") {
                        identityNumber = try s.readInteger()
                    } else if s.spanEquals(k, "cluster_name"), s.peek() == 0x22 {
                        clusterName = try s.readString()
                    } else if s.spanEquals(k, "labels"), s.peek() == 0x5B {
                        if try s.beginArray() {
                            repeat {
                                if s.peek() == 0x22 { labels.append(try s.readString()) } else { try s.skipValue() }
                            } while try s.nextElement()
                        }
                    } else if s.spanEquals(k, "workloads"), s.peek() == 0x5B {
                        if try s.beginArray() {
                            repeat {
                                var name = "", kind = ""
                                if s.peek() == 0x7B, try s.beginObject() {
                                    repeat {
                                        let kk = try s.nextKey()
                                        if s.spanEquals(kk, "name"), s.peek() == 0x22 {
                                            name = try s.readString()
                                        } else if s.spanEquals(kk, "kind"), s.peek() == 0x22 {
                                            kind = try s.readString()
                                        } else {
                                            try s.skipValue()
                                        }
                                    } while try s.nextMember()
                                } else {
                                    try s.skipValue()
                                }
                                if workload == nil, !name.isEmpty { workload = (name, kind) }
                            } while try s.nextElement()
                        }
                    } else {
                        try s.skipValue()
                    }
                } while try s.nextMember()
            }
        } catch {
            // Unreachable: the bytes were validated by the line walk. Fall through with what was read.
        }
        // The labels are split once (it was three times: a tenth of a 5 MB read's instructions, once per endpoint).
        let parsed = HubbleLabels.parse(labels)
        var id = identity(namespace: namespace, labels: labels, parsed: parsed, podName: podName, workload: workload,
                          identityNumber: identityNumber)
        if case .fixed(let ep) = id.resolution, ep.kind == .workload {
            let c = clusterName.isEmpty ? parsed.cluster ?? "" : clusterName
            if !c.isEmpty { id.cluster = c }
        }
        if let d = duplicate {
            id.problem = (d, "key given twice; a record with duplicate keys is ambiguous, so it is rejected")
        } else if !namespace.isEmpty, case .fixed(let ep) = id.resolution, ep.kind == .workload {
            let problem = KubernetesName.problem(namespace: namespace, pod: podName, workload: ep.name,
                                                 kind: ep.workloadKind, labels: parsed.pod)
                ?? KubernetesName.labelProblem(parsed.namespace)
            if let p = problem {
                switch p.part {
                case .namespace: id.problem = ("namespace", p.message)
                case .pod: id.problem = ("pod_name", p.message)
                case .workload, .kind: id.problem = (workload == nil ? "pod_name" : "workloads", p.message)
                case .labelKey, .labelValue: id.problem = ("labels", p.message)
                }
            }
        }
        return id
    }

    /// The identity rules (see README "Identities").
    static func identity(namespace: String, labels: [String], parsed: HubbleLabels.Parsed? = nil, podName: String,
                         workload: (name: String, kind: String)?, identityNumber: Int64?) -> Identity {
        let parsed = parsed ?? HubbleLabels.parse(labels)
        var reserved = parsed.reserved
        if reserved == nil, labels.isEmpty, let n = identityNumber { reserved = ReservedEntity(identity: n)?.rawValue }
        let cidrIdentity = parsed.hasCIDR || (identityNumber ?? 0) >= 1 << 24
        if let r = reserved, r != ReservedEntity.world.rawValue, r != ReservedEntity.unknown.rawValue {
            // Addressed entities (host, remote-node, kube-apiserver) get their IPs noted like pods.
            return Identity(resolution: .fixed(.reserved(r)), isWorkload: ReservedEntity(rawValue: r).map(ReservedEntity.addressed.contains) == true,
                            stableLabels: nil, namespaceLabels: [:])
        }
        // Proxy legs report a pod's identity (labels, namespace label) without its namespace field or pod name.
        let namespace = namespace.isEmpty ? parsed.podNamespace ?? "" : namespace
        if !namespace.isEmpty {
            let ep: Endpoint
            switch WorkloadIdentity.resolve(owner: workload.map { ($0.kind, $0.name) }, podName: podName,
                                            labels: parsed.pod) {
            case .workload(let name, let kind):
                ep = .workload(namespace, name, kind: kind)
            case .byLabels(let name):
                // No pod name: the workload these labels select, resolved by inference (`StandIns`).
                ep = .workload(namespace, name ?? VolatileLabels.stable(parsed.pod).canonical,
                               kind: Endpoint.labelIdentityKind)
            case .unknown:
                ep = .workload(namespace, "unknown", kind: "Pod")
            }
            return Identity(resolution: .fixed(ep), isWorkload: true,
                            stableLabels: parsed.pod.isEmpty ? nil : VolatileLabels.stable(parsed.pod).canonical,
                            namespaceLabels: parsed.namespace)
        }
        if reserved == ReservedEntity.world.rawValue || cidrIdentity {
            return Identity(resolution: .byIP(fallback: .world), isWorkload: false, stableLabels: nil, namespaceLabels: [:])
        }
        return Identity(resolution: .byIP(fallback: .unknown), isWorkload: false, stableLabels: nil, namespaceLabels: [:])
    }

    // MARK: Small enumerations

    /// Aggregator id of (direction, observation point); the raw value bytes are the key.
    mutating func point(_ range: Range<Int>?, direction: Direction, line s: JSONScanner,
                        agg: inout FlowAggregator) -> Int32 {
        let r = range ?? 0..<0
        let (id, isNew) = pointKeys.intern(s.base + r.lowerBound, r.count)
        if isNew { points.append(contentsOf: [-1, -1, -1]) }
        let d: Int
        switch direction {
        case .unknown: d = 0
        case .ingress: d = 1
        case .egress: d = 2
        }
        let slot = Int(id) * 3 + d
        if points[slot] < 0 {
            points[slot] = agg.pointID(direction: direction, observationPoint: Self.enumText(s, range))
        }
        return points[slot]
    }

    mutating func dropReason(_ range: Range<Int>, line s: JSONScanner, agg: inout FlowAggregator) -> Int32 {
        let (id, isNew) = reasonKeys.intern(s.base + range.lowerBound, range.count)
        if isNew {
            var text = Self.enumText(s, range)
            if let n = Int64(text) { text = Self.dropReasonName(n) }
            reasons.append(text.isEmpty ? -1 : agg.stringID(text))
        }
        return reasons[Int(id)]
    }

    /// An enum value's text: a string decoded, a number as written.
    static func enumText(_ s: JSONScanner, _ range: Range<Int>?) -> String {
        guard let r = range, r.count > 0 else { return "" }
        var sub = JSONScanner(UnsafeRawBufferPointer(start: s.base + r.lowerBound, count: r.count))
        if sub.peek() == 0x22, let span = try? sub.scanString() {
            return sub.string(span)
        }
        return String(decoding: UnsafeBufferPointer(start: s.base + r.lowerBound, count: r.count), as: UTF8.self)
    }

    /// Names of the numeric drop reasons that matter (flow.proto DropReason), the number otherwise.
    static func dropReasonName(_ n: Int64) -> String {
        switch n {
        case 133: return "POLICY_DENIED"
        case 181: return "POLICY_DENY"
        case 189: return "AUTH_REQUIRED"
        default: return "DROP_REASON_\(n)"
        }
    }

    // MARK: L7 and names

    mutating func l7(kind: UInt8, method: JSONStringSpan?, target: JSONStringSpan?, line s: JSONScanner,
                     agg: inout FlowAggregator) -> Int32 {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(kind)
        if let m = method { scratch.append(contentsOf: s.bytes(m)) }
        scratch.append(0)
        if let t = target { scratch.append(contentsOf: s.bytes(t)) }
        let (id, isNew) = scratch.withUnsafeBytes { l7Keys.intern($0.baseAddress!, $0.count) }
        if isNew {
            var value: Int32 = -1
            if kind == 1 {
                let m = method.map { s.string($0) } ?? ""
                if !m.isEmpty {
                    value = agg.l7ID(.http(method: m, path: L7Request.path(fromURL: target.map { s.string($0) } ?? "/")))
                }
            } else {
                let q = target.map { s.string($0) } ?? ""
                if !q.isEmpty { value = agg.l7ID(.dns(query: DNSName.normalize(q))) }
            }
            l7s.append(value)
        }
        return l7s[Int(id)]
    }

    mutating func names(_ range: Range<Int>, destination: Int32, line s: JSONScanner, agg: inout FlowAggregator) {
        let (id, isNew) = nameKeys.intern(s.base + range.lowerBound, range.count)
        if isNew {
            var list: [String] = []
            var sub = JSONScanner(UnsafeRawBufferPointer(start: s.base + range.lowerBound, count: range.count))
            do {
                if try sub.beginArray() {
                    repeat {
                        if sub.peek() == 0x22 { list.append(DNSName.normalize(try sub.readString())) } else { try sub.skipValue() }
                    } while try sub.nextElement()
                }
            } catch {}
            names.append(list.filter { !$0.isEmpty })
        }
        guard !names[Int(id)].isEmpty else { return }
        if notedNames.insert(UInt64(UInt32(bitPattern: destination)) << 32 | UInt64(UInt32(bitPattern: id))).inserted {
            agg.noteNames(destination, names[Int(id)])
        }
    }
}
