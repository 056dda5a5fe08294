import Foundation
import Testing
@testable import FlowMapKit
import FlowMapView
import FlowModel

/// The map at 500 workloads (issue 20), in headless Chromium: the overview, expand and collapse, the filters,
/// search, edge evidence, SVG export. Serialized: each test runs a Chromium on a shared machine.
@Suite("The map at 500 workloads, in headless Chromium", .serialized)
struct ScaleMapTests {
    static let graph: MapGraph = try! Map.graph(db: ScaleStore.db)
    static let html = HTMLRenderer.render(graph)
    static var byID: [String: MapNode] { Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0) }) }

    /// The key of the node an end is drawn as while every group is collapsed.
    static func unitKey(_ id: String) -> String {
        let n = byID[id]!
        let g = graph.groups.first { $0.id == n.group }!
        return g.kind == .namespace ? "namespace:" + g.label : "group:" + g.label
    }

    /// Runs the page with `probe` (JavaScript) after the map's script; the DOM and the body's attributes.
    static func dom(_ probe: String = "", fragment: String = "") throws -> (dom: String, body: [String: String]) {
        let page = probe.isEmpty ? html : html.replacing("</body>", with: "<script>\n(function () {\n\(probe)\n})();\n</script>\n</body>")
        let d = try MapSupport.dumpDOM(html: page, fragment: fragment)
        #expect(d.contains("data-ready=\"true\""), "the page's script did not finish")
        return (d, try #require(MapSupport.startTags("<body", in: d).first))
    }

    static func edgeTags(_ dom: String) -> [[String: String]] { MapSupport.startTags("<g class=\"edge", in: dom) }
    static func nodeTags(_ dom: String) -> [[String: String]] { MapSupport.startTags("<g class=\"node", in: dom) }
    static func classes(_ t: [String: String]) -> Set<String> { Set((t["class"] ?? "").split(separator: " ").map(String.init)) }
    static func count(_ t: [String: String]) -> Int { Int(t["data-count"] ?? "") ?? -1 }

    /// Clicks an element from the probe.
    static func click(_ selector: String) -> String {
        "document.querySelector('\(selector)').dispatchEvent(new MouseEvent('click', { bubbles: true }));"
    }

    @Test("the store has 500 workloads in 25 namespaces; the HTML is the same for the same store")
    func storeShape() throws {
        let g = Self.graph
        #expect(g.nodes.filter { $0.kind == .workload }.count == 500)
        #expect(g.groups.filter { $0.kind == .namespace }.count == 25)
        #expect(g.edges.count > 1000)
        #expect(g.edges.contains { $0.status == .dropped })
        #expect(g.edges.contains { $0.evidence.contains { !$0.examples.isEmpty } })
        #expect(HTMLRenderer.render(try Map.graph(db: ScaleStore.db)) == Self.html)
    }

    @Test("the overview has one node per namespace (and per other group); its edges aggregate every edge, with counts")
    func overview() throws {
        let (dom, body) = try Self.dom()
        #expect(body["data-mode"] == "overview")
        let nodes = Self.nodeTags(dom)
        #expect(nodes.count == Self.graph.groups.count)
        #expect(nodes.filter { $0["data-kind"] == "namespace" }.count == 25)
        #expect(Set(nodes.compactMap { $0["data-key"] }) == Set(Self.graph.groups.map {
            $0.kind == .namespace ? "namespace:" + $0.label : "group:" + $0.label }))
        #expect(!nodes.contains { $0["data-kind"] == "workload" })
        #expect(nodes.filter { $0["data-kind"] == "namespace" }.allSatisfy { $0["data-members"] == "20" })
        // Every edge is in exactly one aggregate: the same (source unit, target unit, status) triples with counts.
        var expected: [String: Int] = [:]
        for e in Self.graph.edges {
            expected[Self.unitKey(e.source) + " " + Self.unitKey(e.target) + " " + e.status.rawValue, default: 0] += 1
        }
        var drawn: [String: Int] = [:]
        for t in Self.edgeTags(dom) {
            drawn[t["data-source-key"]! + " " + t["data-target-key"]! + " " + t["data-status"]!, default: 0] += Self.count(t)
        }
        #expect(drawn == expected)
        #expect(dom.contains("500 workloads · 25 namespaces · \(Self.graph.edges.count) edges"))
    }

    @Test("clicking a namespace expands it into its workloads; clicking its label collapses it again")
    func expandCollapse() throws {
        let probe = """
            \(Self.click("g.node[data-key=\"namespace:team-05\"]"))
            var w = document.querySelectorAll('g.node[data-kind="workload"]');
            document.body.setAttribute("data-expanded", Array.prototype.map.call(w, function (x) {
              return x.getAttribute("data-key"); }).join("|"));
            document.body.setAttribute("data-collapsed-after-expand",
              String(document.querySelectorAll('g.node[data-collapsed="true"]').length));
            document.body.setAttribute("data-edges-after-expand", String(Array.prototype.reduce.call(
              document.querySelectorAll("g.edge"), function (s, x) { return s + +x.getAttribute("data-count"); }, 0)));
            \(Self.click("text.grouplabel"))
            """
        let (dom, body) = try Self.dom(probe)
        let team05 = Self.graph.nodes.filter { $0.namespace == "team-05" }.map(\.key)
        #expect(team05.count == 20)
        #expect(body["data-expanded"]?.split(separator: "|").map(String.init) == team05)
        #expect(body["data-collapsed-after-expand"] == String(Self.graph.groups.count - 1))
        #expect(body["data-edges-after-expand"] == String(Self.graph.edges.count), "expanding lost or doubled an edge")
        // Collapsed again: the overview.
        #expect(Self.nodeTags(dom).count == Self.graph.groups.count)
        #expect(!Self.nodeTags(dom).contains { $0["data-kind"] == "workload" })
    }

    @Test("the namespace filter keeps the edges with an end in the namespace")
    func namespaceFilter() throws {
        let probe = """
            var s = document.getElementById("nsfilter"); s.value = "team-03";
            s.dispatchEvent(new Event("change"));
            """
        let (dom, _) = try Self.dom(probe)
        let ns = Self.graph.nodes.filter { $0.namespace == "team-03" }.map(\.id)
        let expected = Self.graph.edges.filter { ns.contains($0.source) || ns.contains($0.target) }
        let tags = Self.edgeTags(dom)
        #expect(!tags.isEmpty)
        #expect(tags.allSatisfy { $0["data-source-key"] == "namespace:team-03" || $0["data-target-key"] == "namespace:team-03" })
        #expect(tags.map(Self.count).reduce(0, +) == expected.count)
        #expect(dom.contains("(\(expected.count) shown)"))
    }

    @Test("the port filter keeps the edges on that port, and hides the namespaces none of them touch")
    func portFilter() throws {
        let probe = """
            var p = document.getElementById("portfilter"); p.value = "5432";
            p.dispatchEvent(new Event("input"));
            """
        let (dom, _) = try Self.dom(probe)
        let expected = Self.graph.edges.filter { $0.ports.contains("TCP 5432") }
        let tags = Self.edgeTags(dom)
        #expect(tags.allSatisfy { ($0["data-ports"] ?? "").split(separator: ",").contains("TCP 5432") })
        #expect(tags.map(Self.count).reduce(0, +) == expected.count)
        let touched = Set(expected.flatMap { [Self.unitKey($0.source), Self.unitKey($0.target)] })
        #expect(Set(Self.nodeTags(dom).compactMap { $0["data-key"] }) == touched)
        #expect(touched.count < Self.graph.groups.count, "the fixture should leave some group without port 5432")
    }

    @Test("the verdict filter (legend checkboxes) hides the edges of an unticked status")
    func statusFilter() throws {
        let probe = """
            var c = document.getElementById("status-observed"); c.checked = false;
            c.dispatchEvent(new Event("change"));
            """
        let (dom, _) = try Self.dom(probe)
        let dropped = Self.graph.edges.filter { $0.status == .dropped }
        let tags = Self.edgeTags(dom)
        #expect(!tags.isEmpty)
        #expect(tags.allSatisfy { $0["data-status"] == "dropped" })
        #expect(tags.map(Self.count).reduce(0, +) == dropped.count)
    }

    @Test("search marks the namespace holding the match and zooms in; Enter expands it, selects and centres the match")
    func search() throws {
        let probe = """
            var vp = document.getElementById("viewport"), q = document.getElementById("search");
            function scale() { return +vp.getAttribute("transform").split("scale(")[1].split(")")[0]; }
            document.body.setAttribute("data-s0", String(scale()));
            q.value = "ledger"; q.dispatchEvent(new Event("input"));
            document.body.setAttribute("data-s1", String(scale()));
            document.body.setAttribute("data-marked", Array.prototype.map.call(
              document.querySelectorAll("g.node.match"), function (x) { return x.getAttribute("data-key"); }).join("|"));
            document.body.setAttribute("data-count-text", document.getElementById("matches").textContent);
            q.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
            var r = document.getElementById("map").getBoundingClientRect();
            var n = document.querySelector("g.node.selected").getBoundingClientRect();
            document.body.setAttribute("data-offcentre", String(Math.round(Math.abs(n.left + n.width / 2 - (r.left + r.width / 2)) +
              Math.abs(n.top + n.height / 2 - (r.top + r.height / 2)))));
            """
        let (dom, body) = try Self.dom(probe)
        let s0 = try #require(Double(body["data-s0"] ?? "")), s1 = try #require(Double(body["data-s1"] ?? ""))
        #expect(s1 > s0 * 1.3, "search did not zoom (\(s0) -> \(s1))")
        #expect(body["data-marked"] == "namespace:team-17")
        #expect(body["data-count-text"] == "1 match")
        let selected = try #require(Self.nodeTags(dom).first { Self.classes($0).contains("selected") })
        #expect(selected["data-key"] == "team-17/Deployment/\(ScaleStore.uniqueName)")
        #expect(try #require(Int(body["data-offcentre"] ?? "")) <= 2, "the match is not centred")
        #expect(dom.contains("Deployment in namespace team-17"))
    }

    @Test("clicking an aggregated edge lists every edge behind it with flows, first and last seen, L7 examples")
    func edgeEvidence() throws {
        // A namespace-to-namespace aggregate holding an edge with HTTP examples.
        let e = try #require(Self.graph.edges.first { e in
            Self.unitKey(e.source) != Self.unitKey(e.target) && e.evidence.contains { !$0.examples.isEmpty }
        })
        let (s, t) = (Self.unitKey(e.source), Self.unitKey(e.target))
        let members = Self.graph.edges.filter {
            Self.unitKey($0.source) == s && Self.unitKey($0.target) == t && $0.status == e.status
        }
        let probe = Self.click("g.edge[data-source-key=\"\(s)\"][data-target-key=\"\(t)\"][data-status=\"\(e.status.rawValue)\"]")
        let (dom, _) = try Self.dom(probe)
        #expect(dom.contains("class=\"edgepanel\""))
        let listed = MapSupport.startTags("<div class=\"conn\"", in: dom).compactMap { $0["data-edge-id"] }
        #expect(Set(listed) == Set(members.map(\.id)))
        for m in members {
            for v in m.evidence {
                let first = Timestamp.format(v.firstSeen), last = Timestamp.format(v.lastSeen)
                #expect(dom.contains("\(v.source) → \(v.destination)  \(v.port)  \(v.flows) flow"), "\(v.source)")
                #expect(dom.contains("first seen \(first), last seen \(last)"))
                if !v.examples.isEmpty { #expect(dom.contains("e.g. " + v.examples.joined(separator: "; "))) }
            }
        }
        #expect(Self.edgeTags(dom).filter { Self.classes($0).contains("selected") }.count == 1)
    }

    @Test("Export SVG downloads the current view as a standalone SVG document")
    func exportSVG() throws {
        let probe = """
            var seen = {};
            HTMLAnchorElement.prototype.click = function () { seen.download = this.download; seen.href = this.href; };
            \(Self.click("#export"))
            var text = window.flowmapLastExport || "";
            var doc = new DOMParser().parseFromString(text, "image/svg+xml");
            document.body.setAttribute("data-download", seen.download || "");
            document.body.setAttribute("data-href", (seen.href || "").slice(0, 5));
            document.body.setAttribute("data-root", doc.documentElement.localName);
            document.body.setAttribute("data-parse-errors", String(doc.getElementsByTagName("parsererror").length));
            document.body.setAttribute("data-svg-nodes", String(doc.querySelectorAll("g.node").length));
            var out = document.createElement("textarea"); out.id = "probe-svg"; out.textContent = text;
            document.body.appendChild(out);
            """
        let (dom, body) = try Self.dom(probe)
        #expect(body["data-download"] == "flowmap.svg")
        #expect(body["data-href"] == "blob:")
        #expect(body["data-root"] == "svg")
        #expect(body["data-parse-errors"] == "0")
        #expect(body["data-svg-nodes"] == String(Self.graph.groups.count))
        let start = try #require(dom.range(of: "<textarea id=\"probe-svg\">"))
        let text = MapSupport.unescapeAttribute(String(dom[start.upperBound...].prefix { $0 != "<" }))
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"))
        #expect(dom.contains("&lt;svg xmlns=\"http://www.w3.org/2000/svg\"") || text.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    }

    @Test("a screenshot of the overview is a PNG (FLOWMAP_RECORD=1 writes docs/images/map-overview.png)")
    func screenshot() throws {
        let exe = try MapSupport.tool("chromium", package: "chromium")
        let dir = MapSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("map.html"), png = dir.appendingPathComponent("map.png")
        try Self.html.write(to: page, atomically: true, encoding: .utf8)
        let r = try MapSupport.run(exe, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                                         "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                                         "--window-size=1400,900", "--screenshot=\(png.path)", page.absoluteString])
        #expect(r.status == 0)
        let data = try Data(contentsOf: png)
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(data.count > 20_000, "an overview of 25 namespaces should not be a blank page")
        if ProcessInfo.processInfo.environment["FLOWMAP_RECORD"] == "1" {
            let target = MapSupport.repoRoot.appendingPathComponent("docs/images/map-overview.png")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: target)
            try data.write(to: target)
        }
    }
}
