import Foundation
import Testing
@testable import FlowMapKit
import FlowIngest
import FlowModel
import FlowStore
import Inference
import Policy
import Emit

/// Cilium ClusterMesh (docs/topologies.md): peers of another cluster stay apart from local workloads of the same
/// name from the reader to the policies, the Cilium flavour names their cluster, the NetworkPolicy flavour warns
/// and writes no rule, and the evaluator honours `policy-default-local-cluster`.
@Suite("ClusterMesh")
struct ClusterMeshTests {
    static let fixture = TestSupport.repoRoot
        .appendingPathComponent("Tests/FlowMapKitTests/Fixtures/clustermesh/two-clusters.jsonl").path

    static let frontend = Endpoint.workload("shop", "frontend", kind: "Deployment")
    static let backend = Endpoint.workload("shop", "backend", kind: "Deployment")
    static let eastBackend = Endpoint.workload("shop", "backend", kind: "Deployment", cluster: "east")
    static let eastClient = Endpoint.workload("shop", "client", kind: "Deployment", cluster: "east")

    static func store(cluster: String? = nil) throws -> String {
        let db = TestSupport.tempDir().appendingPathComponent("s.db").path
        var o = Ingest.Options(db: db)
        o.localCluster = cluster
        var issues: [InputIssue] = []
        let r = try Ingest.run(paths: [fixture], options: o) { issues.append($0) }
        #expect(issues.isEmpty, "\(issues)")
        #expect(r.total.accepted == 9)
        return db
    }

    static func edges(_ db: String) throws -> Set<String> {
        Set(try FlowStore(path: db).edges().map { "\($0.key.source.key) -> \($0.key.destination.key) \($0.key.port)" })
    }

