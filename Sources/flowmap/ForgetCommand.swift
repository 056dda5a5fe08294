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

    @OptionGroup var store: StoreFlags

    @Argument(help: "A source id (flowmap sources) or path.")
    var source: String

    @OptionGroup var output: PlainOutputFlags

    func run() throws {
        let r = try Forget.run(db: store.db, source: source)
        output.show(text: {
            let names = r.sources.map { "\($0.id) (\($0.path))" }.joined(separator: ", ")
            return "forgot source \(names): \(r.buckets) edge bucket(s) recomputed\n"
        }, document: { r.document(db: store.db, as: $0) })
    }
}
