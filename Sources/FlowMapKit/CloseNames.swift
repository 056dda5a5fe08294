/// "Did you mean" for names given on the command line.
public enum CloseNames {
    /// Known names within a small edit distance of `name` (or containing it, or contained in it), closest first.
    public static func suggest(_ name: String, among known: Set<String>) -> [String] {
        let a = Array(name.lowercased())
        let limit = max(2, a.count / 3)
        let scored = known.compactMap { k -> (Int, String)? in
            let b = Array(k.lowercased())
            if k.lowercased().contains(name.lowercased()) || name.lowercased().contains(k.lowercased()) {
                return (abs(a.count - b.count) > limit ? limit : 0, k)
            }
            let d = distance(a, b)
            return d <= limit ? (d, k) : nil
        }
        return scored.sorted { $0 < $1 }.prefix(3).map(\.1)
    }

    /// Sorted, at most 20 shown.
    static func list(_ known: Set<String>) -> String {
        let s = known.sorted()
        if s.isEmpty { return "none" }
        return s.prefix(20).joined(separator: ", ") + (s.count > 20 ? ", … (\(s.count) in all)" : "")
    }

    /// Levenshtein distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
