import FlowModel

/// Reads AWS VPC flow logs (versions 2 to 8) as delivered to S3 or CloudWatch: space-separated records.
///
/// - Format: a header line naming the fields (`version account-id ...`, what S3 delivery writes, also
///   `${field}` as in `--log-format`) sets the layout for the records after it. Without a header, the layout is
///   taken from the field count: 14 is the default v2 format; 21, 25, 29, 39 and 40 are every field up to v3, v4,
///   v5, v7 and v8 in the documented order; 36 starting with a `tgw-` id is the transit gateway default format.
/// - `pkt-srcaddr` / `pkt-dstaddr` are preferred to `srcaddr` / `dstaddr` when present (the packet's real ends
///   behind NAT and secondary interfaces). NODATA / SKIPDATA records are skipped. ACCEPT / REJECT is the verdict.
/// - The opener: `tcp-flags` (SYN opens, SYN-ACK answers); a record without SYN continues a connection seen
///   opened earlier in the input (it extends last seen and is not counted again); otherwise the port heuristic. `flow-direction` is the observation side and
///   the interface id the observation point, so both interfaces' records of one connection count once.
/// - Addresses map to pods through the inventory for the record's start time; a Service ClusterIP maps to its
///   backends; anything else is an external peer.
public struct VPCReader: LineReader {
    /// Every field of VPC flow logs v2 to v8, in the documented order.
    public static let vpcFields = [
        "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
        "bytes", "start", "end", "action", "log-status",
        "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr",
        "region", "az-id", "sublocation-type", "sublocation-id",
        "pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path",
        "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn", "ecs-container-instance-id",
        "ecs-container-id", "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn",
        "ecs-task-arn", "ecs-task-id",
        "reject-reason",
    ]
    /// The transit gateway flow log default format.
    public static let tgwFields = [
        "version", "resource-type", "account-id", "tgw-id", "tgw-attachment-id", "tgw-src-vpc-account-id",
        "tgw-dst-vpc-account-id", "tgw-src-vpc-id", "tgw-dst-vpc-id", "tgw-src-subnet-id", "tgw-dst-subnet-id",
        "tgw-src-eni", "tgw-dst-eni", "tgw-src-az-id", "tgw-dst-az-id", "tgw-pair-attachment-id", "srcaddr",
        "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "log-status", "type",
        "packets-lost-no-route", "packets-lost-blackhole", "packets-lost-mtu-exceeded", "packets-lost-ttl-expired",
        "tcp-flags", "region", "flow-direction", "pkt-src-aws-service", "pkt-dst-aws-service",
    ]
    static let known = Set(vpcFields + tgwFields)
    static let requiredFields = ["srcaddr", "dstaddr", "srcport", "dstport", "protocol"]

    /// Is this line a header naming VPC flow log fields?
    public static func isHeader(_ tokens: [Substring]) -> Bool {
        guard tokens.count >= 2 else { return false }
        return tokens.allSatisfy { known.contains(fieldName($0)) }
    }

    static func fieldName(_ t: Substring) -> String {
        var s = t
        if s.hasPrefix("${") && s.hasSuffix("}") { s = s.dropFirst(2).dropLast() }
        return String(s)
    }

    struct Layout {
        var fields: [String]
        var index: [String: Int]
        /// The columns `decode` reads, looked up once per layout rather than per record.
        let logStatus: Int?
        let srcaddr: Int?
        let dstaddr: Int?
        let pktSrcaddr: Int?
        let pktDstaddr: Int?
        let proto: Int?
        let srcport: Int?
        let dstport: Int?
        let start: Int?
        let end: Int?
        let action: Int?
        let rejectReason: Int?
        let tcpFlags: Int?
        let flowDirection: Int?
        let interfaceID: Int?
        let tgwAttachmentID: Int?
        init(_ fields: [String]) {
            self.fields = fields
            var idx = [String: Int]()
            for (i, f) in fields.enumerated() where idx[f] == nil { idx[f] = i }
            index = idx
            logStatus = idx["log-status"]
            srcaddr = idx["srcaddr"]
            dstaddr = idx["dstaddr"]
            pktSrcaddr = idx["pkt-srcaddr"]
            pktDstaddr = idx["pkt-dstaddr"]
            proto = idx["protocol"]
            srcport = idx["srcport"]
            dstport = idx["dstport"]
            start = idx["start"]
            end = idx["end"]
            action = idx["action"]
            rejectReason = idx["reject-reason"]
            tcpFlags = idx["tcp-flags"]
            flowDirection = idx["flow-direction"]
            interfaceID = idx["interface-id"]
            tgwAttachmentID = idx["tgw-attachment-id"]
        }
    }

