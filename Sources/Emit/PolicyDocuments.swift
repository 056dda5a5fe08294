import Dispatch
import FlowModel
import Inference
import Policy

/// What differs between flavours: the two kinds of document. Layout, file names, the kustomization, the stream,
/// metadata and the evidence comments are shared (`PolicyDocumentWriter` extension, `EmitCommon`).
protocol PolicyDocumentWriter: Sendable {
    var options: EmitOptions { get }
    /// The namespace's default-deny policy, for the directions it isolates (`NamespacePlan.denyIngress/Egress`).
    func defaultDeny(_ ns: NamespacePlan, plan: PolicyPlan) -> String
    /// The namespace's DNS baseline policy (`allow-dns`, `NamespacePlan.dnsBaseline`).
    func dnsBaseline(_ ns: NamespacePlan, plan: PolicyPlan) -> String
    /// One workload's allow policy, named `name`.
    func allow(_ w: WorkloadPlan, name: String, plan: PolicyPlan) -> String
}

extension PolicyDocumentWriter {
    /// File name -> contents, plus `kustomization.yaml` listing the policy files, plus the evidence report
    /// (`evidence/evidence.json`, `evidence/evidence.md`, listed nowhere). The cluster baseline first
    /// (`cluster-baseline.yaml`), then sorted by namespace, then workload.
    func layoutFiles(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> [(name: String, text: String)] {
        let header = PolicyEmitter.generatedMarker + "\(options.version) from observed flows. Review before applying.\n"
        let stems = EmitCommon.namespaceStems(plan, layout: options.layout, baseline: baseline != nil)
        let indexed = Array(zip(plan.namespaces, stems))
        // Namespaces are independent: written on every core, then joined in plan order (output unchanged).
        let perNamespace = EmitCommon.concurrentMap(indexed) { ns, dir -> [(String, String)] in
            var out: [(String, String)] = []
            let names = EmitCommon.allowNames(ns)
            switch options.layout {
            case .perNamespace:
                var docs = namespaceDocuments(ns, plan: plan).map(\.text)
                for (w, name) in zip(ns.workloads, names) { docs.append(allow(w, name: name, plan: plan)) }
                out.append(("\(dir).yaml", header + docs.joined(separator: "---\n")))
            case .perWorkload:
                for d in namespaceDocuments(ns, plan: plan) { out.append(("\(dir)/\(d.name).yaml", header + d.text)) }
                for (w, name) in zip(ns.workloads, names) {
                    out.append(("\(dir)/\(name).yaml", header + allow(w, name: name, plan: plan)))
                }
            }
            return out
        }
        let cluster = baseline.map { [("\(ClusterBaseline.name).yaml", header + $0.yaml(plan: plan, version: options.version))] }
        let out = (cluster ?? []) + perNamespace.flatMap { $0 }
        var k = YAMLBuilder()
        k.comment(0, PolicyEmitter.generatedMarker.dropFirst(2) + "\(options.version): every policy file of this directory.")
        k.line(0, "apiVersion: kustomize.config.k8s.io/v1beta1")
        k.line(0, "kind: Kustomization")
        k.line(0, out.isEmpty ? "resources: []" : "resources:")
        for f in out { k.line(2, "- \(YAMLText.scalar(f.0))") }
        let report = EvidenceReport(plan: plan, version: options.version)
        return out + [("kustomization.yaml", k.text), (EvidenceReport.jsonFile, report.json),
                      (EvidenceReport.markdownFile, report.markdown)]
    }

    /// All policies as one multi-document stream, the cluster baseline first.
    func layoutStream(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> String {
        let docs = EmitCommon.concurrentMap(plan.namespaces) { ns -> [String] in
            var docs = namespaceDocuments(ns, plan: plan).map(\.text)
            for (w, name) in zip(ns.workloads, EmitCommon.allowNames(ns)) {
                docs.append(allow(w, name: name, plan: plan))
            }
            return docs
        }
        let cluster = baseline.map { [$0.yaml(plan: plan, version: options.version)] } ?? []
        return (cluster + docs.flatMap { $0 }).joined(separator: "---\n")
    }

    /// The namespace-wide policies, by name: the default-deny (when a direction was observed) and the DNS
    /// baseline (when it has one).
    func namespaceDocuments(_ ns: NamespacePlan, plan: PolicyPlan) -> [(name: String, text: String)] {
        var out: [(name: String, text: String)] = []
        if ns.hasDefaultDeny { out.append(("default-deny", defaultDeny(ns, plan: plan))) }
        if !ns.dnsBaseline.isEmpty { out.append((EmitCommon.dnsBaselineName, dnsBaseline(ns, plan: plan))) }
        return out
    }
}

/// Pieces every flavour writes the same way.
enum EmitCommon {
    static let managedBy = "flowmap"

    /// `items.map(transform)` on every core; results in input order. Each slot is written by one iteration only.
    static func concurrentMap<T: Sendable, R>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let slots = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
        slots.initialize(repeating: nil)
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        let box = SlotBox(slots)
        DispatchQueue.concurrentPerform(iterations: items.count) { i in box.slots[i] = transform(items[i]) }
        return slots.map { $0! }
    }

    private final class SlotBox<R>: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<R?>
        init(_ slots: UnsafeMutableBufferPointer<R?>) { self.slots = slots }
    }

