#!/usr/bin/env python3
"""Writes one small cluster's traffic in three source formats, describing the same connections:
hubble.jsonl (Hubble exporter lines), calico.log (Calico flows.log), vpc.log (VPC flow logs v5 custom format)
plus inventory.json (kubectl get ... -o json) that maps the VPC addresses to pods.
The three-source test ingests each into its own store and expects byte-identical policies.
Run it only to change the scenario; the generated files are committed."""
import json

T0 = 1714557600  # 2024-05-01T10:00:00Z
NODES = {"node-a": ("10.0.1.1", "eni-0aaaaaaaaaaaaaaaa"), "node-b": ("10.0.1.2", "eni-0bbbbbbbbbbbbbbbb"),
         "node-c": ("10.0.1.3", "eni-0cccccccccccccccc")}
PODS = {
    "web": dict(ns="shop", pod="web-7d4b9c8f6d-x7k2p", ip="10.1.1.10", node="node-a",
                labels={"app": "web", "tier": "frontend", "pod-template-hash": "7d4b9c8f6d"},
                owner=("ReplicaSet", "web-7d4b9c8f6d"), aggr="web-7d4b9c8f6d-*", ports=[]),
    "api": dict(ns="shop", pod="api-5f6d7c8b9d-q2w4z", ip="10.1.2.20", node="node-b",
                labels={"app": "api", "tier": "backend", "pod-template-hash": "5f6d7c8b9d"},
                owner=("ReplicaSet", "api-5f6d7c8b9d"), aggr="api-5f6d7c8b9d-*", ports=[("http", 8080, "TCP")]),
    "db": dict(ns="shop", pod="db-0", ip="10.1.3.30", node="node-c",
               labels={"app": "db", "tier": "backend", "controller-revision-hash": "db-6c7d8f9b5d",
                       "statefulset.kubernetes.io/pod-name": "db-0"},
               owner=("StatefulSet", "db"), aggr="db-*", ports=[("pg", 5432, "TCP")]),
    "coredns": dict(ns="kube-system", pod="coredns-576cbf47c7-x9k2m", ip="10.1.3.53", node="node-c",
                    labels={"k8s-app": "kube-dns", "pod-template-hash": "576cbf47c7"},
                    owner=("ReplicaSet", "coredns-576cbf47c7"), aggr="coredns-576cbf47c7-*",
                    ports=[("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")]),
}
EXTERNAL = "93.184.216.34"
SERVICES = {  # name -> (namespace, clusterIP, selector, [(name, port, targetPort, proto)])
    "api": ("shop", "172.20.0.80", {"app": "api"}, [("http", 80, "http", "TCP")]),
    "kube-dns": ("kube-system", "172.20.0.10", {"k8s-app": "kube-dns"},
                 [("dns", 53, 53, "UDP"), ("dns-tcp", 53, 53, "TCP")]),
}
# (source, destination, proto, port, connection times (offsets from T0), allowed, service the client addressed)
EDGES = [
    ("web", "api", "TCP", 8080, [10, 110, 210], True, ("api", 80)),
    ("api", "db", "TCP", 5432, [20, 220], True, None),
    ("web", "coredns", "UDP", 53, [30, 90, 150, 250], True, ("kube-dns", 53)),
    ("api", EXTERNAL, "TCP", 443, [40], True, None),
    ("web", "db", "TCP", 5432, [50], False, None),  # denied at the client's egress
]

def iso(t, ms=0):
    import datetime
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + (".%03dZ" % ms)

# ---- Hubble
def hpeer(name):
    if name == EXTERNAL:
        return {"identity": 2, "labels": ["reserved:world"]}
    p = PODS[name]
    return {"identity": 1000 + list(PODS).index(name), "namespace": p["ns"], "pod_name": p["pod"],
            "labels": [f"k8s:{k}={v}" for k, v in sorted(p["labels"].items())]
            + [f"k8s:io.kubernetes.pod.namespace={p['ns']}",
               f"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={p['ns']}"]}