    @Test("cluster_name and the cluster label keep another cluster's workloads apart from local ones of the same name")
    func readerKeepsClusters() throws {
        let db = try Self.store()
        #expect(try Self.edges(db) == [
            "shop/Deployment/frontend -> shop/Deployment/backend@east 8080",
            "shop/Deployment/frontend -> shop/Deployment/backend 8080",
            "shop/Deployment/client@east -> shop/Deployment/backend 9090",
        ])
        // Both backends keep their own labels (one row each).
        let sets = try FlowStore(path: db).labelSets()
        #expect(sets[Self.backend]?.map(\.canonical) == ["app=backend"])
        #expect(sets[Self.eastBackend]?.map(\.canonical) == ["app=backend"])
    }

    @Test("--cluster names the local cluster: the other one's workloads become the remote peers")
    func explicitLocalCluster() throws {
        let db = try Self.store(cluster: "east")
        #expect(try Self.edges(db) == [
            "shop/Deployment/frontend@west -> shop/Deployment/backend 8080",
            "shop/Deployment/frontend@west -> shop/Deployment/backend@west 8080",
            "shop/Deployment/client -> shop/Deployment/backend@west 9090",
        ])
    }

    @Test("merge carries endpoints.cluster: a remote peer stays remote (and apart from its local namesake)")
    func mergeCarriesCluster() throws {
        let db = try Self.store()
        let merged = TestSupport.tempDir().appendingPathComponent("merged.db").path
        let r = try Merge.run(db: merged, inputs: [db])
        #expect(r.refused == 0 && r.added == 1)
        #expect(try Self.edges(merged) == Self.edges(db))
        #expect(try FlowStore(path: merged).labelSets()[Self.eastBackend]?.map(\.canonical) == ["app=backend"])
    }

    static let csv = TestSupport.repoRoot
        .appendingPathComponent("Tests/FlowMapKitTests/Fixtures/clustermesh/two-clusters.csv").path

    static func ingest(_ path: String, cluster: String? = nil) throws -> (db: String, accepted: Int, issues: [InputIssue]) {
        let db = TestSupport.tempDir().appendingPathComponent("g.db").path
        var o = Ingest.Options(db: db)
        o.localCluster = cluster
        var issues: [InputIssue] = []
        let r = try Ingest.run(paths: [path], options: o) { issues.append($0) }
        return (db, Int(r.total.accepted), issues)
    }

    @Test("generic records: src_cluster / dst_cluster keep another cluster's workloads apart, as cluster_name does")
    func genericRecordsCarryTheCluster() throws {
        for cluster in [nil, "east"] as [String?] {
            let g = try Self.ingest(Self.csv, cluster: cluster)
            #expect(g.issues.isEmpty, "\(g.issues)")
            #expect(g.accepted == 9)
            #expect(try Self.edges(g.db) == Self.edges(try Self.store(cluster: cluster)), "--cluster \(cluster ?? "-")")
        }
        let r = try Self.generate(try Self.ingest(Self.csv).db, .cilium)
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        let text = try #require(r.stream)
        #expect(text.components(separatedBy: "k8s:io.cilium.k8s.policy.cluster: east").count - 1 == 2, "\(text)")
        #expect(r.plan.namespaces.flatMap(\.workloads).map(\.endpoint) == [Self.backend, Self.frontend])
        // A value that cannot be a cluster name is refused with its field; JSON lines read it too.
        let bad = TestSupport.tempDir().appendingPathComponent("bad.jsonl")
        TestSupport.write("""
            {"time": 1, "proto": "tcp", "dst_port": 80, "src_namespace": "a", "src_workload": "p", "src_cluster": "East Side", "dst_ip": "10.0.0.1"}
            {"time": 1, "proto": "tcp", "dst_port": 80, "src_namespace": "a", "src_workload": "p", "src_cluster": "east", "dst_namespace": "b", "dst_workload": "q", "dst_cluster": "west", "direction": "ingress"}

            """, to: bad)
        let b = try Self.ingest(bad.path)
        #expect(b.issues.map(\.field) == ["src_cluster"], "\(b.issues)")
        #expect(b.accepted == 1)
        #expect(try Self.edges(b.db) == ["a/Deployment/p@east -> b/Deployment/q 80"], "ingress: the destination is local")
    }

    static func generate(_ db: String, _ flavor: EmitOptions.Flavor) throws -> Generate.Report {
        var o = Generate.Options(db: db, out: "-")
        o.emit.flavor = flavor
        return try Generate.run(o)
    }

    @Test("Cilium flavour: peers of another cluster are selected with io.cilium.k8s.policy.cluster; no policy for them")
    func ciliumNamesTheCluster() throws {
        let db = try Self.store()
        let r = try Self.generate(db, .cilium)
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        #expect(r.selfCheck.edges == 3)
        let text = try #require(r.stream)
        // Only the local workloads get allow policies.
        #expect(r.plan.namespaces.flatMap(\.workloads).map(\.endpoint) == [Self.backend, Self.frontend])
        let fe = try #require(r.plan.namespaces.first?.workloads.first { $0.endpoint == Self.frontend })
        #expect(fe.egress.map(\.peer) == [.workload(Self.backend, selector: ["app": "backend"]),
                                         .workload(Self.eastBackend, selector: ["app": "backend"])])
        #expect(text.contains("- toEndpoints:  # shop/backend[Deployment]@east: "), "\(text)")
        #expect(text.contains("- fromEndpoints:  # shop/client[Deployment]@east: "), "\(text)")
        #expect(text.components(separatedBy: "k8s:io.cilium.k8s.policy.cluster: east").count - 1 == 2)
        #expect(!text.contains("policy.cluster: west"))
        #expect(!r.plan.warnings.contains { if case .remoteClusterPeer = $0 { true } else { false } })
        // Its YAML against the CiliumNetworkPolicy v2 CRD schema: OracleTests TopologySchemaTests.
    }

    @Test("NetworkPolicy flavour: no rule for peers of another cluster, a note and a warning that says why")
    func networkPolicyWarns() throws {
        let db = try Self.store()
        let r = try Self.generate(db, .k8s)
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        let ws = r.plan.namespaces.flatMap(\.workloads)
        let fe = try #require(ws.first { $0.endpoint == Self.frontend })
        let be = try #require(ws.first { $0.endpoint == Self.backend })
        #expect(fe.egress.map(\.peer) == [.workload(Self.backend, selector: ["app": "backend"])])
        #expect(be.ingress.map(\.peer) == [.workload(Self.frontend, selector: ["app": "frontend"])])
        #expect(fe.notes.contains(.remoteClusterPeer(Self.eastBackend, direction: .to)))
        #expect(be.notes.contains(.remoteClusterPeer(Self.eastClient, direction: .from)))
        let warned = r.plan.warnings.filter { if case .remoteClusterPeer = $0 { true } else { false } }
        #expect(warned.count == 2, "\(r.plan.warnings)")
        // The evidence report (written beside the policies) carries the warnings.
        #expect(EvidenceReport(plan: r.plan, version: "test").warnings.filter { $0.contains("cannot name clusters") }.count == 2)
        let text = try #require(r.stream)
        #expect(!text.contains("9090"), "no rule for the remote client's port")
        #expect(text.contains("(cluster east) observed: NetworkPolicy cannot name a cluster"))
    }

    /// A hand-written policy whose peer names no cluster: a CiliumNetworkPolicy, and a NetworkPolicy (the
    /// NetworkPolicy evaluator follows the same option, docs/topologies.md: its pod selectors match workloads of
    /// another cluster only when policy-default-local-cluster is off).
    static let localClusterPolicies = [
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: frontend, namespace: shop}
        spec:
          endpointSelector: {matchLabels: {app: frontend}}
          egress:
            - toEndpoints: [{matchLabels: {app: backend}}]
              toPorts: [{ports: [{port: "8080", protocol: TCP}]}]

        """,
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: frontend, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: frontend}}
          policyTypes: [Egress]
          egress:
            - to: [{podSelector: {matchLabels: {app: backend}}}]
              ports: [{port: 8080, protocol: TCP}]

        """,
    ]

    /// Checked with the option on and off (`--no-cilium-policy-default-local-cluster`).
    @Test("policy-default-local-cluster: a selector without a cluster matches the local cluster only when on (Cilium and NetworkPolicy)",
          arguments: localClusterPolicies)
    func policyDefaultLocalCluster(_ yaml: String) throws {
        let db = try Self.store()
        let policy = TestSupport.tempDir().appendingPathComponent("p.yaml")
        TestSupport.write(yaml, to: policy)
        var o = Check.Options(policies: [policy.path], db: db)
        func denied(_ on: Bool) throws -> [String] {
            o.evaluator.cilium.policyDefaultLocalCluster = on
            return try Check.run(o).report.denied.map { "\($0.source) -> \($0.destination)" }
        }
        #expect(try denied(true) == ["shop/frontend[Deployment] -> shop/backend[Deployment]@east"])
        #expect(try denied(false) == [])
    }
}

