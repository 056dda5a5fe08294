import Foundation
import FlowModel

/// Reads Calico flow logs: felix's `flows.log` (one JSON object per line, the fluentd / Elasticsearch shape),
/// also pretty-printed objects spanning several lines. Field meanings: `docs/` and the README.
///
/// - One record is one aggregated flow over an export interval: `num_flows` is its weight, `start_time` and
///   `end_time` its first and last seen.
/// - `reporter` `src` / `dst` is the observation side (egress / ingress), so a connection reported by both ends
///   is counted once (the aggregator keeps the larger side's count).
/// - Endpoints: `wep` is a pod, named by its workload (`*_name_aggr` with the ReplicaSet hash stripped, the same
///   workload Hubble and the inventory give); `net` / `ns` with an address are external addresses, without one
///   `reserved:world` (`pub`), `reserved:private-network` (`pvt`) or `reserved:networkset:NAME`; `hep` is a node.
/// - `action` `allow` / `deny`; the denying policy (from `policies`) becomes the drop reason.
/// - `dest_service_*` is kept per destination as `namespace/name[:port-name]`.
public struct CalicoReader: LineReader {
    private var multi = MultiLineJSON()
    /// The fast path (`CalicoFastPath.swift`); off only in tests that compare it with the Foundation path.
    var fastPath = true
    var cache = RecordCache()
    var fields = Fields()
    var nestedKeys = ByteInterner(capacity: 64)
    var nested: [Bool] = []

    public init() {}

    /// A second reader for a worker: records are independent, but one may span lines (`join` checks the split).
    public func makeParallelReader() -> CalicoReader? {
        var r = CalicoReader()
        r.fastPath = fastPath
        return r
    }

    public var isOrdered: Bool { true }
    /// Whether a record spanning lines is open.
    public var order: Bool { multi.isActive }

    /// The worker's lines start outside a record (`join` drops them when the main share ends inside one).
    public mutating func start(from order: Bool) {
        if multi.isActive { multi = MultiLineJSON() }
    }

    public mutating func join(_ worker: inout CalicoReader, since order: Bool) -> Bool {
        guard !multi.isActive else { return false }
        multi = worker.multi
        return true
    }

