import Emit
import Foundation
import FlowModel
import Inference
import Policy
import Testing
@testable import FlowMapKit
import FlowMapView
import FlowIngest
import FlowStore
import Inference
import Policy

@Suite("generate: self-check against its own evidence")
struct GenerateSelfCheckTests {
    /// shop/api has no labels at all: no rule can select it, so the default-deny breaks api -> db.
    static let unlabelled = [
        "2024-05-01T10:00:00Z,shop,web,app=web,shop,api,,,tcp,8080,40000,allowed,egress,5",
        "2024-05-01T10:00:00Z,shop,web,app=web,shop,db,app=db,,tcp,5432,40001,allowed,egress,5",
    ]

    @Test("output that would break an observed connection is not written; each break is named; --allow-breaks writes it")
    func breaksNotWritten() throws {
        let (db, dir) = try CSVCapture.store(Self.unlabelled)
        let out = dir.appendingPathComponent("out").path
        let r = try Generate.run(Generate.Options(db: db, out: out))
        #expect(r.selfCheck.failed)
        #expect(!r.written)
        #expect(r.files.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out), "a failed self-check wrote files")
        #expect(r.selfCheck.findings.contains("  shop/web[Deployment] => shop/api[Deployment] : TCP 8080  (5 flows, last seen 2024-05-01T10:00:00Z)"),
                "\(r.selfCheck.findings)")
        var o = Generate.Options(db: db, out: out)
        o.allowBreaks = true
        let accepted = try Generate.run(o)
        #expect(accepted.written && accepted.selfCheck.failed)
        #expect(!accepted.files.isEmpty)
        // `flowmap check` of the written files finds exactly what the self-check listed.
        let c = try Check.run(Check.Options(policies: [out], db: db))
        #expect(c.report.denied == accepted.selfCheck.report.denied)
        #expect(c.report.deniedConnections == 1)
    }

    @Test("an observed-denied connection the set would allow fails the self-check (hand-made plan)")
    func deniedNowAllowed() throws {
        let web = Endpoint.workload("shop", "web", kind: "Deployment")
        let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")
        let port = PortPlan(proto: .tcp, port: 53, flows: 0, firstSeen: 0, lastSeen: 0)
        let plan = PolicyPlan(namespaces: [
            NamespacePlan(name: "shop", workloads: [
                WorkloadPlan(endpoint: web, selector: ["app": "web"],
                             egress: [RulePlan(peer: .workload(dns, selector: ["k8s-app": "kube-dns"]), ports: [port])]),
            ]),
        ], denied: [], warnings: [], firstSeen: nil, lastSeen: nil)
        let denied = ObservedEdge(key: EdgeKey(source: web, destination: dns, proto: .tcp, port: 53, outcome: .denied),
                                  stats: EdgeStats(flows: 3, firstSeen: 1, lastSeen: 2))
        let store = ClusterInventory.StoreData(labelSets: [web: [["app": "web"]], dns: [["k8s-app": "kube-dns"]]],
                                               endpoints: [web, dns])
        let c = SelfCheck.run(plan: plan, edges: [denied], store: store)
        #expect(c.failed)
        #expect(c.report.observedDeniedNowAllowed == 1)
        #expect(c.findings.first == "would allow 1 observed-denied connection(s):")
        #expect(c.findings.contains { $0.hasPrefix("  shop/web[Deployment] => kube-system/coredns[Deployment] : TCP 53") })
        // And without the rule nothing fails: the check is not always red.
        var narrow = plan
        narrow.namespaces[0].workloads[0].egress = []
        #expect(!SelfCheck.run(plan: narrow, edges: [denied], store: store).failed)
    }

    @Test("whatever inference makes of a denied TCP 53 beside allowed UDP 53, what generate writes passes check")
    func deniedDNSSibling() throws {
        let (db, dir) = try CSVCapture.store([
            "2024-05-01T10:00:00Z,shop,web,app=web,kube-system,coredns,k8s-app=kube-dns,,udp,53,40000,allowed,egress,9",
            "2024-05-01T10:00:01Z,shop,web,app=web,kube-system,coredns,k8s-app=kube-dns,,tcp,53,40001,denied,egress,2",
        ])
        let out = dir.appendingPathComponent("out").path
        let r = try Generate.run(Generate.Options(db: db, out: out))
        if r.written {
            let c = try Check.run(Check.Options(policies: [out], db: db))
            #expect(c.report.observedDeniedNowAllowed == 0, "generate wrote policies that allow an observed denial")
            #expect(c.report.deniedConnections == 0)
        } else {
            #expect(r.selfCheck.report.nowAllowed.map { "\($0.proto) \($0.port)" } == ["TCP 53"])
        }
    }

    @Test("the clean capture passes, and check of the written files agrees")
    func cleanPasses() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        let out = dir.appendingPathComponent("out").path
        let r = try Generate.run(Generate.Options(db: db, out: out))
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        #expect(r.written && r.selfCheck.edges == 4)
        let c = try Check.run(Check.Options(policies: [out], db: db))
        #expect(!c.report.breaks && c.report.observedDeniedNowAllowed == 0)
    }
}

