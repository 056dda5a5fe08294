import FlowModel

/// One self-contained HTML file: inline CSS, inline JS, an SVG drawn by the script, no network access.
/// The graph is embedded as JSON in a `<script type="application/json">` element (every string through
/// `Escape.json`, so `</script>` cannot occur); the page shell holds no capture text, and the script builds every
/// element with `createElementNS`/`textContent`/`setAttribute`, never `innerHTML`.
public enum HTMLRenderer {
    public static func render(_ g: MapGraph, title: String = "FlowMap") -> String {
        var html = shellHead
        html += "<title>\(Escape.html(title))</title>\n"
        html += style
        html += shellBody
        html += "<script type=\"application/json\" id=\"flowmap-data\">"
        html += data(g, title: title)
        html += "</script>\n<script>\n"
        html += script
        html += "</script>\n</body>\n</html>\n"
        return html
    }

    /// The embedded graph as JSON (deterministic: keys and arrays in the graph's order).
    public static func data(_ g: MapGraph, title: String = "FlowMap") -> String {
        let statuses: [EdgeStatus] = g.hasVerdicts
            ? [.allowedObserved, .observedDenied, .allowedUnobserved, .dropped, .observed]
            : [.observed, .dropped]
        let j = JSON.object([
            ("title", .string(title)),
            ("hasVerdicts", .bool(g.hasVerdicts)),
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

    static let style = """
        <style>
        * { box-sizing: border-box; }
        html, body { margin: 0; height: 100%; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2733; background: #f7f8fa; }
        body { display: flex; flex-direction: column; }
        header { display: flex; align-items: center; gap: 12px; padding: 8px 14px; background: #1d2733; color: #fff; }
        header h1 { font-size: 16px; margin: 0 8px 0 0; font-weight: 600; }
        header input[type=search] { width: 280px; padding: 5px 8px; border-radius: 4px; border: 1px solid #8894a3; font: inherit; }
        header button { font: inherit; padding: 4px 10px; border-radius: 4px; border: 1px solid #8894a3; background: #2e3b4b; color: #fff; cursor: pointer; }
        header label { display: flex; align-items: center; gap: 4px; }
        #stats { color: #c5ced9; margin-left: auto; }
        main { flex: 1; display: flex; min-height: 0; position: relative; }
        #map { flex: 1; display: block; cursor: grab; background: #f7f8fa; user-select: none; }
        #map.panning { cursor: grabbing; }
        #panel { width: 380px; overflow: auto; border-left: 1px solid #d5dbe3; background: #fff; padding: 12px 14px; }
        #panel h2 { font-size: 15px; margin: 0 0 2px; word-break: break-all; }
        #panel h3 { font-size: 13px; margin: 14px 0 6px; border-bottom: 1px solid #e3e7ec; padding-bottom: 3px; }
        #panel .sub { color: #5b6878; word-break: break-all; }
        #panel .hint { color: #5b6878; }
        .conn { margin: 6px 0 10px; }
        .conn .peer { font-weight: 600; cursor: pointer; color: #1f4e8c; word-break: break-all; }
        .conn .peer:hover { text-decoration: underline; }
        .chip { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 11px; margin-left: 4px; }
        .ev { margin: 3px 0 0 10px; color: #3a4655; font-size: 12px; overflow-wrap: anywhere; }
        .ev .ex { color: #6a7686; }
        #legend { border: 1px solid #d5dbe3; border-radius: 6px; padding: 8px 10px; font-size: 12px; margin-bottom: 10px; background: #fbfcfd; }
        #legend h4 { margin: 0 0 4px; font-size: 12px; }
        #legend .row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
        #legend svg { flex: none; }
        #notes { color: #8a5a00; }
        .group rect { fill: #eef3fb; stroke: #9aa5b1; stroke-width: 1; }
        .group[data-kind=reserved] rect { fill: #f4f0fa; }
        .group[data-kind=external] rect { fill: #fbf3ea; }
        .grouplabel { font-size: 13px; font-weight: 600; fill: #3a4655; paint-order: stroke; stroke: #eef3fb; stroke-width: 4px; stroke-linejoin: round; }
        .node rect { fill: #fff; stroke: #6b7785; stroke-width: 1.2; }
        .node[data-kind=reserved] rect { fill: #f8f5fd; stroke: #7a5ea8; }
        .node[data-kind=external] rect { fill: #fffaf3; stroke: #b07a2a; stroke-dasharray: 4 2; }
        .node text.name { font-size: 12px; font-weight: 600; fill: #1d2733; }
        .node text.detail { font-size: 10px; fill: #5b6878; }
        .node { cursor: pointer; }
        .node.selected rect { stroke: #f0a000; stroke-width: 3; }
        .node.match rect { stroke: #f0a000; stroke-width: 2.5; fill: #fff6da; }
        .edge path { fill: none; stroke-width: 1.6; }
        .edge text { font-size: 10px; paint-order: stroke; stroke: #f7f8fa; stroke-width: 3px; stroke-linejoin: round; }
        #map.nolabels .edge:not(.hl) text, .edge.crowded:not(.hl) text { display: none; }
        #map.focus .edge:not(.hl) { opacity: .08; }
        #map.focus .node:not(.hl) { opacity: .3; }
        #map.searching .node:not(.match) { opacity: .25; }
        #map.searching .edge { opacity: .15; }
        .edge.hl path, .edge[data-status=observed-denied] path { stroke-width: 2.6; }
        </style>

        """

    static let shellBody = """
        </head>
        <body>
        <header>
          <h1>FlowMap</h1>
          <input id="search" type="search" placeholder="Search workloads, namespaces, addresses" aria-label="search" autocomplete="off">
          <span id="matches"></span>
          <label><input id="labels" type="checkbox" checked> edge labels</label>
          <button id="fit" type="button">Fit</button>
          <span id="stats"></span>
        </header>
        <main>
          <svg id="map" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="flow map">
            <defs id="markers"></defs>
            <g id="viewport"><g id="groups"></g><g id="edges"></g><g id="grouplabels"></g><g id="nodes"></g></g>
          </svg>
          <aside id="panel"><div id="legend"></div><div id="details"><p class="hint">Click a workload to see its ingress and egress with evidence. Drag to pan, scroll to zoom, search to find.</p><p id="notes"></p></div></aside>
        </main>

        """

    /// Layout (namespaces as boxes in a grid, nodes in a grid inside) and interaction, in plain JS.
    static let script = #"""
        (function () {
        "use strict";
        var t0 = performance.now();
        var D = JSON.parse(document.getElementById("flowmap-data").textContent);
        var SVGNS = "http://www.w3.org/2000/svg";
        var NW = 176, NH = 40, GX = 58, GY = 46, PAD = 20, HEAD = 34, GGAP = 64;
        var svg = document.getElementById("map"), vp = document.getElementById("viewport");
        var nodesById = {}, statusById = {};
        D.nodes.forEach(function (n) { nodesById[n.id] = n; n.inE = []; n.outE = []; });
        D.statuses.forEach(function (s) { statusById[s.id] = s; });
        D.edges.forEach(function (e) { nodesById[e.s].outE.push(e); nodesById[e.t].inE.push(e); });

        function el(name, attrs, parent) {
          var x = document.createElementNS(SVGNS, name);
          for (var k in attrs) x.setAttribute(k, attrs[k]);
          if (parent) parent.appendChild(x);
          return x;
        }
        function h(tag, cls, text, parent) {
          var x = document.createElement(tag);
          if (cls) x.className = cls;
          if (text !== undefined && text !== null) x.textContent = text;
          if (parent) parent.appendChild(x);
          return x;
        }
        function short(s, n) { return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

        // ---- legend (in the side panel)
        var legend = document.getElementById("legend");
        h("h4", null, D.hasVerdicts ? "Edges (policy verdict)" : "Edges", legend);
        D.statuses.forEach(function (s) {
          var row = h("div", "row", null, legend);
          row.setAttribute("data-status", s.id);
          var sw = el("svg", { width: 34, height: 10 }, row);
          var l = el("line", { x1: 1, y1: 5, x2: 33, y2: 5, stroke: s.color, "stroke-width": 2.5 }, sw);
          if (s.dashed) l.setAttribute("stroke-dasharray", "6 4");
          h("span", null, s.title + " (" + D.edges.filter(function (e) { return e.status === s.id; }).length + ")", row);
        });
        h("h4", null, "Nodes", legend).style.marginTop = "6px";
        [["workload", "workload", 6], ["reserved", "cluster entity (reserved)", 14], ["external", "external addresses", 14]].forEach(function (k) {
          var row = h("div", "row", null, legend);
          var sw = el("svg", { width: 34, height: 14 }, row);
          var r = el("rect", { x: 1, y: 1, width: 32, height: 12, rx: k[2] > 6 ? 6 : 2, fill: "#fff", stroke: "#6b7785" }, sw);
          if (k[0] === "external") r.setAttribute("stroke-dasharray", "4 2");
          h("span", null, k[1], row);
        });

        // ---- layout: groups in rows (shelf packing, in order), nodes in a grid inside each group. The row width
        // is the one (of a few candidates) that lets the whole map fit the window at the largest scale.
        var maxW = 0, sumW = 0;
        D.groups.forEach(function (g) {
          var n = Math.max(1, g.nodes.length);
          g.cols = Math.max(1, Math.min(n, Math.ceil(Math.sqrt(n <= 12 ? n : n * 1.6))));
          g.rows = Math.ceil(n / g.cols);
          g.w = PAD * 2 + g.cols * NW + (g.cols - 1) * GX;
          g.h = HEAD + PAD + g.rows * NH + (g.rows - 1) * GY;
          maxW = Math.max(maxW, g.w); sumW += g.w + GGAP;
        });
        function pack(rowWidth, place) {
          var x = 0, y = 0, rowH = 0, w = 0;
          D.groups.forEach(function (g) {
            if (x > 0 && x + g.w > rowWidth) { x = 0; y += rowH + GGAP; rowH = 0; }
            if (place) { g.x = x; g.y = y; }
            x += g.w + GGAP; rowH = Math.max(rowH, g.h); w = Math.max(w, x - GGAP);
          });
          return [w, y + rowH];
        }
        var vsz = (function () { var r = svg.getBoundingClientRect(); return [r.width || 1000, r.height || 700]; })();
        var fitW = Math.max(100, vsz[0] - 40), fitH = Math.max(100, vsz[1] - 40);
        var best = maxW, bestScore = -1;
        for (var i = 0; i <= 40; i++) {
          var rw = maxW + (sumW - maxW) * i / 40, wh = pack(rw, false);
          var score = Math.min(fitW / wh[0], fitH / wh[1]);
          if (score > bestScore + 1e-9) { bestScore = score; best = rw; }
        }
        var total = pack(best, true), totalW = total[0], totalH = total[1];
        D.groups.forEach(function (g) {
          g.nodes.forEach(function (id, i) {
            var n = nodesById[id];
            n.x = g.x + PAD + (i % g.cols) * (NW + GX) + NW / 2;
            n.y = g.y + HEAD + Math.floor(i / g.cols) * (NH + GY) + NH / 2;
          });
        });

        // ---- markers, one per status colour
        var defs = document.getElementById("markers");
        D.statuses.forEach(function (s, i) {
          s.marker = "arrow" + i;
          var m = el("marker", { id: s.marker, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7",
            markerHeight: "7", orient: "auto-start-reverse" }, defs);
          el("path", { d: "M0,0 L10,5 L0,10 z", fill: s.color }, m);
        });

        // ---- groups
        var gLayer = document.getElementById("groups");
        D.groups.forEach(function (g) {
          var gg = el("g", { "class": "group", "data-group-id": g.id, "data-kind": g.kind }, gLayer);
          el("rect", { x: g.x, y: g.y, width: g.w, height: g.h, rx: 10 }, gg);
          var t = el("text", { "class": "grouplabel", x: g.x + 12, y: g.y + 20 }, document.getElementById("grouplabels"));
          t.textContent = g.kind === "namespace" ? "namespace " + g.label : g.kind === "external" ? "external peers" : g.label;
        });

        // ---- edges: quadratic curves between node borders; parallel edges fan out
        function clip(cx, cy, tx, ty) {
          var dx = tx - cx, dy = ty - cy, hw = NW / 2 + 2, hh = NH / 2 + 2;
          var t = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy));
          if (!(t < 1)) t = 0;
          return [cx + dx * t, cy + dy * t];
        }
        var pairCount = {};
        var eLayer = document.getElementById("edges");
        D.edges.forEach(function (e) {
          var a = nodesById[e.s], b = nodesById[e.t], st = statusById[e.status] || { color: "#777", marker: "" };
          var pk = e.s + ">" + e.t, k = pairCount[pk] = (pairCount[pk] || 0) + 1;
          var g = el("g", { "class": "edge", "data-edge-id": e.id, "data-source": e.s, "data-target": e.t,
            "data-source-key": a.key, "data-target-key": b.key, "data-status": e.status,
            "data-ports": e.ports.join(","), "data-flows": String(e.flows) }, eLayer);
          var d, lx, ly;
          if (e.s === e.t) {
            var rx = a.x + NW / 2, ty = a.y - NH / 2, off = 26 + 12 * k;
            d = "M" + (rx - 24) + "," + ty + " C" + (rx - 10) + "," + (ty - off) + " " + (rx + off) + "," + (ty - off / 2) +
              " " + rx + "," + (a.y - 4);
            lx = rx + 6; ly = ty - off * 0.7;
          } else {
            var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
            var bend = Math.min(60, 0.08 * len) * (k === 1 ? 1 : 1 + 1.5 * (k - 1));
            var cx = (a.x + b.x) / 2 - dy / len * bend, cy = (a.y + b.y) / 2 + dx / len * bend;
            var p0 = clip(a.x, a.y, cx, cy), p2 = clip(b.x, b.y, cx, cy);
            d = "M" + p0[0].toFixed(1) + "," + p0[1].toFixed(1) + " Q" + cx.toFixed(1) + "," + cy.toFixed(1) + " " +
              p2[0].toFixed(1) + "," + p2[1].toFixed(1);
            lx = 0.25 * p0[0] + 0.5 * cx + 0.25 * p2[0]; ly = 0.25 * p0[1] + 0.5 * cy + 0.25 * p2[1];
            e.curve = [p0[0], p0[1], cx, cy, p2[0], p2[1]];
          }
          var p = el("path", { d: d, stroke: st.color, "marker-end": "url(#" + st.marker + ")" }, g);
          if (st.dashed) p.setAttribute("stroke-dasharray", "6 4");
          var t = el("text", { x: lx.toFixed(1), y: ly.toFixed(1), "text-anchor": "middle", fill: st.color }, g);
          t.textContent = e.label;
          el("title", {}, g).textContent = a.label + " \u2192 " + b.label + ": " + e.label + " (" + (st.title || e.status) + ")";
          e.elem = g;
        });

        // ---- edge labels: busiest first; a label that would overlap one already placed is shown only when its
        // edge is highlighted (hover the edge for its title, or click a node)
        var grid = {}, CELL = 120;
        function occupy(box) {
          for (var gx = Math.floor(box[0] / CELL); gx <= Math.floor(box[2] / CELL); gx++)
            for (var gy = Math.floor(box[1] / CELL); gy <= Math.floor(box[3] / CELL); gy++)
              (grid[gx + "," + gy] = grid[gx + "," + gy] || []).push(box);
        }
        D.nodes.forEach(function (n) { occupy([n.x - NW / 2, n.y - NH / 2, n.x + NW / 2, n.y + NH / 2]); });
        D.groups.forEach(function (g) { occupy([g.x, g.y + 4, g.x + 24 + 8 * (g.label.length + 10), g.y + 26]); });
        D.edges.slice().sort(function (a, b) { return b.flows - a.flows || (a.id < b.id ? -1 : 1); }).forEach(function (e) {
          var t = e.elem.querySelector("text"), w = e.label.length * 5.6 + 6;
          // Candidate spots: the curve's middle, then nearer either end, each on the curve or just above/below it.
          var spots = [[+t.getAttribute("x"), +t.getAttribute("y")]];
          if (e.curve) {
            var q = e.curve;
            [0.5, 0.3, 0.7].forEach(function (u) {
              var a = (1 - u) * (1 - u), b = 2 * u * (1 - u), c = u * u;
              var px = a * q[0] + b * q[2] + c * q[4], py = a * q[1] + b * q[3] + c * q[5];
              [0, -11, 13].forEach(function (dy) { spots.push([px, py + dy]); });
            });
          }
          function free(box) {
            if (box[0] < 0 || box[2] > totalW) return false;
            for (var gx = Math.floor(box[0] / CELL); gx <= Math.floor(box[2] / CELL); gx++)
              for (var gy = Math.floor(box[1] / CELL); gy <= Math.floor(box[3] / CELL); gy++)
                if ((grid[gx + "," + gy] || []).some(function (b) {
                  return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; })) return false;
            return true;
          }
          for (var i = 0; i < spots.length; i++) {
            var box = [spots[i][0] - w / 2, spots[i][1] - 10, spots[i][0] + w / 2, spots[i][1] + 3];
            if (free(box)) {
              t.setAttribute("x", spots[i][0].toFixed(1)); t.setAttribute("y", spots[i][1].toFixed(1));
              occupy(box);
              return;
            }
          }
          e.elem.classList.add("crowded");
        });

        // ---- nodes
        var nLayer = document.getElementById("nodes");
        D.nodes.forEach(function (n) {
          var g = el("g", { "class": "node", "data-node-id": n.id, "data-key": n.key, "data-kind": n.kind,
            "data-namespace": n.ns, transform: "translate(" + (n.x - NW / 2) + "," + (n.y - NH / 2) + ")" }, nLayer);
          el("rect", { width: NW, height: NH, rx: n.kind === "workload" ? 6 : 14 }, g);
          el("text", { "class": "name", x: 8, y: 16 }, g).textContent = short(n.label, 25);
          el("text", { "class": "detail", x: 8, y: 31 }, g).textContent = short(n.detail, 30);
          el("title", {}, g).textContent = n.key + "\n" + n.out + " flows out, " + n.in + " flows in";
          g.addEventListener("click", function (ev) { ev.stopPropagation(); select(n.id); });
          n.elem = g;
        });

        // ---- pan and zoom
        var view = { s: 1, x: 0, y: 0 };
        function apply() {
          vp.setAttribute("transform", "translate(" + view.x.toFixed(1) + "," + view.y.toFixed(1) + ") scale(" + view.s.toFixed(4) + ")");
          var few = D.edges.length <= 80;
          svg.classList.toggle("nolabels", !document.getElementById("labels").checked || view.s < (few ? 0.45 : 0.9));
        }
        function size() {
          var r = svg.getBoundingClientRect();
          return [r.width || 800, r.height || 600];
        }
        function fit() {
          var sz = size(), m = 20;
          var avail = sz[1] - 2 * m;
          view.s = Math.min(1.2, Math.max(0.05, Math.min((sz[0] - 2 * m) / Math.max(1, totalW), avail / Math.max(1, totalH))));
          view.x = (sz[0] - totalW * view.s) / 2; view.y = m + Math.max(0, (avail - totalH * view.s) / 2);
          apply();
        }
        function centreOn(n) {
          var sz = size();
          view.s = Math.max(view.s, 0.9);
          view.x = sz[0] / 2 - n.x * view.s; view.y = sz[1] / 2 - n.y * view.s;
          apply();
        }
        var drag = null;
        svg.addEventListener("pointerdown", function (ev) {
          if (ev.button !== 0) return;
          drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
        });
        window.addEventListener("pointermove", function (ev) {
          if (!drag) return;
          var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
          if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 3) return;
          drag.moved = true; svg.classList.add("panning");
          view.x = drag.vx + dx; view.y = drag.vy + dy; apply();
        });
        window.addEventListener("pointerup", function () {
          if (drag && !drag.moved && !selecting) clearSelection();
          drag = null; selecting = false; svg.classList.remove("panning");
        });
        svg.addEventListener("wheel", function (ev) {
          ev.preventDefault();
          var r = svg.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top;
          var f = Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015));
          var s = Math.min(4, Math.max(0.03, view.s * f));
          view.x = px - (px - view.x) * s / view.s; view.y = py - (py - view.y) * s / view.s; view.s = s;
          apply();
        }, { passive: false });
        document.getElementById("fit").addEventListener("click", fit);
        document.getElementById("labels").addEventListener("change", apply);

        // ---- selection and the side panel
        var panel = document.getElementById("details"), selected = null, selecting = false;
        function clearSelection() {
          if (selected) selected.elem.classList.remove("selected");
          selected = null;
          svg.classList.remove("focus");
          D.nodes.forEach(function (n) { n.elem.classList.remove("hl"); });
          D.edges.forEach(function (e) { e.elem.classList.remove("hl"); });
        }
        function chip(status, parent) {
          var st = statusById[status] || { color: "#777", title: status };
          var c = h("span", "chip", st.title, parent);
          c.style.background = st.color;
          return c;
        }
        function connections(title, edges, peerOf, panelEl) {
          var parent = h("div", "dir", null, panelEl);
          parent.setAttribute("data-direction", title.toLowerCase());
          h("h3", null, title + " (" + edges.length + ")", parent);
          if (!edges.length) { h("div", "hint", "none observed", parent); return; }
          edges.slice().sort(function (a, b) { return b.flows - a.flows || (a.id < b.id ? -1 : 1); }).forEach(function (e) {
            var peer = nodesById[peerOf(e)];
            var c = h("div", "conn", null, parent);
            c.setAttribute("data-edge-id", e.id);
            var p = h("span", "peer", peer.kind === "workload" ? peer.ns + "/" + peer.label : peer.label, c);
            p.addEventListener("click", function () { select(peer.id); centreOn(peer); });
            chip(e.status, c);
            h("div", "ev", e.label, c);
            e.ev.forEach(function (v) {
              var line = v.src + " \u2192 " + v.dst + "  " + v.port;
              if (v.flows > 0) line += "  " + v.flows + " flows, " + v.first + " \u2013 " + v.last;
              h("div", "ev", line, c);
              if (v.ex.length) h("div", "ev ex", "e.g. " + v.ex.join("; "), c);
              if (v.drops.length) h("div", "ev ex", "dropped: " + v.drops.join("; "), c);
              if (v.note) h("div", "ev ex", v.note, c);
            });
          });
        }
        function select(id) {
          selecting = true;
          clearSelection();
          var n = nodesById[id];
          selected = n;
          n.elem.classList.add("selected", "hl");
          svg.classList.add("focus");
          n.inE.concat(n.outE).forEach(function (e) {
            e.elem.classList.add("hl");
            nodesById[e.s].elem.classList.add("hl"); nodesById[e.t].elem.classList.add("hl");
          });
          panel.textContent = "";
          h("h2", null, n.label, panel);
          h("div", "sub", n.kind === "workload" ? n.detail + " in namespace " + n.ns : n.detail, panel);
          h("div", "sub", n.key, panel);
          h("div", "sub", n.out + " flows out, " + n.in + " flows in", panel);
          if (n.members.length) {
            h("h3", null, "Addresses (" + n.members.length + ")", panel);
            n.members.forEach(function (m) { h("div", "ev", m, panel); });
          }
          connections("Ingress", n.inE, function (e) { return e.s; }, panel);
          connections("Egress", n.outE, function (e) { return e.t; }, panel);
        }

        // ---- search
        var search = document.getElementById("search"), matchesEl = document.getElementById("matches");
        var matches = [];
        function runSearch() {
          var q = search.value.trim().toLowerCase();
          matches = [];
          D.nodes.forEach(function (n) {
            var m = q !== "" && (n.label.toLowerCase().indexOf(q) >= 0 || n.key.toLowerCase().indexOf(q) >= 0 ||
              n.members.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; }));
            n.elem.classList.toggle("match", m);
            if (m) matches.push(n);
          });
          svg.classList.toggle("searching", q !== "");
          matchesEl.textContent = q === "" ? "" : matches.length + " match" + (matches.length === 1 ? "" : "es");
        }
        search.addEventListener("input", runSearch);
        search.addEventListener("keydown", function (ev) {
          if (ev.key === "Enter" && matches.length) { select(matches[0].id); selecting = false; centreOn(matches[0]); }
          if (ev.key === "Escape") { search.value = ""; runSearch(); }
        });

        // ---- stats
        var nw = D.nodes.filter(function (n) { return n.kind === "workload"; }).length;
        document.getElementById("stats").textContent = nw + " workloads \u00b7 " + D.groups.filter(function (g) {
          return g.kind === "namespace"; }).length + " namespaces \u00b7 " + D.edges.length + " edges";
        if (D.notes.length) document.getElementById("notes").textContent = D.notes.join(" ");

        fit();
        // Links: #node=<key> opens a workload's panel, #q=<text> searches.
        function fromHash() {
          var hsh = location.hash.slice(1), i = hsh.indexOf("="), k = hsh.slice(0, i), v = "";
          try { v = decodeURIComponent(hsh.slice(i + 1)); } catch (err) { return; }
          if (k === "node") {
            var n = D.nodes.filter(function (x) { return x.key === v; })[0];
            if (n) { select(n.id); selecting = false; centreOn(n); }
          } else if (k === "q") { search.value = v; runSearch(); }
        }
        if (location.hash) fromHash();
        window.addEventListener("hashchange", fromHash);
        document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - t0)));
        document.body.setAttribute("data-ready", "true");
        })();

        """#
}
