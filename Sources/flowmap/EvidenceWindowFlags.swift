import ArgumentParser
import FlowMapKit

/// `--since` / `--until` of every verb that reads evidence.
struct EvidenceWindowFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Only evidence seen at or after this RFC 3339 time.",
                               discussion: "Edges are stored aggregated: an edge is used when its first..last seen "
                                   + "span overlaps the window, with its whole count."))
    var since: String?

    @Option(help: "Only evidence seen at or before this RFC 3339 time (same overlap rule as --since).")
    var until: String?

    func validate() throws {
        let w = try window()
        if let s = w.since, let u = w.until, s > u {
            throw ValidationError("--since \(since!) is after --until \(until!): the window is empty; swap them")
        }
    }

    func window() throws -> EvidenceWindow {
        EvidenceWindow(since: try since.map { try Self.time($0, "--since") },
                       until: try until.map { try Self.time($0, "--until") })
    }

    /// The one place the CLI reads a time.
    static func time(_ s: String, _ flag: String) throws -> Int64 {
        guard let t = Timestamp.parseRFC3339(s) else {
            throw ValidationError("\(flag) \(s): expected an RFC 3339 time such as 2024-05-01T00:00:00Z")
        }
        return t
    }
}
