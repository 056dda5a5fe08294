import Foundation
import FlowModel

/// The documented generic format (`schema/flow-record.schema.json`, README "Generic flow records"): CSV with a
/// header line, or JSON lines, one flow record each. Meant for anything a one-liner can convert (Inspektor
/// Gadget, Antrea, Zeek ...). Addresses without a namespace are mapped to pods through the inventory when one is
/// loaded, else they are external peers.
public struct FlowRecordReader: LineReader {
    public enum Syntax: Sendable { case csv, jsonl }

    /// The fields of a record. Column names in CSV, keys in JSON.
    public enum Field: String, CaseIterable, Sendable {
        case time, endTime = "end_time", proto, srcPort = "src_port", dstPort = "dst_port"
        case srcIP = "src_ip", dstIP = "dst_ip"
        case srcNamespace = "src_namespace", dstNamespace = "dst_namespace"
        case srcPod = "src_pod", dstPod = "dst_pod"
        case srcWorkload = "src_workload", dstWorkload = "dst_workload"
        case srcWorkloadKind = "src_workload_kind", dstWorkloadKind = "dst_workload_kind"
        case srcLabels = "src_labels", dstLabels = "dst_labels"
        case verdict, dropReason = "drop_reason", direction, observer, isReply = "is_reply", count
        /// ClusterMesh: the cluster of each end (Hubble's `cluster_name`); see `clusterPeers`.
        case srcCluster = "src_cluster", dstCluster = "dst_cluster"
    }

    /// Fields a record (and a CSV header) must have.
    public static let required: [Field] = [.time, .proto, .dstPort]

    public struct HeaderError: Error, Sendable, CustomStringConvertible {
        public var column: String
        public var message: String
        public var description: String { column.isEmpty ? message : "\(column): \(message)" }
    }

    /// Checks a CSV header (or the keys of a JSON record): every name known, every required one present, and a
    /// source and a destination each named by an address or a namespace.
    public static func validate(columns: [String]) -> Result<[Field], HeaderError> {
        var fields: [Field] = []
        var seen = Set<Field>()
        for c in columns {
            let name = c.trimmingCharacters(in: .whitespaces)
            guard let f = Field(rawValue: name) else {
                return .failure(HeaderError(column: name, message: "unknown column; known columns: "
                                            + Field.allCases.map(\.rawValue).joined(separator: ", ")))
            }
            guard seen.insert(f).inserted else {
                return .failure(HeaderError(column: name, message: "column given twice"))
            }
            fields.append(f)
        }
        for r in required where !seen.contains(r) {
            return .failure(HeaderError(column: r.rawValue, message: "required column missing"))
        }
        if !seen.contains(.srcIP) && !seen.contains(.srcNamespace) {
            return .failure(HeaderError(column: "src_ip", message: "required: src_ip or src_namespace"))
        }
        if !seen.contains(.dstIP) && !seen.contains(.dstNamespace) {
            return .failure(HeaderError(column: "dst_ip", message: "required: dst_ip or dst_namespace"))
        }
        return .success(fields)
    }

    /// The cells of a CSV line, nil when a quote is not closed.
    public static func csvCells(_ line: String) -> [String]? {
        try? CSV.split(line).get()
    }

    public let syntax: Syntax
    public let addressBook: AddressBook?
    private var columns: [Field]?
    private var headerFailed = false
    /// The accepted CSV header line, for `resumeState`.
    private var header: String?
    private var multi = MultiLineJSON()
    /// The fast path (`FlowRecordFastPath.swift`); off only in tests that compare it with the String path.
    var fastPath = true
    var cache = RecordCache()
    var fastValues = Values()
    /// `columns` as slots of `Values`.
    var columnSlots: [Int] = []
    var sideKeys = ByteInterner(capacity: 1024)
    var sideEntries: [FastSide] = []
    /// Per side entry: no address or name problem and a peer, so a record of two such sides reads neither entry
    /// (copying the two `FastSide`s per record retained every String of their peers).
    var sideClean: [Bool] = []
    var sidePeers: [Int32] = []
    var sidePeerGeneration: [Int] = []

    /// For CSV, `header` may be given when it was validated up front; otherwise the first line is the header.
    public init(syntax: Syntax, addressBook: AddressBook? = nil) {
        self.syntax = syntax
        self.addressBook = addressBook
    }

    /// A second reader for a worker; its lines need the CSV header and start outside a record (`Order`).
    public func makeParallelReader() -> FlowRecordReader? {
        var r = FlowRecordReader(syntax: syntax, addressBook: addressBook)
        r.fastPath = fastPath
        return r
    }

