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
    var db = StoreDefault.db

    @Option(name: [.short, .long], help: "Output.")
    var output: PlainFormat = .text

    func run() throws {
        let sources = try ListSources.run(db: db)
        Console.result(output == .text ? ListSources.text(sources) : ResultText.document(ListSources.json(sources), as: output.format),
                       output.format)
    }
}
