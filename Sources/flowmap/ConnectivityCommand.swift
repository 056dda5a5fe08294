import ArgumentParser
import FlowMapKit

struct ConnectivityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectivity",
        abstract: "List what a policy set allows between every pair of known workloads and external ranges.",
        discussion: "One line per pair in netpol-analyzer's connlist style: "
            + "`ns/a[Deployment] => ns/b[StatefulSet] : TCP 80,UDP 53`. Workloads come from the manifests "
            + "(Pods and controllers in the same path), from --db, or both. Exit status: 0 listed; 2 could not "
            + "evaluate (no workloads, invalid policies, unsupported kinds ...)."
    )

    @Option(help: "Policy manifests: file, folder (recursive) or - for stdin (repeatable).")
    var policies: [String]

    @Option(help: "A store supplying observed workloads (optional).")
    var db: String?

    @OptionGroup var time: WindowFlags
    @OptionGroup var namespaces: NamespaceFlags

    @Option(name: [.short, .long], help: "Output: text, json, yaml, or md (a pull-request comment).")
    var output: ResultFormat = .text

    @Flag(help: "Leave out external address ranges.")
    var noExternal = false

    @Flag(help: "Also list what the policies admit from peers that need not exist yet (entire cluster, namespaces or pods a selector would match, external ranges), per workload and direction; NetworkPolicy and admin-tier sets (not Cilium).")
    var exposure = false

    @OptionGroup var inputs: PolicyInputFlags
    @OptionGroup var evaluator: EvaluatorFlags

    func run() throws {
        var o = Connectivity.Options(policies: policies, db: db)
        o.window = try time.window
        o.namespaces = NamespaceScope(Set(namespaces.namespace))
        try evaluator.apply(inputs, to: &o)
        o.includeExternal = !noExternal
        o.exposure = exposure
        let r = try Connectivity.run(o)
        for line in r.notes { Console.error(line) }
        if output == .text { Console.error(r.summary) }
        Console.result(r.render(output), output)
    }
}