    public let addressBook: AddressBook?
    var layout: Layout? {
        didSet { layoutColumns = layout.map(Columns.init) }
    }
    /// `layout`'s columns for the fast path (a trivial copy per record; copying the `Layout` retained its arrays).
    var layoutColumns: Columns?
    /// Why the current header is unusable; the records after it are rejected with this.
    var headerProblem: String?
    /// Connections seen opened (SYN), by address values: one table for both paths.
    var opened = Set<ConnKey>()
    /// Counts changes of `opened` (for `join`).
    var openedChanges = 0
    /// The fast path (`VPCFastPath.swift`); off only in tests that compare it with the String path.
    var fastPath = true
    var cache = RecordCache()
    var tokenStarts = [Int32](repeating: 0, count: VPCReader.maxFastFields)
    var tokenEnds = [Int32](repeating: 0, count: VPCReader.maxFastFields)
    var addressKeys = ByteInterner(capacity: 1024)
    var addresses: [FastAddress] = []

    struct ConnKey: Hashable {
        var a: IPAddr, ap: UInt16, b: IPAddr, bp: UInt16, proto: Proto
        var reversed: ConnKey { ConnKey(a: b, ap: bp, b: a, bp: ap, proto: proto) }
    }

    /// Who opened the connection of a record (`key`: its source first), for both paths: SYN decides and is
    /// remembered, so later records of a long connection (no SYN in their window) are classified by it. A later
    /// window of a connection already counted is forward with weight 0 (it extends last seen, adds no
    /// connection); unknown (nil) when no SYN was seen either way.
    mutating func orient(_ key: ConnKey, flags: TCPFlags?) -> (isReply: Bool?, weight: Int64) {
        if key.proto == .tcp, let f = flags, f.contains(.syn) {
            if opened.count > 1_000_000 {
                opened.removeAll(keepingCapacity: true)
                openedChanges &+= 1
            }
            if opened.insert(f.contains(.ack) ? key.reversed : key).inserted { openedChanges &+= 1 }
        } else if !opened.isEmpty {
            // (Asked only when a SYN was seen: a v2 record has no TCP flags, and each lookup is a seeded hash of
            // two addresses.)
            if opened.contains(key) { return (false, 0) }
            if opened.contains(key.reversed) { return (true, 1) }
        }
        return (nil, 1)
    }

    public init(addressBook: AddressBook? = nil) {
        self.addressBook = addressBook
    }

    /// A second reader for a worker; its lines need the field list and the connections seen opened (`Order`).
    public func makeParallelReader() -> VPCReader? {
        var r = VPCReader(addressBook: addressBook)
        r.fastPath = fastPath
        return r
    }

    /// What later records depend on: the layout (or why the header is unusable) and the connections seen opened.
    public struct Order {
        var fields: [String]?
        var headerProblem: String?
        var opened: Set<ConnKey>
        var openedChanges: Int
    }

    public var isOrdered: Bool { true }

    public var order: Order {
        Order(fields: layout?.fields, headerProblem: headerProblem, opened: opened, openedChanges: openedChanges)
    }

    public mutating func start(from o: Order) {
        if layout?.fields != o.fields { layout = o.fields.map(Layout.init) }
        headerProblem = o.headerProblem
        opened = o.opened
        openedChanges = 0
    }

    public mutating func join(_ worker: inout VPCReader, since o: Order) -> Bool {
        guard layout?.fields == o.fields, headerProblem == o.headerProblem, openedChanges == o.openedChanges
        else { return false }
        if layout?.fields != worker.layout?.fields { layout = worker.layout }
        headerProblem = worker.headerProblem
        if worker.openedChanges != 0 {
            opened = worker.opened
            openedChanges &+= 1
        }
        return true
    }

    /// The field list of the last header read, which the records after it need.
    public var resumeState: String? { layout.map { $0.fields.joined(separator: " ") } }

