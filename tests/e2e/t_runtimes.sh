# shellcheck shell=bash
# Family "runtimes": containers of podman and of containerd without Docker
# are attributed from each runtime's own files: podman's container storage,
# containerd's task bundles (annotations as the CRI plugin writes them give
# the Kubernetes names).  No runtime service is asked.

CTRD_SOCK=/run/containerd/containerd.sock
PODMAN_OPTS=(--network none
	# podman asks for the host's hard limits and this machine will not raise them
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# expect_sel DESC JQ_SELECTOR JQ_CONDITION: an event chosen by a selector of its own
expect_sel() {
	local desc=$1 sel=$2 cond=$3
	for _ in $(seq 75); do
		if [ -n "$(jq -c "select($sel) | select($cond)" "$OUT" 2>/dev/null | head -1)" ]; then
			ok "$desc"
			return 0
		fi
		sleep 0.2
	done
	fail "$desc" "no event matched: ($sel) and ($cond)" \
		"its events: $(jq -c "select($sel) | [.type, .file.path // .exec.exe // .net.remote.ip // \"\", .container]" "$OUT" 2>/dev/null | head -5 | tr '\n' ';')"
}

# a 64-hex id, as CRI and nerdctl make them (a cgroup leaf the kernel side takes for a container's)
hexid() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

ctrd_start() {
	mkdir -p "$WORK/containerd"
	# the system containerd's own paths (its task bundles are where Vigil looks); no CRI, no CNI
	cat >"$WORK/containerd/config.toml" <<-EOF
	version = 2
	root = "$WORK/containerd/root"
	state = "/run/containerd"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$CTRD_SOCK"
	EOF
	if ! ctr --address "$CTRD_SOCK" version >/dev/null 2>&1; then
		containerd --config "$WORK/containerd/config.toml" >"$WORK/containerd/log" 2>&1 &
		CTRD_PID=$!
		for _ in $(seq 50); do
			ctr --address "$CTRD_SOCK" version >/dev/null 2>&1 && break
			sleep 0.1
		done
	fi
	local ns
	for ns in default k8s.io; do
		docker save "$IMG" | ctr --address "$CTRD_SOCK" -n "$ns" images import - >/dev/null 2>&1 || return 1
	done
}

ctrd_stop() {
	[ -n "${CTRD_PID:-}" ] || return 0
	kill "$CTRD_PID" 2>/dev/null
	wait "$CTRD_PID" 2>/dev/null
	CTRD_PID=
}

t_podman() {
	local c=$TAG-pm short=$TAG-pm-short
	podman run --rm --name "$c" "${PODMAN_OPTS[@]}" "$IMG" \
		sh -c 'cat /etc/shadow >/dev/null; vigil-testbin connect 192.0.2.1 443' >>"$WORK/containers.log" 2>&1
	expect "podman: an exec carries the container's name, podman's image name and digest" "$c" \
		'.type == "exec" and .process.name == "vigil-testbin" and .container.runtime == "podman"
		 and .container.image == "docker.io/library/vigil-test:latest"
		 and (.container.image_id | test("^sha256:[0-9a-f]{64}$")) and (.container.full_id | length) == 64'
	verdict "Sensitive file read" "$c" '.file.path == "/etc/shadow" and .container.runtime == "podman"'
	expect "podman: a connect carries the name and image" "$c" \
		'.type == "connect" and .net.remote.ip == "192.0.2.1" and .container.image == "docker.io/library/vigil-test:latest"'
	# gone (--rm) as soon as its one program ends: named from what podman wrote at create
	podman run --rm --name "$short" "${PODMAN_OPTS[@]}" "$IMG" cat /etc/hostname >>"$WORK/containers.log" 2>&1
	expect "podman --rm: a container that lives for one cat is still named" "$short" \
		'.type == "open" and .file.path == "/etc/hostname" and .container.image == "docker.io/library/vigil-test:latest"'
}

t_containerd() {
	local id k8s uid=0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d
	id=$(hexid)
	ctr --address "$CTRD_SOCK" -n default run --rm "docker.io/library/$IMG" "$id" \
		vigil-testbin connect 192.0.2.1 443 >>"$WORK/containers.log" 2>&1
	expect_sel "containerd (ctr run, namespace default): its events are the container's, by id" \
		".container.id == \"${id:0:12}\"" \
		'.type == "connect" and .net.remote.ip == "192.0.2.1" and .container.runtime == "containerd"'
	# as the CRI plugin starts a pod's container: namespace k8s.io, the pod's cgroup, its annotations
	k8s=$(hexid)
	ctr --address "$CTRD_SOCK" -n k8s.io run --rm --cgroup "/kubepods/besteffort/pod$uid/$k8s" \
		--annotation io.kubernetes.cri.container-type=container \
		--annotation io.kubernetes.cri.container-name=web \
		--annotation io.kubernetes.cri.sandbox-name=web-7d9f8c6b5-x2k4p \
		--annotation io.kubernetes.cri.sandbox-namespace=shop \
		--annotation io.kubernetes.cri.sandbox-uid=$uid \
		--annotation io.kubernetes.cri.image-name=registry.example/shop/web:1.4 \
		"docker.io/library/$IMG" "$k8s" sh -c 'cat /etc/shadow; cat /etc/hostname' >>"$WORK/containers.log" 2>&1
	verdict "Sensitive file read" web \
		".container.id == \"${k8s:0:12}\" and .container.image == \"registry.example/shop/web:1.4\"
		 and .container.k8s.pod == \"web-7d9f8c6b5-x2k4p\" and .container.k8s.namespace == \"shop\"
		 and .container.k8s.container == \"web\" and .container.k8s.pod_uid == \"$uid\""
	verdict "Pod in namespace shop read its hostname" web \
		'(.output | test("pod=web-7d9f8c6b5-x2k4p ns=shop uid=0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d container=web"))
		 and .container.runtime == "containerd"'
}

family_runtimes() {
	local pm_ok=1 ctrd_ok=1
	cat >"$WORK/k8s-rules.yaml" <<-'EOF'
	- rule: Pod in namespace shop read its hostname
	  desc: k8s.* fields, filled from the CRI annotations
	  condition: evt.type in (open, openat) and fd.name = /etc/hostname and k8s.ns.name = shop and k8s.pod.name startswith web-
	  output: pod=%k8s.pod.name ns=%k8s.ns.name uid=%k8s.pod.uid container=%k8s.container.name
	  priority: NOTICE
	EOF
	podman image exists "$IMG" 2>/dev/null ||
		podman pull -q "docker-daemon:$IMG" >>"$WORK/containers.log" 2>&1 || pm_ok=0
	ctrd_start || ctrd_ok=0
	agent_start runtimes --rules "$ROOT/rules/vigil_rules.yaml" --rules "$WORK/k8s-rules.yaml" ||
		{ fail "runtimes: agent starts"; ctrd_stop; return; }
	if [ "$pm_ok" = 1 ]; then t_podman; else fail "podman: the test image is imported" "$(tail -3 "$WORK/containers.log")"; fi
	if [ "$ctrd_ok" = 1 ]; then t_containerd; else fail "containerd: starts, images imported" "$(tail -3 "$WORK/containerd/log")"; fi
	agent_stop
	ctrd_stop
}
