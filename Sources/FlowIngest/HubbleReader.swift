import Foundation
import FlowModel

/// Reads Hubble flows: `hubble observe -o jsonpb` / exporter lines (`{"flow":{…}}` envelope) and bare legacy
/// flow objects. Non-flow envelopes (`node_status`, `lost_events`, `agent_event`, `debug_event`) are skipped.
public struct HubbleReader: LineReader {
    public init() {}

    public mutating func read(line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult {
        let obj: Any
        do {
            obj = try JSONSerialization.jsonObject(with: Data(line), options: [])
        } catch {
            return .rejected(field: "", message: "not valid JSON (\(Self.jsonReason(error))); is the line truncated?")
        }
        guard let top = obj as? [String: Any] else {
            return .rejected(field: "", message: "expected a JSON object")
        }
        let flowObj: [String: Any]
        if let f = top["flow"] {
            guard let f = f as? [String: Any] else { return .rejected(field: "flow", message: "expected an object") }
            flowObj = f
        } else if top["verdict"] != nil || top["IP"] != nil || top["source"] != nil || top["l4"] != nil {
            flowObj = top  // legacy bare flow
        } else if Self.nonFlowKeys.contains(where: { top[$0] != nil }) {
            return .skipped
        } else {
            return .rejected(field: "", message: "neither a flow nor a known Hubble event (no \"flow\" key)")
        }
        switch Self.decode(flowObj) {
        case .success(let flow):
            agg.add(flow)
            return .accepted
        case .failure(let issue):
            return .rejected(field: issue.field, message: issue.message)
        }
    }

    static let nonFlowKeys = ["node_status", "lost_events", "agent_event", "debug_event"]

    struct FieldError: Error {
        var field: String
        var message: String
    }

    static func jsonReason(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "parse error"
    }

    static func decode(_ f: [String: Any]) -> Result<Flow, FieldError> {
        guard let timeText = f["time"] as? String else {
            return .failure(FieldError(field: "flow.time", message: "missing or not a string"))
        }
        guard let time = Timestamp.parseRFC3339(timeText) else {
            return .failure(FieldError(field: "flow.time", message: "not an RFC 3339 timestamp: \(timeText)"))
        }
        let verdict = (f["verdict"] as? String).flatMap(Verdict.init(rawValue:)) ?? .unknown
        let ip = f["IP"] as? [String: Any] ?? [:]
        var proto = Proto.other
        var sport: UInt16 = 0, dport: UInt16 = 0
        var flags: TCPFlags?
        if let l4 = f["l4"] as? [String: Any] {
            for (k, v) in l4 {
                guard let o = v as? [String: Any] else { continue }
                switch k {
                case "TCP":
                    proto = .tcp
                    if let fl = o["flags"] as? [String: Any] {
                        var t = TCPFlags()
                        if fl["SYN"] as? Bool == true { t.insert(.syn) }
                        if fl["ACK"] as? Bool == true { t.insert(.ack) }
                        if fl["FIN"] as? Bool == true { t.insert(.fin) }
                        if fl["RST"] as? Bool == true { t.insert(.rst) }
                        if fl["PSH"] as? Bool == true { t.insert(.psh) }
                        flags = t
                    }
                case "UDP": proto = .udp
                case "SCTP": proto = .sctp
                case "ICMPv4": proto = .icmpv4
                case "ICMPv6": proto = .icmpv6
                default: proto = .other
                }
                if proto == .tcp || proto == .udp || proto == .sctp {
                    guard let s = port(o["source_port"]), let d = port(o["destination_port"]) else {
                        return .failure(FieldError(field: "flow.l4.\(k)", message: "port out of range 0..65535"))
                    }
                    sport = s
                    dport = d
                }
            }
        }
        let src = peer(f["source"] as? [String: Any] ?? [:], ip: ip["source"] as? String ?? "",
                       names: f["source_names"] as? [String] ?? [])
        let dst = peer(f["destination"] as? [String: Any] ?? [:], ip: ip["destination"] as? String ?? "",
                       names: f["destination_names"] as? [String] ?? [])
        var isReply: Bool?
        if let r = f["is_reply"] as? Bool { isReply = r } else if let r = f["reply"] as? Bool { isReply = r }
        let direction: Direction
        switch f["traffic_direction"] as? String {
        case "INGRESS": direction = .ingress
        case "EGRESS": direction = .egress
        default: direction = .unknown
        }
        var l7: L7Request?
        if let l = f["l7"] as? [String: Any] {
            if let h = l["http"] as? [String: Any], (l["type"] as? String) != "RESPONSE",
               let method = h["method"] as? String, !method.isEmpty {
                l7 = .http(method: method, path: L7Request.path(fromURL: h["url"] as? String ?? "/"))
            } else if let d = l["dns"] as? [String: Any], (l["type"] as? String) != "RESPONSE",
                      let q = d["query"] as? String, !q.isEmpty {
                l7 = .dns(query: DNSName.normalize(q))
            }
        }
        return .success(Flow(
            time: time, source: src, destination: dst, proto: proto, sourcePort: sport, destinationPort: dport,
            verdict: verdict, dropReason: f["drop_reason_desc"] as? String ?? "", direction: direction,
            observationPoint: f["trace_observation_point"] as? String ?? "", isReply: isReply, tcpFlags: flags,
            traceReason: f["trace_reason"] as? String ?? "", l7: l7))
    }

    static func port(_ v: Any?) -> UInt16? {
        guard let v else { return 0 }
        guard let n = v as? NSNumber else { return nil }
        let i = n.int64Value
        return (0...65535).contains(i) ? UInt16(i) : nil
    }

    static func peer(_ e: [String: Any], ip: String, names: [String]) -> FlowPeer {
        let labelList = e["labels"] as? [String] ?? []
        let parsed = HubbleLabels.parse(labelList)
        let ns = e["namespace"] as? String ?? ""
        let podName = e["pod_name"] as? String ?? ""
        let endpoint: Endpoint
        if let reserved = parsed.reserved {
            endpoint = .reserved(reserved)
        } else if !ns.isEmpty {
            if let w = (e["workloads"] as? [[String: Any]])?.first, let name = w["name"] as? String {
                endpoint = .workload(ns, name, kind: w["kind"] as? String ?? "Deployment")
            } else if !podName.isEmpty {
                let g = WorkloadGuess.fromPodName(podName)
                endpoint = .workload(ns, g.name, kind: g.kind)
            } else if let app = parsed.pod["app"] ?? parsed.pod["k8s-app"] ?? parsed.pod["app.kubernetes.io/name"] {
                endpoint = .workload(ns, app, kind: "Deployment")
            } else {
                endpoint = .workload(ns, "unknown", kind: "Pod")
            }
        } else if !ip.isEmpty {
            endpoint = .external(ip)
        } else {
            endpoint = .reserved("unknown")
        }
        return FlowPeer(endpoint: endpoint, labels: parsed.pod, namespaceLabels: parsed.namespace,
                        podName: podName, ip: ip, names: names.map(DNSName.normalize))
    }
}

/// Splits Cilium identity labels (`source:key=value`) into pod labels, namespace labels and the reserved entity.
public enum HubbleLabels {
    public struct Parsed: Sendable {
        public var pod = Labels()
        public var namespace = Labels()
        /// The most specific reserved entity (`kube-apiserver` wins over `world`), nil for pods.
        public var reserved: String?
    }

