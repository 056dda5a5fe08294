import Foundation
import Testing
@testable import FlowIngest
import FlowMapKit
import FlowModel
import FlowStore
import Inference
import Policy
import TestSupport

/// Issue 23: the cluster as it is — admission webhooks called by the API server, ingress controllers, Cilium's
/// Envoy (`reserved:ingress`) and Gateway API routes. Fixtures: Fixtures/topologies (SOURCES.md). Their Cilium
/// output against the CRD schema: OracleTests' TopologySchemaTests.
@Suite struct TopologyTests {
    static func fixture(_ name: String) -> String { Support.fixture("topologies/" + name) }

    /// A store with the topology inventory and the given captures.
    static func store(_ captures: [String]) throws -> String {
        let db = Support.newDB()
        try Support.ingest([fixture("cluster.json")], db: db, format: .inventory)
        let (_, issues) = try Support.ingest(captures.map(fixture), db: db)
        #expect(issues.isEmpty, "\(issues)")
        return db
    }

    static let webhook = InventoryRoute(
        kind: .validatingWebhook, namespace: "", name: "gatekeeper-validating-webhook-configuration",
        rule: "validation.gatekeeper.sh", serviceNamespace: "policy-system", serviceName: "gatekeeper-webhook-service",
        servicePort: 443)

