import ArgumentParser
import FlowMapKit

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Replay every observed connection against a policy set: what it allows, and what it would break.",
        discussion: "Exit status: 0 when every observed-allowed connection stays allowed, 1 when any would be "
            + "denied, 2 on error."
    )

    @Option(help: ArgumentHelp("Policy manifests: file, folder (recursive) or - for stdin (repeatable).",
                               discussion: "Pods, namespaces and controllers in the same path supply labels and ports."))
    var policies: [String]

    @Option(help: "The store (SQLite file).")
    var db = "flowmap.db"

    @Option(help: "Output: text, json or md.")
    var output: OutputFormat = .text

    @Option(help: "List at most this many connections per section (text and md).")
    var limit = 200

    @OptionGroup var evaluator: EvaluatorFlags

    func run() throws {
        var o = Check.Options(policies: policies, db: db)
        o.evaluator = try evaluator.options()
        let r: Check.Result
        do {
            r = try Check.run(o)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
        for line in PolicyInputs.describeIssues(r.manifests) { Console.error(line) }
        print(CheckFormatter.format(r.report, as: output, limit: limit), terminator: "")
        if r.report.breaks { throw ExitCode(1) }
    }
}
