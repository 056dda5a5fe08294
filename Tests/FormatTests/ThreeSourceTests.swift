import Foundation
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

@Suite("One cluster, three sources")
struct ThreeSourceTests {
    static func dir(_ f: String) -> String { Support.fixture("three-sources/" + f) }

    @Test("Hubble, Calico and VPC + inventory of the same connections generate byte-identical policies")
    func samePolicies() throws {
        let sources: [(String, [String])] = [
            ("hubble", [Self.dir("hubble.jsonl")]),
            ("calico", [Self.dir("calico.log")]),
            ("vpc", [Self.dir("vpc.log"), Self.dir("inventory.json")]),  // the inventory is read first anyway
        ]
        var outputs: [String: [String: String]] = [:]
        var edges: [String: [String]] = [:]
        for (name, paths) in sources {
            let db = Support.newDB()
            let (r, issues) = try Support.ingest(paths, db: db)
            #expect(issues.isEmpty, "\(name): \(issues)")
            #expect(r.failures.isEmpty, "\(name): \(r.failures)")
            #expect(Set(r.files.map(\.format.rawValue)).contains(name))
            edges[name] = try Support.edgeLines(db)
            outputs[name] = try Support.generate(db)
        }
        let expected = [
            "shop/api[Deployment] -> 93.184.216.34 TCP/443 allowed 1",
            "shop/api[Deployment] -> shop/db[StatefulSet] TCP/5432 allowed 2",
            "shop/web[Deployment] -> kube-system/coredns[Deployment] UDP/53 allowed 4",
            "shop/web[Deployment] -> shop/api[Deployment] TCP/8080 allowed 3",
            "shop/web[Deployment] -> shop/db[StatefulSet] TCP/5432 denied 1",
        ]
        for (name, e) in edges { #expect(e == expected, "\(name)") }
        let hubble = try #require(outputs["hubble"])
        #expect(Set(hubble.keys) == ["shop.yaml", "kustomization.yaml", "evidence/evidence.json", "evidence/evidence.md"])  // kube-system: a system namespace
        #expect(hubble["shop.yaml"]?.contains("app: api") == true)
        for name in ["calico", "vpc"] {
            let other = try #require(outputs[name])
            #expect(other.keys.sorted() == hubble.keys.sorted(), "\(name)")
            // The policies; the evidence report also names each source's own drop reasons.
            for (file, text) in hubble where file.hasSuffix(".yaml") {
                #expect(Array(other[file]?.utf8 ?? "".utf8) == Array(text.utf8), "\(name): \(file) differs from Hubble's")
            }
        }
    }

    @Test("without the inventory the VPC records stay addresses: no workload policy, and a note says why")
    func vpcWithoutInventory() throws {
        let db = Support.newDB()
        let (r, _) = try Support.ingest([Self.dir("vpc.log")], db: db)
        #expect(r.notes.count == 1)
        #expect(r.notes.first?.contains("no Kubernetes inventory") == true)
        #expect(try FlowStore(path: db).edges().allSatisfy { $0.key.source.kind == .external })
    }
}
