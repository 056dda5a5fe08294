/// What an evaluation knowingly left out (`--skip-invalid`, `--ignore-kind`), so every verdict line says it.
public struct EvaluationCaveats: Sendable, Hashable {
    /// Invalid objects evaluated without.
    public var skippedInvalid = 0
    /// Unsupported kinds accepted with `--ignore-kind`, by qualified name, with their object count.
    public var ignoredKinds: [String: Int] = [:]

    public init(skippedInvalid: Int = 0, ignoredKinds: [String: Int] = [:]) {
        self.skippedInvalid = skippedInvalid
        self.ignoredKinds = ignoredKinds
    }

    public var isEmpty: Bool { skippedInvalid == 0 && ignoredKinds.isEmpty }

    /// ` (evaluated without 2 invalid objects: --skip-invalid; ignoring 1 CiliumNetworkPolicy.cilium.io: --ignore-kind)`,
    /// or empty.
    public var suffix: String {
        var parts: [String] = []
        if skippedInvalid > 0 { parts.append("evaluated without \(skippedInvalid) invalid object(s): --skip-invalid") }
        if !ignoredKinds.isEmpty {
            let kinds = ignoredKinds.keys.sorted().map { "\(ignoredKinds[$0]!) \($0)" }.joined(separator: ", ")
            parts.append("ignoring \(kinds): --ignore-kind")
        }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")"
    }

    public struct JSON: Encodable, Sendable {
        public struct Kind: Encodable, Sendable {
            var kind: String
            var count: Int
        }
        var skipped_invalid: Int
        var ignored_kinds: [Kind]
    }

    /// The `caveats` object of every policy verb's JSON.
    public var json: JSON {
        JSON(skipped_invalid: skippedInvalid,
             ignored_kinds: ignoredKinds.keys.sorted().map { JSON.Kind(kind: $0, count: ignoredKinds[$0]!) })
    }
}
