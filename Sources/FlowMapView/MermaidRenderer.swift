/// Mermaid flowchart: one subgraph per group, edges labelled with ports and flow counts, coloured by status with
/// `linkStyle`. Identifiers are the graph's generated ids; every label goes through `Escape.mermaid`.
public enum MermaidRenderer {
    public static func render(_ g: MapGraph) -> String {
        var out = "flowchart LR\n"
        let nodes = Dictionary(uniqueKeysWithValues: g.nodes.map { ($0.id, $0) })
        for group in g.groups {
            let title: String
            switch group.kind {
            case .namespace: title = "namespace " + group.label
            case .reserved: title = group.label
            case .external: title = "external peers"
            }
            out += "  subgraph \(group.id)[\(Escape.mermaid(title))]\n"
            for id in group.nodes {
                let n = nodes[id]!
                let label = Escape.mermaid("\(n.label) (\(n.detail))")
                switch n.kind {
                case .workload: out += "    \(id)[\(label)]\n"
                case .reserved: out += "    \(id){{\(label)}}\n"
                case .external: out += "    \(id)([\(label)])\n"
                }
            }
            out += "  end\n"
        }
        for e in g.edges {
            let arrow = e.status.dashed ? "-.->" : e.status == .observedDenied ? "==>" : "-->"
            out += "  \(e.source) \(arrow)|\(Escape.mermaid(e.label))| \(e.target)\n"
        }
        for (i, e) in g.edges.enumerated() {
            out += "  linkStyle \(i) stroke:\(e.status.color),color:\(e.status.color)\n"
        }
        out += classDefs
        for kind in ["workload", "reserved", "external"] {
            let ids = g.nodes.filter { $0.kind.rawValue == kind }.map(\.id)
            if !ids.isEmpty { out += "  class \(ids.joined(separator: ",")) \(kind)\n" }
        }
        return out
    }

    public static let classDefs = """
          classDef workload fill:#ffffff,stroke:#555555
          classDef reserved fill:#f4f0fa,stroke:#7a5ea8
          classDef external fill:#fbf3ea,stroke:#b07a2a

        """

    /// Mermaid's default `maxEdges`: renderers refuse larger diagrams unless configured.
    public static let defaultMaxEdges = 500
}
