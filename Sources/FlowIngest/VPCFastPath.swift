#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowModel

/// The VPC reader's fast path (issue 22): a record's fields split on the bytes into offsets (no Strings), numbers
/// parsed from the bytes, addresses canonicalised once per distinct spelling, the observation point and the
/// drop reason interned by their bytes (`RecordCache`), and the connection table keyed by address values.
///
/// Everything else goes to the String path, which decides it exactly as before: a line with a non-ASCII byte,
/// a comment, a header (or any line whose first field is a field name), a layout mismatch, numbers with a
/// sign, and every line when an inventory maps addresses (the mapping depends on the record's time).
/// `FastPathDifferentialTests` holds the two paths equal.
extension VPCReader {
    /// Field names, for telling a header from a record by its first field.
    static let knownTable = ByteInterner(names: known, capacity: 128)

    struct FastAddress {
        /// `IPAddr.canonicalHost` of the spelling: the text, or why it is not an address.
        var text: String
        var value: IPAddr?
        var problem: String?
        /// The `RecordCache` peer entry of the address as an external peer, and the cache generation it is of.
        var peer: Int32 = -1
        var generation = -1
    }

    /// The columns of a `Layout` that `decodeFast` reads: plain integers, so reading them per record retains
    /// nothing (a `Layout` holds a field list and an index by name).
    struct Columns {
        var count: Int
        var logStatus, srcaddr, dstaddr, pktSrcaddr, pktDstaddr, proto, srcport, dstport, start, end, action,
            rejectReason, tcpFlags, flowDirection, interfaceID, tgwAttachmentID: Int?
        init(_ l: Layout) {
            count = l.fields.count
            (logStatus, srcaddr, dstaddr, pktSrcaddr, pktDstaddr) = (l.logStatus, l.srcaddr, l.dstaddr,
                                                                     l.pktSrcaddr, l.pktDstaddr)
            (proto, srcport, dstport, start, end, action) = (l.proto, l.srcport, l.dstport, l.start, l.end, l.action)
            (rejectReason, tcpFlags, flowDirection) = (l.rejectReason, l.tcpFlags, l.flowDirection)
            (interfaceID, tgwAttachmentID) = (l.interfaceID, l.tgwAttachmentID)
        }
    }
    /// `defaultLayouts` by field count (an array index per headerless record, not a seeded hash of the count).
    static let defaultColumns: [Columns?] = (0...maxFastFields).map { n in defaultLayouts[n].map(Columns.init) }
    static let tgwColumns = Columns(tgwLayout)

