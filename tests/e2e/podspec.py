#!/usr/bin/python3
"""The DaemonSet's pod spec as `docker run` options, so e2e runs the image
with exactly the mounts, capabilities and namespaces the manifest gives it.

    podspec.py MANIFEST CONFIGDIR    prints one option per line, "--", the args

Checks the manifest on the way (what a cluster would refuse, or what would
make the agent blind) and exits 1 with the reason.  ConfigMap volumes are
written to CONFIGDIR/<volume>/ and bind-mounted from there.
"""
import os
import sys

import yaml


def die(msg):
    print(f"podspec: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    manifest, configdir = sys.argv[1], sys.argv[2]
    # PODSPEC_REMAP=/var/log/vigil=/tmp/x,...: the node's paths the test keeps to itself
    remap = dict(p.split("=", 1) for p in os.environ.get("PODSPEC_REMAP", "").split(",") if "=" in p)
    with open(manifest) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for d in docs:
        for k in ("apiVersion", "kind", "metadata"):
            if k not in d:
                die(f"a document has no {k}")
        if "name" not in d["metadata"]:
            die(f"a {d['kind']} has no metadata.name")
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    ds = by_kind.get("DaemonSet") or die("no DaemonSet")
    ds = ds[0]
    if ds["apiVersion"] != "apps/v1":
        die("the DaemonSet is not apps/v1")
    spec = ds["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    for k, v in spec["selector"]["matchLabels"].items():
        if labels.get(k) != v:
            die(f"selector {k}={v} does not match the pod template's labels")
    pod = spec["template"]["spec"]
    ann = spec["template"]["metadata"].get("annotations", {})
    if ann.get("prometheus.io/scrape") != "true":
        die("no prometheus.io/scrape annotation")
    if not any(t.get("operator") == "Exists" and "key" not in t for t in pod.get("tolerations", [])):
        die("not tolerating every taint: some nodes would go unwatched")
    (ctr,) = pod["containers"]
    if "requests" not in ctr.get("resources", {}):
        die("no resource requests")
    ports = {p["name"]: p["containerPort"] for p in ctr.get("ports", [])}
    if str(ports.get("metrics")) != ann.get("prometheus.io/port"):
        die("the scrape annotation's port is not the metrics port")
    configmaps = {c["metadata"]["name"]: c for c in by_kind.get("ConfigMap", [])}
    vols = {v["name"]: v for v in pod["volumes"]}

    opts = []
    if pod.get("hostPID"):
        opts.append("--pid=host")
    else:
        die("hostPID is not set: the agent would see only its own pod")
    # Kubernetes gives the pod the node's cgroup tree through the hostPath mount
    opts.append("--cgroupns=host")
    sc = ctr.get("securityContext", {})
    if sc.get("privileged"):
        opts.append("--privileged")
    caps = sc.get("capabilities", {})
    if "ALL" in caps.get("drop", []):
        opts.append("--cap-drop=ALL")
    # PODSPEC_UNKNOWN_CAPS=BPF,PERFMON: an engine older than those names (SYS_ADMIN holds them)
    unknown = os.environ.get("PODSPEC_UNKNOWN_CAPS", "").split(",")
    for c in caps.get("add", []):
        if c in unknown:
            if "SYS_ADMIN" not in caps.get("add", []):
                die(f"CAP_{c} is unknown to this engine and SYS_ADMIN is not added")
            continue
        opts.append(f"--cap-add={c}")
    if sc.get("seccompProfile", {}).get("type") == "Unconfined":
        opts.append("--security-opt=seccomp=unconfined")
    if sc.get("appArmorProfile", {}).get("type") == "Unconfined":
        opts.append("--security-opt=apparmor=unconfined")
    if sc.get("allowPrivilegeEscalation") is False:
        opts.append("--security-opt=no-new-privileges")
    if sc.get("readOnlyRootFilesystem"):
        opts.append("--read-only")
    for m in ctr.get("volumeMounts", []):
        v = vols.get(m["name"]) or die(f"volumeMount {m['name']} names no volume")
        ro = ":ro" if m.get("readOnly") else ""
        if "hostPath" in v:
            src = remap.get(v["hostPath"]["path"], v["hostPath"]["path"])
            if v["hostPath"].get("type") == "DirectoryOrCreate":
                os.makedirs(src, exist_ok=True)
            elif not os.path.exists(src):
                continue	# a runtime this node does not have (the pod would not start: say so)
            opts.append(f"--volume={src}:{m['mountPath']}{ro}")
        elif "configMap" in v:
            cm = configmaps.get(v["configMap"]["name"]) or die(f"ConfigMap {v['configMap']['name']} missing")
            d = os.path.join(configdir, m["name"])
            os.makedirs(d, exist_ok=True)
            for k, text in cm.get("data", {}).items():
                with open(os.path.join(d, k), "w") as f:
                    f.write(text)
            opts.append(f"--volume={d}:{m['mountPath']}:ro")
        elif "emptyDir" in v:
            opts.append(f"--tmpfs={m['mountPath']}")
        else:
            die(f"volume {m['name']}: a kind this check does not know")
    for line in opts:
        print(line)
    print("--")
    for a in ctr.get("args", []):
        print(a)


if __name__ == "__main__":
    main()
