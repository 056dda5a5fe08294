import Foundation
import FlowModel
import Policy

/// `flowmap watch` output: one line per event (text, or JSON Lines for alerting pipelines) and the summary; or, with
/// `json`, nothing while it runs and one document at the end (the summary with the connections it would block).
public enum WatchFormatter {
    public enum Style: String, Sendable, CaseIterable {
        case text, jsonl, json

        /// Whether each event is printed as it happens (text, jsonl); `json` prints only the final document.
        public var streamsEvents: Bool { self != .json }
    }

    /// One event as a JSON object (sorted keys, one line) or a text line.
    public static func line(_ e: Watch.Event, style: Style) -> String {
        let (kind, item, previous): (String, PolicyCheck.Item, Int64?)
        switch e {
        case .blocked(let i): (kind, item, previous) = ("blocked", i, nil)
        case .unresolved(let i): (kind, item, previous) = ("unresolved", i, nil)
        case .update(let i, let p): (kind, item, previous) = ("update", i, p)
        }
        switch style {
        case .jsonl, .json:
            return json(EventRecord(event: kind, item: ItemRecord(item), previous_flows: previous))
        case .text:
            let conn = "\(item.source) -> \(item.destination) \(item.proto)/\(item.port)"
            switch e {
            case .blocked:
                let by = item.deniedBy.isEmpty ? "" : " (denied by \(item.deniedBy.joined(separator: " and ")))"
                let note = item.note.isEmpty ? "" : " \(item.note)"
                return "BLOCK      \(conn)\(by)\(note): \(item.flows) flow(s) since \(item.firstSeen)"
            case .unresolved:
                return "UNRESOLVED \(conn): not evaluated, \(item.note)"
            case .update(_, let p):
                return "BLOCK      \(conn): \(item.flows) flow(s) (+\(item.flows - p)), last \(item.lastSeen)"
            }
        }
    }

    /// The end of a watch: what was read and `check`'s verdict over it (`json`: the whole document).
    public static func summary(_ s: Watch.Summary, style: Style, lostEvents: Int64 = 0) -> String {
        let r = s.report
        let totals = SummaryRecord(source: s.source, lines: s.counts.lines, accepted: s.counts.accepted,
                                   rejected: s.counts.rejected, allowed_connections: r.allowedConnections,
                                   blocked_connections: r.deniedConnections, blocked_flows: r.deniedFlows,
                                   unresolved_connections: r.unresolvedConnections, not_covered: r.skipped,
                                   lost_events: lostEvents, policies: s.policies, workloads: s.workloads)
        switch style {
        case .jsonl:
            return json(SummaryLine(summary: totals))
        case .json:
            return ResultText.json(Report(summary: totals, blocked: r.denied.map(ItemRecord.init),
                                          unresolved: r.unresolved.map(ItemRecord.init)))
        case .text:
            var out = "watched \(s.source): \(s.counts.lines) lines, \(s.counts.accepted) flows accepted, "
                + "\(s.counts.rejected) rejected"
            if lostEvents > 0 { out += ", \(lostEvents) events lost by Hubble (not seen, so not evaluated)" }
            out += "\n\(s.policies) policies over \(s.workloads) workloads: \(r.allowedConnections) connection(s) "
                + "allowed, \(r.deniedConnections) would be blocked (\(r.deniedFlows) flows), "
                + "\(r.unresolvedConnections) not evaluated (unknown end), \(r.skipped) not covered by policy"
            return out
        }
    }

    /// A connection as every verb's JSON names it (`check`'s items): the port as `{"protocol", "port", "end_port"}`.
    struct ItemRecord: Encodable {
        var source, destination: String
        var port: PortJSON
        var flows: Int64
        var first_seen, last_seen: String
        var denied_by: [String]?
        var note: String?
        var source_egress_policies, destination_ingress_policies: [String]
        init(_ i: PolicyCheck.Item) {
            source = i.source
            destination = i.destination
            port = PortJSON(i.proto, i.port, i.port)
            flows = i.flows
            first_seen = i.firstSeen
            last_seen = i.lastSeen
            denied_by = i.deniedBy.isEmpty ? nil : i.deniedBy
            note = i.note.isEmpty ? nil : i.note
            source_egress_policies = i.sourceEgressPolicies
            destination_ingress_policies = i.destinationIngressPolicies
        }
    }

    /// A JSON Lines event: the item's keys beside `event` (and `previous_flows` for an update).
    struct EventRecord: Encodable {
        var event: String
        var item: ItemRecord
        var previous_flows: Int64?
        enum CodingKeys: String, CodingKey { case event, previous_flows }
        func encode(to encoder: Encoder) throws {
            try item.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(event, forKey: .event)
            try c.encodeIfPresent(previous_flows, forKey: .previous_flows)
        }
    }

    struct SummaryRecord: Encodable {
        var source: String
        var lines, accepted, rejected: Int64
        var allowed_connections, blocked_connections: Int
        var blocked_flows: Int64
        var unresolved_connections, not_covered: Int
        var lost_events: Int64
        var policies, workloads: Int
    }

    /// The JSON Lines summary: the totals beside `"event": "summary"`.
    struct SummaryLine: Encodable {
        var summary: SummaryRecord
        enum CodingKeys: String, CodingKey { case event }
        func encode(to encoder: Encoder) throws {
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("summary", forKey: .event)
        }
    }

    /// `--output json`: the summary's totals, and the connections it would block and could not evaluate (latest
    /// counts, `check`'s order).
    struct Report: Encodable {
        var schema_version = 1
        var verb = "watch"
        var summary: SummaryRecord
        var blocked: [ItemRecord]
        var unresolved: [ItemRecord]
        enum CodingKeys: String, CodingKey { case schema_version, verb, blocked, unresolved }
        func encode(to encoder: Encoder) throws {
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(schema_version, forKey: .schema_version)
            try c.encode(verb, forKey: .verb)
            try c.encode(blocked, forKey: .blocked)
            try c.encode(unresolved, forKey: .unresolved)
        }
    }

    static func json<T: Encodable>(_ v: T) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let d = try? enc.encode(v) else { return "{}" }
        return String(decoding: d, as: UTF8.self)
    }
}
