import Foundation
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

@Suite("Kubernetes inventory: pod controllers and their selectors")
struct ControllerInventoryTests {
    /// `kubectl get deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs -A -o json`, cut down.
    static let controllers = #"""
    {"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ratings", "namespace": "bookinfo"},
       "spec": {"selector": {"matchLabels": {"app": "ratings", "version": "v1"}}}},
      {"apiVersion": "apps/v1", "kind": "ReplicaSet",
       "metadata": {"name": "ratings-7d4b9c8f6d", "namespace": "bookinfo",
                    "ownerReferences": [{"kind": "Deployment", "name": "ratings", "controller": true}]},
       "spec": {"selector": {"matchLabels": {"app": "ratings", "version": "v1", "pod-template-hash": "7d4b9c8f6d"}}}},
      {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "legacy", "namespace": "bookinfo"},
       "spec": {"selector": {"matchLabels": {"app": "legacy"}}}},
      {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "bookinfo"},
       "spec": {"selector": {"matchLabels": {"app": "db"},
                             "matchExpressions": [{"key": "tier", "operator": "In", "values": ["data"]}]}}},
      {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "ops"},
       "spec": {"selector": {"matchLabels": {"name": "agent"}}}},
      {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "backup", "namespace": "ops"},
       "spec": {"jobTemplate": {"spec": {"selector": {"matchLabels": {"job": "backup"}}}}}},
      {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "ops"},
       "spec": {"selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "1234"}}}},
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad", "namespace": "ops"},
       "spec": {"selector": {"matchLabels": {"app": "a b"}}}}
    ]}
    """#

    @Test("selectors are read under the pods' workload names, stored, and reach inference")
    func readStoredUsed() throws {
        let r = try InventoryReader.read(Data(Self.controllers.utf8))
        let got = r.inventory.controllers.map { "\($0.workload) \($0.selector.canonical) \($0.usable)" }
        #expect(Set(got) == [
            "bookinfo/db[StatefulSet] app=db false",
            "bookinfo/legacy[ReplicaSet] app=legacy true",
            "bookinfo/ratings[Deployment] app=ratings,version=v1 true",
            "ops/backup[CronJob] job=backup true",
            "ops/migrate[Job] batch.kubernetes.io/controller-uid=1234 true",
            "ops/agent[DaemonSet] name=agent true",
        ])
        #expect(r.issues.map(\.field) == ["items[7].spec.selector.matchLabels.app"])

        let dir = Support.tempDir()
        let path = dir.appendingPathComponent("controllers.json").path
        try Self.controllers.write(toFile: path, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("s.db").path
        _ = try Support.ingest([path], db: db, format: .inventory)
        let store = try FlowStore(path: db)
        #expect(try store.inventory().controllers == r.inventory.controllers)
        let ev = try Generate.evidence(from: store)
        #expect(ev.controllerSelectors[.workload("bookinfo", "ratings", kind: "Deployment")]
                == ["app": "ratings", "version": "v1"])
        // matchExpressions: its labels alone would select more, so it is not offered.
        #expect(ev.controllerSelectors[.workload("bookinfo", "db", kind: "StatefulSet")] == nil)
    }
}
