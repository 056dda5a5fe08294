import Foundation
import FlowModel

/// Tells the input format from the first non-empty lines of an input.
public enum FormatDetector {
    public struct Detection: Sendable, Equatable, CustomStringConvertible {
        public var format: InputFormat
        /// What gave it away, for the user.
        public var reason: String
        public var description: String { "\(format.rawValue) (\(reason))" }
    }

    /// Detects from the start of an input (a few KiB are enough; a pretty-printed document may need more).
    /// Nil when nothing matches.
    public static func detect(prefix: [UInt8]) -> Detection? {
        let text = String(decoding: prefix, as: UTF8.self)
        let lines = firstLines(of: text, count: textualLines)
        guard let first = lines.first else { return nil }
        if first.hasPrefix("{") || first.hasPrefix("[") {
            if let obj = try? JSONSerialization.jsonObject(with: Data(first.utf8)), let o = obj as? [String: Any] {
                return json(keys: Set(o.keys), object: o)
            }
            return jsonText(text)
        }
        return textual(lines)
    }

    /// How many non-empty lines `textual` looks at.
    static let textualLines = 5

    /// The first `count` non-empty lines of `text` (split on `\n` and `\r` Characters, trimmed of spaces and
    /// tabs): the first `count` of `text.split(whereSeparator:).map(trimmed).filter(non-empty)`, without
    /// splitting and trimming the rest of a 256 KiB prefix (issue 22: that was 6-8% of `flowmap ingest`'s CPU
    /// on a 20 MB VPC, Calico or CSV file).
    static func firstLines(of text: String, count: Int) -> [String] {
        var out: [String] = []
        func take(_ piece: Substring) {
            let t = piece.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty { out.append(t) }
        }
        var start = text.startIndex, i = start
        while i < text.endIndex && out.count < count {
            let c = text[i]
            let next = text.index(after: i)
            if c == "\n" || c == "\r" {
                if start < i { take(text[start..<i]) }  // `split` omits empty pieces
                start = next
            }
            i = next
        }
        if out.count < count && start < text.endIndex { take(text[start...]) }
        return out
    }

    /// Reads up to `limit` bytes of a file, decompressed when it is gzip (as the ingest driver reads it).
    public static func prefix(ofFile path: String, limit: Int = 256 << 10) -> [UInt8]? {
        start(ofFile: path, limit: limit)?.bytes
    }

