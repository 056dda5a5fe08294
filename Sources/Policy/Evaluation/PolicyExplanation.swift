import FlowModel

/// Why a policy set allows or denies one connection: the verdict (`PolicyCheck.verdict`, the path `check` and
/// `map --policies` use) and, per side, the policies isolating that end and what each of their rules says about
/// the other end and the port.
public struct PolicyExplanation: Sendable {
    /// One side of the connection: egress from the source or ingress to the destination.
    public struct Side: Sendable {
        public var direction: PolicyType
        public var endpoint: String
        /// False when this end is not a pod (NetworkPolicy does not apply to it).
        public var isPod: Bool
        public var allowed: Bool
        /// Policies isolating this end in this direction (`namespace/name`, sorted); empty: not isolated.
        public var isolatedBy: [String]
        /// One line per rule of those policies (and per isolating policy without rules), and the admin/baseline
        /// tier rules deciding the port, sorted.
        public var rules: [String]
    }

    public var source: String
    public var destination: String
    public var proto: Proto
    public var port: Int
    public var verdict: PolicyCheck.Verdict
    public var egress: Side
    public var ingress: Side

    public var allowed: Bool { verdict == .allowed }

    public init(_ ev: PolicyEvaluator, source: Endpoint, destination: Endpoint, proto: Proto, port: Int,
                addresses: [Endpoint: [String]] = [:]) {
        self.source = source.description
        self.destination = destination.description
        self.proto = proto
        self.port = port
        let key = EdgeKey(source: source, destination: destination, proto: proto, port: UInt16(clamping: port),
                          outcome: .allowed)
        verdict = PolicyCheck.verdict(key, ev, addresses: addresses)
        let src = PolicyCheck.peers(source, ev, addresses), dst = PolicyCheck.peers(destination, ev, addresses)
        egress = Self.side(ev, .egress, source.description, own: src, other: dst, proto: proto, port: port)
        ingress = Self.side(ev, .ingress, destination.description, own: dst, other: src, proto: proto, port: port)
    }

    static func side(_ ev: PolicyEvaluator, _ direction: PolicyType, _ name: String, own: [EvalPeer],
                     other: [EvalPeer], proto: Proto, port: Int) -> Side {
        let isEgress = direction == .egress
        var s = Side(direction: direction, endpoint: name, isPod: false, allowed: true, isolatedBy: [], rules: [])
        var lines = Set<String>()
        var isolating = Set<String>()
        struct Tally {
            var matched = 0
            var asked = 0
            var connections = ConnectionSet.all
        }
        var tallies: [String: Tally] = [:]
        let field = isEgress ? "egress" : "ingress", peers = isEgress ? "to" : "from"
        for case .workload(let w) in own {
            s.isPod = true
            for o in other {
                let half = isEgress ? ev.sides(from: .workload(w), to: o).egress : ev.sides(from: o, to: .workload(w)).ingress
                if !half.contains(proto, port) { s.allowed = false }
                let matches = ev.ruleMatches(of: w, egress: isEgress, peer: o)
                lines.formUnion(ev.tierDecisions(of: w, egress: isEgress, peer: o, proto: proto, port: port))
                for p in ev.isolatingPolicies(of: w, egress: isEgress) {
                    isolating.insert(p)
                    if p.hasPrefix("Cilium") {
                        // Rule-level detail is only listed for NetworkPolicies; the side's verdict covers Cilium's.
                        lines.insert("\(p): has \(field) rules for this endpoint (the side's verdict includes them)")
                    } else if !matches.contains(where: { ev.policies[$0.policy].qualifiedName == p }) {
                        lines.insert("\(p): isolates \(field), no \(field) rules: allows nothing")
                    }
                }
                for m in matches {
                    let rule = "\(ev.policies[m.policy].qualifiedName) \(field)[\(m.rule)]"
                    var t = tallies[rule, default: Tally()]
                    t.asked += 1
                    if m.peerMatches {
                        t.matched += 1
                        t.connections = t.connections.intersection(m.connections)
                    }
                    tallies[rule] = t
                }
            }
        }
        // One line per rule: whether its peers match the other end (every variant or address of it, some, none)
        // and what it allows.
        for (rule, t) in tallies {
            if t.matched == 0 {
                lines.insert("\(rule): \(peers) does not match")
                continue
            }
            let which = t.matched == t.asked ? "matches" : "matches \(t.matched) of \(t.asked) variants or addresses"
            let verdict = t.connections.contains(proto, port) ? "allows \(proto.rawValue) \(port)" : "not \(proto.rawValue) \(port)"
            lines.insert("\(rule): \(peers) \(which), ports \(t.connections): \(verdict)")
        }
        s.isolatedBy = isolating.sorted()
        s.rules = lines.sorted()
        return s
    }

    /// Text for people: the verdict, then each side with the policies and rules.
    public var text: String {
        var out = "\(source) => \(destination) : \(proto.rawValue) \(port)\n"
        switch verdict {
        case .allowed: out += "verdict: allowed"
        case .denied(let e, let i):
            out += "verdict: denied by " + [e ? "the egress of \(source)" : nil, i ? "the ingress of \(destination)" : nil]
                .compactMap { $0 }.joined(separator: " and ")
        case .unresolved(let ep): out += "verdict: not evaluated: \(ep) is not in the inventory"
        case .notCovered: out += "verdict: not evaluated: NetworkPolicy does not cover \(proto.rawValue)"
        }
        out += "\n"
        for s in [egress, ingress] {
            let title = s.direction == .egress ? "egress from \(s.endpoint)" : "ingress to \(s.endpoint)"
            guard s.isPod else {
                out += "\(title): not a pod, no NetworkPolicy applies\n"
                continue
            }
            out += "\(title): \(s.allowed ? "allowed" : "denied")"
            if s.isolatedBy.isEmpty {
                out += " (not isolated: no policy selects it for \(s.direction.rawValue.lowercased()))\n"
            } else {
                out += " (isolated by \(s.isolatedBy.joined(separator: ", ")))\n"
            }
            for r in s.rules { out += "  \(r)\n" }
        }
        if verdict == .allowed && !(egress.allowed && ingress.allowed) {
            out += "note: allowed although a side has no rule for it: own-node, self or host-network node traffic is always allowed\n"
        }
        return out
    }
}
