import Foundation
import Testing
@testable import FlowIngest
import FlowModel

@Suite("Hubble decoder")
struct HubbleReaderTests {
    static let web = "shop/Deployment/web"
    static let db = "shop/StatefulSet/db"

    // MARK: Verdicts

    @Test("FORWARDED, AUDIT and REDIRECTED are observed-allowed", arguments: ["FORWARDED", "AUDIT", "REDIRECTED"])
    func allowedVerdicts(verdict: String) {
        var l = FlowLine()
        l.verdict = verdict
        let r = ingestLine(l.json)
        #expect(r.results == [.accepted])
        #expect(r.edge(Self.web, Self.db, .tcp, 5432, .allowed)?.flows == 1)
        #expect(r.batch.edges.count == 1)
    }

    @Test("DROPPED is observed-denied with its drop reason")
    func dropped() {
        var l = FlowLine()
        l.verdict = "DROPPED"
        l.extra = #","drop_reason":133,"drop_reason_desc":"POLICY_DENIED""#
        var l2 = l
        l2.extra = #","drop_reason_desc":"POLICY_DENY""#
        l2.point = "FROM_ENDPOINT"
        var l3 = l
        l3.extra = #","drop_reason":181"#  // deprecated number only
        l3.point = "TO_ENDPOINT"
        let r = ingestLines([l.json, l2.json, l3.json])
        let e = r.edge(Self.web, Self.db, .tcp, 5432, .denied)
        #expect(e?.dropReasons == ["POLICY_DENIED", "POLICY_DENY"])
        #expect(r.edge(Self.web, Self.db, .tcp, 5432, .allowed) == nil)
    }

    @Test("other verdicts are stored as outcome other", arguments: ["ERROR", "TRACED", "TRANSLATED", "VERDICT_UNKNOWN", "SOMETHING_NEW"])
    func otherVerdicts(verdict: String) {
        var l = FlowLine()
        l.verdict = verdict
        let r = ingestLine(l.json)
        #expect(r.edge(Self.web, Self.db, .tcp, 5432, .other)?.flows == 1)
    }

