import FlowModel

/// A problem of a `PolicyPlan` a reviewer must see: one case per reason, with what it is about as values, not
/// text. `generate` prints them (`warning: ...`), `evidence.json` / `evidence.md` and `generate --format json`
/// list them; the text is rendered in one place, `description`, and the plan keeps them sorted by it.
///
/// Code that decides something by a warning switches on its case, never on its text. A new reason is a new case
/// (with its rendering here), not a string.
public enum PlanWarning: Sendable, Hashable, CustomStringConvertible {
    // Evidence selection (PlanBuilder.selectEvidence / scopeNamespaces).
    /// Allowed edges with fewer flows than `--min-flows` were left out.
    case belowMinFlows(edges: Int, minFlows: Int64)
    /// The same connection was observed allowed and denied; the plan uses the allowed evidence.
    case allowedAndDenied(source: Endpoint, destination: Endpoint, proto: Proto, port: UInt16)
    /// A system namespace was left out (`--include-system` includes it).
    case systemNamespaceLeftOut(namespace: String, knownWorkloads: [Endpoint])
    /// An allowed edge without a TCP / UDP / SCTP port (ICMP, protocol OTHER, port 0): no rule.
    case noPort(source: Endpoint, destination: Endpoint, proto: Proto, port: UInt16)
    /// `--named-ports` without any known container port name.
    case noContainerPortNames

    // Stand-ins (StandIns.resolve).
    /// A label identity (no pod name) whose labels select no or several known workloads: kept as its own peer.
    case unresolvedLabelIdentity(Endpoint, matches: [Endpoint])
    /// A node end of an allowed edge joined the pod-to-pod connection on the same port.
    case joinedPodConnection(source: Endpoint, destination: Endpoint, proto: Proto, port: UInt16)

    // Peers and rules.
    /// A workload peer without stable labels: the rules that need it were left out.
    case unselectablePeer(Endpoint)
    /// A reserved-entity peer of `owner` with no known address (`kube-apiserver`, `remote-node`): no rule.
    case reservedWithoutAddress(owner: Endpoint, entity: String, direction: InferenceNote.Direction, proto: Proto,
                                port: UInt16)
    /// A reserved-entity peer NetworkPolicy cannot name (`world` without an address, `unmanaged` ...): no rule.
    case reservedNotExpressible(owner: Endpoint, entity: String, direction: InferenceNote.Direction, proto: Proto,
                                port: UInt16)
    /// A workload peer in another cluster (ClusterMesh): NetworkPolicy cannot name clusters, no rule.
    case remoteClusterPeer(owner: Endpoint, peer: Endpoint, direction: InferenceNote.Direction, proto: Proto,
                           port: UInt16)
    /// `reserved:ingress` (Cilium's Envoy for Ingress / Gateway API): the NetworkPolicy flavour has no rule.
    case ingressProxyNotExpressible(owner: Endpoint, direction: InferenceNote.Direction, proto: Proto, port: UInt16)
    /// The API server calls an admission webhook of `destination`, but no API server address is known.
    case webhookWithoutAPIServerAddress(Endpoint, webhook: String, proto: Proto, port: UInt16)
    /// A workload peer whose pods all run in the host network: written as its nodes' traffic (NetworkPolicy:
    /// ipBlocks of the node addresses; Cilium: `host` / `remote-node`), as most CNIs see it.
    case hostNetworkPeer(owner: Endpoint, peer: Endpoint)
    /// A host-network workload peer whose flows showed no address of it: no NetworkPolicy rule.
    case hostNetworkPeerWithoutAddress(owner: Endpoint, peer: Endpoint, direction: InferenceNote.Direction,
                                       proto: Proto, port: UInt16)
    /// A node peer (`reserved:remote-node`, a host-network workload) of a connection whose evidence was ingested
    /// before node addresses were kept per connection (schema 13), with several addresses known for the peer:
    /// no rule, since any of them may be another workload's connection's.
    case nodeAddressesUnknown(owner: Endpoint, peer: Endpoint, direction: InferenceNote.Direction, proto: Proto,
                              port: UInt16)
    /// Rules of `owner` whose connections were ingested before Services were kept per connection (schema 14): the
    /// evidence names their destination's Services as recorded per endpoint, which other workloads' connections
    /// may have used, and `--services` keeps the endpoint selector.
    case servicesPerDestination(owner: Endpoint, services: [String])
    /// A workload whose pods all run in the host network: most CNIs never select it, so its policy may not apply.
    case hostNetworkWorkload(Endpoint)
    /// A destination port reached from at least `--internet-threshold` public sources: allowed from the internet.
    /// `carvedOut`: public sources observed denied, excepted from the ipBlock.
    case internetFacing(destination: Endpoint, proto: Proto, port: UInt16, sources: Int, carvedOut: Int)

