import FlowModel

/// A Cilium endpoint selector: `matchLabels` AND `matchExpressions`, keys with a label source (CS1, CS2).
public struct CiliumSelector: Sendable, Hashable, CustomStringConvertible {
    public struct Requirement: Sendable, Hashable {
        public var source: String
        public var key: String
        public var op: LabelSelectorRequirement.Operator
        public var values: [String]

        public init(source: String, key: String, op: LabelSelectorRequirement.Operator, values: [String] = []) {
            self.source = source
            self.key = key
            self.op = op
            self.values = values
        }
    }

    /// matchLabels entries become `In` requirements with one value.
    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    /// From `matchLabels`-style text keys (`k8s:app`, `app`, `reserved:host`).
    public init(matchLabels: [String: String]) {
        requirements = matchLabels.keys.sorted().map { k in
            let (s, key) = CiliumLabel.parseKey(k)
            return Requirement(source: s, key: key, op: .in, values: [matchLabels[k]!])
        }
    }

    public static let everything = CiliumSelector()

    public var isEmpty: Bool { requirements.isEmpty }

    public func matches(_ labels: CiliumLabelSet) -> Bool {
        for r in requirements {
            let v = labels.value(source: r.source, key: r.key)
            switch r.op {
            case .in: if v.map({ !r.values.contains($0) }) ?? true { return false }
            case .notIn: if let v, r.values.contains(v) { return false }
            case .exists: if v == nil { return false }
            case .doesNotExist: if v != nil { return false }
            }
        }
        return true
    }

    /// True when some requirement names this key with a source that can match `k8s` labels.
    public func hasKey(_ key: String) -> Bool {
        requirements.contains { $0.key == key && ($0.source == CiliumLabel.any || $0.source == CiliumLabel.k8s) }
    }

    public func hasKeyPrefix(_ prefix: String) -> Bool {
        requirements.contains {
            $0.key.hasPrefix(prefix) && ($0.source == CiliumLabel.any || $0.source == CiliumLabel.k8s)
        }
    }

    public var hasReservedKey: Bool { requirements.contains { $0.source == CiliumLabel.reserved } }

    public func adding(_ r: Requirement) -> CiliumSelector {
        var s = self
        s.requirements.append(r)
        return s
    }

    public var description: String {
        if isEmpty { return "{}" }
        return requirements.map { r in
            let k = "\(r.source):\(r.key)"
            switch r.op {
            case .in: return r.values.count == 1 ? "\(k)=\(r.values[0])" : "\(k) in (\(r.values.joined(separator: ",")))"
            case .notIn: return "\(k) notin (\(r.values.joined(separator: ",")))"
            case .exists: return k
            case .doesNotExist: return "!\(k)"
            }
        }.joined(separator: ",")
    }
}