    /// `apiVersion`, `kind` and `metadata` with the managed-by label and the evidence annotations.
    /// `namespace` nil: a cluster-scoped object. `annotations` are added to FlowMap's own, all sorted by key.
    static func header(_ y: inout YAMLBuilder, apiVersion: String, kind: String, name: String, namespace: String?,
                       plan: PolicyPlan, version: String, annotations: [String: String] = [:]) {
        y.line(0, "apiVersion: \(apiVersion)")
        y.line(0, "kind: \(kind)")
        y.line(0, "metadata:")
        y.pair(2, "name", name)
        if let namespace { y.pair(2, "namespace", namespace) }
        y.line(2, "labels:")
        y.pair(4, "app.kubernetes.io/managed-by", managedBy)
        y.line(2, "annotations:")
        var all = annotations
        all["flowmap.io/evidence-since"] = plan.firstSeen.map(day) ?? "no flows"
        all["flowmap.io/version"] = version
        for k in all.keys.sorted() { y.pair(4, k, all[k]!) }
    }

    /// File (per-namespace) or directory (per-workload) name of each namespace of the plan, in order: the
    /// namespace as a DNS-1123 label, made distinct (see `distinct`) where that would collide with another
    /// namespace's, with `kustomization.yaml`, (`baseline`) with `cluster-baseline.yaml` or (per workload) with
    /// the evidence report's directory.
    static func namespaceStems(_ plan: PolicyPlan, layout: EmitOptions.Layout = .perNamespace,
                               baseline: Bool = false) -> [String] {
        var reserved: Set<String> = ["kustomization"]
        if baseline { reserved.insert(ClusterBaseline.name) }
        if layout == .perWorkload { reserved.insert(EvidenceReport.directory) }
        return distinct(plan.namespaces.map { PolicyName.make($0.name) }, identities: plan.namespaces.map(\.name),
                        reserved: reserved)
    }

    /// Name of the DNS baseline policy.
    static let dnsBaselineName = "allow-dns"

    /// The comments at the top of a default-deny's spec: the directions left open and why.
    static func namespaceComments(_ y: inout YAMLBuilder, _ indent: Int, _ ns: NamespacePlan) {
        for n in ns.notes { y.comment(indent, "note: \(n)") }
    }

