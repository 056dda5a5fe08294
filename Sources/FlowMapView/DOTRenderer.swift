/// Graphviz DOT: one cluster per group, workloads as rounded boxes, edges labelled with ports and flow counts and
/// coloured by status. Identifiers are the graph's generated ids; every label goes through `Escape.dot`.
public enum DOTRenderer {
    public static func render(_ g: MapGraph) -> String {
        var out = """
            digraph flowmap {
              graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.25, ranksep=1.2, labeljust=l];
              node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#555555", fontname="Helvetica", fontsize=10];
              edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];

            """
        let nodes = Dictionary(uniqueKeysWithValues: g.nodes.map { ($0.id, $0) })
        for (i, group) in g.groups.enumerated() {
            let title: String
            let fill: String
            switch group.kind {
            case .namespace: (title, fill) = ("namespace " + group.label, "#eef3fb")
            case .reserved: (title, fill) = (group.label, "#f4f0fa")
            case .external: (title, fill) = ("external peers", "#fbf3ea")
            }
            out += "  subgraph cluster_\(i) {\n"
            out += "    label=\(Escape.dot(title)); style=\"rounded,filled\"; fillcolor=\"\(fill)\"; color=\"#9aa5b1\";\n"
            for id in group.nodes {
                let n = nodes[id]!
                var label = n.label + "\n" + n.detail
                if n.kind == .external && !n.members.isEmpty {
                    label += "\n" + n.members.prefix(3).joined(separator: "\n")
                    if n.members.count > 3 { label += "\n…" }
                }
                let shape = n.kind == .workload ? "" : n.kind == .reserved ? ", shape=hexagon" : ", shape=folder"
                out += "    \(id) [label=\(Escape.dot(label))\(shape), tooltip=\(Escape.dot(n.key))];\n"
            }
            out += "  }\n"
        }
        for e in g.edges {
            let style = e.status.dashed ? ", style=dashed" : e.status == .observedDenied ? ", style=bold" : ""
            let label = e.label.replacing(" · ", with: "\n")
            out += "  \(e.source) -> \(e.target) [label=\(Escape.dot(label)), color=\"\(e.status.color)\", "
                + "fontcolor=\"\(e.status.color)\"\(style)];\n"
        }
        let statuses = Set(g.edges.map(\.status)).sorted()
        if !statuses.isEmpty {
            out += "  subgraph cluster_legend {\n    label=\"legend\"; style=\"rounded\"; color=\"#9aa5b1\";\n"
            out += "    node [shape=plaintext, style=\"\", fontsize=9];\n"
            for (i, s) in statuses.enumerated() {
                out += "    legend_\(i)a [label=\"\"]; legend_\(i)b [label=\(Escape.dot(s.title))];\n"
                out += "    legend_\(i)a -> legend_\(i)b [color=\"\(s.color)\"\(s.dashed ? ", style=dashed" : "")];\n"
            }
            out += "  }\n"
        }
        return out + "}\n"
    }
}
