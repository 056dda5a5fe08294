import Foundation
import Testing
@testable import FlowIngest
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

@Suite("Kubernetes inventory")
struct InventoryTests {
    static let cluster = Support.sample("inventory/vpc-sample-cluster.json")

    static func seconds(_ s: Int64) -> Int64 { s * 1_000_000_000 }

    @Test("pods, owners, IP windows, named ports, host network, Services and nodes are read")
    func reads() throws {
        let r = try InventoryReader.read(Data(contentsOf: URL(fileURLWithPath: Self.cluster)))
        #expect(r.issues.isEmpty)
        let inv = r.inventory
        #expect(inv.namespaces["ops"]?["team"] == "ops")
        let byName = Dictionary(uniqueKeysWithValues: inv.pods.map { ($0.name, $0) })
        #expect(byName["bastion-6d9f7b8c4d-k2x7p"]?.workload == .workload("ops", "bastion", kind: "Deployment"))
        #expect(byName["sshd-0"]?.workload == .workload("ops", "sshd", kind: "StatefulSet"))
        #expect(byName["node-exporter-x7k2p"]?.workload == .workload("ops", "node-exporter", kind: "DaemonSet"))
        #expect(byName["node-exporter-x7k2p"]?.hostNetwork == true)
        #expect(byName["uploader-27981234-b9x2k"]?.workload == .workload("ingest", "uploader", kind: "CronJob"))
        // A finished pod's window ends when its container finished; a deleted one at its deletion.
        #expect(byName["uploader-27981234-b9x2k"]?.until == Timestamp.parseRFC3339("2021-03-26T03:40:00Z"))
        #expect(byName["bastion-6d9f7b8c4d-k2x7p"]?.until == Timestamp.parseRFC3339("2015-01-15T00:00:00Z"))
        #expect(byName["pinger-7c8d9f6b5d-m4n7q"]?.until == nil)
        #expect(byName["desktop-5b7c9d8f6b-r2t4v"]?.ports == [ContainerPort(name: "rdp", proto: .tcp, port: 3389)])
        #expect(byName["sshd-1"]?.ips.count == 2)
        let desktop = try #require(inv.services.first { $0.name == "desktop" })
        #expect(desktop.clusterIPs == ["172.31.9.12"])
        #expect(desktop.ports == [ServicePort(name: "rdp", proto: .tcp, port: 3389, targetPort: 0, targetPortName: "rdp")])
        #expect(desktop.backendIPs == ["172.31.9.100"])
        #expect(inv.nodes["ip-172-31-0-10"] == ["172.31.0.10"])
    }

