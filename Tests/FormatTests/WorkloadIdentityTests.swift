import Foundation
import Testing
import FlowIngest
import FlowModel
import FlowStore

/// Issue 21: one workload-identity resolver (`WorkloadIdentity`) behind every reader, so the same pod is the same
/// workload whatever reported its traffic (docs/ingest.md "Workload identity").
@Suite("Workload identity: the same pod is the same workload in every reader")
struct WorkloadIdentityTests {
    /// A pod of the test cluster: what each source reports about it.
    struct Pod {
        var name: String
        var ip: String
        var labels: Labels
        var owner: (kind: String, name: String)?  // the inventory's controller ownerReference
        var hubbleWorkload: (name: String, kind: String)?  // what Cilium puts in `workloads`
        var calicoAggr: String  // Calico's `name_aggr`
        var expected: String
    }

    static let pods: [Pod] = [
        Pod(name: "web-7d4b9c8f6d-x7k2p", ip: "10.1.1.10", labels: ["app": "web", "pod-template-hash": "7d4b9c8f6d"],
            owner: ("ReplicaSet", "web-7d4b9c8f6d"), hubbleWorkload: ("web", "Deployment"),
            calicoAggr: "web-7d4b9c8f6d-*", expected: "shop/web[Deployment]"),
        Pod(name: "db-0", ip: "10.1.1.11",
            labels: ["app": "db", "controller-revision-hash": "db-5c9d", "statefulset.kubernetes.io/pod-name": "db-0"],
            owner: ("StatefulSet", "db"), hubbleWorkload: ("db", "StatefulSet"), calicoAggr: "db-*",
            expected: "shop/db[StatefulSet]"),
        Pod(name: "fluentd-x7k2p", ip: "10.1.1.12",
            labels: ["app": "fluentd", "controller-revision-hash": "6b9c", "pod-template-generation": "1"],
            owner: ("DaemonSet", "fluentd"), hubbleWorkload: ("fluentd", "DaemonSet"), calicoAggr: "fluentd-*",
            expected: "shop/fluentd[DaemonSet]"),
        Pod(name: "backup-28000000-q2w4z", ip: "10.1.1.13",
            labels: ["app": "backup", "job-name": "backup-28000000", "batch.kubernetes.io/job-name": "backup-28000000"],
            owner: ("Job", "backup-28000000"), hubbleWorkload: ("backup", "CronJob"), calicoAggr: "backup-28000000-*",
            expected: "shop/backup[CronJob]"),
        Pod(name: "debug", ip: "10.1.1.14", labels: ["app": "debug"], owner: nil, hubbleWorkload: nil,
            calicoAggr: "debug", expected: "shop/debug[Pod]"),
    ]
    static let api = (name: "api-5f6d7c8b9d-q2w4z", ip: "10.1.2.20")
    static let time = 1_714_557_610

