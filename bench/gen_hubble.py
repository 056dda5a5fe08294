#!/usr/bin/env python3
"""Synthetic Hubble capture for `make bench`: `hubble observe -o jsonpb` / exporter lines.

Deterministic (seeded). The mix follows the real samples in samples/hubble/: envelope lines with
`flow`, `node_name`, `time`; both observation points of a connection (EGRESS at the client node, INGRESS at
the server node); replies (`is_reply` true, SYN+ACK, data and FIN in both directions); L7 HTTP (REDIRECTED,
TO_PROXY, absolute URLs, headers, `latency_ns` as a string) and DNS (queries to kube-dns on UDP/53 with
REQUEST and RESPONSE records); world peers with `destination_names`; host / remote-node / health /
kube-apiserver peers; POLICY_DENIED drops; ICMP; a share of lines without `is_reply` (older agents: only
`trace_reason` or TCP flags), legacy `reply`; exporter lines with `uuid`, `emitter`, `node_labels`; and the
occasional `node_status` / `lost_events` line.

usage: gen_hubble.py OUT [--mb 1100] [--workloads 320] [--seed 1]
"""
import argparse
import random
import sys

import orjson


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, default=1100)
    ap.add_argument("--workloads", type=int, default=320)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    target = int(a.mb * 1e6)

    namespaces = [f"team-{i:02d}" for i in range(24)] + ["kube-system", "monitoring", "ingress-nginx"]
    nodes = [f"gke-prod-pool-{i}-{rnd.randrange(16**8):08x}" for i in range(12)]
    node_labels = [
        "beta.kubernetes.io/arch=amd64", "beta.kubernetes.io/os=linux", "kubernetes.io/arch=amd64",
        "kubernetes.io/os=linux", "node.kubernetes.io/instance-type=n2-standard-8",
        "topology.kubernetes.io/region=europe-west1", "topology.kubernetes.io/zone=europe-west1-b",
        "cloud.google.com/gke-nodepool=pool-1", "cloud.google.com/gke-os-distribution=cos",
    ]
    alphabet = "bcdfghjklmnpqrstvwxz2456789"

    def sfx(n):
        return "".join(rnd.choice(alphabet) for _ in range(n))

    # Workloads and their pods.
    kinds = ["Deployment"] * 7 + ["StatefulSet", "DaemonSet"]
    apps = ["api", "web", "worker", "cache", "db", "auth", "search", "billing", "cart", "catalog", "orders",
            "payments", "frontend", "gateway", "metrics", "queue", "mailer", "reports", "ledger", "users"]
    workloads = []
    ident = 10000
    for i in range(a.workloads):
        ns = namespaces[i % 24] if i >= 6 else ["kube-system", "monitoring", "ingress-nginx"][i % 3]
        name = f"{apps[i % len(apps)]}-{i:03d}"
        kind = kinds[i % len(kinds)]
        ident += 1
        labels = [f"k8s:app={name}", f"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={ns}",
                  f"k8s:io.cilium.k8s.namespace.labels.team={ns}", "k8s:io.cilium.k8s.policy.cluster=default",
                  f"k8s:io.cilium.k8s.policy.serviceaccount={name}", f"k8s:io.kubernetes.pod.namespace={ns}",
                  f"k8s:version=v{1 + i % 3}", "k8s:tier=" + ("backend" if i % 2 else "frontend")]
        pods = []
        tmpl = sfx(9)
        for r in range(1 + i % 4):
            if kind == "Deployment":
                pod = f"{name}-{tmpl}-{sfx(5)}"
            elif kind == "StatefulSet":
                pod = f"{name}-{r}"
            else:
                pod = f"{name}-{sfx(5)}"
            ip = f"10.{40 + i // 250}.{i % 250}.{10 + r}"
            ep = {"ID": rnd.randrange(1, 4000), "identity": ident, "cluster_name": "default", "namespace": ns,
                  "labels": labels, "pod_name": pod, "workloads": [{"name": name, "kind": kind}]}
            pods.append((ep, ip, rnd.choice(nodes)))
        port = [80, 8080, 8443, 5432, 6379, 9090, 3000, 50051][i % 8]
        workloads.append({"ns": ns, "name": name, "pods": pods, "port": port})

    dns = workloads[0]  # kube-system/api-000 stands in for kube-dns
    world_ips = [f"{rnd.randrange(1, 223)}.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
                 for _ in range(400)] + [f"2001:db8:{rnd.randrange(65536):x}::{rnd.randrange(65536):x}"
                                         for _ in range(40)]
    world_names = {ip: [f"api{rnd.randrange(50)}.example{rnd.randrange(30)}.com"] for ip in world_ips}
    reserved = {
        "host": {"identity": 1, "labels": ["reserved:host"]},
        "remote-node": {"identity": 6, "labels": ["reserved:remote-node"]},
        "health": {"identity": 4, "labels": ["reserved:health"]},
        "kube-apiserver": {"identity": 7, "labels": ["reserved:kube-apiserver", "reserved:world"]},
        "world": {"identity": 2, "labels": ["reserved:world"]},
    }

    # Service graph: each workload calls 3-6 others, some the outside world, most DNS.
    edges = []
    for i, w in enumerate(workloads):
        for t in rnd.sample(range(len(workloads)), 3 + i % 4):
            if t != i:
                edges.append(("pod", i, t))
        if i % 3 == 0:
            edges.append(("world", i, rnd.choice(world_ips)))
        edges.append(("dns", i, 0))
        if i % 7 == 0:
            edges.append(("deny", i, rnd.randrange(len(workloads))))
    edges += [("probe", i, None) for i in range(0, len(workloads), 2)]
    edges += [("apiserver", i, None) for i in range(0, len(workloads), 5)]

    enc = orjson.dumps
    t0 = 1_764_000_000_000_000_000
    out = open(a.out, "wb", buffering=1 << 22)
    written = 0
    n = 0

    def ts(ns):
        s, frac = divmod(ns, 1_000_000_000)
        import time as _t
        tm = _t.gmtime(s)
        return "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ" % (tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour,
                                                         tm.tm_min, tm.tm_sec, frac)

    def emit(flow, node, tstr):
        nonlocal written, n
        line = b'{"flow":' + enc(flow) + b',"node_name":"' + node.encode() + b'","time":"' + tstr.encode() + b'"}\n'
        out.write(line)
        written += len(line)
        n += 1

    clock = t0
    style = 0
    while written < target:
        kind, si, ti = rnd.choice(edges)
        style += 1
        clock += rnd.randrange(1_000, 2_000_000)
        sw = workloads[si]
        sep, sip, snode = rnd.choice(sw["pods"])
        sport = rnd.randrange(32768, 61000)
        if kind in ("pod", "deny"):
            tw = workloads[ti]
            dep, dip, dnode = rnd.choice(tw["pods"])
            proto, dport = "TCP", tw["port"]
            ddesc = {"ep": dep, "ip": dip, "node": dnode}
        elif kind == "dns":
            dep, dip, dnode = rnd.choice(dns["pods"])
            proto, dport = "UDP", 53
            ddesc = {"ep": dep, "ip": dip, "node": dnode}
        elif kind == "world":
            proto, dport = "TCP", 443
            ddesc = {"ep": reserved["world"], "ip": ti, "node": None, "names": world_names[ti]}
        elif kind == "apiserver":
            proto, dport = "TCP", 443
            ddesc = {"ep": reserved["kube-apiserver"], "ip": "10.0.0.2", "node": None}
        else:  # probe: host -> pod health check, plus ICMP health between nodes
            proto, dport = "TCP", sw["port"]
            ddesc = {"ep": sep, "ip": sip, "node": snode}
            sep, sip, snode = reserved["host"], "10.128.0.%d" % (si % 250 + 1), snode
        legacy = style % 11 == 0  # no is_reply: older agent
        exporter = style % 5 == 0

        def base(src, dst, s_ip, d_ip, sp, dp, flags, verdict, direction, point, reply, reason, node, extra=None):
            f = {"time": ts(clock), "verdict": verdict}
            if exporter:
                f["uuid"] = "%08x-%04x-4%03x-a%03x-%012x" % (rnd.getrandbits(32), rnd.getrandbits(16),
                                                             rnd.getrandbits(12), rnd.getrandbits(12),
                                                             rnd.getrandbits(48))
                f["emitter"] = {"name": "Hubble", "version": "1.19.1+gd0d0c879"}
            f["ethernet"] = {"source": "9a:4b:92:54:a9:62", "destination": "72:59:04:fd:68:13"}
            f["IP"] = {"source": s_ip, "destination": d_ip, "ipVersion": "IPv6" if ":" in d_ip else "IPv4"}
            if proto == "TCP":
                f["l4"] = {"TCP": {"source_port": sp, "destination_port": dp, "flags": flags}}
            else:
                f["l4"] = {"UDP": {"source_port": sp, "destination_port": dp}}
            f["source"] = src
            f["destination"] = dst
            f["Type"] = "L3_L4"
            f["node_name"] = node
            if exporter:
                f["node_labels"] = node_labels + [f"kubernetes.io/hostname={node}"]
            if reason:
                f["drop_reason"] = 133
                f["drop_reason_desc"] = reason
            f["event_type"] = {"type": 1 if reason else 4, "sub_type": 3}
            f["traffic_direction"] = direction
            f["trace_observation_point"] = point
            if legacy:
                f["trace_reason"] = "REPLY" if reply else ("NEW" if "SYN" in (flags or {}) else "ESTABLISHED")
            else:
                f["is_reply"] = reply
                if exporter:
                    f["trace_reason"] = "REPLY" if reply else "ESTABLISHED"
            f["interface"] = {"index": 17, "name": "lxc" + sfx(8)}
            f["Summary"] = "TCP Flags: " + ", ".join(flags) if flags else "UDP"
            if extra:
                f.update(extra)
            return f

        s, d = sep, ddesc["ep"]
        dip = ddesc["ip"]
        dnode = ddesc["node"] or snode
        fwd = {"SYN": True}
        ack = {"ACK": True}
        if kind == "deny":
            emit(base(s, d, sip, dip, sport, dport, fwd, "DROPPED", "INGRESS", "TO_ENDPOINT", False,
                      "POLICY_DENIED", dnode), dnode, ts(clock))
            continue
        extra_names = {"destination_names": ddesc["names"]} if "names" in ddesc else None
        # Forward packets, seen at the client's egress and (pods) at the server's ingress.
        pkts = [fwd, ack, {"PSH": True, "ACK": True}] if proto == "TCP" else [None]
        for fl in pkts:
            emit(base(s, d, sip, dip, sport, dport, fl, "FORWARDED", "EGRESS", "TO_STACK", False, None, snode,
                      extra_names), snode, ts(clock))
            if ddesc["node"]:
                emit(base(s, d, sip, dip, sport, dport, fl, "FORWARDED", "INGRESS", "TO_ENDPOINT", False, None,
                          dnode), dnode, ts(clock))
        # Replies.
        rpk = [{"SYN": True, "ACK": True}, {"PSH": True, "ACK": True}, {"FIN": True, "ACK": True}] \
            if proto == "TCP" else [None]
        for fl in rpk:
            emit(base(d, s, dip, sip, dport, sport, fl, "FORWARDED", "EGRESS", "TO_STACK", True, None, dnode),
                 dnode, ts(clock))
        # L7: HTTP through the proxy on every fourth pod edge, DNS on every DNS edge.
        if kind == "pod" and style % 4 == 0:
            path = rnd.choice(["/api/v1/items", "/api/v1/orders", "/healthz", "/metrics", "/api/v2/users"])
            for typ in ("REQUEST", "RESPONSE"):
                l7 = {"type": typ, "latency_ns": str(rnd.randrange(10**5, 10**9)),
                      "http": {"method": rnd.choice(["GET", "GET", "POST"]),
                               "url": f"http://{dip}:{dport}{path}?page={rnd.randrange(9)}",
                               "protocol": "HTTP/1.1",
                               "headers": [{"key": "User-Agent", "value": "Go-http-client/1.1"},
                                           {"key": "X-Request-Id", "value": "%032x" % rnd.getrandbits(128)}]}}
                if typ == "RESPONSE":
                    l7["http"]["code"] = 200
                f = base(s if typ == "REQUEST" else d, d if typ == "REQUEST" else s, sip if typ == "REQUEST" else dip,
                         dip if typ == "REQUEST" else sip, sport if typ == "REQUEST" else dport,
                         dport if typ == "REQUEST" else sport, ack, "REDIRECTED",
                         "INGRESS", "TO_PROXY", typ == "RESPONSE", None, dnode,
                         {"Type": "L7", "l7": l7, "event_type": {"type": 129}, "proxy_port": 15001})
                emit(f, dnode, ts(clock))
        if kind == "dns":
            q = rnd.choice(["api.example.com.", f"{workloads[rnd.randrange(len(workloads))]['name']}.svc.cluster.local.",
                            "storage.googleapis.com."])
            for typ in ("REQUEST", "RESPONSE"):
                l7 = {"type": typ, "dns": {"query": q, "qtypes": ["A"], "observation_source": "proxy"}}
                if typ == "RESPONSE":
                    l7["dns"].update({"ips": ["10.1.2.3"], "ttl": 30, "rrtypes": ["A"], "rcode": 0})
                emit(base(s if typ == "REQUEST" else d, d if typ == "REQUEST" else s,
                          sip if typ == "REQUEST" else dip, dip if typ == "REQUEST" else sip,
                          sport if typ == "REQUEST" else 53, 53 if typ == "REQUEST" else sport, None, "FORWARDED",
                          "EGRESS", "TO_PROXY", typ == "RESPONSE", None, snode,
                          {"Type": "L7", "l7": l7, "event_type": {"type": 129}}), snode, ts(clock))
        if style % 97 == 0:
            line = b'{"node_status":{"state":"NODE_CONNECTED","node_names":["' + snode.encode() + \
                b'"],"message":"Connected"},"node_name":"' + snode.encode() + b'","time":"' + ts(clock).encode() + b'"}\n'
            out.write(line)
            written += len(line)
        if style % 211 == 0:
            line = b'{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"12","cpu":1},' \
                b'"node_name":"' + snode.encode() + b'","time":"' + ts(clock).encode() + b'"}\n'
            out.write(line)
            written += len(line)
    out.close()
    print(f"{a.out}: {written / 1e6:.0f} MB, {n} flow lines, {len(workloads)} workloads", file=sys.stderr)


if __name__ == "__main__":
    main()