    @Test("the inventory reads Ingress, Gateway, HTTPRoute and webhook configurations as routes, and stores them")
    func routesReadAndStored() throws {
        let r = try InventoryReader.read(try Data(contentsOf: URL(fileURLWithPath: Self.fixture("cluster.json"))))
        #expect(r.issues.isEmpty)
        #expect(r.inventory.routes.map(\.description) == [
            "Gateway shop/public (http)",
            "HTTPRoute shop/web-route (www.example.com/)",
            "Ingress shop/web (shop.example.com/)",
            "ValidatingWebhookConfiguration gatekeeper-validating-webhook-configuration (validation.gatekeeper.sh)",
        ], "the url webhook has no Service: left out")
        #expect(r.inventory.routes.contains(Self.webhook), "port 443 by default")
        #expect(r.inventory.routes.first { $0.kind == .ingress }?.servicePortName == "http")
        #expect(r.inventory.routes.first { $0.kind == .httpRoute }?.parent == "shop/public")
        // Backends: the Service's pods and target ports (a named targetPort through the container port).
        #expect(r.inventory.routeBackends().map { "\($0.route.kind.rawValue) -> \($0.workload) \($0.port)" } == [
            "ValidatingWebhookConfiguration -> policy-system/gatekeeper-controller[Deployment] 8443",
            "HTTPRoute -> shop/web[Deployment] 8080",
            "Ingress -> shop/web[Deployment] 8080",
        ])
        let db = try Self.store([])
        #expect(try FlowStore(path: db).routes() == r.inventory.routes)
    }

    @Test("a later inventory naming a route object replaces all of its entries; a bad port names its field")
    func routesReplacedAndLocatedErrors() throws {
        let db = try Self.store([])
        let edited = """
            {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": {"name": "web", "namespace": "shop"},
             "spec": {"rules": [{"host": "new.example.com", "http": {"paths": [{"path": "/v2",
               "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}
            """
        try Support.ingest([Support.file("ingress.json", edited)], db: db, format: .inventory)
        let ingresses = try FlowStore(path: db).routes().filter { $0.kind == .ingress }
        #expect(ingresses.map(\.rule) == ["new.example.com/v2"])
        let bad = """
            {"kind": "List", "items": [
             {"kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "a"},
              "spec": {"rules": [{"backendRefs": [{"name": "s", "port": 70000}]}]}},
             {"kind": "Service", "metadata": {"name": "s", "namespace": "a"}, "spec": {"ports": [{"port": 80}]}}]}
            """
        let r = try InventoryReader.read(Data(bad.utf8))
        #expect(r.issues.map(\.field) == ["items[0].spec.rules[0].backendRefs[0].port"])
        #expect(r.inventory.services.count == 1, "the rest is still read")
    }

    @Test("the API server calling a webhook: allowed from its addresses with a note naming the webhook")
    func webhookCall() throws {
        let db = try Self.store(["webhook-call.jsonl"])
        let r = try Generate.run(Generate.Options(db: db, out: "-"))
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        let w = try #require(r.plan.namespaces.first { $0.name == "policy-system" }?.workloads.first)
        #expect(w.notes.contains(.webhookCall(webhook: Self.webhook.description, source: .reserved(.kubeAPIServer),
                                              proto: .tcp, port: 8443, allowed: true)))
        #expect(w.ingress.map(\.peer) == [.ipBlock(cidr: "172.18.0.2/32", except: [], note: "reserved:kube-apiserver")])
        let text = r.stream!
        #expect(text.contains("is the admission webhook ValidatingWebhookConfiguration gatekeeper-validating-webhook-configuration"))
        var cilium = Generate.Options(db: db, out: "-")
        cilium.emit.flavor = .cilium
        let c = try Generate.run(cilium).stream!
        #expect(c.contains("fromEntities:") && c.contains("- kube-apiserver"))
    }

    @Test("a webhook call without a known API server address: no NetworkPolicy rule, and a warning saying how to fix it")
    func webhookCallWithoutAddress() throws {
        // Masked lines (no IP) from the API server: its address is known neither from flows nor the inventory.
        let gk = Endpoint.workload("policy-system", "gatekeeper-controller", kind: "Deployment")
        let call = EdgeKey(source: .reserved(.kubeAPIServer), destination: gk, proto: .tcp, port: 8443, outcome: .allowed)
        var ev = Evidence(edges: [ObservedEdge(key: call, stats: EdgeStats(flows: 3, firstSeen: 1, lastSeen: 2))],
                          labelSets: [gk: [["app": "gatekeeper"]]])
        ev.routeBackends = [RouteBackend(route: Self.webhook, workload: gk, proto: .tcp, port: 8443)]
        let plan = Inferrer().infer(ev)
        let w = try #require(plan.namespaces.first?.workloads.first)
        #expect(w.notes.contains(.webhookCall(webhook: Self.webhook.description, source: .reserved(.kubeAPIServer),
                                              proto: .tcp, port: 8443, allowed: false)))
        #expect(w.ingress.isEmpty)
        #expect(w.ingressEntities.map(\.entity) == ["kube-apiserver"], "Cilium still names the entity")
        #expect(plan.warnings.contains { $0.description.contains("calls admission webhook") && $0.description.contains("default/kubernetes EndpointSlice") })
        // The same call on another port is not the webhook.
        var other = ev
        other.edges[0].key.port = 9443
        #expect(!Inferrer().infer(other).namespaces[0].workloads[0].notes.contains { if case .webhookCall = $0 { true } else { false } })
    }

    @Test("a webhook called from reserved:remote-node / reserved:host (the API server in the host network): the note, allowed as node traffic")
    func webhookCallFromNode() throws {
        let db = try Self.store(["webhook-call-remote-node.jsonl"])
        let r = try Generate.run(Generate.Options(db: db, out: "-"))
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        let w = try #require(r.plan.namespaces.first { $0.name == "policy-system" }?.workloads.first)
        #expect(w.notes.contains(.webhookCall(webhook: Self.webhook.description, source: .reserved(.remoteNode),
                                              proto: .tcp, port: 8443, allowed: true)), "\(w.notes)")
        #expect(w.ingress.map(\.peer) == [.ipBlock(cidr: "10.10.0.12/32", except: [], note: "reserved:remote-node")],
                "the node address the flows showed, never the other known node (10.10.0.11)")
        let text = try #require(r.stream)
        #expect(text.contains("# note: TCP/8443 from reserved:remote-node is the admission webhook "
                              + "ValidatingWebhookConfiguration gatekeeper-validating-webhook-configuration"), "\(text)")
        #expect(w.notes.contains { $0.description.hasSuffix(": the API server, which Cilium reports as a node when it "
                                                           + "runs in the host network; allowed from the node addresses "
                                                           + "(Cilium: the remote-node entity)") })
        var cilium = Generate.Options(db: db, out: "-")
        cilium.emit.flavor = .cilium
        let c = try Generate.run(cilium)
        #expect(!c.selfCheck.failed, "\(c.selfCheck.findings)")
        #expect(try #require(c.stream).contains("- fromEntities:  # reserved:remote-node"))
        let x = try Explain.run(Explain.Options(policies: [Support.file("deny.yaml", Self.denyShop)], db: db,
                                                source: "reserved:remote-node",
                                                destination: "policy-system/gatekeeper-controller", port: "TCP/8443"))
        #expect(x.routes == [Self.webhook.description], "the webhook's front is the API server, seen as a node")

        // The own node (an API server on the webhook pod's node): always allowed, no rule; another port is no webhook.
        let gk = Endpoint.workload("policy-system", "gatekeeper-controller", kind: "Deployment")
        var ev = Evidence(edges: [8443, 9090].map {
            ObservedEdge(key: EdgeKey(source: .reserved(.host), destination: gk, proto: .tcp, port: $0, outcome: .allowed),
                         stats: EdgeStats(flows: 3, firstSeen: 1, lastSeen: 2))
        }, labelSets: [gk: [["app": "gatekeeper"]]])
        ev.routeBackends = [RouteBackend(route: Self.webhook, workload: gk, proto: .tcp, port: 8443)]
        let hw = try #require(Inferrer().infer(ev).namespaces.first?.workloads.first)
        #expect(hw.notes.filter { if case .webhookCall = $0 { true } else { false } } == [
            .webhookCall(webhook: Self.webhook.description, source: .reserved(.host), proto: .tcp, port: 8443, allowed: true)])
        #expect(hw.ingress.isEmpty)
        #expect(hw.ingressEntities.map(\.entity) == ["host"])
    }

    @Test("Cilium's Envoy (reserved:ingress): the Cilium flavour allows fromEntities ingress; the NetworkPolicy flavour refuses")
    func envoyIngress() throws {
        let db = try Self.store(["envoy-ingress.jsonl"])
        let k8s = try Generate.run(Generate.Options(db: db, out: "-"))
        #expect(k8s.selfCheck.failed && !k8s.written, "NetworkPolicy cannot name Envoy: writing would break it")
        #expect(k8s.plan.warnings.contains { $0.description.contains("reserved:ingress") && $0.description.contains("--flavor cilium") })
        var o = Generate.Options(db: db, out: "-")
        o.emit.flavor = .cilium
        let c = try Generate.run(o)
        #expect(!c.selfCheck.failed, "\(c.selfCheck.findings)")
        let text = try #require(c.stream)
        #expect(text.contains("- fromEntities:") && text.contains("- ingress"))
        #expect(!text.contains("not expressible"), "the entity rule replaces the note")
    }

    @Test("an ingress controller: world to the controller, the controller's workload to the backend")
    func ingressController() throws {
        let db = try Self.store(["ingress-controller.jsonl"])
        let r = try Generate.run(Generate.Options(db: db, out: "-"))
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        let web = try #require(r.plan.namespaces.first { $0.name == "shop" }?.workloads.first)
        #expect(web.ingress.map(\.peer) == [.workload(.workload("ingress-nginx", "ingress-nginx-controller", kind: "Deployment"),
                                                       selector: ["app": "ingress-nginx"])])
        let nginx = try #require(r.plan.namespaces.first { $0.name == "ingress-nginx" }?.workloads.first)
        #expect(nginx.ingress.map(\.peer).allSatisfy { if case .ipBlock = $0 { true } else { false } })
        #expect(nginx.ingress.flatMap(\.ports).allSatisfy { $0.port == 443 })
    }

    static let denyShop = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny, namespace: shop}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        """

    @Test("check says which route a broken connection used; explain names the route")
    func checkAndExplainNameTheRoute() throws {
        let db = try Self.store(["ingress-controller.jsonl", "envoy-ingress.jsonl", "webhook-call.jsonl"])
        let policies = Support.file("deny.yaml", Self.denyShop)
        let r = try Check.run(Check.Options(policies: [policies], db: db))
        let routes = Dictionary(r.report.denied.map { ($0.source, $0.routes) }) { a, _ in a }
        #expect(routes["ingress-nginx/ingress-nginx-controller[Deployment]"] == ["Ingress shop/web (shop.example.com/)"],
                "class nginx: the controller pod, not Envoy")
        #expect(routes["reserved:ingress"] == ["HTTPRoute shop/web-route (www.example.com/)"],
                "the Gateway's class cilium: Envoy")
        let text = CheckFormatter.format(r.report, as: .text, context: r.context)
        #expect(text.contains("    through Ingress shop/web (shop.example.com/)\n"))
        #expect(CheckFormatter.format(r.report, as: .json).contains("\"routes\""))

        func explain(_ src: String, _ dst: String, _ port: String) throws -> Explain.Result {
            try Explain.run(Explain.Options(policies: [policies], db: db, source: src, destination: dst, port: port))
        }
        let x = try explain("ingress-nginx/ingress-nginx-controller", "shop/web", "TCP/8080")
        #expect(x.routes == ["Ingress shop/web (shop.example.com/)"])
        #expect(x.text.contains("route: Ingress shop/web (shop.example.com/)\n"))
        #expect(x.document(as: .json).contains("\"routes\""))
        #expect(try explain("reserved:kube-apiserver", "policy-system/gatekeeper-controller", "TCP/8443").routes
                == [Self.webhook.description])
        // Not a front: a pod calling the Service from inside used no route; nor does the webhook port from a pod.
        #expect(try explain("policy-system/gatekeeper-controller", "shop/web", "TCP/8080").routes.isEmpty)
        #expect(try explain("shop/web", "policy-system/gatekeeper-controller", "TCP/8443").routes.isEmpty)
    }

    @Test("a host-network workload, as a peer and as the policy's own: node ipBlocks, entities by node, warnings")
    func hostNetworkWarnings() throws {
        let agent = Endpoint.workload("obs", "node-agent", kind: "DaemonSet")
        let web = Endpoint.workload("shop", "web", kind: "Deployment")
        let scrape = EdgeKey(source: agent, destination: web, proto: .tcp, port: 9090, outcome: .allowed)
        var ev = Evidence(edges: [ObservedEdge(key: scrape, stats: EdgeStats(flows: 3, firstSeen: 1, lastSeen: 2))],
                          labelSets: [agent: [["app": "node-agent"]], web: [["app": "web"]]])
        #expect(!Inferrer().infer(ev).warnings.contains { $0.description.contains("host network") })
        ev.hostNetwork = [agent]
        // No node address known: no NetworkPolicy rule (a podSelector would not match it on most CNIs), a warning.
        var plan = Inferrer().infer(ev)
        var w = try #require(plan.namespaces.first { $0.name == "shop" }?.workloads.first)
        #expect(w.ingress.isEmpty)
        #expect(w.notes.contains(.hostNetworkPeer(agent, direction: .from, addressed: false)))
        #expect(w.ingressEntities.map(\.entity) == ["host", "remote-node"], "nodes not known: both")
        #expect(plan.warnings.contains(.hostNetworkPeerWithoutAddress(owner: web, peer: agent, direction: .from,
                                                                      proto: .tcp, port: 9090)))
        #expect(plan.warnings.contains(.hostNetworkWorkload(agent)))
        // Its nodes' addresses known but none observed: still no rule (never every address of its nodes).
        ev.workloadNodes = [agent: ["n1"], web: ["n2"]]
        ev.nodeAddresses = ["n1": ["10.10.0.11", "fd00::11"], "n2": ["10.10.0.12"]]
        plan = Inferrer().infer(ev)
        w = try #require(plan.namespaces.first { $0.name == "shop" }?.workloads.first)
        #expect(w.ingress.isEmpty, "the inventory's node addresses are not evidence")
        #expect(plan.warnings.contains(.hostNetworkPeerWithoutAddress(owner: web, peer: agent, direction: .from,
                                                                      proto: .tcp, port: 9090)))
        // An address observed: an ipBlock of it only, not the node's other address; the owner on another node:
        // remote-node only.
        ev.addresses = [agent: ["10.10.0.11"]]
        plan = Inferrer().infer(ev)
        w = try #require(plan.namespaces.first { $0.name == "shop" }?.workloads.first)
        #expect(w.ingress.map(\.peer) == [.ipBlock(cidr: "10.10.0.11/32", except: [], note: PeerPlan.hostNetworkNote)])
        #expect(w.notes.contains(.hostNetworkPeer(agent, direction: .from, addressed: true)))
        #expect(w.ingressEntities.map(\.entity) == ["remote-node"])
        #expect(plan.warnings.contains(.hostNetworkPeer(owner: web, peer: agent)))
        #expect(plan.warnings.contains { $0.description.hasPrefix("shop/web[Deployment]: peer obs/node-agent[DaemonSet] runs in the host network: written as its nodes' traffic") })
        // The same node: host only (Cilium gives the pod its node's identity).
        ev.workloadNodes = [agent: ["n1"], web: ["n1"]]
        w = try #require(Inferrer().infer(ev).namespaces.first { $0.name == "shop" }?.workloads.first)
        #expect(w.ingressEntities.map(\.entity) == ["host"])
        // The agent runs on both nodes but was observed on the owner's only: host only, no remote-node.
        ev.workloadNodes = [agent: ["n1", "n2"], web: ["n1"]]
        w = try #require(Inferrer().infer(ev).namespaces.first { $0.name == "shop" }?.workloads.first)
        #expect(w.ingressEntities.map(\.entity) == ["host"], "the nodes the flows showed")
        #expect(w.ingress.map(\.peer) == [.ipBlock(cidr: "10.10.0.11/32", except: [], note: PeerPlan.hostNetworkNote)])
    }

    @Test("a host-network DNS resolver: its clients get node rules, the namespace-wide DNS baseline leaves it out")
    func hostNetworkResolver() throws {
        let dns = Endpoint.workload("kube-system", "node-local-dns", kind: "DaemonSet")
        let web = Endpoint.workload("shop", "web", kind: "Deployment")
        let api = Endpoint.workload("shop", "api", kind: "Deployment")
        var ev = Evidence(edges: [
            ObservedEdge(key: EdgeKey(source: web, destination: dns, proto: .udp, port: 53, outcome: .allowed),
                         stats: EdgeStats(flows: 5, firstSeen: 1, lastSeen: 2)),
            ObservedEdge(key: EdgeKey(source: api, destination: web, proto: .tcp, port: 8080, outcome: .allowed),
                         stats: EdgeStats(flows: 5, firstSeen: 1, lastSeen: 2)),
        ], labelSets: [dns: [["k8s-app": "node-local-dns"]], web: [["app": "web"]], api: [["app": "api"]]])
        let before = Inferrer().infer(ev)
        #expect(before.namespaces.first { $0.name == "shop" }?.dnsBaseline.isEmpty == false, "as a pod: in the baseline")
        ev.hostNetwork = [dns]
        ev.workloadNodes = [dns: ["n1"]]
        ev.nodeAddresses = ["n1": ["10.10.0.11"]]
        ev.addresses = [dns: ["10.10.0.11"]]
        let plan = Inferrer().infer(ev)
        let shop = try #require(plan.namespaces.first { $0.name == "shop" })
        #expect(shop.dnsBaseline.isEmpty)
        #expect(plan.warnings.contains(.resolverInHostNetwork(dns)))
        let w = try #require(shop.workloads.first { $0.endpoint == web })
        #expect(w.egress.map(\.peer) == [.ipBlock(cidr: "10.10.0.11/32", except: [], note: PeerPlan.hostNetworkNote)])
        #expect(w.egress.flatMap(\.ports).map { "\($0.proto.rawValue)/\($0.port)" } == ["UDP/53"],
                "a resolver in the host network: only the observed protocol (nodeResolverDNSProtocols)")
    }

    @Test("DNS to a resolver that answers from a node: only the observed protocols, in both flavours, with a note for the other")
    func nodeResolverDNSProtocols() throws {
        let dns = Endpoint.workload("kube-system", "node-local-dns", kind: "DaemonSet")
        let web = Endpoint.workload("shop", "web", kind: "Deployment")
        let api = Endpoint.workload("shop", "api", kind: "Deployment")
        let cart = Endpoint.workload("shop", "cart", kind: "Deployment")
        func edge(_ s: Endpoint, _ d: Endpoint, _ p: Proto) -> ObservedEdge {
            ObservedEdge(key: EdgeKey(source: s, destination: d, proto: p, port: 53, outcome: .allowed),
                         stats: EdgeStats(flows: 5, firstSeen: 1, lastSeen: 2))
        }
        var ev = Evidence(edges: [edge(web, dns, .udp), edge(api, dns, .udp), edge(api, dns, .tcp),
                                  edge(cart, .reserved(.host), .udp)],
                          labelSets: [dns: [["k8s-app": "node-local-dns"]], web: [["app": "web"]], api: [["app": "api"]],
                                      cart: [["app": "cart"]]],
                          addresses: [dns: ["10.10.0.11"], .reserved(.host): ["169.254.20.10"]])
        ev.hostNetwork = [dns]
        ev.workloadNodes = [dns: ["n1"], web: ["n1"], api: ["n1"], cart: ["n1"]]
        ev.nodeAddresses = ["n1": ["10.10.0.11"]]
        let shop = try #require(Inferrer().infer(ev).namespaces.first { $0.name == "shop" })
        func w(_ e: Endpoint) throws -> WorkloadPlan { try #require(shop.workloads.first { $0.endpoint == e }) }
        func ports(_ rules: [RulePlan]) -> [String] { rules.flatMap(\.ports).map { "\($0.proto.rawValue)/\($0.port)" }.sorted() }
        func ports(_ rules: [EntityRulePlan]) -> [String] { rules.flatMap(\.ports).map { "\($0.proto.rawValue)/\($0.port)" }.sorted() }
        // web: UDP only, to the resolver's node address (NetworkPolicy) and the host entity (Cilium): the same.
        let wp = try w(web)
        #expect(wp.egress.map(\.peer) == [.ipBlock(cidr: "10.10.0.11/32", except: [], note: PeerPlan.hostNetworkNote)])
        #expect(ports(wp.egress) == ["UDP/53"], "TCP/53 was never observed to a node")
        #expect(wp.egressEntities.map(\.entity) == ["host"] && ports(wp.egressEntities) == ["UDP/53"])
        #expect(wp.notes.contains(.dnsSiblingNotObserved(proto: .tcp, resolver: dns)))
        // api: both observed, both written, no note.
        let ap = try w(api)
        #expect(ports(ap.egress) == ["TCP/53", "UDP/53"] && ports(ap.egressEntities) == ["TCP/53", "UDP/53"])
        #expect(!ap.notes.contains { if case .dnsSiblingNotObserved = $0 { true } else { false } })
        // cart: node-local DNS as reserved:host (169.254.20.10), UDP only.
        let cp = try w(cart)
        #expect(cp.egress.map(\.peer) == [.ipBlock(cidr: "169.254.20.10/32", except: [], note: "node-local DNS")])
        #expect(ports(cp.egress) == ["UDP/53"] && ports(cp.egressEntities) == ["UDP/53"])
        #expect(cp.notes.contains(.dnsSiblingNotObserved(proto: .tcp, resolver: .reserved(.host))))
        // The namespace baseline to node-local DNS: the protocols it was observed serving (UDP).
        #expect(ports(shop.dnsBaseline) == ["UDP/53"], "\(shop.dnsBaseline)")
    }

    @Test("host-network peers from generic records: node ipBlocks / host and remote-node, and check allows exactly the observed flows")
    func hostNetworkPeers() throws {
        let db = Support.newDB()
        try Support.ingest([Self.fixture("host-network-cluster.json")], db: db, format: .inventory)
        let (_, issues) = try Support.ingest([Self.fixture("host-network.jsonl")], db: db)
        #expect(issues.isEmpty, "\(issues)")
        let agent = Endpoint.workload("obs", "node-agent", kind: "DaemonSet")
        let scraper = Endpoint.workload("shop", "scraper", kind: "Deployment")
        let web = Endpoint.workload("shop", "web", kind: "Deployment")
        #expect(try Support.edgeLines(db) == [
            "obs/node-agent[DaemonSet] -> shop/web[Deployment] TCP/8080 allowed 2",
            "shop/scraper[Deployment] -> obs/node-agent[DaemonSet] TCP/9100 allowed 8",
        ], "a node address and a port of a host-network pod on that node is the pod")
        let blocks: [PeerPlan] = ["10.10.0.11/32", "10.10.0.12/32"].map {
            .ipBlock(cidr: $0, except: [], note: PeerPlan.hostNetworkNote)
        }
        let out = Support.tempDir().appendingPathComponent("k8s").path
        let r = try Generate.run(Generate.Options(db: db, out: out))
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        let shop = try #require(r.plan.namespaces.first { $0.name == "shop" })
        let s = try #require(shop.workloads.first { $0.endpoint == scraper })
        let wb = try #require(shop.workloads.first { $0.endpoint == web })
        #expect(s.egress.map(\.peer) == blocks, "both nodes the agent runs on, never the Hostname address")
        #expect(s.egress.flatMap(\.ports).map(\.port) == [9100, 9100])
        #expect(s.egress.flatMap(\.ports).allSatisfy { $0.name == nil }, "no port name towards an ipBlock")
        // Per connection (issue 23, schema 13): the agent called web from 10.10.0.11 only; 10.10.0.12 is an
        // address only scraper's connections showed.
        #expect(wb.ingress.map(\.peer) == [blocks[0]])
        #expect(s.egressEntities.map(\.entity) == ["host", "remote-node"], "scraper on worker-1, agent on both")
        // Web (worker-2) was called from the agent's worker-1 address only: another node.
        #expect(wb.ingressEntities.map(\.entity) == ["remote-node"])
        let text = try r.files.map { try String(contentsOfFile: out + "/" + $0, encoding: .utf8) }.joined()
        #expect(text.contains("- ipBlock:  # \(PeerPlan.hostNetworkNote)\n            cidr: \"10.10.0.12/32\""), "\(text)")
        #expect(text.contains("leaves to the CNI"))

        // Through the evaluator: the observed connections, and nothing next to them.
        let (data, edges) = try PolicyInputs.store(db)
        let unobserved = [(scraper, agent, 9101), (agent, web, 8081), (web, agent, 9100)].map { s, d, p in
            ObservedEdge(key: EdgeKey(source: s, destination: d, proto: .tcp, port: UInt16(p), outcome: .denied),
                         stats: EdgeStats(flows: 1, firstSeen: 1, lastSeen: 1))
        } + [ObservedEdge(key: EdgeKey(source: .external("10.10.0.99"), destination: web, proto: .tcp, port: 8080,
                                       outcome: .denied), stats: EdgeStats(flows: 1, firstSeen: 1, lastSeen: 1))]
        func report(_ dir: String, _ mode: HostNetworkMode) throws -> PolicyCheck.Report {
            Check.Evaluation(manifests: try ManifestReader.read(paths: [dir]), data: data, edges: edges + unobserved,
                             options: EvaluatorOptions(hostNetwork: mode)).report()
        }
        let node = try report(out, .asNode)
        #expect(node.allowedConnections == 2 && node.deniedConnections == 0 && node.unresolvedConnections == 0,
                "\(node.denied)")
        #expect(node.observedDeniedNowAllowed == 0, "\(node.nowAllowed)")
        // Read as pods (netpol-analyzer, NCA: the check default), the node ipBlocks do not match the agent.
        #expect(try report(out, .asPods).deniedConnections == 2)
        var o = Check.Options(policies: [out], db: db)
        let asPods = try Check.run(o)
        #expect(asPods.notes.contains { $0.hasPrefix("warning: 1 host-network workload(s) with observed traffic "
                                                      + "(obs/node-agent[DaemonSet]) are evaluated as pods") },
                "\(asPods.notes)")
        o.evaluator.hostNetwork = .asNode
        let asNode = try Check.run(o)
        #expect(asNode.report.deniedConnections == 0, "check --host-network node agrees")
        #expect(!asNode.notes.contains { $0.contains("host-network workload") })

        var c = Generate.Options(db: db, out: Support.tempDir().appendingPathComponent("cilium").path)
        c.emit.flavor = .cilium
        let cr = try Generate.run(c)
        #expect(!cr.selfCheck.failed, "\(cr.selfCheck.findings)")
        let ctext = try cr.files.map { try String(contentsOfFile: c.out + "/" + $0, encoding: .utf8) }.joined()
        #expect(ctext.contains("- toEntities:") && ctext.contains("- host") && ctext.contains("- remote-node"))
        #expect(!ctext.contains("toCIDRSet"), "the entities replace the node ipBlocks")
        for mode in HostNetworkMode.allCases {
            let cilium = try report(c.out, mode)  // Cilium gives host-network pods the node's identity either way
            #expect(cilium.allowedConnections == 2 && cilium.deniedConnections == 0, "\(mode) \(cilium.denied)")
            #expect(cilium.observedDeniedNowAllowed == 0, "\(mode) \(cilium.nowAllowed)")
        }
    }
}
