import Foundation
import Testing
@testable import FlowIngest
import FlowModel

/// Issue 22: the generic CSV and the JSON-lines readers scan bytes instead of Characters; the results must be the
/// same as the Character-based code they replace (kept here as the reference).
@Suite("Reader byte scanning")
struct ReaderScanTests {
    /// The splitter before issue 22, Character by Character.
    static func referenceSplit(_ line: String) -> [String]? {
        var out: [String] = []
        var cur = ""
        var quoted = false
        var atFieldStart = true
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == "\"" {
                    let n = line.index(after: i)
                    if n < line.endIndex && line[n] == "\"" {
                        cur.append("\"")
                        i = n
                    } else {
                        quoted = false
                    }
                } else {
                    cur.append(c)
                }
            } else if c == "\"" && atFieldStart {
                quoted = true
                atFieldStart = false
            } else if c == "," {
                out.append(cur)
                cur = ""
                atFieldStart = true
                i = line.index(after: i)
                continue
            } else {
                cur.append(c)
                atFieldStart = false
            }
            i = line.index(after: i)
        }
        if quoted { return nil }
        out.append(cur)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static let lines = [
        "", ",", ",,", "a", "a,b,c", " a , b ,\tc\t", "\"a,b\",c", "\"say \"\"hi\"\"\",x", "\"a\"b\"c,d",
        "x\"y\",z", " \"a\",b", "\"\"", "\"\",\"\"", "\"open", "a,\"open", "\"a\"\"", "ünï,cødé,ß", "a\u{00A0},b",
        "\u{3000}x\u{3000},y", "a\r", "1700000001,1700000061,tcp,10.1.30.62,10.0.174.206,ns14,svc286,ns14,svc174,8080",
        "app=a;tier=b,\"k=v,k2=v2\"", "é\"", "\"é\"\"é\",é",
    ]

    @Test("CSV cells match the Character-based splitter", arguments: lines)
    func csvMatchesReference(_ line: String) throws {
        let got = try? CSV.split(line).get()
        #expect(got == Self.referenceSplit(line))
        let viaBytes = Array(line.utf8).withUnsafeBytes { try? CSV.split(bytes: $0).get() }
        #expect(viaBytes == got)
    }

    @Test("CSV cells match on generated lines")
    func csvMatchesReferenceGenerated() {
        let alphabet: [String] = ["a", "b", " ", "\t", ",", "\"", "é", "\u{00A0}", "1", "="]
        var rng = JSONDifferentialTests.RNG(state: 22)
        for _ in 0..<2_000 {
            let line = (0..<Int(rng.next() % 14)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                .joined()
            #expect((try? CSV.split(line).get()) == Self.referenceSplit(line), "line: \(line.debugDescription)")
        }
    }

    @Test("A multi-line JSON record opens only on a line holding just { or [",
          arguments: [("{", true), ("[", true), ("  {\t", true), ("", false), ("  ", false), ("{}", false),
                      ("{{", false), ("[{", false), ("{\"a\":1}", false), ("x{", false), ("{ x", false)])
    func opensRecord(_ line: String, _ opens: Bool) {
        let got = Array(line.utf8).withUnsafeBytes { MultiLineJSON.opensRecord($0) }
        #expect(got == opens)
    }

    @Test("VPC records split on spaces and tabs keep every field")
    func vpcTokens() {
        var agg = FlowAggregator()
        var reader = VPCReader()
        let line = "2 123456789012 eni-0a1b\t10.0.0.5  10.0.1.7 49152 443 6 10 840 1700000000 1700000060 ACCEPT OK"
        let r = Array(line.utf8).withUnsafeBytes { reader.read(line: $0, into: &agg) }
        #expect(r == .accepted)
        let edges = agg.take().0.edges
        #expect(edges.count == 1)
        #expect(edges.first?.key.port == 443)
    }
}
