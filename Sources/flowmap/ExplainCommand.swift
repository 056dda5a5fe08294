import ArgumentParser
import FlowMapKit

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Why a policy set allows or denies one connection: each direction, with the policies and rules.",
        usage: "flowmap explain [<options>] --policies <policies> ...\n<source> <destination> <port>",
        discussion: """
              flowmap explain --policies manifests/ shop/frontend data/db TCP/5432

            SRC and DST: a workload (ns/name, ns/name[Kind]), a pod (ns/pod-name) or an IP address. Exit status: \
            0 allowed; 1 denied; 2 could not evaluate.
            """
    )

    @Option(help: "Policy manifests: file, folder (recursive) or - for stdin (repeatable).")
    var policies: [String]

    @Option(help: "A store supplying observed workloads and addresses (optional).")
    var db: String?

    @OptionGroup var time: WindowFlags

    @Argument(help: "Source: ns/name, ns/name[Kind], ns/pod-name or an address.")
    var source: String

    @Argument(help: "Destination: ns/name, ns/name[Kind], ns/pod-name or an address.")
    var destination: String

    @Argument(help: "PROTOCOL/PORT, e.g. TCP/443 or UDP/53.")
    var port: String

    @OptionGroup var output: PlainOutputFlags

    @OptionGroup var inputs: PolicyInputFlags
    @OptionGroup var evaluator: EvaluatorFlags

    func run() throws {
        var o = Explain.Options(policies: policies, db: db, source: source, destination: destination, port: port)
        o.window = try time.window
        try evaluator.apply(inputs, to: &o)
        let r = try Explain.run(o)
        for line in r.notes { Console.error(line) }
        output.show(text: { r.text }, document: { r.document(as: $0) })
        switch r.explanation.verdict {
        case .allowed: return
        case .denied: throw ExitCode(ExitStatus.finding.rawValue)
        case .unresolved, .notCovered: throw ExitCode(ExitStatus.cannotEvaluate.rawValue)
        }
    }
}