    /// The CSV header in effect (or that it was rejected), and whether a JSON record spanning lines is open.
    public struct Order {
        var columns: [Field]?
        var header: String?
        var headerFailed: Bool
        var open: Bool
    }

    public var isOrdered: Bool { true }

    public var order: Order { Order(columns: columns, header: header, headerFailed: headerFailed, open: multi.isActive) }

    public mutating func start(from o: Order) {
        if columns != o.columns {
            columns = o.columns
            columnSlots = o.columns?.map(Self.slot) ?? []
        }
        header = o.header
        headerFailed = o.headerFailed
        if multi.isActive { multi = MultiLineJSON() }
    }

    public mutating func join(_ worker: inout FlowRecordReader, since o: Order) -> Bool {
        guard columns == o.columns, header == o.header, headerFailed == o.headerFailed, !multi.isActive
        else { return false }
        if columns != worker.columns {
            columns = worker.columns
            columnSlots = worker.columnSlots
        }
        header = worker.header
        headerFailed = worker.headerFailed
        multi = worker.multi
        return true
    }

    public mutating func read(line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult {
        switch syntax {
        case .csv: return readCSV(line, into: &agg)
        case .jsonl:
            switch multi.feed(line) {
            case .pending: return .pending
            case .tooLarge: return .rejected(field: "", message: multi.tooLargeMessage)
            case .complete(let b): return readJSON(JSONRecord.parse(b), into: &agg)
            case .single:
                if fastPath, addressBook == nil, fastJSON(line), !fastValues.hasCluster {
                    for r in Self.required where fastValues[r] == nil {
                        return .rejected(field: r.rawValue, message: "required field missing")
                    }
                    return decodeFast(fastValues, into: &agg)
                }
                return readJSON(JSONRecord.parse(line), into: &agg)
            }
        }
    }

    public mutating func finish(into agg: inout FlowAggregator) -> LineResult? {
        multi.finish().map { .rejected(field: $0.field, message: $0.message) }
    }

    /// CSV: the header line, which a read going on after it needs.
    public var resumeState: String? { header }

    public mutating func resume(from state: String) {
        guard syntax == .csv, let cells = Self.csvCells(state), case .success(let f) = Self.validate(columns: cells)
        else { return }
        columns = f
        columnSlots = f.map(Self.slot)
        header = state
    }

    private mutating func readCSV(_ line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult {
        if fastPath, addressBook == nil, columns != nil, fastCSV(line), !fastValues.hasCluster {
            return decodeFast(fastValues, into: &agg)
        }
        let cells: [String]
        switch CSV.split(bytes: line) {
        case .success(let c): cells = c
        case .failure(let e): return .rejected(field: "", message: e.message)
        }
        guard let cols = columns else {
            if headerFailed { return .rejected(field: "", message: "not read: the header was rejected") }
            switch Self.validate(columns: cells) {
            case .success(let f):
                columns = f
                columnSlots = f.map(Self.slot)
                header = String(decoding: line, as: UTF8.self)
                return .skipped
            case .failure(let e):
                headerFailed = true
                return .rejected(field: e.column, message: "header: \(e.message)")
            }
        }
        guard cells.count == cols.count else {
            return .rejected(field: "", message: "\(cells.count) columns, the header has \(cols.count)")
        }
        var values = [Field: String]()
        for (f, v) in zip(cols, cells) where !v.isEmpty { values[f] = v }
        return add(values, into: &agg)
    }

    private func readJSON(_ parsed: Result<Any, JSONRecord.JSONError>, into agg: inout FlowAggregator) -> LineResult {
        let obj: [String: Any]
        switch parsed {
        case .failure(let e): return .rejected(field: e.field, message: e.message)
        case .success(let o):
            guard let o = o as? [String: Any] else { return .rejected(field: "", message: "expected a JSON object") }
            obj = o
        }
        var values = [Field: String]()
        for (k, v) in obj {
            guard let f = Field(rawValue: k) else { return .rejected(field: k, message: "unknown field") }
            if JSONRecord.isNull(v) { continue }
            switch v {
            case let s as String: values[f] = s
            case let m as [String: Any]:
                guard f == .srcLabels || f == .dstLabels else {
                    return .rejected(field: k, message: "expected a string or number, got an object")
                }
                values[f] = m.compactMap { k, v in (v as? String).map { "\(k)=\($0)" } }.sorted()
                    .joined(separator: ",")
            case let n as NSNumber:
                if JSONRecord.isBool(n) {
                    guard f == .isReply else { return .rejected(field: k, message: "expected a string or number, got a boolean") }
                    values[f] = n.boolValue ? "true" : "false"
                } else if JSONRecord.isFloating(n), [.srcPort, .dstPort, .count].contains(f) {
                    return .rejected(field: k, message: "expected an integer, got \(n.stringValue)")
                } else {
                    values[f] = n.stringValue
                }
            default: return .rejected(field: k, message: "expected a string or number")
            }
        }
        for r in Self.required where values[r] == nil {
            return .rejected(field: r.rawValue, message: "required field missing")
        }
        return add(values, into: &agg)
    }

    private func add(_ v: [Field: String], into agg: inout FlowAggregator) -> LineResult {
        switch decode(v, localCluster: agg.localCluster) {
        case .success(let flows):
            for f in flows { agg.add(f) }
            return .accepted
        case .failure(let e): return .rejected(field: e.column, message: e.message)
        }
    }

    /// `localCluster`: `ingest --cluster` (`FlowAggregator.localCluster`); nil: decided per record (`clusterPeers`).
    func decode(_ v: [Field: String], localCluster: String? = nil) -> Result<[Flow], HeaderError> {
        func fail(_ f: Field, _ m: String) -> Result<[Flow], HeaderError> {
            .failure(HeaderError(column: f.rawValue, message: m))
        }
        var v = v
        // Every address is one host address in its canonical spelling; every name a valid Kubernetes name.
        for f in [Field.srcIP, .dstIP] {
            guard let t = v[f] else { continue }
            switch IPAddr.canonicalHost(t) {
            case .success(let a): v[f] = a
            case .failure(let e): return fail(f, e.description)
            }
        }
        for f in [Field.srcCluster, .dstCluster] {
            guard let c = v[f] else { continue }
            // The value of Cilium's `io.cilium.k8s.policy.cluster` label.
            if let e = KubernetesLabel.valueError(c) { return fail(f, "not a cluster name: \(e)") }
        }
        for side in Self.sides {
            if let (f, m) = Self.nameProblem(v, side) { return fail(f, m) }
        }
        guard let tText = v[.time] else { return fail(.time, "required field empty") }
        guard let time = FlexibleTime.nanos(text: Substring(tText)) else {
            return fail(.time, "not an RFC 3339 time or Unix seconds: \(tText)")
        }
        var end: Int64?
        if let e = v[.endTime] {
            guard let t = FlexibleTime.nanos(text: Substring(e)) else {
                return fail(.endTime, "not an RFC 3339 time or Unix seconds: \(e)")
            }
            end = max(t, time)
        }
        guard let pText = v[.proto] else { return fail(.proto, "required field empty") }
        guard let proto = Proto(loose: pText) else {
            return fail(.proto, "expected tcp, udp, sctp, icmp, icmpv6 or a protocol number, got \(pText)")
        }
        func port(_ f: Field) -> (ok: Bool, value: UInt16) {
            guard let s = v[f] else { return (true, 0) }
            guard let n = UInt16(s.trimmingCharacters(in: .whitespaces)) else { return (false, 0) }
            return (true, n)
        }
        let (dOK, dport) = port(.dstPort), (sOK, sport) = port(.srcPort)
        guard dOK else { return fail(.dstPort, "not a port number 0..65535") }
        guard sOK else { return fail(.srcPort, "not a port number 0..65535") }
        if proto.isPolicyProtocol && v[.dstPort] == nil { return fail(.dstPort, "required for \(proto.rawValue)") }
        let verdict: Verdict
        switch v[.verdict]?.lowercased() {
        case nil, "allow", "allowed", "accept", "forwarded", "pass": verdict = .forwarded
        case "deny", "denied", "drop", "dropped", "reject", "rejected", "block", "blocked": verdict = .dropped
        case "audit": verdict = .audit
        case .some(let x): return fail(.verdict, "expected allowed or denied, got \(x)")
        }
        let direction: Direction
        switch v[.direction]?.lowercased() {
        case nil, "", "unknown": direction = .unknown
        case "ingress", "in", "dst": direction = .ingress
        case "egress", "out", "src": direction = .egress
        case .some(let x): return fail(.direction, "expected ingress or egress, got \(x)")
        }
        var isReply: Bool?
        switch v[.isReply]?.lowercased() {
        case nil, "": isReply = nil
        case "true", "1", "yes": isReply = true
        case "false", "0", "no": isReply = false
        case .some(let x): return fail(.isReply, "expected true or false, got \(x)")
        }
        var weight: Int64 = 1
        if let c = v[.count] {
            guard let n = Int64(c.trimmingCharacters(in: .whitespaces)), n >= 1 else {
                return fail(.count, "expected a positive integer, got \(c)")
            }
            weight = n
        }
        // Addresses without a namespace are looked up in the inventory (node addresses are `host` when the
        // other end is a pod on that node).
        let srcNode = v[.srcNamespace] == nil ? v[.srcIP].flatMap { addressBook?.pod(ip: $0, at: time)?.node } : nil
        let dstNode = v[.dstNamespace] == nil ? v[.dstIP].flatMap { addressBook?.pod(ip: $0, at: time)?.node } : nil
        guard var srcPeer = peer(ns: v[.srcNamespace], pod: v[.srcPod], workload: v[.srcWorkload],
                                 kind: v[.srcWorkloadKind], labels: v[.srcLabels], ip: v[.srcIP], time: time,
                                 isDestination: false, port: 0, proto: proto, otherNode: dstNode)
        else { return fail(.srcIP, "a source needs src_ip or src_namespace") }
        // An empty cluster names none.
        let srcCluster = v[.srcCluster].flatMap { $0.isEmpty ? nil : $0 }
        let dstCluster = v[.dstCluster].flatMap { $0.isEmpty ? nil : $0 }
        let local = Self.localCluster(fixed: localCluster, source: srcCluster, destination: dstCluster,
                                      direction: direction)
        Self.place(&srcPeer, cluster: srcCluster, local: local)
        var targets: [(FlowPeer, UInt16)] = []
        var service = ""
        if v[.dstNamespace] == nil, let ip = v[.dstIP], let book = addressBook,
           let svc = book.service(ip: ip, port: dport, proto: proto, at: time), !svc.backends.isEmpty {
            targets = svc.backends.map { ($0.peer, $0.port) }
            service = "\(svc.service.namespace)/\(svc.service.name)"
        } else {
            guard let dstPeer = peer(ns: v[.dstNamespace], pod: v[.dstPod], workload: v[.dstWorkload],
                                     kind: v[.dstWorkloadKind], labels: v[.dstLabels], ip: v[.dstIP], time: time,
                                     isDestination: true, port: dport, proto: proto, otherNode: srcNode)
            else { return fail(.dstIP, "a destination needs dst_ip or dst_namespace") }
            targets = [(dstPeer, dport)]
        }
        let flows = targets.map { dst, p in
            var dst = dst
            Self.place(&dst, cluster: dstCluster, local: local)
            var f = Flow(time: time, source: srcPeer, destination: dst, proto: proto, sourcePort: sport,
                         destinationPort: proto.isPolicyProtocol ? p : 0, verdict: verdict,
                         dropReason: verdict == .dropped ? (v[.dropReason] ?? "denied") : "", direction: direction,
                         observationPoint: v[.observer] ?? "", isReply: isReply, weight: weight, endTime: end)
            f.unknownSides = Flow.unknownSides(f)
            f.destinationService = service
            return f
        }
        return .success(flows)
    }

    /// ClusterMesh (docs/topologies.md), as for Hubble: the local cluster of one record is `ingest --cluster`
    /// when given; else the cluster of the end the record was observed at (`direction` egress: the source,
    /// ingress: the destination); else, when both ends name the same cluster, that one. Nil: every end is local.
    static func localCluster(fixed: String?, source: String?, destination: String?, direction: Direction) -> String? {
        if let fixed { return fixed }
        switch direction {
        case .egress: return source
        case .ingress: return destination
        case .unknown: return source == destination ? source : nil
        }
    }

    /// A workload whose cluster is named and differs from the local one (known) is a peer of that cluster
    /// (`Endpoint.cluster`), never merged with the local workload of the same name.
    static func place(_ p: inout FlowPeer, cluster: String?, local: String?) {
        guard let c = cluster, let local, c != local, p.endpoint.kind == .workload else { return }
        p.endpoint.cluster = c
    }

    /// The fields naming one end of a flow.
    struct SideFields: Sendable {
        var ns, pod, workload, kind, labels, ip: Field
    }
    static let sides = [SideFields(ns: .srcNamespace, pod: .srcPod, workload: .srcWorkload, kind: .srcWorkloadKind,
                                   labels: .srcLabels, ip: .srcIP),
                        SideFields(ns: .dstNamespace, pod: .dstPod, workload: .dstWorkload, kind: .dstWorkloadKind,
                                   labels: .dstLabels, ip: .dstIP)]

    /// An invalid Kubernetes name or label on one side: the field and why.
    static func nameProblem(_ v: [Field: String], _ side: SideFields) -> (Field, String)? {
        let l = Self.labels(v[side.labels] ?? "")
        let problem = (v[side.ns] ?? "").isEmpty
            ? KubernetesName.labelProblem(l)
            : KubernetesName.problem(namespace: v[side.ns]!, pod: v[side.pod] ?? "",
                                     workload: v[side.workload].flatMap { $0.isEmpty ? nil : $0 },
                                     kind: v[side.kind].flatMap { $0.isEmpty ? nil : $0 }, labels: l)
        guard let p = problem else { return nil }
        switch p.part {
        case .namespace: return (side.ns, p.message)
        case .pod: return (side.pod, p.message)
        case .workload: return (side.workload, p.message)
        case .kind: return (side.kind, p.message)
        case .labelKey, .labelValue: return (side.labels, p.message)
        }
    }

    func peer(ns: String?, pod: String?, workload: String?, kind: String?, labels: String?, ip: String?,
              time: Int64, isDestination: Bool, port: UInt16, proto: Proto, otherNode: String?) -> FlowPeer? {
        let labels = Self.labels(labels ?? "")
        let ip = ip ?? ""
        if let ns, !ns.isEmpty {
            let w: (name: String, kind: String)
            switch WorkloadIdentity.resolve(owner: workload.flatMap { $0.isEmpty ? nil : (kind ?? "", $0) }, podName: pod ?? "",
                                            labels: labels) {
            case .workload(let name, let kind): w = (name, kind)
            case .byLabels(let name?): w = (name, "Deployment")
            case .byLabels(nil), .unknown: w = ("unknown", "Pod")
            }
            // A named pod on a node's address is a host-network pod: that address is kept per connection.
            return FlowPeer(endpoint: .workload(ns, w.name, kind: w.kind), labels: labels, podName: pod ?? "", ip: ip,
                            hostNetwork: !ip.isEmpty && addressBook?.node(ip: ip) != nil)
        }
        guard !ip.isEmpty else { return nil }
        if let book = addressBook,
           let p = book.resolve(ip: ip, at: time, port: port, proto: proto, isDestination: isDestination,
                                otherNode: otherNode) {
            return p
        }
        return FlowPeer(endpoint: .external(ip), ip: ip)
    }

    /// `k=v,k=v` (or `;`-separated).
    static func labels(_ s: String) -> Labels { LabelText.parse(s) }
}

/// Minimal RFC 4180 CSV: comma-separated, fields optionally double-quoted with `""` for a quote. One record per
/// line (no line breaks inside quotes).
enum CSV {
    struct Failure: Error {
        var message: String
    }

    static func split(_ line: String) -> Result<[String], Failure> {
        var line = line
        return line.withUTF8 { split(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Splits the line's bytes: `,` and `"` are ASCII, so they never occur inside a multi-byte UTF-8 sequence
    /// and each cell decodes on its own as the whole line would.
    static func split(bytes line: UnsafeRawBufferPointer) -> Result<[String], Failure> {
        var out: [String] = []
        var i = 0
        let n = line.count
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        while true {
            if i < n && line[i] == quote {
                // Quoted: `""` is a quote; text after the closing quote belongs to the cell, as written.
                var cell: [UInt8] = []
                i += 1
                var closed = false
                while i < n {
                    let c = line[i]
                    if c == quote {
                        if i + 1 < n && line[i + 1] == quote {
                            cell.append(quote)
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    cell.append(c)
                    i += 1
                }
                if !closed { return .failure(Failure(message: "unterminated quoted field")) }
                while i < n && line[i] != comma {
                    cell.append(line[i])
                    i += 1
                }
                out.append(trimmed(String(decoding: cell, as: UTF8.self)))
            } else {
                let s = i
                while i < n && line[i] != comma { i += 1 }
                out.append(trimmed(String(decoding: UnsafeRawBufferPointer(rebasing: line[s..<i]), as: UTF8.self)))
            }
            if i >= n { break }
            i += 1  // the comma
        }
        return .success(out)
    }

    /// Trims whitespace; most cells have none, so the Foundation call is skipped for them.
    @inline(__always) static func trimmed(_ s: String) -> String {
        guard let f = s.utf8.first, let l = s.utf8.last else { return s }
        func plain(_ b: UInt8) -> Bool { b > 0x20 && b < 0x80 }
        return plain(f) && plain(l) ? s : s.trimmingCharacters(in: .whitespaces)
    }
}