    public mutating func read(line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult {
        switch multi.feed(line) {
        case .pending: return .pending
        case .tooLarge: return .rejected(field: "", message: multi.tooLargeMessage)
        case .complete(let bytes): return Self.record(JSONRecord.parse(bytes), into: &agg)
        case .single:
            if fastPath, let r = fastRecord(line, into: &agg) { return r }
            return Self.record(JSONRecord.parse(line), into: &agg)
        }
    }

    public mutating func finish(into agg: inout FlowAggregator) -> LineResult? {
        multi.finish().map { .rejected(field: $0.field, message: $0.message) }
    }

    static func record(_ parsed: Result<Any, JSONRecord.JSONError>, into agg: inout FlowAggregator) -> LineResult {
        switch parsed {
        case .failure(let e): return .rejected(field: e.field, message: e.message)
        case .success(let obj):
            if let o = obj as? [String: Any] { return add(o, into: &agg) }
            if let arr = obj as? [Any] {
                // A JSON array of records (an export): every element must be a record.
                for (i, el) in arr.enumerated() {
                    guard let o = el as? [String: Any] else {
                        return .rejected(field: "[\(i)]", message: "expected a flow log object")
                    }
                    if case .rejected(let f, let m) = add(o, into: &agg) {
                        return .rejected(field: "[\(i)].\(f)", message: m)
                    }
                }
                return arr.isEmpty ? .skipped : .accepted
            }
            return .rejected(field: "", message: "expected a JSON object (one flow log record)")
        }
    }

    static func add(_ o: [String: Any], into agg: inout FlowAggregator) -> LineResult {
        switch decode(o) {
        case .failure(let e): return .rejected(field: e.field, message: e.message)
        case .success(var (flow, service)):
            // Kept per connection and per destination (`FlowAggregator.add`).
            flow.destinationService = service ?? ""
            agg.add(flow)
            return .accepted
        }
    }

    struct FieldError: Error {
        var field: String
        var message: String
    }

    static func decode(_ o: [String: Any]) -> Result<(Flow, String?), FieldError> {
        guard o["start_time"] != nil || o["end_time"] != nil else {
            return .failure(FieldError(field: "start_time", message: "missing: not a Calico flow log record"))
        }
        guard let start = FlexibleTime.nanos(o["start_time"] ?? o["end_time"]) else {
            return .failure(FieldError(field: "start_time", message: "not a Unix time in seconds"))
        }
        var end = start
        if !JSONRecord.isNull(o["end_time"]) {
            guard let e = FlexibleTime.nanos(o["end_time"]) else {
                return .failure(FieldError(field: "end_time", message: "not a Unix time in seconds"))
            }
            end = max(e, start)
        }
        guard let protoText = o["proto"].map({ "\($0)" }), !JSONRecord.isNull(o["proto"]) else {
            return .failure(FieldError(field: "proto", message: "missing"))
        }
        let proto = Proto(loose: protoText) ?? .other
        let verdict: Verdict
        var dropReason = ""
        switch (o["action"] as? String)?.lowercased() {
        case "allow": verdict = .forwarded
        case "deny":
            verdict = .dropped
            dropReason = denyingPolicy(o["policies"]).map { "denied by \($0)" } ?? "denied by policy"
        case "pass": verdict = .unknown
        case .some(let a): return .failure(FieldError(field: "action", message: "expected allow or deny, got \(a)"))
        case .none: return .failure(FieldError(field: "action", message: "missing"))
        }
        let direction: Direction
        switch (o["reporter"] as? String)?.lowercased() {
        case "src": direction = .egress
        case "dst": direction = .ingress
        default: direction = .unknown
        }
        var dport: UInt16 = 0
        if !JSONRecord.isNull(o["dest_port"]) {
            guard let p = JSONRecord.int(o["dest_port"]), (0...65535).contains(p) else {
                return .failure(FieldError(field: "dest_port", message: "not a port number 0..65535"))
            }
            dport = UInt16(p)
        }
        var sport: UInt16 = 0
        if let p = JSONRecord.int(o["source_port"]), (0...65535).contains(p) { sport = UInt16(p) }
        var weight: Int64 = 1
        if !JSONRecord.isNull(o["num_flows"]) {
            guard let n = JSONRecord.int(o["num_flows"]), n >= 0 else {
                return .failure(FieldError(field: "num_flows", message: "not a non-negative integer"))
            }
            weight = max(n, 1)
        }
        let src: FlowPeer, dst: FlowPeer
        switch peer(o, "source") {
        case .success(let p): src = p
        case .failure(let e): return .failure(e)
        }
        switch peer(o, "dest") {
        case .success(let p): dst = p
        case .failure(let e): return .failure(e)
        }
        let service = Self.service(o, destination: dst)
        // Calico reports connections, never reply packets.
        let flow = Flow(time: start, source: src, destination: dst, proto: proto, sourcePort: sport,
                        destinationPort: proto.isPolicyProtocol ? dport : 0, verdict: verdict,
                        dropReason: dropReason, direction: direction, observationPoint: "calico", isReply: false,
                        weight: weight, endTime: end)
        return .success((flow, service))
    }

    /// `dest_service_*` as `namespace/name[:port-name]` (the namespace defaults to the destination's); nil without
    /// a service name.
    static func service(_ o: [String: Any], destination dst: FlowPeer) -> String? {
        guard let name = o["dest_service_name"] as? String, name != "-", !name.isEmpty else { return nil }
        let ns = (o["dest_service_namespace"] as? String).flatMap { $0 == "-" ? nil : $0 } ?? dst.endpoint.namespace
        var s = "\(ns)/\(name)"
        if let port = o["dest_service_port"] as? String, port != "-", port != "*", !port.isEmpty {
            s += ":\(port)"
        } else if let n = JSONRecord.int(o["dest_service_port_num"]) {
            s += ":\(n)"
        }
        return s
    }

    /// Labels from `{"labels": ["k=v", ...]}` (or a bare list, or a `k=v,k=v` string); `-` means aggregated away.
    static func labels(_ v: Any?) -> Labels {
        var list: [String] = []
        if let o = v as? [String: Any] {
            if let l = o["labels"] as? [String] { list = l } else if let m = o as? [String: String] {
                return m  // a plain map, as some exporters write it
            }
        } else if let l = v as? [String] {
            list = l
        } else if let s = v as? String, s != "-" {
            return LabelText.parse(s)
        }
        return LabelText.parse(list)
    }

    static func text(_ v: Any?) -> String {
        guard let s = v as? String, s != "-" else { return "" }
        return s
    }

    static func peer(_ o: [String: Any], _ side: String) -> Result<FlowPeer, FieldError> {
        let type = (o["\(side)_type"] as? String)?.lowercased() ?? ""
        let ns = text(o["\(side)_namespace"])
        let aggr = text(o["\(side)_name_aggr"])
        let name = text(o["\(side)_name"])
        var ip = text(o["\(side)_ip"])
        if !ip.isEmpty {
            switch IPAddr.canonicalHost(ip) {
            case .success(let a): ip = a
            case .failure(let e): return .failure(FieldError(field: "\(side)_ip", message: e.description))
            }
        }
        let labels = labels(o["\(side)_labels"])
        switch type {
        case "wep":
            guard !ns.isEmpty else {
                return .failure(FieldError(field: "\(side)_namespace", message: "missing for a pod (wep) endpoint"))
            }
            guard !aggr.isEmpty || !name.isEmpty else {
                return .failure(FieldError(field: "\(side)_name_aggr", message: "missing for a pod (wep) endpoint"))
            }
            let w = workload(nameAggr: aggr, podName: name, labels: labels)
            if let p = KubernetesName.problem(namespace: ns, pod: name.hasSuffix("*") ? "" : name, workload: w.name,
                                              kind: w.kind, labels: labels) {
                let field: String
                switch p.part {
                case .namespace: field = "\(side)_namespace"
                case .pod: field = "\(side)_name"
                case .workload, .kind: field = aggr.isEmpty ? "\(side)_name" : "\(side)_name_aggr"
                case .labelKey, .labelValue: field = "\(side)_labels"
                }
                return .failure(FieldError(field: field, message: p.message))
            }
            return .success(FlowPeer(endpoint: .workload(ns, w.name, kind: w.kind), labels: labels,
                                     podName: name, ip: ip))
        case "hep":
            return .success(FlowPeer(endpoint: .reserved(ip.isEmpty ? ReservedEntity.host : .remoteNode), ip: ip))
        case "net", "ns", "":
            if !ip.isEmpty { return .success(FlowPeer(endpoint: .external(ip), ip: ip)) }
            let entity: String
            switch aggr {
            case "pub", "": entity = ReservedEntity.world.rawValue
            case "pvt": entity = ReservedEntity.privateNetwork.rawValue
            default: entity = "networkset:" + (ns.isEmpty ? aggr : "\(ns)/\(aggr)")
            }
            return .success(FlowPeer(endpoint: .reserved(entity)))
        default:
            return .failure(FieldError(field: "\(side)_type", message: "expected wep, hep, ns or net, got \(type)"))
        }
    }

    /// The workload of a Calico pod endpoint: `name_aggr` is the pod's generate-name prefix with `*`
    /// (`WorkloadIdentity.generateName`); a full pod name goes through `WorkloadGuess`, as in every reader.
    public static func workload(nameAggr: String, podName: String, labels: Labels) -> (name: String, kind: String) {
        switch WorkloadIdentity.resolve(generateName: nameAggr, podName: podName, labels: labels) {
        case .workload(let name, let kind): return (name, kind)
        case .byLabels, .unknown: return (podName, "Pod")  // unreachable: the caller requires a name
        }
    }

    /// The policy that denied a flow: the last `deny` entry of `policies` (`index|tier|name|action[|rule]`).
    static func denyingPolicy(_ v: Any?) -> String? {
        var entries: [String] = []
        if let o = v as? [String: Any] {
            entries = (o["enforced_policies"] as? [String]) ?? (o["all_policies"] as? [String]) ?? []
        } else if let l = v as? [String] {
            entries = l
        }
        for e in entries.reversed() {
            let parts = e.split(separator: "|", omittingEmptySubsequences: false)
            if parts.count >= 4, parts[3] == "deny" { return String(parts[2]) }
        }
        return nil
    }
}
