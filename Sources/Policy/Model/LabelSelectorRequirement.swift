/// One `matchExpressions` entry of a label selector.
public struct LabelSelectorRequirement: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
    }

    public var key: String
    public var op: Operator
    public var values: [String]

    public init(key: String, op: Operator, values: [String] = []) {
        self.key = key
        self.op = op
        self.values = values
    }

    /// `NotIn` and `DoesNotExist` match objects without the key (semantics D2).
    public func matches(_ labels: [String: String]) -> Bool {
        switch op {
        case .in: return labels[key].map { values.contains($0) } ?? false
        case .notIn: return labels[key].map { !values.contains($0) } ?? true
        case .exists: return labels[key] != nil
        case .doesNotExist: return labels[key] == nil
        }
    }
}