    // DNS.
    /// A workload resolved names but no DNS server was observed anywhere.
    case noDNSServer(Endpoint)
    /// `--dns baseline` without any observed cluster resolver: no allow-dns for these namespaces.
    case noClusterResolver(namespaces: [String])
    /// A cluster DNS resolver without stable labels: not in the DNS baseline.
    case resolverWithoutLabels(Endpoint)
    /// A cluster DNS resolver whose pods run in the host network (NodeLocal DNSCache ...): not in the DNS baseline,
    /// whose namespace-wide rules name pods; its observed clients keep their own rules (node ipBlocks / entities).
    case resolverInHostNetwork(Endpoint)
    /// The namespace's DNS baseline leaves out protocols observed denied from one of its pods.
    case dnsBaselineLeavesOut(namespace: String, resolver: Endpoint, protos: [Proto])

    // Workloads and namespaces.
    /// A workload without stable labels: no allow policy (default deny applies).
    case unselectableWorkload(Endpoint)
    /// The workload's selector also matches other workloads (the same text as `WorkloadPlan.selectorWarning`).
    case selectorAlsoMatches(Endpoint, others: [Endpoint])
    /// The controller-level selector was rejected (`reason` as `SelectorChooser` gives it); the minimal one used.
    case minimalSelector(Endpoint, reason: String, selector: String)
    /// Known workloads without allowed traffic in the evidence.
    case idleWorkloads([Endpoint])
    /// A namespace none of whose pods' traffic was observed: no default-deny.
    case namespaceNotObserved(namespace: String, knownWorkloads: [Endpoint])
    /// A direction of the namespace was never observed (the namespace's `InferenceNote`, as a warning).
    case directionNotObserved(namespace: String, ingress: Bool, knownWorkloads: [Endpoint])

    // --cluster-baseline (Emit's ClusterBaseline.apply).
    /// No namespace had both directions observed: no baseline object.
    case noClusterBaseline
    /// The namespace's DNS baseline differs from the shared one: it keeps its own default-deny and allow-dns.
    case outsideClusterBaseline(namespace: String)

    /// `selectorAlsoMatches`'s text without the workload (what `WorkloadPlan.selectorWarning` holds).
    public static func alsoMatchesText(_ others: [Endpoint]) -> String {
        "selector also matches \(others.map(\.description).joined(separator: ", ")): no label set separates them"
    }

