/// Per-policy structural diff (by namespace/name) of the normalized policy text: added, removed, and changed
/// policies with a unified-style line diff.
public enum StructuralDiff {
    public static func format(old: [NetworkPolicy], new: [NetworkPolicy], markdown: Bool = false) -> String {
        var a: [String: NetworkPolicy] = [:], b: [String: NetworkPolicy] = [:]
        for p in old { a[p.qualifiedName] = p }
        for p in new { b[p.qualifiedName] = p }
        var s = markdown ? "\n### Structural diff\n\n```diff\n" : "\nStructural diff:\n"
        var any = false
        for name in Set(a.keys).union(b.keys).sorted() {
            let x = a[name].map(CanonicalPolicyText.lines) ?? [], y = b[name].map(CanonicalPolicyText.lines) ?? []
            if x == y { continue }
            any = true
            let state = a[name] == nil ? "added" : (b[name] == nil ? "removed" : "changed")
            s += "--- \(name) (\(state))\n"
            for line in lineDiff(x, y) { s += line + "\n" }
        }
        if !any { s += "no policy differs\n" }
        if markdown { s += "```\n" }
        return s
    }

    /// LCS line diff: ` ` kept, `-` only in a, `+` only in b.
    static func lineDiff(_ a: [String], _ b: [String]) -> [String] {
        let n = a.count, m = b.count
        var l = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                l[i][j] = a[i] == b[j] ? l[i + 1][j + 1] + 1 : max(l[i + 1][j], l[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && a[i] == b[j] {
                out.append("  " + a[i]); i += 1; j += 1
            } else if j < m && (i == n || l[i][j + 1] >= l[i + 1][j]) {
                out.append("+ " + b[j]); j += 1
            } else {
                out.append("- " + a[i]); i += 1
            }
        }
        return out
    }
}
