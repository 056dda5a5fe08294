#!/usr/bin/env python3
"""Synthetic Calico flow logs, AWS VPC flow logs (v2 default format) and generic FlowMap CSV / JSON lines, for
`make bench` (the reader rows). Deterministic for a seed; about MB megabytes each.

usage: gen_flows.py FORMAT OUT --mb N [--workloads W] [--seed S] [--connections C]   (FORMAT: calico, vpc, csv, jsonl)

Two shapes. Default (`--connections 0`, "distinct"): every record a random source, destination and port (about
one new edge per record) and, for VPC, a random interface id per record: aggregation- and store-bound by
construction. `--connections C` ("connections"): C fixed connections (source, destination, port) repeated in
random order, as a cluster's traffic is (the Hubble capture of `make bench` has 2,134 edges in 1.2 M flows), with
one interface id (VPC) and one node (generic) per source workload, and about 100 records per second of log time;
ephemeral ports and counts vary as before.
"""
import argparse
import json
import random

HASH = "bcdfghjklmnpqrstvwxz2456789"


def names(rng, w):
    out = []
    for i in range(w):
        ns = f"ns{i % 16}"
        name = f"svc{i}"
        h = "".join(rng.choice(HASH) for _ in range(10))
        out.append((ns, name, h, f"10.{(i >> 8) & 255}.{i & 255}.{rng.randrange(2, 250)}"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("format", choices=["calico", "vpc", "csv", "jsonl"])
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--workloads", type=int, default=320)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--connections", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    ws = names(rng, a.workloads)
    ports = [53, 80, 443, 5432, 6379, 8080, 9090]
    target = a.mb * 1_000_000
    written = 0
    t = 1_700_000_000
    conns = []
    n_rec = 0
    if a.connections:
        crng = random.Random(a.seed + 1)
        conns = [(crng.choice(ws), crng.choice(ws), crng.choice(ports)) for _ in range(a.connections)]
        eni = {w[1]: f"eni-{crng.randrange(16**8):08x}" for w in ws}
        node = {w[1]: f"node{i % 16}" for i, w in enumerate(ws)}
    with open(a.out, "w") as f:
        if a.format == "csv":
            line = ("time,end_time,proto,src_ip,dst_ip,src_namespace,src_workload,dst_namespace,dst_workload,"
                    "dst_port,src_port,verdict,direction,observer,count\n")
            f.write(line)
            written += len(line)
        while written < target:
            if conns:
                s, d, port = rng.choice(conns)
            else:
                s, d = rng.choice(ws), rng.choice(ws)
                port = rng.choice(ports)
            sport = rng.randrange(32768, 61000)
            proto = "udp" if port == 53 else "tcp"
            if conns:
                # About 100 records per second of log time (each connection reported about every 20 s), so a
                # file spans hours, not days: the store's hourly buckets hold each connection a few times.
                n_rec += 1
                t = 1_700_000_000 + n_rec // 100
            else:
                t += rng.randrange(0, 3)
            deny = rng.random() < 0.05
            if a.format == "calico":
                rec = {"start_time": t, "end_time": t + 300, "source_ip": s[3], "source_name": "-",
                       "source_name_aggr": f"{s[1]}-{s[2][:10]}-*", "source_namespace": s[0], "source_port": None,
                       "source_type": "wep",
                       "source_labels": {"labels": [f"pod-template-hash={s[2][:10]}", f"app={s[1]}"]},
                       "dest_ip": d[3], "dest_name": "-", "dest_name_aggr": f"{d[1]}-{d[2][:10]}-*",
                       "dest_namespace": d[0], "dest_port": port, "dest_type": "wep",
                       "dest_labels": {"labels": [f"pod-template-hash={d[2][:10]}", f"app={d[1]}"]},
                       "proto": proto, "action": "deny" if deny else "allow",
                       "reporter": rng.choice(["src", "dst"]),
                       "policies": {"all_policies": ["0|default|default.deny-all|deny" if deny else
                                                     "0|__PROFILE__|__PROFILE__.kns.x|allow"]},
                       "bytes_in": rng.randrange(100, 9000), "bytes_out": rng.randrange(100, 9000),
                       "num_flows": rng.randrange(1, 50), "num_flows_started": 1, "num_flows_completed": 1,
                       "packets_in": 10, "packets_out": 10, "http_requests_allowed_in": 0,
                       "http_requests_denied_in": 0, "original_source_ips": None, "num_original_source_ips": 0}
                line = json.dumps(rec, separators=(",", ":")) + "\n"
            elif a.format == "vpc":
                iface = eni[s[1]] if conns else f"eni-{rng.randrange(16**8):08x}"
                line = (f"2 123456789012 {iface} {s[3]} {d[3]} {sport} {port} "
                        f"{17 if proto == 'udp' else 6} {rng.randrange(1, 90)} {rng.randrange(60, 90000)} {t} "
                        f"{t + 60} {'REJECT' if deny else 'ACCEPT'} OK\n")
            elif a.format == "csv":
                line = (f"{t},{t + 60},{proto},{s[3]},{d[3]},{s[0]},{s[1]},{d[0]},{d[1]},{port},{sport},"
                        f"{'denied' if deny else 'allowed'},egress,{node[s[1]] if conns else f'node{rng.randrange(4)}'},"
                        f"{rng.randrange(1, 9)}\n")
            else:
                line = json.dumps({"time": t, "end_time": t + 60, "proto": proto, "src_ip": s[3], "dst_ip": d[3],
                                   "src_namespace": s[0], "src_workload": s[1], "dst_namespace": d[0],
                                   "dst_workload": d[1], "dst_port": port, "src_port": sport,
                                   "verdict": "denied" if deny else "allowed", "direction": "egress",
                                   "observer": node[s[1]] if conns else f"node{rng.randrange(4)}",
                                   "count": rng.randrange(1, 9)},
                                  separators=(",", ":")) + "\n"
            f.write(line)
            written += len(line)


if __name__ == "__main__":
    main()
