import Foundation
import Testing
import TestSupport
@testable import FlowIngest

@Suite("SHA-256 (FIPS 180-4 examples)")
struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        var s = SHA256()
        s.update(bytes)
        return s.hex
    }

    @Test("the FIPS 180-4 / NIST example vectors")
    func vectors() {
        #expect(Self.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Self.hex(Array(("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                                + "klmnopqrlmnopqrsmnopqrstnopqrstu").utf8))
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(Self.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("the digest does not depend on how the bytes are split across updates")
    func splitInvariant() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ 7) & 0xFF) }
        let whole = Self.hex(bytes)
        for step in [1, 3, 55, 56, 63, 64, 65, 127, 999] {
            var s = SHA256()
            var i = 0
            while i < bytes.count {
                let j = min(bytes.count, i + step)
                s.update(Array(bytes[i..<j]))
                i = j
            }
            #expect(s.hex == whole, "step \(step)")
            #expect(s.length == 1000)
        }
        // Every padding length (0 to 129 bytes): the digests of all prefixes, checked against Python's hashlib
        // (sha256 over the concatenated hex digests), and whole versus split at the middle.
        #expect(Self.hex(Array((0..<130).map { Self.hex(Array(bytes[0..<$0])) }.joined().utf8))
                == "89e2c7039d0690d7614bc4c6002a929407988c6214746687152ea3eda1de9d3b")
        for n in 0..<130 {
            var s = SHA256()
            s.update(Array(bytes[0..<(n / 2)]))
            s.update(Array(bytes[(n / 2)..<n]))
            #expect(s.hex == Self.hex(Array(bytes[0..<n])), "length \(n)")
        }
    }

    @Test("ContentHash.legacyHex is what FlowMap stored before SHA-256, however the bytes are split")
    func legacyHash() throws {
        // Stored by FlowMap at commit 9f9ecc2 for this sample (`sources.content_hash`).
        let url = Fixtures.repoRoot.appendingPathComponent("samples/hubble/hubble-otel/basic-sample-10-flows.json")
        let bytes = Array(try Data(contentsOf: url))
        for step in [7, 32, 4096, bytes.count] {
            var h = ContentHash()
            var i = 0
            while i < bytes.count {
                let j = min(bytes.count, i + step)
                Array(bytes[i..<j]).withUnsafeBytes { h.update($0) }
                i = j
            }
            #expect(h.legacyHex == "e67e9691c5415493-12821", "step \(step)")
            #expect(h.hex.hasPrefix("sha256:") && h.hex.count == 71)
        }
    }

    @Test("the SHA-NI rounds (CSHA256) and the Swift rounds give the same digests, at every length and split")
    func hardwareEqualsPortable() throws {
        // This machine's CPU has the SHA extensions: without them the comparison below would be Swift with itself.
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if cpuinfo.contains(" sha_ni") { #expect(SHA256.hardware, "/proc/cpuinfo lists sha_ni, CPUID check said no") }
        var rng = SplitMix64(seed: 22)
        for _ in 0..<200 {
            let n = Int(rng.next() % 3000)
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let cut = n == 0 ? 0 : Int(rng.next() % UInt64(n + 1))
            var fast = SHA256(), slow = SHA256(portable: true)
            for s in [0..<cut, cut..<n] {
                fast.update(Array(bytes[s]))
                slow.update(Array(bytes[s]))
            }
            #expect(fast.hex == slow.hex, "length \(n), split at \(cut)")
        }
        var slow = SHA256(portable: true)
        slow.update(Array("abc".utf8))
        #expect(slow.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("BackgroundHash (hashed on another thread) equals ContentHash of the same bytes, however they arrive")
    func backgroundHash() {
        var rng = SplitMix64(seed: 7)
        let bytes = (0..<(3 << 20) + 12345).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for maxStep in [1 << 10, 300_000, 1 << 20, 5 << 20] {
            let bg = BackgroundHash()
            var direct = ContentHash()
            var i = 0, reads = 0
            while i < bytes.count {
                let j = min(bytes.count, i + 1 + Int(rng.next() % UInt64(maxStep)))
                bytes[i..<j].withUnsafeBytes { bg.update($0); direct.update($0) }
                i = j
                reads += 1
                // Asking midway drains the queue and must not lose or repeat bytes.
                if reads % 7 == 3 { #expect(bg.value.hex == direct.hex, "after \(i) bytes") }
            }
            #expect(bg.value.hex == direct.hex, "max step \(maxStep)")
            #expect(bg.value.legacyHex == direct.legacyHex)
            #expect(bg.value.length == UInt64(bytes.count))
        }
    }
}
