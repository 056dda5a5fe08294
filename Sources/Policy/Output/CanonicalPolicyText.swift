/// A normalized YAML rendering of a validated policy (defaults applied, keys and labels sorted), so structural
/// diffs show meaning-bearing changes rather than formatting.
public enum CanonicalPolicyText {
    public static func lines(_ p: NetworkPolicy) -> [String] {
        var out = ["podSelector: \(selector(p.podSelector))"]
        out.append("policyTypes: [\(PolicyType.allCases.filter { p.policyTypes.contains($0) }.map(\.rawValue).joined(separator: ", "))]")
        for (key, peersKey, rules) in [("ingress", "from", p.ingress), ("egress", "to", p.egress)]
        where p.affects(key == "ingress" ? .ingress : .egress) {
            out.append(rules.isEmpty ? "\(key): []" : "\(key):")
            for r in rules {
                out.append("- \(peersKey):" + (r.peers.isEmpty ? " [] # all" : ""))
                for peer in r.peers { out.append("  - " + self.peer(peer)) }
                out.append("  ports:" + (r.ports.isEmpty ? " [] # all" : ""))
                for port in r.ports { out.append("  - " + self.port(port)) }
            }
        }
        return out
    }

    static func selector(_ s: LabelSelector) -> String {
        var parts: [String] = []
        if !s.matchLabels.isEmpty {
            parts.append("matchLabels: {" + s.matchLabels.keys.sorted().map { "\($0): \(s.matchLabels[$0]!)" }
                .joined(separator: ", ") + "}")
        }
        if !s.matchExpressions.isEmpty {
            parts.append("matchExpressions: [" + s.matchExpressions.map {
                "{key: \($0.key), operator: \($0.op.rawValue)" + ($0.values.isEmpty ? "" : ", values: [\($0.values.sorted().joined(separator: ", "))]") + "}"
            }.joined(separator: ", ") + "]")
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    static func peer(_ p: NetworkPolicyPeer) -> String {
        switch p {
        case .ipBlock(let b):
            return "ipBlock: {cidr: \(b.cidr)" + (b.except.isEmpty ? "" : ", except: [\(b.except.map(\.description).joined(separator: ", "))]") + "}"
        case .pods(let ps, let ns):
            var parts: [String] = []
            if let ns { parts.append("namespaceSelector: \(selector(ns))") }
            if let ps { parts.append("podSelector: \(selector(ps))") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }

    static func port(_ p: NetworkPolicyPort) -> String {
        var s = "{protocol: \(p.proto.rawValue)"
        switch p.port {
        case .number(let n)?: s += ", port: \(n)"
        case .name(let n)?: s += ", port: \(n)"
        case nil: break
        }
        if let e = p.endPort { s += ", endPort: \(e)" }
        return s + "}"
    }
}
