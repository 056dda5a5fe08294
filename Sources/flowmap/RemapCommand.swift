import ArgumentParser
import FlowMapKit

struct RemapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remap",
        abstract: "Map flows whose addresses no inventory knew when they were read to workloads now.",
        discussion: """
            VPC and generic IP-only flows with an unknown address are kept with their addresses; after a newer \
            inventory (ingest --format inventory, which also remaps), their counts move onto the workloads' edges \
            exactly, as if the inventory had been there first.
            """
    )

    @Option(help: "The store (SQLite file).")
    var db = StoreDefault.db

    @Option(name: [.short, .long], help: "Output: text, json or yaml.")
    var output: PlainFormat = .text

    func run() throws {
        let r = try Remap.run(db: db)
        if output != .text { return Console.result(r.document(db: db, as: output.format), output.format) }
        Console.out("remapped \(r.mapped) kept flow row(s) (\(r.flows) flow(s)) in \(db); \(r.unknown) still unknown")
    }
}