def ip(name):
    return name if name == EXTERNAL else PODS[name]["ip"]

hub = []
def hflow(t, ms, src, dst, proto, sport, dport, flags, reply, direction, point, verdict="FORWARDED"):
    l4 = {proto: {"source_port": sport, "destination_port": dport}}
    if proto == "TCP":
        l4[proto]["flags"] = flags
    f = {"time": iso(t, ms), "verdict": verdict, "ethernet": {}, "IP": {"source": ip(src), "destination": ip(dst), "ipVersion": "IPv4"},
         "l4": l4, "source": hpeer(src), "destination": hpeer(dst), "Type": "L3_L4", "node_name": "node",
         "event_type": {"type": 4}, "traffic_direction": direction, "trace_observation_point": point,
         "is_reply": reply, "Summary": ""}
    if verdict == "DROPPED":
        f["drop_reason_desc"] = "POLICY_DENIED"
        f["event_type"] = {"type": 1, "sub_type": 133}
    hub.append((t, ms, json.dumps({"flow": f, "node_name": "node", "time": iso(t, ms)})))

for (src, dst, proto, port, times, allowed, _svc) in EDGES:
    for k, off in enumerate(times):
        t = T0 + off
        sport = 40000 + 100 * EDGES.index((src, dst, proto, port, times, allowed, _svc)) + k
        syn = {"SYN": True}
        if not allowed:
            hflow(t, 0, src, dst, proto, sport, port, syn, False, "EGRESS", "TO_STACK", "DROPPED")
            continue
        hflow(t, 0, src, dst, proto, sport, port, syn, False, "EGRESS", "TO_STACK")
        if dst != EXTERNAL:
            hflow(t, 1, src, dst, proto, sport, port, syn, False, "INGRESS", "TO_ENDPOINT")
            hflow(t, 2, dst, src, proto, port, sport, {"SYN": True, "ACK": True}, True, "EGRESS", "TO_STACK")
        hflow(t, 3, dst, src, proto, port, sport, {"SYN": True, "ACK": True}, True, "INGRESS", "TO_ENDPOINT")
hub.sort()
open("hubble.jsonl", "w").write("".join(l + "\n" for _, _, l in hub))

# ---- Calico
cal = []
def cpeer(prefix, name):
    if name == EXTERNAL:
        return {f"{prefix}_ip": EXTERNAL, f"{prefix}_name": "-", f"{prefix}_name_aggr": "pub", f"{prefix}_namespace": "-",
                f"{prefix}_type": "net", f"{prefix}_labels": {"labels": ["-"]}}
    p = PODS[name]
    return {f"{prefix}_ip": None, f"{prefix}_name": "-", f"{prefix}_name_aggr": p["aggr"], f"{prefix}_namespace": p["ns"],
            f"{prefix}_type": "wep", f"{prefix}_labels": {"labels": [f"{k}={v}" for k, v in p["labels"].items()]}}
for (src, dst, proto, port, times, allowed, svc) in EDGES:
    reporters = ["src"] if (dst == EXTERNAL or not allowed) else ["src", "dst"]
    for rep in reporters:
        r = {"start_time": T0 + times[0], "end_time": T0 + times[-1]}
        r.update(cpeer("source", src))
        r["source_port"] = None
        r.update(cpeer("dest", dst))
        r["dest_port"] = port
        if svc:
            ns, _, _, sports = SERVICES[svc[0]]
            pname = next(n for (n, p, _t, pr) in sports if p == svc[1] and pr == proto)
            r.update({"dest_service_name": svc[0], "dest_service_namespace": ns, "dest_service_port": pname,
                      "dest_service_port_num": svc[1]})
        else:
            r.update({"dest_service_name": "-", "dest_service_namespace": "-", "dest_service_port": "-"})
        action = "allow" if allowed else "deny"
        r.update({"proto": proto.lower(), "action": action, "reporter": rep,
                  "policies": {"all_policies": [f"0|default|shop/default.observed|{action}|0"]},
                  "bytes_in": 1000, "bytes_out": 2000, "num_flows": len(times), "num_flows_started": len(times),
                  "num_flows_completed": len(times), "packets_in": 10, "packets_out": 10,
                  "original_source_ips": None, "num_original_source_ips": 0})
        cal.append(json.dumps(r))
