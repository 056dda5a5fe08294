import Dispatch
import FlowModel
import Inference

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
    /// File name -> contents, plus `kustomization.yaml` listing the others. Sorted by namespace, then workload.
    func layoutFiles(for plan: PolicyPlan) -> [(name: String, text: String)] {
        let header = PolicyEmitter.generatedMarker + "\(options.version) from observed flows. Review before applying.\n"
        // Namespaces are independent: written on every core, then joined in plan order (output unchanged).
        let perNamespace = EmitCommon.concurrentMap(plan.namespaces) { ns -> [(String, String)] in
            var out: [(String, String)] = []
            let dir = PolicyName.make(ns.name)
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
        let out = perNamespace.flatMap { $0 }
        var k = YAMLBuilder()
        k.comment(0, PolicyEmitter.generatedMarker.dropFirst(2) + "\(options.version): every policy file of this directory.")
        k.line(0, "apiVersion: kustomize.config.k8s.io/v1beta1")
        k.line(0, "kind: Kustomization")
        k.line(0, out.isEmpty ? "resources: []" : "resources:")
        for f in out { k.line(2, "- \(YAMLText.scalar(f.0))") }
        return out + [("kustomization.yaml", k.text)]
    }

    /// All policies as one multi-document stream.
    func layoutStream(for plan: PolicyPlan) -> String {
        let docs = EmitCommon.concurrentMap(plan.namespaces) { ns -> [String] in
            var docs = namespaceDocuments(ns, plan: plan).map(\.text)
            for (w, name) in zip(ns.workloads, EmitCommon.allowNames(ns)) {
                docs.append(allow(w, name: name, plan: plan))
            }
            return docs
        }
        return docs.flatMap { $0 }.joined(separator: "---\n")
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
    static func header(_ y: inout YAMLBuilder, apiVersion: String, kind: String, name: String, namespace: String,
                       plan: PolicyPlan, version: String) {
        y.line(0, "apiVersion: \(apiVersion)")
        y.line(0, "kind: \(kind)")
        y.line(0, "metadata:")
        y.pair(2, "name", name)
        y.pair(2, "namespace", namespace)
        y.line(2, "labels:")
        y.pair(4, "app.kubernetes.io/managed-by", managedBy)
        y.line(2, "annotations:")
        y.pair(4, "flowmap.io/evidence-window", window(plan))
        y.pair(4, "flowmap.io/version", version)
    }

    static func window(_ plan: PolicyPlan) -> String {
        guard let f = plan.firstSeen, let l = plan.lastSeen else { return "no flows" }
        return "\(Timestamp.format(f))/\(Timestamp.format(l))"
    }

    /// Name of the DNS baseline policy.
    static let dnsBaselineName = "allow-dns"

    /// The comments at the top of a default-deny's spec: the directions left open and why.
    static func namespaceComments(_ y: inout YAMLBuilder, _ indent: Int, _ ns: NamespacePlan) {
        for n in ns.notes { y.comment(indent, "note: \(n)") }
    }

    /// Allow-policy names of a namespace's workloads, in order: `allow-<workload>`, plus the kind when two
    /// workloads of different kinds would get the same name (or a workload's name is the DNS baseline's).
    /// Always valid DNS-1123 labels.
    static func allowNames(_ ns: NamespacePlan) -> [String] {
        let plain = ns.workloads.map { PolicyName.make("allow", $0.endpoint.name) }
        var count = [String: Int]()
        if !ns.dnsBaseline.isEmpty { count[dnsBaselineName] = 1 }
        for n in plain { count[n, default: 0] += 1 }
        return zip(ns.workloads, plain).map { w, n in
            count[n]! > 1 ? PolicyName.make("allow", w.endpoint.name, w.endpoint.workloadKind) : n
        }
    }

    /// The comments at the top of an allow policy's spec: what it selects, selector warning, notes.
    static func workloadComments(_ y: inout YAMLBuilder, _ indent: Int, _ w: WorkloadPlan) {
        y.comment(indent, "\(w.endpoint.workloadKind) \(w.endpoint.name)")
        if let warn = w.selectorWarning { y.comment(indent, "WARNING: \(warn)") }
        for n in w.notes { y.comment(indent, "note: \(n)") }
    }

    /// `1 flow`, `2 flows`.
    static func count(_ n: Int64, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

    /// Evidence beside a rule's peer: who, how many flows in total, first and last seen over its ports.
    static func peerEvidence(_ peer: String, _ ports: [PortPlan]) -> String {
        let observed = ports.filter { $0.flows > 0 }
        if observed.isEmpty { return peer }  // the DNS baseline: its ports say why
        var s = "\(peer): \(count(observed.reduce(0) { $0 + $1.flows }, "flow"))"
        if let f = observed.map(\.firstSeen).min(), let l = observed.map(\.lastSeen).max() {
            s += ", \(Timestamp.format(f)) .. \(Timestamp.format(l))"
        }
        return s
    }

    static func peerText(_ p: PeerPlan) -> String {
        switch p {
        case .workload(let e, _): return e.description
        case .ipBlock(let c, _, let note): return note.isEmpty ? c : "\(c) (\(note))"
        case .namespace(let n): return "every pod of namespace \(n)"
        }
    }

    /// Evidence beside a port: flow count, first and last seen, up to three example requests or DNS names.
    static func portEvidence(_ p: PortPlan) -> String {
        if p.flows == 0 { return p.examples.first ?? "not observed; allowed with its DNS sibling protocol" }
        var s = "\(count(p.flows, "flow")), \(Timestamp.format(p.firstSeen)) .. \(Timestamp.format(p.lastSeen))"
        if !p.examples.isEmpty { s += "; e.g. " + p.examples.joined(separator: ", ") }
        return s
    }
}