    @Test("IP reuse: one IP, two pods, two windows; each flow maps to the pod that held the IP then")
    func ipReuse() throws {
        let inv = try InventoryReader.read(Data(contentsOf: URL(fileURLWithPath: Self.cluster))).inventory
        let book = AddressBook(inv)
        let ip = "172.31.16.139"
        #expect(book.pod(ip: ip, at: Self.seconds(1_418_530_010))?.workload.name == "bastion")  // 2014-12-14
        #expect(book.pod(ip: ip, at: Self.seconds(1_432_917_027))?.workload.name == "pinger")  // 2015-05-29
        #expect(book.pod(ip: ip, at: Self.seconds(1_425_000_000)) == nil)  // 2015-02-27: nobody held it
        // Through the VPC reader and the store: the SSH flow is bastion's, the ICMP flows are pinger's.
        let db = Support.newDB()
        let v2 = """
            2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
            2 123456789010 eni-1 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK
            2 123456789010 eni-1 172.31.16.139 172.31.16.21 20642 22 6 20 4249 1425000000 1425000060 ACCEPT OK

            """
        let (_, issues) = try Support.ingest([Support.file("v2.log", v2), Self.cluster], db: db)
        #expect(issues.isEmpty)
        #expect(try Support.edgeLines(db) == [
            "172.31.16.139 -> ops/sshd[StatefulSet] TCP/22 allowed 1",
            "203.0.113.12 -> ops/pinger[Deployment] ICMPv4/0 allowed 1",
            "ops/bastion[Deployment] -> ops/sshd[StatefulSet] TCP/22 allowed 1",
        ])
    }

    @Test("a flow to a Service ClusterIP maps to its backends on the (named) target port")
    func serviceBackends() throws {
        let inv = try InventoryReader.read(Data(contentsOf: URL(fileURLWithPath: Self.cluster))).inventory
        let book = AddressBook(inv)
        let t = try #require(book.service(ip: "172.31.9.12", port: 3389, proto: .tcp, at: Self.seconds(1_418_530_010)))
        #expect(t.backends.map(\.peer.endpoint) == [.workload("ops", "desktop", kind: "Deployment")])
        #expect(t.backends.map(\.port) == [3389])
        #expect(book.service(ip: "172.31.9.12", port: 22, proto: .tcp, at: 0) == nil)
        // A selector Service with a numeric target port, and two backend workloads behind one selector.
        var inv2 = Inventory()
        inv2.pods = [
            InventoryPod(namespace: "a", name: "x-0", workload: .workload("a", "x", kind: "StatefulSet"),
                         labels: ["role": "db"], ips: ["10.0.0.1"]),
            InventoryPod(namespace: "a", name: "y-0", workload: .workload("a", "y", kind: "StatefulSet"),
                         labels: ["role": "db"], ips: ["10.0.0.2"]),
            InventoryPod(namespace: "b", name: "z-0", workload: .workload("b", "z", kind: "StatefulSet"),
                         labels: ["role": "db"], ips: ["10.0.0.3"]),
        ]
        inv2.services = [InventoryService(namespace: "a", name: "db", clusterIPs: ["10.96.0.5"], selector: ["role": "db"],
                                          ports: [ServicePort(proto: .tcp, port: 80, targetPort: 5432)])]
        let t2 = try #require(AddressBook(inv2).service(ip: "10.96.0.5", port: 80, proto: .tcp, at: 1))
        #expect(t2.backends.map(\.peer.endpoint.name) == ["x", "y"])
        #expect(t2.backends.map(\.port) == [5432, 5432])
    }

    @Test("node addresses: a host-network pod declaring the port, else host (same node) or remote-node")
    func nodeAddresses() throws {
        let inv = try InventoryReader.read(Data(contentsOf: URL(fileURLWithPath: Self.cluster))).inventory
        let book = AddressBook(inv)
        let t = Self.seconds(1_500_000_000)
        #expect(book.resolve(ip: "172.31.0.10", at: t, port: 9100, proto: .tcp, isDestination: true)?.endpoint
                == .workload("ops", "node-exporter", kind: "DaemonSet"))
        #expect(book.resolve(ip: "172.31.0.10", at: t, isDestination: false, otherNode: "ip-172-31-0-10")?.endpoint
                == .reserved("host"))
        #expect(book.resolve(ip: "172.31.0.10", at: t, isDestination: false, otherNode: "elsewhere")?.endpoint
                == .reserved("remote-node"))
        #expect(book.resolve(ip: "8.8.8.8", at: t, isDestination: true) == nil)
    }

    @Test("the inventory is stored: round trip, every pod's stable labels per workload, re-ingest is a no-op")
    func stored() throws {
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([Self.cluster], db: db, format: .inventory)
        #expect(issues.isEmpty)
        #expect(r.files.first?.format == .inventory)
        let store = try FlowStore(path: db)
        let parsed = try InventoryReader.read(Data(contentsOf: URL(fileURLWithPath: Self.cluster))).inventory
        let back = try store.inventory()
        #expect(back.pods.count == parsed.pods.count)
        for p in parsed.pods {
            let q = try #require(back.pods.first { $0.key == p.key })
            #expect(q == p, "\(p.name)")
        }
        #expect(Set(back.services.map { "\($0.namespace)/\($0.name)" }) == ["ops/desktop", "perf/iperf"])
        #expect(back.services.first { $0.name == "desktop" } == parsed.services.first { $0.name == "desktop" })
        let sets = try store.labelSets()
        #expect(sets[.workload("ops", "sshd", kind: "StatefulSet")] == [["app": "sshd"]])
        #expect(sets[.workload("ops", "pinger", kind: "Deployment")] == [["app": "pinger"]])
        let (again, _) = try Support.ingest([Self.cluster], db: db)
        #expect(again.files.first?.duplicateOf == Self.cluster)
    }

    @Test("broken items are reported by JSON path and the rest kept; a non-Kubernetes document fails")
    func brokenItems() throws {
        let text = """
            {"apiVersion":"v1","kind":"List","items":[
              {"kind":"Pod","metadata":{"namespace":"a"}},
              {"kind":"Pod","metadata":{"name":"ok-0","namespace":"a","creationTimestamp":"2024-01-01T00:00:00Z"},"status":{"podIP":"10.0.0.9"}},
              {"kind":"Service","metadata":{"name":"s","namespace":"a"},"spec":{"ports":[{"port":"eighty"}]}},
              {"kind":"ConfigMap","metadata":{"name":"c","namespace":"a"}}
            ]}
            """
        let db = Support.newDB()
        let path = Support.file("inv.json", text)
        let (r, issues) = try Support.ingest([path], db: db)
        #expect(issues.map(\.field) == ["items[0].metadata.name", "items[2].spec.ports[0].port"])
        #expect(r.total.accepted == 1)
        #expect(r.total.skipped == 1)
        #expect(r.total.rejected == 2)
        #expect(try FlowStore(path: db).inventory().pods.map(\.name) == ["ok-0"])
        let (r2, _) = try Support.ingest([Support.file("x.json", "{\"apiVersion\": 1,\n \"kind\": [")], db: db,
                                         format: .inventory)
        #expect(r2.failures.first?.contains("not a JSON document") == true)
    }
}
