/// netpol-analyzer's connlist output: `src => dst : conns` lines, or a JSON array of {src, dst, conn}.
public enum ConnlistFormatter {
    struct Line: Encodable {
        var src: String
        var dst: String
        var conn: String
    }

    public static func format(_ entries: [ConnectivityEntry], as format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONText.encode(entries.map {
                Line(src: $0.source.description, dst: $0.destination.description, conn: $0.connections.description)
            })
        case .md:
            var s = "| src | dst | conn |\n|-----|-----|------|\n"
            for e in entries { s += "| \(e.source) | \(e.destination) | \(e.connections) |\n" }
            return s
        case .text:
            var s = ""
            for e in entries { s += "\(e.source) => \(e.destination) : \(e.connections)\n" }
            return s
        }
    }
}
