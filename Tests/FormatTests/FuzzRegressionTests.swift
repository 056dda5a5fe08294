import Testing
@testable import FlowIngest
import FlowModel

/// Inputs the fuzzers found that trapped (arithmetic overflow); each must now be a located rejection.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    func read(_ format: InputFormat, _ lines: [String]) -> [LineResult] {
        var reader = AnyLineReader.make(format, addressBook: nil)!
        var agg = FlowAggregator()
        return lines.map { line in
            var l = line
            return l.withUTF8 { reader.read(line: UnsafeRawBufferPointer($0), into: &agg) }
        }
    }

    @Test("VPC: start/end seconds past 2262 are rejected, not an overflow trap (FuzzVPC)")
    func vpcHugeSeconds() {
        let base = "2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 43900 80 6 10 900 "
        let results = read(.vpc, [base + "99999999999999 99999999999999 ACCEPT OK",
                                  base + "1566849000 99999999999999 ACCEPT OK"])
        #expect(results.allSatisfy { if case .rejected = $0 { return true } else { return false } }, "\(results)")
    }

    @Test("generic JSONL: a time of 1e19 or 1e17 microseconds is rejected, not a trap")
    func genericHugeTimes() {
        let results = read(.flowmapJSONL, [
            #"{"time":1e19,"proto":"TCP","src_ip":"10.0.0.1","dst_ip":"10.0.0.2","dst_port":80}"#,
            #"{"time":9e17,"proto":"TCP","src_ip":"10.0.0.1","dst_ip":"10.0.0.2","dst_port":80}"#,
        ])
        #expect(results.count == 2)
        #expect(results.allSatisfy { if case .accepted = $0 { return false } else { return true } }, "\(results)")
    }
}
