import FlowModel
@testable import Policy

/// An independent, brute-force encoding of docs/cilium-semantics.md for the differential test: one question
/// at a time (one protocol, one port, one request), every policy and rule scanned, labels as flat
/// `source:key` strings. It shares only the parsed model and `IPBlock`/HTTP-regex matching with the evaluator.
struct CiliumOracle {
    enum Peer: Hashable {
        case pod(Workload)
        case entity(String)
        case address(IPAddr)
    }

    let policies: [CiliumPolicy]
    let namespaceLabels: [String: [String: String]]
    let dnsNames: [IPAddr: [String]]

    /// `source:key` -> value.
    func labels(_ p: Peer) -> [String: String] {
        switch p {
        case .pod(let w):
            var out: [String: String] = [:]
            for (k, v) in w.labels { out["k8s:\(k)"] = v }
            out["k8s:io.kubernetes.pod.namespace"] = w.namespace
            for (k, v) in namespaceLabels[w.namespace] ?? [:] { out["k8s:io.cilium.k8s.namespace.labels.\(k)"] = v }
            out["k8s:io.cilium.k8s.policy.cluster"] = "default"
            return out
        case .entity(let e): return ["reserved:\(e)": ""]
        case .address: return ["reserved:world": ""]
        }
    }

    func lookup(_ labels: [String: String], _ source: String, _ key: String) -> String? {
        if source != "any" { return labels["\(source):\(key)"] }
        for k in labels.keys.sorted() where k.split(separator: ":", maxSplits: 1).last.map(String.init) == key {
            return labels[k]
        }
        return nil
    }

    func matches(_ s: CiliumSelector, _ labels: [String: String]) -> Bool {
        s.requirements.allSatisfy { r in
            let v = lookup(labels, r.source, r.key)
            switch r.op {
            case .in: return v != nil && r.values.contains(v!)
            case .notIn: return v == nil || !r.values.contains(v!)
            case .exists: return v != nil
            case .doesNotExist: return v == nil
            }
        }
    }

    func selectsSubject(_ p: CiliumPolicy, _ rule: CiliumRule, _ w: Workload) -> Bool {
        guard case .endpoints(let s) = rule.subject else { return false }
        if !p.isClusterwide && w.namespace != p.namespace { return false }
        return matches(s, labels(.pod(w)))
    }

    func peerSelectorMatches(_ p: CiliumPolicy, _ s: CiliumSelector, _ peer: Peer) -> Bool {
        let l = labels(peer)
        if !matches(s, l) { return false }
        let keys = s.requirements.filter { $0.source != "reserved" }.map(\.key)
        if s.requirements.contains(where: { $0.source == "reserved" }) { return true }
        if keys.contains("io.kubernetes.pod.namespace") { return true }
        guard case .pod(let w) = peer else { return false }  // defaulting adds a pod-only requirement
        if p.isClusterwide { return true }
        if keys.contains(where: { $0.hasPrefix("io.cilium.k8s.namespace.labels.") }) { return true }
        return w.namespace == p.namespace
    }

    func entityMatches(_ e: CiliumEntity, _ peer: Peer) -> Bool {
        switch (e, peer) {
        case (.all, _): return true
        case (.cluster, .pod): return true
        case (.cluster, .entity(let n)): return n != "world"
        case (.world, .address), (.world, .entity("world")): return true
        case (_, .entity(let n)): return n == e.rawValue
        default: return false
        }
    }

    func l3(_ p: CiliumPolicy, _ r: CiliumPeerRule, _ peer: Peer) -> Bool {
        let lists: [Int?] = [r.endpoints?.count, r.nodes?.count, r.entities?.count, r.cidrs?.count, r.cidrSets?.count]
        if lists.contains(0) { return false }
        if r.endpoints == nil && r.nodes == nil && r.entities == nil && r.cidrs == nil && r.cidrSets == nil
            && r.fqdns == nil && r.services == nil {
            return r.ports != nil
        }
        for s in r.endpoints ?? [] where peerSelectorMatches(p, s, peer) { return true }
        for e in r.entities ?? [] where entityMatches(e, peer) { return true }
        for b in (r.cidrs ?? []) + (r.cidrSets ?? []) {
            if case .address(let a) = peer, b.contains(a) { return true }
            if case .entity("world") = peer, b.cidr.prefix == 0, b.except.isEmpty { return true }
        }
        if case .address(let a) = peer {
            for f in r.fqdns ?? [] where (dnsNames[a] ?? []).contains(where: { f.matches($0) }) { return true }
        }
        return false
    }

    /// The port rules of `r` that cover (proto, port); nil ports: one rule without L7.
    func portRules(_ r: CiliumPeerRule, _ proto: Proto, _ port: Int, owner: Workload?) -> [CiliumPortRule] {
        guard let prs = r.ports else { return [CiliumPortRule()] }
        return prs.filter { pr in
            if pr.ports.isEmpty { return proto == .tcp || proto == .udp }
            return pr.ports.contains { p in
                let protoOK = p.proto == .any ? (proto == .tcp || proto == .udp) : p.proto.rawValue == proto.rawValue
                    && proto != .sctp
                guard protoOK else { return false }
                switch p.port {
                case .number(0): return true
                case .number(let a): return a <= port && port <= (p.endPort ?? a)
                case .name(let n):
                    return owner?.containerPorts.contains { $0.name.lowercased() == n && $0.proto == proto && $0.port == port }
                        ?? false
                }
            }
        }
    }

    /// Does one direction at pod `w` let (proto, port[, request]) from/to `peer` through?
    func side(_ w: Workload, _ peer: Peer, ingress: Bool, _ proto: Proto, _ port: Int, owner: Workload?,
              request: L7Request?) -> Bool {
        var isolated = false, allowed = false
        for p in policies {
            for rule in p.rules where selectsSubject(p, rule, w) {
                let allows = (ingress ? rule.ingress : rule.egress) ?? []
                let denies = (ingress ? rule.ingressDeny : rule.egressDeny) ?? []
                if allows.count + denies.count > 0 && ((ingress ? rule.defaultDenyIngress : rule.defaultDenyEgress) ?? true) {
                    isolated = true
                }
                for r in denies where l3(p, r, peer) && !portRules(r, proto, port, owner: owner).isEmpty { return false }
                for r in allows where l3(p, r, peer) {
                    for pr in portRules(r, proto, port, owner: owner) {
                        if let req = request, let l7 = pr.rules, !l7.admits(req) { continue }
                        allowed = true
                    }
                }
            }
        }
        return !isolated || allowed
    }

    func allowed(_ src: Peer, _ dst: Peer, _ proto: Proto, _ port: Int, request: L7Request? = nil) -> Bool {
        if case .pod(let a) = src, case .pod(let b) = dst, a == b, a.endpoint.workloadKind == "Pod" { return true }
        var owner: Workload?
        if case .pod(let d) = dst { owner = d }
        if case .pod(let s) = src, !side(s, dst, ingress: false, proto, port, owner: owner, request: request) { return false }
        if case .pod(let d) = dst {
            if case .entity("host") = src { return true }
            if !side(d, src, ingress: true, proto, port, owner: d, request: request) { return false }
        }
        return true
    }
}
