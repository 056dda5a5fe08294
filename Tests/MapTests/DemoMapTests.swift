import Foundation
import Testing
@testable import FlowMapKit
import FlowIngest
import FlowStore
import Inference
import Policy
import FlowMapView
import FlowModel

@Suite("Demo data: the map in Graphviz and headless Chromium, the summary")
struct DemoMapTests {
    @Test("dot -Tsvg accepts the demo map's DOT output")
    func demoDOT() throws {
        let db = try MapSupport.demoStore()
        let g = try Map.graph(db: db)
        #expect(g.nodes.filter { $0.kind == .workload }.count >= 15)
        let dot = Map.render(g, format: .dot)
        let (status, svg) = try MapSupport.dotSVG(dot)
        #expect(status == 0)
        #expect(svg.contains("<svg"))
        // Graphviz writes "-" as "&#45;" in SVG text.
        for n in g.nodes where n.kind == .workload {
            #expect(svg.contains(">\(n.label.replacing("-", with: "&#45;"))</text>"), "\(n.key)")
        }
    }

    @Test("the demo map's DOM in headless Chromium holds every workload and every edge")
    func demoDOM() throws {
        let db = try MapSupport.demoStore()
        let store = try FlowStore(path: db)
        let g = try Map.graph(db: db)
        let dom = try MapSupport.dumpDOM(html: Map.render(g, format: .html))
        #expect(dom.contains("data-ready=\"true\""), "the page's script did not finish")

        let nodeTags = MapSupport.startTags("<g class=\"node\"", in: dom)
        let domKeys = Set(nodeTags.compactMap { $0["data-key"] })
        #expect(nodeTags.count == g.nodes.count)
        let workloads = try store.endpoints().filter { $0.kind == .workload }
        #expect(workloads.count >= 15)
        for w in workloads { #expect(domKeys.contains(w.key), "workload \(w.key) missing from the DOM") }

        let edgeTags = MapSupport.startTags("<g class=\"edge", in: dom)
        #expect(edgeTags.count == g.edges.count)
        #expect(Set(edgeTags.compactMap { $0["data-edge-id"] }) == Set(g.edges.map(\.id)))
        let pairs = Set(edgeTags.compactMap { t -> String? in
            guard let s = t["data-source-key"], let d = t["data-target-key"] else { return nil }
            return s + " -> " + d
        })
        let names = try store.names()
        let edges = try store.edges()
        #expect(edges.count > 30)
        for e in edges {
            let p = MapBuilder.nodeKey(for: e.key.source, names: names) + " -> "
                + MapBuilder.nodeKey(for: e.key.destination, names: names)
            #expect(pairs.contains(p), "edge \(e.key.source) -> \(e.key.destination) missing from the DOM")
        }
        // Legend and search box are there.
        #expect(dom.contains("id=\"search\""))
        #expect(dom.contains("data-status=\"observed\""))
    }

    @Test("opening a workload (#node= link) lists its ingress and egress with evidence")
    func demoPanel() throws {
        let db = try MapSupport.demoStore()
        let g = try Map.graph(db: db)
        let pp = try #require(g.nodes.first { $0.key == "bookinfo/Deployment/productpage-v1" })
        let dom = try MapSupport.dumpDOM(html: Map.render(g, format: .html), fragment: "#node=" + pp.key)
        let ingress = g.edges.filter { $0.target == pp.id }.count, egress = g.edges.filter { $0.source == pp.id }.count
        #expect(dom.contains("Ingress (\(ingress))"))
        #expect(dom.contains("Egress (\(egress))"))
        #expect(dom.contains("bookinfo/productpage-v1[Deployment] → bookinfo/details-v1[Deployment]  TCP 9080  92 flows"))
        #expect(dom.contains("class=\"node selected hl\""))
    }

    @Test("the search box (#q= link) marks the matching workloads and counts them")
    func demoSearch() throws {
        let g = try Map.graph(db: try MapSupport.demoStore())
        let dom = try MapSupport.dumpDOM(html: Map.render(g, format: .html), fragment: "#q=reviews")
        let matched = MapSupport.startTags("<g class=\"node match\"", in: dom).compactMap { $0["data-key"] }
        let expected = g.nodes.filter { $0.key.lowercased().contains("reviews") }.map(\.key)
        // reviews-v1..v3 (the proxy legs' label identity `app=reviews,version=v3` is reviews-v3: the store reads it
        // as that workload).
        #expect(expected.count == 3)
        #expect(Set(matched) == Set(expected))
        #expect(dom.contains("3 matches"))
    }

    @Test("wheel zooms about the cursor, drag pans, click opens the panel (synthetic events in Chromium)")
    func demoInteraction() throws {
        let g = try Map.graph(db: try MapSupport.demoStore())
        let probe = """
            <script>
            (function () {
              var vp = document.getElementById("viewport"), svg = document.getElementById("map");
              function t() { return vp.getAttribute("transform"); }
              var r = svg.getBoundingClientRect(), x = r.left + 300, y = r.top + 200;
              document.body.setAttribute("data-t0", t());
              svg.dispatchEvent(new WheelEvent("wheel", { deltaY: -400, clientX: x, clientY: y, bubbles: true, cancelable: true }));
              document.body.setAttribute("data-t1", t());
              svg.dispatchEvent(new PointerEvent("pointerdown", { button: 0, clientX: x, clientY: y, bubbles: true }));
              window.dispatchEvent(new PointerEvent("pointermove", { clientX: x + 80, clientY: y + 40, bubbles: true }));
              window.dispatchEvent(new PointerEvent("pointerup", { clientX: x + 80, clientY: y + 40, bubbles: true }));
              document.body.setAttribute("data-t2", t());
              document.querySelector('g.node[data-key="bookinfo/Deployment/details-v1"]').dispatchEvent(new MouseEvent("click", { bubbles: true }));
            })();
            </script>
            </body>
            """
        let html = Map.render(g, format: .html).replacing("</body>", with: probe)
        let dom = try MapSupport.dumpDOM(html: html)
        let body = try #require(MapSupport.startTags("<body", in: dom).first)
        func parse(_ s: String?) throws -> [Double] {
            let t = try #require(s)  // translate(x,y) scale(s)
            return t.split(whereSeparator: { "(), ".contains($0) }).compactMap { Double($0) }
        }
        let t0 = try parse(body["data-t0"]), t1 = try parse(body["data-t1"]), t2 = try parse(body["data-t2"])
        #expect(t0.count == 3 && t1.count == 3 && t2.count == 3)
        #expect(t1[2] > t0[2] * 1.5, "wheel did not zoom in")
        // The point under the cursor stays put: (p - t0)/s0 == (p - t1)/s1 for the cursor's map coordinates.
        let rectLeftTop = (300.0, 200.0)
        let mx0 = (rectLeftTop.0 - t0[0]) / t0[2], mx1 = (rectLeftTop.0 - t1[0]) / t1[2]
        #expect(abs(mx0 - mx1) < 0.5)
        #expect(abs(t2[0] - t1[0] - 80) < 0.2 && abs(t2[1] - t1[1] - 40) < 0.2, "drag did not pan by (80, 40)")
        #expect(t2[2] == t1[2])
        #expect(dom.contains("class=\"node selected hl\""))
        #expect(dom.contains("Deployment in namespace bookinfo"))
    }

    @Test("an empty store renders: DOT accepted, the page's script finishes")
    func emptyStore() throws {
        let db = MapSupport.tempDir().appendingPathComponent("empty.db").path
        _ = try FlowStore(path: db)
        let g = try Map.graph(db: db)
        #expect(g.nodes.isEmpty && g.edges.isEmpty)
        #expect(try MapSupport.dotSVG(Map.render(g, format: .dot)).status == 0)
        let dom = try MapSupport.dumpDOM(html: Map.render(g, format: .html))
        #expect(dom.contains("data-ready=\"true\""))
        #expect(Map.render(g, format: .mermaid) == "flowchart LR\n" + MermaidRenderer.classDefs)
    }

    @Test("Mermaid output for the demo names every node and edge")
    func demoMermaid() throws {
        let g = try Map.graph(db: try MapSupport.demoStore())
        let m = Map.render(g, format: .mermaid)
        for n in g.nodes { #expect(m.contains("    \(n.id)"), "\(n.key)") }
        for e in g.edges { #expect(m.contains("  \(e.source) ") && m.contains("| \(e.target)\n")) }
        #expect(m.components(separatedBy: "linkStyle ").count - 1 == g.edges.count)
    }

    @Test("map writes the file it is asked to")
    func writesFile() throws {
        let db = try MapSupport.demoStore()
        var o = Map.Options(db: db)
        o.format = .html
        o.out = MapSupport.tempDir().appendingPathComponent("sub/map.html").path
        let r = try Map.run(o)
        #expect(r.text == nil)
        let text = try String(contentsOfFile: o.out, encoding: .utf8)
        #expect(text == HTMLRenderer.render(r.graph))
        #expect(!text.contains("http://") || !text.contains("src=\"http"))
        #expect(!text.contains("https://"))
    }

    @Test("a missing store is an error that says what to do")
    func missingStore() {
        #expect(throws: (any Error).self) { try Map.graph(db: "/nonexistent/flowmap.db") }
    }

    @Test("summary of the demo data: four aligned tables")
    func demoSummary() throws {
        let db = try MapSupport.demoStore()
        let text = try Summary.run(Summary.Options(db: db)).report.render()
        for title in ["Top talkers (by flows)", "Namespaces without policies", "Internet-facing ports", "Denied flows"] {
            #expect(text.contains(title))
        }
        #expect(text.contains("no policies given"))
        #expect(text.contains("bookinfo/productpage-v1[Deployment]"))
        let denied = text.split(separator: "\n").first { $0.contains("default/xwing[Pod]") }
        #expect(denied?.contains("POLICY_DENIED") == true)
        // Right-aligned FLOWS column: every talker row's number ends where the header ends.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let h = try #require(lines.firstIndex { $0.contains("ENDPOINT") && $0.contains("FLOWS") })
        let end = lines[h].range(of: "FLOWS")!.upperBound.utf16Offset(in: lines[h])
        for row in lines[(h + 2)...].prefix(while: { !$0.isEmpty }) {
            let chars = Array(row.utf16)
            #expect(chars.count > end && chars[end] == 32 && chars[end - 1] >= 48 && chars[end - 1] <= 57, "\(row)")
        }
    }

    @Test("summary: internet-facing ports count distinct public sources; policies per namespace")
    func summaryTables() {
        let r = SummaryReport.build(edges: Fixture.edges, endpoints: Fixture.endpoints, planned: nil,
                                    policyCounts: ["shop": 2], top: 3)
        #expect(r.talkers.count == 3)
        #expect(r.talkers.first?.endpoint == Fixture.front)
        #expect(r.internetPorts.count == 1)
        #expect(r.internetPorts.first?.sources == ["198.51.100.9", "203.0.113.7"])
        #expect(r.internetPorts.first?.flows == 8)
        #expect(r.denied.count == 1)
        #expect(r.namespaces.map(\.name) == ["kube-system", "shop"])
        #expect(r.namespaces.map(\.policies) == [0, 2])
        let text = r.render()
        #expect(text.contains("1 of 2 namespaces with workloads have no NetworkPolicy"))
        #expect(text.contains("TCP 443"))
    }
}