    public mutating func resume(from state: String) {
        let names = state.split(separator: " ").map(String.init)
        if !names.isEmpty { layout = Layout(names) }
    }

    public mutating func read(line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult {
        if fastPath, let r = fastRecord(line, into: &agg) { return r }
        let text = String(decoding: line, as: UTF8.self)
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("#") { return .skipped }  // comment
        // Split on the bytes (space and tab are ASCII): splitting Characters costs several times more.
        let tokens = trimmed.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { Substring($0) }
        if Self.isHeader(tokens) {
            let names = tokens.map(Self.fieldName)
            let l = Layout(names)
            var missing = Self.requiredFields.filter { l.index[$0] == nil }
            if l.index["start"] == nil && l.index["end"] == nil { missing.append("start") }
            if missing.isEmpty {
                layout = l
                headerProblem = nil
                return .skipped
            }
            layout = nil
            headerProblem = "the format header before this record lacks \(missing.joined(separator: ", "))"
            return .rejected(field: "header", message: "format lacks \(missing.joined(separator: ", ")) "
                             + "(FlowMap needs addresses, ports, protocol and the capture time); "
                             + "its records are rejected")
        }
        if let p = headerProblem { return .rejected(field: "", message: p) }
        let l: Layout
        if let cur = layout, tokens.count == cur.fields.count {
            l = cur
        } else if let cur = layout {
            return .rejected(field: "", message: "\(tokens.count) fields, the format header names "
                             + "\(cur.fields.count)")
        } else if let d = Self.defaultLayout(tokens) {
            l = d
        } else {
            return .rejected(field: "", message: "\(tokens.count) fields match no default VPC flow log format "
                             + "(14 for v2); put the header line naming the fields (the log format) first")
        }
        return decode(tokens, l, into: &agg)
    }

    static let defaultLayouts: [Int: Layout] = {
        var out = [Int: Layout]()
        for n in [14, 21, 25, 29, 39, 40] { out[n] = Layout(Array(vpcFields.prefix(n))) }
        return out
    }()
    static let tgwLayout = Layout(tgwFields)

    static func defaultLayout(_ tokens: [Substring]) -> Layout? {
        if tokens.count == tgwFields.count, tokens[3].hasPrefix("tgw-") { return tgwLayout }
        return defaultLayouts[tokens.count]
    }

    private mutating func decode(_ t: [Substring], _ l: Layout, into agg: inout FlowAggregator) -> LineResult {
        func get(_ i: Int?) -> Substring? {
            guard let i else { return nil }
            let v = t[i]
            return v == "-" ? nil : v
        }
        if let s = get(l.logStatus), s == "NODATA" || s == "SKIPDATA" { return .skipped }
        guard let srcRaw = get(l.srcaddr), let dstRaw = get(l.dstaddr) else {
            return .rejected(field: get(l.srcaddr) == nil ? "srcaddr" : "dstaddr", message: "missing address")
        }
        let src: String, dst: String
        let srcValue: IPAddr, dstValue: IPAddr
        switch (IPAddr.host(String(get(l.pktSrcaddr) ?? srcRaw)),
                IPAddr.host(String(get(l.pktDstaddr) ?? dstRaw))) {
        case (.success(let a), .success(let b)):
            (srcValue, dstValue) = (a, b)
            (src, dst) = (a.description, b.description)
        case (.failure(let e), _):
            return .rejected(field: get(l.pktSrcaddr) == nil ? "srcaddr" : "pkt-srcaddr", message: e.description)
        case (_, .failure(let e)):
            return .rejected(field: get(l.pktDstaddr) == nil ? "dstaddr" : "pkt-dstaddr", message: e.description)
        }
        guard let pText = get(l.proto) else { return .rejected(field: "protocol", message: "missing") }
        let loose = Proto(loose: String(pText))
        let proto = loose ?? .other
        if loose == nil && UInt8(pText) == nil {
            return .rejected(field: "protocol", message: "not an IANA protocol number: \(pText)")
        }
        func port(_ f: Int?) -> (ok: Bool, value: UInt16) {
            guard let v = get(f) else { return (true, 0) }
            guard let n = UInt16(v) else { return (false, 0) }
            return (true, n)
        }
        let (sOK, sport) = port(l.srcport), (dOK, dport) = port(l.dstport)
        guard sOK else { return .rejected(field: "srcport", message: "not a port number") }
        guard dOK else { return .rejected(field: "dstport", message: "not a port number") }
        let startText = get(l.start) ?? get(l.end)
        // Seconds must fit Int64 nanoseconds (up to 2262); a larger number is not a capture time.
        let maxSeconds: Int64 = Int64.max / 1_000_000_000
        guard let st = startText, let startSec = Int64(st), startSec >= 0, startSec <= maxSeconds else {
            return .rejected(field: "start", message: "not Unix seconds: \(startText ?? "-")")
        }
        var endNs = startSec * 1_000_000_000
        if let e = get(l.end) {
            guard let es = Int64(e), es >= 0, es <= maxSeconds else {
                return .rejected(field: "end", message: "not Unix seconds: \(e)")
            }
            endNs = max(es * 1_000_000_000, startSec * 1_000_000_000)
        }
        let time = startSec * 1_000_000_000
        let verdict: Verdict
        var dropReason = ""
        switch get(l.action) {
        case nil: verdict = l.index["action"] == nil ? .forwarded : .unknown
        case "ACCEPT": verdict = .forwarded
        case "REJECT":
            verdict = .dropped
            dropReason = get(l.rejectReason).map { "REJECT (\($0))" } ?? "REJECT"
        case .some(let a): return .rejected(field: "action", message: "expected ACCEPT or REJECT, got \(a)")
        }
        var flags: TCPFlags?
        if let f = get(l.tcpFlags) {
            guard let bits = UInt16(f) else { return .rejected(field: "tcp-flags", message: "not a number: \(f)") }
            flags = VPCReader.tcpFlags(bits)
        }
        let direction: Direction
        switch get(l.flowDirection) {
        case "ingress": direction = .ingress
        case "egress": direction = .egress
        default: direction = .unknown
        }
        let point = String(get(l.interfaceID) ?? get(l.tgwAttachmentID) ?? "vpc")

        let (isReply, weight) = orient(ConnKey(a: srcValue, ap: sport, b: dstValue, bp: dport, proto: proto),
                                       flags: flags)

        // Map the addresses through the inventory.
        let book = addressBook
        let srcPod = book?.pod(ip: src, at: time)
        let dstPod = book?.pod(ip: dst, at: time)
        let srcPeer = book?.resolve(ip: src, at: time, isDestination: false, otherNode: dstPod?.node)
            ?? FlowPeer(endpoint: .external(src), ip: src)
        var targets: [(FlowPeer, UInt16)]
        var service = ""
        if let book, dstPod == nil, let svc = book.service(ip: dst, port: dport, proto: proto, at: time),
           !svc.backends.isEmpty {
            targets = svc.backends.map { ($0.peer, $0.port) }
            service = "\(svc.service.namespace)/\(svc.service.name)"
        } else {
            let p = book?.resolve(ip: dst, at: time, port: dport, proto: proto, isDestination: true,
                                  otherNode: srcPod?.node) ?? FlowPeer(endpoint: .external(dst), ip: dst)
            targets = [(p, dport)]
        }
        for (dstPeer, p) in targets {
            var flow = Flow(time: time, source: srcPeer, destination: dstPeer, proto: proto, sourcePort: sport,
                            destinationPort: proto.isPolicyProtocol ? p : 0, verdict: verdict, dropReason: dropReason,
                            direction: direction, observationPoint: point, isReply: isReply, tcpFlags: flags,
                            weight: weight, endTime: endNs)
            flow.unknownSides = Flow.unknownSides(flow)
            flow.destinationService = service
            agg.add(flow)
        }
        return .accepted
    }
}

extension VPCReader {
    /// The VPC `tcp-flags` field: the OR of the flags seen in the window (FIN 1, SYN 2, RST 4, PSH 8, ACK 16).
    static func tcpFlags<B: BinaryInteger>(_ bits: B) -> TCPFlags {
        var tf = TCPFlags()
        if bits & 0x01 != 0 { tf.insert(.fin) }
        if bits & 0x02 != 0 { tf.insert(.syn) }
        if bits & 0x04 != 0 { tf.insert(.rst) }
        if bits & 0x08 != 0 { tf.insert(.psh) }
        if bits & 0x10 != 0 { tf.insert(.ack) }
        return tf
    }
}
