#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowModel

/// The generic reader's fast path (issue 22): CSV cells split on the bytes and JSON lines walked with
/// `JSONScanner`, both into byte ranges per field; each end of a flow is recognised by the bytes of its fields
/// (`RecordCache`) and decoded once per distinct value by the reader's own code (`canonicalHost`,
/// `nameProblem`, `peer`), and the scalars are parsed from the bytes when they are plain (digits, the lower-case
/// words), else by the same String expressions `decode` uses.
///
/// The String / Foundation path decides everything else, exactly as before: a quoted CSV cell or one with
/// surrounding blanks or non-ASCII edges, a column-count mismatch, a JSON line with a backslash, an unknown or
/// duplicate key, a value other than a string, a non-negative integer or null (`is_reply` may be a boolean),
/// and every line when an inventory maps addresses (the mapping depends on the record's time).
/// `FastPathDifferentialTests` holds the two paths equal.
extension FlowRecordReader {
    static let fieldTable = ByteInterner(names: Field.allCases.map(\.rawValue), capacity: 64)
    static let fieldCount = Field.allCases.count
    /// A field's position in `Field.allCases` (a test checks the two agree).
    @inline(__always) static func slot(_ f: Field) -> Int {
        switch f {
        case .time: return 0
        case .endTime: return 1
        case .proto: return 2
        case .srcPort: return 3
        case .dstPort: return 4
        case .srcIP: return 5
        case .dstIP: return 6
        case .srcNamespace: return 7
        case .dstNamespace: return 8
        case .srcPod: return 9
        case .dstPod: return 10
        case .srcWorkload: return 11
        case .dstWorkload: return 12
        case .srcWorkloadKind: return 13
        case .dstWorkloadKind: return 14
        case .srcLabels: return 15
        case .dstLabels: return 16
        case .verdict: return 17
        case .dropReason: return 18
        case .direction: return 19
        case .observer: return 20
        case .isReply: return 21
        case .count: return 22
        case .srcCluster: return 23
        case .dstCluster: return 24
        }
    }
    nonisolated(unsafe) static let trueBytes: UnsafeRawBufferPointer = literal("true")
    nonisolated(unsafe) static let falseBytes: UnsafeRawBufferPointer = literal("false")
    static func literal(_ s: String) -> UnsafeRawBufferPointer {
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: s.utf8.count, alignment: 1)
        p.copyBytes(from: s.utf8)
        return UnsafeRawBufferPointer(p)
    }

    /// The values of one record by field (`Field.allCases` order), nil when absent.
    struct Values {
        var v = [UnsafeRawBufferPointer?](repeating: nil, count: FlowRecordReader.fieldCount)
        @inline(__always) subscript(_ f: Field) -> UnsafeRawBufferPointer? {
            get { v[FlowRecordReader.slot(f)] }
        }
        /// A record naming a cluster (ClusterMesh) is read by the String path, which places its ends
        /// (`FlowRecordReader.place`); an empty CSV cell names none.
        var hasCluster: Bool { self[.srcCluster] != nil || self[.dstCluster] != nil }
    }

    // MARK: Splitting

    /// A CSV record's cells into `values`; false when the String path must read the line.
    mutating func fastCSV(_ line: UnsafeRawBufferPointer) -> Bool {
        let cols = columnSlots
        guard let base = line.baseAddress else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let n = line.count
        for i in fastValues.v.indices { fastValues.v[i] = nil }
        var i = 0
        var col = 0
        while true {
            let s = i
            while i < n && p[i] != 0x2C { i += 1 }
            guard col < cols.count else { return false }
            if i > s {
                // Quoted, or blanks / non-ASCII at an edge (the String path trims Unicode blanks): not here.
                let f = p[s], l = p[i - 1]
                guard f != 0x22, f > 0x20, f < 0x80, l > 0x20, l < 0x80 else { return false }
                fastValues.v[cols[col]] = UnsafeRawBufferPointer(start: p + s, count: i - s)
            }
            col += 1
            if i >= n { break }
            i += 1
        }
        return col == cols.count
    }

    /// A JSON record's members into `values`; false when the Foundation path must read the line.
    mutating func fastJSON(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let base = line.baseAddress, line.count > 0, memchr(base, 0x5C, line.count) == nil else { return false }
        for i in fastValues.v.indices { fastValues.v[i] = nil }
        var s = JSONScanner(line)
        var seen: UInt32 = 0
        do throws(JSONError) {
            guard s.peek() == 0x7B else { return false }
            if try s.beginObject() {
                repeat {
                    let k = try s.nextKey()
                    guard let id = Self.fieldTable.find(s.base + k.start, k.count) else { return false }
                    let bit: UInt32 = 1 << UInt32(id)
                    if seen & bit != 0 { return false }
                    seen |= bit
                    let r = try s.skipValueRange()
                    switch s.base[r.lowerBound] {
                    case 0x22:
                        fastValues.v[Int(id)] = UnsafeRawBufferPointer(start: s.base + r.lowerBound + 1, count: r.count - 2)
                    case 0x30...0x39:
                        for j in r where !(s.base[j] >= 0x30 && s.base[j] <= 0x39) { return false }
                        guard r.count <= 18 else { return false }
                        fastValues.v[Int(id)] = UnsafeRawBufferPointer(start: s.base + r.lowerBound, count: r.count)
                    case 0x6E: continue  // null: as if absent
                    case 0x74, 0x66:
                        guard Field.allCases[Int(id)] == .isReply else { return false }
                        fastValues.v[Int(id)] = s.base[r.lowerBound] == 0x74 ? Self.trueBytes : Self.falseBytes
                    default: return false
                    }
                } while try s.nextMember()
            }
            try s.expectEnd()
        } catch {
            return false
        }
        return true
    }

    // MARK: Decoding

    @inline(__always) static func string(_ b: UnsafeRawBufferPointer) -> String { String(decoding: b, as: UTF8.self) }

    @inline(__always) static func equals(_ b: UnsafeRawBufferPointer, _ lit: StaticString) -> Bool {
        b.count == lit.utf8CodeUnitCount && memcmp(b.baseAddress!, lit.utf8Start, b.count) == 0
    }

    /// Plain decimal digits as a number, nil for anything else (or past `max`).
    @inline(__always) static func digits(_ b: UnsafeRawBufferPointer, max: Int64) -> Int64? {
        guard b.count > 0, b.count <= 18 else { return nil }
        var v: Int64 = 0
        for c in b {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int64(c - 0x30)
        }
        return v <= max ? v : nil
    }

    /// `FlexibleTime.nanos(text:)`, from the digits when the text is plain Unix seconds.
    @inline(__always) static func time(_ b: UnsafeRawBufferPointer) -> Int64? {
        if b.count <= 15, let d = digits(b, max: .max) { return FlexibleTime.fromNumber(Double(d)) }
        return FlexibleTime.nanos(text: Substring(string(b)))
    }

    /// `UInt16(text.trimmingCharacters(in: .whitespaces))`, from the digits when plain.
    @inline(__always) static func port(_ b: UnsafeRawBufferPointer) -> (ok: Bool, value: UInt16) {
        if let d = digits(b, max: 65535) { return (true, UInt16(d)) }
        guard let n = UInt16(string(b).trimmingCharacters(in: .whitespaces)) else { return (false, 0) }
        return (true, n)
    }

    /// The per-side entry of the cache: canonical address, name problems and the peer.
    struct FastSide {
        var ipProblem: String?
        var nameProblem: (Field, String)?
        var peer: FlowPeer?
    }

    mutating func fastSide(_ vals: Values, _ side: SideFields, _ tag: UInt8) -> Int32 {
        // Six explicit appends: an array literal of the fields here was allocated and freed per record.
        cache.beginKey(tag)
        appendField(vals[side.ns])
        appendField(vals[side.pod])
        appendField(vals[side.workload])
        appendField(vals[side.kind])
        appendField(vals[side.labels])
        appendField(vals[side.ip])
        let (id, isNew) = cache.key.withUnsafeBytes { sideKeys.intern($0.baseAddress!, $0.count) }
        if isNew {
            var v = [Field: String]()
            for f in [side.ns, side.pod, side.workload, side.kind, side.labels, side.ip] {
                if let b = vals[f] { v[f] = Self.string(b) }
            }
            var e = FastSide()
            if let t = v[side.ip] {
                switch IPAddr.canonicalHost(t) {
                case .success(let a): v[side.ip] = a
                case .failure(let err): e.ipProblem = err.description
                }
            }
            e.nameProblem = Self.nameProblem(v, side)
            e.peer = peer(ns: v[side.ns], pod: v[side.pod], workload: v[side.workload], kind: v[side.kind],
                          labels: v[side.labels], ip: v[side.ip], time: 0, isDestination: side.ns == .dstNamespace,
                          port: 0, proto: .tcp, otherNode: nil)
            sideEntries.append(e)
            sideClean.append(e.ipProblem == nil && e.nameProblem == nil && e.peer != nil)
            sidePeers.append(-1)
            sidePeerGeneration.append(-1)
        }
        return id
    }

    @inline(__always) mutating func appendField(_ b: UnsafeRawBufferPointer?) {
        cache.append(b?.baseAddress, b?.count ?? 0)
    }

    /// The `RecordCache` peer entry of a side entry.
    mutating func fastPeer(_ side: Int32) -> Int32 {
        let i = Int(side)
        if sidePeerGeneration[i] == cache.generation { return sidePeers[i] }
        cache.beginKey(0x50)
        withUnsafeBytes(of: side) { cache.key.append(contentsOf: $0) }
        let p = sideEntries[i].peer!
        let e = cache.peer { RecordCache.Peer(peer: p) }
        sidePeers[i] = e
        sidePeerGeneration[i] = cache.generation
        return e
    }

    /// `decode(_:)` over byte ranges; nil when the String path must decide.
    mutating func decodeFast(_ v: Values, into agg: inout FlowAggregator) -> LineResult {
        func fail(_ f: Field, _ m: String) -> LineResult { .rejected(field: f.rawValue, message: m) }
        if sideEntries.count > 200_000 || sideKeys.footprint > 16 << 20 {
            sideKeys = ByteInterner()
            sideEntries.removeAll(keepingCapacity: true)
            sideClean.removeAll(keepingCapacity: true)
            sidePeers.removeAll(keepingCapacity: true)
            sidePeerGeneration.removeAll(keepingCapacity: true)
        }
        cache.sync(with: agg)
        let src = fastSide(v, Self.sides[0], 0x53), dst = fastSide(v, Self.sides[1], 0x44)
        let clean = sideClean[Int(src)] && sideClean[Int(dst)]
        if !clean {
            let se = sideEntries[Int(src)], de = sideEntries[Int(dst)]
            if let e = se.ipProblem { return fail(.srcIP, e) }
            if let e = de.ipProblem { return fail(.dstIP, e) }
            if let (f, m) = se.nameProblem { return fail(f, m) }
            if let (f, m) = de.nameProblem { return fail(f, m) }
        }
        guard let tText = v[.time] else { return fail(.time, "required field empty") }
        guard let time = Self.time(tText) else {
            return fail(.time, "not an RFC 3339 time or Unix seconds: \(Self.string(tText))")
        }
        var end: Int64?
        if let e = v[.endTime] {
            guard let t = Self.time(e) else {
                return fail(.endTime, "not an RFC 3339 time or Unix seconds: \(Self.string(e))")
            }
            end = max(t, time)
        }
        guard let pText = v[.proto] else { return fail(.proto, "required field empty") }
        let proto: Proto
        if Self.equals(pText, "tcp") {
            proto = .tcp
        } else if Self.equals(pText, "udp") {
            proto = .udp
        } else {
            guard let p = Proto(loose: Self.string(pText)) else {
                return fail(.proto, "expected tcp, udp, sctp, icmp, icmpv6 or a protocol number, got \(Self.string(pText))")
            }
            proto = p
        }
        let (dOK, dport) = v[.dstPort].map(Self.port) ?? (true, 0)
        let (sOK, sport) = v[.srcPort].map(Self.port) ?? (true, 0)
        guard dOK else { return fail(.dstPort, "not a port number 0..65535") }
        guard sOK else { return fail(.srcPort, "not a port number 0..65535") }
        if proto.isPolicyProtocol && v[.dstPort] == nil { return fail(.dstPort, "required for \(proto.rawValue)") }
        let verdict: Verdict
        if let b = v[.verdict] {
            if Self.equals(b, "allowed") || Self.equals(b, "allow") || Self.equals(b, "forwarded") {
                verdict = .forwarded
            } else if Self.equals(b, "denied") || Self.equals(b, "deny") || Self.equals(b, "dropped") {
                verdict = .dropped
            } else {
                switch Self.string(b).lowercased() {
                case "allow", "allowed", "accept", "forwarded", "pass": verdict = .forwarded
                case "deny", "denied", "drop", "dropped", "reject", "rejected", "block", "blocked": verdict = .dropped
                case "audit": verdict = .audit
                case let x: return fail(.verdict, "expected allowed or denied, got \(x)")
                }
            }
        } else {
            verdict = .forwarded
        }
        let direction: Direction
        if let b = v[.direction] {
            if Self.equals(b, "egress") {
                direction = .egress
            } else if Self.equals(b, "ingress") {
                direction = .ingress
            } else {
                switch Self.string(b).lowercased() {
                case "", "unknown": direction = .unknown
                case "ingress", "in", "dst": direction = .ingress
                case "egress", "out", "src": direction = .egress
                case let x: return fail(.direction, "expected ingress or egress, got \(x)")
                }
            }
        } else {
            direction = .unknown
        }
        var isReply: Bool?
        if let b = v[.isReply] {
            switch Self.string(b).lowercased() {
            case "": isReply = nil
            case "true", "1", "yes": isReply = true
            case "false", "0", "no": isReply = false
            case let x: return fail(.isReply, "expected true or false, got \(x)")
            }
        }
        var weight: Int64 = 1
        if let c = v[.count] {
            if let d = Self.digits(c, max: .max), d >= 1 {
                weight = d
            } else {
                guard let n = Int64(Self.string(c).trimmingCharacters(in: .whitespaces)), n >= 1 else {
                    return fail(.count, "expected a positive integer, got \(Self.string(c))")
                }
                weight = n
            }
        }
        if !clean {
            guard sideEntries[Int(src)].peer != nil else {
                return fail(.srcIP, "a source needs src_ip or src_namespace")
            }
            guard sideEntries[Int(dst)].peer != nil else {
                return fail(.dstIP, "a destination needs dst_ip or dst_namespace")
            }
        }
        var reason: Int32 = -1
        if verdict == .dropped {
            let r = v[.dropReason]
            cache.beginKey(0x52)
            cache.append(r?.baseAddress, r?.count ?? 0)
            // An empty reason is no reason (`FlowAggregator.add` interns only a non-empty one).
            reason = r?.count == 0 ? -1 : cache.stringID(agg: &agg) { r.map(Self.string) ?? "denied" }
        }
        let o = v[.observer]
        cache.beginKey(0x70)
        cache.key.append(UInt8(ascii: direction == .ingress ? "i" : direction == .egress ? "e" : "u"))
        cache.append(o?.baseAddress, o?.count ?? 0)
        let point = cache.stringID(agg: &agg) { "\(direction.rawValue)/\(o.map(Self.string) ?? "")" }
        _ = cache.add(agg: &agg, source: fastPeer(src), destination: fastPeer(dst), proto: proto, sourcePort: sport,
                      destinationPort: proto.isPolicyProtocol ? dport : 0, verdict: verdict, dropReason: reason,
                      point: point, isReply: isReply, weight: weight, time: time, endTime: end, trackUnmapped: true)
        return .accepted
    }
}
