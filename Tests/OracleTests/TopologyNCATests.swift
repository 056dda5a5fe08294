@testable import Emit
import FlowIngest
import FlowMapKit
import FlowStore
import Foundation
import TestSupport
import FlowModel
import Testing
@testable import Inference
@testable import Policy

/// The ClusterMesh and Service-addressed shapes (docs/topologies.md; the captures are
/// Tests/FlowMapKitTests/Fixtures/clustermesh/two-clusters.jsonl and Fixtures/services/three-services.jsonl,
/// whose edges these evidences restate) through the NetworkPolicy flavour, FlowMap's evaluator and
/// network-config-analyzer: both agree on what the generated policies admit.
@Suite("Topologies through network-config-analyzer: ClusterMesh and Services")
struct TopologyNCATests {
    static let t0: Int64 = 1_763_632_800_000_000_000

    /// `name` in shop, or `ns/name`.
    static func pod(_ name: String) -> Endpoint {
        let parts = name.split(separator: "/").map(String.init)
        return parts.count == 2 ? .workload(parts[0], parts[1], kind: "Pod") : .workload("shop", name, kind: "Pod")
    }

    static func edge(_ s: Endpoint, _ d: Endpoint, _ port: UInt16) -> ObservedEdge {
        ObservedEdge(key: EdgeKey(source: s, destination: d, proto: .tcp, port: port, outcome: .allowed),
                     stats: EdgeStats(flows: 2, firstSeen: t0, lastSeen: t0 + 1_000_000_000))
    }

    /// The namespaces and bare pods (name or ns/name, labels, IP) the policies apply to, for the evaluator and NCA.
    static func cluster(_ pods: [(String, Labels, String)]) -> String {
        var y = ""
        for ns in Set(pods.map { Self.pod($0.0).namespace }).sorted() {
            y += """
                apiVersion: v1
                kind: Namespace
                metadata: {name: \(ns), labels: {kubernetes.io/metadata.name: \(ns)}}
                ---

                """
        }
        for (i, (p, labels, ip)) in pods.enumerated() {
            let ep = Self.pod(p)
            let l = labels.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            y += (i == 0 ? "" : "---\n") + """
                apiVersion: v1
                kind: Pod
                metadata: {name: \(ep.name), namespace: \(ep.namespace), labels: {\(l)}}
                spec: {containers: [{name: c, image: x}]}
                status: {podIP: \(ip)}

                """
        }
        return y
    }

    /// TCP ports 1...10000 a connection set admits, as a sorted list (every port the fixtures use is below).
    static func ports(_ c: ConnectionSet?) -> [Int] { (1...10000).filter { c?.contains(.tcp, $0) ?? false } }

