import Foundation
import Testing

/// Issue 8, bad input: every case gets a clear message, the process never crashes (exit codes 0, 1 or 2 only:
/// a signal or a Swift trap would show as something else), and memory stays bounded.
@Suite("Bad input", .serialized)
struct BadInputTests {
    /// Runs `flowmap ingest` under /usr/bin/time; returns exit status, output and peak RSS in MiB.
    func ingest(_ paths: [String], db: String) throws -> (Int32, String, Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-f", "maxrss_kb=%M", Binary.flowmap, "ingest", "--db", db] + paths
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let out = String(decoding: data, as: UTF8.self)
        let kb = out.split(separator: "\n").last { $0.hasPrefix("maxrss_kb=") }.flatMap { Int($0.dropFirst(10)) } ?? -1
        return (p.terminationStatus, out, kb / 1024)
    }

    static let goodLine = #"{"flow":{"time":"2024-01-01T00:00:00Z","verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":40000,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"a","labels":["k8s:app=x"],"pod_name":"x-7d4b9c8f6d-x7k2p"},"destination":{"namespace":"a","labels":["k8s:app=y"],"pod_name":"y-7d4b9c8f6d-x7k2p"},"traffic_direction":"EGRESS"}}"#

    func write(_ bytes: [UInt8], _ name: String, in dir: URL) -> String {
        let u = dir.appendingPathComponent(name)
        FileManager.default.createFile(atPath: u.path, contents: Data(bytes))
        return u.path
    }

    @Test("malformed lines are reported by line and field; good lines around them are kept")
    func malformedLines() throws {
        let dir = Binary.tempDir()
        var bytes: [UInt8] = []
        func add(_ s: String) { bytes += Array(s.utf8) + [10] }
        add(Self.goodLine)                                            // 1
        bytes += [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D, 10]  // 2: invalid UTF-8 inside a key
        bytes += Array("ab".utf8) + [0] + Array("cd".utf8) + [10]     // 3: NUL byte
        add(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))  // 4: deep nesting
        add(Self.goodLine.replacingOccurrences(of: "\"destination_port\":80", with: "\"destination_port\":70000"))  // 5
        add(Self.goodLine.replacingOccurrences(of: "\"source_port\":40000", with: "\"source_port\":1e999"))  // 6
        add(Self.goodLine.replacingOccurrences(of: "2024-01-01T00:00:00Z", with: "9999-99-99T99:99:99Z"))  // 7
        add(Self.goodLine)                                            // 8
        let path = write(bytes, "bad.json", in: dir)
        let (status, out, _) = try ingest([path], db: dir.appendingPathComponent("s.db").path)
        #expect(status == 1, "\(out)")
        for line in 2...7 { #expect(out.contains("\(path):\(line):"), "line \(line) not reported:\n\(out)") }
        #expect(!out.contains("\(path):1:") && !out.contains("\(path):8:"))
        #expect(out.contains("2 accepted"), "\(out)")
    }

    static let calicoLine = #"{"start_time":1700000000,"end_time":1700000300,"source_ip":"198.51.100.7","source_name":"-","source_name_aggr":"pub","source_namespace":"-","source_type":"net","dest_ip":null,"dest_name":"-","dest_name_aggr":"api-5f6d7c8b9d-*","dest_namespace":"shop","dest_port":8080,"dest_type":"wep","proto":"tcp","action":"allow","reporter":"dst","num_flows":5}"#

    @Test("a multi-line object over 64 MiB, closed or never closed, is rejected at its first line with bounded memory")
    func hugeMultiLineObject() throws {
        for closed in [true, false] {
            let dir = Binary.tempDir()
            let u = dir.appendingPathComponent("pretty.json")
            FileManager.default.createFile(atPath: u.path, contents: nil)
            let h = try FileHandle(forWritingTo: u)
            try h.write(contentsOf: Data((Self.calicoLine + "\n{\n  \"reporter\": \"dst\",\n").utf8))
            let member = Data(("  \"a\": \"" + String(repeating: "a", count: 1 << 20) + "\",\n").utf8)
            for _ in 0..<80 { try h.write(contentsOf: member) }  // 80 MiB in one object, 1 MiB per line
            if closed { try h.write(contentsOf: Data(("  \"b\": 1\n}\n" + Self.calicoLine + "\n").utf8)) }
            try h.close()
            let (status, out, rssMiB) = try ingest(["--format", "calico", u.path], db: dir.appendingPathComponent("s.db").path)
            #expect(status == 1, "\(out)")
            #expect(out.contains("\(u.path):2: a JSON object spanning lines is longer than 64 MiB"), "\(out)")
            #expect(out.contains(closed ? "2 accepted" : "1 accepted"), "\(out)")
            #expect(rssMiB > 0 && rssMiB < 200, "peak RSS \(rssMiB) MiB for an 80 MiB object")
        }
    }

    @Test("a line over 64 MiB is rejected without holding it in memory")
    func hugeLine() throws {
        let dir = Binary.tempDir()
        let u = dir.appendingPathComponent("huge.json")
        FileManager.default.createFile(atPath: u.path, contents: nil)
        let h = try FileHandle(forWritingTo: u)
        try h.write(contentsOf: Data((Self.goodLine + "\n").utf8))
        let block = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        try h.write(contentsOf: Data("{\"flow\":\"".utf8))
        for _ in 0..<80 { try h.write(contentsOf: block) }  // 80 MiB in one line
        try h.write(contentsOf: Data("\"}\n".utf8))
        try h.write(contentsOf: Data((Self.goodLine + "\n").utf8))
        try h.close()
        let (status, out, rssMiB) = try ingest([u.path], db: dir.appendingPathComponent("s.db").path)
        #expect(status == 1, "\(out)")
        #expect(out.contains("\(u.path):2:"), "\(out)")
        #expect(out.contains("2 accepted"), "\(out)")
        #expect(rssMiB > 0 && rssMiB < 200, "peak RSS \(rssMiB) MiB for an 80 MiB line")
    }

    @Test("empty file, binary file, a directory and a missing path each get a clear message; others still load")
    func wrongInputs() throws {
        let dir = Binary.tempDir()
        let empty = write([], "empty.json", in: dir)
        var rng = SystemRandomNumberGenerator()
        let binary = write((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) }, "random.bin", in: dir)
        let good = write(Array((Self.goodLine + "\n").utf8), "good.json", in: dir)
        let sub = dir.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let missing = dir.appendingPathComponent("missing.json").path
        let (status, out, _) = try ingest([empty, binary, sub.path, missing, good],
                                          db: dir.appendingPathComponent("s.db").path)
        #expect(status == 2, "\(out)")
        #expect(out.contains(empty) && out.lowercased().contains("empty"), "\(out)")
        #expect(out.contains(binary) && out.lowercased().contains("binary"), "\(out)")
        #expect(out.contains("\(sub.path): ") && out.contains("directory"), "\(out)")
        #expect(out.contains(missing) && out.contains("No such file"), "\(out)")
        #expect(out.contains("1 accepted"), "\(out)")
        // The binary file is named once, not once per garbage line.
        #expect(out.components(separatedBy: binary).count - 1 <= 2, "\(out)")
    }
}
