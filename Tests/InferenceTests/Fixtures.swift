import FlowModel
@testable import Inference

/// Small builders for hand-written evidence.
enum Fx {
    static func w(_ ns: String, _ name: String, kind: String = "Deployment") -> Endpoint {
        .workload(ns, name, kind: kind)
    }

    static let t0: Int64 = 1_700_000_000_000_000_000
    static let sec: Int64 = 1_000_000_000

    static func edge(_ s: Endpoint, _ d: Endpoint, _ proto: Proto = .tcp, _ port: UInt16, flows: Int64 = 10,
                     outcome: Outcome = .allowed, first: Int64 = t0, last: Int64 = t0 + 60 * sec) -> ObservedEdge {
        ObservedEdge(key: EdgeKey(source: s, destination: d, proto: proto, port: port, outcome: outcome),
                     stats: EdgeStats(flows: flows, firstSeen: first, lastSeen: last))
    }

    static func plan(_ w: Endpoint, in p: PolicyPlan) -> WorkloadPlan? {
        p.namespaces.first { $0.name == w.namespace }?.workloads.first { $0.endpoint == w }
    }

    /// The rule of `w` (ingress or egress) towards the peer whose description contains `peer`.
    static func rule(_ rules: [RulePlan], _ peer: PeerPlan) -> RulePlan? { rules.first { $0.peer == peer } }

    static func ports(_ r: RulePlan?) -> [String] { (r?.ports ?? []).map { "\($0.proto.rawValue)/\($0.port)" } }
}
