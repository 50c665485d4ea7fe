# shellcheck shell=bash
# Family "kernel": the kernel's decisions checked directly.
#
# The container-id corpus (tests/unit/data/cgroup_leaves.txt) run against
# the BPF side: each name is made a real cgroup directory, so the
# cgroup_mkdir program judges it as it judges a runtime's, and the pinned
# container table says what it decided.  The unit test runs the same
# corpus against the agent's code.

t_kernel_ctr_id_corpus() {
	local root parent marked want name ino n=0 bad=""
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	parent=$root/vigil-corpus-$$
	mkdir "$parent" || { fail "kernel corpus: mkdir $parent"; return; }
	while IFS=$'\t' read -r want name; do
		case $want in '#'* | '') continue ;; esac
		mkdir "$parent/$name" || { bad="$bad [mkdir $name]"; continue; }
		n=$((n + 1))
	done <"$ROOT/tests/unit/data/cgroup_leaves.txt"
	marked=$(bpftool -j map dump pinned /sys/fs/bpf/vigil/ctr_cgroups | jq -r '.[].formatted.key' 2>/dev/null)
	while IFS=$'\t' read -r want name; do
		case $want in '#'* | '') continue ;; esac
		ino=$(stat -c %i "$parent/$name" 2>/dev/null) || continue
		if echo "$marked" | grep -qx "$ino"; then got=1; else got=0; fi
		[ "$got" = "$want" ] || bad="$bad [$name: kernel $got, corpus $want]"
	done <"$ROOT/tests/unit/data/cgroup_leaves.txt"
	find "$parent" -mindepth 1 -maxdepth 1 -type d -exec rmdir {} +
	rmdir "$parent"
	if [ -z "$bad" ] && [ "$n" -ge 30 ]; then
		ok "kernel: the BPF side marks exactly the corpus' container names ($n names)"
	else
		fail "kernel: container-id corpus" "$bad" "marked: $(echo "$marked" | wc -l)"
	fi
}

# --exit-hook dispatch: one tp_btf/sys_exit program reports what the per-syscall tracepoints do
t_exit_dispatch() {
	local c=$TAG-dispatch
	agent_start dispatch --exit-hook dispatch || { fail "dispatch: agent starts"; return; }
	check "dispatch: the agent says which exit hook it uses" grep -q 'reported syscalls: one tp_btf sys_exit program' "$ERR"
	check "dispatch: the kernel has the raw sys_exit link" sh -c "bpftool link show | grep -q \"tp 'sys_exit'\""
	run "$c" -- sh -c 'cat /etc/shadow >/dev/null; vigil-testbin connect 192.0.2.1 80; mkdir /tmp/d'
	verdict "Sensitive file read" "$c" '.file.path == "/etc/shadow" and .file.resolved == true'
	expect "dispatch: a connect is reported with its destination" "$c" \
		'.type == "connect" and .net.remote.ip == "192.0.2.1" and .net.remote.port == 80'
	expect "dispatch: a path syscall too (read at entry)" "$c" '.type == "mkdir" and .file.path == "/tmp/d"'
	agent_stop
}

family_kernel() {
	agent_start kernel --no-rules || { fail "kernel: agent starts"; return; }
	t_kernel_ctr_id_corpus
	agent_stop
	t_exit_dispatch
}
