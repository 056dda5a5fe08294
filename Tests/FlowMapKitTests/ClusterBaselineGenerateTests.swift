import Emit
import Foundation
import FlowModel
import Inference
import Policy
import TestSupport
import Testing
@testable import FlowMapKit
import FlowIngest
import FlowMapView
import FlowStore

/// `generate --cluster-baseline`: one baseline-tier object instead of each namespace's egress default-deny and
/// allow-dns; the self-check and `check` of the files evaluate it (docs/admin-network-policy-semantics.md).
@Suite("generate --cluster-baseline")
struct ClusterBaselineGenerateTests {
    static let records = CSVCapture.deniedEgressOnly

    static func options(_ db: String, _ out: String, _ kind: ClusterBaseline.Kind) -> Generate.Options {
        var o = Generate.Options(db: db, out: out)
        o.clusterBaseline = kind
        return o
    }

    @Test("one baseline object replaces the egress default-deny and allow-dns; check of the files breaks nothing",
          arguments: ClusterBaseline.Kind.allCases)
    func writesAndChecks(kind: ClusterBaseline.Kind) throws {
        let (db, dir) = try CSVCapture.store(Self.records)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let r = try Generate.run(Self.options(db, out, kind))
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        let b = try #require(r.baseline)
        #expect(b.covered == ["shop"])
        // data (only ingress observed) keeps its default-deny and is left out, like the system namespaces.
        #expect(b.leftOut?.contains("data") == true && b.leftOut?.contains("kube-system") == true)
        #expect(b.leftOut?.contains("shop") == false)
        #expect(r.files.first == "cluster-baseline.yaml" && r.files.contains("data.yaml"))
        let files = CSVCapture.files(out)
        let shop = try #require(files["shop.yaml"])
        #expect(!shop.contains("name: allow-dns"))
        #expect(shop.contains("  policyTypes:\n    - Ingress\n---"), "shop's default-deny isolates ingress only")
        #expect(files["kustomization.yaml"]?.contains("- cluster-baseline.yaml") == true)
        #expect(files["cluster-baseline.yaml"]?.contains("    flowmap.io/network-policy-api: \(b.release)\n") == true)
        // `check` reads the object and evaluates it: nothing breaks, the denial stays denied.
        let c = try Check.run(Check.Options(policies: [out], db: db))
        #expect(c.manifests.adminPolicies.count == 1 && c.manifests.issues.isEmpty, "\(c.manifests.issues)")
        #expect(!c.report.breaks && c.report.observedDeniedNowAllowed == 0)
        #expect(c.report.allowedConnections == r.selfCheck.report.allowedConnections)
        // A later run without the flag removes the object (a generated file it no longer writes).
        let again = try Generate.run(Generate.Options(db: db, out: out))
        #expect(again.removed == ["cluster-baseline.yaml"] && again.baseline == nil)
        #expect(CSVCapture.files(out)["shop.yaml"]?.contains("name: allow-dns") == true)
    }

    @Test("the baseline set allows exactly what the per-namespace set allows between every known workload and range",
          arguments: ClusterBaseline.Kind.allCases)
    func sameConnectivityAsPerNamespace(kind: ClusterBaseline.Kind) throws {
        let (db, dir) = try CSVCapture.store(Self.records)
        defer { try? FileManager.default.removeItem(at: dir) }
        let perNamespace = dir.appendingPathComponent("per-namespace").path
        let baseline = dir.appendingPathComponent("baseline").path
        #expect(try Generate.run(Generate.Options(db: db, out: perNamespace)).written)
        #expect(try Generate.run(Self.options(db, baseline, kind)).written)
        let d = try Diff.run(Diff.Options(old: .manifests([perNamespace]), new: .manifests([baseline]), db: db))
        #expect(d.new.adminPolicies.count == 1 && d.old.adminPolicies.isEmpty)
        #expect(d.report.changes.isEmpty, "\(d.report.changes.map { "\($0.source) => \($0.destination): \($0.old) -> \($0.new)" })")
    }

    @Test("the self-check evaluates the baseline object: without it, the moved egress denial would be open")
    func selfCheckEvaluatesTheBaseline() throws {
        let (db, dir) = try CSVCapture.store(Self.records)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Generate.run(Self.options(db, "-", .cnp))
        #expect(r.written && !r.selfCheck.failed, "\(r.selfCheck.findings)")
        let store = try FlowStore(path: db)
        let ev = try Generate.evidence(from: store)
        let edges = SelfCheck.edges(ev.edges, InferenceOptions())
        let without = SelfCheck.run(plan: r.plan, baseline: nil, edges: edges, store: try PolicyInputs.data(store))
        #expect(without.report.observedDeniedNowAllowed == 1, "\(without.findings)")
        #expect(without.findings.contains { $0.hasPrefix("  shop/batch[Deployment] => 198.51.100.7 : TCP 443") },
                "\(without.findings)")
    }

    @Test("with --namespace the subject lists the covered namespaces")
    func scoped() throws {
        let (db, dir) = try CSVCapture.store(Self.records)
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = Self.options(db, "-", .cnp)
        o.inference.namespaces = ["shop"]
        let r = try Generate.run(o)
        #expect(r.baseline?.leftOut == nil && r.baseline?.covered == ["shop"])
        #expect(r.stream?.contains("operator: In\n          values:\n            - shop\n") == true, "\(r.stream ?? "")")
    }

    @Test("--cluster-baseline with --flavor cilium is refused before anything is read or written")
    func ciliumRefused() throws {
        let (db, dir) = try CSVCapture.store(Self.records)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        var o = Self.options(db, out, .cnp)
        o.emit.flavor = .cilium
        let message = try #require(CSVCapture.failure(o))
        #expect(message.contains("--cluster-baseline with --flavor cilium") && message.contains("use --flavor k8s"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
