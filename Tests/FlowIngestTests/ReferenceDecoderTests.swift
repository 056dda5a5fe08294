import Foundation
import Testing
@testable import FlowIngest
import FlowModel

/// A second, independent decoding path: Foundation's JSONSerialization into `Flow` values through the generic
/// `FlowAggregator.add(_:)`. The fast path (byte scanner, byte-keyed caches, interned ids) must produce exactly
/// the same batch on every real sample, and on the samples with keys shuffled and whitespace added.
@Suite("Fast decoder vs reference decoder")
struct ReferenceDecoderTests {
    static func reference(_ lines: [String]) -> (IngestBatch, IngestCounts) {
        var agg = FlowAggregator()
        for line in lines {
            agg.countLine()
            guard let top = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                agg.countRejected()
                continue
            }
            let f: [String: Any]
            if let inner = top["flow"] as? [String: Any] {
                f = inner
            } else if ["node_status", "lost_events", "agent_event", "debug_event"].contains(where: { top[$0] != nil }) {
                agg.countSkipped()
                continue
            } else {
                f = top
            }
            guard let flow = decode(f, envelopeTime: top["time"] as? String) else {
                agg.countRejected()
                continue
            }
            agg.add(flow)
        }
        return agg.take()
    }

    static func decode(_ f: [String: Any], envelopeTime: String?) -> Flow? {
        guard let time = ((f["time"] as? String) ?? envelopeTime).flatMap(Timestamp.parseRFC3339) else { return nil }
        let ip = f["IP"] as? [String: Any] ?? [:]
        var proto = Proto.other
        var sport: UInt16 = 0, dport: UInt16 = 0
        var flags: TCPFlags?
        for (k, v) in f["l4"] as? [String: Any] ?? [:] {
            let o = v as? [String: Any] ?? [:]
            switch k {
            case "TCP": proto = .tcp
            case "UDP": proto = .udp
            case "SCTP": proto = .sctp
            case "ICMPv4": proto = .icmpv4
            case "ICMPv6": proto = .icmpv6
            default: proto = .other
            }
            if proto.isPolicyProtocol {
                sport = UInt16((o["source_port"] as? Int) ?? 0)
                dport = UInt16((o["destination_port"] as? Int) ?? 0)
            }
            if proto == .tcp, let fl = o["flags"] as? [String: Any] {
                var t = TCPFlags()
                if fl["SYN"] as? Bool == true { t.insert(.syn) }
                if fl["ACK"] as? Bool == true { t.insert(.ack) }
                if fl["FIN"] as? Bool == true { t.insert(.fin) }
                if fl["RST"] as? Bool == true { t.insert(.rst) }
                if fl["PSH"] as? Bool == true { t.insert(.psh) }
                flags = t
            }
        }
        func peer(_ key: String, ip: String, names: [String]) -> FlowPeer {
            let e = f[key] as? [String: Any] ?? [:]
            let labels = e["labels"] as? [String] ?? []
            let w = (e["workloads"] as? [[String: Any]])?.first.flatMap { w -> (String, String)? in
                guard let n = w["name"] as? String, !n.isEmpty else { return nil }
                return (n, w["kind"] as? String ?? "")
            }
            let id = HubbleCache.identity(namespace: e["namespace"] as? String ?? "", labels: labels,
                                          podName: e["pod_name"] as? String ?? "", workload: w,
                                          identityNumber: (e["identity"] as? NSNumber)?.int64Value)
            let ep: Endpoint
            switch id.resolution {
            case .fixed(let x): ep = x
            case .byIP(let fallback): ep = ip.isEmpty ? .reserved(fallback) : .external(ip)
            }
            let parsed = HubbleLabels.parse(labels)
            return FlowPeer(endpoint: ep, labels: id.isWorkload ? parsed.pod : [:],
                            namespaceLabels: id.isWorkload ? parsed.namespace : [:], podName: "", ip: ip,
                            names: names.map(DNSName.normalize).filter { !$0.isEmpty })
        }
        let src = peer("source", ip: ip["source"] as? String ?? "", names: [])
        let dst = peer("destination", ip: ip["destination"] as? String ?? "",
                       names: f["destination_names"] as? [String] ?? [])
        let verdict = (f["verdict"] as? String).flatMap(Verdict.init(rawValue:)) ?? .unknown
        var l7: L7Request?
        if let l = f["l7"] as? [String: Any], (l["type"] as? String) != "RESPONSE" {
            if let h = l["http"] as? [String: Any], let m = h["method"] as? String, !m.isEmpty {
                l7 = .http(method: m, path: L7Request.path(fromURL: h["url"] as? String ?? "/"))
            } else if let d = l["dns"] as? [String: Any], let q = d["query"] as? String, !q.isEmpty {
                l7 = .dns(query: DNSName.normalize(q))
            }
        }
        let direction: Direction = f["traffic_direction"] as? String == "INGRESS" ? .ingress
            : f["traffic_direction"] as? String == "EGRESS" ? .egress : .unknown
        return Flow(time: time, source: src, destination: dst, proto: proto, sourcePort: sport, destinationPort: dport,
                    verdict: verdict, dropReason: verdict == .dropped ? (f["drop_reason_desc"] as? String ?? "") : "",
                    direction: direction, observationPoint: f["trace_observation_point"] as? String ?? "",
                    isReply: (f["is_reply"] as? Bool) ?? (f["reply"] as? Bool), tcpFlags: flags,
                    traceReason: f["trace_reason"] as? String ?? "", l7: l7)
    }

    static func assertSame(_ a: (IngestBatch, IngestCounts), _ b: (IngestBatch, IngestCounts), _ what: String) {
        #expect(a.0.edges == b.0.edges, "edges differ: \(what)")
        #expect(a.0.l7 == b.0.l7, "l7 differs: \(what)")
        #expect(a.0.labelSets == b.0.labelSets, "label sets differ: \(what)")
        #expect(a.0.namespaceLabels == b.0.namespaceLabels, "namespace labels differ: \(what)")
        #expect(a.0.names == b.0.names, "names differ: \(what)")
        #expect(a.0.addresses == b.0.addresses, "addresses differ: \(what)")
        var ca = a.1, cb = b.1
        ca.bytes = 0
        cb.bytes = 0
        #expect(ca == cb, "counts differ: \(what)")
    }

    @Test("each real sample file decodes to the same batch both ways", arguments: Fixtures.hubbleSamples)
    func sameOnSamples(file: URL) {
        let lines = Fixtures.lines(file)
        let fast = ingestLines(lines)
        #expect(fast.counts.rejected == 0)
        #expect(fast.batch.edges.count > 0)
        Self.assertSame((fast.batch, fast.counts), Self.reference(lines), file.lastPathComponent)
    }

    @Test("all samples at once, then shuffled and re-spaced: same batch")
    func sameOnMutatedSamples() throws {
        let lines = Fixtures.hubbleSamples.flatMap { Fixtures.lines($0) }
        let fast = ingestLines(lines)
        Self.assertSame((fast.batch, fast.counts), Self.reference(lines), "all samples")
        var rng = JSONDifferentialTests.RNG(state: 7)
        var mutated: [String] = []
        for line in lines {
            let v = try #require(JSONDifferentialTests.ours(Array(line.utf8)))
            var text = ""
            JSONDifferentialTests.write(v, .init(shuffle: true, whitespace: true, escape: true), &rng, into: &text)
            mutated.append(text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " "))
        }
        let m = ingestLines(mutated)
        Self.assertSame((m.batch, m.counts), (fast.batch, fast.counts), "mutated vs original")
    }

    @Test("two aggregators combined with absorb equal one aggregator")
    func absorbEqualsSingle() {
        let lines = Fixtures.hubbleSamples.flatMap { Fixtures.lines($0) }
        let single = ingestLines(lines)
        var r1 = HubbleReader(), r2 = HubbleReader()
        var a1 = FlowAggregator(), a2 = FlowAggregator()
        for (i, line) in lines.enumerated() {
            var l = line
            if i % 3 == 0 {
                a2.countLine()
                _ = l.withUTF8 { r2.read(line: UnsafeRawBufferPointer($0), into: &a2) }
            } else {
                a1.countLine()
                _ = l.withUTF8 { r1.read(line: UnsafeRawBufferPointer($0), into: &a1) }
            }
        }
        a1.absorb(a2)
        let (b, c) = a1.take()
        #expect(b.edges == single.batch.edges)
        #expect(b.l7 == single.batch.l7)
        #expect(b.labelSets == single.batch.labelSets)
        #expect(b.addresses == single.batch.addresses)
        #expect(b.names == single.batch.names)
        #expect(c.accepted == single.counts.accepted)
        #expect(c.replyRules == single.counts.replyRules)
    }

    @Test("one reader used with a second aggregator and across batches keeps ids straight")
    func readerCacheFollowsAggregator() {
        let lines = Fixtures.lines(Fixtures.hubbleSamples.first { $0.lastPathComponent.contains("400-tcp") }!)
        var reader = HubbleReader()
        var first = FlowAggregator()
        for line in lines.prefix(200) {
            var l = line
            _ = l.withUTF8 { reader.read(line: UnsafeRawBufferPointer($0), into: &first) }
        }
        var second = FlowAggregator()
        _ = second.endpointID(.reserved("something-else"))  // different id numbering than `first`
        for line in lines {
            var l = line
            _ = l.withUTF8 { reader.read(line: UnsafeRawBufferPointer($0), into: &second) }
        }
        let (b1, _) = second.take()
        #expect(b1.edges == ingestLines(lines).batch.edges)
        // Next batch of the same aggregator: labels and addresses are noted again.
        for line in lines {
            var l = line
            _ = l.withUTF8 { reader.read(line: UnsafeRawBufferPointer($0), into: &second) }
        }
        let (b2, _) = second.take()
        #expect(b2.edges == b1.edges)
        #expect(b2.labelSets == b1.labelSets)
        #expect(b2.addresses == b1.addresses)
    }
}