    /// Reads one line on the fast path; nil when the String path must decide it.
    mutating func fastRecord(_ line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult? {
        guard addressBook == nil, headerProblem == nil, let base = line.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let n = line.count
        // Split on space and tab into [start, end) pairs.
        var count = 0
        var i = 0
        var high: UInt8 = 0
        while i < n {
            while i < n && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
            if i >= n { break }
            let s = i
            while i < n && p[i] != 0x20 && p[i] != 0x09 {
                high |= p[i]
                i += 1
            }
            guard count < Self.maxFastFields else { return nil }
            tokenStarts[count] = Int32(s)
            tokenEnds[count] = Int32(i)
            count += 1
        }
        guard high < 0x80, count >= 2, p[Int(tokenStarts[0])] != 0x23 else { return nil }
        // A first field that names a field (or `${...}`) may start a header: the String path decides.
        let f0 = Int(tokenStarts[0]), f0n = Int(tokenEnds[0]) - f0
        if p[f0] == 0x24 || Self.knownTable.find(p + f0, f0n) != nil { return nil }
        let l: Columns
        if let cur = layoutColumns {
            guard count == cur.count else { return nil }
            l = cur
        } else {
            if count == Self.tgwFields.count, tokenEnds[3] - tokenStarts[3] >= 4,
               memcmp(p + Int(tokenStarts[3]), "tgw-", 4) == 0 {
                l = Self.tgwColumns
            } else if let d = Self.defaultColumns[count] {
                l = d
            } else {
                return nil
            }
        }
        cache.sync(with: agg)
        return decodeFast(p, l, into: &agg)
    }

    static let maxFastFields = 64

    /// A field's bytes, nil for `-` or a column the layout lacks.
    @inline(__always) func field(_ p: UnsafePointer<UInt8>, _ i: Int?) -> UnsafeRawBufferPointer? {
        guard let i else { return nil }
        let s = Int(tokenStarts[i]), e = Int(tokenEnds[i])
        if e - s == 1 && p[s] == 0x2D { return nil }
        return UnsafeRawBufferPointer(start: p + s, count: e - s)
    }

    @inline(__always) static func equals(_ b: UnsafeRawBufferPointer, _ lit: StaticString) -> Bool {
        b.count == lit.utf8CodeUnitCount && memcmp(b.baseAddress!, lit.utf8Start, b.count) == 0
    }

    /// Unsigned decimal digits as a number (nil past `max`, or for any other byte); nil for a sign, which the
    /// caller then hands to Swift's own parser.
    @inline(__always) static func digits(_ b: UnsafeRawBufferPointer, max: Int64) -> Int64?? {
        guard b.count > 0 else { return .some(nil) }
        let c0 = b[0]
        if c0 == 0x2B || c0 == 0x2D { return nil }
        var v: Int64 = 0
        for c in b {
            guard c >= 0x30 && c <= 0x39 else { return .some(nil) }
            v = v * 10 + Int64(c - 0x30)
            if v > max { return .some(nil) }
        }
        return .some(v)
    }

    @inline(__always) static func string(_ b: UnsafeRawBufferPointer) -> String { String(decoding: b, as: UTF8.self) }

    mutating func address(_ b: UnsafeRawBufferPointer) -> Int32 {
        if addresses.count >= 1 << 20 {
            addressKeys = ByteInterner(capacity: 1024)
            addresses.removeAll(keepingCapacity: true)
        }
        let (id, isNew) = addressKeys.intern(b.baseAddress!, b.count)
        if isNew {
            switch IPAddr.host(Self.string(b)) {
            case .success(let a): addresses.append(FastAddress(text: a.description, value: a))
            case .failure(let e): addresses.append(FastAddress(text: "", value: nil, problem: e.description))
            }
        }
        return id
    }

    mutating func decodeFast(_ p: UnsafePointer<UInt8>, _ l: Columns, into agg: inout FlowAggregator) -> LineResult? {
        if let s = field(p, l.logStatus), Self.equals(s, "NODATA") || Self.equals(s, "SKIPDATA") { return .skipped }
        guard let srcRaw = field(p, l.srcaddr), let dstRaw = field(p, l.dstaddr) else {
            return .rejected(field: field(p, l.srcaddr) == nil ? "srcaddr" : "dstaddr", message: "missing address")
        }
        let pktSrc = field(p, l.pktSrcaddr), pktDst = field(p, l.pktDstaddr)
        let sa = address(pktSrc ?? srcRaw), da = address(pktDst ?? dstRaw)
        if let e = addresses[Int(sa)].problem {
            return .rejected(field: pktSrc == nil ? "srcaddr" : "pkt-srcaddr", message: e)
        }
        if let e = addresses[Int(da)].problem {
            return .rejected(field: pktDst == nil ? "dstaddr" : "pkt-dstaddr", message: e)
        }
        guard let pText = field(p, l.proto) else { return .rejected(field: "protocol", message: "missing") }
        let proto: Proto
        if Self.equals(pText, "6") {
            proto = .tcp
        } else if Self.equals(pText, "17") {
            proto = .udp
        } else {
            let t = Self.string(pText)
            let loose = Proto(loose: t)
            proto = loose ?? .other
            if loose == nil && UInt8(t) == nil {
                return .rejected(field: "protocol", message: "not an IANA protocol number: \(t)")
            }
        }
        func port(_ f: Int?) -> (ok: Bool, value: UInt16)? {
            guard let v = field(p, f) else { return (true, 0) }
            guard let d = Self.digits(v, max: 65535) else { return nil }
            guard let n = d else { return (false, 0) }
            return (true, UInt16(n))
        }
        guard let (sOK, sport) = port(l.srcport), let (dOK, dport) = port(l.dstport) else { return nil }
        guard sOK else { return .rejected(field: "srcport", message: "not a port number") }
        guard dOK else { return .rejected(field: "dstport", message: "not a port number") }
        let maxSeconds: Int64 = Int64.max / 1_000_000_000
        let startText = field(p, l.start) ?? field(p, l.end)
        guard let st = startText, let sd = Self.digits(st, max: maxSeconds) else {
            if startText == nil { return .rejected(field: "start", message: "not Unix seconds: -") }
            return nil
        }
        guard let startSec = sd else { return nil }  // not digits, or too large: the String path words it
        var endNs = startSec * 1_000_000_000
        if let e = field(p, l.end) {
            guard let ed = Self.digits(e, max: maxSeconds), let es = ed else { return nil }
            endNs = max(es * 1_000_000_000, startSec * 1_000_000_000)
        }
        let time = startSec * 1_000_000_000
        let verdict: Verdict
        var dropReason: Int32 = -1
        if let a = field(p, l.action) {
            if Self.equals(a, "ACCEPT") {
                verdict = .forwarded
            } else if Self.equals(a, "REJECT") {
                verdict = .dropped
                let r = field(p, l.rejectReason)
                cache.beginKey(0x52)
                cache.append(r?.baseAddress, r?.count ?? 0)
                dropReason = cache.stringID(agg: &agg) { r.map { "REJECT (\(Self.string($0)))" } ?? "REJECT" }
            } else {
                return .rejected(field: "action", message: "expected ACCEPT or REJECT, got \(Self.string(a))")
            }
        } else {
            verdict = l.action == nil ? .forwarded : .unknown
        }
        var flags: TCPFlags?
        if let f = field(p, l.tcpFlags) {
            guard let d = Self.digits(f, max: 65535), let bits = d else { return nil }
            flags = VPCReader.tcpFlags(bits)
        }
        let direction: Direction
        if let d = field(p, l.flowDirection) {
            direction = Self.equals(d, "ingress") ? .ingress : Self.equals(d, "egress") ? .egress : .unknown
        } else {
            direction = .unknown
        }
        let pointBytes = field(p, l.interfaceID) ?? field(p, l.tgwAttachmentID)
        cache.beginKey(0x70)
        cache.key.append(UInt8(ascii: direction == .ingress ? "i" : direction == .egress ? "e" : "u"))
        cache.append(pointBytes?.baseAddress, pointBytes?.count ?? 0)
        let point = cache.stringID(agg: &agg) {
            "\(direction.rawValue)/\(pointBytes.map(Self.string) ?? "vpc")"
        }

        // Who opened the connection, as `decode` decides it (the table holds address values, not text).
        let (isReply, weight) = orient(ConnKey(a: addresses[Int(sa)].value!, ap: sport, b: addresses[Int(da)].value!,
                                               bp: dport, proto: proto), flags: flags)
        let src = externalPeer(sa), dst = externalPeer(da)
        _ = cache.add(agg: &agg, source: src, destination: dst, proto: proto, sourcePort: sport,
                      destinationPort: proto.isPolicyProtocol ? dport : 0, verdict: verdict, dropReason: dropReason,
                      point: point, isReply: isReply, tcpFlags: flags, weight: weight, time: time, endTime: endNs,
                      trackUnmapped: true)
        return .accepted
    }

    /// The `RecordCache` entry of an address as the external peer `decode` makes of it without an inventory.
    mutating func externalPeer(_ a: Int32) -> Int32 {
        if addresses[Int(a)].generation == cache.generation { return addresses[Int(a)].peer }
        let text = addresses[Int(a)].text
        cache.beginKey(0x41)
        var t = text
        t.withUTF8 { cache.append($0.baseAddress, $0.count) }
        let e = cache.peer { RecordCache.Peer(peer: FlowPeer(endpoint: .external(text), ip: text)) }
        addresses[Int(a)].peer = e
        addresses[Int(a)].generation = cache.generation
        return e
    }
}
