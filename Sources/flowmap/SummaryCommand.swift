import ArgumentParser
import FlowMapKit

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Tables: top talkers, namespaces without policies, internet-facing ports, denied flows.",
        usage: "flowmap summary [<options>]"
    )

    @Option(help: "The store (SQLite file).")
    var db = StoreDefault.db

    @OptionGroup var time: WindowFlags

    @Option(help: "Rows in the top-talkers table.")
    var top = 10

    @Option(help: "NetworkPolicy manifests (file or folder): which namespaces have policies.")
    var policies: String?

    @Option(name: [.short, .long], help: "Output: text, json or yaml.")
    var output: PlainFormat = .text


    func run() throws {
        var o = Summary.Options(db: db)
        o.window = try time.window
        o.top = top
        o.policies = policies
        let r = try Summary.run(o)
        for i in r.policyIssues { Console.error("warning: \(i)") }
        Console.result(Summary.render(r.report, as: output.format), output.format)
    }
}
