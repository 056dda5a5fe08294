import Foundation
import FlowModel
@testable import Policy
import TestSupport

/// network-config-analyzer's answers (`Oracle.NCA`, TestSupport) parsed: its `txt_no_fw_rules` connectivity lines
/// as FlowMap connection sets.
struct NCAOracle {
    enum End: Hashable, CustomStringConvertible {
        case pod(String)  // "ns/name"
        case range(IPRange)
        var description: String {
            switch self {
            case .pod(let p): return p
            case .range(let r): return r.description
            }
        }
    }

    struct Line: Hashable {
        var source: End
        var destination: End
        var connections: ConnectionSet
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Pod to pod: "ns/name" -> "ns/name" -> the union of NCA's lines between them (a pair not listed has none).
    static func podPairs(_ lines: [Line]) -> [String: [String: ConnectionSet]] {
        var p: [String: [String: ConnectionSet]] = [:]
        for l in lines {
            if case .pod(let s) = l.source, case .pod(let d) = l.destination {
                p[s, default: [:]][d, default: .none].formUnion(l.connections)
            }
        }
        return p
    }

    /// What NCA allows between `pod` ("ns/name") and the address `ip`: to it when `outbound`, else from it; the
    /// union of every range line that contains the address.
    static func connections(_ lines: [Line], pod: String, address ip: IPAddr, outbound: Bool) -> ConnectionSet {
        var c = ConnectionSet.none
        for l in lines {
            if outbound, case .pod(pod) = l.source, case .range(let r) = l.destination, r.contains(ip) {
                c.formUnion(l.connections)
            }
            if !outbound, case .pod(pod) = l.destination, case .range(let r) = l.source, r.contains(ip) {
                c.formUnion(l.connections)
            }
        }
        return c
    }

    /// Every case (YAML text) through NCA, one forked run per case; each case's connectivity lines.
    static func run(cases: [String], workDir: URL) throws -> [[Line]] {
        try Oracle.NCA.run(cases: cases, workDir: workDir).map(parse)
    }

    static func parse(_ text: String) throws -> [Line] {
        var out: [Line] = []
        for raw in text.split(separator: "\n") {
            let line = String(raw)
            guard let arrow = line.range(of: " => "), let colon = line.range(of: " : ", range: arrow.upperBound..<line.endIndex)
            else { continue }
            let src = String(line[..<arrow.lowerBound]), dst = String(line[arrow.upperBound..<colon.lowerBound])
            if src.contains("-livesim") || dst.contains("-livesim") { continue }  // NCA's invented pods
            let conn = String(line[colon.upperBound...])
            guard let s = end(src), let d = end(dst) else { throw Failure(description: "cannot parse peer in: \(line)") }
            out.append(Line(source: s, destination: d, connections: try connections(conn)))
        }
        return out
    }

    static func end(_ s: String) -> End? {
        if s.hasSuffix("]"), let b = s.firstIndex(of: "[") { return .pod(String(s[..<b])) }
        if let dash = s.firstIndex(of: "-"), let a = IPAddr(String(s[..<dash])),
           let b = IPAddr(String(s[s.index(after: dash)...])) {
            return .range(IPRange(first: a, last: b))
        }
        if let c = CIDR(s) { return .range(c.range) }
        if let a = IPAddr(s) { return .range(IPRange(first: a, last: a)) }
        return nil
    }

    /// `All connections`, `No connections`, `{protocols:TCP, UDP,dst_ports:53},{...}`, `All but {...}`.
    static func connections(_ s: String) throws -> ConnectionSet {
        if s == "All connections" { return .all }
        if s == "No connections" { return .none }
        if s.hasPrefix("All but ") { return ConnectionSet.all.subtracting(try cubes(String(s.dropFirst(8)))) }
        return try cubes(s)
    }

    static func cubes(_ s: String) throws -> ConnectionSet {
        var result = ConnectionSet.none
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { throw Failure(description: "bad cube: \(s)") }
            result.formUnion(try cube(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        return result
    }

    static func cube(_ body: String) throws -> ConnectionSet {
        var protocols: Set<String> = ["TCP", "UDP", "SCTP"]
        var ports = PortSet.all
        var protoText: String? = nil, portText: String? = nil
        if let r = body.range(of: "dst_ports:") {
            portText = String(body[r.upperBound...])
            let before = body[..<r.lowerBound]
            if before.hasPrefix("protocols:") { protoText = String(before.dropFirst(10).dropLast()) }
        } else if body.hasPrefix("protocols:") {
            protoText = String(body.dropFirst(10))
        } else {
            throw Failure(description: "unknown cube dimensions: {\(body)}")
        }
        if let pt = protoText {
            var names = pt.components(separatedBy: ", ").map { $0.trimmingCharacters(in: .whitespaces) }
            if names.first?.hasPrefix("all but ") == true {
                names[0] = String(names[0].dropFirst(8))
                protocols.subtract(names)
            } else {
                protocols = protocols.intersection(names)
            }
        }
        if let pt = portText {
            var set = PortSet()
            for part in pt.split(separator: ",") {
                let bounds = part.split(separator: "-").compactMap { Int($0) }
                guard bounds.count == 1 || bounds.count == 2 else { throw Failure(description: "bad ports: \(pt)") }
                set.formUnion(PortSet(bounds[0]...bounds.last!))
            }
            ports = set
        }
        var c = ConnectionSet.none
        for p in ConnectionSet.protocols where protocols.contains(p.rawValue) { c[p] = ports }
        return c
    }
}
