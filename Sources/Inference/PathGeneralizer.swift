import FlowModel

/// Turns the concrete HTTP requests seen on one (peer, port) into a small set of (method, path pattern) rules.
///
/// Two steps, per method:
/// 1. Each segment is classified on its own: all digits -> `{int}`, a UUID -> `{uuid}`, 16 or more hex digits
///    with at least one digit -> `{hex}`; anything else stays literal.
/// 2. High cardinality: the paths form a trie of segments; where one node has `threshold` or more distinct
///    literal children (ids that are not numeric, user names, file names ...) they collapse into one `{any}`
///    child and their subtrees merge.
/// The result keeps every observed request matched (the generalisation only widens) and is deterministic.
public struct PathGeneralizer: Sendable {
    /// Distinct literal siblings at which a segment position becomes `{any}`.
    public var threshold: Int

    public init(threshold: Int = 8) { self.threshold = max(2, threshold) }

    /// A segment of a path pattern.
    enum Segment: Hashable, Comparable {
        case literal(String)
        case int, uuid, hex, any

        var template: String {
            switch self {
            case .literal(let s): return s
            case .int: return "{int}"
            case .uuid: return "{uuid}"
            case .hex: return "{hex}"
            case .any: return "{any}"
            }
        }

        var regex: String {
            switch self {
            case .literal(let s): return PathGeneralizer.escape(s)
            case .int: return "[0-9]+"
            case .uuid: return "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
            case .hex: return "[0-9a-fA-F]+"
            case .any: return "[^/]+"
            }
        }

        var isLiteral: Bool { if case .literal = self { return true } else { return false } }
    }

    /// Classifies one path segment (step 1).
    static func classify(_ s: Substring) -> Segment {
        if !s.isEmpty && s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return .int }
        if isUUID(s) { return .uuid }
        if s.utf8.count >= 16 && s.utf8.allSatisfy(isHex) && s.utf8.contains(where: { $0 >= 48 && $0 <= 57 }) {
            return .hex
        }
        return .literal(String(s))
    }

    static func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) }

    static func isUUID(_ s: Substring) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != 45 { return false }
            } else if !isHex(c) {
                return false
            }
        }
        return true
    }

    /// Escapes the characters that are special in an extended POSIX (and RE2) regex: the result matches `s`
    /// only. Also the Cilium emitter's, for HTTP methods.
    public static func escape(_ s: String) -> String {
        // ASCII (the usual path segment and method), byte by byte: each ASCII byte is one Character there (CR LF,
        // the one two-byte Character, holds no special byte), so the result is the Character loop's below.
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            guard s.utf8.contains(where: isRegexSpecial) else { return s }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(s.utf8.count + 8)
            for b in s.utf8 {
                if isRegexSpecial(b) { bytes.append(0x5C) }
                bytes.append(b)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        for c in s {
            if "\\.[]{}()*+?^$|".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Whether an ASCII byte is one of the characters `escape` puts a backslash before.
    @inline(__always)
    static func isRegexSpecial(_ b: UInt8) -> Bool {
        switch b {
        case 0x5C, 0x2E, 0x5B, 0x5D, 0x7B, 0x7D, 0x28, 0x29, 0x2A, 0x2B, 0x3F, 0x5E, 0x24, 0x7C: return true
        default: return false
        }
    }

    final class Node {
        var children: [Segment: Node] = [:]
        /// Requests ending here: stats and the concrete paths.
        var stats: EdgeStats?
        var paths: Set<String> = []

        func merge(_ o: Node) {
            if let s = o.stats {
                if stats == nil { stats = s } else { stats!.merge(s) }
            }
            paths.formUnion(o.paths)
            for (seg, child) in o.children {
                if let mine = children[seg] { mine.merge(child) } else { children[seg] = child }
            }
        }
    }

    /// Generalises the HTTP observations; other L7 kinds are ignored. Sorted by template, then method.
    public func rules(_ observations: [L7Observation]) -> [HTTPRulePlan] {
        if observations.isEmpty { return [] }
        var roots: [String: Node] = [:]
        for o in observations {
            guard case .http(let method, let rawPath) = o.request else { continue }
            let m = method.isEmpty ? "GET" : method.uppercased()
            let path = rawPath.hasPrefix("/") ? rawPath : "/" + rawPath
            let root = roots[m] ?? Node()
            roots[m] = root
            var node = root
            for seg in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
                let c = Self.classify(seg)
                if let n = node.children[c] { node = n } else {
                    let n = Node()
                    node.children[c] = n
                    node = n
                }
            }
            if node.stats == nil { node.stats = o.stats } else { node.stats!.merge(o.stats) }
            node.paths.insert(path)
        }
        var out: [HTTPRulePlan] = []
        for (method, root) in roots {
            collapse(root)
            walk(root, prefix: [], method: method, into: &out)
        }
        return out.sorted()
    }

    /// Step 2, top-down: collapse wide literal fan-outs, then recurse.
    func collapse(_ node: Node) {
        let literals = node.children.keys.filter(\.isLiteral)
        if literals.count >= threshold {
            let merged = node.children[.any] ?? Node()
            for k in literals.sorted() { merged.merge(node.children.removeValue(forKey: k)!) }
            node.children[.any] = merged
        }
        for k in node.children.keys.sorted() { collapse(node.children[k]!) }
    }

    func walk(_ node: Node, prefix: [Segment], method: String, into out: inout [HTTPRulePlan]) {
        if let s = node.stats {
            let template = "/" + prefix.map(\.template).joined(separator: "/")
            let regex = "/" + prefix.map(\.regex).joined(separator: "/")
            out.append(HTTPRulePlan(method: method, pathRegex: regex, pathTemplate: template, requests: s.flows,
                                    firstSeen: s.firstSeen, lastSeen: s.lastSeen,
                                    examples: Array(node.paths.sorted().prefix(3))))
        }
        for k in node.children.keys.sorted() {
            walk(node.children[k]!, prefix: prefix + [k], method: method, into: &out)
        }
    }
}
