# shellcheck shell=bash
# Family "filter": the container filter cannot be escaped or exhausted
# quietly.  The moves between cgroups are made from the host here, as a
# container with a writable cgroupfs (privileged) would make them itself.

cg_of() { # CONTAINER -> its cgroup v2 directory
	local id
	id=$(docker inspect -f '{{.Id}}' "$1")
	find "$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)" -maxdepth 3 -type d -name "*$id*" | head -1
}

# A container's process deep in a dot-named cgroup, made before the agent starts.
t_filter_hidden_nested() {
	local c=$TAG-f-hid cg deep pid
	docker run -d --name "$c" --network none "$IMG" \
		sh -c 'while true; do cat /etc/hostname >/dev/null; sleep 0.3; done' >/dev/null
	sleep 0.5
	cg=$(cg_of "$c")
	deep=$cg/.hidden$(printf '/n%s' $(seq 1 20))
	mkdir -p "$deep"
	pid=$(docker inspect -f '{{.State.Pid}}' "$c")
	echo "$pid" >"$deep/cgroup.procs" || { fail "filter: move into a nested cgroup"; return; }
	agent_start filter --learn-seconds 3 || { fail "filter: agent starts"; return; }
	expect "filter: a process in a dot-named cgroup 21 levels down, older than the agent, is watched" "$c" \
		".type == \"open\" and .file.path == \"/etc/hostname\" and .process.name == \"cat\""
}

# A task moved out of its container: reported, never silent.
t_filter_migrate_out() {
	local c=$TAG-f-mig pid root
	docker run -d --name "$c" --network none "$IMG" sleep 600 >/dev/null
	sleep 1
	pid=$(docker inspect -f '{{.State.Pid}}' "$c")
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	echo "$pid" >"$root/cgroup.procs"
	verdict "Process moved out of its container" "$c" '.type == "cgroup_migrate" and .migrate.to_host == true'
	# the early container's pid 1 predates the agent: its container is known too
	pid=$(docker inspect -f '{{.State.Pid}}' "$TAG-f-hid")
	echo "$pid" >"$root/cgroup.procs"
	verdict "Process moved out of its container" "$TAG-f-hid" '.type == "cgroup_migrate"'
	agent_stop
}

# Past --max-containers, a new container is an alert, not a silent gap.
t_filter_table_full() {
	local c=$TAG-f-full id
	agent_start full --max-containers 1 || { fail "filter: agent starts"; return; }
	run "$c" -- true
	id=$(docker inspect -f '{{.Id}}' "$c")
	unwatched() {
		jq -c --arg id "$id" 'select(.type == "container_unwatched" and (.notice.cgroup_path | contains($id))
			and .verdict == "INSECURE" and (.rules | index("Container left unwatched") != null))' "$OUT" 2>/dev/null |
			grep -q .
	}
	for _ in $(seq 50); do
		unwatched && break
		sleep 0.2
	done
	agent_stop
	if unwatched && grep -q 'container_table_full=[1-9]' "$ERR"; then
		ok "filter: a container past the table's size raises 'Container left unwatched' and is counted"
	else
		fail "filter: table full reported" "$(jq -c 'select(.type == "container_unwatched")' "$OUT" | head -2)" \
			"$(tail -1 "$ERR")"
	fi
}

family_filter() {
	t_filter_hidden_nested
	t_filter_migrate_out
	t_filter_table_full
}
