#!/usr/bin/env python3
"""Rebuilds the schemas `xrplace check` validates export manifests against.

Reads SOURCES.toml (beside this script), checks every original file against the sha256
recorded there, keeps only the API versions listed, drops every schema's "description"
(documentation, never read by validation), and writes compact JSON:

  crds/<group>_<plural>.json   {"group", "kind", "scope", "versions": {name: {"deprecated", "schema"}}}
  core/kubernetes-1.33.json    {"kinds": {"<apiVersion> <Kind>": schema}, "$defs": {...}}

core/ keeps only the definitions the listed kinds reach (plus ObjectMeta, which every
custom resource's metadata is held to). The output is deterministic: running the script
again on the same inputs rewrites the same bytes.

Usage (from the repository root; CI does not run it, the output is committed):
  pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
  python3 src/export/schemas/vendor.py --crds ../shared/schemas/crds \\
      --wheel /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl

--crds is a folder holding <project>/<file name> for every [[crd]] (the layout of
shared/schemas/crds); each file is also `git show <commit>:<path>` of its repository.
Needs Python >= 3.11 (tomllib) and PyYAML.
"""

import argparse
import hashlib
import json
import os
import sys
import tomllib
import zipfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
# Keywords whose value is a schema, a list of schemas or a map of schemas: the walk strips
# "description" only from schema nodes, never from a map of field names (a field may be
# called "description", as in OpenStack security group rules).
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
SCHEMA_ONE = ("not", "additionalProperties", "items")


def strip(node):
    """A copy of schema `node` without "description" at any schema level."""
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "description":
            continue
        if k in SCHEMA_MAPS and isinstance(v, dict):
            out[k] = {name: strip(s) for name, s in v.items()}
        elif k in SCHEMA_LISTS and isinstance(v, list):
            out[k] = [strip(s) for s in v]
        elif k in SCHEMA_ONE:
            out[k] = [strip(s) for s in v] if isinstance(v, list) else strip(v)
        else:
            out[k] = v
    return out


def checked(data, want, what):
    got = hashlib.sha256(data).hexdigest()
    if got != want:
        sys.exit("vendor.py: %s: sha256 %s, SOURCES.toml says %s" % (what, got, want))
    return data


def write_json(rel, value):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return len(text.encode("utf-8"))


def vendor_crd(entry, crd_dir):
    original = os.path.join(crd_dir, entry["project"], os.path.basename(entry["path"]))
    with open(original, "rb") as f:
        data = checked(f.read(), entry["sha256"], original)
    crd = yaml.safe_load(data)
    spec = crd["spec"]
    if (spec["group"], spec["names"]["kind"]) != (entry["group"], entry["kind"]):
        sys.exit("vendor.py: %s defines %s %s" % (original, spec["group"], spec["names"]["kind"]))
    versions = {}
    for v in spec["versions"]:
        if v["name"] in entry["versions"]:
            if not v.get("served", True):
                sys.exit("vendor.py: %s %s is not served" % (entry["kind"], v["name"]))
            versions[v["name"]] = {
                "deprecated": bool(v.get("deprecated", False)),
                "schema": strip(v["schema"]["openAPIV3Schema"]),
            }
    missing = set(entry["versions"]) - set(versions)
    if missing:
        sys.exit("vendor.py: %s has no version %s" % (original, ", ".join(sorted(missing))))
    out = {
        "group": spec["group"],
        "kind": spec["names"]["kind"],
        "scope": spec.get("scope", "Namespaced"),
        "versions": versions,
    }
    return write_json(entry["out"], out)


def refs(node, acc):
    """Adds to `acc` every definition name `node` refers to."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and "#/$defs/" in v:
                acc.add(v.split("#/$defs/", 1)[1])
            else:
                refs(v, acc)
    elif isinstance(node, list):
        for v in node:
            refs(v, acc)


def vendor_core(core, wheel):
    with open(wheel, "rb") as f:
        checked(f.read(), core["wheel_sha256"], wheel)
    with zipfile.ZipFile(wheel) as z:
        def member(name, sha):
            return json.loads(checked(z.read(core["dir"] + "/" + name), sha, name))

        defs = member(core["definitions"]["file"], core["definitions"]["sha256"])["$defs"]
        kinds = {}
        for k in core["kinds"]:
            schema = member(k["file"], k["sha256"])
            gvk = schema.get("x-kubernetes-group-version-kind") or []
            group, _, version = k["api_version"].rpartition("/")
            if not any(g.get("group", "") == group and g["version"] == version and g["kind"] == k["kind"]
                       for g in gvk):
                sys.exit("vendor.py: %s is not %s %s" % (k["file"], k["api_version"], k["kind"]))
            kinds["%s %s" % (k["api_version"], k["kind"])] = strip(schema)
    wanted, todo = set(), {OBJECT_META}
    refs(kinds, todo)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        refs(defs[name], todo)
    kept = {name: strip(defs[name]) for name in sorted(wanted)}
    return write_json(core["out"], {"kinds": kinds, "$defs": kept})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crds", required=True, help="folder with <project>/<file> originals")
    ap.add_argument("--wheel", required=True, help="kubernetes-validate wheel")
    args = ap.parse_args()
    with open(os.path.join(HERE, "SOURCES.toml"), "rb") as f:
        sources = tomllib.load(f)
    total = 0
    for entry in sources["crd"]:
        total += vendor_crd(entry, args.crds)
    total += vendor_core(sources["core"], args.wheel)
    print("vendor.py: %d CRDs and %d core kinds, %d bytes" % (
        len(sources["crd"]), len(sources["core"]["kinds"]), total))


if __name__ == "__main__":
    main()
