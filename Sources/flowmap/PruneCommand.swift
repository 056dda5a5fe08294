import ArgumentParser
import FlowMapKit

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Drop the evidence buckets that end at or before a time (retention).",
        discussion: "--before takes RFC 3339 or a duration back from now (30d). The bucket holding T is kept whole."
    )

    @OptionGroup var store: StoreFlags

    @Option(help: "Drop buckets that end at or before this time: RFC 3339, or back from now (7d, 24h).")
    var before: String

    @OptionGroup var output: PlainOutputFlags

    func run() throws {
        let t: Int64
        do {
            t = try TimeFlag.parse(before, flag: "--before")
        } catch let e as TimeFlag.Failure {
            throw ValidationError(e.description)
        }
        let r = try Prune.run(db: store.db, before: t)
        output.show(text: { "pruned \(r.buckets) bucket(s) before \(Timestamp.format(t)) (\(r.rows) edge bucket row(s))\n" },
                    document: { r.document(db: store.db, before: t, as: $0) })
    }
}
