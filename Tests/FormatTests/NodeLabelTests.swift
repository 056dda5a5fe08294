import Foundation
import Testing
@testable import FlowIngest
import FlowMapKit
import FlowStore

/// Issue 16 (T10): Node objects' labels and addresses are read from `kubectl get nodes -o json` and stored (schema
/// 9), so admin-tier `nodes` peers can select node addresses by node labels; a newer inventory replaces a node's
/// labels, and a node known only from pods' `hostIP` has no labels (unknown, not empty).
@Suite struct NodeLabelTests {
    static func nodes(workerLabel: String) -> String {
        """
        {"apiVersion": "v1", "kind": "NodeList", "items": [
          {"metadata": {"name": "cp-1", "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "cp-1"}},
           "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.1"}, {"type": "Hostname", "address": "cp-1"},
                                    {"type": "ExternalIP", "address": "203.0.113.1"}]}},
          {"metadata": {"name": "worker-1", "labels": {"kubernetes.io/hostname": "worker-1", "pool": "\(workerLabel)"}},
           "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.2"}]}}
        ]}
        """
    }

    static let pod = """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a", "creationTimestamp": "2024-01-01T00:00:00Z"},
         "spec": {"nodeName": "worker-2"}, "status": {"podIP": "10.1.0.5", "hostIP": "10.0.0.3"}}
        """

    @Test func nodeObjectsGiveLabelsAndAddresses() throws {
        let r = try InventoryReader.read(Data(Self.nodes(workerLabel: "general").utf8))
        #expect(r.issues.isEmpty)
        #expect(r.inventory.nodes == ["cp-1": ["10.0.0.1", "203.0.113.1"], "worker-1": ["10.0.0.2"]])
        #expect(r.inventory.nodeLabels["cp-1"]?["node-role.kubernetes.io/control-plane"] == "")
        #expect(r.inventory.nodeLabels["worker-1"]?["pool"] == "general")
    }

    @Test func storedAndReplacedByANewerInventory() throws {
        let dir = Support.tempDir()
        let db = Support.newDB()
        try Support.ingest([Support.file("nodes.json", Self.nodes(workerLabel: "general"), in: dir),
                            Support.file("pod.json", Self.pod, in: dir)], db: db, format: .inventory)
        let store = try FlowStore(path: db)
        var (addresses, labels) = try store.nodes()
        #expect(addresses == ["cp-1": ["10.0.0.1", "203.0.113.1"], "worker-1": ["10.0.0.2"], "worker-2": ["10.0.0.3"]])
        #expect(labels["worker-1"] == ["kubernetes.io/hostname": "worker-1", "pool": "general"])
        #expect(labels["worker-2"] == nil, "known only from a pod's hostIP: labels unknown")
        #expect(try store.inventory().nodeLabels == labels)
        try Support.ingest([Support.file("nodes2.json", Self.nodes(workerLabel: "gpu"), in: dir)], db: db,
                           format: .inventory)
        (addresses, labels) = try FlowStore(path: db).nodes()
        #expect(labels["worker-1"] == ["kubernetes.io/hostname": "worker-1", "pool": "gpu"])
        #expect(labels["cp-1"]?["node-role.kubernetes.io/control-plane"] == "")
    }
}
