import FlowModel
import Inference
import TestSupport

/// Deterministic pseudo-random numbers (TestSupport's SplitMix64): a failing seed reproduces exactly.
typealias SeededRNG = SplitMix64

extension SplitMix64 {
    /// The property tests' seeding, one SplitMix step in (as it always was, so a recorded failing seed still
    /// reproduces the same cluster).
    init(propertySeed seed: UInt64) { self.init(state: seed &+ 0x9E37_79B9_7F4A_7C15) }
}

/// One pod of the generated cluster. `observed` pods were seen in flows; the others are replicas from a rollout
/// after the capture (new pod-template-hash, new pod name) that the policies must still cover.
struct Pod: Hashable, CustomStringConvertible {
    /// Index in `GeneratedCluster.pods`.
    var id: Int
    var name: String
    var workload: Endpoint
    var labels: Labels
    var ip: String
    var containerPorts: [ContainerPort]
    var observed: Bool
    var namespace: String { workload.namespace }
    var description: String { "\(namespace)/\(name)" }
}

/// A connection between workloads (or a workload and an address): what the evidence says and what the checks
/// compare against.
struct Conn: Hashable, CustomStringConvertible {
    var src: Endpoint
    var dst: Endpoint
    var proto: Proto
    var port: UInt16
    var description: String { "\(src) -> \(dst) \(proto.rawValue)/\(port)" }
}

/// A random cluster and the flows observed in it.
struct GeneratedCluster {
    var seed: UInt64
    var namespaces: [String]
    var pods: [Pod]
    var workloads: [Endpoint]
    /// Observed-allowed connections (the truth the policies must admit).
    var allowed: Set<Conn>
    /// Observed-denied probes (must stay denied).
    var denied: Set<Conn>
    /// DNS names known per external endpoint.
    var names: [Endpoint: [String]]
    var evidence: Evidence
    var internetThreshold: Int
    /// Destination ports used anywhere (the port universe of the checks, plus 53 and one never used).
    var ports: [(Proto, UInt16)]

    var podsByWorkload: [Endpoint: [Pod]] { Dictionary(grouping: pods, by: \.workload) }
}

enum ClusterGenerator {
    /// The inference options a property test uses for `c`. `selector`: the generated clusters know most workloads' owning controllers (`--selector controller`, the
    /// default); `.minimal` ignores them.
    static func options(for c: GeneratedCluster, selector: InferenceOptions.SelectorMode = .controller) -> InferenceOptions {
        var o = InferenceOptions()
        o.selector = selector
        o.internetThreshold = c.internetThreshold
        o.namedPorts = c.seed % 2 == 1
        o.includeSystem = true  // kube-system (CoreDNS) is checked too
        return o
    }

    static let servicePorts: [(Proto, UInt16)] = [(.tcp, 80), (.tcp, 443), (.tcp, 8080), (.tcp, 5432), (.tcp, 6379),
                                                  (.tcp, 9090), (.udp, 5353), (.sctp, 3868), (.udp, 8125)]
    static let t0: Int64 = 1_750_000_000_000_000_000
    /// The node address remote-node stand-ins carry (checked as an address: it must stay denied).
    static let nodeAddress = "10.250.0.1"
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func hash(_ rng: inout SeededRNG, _ n: Int) -> String { String((0..<n).map { _ in rng.pick(alphabet) }) }

