import Foundation
import Testing
import FlowMapKit
import FlowModel
import FlowStore
import Policy
import TestSupport

/// Issue 23, schema 13: the addresses of a connection's node ends (`reserved:remote-node` here) are kept per edge,
/// bucket and source, and every store operation keeps them exact: forget, prune, merge, export.
/// The capture: `reserved:remote-node` reaches shop/web:8080 from 10.10.0.11 (X) at 10:00 (a.jsonl) and from
/// 10.10.0.12 (Y) at 12:00 (b.jsonl), the same edge in two buckets and two sources.
@Suite("Node addresses per connection (schema 13)")
struct ConnectionAddressTests {
    static let web = Endpoint.workload("shop", "web", kind: "Deployment")
    static let edge = EdgeKey(source: .reserved(.remoteNode), destination: web, proto: .tcp, port: 8080, outcome: .allowed)

    /// A Hubble flow from `reserved:remote-node` at `ip` to shop/web:8080 at `time`.
    static func line(_ time: String, _ ip: String, _ sport: Int) -> String {
        """
        {"flow":{"time":"\(time)","verdict":"FORWARDED","IP":{"source":"\(ip)","destination":"10.0.3.9","ipVersion":"IPv4"},\
        "l4":{"TCP":{"source_port":\(sport),"destination_port":8080,"flags":{"SYN":true}}},\
        "source":{"identity":6,"labels":["reserved:remote-node"]},\
        "destination":{"identity":41002,"namespace":"shop","labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=shop"],\
        "pod_name":"web-5f7d8c9b6-abcde","workloads":[{"name":"web","kind":"Deployment"}]},\
        "Type":"L3_L4","is_reply":false,"traffic_direction":"INGRESS","trace_observation_point":"TO_ENDPOINT"},\
        "node_name":"worker-1","time":"\(time)"}
        """
    }

    static func captures(_ dir: URL) -> (a: String, b: String) {
        let a = dir.appendingPathComponent("a.jsonl"), b = dir.appendingPathComponent("b.jsonl")
        TestSupport.write(line("2026-03-02T10:00:00Z", "10.10.0.11", 40000) + "\n"
                          + line("2026-03-02T10:00:05Z", "10.10.0.11", 40001) + "\n", to: a)
        TestSupport.write(line("2026-03-02T12:00:00Z", "10.10.0.12", 40002) + "\n", to: b)
        return (a.path, b.path)
    }

    static func ingest(_ paths: [String], _ db: String) throws {
        let r = try Ingest.run(paths: paths, options: Ingest.Options(db: db)) { Issue.record("\($0)") }
        #expect(r.failures.isEmpty, "\(r.failures)")
    }

    static func source(_ db: String) throws -> Set<String>? {
        try FlowStore(path: db).connectionAddresses().addresses(edge, side: 0)
    }

    @Test("ingest keeps each bucket's addresses; forget of a source and prune of a bucket drop exactly theirs")
    func forgetAndPrune() throws {
        let dir = TestSupport.tempDir()
        let (a, b) = Self.captures(dir)
        let both = dir.appendingPathComponent("both.db").path, onlyB = dir.appendingPathComponent("b.db").path
        try Self.ingest([a, b], both)
        try Self.ingest([b], onlyB)
        #expect(try Self.source(both) == ["10.10.0.11", "10.10.0.12"])
        let buckets = try FlowStore(path: both).bucketedEdgeAddresses()
        #expect(buckets.map { "\($0.key.bucket % 86_400_000_000_000 / 3_600_000_000_000)h \($0.value.source.sorted())" }.sorted()
                == ["10h [\"10.10.0.11\"]", "12h [\"10.10.0.12\"]"])

        let pruned = dir.appendingPathComponent("pruned.db").path
        try FileManager.default.copyItem(atPath: both, toPath: pruned)
        _ = try Prune.run(db: pruned, before: Timestamp.parseRFC3339("2026-03-02T11:00:00Z")!)
        #expect(try Self.source(pruned) == ["10.10.0.12"], "the 10:00 bucket's address went with it")

