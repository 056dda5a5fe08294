#!/usr/bin/env python3
"""Validates CiliumNetworkPolicy YAML files against the CRD's JSON schema (cilium.io/v2).

Usage: validate-cilium.py --schema ciliumnetworkpolicy.v2.schema.json [--allow-missing-namespace] FILE...

- The schema's Go-only regex '^\\PC*$' (spec.log.value) cannot be compiled by Python's re: that pattern is
  dropped before validating (see the schema's SOURCES.md).
- Strict like `kubectl apply` (server-side field validation "Strict"): every object schema that lists its
  properties gets additionalProperties: false, so a misspelt or misplaced field fails.
- metadata: name must be a DNS-1123 subdomain, namespace a DNS-1123 label, labels/annotations string maps.
  With --allow-missing-namespace a document may omit the namespace (`kubectl apply` then uses the current one,
  as Cilium's published examples expect). CiliumClusterwideNetworkPolicy documents have no namespace and are
  checked against the same spec schema (the two CRDs share it).
Prints one line per problem; exit status 1 when any document is invalid, 2 on usage errors.
"""
import json
import re
import sys

import jsonschema
import yaml

GO_ONLY_PATTERN = "^\\PC*$"
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Kinds without a namespace (scripts/validate-network-policy-api.py checks the network-policy-api ones here too).
CLUSTER_SCOPED = ("CiliumClusterwideNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy",
                  "ClusterNetworkPolicy")


def prepare(node):
    """Drops the Go-only pattern and closes every object schema that lists its properties."""
    if isinstance(node, dict):
        if node.get("pattern") == GO_ONLY_PATTERN:
            del node["pattern"]
        if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for v in node.values():
            prepare(v)
    elif isinstance(node, list):
        for v in node:
            prepare(v)
    return node


def metadata_problems(doc, allow_missing_namespace=False):
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        return ["metadata: missing"]
    out = []
    name = meta.get("name")
    if not isinstance(name, str) or len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
        out.append(f"metadata.name: {name!r} is not a DNS-1123 subdomain")
    ns = meta.get("namespace")
    clusterwide = doc.get("kind") in CLUSTER_SCOPED
    if clusterwide and ns is not None:
        out.append(f"metadata.namespace: a {doc.get('kind')} has no namespace")
    elif clusterwide or (ns is None and allow_missing_namespace):
        pass
    elif not isinstance(ns, str) or len(ns) > 63 or not DNS1123_LABEL.match(ns):
        out.append(f"metadata.namespace: {ns!r} is not a DNS-1123 label")
    for key in ("labels", "annotations"):
        m = meta.get(key, {})
        if not isinstance(m, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in m.items()):
            out.append(f"metadata.{key}: not a map of strings")
    unknown = set(meta) - {"name", "namespace", "labels", "annotations"}
    if unknown:
        out.append(f"metadata: unexpected fields {sorted(unknown)}")
    return out


def main(argv):
    if len(argv) < 3 or argv[0] != "--schema":
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = prepare(json.load(f))
    validator = jsonschema.Draft7Validator(schema)
    allow_missing_namespace = "--allow-missing-namespace" in argv[2:]
    files = [a for a in argv[2:] if a != "--allow-missing-namespace"]
    bad = 0
    count = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        for i, doc in enumerate(docs):
            count += 1
            where = f"{path}[{i}]"
            problems = []
            if not isinstance(doc, dict):
                problems.append("not a mapping")
            else:
                kinds = ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy")
                if doc.get("apiVersion") != "cilium.io/v2" or doc.get("kind") not in kinds:
                    problems.append(f"not a cilium.io/v2 CiliumNetworkPolicy: {doc.get('apiVersion')} {doc.get('kind')}")
                problems += metadata_problems(doc, allow_missing_namespace)
                for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                    loc = ".".join(str(p) for p in e.absolute_path) or "(document)"
                    problems.append(f"{loc}: {e.message[:300]}")
            for p in problems:
                print(f"{where}: {p}")
            if problems:
                bad += 1
    print(f"{count - bad} valid, {bad} invalid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