/// Service-addressed flows (Hubble `destination_service`): the Service is kept per destination and named in the
/// evidence of every flavour.
@Suite("Service-addressed flows")
struct ServiceEvidenceTests {
    static let fixture = TestSupport.repoRoot
        .appendingPathComponent("Tests/FlowMapKitTests/Fixtures/services/service-addressed.jsonl").path

    @Test("destination_service is stored per destination and named in the evidence report of both flavours",
          arguments: [EmitOptions.Flavor.k8s, .cilium])
    func namedInEvidence(_ flavor: EmitOptions.Flavor) throws {
        let db = TestSupport.tempDir().appendingPathComponent("s.db").path
        let (r, issues) = try TestSupport.ingest([Self.fixture], db: db)
        #expect(issues.isEmpty && r.total.accepted == 2)
        let backend = Endpoint.workload("shop", "backend", kind: "Deployment")
        #expect(try FlowStore(path: db).services() == [backend: ["shop/backend-svc"]])
        var o = Generate.Options(db: db, out: "-")
        o.emit.flavor = flavor
        let g = try Generate.run(o)
        let text = try #require(g.stream)
        let report = EvidenceReport(plan: g.plan, version: "test")
        // The YAML keeps only evidence every source agrees on (ThreeSourceTests): the Service is in the report.
        #expect(!text.contains("backend-svc"), "\(text)")
        #expect(report.markdown.contains(#"shop/backend\[Deployment\] via Service shop/backend-svc"#), "\(report.markdown)")
        #expect(report.rules.map { "\($0.direction) \($0.services ?? [])" }.sorted()
                == ["egress [\"shop/backend-svc\"]", "ingress [\"shop/backend-svc\"]"])
        #expect(report.json.contains("\"services\" : [\n        \"shop/backend-svc\"\n      ]"), "\(report.json)")
    }
}
