import Foundation
import TestSupport
import Testing
import FlowModel

/// Issue 21: FlowMap's one IP address / CIDR type (`IPAddr`, `CIDR` in FlowModel) against a reference, Python's
/// `ipaddress` (the venv, FLOWMAP_VENV), on random inputs: parse, canonical text, CIDR masking and containment,
/// for IPv4 and IPv6, in several spellings (upper case, leading zeros in hextets, uncompressed, `+` signs).
@Suite("IP addresses and CIDRs against Python's ipaddress")
struct AddressOracleTests {
    /// One query per line: `a <text>` (address: canonical text or ERR), `c <text>` (CIDR, host bits cleared:
    /// canonical text or ERR), `in <cidr> <address>` (1 or 0).
    static let oracle = """
        import ipaddress, sys
        out = []
        for line in open(sys.argv[1]).read().splitlines():
            q = line.split(' ')
            try:
                if q[0] == 'a':
                    out.append(str(ipaddress.ip_address(q[1])))
                elif q[0] == 'c':
                    out.append(ipaddress.ip_network(q[1], strict=False).with_prefixlen)
                else:
                    n = ipaddress.ip_network(q[1], strict=False); a = ipaddress.ip_address(q[2])
                    out.append('1' if a.version == n.version and a in n else '0')
            except ValueError:
                out.append('ERR')
        print('\\n'.join(out))
        """

    static func v6Groups(_ a: IPAddr) -> [UInt16] {
        (0..<4).reversed().map { UInt16(truncatingIfNeeded: a.hi >> (UInt64($0) * 16)) }
            + (0..<4).reversed().map { UInt16(truncatingIfNeeded: a.lo >> (UInt64($0) * 16)) }
    }

    /// A random address with runs of zero groups (so `::` compression is exercised); never IPv4-mapped
    /// (`::ffff:a.b.c.d`, whose text form differs between Python versions).
    static func address(_ rng: inout SeededRNG) -> IPAddr {
        if rng.chance(0.5) {
            let v = rng.chance(0.2) ? UInt32(rng.int(0...3)) << UInt32(rng.pick([0, 8, 24])) : UInt32.random(in: 0...UInt32.max, using: &rng)
            return IPAddr(v4: v)
        }
        var g = (0..<8).map { _ in UInt16.random(in: 0...UInt16.max, using: &rng) }
        for _ in 0..<rng.int(0...2) {
            let s = rng.int(0...7), n = rng.int(1...8 - s)
            for i in s..<s + n { g[i] = 0 }
        }
        if rng.chance(0.1) { g = [UInt16](repeating: 0, count: 8); g[7] = UInt16(rng.int(0...2)) }
        if g[0...4].allSatisfy({ $0 == 0 }) && g[5] == 0xffff { g[5] = 0xfffe }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(g[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(g[i]) }
        return IPAddr(isV6: true, hi: hi, lo: lo)
    }

    /// Another spelling of `a`: canonical, upper case, every group written out with leading zeros, or a
    /// malformed one (`+` sign, a fifth hex digit, a leading zero in IPv4) both parsers must reject.
    static func spelling(_ a: IPAddr, _ rng: inout SeededRNG) -> String {
        let text = a.description
        switch rng.int(0...5) {
        case 1: return text.uppercased()
        case 2 where a.isV6:
            return v6Groups(a).map { let h = String($0, radix: 16); return String(repeating: "0", count: 4 - h.count) + h }
                .joined(separator: ":")
        case 3 where a.isV6: return v6Groups(a).map { String($0, radix: 16) }.joined(separator: ":")
        case 4 where a.isV6: return "+" + v6Groups(a).map { String($0, radix: 16) }.joined(separator: ":")
        case 4: return "0" + text
        case 5 where a.isV6: return "0" + v6Groups(a).map { let h = String($0, radix: 16); return String(repeating: "0", count: 4 - h.count) + h }
                .joined(separator: ":")
        default: return text
        }
    }

    @Test("parse / format round trip, CIDR masking and containment agree with ipaddress (v4 and v6, 3,000 cases)")
    func agreesWithPython() throws {
        let python = try Oracle.tool("python")
        var rng = SeededRNG(seed: 21)
        var queries: [String] = [], mine: [String] = []
        for _ in 0..<1000 {
            let a = Self.address(&rng)
            #expect(IPAddr(a.description) == a, "round trip of \(a)")
            let text = Self.spelling(a, &rng)
            queries.append("a \(text)")
            mine.append(IPAddr(text)?.description ?? "ERR")

            let prefix = rng.int(0...a.bits)
            let cidrText = (rng.chance(0.5) ? a.description : text) + "/\(prefix)"
            queries.append("c \(cidrText)")
            let cidr = CIDR(cidrText)
            mine.append(cidr?.description ?? "ERR")

            // An address inside the block half the time (the network with random host bits), else any address.
            var b = Self.address(&rng)
            if rng.chance(0.5), let c = CIDR(a.description + "/\(prefix)") {
                let r = c.range
                b = IPAddr(isV6: a.isV6, hi: r.first.hi | (b.hi & ~r.first.hi & r.last.hi),
                           lo: r.first.lo | (b.lo & ~r.first.lo & r.last.lo))
            }
            queries.append("in \(a.description)/\(prefix) \(b.description)")
            mine.append(CIDR(a.description + "/\(prefix)")!.contains(b) ? "1" : "0")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-ip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("q.txt")
        try queries.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", Self.oracle, input.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let theirs = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(theirs.count == queries.count)
        var bad = 0
        for (i, q) in queries.enumerated() where i < theirs.count && theirs[i] != mine[i] {
            bad += 1
            if bad <= 10 { Issue.record("\(q): FlowMap \(mine[i]), ipaddress \(theirs[i])") }
        }
        #expect(bad == 0)
        #expect(Set(mine).contains("ERR") && mine.contains("1") && mine.contains("0"))  // every branch reached
    }

    @Test("private and link-local by range, not by text: fc::1 and fe8::1 are public, fd00::1 private")
    func classes() {
        #expect(IPAddr.isPrivate("fd00::1") && IPAddr.isPrivate("fe80::1") && IPAddr.isPrivate("::1"))
        #expect(!IPAddr.isPrivate("fc::1") && !IPAddr.isPrivate("fe8::1"))  // 00fc:: and 0fe8:: (the text helper said private)
        #expect(IPAddr.isLinkLocal("169.254.20.10") && !IPAddr.isLinkLocal("fe8::1") && IPAddr.isLinkLocal("febf::1"))
        #expect(IPAddr.isPrivate("100.64.0.1") && !IPAddr.isPrivate("100.128.0.1") && !IPAddr.isPrivate("8.8.8.8"))
        #expect(CIDR.hostText("2001:db8::1") == "2001:db8::1/128" && CIDR.hostText("10.0.0.1") == "10.0.0.1/32")
        #expect(["10.0.0.10/32", "::1/128", "10.0.0.9/32"].sorted(by: CIDR.textOrder) == ["10.0.0.9/32", "10.0.0.10/32", "::1/128"])
    }
}
