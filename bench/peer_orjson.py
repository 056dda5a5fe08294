#!/usr/bin/env python3
"""The script a user would otherwise write: read Hubble jsonpb lines, parse each with orjson, and aggregate
the same edges FlowMap stores (source, destination, protocol, port, outcome) with flows counted per
observation point (maximum over points), first/last seen, drop reasons and L7 requests. Prints a summary.

usage: peer_orjson.py FILE
"""
import re
import sys
from collections import defaultdict

import orjson

NON_FLOW = ("node_status", "lost_events", "agent_event", "debug_event")
RESERVED_ORDER = ["kube-apiserver", "host", "remote-node", "health", "ingress", "init", "unmanaged",
                  "world-ipv4", "world-ipv6", "world", "unknown"]
RESERVED_BY_ID = {1: "host", 2: "world", 3: "unmanaged", 4: "health", 5: "init", 6: "remote-node",
                  7: "kube-apiserver", 8: "ingress", 9: "world", 10: "world"}
SERVICE_PORTS = {2379, 2380, 3000, 3306, 4317, 4318, 5432, 5672, 6379, 6443, 8080, 8443, 8000, 8888, 9000, 9090,
                 9091, 9093, 9100, 9200, 9300, 9153, 9253, 10250, 10255, 11211, 15000, 15001, 15006, 15020,
                 15021, 15090, 27017}
DEPLOY = re.compile(r"^(.*)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$")
STS = re.compile(r"^(.*)-\d{1,5}$")
DS = re.compile(r"^(.*)-[bcdfghjklmnpqrstvwxz2456789]{5}$")
PROTO = {"TCP": "TCP", "UDP": "UDP", "SCTP": "SCTP", "ICMPv4": "ICMPv4", "ICMPv6": "ICMPv6"}


def endpoint(e, ip):
    labels = e.get("labels") or []
    reserved = [l[9:] for l in labels if l.startswith("reserved:")]
    r = next((x for x in RESERVED_ORDER if x in reserved), None)
    if r is None and not labels:
        r = RESERVED_BY_ID.get(e.get("identity"))
    if r in ("world-ipv4", "world-ipv6"):
        r = "world"
    if r and r not in ("world", "unknown"):
        return "reserved:" + r
    ns = e.get("namespace")
    if ns:
        w = e.get("workloads")
        if w and w[0].get("name"):
            return f"{ns}/{w[0].get('kind') or 'Deployment'}/{w[0]['name']}"
        pod = e.get("pod_name", "")
        for rx, kind in ((DEPLOY, "Deployment"), (STS, "StatefulSet"), (DS, "DaemonSet")):
            m = rx.match(pod)
            if m:
                return f"{ns}/{kind}/{m.group(1)}"
        return f"{ns}/Pod/{pod or 'unknown'}"
    if ip:
        return "ip:" + ip
    return "reserved:" + (r or "unknown")


def is_reply(f, proto, sport, dport, flags):
    r = f.get("is_reply", f.get("reply"))
    if r is not None:
        return r
    if proto == "TCP" and flags and flags.get("SYN"):
        return bool(flags.get("ACK"))
    tr = f.get("trace_reason")
    if tr in ("NEW", "ESTABLISHED"):
        return False
    if tr == "REPLY":
        return True
    if sport and dport and proto in ("TCP", "UDP", "SCTP"):
        sw = sport < 1024 or sport in SERVICE_PORTS
        dw = dport < 1024 or dport in SERVICE_PORTS
        if sw and not dw and dport >= 32768:
            return True
    return False


def main():
    per_point = defaultdict(int)
    edges = {}
    l7 = defaultdict(int)
    lines = accepted = skipped = rejected = replies = 0
    with open(sys.argv[1], "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            lines += 1
            try:
                top = orjson.loads(line)
            except orjson.JSONDecodeError:
                rejected += 1
                continue
            f = top.get("flow")
            if f is None:
                if any(k in top for k in NON_FLOW):
                    skipped += 1
                    continue
                f = top
            accepted += 1
            ip = f.get("IP") or {}
            l4 = f.get("l4") or {}
            proto, sport, dport, flags = "OTHER", 0, 0, None
            for k, v in l4.items():
                proto = PROTO.get(k, "OTHER")
                if proto in ("TCP", "UDP", "SCTP"):
                    sport, dport = v.get("source_port", 0), v.get("destination_port", 0)
                    flags = v.get("flags")
            if is_reply(f, proto, sport, dport, flags):
                replies += 1
                continue
            verdict = f.get("verdict")
            outcome = "allowed" if verdict in ("FORWARDED", "AUDIT", "REDIRECTED") else \
                "denied" if verdict == "DROPPED" else "other"
            src = endpoint(f.get("source") or {}, ip.get("source"))
            dst = endpoint(f.get("destination") or {}, ip.get("destination"))
            key = (src, dst, proto, dport if proto in ("TCP", "UDP", "SCTP") else 0, outcome)
            point = (f.get("traffic_direction"), f.get("trace_observation_point"))
            per_point[key, point] += 1
            t = f.get("time") or top.get("time")
            e = edges.get(key)
            if e is None:
                e = edges[key] = [0, t, t, set()]
            e[0] = max(e[0], per_point[key, point])
            if t < e[1]:
                e[1] = t
            if t > e[2]:
                e[2] = t
            if outcome == "denied" and f.get("drop_reason_desc"):
                e[3].add(f["drop_reason_desc"])
            q = f.get("l7")
            if q and q.get("type") != "RESPONSE":
                h = q.get("http")
                if h and h.get("method"):
                    url = h.get("url", "/")
                    path = re.sub(r"^[a-z+.-]+://[^/]*", "", url).split("?")[0].split("#")[0] or "/"
                    l7[key, h["method"], path] += 1
                elif q.get("dns") and q["dns"].get("query"):
                    l7[key, "DNS", q["dns"]["query"].lower().rstrip(".")] += 1
    print(f"peer_orjson: lines {lines} accepted {accepted} replies {replies} skipped {skipped} "
          f"rejected {rejected}; edges {len(edges)} l7 {len(l7)}")


if __name__ == "__main__":
    main()
