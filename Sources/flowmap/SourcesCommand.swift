import ArgumentParser
import FlowMapKit

struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List what was ingested: id, path, format, lines, accepted, rejected, first/last flow, when.",
        discussion: "A stream (`ingest -`) is one source however many batches it committed. The id is what "
            + "`flowmap forget` takes."
    )

    @OptionGroup var store: StoreFlags

    @OptionGroup var output: PlainOutputFlags

    func run() throws {
        let sources = try ListSources.run(db: store.db)
        output.show(text: { ListSources.text(sources) }, document: { ResultText.document(ListSources.json(sources), as: $0) })
    }
}
