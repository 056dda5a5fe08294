import ArgumentParser
import FlowMapKit

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Drop the evidence buckets that end at or before a time (retention).",
        discussion: "--before takes RFC 3339 or a duration back from now (30d). The bucket holding T is kept whole."
    )

    @Option(help: "The store (SQLite file).")
    var db = StoreDefault.db

    @Option(help: "Drop buckets that end at or before this time: RFC 3339, or back from now (7d, 24h).")
    var before: String

    @Option(name: [.short, .long], help: "Output: text, json or yaml.")
    var output: PlainFormat = .text

    func run() throws {
        let t: Int64
        do {
            t = try TimeFlag.parse(before, flag: "--before")
        } catch let e as TimeFlag.Failure {
            throw ValidationError(e.description)
        }
        let r = try Prune.run(db: db, before: t)
        if output != .text {
            return Console.result(r.document(db: db, before: t, as: output.format), output.format)
        }
        Console.out("pruned \(r.buckets) bucket(s) before \(Timestamp.format(t)) (\(r.rows) edge bucket row(s))")
    }
}
