/// Kubernetes label syntax (apimachinery `IsQualifiedName` / `IsValidLabelValue`). Captures can carry label
/// text the API server would reject; such a pair must never reach a selector, where it would make the whole
/// policy invalid.
public enum KubernetesLabel {
    /// `[prefix/]name`: prefix a DNS subdomain (at most 253), name at most 63 of `[A-Za-z0-9_.-]`, alphanumeric at
    /// both ends.
    public static func isValidKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isNamePart(parts[0])
        case 2: return isSubdomain(parts[0]) && isNamePart(parts[1])
        default: return false
        }
    }

    /// Empty, or at most 63 of `[A-Za-z0-9_.-]` with an alphanumeric at both ends.
    public static func isValidValue(_ value: String) -> Bool {
        value.isEmpty || isNamePart(Substring(value))
    }

    static func isAlnum(_ u: UInt8) -> Bool {
        (u >= 48 && u <= 57) || (u >= 65 && u <= 90) || (u >= 97 && u <= 122)
    }

    static func isNamePart(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 63, isAlnum(b.first!), isAlnum(b.last!) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    static func isSubdomain(_ s: Substring) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let b = Array(label.utf8)
            func lowerAlnum(_ u: UInt8) -> Bool { (u >= 48 && u <= 57) || (u >= 97 && u <= 122) }
            return !b.isEmpty && b.count <= 63 && lowerAlnum(b.first!) && lowerAlnum(b.last!)
                && b.allSatisfy { lowerAlnum($0) || $0 == 45 }
        }
    }
}
