import FlowModel
import Testing

/// Issue 21: inference notes are values; their text is rendered in one place and is what the goldens hold.
@Suite("Inference notes")
struct InferenceNoteTests {
    static let web = Endpoint.workload("shop", "web", kind: "Deployment")
    static let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")

    @Test("each case renders the text the YAML comments have always shown")
    func text() {
        let cases: [(InferenceNote, String)] = [
            (.noPort(source: Self.web, destination: Self.dns, proto: .icmpv4, port: 0),
             "shop/web[Deployment] -> kube-system/coredns[Deployment] ICMPv4 (no port) observed: not expressible "
                + "(no TCP/UDP/SCTP port), no rule"),
            (.noPort(source: Self.web, destination: Self.dns, proto: .other, port: 7),
             "shop/web[Deployment] -> kube-system/coredns[Deployment] OTHER/7 observed: not expressible "
                + "(no TCP/UDP/SCTP port), no rule"),
            (.unselectablePeer(Self.web),
             "shop/web[Deployment] has no stable labels to select it by; no rule for it (add labels, or an inventory)"),
            (.reservedPeer(entity: "host", direction: .from, reason: .alwaysAllowedNode),
             "traffic from reserved:host (node, kubelet probes) observed: always allowed for the pod's own node, no rule"),
            (.reservedPeer(entity: "remote-node", direction: .to, reason: .noAddress),
             "traffic to reserved:remote-node observed with no address: no rule"),
            (.reservedPeer(entity: "health", direction: .from, reason: .notExpressible),
             "traffic from reserved:health observed: not expressible as a NetworkPolicy peer, no rule"),
            (.dnsSiblingDenied(proto: .tcp, resolver: Self.dns),
             "TCP/53 to kube-system/coredns[Deployment] was observed denied: not allowed with its DNS sibling protocol"),
            (.dnsSiblingNotObserved(proto: .tcp, resolver: Self.dns),
             "TCP/53 to kube-system/coredns[Deployment] was not observed: not allowed (it answers from a node, where "
                + "only the observed DNS protocols are written); a truncated DNS response retried over TCP would be denied"),
            (.noDNSServer, "resolved names but no DNS server was observed: no DNS rule"),
            (.clusterResolvers([Self.dns, Self.web]),
             "resolved names, but none of its DNS flows is in the evidence: DNS allowed to the cluster resolver(s) "
                + "kube-system/coredns[Deployment], shop/web[Deployment]"),
            (.minimalSelector(reason: "ratings-v2 shares the controller labels"),
             "ratings-v2 shares the controller labels: minimal selector used"),
            (.directionNotObserved(ingress: true, knownWorkloads: "cache/redis[Deployment]"),
             "no ingress to its pods was observed (known workloads: cache/redis[Deployment]): no ingress default-deny, "
                + "ingress stays unrestricted"),
            (.directionNotObserved(ingress: false, knownWorkloads: "(none)"),
             "no egress from its pods was observed (known workloads: (none)): no egress default-deny, egress stays "
                + "unrestricted"),
            (.inClusterBaseline(file: "flowmap-cluster-baseline.yaml"),
             "egress default-deny and DNS baseline: in the cluster baseline (flowmap-cluster-baseline.yaml); ingress "
                + "stays isolated here"),
            (.hostNetworkPeer(Self.web, direction: .from, addressed: true),
             "traffic from shop/web[Deployment] observed: it runs in the host network, which the NetworkPolicy spec "
                + "leaves to the CNI (most see its node's addresses): allowed as its nodes' traffic (NetworkPolicy: "
                + "ipBlocks of the node addresses; Cilium: the host / remote-node entities)"),
            (.hostNetworkPeer(Self.web, direction: .to, addressed: false),
             "traffic to shop/web[Deployment] observed: it runs in the host network, which the NetworkPolicy spec "
                + "leaves to the CNI (most see its node's addresses): its flows showed no address of it, so "
                + "NetworkPolicy has no rule for it (Cilium: the host / remote-node entities)"),
        ]
        for (note, text) in cases { #expect(note.description == text) }
    }

    @Test("reservedPeer names the entity and direction of reserved-peer notes only; notes sort by their text")
    func structure() {
        let toHost = InferenceNote.reservedPeer(entity: "host", direction: .to, reason: .alwaysAllowedNode)
        #expect(toHost.reservedPeer?.entity == "host" && toHost.reservedPeer?.direction == .to)
        #expect(InferenceNote.noDNSServer.reservedPeer == nil)
        #expect(InferenceNote.unselectablePeer(Self.web).reservedPeer == nil)
        let sorted = InferenceNote.sorted([toHost, .noDNSServer, .unselectablePeer(Self.web)])
        #expect(sorted.map(\.description) == sorted.map(\.description).sorted())
        #expect(sorted.first == .noDNSServer)
    }
}
