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
            return JSONText.line(Merged(record(item), Event(event: kind, previous_flows: previous)))
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
            return JSONText.line(Merged(totals, Event(event: "summary")))
        case .json:
            return JSONText.document(verb: "watch", Merged(totals, Lists(blocked: r.denied.map(record),
                                                                         unresolved: r.unresolved.map(record))))
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

    /// A connection as every verb's JSON names it (`ConnectionJSON`, `check`'s items), with what denied it.
    typealias ItemRecord = Merged<ConnectionJSON, Findings>
    struct Findings: Encodable {
        var denied_by: [String]?
        var note: String?
        var source_egress_policies, destination_ingress_policies: [String]
    }

    static func record(_ i: PolicyCheck.Item) -> ItemRecord {
        Merged(ConnectionJSON(i), Findings(denied_by: i.deniedBy.isEmpty ? nil : i.deniedBy, note: i.note.isEmpty ? nil : i.note,
                                           source_egress_policies: i.sourceEgressPolicies,
                                           destination_ingress_policies: i.destinationIngressPolicies))
    }

    /// A JSON Lines record's `event` (and `previous_flows` for an update), beside the item's or the summary's keys.
    struct Event: Encodable {
        var event: String
        var previous_flows: Int64?
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

    /// `--output json`: beside the summary's totals, the connections it would block and could not evaluate (latest
    /// counts, `check`'s order).
    struct Lists: Encodable {
        var blocked: [ItemRecord]
        var unresolved: [ItemRecord]
    }
}
