import ArgumentParser
import FlowMapKit

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the evidence as one record per edge per bucket (JSON Lines or CSV) to stdout.",
        usage: "flowmap export [<options>]",
        discussion: "Fields: schema/export.schema.json (bucket, endpoints, protocol, port, verdict, flows, first/"
            + "last seen, drop reasons). Sorted by source, destination, protocol, port, verdict, bucket."
    )

    @OptionGroup var store: StoreFlags

    @Option(name: [.short, .long], help: "Records as JSON Lines or CSV.")
    var output: Export.Format = .jsonl

    @OptionGroup var time: WindowFlags

    func run() throws {
        let w = try time.window
        // Machine records: JSON Lines keeps its content as escapes; CSV cells are made terminal-safe.
        let text = try Export.run(db: store.db, format: output, window: w)
        if output == .jsonl { Console.result(text, .json) } else { Console.result(text, .text) }
    }
}
