import FlowModel

/// Pure inference: observed edges -> the least-privilege policy plan.
///
/// Rules, each for a reason:
/// - only observed-allowed edges with a policy protocol (TCP/UDP/SCTP) and a destination port become rules;
///   observed-denied ones are listed in `PolicyPlan.denied` and never allowed (an edge seen both allowed and
///   denied is allowed on the allowed evidence, with a warning);
/// - one rule per peer, with one port entry per observed (protocol, destination port); never source ports and
///   never reverse rules (replies are implicit; ingest drops reply flows); dense runs of observed ports become
///   one `endPort` range (`PortRanges`);
/// - workload peers are selected by their own exact selector (`SelectorChooser`); another namespace adds a
///   `kubernetes.io/metadata.name` namespaceSelector in the same peer (emitters);
/// - DNS: see `PlanBuilder.addDNS`. Every workload that resolved names may reach the resolvers it used (or, when its own
///   DNS flows are missing, the cluster's resolvers) on UDP and TCP 53;
/// - external peers become /32 or /128 ipBlocks, or one internet-facing rule past the threshold;
/// - reserved peers: see `reservedTreatment`;
/// - HTTP observations on an edge become its (method, generalised path) set (`PathGeneralizer`).
public struct Inferrer: Sendable {
    public var options: InferenceOptions

    public init(options: InferenceOptions = InferenceOptions()) { self.options = options }

    /// Identity of a rule's peer (cheap to hash); the `PeerPlan` is built once per key.
    enum PeerKey: Hashable {
        case workload(Endpoint)
        case block(String)
        case namespace(String)
    }

    /// A port entry being accumulated from one or more edges.
    struct PortAcc {
        var name: String?
        var flows: Int64 = 0
        var firstSeen: Int64 = .max
        var lastSeen: Int64 = .min
        var l7: [L7Observation] = []
        var extraExamples: [String] = []
        /// The Services the connections behind this entry were addressed to (`PlanBuilder.connectionServices`), and
        /// whether one of them was ingested before they were kept per connection (schema 14).
        var services: Set<String> = []
        var servicesUnknown = false

        mutating func add(_ s: EdgeStats, l7 obs: [L7Observation],
                          services svc: (names: Set<String>, unknown: Bool) = ([], false)) {
            flows += s.flows
            firstSeen = min(firstSeen, s.firstSeen)
            lastSeen = max(lastSeen, s.lastSeen)
            l7 += obs
            services.formUnion(svc.names)
            servicesUnknown = servicesUnknown || svc.unknown
        }
    }

    /// Rules of one workload in one direction: peer -> (proto, port) -> accumulated evidence.
    typealias RuleAcc = [PeerKey: [PortKey: PortAcc]]

    static func isDNS(_ k: EdgeKey) -> Bool { k.port == 53 && (k.proto == .udp || k.proto == .tcp) }

    /// The stages, in order (`PlanBuilder` says what each one does).
    public func infer(_ observed: Evidence) -> PolicyPlan {
        var b = PlanBuilder(self, observed)
        b.selectEvidence()
        b.chooseSelectors()
        b.noteUnexpressible()
        b.nameContainerPorts()
        b.addObservedRules()
        b.addDNS()
        b.addInternetFacing()
        b.addDNSBaseline()
        b.buildWorkloadPlans()
        return b.plan()
    }

    /// The cluster's DNS resolvers for the baseline: DNS servers observed serving workloads that run in a system
    /// namespace (CoreDNS) or are node-local DNS (link-local addresses); else the in-cluster DNS workloads that
    /// served the most distinct workloads.
    func clusterResolvers(_ allowed: [ObservedEdge], ev: Evidence) -> [Endpoint] {
        var clients = [Endpoint: Set<Endpoint>]()
        for e in allowed where Self.isDNS(e.key) && e.key.source.kind == .workload {
            clients[e.key.destination, default: []].insert(e.key.source)
        }
        let system = clients.keys.filter {
            ($0.kind == .workload && options.systemNamespaces.contains($0.namespace))
                || ($0.kind == .external && IPAddr.isLinkLocal($0.name))
                || ($0.isReserved(.host)
                    && (ev.addresses[$0] ?? []).contains(where: IPAddr.isLinkLocal))
        }
        if !system.isEmpty { return system.sorted() }
        let workloads = clients.filter { $0.key.kind == .workload }
        let most = workloads.values.map(\.count).max() ?? 0
        return workloads.filter { $0.value.count == most }.keys.sorted()
    }