    /// Builds a cluster: 1-3 namespaces (plus kube-system with CoreDNS), 1-5 workloads each with 1-2 replicas
    /// and up to two pod-template generations, inventory-only workloads, service calls, DNS (CoreDNS, node-local
    /// DNS, or names resolved without DNS flows in the window), world peers in and out (one port sometimes
    /// internet-facing), dropped probes, kubelet probes from the host.
    static func make(seed: UInt64) -> GeneratedCluster {
        var rng = SeededRNG(propertySeed: seed)
        let threshold = rng.int(3...6)
        var namespaces = (0..<rng.int(1...3)).map { "ns\($0)" }
        namespaces.append("kube-system")
        var pods: [Pod] = []
        var workloads: [Endpoint] = []
        var usedPairs = Set<String>()
        var ipCounter = 0
        func podIP() -> String {
            ipCounter += 1
            return "10.244.\(ipCounter / 250).\(ipCounter % 250 + 1)"
        }

        var stableLabels: [Endpoint: Labels] = [:]
        func addWorkload(_ ep: Endpoint, stable: Labels, ports: [ContainerPort], rng: inout SeededRNG) {
            workloads.append(ep)
            stableLabels[ep] = stable
            let generations = rng.int(1...2)
            for g in 0..<(generations + 1) {  // the last generation is the future rollout
                let hash = Self.hash(&rng, 10)
                for r in 0..<rng.int(1...2) {
                    var l = stable
                    var name = ""
                    switch ep.workloadKind {
                    case "StatefulSet":
                        l["controller-revision-hash"] = "\(ep.name)-\(hash)"
                        l["statefulset.kubernetes.io/pod-name"] = "\(ep.name)-\(r)"
                        l["apps.kubernetes.io/pod-index"] = "\(r)"
                        name = "\(ep.name)-\(r)"
                    case "DaemonSet":
                        l["controller-revision-hash"] = hash
                        l["pod-template-generation"] = "\(g + 1)"
                        name = "\(ep.name)-\(Self.hash(&rng, 5))"
                    default:
                        l["pod-template-hash"] = hash
                        name = "\(ep.name)-\(hash)-\(Self.hash(&rng, 5))"
                    }
                    pods.append(Pod(id: pods.count, name: name, workload: ep, labels: l, ip: podIP(), containerPorts: ports,
                                    observed: g < generations))
                }
            }
        }

        // CoreDNS.
        let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")
        addWorkload(dns, stable: ["k8s-app": "kube-dns"],
                    ports: [ContainerPort(name: "dns", proto: .udp, port: 53), ContainerPort(name: "dns-tcp", proto: .tcp, port: 53)],
                    rng: &rng)
        var serving: [Endpoint: [(Proto, UInt16)]] = [:]
        for ns in namespaces where ns != "kube-system" {
            let product = "prod\(rng.int(0...1))"
            for i in 0..<rng.int(1...5) {
                let name = "w\(i)"
                let kind = rng.pick(["Deployment", "Deployment", "StatefulSet", "DaemonSet"])
                let ep = Endpoint.workload(ns, name, kind: kind)
                var l: Labels = ["team": rng.pick(["a", "b"])]
                if rng.chance(0.5) { l["env"] = "prod" }
                switch rng.int(0...4) {
                case 0: l["app"] = name
                case 1:
                    l["app.kubernetes.io/name"] = product
                    l["app.kubernetes.io/instance"] = "\(product)-\(name)"
                case 2: l["k8s-app"] = name
                case 3: l["name"] = name
                default:
                    // A pair that is unique although each label alone is shared.
                    var c = "", t = ""
                    repeat {
                        c = rng.pick(["api", "worker", "cache"])
                        t = rng.pick(["front", "back", "batch", "edge"])
                    } while usedPairs.contains("\(ns)/\(c)/\(t)")
                    usedPairs.insert("\(ns)/\(c)/\(t)")
                    l["component"] = c
                    l["tier"] = t
                }
                let ports = (0..<rng.int(0...3)).map { _ in rng.pick(servicePorts) }
                var named: [ContainerPort] = []
                for (proto, port) in Set(ports.map { "\($0.0.rawValue)/\($0.1)" }).sorted().map({ s -> (Proto, UInt16) in
                    let parts = s.split(separator: "/")
                    return (Proto(rawValue: String(parts[0]))!, UInt16(parts[1])!)
                }) {
                    serving[ep, default: []].append((proto, port))
                    if rng.chance(0.6) { named.append(ContainerPort(name: "p\(port)", proto: proto, port: port)) }
                }
                addWorkload(ep, stable: l, ports: named, rng: &rng)
            }
        }

        var allowed = Set<Conn>(), denied = Set<Conn>()
        var names: [Endpoint: [String]] = [:]
        var l7: [EdgeKey: [L7Observation]] = [:]
        let apps = workloads.filter { $0 != dns }
        let inventoryOnly = Set(apps.filter { _ in rng.chance(0.15) })
        let active = apps.filter { !inventoryOnly.contains($0) }
        // Service calls.
        for src in active {
            for _ in 0..<rng.int(0...3) {
                let dst = rng.pick(active)
                guard let sp = serving[dst], !sp.isEmpty else { continue }
                let (proto, port) = rng.pick(sp)
                allowed.insert(Conn(src: src, dst: dst, proto: proto, port: port))
            }
            // DNS: CoreDNS (UDP, sometimes TCP), node-local DNS, or names resolved with no DNS flow in the window.
            switch rng.int(0...5) {
            case 0, 1: allowed.insert(Conn(src: src, dst: dns, proto: .udp, port: 53))
            case 2: allowed.insert(Conn(src: src, dst: dns, proto: .tcp, port: 53))
            case 3: allowed.insert(Conn(src: src, dst: .external("169.254.20.10"), proto: .udp, port: 53))
            default: break
            }
            // Egress to the world.
            if rng.chance(0.3) {
                let ip = rng.chance(0.8) ? "93.184.\(rng.int(0...255)).\(rng.int(1...254))"
                    : "2606:4700:\(rng.int(1...9))::\(rng.int(1...9))"
                let ext = Endpoint.external(ip)
                if rng.chance(0.5) { names[ext] = ["svc\(rng.int(0...99)).example.com"] }
                allowed.insert(Conn(src: src, dst: ext, proto: .tcp, port: 443))
            }
        }
        // Ingress from the world: a few addresses, sometimes enough public ones to be internet-facing.
        for dst in active where serving[dst] != nil && rng.chance(0.3) {
            let (proto, port) = rng.pick(serving[dst]!)
            let n = rng.chance(0.4) ? threshold + rng.int(0...2) : rng.int(1...max(1, threshold - 1))
            for i in 0..<n {
                let ip = i % 7 == 6 ? "2001:db8:\(rng.int(1...99))::\(i + 1)" : "198.51.\(rng.int(0...99)).\(i + 1)"
                allowed.insert(Conn(src: .external(ip), dst: dst, proto: proto, port: port))
            }
            if rng.chance(0.5) { allowed.insert(Conn(src: .external("192.168.7.\(rng.int(1...9))"), dst: dst, proto: proto, port: port)) }
            // A public source observed denied on an internet-facing port: the collapsed rule must carve it out.
            if n >= threshold && rng.chance(0.6) {
                denied.insert(Conn(src: .external("203.0.113.\(rng.int(1...254))"), dst: dst, proto: proto, port: port))
            }
        }
        // Dropped probes between workloads that never talked on that port.
        for _ in 0..<rng.int(0...4) {
            let s = rng.pick(apps), d = rng.pick(apps)
            let (proto, port) = rng.pick(servicePorts)
            let c = Conn(src: s, dst: d, proto: proto, port: port)
            if !allowed.contains(c) { denied.insert(c) }
        }
        // TCP 53 observed denied for a workload that resolves over UDP: neither the DNS sibling protocol nor the
        // DNS baseline may allow it.
        if rng.chance(0.5), let s = active.first(where: { allowed.contains(Conn(src: $0, dst: dns, proto: .udp, port: 53)) }) {
            let c = Conn(src: s, dst: dns, proto: .tcp, port: 53)
            if !allowed.contains(c) { denied.insert(c) }
        }

        // Evidence.
        var edges: [ObservedEdge] = []
        for c in allowed.sorted(by: { $0.description < $1.description }) {
            let k = EdgeKey(source: c.src, destination: c.dst, proto: c.proto, port: c.port, outcome: .allowed)
            let first = t0 + Int64(rng.int(0...3600)) * 1_000_000_000
            edges.append(ObservedEdge(key: k, stats: EdgeStats(flows: Int64(rng.int(1...50)), firstSeen: first,
                                                               lastSeen: first + 1_000_000_000)))
            if c.port == 8080 && c.proto == .tcp && rng.chance(0.5) {
                l7[k] = [L7Observation(request: .http(method: "GET", path: "/items/\(rng.int(1...999))"),
                                       stats: EdgeStats(flows: 3, firstSeen: first, lastSeen: first))]
            }
        }
        for c in denied.sorted(by: { $0.description < $1.description }) {
            edges.append(ObservedEdge(key: EdgeKey(source: c.src, destination: c.dst, proto: c.proto, port: c.port,
                                                   outcome: .denied),
                                      stats: EdgeStats(flows: 2, firstSeen: t0, lastSeen: t0, dropReasons: ["POLICY_DENIED"])))
        }
        // Kubelet probes from the node: no rule, a note.
        for dst in active.prefix(2) {
            edges.append(ObservedEdge(key: EdgeKey(source: .reserved("host"), destination: dst, proto: .tcp, port: 8080,
                                                   outcome: .allowed),
                                      stats: EdgeStats(flows: 100, firstSeen: t0, lastSeen: t0)))
        }
        var labelSets: [Endpoint: [Labels]] = [:]
        var addresses: [Endpoint: [String]] = [:]
        var containerPorts: [Endpoint: [ContainerPort]] = [:]
        for p in pods where p.observed {
            if labelSets[p.workload]?.contains(p.labels) != true { labelSets[p.workload, default: []].append(p.labels) }
            addresses[p.workload, default: []].append(p.ip)
            containerPorts[p.workload, default: []] += p.containerPorts
        }
        // Stand-ins (a separate generator, so the cluster itself does not change): the far end of a pod-to-pod
        // connection reported as remote-node (with a node address), and a Hubble identity without a pod name.
        var standRNG = SeededRNG(propertySeed: seed ^ 0x5157)
        let podToPod = allowed.filter { $0.src.kind == .workload && $0.dst.kind == .workload }
            .sorted { $0.description < $1.description }
        if !podToPod.isEmpty && standRNG.chance(0.6) {
            let c = standRNG.pick(podToPod)
            edges.append(ObservedEdge(key: EdgeKey(source: .reserved("remote-node"), destination: c.dst, proto: c.proto,
                                                   port: c.port, outcome: .allowed),
                                      stats: EdgeStats(flows: 3, firstSeen: t0, lastSeen: t0)))
            addresses[.reserved("remote-node")] = [Self.nodeAddress]
            let leg = Endpoint.workload(c.src.namespace, "leg-\(c.src.name)", kind: Endpoint.labelIdentityKind)
            if let p = pods.first(where: { $0.workload == c.src && $0.observed }) {
                labelSets[leg] = [VolatileLabels.stable(p.labels)]
                edges.append(ObservedEdge(key: EdgeKey(source: leg, destination: c.dst, proto: c.proto, port: c.port,
                                                       outcome: .allowed),
                                          stats: EdgeStats(flows: 2, firstSeen: t0, lastSeen: t0)))
            }
        }
        var evidence = Evidence(edges: rng.chance(0.5) ? edges : edges.reversed(), l7: l7, labelSets: labelSets,
                                names: names, addresses: addresses, containerPorts: containerPorts)
        // Owning controllers from an inventory (`--selector controller`; a separate generator, so the cluster
        // itself does not change): `spec.selector` is all of the pods' stable labels, a part of them (which may
        // also select another workload's pods: then the minimal selector must be used), or a selector with a
        // volatile key; some workloads have no known controller.
        var controllerRNG = SeededRNG(propertySeed: seed ^ 0xC0_47)
        for ep in workloads {
            let stable = stableLabels[ep]!
            switch controllerRNG.int(0...5) {
            case 0, 1: evidence.controllerSelectors[ep] = stable
            case 2, 3:
                let keys = stable.keys.sorted().filter { _ in controllerRNG.chance(0.5) }
                let part = keys.isEmpty ? [stable.keys.sorted()[0]] : keys
                evidence.controllerSelectors[ep] = Labels(uniqueKeysWithValues: part.map { ($0, stable[$0]!) })
            case 4:
                var l = stable
                l["pod-template-hash"] = Self.hash(&controllerRNG, 10)
                evidence.controllerSelectors[ep] = l
            default: break
            }
        }
        var ports = servicePorts
        ports.append((.udp, 53))
        ports.append((.tcp, 53))
        ports.append((.tcp, 31337))
        return GeneratedCluster(seed: seed, namespaces: namespaces, pods: pods, workloads: workloads,
                                allowed: allowed, denied: denied, names: names, evidence: evidence,
                                internetThreshold: threshold, ports: ports)
    }
}
