import Inference

/// Writes a `PolicyPlan` in the chosen flavour (`EmitOptions.flavor`).
public struct PolicyEmitter: Sendable {
    public var options: EmitOptions

    public init(options: EmitOptions = EmitOptions()) { self.options = options }

    /// File name -> contents, plus `kustomization.yaml` listing the others.
    public func files(for plan: PolicyPlan) -> [(name: String, text: String)] {
        switch options.flavor {
        case .k8s: return NetworkPolicyEmitter(options: options).files(for: plan)
        case .cilium: return CiliumPolicyEmitter(options: options).files(for: plan)
        }
    }

    /// All policies as one multi-document stream (for `--out -`).
    public func stream(for plan: PolicyPlan) -> String {
        switch options.flavor {
        case .k8s: return NetworkPolicyEmitter(options: options).stream(for: plan)
        case .cilium: return CiliumPolicyEmitter(options: options).stream(for: plan)
        }
    }
}
