import ArgumentParser
import FlowMapKit

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Fold other stores (one per node) into --db exactly; merging a store twice changes nothing.",
        discussion: "Every source of every STORE arrives in --db as its own source (counts per bucket and "
            + "observation point, L7, labels, addresses, names, listening ports, inventory), so `sources`, "
            + "`forget`, `prune`, `export` and `generate` on --db equal those on one store that ingested every "
            + "input. A source --db already holds (same content hash) is reported as already present. Each STORE "
            + "is opened read-only and verified, and merged in one transaction. Exit 0 when every store was "
            + "merged, 1 when one was refused (damaged, not a FlowMap store: named; the others are merged), 2 "
            + "when bucket widths cannot fold exactly (nothing merged) or --db cannot be written."
    )

    @Option(help: "The target store: an SQLite file (created when missing) or postgresql://user@host:port/dbname; default $FLOWMAP_DB, else flowmap.db.")
    var db = StoreDefault.db

    @Option(name: [.short, .long], help: "Output.")
    var output: PlainFormat = .text

    @Argument(help: "The stores to merge into --db (written by flowmap ingest).")
    var stores: [String] = []

    func run() throws {
        guard !stores.isEmpty else { throw ValidationError("nothing to merge: pass the stores to fold into --db \(db)") }
        let r = try Merge.run(db: db, inputs: stores)
        Console.result(output == .text ? Merge.text(r) : ResultText.document(Merge.json(r), as: output.format),
                       output.format)
        for i in r.inputs { if let e = i.error { Console.error("flowmap merge: error: \(e)") } }
        if r.refused > 0 { throw ExitStatus.findingCode }
    }
}
