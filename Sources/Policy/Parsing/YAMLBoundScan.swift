import CYaml

/// One libyaml event pass over a text, before Yams builds any tree: what each document would expand to. Yams
/// substitutes aliases while composing and hashes every mapping key (to find duplicates), so a small text of
/// nested aliases costs exponential time and memory there already; the bounds are checked here, on the events,
/// where an alias costs what its anchor's recorded size says and nothing is expanded.
struct YAMLBoundScan {
    /// A bound exceeded: the document (index in the text), its line, what.
    struct Exceeded: Error {
        var document: Int
        var line: Int
        var message: String
    }

    /// What an anchored node stands for once expanded.
    struct Size {
        var nodes = 0
        var aliases = 0
        var height = 0
    }

    /// Nodes that aliases add, per document of the text (index = document index); nil when libyaml reports a
    /// syntax error (Yams reports it, with its location, right after).
    static func scan(_ text: String, lineOffset: Int, limits: YAMLDocumentLoader.Limits) throws -> [Int]? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        var utf8 = Array(text.utf8)
        return try utf8.withUnsafeMutableBufferPointer { buf -> [Int]? in
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            var perDocument: [Int] = []
            var anchors: [String: Size] = [:]
            var anchorCount = 0, aliases = 0, aliasNodes = 0
            // Open collections: their size so far and their anchor.
            var stack: [(size: Size, anchor: String?)] = []
            var document = -1
            var done = false
            while !done {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1 + lineOffset
                func fail(_ m: String) -> Exceeded { Exceeded(document: document, line: line, message: m) }
                func anchorName(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                    p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
                }
                func define(_ name: String?, _ s: Size) throws {
                    guard let name else { return }
                    anchorCount += 1
                    if anchorCount > limits.anchors { throw fail("more than \(limits.anchors) anchors (&name)") }
                    anchors[name] = s
                }
                /// A finished node `s` joins its parent (depth is the parent's).
                func add(_ s: Size) throws {
                    guard !stack.isEmpty else { return }
                    stack[stack.count - 1].size.nodes += s.nodes
                    stack[stack.count - 1].size.aliases += s.aliases
                    stack[stack.count - 1].size.height = max(stack[stack.count - 1].size.height, s.height + 1)
                    if stack.count + s.height > limits.depth {
                        throw fail("nested more than \(limits.depth) levels deep")
                    }
                }
                switch event.type {
                case YAML_DOCUMENT_START_EVENT:
                    document += 1
                    if document >= limits.documents {
                        throw fail("more than \(limits.documents) documents in one file; split it into several files")
                    }
                    anchors = [:]
                    anchorCount = 0
                    aliases = 0
                    aliasNodes = 0
                case YAML_DOCUMENT_END_EVENT:
                    perDocument.append(aliasNodes)
                case YAML_SCALAR_EVENT:
                    let s = Size(nodes: 1)
                    try define(anchorName(event.data.scalar.anchor), s)
                    try add(s)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let a = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor
                        : event.data.mapping_start.anchor
                    stack.append((Size(nodes: 1), anchorName(a)))
                    if stack.count > limits.depth { throw fail("nested more than \(limits.depth) levels deep") }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let top = stack.popLast() else { return nil }
                    try define(top.anchor, top.size)
                    try add(top.size)
                case YAML_ALIAS_EVENT:
                    // An undefined alias is Yams' error to report.
                    guard let name = anchorName(event.data.alias.anchor), let s = anchors[name] else { break }
                    aliases += 1 + s.aliases
                    if aliases > limits.aliases {
                        throw fail("more than \(limits.aliases) aliases (*name) expanded (an alias bomb?); "
                                   + "write the repeated parts out")
                    }
                    aliasNodes += s.nodes
                    if aliasNodes > limits.aliasNodes {
                        throw fail("aliases expand to more than \(limits.aliasNodes) nodes in this file (an alias "
                                   + "bomb?); write the repeated parts out or split the file")
                    }
                    try add(Size(nodes: s.nodes, aliases: 1 + s.aliases, height: s.height))
                case YAML_STREAM_END_EVENT:
                    done = true
                default:
                    break
                }
            }
            return perDocument
        }
    }
}
