import ArgumentParser
import FlowMapKit

/// The implementation-defined NetworkPolicy behaviours (docs/netpol-semantics.md E3, G1, B6, F4) as flags.
/// Defaults match netpol-analyzer and NCA.
struct EvaluatorFlags: ParsableArguments {
    @Flag(help: "ipBlocks also match pod IPs (upstream e2e / cyclonus behaviour; default: they never do).")
    var ipblockMatchesPods = false

    @Option(help: "Host-network pods: 'pods' (selected and isolated like any pod) or 'node' (node traffic).")
    var hostNetwork: HostNetworkMode = .asPods

    @Flag(help: "Evaluate a pod's traffic to itself like any other pair (cyclonus; default: always allowed).")
    var evaluateSelf = false

    @Flag(help: "The CNI ignores endPort: only `port` of a range is enforced.")
    var noEndPort = false

    // Cilium agent settings for sets with Cilium policies (docs/cilium-semantics.md, "Configuration").
    @Option(help: "Cilium policy-enforcement mode.")
    var ciliumEnforcement: CiliumEnforcement = .default

    @Flag(help: "Cilium agent with enable-non-default-deny-policies=false: enableDefaultDeny is ignored.")
    var ciliumIgnoreEnableDefaultDeny = false

    @Flag(help: "Cilium allow-localhost=policy: a pod's own node is policed like any peer.")
    var ciliumPoliceLocalhost = false

    @Flag(help: "Cilium host firewall on: nodeSelector policies police the host.")
    var ciliumHostFirewall = false

    @Flag(help: "Cilium dual-stack identities: external addresses are world-ipv4 / world-ipv6.")
    var ciliumDualStack = false

    @Flag(help: "Cilium enable-sctp: ANY covers SCTP and SCTP rules apply.")
    var ciliumSctp = false

    @Flag(inversion: .prefixedNo,
          help: ArgumentHelp("Cilium policy-default-local-cluster (ClusterMesh; default on, as in Cilium 1.19).",
                             discussion: "On: selectors without io.cilium.k8s.policy.cluster, and NetworkPolicy "
                                 + "peers, select the local cluster only. --no-cilium-policy-default-local-cluster: "
                                 + "they select every cluster of the mesh (Cilium 1.18 and older). "
                                 + "See docs/topologies.md."))
    var ciliumPolicyDefaultLocalCluster = true

    @Option(help: "Cilium cluster-name of the local cluster (the value of io.cilium.k8s.policy.cluster on its pods).")
    var ciliumClusterName = "default"

    func options() throws -> EvaluatorOptions {
        var o = EvaluatorOptions(ipBlockMatchesPodIPs: ipblockMatchesPods, hostNetwork: hostNetwork,
                                 selfAlwaysAllowed: !evaluateSelf, endPortSupported: !noEndPort)
        o.cilium = CiliumOptions(enforcement: ciliumEnforcement, nonDefaultDenyPolicies: !ciliumIgnoreEnableDefaultDeny,
                                 allowLocalhost: !ciliumPoliceLocalhost, hostFirewall: ciliumHostFirewall,
                                 dualStack: ciliumDualStack, sctp: ciliumSctp, clusterName: ciliumClusterName,
                                 policyDefaultLocalCluster: ciliumPolicyDefaultLocalCluster)
        return o
    }

    /// `o` with these evaluator options and what `inputs` accept: the same in every policy verb.
    func apply(_ inputs: PolicyInputFlags, to o: inout some EvaluatingOptions) throws {
        o.evaluator = try options()
        o.accept = inputs.acceptance
    }
}

/// The options of the verbs that evaluate a policy set.
protocol EvaluatingOptions {
    var evaluator: EvaluatorOptions { get set }
    var accept: PolicyInputs.Acceptance { get set }
}

extension Check.Options: EvaluatingOptions {}
extension Connectivity.Options: EvaluatingOptions {}
extension Diff.Options: EvaluatingOptions {}
extension Explain.Options: EvaluatingOptions {}
extension Map.Options: EvaluatingOptions {}
extension Watch.Options: EvaluatingOptions {}
