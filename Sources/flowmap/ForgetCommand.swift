import ArgumentParser
import FlowMapKit

struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Remove one source's contribution from the store exactly (counts, first/last seen, L7, labels).",
        discussion: "SOURCE is an id from `flowmap sources`, or a path (every source ingested from it). The buckets "
            + "it touched are recomputed from the other sources. Inventories and sources ingested before schema 7 "
            + "cannot be forgotten (an error; nothing changes)."
    )

    @Option(help: "The store (SQLite file).")
    var db = StoreDefault.db

    @Argument(help: "A source id (flowmap sources) or path.")
    var source: String

    @Option(name: [.short, .long], help: "Output: text, json or yaml.")
    var output: PlainFormat = .text

    func run() throws {
        let r = try Forget.run(db: db, source: source)
        if output != .text { return Console.result(r.document(db: db, as: output.format), output.format) }
        let names = r.sources.map { "\($0.id) (\($0.path))" }.joined(separator: ", ")
        Console.out("forgot source \(names): \(r.buckets) edge bucket(s) recomputed")
    }
}
