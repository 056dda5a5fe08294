/// Kubernetes name and label syntax checks (apimachinery validation), returning the API server's message or nil.
public enum LabelSyntax {
    static func isAlnum(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber)
    }

    static func isLowerAlnum(_ c: Character) -> Bool {
        c.isASCII && ((c >= "a" && c <= "z") || (c >= "0" && c <= "9"))
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters.
    static func isQualifiedNamePart(_ s: Substring) -> Bool {
        guard !s.isEmpty, s.count <= 63, let f = s.first, let l = s.last, isAlnum(f), isAlnum(l) else { return false }
        return s.allSatisfy { isAlnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    public static func dnsLabelError(_ s: String) -> String? {
        let ok = !s.isEmpty && s.count <= 63 && isLowerAlnum(s.first!) && isLowerAlnum(s.last!)
            && s.allSatisfy { isLowerAlnum($0) || $0 == "-" }
        return ok ? nil : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    }

    public static func dnsSubdomainError(_ s: String) -> String? {
        let ok = !s.isEmpty && s.count <= 253 && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && isLowerAlnum($0.first!) && isLowerAlnum($0.last!) && $0.allSatisfy { isLowerAlnum($0) || $0 == "-" }
        }
        return ok ? nil : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    }

    /// Label keys: optional DNS-subdomain prefix and `/`, then a qualified name part.
    public static func qualifiedNameError(_ s: String) -> String? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        let msg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')"
        switch parts.count {
        case 1:
            return isQualifiedNamePart(parts[0]) ? nil : msg
        case 2:
            if parts[0].isEmpty || dnsSubdomainError(String(parts[0])) != nil {
                return "prefix part must be a lowercase RFC 1123 subdomain"
            }
            return isQualifiedNamePart(parts[1]) ? nil : msg
        default:
            return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'"
        }
    }

    public static func labelValueError(_ s: String) -> String? {
        if s.isEmpty { return nil }
        return isQualifiedNamePart(Substring(s)) ? nil : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    }

    /// IANA_SVC_NAME: at most 15 characters, lowercase alphanumerics and '-', at least one letter, no leading,
    /// trailing or double '-'.
    public static func portNameError(_ s: String) -> String? {
        if s.isEmpty || s.count > 15 { return "must be no more than 15 characters" }
        if !s.allSatisfy({ isLowerAlnum($0) || $0 == "-" }) {
            return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        }
        if !s.contains(where: { $0 >= "a" && $0 <= "z" }) { return "must contain at least one letter (a-z)" }
        if s.contains("--") { return "must not contain consecutive hyphens" }
        if s.hasPrefix("-") || s.hasSuffix("-") { return "must not begin or end with a hyphen" }
        return nil
    }
}
