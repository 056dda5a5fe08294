/// Finds a key given twice in one JSON object, at any depth. Foundation's parser (used by the Calico, generic
/// JSON-lines and inventory readers) silently keeps the last value, so `"action":"deny", "action":"allow"`
/// would read as allowed; such a record is ambiguous and is rejected with the key named instead.
enum JSONDuplicateKeys {
    /// The path of the first duplicate key (`action`, `items[3].metadata.name`), nil when there is none or the
    /// text is not valid JSON (the parser reports that).
    static func first(in bytes: UnsafeRawBufferPointer) -> String? { all(in: bytes, limit: 1).first }

    /// The paths of duplicate keys in document order, at most `limit`.
    static func all(in bytes: UnsafeRawBufferPointer, limit: Int = .max) -> [String] {
        var s = JSONScanner(bytes)
        var found: [String] = []
        do throws(JSONError) {
            try walk(&s, path: "", depth: 0, into: &found, limit: limit)
        } catch {
            return found
        }
        return found
    }

    private static func walk(_ s: inout JSONScanner, path: String, depth: Int, into found: inout [String],
                             limit: Int) throws(JSONError) {
        guard depth < JSONScanner.maxDepth, found.count < limit else { return }
        switch s.peek() {
        case 0x7B:
            var seen = Set<String>()
            if try s.beginObject() {
                repeat {
                    let key = s.string(try s.nextKey())
                    let sub = path.isEmpty ? key : "\(path).\(key)"
                    if !seen.insert(key).inserted {
                        found.append(sub)
                        if found.count >= limit { return }
                    }
                    try walk(&s, path: sub, depth: depth + 1, into: &found, limit: limit)
                    if found.count >= limit { return }
                } while try s.nextMember()
            }
        case 0x5B:
            var i = 0
            if try s.beginArray() {
                repeat {
                    try walk(&s, path: "\(path)[\(i)]", depth: depth + 1, into: &found, limit: limit)
                    if found.count >= limit { return }
                    i += 1
                } while try s.nextElement()
            }
        default:
            try s.skipValue()
        }
    }
}
