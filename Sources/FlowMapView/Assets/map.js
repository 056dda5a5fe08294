// The HTML map's layout and interaction (embedded by scripts/embed-assets.py; `make assets` after editing).
// Capture text only ever reaches the page through textContent and setAttribute, never markup.
(function () {
"use strict";
var t0 = performance.now();
var D = JSON.parse(document.getElementById("flowmap-data").textContent);
var SVGNS = "http://www.w3.org/2000/svg";
var NW = 176, NH = 40, GX = 58, GY = 46, PAD = 20, HEAD = 34, GGAP = 64, CW = 200, CH = 46;
var svg = document.getElementById("map"), vp = document.getElementById("viewport");
var nodesById = {}, statusById = {}, groupsById = {};
D.nodes.forEach(function (n) { nodesById[n.id] = n; n.inE = []; n.outE = []; });
D.statuses.forEach(function (s) { statusById[s.id] = s; });
D.groups.forEach(function (g) { groupsById[g.id] = g; });
D.edges.forEach(function (e) { nodesById[e.s].outE.push(e); nodesById[e.t].inE.push(e); });
var workloadCount = D.nodes.filter(function (n) { return n.kind === "workload"; }).length;
// Above the threshold every group starts collapsed: one node per namespace (and per other group).
var overview = workloadCount > D.overviewAbove;
var collapsed = {};
D.groups.forEach(function (g) { collapsed[g.id] = overview; });
var filter = { ns: "", port: "", off: {} };

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
function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
function byFlows(a, b) { return b.flows - a.flows || (a.id < b.id ? -1 : 1); }

// ---- legend (in the side panel); each edge status has a checkbox (the verdict filter)
var legend = document.getElementById("legend");
h("h4", null, D.hasVerdicts ? "Edges (policy verdict)" : "Edges", legend);
D.statuses.forEach(function (s) {
  var row = h("label", "row", null, legend);
  row.setAttribute("data-status", s.id);
  var cb = h("input", null, null, row);
  cb.type = "checkbox"; cb.checked = true; cb.id = "status-" + s.id;
  cb.addEventListener("change", function () { filter.off[s.id] = !cb.checked; render(); });
  var sw = el("svg", { width: 34, height: 10 }, row);
  var l = el("line", { x1: 1, y1: 5, x2: 33, y2: 5, stroke: s.color, "stroke-width": 2.5 }, sw);
  if (s.dashed) l.setAttribute("stroke-dasharray", "6 4");
  h("span", null, s.title + " (" + D.edges.filter(function (e) { return e.status === s.id; }).length + ")", row);
});
h("h4", null, "Nodes", legend).style.marginTop = "6px";
[["workload", "workload", 6], ["reserved", "cluster entity (reserved)", 14], ["external", "external addresses", 14],
 ["namespace", "namespace, collapsed (click to expand)", 6]].forEach(function (k) {
  var row = h("div", "row", null, legend);
  var sw = el("svg", { width: 34, height: 14 }, row);
  var r = el("rect", { x: 1, y: 1, width: 32, height: 12, rx: k[2] > 6 ? 6 : 2, fill: k[0] === "namespace" ? "#eef3fb" : "#fff",
    stroke: k[0] === "namespace" ? "#4a6fa5" : "#6b7785" }, sw);
  if (k[0] === "external") r.setAttribute("stroke-dasharray", "4 2");
  h("span", null, k[1], row);
});

// ---- filter controls: namespaces (sorted, as the groups are) and the ports seen
var nsSelect = document.getElementById("nsfilter");
D.groups.forEach(function (g) {
  if (g.kind !== "namespace") return;
  var o = h("option", null, g.label, nsSelect);
  o.value = g.label;
});
nsSelect.addEventListener("change", function () { filter.ns = nsSelect.value; render(); fit(); });
var portInput = document.getElementById("portfilter"), portList = document.getElementById("ports");
var seenPorts = {};
D.edges.forEach(function (e) { e.ports.forEach(function (p) { seenPorts[p] = true; }); });
Object.keys(seenPorts).sort(function (a, b) {
  var x = a.split(" "), y = b.split(" ");
  return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (+x[1] || 0) - (+y[1] || 0) || (a < b ? -1 : a > b ? 1 : 0);
}).forEach(function (p) { h("option", null, null, portList).value = p; });
portInput.addEventListener("input", function () { filter.port = portInput.value.trim().toLowerCase(); render(); });

// An edge passes the filters when its status is shown, a port matches (a number matches that port of any
// protocol, other text a substring) and, with a namespace chosen, one end is in it.
function portMatches(e) {
  var q = filter.port;
  if (q === "") return true;
  return e.ports.some(function (p) {
    p = p.toLowerCase();
    return /^\d+$/.test(q) ? p.split(" ")[1] === q : p.indexOf(q) >= 0;
  });
}
function edgePasses(e) {
  if (filter.off[e.status] || !portMatches(e)) return false;
  return filter.ns === "" || nodesById[e.s].ns === filter.ns || nodesById[e.t].ns === filter.ns;
}
function edgeFilterOn() {
  return filter.port !== "" || D.statuses.some(function (s) { return filter.off[s.id]; });
}

// ---- markers, one per status colour
var defs = document.getElementById("markers");
D.statuses.forEach(function (s, i) {
  s.marker = "arrow" + i;
  var m = el("marker", { id: s.marker, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7",
    markerHeight: "7", orient: "auto-start-reverse" }, defs);
  el("path", { d: "M0,0 L10,5 L0,10 z", fill: s.color }, m);
});

var gLayer = document.getElementById("groups"), eLayer = document.getElementById("edges");
var lLayer = document.getElementById("grouplabels"), nLayer = document.getElementById("nodes");
var units = [], unitsById = {}, vedges = [], totalW = 0, totalH = 0, selected = null, selecting = false;
var unitOfNode = {};

// ---- one render of the current state: which nodes and edges pass the filters, which groups are collapsed,
// the layout, then the drawing. Deterministic: everything walks the data's sorted order.
function render() {
  [gLayer, eLayer, lLayer, nLayer].forEach(function (x) { x.textContent = ""; });
  var passing = D.edges.filter(edgePasses), touched = {};
  passing.forEach(function (e) { touched[e.s] = true; touched[e.t] = true; });
  var strict = edgeFilterOn();
  function nodeShown(n) {
    if (touched[n.id]) return true;
    return !strict && (filter.ns === "" || n.ns === filter.ns);
  }
  // Units: a visible node, or a collapsed group standing for its visible nodes.
  units = []; unitsById = {}; unitOfNode = {};
  var shownGroups = [];
  D.groups.forEach(function (g) {
    var members = g.nodes.map(function (id) { return nodesById[id]; }).filter(nodeShown);
    if (!members.length) return;
    var sg = { g: g, units: [] };
    shownGroups.push(sg);
    if (collapsed[g.id]) {
      var u = { id: "u" + g.id, key: g.kind === "namespace" ? "namespace:" + g.label : "group:" + g.label,
        kind: g.kind === "namespace" ? "namespace" : g.kind, group: g, members: members, w: CW, h: CH,
        label: g.kind === "namespace" ? g.label : g.kind === "external" ? "external peers" : g.label,
        detail: plural(members.length, g.kind === "namespace" ? "workload" : g.kind === "external" ? "peer group" : "entity") +
          " \u00b7 click to expand" };
      sg.units.push(u);
      members.forEach(function (n) { unitOfNode[n.id] = u; });
    } else {
      members.forEach(function (n) {
        var u = { id: n.id, key: n.key, kind: n.kind, group: g, node: n, members: [n], w: NW, h: NH,
          label: n.label, detail: n.detail };
        sg.units.push(u);
        unitOfNode[n.id] = u;
      });
    }
    sg.units.forEach(function (u) { units.push(u); unitsById[u.id] = u; });
  });
  layout(shownGroups);
  // Edges between units: real edges of the same status between the same two units are drawn as one, with counts.
  vedges = [];
  var byKey = {};
  passing.forEach(function (e) {
    var a = unitOfNode[e.s], b = unitOfNode[e.t];
    if (!a || !b) return;
    var k = a.id + ">" + b.id + ">" + e.status, v = byKey[k];
    if (!v) {
      v = byKey[k] = { id: "", s: a, t: b, status: e.status, members: [], flows: 0, ports: [], portSeen: {} };
      vedges.push(v);
    }
    v.members.push(e); v.flows += e.flows;
    e.ports.forEach(function (p) { if (!v.portSeen[p]) { v.portSeen[p] = true; v.ports.push(p); } });
  });
  vedges.forEach(function (v, i) {
    v.id = v.members.length === 1 ? v.members[0].id : "a" + i;
    if (v.members.length === 1) { v.label = v.members[0].label; return; }
    var p = v.ports.slice(0, 4).join(", ") + (v.ports.length > 4 ? " +" + (v.ports.length - 4) : "");
    v.label = p + " \u00b7 " + plural(v.members.length, "edge") + (v.status === "allowed-unobserved" ? ", unused" :
      ", " + plural(v.flows, "flow"));
  });
  draw(shownGroups);
  updateStats(passing.length);
  if (selected && selected.type === "unit" && unitsById[selected.id]) select(selected.id, true);
  else if (selected && selected.type === "edge" && edgeById(selected.id)) selectEdge(selected.id);
  else clearSelection();
  runSearch(false);
}
function edgeById(id) { return vedges.filter(function (v) { return v.id === id; })[0]; }

// ---- layout: groups in rows (shelf packing, in order); an expanded group is a grid of its nodes, a collapsed
// one a single node. The row width is the one (of a few candidates) that lets the map fit the window best.
function layout(shownGroups) {
  var maxW = 0, sumW = 0;
  shownGroups.forEach(function (sg) {
    var n = sg.units.length;
    if (collapsed[sg.g.id]) { sg.w = CW; sg.h = CH; sg.cols = 1; }
    else {
      sg.cols = Math.max(1, Math.min(n, Math.ceil(Math.sqrt(n <= 12 ? n : n * 1.6))));
      var rows = Math.ceil(n / sg.cols);
      sg.w = PAD * 2 + sg.cols * NW + (sg.cols - 1) * GX;
      sg.h = HEAD + PAD + rows * NH + (rows - 1) * GY;
    }
    maxW = Math.max(maxW, sg.w); sumW += sg.w + GGAP;
  });
  function pack(rowWidth, place) {
    var x = 0, y = 0, rowH = 0, w = 0;
    shownGroups.forEach(function (sg) {
      if (x > 0 && x + sg.w > rowWidth) { x = 0; y += rowH + GGAP; rowH = 0; }
      if (place) { sg.x = x; sg.y = y; }
      x += sg.w + GGAP; rowH = Math.max(rowH, sg.h); w = Math.max(w, x - GGAP);
    });
    return [w, y + rowH];
  }
  var sz = size(), fitW = Math.max(100, sz[0] - 40), fitH = Math.max(100, sz[1] - 40);
  var best = maxW, bestScore = -1;
  for (var i = 0; i <= 40; i++) {
    var rw = maxW + (sumW - maxW) * i / 40, wh = pack(rw, false);
    var score = Math.min(fitW / Math.max(1, wh[0]), fitH / Math.max(1, wh[1]));
    if (score > bestScore + 1e-9) { bestScore = score; best = rw; }
  }
  var total = pack(best, true);
  totalW = total[0]; totalH = total[1];
  shownGroups.forEach(function (sg) {
    if (collapsed[sg.g.id]) { sg.units[0].x = sg.x + CW / 2; sg.units[0].y = sg.y + CH / 2; return; }
    sg.units.forEach(function (u, i) {
      u.x = sg.x + PAD + (i % sg.cols) * (NW + GX) + NW / 2;
      u.y = sg.y + HEAD + Math.floor(i / sg.cols) * (NH + GY) + NH / 2;
    });
  });
}

function clip(u, tx, ty) {
  var dx = tx - u.x, dy = ty - u.y, hw = u.w / 2 + 2, hh = u.h / 2 + 2;
  var t = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy));
  if (!(t < 1)) t = 0;
  return [u.x + dx * t, u.y + dy * t];
}

