import ArgumentParser
import FlowMapKit
import FlowModel

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read flow logs into the store (aggregated edges with counts and first/last seen).",
        discussion: """
            Each file is stored in one transaction; ingesting the same file again changes nothing.
            Use - to read a stream from stdin (committed in batches), e.g.
              hubble observe -o jsonpb --follow | flowmap ingest --db flowmap.db -
            Malformed lines are reported as file:line: field: reason and the rest is still ingested.
            Formats: hubble, calico (flows.log), vpc (AWS VPC flow logs), flowmap-csv / flowmap-jsonl (the generic
            format, schema/flow-record.schema.json), inventory (kubectl get namespaces,pods,services,endpointslices
            -A -o json). auto tells the format from the first lines and says what it chose; inventories are read
            first so the flows of the same call map to pods.
            """
    )

    @Option(help: "The store (SQLite file); created when missing.")
    var db = "flowmap.db"

    @Option(help: "Input format: \(InputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format = "auto"

    @Option(help: "Stream batch size: flows per transaction when reading stdin.")
    var batchFlows = 200_000

    @OptionGroup var hubbleFlags: HubbleFlags

    @Argument(help: "Files to read, or - for stdin (none with --hubble).")
    var inputs: [String] = []

    static let issuesShownPerFile = 50

    func run() throws {
        guard let fmt = InputFormat(rawValue: format) else {
            throw ValidationError("unknown --format \(format); expected one of "
                                  + InputFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var options = Ingest.Options(db: db)
        options.format = fmt
        options.batchFlows = batchFlows
        if let h = try hubbleFlags.options() {
            guard inputs.isEmpty else { throw ValidationError("pass either --hubble ADDR or input files, not both") }
            return try ingestHubble(h, options)
        }
        guard !inputs.isEmpty else { throw ValidationError("nothing to ingest: pass files, - (stdin) or --hubble ADDR") }
        // Print the first rejects of each file in full; a file that is all garbage should not flood the terminal.
        var shown = [String: Int]()
        let report = try CouldNotEvaluate.exit2 { try Ingest.run(paths: inputs, options: options) { issue in
            let n = shown[issue.file, default: 0]
            shown[issue.file] = n + 1
            if n < Self.issuesShownPerFile {
                Console.error(issue.description)
            } else if n == Self.issuesShownPerFile {
                Console.error("\(issue.file): more rejected lines not shown; the summary counts them all")
            }
        } onFormat: { path, d in
            Console.outNow("\(path): read as \(d.format.rawValue) (--format auto: \(d.reason))")
        } }
        try finish(report)
    }

    /// `--hubble`: the feed into the store; SIGINT / SIGTERM end a --follow read cleanly.
    func ingestHubble(_ h: HubbleFeedOptions, _ options: Ingest.Options) throws {
        let stop = StopSignal()
        var shown = 0
        let (report, feed) = try CouldNotEvaluate.exit2 {
            try Live.ingest(h, options: options, stopDescriptor: stop.readFD) { issue in
                shown += 1
                if shown <= Self.issuesShownPerFile { Console.error(issue.description) }
            }
        }
        for n in Live.notes(feed) { Console.error("note: \(n)") }
        try finish(report)
    }

    func finish(_ report: Ingest.Report) throws {
        for n in report.notes { Console.error("note: \(n)") }
        for f in report.failures { Console.error("error: \(f)") }
        for f in report.files {
            if let prev = f.duplicateOf {
                Console.out("\(f.path): already ingested (same content as \(prev)); nothing changed")
            }
        }
        let t = report.total
        Console.out("""
            ingested \(report.files.count - report.files.filter { $0.duplicateOf != nil }.count) input(s) into \(db): \
            \(t.lines) lines, \(t.accepted) accepted (\(t.replies) replies), \(t.skipped) skipped, \(t.rejected) rejected
            """)
        for k in t.unoriented.keys.sorted() {
            Console.error("warning: direction undecided (no listening port known on either end): \(k) "
                          + "(\(t.unoriented[k]!) flow(s)); ingest an inventory or flows with TCP flags / is_reply")
        }
        if t.unorientedOther > 0 {
            Console.error("warning: \(t.unorientedOther) more flow(s) with an undecided direction")
        }
        if !report.failures.isEmpty { throw ExitCode(2) }
        if t.rejected > 0 { throw ExitCode(1) }
    }
}
