import Policy

/// `flowmap explain --output json` (schema/explain.schema.json).
struct ExplainJSON: Encodable {
    struct Side: Encodable {
        var direction: String
        var endpoint: String
        /// False when this end is not a pod (NetworkPolicy does not apply to it).
        var is_pod: Bool
        var allowed: Bool
        /// Policies isolating this end in this direction; empty: not isolated.
        var isolated_by: [String]
        var rules: [String]

        init(_ s: PolicyExplanation.Side) {
            direction = s.direction.rawValue.lowercased()
            endpoint = s.endpoint
            is_pod = s.isPod
            allowed = s.allowed
            isolated_by = s.isolatedBy
            rules = s.rules
        }
    }
    /// `allowed`, `denied`, `unresolved` (an end the inventory does not know) or `not_covered` (a protocol
    /// NetworkPolicy does not cover).
    var verdict: String
    /// The sides that deny it (`egress`, `ingress`).
    var denied_by: [String]
    var summary: String
    var source: String
    var destination: String
    var port: PortJSON
    var policies: Int
    var workloads: Int
    var caveats: EvaluationCaveats.JSON
    var egress: Side
    var ingress: Side
    /// Inventory routes the connection uses, sorted.
    var routes: [String]
}

extension Explain.Result {
    public func document(as format: ResultFormat) -> String {
        let x = explanation
        var verdict = "allowed", deniedBy: [String] = []
        switch x.verdict {
        case .allowed: break
        case .denied(let e, let i):
            verdict = "denied"
            deniedBy = (e ? ["egress"] : []) + (i ? ["ingress"] : [])
        case .unresolved: verdict = "unresolved"
        case .notCovered: verdict = "not_covered"
        }
        let summary = text.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        return ResultText.document(verb: "explain", ExplainJSON(
            verdict: verdict, denied_by: deniedBy, summary: summary, source: x.source, destination: x.destination,
            port: PortJSON(x.proto, x.port), policies: policies, workloads: workloads, caveats: caveats.json,
            egress: .init(x.egress), ingress: .init(x.ingress), routes: routes), as: format)
    }
}
