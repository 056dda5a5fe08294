import Foundation
import Testing

/// Issue 12: the "already ingested" check used a 64-bit multiply-xorshift hash that anyone can collide. Two
/// different files built to collide under it must both be ingested (the check is SHA-256 now).
@Suite("Content hash collisions")
struct ContentHashCollisionTests {
    /// The hash FlowMap used before SHA-256 (four lanes over 32-byte blocks), for building the collision.
    enum LegacyHash {
        static func lane(_ h: UInt64, _ w: UInt64) -> UInt64 {
            var x = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            x ^= x >> 29
            return x
        }

        static func word(_ b: [UInt8], _ at: Int) -> UInt64 {
            var w: UInt64 = 0
            for k in 0..<8 where at + k < b.count { w |= UInt64(b[at + k]) << (8 * k) }
            return w
        }

        /// The lane states after the whole 32-byte blocks of `b`.
        static func lanes(_ b: [UInt8]) -> [UInt64] {
            var s: [UInt64] = [0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63]
            var i = 0
            while i + 32 <= b.count {
                for l in 0..<4 { s[l] = lane(s[l], word(b, i + 8 * l)) }
                i += 32
            }
            return s
        }

        static func hex(_ b: [UInt8]) -> String {
            let s = lanes(b)
            var h = s[0] ^ (s[1] &* 0x9E37_79B9_7F4A_7C15) ^ (s[2] &* 0xC2B2_AE3D_27D4_EB4F) ^ (s[3] &* 0x1656_67B1_9E37_79F9)
            let full = b.count / 32 * 32
            if full < b.count {
                for k in 0..<((b.count - full + 7) / 8) { h = lane(h, word(b, full + 8 * k)) }
            }
            h ^= UInt64(b.count)
            h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
            return String(h, radix: 16) + "-" + String(b.count)
        }
    }

    /// Two Hubble captures that differ only in an app label value, colliding under `LegacyHash`: the label's
    /// bytes at offsets p and p + 32 (both in lane 0) are chosen so that lane 0's state agrees after them.
    static func collidingFiles() -> ([UInt8], [UInt8]) {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        var head = Array(#"{"flow":"#.utf8)
        let rest = Array(#"{"time":"2024-01-01T00:00:00Z","verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":40000,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"a","labels":["k8s:app="#.utf8)
        while (head.count + rest.count) % 32 != 0 { head.append(UInt8(ascii: " ")) }
        let prefix = head + rest
        let tail = Array(#""],"pod_name":"x-7d4b9c8f6d-x7k2p"},"destination":{"namespace":"a","labels":["k8s:app=y"],"pod_name":"y-7d4b9c8f6d-x7k2p"},"traffic_direction":"EGRESS"}}"#.utf8) + [10]
        let a = LegacyHash.lanes(prefix)[0]
        let w0 = Array("aaaaaaaa".utf8), middle = [UInt8](repeating: UInt8(ascii: "m"), count: 24)
        let target = LegacyHash.lane(a, LegacyHash.word(w0, 0))
        var n: UInt64 = 1
        while true {
            // The n-th other 8-letter word, and the difference its lane state makes.
            var w0b = [UInt8](), m = n
            for _ in 0..<8 { w0b.append(alphabet[Int(m % 62)]); m /= 62 }
            n += 1
            let d = target ^ LegacyHash.lane(a, LegacyHash.word(w0b, 0))
            var w4 = [UInt8](), w4b = [UInt8]()
            for k in 0..<8 {
                let dk = UInt8(truncatingIfNeeded: d >> (8 * k))
                guard let x = alphabet.first(where: { alphabet.contains($0 ^ dk) }) else { break }
                w4.append(x)
                w4b.append(x ^ dk)
            }
            if w4.count == 8 { return (prefix + w0 + middle + w4 + tail, prefix + w0b + middle + w4b + tail) }
        }
    }

    @Test("two different files that collide under the old 64-bit hash are both ingested")
    func collidingFilesBothIngested() throws {
        let (one, two) = Self.collidingFiles()
        #expect(one != two)
        #expect(LegacyHash.hex(one) == LegacyHash.hex(two), "the fixture must collide under the old hash")
        let dir = Binary.tempDir()
        let p1 = dir.appendingPathComponent("one.json").path, p2 = dir.appendingPathComponent("two.json").path
        #expect(FileManager.default.createFile(atPath: p1, contents: Data(one)))
        #expect(FileManager.default.createFile(atPath: p2, contents: Data(two)))
        let db = dir.appendingPathComponent("s.db").path
        let (s1, o1) = try Binary.run(["ingest", "--db", db, p1])
        let (s2, o2) = try Binary.run(["ingest", "--db", db, p2])
        #expect(s1 == 0 && s2 == 0, "\(o1)\n\(o2)")
        #expect(!o2.contains("already ingested"), "\(o2)")
        #expect(o2.contains("1 accepted"), "\(o2)")
        // The same bytes again are still recognised.
        let (s3, o3) = try Binary.run(["ingest", "--db", db, p1])
        #expect(s3 == 0 && o3.contains("already ingested"), "\(o3)")
    }

    @Test("after an upgrade, a file an earlier FlowMap ingested is still recognised (and re-stamped), not counted twice")
    func upgradeKeepsReingestIdempotent() throws {
        let dir = Binary.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let sample = Binary.repoRoot.appendingPathComponent("samples/hubble/hubble-otel/basic-sample-10-flows.json").path
        let (s0, o0) = try Binary.run(["ingest", "--db", db, sample])
        #expect(s0 == 0, "\(o0)")
        let (_, before) = try Binary.run(["summary", "--db", db])
        // What FlowMap stored for this file before SHA-256 (commit 9f9ecc2).
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3; c = sqlite3.connect('\(db)'); "
                       + "c.execute(\"update sources set content_hash = 'e67e9691c5415493-12821'\"); c.commit()"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let (s1, o1) = try Binary.run(["ingest", "--db", db, sample])
        #expect(s1 == 0 && o1.contains("already ingested"), "\(o1)")
        let (_, after) = try Binary.run(["summary", "--db", db])
        #expect(after == before)
    }
}
