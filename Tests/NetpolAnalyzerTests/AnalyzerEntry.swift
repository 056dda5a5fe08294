import FlowModel
import Foundation
import Policy

/// One line of a netpol-analyzer connlist (`src => dst : conns`) or diff (`diff-type: …`) output, or the same
/// fact from FlowMap, in a form that can be compared semantically: external peers as address ranges, connection
/// sets parsed (so `SCTP 7070,TCP 8080` equals FlowMap's `TCP 8080,SCTP 7070`).
struct AnalyzerEntry {
    enum Peer: Hashable {
        case workload(String)
        case ranges([IPRange])
    }

    var source: Peer
    var destination: Peer
    /// What must agree: the connections (connlist), or the diff type, both sides' connections and the
    /// workloads-diff-info (diff).
    var value: String
    /// Where it came from: `line N: text` (golden) or the FlowMap text.
    var origin: String

    /// `ns/name[Kind]`, or `a-b[,c-d…][External]`.
    static func peer(_ text: String) -> Peer? {
        guard text.hasSuffix("[External]") else { return .workload(text) }
        var out: [IPRange] = []
        for part in text.dropLast("[External]".count).split(separator: ",") {
            let ends = part.split(separator: "-", maxSplits: 1).map(String.init)
            guard let a = IPAddr(ends[0]), let b = IPAddr(ends.count > 1 ? ends[1] : ends[0]) else { return nil }
            out.append(IPRange(first: a, last: b))
        }
        return .ranges(out)
    }

    /// `All Connections`, `No Connections`, `TCP 80,8080-8090,UDP 53`: numbered ports only (nil for a named one).
    static func connections(_ text: String) -> ConnectionSet? {
        guard let c = exposureConnections(text), c.named.isEmpty else { return nil }
        return c.ports
    }

    /// `All Connections`, `TCP 8000,8090`, `TCP http,local-dns`, `TCP 80,UDP 53` (any protocol order) as
    /// ExposureConnections: numbers and ranges as ports, anything else as a named port.
    static func exposureConnections(_ text: String) -> ExposureConnections? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "All Connections" { return ExposureConnections(ports: .all) }
        if t == "No Connections" { return ExposureConnections() }
        var ports = ConnectionSet.none, named: [ExposureConnections.NamedPort] = []
        var proto: Proto?
        for token in t.split(separator: ",") {
            var value = Substring(token)
            let words = token.split(separator: " ")
            if words.count == 2 {
                guard let p = Proto(rawValue: String(words[0])) else { return nil }
                proto = p
                value = words[1]
            }
            // netpol-analyzer writes an admin-tier named port (no protocol) as ` local-port`: a name before any
            // protocol.
            guard let p = proto else {
                guard words.count == 1, Int(words[0].split(separator: "-")[0]) == nil else { return nil }
                named.append(.init(proto: nil, name: String(words[0])))
                continue
            }
            let ends = value.split(separator: "-").map { Int($0) }
            if ends.allSatisfy({ $0 != nil }) && (ends.count == 1 || ends.count == 2) {
                ports[p] = ports[p].union(PortSet(ends[0]!...ends[ends.count - 1]!))
            } else {
                named.append(.init(proto: p, name: String(value)))
            }
        }
        return ExposureConnections(ports: ports, named: named)
    }

    /// Parses a connlist line; nil for anything else.
    static func connlist(_ line: String, origin: String, rename: (String) -> String) -> AnalyzerEntry? {
        guard let arrow = line.range(of: " => "), let colon = line.range(of: " : ", range: arrow.upperBound..<line.endIndex),
              let s = peer(rename(String(line[..<arrow.lowerBound]))),
              let d = peer(rename(String(line[arrow.upperBound..<colon.lowerBound]))),
              let c = connections(String(line[colon.upperBound...])) else { return nil }
        return AnalyzerEntry(source: s, destination: d, value: c.description, origin: origin)
    }

    /// Parses a diff line (`diff-type: K, source: S, destination: D, R1: C, R2: C[, workloads-diff-info: I]`,
    /// FlowMap's evidence suffix `  […]` ignored); nil for anything else.
    static func diff(_ line: String, origin: String, rename: (String) -> String) -> AnalyzerEntry? {
        var text = line
        if let e = text.range(of: "  [", options: .backwards), text.hasSuffix("]") { text = String(text[..<e.lowerBound]) }
        // Fields are separated by ", " (connection sets use "," alone); the connection fields are named after
        // the compared sides (ref1/ref2 by default): the 4th and 5th.
        let fields = text.components(separatedBy: ", ").map { part -> (String, String) in
            guard let c = part.range(of: ": ") else { return (part, "") }
            return (String(part[..<c.lowerBound]), String(part[c.upperBound...]))
        }
        guard fields.count == 5 || fields.count == 6, fields[0].0 == "diff-type", fields[1].0 == "source",
              fields[2].0 == "destination", let s = peer(rename(fields[1].1)), let d = peer(rename(fields[2].1)),
              let c1 = connections(fields[3].1), let c2 = connections(fields[4].1) else { return nil }
        let info = fields.count == 6 && fields[5].0 == "workloads-diff-info" ? renameInfo(fields[5].1, rename) : ""
        return AnalyzerEntry(source: s, destination: d, value: "\(fields[0].1) | \(c1) | \(c2) | \(info)", origin: origin)
    }

    /// `workload A and B added` with each name mapped.
    static func renameInfo(_ info: String, _ rename: (String) -> String) -> String {
        var words = info.components(separatedBy: " ")
        for i in words.indices where words[i].contains("/") { words[i] = rename(words[i]) }
        return words.joined(separator: " ")
    }
}