function draw(shownGroups) {
  // groups: expanded ones as boxes with a label that collapses them
  shownGroups.forEach(function (sg) {
    var g = sg.g;
    if (collapsed[g.id]) return;
    var gg = el("g", { "class": "group", "data-group-id": g.id, "data-kind": g.kind }, gLayer);
    el("rect", { x: sg.x, y: sg.y, width: sg.w, height: sg.h, rx: 10 }, gg);
    var t = el("text", { "class": "grouplabel", x: sg.x + 12, y: sg.y + 20, "data-group-id": g.id }, lLayer);
    t.textContent = "\u25be " + (g.kind === "namespace" ? "namespace " + g.label : g.kind === "external" ? "external peers" : g.label);
    el("title", {}, t).textContent = "click to collapse";
    t.addEventListener("click", function (ev) { ev.stopPropagation(); selecting = true; collapse(g.id); });
  });
  // edges: quadratic curves between unit borders; parallel edges fan out
  var pairCount = {};
  vedges.forEach(function (v) {
    var a = v.s, b = v.t, st = statusById[v.status] || { color: "#777", marker: "" };
    var pk = a.id + ">" + b.id, k = pairCount[pk] = (pairCount[pk] || 0) + 1;
    var g = el("g", { "class": "edge", "data-edge-id": v.id, "data-source": a.id, "data-target": b.id,
      "data-source-key": a.key, "data-target-key": b.key, "data-status": v.status,
      "data-ports": v.ports.join(","), "data-flows": String(v.flows), "data-count": String(v.members.length) }, eLayer);
    var d, lx, ly;
    v.curve = null;
    if (a === b) {
      var rx = a.x + a.w / 2, ty = a.y - a.h / 2, off = 26 + 12 * k;
      d = "M" + (rx - 24) + "," + ty + " C" + (rx - 10) + "," + (ty - off) + " " + (rx + off) + "," + (ty - off / 2) +
        " " + rx + "," + (a.y - 4);
      lx = rx + 6; ly = ty - off * 0.7;
    } else {
      var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var bend = Math.min(60, 0.08 * len) * (k === 1 ? 1 : 1 + 1.5 * (k - 1));
      var cx = (a.x + b.x) / 2 - dy / len * bend, cy = (a.y + b.y) / 2 + dx / len * bend;
      var p0 = clip(a, cx, cy), p2 = clip(b, cx, cy);
      d = "M" + p0[0].toFixed(1) + "," + p0[1].toFixed(1) + " Q" + cx.toFixed(1) + "," + cy.toFixed(1) + " " +
        p2[0].toFixed(1) + "," + p2[1].toFixed(1);
      lx = 0.25 * p0[0] + 0.5 * cx + 0.25 * p2[0]; ly = 0.25 * p0[1] + 0.5 * cy + 0.25 * p2[1];
      v.curve = [p0[0], p0[1], cx, cy, p2[0], p2[1]];
    }
    el("path", { "class": "hit", d: d }, g);
    var p = el("path", { d: d, stroke: st.color, "marker-end": "url(#" + st.marker + ")" }, g);
    if (st.dashed) p.setAttribute("stroke-dasharray", "6 4");
    var t = el("text", { x: lx.toFixed(1), y: ly.toFixed(1), "text-anchor": "middle", fill: st.color }, g);
    t.textContent = v.label;
    el("title", {}, g).textContent = a.label + " \u2192 " + b.label + ": " + v.label + " (" + (st.title || v.status) + ")";
    g.addEventListener("click", function (ev) { ev.stopPropagation(); selecting = true; selectEdge(v.id); });
    v.elem = g;
  });
  placeLabels();
  // units
  units.forEach(function (u) {
    var attrs = { "class": "node", "data-node-id": u.id, "data-key": u.key, "data-kind": u.kind,
      "data-namespace": u.node ? u.node.ns : u.kind === "namespace" ? u.group.label : "",
      transform: "translate(" + (u.x - u.w / 2) + "," + (u.y - u.h / 2) + ")" };
    if (!u.node) { attrs["data-collapsed"] = "true"; attrs["data-group-id"] = u.group.id; attrs["data-members"] = String(u.members.length); }
    var g = el("g", attrs, nLayer);
    el("rect", { width: u.w, height: u.h, rx: u.kind === "workload" || u.kind === "namespace" ? 6 : 14 }, g);
    el("text", { "class": "name", x: 8, y: 16 }, g).textContent = (u.node ? "" : "\u25b8 ") + short(u.label, 25);
    el("text", { "class": "detail", x: 8, y: 31 }, g).textContent = short(u.detail, 34);
    var out = 0, inn = 0;
    u.members.forEach(function (n) { out += n.out; inn += n.in; });
    el("title", {}, g).textContent = (u.node ? u.key : u.label + ": " + u.detail) + "\n" + out + " flows out, " + inn + " flows in";
    g.addEventListener("click", function (ev) {
      ev.stopPropagation();
      if (u.node) { select(u.id); return; }
      selecting = true; expand(u.group.id);
    });
    u.elem = g;
  });
}

