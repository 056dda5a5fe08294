import ArgumentParser
import FlowMapKit

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Capture a cluster: its inventory (kubectl) first, then Hubble flows for a duration, into the store.",
        usage: "flowmap collect --duration <duration> [<options>]",
        discussion: """
            Runs `kubectl get namespaces,pods,services,endpointslices,nodes -A -o json` (with --context) and \
            ingests it as the inventory, then `hubble observe -o jsonpb --follow` for --duration, committed in \
            batches. At the duration, or on Ctrl-C, hubble is stopped and everything it wrote is kept. \
            With --hubble ADDR the flows are read from Hubble's gRPC API instead (no hubble binary). \
            kubectl and hubble must be on PATH (the error says what to install). Each -n must be a namespace \
            of the cluster. Capture long enough to see every workload's regular traffic (at least 30m; a day \
            catches batch jobs).
            """
    )

    @Option(help: "The store (SQLite file); created when missing.")
    var db = StoreDefault.db

    @Option(help: "How long to capture flows: 30m, 2h, 1h30m, 90s.")
    var duration: String

    @Option(help: "kubectl context (kubectl --context).")
    var context: String?

    /// Only flows with an end in these namespaces (hubble observe --namespace); the inventory is of all.
    @OptionGroup var namespaces: NamespaceFlags

    @Option(help: "Hubble Relay address for the hubble binary (hubble observe --server), e.g. localhost:4245.")
    var hubbleServer: String?

    @Option(help: ArgumentHelp("Read flows from Hubble's gRPC API at this address instead of running hubble "
                               + "observe: Relay (localhost:4245) or one node's server (HOST:4244).",
                               valueName: "addr"))
    var hubble: String?

    @OptionGroup var tls: HubbleTLSFlags

    @Option(help: "Flows per transaction.")
    var batchFlows = 200_000

    @Option(name: [.short, .long], help: "What is printed about the run: text, json or yaml (progress stays on stderr).")
    var output: PlainFormat = .text

    func validate() throws {
        if hubble != nil && hubbleServer != nil {
            throw ValidationError("--hubble reads gRPC itself, --hubble-server is for the hubble binary: pass one")
        }
        if hubble == nil && tls.given {
            throw ValidationError("--tls* are for --hubble ADDR (the hubble binary takes its TLS settings from its "
                                  + "own config: `hubble config view`)")
        }
    }

    func run() throws {
        guard let seconds = Collect.parse(duration: duration) else {
            throw ValidationError("--duration \(duration): expected a duration such as 30m, 2h, 1h30m or 90s")
        }
        var o = Collect.Options(db: db, duration: seconds)
        o.context = context
        o.namespaces = namespaces.namespace
        o.hubbleServer = hubbleServer
        o.hubbleAddress = hubble
        o.hubbleTLS = tls.options
        o.batchFlows = batchFlows
        var rejected = 0
        let r = try Collect.run(o, onIssue: { issue in
            rejected += 1
            if rejected <= IngestCommand.issuesShownPerFile { Console.error(issue.description) }
        }, onStage: { Console.error("collect: \($0)") })
        for n in r.inventory.notes + r.flows.notes { Console.error("note: \(n)") }
        for f in r.flows.failures { Console.error("flowmap collect: error: \(f)") }
        let inv = r.inventory.total
        let t = r.flows.total
        if t.lines == 0 && r.flows.failures.isEmpty {
            Console.error("warning: no flow was read in \(duration): is Hubble reachable and the cluster busy? "
                          + "(`hubble status`; a longer --duration)")
        }
        if output != .text {
            Console.result(r.document(db: db, as: output.format), output.format)
        } else {
            Console.out("collected into \(db): inventory \(inv.lines) object(s); flows: \(t.lines) lines, "
                        + "\(t.accepted) accepted (\(t.replies) replies), \(t.skipped) skipped, \(t.rejected) rejected")
            Console.out("next: flowmap generate --db \(db) --out policies/")
        }
        if !r.flows.failures.isEmpty { throw ExitCode(ExitStatus.cannotEvaluate.rawValue) }
        if t.rejected + inv.rejected > 0 { throw ExitStatus.findingCode }
    }
}
