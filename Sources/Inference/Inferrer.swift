import FlowModel

/// Pure inference: observed edges -> the least-privilege policy plan.
///
/// Rules, each for a reason:
/// - only observed-allowed edges with a policy protocol (TCP/UDP/SCTP) become rules; denied ones are listed;
/// - one rule per peer, with one port entry per observed (protocol, destination port); never source ports;
/// - DNS: an egress edge to port 53 allows both UDP and TCP 53 to that peer (resolvers retry over TCP);
/// - external peers become /32 or /128 ipBlocks, or one internet-facing rule past the threshold;
/// - reserved peers: see `reservedTreatment`.
public struct Inferrer: Sendable {
    public var options: InferenceOptions

    public init(options: InferenceOptions = InferenceOptions()) { self.options = options }

    public func infer(_ ev: Evidence) -> PolicyPlan {
        var warnings = Set<String>()
        let inWindow = ev.edges.filter { e in
            if let s = options.since, e.stats.lastSeen < s { return false }
            if let u = options.until, e.stats.firstSeen > u { return false }
            return true
        }
        let allowed = inWindow.filter {
            $0.key.outcome == .allowed && $0.key.proto.isPolicyProtocol && $0.stats.flows >= options.minFlows
        }
        let denied = inWindow.filter { $0.key.outcome == .denied }.sorted { $0.key < $1.key }
        let skippedFew = inWindow.filter { $0.key.outcome == .allowed && $0.stats.flows < options.minFlows }.count
        if skippedFew > 0 { warnings.insert("\(skippedFew) edge(s) below --min-flows \(options.minFlows) left out") }

        // Selectors for every workload that appears anywhere.
        var pods = ev.labelSets
        for e in allowed {
            for ep in [e.key.source, e.key.destination] where ep.kind == .workload && pods[ep] == nil { pods[ep] = [] }
        }
        let byNamespace = Dictionary(grouping: pods.keys.filter { $0.kind == .workload }, by: \.namespace)
        var selectors = [Endpoint: SelectorChooser.Choice]()
        for (ns, eps) in byNamespace {
            let nsPods = Dictionary(uniqueKeysWithValues: eps.map { ($0, pods[$0] ?? []) })
            for ep in eps { selectors[ep] = SelectorChooser.choose(for: ep, in: nsPods) }
            _ = ns
        }

        func included(_ ep: Endpoint) -> Bool {
            ep.kind == .workload && (options.namespaces.isEmpty || options.namespaces.contains(ep.namespace))
                && !options.excludeNamespaces.contains(ep.namespace)
        }

        var ingress = [Endpoint: [PeerPlan: [PortPlan]]]()
        var egress = [Endpoint: [PeerPlan: [PortPlan]]]()
        var notes = [Endpoint: Set<String>]()
        var internetSources = [Endpoint: [PortKey: [ObservedEdge]]]()
        var first: Int64?, last: Int64?

        func peerPlans(for ep: Endpoint, of owner: Endpoint, ingressSide: Bool) -> [PeerPlan] {
            switch ep.kind {
            case .workload:
                guard let c = selectors[ep], !c.selector.isEmpty else {
                    notes[owner, default: []].insert(
                        "\(ep) has no stable labels to select it by; no rule for it (add labels, or an inventory)")
                    warnings.insert("\(ep): no stable labels; rules that need it were left out")
                    return []
                }
                return [.workload(ep, selector: c.selector)]
            case .external:
                return [.ipBlock(cidr: IPAddress.hostCIDR(ep.name), except: [],
                                 note: (ev.names[ep] ?? []).prefix(3).joined(separator: ", "))]
            case .reserved:
                return reservedTreatment(ep, owner: owner, ingressSide: ingressSide, ev: ev, notes: &notes)
            }
        }

        for e in allowed {
            let k = e.key
            let srcIn = included(k.source), dstIn = included(k.destination)
            guard srcIn || dstIn else { continue }
            first = min(first ?? .max, e.stats.firstSeen)
            last = max(last ?? .min, e.stats.lastSeen)
            let examples = (ev.l7[k] ?? []).sorted { $0.stats.flows != $1.stats.flows ? $0.stats.flows > $1.stats.flows : $0.request < $1.request }
                .prefix(3).map(\.request.description)
            let port = PortPlan(proto: k.proto, port: k.port, name: nil, flows: e.stats.flows,
                                firstSeen: e.stats.firstSeen, lastSeen: e.stats.lastSeen, examples: examples)
            if dstIn {
                if k.source.kind == .external && !IPAddress.isPrivate(k.source.name) {
                    internetSources[k.destination, default: [:]][PortKey(k.proto, k.port), default: []].append(e)
                } else {
                    for p in peerPlans(for: k.source, of: k.destination, ingressSide: true) {
                        ingress[k.destination, default: [:]][p, default: []].append(port)
                    }
                }
            }
            for p in srcIn ? peerPlans(for: k.destination, of: k.source, ingressSide: false) : [] {
                var ports = [port]
                if k.port == 53 && (k.proto == .udp || k.proto == .tcp) {
                    var other = port
                    other.proto = k.proto == .udp ? .tcp : .udp
                    other.flows = 0
                    other.examples = []
                    ports.append(other)
                }
                egress[k.source, default: [:]][p, default: []].append(contentsOf: ports)
            }
        }

        // Internet-facing: many distinct public sources on one port collapse into one rule.
        for (dst, perPort) in internetSources {
            for (pk, edges) in perPort {
                if edges.count >= options.internetThreshold {
                    let flows = edges.reduce(0) { $0 + $1.stats.flows }
                    let port = PortPlan(proto: pk.proto, port: pk.port, name: nil, flows: flows,
                                        firstSeen: edges.map(\.stats.firstSeen).min()!,
                                        lastSeen: edges.map(\.stats.lastSeen).max()!,
                                        examples: ["\(edges.count) distinct internet sources"])
                    ingress[dst, default: [:]][.ipBlock(cidr: "0.0.0.0/0", except: IPAddress.privateV4,
                                                        note: "internet-facing"), default: []].append(port)
                    ingress[dst, default: [:]][.ipBlock(cidr: "::/0", except: IPAddress.privateV6,
                                                        note: "internet-facing"), default: []].append(port)
                    warnings.insert("\(dst) \(pk.proto.rawValue)/\(pk.port) is internet-facing "
                                    + "(\(edges.count) distinct public sources): allowed from 0.0.0.0/0 and ::/0")
                } else {
                    for e in edges {
                        let port = PortPlan(proto: pk.proto, port: pk.port, name: nil, flows: e.stats.flows,
                                            firstSeen: e.stats.firstSeen, lastSeen: e.stats.lastSeen,
                                            examples: [])
                        let peer = PeerPlan.ipBlock(cidr: IPAddress.hostCIDR(e.key.source.name), except: [],
                                                    note: (ev.names[e.key.source] ?? []).prefix(3).joined(separator: ", "))
                        ingress[dst, default: [:]][peer, default: []].append(port)
                    }
                }
            }
        }

        var workloads = Set(ingress.keys).union(egress.keys).union(notes.keys).filter(included)
        for e in denied where included(e.key.destination) { workloads.insert(e.key.destination) }
        var plans = [String: [WorkloadPlan]]()
        for w in workloads.sorted() {
            guard let choice = selectors[w], !choice.selector.isEmpty else {
                warnings.insert("\(w): no stable labels; no allow policy generated (default deny applies)")
                continue
            }
            var selWarning: String?
            if !choice.alsoMatches.isEmpty {
                selWarning = "selector also matches \(choice.alsoMatches.map(\.description).joined(separator: ", ")): "
                    + "no label set separates them"
                warnings.insert("\(w): \(selWarning!)")
            }
            plans[w.namespace, default: []].append(WorkloadPlan(
                endpoint: w, selector: choice.selector, selectorWarning: selWarning,
                ingress: rules(ingress[w] ?? [:]), egress: rules(egress[w] ?? [:]),
                notes: (notes[w] ?? []).sorted()))
        }
        let namespaces = plans.keys.sorted().map { NamespacePlan(name: $0, workloads: plans[$0]!) }
        return PolicyPlan(namespaces: namespaces, denied: denied, warnings: warnings.sorted(), firstSeen: first,
                          lastSeen: last)
    }

