/// Cluster-wide checks over the admin-tier objects of a set, once every file is read.
extension ManifestSet {
    /// Rejects a second object of one kind and name (the API server keeps one; the last stays, as for
    /// NetworkPolicies) and a second BaselineAdminNetworkPolicy; warns about equal priorities in one tier (the
    /// KEP leaves their order undefined) and about peers FlowMap cannot match (nodes, domainNames).
    public mutating func checkAdminPolicies() {
        var last: [String: Int] = [:]
        for (i, p) in adminPolicies.enumerated() { last[p.qualifiedName] = i }
        var kept: [AdminPolicy] = []
        for (i, p) in adminPolicies.enumerated() {
            let winner = last[p.qualifiedName]!
            if winner == i { kept.append(p); continue }
            let here = p.location ?? SourceLocation(file: "?", document: -1)
            issues.append(ManifestIssue(
                file: here.file, document: here.document, path: "metadata.name", line: here.line,
                object: p.qualifiedName,
                message: "Duplicate value: \"\(p.name)\": also defined at "
                    + "\(adminPolicies[winner].location.map(\.description) ?? "?"); the API server keeps only one "
                    + "\(p.kind.rawValue) per name: rename or remove one of them"))
        }
        adminPolicies = kept
        var byPriority: [String: [AdminPolicy]] = [:]
        for p in adminPolicies where p.kind != .baselineAdminNetworkPolicy {
            byPriority["\(p.tier.rawValue) \(p.priority)", default: []].append(p)
        }
        for key in byPriority.keys.sorted() where byPriority[key]!.count > 1 {
            let group = byPriority[key]!.sorted(by: AdminPolicy.precedes)
            let loc = group[1].location ?? SourceLocation(file: "?", document: -1)
            warnings.append(ManifestIssue(
                file: loc.file, document: loc.document, path: "spec.priority", line: loc.line,
                object: group[1].qualifiedName,
                message: "policies \(group.map(\.qualifiedName).joined(separator: ", ")) have the same priority "
                    + "\(group[0].priority) in the \(group[0].tier.rawValue) tier: their order is undefined (KEP-2091); "
                    + "FlowMap evaluates them in this order: give each a distinct priority"))
        }
        for p in adminPolicies {
            for (ri, r) in p.egress.enumerated() {
                for (pi, peer) in r.peers.enumerated() {
                    let what: String
                    switch peer {
                    case .nodes: what = "nodes peer: FlowMap knows no node labels, so it matches no node"
                    case .domainNames: what = "domainNames peer: FlowMap resolves no names; it matches only addresses the "
                        + "store observed one of the names for (check --db), nothing in verbs without a store"
                    default: continue
                    }
                    let loc = p.location ?? SourceLocation(file: "?", document: -1)
                    warnings.append(ManifestIssue(
                        file: loc.file, document: loc.document, path: "spec.egress[\(ri)].to[\(pi)]", line: loc.line,
                        object: p.qualifiedName, message: "\(what); verdicts on traffic it names may be wrong"))
                }
            }
        }
    }
}

extension ManifestSet {
    /// NetworkPolicies plus admin-tier objects: what a verdict line counts as "policies".
    public var evaluatedPolicyCount: Int { policies.count + adminPolicies.count + ciliumPolicies.count }
}
