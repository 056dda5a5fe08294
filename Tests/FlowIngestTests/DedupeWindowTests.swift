import Foundation
import Testing
import FlowModel
import FlowStore

/// `ingest --dedupe-window`: re-piping an overlapping `hubble observe --since` does not double a count.
@Suite("Stream de-duplication window", .serialized)
struct DedupeWindowTests {
    /// Event i: one second apart, from one of three web pods' addresses to db on one of 7 ports, seen at two
    /// observation points (the source's egress and the destination's ingress): edges repeat, so a doubled
    /// event shows as a larger count.
    static func events(_ range: Range<Int>) -> String {
        var out = ""
        for i in range {
            for (direction, point) in [("EGRESS", "TO_STACK"), ("INGRESS", "TO_ENDPOINT")] {
                var l = FlowLine()
                let s = i % 60, m = i / 60
                l.time = "2024-05-01T10:\(String(format: "%02d", m)):\(String(format: "%02d", s)).000000001Z"
                l.srcIP = "10.0.0.\(1 + i % 3)"
                l.l4 = #"{"TCP":{"source_port":\#(40000 + i),"destination_port":\#(5432 + i % 7),"flags":{"SYN":true}}}"#
                l.direction = direction
                l.point = point
                out += l.json + "\n"
            }
        }
        return out
    }

    /// `flowmap ingest --db db [--dedupe-window w] -` with `text` on stdin.
    static func pipe(_ text: String, into db: String, window: String?) throws {
        let dir = Fixtures.tempDir()
        let file = dir.appendingPathComponent("stream.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: StreamCrashTests.flowmap)
        p.arguments = ["ingest", "--db", db] + (window.map { ["--dedupe-window", $0] } ?? []) + ["-"]
        p.standardInput = try FileHandle(forReadingFrom: file)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    static func evidence(_ db: String) throws -> [String] {
        try FlowStore(path: db).edges().map { "\($0.key) \($0.stats.flows) \($0.stats.firstSeen) \($0.stats.lastSeen)" }
    }

    @Test("two overlapping stream ingests equal one ingest of their union; the remembered events stay within the window")
    func overlapping() throws {
        let dir = Fixtures.tempDir()
        let twice = dir.appendingPathComponent("twice.db").path
        try Self.pipe(Self.events(0..<600), into: twice, window: "5m")
        // 300 s window below the newest event (599 s): events 299 s ... 599 s, two points each.
        #expect(try FlowStore(path: twice).seenFlowCount() == 301 * 2, "the remembered events are not bounded")
        try Self.pipe(Self.events(400..<1000), into: twice, window: "5m")  // overlaps 400 ... 599
        #expect(try FlowStore(path: twice).seenFlowCount() == 301 * 2)

        let union = dir.appendingPathComponent("union.db").path
        try Self.pipe(Self.events(0..<1000), into: union, window: nil)
        #expect(try Self.evidence(twice) == Self.evidence(union))
        #expect(try FlowStore(path: twice).sources().reduce(0) { $0 + $1.counts.accepted } == 2000)

        // Without the window the overlap counts twice: what the test above would see without the feature.
        let doubled = dir.appendingPathComponent("doubled.db").path
        try Self.pipe(Self.events(0..<600), into: doubled, window: nil)
        try Self.pipe(Self.events(400..<1000), into: doubled, window: nil)
        #expect(try Self.evidence(doubled) != Self.evidence(union))
    }
}
