import Yams

/// Small helpers to walk a document loaded by Yams.
enum Tree {
    static func docs(_ yaml: String) throws -> [[String: Any]] {
        try Yams.load_all(yaml: yaml).map { $0 as? [String: Any] ?? [:] }
    }

    /// Follows keys (String) and indexes (Int) through maps and lists.
    static func at(_ root: Any?, _ path: Any...) -> Any? {
        var cur = root
        for p in path {
            if let k = p as? String { cur = (cur as? [String: Any])?[k] } else if let i = p as? Int {
                guard let l = cur as? [Any], i < l.count else { return nil }
                cur = l[i]
            }
        }
        return cur
    }

    static func list(_ root: Any?, _ path: Any...) -> [Any] {
        var cur = root
        for p in path {
            if let k = p as? String { cur = (cur as? [String: Any])?[k] } else if let i = p as? Int {
                guard let l = cur as? [Any], i < l.count else { return [] }
                cur = l[i]
            }
        }
        return cur as? [Any] ?? []
    }

    static func strings(_ any: Any?) -> [String: String]? {
        guard let m = any as? [String: Any] else { return nil }
        var out = [String: String]()
        for (k, v) in m {
            guard let s = v as? String else { return nil }  // a value read back as another type
            out[k] = s
        }
        return out
    }

    static func name(_ doc: [String: Any]) -> String { at(doc, "metadata", "name") as? String ?? "" }

    /// What Yams returns for a string: Yams decodes scalars with Foundation's `String(bytes:encoding:)`, which
    /// drops one leading U+FEFF (a byte-order mark) even when the YAML escaped it. Our output keeps it (PyYAML
    /// reads it back), so comparisons with Yams apply the same loss to the expected side.
    static func yams(_ s: String) -> String {
        s.unicodeScalars.first == "\u{FEFF}" ? String(String.UnicodeScalarView(s.unicodeScalars.dropFirst())) : s
    }

    static func yams(_ l: [String: String]) -> [String: String] {
        Dictionary(l.map { (yams($0.key), yams($0.value)) }, uniquingKeysWith: { a, _ in a })
    }

    /// Structural equality of loaded values; strings never equal non-strings.
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x as [String: Any], let y as [String: Any]):
            let yy = Dictionary(y.map { (yams($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
            return x.count == y.count && x.allSatisfy { k, v in yy[yams(k)] != nil && same(v, yy[yams(k)]) }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (let x as String, let y as String): return yams(x) == yams(y)
        case (is String, _), (_, is String): return false
        case (let x?, let y?): return "\(x)" == "\(y)"
        default: return false
        }
    }
}
