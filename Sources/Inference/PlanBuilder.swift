import FlowModel

/// `Inferrer.infer` in named stages. Each stage reads what the earlier ones built and adds to it; `Inferrer.infer`
/// runs them in order:
///  0. `init`: stand-ins resolved (label identities become their workloads, node ends join pod-to-pod
///     connections);
///  1. `selectEvidence`: the evidence used (allowed edges with a policy port, observed-denied edges, what is left
///     out and why);
///  2. `chooseSelectors`: a selector for every workload known in each namespace;
///  3. `noteUnexpressible`: system namespaces left out, allowed edges no NetworkPolicy port can name;
///  4. `nameContainerPorts`: (workload, protocol, port) -> container port name, where every entry agrees;
///  5. `addObservedRules`: allowed edges -> rules (internet sources kept aside for step 7);
///  6. `addDNS`: both DNS protocols to every resolver used; the cluster's resolvers for workloads that resolved
///     names without DNS flows of their own;
///  7. `addInternetFacing`: many public sources on one port collapse into one rule, minus the denied ones;
///  8. `addDNSBaseline`: the namespace-wide `allow-dns` rules and the resolvers' matching ingress;
///  9. `buildWorkloadPlans`: one plan per included workload with rules, notes or denied evidence;
/// 10. `plan()`: namespaces (default-deny per observed direction) and the finished, sorted plan.
/// Rules and notes are accumulated in dictionaries and sets keyed by what they describe, so the order in which a
/// stage visits edges never shows in the plan.
struct PlanBuilder {
    let inferrer: Inferrer
    var options: InferenceOptions { inferrer.options }
    /// The evidence with stand-ins resolved.
    let ev: Evidence
    var warnings = Set<PlanWarning>()
    /// Per workload: observed peers that produced no rule, with the reason.
    var notes = [Endpoint: Set<InferenceNote>]()

    // 1. The evidence used.
    var allowed: [ObservedEdge] = []
    /// Sorted like `EdgeKey <`.
    var denied: [ObservedEdge] = []
    /// Allowed, but no TCP/UDP/SCTP port a rule could name.
    var withoutPort: [ObservedEdge] = []
    /// Namespaces whose pods were observed sending (egress) / receiving (ingress), allowed or denied.
    var egressSeen = Set<String>(), ingressSeen = Set<String>()
    /// Observed-denied connections as allowed keys: no expansion (DNS sibling protocol, DNS baseline,
    /// internet-facing collapse) may admit one.
    var deniedKeys = Set<EdgeKey>()
    /// The allowed edges' keys (a rule towards a node end asks for its own connection's addresses).
    var allowedKeys = Set<EdgeKey>()

    // 2. Selectors.
    /// Every known workload (inventory, allowed and denied edges) with its label sets.
    var pods = [Endpoint: [Labels]]()
    var byNamespace = [String: [Endpoint: [Labels]]]()
    var selectors = [Endpoint: SelectorChooser.Choice]()

    // 4. Named container ports.
    var portNames = [Endpoint: [PortKey: String]]()

    // 5-8. Rules being accumulated.
    var ingress = [Endpoint: Inferrer.RuleAcc]()
    var egress = [Endpoint: Inferrer.RuleAcc]()
    var peerPlans = [Inferrer.PeerKey: PeerPlan]()
    var internetSources = [Endpoint: [PortKey: [ObservedEdge]]]()
    var first: Int64?, last: Int64?
    /// Reserved-entity peers per owner, [ingress, egress], for flavours that can name them (`ReservedEntity.ruleEntities`).
    var entities = [[Endpoint: [String: [PortKey: Inferrer.PortAcc]]]](repeating: [:], count: 2)
    /// Namespaces with an included workload.
    var outNamespaces = Set<String>()
    var baseline = [String: [RulePlan]]()

    // 9. Workload plans.
    var workloads = Set<Endpoint>()
    var plans = [String: [WorkloadPlan]]()

    /// Admission webhooks by backend workload and target port (`Evidence.routeBackends`).
    var webhooks = [Endpoint: [PortKey: [InventoryRoute]]]()
    /// The API server's known addresses (`reserved:kube-apiserver` in `Evidence.addresses`).
    let apiServerAddresses: Set<IPAddr>

    /// 0. Stand-ins: label identities become their workloads, node ends join pod-to-pod connections.
    init(_ inferrer: Inferrer, _ observed: Evidence) {
        self.inferrer = inferrer
        let (ev, standInWarnings) = StandIns.resolve(observed)
        self.ev = ev
        warnings.formUnion(standInWarnings)
        for b in ev.routeBackends where b.route.kind.isWebhook {
            webhooks[b.workload, default: [:]][PortKey(b.proto, b.port), default: []].append(b.route)
        }
        apiServerAddresses = Set((ev.addresses[.reserved(.kubeAPIServer)] ?? []).compactMap(IPAddr.init))
    }

