import Foundation
import Testing
import FlowModel
@testable import FlowStore

/// Schema 10: endpoints gain `cluster` (ClusterMesh), part of their identity.
@Suite("ClusterMesh store (schema 10)")
struct ClusterMeshStoreTests {
    @Test("a schema-9 store keeps its endpoint ids and references; foreign keys are on again afterwards")
    func migratesInPlace() throws {
        let path = StoreSupport.newPath()
        do {
            let db = try StoreSupport.atSchema(9, path: path)
            try db.exec("""
                INSERT INTO endpoints (id, kind, namespace, name, workload_kind) VALUES
                  (7, 'workload', 'shop', 'backend', 'Deployment'), (9, 'workload', 'shop', 'frontend', 'Deployment');
                INSERT INTO listening_ports (endpoint_id, proto, port, flows) VALUES (7, 'TCP', 8080, 3);
                """)
        }
        let store = try FlowStore(path: path)
        #expect(try store.schemaVersion == Migrations.latest)
        let eps = try store.endpointMap()
        #expect(eps[7] == .workload("shop", "backend", kind: "Deployment"))
        #expect(eps[9] == .workload("shop", "frontend", kind: "Deployment"))
        #expect(try store.listeningPorts().keys.map(\.endpoint) == [.workload("shop", "backend", kind: "Deployment")])
        let fk = try store.db.prepare("PRAGMA foreign_keys")
        #expect(try fk.step() && fk.int(0) == 1)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("the same namespace, name and kind in another cluster is another endpoint row, read back with its cluster")
    func remoteIsDistinct() throws {
        let store = try FlowStore(path: StoreSupport.newPath())
        let local = Endpoint.workload("shop", "backend", kind: "Deployment")
        let remote = Endpoint.workload("shop", "backend", kind: "Deployment", cluster: "east")
        let a = try store.endpointID(local), b = try store.endpointID(remote)
        #expect(a != b)
        #expect(try store.endpointID(remote) == b)
        let eps = try store.endpointMap()
        #expect(eps[a] == local && eps[b] == remote)
        #expect(eps[b]?.key == "shop/Deployment/backend@east")
    }
}
