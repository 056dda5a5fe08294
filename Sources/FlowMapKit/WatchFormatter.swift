import Foundation
import FlowModel
import Policy

/// `flowmap watch` output: one line per event (text, or JSON Lines for alerting pipelines) and the summary.
public enum WatchFormatter {
    public enum Style: String, Sendable, CaseIterable {
        case text, jsonl
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
        case .jsonl:
            return json(EventRecord(event: kind, source: item.source, destination: item.destination,
                                    protocol: item.proto, port: item.port, flows: item.flows,
                                    previousFlows: previous, firstSeen: item.firstSeen, lastSeen: item.lastSeen,
                                    deniedBy: item.deniedBy.isEmpty ? nil : item.deniedBy,
                                    note: item.note.isEmpty ? nil : item.note,
                                    sourceEgressPolicies: item.sourceEgressPolicies,
                                    destinationIngressPolicies: item.destinationIngressPolicies))
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

    /// The end of a watch: what was read and `check`'s verdict over it.
    public static func summary(_ s: Watch.Summary, style: Style, lostEvents: Int64 = 0) -> String {
        let r = s.report
        switch style {
        case .jsonl:
            return json(SummaryRecord(event: "summary", source: s.source, lines: s.counts.lines,
                                      accepted: s.counts.accepted, rejected: s.counts.rejected,
                                      allowedConnections: r.allowedConnections, blockedConnections: r.deniedConnections,
                                      blockedFlows: r.deniedFlows, unresolvedConnections: r.unresolvedConnections,
                                      notCovered: r.skipped, lostEvents: lostEvents, policies: s.policies,
                                      workloads: s.workloads))
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

    struct EventRecord: Encodable {
        var event, source, destination, `protocol`: String
        var port: Int
        var flows: Int64
        var previousFlows: Int64?
        var firstSeen, lastSeen: String
        var deniedBy: [String]?
        var note: String?
        var sourceEgressPolicies, destinationIngressPolicies: [String]
        enum CodingKeys: String, CodingKey {
            case event, source, destination, `protocol`, port, flows, note
            case previousFlows = "previous_flows", firstSeen = "first_seen", lastSeen = "last_seen"
            case deniedBy = "denied_by", sourceEgressPolicies = "source_egress_policies"
            case destinationIngressPolicies = "destination_ingress_policies"
        }
    }

    struct SummaryRecord: Encodable {
        var event, source: String
        var lines, accepted, rejected: Int64
        var allowedConnections, blockedConnections: Int
        var blockedFlows: Int64
        var unresolvedConnections, notCovered: Int
        var lostEvents: Int64
        var policies, workloads: Int
        enum CodingKeys: String, CodingKey {
            case event, source, lines, accepted, rejected, policies, workloads
            case allowedConnections = "allowed_connections", blockedConnections = "blocked_connections"
            case blockedFlows = "blocked_flows", unresolvedConnections = "unresolved_connections"
            case notCovered = "not_covered", lostEvents = "lost_events"
        }
    }

    static func json<T: Encodable>(_ v: T) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let d = try? enc.encode(v) else { return "{}" }
        return String(decoding: d, as: UTF8.self)
    }
}
