import ArgumentParser
import FlowMapKit

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Tables: top talkers, namespaces without policies, internet-facing ports, denied flows.",
        usage: "flowmap summary [<options>]"
    )

    @OptionGroup var store: StoreFlags

    @OptionGroup var time: WindowFlags

    @Option(help: "Rows in the top-talkers table.")
    var top = 10

    @Option(help: "NetworkPolicy manifests (file or folder): which namespaces have policies.")
    var policies: String?

    @OptionGroup var output: PlainOutputFlags

    func run() throws {
        var o = Summary.Options(db: store.db)
        o.window = try time.window
        o.top = top
        o.policies = policies
        let r = try Summary.run(o)
        for i in r.policyIssues { Console.error("warning: \(i)") }
        output.show(text: { Summary.render(r.report, as: .text) }, document: { Summary.render(r.report, as: $0) })
    }
}
