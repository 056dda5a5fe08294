import Foundation
import TestSupport
import Testing
@testable import FlowIngest
import FlowModel

/// The byte-level JSON scanner against Foundation's JSONSerialization: same values on every real sample line,
/// on mutated variants (keys shuffled, whitespace added, strings escaped, nested unknown values), and the same
/// accept/reject decision on corrupted lines.
@Suite("JSON scanner vs JSONSerialization")
struct JSONDifferentialTests {
    /// Deterministic generator so failures reproduce.
    typealias RNG = SplitMix64

    /// Compares our tree with Foundation's.
    static func same(_ v: JSONValue, _ f: Any) -> Bool {
        switch v {
        case .null: return f is NSNull
        case .bool(let b):
            guard let n = f as? NSNumber else { return false }
            return n.boolValue == b
        case .number(let text):
            guard let n = f as? NSNumber, !(f is Bool && text != "0" && text != "1") else { return false }
            if let i = Int64(text) { return n.int64Value == i }
            return n.doubleValue == Double(text)!
        case .string(let s):
            return (f as? String) == s
        case .array(let a):
            guard let fa = f as? [Any], fa.count == a.count else { return false }
            return zip(a, fa).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let fd = f as? [String: Any] else { return false }
            var last: [String: JSONValue] = [:]
            for (k, x) in members { last[k] = x }
            guard last.count == fd.count else { return false }
            return last.allSatisfy { k, x in fd[k].map { same(x, $0) } ?? false }
        }
    }

