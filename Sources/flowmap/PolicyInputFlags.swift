import ArgumentParser
import FlowMapKit

/// What a policy verb may knowingly leave out; without these flags invalid objects and unsupported kinds stop
/// the verb with exit 2.
struct PolicyInputFlags: ParsableArguments {
    @Flag(help: "Evaluate without invalid objects (listed on stderr) instead of failing; the verdict line says so.")
    var skipInvalid = false

    @Option(help: ArgumentHelp("Accept objects of this unsupported kind (e.g. CiliumNetworkPolicy.cilium.io) and evaluate without them (repeatable).",
                               valueName: "KIND"))
    var ignoreKind: [String] = []

    var acceptance: PolicyInputs.Acceptance {
        PolicyInputs.Acceptance(skipInvalid: skipInvalid, ignoredKinds: ignoreKind)
    }
}