    static let nsPrefix = "io.cilium.k8s.namespace.labels."
    /// Reserved entities, most specific first: an identity labelled both kube-apiserver and world is the apiserver.
    static let reservedOrder = ["kube-apiserver", "host", "remote-node", "health", "ingress", "init", "unmanaged",
                                "world-ipv4", "world-ipv6", "world", "unknown"]

    public static func parse(_ list: [String]) -> Parsed {
        var p = Parsed()
        var reserved: [String] = []
        for item in list {
            guard let colon = item.firstIndex(of: ":") else { continue }
            let source = item[..<colon]
            let kv = item[item.index(after: colon)...]
            let key: Substring, value: Substring
            if let eq = kv.firstIndex(of: "=") {
                key = kv[..<eq]
                value = kv[kv.index(after: eq)...]
            } else {
                key = kv
                value = ""
            }
            switch source {
            case "reserved": reserved.append(String(key))
            case "k8s":
                if key.hasPrefix(nsPrefix) {
                    p.namespace[String(key.dropFirst(nsPrefix.count))] = String(value)
                } else if key.hasPrefix("io.kubernetes.pod.namespace") || key.hasPrefix("io.cilium.k8s.policy.") {
                    continue  // Cilium-internal identity labels, not pod labels
                } else {
                    p.pod[String(key)] = String(value)
                }
            default: continue  // cidr:, fqdn:, container: ... are not Kubernetes labels
            }
        }
        if !reserved.isEmpty {
            p.reserved = reservedOrder.first(where: reserved.contains) ?? reserved.sorted().first
            if p.reserved == "world-ipv4" || p.reserved == "world-ipv6" { p.reserved = "world" }
        }
        return p
    }
}

/// DNS name normalisation: lower case, no trailing dot.
public enum DNSName {
    public static func normalize(_ s: String) -> String {
        var t = s.lowercased()
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }
}
