import ArgumentParser
import FlowMapKit

/// The implementation-defined NetworkPolicy behaviours (docs/netpol-semantics.md E3, G1, B6, F4) as flags.
/// Defaults match netpol-analyzer and NCA.
struct EvaluatorFlags: ParsableArguments {
    @Flag(help: "ipBlocks also match pod IPs (upstream e2e / cyclonus behaviour; default: they never do).")
    var ipblockMatchesPods = false

    @Option(help: "Host-network pods: 'pods' (selected and isolated like any pod) or 'node' (node traffic).")
    var hostNetwork: String = "pods"

    @Flag(help: "Evaluate a pod's traffic to itself like any other pair (cyclonus; default: always allowed).")
    var evaluateSelf = false

    @Flag(help: "The CNI ignores endPort: only `port` of a range is enforced.")
    var noEndPort = false

    func options() throws -> EvaluatorOptions {
        guard let mode = EvaluatorOptions.HostNetworkMode(rawValue: hostNetwork) else {
            throw ValidationError("--host-network \(hostNetwork): expected pods or node")
        }
        return EvaluatorOptions(ipBlockMatchesPodIPs: ipblockMatchesPods, hostNetwork: mode,
                                selfAlwaysAllowed: !evaluateSelf, endPortSupported: !noEndPort)
    }
}

extension OutputFormat: ExpressibleByArgument {}
