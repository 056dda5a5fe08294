import Testing
import FlowModel
@testable import Inference

/// `PlanWarning`: every case's text (rendered in one place) is the text the plan carried as a string before it
/// had cases — the evidence goldens (`EmitTests`) hold the same for the cases a sample produces; this table holds
/// it for every case, so a rendering change is a visible decision.
@Suite("Plan warnings: one case per reason, the text in one place")
struct PlanWarningTests {
    static let web = Fx.w("shop", "web"), api = Fx.w("shop", "api"), dns = Fx.w("kube-system", "coredns")
    static let host = Endpoint.reserved("remote-node")

    static let cases: [(PlanWarning, String)] = [
        (.belowMinFlows(edges: 3, minFlows: 2), "3 edge(s) below --min-flows 2 left out"),
        (.allowedAndDenied(source: web, destination: api, proto: .tcp, port: 80),
         "shop/web[Deployment] -> shop/api[Deployment] TCP/80 was observed both allowed and denied; allowed on the allowed evidence"),
        (.systemNamespaceLeftOut(namespace: "kube-system", knownWorkloads: [dns]),
         "system namespace kube-system left out (known workloads: kube-system/coredns[Deployment]): a capture rarely shows all of its traffic; --include-system to generate policies for it"),
        (.noPort(source: web, destination: api, proto: .icmpv4, port: 0),
         "shop/web[Deployment] -> shop/api[Deployment] ICMPv4 (no port): observed allowed, but NetworkPolicy can only allow TCP, UDP and SCTP ports; no rule"),
        (.noContainerPortNames,
         "--named-ports: no container port names are known (they come from an inventory); ports stay numeric"),
        (.unresolvedLabelIdentity(web, matches: []),
         "shop/web[Deployment]: a Hubble identity without a pod name whose labels select no known workload: kept as its own peer"),
        (.unresolvedLabelIdentity(web, matches: [api, dns]),
         "shop/web[Deployment]: a Hubble identity without a pod name whose labels select 2 workloads (shop/api[Deployment], kube-system/coredns[Deployment]): kept as its own peer"),
        (.joinedPodConnection(source: host, destination: api, proto: .tcp, port: 80),
         "reserved:remote-node -> shop/api[Deployment] TCP/80: joined the pod-to-pod connection on the same port (the far end of a cross-node connection, named by its node): no rule of its own"),
        (.unselectablePeer(api), "shop/api[Deployment]: no stable labels; rules that need it were left out"),
        (.reservedWithoutAddress(owner: web, entity: "kube-apiserver", direction: .to, proto: .tcp, port: 6443),
         "shop/web[Deployment]: traffic to reserved:kube-apiserver TCP/6443 observed, but no address of it is known: no rule"),
        (.reservedNotExpressible(owner: web, entity: "unmanaged", direction: .from, proto: .tcp, port: 9000),
         "shop/web[Deployment]: traffic from reserved:unmanaged TCP/9000 observed, but reserved:unmanaged is not expressible as a NetworkPolicy peer: no rule"),
        (.internetFacing(destination: web, proto: .tcp, port: 443, sources: 12, carvedOut: 0),
         "shop/web[Deployment] TCP/443 is internet-facing (12 distinct public sources): allowed from 0.0.0.0/0 and ::/0 except private ranges"),
        (.internetFacing(destination: web, proto: .tcp, port: 443, sources: 12, carvedOut: 2),
         "shop/web[Deployment] TCP/443 is internet-facing (12 distinct public sources): allowed from 0.0.0.0/0 and ::/0 except private ranges and the 2 public source(s) observed denied"),
        (.ingressProxyNotExpressible(owner: web, direction: .from, proto: .tcp, port: 8080),
         "shop/web[Deployment]: traffic from reserved:ingress TCP/8080 observed: Cilium's Envoy (Ingress / Gateway API) is not expressible as a NetworkPolicy peer, so this flavour has no rule and would deny it; use --flavor cilium (fromEntities: ingress)"),
        (.webhookWithoutAPIServerAddress(web, webhook: "validate.shop.io", proto: .tcp, port: 8443),
         "shop/web[Deployment]: the API server calls admission webhook validate.shop.io on TCP/8443, but no API server address is known, so the NetworkPolicy flavour cannot allow it and a webhook that fails closed would block admissions; ingest an inventory with the default/kubernetes EndpointSlice (`kubectl get endpointslices -n default -o json`), or use --flavor cilium"),
        (.hostNetworkPeer(owner: web, peer: api),
         "shop/web[Deployment]: peer shop/api[Deployment] runs in the host network: written as its nodes' traffic (NetworkPolicy: ipBlocks of the node addresses; Cilium: host / remote-node), as most CNIs see it; the NetworkPolicy spec leaves host-network pods to the CNI, so evaluate with check --host-network node"),
        (.hostNetworkPeerWithoutAddress(owner: web, peer: api, direction: .to, proto: .tcp, port: 9100),
         "shop/web[Deployment]: traffic to shop/api[Deployment] TCP/9100 observed, but shop/api[Deployment] runs in the host network and its flows showed no address of it: no NetworkPolicy rule (never every node's address); capture flows with their IP addresses, or use --flavor cilium (host / remote-node)"),
        (.hostNetworkWorkload(api),
         "shop/api[Deployment] runs in the host network: most CNIs do not select host-network pods, so its allow policy may not restrict it (check --host-network node shows that reading)"),
        (.noDNSServer(web), "shop/web[Deployment]: resolved names but no DNS server was observed anywhere; no DNS egress rule"),
        (.noClusterResolver(namespaces: ["a", "b"]),
         "no cluster DNS resolver was observed: no DNS baseline (allow-dns) for a, b; DNS is allowed only where observed"),
        (.resolverWithoutLabels(dns), "kube-system/coredns[Deployment]: DNS resolver without stable labels: not in the DNS baseline"),
        (.resolverInHostNetwork(dns), "kube-system/coredns[Deployment]: DNS resolver in the host network: not in the DNS baseline (a podSelector would not match it on most CNIs); the workloads observed resolving through it keep their own rules to its nodes"),
        (.dnsBaselineLeavesOut(namespace: "shop", resolver: dns, protos: [.udp, .tcp]),
         "shop: the DNS baseline leaves out kube-system/coredns[Deployment] TCP/53, UDP/53: observed denied from a pod of the namespace"),
        (.unselectableWorkload(web), "shop/web[Deployment]: no stable labels; no allow policy generated (default deny applies)"),
        (.selectorAlsoMatches(web, others: [api]),
         "shop/web[Deployment]: selector also matches shop/api[Deployment]: no label set separates them"),
        (.minimalSelector(web, reason: "the controller selector does not select all its known pods", selector: "app=web"),
         "shop/web[Deployment]: the controller selector does not select all its known pods; the minimal selector app=web is used"),
        (.idleWorkloads([web, api]),
         "2 known workload(s) had no allowed traffic in the evidence (shop/api[Deployment], shop/web[Deployment]): their namespace's default-deny isolates them in the directions it covers"),
        (.namespaceNotObserved(namespace: "idle", knownWorkloads: []),
         "idle: no traffic of its pods was observed (known workloads: ): no default-deny, its pods stay unrestricted"),
        (.directionNotObserved(namespace: "shop", ingress: false, knownWorkloads: [web]),
         "shop: no egress from its pods was observed (known workloads: shop/web[Deployment]): no egress default-deny, egress stays unrestricted"),
        (.noClusterBaseline,
         "--cluster-baseline: no namespace had both directions observed; every namespace keeps its own default-deny, no baseline object written"),
        (.outsideClusterBaseline(namespace: "own-dns"),
         "own-dns: keeps its own default-deny and allow-dns, outside the cluster baseline: its DNS baseline differs from the shared one"),
    ]

    @Test("every case renders its text", arguments: 0..<cases.count)
    func rendering(index: Int) {
        let (warning, text) = Self.cases[index]
        #expect(warning.description == text)
    }

    @Test("sorted by text, one per text")
    func sortedDedupes() {
        let ws: [PlanWarning] = [.unselectablePeer(Self.web), .noContainerPortNames, .unselectablePeer(Self.web),
                                 .belowMinFlows(edges: 1, minFlows: 2)]
        #expect(PlanWarning.sorted(ws) == [.noContainerPortNames, .belowMinFlows(edges: 1, minFlows: 2),
                                           .unselectablePeer(Self.web)])
    }

    @Test("the selector warning of a workload plan is the warning's text without the workload")
    func selectorWarningText() {
        #expect(PlanWarning.selectorAlsoMatches(Self.web, others: [Self.api]).description
                == "\(Self.web): " + PlanWarning.alsoMatchesText([Self.api]))
    }
}
