import FlowModel

/// One self-contained HTML file: inline CSS, inline JS, an SVG drawn by the script, no network access.
/// The CSS and JS are real files (Assets/map.css, Assets/map.js) embedded at build time (`MapAssets`).
/// The graph is embedded as JSON in a `<script type="application/json">` element (every string through
/// `Escape.json`, so `</script>` cannot occur); the page shell holds no capture text, and the script builds every
/// element with `createElementNS`/`textContent`/`setAttribute`, never `innerHTML`.
public enum HTMLRenderer {
    public static func render(_ g: MapGraph, title: String = "FlowMap") -> String {
        var html = shellHead
        html += "<title>\(Escape.html(title))</title>\n"
        html += "<style>\n" + MapAssets.style + "\n</style>\n"
        html += shellBody
        html += "<script type=\"application/json\" id=\"flowmap-data\">"
        html += data(g, title: title)
        html += "</script>\n<script>\n"
        html += MapAssets.script
        html += "\n</script>\n</body>\n</html>\n"
        return html
    }

    /// Above this many workloads the page opens on the overview: one node per namespace, expanded on click.
    public static let overviewAbove = 60

    /// The embedded graph as JSON (deterministic: keys and arrays in the graph's order).
    public static func data(_ g: MapGraph, title: String = "FlowMap") -> String {
        let statuses: [EdgeStatus] = g.hasVerdicts
            ? [.allowedObserved, .observedDenied, .allowedUnobserved, .dropped, .observed]
            : [.observed, .dropped]
        let j = JSON.object([
            ("title", .string(title)),
            ("hasVerdicts", .bool(g.hasVerdicts)),
            ("overviewAbove", .int(Int64(overviewAbove))),
            ("notes", .array(g.notes.map(JSON.string))),
            ("statuses", .array(statuses.map { s in
                .object([("id", .string(s.rawValue)), ("title", .string(s.title)), ("color", .string(s.color)),
                         ("dashed", .bool(s.dashed))])
            })),
            ("groups", .array(g.groups.map { gr in
                .object([("id", .string(gr.id)), ("kind", .string(gr.kind.rawValue)), ("label", .string(gr.label)),
                         ("nodes", .array(gr.nodes.map(JSON.string)))])
            })),
            ("nodes", .array(g.nodes.map { n in
                .object([("id", .string(n.id)), ("key", .string(n.key)), ("kind", .string(n.kind.rawValue)),
                         ("group", .string(n.group)), ("label", .string(n.label)), ("detail", .string(n.detail)),
                         ("ns", .string(n.namespace)), ("members", .array(n.members.map(JSON.string))),
                         ("out", .int(n.flowsOut)), ("in", .int(n.flowsIn))])
            })),
            ("edges", .array(g.edges.map { e in
                .object([("id", .string(e.id)), ("s", .string(e.source)), ("t", .string(e.target)),
                         ("status", .string(e.status.rawValue)), ("ports", .array(e.ports.map(JSON.string))),
                         ("flows", .int(e.flows)), ("label", .string(e.label)),
                         ("ev", .array(e.evidence.map { v in
                             .object([("src", .string(v.source)), ("dst", .string(v.destination)),
                                      ("port", .string(v.port)), ("flows", .int(v.flows)),
                                      ("first", .string(v.flows > 0 ? Timestamp.format(v.firstSeen) : "")),
                                      ("last", .string(v.flows > 0 ? Timestamp.format(v.lastSeen) : "")),
                                      ("drops", .array(v.dropReasons.map(JSON.string))),
                                      ("ex", .array(v.examples.map(JSON.string))), ("note", .string(v.note))])
                         }))])
            })),
        ])
        return j.text
    }

    static let shellHead = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">

        """

    static let shellBody = """
        </head>
        <body>
        <header>
          <h1>FlowMap</h1>
          <input id="search" type="search" placeholder="Search workloads, namespaces, addresses" aria-label="search" autocomplete="off">
          <span id="matches"></span>
          <select id="nsfilter" aria-label="namespace filter"><option value="">all namespaces</option></select>
          <input id="portfilter" type="search" list="ports" placeholder="port" aria-label="port filter" autocomplete="off">
          <datalist id="ports"></datalist>
          <label><input id="labels" type="checkbox" checked> edge labels</label>
          <button id="fit" type="button">Fit</button>
          <button id="expandall" type="button">Expand all</button>
          <button id="collapseall" type="button">Collapse all</button>
          <button id="export" type="button" title="download the current view as SVG">Export SVG</button>
          <span id="stats"></span>
        </header>
        <main>
          <svg id="map" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="flow map">
            <defs id="markers"></defs>
            <g id="viewport"><g id="groups"></g><g id="edges"></g><g id="grouplabels"></g><g id="nodes"></g></g>
          </svg>
          <aside id="panel"><div id="legend"></div><div id="details"><p class="hint">Click a workload to see its ingress and egress with evidence, an edge for the flows behind it. Drag to pan, scroll to zoom, search to find; filter by namespace, port or (in the legend) verdict.</p><p id="notes"></p></div></aside>
        </main>

        """
}
