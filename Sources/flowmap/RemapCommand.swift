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

    @OptionGroup var store: StoreFlags

    @OptionGroup var output: PlainOutputFlags

    func run() throws {
        let r = try Remap.run(db: store.db)
        output.show(text: { "remapped \(r.mapped) kept flow row(s) (\(r.flows) flow(s)) in \(store.db); \(r.unknown) still unknown\n" },
                    document: { r.document(db: store.db, as: $0) })
    }
}