    static func foundation(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    static func ours(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBytes { try? JSONValue.parse($0) }
    }

    // MARK: Serialising with mutations

    struct Style {
        var shuffle = false
        var whitespace = false
        var escape = false
    }

    static func write(_ v: JSONValue, _ st: Style, _ rng: inout RNG, into out: inout String) {
        func ws() {
            guard st.whitespace else { return }
            let pick = [" ", "\t", "\n", "\r\n", "  ", ""]
            out += pick[Int(rng.next() % UInt64(pick.count))]
        }
        ws()
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): writeString(s, st, &rng, &out)
        case .array(let a):
            out += "["
            for (i, x) in a.enumerated() {
                if i > 0 { out += "," }
                write(x, st, &rng, into: &out)
            }
            ws()
            out += "]"
        case .object(var m):
            if st.shuffle { m.shuffle(using: &rng) }
            out += "{"
            for (i, (k, x)) in m.enumerated() {
                if i > 0 { out += "," }
                ws()
                writeString(k, st, &rng, &out)
                ws()
                out += ":"
                write(x, st, &rng, into: &out)
            }
            ws()
            out += "}"
        }
        ws()
    }

    static func writeString(_ s: String, _ st: Style, _ rng: inout RNG, _ out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            let escapeThis = st.escape && rng.next() % 3 == 0
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "/" where escapeThis: out += "\\/"
            default:
                if u.value < 0x20 || escapeThis {
                    if u.value > 0xFFFF {
                        let x = u.value - 0x10000
                        out += String(format: "\\u%04X\\u%04x", 0xD800 + (x >> 10), 0xDC00 + (x & 0x3FF))
                    } else {
                        out += String(format: rng.next() % 2 == 0 ? "\\u%04x" : "\\u%04X", u.value)
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// Adds non-ASCII text and a nested unknown value to every object inside `flow`.
    static func enrich(_ v: JSONValue, _ rng: inout RNG, depth: Int = 0) -> JSONValue {
        switch v {
        case .object(let m):
            var out = m.map { ($0.0, enrich($0.1, &rng, depth: depth + 1)) }
            if depth < 3 {
                out.append(("x_unknown_\(depth)", .array([
                    .object([("deep", .array([.array([.null, .bool(true), .number("-1.5e-3")])])),
                             ("text", .string("naïve café 日本 🚀 \u{1}\"\\"))]),
                    .number("123456789012345678"), .string(""), .object([]), .array([]),
                ])))
            }
            return .object(out)
        case .array(let a): return .array(a.map { enrich($0, &rng, depth: depth + 1) })
        default: return v
        }
    }

    static var sampleLines: [String] {
        Fixtures.hubbleSamples.flatMap { Fixtures.lines($0) }
    }

    @Test("every real sample line parses to the same value as JSONSerialization")
    func samplesMatchFoundation() throws {
        let lines = Self.sampleLines
        #expect(lines.count > 1900)
        for line in lines {
            let bytes = Array(line.utf8)
            let f = try #require(Self.foundation(bytes), "Foundation rejected a sample line")
            let o = try #require(Self.ours(bytes), "scanner rejected: \(line.prefix(120))")
            #expect(Self.same(o, f), "value differs: \(line.prefix(200))")
        }
    }

    @Test("mutated variants (shuffled keys, whitespace, escapes incl. surrogate pairs, unknown nested values)",
          arguments: [1, 2, 3, 4])
    func mutatedVariantsMatchFoundation(seed: Int) throws {
        var rng = RNG(state: UInt64(seed))
        let style = Style(shuffle: seed != 2, whitespace: seed >= 2, escape: seed >= 3)
        for line in Self.sampleLines where rng.next() % 4 == 0 {
            let original = try #require(Self.ours(Array(line.utf8)))
            let value = seed == 4 ? Self.enrich(original, &rng) : original
            var text = ""
            Self.write(value, style, &rng, into: &text)
            let bytes = Array(text.utf8)
            let f = try #require(Self.foundation(bytes), "Foundation rejected a mutated line: \(text.prefix(200))")
            let o = try #require(Self.ours(bytes), "scanner rejected a mutated line: \(text.prefix(200))")
            #expect(Self.same(o, f))
            #expect(Self.same(value, f))
        }
    }

    @Test("corrupted lines: the scanner rejects exactly what JSONSerialization rejects")
    func corruptionsAgree() throws {
        var rng = RNG(state: 99)
        let lines = Self.sampleLines
        let junk: [UInt8] = Array("{}[]\",:\\/ \tabc01-+.eEtfnu\u{1}".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF, 0xED]
        var disagreements: [String] = []
        var rejected = 0
        for i in 0..<3000 {
            var bytes = Array(lines[Int(rng.next() % UInt64(lines.count))].utf8)
            switch i % 3 {
            case 0: bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))  // truncation
            case 1: bytes[Int(rng.next() % UInt64(bytes.count))] = junk[Int(rng.next() % UInt64(junk.count))]
            default: bytes.insert(junk[Int(rng.next() % UInt64(junk.count))], at: Int(rng.next() % UInt64(bytes.count)))
            }
            let f = Self.foundation(bytes)
            let o = Self.ours(bytes)
            if o == nil { rejected += 1 }
            if f != nil && o == nil && Self.hasTrailingComma(bytes) {
                // Foundation accepts `[1,]` / `{"a":1,}`; RFC 8259 does not (nor do Python's json or jq).
                continue
            }
            if (f == nil) != (o == nil) {
                disagreements.append("foundation \(f == nil ? "rejects" : "accepts"), scanner \(o == nil ? "rejects" : "accepts"): "
                                     + String(decoding: bytes.prefix(300), as: UTF8.self))
            } else if let f, let o, !Self.same(o, f) {
                disagreements.append("values differ: " + String(decoding: bytes.prefix(300), as: UTF8.self))
            }
        }
        #expect(rejected > 1000)
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(3))")
    }

    /// True when a `,` is followed (after whitespace) by `}` or `]` outside strings.
    static func hasTrailingComma(_ b: [UInt8]) -> Bool {
        var inString = false, escaped = false, lastSignificant: UInt8 = 0
        for c in b {
            if inString {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                continue
            }
            if c == 0x22 { inString = true }
            if (c == 0x7D || c == 0x5D) && lastSignificant == 0x2C { return true }
            if c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { lastSignificant = c }
        }
        return false
    }

    @Test("Foundation's one leniency: trailing commas; the scanner follows RFC 8259")
    func trailingComma() {
        #expect(Self.foundation(Array("[1,]".utf8)) != nil)  // documents the difference
        #expect(Self.ours(Array("[1,]".utf8)) == nil)
        #expect(Self.ours(Array("{\"a\":1,}".utf8)) == nil)
    }

    @Test("escapes: all short escapes, \\u, surrogate pairs; invalid ones rejected")
    func escapes() throws {
        let v = try JSONValue.parse(#"["\"\\\/\b\f\n\r\t", "\u00e9\u65E5", "\ud83d\ude80", "a\u0000b"]"#)
        #expect(v == .array([.string("\"\\/\u{8}\u{c}\n\r\t"), .string("é日"), .string("🚀"), .string("a\u{0}b")]))
        for bad in [#""\x""#, #""\u12""#, #""\u12G4""#, "\"a\u{1}b\"", #""abc"#, "[1,]", "{\"a\":1,}", "01", "1.",
                    "-", "+1", ".5", "1e", "tru", "nul", "[1 2]", "{\"a\" 1}", "{1:2}", "\"\\", "[", "{"] {
            #expect(throws: JSONError.self, "accepted \(bad)") { try JSONValue.parse(bad) }
        }
        // Invalid UTF-8 inside a string.
        #expect(Self.ours([0x22, 0xC3, 0x28, 0x22]) == nil)
        #expect(Self.ours([0x22, 0xED, 0xA0, 0x80, 0x22]) == nil)  // encoded surrogate
        #expect(Self.ours([0x22, 0xE6, 0x97, 0xA5, 0x22]) == .string("日"))
    }

    @Test("numbers: grammar and 64-bit values as strings")
    func numbers() throws {
        #expect(try JSONValue.parse("[0,-0,1.25,-3e10,2E+3,7e-2,18446744073709551615]") == .array(
            ["0", "-0", "1.25", "-3e10", "2E+3", "7e-2", "18446744073709551615"].map { .number($0) }))
        var s = JSONScanner(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(throws: JSONError.self) { try s.skipValue() }
    }

    @Test("deep nesting is refused, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue.parse(ok)) != nil)
    }
}
