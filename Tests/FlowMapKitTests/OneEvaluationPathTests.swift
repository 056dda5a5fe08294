import Foundation
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowStore
import Inference
import FlowModel
import Policy
import TestSupport
import Testing

/// Issue 13: `check`, `connectivity`, `explain` and `map --policies` answer from one evaluation path, so they
/// agree on every observed connection of the same store and policies.
@Suite struct OneEvaluationPathTests {
    static let db = Endpoint.workload("data", "db", kind: "StatefulSet")
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")
    static let remoteNode = Endpoint.reserved("remote-node")

    static let policies = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db, namespace: data}
        spec:
          podSelector: {matchLabels: {app: db}}
          policyTypes: [Ingress]
          ingress:
          - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
            ports: [{protocol: TCP, port: 5432}]
          - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: api}}}]
            ports: [{protocol: TCP, port: 5432}]
        """

    static func edge(_ s: Endpoint, _ d: Endpoint, _ port: UInt16, _ outcome: Outcome = .allowed) -> EdgeKey {
        EdgeKey(source: s, destination: d, proto: .tcp, port: port, outcome: outcome)
    }

    /// remote-node has two known addresses, both inside the ipBlock: allowed only because every address is.
    static let edges: [EdgeKey] = [
        edge(remoteNode, db, 5432),
        edge(api, db, 5432),
        edge(api, db, 6379),
        edge(.external("192.168.1.1"), db, 5432),
        edge(.external("10.1.1.1"), db, 5432, .denied),
    ]

    static func setUp() throws -> (db: String, policies: String) {
        let dir = Temporary.directory("flowmap-onepath")
        let path = dir.appendingPathComponent("f.db").path
        var b = IngestBatch()
        for k in edges { b.edges[k] = EdgeStats(flows: 5, firstSeen: 1, lastSeen: 2) }
        b.labelSets[db] = [["app": "db"].canonical]
        b.labelSets[api] = [["app": "api"].canonical]
        b.addresses[remoteNode] = ["10.0.0.5", "10.0.0.6"]
        _ = try FlowStore(path: path).write(b, counts: IngestCounts(), path: "t", format: "test", contentHash: nil, now: 0)
        let p = dir.appendingPathComponent("p.yaml")
        try policies.write(to: p, atomically: true, encoding: .utf8)
        return (path, p.path)
    }

    @Test func checkConnectivityExplainAndMapAgree() throws {
        let (db, policies) = try Self.setUp()
        let check = try Check.run(Check.Options(policies: [policies], db: db))
        func key(_ i: PolicyCheck.Item) -> String { "\(i.source) => \(i.destination) : \(i.port)" }
        func key(_ k: EdgeKey) -> String { "\(k.source) => \(k.destination) : \(k.port)" }
        let denied = Set(check.report.denied.map(key)), nowAllowed = Set(check.report.nowAllowed.map(key))
        #expect(denied == ["shop/api[Deployment] => data/db[StatefulSet] : 6379", "192.168.1.1 => data/db[StatefulSet] : 5432"])
        #expect(nowAllowed == ["10.1.1.1 => data/db[StatefulSet] : 5432"])
        #expect(check.report.allowedConnections == 2)

        var mo = Map.Options(db: db)
        mo.policies = policies
        mo.format = .dot
        let map = try Map.run(mo)
        let decisions = try MapPolicies.evaluate(db: db, policiesPath: policies).verdicts.decisions

        let conn = try Connectivity.run(Connectivity.Options(policies: [policies], db: db))
        for k in Self.edges {
            // check: observed-allowed edges are allowed unless listed as breaking; denied ones allowed if listed.
            let byCheck = k.outcome == .allowed ? !denied.contains(key(k)) : nowAllowed.contains(key(k))
            let explain = try Explain.run(Explain.Options(policies: [policies], db: db, source: k.source.kind == .reserved ? "reserved:\(k.source.name)" : k.source.description,
                                                          destination: k.destination.description, port: "TCP/\(k.port)"))
            #expect(explain.explanation.allowed == byCheck, "explain disagrees with check on \(key(k))")
            if k.outcome == .allowed {
                #expect(decisions[k]?.allowed == byCheck, "map disagrees with check on \(key(k))")
            }
            // connectivity lists workloads and address ranges (reserved identities have no range).
            if k.source.kind != .reserved {
                let listed = conn.entries.contains { e in
                    guard e.destination.description == k.destination.description, e.connections.contains(.tcp, Int(k.port)) else { return false }
                    switch e.source {
                    case .endpoint(let ep): return ep == k.source
                    case .range(let r): return IPAddr(k.source.name).map { r.contains($0) } ?? false
                    }
                }
                #expect(listed == byCheck, "connectivity disagrees with check on \(key(k))")
            }
        }
        // The map's red edges are check's breaking connections.
        #expect(map.check?.deniedConnections == check.report.deniedConnections)
        let red = map.graph.edges.filter { $0.status == .observedDenied }.flatMap(\.evidence).count
        #expect(red == check.report.deniedConnections)
    }

    @Test func checkNamesThePoliciesIsolatingEachEndAndWhatNowPasses() throws {
        let (db, policies) = try Self.setUp()
        let r = try Check.run(Check.Options(policies: [policies], db: db))
        let i = try #require(r.report.denied.first { $0.port == 6379 })
        #expect(i.destinationIngressPolicies == ["data/db"] && i.sourceEgressPolicies.isEmpty && i.deniedBy == ["ingress"])
        let text = CheckFormatter.format(r.report, as: .text, limit: 1, context: r.context)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("verdict: 2 observed connection(s) would break") == true, "\(text)")
        let breaking = try #require(lines.firstIndex { $0.hasPrefix("would break") })
        let adding = try #require(lines.firstIndex { $0.hasPrefix("would now be allowed") })
        #expect(breaking < adding)
        #expect(text.contains("10.1.1.1 => data/db[StatefulSet] : TCP 5432"))
        #expect(text.contains("... and 1 more (--limit)"))
        #expect(text.contains("denied by ingress; source egress: not isolated; destination ingress: data/db"))
        let md = CheckFormatter.format(r.report, as: .md, context: r.context)
        #expect(md.contains("| would break | 2 | 10 |") && md.contains("<details><summary>would break"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(CheckFormatter.format(r.report, as: .json, context: r.context).utf8)) as? [String: Any])
        #expect(json["verdict"] as? String == "breaks")
        let first = try #require((json["would_break"] as? [[String: Any]])?.first)
        #expect((first["port"] as? [String: Any])?["protocol"] as? String == "TCP")
        #expect(first["destination_ingress_policies"] as? [String] == ["data/db"])
        #expect((json["now_allowed"] as? [Any])?.count == 1)
    }

    @Test func explainNamesTheRulesOnEachSide() throws {
        let (db, policies) = try Self.setUp()
        let r = try Explain.run(Explain.Options(policies: [policies], db: db, source: "shop/api", destination: "data/db", port: "TCP/6379"))
        #expect(!r.explanation.allowed)
        let t = r.text
        #expect(t.contains("verdict: denied by the ingress of data/db[StatefulSet]"), "\(t)")
        #expect(t.contains("egress from shop/api[Deployment]: allowed (not isolated"), "\(t)")
        #expect(t.contains("data/db ingress[0]: from does not match"), "\(t)")
        #expect(t.contains("data/db ingress[1]: from matches, ports TCP 5432: not TCP 6379"), "\(t)")
        let ok = try Explain.run(Explain.Options(policies: [policies], db: db, source: "shop/api", destination: "data/db[StatefulSet]", port: "5432"))
        #expect(ok.explanation.allowed)
        #expect(throws: PolicyInputs.Failure.self) {
            try Explain.run(Explain.Options(policies: [policies], db: db, source: "shop/nope", destination: "data/db", port: "TCP/1"))
        }
        // A pod (by name or by its IP) stands for its workload: a ReplicaSet-owned pod is its Deployment's.
        let pods = URL(fileURLWithPath: policies).deletingLastPathComponent().appendingPathComponent("pods.yaml")
        try """
            apiVersion: v1
            kind: PodList
            items:
            - metadata:
                name: api-7d4b9c8f6d-x7k2p
                namespace: shop
                labels: {app: api, pod-template-hash: 7d4b9c8f6d}
                ownerReferences: [{kind: ReplicaSet, name: api-7d4b9c8f6d, controller: true}]
              status: {podIP: 10.9.9.9}
            """.write(to: pods, atomically: true, encoding: .utf8)
        for name in ["shop/api-7d4b9c8f6d-x7k2p", "10.9.9.9"] {
            let byPod = try Explain.run(Explain.Options(policies: [policies, pods.path], db: db, source: name,
                                                        destination: "data/db", port: "TCP/5432"))
            #expect(byPod.explanation.source == "shop/api[Deployment]", "\(name)")
            #expect(byPod.explanation.allowed)
        }
        #expect(throws: PolicyInputs.Failure.self) {
            try Explain.run(Explain.Options(policies: [policies], db: db, source: "shop/api", destination: "data/db", port: "ICMP/1"))
        }
    }
}

/// Issue 16: an admin-tier `domainNames` peer matches by the names the store observed; `explain` and
/// `map --policies` read those names as `check` does, so the three agree.
@Suite struct DomainNamesOnePathTests {
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")

    @Test func checkExplainAndMapAgreeOnDomainNames() throws {
        let dir = Temporary.directory("flowmap-domains")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f.db").path
        var b = IngestBatch()
        let named = EdgeKey(source: Self.api, destination: .external("93.184.216.34"), proto: .tcp, port: 443, outcome: .allowed)
        let other = EdgeKey(source: Self.api, destination: .external("8.8.8.8"), proto: .tcp, port: 443, outcome: .allowed)
        for k in [named, other] { b.edges[k] = EdgeStats(flows: 5, firstSeen: 1, lastSeen: 2) }
        b.labelSets[Self.api] = [["app": "api"].canonical]
        b.names[.external("93.184.216.34")] = ["example.com"]
        _ = try FlowStore(path: path).write(b, counts: IngestCounts(), path: "t", format: "test", contentHash: nil, now: 0)
        let policies = dir.appendingPathComponent("p.yaml").path
        try """
            apiVersion: policy.networking.k8s.io/v1alpha2
            kind: ClusterNetworkPolicy
            metadata: {name: egress}
            spec:
              tier: Admin
              priority: 1
              subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
              egress:
              - {action: Accept, to: [{domainNames: [example.com]}], protocols: [{tcp: {destinationPort: {number: 443}}}]}
              - {action: Deny, to: [{networks: [0.0.0.0/0]}]}
            """.write(toFile: policies, atomically: true, encoding: .utf8)
        let check = try Check.run(Check.Options(policies: [policies], db: path))
        #expect(check.report.denied.map(\.destination) == ["8.8.8.8"], "\(check.report.denied)")
        let decisions = try MapPolicies.evaluate(db: path, policiesPath: policies).verdicts.decisions
        for (k, allowed) in [(named, true), (other, false)] {
            let x = try Explain.run(Explain.Options(policies: [policies], db: path, source: k.source.description,
                                                    destination: k.destination.name, port: "TCP/443"))
            #expect(x.explanation.allowed == allowed, "explain disagrees with check on \(k.destination)")
            #expect(decisions[k]?.allowed == allowed, "map disagrees with check on \(k.destination)")
        }
    }
}