    /// For each (source, destination) pair: the TCP ports FlowMap's evaluator and NCA admit. An end is a pod
    /// (`name` or `ns/name`) or an address outside the cluster's pods (`203.0.113.10`).
    static func admitted(_ text: String, pairs: [(String, String)], work: String) throws
        -> (flowmap: [[Int]], nca: [[Int]]?) {
        let set = ManifestReader.parse(text: text, file: "case.yaml")
        #expect(set.issues.isEmpty, "\(set.issues)")
        let ev = PolicyEvaluator(policies: set.policies, namespaces: Array(set.namespaces.values),
                                 workloads: WorkloadBuilder.workloads(from: set))
        func peers(_ s: String) -> [EvalPeer] {
            if let ip = IPAddr(s) { return [.address(ip)] }
            return ev.indexes(of: Self.pod(s)).map { .workload($0) }
        }
        let ours = pairs.map { p -> [Int] in
            var c = ConnectionSet.all
            for s in peers(p.0) { for d in peers(p.1) { c = c.intersection(ev.connections(from: s, to: d)) } }
            return Self.ports(peers(p.0).isEmpty || peers(p.1).isEmpty ? nil : c)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-nca-\(work)-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = try NCAOracle.run(cases: [text], workDir: dir)[0]
        func matches(_ end: NCAOracle.End, _ s: String) -> Bool {
            if let ip = IPAddr(s) {
                if case .range(let r) = end { return r.contains(ip) }
                return false
            }
            let ep = Self.pod(s)
            return end == .pod("\(ep.namespace)/\(ep.name)")
        }
        let theirs = pairs.map { p -> [Int] in
            var c = ConnectionSet.none
            for l in lines where matches(l.source, p.0) && matches(l.destination, p.1) { c.formUnion(l.connections) }
            return Self.ports(c)
        }
        return (ours, theirs)
    }

    /// `store/cache` is a local pod with the labels and namespace of a peer of cluster east, in a namespace
    /// without policies: a podSelector written for the remote peer would admit it.
    @Test("ClusterMesh, NetworkPolicy flavour: the local peer is allowed; no rule a local pod with a remote peer's labels could use")
    func clusterMesh() throws {
        let frontend = Self.pod("frontend"), backend = Self.pod("backend")
        var eastCache = Self.pod("store/cache"), eastClient = Self.pod("client")
        eastCache.cluster = "east"
        eastClient.cluster = "east"
        let ev = Evidence(edges: [Self.edge(frontend, backend, 8080), Self.edge(frontend, eastCache, 6379),
                                  Self.edge(eastClient, backend, 9090)],
                          labelSets: [frontend: [["app": "frontend"]], backend: [["app": "backend"]],
                                      eastCache: [["app": "cache"]], eastClient: [["app": "client"]]],
                          namespaceLabels: ["shop": ["kubernetes.io/metadata.name": "shop"],
                                            "store": ["kubernetes.io/metadata.name": "store"]])
        let plan = Inferrer(options: InferenceOptions()).infer(ev)
        #expect(plan.warnings.filter { $0.description.contains("NetworkPolicy cannot name clusters") }.count == 2)
        var emit = EmitOptions()
        emit.version = "test"
        let np = NetworkPolicyEmitter(options: emit).stream(for: plan)
        let text = Self.cluster([("frontend", ["app": "frontend"], "10.1.0.11"), ("backend", ["app": "backend"], "10.1.0.22"),
                                 ("store/cache", ["app": "cache"], "10.1.0.33")]) + "---\n" + np
        let pairs = [("frontend", "backend"), ("frontend", "store/cache")]
        let r = try Self.admitted(text, pairs: pairs, work: "clustermesh")
        #expect(r.flowmap == [[8080], []])
        if let nca = r.nca { #expect(nca == r.flowmap) }
    }

    @Test("Service-addressed flows, NetworkPolicy flavour: each observed workload on its port; the other pod a Service selects is not admitted")
    func services() throws {
        let frontend = Self.pod("frontend"), backend = Self.pod("backend"), api = Self.pod("api")
        let canary = Self.pod("api-canary"), legacy = Self.pod("legacy")
        var ev = Evidence(edges: [Self.edge(frontend, backend, 8080), Self.edge(frontend, api, 9000),
                                  Self.edge(frontend, legacy, 7000)],
                          labelSets: [frontend: [["app": "frontend"]], backend: [["app": "backend"]],
                                      api: [["app": "api", "tier": "api"]], canary: [["app": "api-canary", "tier": "api"]],
                                      legacy: [["app": "legacy"]]],
                          namespaceLabels: ["shop": ["kubernetes.io/metadata.name": "shop"]])
        ev.services = [backend: ["shop/backend-svc"], api: ["shop/api-svc"], legacy: ["shop/legacy-svc"]]
        let plan = Inferrer(options: InferenceOptions()).infer(ev)
        let fe = try #require(plan.namespaces.flatMap(\.workloads).first { $0.endpoint == frontend })
        #expect(fe.egress.map(\.services) == [["shop/api-svc"], ["shop/backend-svc"], ["shop/legacy-svc"]])
        var emit = EmitOptions()
        emit.version = "test"
        let np = NetworkPolicyEmitter(options: emit).stream(for: plan)
        let text = Self.cluster([("frontend", ["app": "frontend"], "10.1.0.11"), ("backend", ["app": "backend"], "10.1.0.22"),
                                 ("api", ["app": "api", "tier": "api"], "10.1.0.33"),
                                 ("api-canary", ["app": "api-canary", "tier": "api"], "10.1.0.34"),
                                 ("legacy", ["app": "legacy"], "10.1.0.44")]) + "---\n" + np
        let pairs = [("frontend", "backend"), ("frontend", "api"), ("frontend", "legacy"), ("frontend", "api-canary")]
        let r = try Self.admitted(text, pairs: pairs, work: "services")
        #expect(r.flowmap == [[8080], [9000], [7000], []])
        if let nca = r.nca { #expect(nca == r.flowmap) }
    }

    /// Tests/FormatTests/Fixtures/topologies (SOURCES.md), restated: `ingress-controller.jsonl` (three internet
    /// clients to ingress-nginx 443, ingress-nginx to shop/web 8080) and `webhook-call.jsonl` /
    /// `webhook-call-remote-node.jsonl` (the API server at 172.18.0.2, or a node at 10.10.0.12, calling
    /// gatekeeper's webhook port 8443), with the pods and addresses of `cluster.json`.
    static let nginx = Self.pod("ingress-nginx/ingress-nginx-controller"), web = Self.pod("web")
    static let gatekeeper = Self.pod("policy-system/gatekeeper-controller")
    static let topologyPods: [(String, Labels, String)] = [
        ("ingress-nginx/ingress-nginx-controller", ["app": "ingress-nginx"], "10.0.2.7"),
        ("web", ["app": "web"], "10.0.3.9"),
        ("policy-system/gatekeeper-controller", ["app": "gatekeeper"], "10.0.1.5"),
    ]
    static let topologyLabels: [Endpoint: [Labels]] = [nginx: [["app": "ingress-nginx"]], web: [["app": "web"]],
                                                       gatekeeper: [["app": "gatekeeper"]]]
    static let topologyNamespaces: [String: Labels] = Dictionary(uniqueKeysWithValues: ["ingress-nginx", "shop", "policy-system"].map {
        ($0, ["kubernetes.io/metadata.name": $0])
    })
    static let webhook = InventoryRoute(
        kind: .validatingWebhook, namespace: "", name: "gatekeeper-validating-webhook-configuration",
        rule: "validation.gatekeeper.sh", serviceNamespace: "policy-system", serviceName: "gatekeeper-webhook-service",
        servicePort: 443)

    static func networkPolicies(_ ev: Evidence) -> String {
        var emit = EmitOptions()
        emit.version = "test"
        return Self.cluster(Self.topologyPods) + "---\n" + NetworkPolicyEmitter(options: emit).stream(for: Inferrer().infer(ev))
    }

    @Test("Ingress controller, NetworkPolicy flavour: the world reaches the controller only from the observed clients, the backend only from the controller")
    func ingressController() throws {
        let clients = ["203.0.113.10", "203.0.113.11", "203.0.113.12"]
        let ev = Evidence(edges: clients.map { Self.edge(.external($0), Self.nginx, 443) } + [Self.edge(Self.nginx, Self.web, 8080)],
                          labelSets: Self.topologyLabels, namespaceLabels: Self.topologyNamespaces)
        let pairs = [("ingress-nginx/ingress-nginx-controller", "web"), ("policy-system/gatekeeper-controller", "web"),
                     ("203.0.113.10", "ingress-nginx/ingress-nginx-controller"),
                     ("203.0.113.99", "ingress-nginx/ingress-nginx-controller"), ("203.0.113.10", "web"),
                     ("web", "ingress-nginx/ingress-nginx-controller")]
        let r = try Self.admitted(Self.networkPolicies(ev), pairs: pairs, work: "ingress")
        #expect(r.flowmap == [[8080], [], [443], [], [], []])
        if let nca = r.nca { #expect(nca == r.flowmap) }
    }

    @Test("Webhook calls, NetworkPolicy flavour: from the API server's address, or a node's (API server in the host network), on the webhook port only")
    func webhookCalls() throws {
        for (caller, addresses, address) in [(Endpoint.reserved(.kubeAPIServer), ["172.18.0.2"], "172.18.0.2"),
                                             (.reserved(.remoteNode), ["10.10.0.12"], "10.10.0.12")] {
            var ev = Evidence(edges: [Self.edge(caller, Self.gatekeeper, 8443)], labelSets: Self.topologyLabels,
                              namespaceLabels: Self.topologyNamespaces, addresses: [caller: addresses])
            ev.routeBackends = [RouteBackend(route: Self.webhook, workload: Self.gatekeeper, proto: .tcp, port: 8443)]
            let w = try #require(Inferrer().infer(ev).namespaces.flatMap(\.workloads).first { $0.endpoint == Self.gatekeeper })
            #expect(w.notes.contains { if case .webhookCall(_, caller, .tcp, 8443, true) = $0 { true } else { false } })
            let pairs = [(address, "policy-system/gatekeeper-controller"), ("172.18.0.3", "policy-system/gatekeeper-controller"),
                         ("web", "policy-system/gatekeeper-controller")]
            let r = try Self.admitted(Self.networkPolicies(ev), pairs: pairs, work: "webhook-\(caller.name)")
            #expect(r.flowmap == [[8443], [], []], "\(caller)")
            if let nca = r.nca { #expect(nca == r.flowmap, "\(caller)") }
        }
    }

    /// Issue 23, least privilege: `cluster.json` knows two nodes (worker-1 10.10.0.11, worker-2 10.10.0.12) and
    /// `webhook-call-remote-node.jsonl` shows `reserved:remote-node` only from 10.10.0.12. Through the store
    /// (`Generate.evidence`, where the inventory's node addresses are read): the rule admits 10.10.0.12/32 only,
    /// never the other known node, in FlowMap's evaluator and in network-config-analyzer.
    @Test("reserved:remote-node, NetworkPolicy flavour: two nodes known, flows from one node's address: only that /32")
    func remoteNodeObservedAddressOnly() throws {
        let db = Temporary.store("flowmap-nca-remote-node")
        for (file, format) in [("cluster.json", InputFormat.inventory), ("webhook-call-remote-node.jsonl", .auto)] {
            var o = Ingest.Options(db: db)
            o.format = format
            _ = try Ingest.run(paths: [Repository.fixtures("FormatTests", "topologies/" + file).path], options: o) {
                Issue.record("\($0)")
            }
        }
        let ev = try Generate.evidence(from: FlowStore(path: db))
        #expect(Set(ev.nodeAddresses.values.joined()).isSuperset(of: ["10.10.0.11", "10.10.0.12"]), "two nodes known")
        let plan = Inferrer().infer(ev)
        let gk = try #require(plan.namespaces.flatMap(\.workloads).first { $0.endpoint.name == "gatekeeper-controller" })
        #expect(gk.ingress.map(\.peer) == [.ipBlock(cidr: "10.10.0.12/32", except: [], note: "reserved:remote-node")])
        var emit = EmitOptions()
        emit.version = "test"
        let text = Self.cluster(Self.topologyPods) + "---\n" + NetworkPolicyEmitter(options: emit).stream(for: plan)
        let pairs = [("10.10.0.12", "policy-system/gatekeeper-controller"), ("10.10.0.11", "policy-system/gatekeeper-controller")]
        let r = try Self.admitted(text, pairs: pairs, work: "remote-node")
        #expect(r.flowmap == [[8443], []], "the observed node only")
        if let nca = r.nca { #expect(nca == r.flowmap) }
    }

    /// A store of the topology fixtures `files` (inventories first), and the plan inferred from it.
    static func storePlan(_ files: [String], work: String) throws -> (db: String, plan: PolicyPlan) {
        let db = Temporary.store("flowmap-nca-\(work)")
        for file in files {
            var o = Ingest.Options(db: db)
            o.format = file.hasSuffix(".json") ? .inventory : .auto
            _ = try Ingest.run(paths: [Repository.fixtures("FormatTests", "topologies/" + file).path], options: o) {
                Issue.record("\($0)")
            }
        }
        return (db, Inferrer().infer(try Generate.evidence(from: FlowStore(path: db))))
    }

    /// Issue 23, per connection: `remote-node-per-connection.jsonl` shows `reserved:remote-node` from 10.10.0.11
    /// (X) only towards gatekeeper and from 10.10.0.12 (Y) only towards shop/web. Each rule admits its own
    /// connection's node address: web Y only, gatekeeper X only (before schema 13 both admitted both), in FlowMap's
    /// evaluator and network-config-analyzer; generate's self-check passes with them.
    @Test("reserved:remote-node per connection: X seen only towards B and Y only towards A: A admits Y only, B X only")
    func remoteNodePerConnection() throws {
        let (db, plan) = try Self.storePlan(["cluster.json", "remote-node-per-connection.jsonl"], work: "remote-node-pc")
        let ws = plan.namespaces.flatMap(\.workloads)
        let gk = try #require(ws.first { $0.endpoint.name == "gatekeeper-controller" })
        let web = try #require(ws.first { $0.endpoint.name == "web" })
        #expect(gk.ingress.map(\.peer) == [.ipBlock(cidr: "10.10.0.11/32", except: [], note: "reserved:remote-node")])
        #expect(web.ingress.map(\.peer) == [.ipBlock(cidr: "10.10.0.12/32", except: [], note: "reserved:remote-node")])
        let r0 = try Generate.run(Generate.Options(db: db, out: Temporary.directory("flowmap-nca-remote-node-pc").path))
        #expect(!r0.selfCheck.failed, "\(r0.selfCheck.findings)")
        var emit = EmitOptions()
        emit.version = "test"
        let text = Self.cluster(Self.topologyPods) + "---\n" + NetworkPolicyEmitter(options: emit).stream(for: plan)
        let pairs = [("10.10.0.11", "policy-system/gatekeeper-controller"), ("10.10.0.12", "policy-system/gatekeeper-controller"),
                     ("10.10.0.11", "web"), ("10.10.0.12", "web")]
        let r = try Self.admitted(text, pairs: pairs, work: "remote-node-pc")
        #expect(r.flowmap == [[8443], [], [], [8080]], "each workload its own connection's node only")
        if let nca = r.nca { #expect(nca == r.flowmap) }
    }

    /// Issue 23, per connection, host network: in `host-network.jsonl` the host-network agent is reached by
    /// shop/scraper on both of its node addresses but calls shop/web from 10.10.0.11 only. Through the store,
    /// web's rule admits 10.10.0.11 only (before schema 13: both, the agent's every observed address), scraper's
    /// both; FlowMap's evaluator and network-config-analyzer agree.
    @Test("Host-network peer per connection: web admits the agent's address it was called from, not the one only scraper reached")
    func hostNetworkPerConnection() throws {
        let (_, plan) = try Self.storePlan(["host-network-cluster.json", "host-network.jsonl"], work: "host-network-pc")
        let ws = plan.namespaces.flatMap(\.workloads)
        let web = try #require(ws.first { $0.endpoint.name == "web" })
        let scraper = try #require(ws.first { $0.endpoint.name == "scraper" })
        #expect(web.ingress.map(\.peer) == [.ipBlock(cidr: "10.10.0.11/32", except: [], note: PeerPlan.hostNetworkNote)])
        #expect(scraper.egress.map(\.peer) == ["10.10.0.11/32", "10.10.0.12/32"].map {
            .ipBlock(cidr: $0, except: [], note: PeerPlan.hostNetworkNote)
        })
        var emit = EmitOptions()
        emit.version = "test"
        let pods: [(String, Labels, String)] = [("shop/web", ["app": "web"], "10.0.3.9"),
                                                ("shop/scraper", ["app": "scraper"], "10.0.1.20")]
        let text = Self.cluster(pods) + "---\n" + NetworkPolicyEmitter(options: emit).stream(for: plan)
        let pairs = [("10.10.0.11", "web"), ("10.10.0.12", "web")]
        let r = try Self.admitted(text, pairs: pairs, work: "host-network-pc")
        #expect(r.flowmap == [[8080], []])
        if let nca = r.nca { #expect(nca == r.flowmap) }
    }

    /// Tests/FormatTests/Fixtures/topologies `host-network-cluster.json` / `host-network.jsonl`, restated: the
    /// host-network DaemonSet obs/node-agent runs on worker-1 (10.10.0.11) and worker-2 (10.10.0.12) and was
    /// observed calling shop/web:8080 from 10.10.0.11 only. The NetworkPolicy flavour writes it as node traffic:
    /// that address's /32, never the other node's, which network-config-analyzer reads the same way.
    @Test("Host-network peer, NetworkPolicy flavour: the node address it was observed from, not its other node")
    func hostNetworkPeer() throws {
        let agent = Endpoint.workload("obs", "node-agent", kind: "DaemonSet")
        var ev = Evidence(edges: [Self.edge(agent, Self.web, 8080)],
                          labelSets: Self.topologyLabels.merging([agent: [["app": "node-agent"]]]) { a, _ in a },
                          namespaceLabels: Self.topologyNamespaces.merging(["obs": ["kubernetes.io/metadata.name": "obs"]]) { a, _ in a },
                          addresses: [agent: ["10.10.0.11"]])
        ev.hostNetwork = [agent]
        ev.workloadNodes = [agent: ["worker-1", "worker-2"], Self.web: ["worker-2"]]
        ev.nodeAddresses = ["worker-1": ["10.10.0.11"], "worker-2": ["10.10.0.12"]]
        let w = try #require(Inferrer().infer(ev).namespaces.flatMap(\.workloads).first { $0.endpoint == Self.web })
        #expect(w.ingress.map(\.peer) == [.ipBlock(cidr: "10.10.0.11/32", except: [], note: PeerPlan.hostNetworkNote)])
        let pairs = [("10.10.0.11", "web"), ("10.10.0.12", "web"), ("10.10.0.99", "web")]
        let r = try Self.admitted(Self.networkPolicies(ev), pairs: pairs, work: "host-network")
        #expect(r.flowmap == [[8080], [], []])
        if let nca = r.nca { #expect(nca == r.flowmap) }
    }
}