    static func json(_ o: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self)
    }

    static func hubble(workloads: Bool) -> String {
        pods.map { p in
            var src: [String: Any] = [
                "identity": 1000, "namespace": "shop", "pod_name": p.name,
                "labels": p.labels.keys.sorted().map { "k8s:\($0)=\(p.labels[$0]!)" } + ["k8s:io.kubernetes.pod.namespace=shop"],
            ]
            if workloads, let w = p.hubbleWorkload { src["workloads"] = [["name": w.name, "kind": w.kind]] }
            let flow: [String: Any] = [
                "time": "2024-05-01T10:00:10Z", "verdict": "FORWARDED", "IP": ["source": p.ip, "destination": api.ip],
                "l4": ["TCP": ["source_port": 40000, "destination_port": 8080, "flags": ["SYN": true]]],
                "source": src,
                "destination": ["identity": 1001, "namespace": "shop", "pod_name": api.name,
                                "labels": ["k8s:app=api", "k8s:io.kubernetes.pod.namespace=shop"]],
                "Type": "L3_L4", "traffic_direction": "EGRESS", "is_reply": false,
            ]
            return json(["flow": flow, "node_name": "node", "time": "2024-05-01T10:00:10Z"])
        }.joined(separator: "\n") + "\n"
    }

    static func calico() -> String {
        pods.map { p in
            json([
                "start_time": time, "end_time": time + 60, "source_name": "-", "source_name_aggr": p.calicoAggr,
                "source_namespace": "shop", "source_type": "wep",
                "source_labels": ["labels": p.labels.keys.sorted().map { "\($0)=\(p.labels[$0]!)" }],
                "dest_name": "-", "dest_name_aggr": "api-5f6d7c8b9d-*", "dest_namespace": "shop", "dest_type": "wep",
                "dest_labels": ["labels": ["app=api", "pod-template-hash=5f6d7c8b9d"]], "dest_port": 8080,
                "proto": "tcp", "action": "allow", "reporter": "src", "num_flows": 1,
            ])
        }.joined(separator: "\n") + "\n"
    }

    /// Generic records by pod name only, or (`owners`) with the controller owner as `src_workload`/`_kind`.
    static func csv(owners: Bool) -> String {
        "time,src_namespace,src_pod,src_workload,src_workload_kind,src_labels,dst_namespace,dst_pod,proto,dst_port,src_port\n"
            + pods.map { p in
                let o = owners ? p.owner : nil
                return "\(time),shop,\(p.name),\(o?.name ?? ""),\(o?.kind ?? ""),"
                    + p.labels.keys.sorted().map { "\($0)=\(p.labels[$0]!)" }.joined(separator: ";")
                    + ",shop,\(api.name),tcp,8080,40000"
            }.joined(separator: "\n") + "\n"
    }

    static func jsonl(owners: Bool) -> String {
        pods.map { p in
            var r: [String: Any] = ["time": time, "src_namespace": "shop", "src_pod": p.name, "src_labels": p.labels,
                                    "dst_namespace": "shop", "dst_pod": api.name, "proto": "tcp", "dst_port": 8080,
                                    "src_port": 40000]
            if owners, let o = p.owner { r["src_workload"] = o.name; r["src_workload_kind"] = o.kind }
            return json(r)
        }.joined(separator: "\n") + "\n"
    }

    static func vpc() -> String {
        pods.map { "2 123456789012 eni-0aaaaaaaaaaaaaaaa \($0.ip) \(api.ip) 40000 8080 6 1 60 \(time) \(time + 60) ACCEPT OK" }
            .joined(separator: "\n") + "\n"
    }

    static func inventory() -> String {
        func pod(_ name: String, _ ip: String, _ labels: Labels, _ owner: (kind: String, name: String)?) -> [String: Any] {
            var meta: [String: Any] = ["name": name, "namespace": "shop", "labels": labels]
            if let o = owner { meta["ownerReferences"] = [["kind": o.kind, "name": o.name, "controller": true]] }
            return ["apiVersion": "v1", "kind": "Pod", "metadata": meta,
                    "spec": ["nodeName": "node-a", "containers": [["name": "c", "ports": [["containerPort": 8080]]]]],
                    "status": ["phase": "Running", "podIP": ip, "podIPs": [["ip": ip]],
                               "startTime": "2024-04-30T00:00:00Z"]]
        }
        let items = pods.map { pod($0.name, $0.ip, $0.labels, $0.owner) }
            + [pod(api.name, api.ip, ["app": "api", "pod-template-hash": "5f6d7c8b9d"], ("ReplicaSet", "api-5f6d7c8b9d"))]
        return json(["apiVersion": "v1", "kind": "List", "items": items])
    }

    @Test("Hubble (with and without workloads), Calico, generic CSV and JSONL (pod name or owner), VPC + inventory")
    func sameWorkloadEverywhere() throws {
        let sources: [(String, [(String, String)], InputFormat)] = [
            ("hubble", [("h.jsonl", Self.hubble(workloads: true))], .hubble),
            ("hubble without workloads", [("h.jsonl", Self.hubble(workloads: false))], .hubble),
            ("calico", [("c.log", Self.calico())], .calico),
            ("csv by pod name", [("f.csv", Self.csv(owners: false))], .flowmapCSV),
            ("csv with owners", [("f.csv", Self.csv(owners: true))], .flowmapCSV),
            ("jsonl by pod name", [("f.jsonl", Self.jsonl(owners: false))], .flowmapJSONL),
            ("jsonl with owners", [("f.jsonl", Self.jsonl(owners: true))], .flowmapJSONL),
            ("vpc + inventory", [("inventory.json", Self.inventory()), ("v.log", Self.vpc())], .auto),
        ]
        let expected = Self.pods.map { "\($0.expected) -> shop/api[Deployment] TCP/8080" }.sorted()
        for (name, files, format) in sources {
            let dir = Support.tempDir()
            let paths = files.map { Support.file($0.0, $0.1, in: dir) }
            let db = Support.newDB()
            let (r, issues) = try Support.ingest(paths, db: db, format: format)
            #expect(issues.isEmpty, "\(name): \(issues)")
            #expect(r.failures.isEmpty, "\(name): \(r.failures)")
            let edges = try FlowStore(path: db).edges().map {
                "\($0.key.source) -> \($0.key.destination) \($0.key.proto.rawValue)/\($0.key.port)"
            }.sorted()
            #expect(edges == expected, "\(name)")
        }
    }

    @Test("the label fallback order: app, then app.kubernetes.io/name, then k8s-app")
    func labelOrder() {
        #expect(WorkloadIdentity.appLabelKeys == ["app", "app.kubernetes.io/name", "k8s-app"])
        let all: Labels = ["k8s-app": "c", "app.kubernetes.io/name": "b", "app": "a"]
        #expect(WorkloadIdentity.resolve(labels: all) == .byLabels(name: "a"))
        #expect(WorkloadIdentity.resolve(labels: ["k8s-app": "c", "app.kubernetes.io/name": "b"]) == .byLabels(name: "b"))
        #expect(WorkloadIdentity.resolve(labels: ["k8s-app": "c"]) == .byLabels(name: "c"))
        #expect(WorkloadIdentity.resolve(labels: ["tier": "x"]) == .byLabels(name: nil))
        #expect(WorkloadIdentity.resolve(labels: [:]) == .unknown)
    }

    @Test("labels only (no pod name): Hubble's label identity and the generic record take the same name")
    func labelOnlyName() throws {
        let labels = ["k8s:k8s-app=dns", "k8s:app.kubernetes.io/name=coredns", "k8s:io.kubernetes.pod.namespace=kube-system"]
        let flow: [String: Any] = [
            "time": "2024-05-01T10:00:10Z", "verdict": "FORWARDED", "IP": ["source": "10.1.1.30", "destination": "10.1.2.20"],
            "l4": ["TCP": ["source_port": 40000, "destination_port": 8080, "flags": ["SYN": true]]],
            "source": ["identity": 1002, "labels": labels],
            "destination": ["identity": 1001, "namespace": "shop", "pod_name": Self.api.name, "labels": ["k8s:app=api"]],
            "Type": "L3_L4", "is_reply": false,
        ]
        let hdb = Support.newDB()
        try Support.ingest([Support.file("h.jsonl", Self.json(["flow": flow]) + "\n")], db: hdb, format: .hubble)
        let gdb = Support.newDB()
        try Support.ingest([Support.file("f.jsonl", Self.json([
            "time": Self.time, "src_namespace": "kube-system", "src_labels": ["k8s-app": "dns", "app.kubernetes.io/name": "coredns"],
            "dst_namespace": "shop", "dst_pod": Self.api.name, "proto": "tcp", "dst_port": 8080, "src_port": 40000,
        ]) + "\n")], db: gdb, format: .flowmapJSONL)
        let h = try #require(try FlowStore(path: hdb).edges().first?.key.source)
        let g = try #require(try FlowStore(path: gdb).edges().first?.key.source)
        #expect(h.name == "coredns" && g.name == "coredns")  // was k8s-app's `dns` in the Hubble reader
        #expect(h.workloadKind == Endpoint.labelIdentityKind && g.workloadKind == "Deployment")
    }
}