    /// The API server as a flow shows it: Cilium's entity, or (IP-only formats) one of its known addresses.
    func isAPIServer(_ ep: Endpoint) -> Bool {
        ep.isReserved(.kubeAPIServer) || (ep.kind == .external && IPAddr(ep.name).map(apiServerAddresses.contains) == true)
    }

    /// An allowed call from the API server to a webhook port of `dst`: a note naming each webhook, and a warning
    /// when the NetworkPolicy flavour cannot allow it (no API server address known), since a webhook that fails
    /// closed then blocks every admission it reviews.
    ///
    /// A call from `reserved:host` / `reserved:remote-node` to a webhook port is the API server too: Cilium
    /// reports an API server that runs in the host network (kubeadm, k3s, most self-managed control planes) as a
    /// node when the `kube-apiserver` identity is not assigned to its address. The NetworkPolicy flavour allows it
    /// as any node traffic: always from the pod's own node (B5), by the node addresses' ipBlocks from another
    /// (`reservedTreatment`; no address known: its own warning).
    mutating func noteWebhookCall(_ k: EdgeKey, _ pk: PortKey) {
        let node = k.source.reservedEntity.map(ReservedEntity.nodes.contains) == true
        guard let hooks = webhooks[k.destination]?[pk], node || isAPIServer(k.source) else { return }
        let allowed: Bool
        switch k.source.reservedEntity {
        case .host?: allowed = true
        case .remoteNode?: allowed = nodeAddresses(k.source, on: k, side: 0)?.isEmpty == false
        default: allowed = k.source.kind == .external || !apiServerAddresses.isEmpty
        }
        for h in Set(hooks).sorted() {
            notes[k.destination, default: []].insert(.webhookCall(webhook: h.description, source: k.source,
                                                                 proto: pk.proto, port: pk.port, allowed: allowed))
            if !allowed && !node {
                warnings.insert(.webhookWithoutAPIServerAddress(k.destination, webhook: h.description, proto: pk.proto,
                                                                port: pk.port))
            }
        }
    }

    func included(_ ep: Endpoint) -> Bool { options.includes(ep) }

