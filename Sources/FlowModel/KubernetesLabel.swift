/// Kubernetes label and name syntax (apimachinery `IsQualifiedName`, `IsValidLabelValue`, `IsDNS1123Label`,
/// `IsDNS1123Subdomain`, `IsValidPortName`): the one validator every reader, the inference and the manifest
/// decoder use. Captures can carry label text the API server would reject; such a pair must never reach a
/// selector, where it would make the whole policy invalid. The `…Error` forms return the API server's message
/// (what `kubectl apply` would print), nil when the text is valid.
public enum KubernetesLabel {
    /// `[prefix/]name`: prefix a DNS-1123 subdomain (at most 253 in all; apimachinery caps the subdomain, not its
    /// dot-separated parts), name at most 63 of `[A-Za-z0-9_.-]`, alphanumeric at both ends.
    public static func isValidKey(_ key: String) -> Bool { keyError(key) == nil }

    /// Empty, or at most 63 of `[A-Za-z0-9_.-]` with an alphanumeric at both ends.
    public static func isValidValue(_ value: String) -> Bool {
        value.isEmpty || isNamePart(Substring(value))
    }

    /// The API server's message for an invalid label key (a qualified name), nil when valid.
    public static func keyError(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let msg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
            + "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')"
        switch parts.count {
        case 1:
            return isNamePart(parts[0]) ? nil : msg
        case 2:
            if !isSubdomain(parts[0]) { return "prefix part must be a lowercase RFC 1123 subdomain" }
            return isNamePart(parts[1]) ? nil : msg
        default:
            return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS "
                + "subdomain prefix and '/'"
        }
    }

    /// The API server's message for an invalid label value, nil when valid.
    public static func valueError(_ value: String) -> String? {
        isValidValue(value) ? nil : "a valid label must be an empty string or consist of alphanumeric characters, "
            + "'-', '_' or '.', and must start and end with an alphanumeric character"
    }

    /// The API server's message for an invalid DNS-1123 label (a namespace), nil when valid.
    public static func dnsLabelError(_ s: String) -> String? {
        isDNSLabel(Substring(s)) ? nil : "a lowercase RFC 1123 label must consist of lower case alphanumeric "
            + "characters or '-', and must start and end with an alphanumeric character"
    }

    /// The API server's message for an invalid DNS-1123 subdomain (an object name), nil when valid.
    public static func dnsSubdomainError(_ s: String) -> String? {
        isSubdomain(Substring(s)) ? nil : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            + "characters, '-' or '.', and must start and end with an alphanumeric character"
    }

    /// IANA_SVC_NAME (a container port's or a policy port's name): at most 15 characters, lowercase
    /// alphanumerics and '-', at least one letter, no leading, trailing or double '-'. The API server's message,
    /// nil when valid.
    public static func portNameError(_ s: String) -> String? {
        let b = Array(s.utf8)
        if b.isEmpty || b.count > 15 { return "must be no more than 15 characters" }
        if !b.allSatisfy({ isLowerAlnum($0) || $0 == 45 }) {
            return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        }
        if !b.contains(where: { $0 >= 97 && $0 <= 122 }) { return "must contain at least one letter (a-z)" }
        if s.contains("--") { return "must not contain consecutive hyphens" }
        if b.first == 45 || b.last == 45 { return "must not begin or end with a hyphen" }
        return nil
    }

    static func isAlnum(_ u: UInt8) -> Bool {
        (u >= 48 && u <= 57) || (u >= 65 && u <= 90) || (u >= 97 && u <= 122)
    }

    static func isLowerAlnum(_ u: UInt8) -> Bool { (u >= 48 && u <= 57) || (u >= 97 && u <= 122) }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 bytes.
    static func isNamePart(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 63, isAlnum(b.first!), isAlnum(b.last!) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// DNS-1123 label: 1..63 of `a-z0-9-`, alphanumeric at both ends.
    static func isDNSLabel(_ s: Substring) -> Bool {
        s.utf8.count <= 63 && isSubdomainPart(s)
    }

    /// DNS-1123 subdomain: at most 253 in all, dot-separated parts of `a-z0-9-` with an alphanumeric at both ends.
    /// (apimachinery's `IsDNS1123Subdomain` caps the whole text only, not each part.)
    static func isSubdomain(_ s: Substring) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isSubdomainPart)
    }

    static func isSubdomainPart(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        return !b.isEmpty && isLowerAlnum(b.first!) && isLowerAlnum(b.last!)
            && b.allSatisfy { isLowerAlnum($0) || $0 == 45 }
    }
}
