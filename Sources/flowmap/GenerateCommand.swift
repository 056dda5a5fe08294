import ArgumentParser
import FlowMapKit

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write least-privilege NetworkPolicies (k8s or Cilium) from the store: default-deny plus one allow per workload.",
        discussion: "The output is replayed against the evidence it came from with `check`'s evaluator first. Exit "
            + "status: 0 when it keeps every observed-allowed connection and opens no observed-denied one (or "
            + "--allow-breaks), 1 when it would not (listed; nothing written), 2 on error (nothing written)."
    )

    @OptionGroup var store: StoreFlags

    @Option(help: "Output directory, or - for one YAML stream on stdout.")
    var out = "policies"

    @Option(name: [.short, .long], help: "What is printed about the run: text, json or yaml (needs --out DIR).")
    var output: PlainFormat = .text

    @Option(help: "Policy flavour: k8s (NetworkPolicy) or cilium (CiliumNetworkPolicy with L7, FQDN and entity rules).")
    var flavor: PolicyFlavor = .k8s

    @Option(help: "File layout.")
    var layout: PolicyLayout = .perNamespace

    @Option(help: "Leave out edges with fewer flows.")
    var minFlows: Int64 = 1

    @OptionGroup var namespaces: NamespaceFlags

    @Option(help: "Leave out these namespaces (repeatable).")
    var excludeNamespace: [String] = []

    @OptionGroup var time: WindowFlags

    @Option(help: "Distinct public sources on one port at which one internet-facing rule replaces the /32s.")
    var internetThreshold = 16

    @Flag(help: "Name ports (port: http) where the inventory knows the destination container port's name.")
    var namedPorts = false

    @Flag(help: "Keep single ports: never merge dense observed ports into endPort ranges (docs/topologies.md).")
    var noPortRanges = false

    @Flag(help: ArgumentHelp("With --flavor cilium: egress to a Service that selects exactly the observed workload "
                             + "becomes toServices (Cilium >= 1.17).",
                             discussion: "Needs an ingested inventory with the Services; other cases keep the "
                                 + "endpoint selector with a note (docs/topologies.md)."))
    var services = false

    @Flag(help: ArgumentHelp("Write the policies even when they would break or open observed connections.",
                             discussion: "They are still listed on stderr; the exit status is then 0."))
    var allowBreaks = false

    @Flag(help: "Also generate policies for system namespaces (kube-system, the CNI's, mesh's, monitoring stack's).")
    var includeSystem = false

    @Option(help: ArgumentHelp("System namespaces, comma-separated (replaces the built-in list).",
                               discussion: "Default: " + InferenceOptions.defaultSystemNamespaces.sorted()
                                   .joined(separator: ", ")))
    var systemNamespaces: String?

    @Option(help: ArgumentHelp("DNS rules.",
                               discussion: "baseline: every namespace with an egress default-deny may reach the "
                                   + "observed cluster resolvers on UDP and TCP 53; observed: only DNS seen."))
    var dns: DNSMode = .baseline

    @Option(help: ArgumentHelp("One baseline-tier object instead of each namespace's egress default-deny.",
                               discussion: "cnp: a ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, tier "
                                   + "Baseline); banp: the BaselineAdminNetworkPolicy `default` (v1alpha1). It denies "
                                   + "what the allow policies do not admit and keeps DNS; each namespace keeps a "
                                   + "default-deny for ingress (a baseline rule cannot deny traffic from outside the "
                                   + "cluster). The value is required. Not with --flavor cilium. See "
                                   + "docs/admin-network-policy-semantics.md."))
    var clusterBaseline: ClusterBaselineKind?

    @Option(help: ArgumentHelp("Selectors.",
                               discussion: "controller: a workload whose Deployment/StatefulSet/DaemonSet/ReplicaSet/"
                                   + "Job/CronJob is in the inventory selects by its spec.selector (volatile keys "
                                   + "removed) when that selects exactly its known pods; minimal: the smallest "
                                   + "stable label set that does."))
    var selector: SelectorMode = .controller

    func validate() throws {
        if out == "-" && output != .text {
            throw ValidationError("--output \(output.rawValue) with --out -: stdout is the policies' YAML stream; "
                                  + "write them to a folder (--out DIR) to get the run's report as \(output.rawValue)")
        }
    }

    func run() throws {
        var o = Generate.Options(db: store.db, out: out)
        o.emit.layout = layout
        o.emit.flavor = flavor
        o.emit.version = FlowMapVersion.current
        o.inference.minFlows = minFlows
        o.inference.namespaces = Set(namespaces.namespace)
        o.inference.excludeNamespaces = Set(excludeNamespace)
        o.inference.internetThreshold = internetThreshold
        o.inference.namedPorts = namedPorts
        o.inference.portRanges = !noPortRanges
        o.inference.services = services
        o.inference.includeSystem = includeSystem
        if let list = systemNamespaces {
            o.inference.systemNamespaces = Set(list.split(separator: ",").map { String($0.filter { $0 != " " }) })
        }
        o.inference.dns = dns
        o.inference.selector = selector
        o.window = try time.window
        o.allowBreaks = allowBreaks
        o.clusterBaseline = clusterBaseline
        let r = try Generate.run(o)
        if output != .text {
            Console.result(r.document(out: out, as: output.format), output.format)
        }
        if let s = r.stream {
            Console.document(s)
        } else if r.written && output == .text {
            Console.out("read \(r.edgesRead) edges; wrote \(r.policies) policies for \(r.plan.workloadCount) "
                        + "workloads in \(r.plan.namespaces.count) namespaces to \(out)/ (\(r.files.count) files)")
            if let b = r.baseline {
                Console.out("cluster baseline: \(b.adminKind.rawValue)/\(b.objectName) covers \(b.covered.count) "
                            + "namespace(s): \(b.covered.joined(separator: ", "))")
            }
            if !r.removed.isEmpty {
                Console.out("removed \(r.removed.count) file(s) an earlier run generated there: "
                            + r.removed.joined(separator: ", "))
            }
        }
        for w in r.plan.warnings { Console.error("warning: \(w)") }
        if !r.plan.denied.isEmpty {
            Console.error("\(r.plan.denied.count) observed-denied connection(s) were not turned into allows")
        }
        guard r.selfCheck.failed else { return }
        Console.error("self-check: the generated policies, replayed against the \(r.selfCheck.edges) edges they "
                      + "were inferred from:")
        for line in r.selfCheck.findings { Console.error(line) }
        if r.written {
            Console.error("written anyway (--allow-breaks); review the connections above before applying")
        } else {
            Console.error("nothing written: applying these policies would break or open the connections above. The "
                          + "warnings say why (e.g. a workload without stable labels: ingest an inventory that labels "
                          + "it); narrow --namespace, or rerun with --allow-breaks to write them knowingly")
            throw ExitStatus.findingCode
        }
    }
}
