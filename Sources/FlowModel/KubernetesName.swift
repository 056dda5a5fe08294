/// Kubernetes object-name syntax for what captures say about a pod: its namespace (a DNS-1123 label), its pod
/// and workload names and kind. Together with `KubernetesLabel` (label keys and values) this is the one
/// validator every reader runs before a peer reaches the store: a name with a NUL, a control character or any
/// other text the API server would reject is rejected with its field, never truncated and never written into a
/// `namespace:` or a selector.
public enum KubernetesName {
    /// Which part of a pod's identity is invalid, and why (the reader names the field).
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Part: Sendable, Equatable {
            case namespace, pod, workload, kind
            case labelKey(String)
            case labelValue(String)
        }
        public var part: Part
        public var message: String
        public var description: String { message }
    }

    /// DNS-1123 label: 1..63 of `a-z0-9-`, alphanumeric at both ends.
    public static func isValidNamespace(_ s: String) -> Bool { KubernetesLabel.isDNSLabel(Substring(s)) }

    /// A pod or workload name: 1..253 of `[A-Za-z0-9._-]`, alphanumeric at both ends. (Object names are DNS-1123
    /// subdomains; a workload named from an `app` label may also be any valid label value.)
    public static func isValidName(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return !b.isEmpty && b.count <= 253 && KubernetesLabel.isAlnum(b.first!) && KubernetesLabel.isAlnum(b.last!)
            && b.allSatisfy { KubernetesLabel.isAlnum($0) || $0 == 45 || $0 == 46 || $0 == 95 }
    }

    /// A kind: 1..63 ASCII letters and digits, a letter first (`Deployment`, `StatefulSet`, a CRD's kind).
    public static func isValidKind(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return !b.isEmpty && b.count <= 63 && ((b[0] >= 65 && b[0] <= 90) || (b[0] >= 97 && b[0] <= 122))
            && b.allSatisfy(KubernetesLabel.isAlnum)
    }

    /// The first invalid part of a pod's identity, nil when all are valid. Empty `pod` means "not given".
    public static func problem(namespace: String, pod: String = "", workload: String? = nil, kind: String? = nil,
                               labels: Labels = [:]) -> Problem? {
        if !isValidNamespace(namespace) {
            return Problem(part: .namespace, message: "not a valid Kubernetes namespace (at most 63 of a-z, 0-9 "
                           + "and '-', alphanumeric at both ends): \(IPAddr.quoted(namespace))")
        }
        if !pod.isEmpty && !isValidName(pod) {
            return Problem(part: .pod, message: "not a valid Kubernetes pod name: \(IPAddr.quoted(pod))")
        }
        if let w = workload, !isValidName(w) {
            return Problem(part: .workload, message: "not a valid Kubernetes workload name: \(IPAddr.quoted(w))")
        }
        if let k = kind, !isValidKind(k) {
            return Problem(part: .kind, message: "not a valid Kubernetes kind: \(IPAddr.quoted(k))")
        }
        return labelProblem(labels)
    }

    /// The first invalid label key or value (in key order), nil when every pair is valid.
    public static func labelProblem(_ labels: Labels) -> Problem? {
        guard labels.contains(where: { !KubernetesLabel.isValidKey($0.key) || !KubernetesLabel.isValidValue($0.value) })
        else { return nil }
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) {
            if !KubernetesLabel.isValidKey(k) {
                return Problem(part: .labelKey(k), message: "not a valid Kubernetes label key: \(IPAddr.quoted(k))")
            }
            if !KubernetesLabel.isValidValue(v) {
                return Problem(part: .labelValue(k), message: "label \(IPAddr.quoted(k)): not a valid Kubernetes "
                               + "label value (at most 63 of A-Z, a-z, 0-9, '-', '_', '.'): \(IPAddr.quoted(v))")
            }
        }
        return nil
    }
}
