import Foundation
import Testing
import FlowMapKit

/// Issue 20: the shapes people save flows in. A JSON array (pretty-printed or on one line) of Hubble flows or of
/// Calico records is read as those records; Hubble's text output and a YAML inventory get a located error with
/// the command that writes the right shape.
@Suite("Input shapes")
struct InputShapeTests {
    static func shape(_ name: String) -> String { Support.fixture("shapes/" + name) }

    @Test("a JSON array of Hubble flows, pretty-printed or on one line, gives the edges of the same flows as JSON lines",
          arguments: [InputFormat.auto, .hubble])
    func hubbleArray(format: InputFormat) throws {
        let lines = Support.newDB()
        try Support.ingest([Support.sample("hubble/hubble-otel/basic-sample-10-flows.json")], db: lines)
        try Self.expectSameEdges(as: lines, ["hubble-array-pretty.json", "hubble-array-compact.json"], format: format,
                                 accepted: 10)
    }

    /// Each array file, ingested alone, gives the edges of `reference` and says it read an array.
    static func expectSameEdges(as reference: String, _ names: [String], format: InputFormat, accepted: Int64) throws {
        for name in names {
            let db = Support.newDB()
            let (report, issues) = try Support.ingest([shape(name)], db: db, format: format)
            #expect(issues.isEmpty, "\(name): \(issues)")
            #expect(report.failures.isEmpty, "\(name): \(report.failures)")
            #expect(report.total.accepted == accepted, "\(name)")
            #expect(try Support.edgeLines(db) == Support.edgeLines(reference), "\(name)")
            if format == .auto {
                #expect(report.files.first?.detection?.reason.contains("JSON array") == true, "\(name)")
            }
        }
    }

    @Test("a JSON array of Calico records, pretty-printed or on one line, gives the edges of the same records as lines",
          arguments: [InputFormat.auto, .calico])
    func calicoArray(format: InputFormat) throws {
        let lines = Support.newDB()
        try Support.ingest([Self.shape("calico-lines.jsonl")], db: lines)
        #expect(try !Support.edgeLines(lines).isEmpty)
        try Self.expectSameEdges(as: lines, ["calico-array-pretty.json", "calico-array-compact.json"], format: format,
                                 accepted: 3)
    }

    @Test("a bad element of a pretty-printed array is located at the line where it starts; the others are kept")
    func badElementLine() throws {
        let text = try String(contentsOfFile: Self.shape("hubble-array-pretty.json"), encoding: .utf8)
        var rows = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The third element's first destination_port becomes a string; find where that element starts.
        var starts: [Int] = []
        for (i, r) in rows.enumerated() where r == "  {" { starts.append(i + 1) }
        #expect(starts.count == 10)
        let third = starts[2]
        let portRow = try #require(rows[(third - 1)...].firstIndex { $0.contains("\"destination_port\"") })
        rows[portRow] = rows[portRow].replacingOccurrences(of: #": ([0-9]+)"#, with: #": "x""#,
                                                           options: .regularExpression)
        let path = Support.file("bad.json", rows.joined(separator: "\n"))
        let (report, issues) = try Support.ingest([path], db: Support.newDB())
        #expect(issues.count == 1)
        #expect(issues.first?.line == third, "\(issues)")
        #expect(issues.first?.field.contains("destination_port") == true, "\(issues)")
        #expect(report.total.accepted == 9)
    }

    @Test("Hubble's text output is a located error naming `hubble observe -o jsonpb`, under auto and --format hubble",
          arguments: [InputFormat.auto, .hubble])
    func hubbleText(format: InputFormat) throws {
        let db = Support.newDB()
        let path = Self.shape("hubble-observe-compact.txt")
        let (report, issues) = try Support.ingest([path], db: db, format: format)
        #expect(issues.isEmpty)
        #expect(report.failures.count == 1)
        let f = report.failures.first ?? ""
        #expect(f.hasPrefix("\(path):1: this is the text output of `hubble observe`"), "\(f)")
        #expect(f.contains("hubble observe -o jsonpb"), "\(f)")
        #expect(try Support.edgeLines(db).isEmpty)
    }

    @Test("Hubble's text output on a stream: the first line names `hubble observe -o jsonpb`, the others point to it")
    func hubbleTextStream() throws {
        let text = try String(contentsOfFile: Self.shape("hubble-observe-compact.txt"), encoding: .utf8)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let wfd = fds[1]
        let writer = Thread {
            var t = text
            t.withUTF8 { p in _ = write(wfd, p.baseAddress, p.count) }
            close(wfd)
        }
        writer.start()
        var o = Ingest.Options(db: Support.newDB())
        o.stdinDescriptor = fds[0]
        var issues: [InputIssue] = []
        let report = try Ingest.run(paths: ["-"], options: o) { issues.append($0) }
        close(fds[0])
        #expect(report.total.rejected == 4)
        #expect(issues.map(\.line) == [1, 2, 3, 4])
        #expect(issues.first?.message.contains("hubble observe -o jsonpb") == true, "\(issues)")
        #expect(issues.dropFirst().allSatisfy { $0.message.hasSuffix("see the first rejected line") }, "\(issues)")
    }

    @Test("a YAML inventory is a located error naming `kubectl get … -o json`, under auto and --format inventory",
          arguments: [InputFormat.auto, .inventory])
    func yamlInventory(format: InputFormat) throws {
        let path = Self.shape("inventory.yaml")
        let (report, _) = try Support.ingest([path], db: Support.newDB(), format: format)
        #expect(report.failures.count == 1)
        let f = report.failures.first ?? ""
        #expect(f.hasPrefix("\(path):1: this is a YAML document"), "\(f)")
        #expect(f.contains("kubectl get namespaces,pods,services,endpointslices,nodes -A -o json"), "\(f)")
    }
}