    /// 1. The evidence used.
    mutating func selectEvidence() {
        var skippedFew = 0
        allowedKeys.reserveCapacity(ev.edges.count)  // grown by doubling, the set rehashed its keys ~20 times at 500,000
        for e in ev.edges {
            if e.key.outcome != .other {
                // A workload of another cluster (ClusterMesh) is never a subject here: its namespace is not this
                // cluster's.
                if e.key.source.kind == .workload && !e.key.source.isRemote { egressSeen.insert(e.key.source.namespace) }
                if e.key.destination.kind == .workload && !e.key.destination.isRemote {
                    ingressSeen.insert(e.key.destination.namespace)
                }
            }
            switch e.key.outcome {
            case .denied:
                denied.append(e)
            case .allowed:
                // ICMP, protocol OTHER (no L4) or no port: NetworkPolicy cannot say; named in warnings below.
                guard e.key.proto.isPolicyProtocol, e.key.port != 0 else { withoutPort.append(e); continue }
                if e.stats.flows < options.minFlows { skippedFew += 1; continue }
                allowed.append(e)
                allowedKeys.insert(e.key)
            case .other:
                continue
            }
        }
        // Sorted like `EdgeKey <` (the text key orders the same way, and is built once per edge, not per comparison).
        denied = denied.map { (Inferrer.sortKey($0.key), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        if skippedFew > 0 { warnings.insert(.belowMinFlows(edges: skippedFew, minFlows: options.minFlows)) }
        for d in denied {
            var k = d.key
            k.outcome = .allowed
            deniedKeys.insert(k)
        }
        if !denied.isEmpty {
            for d in denied {
                var k = d.key
                k.outcome = .allowed
                if allowedKeys.contains(k) {
                    warnings.insert(.allowedAndDenied(source: k.source, destination: k.destination, proto: k.proto,
                                                      port: k.port))
                }
            }
        }
    }

    /// 2. Selectors for every workload known in each namespace (inventory, allowed and denied edges).
    mutating func chooseSelectors() {
        pods = ev.labelSets
        for list in [allowed, denied] {
            for e in list {
                for ep in [e.key.source, e.key.destination] where ep.kind == .workload && pods[ep] == nil { pods[ep] = [] }
            }
        }
        // Workloads of another cluster (ClusterMesh) are chosen among their own cluster's namespace only.
        var remoteByNamespace = [String: [Endpoint: [Labels]]]()
        for (ep, sets) in pods where ep.kind == .workload {
            if ep.isRemote {
                remoteByNamespace["\(ep.cluster)/\(ep.namespace)", default: [:]][ep] = sets
            } else {
                byNamespace[ep.namespace, default: [:]][ep] = sets
            }
        }
        for (_, nsPods) in Array(byNamespace) + Array(remoteByNamespace) {
            let index = SelectorChooser.NamespaceIndex(nsPods)
            for ep in nsPods.keys {
                let controller = options.selector == .controller ? ev.controllerSelectors[ep] : nil
                selectors[ep] = index.choose(for: ep, controller: controller)
            }
        }
    }

    /// 3. System namespaces left out, and allowed edges without a port NetworkPolicy can name.
    mutating func noteUnexpressible() {
        for ns in byNamespace.keys.sorted() where options.leavesOutSystem(ns) && !options.excludeNamespaces.contains(ns) {
            warnings.insert(.systemNamespaceLeftOut(namespace: ns, knownWorkloads: byNamespace[ns]!.keys.sorted()))
        }
        for e in withoutPort where included(e.key.source) || included(e.key.destination) {
            warnings.insert(.noPort(source: e.key.source, destination: e.key.destination, proto: e.key.proto,
                                    port: e.key.port))
            for ep in [e.key.source, e.key.destination] where included(ep) {
                notes[ep, default: []].insert(.noPort(source: e.key.source, destination: e.key.destination,
                                                      proto: e.key.proto, port: e.key.port))
            }
        }
    }

    /// 4. Named container ports: (workload, proto, port) -> name, only when every entry agrees.
    mutating func nameContainerPorts() {
        if options.namedPorts && ev.containerPorts.isEmpty {
            warnings.insert(.noContainerPortNames)
        }
        guard options.namedPorts else { return }
        for (ep, list) in ev.containerPorts {
            var names = [PortKey: Set<String>]()
            // An unnamed entry counts as a different name: a pod that does not name the port would not
            // resolve it.
            for p in list { names[PortKey(p.proto, p.port), default: []].insert(p.name) }
            for (k, v) in names where v.count == 1 && !v.first!.isEmpty { portNames[ep, default: [:]][k] = v.first! }
        }
    }

    func portName(_ dst: Endpoint, _ k: PortKey) -> String? {
        // A host-network destination is written as its nodes' ipBlocks, where a port name never resolves (F6).
        dst.kind == .workload && !ev.hostNetwork.contains(dst) ? portNames[dst]?[k] : nil
    }

    /// The addresses node end `ep` (`reserved:host` / `reserved:remote-node`, a host-network workload) showed on
    /// connection `k` (`side` 0: its source end), never those of another workload's connections (issue 23):
    /// `Evidence.connectionAddresses`. Without them (evidence built by hand) and without an edge (the cluster
    /// resolvers given to a workload with no DNS flow of its own) the endpoint's addresses. An edge whose
    /// addresses were not recorded (evidence ingested before schema 13): the endpoint's one address when it has
    /// exactly one (then every connection of it had that address), else nil (unknown: no rule, a warning).
    func nodeAddresses(_ ep: Endpoint, on k: EdgeKey?, side: Int) -> [String]? {
        let all = ev.addresses[ep] ?? []
        guard let c = ev.connectionAddresses, let k else { return all }
        if let seen = c.addresses(k, side: side) { return seen.sorted(by: CIDR.textOrder) }
        return Set(all).count <= 1 ? all : nil
    }

    /// The Services connection `k`'s flows were addressed to (`namespace/name`, a port name dropped), from
    /// `Evidence.connectionAddresses` (schema 14): never those of another connection to the same destination.
    /// Evidence built by hand (no connections): the destination's Services as given. A connection ingested before
    /// schema 14: the destination's Services as recorded per endpoint, `unknown` (evidence only, never `toServices`).
    func connectionServices(_ k: EdgeKey) -> (names: Set<String>, unknown: Bool) {
        func strip<S: Sequence<String>>(_ s: S) -> Set<String> { Set(s.map { String($0.prefix { $0 != ":" }) }) }
        let perDestination = { strip(self.ev.services[k.destination] ?? []) }
        guard let c = ev.connectionAddresses else { return (perDestination(), false) }
        if let seen = c.services(k) { return (strip(seen), false) }
        return (perDestination(), true)
    }

    /// Rule peers for `ep` seen by `owner` on `edge` (nil: none of its own, see `nodeAddresses`); empty (with a
    /// note) when it cannot be expressed.
    mutating func peers(for ep: Endpoint, of owner: Endpoint, ingressSide: Bool, port: PortKey, edge: EdgeKey?)
        -> [Inferrer.PeerKey] {
        let side = ingressSide ? 0 : 1
        switch ep.kind {
        case .workload where ep.isRemote && !options.clusterSelectors:
            let direction: InferenceNote.Direction = ingressSide ? .from : .to
            notes[owner, default: []].insert(.remoteClusterPeer(ep, direction: direction))
            warnings.insert(.remoteClusterPeer(owner: owner, peer: ep, direction: direction, proto: port.proto,
                                               port: port.port))
            return []
        case .workload where !ep.isRemote && ev.hostNetwork.contains(ep):
            return hostNetworkPeers(ep, of: owner, ingressSide: ingressSide, port: port,
                                    observed: nodeAddresses(ep, on: edge, side: side))
        case .workload:
            guard let c = selectors[ep], !c.selector.isEmpty else {
                notes[owner, default: []].insert(.unselectablePeer(ep))
                warnings.insert(.unselectablePeer(ep))
                return []
            }
            let k = Inferrer.PeerKey.workload(ep)
            if peerPlans[k] == nil { peerPlans[k] = .workload(ep, selector: c.selector) }
            return [k]
        case .external:
            let cidr = CIDR.hostText(ep.name)
            let k = Inferrer.PeerKey.block(cidr)
            if peerPlans[k] == nil {
                peerPlans[k] = .ipBlock(cidr: cidr, except: [],
                                        note: (ev.names[ep] ?? []).sorted().prefix(3).joined(separator: ", "))
            }
            return [k]
        case .reserved:
            let node = ep.reservedEntity.map(ReservedEntity.nodes.contains) == true
            let observed = node ? nodeAddresses(ep, on: edge, side: side) : ev.addresses[ep] ?? []
            return inferrer.reservedTreatment(ep, owner: owner, ingressSide: ingressSide, port: port, ev: ev,
                                              observed: observed, notes: &notes, warnings: &warnings).map { plan in
                guard case .ipBlock(let cidr, _, _) = plan else { return .block("") }
                let k = Inferrer.PeerKey.block(cidr)
                if peerPlans[k] == nil { peerPlans[k] = plan }
                return k
            }
        }
    }

    /// A workload peer whose pods all run in the host network (netpol-semantics G1, E5): the spec leaves it to the
    /// CNI, and most see its traffic as its node's: an ipBlock per address its flows showed (its node addresses:
    /// `Evidence.hostNetworkPlacement`; `/32`, `/128`), never every address of the nodes it runs on, and never a
    /// podSelector (which such CNIs never match). The Cilium flavour writes the `host` / `remote-node` entities
    /// instead (`hostNetworkEntities`). No address observed: no rule, a note and a warning. `observed`: the
    /// addresses of this connection (`nodeAddresses`; nil: not recorded, no rule and a warning).
    mutating func hostNetworkPeers(_ ep: Endpoint, of owner: Endpoint, ingressSide: Bool, port: PortKey,
                                   observed: [String]?) -> [Inferrer.PeerKey] {
        let direction: InferenceNote.Direction = ingressSide ? .from : .to
        guard let observed else {
            notes[owner, default: []].insert(.hostNetworkPeer(ep, direction: direction, addressed: false))
            warnings.insert(.nodeAddressesUnknown(owner: owner, peer: ep, direction: direction, proto: port.proto,
                                                  port: port.port))
            return []
        }
        let addresses = ev.hostNetworkPlacement(ep, observed: observed).values.joined()
        let cidrs = Set(addresses.map(CIDR.hostText)).sorted(by: CIDR.textOrder)
        notes[owner, default: []].insert(.hostNetworkPeer(ep, direction: direction, addressed: !cidrs.isEmpty))
        guard !cidrs.isEmpty else {
            warnings.insert(.hostNetworkPeerWithoutAddress(owner: owner, peer: ep, direction: direction,
                                                           proto: port.proto, port: port.port))
            return []
        }
        warnings.insert(.hostNetworkPeer(owner: owner, peer: ep))
        return cidrs.map { cidr in
            // Its own key: the same address may also stand for `reserved:remote-node`, a rule of its own.
            let k = Inferrer.PeerKey.block(PeerPlan.hostNetworkNote + " " + cidr)
            if peerPlans[k] == nil { peerPlans[k] = .ipBlock(cidr: cidr, except: [], note: PeerPlan.hostNetworkNote) }
            return k
        }
    }

    /// The Cilium entities a host-network workload `ep` is as `owner`'s peer: Cilium gives host-network pods their
    /// node's identity, `host` on the owner's own node and `remote-node` on another. Both when the nodes of
    /// either are not known; only those the known nodes allow otherwise (the owner's pods and `ep`'s pods share
    /// a node: `host`; one of them runs on a node the other does not: `remote-node`). `ep`'s nodes are those its
    /// flows showed (`Evidence.hostNetworkPlacement`) when every observed address is of a known node of it, else
    /// every node it runs on.
    func hostNetworkEntities(_ ep: Endpoint, of owner: Endpoint, observed: [String]?) -> [String] {
        let seen = observed.map { ev.hostNetworkPlacement(ep, observed: $0) } ?? [:]
        let observedNodes = seen.isEmpty || seen[""] != nil ? nil : Set(seen.keys)
        guard let mine = observedNodes ?? ev.workloadNodes[ep], !mine.isEmpty, let theirs = ev.workloadNodes[owner],
              !theirs.isEmpty else {
            return [ReservedEntity.host.rawValue, ReservedEntity.remoteNode.rawValue]
        }
        var out: [String] = []
        if !mine.isDisjoint(with: theirs) { out.append(ReservedEntity.host.rawValue) }
        if !(mine.count == 1 && mine == theirs) { out.append(ReservedEntity.remoteNode.rawValue) }
        return out
    }

    /// 5. Edges -> rules. Public internet sources wait for `addInternetFacing`.
    mutating func addObservedRules() {
        for e in allowed {
            let k = e.key
            let srcIn = included(k.source), dstIn = included(k.destination)
            guard srcIn || dstIn else { continue }
            first = min(first ?? .max, e.stats.firstSeen)
            last = max(last ?? .min, e.stats.lastSeen)
            let pk = PortKey(k.proto, k.port)
            let obs = ev.l7[k] ?? []
            let name = portName(k.destination, pk)
            let svc = connectionServices(k)
            for (ep, owner, side) in [(k.source, k.destination, 0), (k.destination, k.source, 1)] where included(owner) {
                var names: [String] = []
                if ep.reservedEntity.map(ReservedEntity.ruleEntities.contains) == true {
                    names = [ep.name]
                } else if ep.kind == .workload && !ep.isRemote && ev.hostNetwork.contains(ep) {
                    names = hostNetworkEntities(ep, of: owner, observed: nodeAddresses(ep, on: k, side: side))
                }
                for n in names {
                    entities[side][owner, default: [:]][n, default: [:]][pk, default: Inferrer.PortAcc(name: nil)]
                        .add(e.stats, l7: obs)
                }
            }
            if dstIn { noteWebhookCall(k, pk) }
            if dstIn {
                if k.source.kind == .external && !IPAddr.isPrivate(k.source.name) {
                    internetSources[k.destination, default: [:]][pk, default: []].append(e)
                } else {
                    for p in peers(for: k.source, of: k.destination, ingressSide: true, port: pk, edge: k) {
                        ingress[k.destination, default: [:]][p, default: [:]][pk, default: Inferrer.PortAcc(name: name)]
                            .add(e.stats, l7: obs, services: svc)
                    }
                }
            }
            if srcIn {
                for p in peers(for: k.destination, of: k.source, ingressSide: false, port: pk, edge: k) {
                    egress[k.source, default: [:]][p, default: [:]][pk, default: Inferrer.PortAcc(name: name)]
                        .add(e.stats, l7: obs, services: svc)
                }
            }
        }
    }

    /// 6. DNS egress. A DNS edge is an allowed edge to UDP or TCP port 53.
    /// - Every included workload with DNS edges may reach each resolver it used on both UDP and TCP 53 (resolvers
    ///   retry truncated answers over TCP); the protocol not observed is a port entry with 0 flows.
    /// - A workload resolved names also when an L7 DNS request of it was seen, or it reached an external address
    ///   known by a DNS name. If none of its own DNS flows is in the evidence, it gets the cluster's resolvers:
    ///   the in-cluster DNS peers (workloads, or link-local node-local DNS addresses) that served the most
    ///   distinct workloads. A note says so.
    /// - Node-local DNS (169.254.20.10) appears as an external link-local address (an ipBlock /32) or as
    ///   reserved:host with that address (see `reservedTreatment`).
    mutating func addDNS() {
        var resolversOf = [Endpoint: Set<Endpoint>]()  // source workload -> DNS destinations
        var clientsOf = [Endpoint: Set<Endpoint>]()  // DNS destination -> source workloads
        var protocols = [Endpoint: [Endpoint: Set<Proto>]]()  // resolver -> client -> DNS protocols observed
        for e in allowed where Inferrer.isDNS(e.key) && e.key.source.kind == .workload {
            resolversOf[e.key.source, default: []].insert(e.key.destination)
            clientsOf[e.key.destination, default: []].insert(e.key.source)
            protocols[e.key.destination, default: [:]][e.key.source, default: []].insert(e.key.proto)
        }
        for (w, resolvers) in resolversOf where included(w) || resolvers.contains(where: included) {
            for r in resolvers where included(w) || included(r) {
                addBothDNSProtocols(w, r, observed: protocols[r]?[w] ?? [])
            }
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
        guard !orphans.isEmpty else { return }
        let candidates = clientsOf.filter { ep, _ in
            ep.kind == .workload || (ep.kind == .external && IPAddr.isLinkLocal(ep.name))
        }
        let most = candidates.values.map(\.count).max() ?? 0
        let cluster = candidates.filter { $0.value.count == most }.keys.sorted()
        for w in orphans {
            if cluster.isEmpty {
                notes[w, default: []].insert(.noDNSServer)
                warnings.insert(.noDNSServer(w))
                continue
            }
            // No DNS flow of its own: the protocols its resolvers were observed serving.
            let served = dnsProtocolsServed()
            for r in cluster { addBothDNSProtocols(w, r, observed: served[r] ?? []) }
            notes[w, default: []].insert(.clusterResolvers(cluster))
        }
    }

    /// Resolver -> the DNS protocols observed allowed to it from workloads.
    func dnsProtocolsServed() -> [Endpoint: Set<Proto>] {
        var out = [Endpoint: Set<Proto>]()
        for e in allowed where Inferrer.isDNS(e.key) && e.key.source.kind == .workload {
            out[e.key.destination, default: []].insert(e.key.proto)
        }
        return out
    }

    /// A resolver that answers from a node: a host-network workload, or node-local DNS (`reserved:host` /
    /// `reserved:remote-node`, a link-local address). Only the DNS protocols observed to it are written, in every
    /// flavour: the NetworkPolicy ipBlocks of its node addresses and Cilium's `host` / `remote-node` entities
    /// (which carry the observed edges only) then agree, and neither is broader than the evidence.
    func answersFromNode(_ r: Endpoint) -> Bool {
        (r.kind == .workload && ev.hostNetwork.contains(r)) || r.reservedEntity.map(ReservedEntity.nodes.contains) == true
            || (r.kind == .external && IPAddr.isLinkLocal(r.name))
    }

    /// Both DNS protocols from `w` to `resolver`: the client's egress and, when the resolver's namespace gets
    /// policies, its ingress. A protocol observed denied between the two stays denied. A resolver that answers
    /// from a node (`answersFromNode`) gets only the `observed` protocols, with a note for the other.
    mutating func addBothDNSProtocols(_ w: Endpoint, _ resolver: Endpoint, observed: Set<Proto>) {
        for proto in [Proto.udp, .tcp] {
            let pk = PortKey(proto, 53)
            if answersFromNode(resolver) && !observed.contains(proto) {
                if !observed.isEmpty { notes[w, default: []].insert(.dnsSiblingNotObserved(proto: proto, resolver: resolver)) }
                continue
            }
            if deniedKeys.contains(EdgeKey(source: w, destination: resolver, proto: proto, port: 53,
                                           outcome: .allowed)) {
                notes[w, default: []].insert(.dnsSiblingDenied(proto: proto, resolver: resolver))
                continue
            }
            let name = portName(resolver, pk)
            let own = EdgeKey(source: w, destination: resolver, proto: proto, port: 53, outcome: .allowed)
            let edge = allowedKeys.contains(own) ? own : nil
            for p in peers(for: resolver, of: w, ingressSide: false, port: pk, edge: edge) where egress[w]?[p]?[pk] == nil {
                egress[w, default: [:]][p, default: [:]][pk] = Inferrer.PortAcc(name: name)
            }
            if included(resolver) {
                for p in peers(for: w, of: resolver, ingressSide: true, port: pk, edge: edge)
                    where ingress[resolver]?[p]?[pk] == nil {
                    ingress[resolver, default: [:]][p, default: [:]][pk] = Inferrer.PortAcc(name: name)
                }
            }
        }
    }

    /// 7. Internet-facing: many distinct public sources on one port collapse into one rule.
    /// Public sources observed denied on the same port are carved out of the collapsed rule.
    mutating func addInternetFacing() {
        var deniedPublic = [Endpoint: [PortKey: [String]]]()
        for d in denied where d.key.source.kind == .external && !IPAddr.isPrivate(d.key.source.name) {
            deniedPublic[d.key.destination, default: [:]][PortKey(d.key.proto, d.key.port), default: []]
                .append(CIDR.hostText(d.key.source.name))
        }
        for (dst, perPort) in internetSources {
            for (pk, edges) in perPort {
                let name = portName(dst, pk)
                if edges.count >= options.internetThreshold {
                    var acc = Inferrer.PortAcc(name: name)
                    for e in edges { acc.add(e.stats, l7: ev.l7[e.key] ?? [], services: connectionServices(e.key)) }
                    acc.extraExamples = ["\(edges.count) distinct internet sources"]
                    let allowedCIDRs = Set(edges.map { CIDR.hostText($0.key.source.name) })
                    let carved = Set(deniedPublic[dst]?[pk] ?? []).subtracting(allowedCIDRs)
                    // One rule per address family: the family of a carved-out block is its parsed address's, not
                    // a guess from its text.
                    for (all, priv) in [(CIDR.anyV4, CIDR.privateV4), (CIDR.anyV6, CIDR.privateV6)] {
                        let cidr = all.description
                        let except = priv.map(\.description)
                            + carved.filter { CIDR($0)?.network.isV6 == all.network.isV6 }.sorted(by: CIDR.textOrder)
                        let key = Inferrer.PeerKey.block(([cidr] + except).joined(separator: " "))
                        peerPlans[key] = .ipBlock(cidr: cidr, except: except, note: PeerPlan.internetFacingNote)
                        ingress[dst, default: [:]][key, default: [:]][pk] = acc
                    }
                    warnings.insert(.internetFacing(destination: dst, proto: pk.proto, port: pk.port,
                                                    sources: edges.count, carvedOut: carved.count))
                } else {
                    for e in edges {
                        for p in peers(for: e.key.source, of: dst, ingressSide: true, port: pk, edge: e.key) {
                            ingress[dst, default: [:]][p, default: [:]][pk, default: Inferrer.PortAcc(name: name)]
                                .add(e.stats, l7: ev.l7[e.key] ?? [], services: connectionServices(e.key))
                        }
                    }
                }
            }
        }
    }

    /// 8. DNS baseline: every namespace that gets an egress default-deny may reach the cluster resolvers on
    /// UDP and TCP 53 (rarely-resolving workloads keep DNS), and the resolvers admit it; minus what was
    /// observed denied from the namespace.
    mutating func addDNSBaseline() {
        outNamespaces = Set(byNamespace.keys.filter { byNamespace[$0]!.keys.contains(where: included) })
        guard options.dns == .baseline else { return }
        let withEgressDeny = outNamespaces.intersection(egressSeen).sorted()
        let resolvers = inferrer.clusterResolvers(allowed, ev: ev)
        if resolvers.isEmpty && !withEgressDeny.isEmpty {
            warnings.insert(.noClusterResolver(namespaces: withEgressDeny))
        }
        var deniedFrom = [String: [Endpoint: Set<Proto>]]()  // namespace -> resolver -> protocols denied
        for k in deniedKeys where Inferrer.isDNS(k) && k.source.kind == .workload {
            deniedFrom[k.source.namespace, default: [:]][k.destination, default: []].insert(k.proto)
        }
        let servedOver = dnsProtocolsServed()
        for ns in withEgressDeny {
            var out = [RulePlan]()
            for r in resolvers {
                // Its namespace-wide rule would be a podSelector, which most CNIs never match for host-network
                // pods (G1); the clients observed using it have their node rules from `addDNS`.
                if r.kind == .workload && ev.hostNetwork.contains(r) {
                    warnings.insert(.resolverInHostNetwork(r))
                    continue
                }
                let rPeers = inferrer.baselinePeers(r, selectors: selectors, ev: ev)
                if rPeers.isEmpty {
                    warnings.insert(.resolverWithoutLabels(r))
                    continue
                }
                let deniedProtos = deniedFrom[ns]?[r] ?? []
                // Node-local DNS: only the protocols it was observed serving, as for its clients (`addDNS`).
                let protos = [Proto.udp, .tcp].filter {
                    !deniedProtos.contains($0) && (!answersFromNode(r) || servedOver[r]?.contains($0) == true)
                }
                if !deniedProtos.isEmpty {
                    warnings.insert(.dnsBaselineLeavesOut(namespace: ns, resolver: r, protos: deniedProtos.sorted()))
                }
                guard !protos.isEmpty else { continue }
                let ports = protos.map {
                    PortPlan(proto: $0, port: 53, name: portName(r, PortKey($0, 53)), flows: 0, firstSeen: 0,
                             lastSeen: 0, examples: [PortPlan.dnsBaselineNote])
                }.sorted()
                // Resolvers sharing a selector (coredns and kube-dns both `k8s-app: kube-dns`) give one rule.
                for p in rPeers where !out.contains(where: { Inferrer.sameSelection($0.peer, p) }) {
                    out.append(RulePlan(peer: p, ports: ports))
                }
                guard included(r) else { continue }
                let key = Inferrer.PeerKey.namespace(ns)
                peerPlans[key] = .namespace(ns)
                for proto in protos where ingress[r]?[key]?[PortKey(proto, 53)] == nil {
                    var acc = Inferrer.PortAcc(name: portName(r, PortKey(proto, 53)))
                    acc.extraExamples = [PortPlan.dnsBaselineNote]
                    ingress[r, default: [:]][key, default: [:]][PortKey(proto, 53)] = acc
                }
            }
            baseline[ns] = out.sorted { $0.peer < $1.peer }
        }
    }

    /// `--services`: the Service an egress rule is written as, when one of the Services its flows were addressed
    /// to selects exactly the rule's workload: every label set of it and no other known workload of the namespace
    /// (a Service selecting more would admit pods the evidence never showed reached). Otherwise nil, with a note
    /// per Service saying why the endpoint selector is kept.
    func toService(_ r: RulePlan, notes: inout Set<InferenceNote>) -> String? {
        guard case .workload(let ep, _) = r.peer else { return nil }
        func kept(_ svc: String, _ why: String) { notes.insert(.serviceKept(service: svc, peer: ep, reason: why)) }
        // A peer of another cluster: a Service name means the local cluster's Service (global Services are
        // not modelled).
        if ep.isRemote {
            for s in r.services { kept(s, "the peer is in cluster \(ep.cluster)") }
            return nil
        }
        // Evidence from before schema 14: which of the destination's Services these connections used is unknown.
        if r.servicesUnknown {
            for s in r.services {
                kept(s, "its flows were ingested before FlowMap kept Services per connection (schema 14), so which "
                     + "Services they used is unknown; re-ingest the inputs into a new --db file")
            }
            return nil
        }
        // DNS rules stay toEndpoints with rules.dns: the DNS proxy setup is what toFQDNs relies on.
        if r.ports.contains(where: { $0.port == 53 && ($0.proto == .udp || $0.proto == .tcp) }) {
            for s in r.services { kept(s, "DNS rules stay on the endpoint selector") }
            return nil
        }
        let byName = Dictionary(ev.inventoryServices.map { ("\($0.namespace)/\($0.name)", $0) },
                                uniquingKeysWith: { a, _ in a })
        let own = pods[ep] ?? []
        for s in r.services {
            guard let svc = byName[s] else { kept(s, "the Service is not in the inventory; ingest one"); continue }
            guard !svc.selector.isEmpty else {
                kept(s, "the Service has no selector: toServices would select its addresses, not pods")
                continue
            }
            guard !own.isEmpty else { kept(s, "no labels of the workload are known"); continue }
            guard own.allSatisfy({ $0.matches(svc.selector) }) else {
                kept(s, "not every known pod of the workload matches the Service's selector")
                continue
            }
            let others = (byNamespace[svc.namespace] ?? [:])
                .filter { $0.key != ep && $0.value.contains { $0.matches(svc.selector) } }.keys.sorted()
            guard others.isEmpty else {
                kept(s, "the Service also selects " + others.prefix(3).map(\.description).joined(separator: ", "))
                continue
            }
            return s
        }
        return nil
    }

    /// 9. One plan per included workload with rules, notes or denied evidence.
    mutating func buildWorkloadPlans() {
        workloads = Set(ingress.keys).union(egress.keys).union(notes.keys).filter(included)
        for e in denied where included(e.key.destination) { workloads.insert(e.key.destination) }
        let generalizer = PathGeneralizer(threshold: options.pathCardinalityThreshold)
        for w in workloads.sorted() {
            guard let choice = selectors[w], !choice.selector.isEmpty else {
                warnings.insert(.unselectableWorkload(w))
                continue
            }
            var selWarning: String?
            if !choice.alsoMatches.isEmpty {
                selWarning = PlanWarning.alsoMatchesText(choice.alsoMatches)
                warnings.insert(.selectorAlsoMatches(w, others: choice.alsoMatches))
            }
            var workloadNotes = notes[w] ?? []
            if ev.hostNetwork.contains(w) {
                // NetworkPolicy leaves host-network pods to the CNI (netpol-semantics G1); most never select them.
                warnings.insert(.hostNetworkWorkload(w))
            }
            if let why = choice.controllerRejected {
                warnings.insert(.minimalSelector(w, reason: why, selector: choice.selector.canonical))
                workloadNotes.insert(.minimalSelector(reason: why))
            }
            // Each rule names the Services of its own connections (`connectionServices`, set by `rules`).
            let inRules = inferrer.rules(ingress[w] ?? [:], peerPlans, generalizer)
            var outRules = inferrer.rules(egress[w] ?? [:], peerPlans, generalizer)
            let perDestination = Set((inRules + outRules).filter(\.servicesUnknown).flatMap(\.services))
            if !perDestination.isEmpty {
                warnings.insert(.servicesPerDestination(owner: w, services: perDestination.sorted()))
            }
            if options.services {
                for i in outRules.indices where !outRules[i].services.isEmpty {
                    outRules[i].toService = toService(outRules[i], notes: &workloadNotes)
                }
            }
            plans[w.namespace, default: []].append(WorkloadPlan(
                endpoint: w, selector: choice.selector, selectorWarning: selWarning,
                ingress: inRules,
                egress: outRules,
                notes: InferenceNote.sorted(workloadNotes),
                ingressEntities: inferrer.entityRules(entities[0][w] ?? [:], generalizer),
                egressEntities: inferrer.entityRules(entities[1][w] ?? [:], generalizer)))
        }
        let idle = pods.keys.filter { $0.kind == .workload && included($0) && !workloads.contains($0) }
        if !idle.isEmpty {
            warnings.insert(.idleWorkloads(idle.sorted()))
        }
    }

    /// 10. Namespaces: a default-deny only for the directions the capture observed its pods in; a direction
    /// never seen says nothing about what its pods need, so it is left open, by name. Then the plan.
    mutating func plan() -> PolicyPlan {
        var namespaces = [NamespacePlan]()
        for ns in outNamespaces.union(plans.keys).sorted() {
            let knownWorkloads = (byNamespace[ns]?.keys.filter(included) ?? []).sorted()
            let known = Inferrer.list(knownWorkloads)
            let denyIn = ingressSeen.contains(ns), denyOut = egressSeen.contains(ns)
            guard denyIn || denyOut || plans[ns] != nil else {
                warnings.insert(.namespaceNotObserved(namespace: ns, knownWorkloads: knownWorkloads))
                continue
            }
            var nsNotes = [InferenceNote]()
            for (seen, ingressSide) in [(denyIn, true), (denyOut, false)] where !seen {
                let note = InferenceNote.directionNotObserved(ingress: ingressSide, knownWorkloads: known)
                nsNotes.append(note)
                warnings.insert(.directionNotObserved(namespace: ns, ingress: ingressSide, knownWorkloads: knownWorkloads))
            }
            namespaces.append(NamespacePlan(name: ns, workloads: plans[ns] ?? [], denyIngress: denyIn,
                                            denyEgress: denyOut, notes: nsNotes, dnsBaseline: baseline[ns] ?? []))
        }
        var plan = PolicyPlan(namespaces: namespaces, denied: denied, warnings: PlanWarning.sorted(warnings), firstSeen: first,
                              lastSeen: last)
        for (ep, names) in ev.names where ep.kind == .external && !names.isEmpty {
            plan.externalNames[CIDR.hostText(ep.name)] = Set(names).sorted()
        }
        return plan
    }
}