@Suite("generate: errors instead of output that blocks everything")
struct GenerateErrorTests {
    @Test("an evidence window with no edges (--since in the future) is an error naming the store's span; nothing written")
    func emptyWindow() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        let out = dir.appendingPathComponent("out").path
        var o = Generate.Options(db: db, out: out)
        o.window.since = Timestamp.parseRFC3339("2030-01-01T00:00:00Z")
        let e = try #require(CSVCapture.failure(o))
        #expect(e.contains("no edges in the evidence window 2030-01-01T00:00:00Z .. now"), "\(e)")
        #expect(e.contains("2024-05-01T10:00:00Z .. 2024-05-01T18:00:00Z"), "\(e)")
        #expect(!FileManager.default.fileExists(atPath: out))
        o.window.since = nil
        o.window.until = Timestamp.parseRFC3339("2020-01-01T00:00:00Z")
        #expect(CSVCapture.failure(o)?.contains("no edges in the evidence window") == true)
        o.window.until = nil
        #expect(CSVCapture.failure(o) == nil)
    }

    @Test("--namespace / --exclude-namespace naming an unknown namespace is an error with the close names")
    func unknownNamespace() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        var o = Generate.Options(db: db, out: dir.appendingPathComponent("out").path)
        o.inference.namespaces = ["shpo"]
        let e = try #require(CSVCapture.failure(o))
        #expect(e.contains("--namespace shpo: no such namespace in the store (did you mean shop?)"), "\(e)")
        #expect(e.contains("known: data, kube-system, shop"), "\(e)")
        o.inference.namespaces = ["shop"]
        o.inference.excludeNamespaces = ["kube-sytem"]
        #expect(CSVCapture.failure(o)?.contains("--exclude-namespace kube-sytem: no such namespace in the store (did you mean kube-system?)") == true)
        o.inference.excludeNamespaces = ["kube-system"]
        #expect(CSVCapture.failure(o) == nil)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/kube-system.yaml").path))
    }
}

@Suite("generate: files it may and may not write")
struct GenerateFileSafetyTests {
    @Test("a hand-written file with a generated file's name is never replaced; nothing is written",
          arguments: ["shop.yaml", "kustomization.yaml", "evidence/evidence.md", "evidence/evidence.json"])
    func handWritten(_ name: String) throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let mine = "# my own policy\nkind: NetworkPolicy\n"
        try FileManager.default.createDirectory(at: out.appendingPathComponent(name).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        TestSupport.write(mine, to: out.appendingPathComponent(name))
        let e = try #require(CSVCapture.failure(Generate.Options(db: db, out: out.path)))
        #expect(e.contains("\(out.path)/\(name) exists and was not generated by FlowMap"), "\(e)")
        #expect(CSVCapture.files(out.path) == [name: mine], "something was written")
    }