    /// Merges port entries per peer (same proto/port summed) and sorts everything.
    func rules(_ byPeer: [PeerPlan: [PortPlan]]) -> [RulePlan] {
        byPeer.keys.sorted().map { peer in
            var merged = [PortKey: PortPlan]()
            for p in byPeer[peer]! {
                let k = PortKey(p.proto, p.port)
                if var m = merged[k] {
                    m.flows += p.flows
                    if p.flows > 0 || m.firstSeen == 0 {
                        m.firstSeen = min(m.firstSeen, p.firstSeen)
                        m.lastSeen = max(m.lastSeen, p.lastSeen)
                    }
                    m.examples = Array(Set(m.examples + p.examples).sorted().prefix(3))
                    merged[k] = m
                } else {
                    merged[k] = p
                }
            }
            return RulePlan(peer: peer, ports: merged.values.sorted())
        }
    }

    /// How each reserved peer is treated. Never an allow-all.
    /// - host: traffic from the pod's own node (kubelet probes) is always allowed by NetworkPolicy; no rule.
    /// - kube-apiserver: an ipBlock per observed apiserver address; skipped with a note when none is known.
    /// - remote-node: an ipBlock per observed node address; skipped with a note when none is known.
    /// - world without an address, health, init, unmanaged, ingress, unknown: skipped with a note.
    func reservedTreatment(_ ep: Endpoint, owner: Endpoint, ingressSide: Bool, ev: Evidence,
                           notes: inout [Endpoint: Set<String>]) -> [PeerPlan] {
        let dir = ingressSide ? "from" : "to"
        switch ep.name {
        case "host":
            notes[owner, default: []].insert(
                "traffic \(dir) reserved:host (node, kubelet probes) observed: always allowed for the pod's own node, no rule")
            return []
        case "kube-apiserver", "remote-node":
            let addrs = (ev.addresses[ep] ?? []).sorted()
            if addrs.isEmpty {
                notes[owner, default: []].insert("traffic \(dir) reserved:\(ep.name) observed with no address: no rule")
            }
            return addrs.map { .ipBlock(cidr: IPAddress.hostCIDR($0), except: [], note: "reserved:\(ep.name)") }
        default:
            notes[owner, default: []].insert("traffic \(dir) reserved:\(ep.name) observed: not expressible as a "
                                             + "NetworkPolicy peer, no rule")
            return []
        }
    }
}

struct PortKey: Hashable {
    var proto: Proto
    var port: UInt16
    init(_ proto: Proto, _ port: UInt16) {
        self.proto = proto
        self.port = port
    }
}