    /// The text of the warning, as `generate` prints it (after `warning: `) and the evidence report lists it.
    public var description: String {
        func edge(_ s: Endpoint, _ d: Endpoint, _ p: Proto, _ port: UInt16) -> String {
            "\(s) -> \(d) \(p.rawValue)/\(port)"
        }
        switch self {
        case .belowMinFlows(let edges, let minFlows):
            return "\(edges) edge(s) below --min-flows \(minFlows) left out"
        case .allowedAndDenied(let s, let d, let p, let port):
            return "\(edge(s, d, p, port)) was observed both allowed and denied; allowed on the allowed evidence"
        case .systemNamespaceLeftOut(let ns, let known):
            return "system namespace \(ns) left out (known workloads: \(Inferrer.list(known))): a capture rarely "
                + "shows all of its traffic; --include-system to generate policies for it"
        case .noPort(let s, let d, let p, let port):
            return "\(s) -> \(d) \(p.rawValue)" + (port == 0 ? " (no port)" : "/\(port)")
                + ": observed allowed, but NetworkPolicy can only allow TCP, UDP and SCTP ports; no rule"
        case .noContainerPortNames:
            return "--named-ports: no container port names are known (they come from an inventory); ports stay numeric"
        case .unresolvedLabelIdentity(let s, let matches):
            return "\(s): a Hubble identity without a pod name whose labels select "
                + (matches.isEmpty ? "no known workload"
                   : "\(matches.count) workloads (" + matches.map(\.description).joined(separator: ", ") + ")")
                + ": kept as its own peer"
        case .joinedPodConnection(let s, let d, let p, let port):
            return "\(edge(s, d, p, port)): joined the pod-to-pod connection on the same port (the far end of a "
                + "cross-node connection, named by its node): no rule of its own"
        case .unselectablePeer(let ep):
            return "\(ep): no stable labels; rules that need it were left out"
        case .reservedWithoutAddress(let owner, let entity, let dir, let p, let port):
            return "\(owner): traffic \(dir.rawValue) reserved:\(entity) \(p.rawValue)/\(port) observed, but no "
                + "address of it is known: no rule"
        case .reservedNotExpressible(let owner, let entity, let dir, let p, let port):
            return "\(owner): traffic \(dir.rawValue) reserved:\(entity) \(p.rawValue)/\(port) observed, but "
                + "reserved:\(entity) is not expressible as a NetworkPolicy peer: no rule"
        case .remoteClusterPeer(let owner, let peer, let dir, let p, let port):
            return "\(owner): traffic \(dir.rawValue) \(peer) \(p.rawValue)/\(port) observed, but \(peer) is in cluster "
                + "\(peer.cluster) and NetworkPolicy cannot name clusters: no rule; --flavor cilium selects it with "
                + "io.cilium.k8s.policy.cluster"
        case .ingressProxyNotExpressible(let owner, let dir, let p, let port):
            return "\(owner): traffic \(dir.rawValue) reserved:ingress \(p.rawValue)/\(port) observed: Cilium's Envoy "
                + "(Ingress / Gateway API) is not expressible as a NetworkPolicy peer, so this flavour has no rule and "
                + "would deny it; use --flavor cilium (fromEntities: ingress)"
        case .webhookWithoutAPIServerAddress(let d, let h, let p, let port):
            return "\(d): the API server calls admission webhook \(h) on \(p.rawValue)/\(port), but no API server address "
                + "is known, so the NetworkPolicy flavour cannot allow it and a webhook that fails closed would block "
                + "admissions; ingest an inventory with the default/kubernetes EndpointSlice "
                + "(`kubectl get endpointslices -n default -o json`), or use --flavor cilium"
        case .hostNetworkPeer(let owner, let peer):
            return "\(owner): peer \(peer) runs in the host network: written as its nodes' traffic (NetworkPolicy: ipBlocks "
                + "of the node addresses; Cilium: host / remote-node), as most CNIs see it; the NetworkPolicy spec leaves "
                + "host-network pods to the CNI, so evaluate with check --host-network node"
        case .hostNetworkPeerWithoutAddress(let owner, let peer, let dir, let p, let port):
            return "\(owner): traffic \(dir.rawValue) \(peer) \(p.rawValue)/\(port) observed, but \(peer) runs in the host "
                + "network and its flows showed no address of it: no NetworkPolicy rule (never every node's address); "
                + "capture flows with their IP addresses, or use --flavor cilium (host / remote-node)"
        case .nodeAddressesUnknown(let owner, let peer, let dir, let p, let port):
            return "\(owner): traffic \(dir.rawValue) \(peer) \(p.rawValue)/\(port) observed, but that evidence was "
                + "ingested before FlowMap kept node addresses per connection (schema 13) and \(peer) showed several "
                + "addresses, any of which may be another workload's connection's: no rule; re-ingest the inputs "
                + "into a new --db file, or use --flavor cilium (host / remote-node)"
        case .servicesPerDestination(let owner, let services):
            return "\(owner): evidence ingested before FlowMap kept Services per connection (schema 14): its rules name "
                + "the Services their destinations' flows were addressed to (\(services.joined(separator: ", "))), "
                + "which another workload's connections may have used; --services keeps toEndpoints for them; "
                + "re-ingest the inputs into a new --db file"
        case .hostNetworkWorkload(let w):
            return "\(w) runs in the host network: most CNIs do not select host-network pods, so its allow policy may "
                + "not restrict it (check --host-network node shows that reading)"
        case .internetFacing(let d, let p, let port, let sources, let carved):
            return "\(d) \(p.rawValue)/\(port) is internet-facing (\(sources) distinct public sources): allowed from "
                + "0.0.0.0/0 and ::/0 except private ranges"
                + (carved == 0 ? "" : " and the \(carved) public source(s) observed denied")
        case .noDNSServer(let w):
            return "\(w): resolved names but no DNS server was observed anywhere; no DNS egress rule"
        case .noClusterResolver(let namespaces):
            return "no cluster DNS resolver was observed: no DNS baseline (allow-dns) for "
                + namespaces.joined(separator: ", ") + "; DNS is allowed only where observed"
        case .resolverWithoutLabels(let r):
            return "\(r): DNS resolver without stable labels: not in the DNS baseline"
        case .resolverInHostNetwork(let r):
            return "\(r): DNS resolver in the host network: not in the DNS baseline (a podSelector would not match it on "
                + "most CNIs); the workloads observed resolving through it keep their own rules to its nodes"
        case .dnsBaselineLeavesOut(let ns, let r, let protos):
            return "\(ns): the DNS baseline leaves out \(r) "
                + protos.map { "\($0.rawValue)/53" }.sorted().joined(separator: ", ")
                + ": observed denied from a pod of the namespace"
        case .unselectableWorkload(let w):
            return "\(w): no stable labels; no allow policy generated (default deny applies)"
        case .selectorAlsoMatches(let w, let others):
            return "\(w): \(Self.alsoMatchesText(others))"
        case .minimalSelector(let w, let reason, let selector):
            return "\(w): \(reason); the minimal selector \(selector) is used"
        case .idleWorkloads(let idle):
            return "\(idle.count) known workload(s) had no allowed traffic in the evidence (\(Inferrer.list(idle))): "
                + "their namespace's default-deny isolates them in the directions it covers"
        case .namespaceNotObserved(let ns, let known):
            return "\(ns): no traffic of its pods was observed (known workloads: \(Inferrer.list(known))): "
                + "no default-deny, its pods stay unrestricted"
        case .directionNotObserved(let ns, let ingress, let known):
            return "\(ns): " + InferenceNote.directionNotObserved(ingress: ingress, knownWorkloads: Inferrer.list(known))
                .description
        case .noClusterBaseline:
            return "--cluster-baseline: no namespace had both directions observed; every namespace keeps its own "
                + "default-deny, no baseline object written"
        case .outsideClusterBaseline(let ns):
            return "\(ns.description): keeps its own default-deny and allow-dns, outside the cluster baseline: its DNS "
                + "baseline differs from the shared one"
        }
    }

    /// Warnings in the order a plan keeps them: by their text, one per text.
    public static func sorted<S: Sequence>(_ warnings: S) -> [PlanWarning] where S.Element == PlanWarning {
        var seen = Set<String>()
        return warnings.map { ($0.description, $0) }.sorted { $0.0 < $1.0 }.compactMap {
            seen.insert($0.0).inserted ? $0.1 : nil
        }
    }
}
