import ArgumentParser
import FlowMapKit

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a store: schema version and SQLite integrity (PRAGMA integrity_check). Exit 1 when damaged."
    )

    @Option(help: "The store (SQLite file).")
    var db = StoreDefault.db

    @Option(name: [.short, .long], help: "Output: text, json or yaml.")
    var output: PlainFormat = .text

    func run() throws {
        let r = try Doctor.run(db: db)
        if output != .text {
            Console.result(r.document(db: db, as: output.format), output.format)
            if !r.healthy { throw ExitCode(ExitStatus.finding.rawValue) }
            return
        }
        Console.out("\(db): schema \(r.schemaVersion) (this FlowMap knows up to \(r.latestKnown))")
        if r.healthy {
            Console.out("integrity: ok; \(r.sources) sources, \(r.edges) edges")
        } else {
            for line in r.integrity { Console.error("integrity: \(line)") }
            Console.error("\(db) is damaged: re-ingest the inputs into a new --db file")
            throw ExitCode(ExitStatus.finding.rawValue)
        }
    }
}
