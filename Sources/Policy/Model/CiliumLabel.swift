import FlowModel

/// A Cilium label: source (`k8s`, `reserved`, ...; `any` in selectors), key and value (CS1).
public struct CiliumLabel: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let any = "any"
    public static let k8s = "k8s"
    public static let reserved = "reserved"

    /// Labels Cilium derives for every pod (pkg/k8s/apis/cilium.io/const.go).
    public static let namespaceKey = "io.kubernetes.pod.namespace"
    public static let namespaceLabelsPrefix = "io.cilium.k8s.namespace.labels."
    public static let clusterKey = "io.cilium.k8s.policy.cluster"
    public static let serviceAccountKey = "io.cilium.k8s.policy.serviceaccount"

    public var source: String
    public var key: String
    public var value: String

    public init(source: String, key: String, value: String = "") {
        self.source = source
        self.key = key
        self.value = value
    }

    /// `source:key` as written in a selector; no `:` means source `any` (Cilium's `parseSource`). A leading
    /// `$` is the old spelling of `reserved:`.
    public static func parseKey(_ text: String) -> (source: String, key: String) {
        if text.hasPrefix("$") { return (reserved, String(text.dropFirst())) }
        guard let i = text.firstIndex(of: ":") else { return (any, text) }
        return (String(text[..<i]), String(text[text.index(after: i)...]))
    }

    public static func < (a: CiliumLabel, b: CiliumLabel) -> Bool {
        (a.source, a.key, a.value) < (b.source, b.key, b.value)
    }

    public var description: String { value.isEmpty ? "\(source):\(key)" : "\(source):\(key)=\(value)" }
}
