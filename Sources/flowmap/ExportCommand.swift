import ArgumentParser
import FlowMapKit

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the evidence as one record per edge per bucket (JSON Lines or CSV) to stdout.",
        discussion: "Fields: schema/export.schema.json (bucket, endpoints, protocol, port, verdict, flows, first/"
            + "last seen, drop reasons). Sorted by source, destination, protocol, port, verdict, bucket."
    )

    @Option(help: "The store (SQLite file).")
    var db = "flowmap.db"

    @Option(help: "jsonl or csv.")
    var output = "jsonl"

    @OptionGroup var time: WindowFlags

    func run() throws {
        guard let f = Export.Format(rawValue: output) else {
            throw ValidationError("unknown --output \(output); expected jsonl or csv")
        }
        let w = try time.window
        print(try CouldNotEvaluate.exit2 { try Export.run(db: db, format: f, window: w) }, terminator: "")
    }
}
