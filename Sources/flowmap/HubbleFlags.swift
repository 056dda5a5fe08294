import ArgumentParser
import FlowMapKit

/// Reading Hubble's gRPC API directly (`ingest --hubble`, `watch --hubble`); TLS flags as the `hubble` CLI
/// names them.
struct HubbleFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Read flows from Hubble over gRPC: Relay (localhost:4245) or one node's server "
                               + "(HOST:4244, unix:///var/run/cilium/hubble.sock).", valueName: "addr"))
    var hubble: String?

    @Flag(help: ArgumentHelp("With --hubble: ask peer.Peer/Notify at that address for the nodes and read every "
                             + "node's Hubble server in parallel (instead of Relay's single stream)."))
    var hubbleNodes = false

    @Flag(help: "With --hubble: keep reading new flows until interrupted (ingest; watch always follows).")
    var follow = false

    @Option(help: ArgumentHelp("With --hubble: flows from this time on: RFC 3339, or back from now (30m, 2h, 7d).",
                               valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("With --hubble: flows up to this time (same forms).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("With --hubble: a flow.FlowFilter as JSON, as `hubble observe --allowlist` takes "
                               + "it, e.g. '{\"source_pod\":[\"shop/\"]}' (repeatable: a flow matching any is read).",
                               valueName: "json"))
    var hubbleAllowlist: [String] = []

    @Option(help: ArgumentHelp("With --hubble: a flow.FlowFilter as JSON; flows matching any are not read "
                               + "(repeatable).", valueName: "json"))
    var hubbleDenylist: [String] = []

    @OptionGroup var tls: HubbleTLSFlags

    /// Nil without --hubble; refuses Hubble-only flags then.
    func options(follow forced: Bool = false) throws -> HubbleFeedOptions? {
        guard let addr = hubble else {
            if hubbleNodes || follow || since != nil || until != nil || !hubbleAllowlist.isEmpty
                || !hubbleDenylist.isEmpty || tls.given {
                throw ValidationError("--hubble-nodes, --follow, --since, --until, --hubble-allowlist/denylist and "
                                      + "--tls* read from Hubble: pass --hubble ADDR")
            }
            return nil
        }
        var o = HubbleFeedOptions(address: addr)
        o.nodes = hubbleNodes
        o.follow = follow || forced
        do {
            (o.since, o.until) = try TimeFlag.bounds(since: since, until: until)
        } catch let e as TimeFlag.Failure {
            throw ValidationError(e.description)
        }
        o.allowlist = hubbleAllowlist
        o.denylist = hubbleDenylist
        o.tls = tls.options
        return o
    }
}
