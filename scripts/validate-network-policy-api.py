#!/usr/bin/env python3
"""Validates AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy documents against the
openAPIV3Schema of the network-policy-api CRDs kept in schema/crds/network-policy-api (see its SOURCES.md).

Usage: validate-network-policy-api.py --channel standard|experimental FILE...

- Each document is matched to its CRD by apiVersion and kind; documents of other kinds are skipped (counted).
  A document of one of the three kinds at a version no vendored CRD serves is invalid.
- Strict like `kubectl apply` (server-side field validation "Strict"): every object schema that lists its
  properties gets additionalProperties: false (scripts/validate-cilium.py does the same).
- metadata as validate-cilium.py checks it: name a DNS-1123 subdomain, no namespace (the kinds are
  cluster-scoped), labels/annotations string maps, no other fields.
- The CRDs' CEL rules (x-kubernetes-validations) are not run: jsonschema cannot; FlowMap's reader checks them.
Prints one line per document (`FILE[i] Kind name: valid` or `... : invalid: PATH: message`) and a summary line;
exit status 1 when any document (or file that is not YAML) is invalid, 2 on usage errors.
"""
import glob
import importlib.util
import os
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy")


def load_cilium_validator():
    """validate-cilium.py, for its `prepare` and `metadata_problems`: one definition of "strict"."""
    spec = importlib.util.spec_from_file_location("validate_cilium", os.path.join(ROOT, "scripts", "validate-cilium.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def validators(channel, prepare):
    """(apiVersion, kind) -> a Draft 7 validator over the CRD version's openAPIV3Schema."""
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "schema", "crds", "network-policy-api", "*", channel, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            crd = yaml.safe_load(f)
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for v in crd["spec"]["versions"]:
            schema = prepare(v["schema"]["openAPIV3Schema"])
            out[(f"{group}/{v['name']}", kind)] = jsonschema.Draft7Validator(schema)
    return out


def main(argv):
    if len(argv) < 3 or argv[0] != "--channel" or argv[1] not in ("standard", "experimental"):
        print(__doc__, file=sys.stderr)
        return 2
    cilium = load_cilium_validator()
    by_kind = validators(argv[1], cilium.prepare)
    if not by_kind:
        print(f"no CRDs found under {ROOT}/schema/crds/network-policy-api/*/{argv[1]}", file=sys.stderr)
        return 2
    valid = invalid = skipped = 0
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                docs = list(yaml.safe_load_all(f))
        except yaml.YAMLError as e:
            invalid += 1
            print(f"{path}: invalid: not YAML: {str(e).splitlines()[0]}")
            continue
        for i, doc in enumerate(docs):
            if not isinstance(doc, dict) or doc.get("kind") not in KINDS:
                skipped += 1
                continue
            name = (doc.get("metadata") or {}).get("name")
            where = f"{path}[{i}] {doc['kind']} {name}"
            validator = by_kind.get((doc.get("apiVersion"), doc["kind"]))
            if validator is None:
                problems = [f"apiVersion: no vendored CRD serves {doc.get('apiVersion')} {doc['kind']}"]
            else:
                problems = cilium.metadata_problems(doc)
                for e in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
                    loc = ".".join(str(p) for p in e.absolute_path) or "(document)"
                    problems.append(f"{loc}: {e.message[:300]}")
            if problems:
                invalid += 1
                print(f"{where}: invalid: " + "; ".join(problems))
            else:
                valid += 1
                print(f"{where}: valid")
    print(f"{valid} valid, {invalid} invalid, {skipped} other documents skipped")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
