import Foundation
import FlowModel

/// The Calico reader's fast path (issue 22): one flow log object per line walked with `JSONScanner`, keeping
/// byte ranges only; the endpoint fields, the denying policy and the service are recognised by their raw bytes
/// (`RecordCache`) and decoded once per distinct value by the reader's own code (`CalicoReader.peer`,
/// `denyingPolicy`, `service`) on a Foundation object built from just those fields.
///
/// Anything unusual goes to the Foundation path instead, which decides it exactly as before: a backslash
/// anywhere in the line (escapes; Foundation and the scanner differ on lone surrogates), a JSON array, a value
/// of an unexpected type, a number other than a plain integer, a key given twice at any depth, a nested
/// value Foundation would not read, invalid JSON (Foundation's message is kept). `FastPathDifferentialTests` holds the two paths equal.
extension CalicoReader {
    /// Fields read, then the documented fields that are only skipped (known, so a duplicate is found by bit).
    enum Slot: Int, CaseIterable {
        case startTime, endTime, proto, action, reporter, destPort, sourcePort, numFlows, policies
        case sourceType, sourceNamespace, sourceNameAggr, sourceName, sourceIP, sourceLabels
        case destType, destNamespace, destNameAggr, destName, destIP, destLabels
        case destServiceName, destServiceNamespace, destServicePort, destServicePortNum
        case bytesIn, bytesOut, numFlowsStarted, numFlowsCompleted, packetsIn, packetsOut
        case httpAllowedIn, httpDeniedIn, originalSourceIPs, numOriginalSourceIPs, host, type

        var name: String {
            switch self {
            case .startTime: return "start_time"
            case .endTime: return "end_time"
            case .proto: return "proto"
            case .action: return "action"
            case .reporter: return "reporter"
            case .destPort: return "dest_port"
            case .sourcePort: return "source_port"
            case .numFlows: return "num_flows"
            case .policies: return "policies"
            case .sourceType: return "source_type"
            case .sourceNamespace: return "source_namespace"
            case .sourceNameAggr: return "source_name_aggr"
            case .sourceName: return "source_name"
            case .sourceIP: return "source_ip"
            case .sourceLabels: return "source_labels"
            case .destType: return "dest_type"
            case .destNamespace: return "dest_namespace"
            case .destNameAggr: return "dest_name_aggr"
            case .destName: return "dest_name"
            case .destIP: return "dest_ip"
            case .destLabels: return "dest_labels"
            case .destServiceName: return "dest_service_name"
            case .destServiceNamespace: return "dest_service_namespace"
            case .destServicePort: return "dest_service_port"
            case .destServicePortNum: return "dest_service_port_num"
            case .bytesIn: return "bytes_in"
            case .bytesOut: return "bytes_out"
            case .numFlowsStarted: return "num_flows_started"
            case .numFlowsCompleted: return "num_flows_completed"
            case .packetsIn: return "packets_in"
            case .packetsOut: return "packets_out"
            case .httpAllowedIn: return "http_requests_allowed_in"
            case .httpDeniedIn: return "http_requests_denied_in"
            case .originalSourceIPs: return "original_source_ips"
            case .numOriginalSourceIPs: return "num_original_source_ips"
            case .host: return "host"
            case .type: return "type"
            }
        }

        static let table: ByteInterner = {
            let t = ByteInterner(names: Slot.allCases.map(\.name), capacity: 64)
            // Each slot's id is its raw value: the names are distinct and the cases numbered in order.
            precondition(t.count == Slot.allCases.count
                         && Slot.allCases.enumerated().allSatisfy { $0.offset == $0.element.rawValue })
            return t
        }()
        static let sideFields: [[Slot]] = [[.sourceType, .sourceNamespace, .sourceNameAggr, .sourceName, .sourceIP,
                                            .sourceLabels],
                                           [.destType, .destNamespace, .destNameAggr, .destName, .destIP, .destLabels]]
        static let serviceFields: [Slot] = [.destServiceName, .destServiceNamespace, .destServicePort,
                                            .destServicePortNum]
    }

    struct Bail: Error {}

