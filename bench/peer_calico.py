#!/usr/bin/env python3
"""The script a user would otherwise write for Calico flow logs (felix flows.log, one JSON object a line): parse
each with orjson, name both ends as FlowMap does (wep: namespace/Deployment/name_aggr without the ReplicaSet
hash; net/ns with an address: ip; otherwise reserved), and aggregate edges (source, destination, protocol, port,
outcome) with num_flows summed per reporter side (maximum over sides), first/last seen and the denying policy.

usage: peer_calico.py FILE
"""
import re
import sys
from collections import defaultdict

import orjson

HASH = re.compile(r"^(.*)-[bcdfghjklmnpqrstvwxz2456789]{6,10}$")
POLICY_PROTO = ("tcp", "udp", "sctp")


def peer(o, side):
    t = (o.get(side + "_type") or "").lower()
    ns = o.get(side + "_namespace") or ""
    aggr = o.get(side + "_name_aggr") or ""
    ip = o.get(side + "_ip") or ""
    if t == "wep":
        stem = aggr[:-1].rstrip("-") if aggr.endswith("*") else aggr
        m = HASH.match(stem)
        return f"{ns}/Deployment/{m.group(1)}" if m else f"{ns}/DaemonSet/{stem}"
    if t == "hep":
        return "reserved:remote-node" if ip else "reserved:host"
    if ip:
        return "ip:" + ip
    return "reserved:" + {"pub": "world", "": "world", "pvt": "private-network"}.get(aggr, "networkset:" + aggr)


def main():
    per_side = defaultdict(int)
    edges = {}
    lines = accepted = rejected = 0
    with open(sys.argv[1], "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            lines += 1
            try:
                o = orjson.loads(line)
            except orjson.JSONDecodeError:
                rejected += 1
                continue
            action = (o.get("action") or "").lower()
            if action not in ("allow", "deny", "pass") or o.get("proto") is None:
                rejected += 1
                continue
            accepted += 1
            proto = str(o["proto"]).lower()
            port = int(o.get("dest_port") or 0) if proto in POLICY_PROTO else 0
            outcome = "allowed" if action == "allow" else "denied" if action == "deny" else "other"
            key = (peer(o, "source"), peer(o, "dest"), proto, port, outcome)
            side = o.get("reporter")
            per_side[key, side] += max(int(o.get("num_flows") or 1), 1)
            start = o.get("start_time")
            end = o.get("end_time") or start
            e = edges.get(key)
            if e is None:
                e = edges[key] = [0, start, end, set()]
            e[0] = max(e[0], per_side[key, side])
            e[1] = min(e[1], start)
            e[2] = max(e[2], end)
            if outcome == "denied":
                pol = o.get("policies") or {}
                for p in reversed(pol.get("enforced_policies") or pol.get("all_policies") or []):
                    parts = p.split("|")
                    if len(parts) >= 4 and parts[3] == "deny":
                        e[3].add(parts[2])
                        break
    print(f"peer_calico: lines {lines} accepted {accepted} rejected {rejected}; edges {len(edges)}")


if __name__ == "__main__":
    main()
