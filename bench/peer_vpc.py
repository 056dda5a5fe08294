#!/usr/bin/env python3
"""The script a user would otherwise write for AWS VPC flow logs (space-separated, the v2 default layout or a
header line naming the fields): split each record, skip NODATA / SKIPDATA, and aggregate edges (source address,
destination address, protocol, port, outcome) with records counted per interface (maximum over interfaces) and
first/last seen. Connections are oriented by the port heuristic (an ephemeral destination port answering a
well-known source port is a reply).

usage: peer_vpc.py FILE
"""
import sys
from collections import defaultdict

V2 = ["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
      "bytes", "start", "end", "action", "log-status"]
PROTO = {"6": "TCP", "17": "UDP", "132": "SCTP", "1": "ICMPv4", "58": "ICMPv6"}


def main():
    per_point = defaultdict(int)
    edges = {}
    lines = accepted = skipped = rejected = 0
    idx = {f: i for i, f in enumerate(V2)}
    with open(sys.argv[1], "rb") as fh:
        for raw in fh:
            t = raw.decode().split()
            if not t or t[0].startswith("#"):
                continue
            lines += 1
            if t[0] == "version":
                idx = {f.strip("${}"): i for i, f in enumerate(t)}
                skipped += 1
                continue
            if len(t) != len(idx):
                rejected += 1
                continue
            if t[idx["log-status"]] in ("NODATA", "SKIPDATA"):
                skipped += 1
                continue
            try:
                sport, dport = int(t[idx["srcport"]]), int(t[idx["dstport"]])
                start, end = int(t[idx["start"]]), int(t[idx["end"]])
            except ValueError:
                rejected += 1
                continue
            accepted += 1
            src, dst = t[idx["srcaddr"]], t[idx["dstaddr"]]
            proto = PROTO.get(t[idx["protocol"]], "OTHER")
            if proto in ("TCP", "UDP", "SCTP") and dport >= 32768 and sport < 32768:
                src, dst, sport, dport = dst, src, dport, sport
            outcome = "allowed" if t[idx["action"]] == "ACCEPT" else "denied"
            key = (src, dst, proto, dport if proto in ("TCP", "UDP", "SCTP") else 0, outcome)
            point = t[idx["interface-id"]]
            per_point[key, point] += 1
            e = edges.get(key)
            if e is None:
                e = edges[key] = [0, start, end]
            e[0] = max(e[0], per_point[key, point])
            e[1] = min(e[1], start)
            e[2] = max(e[2], end)
    print(f"peer_vpc: lines {lines} accepted {accepted} skipped {skipped} rejected {rejected}; edges {len(edges)}")


if __name__ == "__main__":
    main()