    /// A member value: its byte range in the line (strings with their quotes), or absent.
    struct Raw {
        var start = -1
        var end = -1
        @inline(__always) var present: Bool { start >= 0 }
    }

    /// The fields of one line, as byte ranges.
    struct Fields {
        var raw = [Raw](repeating: Raw(), count: Slot.allCases.count)
        @inline(__always) subscript(_ s: Slot) -> Raw { raw[s.rawValue] }
    }

    /// Reads one line on the fast path; nil when the Foundation path must decide it.
    mutating func fastRecord(_ line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult? {
        guard let base = line.baseAddress, line.count > 0, memchr(base, 0x5C, line.count) == nil else { return nil }
        cache.sync(with: agg)
        do throws(Bail) {
            try scan(line)
            return try decodeFast(JSONScanner(line), into: &agg)
        } catch {
            return nil
        }
    }

    /// Walks the top-level object, keeping each member's range; bails on anything the fast path does not decide.
    mutating func scan(_ line: UnsafeRawBufferPointer) throws(Bail) {
        for i in fields.raw.indices { fields.raw[i] = Raw() }
        var s = JSONScanner(line)
        let ok: Bool
        do throws(JSONError) { ok = try walk(&s) } catch { throw Bail() }
        if !ok { throw Bail() }
    }

    private mutating func walk(_ s: inout JSONScanner) throws(JSONError) -> Bool {
        var seen: UInt64 = 0
        var unknown: [(Int, Int)] = []
        guard s.peek() == 0x7B else { return false }
        if try s.beginObject() {
            repeat {
                let k = try s.nextKey()
                let r = try s.skipValueRange()
                let c = s.base[r.lowerBound]
                if c == 0x7B || c == 0x5B {
                    if nestedUnreadable(s.base + r.lowerBound, r.count) { return false }
                } else if c == 0x2D || (c >= 0x30 && c <= 0x39) {
                    // Foundation rejects some numbers the scanner accepts (1e400): only plain integers here.
                    guard r.count <= 18 else { return false }
                    for i in r where !(s.base[i] >= 0x30 && s.base[i] <= 0x39) && !(i == r.lowerBound && c == 0x2D) {
                        return false
                    }
                }
                if let id = Slot.table.find(s.base + k.start, k.count) {
                    let bit: UInt64 = 1 << UInt64(id)
                    if seen & bit != 0 { return false }
                    seen |= bit
                    fields.raw[Int(id)] = Raw(start: r.lowerBound, end: r.upperBound)
                } else {
                    for (a, b) in unknown where b - a == k.count && memcmp(s.base + a, s.base + k.start, k.count) == 0 {
                        return false
                    }
                    guard unknown.count < 24 else { return false }
                    unknown.append((k.start, k.end))
                }
            } while try s.nextMember()
        }
        try s.expectEnd()
        return true
    }

    /// Whether Foundation would read an object or array differently from the scanner: a key given twice at some
    /// depth (Foundation keeps the last), or a value it rejects (a number like 1e400). Cached by bytes.
    mutating func nestedUnreadable(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if nested.count > 100_000 || nestedKeys.footprint > 8 << 20 {
            nestedKeys = ByteInterner(capacity: 64)
            nested.removeAll(keepingCapacity: true)
        }
        let (id, isNew) = nestedKeys.intern(p, n)
        if isNew {
            let b = UnsafeRawBufferPointer(start: p, count: n)
            nested.append(JSONDuplicateKeys.first(in: b) != nil
                || (try? JSONSerialization.jsonObject(with: Data(b), options: [.fragmentsAllowed])) == nil)
        }
        return nested[Int(id)]
    }

    // MARK: Values

    enum Kind { case absent, null, string, integer, other }

    @inline(__always) static func kind(_ s: JSONScanner, _ r: Raw) -> Kind {
        guard r.present else { return .absent }
        switch s.base[r.start] {
        case 0x22: return .string
        case 0x6E: return .null
        case 0x30...0x39:
            // A plain integer (no fraction or exponent): Foundation gives the same Int64.
            for i in r.start..<r.end where !(s.base[i] >= 0x30 && s.base[i] <= 0x39) { return .other }
            return r.end - r.start <= 18 ? .integer : .other
        default: return .other
        }
    }

    @inline(__always) static func text(_ s: JSONScanner, _ r: Raw) -> String {
        String(decoding: UnsafeBufferPointer(start: s.base + r.start + 1, count: r.end - r.start - 2), as: UTF8.self)
    }

    @inline(__always) static func integer(_ s: JSONScanner, _ r: Raw) -> Int64 {
        var v: Int64 = 0
        for i in r.start..<r.end { v = v * 10 + Int64(s.base[i] - 0x30) }
        return v
    }

    @inline(__always) static func asciiEquals(_ s: JSONScanner, _ r: Raw, lower: StaticString) -> Bool {
        let n = r.end - r.start - 2
        guard n == lower.utf8CodeUnitCount else { return false }
        let p = lower.utf8Start
        for i in 0..<n {
            var c = s.base[r.start + 1 + i]
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            if c != p[i] { return false }
        }
        return true
    }

    /// `FlexibleTime.nanos` of a string or integer member; throws to bail on other types.
    @inline(__always) static func time(_ s: JSONScanner, _ r: Raw) throws(Bail) -> Int64? {
        switch kind(s, r) {
        case .string: return FlexibleTime.nanos(text(s, r))
        case .integer: return FlexibleTime.fromNumber(Double(integer(s, r)))
        case .null, .absent: return nil
        case .other: throw Bail()
        }
    }

    /// `JSONRecord.int` of a member (nil for absent and null, which callers tell apart first).
    @inline(__always) static func int(_ s: JSONScanner, _ r: Raw) throws(Bail) -> Int64? {
        switch kind(s, r) {
        case .integer: return integer(s, r)
        case .string: return JSONRecord.int(text(s, r))
        case .null, .absent: return nil
        case .other: throw Bail()
        }
    }

    /// A Foundation object of just these members (their raw bytes are valid JSON), for the reader's own decoding.
    static func object(_ s: JSONScanner, _ f: Fields, _ slots: [Slot]) -> [String: Any] {
        var text: [UInt8] = [0x7B]
        for slot in slots where f[slot].present {
            if text.count > 1 { text.append(0x2C) }
            text.append(0x22)
            text.append(contentsOf: slot.name.utf8)
            text.append(contentsOf: [0x22, 0x3A])
            text.append(contentsOf: UnsafeRawBufferPointer(start: s.base + f[slot].start, count: f[slot].end - f[slot].start))
        }
        text.append(0x7D)
        return (try? JSONSerialization.jsonObject(with: Data(text))) as? [String: Any] ?? [:]
    }

    // MARK: The record

    mutating func decodeFast(_ s: JSONScanner, into agg: inout FlowAggregator) throws(Bail) -> LineResult {
        let f = fields
        // The checks and their order are `decode(_:)`'s.
        guard f[.startTime].present || f[.endTime].present else {
            return .rejected(field: "start_time", message: "missing: not a Calico flow log record")
        }
        guard let start = try Self.time(s, f[.startTime].present ? f[.startTime] : f[.endTime]) else {
            return .rejected(field: "start_time", message: "not a Unix time in seconds")
        }
        var end = start
        let endKind = Self.kind(s, f[.endTime])
        if endKind != .absent && endKind != .null {
            guard let e = try Self.time(s, f[.endTime]) else {
                return .rejected(field: "end_time", message: "not a Unix time in seconds")
            }
            end = max(e, start)
        }
        let proto: Proto
        switch Self.kind(s, f[.proto]) {
        case .absent, .null: return .rejected(field: "proto", message: "missing")
        case .string: proto = Proto(loose: Self.text(s, f[.proto])) ?? .other
        case .integer: proto = Proto(loose: String(Self.integer(s, f[.proto]))) ?? .other
        case .other: throw Bail()
        }
        let verdict: Verdict
        var dropReason: Int32 = -1
        switch Self.kind(s, f[.action]) {
        case .absent, .null: return .rejected(field: "action", message: "missing")
        case .string:
            let a = f[.action]
            if Self.asciiEquals(s, a, lower: "allow") {
                verdict = .forwarded
            } else if Self.asciiEquals(s, a, lower: "deny") {
                verdict = .dropped
                let p = f[.policies]
                cache.beginKey(0x50)
                cache.append(p.present ? s.base + p.start : nil, p.present ? p.end - p.start : 0)
                dropReason = cache.stringID(agg: &agg) {
                    let o = p.present ? Self.object(s, f, [.policies]) : [:]
                    return Self.denyingPolicy(o["policies"]).map { "denied by \($0)" } ?? "denied by policy"
                }
            } else if Self.asciiEquals(s, a, lower: "pass") {
                verdict = .unknown
            } else {
                return .rejected(field: "action", message: "expected allow or deny, got \(Self.text(s, a).lowercased())")
            }
        default: throw Bail()
        }
        let direction: Direction
        switch Self.kind(s, f[.reporter]) {
        case .string:
            direction = Self.asciiEquals(s, f[.reporter], lower: "src") ? .egress
                : Self.asciiEquals(s, f[.reporter], lower: "dst") ? .ingress : .unknown
        case .absent, .null: direction = .unknown
        default: throw Bail()
        }
        var dport: UInt16 = 0
        let dk = Self.kind(s, f[.destPort])
        if dk != .absent && dk != .null {
            guard let p = try Self.int(s, f[.destPort]), (0...65535).contains(p) else {
                return .rejected(field: "dest_port", message: "not a port number 0..65535")
            }
            dport = UInt16(p)
        }
        var sport: UInt16 = 0
        if let p = try Self.int(s, f[.sourcePort]), (0...65535).contains(p) { sport = UInt16(p) }
        var weight: Int64 = 1
        let nk = Self.kind(s, f[.numFlows])
        if nk != .absent && nk != .null {
            guard let n = try Self.int(s, f[.numFlows]), n >= 0 else {
                return .rejected(field: "num_flows", message: "not a non-negative integer")
            }
            weight = max(n, 1)
        }
        var sides: (Int32, Int32) = (-1, -1)
        for side in 0..<2 {
            cache.beginKey(UInt8(side))
            for slot in Slot.sideFields[side] {
                let r = f[slot]
                cache.append(r.present ? s.base + r.start : nil, r.end - r.start)
            }
            let entry = cache.peer {
                let o = Self.object(s, f, Slot.sideFields[side])
                switch Self.peer(o, side == 0 ? "source" : "dest") {
                case .success(let p): return RecordCache.Peer(peer: p)
                case .failure(let e): return RecordCache.Peer(problem: (e.field, e.message))
                }
            }
            if let p = cache.peers[Int(entry)].problem { return .rejected(field: p.field, message: p.message) }
            if side == 0 { sides.0 = entry } else { sides.1 = entry }
        }
        var service: Int32 = -1, serviceString: Int32 = -1
        if f[.destServiceName].present {
            cache.beginKey(0x53)
            for slot in Slot.serviceFields {
                let r = f[slot]
                cache.append(r.present ? s.base + r.start : nil, r.end - r.start)
            }
            withUnsafeBytes(of: sides.1) { cache.key.append(contentsOf: $0) }
            let dst = cache.peers[Int(sides.1)].peer!
            service = cache.text { Self.service(Self.object(s, f, Slot.serviceFields), destination: dst) }
            if let text = cache.texts[Int(service)] {
                // The same key: the aggregator's string id of this Service, memoised (kept per connection).
                serviceString = cache.stringID(agg: &agg) { text }
            } else {
                service = -1
            }
        }
        cache.beginKey(0x70)
        cache.key.append(UInt8(ascii: direction == .ingress ? "i" : direction == .egress ? "e" : "u"))
        let point = cache.stringID(agg: &agg) { "\(direction.rawValue)/calico" }
        _ = cache.add(agg: &agg, source: sides.0, destination: sides.1, proto: proto, sourcePort: sport,
                      destinationPort: proto.isPolicyProtocol ? dport : 0, verdict: verdict, dropReason: dropReason,
                      point: point, isReply: false, weight: weight, time: start, endTime: end, trackUnmapped: false,
                      service: serviceString)
        if service >= 0, cache.firstInBatch(service, sides.1) {
            agg.noteService(cache.texts[Int(service)]!, for: cache.peers[Int(sides.1)].peer!.endpoint)
        }
        return .accepted
    }
}