open("calico.log", "w").write("".join(l + "\n" for l in cal))

# ---- VPC (v5 custom format with a header line)
HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags flow-direction"
vpc = []
def eni(name):
    return NODES[PODS[name]["node"]][1]
def vrec(t, iface, s, d, sp, dp, proto, action, flags, direction):
    num = {"TCP": 6, "UDP": 17}[proto]
    vpc.append((t, f"5 123456789012 {iface} {s} {d} {sp} {dp} {num} 10 1000 {t} {t} {action} OK {flags} {direction}"))
for i, (src, dst, proto, port, times, allowed, svc) in enumerate(EDGES):
    for k, off in enumerate(times):
        t = T0 + off
        sport = 40000 + 100 * i + k
        syn, synack = ("2", "18") if proto == "TCP" else ("0", "0")
        # The client's interface sees the address the client used: a Service ClusterIP when it went through one.
        first_dst, first_port = (SERVICES[svc[0]][1], svc[1]) if svc else (ip(dst), port)
        if not allowed:
            vrec(t, eni(src), ip(src), first_dst, sport, first_port, proto, "REJECT", syn, "egress")
            continue
        vrec(t, eni(src), ip(src), first_dst, sport, first_port, proto, "ACCEPT", syn, "egress")
        vrec(t, eni(src), first_dst, ip(src), first_port, sport, proto, "ACCEPT", synack, "ingress")
        if dst != EXTERNAL:
            vrec(t, eni(dst), ip(src), ip(dst), sport, port, proto, "ACCEPT", syn, "ingress")
            vrec(t, eni(dst), ip(dst), ip(src), port, sport, proto, "ACCEPT", synack, "egress")
vpc.sort(key=lambda x: x[0])
open("vpc.log", "w").write(HEADER + "\n" + "".join(l + "\n" for _, l in vpc))

# ---- Inventory
items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": {"kubernetes.io/metadata.name": n}}}
         for n in ["kube-system", "shop"]]
for n, (addr, _) in NODES.items():
    items.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": n},
                  "status": {"addresses": [{"type": "InternalIP", "address": addr}]}})
for name, p in PODS.items():
    items.append({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": p["pod"], "namespace": p["ns"], "uid": f"uid-{name}", "labels": p["labels"],
                               "creationTimestamp": "2024-04-30T00:00:00Z",
                               "ownerReferences": [{"apiVersion": "apps/v1", "kind": p["owner"][0], "name": p["owner"][1],
                                                    "uid": f"uid-{p['owner'][1]}", "controller": True}]},
                  "spec": {"nodeName": p["node"], "containers": [{"name": name, "image": f"example/{name}:1",
                           "ports": [{"name": pn, "containerPort": pp, "protocol": pr} for pn, pp, pr in p["ports"]]}]},
                  "status": {"phase": "Running", "hostIP": NODES[p["node"]][0], "podIP": p["ip"], "podIPs": [{"ip": p["ip"]}],
                             "startTime": "2024-04-30T00:00:00Z"}})
for name, (ns, cip, sel, ports) in SERVICES.items():
    items.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
                  "spec": {"type": "ClusterIP", "clusterIP": cip, "clusterIPs": [cip], "selector": sel,
                           "ports": [{"name": n, "port": p, "targetPort": t, "protocol": pr} for n, p, t, pr in ports]}})
open("inventory.json", "w").write(json.dumps({"apiVersion": "v1", "kind": "List", "items": items,
                                              "metadata": {"resourceVersion": ""}}, indent=1) + "\n")