// ---- edge labels: busiest first; a label that would overlap one already placed is shown only when its
// edge is highlighted (hover the edge for its title, or click a node)
function placeLabels() {
  var grid = {}, CELL = 120;
  function cells(box, f) {
    for (var gx = Math.floor(box[0] / CELL); gx <= Math.floor(box[2] / CELL); gx++)
      for (var gy = Math.floor(box[1] / CELL); gy <= Math.floor(box[3] / CELL); gy++)
        if (f(gx + "," + gy)) return true;
    return false;
  }
  function occupy(box) { cells(box, function (c) { (grid[c] = grid[c] || []).push(box); return false; }); }
  function free(box) {
    if (box[0] < 0 || box[2] > totalW) return false;
    return !cells(box, function (c) {
      return (grid[c] || []).some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; });
    });
  }
  units.forEach(function (u) { occupy([u.x - u.w / 2, u.y - u.h / 2, u.x + u.w / 2, u.y + u.h / 2]); });
  vedges.slice().sort(byFlows).forEach(function (v) {
    var t = v.elem.querySelector("text"), w = v.label.length * 5.6 + 6;
    // Candidate spots: the curve's middle, then nearer either end, each on the curve or just above/below it.
    var spots = [[+t.getAttribute("x"), +t.getAttribute("y")]];
    if (v.curve) {
      var q = v.curve;
      [0.5, 0.3, 0.7].forEach(function (s) {
        var a = (1 - s) * (1 - s), b = 2 * s * (1 - s), c = s * s;
        var px = a * q[0] + b * q[2] + c * q[4], py = a * q[1] + b * q[3] + c * q[5];
        [0, -11, 13].forEach(function (dy) { spots.push([px, py + dy]); });
      });
    }
    for (var i = 0; i < spots.length; i++) {
      var box = [spots[i][0] - w / 2, spots[i][1] - 10, spots[i][0] + w / 2, spots[i][1] + 3];
      if (free(box)) {
        t.setAttribute("x", spots[i][0].toFixed(1)); t.setAttribute("y", spots[i][1].toFixed(1));
        occupy(box);
        return;
      }
    }
    v.elem.classList.add("crowded");
  });
}