    /// Rule peers of a resolver in the DNS baseline; empty when it cannot be selected.
    func baselinePeers(_ r: Endpoint, selectors: [Endpoint: SelectorChooser.Choice], ev: Evidence) -> [PeerPlan] {
        switch r.kind {
        case .workload:
            guard let c = selectors[r], !c.selector.isEmpty else { return [] }
            return [.workload(r, selector: c.selector)]
        case .external:
            return [.ipBlock(cidr: CIDR.hostText(r.name), except: [], note: "node-local DNS")]
        case .reserved:
            return (ev.addresses[r] ?? []).filter(IPAddr.isLinkLocal).sorted().map {
                .ipBlock(cidr: CIDR.hostText($0), except: [], note: "node-local DNS")
            }
        }
    }

    /// True when two peers select the same pods or addresses (workloads: same namespace and selector).
    static func sameSelection(_ a: PeerPlan, _ b: PeerPlan) -> Bool {
        if case .workload(let x, let s) = a, case .workload(let y, let t) = b {
            return x.namespace == y.namespace && x.cluster == y.cluster && s == t
        }
        return a == b
    }

    /// Endpoints for a warning, sorted; at most 20 named.
    static func list<S: Sequence>(_ eps: S) -> String where S.Element == Endpoint {
        let all = eps.map(\.description).sorted()
        return all.prefix(20).joined(separator: ", ") + (all.count > 20 ? " and \(all.count - 20) more" : "")
    }

