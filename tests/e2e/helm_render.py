#!/usr/bin/python3
"""Renders deploy/helm/vigil with its default values, as `helm template`
would, for the few template constructs the chart uses (Helm is not packaged
in Debian 12).  Anything else in a template is an error, so the chart
cannot grow a construct this check does not understand.

    helm_render.py CHART [NAMESPACE]    prints the manifests
"""
import os
import re
import sys

import yaml

EXPR = re.compile(r"(\s*)\{\{(-?)\s*(.*?)\s*(-?)\}\}")


def lookup(ctx, path):
    v = ctx
    for part in path.lstrip(".").split("."):
        if not isinstance(v, dict) or part not in v:
            sys.exit(f"helm_render: {path} is not in the values")
        v = v[part]
    return v


def to_yaml(v):
    if isinstance(v, str):
        return v.rstrip("\n")
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=False).rstrip("\n")


def evaluate(ctx, expr):
    # ".a.b", ".a.b | quote", "toYaml .a.b | nindent N", ".a.b | nindent N"
    parts = [p.strip() for p in expr.split("|")]
    head = parts[0]
    if head.startswith("toYaml "):
        val = to_yaml(lookup(ctx, head[len("toYaml "):].strip()))
    elif re.fullmatch(r"(\.[A-Za-z][A-Za-z0-9_]*)+", head):
        val = lookup(ctx, head)
    else:
        sys.exit(f"helm_render: a construct this check does not know: {{{{ {expr} }}}}")
    for f in parts[1:]:
        if f == "quote":
            val = '"' + str(val).replace('"', '\\"') + '"'
        elif f.startswith("nindent "):
            n = int(f.split()[1])
            val = "\n" + "\n".join((" " * n + line) if line else line for line in to_yaml(val).split("\n"))
        else:
            sys.exit(f"helm_render: a function this check does not know: {f}")
    return str(val)


def render(text, ctx):
    def sub(m):
        lead, trim_left, expr, _ = m.groups()
        out = evaluate(ctx, expr)
        return out if trim_left else lead + out
    return EXPR.sub(sub, text)


def main():
    chart = sys.argv[1]
    ns = sys.argv[2] if len(sys.argv) > 2 else "vigil"
    with open(os.path.join(chart, "Chart.yaml")) as f:
        meta = yaml.safe_load(f)
    with open(os.path.join(chart, "values.yaml")) as f:
        values = yaml.safe_load(f)
    ctx = {"Values": values, "Release": {"Namespace": ns, "Name": "vigil"},
           "Chart": {"Name": meta["name"], "Version": meta["version"], "AppVersion": meta["appVersion"]}}
    out = [f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"]
    tdir = os.path.join(chart, "templates")
    for name in sorted(os.listdir(tdir)):
        if name.endswith(".yaml"):
            with open(os.path.join(tdir, name)) as f:
                text = render(f.read(), ctx)
            list(yaml.safe_load_all(text))	# each rendered template is YAML
            out.append(text)
    print("---\n".join(out), end="")


if __name__ == "__main__":
    main()
