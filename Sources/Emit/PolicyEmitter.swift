import Inference
import Policy

/// Writes a `PolicyPlan` in the chosen flavour (`EmitOptions.flavor`).
public struct PolicyEmitter: Sendable {
    public var options: EmitOptions

    public init(options: EmitOptions = EmitOptions()) { self.options = options }

    /// Every generated file (policies and the kustomization) starts with this; a later run into the same directory
    /// removes files that start with it and that it no longer writes, and never touches anything else.
    public static let generatedMarker = GeneratedFile.marker
    /// The start of a generated `evidence.json` (JSON cannot start with a comment; its first key is `$comment`).
    public static let generatedJSONMarker = GeneratedFile.jsonMarker
    /// What a file FlowMap may replace starts with.
    public static let generatedMarkers = [generatedMarker, generatedJSONMarker]

    /// File name -> contents, plus `kustomization.yaml` listing the others; `baseline` (from
    /// `ClusterBaseline.apply`, whose plan this must be) adds `cluster-baseline.yaml`.
    public func files(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> [(name: String, text: String)] {
        switch options.flavor {
        case .k8s: return NetworkPolicyEmitter(options: options).files(for: plan, baseline: baseline)
        case .cilium: return CiliumPolicyEmitter(options: options).files(for: plan, baseline: baseline)
        }
    }

    /// The same files as `files(for:baseline:)`, each produced only when written (`EmittedFile.write`).
    public func emit(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> [EmittedFile] {
        switch options.flavor {
        case .k8s: return NetworkPolicyEmitter(options: options).emit(for: plan, baseline: baseline)
        case .cilium: return CiliumPolicyEmitter(options: options).emit(for: plan, baseline: baseline)
        }
    }

    /// All policies as one multi-document stream (for `--out -`).
    public func stream(for plan: PolicyPlan, baseline: ClusterBaseline? = nil) -> String {
        switch options.flavor {
        case .k8s: return NetworkPolicyEmitter(options: options).stream(for: plan, baseline: baseline)
        case .cilium: return CiliumPolicyEmitter(options: options).stream(for: plan, baseline: baseline)
        }
    }
}