        _ = try Forget.run(db: both, source: a)
        #expect(try Self.source(both) == ["10.10.0.12"], "a's address went with a")
        #expect(try EvidenceStoreTests.snapshot(both) == EvidenceStoreTests.snapshot(onlyB))
        #expect(try Export.run(db: both, format: .jsonl).contains(#""src_node_addresses":["10.10.0.12"]"#))
    }

    @Test("two stores merged equal one store that ingested both: the node addresses of each source carry")
    func merge() throws {
        let dir = TestSupport.tempDir()
        let (a, b) = Self.captures(dir)
        let na = dir.appendingPathComponent("na.db").path, nb = dir.appendingPathComponent("nb.db").path
        let direct = dir.appendingPathComponent("direct.db").path, merged = dir.appendingPathComponent("merged.db").path
        try Self.ingest([a], na)
        try Self.ingest([b], nb)
        try Self.ingest([a, b], direct)
        let r = try Merge.run(db: merged, inputs: [na, nb])
        #expect(r.refused == 0 && r.added == 2)
        #expect(try Self.source(merged) == ["10.10.0.11", "10.10.0.12"])
        #expect(try FlowStore(path: merged).connectionAddresses() == FlowStore(path: direct).connectionAddresses())
        #expect(try EvidenceStoreTests.snapshot(merged) == EvidenceStoreTests.snapshot(direct))
        _ = try Forget.run(db: merged, source: a)
        #expect(try Self.source(merged) == ["10.10.0.12"])
    }

    @Test("a store from before schema 13: its sources' connections have unknown addresses, later ones known")
    func migratedStore() throws {
        let dir = TestSupport.tempDir()
        let (a, b) = Self.captures(dir)
        let db = dir.appendingPathComponent("old.db").path
        try Self.ingest([a], db)
        // As a store written before schema 13 reads once migrated: its sources marked, no per-edge rows.
        let (status, out) = try TestSupport.run("/usr/bin/sqlite3", [db, """
            DELETE FROM edge_bucket_addresses; INSERT INTO sources_before_edge_addresses SELECT id FROM sources;
            """])
        #expect(status == 0, "\(out)")
        #expect(try Self.source(db) == nil, "unknown, not empty")
        try Self.ingest([b], db)
        #expect(try Self.source(db) == nil, "the edge still has evidence from the old source")
        let merged = dir.appendingPathComponent("merged.db").path
        _ = try Merge.run(db: merged, inputs: [db])
        #expect(try Self.source(merged) == nil, "merge carries which sources are from before schema 13")
        _ = try Forget.run(db: db, source: a)
        #expect(try Self.source(db) == ["10.10.0.12"])
    }

    /// `check`'s side (PolicyCheck.peers): shop/web (on worker-3) admits TCP 8080 from 10.10.0.11 only. The
    /// host-network agent runs on worker-1 (10.10.0.11) and worker-2 (10.10.0.12), and remote-node showed both
    /// addresses; each connection to web came from 10.10.0.11. With the connections' addresses both edges are
    /// allowed; per endpoint (nil) or a connection that showed none, every known address must be, so both break.
    @Test("check evaluates a node end from its connection's addresses; none recorded: every known address")
    func checkPerConnection() throws {
        let agent = Endpoint.workload("obs", "agent", kind: "DaemonSet"), remote = Endpoint.reserved(.remoteNode)
        let policy = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: web}}
              policyTypes: [Ingress]
              ingress:
              - from: [{ipBlock: {cidr: 10.10.0.11/32}}]
                ports: [{protocol: TCP, port: 8080}]
            """
        let edges = [agent, remote].map {
            ObservedEdge(key: EdgeKey(source: $0, destination: Self.web, proto: .tcp, port: 8080, outcome: .allowed),
                         stats: EdgeStats(flows: 1, firstSeen: 1, lastSeen: 1))
        }
        var data = ClusterInventory.StoreData(
            labelSets: [Self.web: [["app": "web"]], agent: [["app": "agent"]]],
            addresses: [Self.web: ["10.0.3.9"], agent: ["10.10.0.11", "10.10.0.12"],
                        remote: ["10.10.0.11", "10.10.0.12"]],
            endpoints: [Self.web, agent, remote], workloadNodes: [Self.web: "worker-3"])
        data.hostNetwork = [agent: ["worker-1": [IPAddr("10.10.0.11")!], "worker-2": [IPAddr("10.10.0.12")!]]]
        func denied(_ c: ConnectionAddresses?) -> Int {
            var d = data
            d.connectionAddresses = c
            return Check.Evaluation(manifests: ManifestReader.parse(text: policy, file: "p.yaml"), data: d, edges: edges,
                                    options: EvaluatorOptions(hostNetwork: .asNode)).report().deniedConnections
        }
        let seen = EdgeAddresses(source: ["10.10.0.11"])
        #expect(denied(ConnectionAddresses(byEdge: [edges[0].key: seen, edges[1].key: seen])) == 0)
        #expect(denied(nil) == 2)
        #expect(denied(ConnectionAddresses()) == 2, "a connection that showed no address: every known one")
        #expect(denied(ConnectionAddresses(byEdge: [edges[0].key: seen, edges[1].key: seen],
                                           unknown: Set(edges.map(\.key)))) == 2, "unknown (before schema 13)")
    }
}
