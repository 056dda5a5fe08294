import Dispatch
import FlowModel
import Inference
import Policy

/// What differs between flavours: the two kinds of document. Layout, file names, the kustomization, the stream,
/// metadata and the evidence comments are shared (`PolicyDocumentWriter` extension, `EmitCommon`).
protocol PolicyDocumentWriter: Sendable {
    var options: EmitOptions { get }
    /// The `apiVersion` and `kind` of the flavour's policy documents.
    static var apiVersion: String { get }
    static var kind: String { get }
    /// The namespace's default-deny policy, for the directions it isolates (`NamespacePlan.denyIngress/Egress`).
    func defaultDeny(_ y: inout YAMLBuilder, _ ns: NamespacePlan, plan: PolicyPlan)
    /// The namespace's DNS baseline policy (`allow-dns`, `NamespacePlan.dnsBaseline`).
    func dnsBaseline(_ y: inout YAMLBuilder, _ ns: NamespacePlan, plan: PolicyPlan)
    /// One workload's allow policy, named `name`; `ns` is the namespace holding it.
    func allow(_ y: inout YAMLBuilder, _ w: WorkloadPlan, in ns: NamespacePlan, name: String, plan: PolicyPlan)
}

extension PolicyDocumentWriter {
    /// A policy document begun: the shared header (`EmitCommon.header`), `spec:`, and the comment that says what
    /// the document does, when there is one.
    func document(_ y: inout YAMLBuilder, name: String, namespace: String, plan: PolicyPlan,
                  saying comment: String? = nil) {
        EmitCommon.header(&y, apiVersion: Self.apiVersion, kind: Self.kind, name: name, namespace: namespace,
                          plan: plan, version: options.version)
        y.line(0, "spec:")
        if let comment { y.comment(2, comment) }
    }

    /// The default-deny begun: `document` with the comment for the directions it isolates (`bothDirections` or
    /// `oneDirection`), then the namespace's notes.
    func defaultDenyDocument(_ y: inout YAMLBuilder, _ ns: NamespacePlan, plan: PolicyPlan, bothDirections: String,
                             oneDirection: String) {
        document(&y, name: "default-deny", namespace: ns.name, plan: plan,
                 saying: ns.denyIngress && ns.denyEgress ? bothDirections : oneDirection)
        EmitCommon.namespaceComments(&y, 2, ns)
    }

    /// The DNS baseline begun, with its comment.
    func dnsBaselineDocument(_ y: inout YAMLBuilder, _ ns: NamespacePlan, plan: PolicyPlan, selects: String) {
        document(&y, name: EmitCommon.dnsBaselineName, namespace: ns.name, plan: plan,
                 saying: "DNS baseline: every \(selects) of the namespace may query the cluster resolvers observed.")
    }

    /// File name -> contents; see `emit(for:baseline:)`.
    func layoutFiles(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> [(name: String, text: String)] {
        let files = emit(for: plan, baseline: baseline)
        // Files are independent: produced on every core, in file order.
        return Array(zip(files.map(\.name), EmitCommon.concurrentMap(files) { $0.text }))
    }

    /// Every file, each produced when written: the policy files, `kustomization.yaml` listing them, and the
    /// evidence report (`evidence/evidence.json`, `evidence/evidence.md`, listed nowhere). The cluster baseline
    /// first (`cluster-baseline.yaml`), then sorted by namespace, then workload.
    func emit(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> [EmittedFile] {
        let header = PolicyEmitter.generatedMarker + "\(options.version) from observed flows. Review before applying.\n"
        let stems = EmitCommon.namespaceStems(plan, layout: options.layout, baseline: baseline != nil)
        var out: [EmittedFile] = []
        if let baseline {
            let text = header + baseline.yaml(plan: plan, version: options.version)
            out.append(EmittedFile(name: "\(ClusterBaseline.name).yaml", text: text))
        }
        for (ns, dir) in zip(plan.namespaces, stems) {
            let docs = documents(ns, plan: plan)
            switch options.layout {
            case .perNamespace:
                out.append(EmittedFile(name: "\(dir).yaml", header: header, docs.map(\.write)))
            case .perWorkload:
                for d in docs { out.append(EmittedFile(name: "\(dir)/\(d.name).yaml", header: header, [d.write])) }
            }
        }
        var k = YAMLBuilder()
        k.comment(0, PolicyEmitter.generatedMarker.dropFirst(2) + "\(options.version): every policy file of this directory.")
        k.line(0, "apiVersion: kustomize.config.k8s.io/v1beta1")
        k.line(0, "kind: Kustomization")
        k.line(0, out.isEmpty ? "resources: []" : "resources:")
        for f in out { k.item(2, f.name) }
        return out + [EmittedFile(name: "kustomization.yaml", text: k.text)]
            + EvidenceReport.files(plan: plan, version: options.version)
    }

    /// All policies as one multi-document stream, the cluster baseline first.
    func layoutStream(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> String {
        // Namespaces are independent: written on every core, then joined in plan order.
        let parts = EmitCommon.concurrentMap(plan.namespaces) { ns -> String in
            EmittedFile(name: "", header: "", documents(ns, plan: plan).map(\.write)).text
        }
        let cluster = baseline.map { [$0.yaml(plan: plan, version: options.version)] } ?? []
        return (cluster + parts.filter { !$0.isEmpty }).joined(separator: EmitCommon.separator)
    }

    /// The documents of a namespace, by policy name, each as the function that writes it: the default-deny
    /// (when a direction was observed), the DNS baseline (when it has one), then one allow policy per workload.
    func documents(_ ns: NamespacePlan, plan: PolicyPlan)
        -> [(name: String, write: @Sendable (inout YAMLBuilder) -> Void)] {
        var out: [(name: String, write: @Sendable (inout YAMLBuilder) -> Void)] = []
        if ns.hasDefaultDeny { out.append(("default-deny", { defaultDeny(&$0, ns, plan: plan) })) }
        if !ns.dnsBaseline.isEmpty { out.append((EmitCommon.dnsBaselineName, { dnsBaseline(&$0, ns, plan: plan) })) }
        for (w, name) in zip(ns.workloads, EmitCommon.allowNames(ns)) {
            out.append((name, { allow(&$0, w, in: ns, name: name, plan: plan) }))
        }
        return out
    }
}

/// Pieces every flavour writes the same way.
enum EmitCommon {
    static let managedBy = "flowmap"
    /// Between two documents of a file or stream.
    static let separator = "---\n"

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
