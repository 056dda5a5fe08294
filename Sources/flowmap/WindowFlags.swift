import ArgumentParser
import FlowMapKit

/// `--since/--until` of every verb that reads evidence: whole time buckets of the store.
struct WindowFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Only evidence from this time on: RFC 3339, or back from now (30m, 24h, 7d).",
                               discussion: "Selects whole buckets of the store (1h unless ingest --bucket said "
                                   + "otherwise): the bucket holding --since is taken whole."))
    var since: String?

    @Option(help: "Only evidence up to this time (same forms; the bucket holding it is taken whole).")
    var until: String?

    /// A bad time is a usage error of the verb (its usage line, exit 2).
    func validate() throws { _ = try window }

    var window: TimeWindow {
        get throws {
            do {
                return try TimeFlag.window(since: since, until: until)
            } catch let e as TimeFlag.Failure {
                throw ValidationError(e.description)
            }
        }
    }
}
