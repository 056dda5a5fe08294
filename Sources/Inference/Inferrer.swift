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
/// - DNS: see `dnsPlan`. Every workload that resolved names may reach the resolvers it used (or, when its own
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

        mutating func add(_ s: EdgeStats, l7 obs: [L7Observation]) {
            flows += s.flows
            firstSeen = min(firstSeen, s.firstSeen)
            lastSeen = max(lastSeen, s.lastSeen)
            l7 += obs
        }
    }

    /// Rules of one workload in one direction: peer -> (proto, port) -> accumulated evidence.
    typealias RuleAcc = [PeerKey: [PortKey: PortAcc]]

    static func isDNS(_ k: EdgeKey) -> Bool { k.port == 53 && (k.proto == .udp || k.proto == .tcp) }

    public func infer(_ observed: Evidence) -> PolicyPlan {
        var warnings = Set<String>()
        // 0. Stand-ins: label identities become their workloads, node ends join pod-to-pod connections.
        let (ev, standInWarnings) = StandIns.resolve(observed)
        warnings.formUnion(standInWarnings)

        // 1. The evidence used.
        var allowed: [ObservedEdge] = []
        var denied: [ObservedEdge] = []
        var skippedFew = 0
        var withoutPort: [ObservedEdge] = []  // allowed, but no TCP/UDP/SCTP port a rule could name
        // Namespaces whose pods were observed sending (egress) / receiving (ingress), allowed or denied.
        var egressSeen = Set<String>(), ingressSeen = Set<String>()
        for e in ev.edges {
            if e.key.outcome != .other {
                if e.key.source.kind == .workload { egressSeen.insert(e.key.source.namespace) }
                if e.key.destination.kind == .workload { ingressSeen.insert(e.key.destination.namespace) }
            }
            switch e.key.outcome {
            case .denied:
                denied.append(e)
            case .allowed:
                // ICMP, protocol OTHER (no L4) or no port: NetworkPolicy cannot say; named in warnings below.
                guard e.key.proto.isPolicyProtocol, e.key.port != 0 else { withoutPort.append(e); continue }
                if e.stats.flows < options.minFlows { skippedFew += 1; continue }
                allowed.append(e)
            case .other:
                continue
            }
        }
        // Sorted like `EdgeKey <` (the text key orders the same way, and is built once per edge, not per comparison).
        denied = denied.map { (Self.sortKey($0.key), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        if skippedFew > 0 { warnings.insert("\(skippedFew) edge(s) below --min-flows \(options.minFlows) left out") }
        // Observed-denied connections as allowed keys: no expansion (DNS sibling protocol, DNS baseline,
        // internet-facing collapse) may admit one.
        var deniedKeys = Set<EdgeKey>()
        for d in denied {
            var k = d.key
            k.outcome = .allowed
            deniedKeys.insert(k)
        }
        if !denied.isEmpty {
            var allowedKeys = Set<EdgeKey>()
            for e in allowed { allowedKeys.insert(e.key) }
            for d in denied {
                var k = d.key
                k.outcome = .allowed
                if allowedKeys.contains(k) {
                    warnings.insert("\(k.source) -> \(k.destination) \(k.proto.rawValue)/\(k.port) was observed both "
                                    + "allowed and denied; allowed on the allowed evidence")
                }
            }
        }

        // 2. Selectors for every workload known in each namespace (inventory, allowed and denied edges).
        var pods = ev.labelSets
        for e in allowed + denied {
            for ep in [e.key.source, e.key.destination] where ep.kind == .workload && pods[ep] == nil { pods[ep] = [] }
        }
        var byNamespace = [String: [Endpoint: [Labels]]]()
        for (ep, sets) in pods where ep.kind == .workload { byNamespace[ep.namespace, default: [:]][ep] = sets }
        var selectors = [Endpoint: SelectorChooser.Choice]()
        for (_, nsPods) in byNamespace {
            let index = SelectorChooser.NamespaceIndex(nsPods)
            for ep in nsPods.keys {
                let controller = options.selector == .controller ? ev.controllerSelectors[ep] : nil
                selectors[ep] = index.choose(for: ep, controller: controller)
            }
        }

        func isLeftOutSystem(_ ns: String) -> Bool { options.leavesOutSystem(ns) }
        func included(_ ep: Endpoint) -> Bool { options.includes(ep) }
        for ns in byNamespace.keys.sorted() where isLeftOutSystem(ns) && !options.excludeNamespaces.contains(ns) {
            warnings.insert("system namespace \(ns) left out (known workloads: "
                            + Self.list(byNamespace[ns]!.keys) + "): a capture rarely shows all of its traffic; "
                            + "--include-system to generate policies for it")
        }
        var notes = [Endpoint: Set<InferenceNote>]()
        for e in withoutPort where included(e.key.source) || included(e.key.destination) {
            let what = "\(e.key.source) -> \(e.key.destination) \(e.key.proto.rawValue)"
                + (e.key.port == 0 ? " (no port)" : "/\(e.key.port)")
            warnings.insert("\(what): observed allowed, but NetworkPolicy can only allow TCP, UDP and SCTP ports; "
                            + "no rule")
            for ep in [e.key.source, e.key.destination] where included(ep) {
                notes[ep, default: []].insert(.noPort(source: e.key.source, destination: e.key.destination,
                                                      proto: e.key.proto, port: e.key.port))
            }
        }

        // Named container ports: (workload, proto, port) -> name, only when every entry agrees.
        var portNames = [Endpoint: [PortKey: String]]()
        if options.namedPorts && ev.containerPorts.isEmpty {
            warnings.insert("--named-ports: no container port names are known (they come from an inventory); "
                            + "ports stay numeric")
        }
        if options.namedPorts {
            for (ep, list) in ev.containerPorts {
                var names = [PortKey: Set<String>]()
                // An unnamed entry counts as a different name: a pod that does not name the port would not
                // resolve it.
                for p in list { names[PortKey(p.proto, p.port), default: []].insert(p.name) }
                for (k, v) in names where v.count == 1 && !v.first!.isEmpty { portNames[ep, default: [:]][k] = v.first! }
            }
        }
        func portName(_ dst: Endpoint, _ k: PortKey) -> String? {
            dst.kind == .workload ? portNames[dst]?[k] : nil
        }

        var ingress = [Endpoint: RuleAcc]()
        var egress = [Endpoint: RuleAcc]()
        var peerPlans = [PeerKey: PeerPlan]()
        var internetSources = [Endpoint: [PortKey: [ObservedEdge]]]()
        var first: Int64?, last: Int64?
        // Reserved-entity peers per owner, [ingress, egress], for flavours that can name them (`ReservedEntity.addressed`).
        var entities = [[Endpoint: [String: [PortKey: PortAcc]]]](repeating: [:], count: 2)

        /// Rule peers for `ep` seen by `owner`; empty (with a note) when it cannot be expressed.
        func peers(for ep: Endpoint, of owner: Endpoint, ingressSide: Bool, port: PortKey) -> [PeerKey] {
            switch ep.kind {
            case .workload:
                guard let c = selectors[ep], !c.selector.isEmpty else {
                    notes[owner, default: []].insert(.unselectablePeer(ep))
                    warnings.insert("\(ep): no stable labels; rules that need it were left out")
                    return []
                }
                let k = PeerKey.workload(ep)
                if peerPlans[k] == nil { peerPlans[k] = .workload(ep, selector: c.selector) }
                return [k]
            case .external:
                let cidr = CIDR.hostText(ep.name)
                let k = PeerKey.block(cidr)
                if peerPlans[k] == nil {
                    peerPlans[k] = .ipBlock(cidr: cidr, except: [],
                                            note: (ev.names[ep] ?? []).sorted().prefix(3).joined(separator: ", "))
                }
                return [k]
            case .reserved:
                return reservedTreatment(ep, owner: owner, ingressSide: ingressSide, port: port, ev: ev,
                                         notes: &notes, warnings: &warnings).map { plan in
                    guard case .ipBlock(let cidr, _, _) = plan else { return .block("") }
                    let k = PeerKey.block(cidr)
                    if peerPlans[k] == nil { peerPlans[k] = plan }
                    return k
                }
            }
        }

        // 3. Edges -> rules.
        for e in allowed {
            let k = e.key
            let srcIn = included(k.source), dstIn = included(k.destination)
            guard srcIn || dstIn else { continue }
            first = min(first ?? .max, e.stats.firstSeen)
            last = max(last ?? .min, e.stats.lastSeen)
            let pk = PortKey(k.proto, k.port)
            let obs = ev.l7[k] ?? []
            let name = portName(k.destination, pk)
            for (ep, owner, side) in [(k.source, k.destination, 0), (k.destination, k.source, 1)]
            where ep.reservedEntity.map(ReservedEntity.addressed.contains) == true && included(owner) {
                entities[side][owner, default: [:]][ep.name, default: [:]][pk, default: PortAcc(name: nil)]
                    .add(e.stats, l7: obs)
            }
            if dstIn {
                if k.source.kind == .external && !IPAddr.isPrivate(k.source.name) {
                    internetSources[k.destination, default: [:]][pk, default: []].append(e)
                } else {
                    for p in peers(for: k.source, of: k.destination, ingressSide: true, port: pk) {
                        ingress[k.destination, default: [:]][p, default: [:]][pk, default: PortAcc(name: name)]
                            .add(e.stats, l7: obs)
                    }
                }
            }
            if srcIn {
                for p in peers(for: k.destination, of: k.source, ingressSide: false, port: pk) {
                    egress[k.source, default: [:]][p, default: [:]][pk, default: PortAcc(name: name)]
                        .add(e.stats, l7: obs)
                }
            }
        }

        // 4. DNS: both protocols to every resolver a workload used; the cluster's resolvers for workloads that
        // resolved names without a DNS flow of their own in the evidence.
        // (`peers` itself records notes and warnings, so the DNS step returns its own instead of sharing them.)
        let dnsNotes = dnsPlan(
            allowed: allowed, deniedKeys: deniedKeys, ev: ev, included: included, ingress: &ingress, egress: &egress,
            peers: { ep, owner, ingressSide, pk in peers(for: ep, of: owner, ingressSide: ingressSide, port: pk) },
            portName: portName)
        for (w, n) in dnsNotes.notes { notes[w, default: []].formUnion(n) }
        warnings.formUnion(dnsNotes.warnings)

        // 5. Internet-facing: many distinct public sources on one port collapse into one rule.
        // Public sources observed denied on the same port are carved out of the collapsed rule.
        var deniedPublic = [Endpoint: [PortKey: [String]]]()
        for d in denied where d.key.source.kind == .external && !IPAddr.isPrivate(d.key.source.name) {
            deniedPublic[d.key.destination, default: [:]][PortKey(d.key.proto, d.key.port), default: []]
                .append(CIDR.hostText(d.key.source.name))
        }
        for (dst, perPort) in internetSources {
            for (pk, edges) in perPort {
                let name = portName(dst, pk)
                if edges.count >= options.internetThreshold {
                    var acc = PortAcc(name: name)
                    for e in edges { acc.add(e.stats, l7: ev.l7[e.key] ?? []) }
                    acc.extraExamples = ["\(edges.count) distinct internet sources"]
                    let allowedCIDRs = Set(edges.map { CIDR.hostText($0.key.source.name) })
                    let carved = Set(deniedPublic[dst]?[pk] ?? []).subtracting(allowedCIDRs)
                    for (cidr, priv) in [("0.0.0.0/0", CIDR.privateV4.map(\.description)), ("::/0", CIDR.privateV6.map(\.description))] {
                        let v6 = cidr.contains(":")
                        let except = priv + carved.filter { $0.contains(":") == v6 }
                            .sorted(by: CIDR.textOrder)
                        let key = PeerKey.block(([cidr] + except).joined(separator: " "))
                        peerPlans[key] = .ipBlock(cidr: cidr, except: except, note: PeerPlan.internetFacingNote)
                        ingress[dst, default: [:]][key, default: [:]][pk] = acc
                    }
                    warnings.insert("\(dst) \(pk.proto.rawValue)/\(pk.port) is internet-facing "
                                    + "(\(edges.count) distinct public sources): allowed from 0.0.0.0/0 and ::/0 "
                                    + "except private ranges"
                                    + (carved.isEmpty ? "" : " and the \(carved.count) public source(s) observed denied"))
                } else {
                    for e in edges {
                        for p in peers(for: e.key.source, of: dst, ingressSide: true, port: pk) {
                            ingress[dst, default: [:]][p, default: [:]][pk, default: PortAcc(name: name)]
                                .add(e.stats, l7: ev.l7[e.key] ?? [])
                        }
                    }
                }
            }
        }

        // 6. DNS baseline: every namespace that gets an egress default-deny may reach the cluster resolvers on
        // UDP and TCP 53 (rarely-resolving workloads keep DNS), and the resolvers admit it; minus what was
        // observed denied from the namespace.
        let outNamespaces = Set(byNamespace.keys.filter { byNamespace[$0]!.keys.contains(where: included) })
        var baseline = [String: [RulePlan]]()
        if options.dns == .baseline {
            let withEgressDeny = outNamespaces.intersection(egressSeen).sorted()
            let resolvers = clusterResolvers(allowed, ev: ev)
            if resolvers.isEmpty && !withEgressDeny.isEmpty {
                warnings.insert("no cluster DNS resolver was observed: no DNS baseline (allow-dns) for "
                                + withEgressDeny.joined(separator: ", ") + "; DNS is allowed only where observed")
            }
            var deniedFrom = [String: [Endpoint: Set<Proto>]]()  // namespace -> resolver -> protocols denied
            for k in deniedKeys where Self.isDNS(k) && k.source.kind == .workload {
                deniedFrom[k.source.namespace, default: [:]][k.destination, default: []].insert(k.proto)
            }
            for ns in withEgressDeny {
                var out = [RulePlan]()
                for r in resolvers {
                    let rPeers = baselinePeers(r, selectors: selectors, ev: ev)
                    if rPeers.isEmpty {
                        warnings.insert("\(r): DNS resolver without stable labels: not in the DNS baseline")
                        continue
                    }
                    let deniedProtos = deniedFrom[ns]?[r] ?? []
                    let protos = [Proto.udp, .tcp].filter { !deniedProtos.contains($0) }
                    if !deniedProtos.isEmpty {
                        warnings.insert("\(ns): the DNS baseline leaves out \(r) "
                                        + deniedProtos.map { "\($0.rawValue)/53" }.sorted().joined(separator: ", ")
                                        + ": observed denied from a pod of the namespace")
                    }
                    guard !protos.isEmpty else { continue }
                    let ports = protos.map {
                        PortPlan(proto: $0, port: 53, name: portName(r, PortKey($0, 53)), flows: 0, firstSeen: 0,
                                 lastSeen: 0, examples: [PortPlan.dnsBaselineNote])
                    }.sorted()
                    // Resolvers sharing a selector (coredns and kube-dns both `k8s-app: kube-dns`) give one rule.
                    for p in rPeers where !out.contains(where: { Self.sameSelection($0.peer, p) }) {
                        out.append(RulePlan(peer: p, ports: ports))
                    }
                    guard included(r) else { continue }
                    let key = PeerKey.namespace(ns)
                    peerPlans[key] = .namespace(ns)
                    for proto in protos where ingress[r]?[key]?[PortKey(proto, 53)] == nil {
                        var acc = PortAcc(name: portName(r, PortKey(proto, 53)))
                        acc.extraExamples = [PortPlan.dnsBaselineNote]
                        ingress[r, default: [:]][key, default: [:]][PortKey(proto, 53)] = acc
                    }
                }
                baseline[ns] = out.sorted { $0.peer < $1.peer }
            }
        }

        // 7. One plan per included workload with rules, notes or denied evidence.
        var workloads = Set(ingress.keys).union(egress.keys).union(notes.keys).filter(included)
        for e in denied where included(e.key.destination) { workloads.insert(e.key.destination) }
        var plans = [String: [WorkloadPlan]]()
        let generalizer = PathGeneralizer(threshold: options.pathCardinalityThreshold)
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
            var workloadNotes = notes[w] ?? []
            if let why = choice.controllerRejected {
                warnings.insert("\(w): \(why); the minimal selector \(choice.selector.canonical) is used")
                workloadNotes.insert(.minimalSelector(reason: why))
            }
            plans[w.namespace, default: []].append(WorkloadPlan(
                endpoint: w, selector: choice.selector, selectorWarning: selWarning,
                ingress: rules(ingress[w] ?? [:], peerPlans, generalizer),
                egress: rules(egress[w] ?? [:], peerPlans, generalizer),
                notes: InferenceNote.sorted(workloadNotes),
                ingressEntities: entityRules(entities[0][w] ?? [:], generalizer),
                egressEntities: entityRules(entities[1][w] ?? [:], generalizer)))
        }
        let idle = pods.keys.filter { $0.kind == .workload && included($0) && !workloads.contains($0) }
        if !idle.isEmpty {
            warnings.insert("\(idle.count) known workload(s) had no allowed traffic in the evidence (\(Self.list(idle))): "
                            + "their namespace's default-deny isolates them in the directions it covers")
        }
        // 8. Namespaces: a default-deny only for the directions the capture observed its pods in; a direction
        // never seen says nothing about what its pods need, so it is left open, by name.
        var namespaces = [NamespacePlan]()
        for ns in outNamespaces.union(plans.keys).sorted() {
            let known = Self.list(byNamespace[ns]?.keys.filter(included) ?? [])
            let denyIn = ingressSeen.contains(ns), denyOut = egressSeen.contains(ns)
            guard denyIn || denyOut || plans[ns] != nil else {
                warnings.insert("\(ns): no traffic of its pods was observed (known workloads: \(known)): "
                                + "no default-deny, its pods stay unrestricted")
                continue
            }
            var nsNotes = [InferenceNote]()
            for (seen, ingressSide) in [(denyIn, true), (denyOut, false)] where !seen {
                let note = InferenceNote.directionNotObserved(ingress: ingressSide, knownWorkloads: known)
                nsNotes.append(note)
                warnings.insert("\(ns): \(note)")
            }
            namespaces.append(NamespacePlan(name: ns, workloads: plans[ns] ?? [], denyIngress: denyIn,
                                            denyEgress: denyOut, notes: nsNotes, dnsBaseline: baseline[ns] ?? []))
        }
        var plan = PolicyPlan(namespaces: namespaces, denied: denied, warnings: warnings.sorted(), firstSeen: first,
                              lastSeen: last)
        for (ep, names) in ev.names where ep.kind == .external && !names.isEmpty {
            plan.externalNames[CIDR.hostText(ep.name)] = Set(names).sorted()
        }
        return plan
    }

    /// DNS egress. A DNS edge is an allowed edge to UDP or TCP port 53.
    /// - Every included workload with DNS edges may reach each resolver it used on both UDP and TCP 53 (resolvers
    ///   retry truncated answers over TCP); the protocol not observed is a port entry with 0 flows.
    /// - A workload resolved names also when an L7 DNS request of it was seen, or it reached an external address
    ///   known by a DNS name. If none of its own DNS flows is in the evidence, it gets the cluster's resolvers:
    ///   the in-cluster DNS peers (workloads, or link-local node-local DNS addresses) that served the most
    ///   distinct workloads. A note says so.
    /// - Node-local DNS (169.254.20.10) appears as an external link-local address (an ipBlock /32) or as
    ///   reserved:host with that address (see `reservedTreatment`).
    func dnsPlan(allowed: [ObservedEdge], deniedKeys: Set<EdgeKey>, ev: Evidence, included: (Endpoint) -> Bool,
                 ingress: inout [Endpoint: RuleAcc], egress: inout [Endpoint: RuleAcc],
                 peers: (Endpoint, Endpoint, Bool, PortKey) -> [PeerKey],
                 portName: (Endpoint, PortKey) -> String?) -> (notes: [Endpoint: Set<InferenceNote>], warnings: Set<String>) {
        var notes = [Endpoint: Set<InferenceNote>]()
        var warnings = Set<String>()
        var resolversOf = [Endpoint: Set<Endpoint>]()  // source workload -> DNS destinations
        var clientsOf = [Endpoint: Set<Endpoint>]()  // DNS destination -> source workloads
        for e in allowed where Self.isDNS(e.key) && e.key.source.kind == .workload {
            resolversOf[e.key.source, default: []].insert(e.key.destination)
            clientsOf[e.key.destination, default: []].insert(e.key.source)
        }
        // Both directions: the client's egress and, when the resolver's namespace gets policies, its ingress.
        // A protocol observed denied between the two stays denied.
        func addBoth(_ w: Endpoint, _ resolver: Endpoint) {
            for proto in [Proto.udp, .tcp] {
                let pk = PortKey(proto, 53)
                if deniedKeys.contains(EdgeKey(source: w, destination: resolver, proto: proto, port: 53,
                                               outcome: .allowed)) {
                    notes[w, default: []].insert(.dnsSiblingDenied(proto: proto, resolver: resolver))
                    continue
                }
                let name = portName(resolver, pk)
                for p in peers(resolver, w, false, pk) where egress[w]?[p]?[pk] == nil {
                    egress[w, default: [:]][p, default: [:]][pk] = PortAcc(name: name)
                }
                if included(resolver) {
                    for p in peers(w, resolver, true, pk) where ingress[resolver]?[p]?[pk] == nil {
                        ingress[resolver, default: [:]][p, default: [:]][pk] = PortAcc(name: name)
                    }
                }
            }
        }
        for (w, resolvers) in resolversOf where included(w) || resolvers.contains(where: included) {
            for r in resolvers where included(w) || included(r) { addBoth(w, r) }
        }

        // Workloads that resolved names without a DNS edge of their own.
        var resolvedNames = Set<Endpoint>()
        for (k, obs) in ev.l7 where k.source.kind == .workload && k.outcome == .allowed {
            if obs.contains(where: { if case .dns = $0.request { return true } else { return false } }) {
                resolvedNames.insert(k.source)
            }
        }
        for e in allowed where e.key.source.kind == .workload && e.key.destination.kind == .external
            && !(ev.names[e.key.destination] ?? []).isEmpty {
            resolvedNames.insert(e.key.source)
        }
        let orphans = resolvedNames.filter { included($0) && resolversOf[$0] == nil }.sorted()
        guard !orphans.isEmpty else { return (notes, warnings) }
        let candidates = clientsOf.filter { ep, _ in
            ep.kind == .workload || (ep.kind == .external && IPAddr.isLinkLocal(ep.name))
        }
        let most = candidates.values.map(\.count).max() ?? 0
        let cluster = candidates.filter { $0.value.count == most }.keys.sorted()
        for w in orphans {
            if cluster.isEmpty {
                notes[w, default: []].insert(.noDNSServer)
                warnings.insert("\(w): resolved names but no DNS server was observed anywhere; no DNS egress rule")
                continue
            }
            for r in cluster { addBoth(w, r) }
            notes[w, default: []].insert(.clusterResolvers(cluster))
        }
        return (notes, warnings)
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
        if case .workload(let x, let s) = a, case .workload(let y, let t) = b { return x.namespace == y.namespace && s == t }
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
            return RulePlan(peer: peer, ports: portPlans(ports, generalizer))
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
    /// - remote-node: an ipBlock per observed node address; skipped with a note when none is known.
    /// - world without an address, health, init, unmanaged, ingress, unknown: skipped with a note.
    func reservedTreatment(_ ep: Endpoint, owner: Endpoint, ingressSide: Bool, port: PortKey, ev: Evidence,
                           notes: inout [Endpoint: Set<InferenceNote>], warnings: inout Set<String>) -> [PeerPlan] {
        let dir = ingressSide ? "from" : "to"
        let direction: InferenceNote.Direction = ingressSide ? .from : .to
        switch ep.reservedEntity {
        case .host?:
            if !ingressSide && port.port == 53 {
                let local = (ev.addresses[ep] ?? []).filter(IPAddr.isLinkLocal).sorted()
                if !local.isEmpty {
                    return local.map { .ipBlock(cidr: CIDR.hostText($0), except: [], note: "node-local DNS") }
                }
            }
            notes[owner, default: []].insert(.reservedPeer(entity: ep.name, direction: direction, reason: .alwaysAllowedNode))
            return []
        case .kubeAPIServer?, .remoteNode?:
            let addrs = (ev.addresses[ep] ?? []).sorted()
            if addrs.isEmpty {
                notes[owner, default: []].insert(.reservedPeer(entity: ep.name, direction: direction, reason: .noAddress))
                warnings.insert("\(owner): traffic \(dir) reserved:\(ep.name) \(port.proto.rawValue)/\(port.port) "
                                + "observed, but no address of it is known: no rule")
            }
            return addrs.map { .ipBlock(cidr: CIDR.hostText($0), except: [], note: "reserved:\(ep.name)") }
        default:
            notes[owner, default: []].insert(.reservedPeer(entity: ep.name, direction: direction,
                                                           reason: .notExpressible))
            warnings.insert("\(owner): traffic \(dir) reserved:\(ep.name) \(port.proto.rawValue)/\(port.port) observed, "
                            + "but reserved:\(ep.name) is not expressible as a NetworkPolicy peer: no rule")
            return []
        }
    }
}

extension Inferrer {
    /// A text key that sorts like `EdgeKey <`: endpoint fields are compared in the same order, separated by a
    /// character below any that labels, names or addresses contain.
    static func sortKey(_ k: EdgeKey) -> String {
        func ep(_ e: Endpoint) -> String { "\(e.kind.rawValue)\u{1}\(e.namespace)\u{1}\(e.name)\u{1}\(e.workloadKind)" }
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
