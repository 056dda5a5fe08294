import Foundation
import Testing
@testable import FlowMapKit
import FlowModel
@testable import Policy
#if canImport(Glibc)
import Glibc
#endif

@Suite("flowmap watch", .serialized)
struct WatchTests {
    /// Writes `text` into a pipe from a thread of its own (a live stream on `-`); returns the read end.
    static func stream(_ text: String, pauseAfter: Int? = nil, pause: Double = 0) -> Int32 {
        stream(text, pauses: pauseAfter.map { [$0: pause] } ?? [:])
    }

    /// The same, pausing `pauses[i]` seconds before line `i`.
    static func stream(_ text: String, pauses: [Int: Double]) -> Int32 {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        let w = fds[1]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array(($0 + "\n").utf8) }
        Thread.detachNewThread {
            for (i, l) in lines.enumerated() {
                if let p = pauses[i] { Thread.sleep(forTimeInterval: p) }
                _ = l.withUnsafeBytes { write(w, $0.baseAddress, $0.count) }
            }
            close(w)
        }
        return fds[0]
    }

    @Test("watch on stdin reports exactly the connections check reports as breaking, with the same counts")
    func sameAsCheck() throws {
        let dir = LiveSupport.tempDir()
        // The capture twice over: the second half shows every connection of the first again.
        let once = try Samples.flows().map(\.line)
        let lines = once + once
        let capture = LiveSupport.capture(lines, in: dir)
        let policies = LiveSupport.writePolicies(in: dir)
        let db = dir.appendingPathComponent("check.db").path
        _ = try LiveSupport.ingest(capture, db: db)
        let check = try Check.run(Check.Options(policies: [policies], db: db))
        let expected = Set(check.report.denied.map(LiveSupport.Blocked.init))
        #expect(expected.count >= 7, "the policy set must block several for the test to mean anything")
        LiveSupport.expectEveryPath(check.report.denied)
        #expect(check.report.allowedConnections > 10)

        var o = Watch.Options(policies: [policies])
        // Two batches: the second grows counts of connections already reported.
        o.stdinDescriptor = Self.stream(try String(contentsOfFile: capture, encoding: .utf8),
                                        pauseAfter: lines.count / 2, pause: 1.5)
        o.batchSeconds = 0.5
        o.updateSeconds = 0
        var events: [Watch.Event] = []
        let summary = try Watch.prepare(o).run(path: "-", onIssue: { _ in }) { events.append($0) }
        #expect(LiveSupport.blocked(events) == expected)
        #expect(summary.report.deniedConnections == check.report.deniedConnections)
        #expect(summary.report.allowedConnections == check.report.allowedConnections)
        #expect(summary.report.unresolvedConnections == check.report.unresolvedConnections)
        // each connection is announced once as blocked; later lines only update its count
        let firsts = events.compactMap { if case .blocked(let i) = $0 { return LiveSupport.Blocked(i) } else { return nil } }
        #expect(firsts.count == expected.count)
        // the second batch grew the count of every connection reported: each told as an update (updateSeconds 0:
        // with the next batch)
        var updated: [String: (before: Int64, now: Int64)] = [:]
        for e in events {
            if case .update(let i, let before) = e { updated[LiveSupport.Blocked(i).description] = (before, i.flows) }
        }
        #expect(Set(updated.keys) == Set(expected.map(\.description)), "\(updated.keys.sorted())")
        #expect(updated.values.allSatisfy { $0.now > $0.before }, "\(updated)")
        #expect(summary.counts.accepted == Int64(lines.count))
    }

    @Test("an admin-tier set: watch reports exactly what check reports as breaking")
    func adminTier() throws {
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = try Samples.flows().map(\.line)
        let capture = LiveSupport.capture(lines, in: dir)
        let policies = dir.appendingPathComponent("anp.yaml").path
        try """
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: AdminNetworkPolicy
            metadata: {name: no-productpage-to-reviews}
            spec:
              priority: 10
              subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: reviews}}}}
              ingress:
              - name: deny-productpage
                action: Deny
                from:
                - pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: productpage}}}
            """.write(toFile: policies, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("check.db").path
        _ = try LiveSupport.ingest(capture, db: db)
        let check = try Check.run(Check.Options(policies: [policies], db: db))
        let expected = Set(check.report.denied.map(LiveSupport.Blocked.init))
        #expect(expected.count >= 3, "the admin tier must block the reviews calls: \(expected)")
        var o = Watch.Options(policies: [policies])
        o.stdinDescriptor = Self.stream(try String(contentsOfFile: capture, encoding: .utf8))
        var events: [Watch.Event] = []
        let summary = try Watch.prepare(o).run(path: "-", onIssue: { _ in }) { events.append($0) }
        #expect(LiveSupport.blocked(events) == expected)
        #expect(summary.report.allowedConnections == check.report.allowedConnections)
    }

    @Test("a blocked connection's growing count is told at most every --update-seconds, and at the end")
    func updateThrottle() throws {
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let once = try Samples.flows().map(\.line)
        let policies = LiveSupport.writePolicies(in: dir)
        let text = (once + once + once).joined(separator: "\n") + "\n"
        // Three batches: the capture three times over, a pause after each of the first two.
        func watch(updateSeconds: Double) throws -> [String: [Int64]] {
            var o = Watch.Options(policies: [policies])
            o.stdinDescriptor = Self.stream(text, pauses: [once.count: 1.2, 2 * once.count: 1.2])
            o.batchSeconds = 0.3
            o.updateSeconds = updateSeconds
            var updates: [String: [Int64]] = [:]
            _ = try Watch.prepare(o).run(path: "-", onIssue: { _ in }) { e in
                if case .update(let i, _) = e {
                    updates["\(i.source) -> \(i.destination) \(i.proto)/\(i.port) \(i.note)", default: []].append(i.flows)
                }
            }
            return updates
        }
        let every = try watch(updateSeconds: 0)
        let throttled = try watch(updateSeconds: 3600)
        #expect(every.count >= 7, "\(every)")
        #expect(every.values.allSatisfy { $0.count >= 2 }, "an update with each later batch: \(every)")
        // with an hour between updates: none while the stream runs, one at its end with the final count
        #expect(Set(throttled.keys) == Set(every.keys))
        #expect(throttled.values.allSatisfy { $0.count == 1 }, "\(throttled)")
        #expect(throttled.keys.allSatisfy { throttled[$0]?.last == every[$0]?.last })
    }

    @Test("a --db that already holds evidence: only what the stream adds is reported")
    func baseline() throws {
        let dir = LiveSupport.tempDir()
        let lines = try Samples.flows().map(\.line)
        let capture = LiveSupport.capture(lines, in: dir)
        let policies = LiveSupport.writePolicies(in: dir)
        let db = dir.appendingPathComponent("w.db").path
        _ = try LiveSupport.ingest(capture, db: db)
        let check = try Check.run(Check.Options(policies: [policies], db: db))
        var o = Watch.Options(policies: [policies], db: db)
        o.stdinDescriptor = Self.stream(try String(contentsOfFile: capture, encoding: .utf8))
        var events: [Watch.Event] = []
        _ = try Watch.prepare(o).run(path: "-", onIssue: { _ in }) { events.append($0) }
        // the stream repeats the capture: the same connections, counted once more in the store
        #expect(LiveSupport.blocked(events) == Set(check.report.denied.map(LiveSupport.Blocked.init)))
        let again = try Check.run(Check.Options(policies: [policies], db: db))
        #expect(again.report.deniedFlows == 2 * check.report.deniedFlows)
    }

    @Test("a stop request ends the watch with what was read (the last batch committed)")
    func stop() throws {
        let dir = LiveSupport.tempDir()
        let lines = try Samples.flows().map(\.line)
        let policies = LiveSupport.writePolicies(in: dir)
        var input: [Int32] = [-1, -1], stopPipe: [Int32] = [-1, -1]
        _ = pipe(&input)
        _ = pipe(&stopPipe)
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        _ = text.withUnsafeBytes { write(input[1], $0.baseAddress, min($0.count, 60_000)) }  // the input stays open
        let stopFD = stopPipe[1]
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 1.0)
            var b: UInt8 = 1
            _ = write(stopFD, &b, 1)
        }
        var o = Watch.Options(policies: [policies])
        o.stdinDescriptor = input[0]
        o.stopDescriptor = stopPipe[0]
        let summary = try Watch.prepare(o).run(path: "-", onIssue: { _ in }) { _ in }
        #expect(summary.counts.accepted > 0)
        #expect(summary.counts.accepted < Int64(lines.count))
        close(input[1])
    }

    @Test("text and jsonl lines name the connection, its count and the side that denies it")
    func format() throws {
        var i = PolicyCheck.Item(source: "bookinfo/Deployment/productpage", destination: "bookinfo/Deployment/reviews",
                                 proto: "TCP", port: 9080, flows: 7, firstSeen: "2021-10-04T14:28:40Z",
                                 lastSeen: "2021-10-04T14:29:00Z", note: "")
        i.deniedBy = ["ingress"]
        i.destinationIngressPolicies = ["bookinfo/reviews-ingress"]
        #expect(WatchFormatter.line(.blocked(i), style: .text)
                == "BLOCK      bookinfo/Deployment/productpage -> bookinfo/Deployment/reviews TCP/9080 (denied by "
                + "ingress): 7 flow(s) since 2021-10-04T14:28:40Z")
        let j = WatchFormatter.line(.update(i, previousFlows: 3), style: .jsonl)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.utf8)) as? [String: Any])
        #expect(obj["event"] as? String == "update")
        #expect(obj["flows"] as? Int == 7)
        #expect(obj["previous_flows"] as? Int == 3)
        // the port as every verb's JSON writes one, no protocol key of its own
        let port = try #require(obj["port"] as? [String: Any])
        #expect(port["protocol"] as? String == "TCP" && port["port"] as? Int == 9080 && port["end_port"] as? Int == 9080)
        #expect(obj["protocol"] == nil)
        #expect(obj["denied_by"] as? [String] == ["ingress"])
        #expect(obj["destination_ingress_policies"] as? [String] == ["bookinfo/reviews-ingress"])
        #expect(!j.contains("\n"))
        // Hubble's lost events are in the summary: text and JSON Lines
        var summary = Watch.Summary()
        summary.source = "hubble x:1"
        #expect(WatchFormatter.summary(summary, style: .text, lostEvents: 12).contains("12 events lost by Hubble"))
        let line = WatchFormatter.summary(summary, style: .jsonl, lostEvents: 12)
        let s = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(s["lost_events"] as? Int == 12, "\(line)")
    }

    @Test("a policy set check refuses is refused by watch too, before anything is read")
    func refusesInvalid() throws {
        let dir = LiveSupport.tempDir()
        let p = dir.appendingPathComponent("empty.yaml")
        try "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n".write(to: p, atomically: true, encoding: .utf8)
        #expect(throws: PolicyInputs.Failure.self) { _ = try Watch.prepare(Watch.Options(policies: [p.path])) }
    }
}
