import ArgumentParser
import FlowMapKit

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Replay every observed connection against a policy set: what it allows, and what it would break.",
        discussion: "Exit status: 0 every observed-allowed connection stays allowed; 1 some would be denied; 2 "
            + "could not evaluate (invalid policies, unsupported kinds, no policies, a store without edges, an "
            + "end the inventory does not know ...)."
    )

    @Option(help: ArgumentHelp("Policy manifests: file, folder (recursive) or - for stdin (repeatable).",
                               discussion: "Pods, namespaces and controllers in the same path supply labels and ports."))
    var policies: [String]

    @OptionGroup var store: StoreFlags

    @OptionGroup var time: WindowFlags
    @OptionGroup var namespaces: NamespaceFlags

    @Option(name: [.short, .long], help: "Output: text, json, yaml, or md (a pull-request comment).")
    var output: ResultFormat = .text

    @Option(help: "List at most this many connections per section (text and md).")
    var limit = 200

    @OptionGroup var inputs: PolicyInputFlags
    @OptionGroup var evaluator: EvaluatorFlags

    func run() throws {
        var o = Check.Options(policies: policies, db: store.db)
        o.window = try time.window
        o.namespaces = NamespaceScope(Set(namespaces.namespace))
        try evaluator.apply(inputs, to: &o)
        let r = try Check.run(o)
        for line in r.notes { Console.error(line) }
        Console.result(r.render(output, limit: limit), output)
        if r.report.breaks { throw ExitCode(ExitStatus.finding.rawValue) }
        if r.report.unresolvedConnections > 0 {
            Console.error("flowmap check: error: \(r.report.unresolvedConnections) observed connection(s) were not evaluated: an end "
                          + "is not in the inventory (add its Pods or controllers to the policies path)")
            throw ExitCode(ExitStatus.cannotEvaluate.rawValue)
        }
    }
}
