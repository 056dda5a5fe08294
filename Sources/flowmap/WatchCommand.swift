import ArgumentParser
import FlowMapKit

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Shadow mode: evaluate a live flow stream against a policy set and report what it would block.",
        discussion: """
            Reads a stream (- for stdin, or --hubble ADDR for Hubble's gRPC API) and replays every connection it \
            shows against the policy set with the evaluation `check` uses. A connection the set would block is \
            printed the first time it is seen, then its count again when it grew (at most every \
            --update-seconds); a summary is printed at the end of the input or on SIGINT / SIGTERM, e.g.
              hubble observe -o jsonpb --follow | flowmap watch --policies out/policies -
              flowmap watch --policies out/policies --hubble localhost:4245 -o jsonl
            The stream's format is told from its first lines (as `ingest --format auto`; --hubble reads Hubble). \
            With --db the stream is also ingested into that store (batches as `ingest -`), and the store's \
            inventory and earlier labels are used; only what the stream adds is reported. \
            Exit status: 0 nothing would be blocked; 1 something would be (or lines were rejected); 2 could not \
            evaluate (invalid policies, a connection with an unknown end, an unreadable Hubble source ...).
            """
    )

    @Option(help: ArgumentHelp("Policy manifests: file, folder (recursive) or - ... (repeatable).",
                               discussion: "Pods, namespaces and controllers in the same path supply labels and ports."))
    var policies: [String]

    @Option(help: "Also ingest the stream into this store (SQLite file; created when missing).")
    var db: String?

    @Option(name: [.short, .long],
            help: "Output: text, jsonl (one JSON object per event, for alerting) or json (one document at the end).")
    var output: WatchFormatter.Style = .text

    @Option(help: "Evaluate (and commit) at least this often while flows arrive, in seconds.")
    var batchSeconds = 1.0

    @Option(help: "Report a blocked connection's growing count at most this often, in seconds.")
    var updateSeconds = 10.0

    @OptionGroup var hubbleFlags: HubbleFlags
    @OptionGroup var inputs: PolicyInputFlags
    @OptionGroup var evaluator: EvaluatorFlags

    @Argument(help: "The stream: - for stdin (or a file / FIFO); none with --hubble.")
    var input: String?

    func run() throws {
        var hubble = try hubbleFlags.options(follow: true)
        // A source given up while the watch runs on (a node, Relay's word on one) is told at once, not only at the end.
        hubble?.onFailure = { Console.error("error: \($0); the watch goes on with the rest and will exit 2") }
        if hubble != nil && input != nil { throw ValidationError("pass either --hubble ADDR or a stream (-), not both") }
        if hubble == nil && input == nil { throw ValidationError("nothing to watch: pass - (stdin) or --hubble ADDR") }
        var o = Watch.Options(policies: policies, db: db)
        try evaluator.apply(inputs, to: &o)
        o.format = hubble != nil ? .hubble : .auto
        o.batchSeconds = batchSeconds
        o.updateSeconds = updateSeconds
        let stop = StopSignal()
        o.stopDescriptor = stop.readFD
        let style = output
        var rejected = 0
        let onIssue: (InputIssue) -> Void = { issue in
            rejected += 1
            if rejected <= 50 { Console.error(issue.description) }
            if rejected == 51 { Console.error("more rejected lines not shown; the summary counts them all") }
        }
        let onEvent: (Watch.Event) -> Void = { e in
            guard style.streamsEvents else { return }
            Self.emit(WatchFormatter.line(e, style: style), style)
            Console.flush()
        }
        let summary: Watch.Summary
        var lost: Int64 = 0
        var failures: [String] = []
        if let h = hubble {
            let session = try Watch.prepare(o)
            let (s, feed) = try Live.withHubble(h) { fd, name in
                session.options.stdinDescriptor = fd
                session.options.streamName = name
                return try session.run(path: "-", onIssue: onIssue, onEvent: onEvent)
            }
            summary = s
            lost = feed.lostEvents
            failures = feed.failures
            for n in Live.notes(feed) { Console.error("note: \(n)") }
        } else {
            summary = try Watch.prepare(o).run(path: input!, onIssue: onIssue, onEvent: onEvent)
        }
        for line in summary.notes { Console.error(line) }
        Self.emit(WatchFormatter.summary(summary, style: style, lostEvents: lost), style)
        for f in failures { Console.error("error: \(f)") }
        if !failures.isEmpty { throw ExitCode(ExitStatus.cannotEvaluate.rawValue) }
        if summary.report.unresolvedConnections > 0 {
            Console.error("error: \(summary.report.unresolvedConnections) connection(s) were not evaluated: an end is "
                          + "not in the inventory (add its Pods or controllers to the policies path)")
            throw ExitCode(ExitStatus.cannotEvaluate.rawValue)
        }
        if summary.report.breaks || summary.counts.rejected > 0 { throw ExitStatus.findingCode }
    }

    /// JSON keeps capture text as `\u` escapes (every verb's JSON); text goes through the terminal-safe printer.
    static func emit(_ s: String, _ style: WatchFormatter.Style) {
        switch style {
        case .text: Console.out(s)
        case .jsonl: Console.result(s + "\n", .json)
        case .json: Console.result(s, .json)
        }
    }
}

extension WatchFormatter.Style: ExpressibleByArgument {}
