import ArgumentParser
import FlowMapKit

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a store: schema version and SQLite integrity (PRAGMA integrity_check). Exit 1 when damaged."
    )

    @OptionGroup var store: StoreFlags

    @OptionGroup var output: PlainOutputFlags

    func run() throws {
        let db = store.db
        let r = try Doctor.run(db: db)
        output.show(text: {
            "\(db): schema \(r.schemaVersion) (this FlowMap knows up to \(r.latestKnown))\n"
                + (r.healthy ? "integrity: ok; \(r.sources) sources, \(r.edges) edges\n" : "")
        }, document: { r.document(db: db, as: $0) })
        guard !r.healthy else { return }
        if output.isText {
            for line in r.integrity { Console.error("integrity: \(line)") }
            Console.error("\(db) is damaged: re-ingest the inputs into a new --db file")
        }
        throw ExitCode(ExitStatus.finding.rawValue)
    }
}
