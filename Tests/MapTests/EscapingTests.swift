import Foundation
import Testing
@testable import FlowMapView
import FlowModel

/// Names an attacker who controls pod or namespace names (or a malformed capture) could put into a map.
enum Hostile {
    static let names = [
        "evil\"];\n  x -> y [label=\"pwned",
        "</script><img src=x id=pwned onerror=alert(1)><!--",
        "back\\slash \\N \\G \\l",
        "a|b-->c end %% #35; <b>bold</b> & [x]{y}",
        "\u{1b}[31mred\u{1b}[0m \u{7}",
        "ünïcødé 名前 \u{2028}line",
    ]
    static let namespace = "ns\"}{</style>"

    static var graph: MapGraph {
        let eps = names.map { Endpoint.workload(namespace, $0, kind: "Deployment") }
        var edges: [ObservedEdge] = []
        for (i, s) in eps.enumerated() {
            edges.append(Fixture.edge(s, eps[(i + 1) % eps.count], .tcp, UInt16(8000 + i), flows: Int64(i + 1)))
        }
        edges.append(Fixture.edge(Endpoint.external("203.0.113.9"), eps[0], .tcp, 443))
        let names: [Endpoint: [String]] = [Endpoint.external("203.0.113.9"): ["x\"><script>alert(2)</script>.example"]]
        let l7: [EdgeKey: [L7Observation]] = [edges[0].key: [L7Observation(
            request: .http(method: "GET", path: "/</script><script>alert(3)</script>"), stats: EdgeStats(flows: 1))]]
        return MapBuilder.build(edges: edges, l7: l7, names: names, endpoints: eps)
    }
}

@Suite("Escaping of names taken from a capture")
struct EscapingTests {
    @Test("DOT strings: quotes and backslashes escaped, newlines as \\n, control characters dropped")
    func dotStrings() {
        #expect(Escape.dot("a\"b") == "\"a\\\"b\"")
        #expect(Escape.dot("a\\N") == "\"a\\\\N\"")
        #expect(Escape.dot("a\nb") == "\"a\\nb\"")
        #expect(Escape.dot("a\u{1b}b") == "\"ab\"")
    }

    @Test("Mermaid labels: everything outside a safe set becomes an entity code")
    func mermaidLabels() {
        #expect(Escape.mermaid("a\"b") == "\"a#34;b\"")
        #expect(Escape.mermaid("x|y<z>") == "\"x#124;y#60;z#62;\"")
        #expect(Escape.mermaid("100%%") == "\"100#37;#37;\"")
        #expect(Escape.mermaid("plain-name_1.2/x") == "\"plain-name_1.2/x\"")
    }

    @Test("JSON strings cannot close a script element or open a comment")
    func jsonStrings() {
        let j = Escape.json("</script><!-- & \u{2028}")
        #expect(!j.contains("<"))
        #expect(!j.contains(">"))
        #expect(!j.contains("&"))
        #expect(j == "\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\"")
    }

    @Test("dot -Tsvg accepts hostile names and draws exactly the graph's nodes and edges")
    func hostileDOT() throws {
        let g = Hostile.graph
        let dot = DOTRenderer.render(g)
        let (status, svg) = try MapSupport.dotSVG(dot)
        #expect(status == 0, "dot rejected:\n\(dot)")
        let legendItems = Set(g.edges.map(\.status)).count
        #expect(svg.components(separatedBy: "class=\"node\"").count - 1 == g.nodes.count + 2 * legendItems)
        #expect(svg.components(separatedBy: "class=\"edge\"").count - 1 == g.edges.count + legendItems)
        // The injected text is shown as text, XML-escaped.
        #expect(svg.contains("evil&quot;];"))
        #expect(svg.contains("&lt;/script&gt;&lt;img src=x id=pwned"))
        #expect(!svg.contains("<img"))
    }

    @Test("Mermaid output: every line is one statement, no raw quote, pipe or bracket from a name")
    func hostileMermaid() {
        let m = MermaidRenderer.render(Hostile.graph)
        for line in m.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            let ok = t == "flowchart LR" || t == "end" || t.hasPrefix("subgraph g") || t.hasPrefix("linkStyle ")
                || t.hasPrefix("classDef ") || t.hasPrefix("class ")
                || t.range(of: #"^n\d+(\[|\{\{|\(\[)"[^"]*"(\]|\}\}|\]\))$"#, options: .regularExpression) != nil
                || t.range(of: #"^n\d+ (-->|-\.->|==>)\|"[^"|]*"\| n\d+$"#, options: .regularExpression) != nil
            #expect(ok, "unexpected Mermaid line: \(t)")
        }
        #expect(!m.contains("<"))
        #expect(!m.contains("%%"))
        #expect(!m.contains("-->c"))
    }

    @Test("HTML: capture text only inside the JSON data, which round-trips exactly")
    func hostileHTML() throws {
        let g = Hostile.graph
        let html = HTMLRenderer.render(g)
        #expect(html.lowercased().components(separatedBy: "</script").count - 1 == 2)
        #expect(!html.contains("<img"))
        #expect(!html.contains("<!--"))
        #expect(!html.contains("<script>alert"))
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"flowmap-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = String(html[start.upperBound..<end.lowerBound])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let nodes = try #require(obj["nodes"] as? [[String: Any]])
        let labels = Set(nodes.compactMap { $0["label"] as? String })
        for n in Hostile.names { #expect(labels.contains(n), "\(n) did not round-trip") }
        let groups = try #require(obj["groups"] as? [[String: Any]])
        #expect(groups.contains { $0["label"] as? String == Hostile.namespace })
    }

    @Test("HTML in Chromium: hostile names become attribute and text values, never elements")
    func hostileDOM() throws {
        let g = Hostile.graph
        let dom = try MapSupport.dumpDOM(html: HTMLRenderer.render(g))
        #expect(dom.contains("data-ready=\"true\""), "the page's script did not finish")
        #expect(!dom.contains("id=\"pwned\""))
        #expect(!dom.lowercased().contains("<img"))
        let keys = Set(MapSupport.startTags("<g class=\"node\"", in: dom).compactMap { $0["data-key"] })
        #expect(keys == Set(g.nodes.map(\.key)))
        // Opening a hostile node's panel (via the #node= link) renders its evidence as text.
        let key = g.nodes.first { $0.label == Hostile.names[0] }!.key
        let url = "#node=" + key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let panelDOM = try MapSupport.dumpDOM(html: HTMLRenderer.render(g), fragment: url)
        #expect(panelDOM.contains("data-direction=\"egress\""))
        #expect(panelDOM.contains("GET /&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;"))
        #expect(!panelDOM.contains("<script>alert"))
    }

    @Test("terminal tables replace control characters, so no ANSI sequence reaches the terminal")
    func terminalSafe() {
        var t = TextTable(headers: ["NAME"])
        t.add([Hostile.names[4]])
        let s = t.render()
        #expect(!s.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
        #expect(s.contains("?[31mred?[0m ?"))
    }
}

@Suite("Oracles")
struct OracleTests {
    @Test("a missing oracle fails the test with the install command, it does not skip")
    func missingToolFails() {
        withKnownIssue("the tool is missing on purpose") {
            _ = try MapSupport.tool("flowmap-no-such-tool", package: "nothing")
        }
    }
}
