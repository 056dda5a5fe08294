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

@Suite("Calico flow logs")
struct CalicoTests {
    static func record(reporter: String, action: String = "allow", flows: Int = 5, srcAggr: String = "web-7d4b9c8f6d-*",
                       srcLabels: [String] = ["app=web", "pod-template-hash=7d4b9c8f6d"], service: String = "-",
                       destType: String = "wep", destIP: String? = nil, start: Int = 1_700_000_000) -> String {
        let dip = destIP.map { "\"\($0)\"" } ?? "null"
        let labels = srcLabels.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            {"start_time":\(start),"end_time":\(start + 300),"source_ip":null,"source_name":"-","source_name_aggr":"\(srcAggr)","source_namespace":"shop","source_port":null,"source_type":"wep","source_labels":{"labels":[\(labels)]},"dest_ip":\(dip),"dest_name":"-","dest_name_aggr":"\(destType == "wep" ? "api-5f6d7c8b9d-*" : "pub")","dest_namespace":"\(destType == "wep" ? "shop" : "-")","dest_port":8080,"dest_type":"\(destType)","dest_labels":{"labels":["app=api","pod-template-hash=5f6d7c8b9d"]},"dest_service_name":"\(service)","dest_service_namespace":"shop","dest_service_port":"http","proto":"tcp","action":"\(action)","reporter":"\(reporter)","policies":{"all_policies":["0|default|shop/knp.default.deny-all|deny|-1"]},"num_flows":\(flows)}
            """
    }

    @Test("workload names: the ReplicaSet hash is stripped, DaemonSet / StatefulSet / Job / CronJob from labels")
    func workloadNames() {
        #expect(CalicoReader.workload(nameAggr: "nginx-86c57db685-*", podName: "-", labels: ["pod-template-hash": "86c57db685"]) == ("nginx", "Deployment"))
        #expect(CalicoReader.workload(nameAggr: "coredns-576cbf47c7-*", podName: "", labels: [:]) == ("coredns", "Deployment"))
        #expect(CalicoReader.workload(nameAggr: "compliance-benchmarker-*", podName: "",
                                      labels: ["controller-revision-hash": "767bb965", "pod-template-generation": "1"]) == ("compliance-benchmarker", "DaemonSet"))
        #expect(CalicoReader.workload(nameAggr: "db-*", podName: "", labels: ["controller-revision-hash": "db-5c9d"]) == ("db", "StatefulSet"))
        #expect(CalicoReader.workload(nameAggr: "backup-27981234-*", podName: "", labels: ["job-name": "backup-27981234"]) == ("backup", "CronJob"))
        #expect(CalicoReader.workload(nameAggr: "migrate-*", podName: "", labels: ["job-name": "migrate"]) == ("migrate", "Job"))
        // Not aggregated: the pod name, guessed like Hubble does.
        #expect(CalicoReader.workload(nameAggr: "", podName: "access-6b687c8dcb-zn5s2", labels: [:]) == ("access", "Deployment"))
        // The same workload as Hubble's guess from a pod name of that ReplicaSet.
        let g = WorkloadGuess.fromPodName("nginx-86c57db685-h6792")
        #expect(g.name == "nginx" && g.kind == "Deployment")
    }

    @Test("reporter src and dst of one connection count once; num_flows is the weight; first/last from the interval")
    func reporterDedupe() throws {
        let path = Support.file("flows.log", [Self.record(reporter: "src", flows: 7), Self.record(reporter: "dst", flows: 7)]
            .joined(separator: "\n") + "\n")
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([path], db: db, format: .calico)
        #expect(issues.isEmpty)
        #expect(r.total.accepted == 2)
        let edges = try FlowStore(path: db).edges()
        #expect(edges.count == 1)
        #expect(edges.first?.key.source == .workload("shop", "web", kind: "Deployment"))
        #expect(edges.first?.key.destination == .workload("shop", "api", kind: "Deployment"))
        #expect(edges.first?.key.port == 8080)
        #expect(edges.first?.stats.flows == 7)
        #expect(edges.first?.stats.firstSeen == Int64(1_700_000_000) * 1_000_000_000)
        #expect(edges.first?.stats.lastSeen == Int64(1_700_000_300) * 1_000_000_000)
        // Two intervals of the same reporter add up.
        let db2 = Support.newDB()
        let p2 = Support.file("two.log", [Self.record(reporter: "src", flows: 7), Self.record(reporter: "src", flows: 3, start: 1_700_000_300)]
            .joined(separator: "\n") + "\n")
        try Support.ingest([p2], db: db2, format: .calico)
        #expect(try FlowStore(path: db2).edges().first?.stats.flows == 10)
    }

    @Test("deny becomes a denied edge with the denying policy; labels feed label sets without volatile keys")
    func denyAndLabels() throws {
        let path = Support.file("flows.log", Self.record(reporter: "src", action: "deny") + "\n")
        let db = Support.newDB()
        try Support.ingest([path], db: db)
        let store = try FlowStore(path: db)
        let e = try #require(store.edges().first)
        #expect(e.key.outcome == .denied)
        #expect(e.stats.dropReasons == ["denied by shop/knp.default.deny-all"])
        let sets = try store.labelSets()
        #expect(sets[.workload("shop", "web", kind: "Deployment")] == [["app": "web"]])
    }

    @Test("dest_service_* is kept per destination")
    func serviceKept() throws {
        let path = Support.file("flows.log", Self.record(reporter: "src", service: "api") + "\n")
        let db = Support.newDB()
        try Support.ingest([path], db: db)
        #expect(try FlowStore(path: db).services()[.workload("shop", "api", kind: "Deployment")] == ["shop/api:http"])
    }

    @Test("a public destination with an address is an external peer; without one reserved:world")
    func externalPeers() throws {
        let db = Support.newDB()
        let path = Support.file("flows.log", [Self.record(reporter: "src", destType: "net", destIP: "93.184.216.34"),
                                              Self.record(reporter: "src", destType: "net")].joined(separator: "\n") + "\n")
        try Support.ingest([path], db: db)
        let dsts = try FlowStore(path: db).edges().map(\.key.destination)
        #expect(Set(dsts) == [.external("93.184.216.34"), .reserved("world")])
    }

    @Test("pretty-printed records span lines; a malformed one is reported at its first line; a bad field by name")
    func multiLine() throws {
        let pretty = try String(contentsOfFile: Support.sample("calico/flowmap-pretty-printed.json"), encoding: .utf8)
        let broken = Self.record(reporter: "src").replacingOccurrences(of: "\"proto\":\"tcp\",", with: "")
        let badAction = Self.record(reporter: "src", action: "maybe")
        let text = pretty + broken + "\n" + badAction + "\n{\n  \"start_time\": 1,\n"
        let path = Support.file("mixed.json", text)
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([path], db: db, format: .calico)
        let prettyLines = pretty.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(issues.map(\.line) == [prettyLines + 1, prettyLines + 2, prettyLines + 3])
        #expect(issues.map(\.field) == ["proto", "action", ""])
        #expect(issues.last?.message.contains("input ended inside a JSON object") == true)
        #expect(r.total.accepted == 2)
        #expect(r.total.lines == 5)  // each pretty-printed record counts once
    }
}

/// Calico's labels go through the one `k=v` parser (LabelText): blanks around an item are trimmed as the generic
/// reader always did (Calico kept them, and a key " app" then failed label syntax).
@Suite("Calico labels: trimmed like the other readers")
struct CalicoLabelTextTests {
    @Test("list and string forms trim blanks")
    func trims() {
        #expect(CalicoReader.labels(["labels": [" app=api", "tier=db "]]) == ["app": "api", "tier": "db"])
        #expect(CalicoReader.labels("app=api, tier=db") == ["app": "api", "tier": "db"])
        #expect(CalicoReader.labels("-") == [:])
    }
}