    /// Merges nothing further (accumulation already keyed by peer and port), builds the plan types, sorted.
    func rules(_ acc: RuleAcc, _ peerPlans: [PeerKey: PeerPlan], _ generalizer: PathGeneralizer) -> [RulePlan] {
        acc.compactMap { key, ports -> RulePlan? in
            guard let peer = peerPlans[key] else { return nil }
            var r = RulePlan(peer: peer, ports: portPlans(ports, generalizer))
            // The rule's own connections' Services only (issue 23), never its peer's other connections'.
            r.services = Set(ports.values.flatMap(\.services)).sorted()
            r.servicesUnknown = ports.values.contains(where: \.servicesUnknown)
            return r
        }.map { ($0.peer.sortKey, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    func entityRules(_ acc: [String: [PortKey: PortAcc]], _ generalizer: PathGeneralizer) -> [EntityRulePlan] {
        acc.keys.sorted().map { EntityRulePlan(entity: $0, ports: portPlans(acc[$0]!, generalizer)) }
    }

    func portPlans(_ ports: [PortKey: PortAcc], _ generalizer: PathGeneralizer) -> [PortPlan] {
        let plans = ports.map { pk, a -> PortPlan in
            let observed = a.flows > 0
            if a.l7.isEmpty {
                return PortPlan(proto: pk.proto, port: pk.port, name: a.name, flows: a.flows,
                                firstSeen: observed ? a.firstSeen : 0, lastSeen: observed ? a.lastSeen : 0,
                                examples: a.extraExamples)
            }
            let ranked = Dictionary(grouping: a.l7, by: \.request).map { req, list in
                (req, list.reduce(0) { $0 + $1.stats.flows })
            }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            let examples = a.extraExamples + ranked.prefix(3).map(\.0.description)
            var dns = Set<String>()
            for o in a.l7 { if case .dns(let q) = o.request { dns.insert(q) } }
            return PortPlan(proto: pk.proto, port: pk.port, name: a.name, flows: a.flows,
                            firstSeen: observed ? a.firstSeen : 0, lastSeen: observed ? a.lastSeen : 0,
                            examples: Array(examples.prefix(3)), http: generalizer.rules(a.l7),
                            dnsQueries: dns.sorted())
        }.sorted()
        guard options.portRanges else { return plans }
        return PortRanges.merge(plans, minPorts: options.portRangeMinPorts, maxGap: options.portRangeMaxGap)
    }

    /// How each reserved peer is treated. Never an allow-all.
    /// - host: traffic from the pod's own node (kubelet probes) is always allowed by NetworkPolicy; no rule, a
    ///   note. Exception: egress to reserved:host on port 53 whose known addresses include link-local ones is
    ///   node-local DNS (169.254.20.10): an ipBlock per such address.
    /// - kube-apiserver: an ipBlock per observed apiserver address; skipped with a note when none is known.
    /// - remote-node: an ipBlock per node address this connection showed for it (never the inventory's other
    ///   nodes, never an address only another workload's connection showed); skipped with a note and a warning
    ///   when none was observed, or when the connection's addresses are unknown (evidence from before schema 13).
    /// `observed`: the addresses to use (`PlanBuilder.nodeAddresses` for the node entities; nil: unknown).
    /// - ingress (Cilium's Envoy): skipped with a note and a warning naming the Cilium flavour, which writes
    ///   `fromEntities: [ingress]` (`ReservedEntity.ruleEntities`).
    /// - world without an address, health, init, unmanaged, unknown: skipped with a note.
    func reservedTreatment(_ ep: Endpoint, owner: Endpoint, ingressSide: Bool, port: PortKey, ev: Evidence,
                           observed: [String]?, notes: inout [Endpoint: Set<InferenceNote>],
                           warnings: inout Set<PlanWarning>) -> [PeerPlan] {
        let direction: InferenceNote.Direction = ingressSide ? .from : .to
        guard let observed else {
            notes[owner, default: []].insert(.reservedPeer(entity: ep.name, direction: direction, reason: .noAddress))
            warnings.insert(.nodeAddressesUnknown(owner: owner, peer: ep, direction: direction, proto: port.proto,
                                                  port: port.port))
            return []
        }
        switch ep.reservedEntity {
        case .host?:
            if !ingressSide && port.port == 53 {
                let local = observed.filter(IPAddr.isLinkLocal).sorted()
                if !local.isEmpty {
                    return local.map { .ipBlock(cidr: CIDR.hostText($0), except: [], note: "node-local DNS") }
                }
            }
            notes[owner, default: []].insert(.reservedPeer(entity: ep.name, direction: direction, reason: .alwaysAllowedNode))
            return []
        case .kubeAPIServer?, .remoteNode?:
            let addrs = observed.sorted()
            if addrs.isEmpty {
                notes[owner, default: []].insert(.reservedPeer(entity: ep.name, direction: direction, reason: .noAddress))
                warnings.insert(.reservedWithoutAddress(owner: owner, entity: ep.name, direction: direction,
                                                        proto: port.proto, port: port.port))
            }
            return addrs.map { .ipBlock(cidr: CIDR.hostText($0), except: [], note: "reserved:\(ep.name)") }
        case .ingress?:
            // Cilium's Envoy (Ingress, Gateway API) forwards from node-local addresses no inventory lists: the
            // NetworkPolicy flavour cannot allow it, and the self-check says what would break.
            notes[owner, default: []].insert(.reservedPeer(entity: ep.name, direction: direction,
                                                           reason: .notExpressible))
            warnings.insert(.ingressProxyNotExpressible(owner: owner, direction: direction, proto: port.proto,
                                                        port: port.port))
            return []
        default:
            notes[owner, default: []].insert(.reservedPeer(entity: ep.name, direction: direction,
                                                           reason: .notExpressible))
            warnings.insert(.reservedNotExpressible(owner: owner, entity: ep.name, direction: direction,
                                                    proto: port.proto, port: port.port))
            return []
        }
    }
}

extension Inferrer {
    /// A text key that sorts like `EdgeKey <`: endpoint fields are compared in the same order, separated by a
    /// character below any that labels, names or addresses contain.
    static func sortKey(_ k: EdgeKey) -> String {
        func ep(_ e: Endpoint) -> String {
            "\(e.cluster)\u{1}\(e.kind.rawValue)\u{1}\(e.namespace)\u{1}\(e.name)\u{1}\(e.workloadKind)"
        }
        let port = String(k.port)
        return ep(k.source) + "\u{2}" + ep(k.destination) + "\u{2}" + "\(Proto.allCases.firstIndex(of: k.proto)!)"
            + String(repeating: "0", count: 5 - port.count) + port + k.outcome.rawValue
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