    /// Allow-policy names of a namespace's workloads, in order: `allow-<workload>`, plus the kind when two
    /// workloads of different kinds would get the same name (or a workload's name is the DNS baseline's), made
    /// distinct where they still collide (names that differ only in case, a kind-suffixed name equal to another
    /// workload's). Always valid DNS-1123 labels.
    static func allowNames(_ ns: NamespacePlan) -> [String] {
        let plain = ns.workloads.map { PolicyName.make("allow", $0.endpoint.name) }
        var count = [String: Int]()
        if !ns.dnsBaseline.isEmpty { count[dnsBaselineName] = 1 }
        for n in plain { count[n, default: 0] += 1 }
        let named = zip(ns.workloads, plain).map { w, n in
            count[n]! > 1 ? PolicyName.make("allow", w.endpoint.name, w.endpoint.workloadKind) : n
        }
        return distinct(named, identities: ns.workloads.map { "\($0.endpoint.workloadKind)/\($0.endpoint.name)" },
                        reserved: ns.dnsBaseline.isEmpty ? ["default-deny"] : ["default-deny", dnsBaselineName])
    }

    /// `wanted` with every name that occurs twice or is `reserved` suffixed with a hash of its item's identity
    /// (the exact original text), repeated until all are distinct. A pure function of its input: stable across
    /// runs, and a name changes only while it collides.
    static func distinct(_ wanted: [String], identities: [String], reserved: Set<String>) -> [String] {
        var out = wanted
        for round in 0... {
            var count = [String: Int]()
            for n in out { count[n, default: 0] += 1 }
            let clashing = out.indices.filter { count[out[$0]]! > 1 || reserved.contains(out[$0]) }
            if clashing.isEmpty { break }
            for i in clashing {
                out[i] = PolicyName.suffixed(wanted[i], hashing: round == 0 ? identities[i] : "\(identities[i])#\(round)")
            }
        }
        return out
    }

    /// The comments at the top of an allow policy's spec: what it selects, selector warning, notes.
    static func workloadComments(_ y: inout YAMLBuilder, _ indent: Int, _ w: WorkloadPlan) {
        y.comment(indent, "\(w.endpoint.workloadKind) \(w.endpoint.name)")
        if let warn = w.selectorWarning { y.comment(indent, "WARNING: \(warn)") }
        for n in w.notes { y.comment(indent, "note: \(n)") }
    }

    /// A count in a band (`1-9`, `10-99`, `100-999`, `1k+`): more evidence of the same connection rarely moves
    /// it, so the comment stays put. Exact counts are in the evidence report.
    static func band(_ n: Int64) -> String {
        switch n {
        case ..<1: return "0"
        case ..<10: return "1-9"
        case ..<100: return "10-99"
        case ..<1000: return "100-999"
        default: return "1k+"
        }
    }

    /// The day of a timestamp, `2024-05-01`.
    static func day(_ t: Int64) -> String { String(Timestamp.format(t).prefix(10)) }

    /// Evidence beside a rule's peer: who, a band of its flows over its ports, the first day seen.
    static func peerEvidence(_ peer: String, _ ports: [PortPlan]) -> String {
        let observed = ports.filter { $0.flows > 0 }
        if observed.isEmpty { return peer }  // the DNS baseline: its ports say why
        var s = "\(peer): \(band(observed.reduce(0) { $0 + $1.flows })) flows"
        if let f = observed.map(\.firstSeen).min() { s += ", first seen \(day(f))" }
        return s
    }

    static func peerText(_ p: PeerPlan) -> String {
        switch p {
        case .workload(let e, _): return e.description
        case .ipBlock(let c, _, let note): return note.isEmpty ? c : "\(c) (\(note))"
        case .namespace(let n): return "every pod of namespace \(n)"
        }
    }

    /// Evidence beside a port: a band of its flows and the first day seen (examples and exact counts are in the
    /// evidence report).
    static func portEvidence(_ p: PortPlan) -> String {
        if p.flows == 0 { return p.examples.first ?? "not observed; allowed with its DNS sibling protocol" }
        let range = p.endPort == nil ? "" : " on \(p.rangePorts.count) observed ports of the range"
        return "\(band(p.flows)) flows\(range), first seen \(day(p.firstSeen))"
    }
}