    @Test("unknown enum values as numbers: verdict, direction, observation point, trace reason")
    func numericEnums() throws {
        var l = FlowLine()
        l.isReply = nil
        l.l4 = #"{"TCP":{"source_port":40000,"destination_port":5432}}"#
        var text = l.json.replacingOccurrences(of: #""verdict":"FORWARDED""#, with: #""verdict":2"#)
        text = text.replacingOccurrences(of: #""traffic_direction":"EGRESS""#, with: #""traffic_direction":1"#)
        text = text.replacingOccurrences(of: #""trace_observation_point":"TO_STACK""#, with: #""trace_observation_point":42"#)
        text = text.replacingOccurrences(of: #""Type":"L3_L4""#, with: #""Type":7,"trace_reason":3"#)
        let r = ingestLine(text)
        #expect(r.results == [.accepted])
        // trace_reason 3 = REPLY: a reply, so no edge, decided by the trace reason.
        #expect(r.counts.replies == 1)
        #expect(r.counts.replyRules["traceReason"] == 1)
        let r2 = ingestLine(text.replacingOccurrences(of: #""trace_reason":3"#, with: #""trace_reason":1"#))
        #expect(r2.edge(Self.web, Self.db, .tcp, 5432, .denied)?.flows == 1)  // verdict 2 = DROPPED
        let r3 = ingestLine(text.replacingOccurrences(of: #""verdict":2"#, with: #""verdict":99"#)
            .replacingOccurrences(of: #""trace_reason":3"#, with: #""trace_reason":1"#))
        #expect(r3.edge(Self.web, Self.db, .tcp, 5432, .other)?.flows == 1)
    }

    // MARK: Replies

    @Test("is_reply true adds no edge; false adds one; both decided by the report")
    func reportedReplies() {
        var a = FlowLine()
        a.isReply = "true"
        var b = FlowLine()
        b.isReply = "false"
        let r = ingestLines([a.json, b.json])
        #expect(r.counts.accepted == 2)
        #expect(r.counts.replies == 1)
        #expect(r.counts.replyRules == ["reported": 2])
        #expect(r.batch.edges.count == 1)
    }

    @Test("is_reply absent: TCP flags, then trace_reason, then listening/ephemeral ports; each rule counted")
    func replyFallbacks() {
        func line(_ l4: String, trace: String? = nil, legacyReply: String? = nil) -> String {
            var l = FlowLine()
            l.isReply = nil
            l.l4 = l4
            if let t = trace { l.extra += #","trace_reason":"\#(t)""# }
            if let r = legacyReply { l.extra += #","reply":\#(r)"# }
            return l.json
        }
        let syn = line(#"{"TCP":{"source_port":40000,"destination_port":5432,"flags":{"SYN":true}}}"#, trace: "REPLY")
        let synAck = line(#"{"TCP":{"source_port":5432,"destination_port":40000,"flags":{"SYN":true,"ACK":true}}}"#)
        let estab = line(#"{"TCP":{"source_port":40000,"destination_port":5432,"flags":{"ACK":true}}}"#, trace: "ESTABLISHED")
        let replyTrace = line(#"{"TCP":{"source_port":5432,"destination_port":40000,"flags":{"ACK":true}}}"#, trace: "REPLY")
        let portReply = line(#"{"UDP":{"source_port":53,"destination_port":41000}}"#)
        let portForward = line(#"{"UDP":{"source_port":41000,"destination_port":53}}"#)
        let undecided = line(#"{"UDP":{"source_port":41000,"destination_port":42000}}"#)
        let legacy = line(#"{"TCP":{"source_port":5432,"destination_port":40000,"flags":{"ACK":true}}}"#, legacyReply: "true")
        let r = ingestLines([syn, synAck, estab, replyTrace, portReply, portForward, undecided, legacy])
        // UDP 53 -> 41000 and 41000 -> 42000: no listening port known, to an ephemeral port: undecided, no edge;
        // 41000 -> 53: from an ephemeral port to a non-ephemeral one, forward.
        #expect(r.counts.replyRules == ["tcpFlags": 2, "traceReason": 2, "ephemeralPort": 1, "undecided": 2, "reported": 1])
        #expect(r.counts.replies == 3)  // SYN+ACK, trace REPLY, legacy reply
        #expect(r.edge(Self.web, Self.db, .tcp, 5432)?.flows == 2)  // SYN and ESTABLISHED, same point
        #expect(r.edge(Self.web, Self.db, .udp, 53)?.flows == 1)
        #expect(r.edge(Self.web, Self.db, .udp, 42000) == nil)
        #expect(r.edge(Self.web, Self.db, .udp, 41000) == nil)
        #expect(r.edge(Self.web, Self.db, .tcp, 40000) == nil)
        #expect(r.counts.unoriented.keys.sorted() == [
            "shop/web[Deployment]:41000 -> shop/db[StatefulSet]:42000 UDP: no edge (ephemeral port)",
            "shop/web[Deployment]:53 -> shop/db[StatefulSet]:41000 UDP: no edge (ephemeral port)",
        ])
    }

    @Test("replies from evidence: a port seen opened listens; FIN/ACK from it is a reply whatever its number")
    func listeningPortReplies() {
        func line(_ l4: String, reversed: Bool = false) -> String {
            var l = FlowLine()
            l.isReply = nil
            l.l4 = l4
            if reversed { (l.src, l.dst, l.srcIP, l.dstIP) = (l.dst, l.src, l.dstIP, l.srcIP) }
            return l.json
        }
        // Bookinfo: FIN/ACK replies from 9080 to ephemeral ports (one below the range), listed before the SYN.
        let finAck = line(#"{"TCP":{"source_port":9080,"destination_port":58634,"flags":{"FIN":true,"ACK":true}}}"#,
                          reversed: true)
        let lowPort = line(#"{"TCP":{"source_port":9080,"destination_port":20000,"flags":{"ACK":true}}}"#,
                           reversed: true)
        let syn = line(#"{"TCP":{"source_port":58634,"destination_port":9080,"flags":{"SYN":true}}}"#)
        // Hubble UDP 8125 without is_reply: the answer towards the client's ephemeral port is no rule.
        let statsd = line(#"{"UDP":{"source_port":8125,"destination_port":51000}}"#, reversed: true)
        let r = ingestLines([finAck, lowPort, statsd, syn])
        #expect(r.edge(Self.web, Self.db, .tcp, 9080)?.flows == 1)
        #expect(r.edge(Self.db, Self.web, .tcp, 58634) == nil)
        #expect(r.edge(Self.db, Self.web, .tcp, 20000) == nil)  // not ephemeral, but from a listening port
        #expect(r.edge(Self.db, Self.web, .udp, 51000) == nil)
        #expect(r.counts.replyRules["listeningPort"] == 2)
        #expect(r.counts.replies == 2)
        #expect(r.counts.unoriented.keys.sorted() == ["shop/db[StatefulSet]:8125 -> shop/web[Deployment]:51000 UDP: no edge (ephemeral port)"])
    }

    @Test("an endpoint with labels and the pod-namespace label but no namespace field or pod name is a label identity")
    func labelIdentity() {
        var l = FlowLine()
        l.src = #"{"identity":3418,"labels":["k8s:app=productpage","k8s:io.kubernetes.pod.namespace=bookinfo","k8s:version=v1"]}"#
        let r = ingestLine(l.json)
        #expect(r.edge("bookinfo/\(Endpoint.labelIdentityKind)/productpage", Self.db, .tcp, 5432)?.flows == 1)
        #expect(r.batch.edges.keys.allSatisfy { $0.source.kind == .workload })  // not an ipBlock of 10.0.0.1
    }

    @Test("a port the inventory declares listens: replies from it are no edge")
    func declaredListeningPort() {
        var agg = FlowAggregator()
        let server = Endpoint.workload("perf", "iperf", kind: "Deployment"), client = Endpoint.external("10.9.9.9")
        agg.declareListening(server, proto: .tcp, port: 5001)
        var reply = Flow(time: 1, source: FlowPeer(endpoint: server), destination: FlowPeer(endpoint: client),
                         proto: .tcp, sourcePort: 5001, destinationPort: 30000)
        reply.isReply = nil
        agg.add(reply)
        var forward = Flow(time: 1, source: FlowPeer(endpoint: client), destination: FlowPeer(endpoint: server),
                           proto: .tcp, sourcePort: 30000, destinationPort: 5001)
        forward.isReply = nil
        agg.add(forward)
        let (b, c) = agg.take()
        #expect(b.edges.keys.map { "\($0.source) -> \($0.destination) \($0.port)" } == ["10.9.9.9 -> perf/iperf[Deployment] 5001"])
        #expect(c.replyRules == ["listeningPort": 2])
    }

    @Test("a second observation point never doubles a count; the busiest point wins")
    func observationPoints() {
        var egress = FlowLine()
        var ingress = FlowLine()
        ingress.direction = "INGRESS"
        ingress.point = "TO_ENDPOINT"
        var proxy = FlowLine()
        proxy.direction = "INGRESS"
        proxy.point = "TO_PROXY"
        egress.time = "2024-05-01T10:00:01Z"
        let r = ingestLines([egress.json, ingress.json, egress.json, ingress.json, proxy.json, ingress.json])
        let e = r.edge(Self.web, Self.db, .tcp, 5432)
        #expect(e?.flows == 3)
        #expect(e?.firstSeen == Timestamp.parseRFC3339("2024-05-01T10:00:00.000000001Z"))
        #expect(e?.lastSeen == Timestamp.parseRFC3339("2024-05-01T10:00:01Z"))
    }

    // MARK: Identities

    static func peer(_ labels: [String], identity: Int? = nil, namespace: String? = nil, pod: String? = nil) -> String {
        var parts: [String] = []
        if let i = identity { parts.append(#""identity":\#(i)"#) }
        if let n = namespace { parts.append(#""namespace":"\#(n)""#) }
        if !labels.isEmpty { parts.append(#""labels":[\#(labels.map { "\"\($0)\"" }.joined(separator: ","))]"#) }
        if let p = pod { parts.append(#""pod_name":"\#(p)""#) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    @Test("reserved identities by label", arguments: [
        (["reserved:host"], "reserved:host"),
        (["reserved:remote-node"], "reserved:remote-node"),
        (["reserved:kube-apiserver", "reserved:world"], "reserved:kube-apiserver"),
        (["reserved:host", "reserved:remote-node"], "reserved:host"),
        (["reserved:health"], "reserved:health"),
        (["reserved:init"], "reserved:init"),
        (["reserved:unmanaged"], "reserved:unmanaged"),
        (["reserved:ingress"], "reserved:ingress"),
        (["reserved:world"], "ip:203.0.113.7"),
        (["reserved:world-ipv4"], "ip:203.0.113.7"),
        (["cidr:203.0.113.0/24", "reserved:world"], "ip:203.0.113.7"),
    ])
    func reservedByLabel(labels: [String], expected: String) {
        var l = FlowLine()
        l.dst = Self.peer(labels)
        l.dstIP = "203.0.113.7"
        let r = ingestLine(l.json)
        #expect(r.batch.edges.keys.map(\.destination.key) == [expected])
    }

    @Test("reserved identities by number when labels are masked out", arguments: [
        (1, "reserved:host"), (2, "ip:203.0.113.7"), (3, "reserved:unmanaged"), (4, "reserved:health"),
        (5, "reserved:init"), (6, "reserved:remote-node"), (7, "reserved:kube-apiserver"), (8, "reserved:ingress"),
        (9, "ip:203.0.113.7"), (10, "ip:203.0.113.7"), (16_777_217, "ip:203.0.113.7"),
    ])
    func reservedByNumber(identity: Int, expected: String) {
        var l = FlowLine()
        l.dst = Self.peer([], identity: identity)
        l.dstIP = "203.0.113.7"
        let r = ingestLine(l.json)
        #expect(r.batch.edges.keys.map(\.destination.key) == [expected])
    }

    @Test("world without an address stays reserved:world; an empty endpoint with an address is that address")
    func worldWithoutIP() {
        var l = FlowLine()
        l.dst = Self.peer(["reserved:world"])
        l.dstIP = ""
        #expect(ingestLine(l.json).batch.edges.keys.map(\.destination.key) == ["reserved:world"])
        var m = FlowLine()
        m.dst = "{}"
        m.dstIP = "198.51.100.1"
        #expect(ingestLine(m.json).batch.edges.keys.map(\.destination.key) == ["ip:198.51.100.1"])
    }

    @Test("addresses of host, remote-node and kube-apiserver are kept for ipBlocks")
    func addressedEntities() {
        var l = FlowLine()
        l.dst = Self.peer(["reserved:kube-apiserver", "reserved:world"], identity: 16_777_217)
        l.dstIP = "10.96.0.1"
        l.extra = #","destination_names":["kubernetes.default.svc."]"#
        let r = ingestLine(l.json)
        #expect(r.batch.addresses[.reserved("kube-apiserver")] == ["10.96.0.1"])
        #expect(r.batch.names[.reserved("kube-apiserver")] == ["kubernetes.default.svc"])
    }

    @Test("pods: workloads[] first, else the pod name, else a label identity; labels and namespace labels split")
    func pods() throws {
        var l = FlowLine()
        l.src = #"{"ID":1,"identity":2000,"namespace":"shop","labels":["k8s:app=web","k8s:pod-template-hash=6d4cf56db6","k8s:io.kubernetes.pod.namespace=shop","k8s:io.cilium.k8s.policy.serviceaccount=web","k8s:io.cilium.k8s.namespace.labels.team=a","k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=shop","container:x=y"],"pod_name":"web-6d4cf56db6-abcde","workloads":[{"name":"web","kind":"Deployment"}]}"#
        l.dst = Self.peer(["k8s:app=db"], namespace: "data", pod: "db-2")
        var m = FlowLine()
        m.src = Self.peer(["k8s:app=cron"], namespace: "jobs")
        m.dst = Self.peer([], namespace: "data", pod: "fluentd-x7k2p")
        let r = ingestLines([l.json, m.json])
        #expect(r.edge(Self.web, "data/StatefulSet/db", .tcp, 5432) != nil)
        // No pod name: a label identity, resolved to the workload its labels select by inference.
        #expect(r.edge("jobs/\(Endpoint.labelIdentityKind)/cron", "data/DaemonSet/fluentd", .tcp, 5432) != nil)
        let webEP = Endpoint.workload("shop", "web", kind: "Deployment")
        #expect(r.batch.labelSets[webEP] == ["app=web"])  // volatile and Cilium-internal labels dropped
        #expect(r.batch.namespaceLabels["shop"] == ["team": "a", "kubernetes.io/metadata.name": "shop"])
        #expect(r.batch.addresses[webEP] == ["10.0.0.1"])
    }

    @Test("a pod Cilium labels world (identity not yet known) is still the pod")
    func worldLabelledPod() {
        var l = FlowLine()
        l.dst = #"{"identity":2,"namespace":"kube-system","labels":["reserved:world"],"pod_name":"kube-dns-b4f5c58c7-7qmtw"}"#
        let r = ingestLine(l.json)
        #expect(r.batch.edges.keys.map(\.destination.key) == ["kube-system/Deployment/kube-dns"])
    }

    // MARK: Protocols, addresses

    @Test("IPv6, UDP, SCTP, ICMPv4 and ICMPv6 (ICMP stored with port 0, counted as non-policy)")
    func protocols() {
        var v6 = FlowLine()
        v6.srcIP = "fd00::1"
        v6.dstIP = "fd00::2"
        var udp = FlowLine()
        udp.l4 = #"{"UDP":{"source_port":40000,"destination_port":53}}"#
        var sctp = FlowLine()
        sctp.l4 = #"{"SCTP":{"source_port":40000,"destination_port":38412}}"#
        var icmp = FlowLine()
        icmp.l4 = #"{"ICMPv4":{"type":8}}"#
        var icmp6 = FlowLine()
        icmp6.l4 = #"{"ICMPv6":{"type":128,"code":0}}"#
        icmp6.dst = "{}"
        icmp6.dstIP = "ff02::2"
        let r = ingestLines([v6.json, udp.json, sctp.json, icmp.json, icmp6.json])
        #expect(r.edge(Self.web, Self.db, .udp, 53) != nil)
        #expect(r.edge(Self.web, Self.db, .sctp, 38412) != nil)
        #expect(r.edge(Self.web, Self.db, .icmpv4, 0) != nil)
        #expect(r.edge(Self.web, "ip:ff02::2", .icmpv6, 0) != nil)
        #expect(r.counts.nonPolicyProtocol == 2)
        #expect(r.batch.addresses[.workload("shop", "web", kind: "Deployment")] == ["fd00::1", "10.0.0.1"])
    }

    // MARK: Envelopes and masks

    @Test("node_status, lost_events, agent_event and debug_event lines are skipped and counted")
    func nonFlowLines() {
        let lines = [
            #"{"node_status":{"state":"NODE_CONNECTED","node_names":["n1"]},"node_name":"n1","time":"2024-05-01T10:00:00Z"}"#,
            #"{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"12","cpu":1},"time":"2024-05-01T10:00:00Z"}"#,
            #"{"agent_event":{"type":"ENDPOINT_CREATED"},"node_name":"n1"}"#,
            #"{"debug_event":{"type":"DBG_CT_VERDICT"},"node_name":"n1"}"#,
        ]
        let r = ingestLines(lines + [FlowLine().json])
        #expect(r.results == [.skipped, .skipped, .skipped, .skipped, .accepted])
        #expect(r.counts.skipped == 4)
        #expect(r.counts.accepted == 1)
    }

    @Test("legacy bare flow objects (HUBBLE_COMPAT=legacy-json-output)")
    func legacyBareFlow() throws {
        let env = FlowLine().json
        let start = env.index(env.startIndex, offsetBy: 8)
        let end = try #require(env.range(of: #","node_name":"n1","time""#)).lowerBound
        let bare = String(env[start..<end])
        let r = ingestLine(bare)
        #expect(r.results == [.accepted])
        #expect(r.edge(Self.web, Self.db, .tcp, 5432) != nil)
    }

    @Test("field masks: empty source, no labels, no Type, no flow.time (envelope time used)")
    func fieldMasks() throws {
        let masked = #"{"flow":{"verdict":"DROPPED","IP":{"source":"10.244.1.60","destination":"10.244.1.5"},"l4":{"TCP":{"source_port":44916,"destination_port":80,"flags":{"SYN":true}}},"source":{},"destination":{"namespace":"default","pod_name":"deathstar-7848d6c4d5-th9v2"},"drop_reason_desc":"POLICY_DENIED"},"time":"2023-08-21T12:12:18.510175415Z"}"#
        let r = ingestLine(masked)
        #expect(r.results == [.accepted])
        let e = try #require(r.edge("ip:10.244.1.60", "default/Deployment/deathstar", .tcp, 80, .denied))
        #expect(e.firstSeen == Timestamp.parseRFC3339("2023-08-21T12:12:18.510175415Z"))
        let noTime = #"{"flow":{"verdict":"FORWARDED","source":{},"destination":{}}}"#
        #expect(ingestLine(noTime).results == [.rejected(field: "flow.time", message: "missing (needed for first/last seen)")])
    }

    @Test("64-bit integers as strings, unknown fields anywhere, null values")
    func tolerance() {
        var l = FlowLine()
        l.extra = #","socket_cookie":"18446744073709551615","cgroup_id":"123","future_field":{"a":[1,{"b":null}],"c":"\u00e9"},"egress_allowed_by":[{"name":"p","revision":"6"}],"l7":null,"is_reply":null"#
        l.src = l.src.replacingOccurrences(of: #""namespace""#, with: #""x_new":[[[]]],"namespace""#)
        l.isReply = nil
        let text = l.json.replacingOccurrences(of: #""node_name":"n1""#, with: #""node_name":"n1","x":{"y":[true,false,null,-1.5e3]}"#)
        let r = ingestLine(text)
        #expect(r.results == [.accepted])
        #expect(r.edge(Self.web, Self.db, .tcp, 5432) != nil)
    }

    @Test("rejections name the field")
    func rejections() {
        var l = FlowLine()
        l.l4 = #"{"TCP":{"source_port":40000,"destination_port":70000}}"#
        #expect(ingestLine(l.json).results == [.rejected(field: "flow.l4.TCP.destination_port", message: "port out of range 0..65535")])
        var t = FlowLine()
        t.time = "yesterday"
        #expect(ingestLine(t.json).results == [.rejected(field: "flow.time", message: "not an RFC 3339 timestamp: yesterday")])
        #expect(ingestLine(#"{"flow":"x"}"#).results == [.rejected(field: "flow", message: "expected an object")])
        #expect(ingestLine(#"{"hello":1}"#).results == [.rejected(field: "", message: "neither a flow nor a known Hubble event (no \"flow\" key)")])
        if case .rejected(let f, let m) = ingestLine(String(FlowLine().json.dropLast(5))).results[0] {
            #expect(f == "")
            #expect(m.hasPrefix("not valid JSON"))
        } else {
            Issue.record("truncated line accepted")
        }
        #expect(ingestLine("[1,2]").results == [.rejected(field: "", message: "expected a JSON object, found '['")])
    }

    // MARK: L7 and names

    @Test("HTTP requests: method and path from absolute URLs, counted per edge; responses ignored")
    func http() {
        func req(_ method: String, _ url: String, type: String = "REQUEST") -> String {
            var l = FlowLine()
            l.verdict = "REDIRECTED"
            l.point = "TO_PROXY"
            l.extra = #","l7":{"type":"\#(type)","latency_ns":"999958359","http":{"method":"\#(method)","url":"\#(url)","protocol":"HTTP/1.1","headers":[{"key":"A","value":"b"}]}}"#
            return l.json
        }
        let r = ingestLines([req("GET", "http://10.0.0.2:8080/api/v1/items?page=2"), req("GET", "/api/v1/items"),
                             req("POST", "https://db.shop.svc/orders#x"), req("GET", "http://10.0.0.2:8080/x", type: "RESPONSE")])
        let l7 = Dictionary(uniqueKeysWithValues: r.batch.l7.map { ($0.key.request, $0.value.flows) })
        #expect(l7 == [.http(method: "GET", path: "/api/v1/items"): 2, .http(method: "POST", path: "/orders"): 1])
    }

    @Test("DNS queries stored lower-case without the trailing dot; destination_names for external peers")
    func dnsAndNames() {
        var q = FlowLine()
        q.l4 = #"{"UDP":{"source_port":41000,"destination_port":53}}"#
        q.extra = #","l7":{"type":"REQUEST","dns":{"query":"API.Example.com.","qtypes":["A"],"observation_source":"proxy"}}"#
        var w = FlowLine()
        w.dst = Self.peer(["reserved:world"], identity: 2)
        w.dstIP = "93.184.216.34"
        w.l4 = #"{"TCP":{"source_port":41000,"destination_port":443,"flags":{"SYN":true}}}"#
        w.extra = #","destination_names":["Example.com.","www.example.com"]"#
        let r = ingestLines([q.json, q.json, w.json])
        #expect(r.batch.l7.map { $0.key.request } == [.dns(query: "api.example.com")])
        #expect(r.batch.l7.values.first?.flows == 2)
        #expect(r.batch.names[.external("93.184.216.34")] == ["example.com", "www.example.com"])
    }

    @Test("aggregated exporter flows carry their weight")
    func aggregateWeight() {
        var l = FlowLine()
        l.extra = #","aggregate":{"ingress_flow_count":3,"egress_flow_count":2}"#
        #expect(ingestLine(l.json).edge(Self.web, Self.db, .tcp, 5432)?.flows == 5)
    }

    @Test("escaped keys and values decode like plain ones")
    func escapedKeys() {
        let plain = FlowLine().json
        let escaped = plain.replacingOccurrences(of: #""verdict":"FORWARDED""#, with: #""verd\u0069ct":"FORW\u0041RDED""#)
            .replacingOccurrences(of: #""pod_name":"web-6d4cf56db6-abcde""#, with: #""pod_name":"web-6d4cf56db6-abcd\u0065""#)
        let a = ingestLine(plain), b = ingestLine(escaped)
        #expect(b.results == [.accepted])
        #expect(a.batch.edges == b.batch.edges)
    }
}