    /// Inputs of a shape FlowMap does not read but whose producer can write one it does: Hubble's text output
    /// (`hubble observe` without `-o`, also `-o compact|table|dict`) and a YAML inventory (`kubectl get … -o
    /// yaml`). The message says which line gave it away and the command that writes the right shape.
    public struct WrongShape: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { message }
    }

    public static func wrongShape(prefix: [UInt8]) -> WrongShape? {
        let text = String(decoding: prefix, as: UTF8.self)
        var lineNo = 0
        var looked = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            looked += 1
            if looked > 5 { break }
            if line.hasPrefix("{") || line.hasPrefix("[") { return nil }
            if isHubbleText(line) {
                return WrongShape(line: lineNo, message: "this is the text output of `hubble observe`, which "
                    + "FlowMap does not read; capture JSON instead: `hubble observe -o jsonpb` (for example "
                    + "`hubble observe -o jsonpb --follow > flows.json`, or `flowmap collect`)")
            }
            if looked == 1, isYAMLDocumentStart(line), text.contains("kind:") {
                return WrongShape(line: lineNo, message: "this is a YAML document; FlowMap reads a Kubernetes "
                    + "inventory as JSON: `kubectl get namespaces,pods,services,endpointslices,nodes -A -o json "
                    + "> inventory.json`")
            }
        }
        return nil
    }

    static let hubbleVerdicts = ["FORWARDED", "DROPPED", "AUDIT", "REDIRECTED", "TRACED", "TRANSLATED", "ERROR",
                                 "DENIED", "ALLOWED"]  // the last two: policy-verdict lines

    /// `Dec  1 10:21:48.123: default/xwing:41234 (ID:1234) -> default/web:80 (ID:5678) to-endpoint FORWARDED
    /// (TCP Flags: SYN)`, the table header `TIMESTAMP SOURCE DESTINATION …` and dict lines `TIMESTAMP: …`.
    static func isHubbleText(_ line: String) -> Bool {
        if line.hasPrefix("TIMESTAMP") && line.contains("SOURCE") && line.contains("DESTINATION") { return true }
        if line.hasPrefix("TIMESTAMP:") { return true }
        let arrow = [" -> ", " <- ", " <> ", " -- "].contains(where: line.contains)
        return arrow && hubbleVerdicts.contains(where: { line.contains(" \($0)") })
    }

    static func isYAMLDocumentStart(_ line: String) -> Bool {
        line == "---" || ["apiVersion:", "kind:", "items:", "metadata:"].contains(where: line.hasPrefix)
    }

    /// The start of a file as the driver reads it (gzip decompressed, a JSON array as JSON lines), and whether
    /// it is a JSON array.
    public static func start(ofFile path: String, limit: Int = 256 << 10) -> (bytes: [UInt8], isArray: Bool)? {
        guard let src = try? InputSource(path: path) else { return nil }
        var out = [UInt8](repeating: 0, count: limit)
        var n = 0
        while n < limit {
            let r = out.withUnsafeMutableBufferPointer { b in try? src.read(into: b.baseAddress! + n, max: limit - n) }
            guard case .data(let k)? = r else { break }
            n += k
        }
        return (Array(out.prefix(n)), src.isArray == true)
    }

    // Arrays, in the order tried, so the reason given is the same every time.
    static let hubbleEnvelopes = ["flow", "node_status", "lost_events", "agent_event", "debug_event"]
    static let calicoKeys = ["reporter", "source_name_aggr", "dest_name_aggr", "num_flows"]
    static let k8sKinds: Set<String> = ["List", "Pod", "Namespace", "Service", "EndpointSlice", "Node", "PodList",
                                        "NamespaceList", "ServiceList", "EndpointSliceList", "NodeList"]

    static func json(keys: Set<String>, object o: [String: Any]) -> Detection? {
        if let k = hubbleEnvelopes.first(where: keys.contains) {
            return Detection(format: .hubble, reason: "JSON with a \"\(k)\" key")
        }
        if let k = calicoKeys.first(where: keys.contains) {
            return Detection(format: .calico, reason: "JSON with Calico's \"\(k)\"")
        }
        if let kind = o["kind"] as? String, k8sKinds.contains(kind) || o["apiVersion"] != nil {
            return Detection(format: .inventory, reason: "Kubernetes \(kind)")
        }
        if keys.contains("verdict") && (keys.contains("IP") || keys.contains("l4") || keys.contains("source")) {
            return Detection(format: .hubble, reason: "a bare Hubble flow object")
        }
        let generic = Set(FlowRecordReader.Field.allCases.map(\.rawValue))
        if keys.contains("time") && keys.contains("dst_port") || !keys.isEmpty && keys.isSubset(of: generic) {
            return Detection(format: .flowmapJSONL, reason: "JSON with FlowMap record fields")
        }
        return nil
    }

    /// A document spread over lines: look for telling keys in the text.
    static func jsonText(_ text: String) -> Detection? {
        if text.contains("\"apiVersion\"") && text.contains("\"kind\"") {
            return Detection(format: .inventory, reason: "a Kubernetes JSON document")
        }
        if text.contains("\"reporter\"") || text.contains("_name_aggr\"") {
            return Detection(format: .calico, reason: "pretty-printed JSON with Calico fields")
        }
        if text.contains("\"flow\"") { return Detection(format: .hubble, reason: "JSON with a \"flow\" key") }
        if text.contains("\"dst_port\"") {
            return Detection(format: .flowmapJSONL, reason: "JSON with FlowMap record fields")
        }
        return nil
    }

    static func textual(_ lines: [String]) -> Detection? {
        let first = lines[0]
        let tokens = first.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if VPCReader.isHeader(tokens) {
            return Detection(format: .vpc, reason: "a VPC flow log header line")
        }
        if first.contains(",") {
            let cols = (try? CSV.split(first).get()) ?? []
            let generic = Set(FlowRecordReader.Field.allCases.map(\.rawValue))
            if cols.contains(where: generic.contains) {
                return Detection(format: .flowmapCSV, reason: "a CSV header with FlowMap record columns")
            }
        }
        // Records: the version number first, an action / log status among the fields.
        for line in lines.prefix(textualLines) where !line.hasPrefix("#") {
            let t = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if t.count >= 14, let v = Int(t[0]), (2...8).contains(v),
               t.contains(where: { ["ACCEPT", "REJECT", "OK", "NODATA", "SKIPDATA"].contains($0) }) {
                return Detection(format: .vpc, reason: "VPC flow log records (version \(v))")
            }
        }
        return nil
    }
}