// ---- expand and collapse
function expand(gid) {
  collapsed[gid] = false;
  render();
  var u = units.filter(function (x) { return x.group.id === gid; });
  if (u.length) zoomTo(u);
}
function collapse(gid) {
  collapsed[gid] = true;
  render();
  var u = units.filter(function (x) { return x.group.id === gid; });
  if (u.length) centreOn(u[0]);
}
function setAll(c) { D.groups.forEach(function (g) { collapsed[g.id] = c; }); render(); fit(); }
document.getElementById("expandall").addEventListener("click", function () { setAll(false); });
document.getElementById("collapseall").addEventListener("click", function () { setAll(true); });

// ---- pan and zoom
var view = { s: 1, x: 0, y: 0 };
function apply() {
  vp.setAttribute("transform", "translate(" + view.x.toFixed(1) + "," + view.y.toFixed(1) + ") scale(" + view.s.toFixed(4) + ")");
  var few = vedges.length <= 80;
  svg.classList.toggle("nolabels", !document.getElementById("labels").checked || view.s < (few ? 0.45 : 0.9));
}
function size() {
  var r = svg.getBoundingClientRect();
  return [r.width || 1000, r.height || 700];
}
function fitBox(x0, y0, x1, y1, maxScale) {
  var sz = size(), m = 20, w = Math.max(1, x1 - x0), hh = Math.max(1, y1 - y0);
  view.s = Math.min(maxScale, Math.max(0.03, Math.min((sz[0] - 2 * m) / w, (sz[1] - 2 * m) / hh)));
  view.x = sz[0] / 2 - (x0 + x1) / 2 * view.s; view.y = sz[1] / 2 - (y0 + y1) / 2 * view.s;
  apply();
}
function fit() {
  var sz = size(), m = 20, avail = sz[1] - 2 * m;
  view.s = Math.min(1.2, Math.max(0.05, Math.min((sz[0] - 2 * m) / Math.max(1, totalW), avail / Math.max(1, totalH))));
  view.x = (sz[0] - totalW * view.s) / 2; view.y = m + Math.max(0, (avail - totalH * view.s) / 2);
  apply();
}
// Zooms so that these units fill the view (at most `max`, 120 % unless given).
function zoomTo(us, max) {
  var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  us.forEach(function (u) {
    x0 = Math.min(x0, u.x - u.w / 2); y0 = Math.min(y0, u.y - u.h / 2);
    x1 = Math.max(x1, u.x + u.w / 2); y1 = Math.max(y1, u.y + u.h / 2);
  });
  fitBox(x0 - 40, y0 - 40, x1 + 40, y1 + 40, max || 1.2);
}
function centreOn(u) {
  var sz = size();
  view.s = Math.max(view.s, 0.9);
  view.x = sz[0] / 2 - u.x * view.s; view.y = sz[1] / 2 - u.y * view.s;
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
  if (drag && !drag.moved && !selecting) { selected = null; clearSelection(); }
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
var panel = document.getElementById("details");
function clearSelection() {
  svg.classList.remove("focus");
  units.forEach(function (u) { u.elem.classList.remove("hl", "selected"); });
  vedges.forEach(function (v) { v.elem.classList.remove("hl", "selected"); });
}
function chip(status, parent) {
  var st = statusById[status] || { color: "#777", title: status };
  var c = h("span", "chip", st.title, parent);
  c.style.background = st.color;
  return c;
}
// The evidence behind one real edge: each store edge with flows, first and last seen, L7 examples, drops, notes.
function evidence(e, parent) {
  h("div", "ev", e.label, parent);
  e.ev.forEach(function (v) {
    var line = v.src + " \u2192 " + v.dst + "  " + v.port;
    if (v.flows > 0) line += "  " + plural(v.flows, "flow") + ", " + v.first + " \u2013 " + v.last;
    h("div", "ev", line, parent);
    if (v.flows > 0) h("div", "ev ex", "first seen " + v.first + ", last seen " + v.last, parent);
    if (v.ex.length) h("div", "ev ex", "e.g. " + v.ex.join("; "), parent);
    if (v.drops.length) h("div", "ev ex", "dropped: " + v.drops.join("; "), parent);
    if (v.note) h("div", "ev ex", v.note, parent);
  });
}
function peerName(n) { return n.kind === "workload" ? n.ns + "/" + n.label : n.label; }
function connections(title, edges, peerOf, panelEl) {
  var parent = h("div", "dir", null, panelEl);
  parent.setAttribute("data-direction", title.toLowerCase());
  h("h3", null, title + " (" + edges.length + ")", parent);
  if (!edges.length) { h("div", "hint", "none observed", parent); return; }
  edges.slice().sort(byFlows).forEach(function (e) {
    var peer = nodesById[peerOf(e)];
    var c = h("div", "conn", null, parent);
    c.setAttribute("data-edge-id", e.id);
    var p = h("span", "peer", peerName(peer), c);
    p.addEventListener("click", function () { reveal(peer); });
    chip(e.status, c);
    evidence(e, c);
  });
}
function select(id, keepPanel) {
  selecting = true;
  clearSelection();
  var u = unitsById[id], n = u.node;
  selected = { type: "unit", id: id };
  u.elem.classList.add("selected", "hl");
  svg.classList.add("focus");
  var ins = n.inE.filter(edgePasses), outs = n.outE.filter(edgePasses);
  vedges.forEach(function (v) {
    if (v.s !== u && v.t !== u) return;
    v.elem.classList.add("hl"); v.s.elem.classList.add("hl"); v.t.elem.classList.add("hl");
  });
  if (keepPanel) return;
  panel.textContent = "";
  h("h2", null, n.label, panel);
  h("div", "sub", n.kind === "workload" ? n.detail + " in namespace " + n.ns : n.detail, panel);
  h("div", "sub", n.key, panel);
  h("div", "sub", n.out + " flows out, " + n.in + " flows in", panel);
  if (n.members.length) {
    h("h3", null, "Addresses (" + n.members.length + ")", panel);
    n.members.forEach(function (m) { h("div", "ev", m, panel); });
  }
  connections("Ingress", ins, function (e) { return e.s; }, panel);
  connections("Egress", outs, function (e) { return e.t; }, panel);
}
function selectEdge(id) {
  clearSelection();
  var v = edgeById(id);
  selected = { type: "edge", id: id };
  v.elem.classList.add("selected", "hl"); v.s.elem.classList.add("hl"); v.t.elem.classList.add("hl");
  svg.classList.add("focus");
  panel.textContent = "";
  var box = h("div", "edgepanel", null, panel);
  box.setAttribute("data-edge-id", v.id);
  h("h2", null, v.s.label + " \u2192 " + v.t.label, box);
  var sub = h("div", "sub", plural(v.members.length, "edge") + ", " + plural(v.flows, "flow"), box);
  chip(v.status, sub);
  v.members.slice().sort(byFlows).forEach(function (e) {
    var c = h("div", "conn", null, box);
    c.setAttribute("data-edge-id", e.id);
    var a = nodesById[e.s], b = nodesById[e.t];
    var sp = h("span", "peer", peerName(a), c);
    sp.addEventListener("click", function () { reveal(a); });
    h("span", null, " \u2192 ", c);
    var tp = h("span", "peer", peerName(b), c);
    tp.addEventListener("click", function () { reveal(b); });
    evidence(e, c);
  });
}
// Shows a node: expands its group when collapsed, clears filters that hide it, selects it and centres on it.
function reveal(n) {
  if (!unitOfNode[n.id]) { filter.ns = ""; nsSelect.value = ""; filter.port = ""; portInput.value = ""; filter.off = {};
    D.statuses.forEach(function (s) { document.getElementById("status-" + s.id).checked = true; }); }
  if (collapsed[n.group]) { collapsed[n.group] = false; }
  render();
  select(n.id); selecting = false; centreOn(unitsById[n.id]);
}

// ---- search: marks the matching nodes (a collapsed group when one of its nodes matches) and zooms to them
var search = document.getElementById("search"), matchesEl = document.getElementById("matches");
var matches = [];
function runSearch(zoom) {
  var q = search.value.trim().toLowerCase();
  matches = [];
  var hit = {};
  D.nodes.forEach(function (n) {
    var u = unitOfNode[n.id];
    if (!u || q === "") return;
    if (n.label.toLowerCase().indexOf(q) >= 0 || n.key.toLowerCase().indexOf(q) >= 0 ||
        n.members.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; })) {
      matches.push(n); hit[u.id] = u;
    }
  });
  units.forEach(function (u) { u.elem.classList.toggle("match", !!hit[u.id]); });
  svg.classList.toggle("searching", q !== "");
  matchesEl.textContent = q === "" ? "" : matches.length + (matches.length === 1 ? " match" : " matches");
  var hu = units.filter(function (u) { return hit[u.id]; });
  if (zoom && hu.length) zoomTo(hu, 1.6);
}
search.addEventListener("input", function () { runSearch(true); });
search.addEventListener("keydown", function (ev) {
  if (ev.key === "Enter" && matches.length) reveal(matches[0]);
  if (ev.key === "Escape") { search.value = ""; runSearch(false); fit(); }
});

