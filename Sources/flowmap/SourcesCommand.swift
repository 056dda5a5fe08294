import ArgumentParser
import FlowMapKit

struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List what was ingested: id, path, format, lines, accepted, rejected, first/last flow, when.",
        discussion: "A stream (`ingest -`) is one source however many batches it committed. The id is what "
            + "`flowmap forget` takes."
    )

    @Option(help: "The store (SQLite file).")
    var db = "flowmap.db"

    @Option(help: "text or json.")
    var output = "text"

    func run() throws {
        guard output == "text" || output == "json" else {
            throw ValidationError("unknown --output \(output); expected text or json")
        }
        let sources = try CouldNotEvaluate.exit2 { try ListSources.run(db: db) }
        print(output == "json" ? ListSources.json(sources) : ListSources.text(sources), terminator: "")
    }
}
