import ArgumentParser
import FlowMapKit

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read flow logs into the store (aggregated edges with counts and first/last seen).",
        discussion: """
            Each file is stored in one transaction; ingesting the same file again changes nothing. Use - to read \
            a stream from stdin (committed in batches):
              hubble observe -o jsonpb --follow | flowmap ingest --db flowmap.db -
            Ctrl-C (SIGINT) or SIGTERM ends a stream: the batch in progress is committed and the summary printed; \
            the exit status is as for any ingest. A file that only grew since it was ingested is read from where \
            that ingest stopped. Malformed lines are reported as file:line: field: reason and the rest is still \
            ingested.

            Formats: hubble, calico (flows.log), vpc (AWS VPC flow logs), flowmap-csv / flowmap-jsonl (the \
            generic format, schema/flow-record.schema.json), inventory (kubectl get \
            namespaces,pods,services,endpointslices -A -o json). auto tells the format from the first lines and \
            says what it chose; inventories are read first so the flows of the same call map to pods.
            """
    )

    @Option(help: "The store: an SQLite file (created when missing) or postgresql://user@host:port/dbname; default $FLOWMAP_DB, else flowmap.db.")
    var db = StoreDefault.db

    @Option(help: "Input format (auto: told from the first lines).")
    var format: InputFormat = .auto

    @Option(name: [.short, .long], help: "What is printed about the run: text, json or yaml.")
    var output: PlainFormat = .text

    @Option(help: "Stream batch size: flows per transaction when reading stdin.")
    var batchFlows = 200_000

    @Option(help: ArgumentHelp("Time bucket width of a new store: 5m, 1h (default) or 1d (any Ns, Nm, Nh, Nd).",
                               discussion: "Counts are kept per edge per bucket; --since/--until select whole "
                                   + "buckets. Set when the store is created; another width on an existing store is "
                                   + "an error."))
    var bucket: String?

    @Option(help: ArgumentHelp("Drop flow events already stored within this window of the newest (e.g. 5m).",
                               discussion: "Same time, addresses, endpoints, ports, protocol and observation point: "
                                   + "piping an overlapping `hubble observe --since` again does not double. Pass it "
                                   + "on every ingest of the stream (events are remembered only then)."))
    var dedupeWindow: String?

    @Option(help: ArgumentHelp("ClusterMesh: the local cluster's name (Cilium cluster-name).",
                               discussion: "Workloads Hubble reports in another cluster (cluster_name, label "
                                   + "io.cilium.k8s.policy.cluster) become peers of that cluster, never merged with "
                                   + "local workloads of the same name. Default: the cluster of the end each flow "
                                   + "was observed at. See docs/topologies.md."))
    var cluster: String?

    @OptionGroup var hubbleFlags: HubbleFlags

    @Argument(help: "Files to read, or - for stdin (none with --hubble).")
    var inputs: [String] = []

    static let issuesShownPerFile = 50

    func run() throws {
        var options = Ingest.Options(db: db)
        options.format = format
        options.batchFlows = batchFlows
        if let b = bucket {
            guard let w = RelativeTime.duration(b) else {
                throw ValidationError("--bucket \(b): expected a duration such as 5m, 1h or 1d")
            }
            options.bucketWidth = w
        }
        if let c = cluster {
            guard !c.isEmpty else { throw ValidationError("--cluster: expected a cluster name, got an empty one") }
            options.localCluster = c
        }
        if let d = dedupeWindow {
            guard let w = RelativeTime.duration(d) else {
                throw ValidationError("--dedupe-window \(d): expected a duration such as 5m, 1h or 1d")
            }
            options.dedupeWindow = w
        }
        if let h = try hubbleFlags.options() {
            guard inputs.isEmpty else { throw ValidationError("pass either --hubble ADDR or input files, not both") }
            return try ingestHubble(h, options)
        }
        guard !inputs.isEmpty else { throw ValidationError("nothing to ingest: pass files, - (stdin) or --hubble ADDR") }
        // Print the first rejects of each file in full; a file that is all garbage should not flood the terminal.
        var shown = [String: Int]()
        let report = try Ingest.run(paths: inputs, options: options) { issue in
            let n = shown[issue.file, default: 0]
            shown[issue.file] = n + 1
            if n < Self.issuesShownPerFile {
                Console.error(issue.description)
            } else if n == Self.issuesShownPerFile {
                Console.error("\(issue.file): more rejected lines not shown; the summary counts them all")
            }
        } onFormat: { path, d in
            if output == .text { Console.outNow("\(path): read as \(d.format.rawValue) (--format auto: \(d.reason))") }
        }
        try finish(report)
    }

    /// `--hubble`: the feed into the store; SIGINT / SIGTERM end a --follow read cleanly.
    func ingestHubble(_ hubble: HubbleFeedOptions, _ options: Ingest.Options) throws {
        var h = hubble
        if h.follow {  // told at once while the read goes on, and again at the end
            h.onFailure = { Console.error("flowmap ingest: error: \($0); reading the rest, exit 2 at the end") }
        }
        let stop = StopSignal()
        var shown = 0
        let (report, _) = try Live.ingest(h, options: options, stopDescriptor: stop.readFD) { issue in
            shown += 1
            if shown <= Self.issuesShownPerFile { Console.error(issue.description) }
        }
        // The feed's notes (lost events, reconnects, servers read) are the report's: finish prints them.
        try finish(report)
    }

    func finish(_ report: Ingest.Report) throws {
        for n in report.notes { Console.error("note: \(n)") }
        for f in report.failures { Console.error("flowmap ingest: error: \(f)") }
        if output != .text {
            Console.result(report.document(db: db, as: output.format), output.format)
            if !report.failures.isEmpty { throw ExitCode(ExitStatus.cannotEvaluate.rawValue) }
            if report.total.rejected > 0 { throw ExitCode(ExitStatus.finding.rawValue) }
            return
        }
        for f in report.files {
            if let prev = f.duplicateOf {
                Console.out("\(f.path): already ingested (same content as \(prev)); nothing changed")
            }
            if let from = f.resumedFrom {
                Console.out("\(f.path): begins with \(from.path) as ingested before; read from byte \(from.offset) on")
            }
        }
        if let s = report.stoppedBy {
            Console.error("note: stopped by \(s): everything read before it is stored")
        }
        let t = report.total
        Console.out("""
            ingested \(report.files.count - report.files.filter { $0.duplicateOf != nil }.count) input(s) into \(db): \
            \(t.lines) lines, \(t.accepted) accepted (\(t.replies) replies), \(t.skipped) skipped, \(t.rejected) rejected
            """ + (dedupeWindow == nil ? "" : ", \(t.duplicates) already stored (--dedupe-window)"))
        for k in t.unoriented.keys.sorted() {
            Console.error("warning: direction undecided (no listening port known on either end): \(k) "
                          + "(\(t.unoriented[k]!) flow(s)); ingest an inventory or flows with TCP flags / is_reply")
        }
        if t.unorientedOther > 0 {
            Console.error("warning: \(t.unorientedOther) more flow(s) with an undecided direction")
        }
        if !report.failures.isEmpty { throw ExitCode(ExitStatus.cannotEvaluate.rawValue) }
        if t.rejected > 0 { throw ExitCode(ExitStatus.finding.rawValue) }
    }
}
