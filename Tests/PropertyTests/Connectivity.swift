import FlowModel
import Inference

/// Something that decides whether a connection is allowed: FlowMap's plan read directly, or a NetworkPolicy
/// evaluator over the emitted YAML. Own-node and self traffic are out of scope (NetworkPolicy cannot block them).
protocol ConnectivityOracle {
    func allows(_ src: Pod, _ dst: Pod, _ proto: Proto, _ port: UInt16) -> Bool
    func allows(_ src: Pod, toAddress ip: String, _ proto: Proto, _ port: UInt16) -> Bool
    func allows(fromAddress ip: String, _ dst: Pod, _ proto: Proto, _ port: UInt16) -> Bool
}

/// IPv4/IPv6 CIDR containment, enough for the checks (written independently of the code under test).
enum CIDRMath {
    static func bytes(_ s: String) -> [UInt8]? {
        if s.contains(":") { return v6(s) }
        let p = s.split(separator: ".", omittingEmptySubsequences: false)
        guard p.count == 4 else { return nil }
        var out: [UInt8] = []
        for x in p { guard let b = UInt8(x) else { return nil }; out.append(b) }
        return out
    }

    static func v6(_ s: String) -> [UInt8]? {
        var halves = [s]
        let u = Array(s)
        if let i = (0..<max(0, u.count - 1)).first(where: { u[$0] == ":" && u[$0 + 1] == ":" }) {
            halves = [String(u[..<i]), String(u[(i + 2)...])]
            if halves[1].contains("::") { return nil }
        }
        guard halves.count <= 2 else { return nil }
        func groups(_ t: String) -> [UInt16]? {
            if t.isEmpty { return [] }
            var g: [UInt16] = []
            for x in t.split(separator: ":", omittingEmptySubsequences: false) {
                guard let v = UInt16(x, radix: 16) else { return nil }
                g.append(v)
            }
            return g
        }
        guard let a = groups(halves[0]) else { return nil }
        var all = a
        if halves.count == 2 {
            guard let b = groups(halves[1]), a.count + b.count < 8 else { return nil }
            all = a + [UInt16](repeating: 0, count: 8 - a.count - b.count) + b
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    static func contains(_ cidr: String, _ ip: String) -> Bool {
        guard let n = parse(cidr), let a = bytes(ip) else { return false }
        return contains(n, a)
    }

    static func parse(_ cidr: String) -> (net: [UInt8], len: Int)? {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let net = bytes(String(parts[0])), let len = Int(parts[1]) else { return nil }
        return (net, len)
    }

    static func contains(_ n: (net: [UInt8], len: Int), _ a: [UInt8]) -> Bool {
        let net = n.net
        guard net.count == a.count else { return false }
        var bits = n.len
        for i in 0..<net.count {
            if bits <= 0 { return true }
            let mask: UInt8 = bits >= 8 ? 0xff : UInt8(0xff) << (8 - bits)
            if net[i] & mask != a[i] & mask { return false }
            bits -= 8
        }
        return true
    }
}

/// Reads a `PolicyPlan` with NetworkPolicy semantics, as the emitter renders it: a namespace of the plan has a
/// default-deny for the directions it lists (`denyIngress`/`denyEgress`) and its DNS baseline (every pod's egress
/// to the baseline rules); a workload plan selects the pods its selector matches in its namespace;
/// a workload peer is (namespace AND selector); ipBlocks never match pod IPs (netpol-analyzer/NCA mode); a named
/// port resolves on the destination pod.
struct PlanOracle: ConnectivityOracle {
    let plan: PolicyPlan
    let isolatedIngress: Set<String>
    let isolatedEgress: Set<String>
    let baseline: [String: [RulePlan]]
    /// Workload plans whose selector matches each pod, by `Pod.id`.
    let selectingPod: [[WorkloadPlan]]
    /// Every CIDR of the plan, parsed once.
    let cidrs: [String: (net: [UInt8], len: Int)]

    init(_ plan: PolicyPlan, pods: [Pod]) {
        self.plan = plan
        isolatedIngress = Set(plan.namespaces.filter(\.denyIngress).map(\.name))
        isolatedEgress = Set(plan.namespaces.filter(\.denyEgress).map(\.name))
        baseline = Dictionary(uniqueKeysWithValues: plan.namespaces.map { ($0.name, $0.dnsBaseline) })
        let byNamespace = Dictionary(uniqueKeysWithValues: plan.namespaces.map { ($0.name, $0.workloads) })
        var sel = [[WorkloadPlan]](repeating: [], count: pods.count)
        for p in pods { sel[p.id] = (byNamespace[p.namespace] ?? []).filter { p.labels.matches($0.selector) } }
        selectingPod = sel
        var cidrs: [String: (net: [UInt8], len: Int)] = [:]
        for ns in plan.namespaces {
            for r in ns.workloads.flatMap({ $0.ingress + $0.egress }) + ns.dnsBaseline {
                do {
                    if case .ipBlock(let c, let ex, _) = r.peer {
                        for x in [c] + ex { cidrs[x] = CIDRMath.parse(x) }
                    }
                }
            }
        }
        self.cidrs = cidrs
    }

    func selecting(_ p: Pod) -> [WorkloadPlan] { selectingPod[p.id] }

    func portMatches(_ pp: PortPlan, _ proto: Proto, _ port: UInt16, dst: Pod?) -> Bool {
        guard pp.proto == proto else { return false }
        guard let name = pp.name else { return pp.port == port }
        return dst?.containerPorts.contains { $0.name == name && $0.proto == proto && $0.port == port } ?? false
    }

    enum Target { case pod(Pod), address(String) }

    func peerMatches(_ peer: PeerPlan, _ t: Target) -> Bool {
        switch (peer, t) {
        case (.workload(let ep, let sel), .pod(let p)): return ep.namespace == p.namespace && p.labels.matches(sel)
        case (.namespace(let ns), .pod(let p)): return ns == p.namespace
        case (.ipBlock(let cidr, let except, _), .address(let ip)):
            guard let a = CIDRMath.bytes(ip), let n = cidrs[cidr], CIDRMath.contains(n, a) else { return false }
            return !except.contains { cidrs[$0].map { CIDRMath.contains($0, a) } ?? false }
        default: return false
        }
    }

    func egress(_ p: Pod, _ t: Target, _ proto: Proto, _ port: UInt16, dst: Pod?) -> Bool {
        guard isolatedEgress.contains(p.namespace) else { return true }
        func admits(_ r: RulePlan) -> Bool {
            peerMatches(r.peer, t) && r.ports.contains { portMatches($0, proto, port, dst: dst) }
        }
        return selecting(p).contains { $0.egress.contains(where: admits) }
            || (baseline[p.namespace] ?? []).contains(where: admits)
    }

    func ingress(_ q: Pod, _ t: Target, _ proto: Proto, _ port: UInt16) -> Bool {
        guard isolatedIngress.contains(q.namespace) else { return true }
        return selecting(q).contains { w in
            w.ingress.contains { r in peerMatches(r.peer, t) && r.ports.contains { portMatches($0, proto, port, dst: q) } }
        }
    }

    func allows(_ src: Pod, _ dst: Pod, _ proto: Proto, _ port: UInt16) -> Bool {
        egress(src, .pod(dst), proto, port, dst: dst) && ingress(dst, .pod(src), proto, port)
    }
    func allows(_ src: Pod, toAddress ip: String, _ proto: Proto, _ port: UInt16) -> Bool {
        egress(src, .address(ip), proto, port, dst: nil)
    }
    func allows(fromAddress ip: String, _ dst: Pod, _ proto: Proto, _ port: UInt16) -> Bool {
        ingress(dst, .address(ip), proto, port)
    }
}

/// What FlowMap promises for a generated cluster, written from the spec (issue 5 and the docs), not from the
/// code: observed-allowed connections are allowed; DNS is allowed on UDP and TCP 53 to each resolver a workload
/// used, and to the cluster resolver(s) for workloads that resolved names without DNS flows — except node-local
/// DNS (a link-local address: it answers from the node), which gets only the protocols observed to it (issue 23,
/// docs/topologies.md); a port reached from `threshold` or more public addresses is open to every public
/// address; everything else is denied.
struct Expectation {
    let cluster: GeneratedCluster
    let allowed: Set<Conn>
    let internetFacing: Set<Conn>  // src = .external("*")
    /// Namespaces whose pods were never observed sending / receiving: that direction is not restricted.
    let openEgress: Set<String>
    let openIngress: Set<String>
    /// DNS baseline: "namespace resolver proto" for every namespace with an egress default-deny, to each cluster
    /// resolver (CoreDNS in kube-system, node-local DNS), UDP and TCP 53 (node-local DNS: the protocols observed to
    /// it), unless observed denied from it.
    let baseline: Set<String>

    init(_ c: GeneratedCluster, dnsBaseline: Bool = true) {
        cluster = c
        var egressSeen = Set<String>(), ingressSeen = Set<String>()
        for e in c.evidence.edges where e.key.outcome != .other {
            if e.key.source.kind == .workload { egressSeen.insert(e.key.source.namespace) }
            if e.key.destination.kind == .workload { ingressSeen.insert(e.key.destination.namespace) }
        }
        openEgress = Set(c.namespaces).subtracting(egressSeen)
        openIngress = Set(c.namespaces).subtracting(ingressSeen)
        var allowed = c.allowed
        var clients: [Endpoint: Set<Endpoint>] = [:]
        var usedDNS = Set<Endpoint>()
        var servedOver: [Endpoint: Set<Proto>] = [:]  // node-local DNS: the protocols observed to it
        func nodeLocal(_ r: Endpoint) -> Bool { r.kind == .external && r.name.hasPrefix("169.254.") }
        for x in c.allowed where x.port == 53 && (x.proto == .udp || x.proto == .tcp) && x.src.kind == .workload {
            servedOver[x.dst, default: []].insert(x.proto)
            // The sibling protocol, unless it was observed denied (node-local DNS: none).
            for proto in [Proto.udp, .tcp] where !c.denied.contains(Conn(src: x.src, dst: x.dst, proto: proto, port: 53))
                && !nodeLocal(x.dst) {
                allowed.insert(Conn(src: x.src, dst: x.dst, proto: proto, port: 53))
            }
            clients[x.dst, default: []].insert(x.src)
            usedDNS.insert(x.src)
        }
        func protocols(_ r: Endpoint) -> [Proto] { [Proto.udp, .tcp].filter { !nodeLocal(r) || servedOver[r]?.contains($0) == true } }
        let candidates = clients.filter { $0.key.kind == .workload || $0.key.name.hasPrefix("169.254.") }
        let most = candidates.values.map(\.count).max() ?? 0
        let resolvers = candidates.filter { $0.value.count == most }.keys
        for x in c.allowed where x.src.kind == .workload && !usedDNS.contains(x.src)
            && !(c.names[x.dst] ?? []).isEmpty {
            for r in resolvers {
                for proto in protocols(r) where !c.denied.contains(Conn(src: x.src, dst: r, proto: proto, port: 53)) {
                    allowed.insert(Conn(src: x.src, dst: r, proto: proto, port: 53))
                }
            }
        }
        self.allowed = allowed
        var baseline = Set<String>()
        if dnsBaseline {
            let clusterResolvers = clients.keys.filter {
                $0.namespace == "kube-system" || $0.name.hasPrefix("169.254.")
            }
            for ns in egressSeen {
                for r in clusterResolvers {
                    for proto in protocols(r) where !c.denied.contains(where: {
                        $0.src.namespace == ns && $0.dst == r && $0.proto == proto && $0.port == 53
                    }) {
                        baseline.insert("\(ns) \(r) \(proto.rawValue)")
                    }
                }
            }
        }
        self.baseline = baseline
        var publicSources: [Conn: Set<String>] = [:]
        for x in c.allowed where x.src.kind == .external && !Self.isPrivate(x.src.name) {
            publicSources[Conn(src: .external("*"), dst: x.dst, proto: x.proto, port: x.port), default: []]
                .insert(x.src.name)
        }
        internetFacing = Set(publicSources.filter { $0.value.count >= c.internetThreshold }.keys)
    }

    func inBaseline(_ ns: String, _ r: Endpoint, _ proto: Proto, _ port: UInt16) -> Bool {
        port == 53 && baseline.contains("\(ns) \(r) \(proto.rawValue)")
    }

    static let privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
                                "169.254.0.0/16", "fc00::/7", "fe80::/10"].compactMap(CIDRMath.parse)

    static func isPrivate(_ ip: String) -> Bool {
        guard let a = CIDRMath.bytes(ip) else { return false }
        return privateRanges.contains { CIDRMath.contains($0, a) }
    }

    func pod(_ s: Pod, _ d: Pod, _ proto: Proto, _ port: UInt16) -> Bool {
        if allowed.contains(Conn(src: s.workload, dst: d.workload, proto: proto, port: port)) { return true }
        let base = inBaseline(s.namespace, d.workload, proto, port)
        return (openEgress.contains(s.namespace) || base) && (openIngress.contains(d.namespace) || base)
    }
    func toAddress(_ s: Pod, _ ip: String, _ proto: Proto, _ port: UInt16) -> Bool {
        allowed.contains(Conn(src: s.workload, dst: .external(ip), proto: proto, port: port))
            || openEgress.contains(s.namespace) || inBaseline(s.namespace, .external(ip), proto, port)
    }
    func fromAddress(_ ip: String, _ d: Pod, _ proto: Proto, _ port: UInt16, isPrivate: Bool? = nil) -> Bool {
        allowed.contains(Conn(src: .external(ip), dst: d.workload, proto: proto, port: port))
            || openIngress.contains(d.namespace)
            || (!(isPrivate ?? Self.isPrivate(ip))
                && internetFacing.contains(Conn(src: .external("*"), dst: d.workload, proto: proto, port: port))
                && !cluster.denied.contains(Conn(src: .external(ip), dst: d.workload, proto: proto, port: port)))
    }

    /// Every (source, destination, protocol, port) tuple of the cluster where `oracle` disagrees with the
    /// expectation, as readable lines (at most `limit`). Self pairs (a pod to itself) are skipped: NetworkPolicy
    /// cannot block them. Own-node traffic (kubelet probes) is not modelled.
    func violations(_ oracle: ConnectivityOracle, limit: Int = 20) -> [String] {
        var out: [String] = []
        func check(_ expected: Bool, _ actual: Bool, _ what: @autoclosure () -> String) {
            if expected != actual && out.count < limit {
                out.append("\(expected ? "observed but DENIED" : "not observed but ALLOWED"): \(what())")
            }
        }
        let ports = cluster.ports
        for s in cluster.pods {
            for d in cluster.pods where d != s {
                for (proto, port) in ports {
                    check(pod(s, d, proto, port), oracle.allows(s, d, proto, port),
                          "\(s) -> \(d) \(proto.rawValue)/\(port)")
                }
            }
        }
        var outside = Set((cluster.allowed.union(cluster.denied)).flatMap { [$0.src, $0.dst] }
            .filter { $0.kind == .external }.map(\.name))
        outside.formUnion(["93.184.1.1", "198.51.200.9", "2001:db8:ffff::9", "10.99.0.1", "192.168.99.9",
                           "169.254.20.10", "8.8.8.8", ClusterGenerator.nodeAddress])
        for ip in outside.sorted() {
            let priv = Self.isPrivate(ip)
            for p in cluster.pods {
                for (proto, port) in ports {
                    check(toAddress(p, ip, proto, port), oracle.allows(p, toAddress: ip, proto, port),
                          "\(p) -> \(ip) \(proto.rawValue)/\(port)")
                    check(fromAddress(ip, p, proto, port, isPrivate: priv), oracle.allows(fromAddress: ip, p, proto, port),
                          "\(ip) -> \(p) \(proto.rawValue)/\(port)")
                }
            }
        }
        return out
    }
}