// ---- export: the current view as a standalone SVG document (the page's style inlined), downloaded
function exportSVG() {
  var sz = size(), copy = svg.cloneNode(true);
  copy.removeAttribute("id");
  copy.setAttribute("xmlns", SVGNS);
  copy.setAttribute("width", String(Math.round(sz[0])));
  copy.setAttribute("height", String(Math.round(sz[1])));
  copy.setAttribute("viewBox", "0 0 " + Math.round(sz[0]) + " " + Math.round(sz[1]));
  var css = [];
  for (var i = 0; i < document.styleSheets.length; i++) {
    var rules = document.styleSheets[i].cssRules;
    for (var j = 0; j < rules.length; j++) css.push(rules[j].cssText.replace(/#map\b/g, "svg"));
  }
  var style = document.createElementNS(SVGNS, "style");
  style.textContent = css.join("\n");
  copy.insertBefore(style, copy.firstChild);
  var bg = document.createElementNS(SVGNS, "rect");
  bg.setAttribute("width", "100%"); bg.setAttribute("height", "100%"); bg.setAttribute("fill", "#f7f8fa");
  copy.insertBefore(bg, style.nextSibling);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy) + "\n";
}
document.getElementById("export").addEventListener("click", function () {
  var text = exportSVG();
  window.flowmapLastExport = text;
  var url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  var a = document.createElement("a");
  a.href = url; a.download = "flowmap.svg";
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
});

// ---- stats
function updateStats(shownEdges) {
  var ns = D.groups.filter(function (g) { return g.kind === "namespace"; }).length;
  var text = workloadCount + " workloads \u00b7 " + ns + " namespaces \u00b7 " + D.edges.length + " edges";
  if (shownEdges !== D.edges.length) text += " (" + shownEdges + " shown)";
  document.getElementById("stats").textContent = text;
  document.body.setAttribute("data-collapsed", String(D.groups.filter(function (g) { return collapsed[g.id]; }).length));
}
if (D.notes.length) document.getElementById("notes").textContent = D.notes.join(" ");
if (overview) h("p", "hint", "Overview: " + workloadCount + " workloads, one node per namespace. Click a namespace to " +
  "expand it, its label to collapse it again; click an edge for its evidence.", panel);

render();
fit();
// Links: #node=<key> opens a workload, #q=<text> searches, #ns=<namespace> expands a namespace.
function fromHash() {
  var hsh = location.hash.slice(1), i = hsh.indexOf("="), k = hsh.slice(0, i), v = "";
  try { v = decodeURIComponent(hsh.slice(i + 1)); } catch (err) { return; }
  if (k === "node") {
    var n = D.nodes.filter(function (x) { return x.key === v; })[0];
    if (n) reveal(n);
  } else if (k === "q") { search.value = v; runSearch(true); }
  else if (k === "ns") {
    var g = D.groups.filter(function (x) { return x.kind === "namespace" && x.label === v; })[0];
    if (g) expand(g.id);
  }
}
if (location.hash) fromHash();
window.addEventListener("hashchange", fromHash);
document.body.setAttribute("data-mode", overview ? "overview" : "full");
document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - t0)));
document.body.setAttribute("data-ready", "true");
})();
