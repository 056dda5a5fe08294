import ArgumentParser
import FlowMapKit

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Tables: top talkers, namespaces without policies, internet-facing ports, denied flows."
    )

    @Option(help: "The store (SQLite file).")
    var db = "flowmap.db"

    @Option(help: "Rows in the top-talkers table.")
    var top = 10

    func run() throws {
        var o = Summary.Options(db: db)
        o.top = top
        print(try Summary.run(o).render(), terminator: "")
    }
}