    @Test("files an earlier run generated are replaced, evidence report included")
    func regenerate() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        let out = dir.appendingPathComponent("out").path
        let first = try Generate.run(Generate.Options(db: db, out: out))
        #expect(first.files.contains("evidence/evidence.json") && first.files.contains("evidence/evidence.md"))
        let again = try Generate.run(Generate.Options(db: db, out: out))
        #expect(again.files == first.files)
    }

    @Test("per-workload layout with a symlinked namespace directory is refused; the link's target stays untouched")
    func symlinkedDirectory() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        let out = dir.appendingPathComponent("out"), elsewhere = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: out.appendingPathComponent("shop"), withDestinationURL: elsewhere)
        var o = Generate.Options(db: db, out: out.path)
        o.emit.layout = .perWorkload
        let e = try #require(CSVCapture.failure(o))
        #expect(e.contains("\(out.path)/shop is a symbolic link"), "\(e)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["shop"])
    }

    @Test("a symlinked target file is refused even when what it points to looks generated")
    func symlinkedFile() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        let out = dir.appendingPathComponent("out"), outside = dir.appendingPathComponent("outside.yaml")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let text = PolicyEmitter.generatedMarker + "somewhere else\n"
        TestSupport.write(text, to: outside)
        try FileManager.default.createSymbolicLink(at: out.appendingPathComponent("shop.yaml"), withDestinationURL: outside)
        let e = try #require(CSVCapture.failure(Generate.Options(db: db, out: out.path)))
        #expect(e.contains("shop.yaml is a symbolic link"), "\(e)")
        #expect(try String(contentsOf: outside, encoding: .utf8) == text)
    }

    @Test("a write that cannot happen is an error naming the path, not a silent partial output")
    func unwritable() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        let file = dir.appendingPathComponent("plain-file")
        TestSupport.write("x\n", to: file)
        let e = try #require(CSVCapture.failure(Generate.Options(db: db, out: file.path + "/out")))
        #expect(e.contains(file.path), "\(e)")
        // A namespace directory of the per-workload layout that is a file is refused before anything is written.
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        TestSupport.write("x\n", to: out.appendingPathComponent("shop"))
        var o = Generate.Options(db: db, out: out.path)
        o.emit.layout = .perWorkload
        #expect(CSVCapture.failure(o)?.contains("\(out.path)/shop is not a directory") == true)
        #expect(CSVCapture.files(out.path).keys.sorted() == ["shop"])
    }

    @Test("a leftover temp name that is a symlink is replaced, never written through")
    func symlinkedTemp() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean())
        let out = dir.appendingPathComponent("out"), outside = dir.appendingPathComponent("outside.txt")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        TestSupport.write("keep\n", to: outside)
        try FileManager.default.createSymbolicLink(at: out.appendingPathComponent("shop.yaml.tmp-flowmap"),
                                                   withDestinationURL: outside)
        let r = try Generate.run(Generate.Options(db: db, out: out.path))
        #expect(r.files.contains("shop.yaml"))
        #expect(try String(contentsOf: outside, encoding: .utf8) == "keep\n")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("shop.yaml.tmp-flowmap").path))
        #expect(try String(contentsOfFile: out.appendingPathComponent("shop.yaml").path, encoding: .utf8)
            .hasPrefix(PolicyEmitter.generatedMarker))
    }
}

@Suite("generate: stable output")
struct GenerateStabilityTests {
    @Test("day 2 of the same connections (more flows, later times) changes no YAML line; the evidence report does",
          arguments: EmitOptions.Flavor.allCases)
    func secondDay(_ flavor: EmitOptions.Flavor) throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.clean(day: 1, n: 20))
        var o = Generate.Options(db: db, out: dir.appendingPathComponent("day1").path)
        o.emit.flavor = flavor
        _ = try Generate.run(o)
        try CSVCapture.ingest(CSVCapture.clean(day: 2, n: 10), into: db, dir: dir, name: "day2.csv")
        o.out = dir.appendingPathComponent("day2").path
        _ = try Generate.run(o)
        let a = CSVCapture.files(dir.appendingPathComponent("day1").path)
        let b = CSVCapture.files(dir.appendingPathComponent("day2").path)
        #expect(Set(a.keys) == Set(b.keys))
        var changed = 0
        for name in a.keys.sorted() where name.hasSuffix(".yaml") {
            let x = a[name]!.split(separator: "\n", omittingEmptySubsequences: false)
            let y = (b[name] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            changed += zip(x, y).filter { $0 != $1 }.count + abs(x.count - y.count)
        }
        #expect(changed == 0, "\(changed) YAML line(s) changed:\n\(a["shop.yaml"] ?? "")\n---\n\(b["shop.yaml"] ?? "")")
        #expect(a["shop.yaml"]?.contains("10-99 flows, first seen 2024-05-01") == true)
        // The exact evidence moved to the report, which does change.
        let j1 = try #require(a["evidence/evidence.json"]), j2 = try #require(b["evidence/evidence.json"])
        #expect(j1.contains("\"flows\" : 40") && j2.contains("\"flows\" : 60"))
        #expect(j2.contains("2024-05-02T18:00:00Z"))
    }
}
