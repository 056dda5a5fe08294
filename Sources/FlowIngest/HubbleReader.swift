import FlowModel

/// Reads Hubble flows: `hubble observe -o jsonpb` / exporter lines (`{"flow":{…}}` envelope) and bare legacy
/// flow objects. Non-flow envelopes (`node_status`, `lost_events`, `agent_event`, `debug_event`) are skipped.
///
/// Decoding walks the line's bytes once with `JSONScanner` (every byte validated, keys in any order, unknown
/// fields skipped) and keeps only byte ranges; the `source`/`destination` endpoint objects, IPs, name lists,
/// observation points and L7 requests are recognised by their raw bytes and decoded once per distinct value,
/// so the steady state allocates nothing per flow. See `docs` in the README for the field semantics.
public struct HubbleReader: LineReader {
    var cache = HubbleCache()

    public init() {}

    /// Lines are independent, so a second worker can read with its own reader.
    public func makeParallelReader() -> HubbleReader? { HubbleReader() }

    public mutating func read(line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult {
        cache.sync(with: agg)  // before decoding: decoding looks ids up in the cache
        var s = JSONScanner(line)
        var top = FlowFields()
        var inner = FlowFields()
        var hasFlow = false
        var nonFlow = false
        do throws(JSONError) {
            guard s.peek() == 0x7B else {
                if s.peek() == nil { return .rejected(field: "", message: "empty line") }
                return .rejected(field: "", message: "expected a JSON object, found \(s.describe(s.base[s.pos]))")
            }
            if try s.beginObject() {
                repeat {
                    let k = try s.nextKey()
                    if s.spanEquals(k, "flow") {
                        if hasFlow {
                            throw JSONError(offset: s.pos, message: "key given twice; a record with duplicate keys "
                                            + "is ambiguous, so it is rejected", field: "flow")
                        }
                        if s.peek() == 0x7B {
                            try decodeFlow(&s, into: &inner, path: "flow")
                            hasFlow = true
                        } else if s.peek() == 0x6E {
                            try s.skipValue()
                        } else {
                            throw JSONError(offset: s.pos, message: "expected an object", field: "flow")
                        }
                    } else if s.spanEquals(k, "node_status") || s.spanEquals(k, "lost_events")
                        || s.spanEquals(k, "agent_event") || s.spanEquals(k, "debug_event") {
                        nonFlow = true
                        try s.skipValue()
                    } else {
                        try decodeField(k, &s, into: &top, path: "")
                    }
                } while try s.nextMember()
            }
            try s.expectEnd()
            if hasFlow {
                if inner.time == nil { inner.time = top.time }  // field mask without flow.time: envelope time
                return try finish(&inner, &s, agg: &agg, path: "flow")
            }
            if top.sawFlowKey { return try finish(&top, &s, agg: &agg, path: "") }
            if nonFlow { return .skipped }
            return .rejected(field: "", message: "neither a flow nor a known Hubble event (no \"flow\" key)")
        } catch {
            if error.isSyntax {
                return .rejected(field: "", message: "not valid JSON (\(error)); is the line truncated?")
            }
            return .rejected(field: error.field, message: error.message)
        }
    }

    // MARK: - Field walk

    /// What one flow object says, as byte ranges of the line (decoded later, through the caches).
    struct FlowFields {
        var time: JSONStringSpan?
        var verdict: Verdict = .unknown
        var dropReason: Range<Int>?
        var dropReasonNumber: Int64?
        var ipSource: JSONStringSpan?
        var ipDestination: JSONStringSpan?
        var proto: Proto = .other
        var sourcePort: UInt16 = 0
        var destinationPort: UInt16 = 0
        var flags: TCPFlags?
        /// Endpoint objects and the name list: byte ranges found by structure and validated through the cache
        /// (`HubbleCache.validatedPeer`), so identical bytes are validated once.
        var source: Range<Int>?
        var destination: Range<Int>?
        /// Cache ids of the endpoint objects when their bytes were seen before, else -1.
        var sourceID: Int32 = -1
        var destinationID: Int32 = -1
        var destinationNames: Range<Int>?
        var isReply: Bool?
        var legacyReply: Bool?
        var direction: Direction = .unknown
        var point: Range<Int>?
        var traceReason: ReplyRule.TraceReason = .other
        var l7Kind: UInt8 = 0  // 0 none, 1 http, 2 dns
        var l7IsResponse = false
        var l7Method: JSONStringSpan?
        var l7Target: JSONStringSpan?  // url or query
        var weight: Int64 = 1
        /// `destination_service` (`{name, namespace}`): the Service the flow was addressed to (pre-DNAT).
        var serviceName: JSONStringSpan?
        var serviceNamespace: JSONStringSpan?
        /// Saw a key only a flow has (for telling a legacy bare flow from other objects).
        var sawFlowKey = false
        /// Keys read so far (bits assigned in `decodeField(named:)`), for rejecting duplicates.
        var seen: UInt32 = 0
    }

    mutating func decodeFlow(_ s: inout JSONScanner, into f: inout FlowFields, path: String) throws(JSONError) {
        guard try s.beginObject() else { return }
        repeat {
            let k = try s.nextKey()
            try decodeField(k, &s, into: &f, path: path)
        } while try s.nextMember()
    }

    @inline(__always) func isNull(_ s: inout JSONScanner) throws(JSONError) -> Bool {
        if s.peek() == 0x6E {
            try s.skipValue()
            return true
        }
        return false
    }

    func fieldError(_ s: JSONScanner, _ path: String, _ key: String, _ message: String) -> JSONError {
        JSONError(offset: s.pos, message: message, field: path.isEmpty ? key : "\(path).\(key)")
    }

    /// A key the decoder reads may appear once: with two (`"verdict":"DROPPED"` then `"FORWARDED"`) the record is
    /// ambiguous and rejected, never read last-wins.
    /// Bits 0-15 and 30-31 are flow-level keys; 16-25 the keys read inside `l4` and `l7` (one object each).
    @inline(__always) func once(_ f: inout FlowFields, _ bit: Int, _ s: JSONScanner, _ path: String,
                                _ key: @autoclosure () -> String) throws(JSONError) {
        let m: UInt32 = 1 << UInt32(bit)
        if f.seen & m != 0 {
            throw fieldError(s, path, key(), "key given twice; a record with duplicate keys is ambiguous, so it is rejected")
        }
        f.seen |= m
    }

    /// One member of a flow object. Unknown keys are skipped (validated).
    mutating func decodeField(_ k: JSONStringSpan, _ s: inout JSONScanner, into f: inout FlowFields,
                     path: String) throws(JSONError) {
        if k.hasEscapes {
            // Rare: an escaped key. Compare by decoded value through the same switch.
            let name = s.string(k)
            let copy = Array(name.utf8)
            var sc = s, ff = f
            let r: Result<Void, JSONError> = copy.withUnsafeBytes { kb in
                do throws(JSONError) { try decodeField(named: kb, &sc, into: &ff, path: path) } catch { return .failure(error) }
                return .success(())
            }
            s = sc
            f = ff
            return try r.get()
        }
        try decodeField(named: s.bytes(k), &s, into: &f, path: path)
    }

    @inline(__always) static func eq(_ k: UnsafeRawBufferPointer, _ lit: StaticString) -> Bool {
        k.count == lit.utf8CodeUnitCount && memcmpEq(k.baseAddress, lit.utf8Start, k.count)
    }

    mutating func decodeField(named k: UnsafeRawBufferPointer, _ s: inout JSONScanner, into f: inout FlowFields,
                     path: String) throws(JSONError) {
        typealias E = HubbleReader
        switch k.count {
        case 2:
            if E.eq(k, "IP") {
                try once(&f, 0, s, path, "IP")
                f.sawFlowKey = true
                if try isNull(&s) { return }
                guard s.peek() == 0x7B else { throw fieldError(s, path, "IP", "expected an object") }
                guard try s.beginObject() else { return }
                repeat {
                    let kk = try s.nextKey()
                    if s.spanEquals(kk, "source") {
                        try once(&f, 30, s, path, "IP.source")
                        if try isNull(&s) { continue }
                        f.ipSource = try s.scanString()
                    } else if s.spanEquals(kk, "destination") {
                        try once(&f, 31, s, path, "IP.destination")
                        if try isNull(&s) { continue }
                        f.ipDestination = try s.scanString()
                    } else {
                        try s.skipValue()
                    }
                } while try s.nextMember()
                return
            }
            if E.eq(k, "l4") {
                try once(&f, 1, s, path, "l4")
                f.sawFlowKey = true
                try decodeL4(&s, into: &f, path: path)
                return
            }
            if E.eq(k, "l7") {
                try once(&f, 2, s, path, "l7")
                try decodeL7(&s, into: &f, path: path)
                return
            }
        case 4:
            if E.eq(k, "time") {
                try once(&f, 3, s, path, "time")
                if try isNull(&s) { return }
                guard s.peek() == 0x22 else { throw fieldError(s, path, "time", "expected an RFC 3339 string") }
                f.time = try s.scanString()
                return
            }
            if E.eq(k, "Type") {
                f.sawFlowKey = true
                try s.skipValue()
                return
            }
        case 5:
            if E.eq(k, "reply") {
                try once(&f, 4, s, path, "reply")
                f.legacyReply = try s.readBool()
                return
            }
        case 6:
            if E.eq(k, "source") {
                try once(&f, 5, s, path, "source")
                f.sawFlowKey = true
                if try isNull(&s) { return }
                guard s.peek() == 0x7B else { throw fieldError(s, path, "source", "expected an object") }
                (f.source, f.sourceID) = try cache.validatedPeer(&s, destination: false)
                return
            }
        case 7:
            if E.eq(k, "verdict") {
                try once(&f, 6, s, path, "verdict")
                f.sawFlowKey = true
                f.verdict = try readVerdict(&s)
                return
            }
        case 8:
            if E.eq(k, "is_reply") {
                try once(&f, 7, s, path, "is_reply")
                f.isReply = try s.readBool()
                return
            }
        case 9:
            if E.eq(k, "aggregate") {
                try once(&f, 8, s, path, "aggregate")
                try decodeAggregate(&s, into: &f)
                return
            }
        case 11:
            if E.eq(k, "destination") {
                try once(&f, 9, s, path, "destination")
                f.sawFlowKey = true
                if try isNull(&s) { return }
                guard s.peek() == 0x7B else { throw fieldError(s, path, "destination", "expected an object") }
                (f.destination, f.destinationID) = try cache.validatedPeer(&s, destination: true)
                return
            }
            if E.eq(k, "drop_reason") {
                try once(&f, 10, s, path, "drop_reason")
                // Deprecated numeric reason; used only when drop_reason_desc is absent.
                if f.dropReason == nil, f.dropReasonNumber == nil { f.dropReasonNumber = try s.readInteger() } else { try s.skipValue() }
                return
            }
        case 12:
            if E.eq(k, "trace_reason") {
                try once(&f, 11, s, path, "trace_reason")
                f.traceReason = try readTraceReason(&s)
                return
            }
        case 16:
            if E.eq(k, "drop_reason_desc") {
                try once(&f, 12, s, path, "drop_reason_desc")
                if try isNull(&s) { return }
                f.dropReason = try s.skipValueRange()
                f.dropReasonNumber = nil
                return
            }
        case 17:
            if E.eq(k, "destination_names") {
                try once(&f, 13, s, path, "destination_names")
                if try isNull(&s) { return }
                guard s.peek() == 0x5B else { throw fieldError(s, path, "destination_names", "expected an array") }
                f.destinationNames = try cache.validatedNames(&s)
                return
            }
            if E.eq(k, "traffic_direction") {
                try once(&f, 14, s, path, "traffic_direction")
                f.direction = try readDirection(&s)
                return
            }
        case 19:
            if E.eq(k, "destination_service") {
                try once(&f, 26, s, path, "destination_service")
                if try isNull(&s) { return }
                guard s.peek() == 0x7B else { throw fieldError(s, path, "destination_service", "expected an object") }
                guard try s.beginObject() else { return }
                repeat {
                    let kk = try s.nextKey()
                    if s.spanEquals(kk, "name"), s.peek() == 0x22 {
                        f.serviceName = try s.scanString()
                    } else if s.spanEquals(kk, "namespace"), s.peek() == 0x22 {
                        f.serviceNamespace = try s.scanString()
                    } else {
                        try s.skipValue()
                    }
                } while try s.nextMember()
                return
            }
        case 23:
            if E.eq(k, "trace_observation_point") {
                try once(&f, 15, s, path, "trace_observation_point")
                if try isNull(&s) { return }
                f.point = try s.skipValueRange()
                return
            }
        default:
            break
        }
        try s.skipValue()
    }

    // MARK: - Enums (strings, or numbers for values newer than this reader)

    func readVerdict(_ s: inout JSONScanner) throws(JSONError) -> Verdict {
        guard let c = s.peek() else { throw s.fail("unexpected end of input, expected a value") }
        if c == 0x22 {
            let v = try s.scanString()
            let b = s.bytes(v)
            if v.hasEscapes { return Verdict(rawValue: s.string(v)) ?? .unknown }
            switch b.count {
            case 9:
                if Self.eq(b, "FORWARDED") { return .forwarded }
            case 7:
                if Self.eq(b, "DROPPED") { return .dropped }
            case 5:
                if Self.eq(b, "AUDIT") { return .audit }
                if Self.eq(b, "ERROR") { return .error }
            case 10:
                if Self.eq(b, "REDIRECTED") { return .redirected }
                if Self.eq(b, "TRANSLATED") { return .translated }
            case 6:
                if Self.eq(b, "TRACED") { return .traced }
            default: break
            }
            return .unknown
        }
        // flow.proto Verdict numbers
        switch try s.readInteger() {
        case 1: return .forwarded
        case 2: return .dropped
        case 3: return .error
        case 4: return .audit
        case 5: return .redirected
        case 6: return .traced
        case 7: return .translated
        default: return .unknown
        }
    }

    func readDirection(_ s: inout JSONScanner) throws(JSONError) -> Direction {
        guard let c = s.peek() else { throw s.fail("unexpected end of input, expected a value") }
        if c == 0x22 {
            let v = try s.scanString()
            if s.spanEquals(v, "INGRESS") { return .ingress }
            if s.spanEquals(v, "EGRESS") { return .egress }
            return .unknown
        }
        switch try s.readInteger() {
        case 1: return .ingress
        case 2: return .egress
        default: return .unknown
        }
    }

    func readTraceReason(_ s: inout JSONScanner) throws(JSONError) -> ReplyRule.TraceReason {
        guard let c = s.peek() else { throw s.fail("unexpected end of input, expected a value") }
        if c == 0x22 {
            let v = try s.scanString()
            if s.spanEquals(v, "NEW") { return .new }
            if s.spanEquals(v, "ESTABLISHED") { return .established }
            if s.spanEquals(v, "REPLY") { return .reply }
            return .other
        }
        switch try s.readInteger() {
        case 1: return .new
        case 2: return .established
        case 3: return .reply
        default: return .other
        }
    }

    // MARK: - l4, l7, aggregate

    func decodeL4(_ s: inout JSONScanner, into f: inout FlowFields, path: String) throws(JSONError) {
        if try isNull(&s) { return }
        guard s.peek() == 0x7B else { throw fieldError(s, path, "l4", "expected an object") }
        guard try s.beginObject() else { return }
        repeat {
            let k = try s.nextKey()
            let proto: Proto
            if s.spanEquals(k, "TCP") { proto = .tcp }
            else if s.spanEquals(k, "UDP") { proto = .udp }
            else if s.spanEquals(k, "SCTP") { proto = .sctp }
            else if s.spanEquals(k, "ICMPv4") { proto = .icmpv4 }
            else if s.spanEquals(k, "ICMPv6") { proto = .icmpv6 }
            else { proto = .other }
            if proto != .other {
                if f.seen & (1 << 16) != 0 && f.proto != proto {
                    throw fieldError(s, path, "l4.\(s.string(k))", "a second protocol; a flow has one, so the record "
                                     + "is ambiguous and rejected")
                }
                try once(&f, 16, s, path, "l4.\(s.string(k))")
            }
            f.proto = proto
            guard proto.isPolicyProtocol else {
                try s.skipValue()
                continue
            }
            if try isNull(&s) { continue }
            guard s.peek() == 0x7B else { throw fieldError(s, path, "l4.\(s.string(k))", "expected an object") }
            guard try s.beginObject() else { continue }
            repeat {
                let kk = try s.nextKey()
                if s.spanEquals(kk, "source_port") {
                    try once(&f, 17, s, path, "l4.\(s.string(k)).source_port")
                    f.sourcePort = try readPort(&s, path: path, key: k, field: "source_port")
                } else if s.spanEquals(kk, "destination_port") {
                    try once(&f, 18, s, path, "l4.\(s.string(k)).destination_port")
                    f.destinationPort = try readPort(&s, path: path, key: k, field: "destination_port")
                } else if proto == .tcp && s.spanEquals(kk, "flags") {
                    try once(&f, 19, s, path, "l4.TCP.flags")
                    f.flags = try readFlags(&s)
                } else {
                    try s.skipValue()
                }
            } while try s.nextMember()
        } while try s.nextMember()
    }

    /// `key` is the l4 member (TCP ...); the field path is only built for an error.
    func readPort(_ s: inout JSONScanner, path: String, key: JSONStringSpan, field: StaticString)
        throws(JSONError) -> UInt16 {
        if try isNull(&s) { return 0 }
        guard let c = s.peek(), c == 0x2D || (c >= 0x30 && c <= 0x39) else {
            throw fieldError(s, path, "l4.\(s.string(key)).\(field)", "expected a number")
        }
        let r = try s.scanNumber()
        guard let v = s.integer(r), v >= 0, v <= 65535 else {
            throw fieldError(s, path, "l4.\(s.string(key)).\(field)", "port out of range 0..65535")
        }
        return UInt16(v)
    }

    func readFlags(_ s: inout JSONScanner) throws(JSONError) -> TCPFlags? {
        if try isNull(&s) { return nil }
        guard s.peek() == 0x7B else {
            try s.skipValue()
            return nil
        }
        var t = TCPFlags()
        guard try s.beginObject() else { return t }
        repeat {
            let k = try s.nextKey()
            let on = try s.readBool() == true
            guard on else { continue }
            if s.spanEquals(k, "SYN") { t.insert(.syn) }
            else if s.spanEquals(k, "ACK") { t.insert(.ack) }
            else if s.spanEquals(k, "FIN") { t.insert(.fin) }
            else if s.spanEquals(k, "RST") { t.insert(.rst) }
            else if s.spanEquals(k, "PSH") { t.insert(.psh) }
        } while try s.nextMember()
        return t
    }

    func decodeL7(_ s: inout JSONScanner, into f: inout FlowFields, path: String) throws(JSONError) {
        if try isNull(&s) { return }
        guard s.peek() == 0x7B else { throw fieldError(s, path, "l7", "expected an object") }
        guard try s.beginObject() else { return }
        repeat {
            let k = try s.nextKey()
            if s.spanEquals(k, "type") {
                try once(&f, 20, s, path, "l7.type")
                if s.peek() == 0x22 {
                    f.l7IsResponse = s.spanEquals(try s.scanString(), "RESPONSE")
                } else {
                    f.l7IsResponse = try s.readInteger() == 2
                }
            } else if s.spanEquals(k, "http") {
                try once(&f, 21, s, path, "l7.http")
                if try isNull(&s) { continue }
                guard s.peek() == 0x7B else { throw fieldError(s, path, "l7.http", "expected an object") }
                f.l7Kind = 1
                guard try s.beginObject() else { continue }
                repeat {
                    let kk = try s.nextKey()
                    if s.spanEquals(kk, "method") {
                        try once(&f, 23, s, path, "l7.http.method")
                        if try isNull(&s) { continue }
                        f.l7Method = try s.scanString()
                    } else if s.spanEquals(kk, "url") {
                        try once(&f, 24, s, path, "l7.http.url")
                        if try isNull(&s) { continue }
                        f.l7Target = try s.scanString()
                    } else {
                        try s.skipValue()
                    }
                } while try s.nextMember()
            } else if s.spanEquals(k, "dns") {
                try once(&f, 22, s, path, "l7.dns")
                if try isNull(&s) { continue }
                guard s.peek() == 0x7B else { throw fieldError(s, path, "l7.dns", "expected an object") }
                f.l7Kind = 2
                guard try s.beginObject() else { continue }
                repeat {
                    let kk = try s.nextKey()
                    if s.spanEquals(kk, "query") {
                        try once(&f, 25, s, path, "l7.dns.query")
                        if try isNull(&s) { continue }
                        f.l7Target = try s.scanString()
                    } else {
                        try s.skipValue()
                    }
                } while try s.nextMember()
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
    }

    func decodeAggregate(_ s: inout JSONScanner, into f: inout FlowFields) throws(JSONError) {
        if try isNull(&s) { return }
        guard s.peek() == 0x7B else {
            try s.skipValue()
            return
        }
        var total: Int64 = 0
        if try s.beginObject() {
            repeat {
                let k = try s.nextKey()
                if s.spanEquals(k, "ingress_flow_count") || s.spanEquals(k, "egress_flow_count")
                    || s.spanEquals(k, "unknown_direction_flow_count") {
                    total = Counts.saturatingAdd(total, max(0, try s.readInteger() ?? 0))
                } else {
                    try s.skipValue()
                }
            } while try s.nextMember()
        }
        if total > 0 { f.weight = total }
    }

    // MARK: - Finishing a flow: caches, then the aggregator

    mutating func finish(_ f: inout FlowFields, _ s: inout JSONScanner, agg: inout FlowAggregator,
                         path: String) throws(JSONError) -> LineResult {
        let timeField = path.isEmpty ? "time" : "flow.time"
        guard let ts = f.time else {
            return .rejected(field: timeField, message: "missing (needed for first/last seen)")
        }
        let time: Int64
        if ts.hasEscapes {
            guard let t = Timestamp.parseRFC3339(s.string(ts)) else {
                return .rejected(field: timeField, message: "not an RFC 3339 timestamp: \(s.string(ts))")
            }
            time = t
        } else {
            guard let t = Timestamp.parseRFC3339(s.bytes(ts)) else {
                return .rejected(field: timeField, message: "not an RFC 3339 timestamp: \(s.string(ts))")
            }
            time = t
        }
        let prefix = path.isEmpty ? "" : "\(path)."
        let srcSide: HubbleCache.Side, dstSide: HubbleCache.Side
        switch cache.side(f.source, knownID: f.sourceID, ip: f.ipSource, line: s) {
        case .success(let x): srcSide = x
        case .failure(let e):
            return .rejected(field: prefix + (e.field == "IP" ? "IP.source" : "source.\(e.field)"), message: e.message)
        }
        switch cache.side(f.destination, knownID: f.destinationID, ip: f.ipDestination, line: s) {
        case .success(let x): dstSide = x
        case .failure(let e):
            return .rejected(field: prefix + (e.field == "IP" ? "IP.destination" : "destination.\(e.field)"),
                             message: e.message)
        }
        // ClusterMesh: which cluster is local for this flow (`HubbleCache.localCluster`).
        let local = cache.localCluster(source: srcSide, destination: dstSide, direction: f.direction)
        let src = cache.peer(srcSide, localCluster: local, agg: &agg)
        let dst = cache.peer(dstSide, localCluster: local, agg: &agg)
        let isReplyField = f.isReply ?? f.legacyReply
        let (reply, rule, opens) = ReplyRule.classify(
            isReply: isReplyField, proto: f.proto, tcpFlags: f.flags, traceReason: f.traceReason,
            sourcePort: f.sourcePort, destinationPort: f.destinationPort)
        let point = cache.point(f.point, direction: f.direction, line: s, agg: &agg)
        var reason: Int32 = -1
        if f.verdict == .dropped {
            if let r = f.dropReason {
                reason = cache.dropReason(r, line: s, agg: &agg)
            } else if let n = f.dropReasonNumber {
                reason = agg.stringID(HubbleCache.dropReasonName(n))
            }
        }
        var l7: Int32 = -1
        if f.l7Kind != 0, !f.l7IsResponse, !reply {
            l7 = cache.l7(kind: f.l7Kind, method: f.l7Method, target: f.l7Target, line: s, agg: &agg)
        }
        // The Service (`namespace/name`, as Calico's dest_service_*), kept per connection and per destination; the
        // namespace defaults to the destination's.
        var service = ""
        if let n = f.serviceName, n.count > 0 {
            let ns = f.serviceNamespace.map { s.string($0) }.flatMap { $0.isEmpty ? nil : $0 }
                ?? agg.endpoint(dst).namespace
            if !ns.isEmpty { service = "\(ns)/\(s.string(n))" }
        }
        let added = agg.addInterned(
            source: src, destination: dst, proto: f.proto, port: f.destinationPort, verdict: f.verdict,
            isReply: reply, rule: rule, point: point, time: time, weight: f.weight, dropReason: reason, l7: l7,
            sourcePort: f.sourcePort, opens: opens,
            addresses: agg.dedupe == nil ? "" : (f.ipSource.map { s.string($0) } ?? "") + " "
                + (f.ipDestination.map { s.string($0) } ?? ""),
            sourceAddress: cache.edgeAddress(srcSide, agg: &agg),
            destinationAddress: cache.edgeAddress(dstSide, agg: &agg),
            service: service.isEmpty ? -1 : agg.stringID(service))
        if added, let names = f.destinationNames {
            cache.names(names, destination: dst, line: s, agg: &agg)
        }
        if added, !service.isEmpty { agg.noteService(service, for: agg.endpoint(dst)) }
        return .accepted
    }
}

/// Equality of two byte runs of length `n`, inline for the short keys and enum names of Hubble JSON
/// (overlapping word loads never read outside either run).
@inline(__always) func memcmpEq(_ a: UnsafeRawPointer?, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    guard n > 0, let a else { return n == 0 }
    if n >= 8 && n <= 16 {
        return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
            && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
    if n >= 4 && n < 8 {
        return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
            && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
    }
    if n < 4 {
        for i in 0..<n where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) {
            return false
        }
        return true
    }
    return memcmp(a, b, n) == 0
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits Cilium identity labels (`source:key=value`) into pod labels, namespace labels and the reserved entity.
public enum HubbleLabels {
    public struct Parsed: Sendable {
        public var pod = Labels()
        public var namespace = Labels()
        /// The most specific reserved entity (`kube-apiserver` wins over `world`), nil for pods.
        public var reserved: String?
        /// True when a `cidr:` label is present (a CIDR identity).
        public var hasCIDR = false
        /// `k8s:io.kubernetes.pod.namespace`: the namespace of an endpoint reported without its `namespace` field.
        public var podNamespace: String?
        /// `k8s:io.cilium.k8s.policy.cluster`: the endpoint's cluster (ClusterMesh).
        public var cluster: String?
    }

    static let nsPrefix = "io.cilium.k8s.namespace.labels."
    /// Reserved entities, most specific first: an identity labelled both kube-apiserver and world is the apiserver.
    static let reservedOrder = ReservedEntity.specificity.map(\.rawValue)

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
            case "cidr": p.hasCIDR = true
            case "k8s":
                if key.hasPrefix(nsPrefix) {
                    p.namespace[String(key.dropFirst(nsPrefix.count))] = String(value)
                } else if key == "io.kubernetes.pod.namespace" {
                    p.podNamespace = String(value)
                } else if key == "io.cilium.k8s.policy.cluster" {
                    if !value.isEmpty { p.cluster = String(value) }
                } else if key.hasPrefix("io.kubernetes.pod.namespace") || key.hasPrefix("io.cilium.k8s.policy.") {
                    continue  // Cilium-internal identity labels, not pod labels
                } else {
                    p.pod[String(key)] = String(value)
                }
            default: continue  // fqdn:, container: ... are not Kubernetes labels
            }
        }
        if !reserved.isEmpty {
            p.reserved = reservedOrder.first(where: reserved.contains) ?? reserved.sorted().first
            if p.reserved == ReservedEntity.worldIPv4.rawValue || p.reserved == ReservedEntity.worldIPv6.rawValue {
                p.reserved = ReservedEntity.world.rawValue
            }
        }
        return p
    }

    /// Reserved entity of a numeric identity (pkg/identity), for lines whose labels were masked out.
    public static func reservedName(identity: Int64) -> String? { ReservedEntity(identity: identity)?.rawValue }
}

/// DNS name normalisation: lower case, no trailing dot.
public enum DNSName {
    public static func normalize(_ s: String) -> String {
        var t = s.lowercased()
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }
}
