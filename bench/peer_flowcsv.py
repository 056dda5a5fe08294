#!/usr/bin/env python3
"""The script a user would otherwise write for FlowMap's generic flow records (schema/flow-record.schema.json):
CSV with a header (the csv module) or JSON lines (orjson). Names both ends (namespace/kind/workload, else ip:),
and aggregates edges (source, destination, protocol, port, outcome) with `count` summed per observer (maximum
over observers) and first/last seen.

usage: peer_flowcsv.py FILE [--jsonl]
"""
import csv
import sys
from collections import defaultdict

import orjson

DENIED = {"deny", "denied", "drop", "dropped", "reject", "rejected", "block", "blocked"}


def end(r, side):
    ns = r.get(side + "_namespace")
    if ns:
        return f"{ns}/{r.get(side + '_workload_kind') or 'Deployment'}/{r.get(side + '_workload') or 'unknown'}"
    return "ip:" + (r.get(side + "_ip") or "")


def records(path, jsonl):
    with open(path, "rb" if jsonl else "r", newline=None if jsonl else "") as fh:
        if jsonl:
            for line in fh:
                if line.strip():
                    yield {k: (str(v) if v is not None else "") for k, v in orjson.loads(line).items()}
        else:
            yield from csv.DictReader(fh)


def main():
    jsonl = "--jsonl" in sys.argv[2:]
    per_point = defaultdict(int)
    edges = {}
    lines = accepted = rejected = 0
    for r in records(sys.argv[1], jsonl):
        lines += 1
        try:
            proto = r["proto"].lower()
            port = int(r.get("dst_port") or 0)
            t = float(r["time"])
            te = float(r.get("end_time") or t)
            n = int(r.get("count") or 1)
        except (KeyError, ValueError):
            rejected += 1
            continue
        accepted += 1
        outcome = "denied" if (r.get("verdict") or "").lower() in DENIED else "allowed"
        key = (end(r, "src"), end(r, "dst"), proto, port if proto in ("tcp", "udp", "sctp") else 0, outcome)
        point = r.get("observer") or ""
        per_point[key, point] += n
        e = edges.get(key)
        if e is None:
            e = edges[key] = [0, t, te]
        e[0] = max(e[0], per_point[key, point])
        e[1] = min(e[1], t)
        e[2] = max(e[2], te)
    print(f"peer_flowcsv: lines {lines} accepted {accepted} rejected {rejected}; edges {len(edges)}")


if __name__ == "__main__":
    main()
