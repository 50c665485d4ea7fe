# shellcheck shell=bash
# Family "exec": execs and file opens: paths the kernel resolved, flags, hostile argv and names

t_exec_and_relative_open() {
	local c=$TAG-exec
	run "$c" --rm -w /etc -- cat shadow
	expect "exec: exe resolved by the kernel, argv, cwd, ids, caps, container name+image of a --rm container" "$c" \
		'.type == "exec" and .syscall == "execve" and .result == 0 and .exec.exe == "/bin/busybox"
		 and .exec.filename == "/bin/cat" and .process.args == ["cat", "shadow"]
		 and .process.cmdline == "cat shadow" and .process.cwd == "/etc" and .process.vpid == 1
		 and .process.uid == 0 and .process.name == "cat" and (.process.pid > 1)
		 and (.process.caps | index("CAP_CHOWN") != null) and .container.image == "vigil-test:latest"
		 and (.container.id | length) == 12 and (.container.full_id | length) == 64
		 and .container.runtime == "docker" and .host != null and (.time | test("^[0-9-]+T[0-9:.]+Z$"))
		 and (.exec.upper_layer | not) and (.exec.from_memfd | not)'
	expect "open: relative path under cwd /etc reported as /etc/shadow" "$c" \
		'.type == "open" and .syscall == "openat" and .file.path == "/etc/shadow" and .file.nameraw == "shadow"
		 and .file.resolved == true and .result >= 0 and .file.fstype == "overlay"
		 and .file.mount.container_root == true and (.file.mount.host | not)
		 and (.file.flags | index("O_RDONLY") != null) and .process.name == "cat"
		 and (.process.caps | index("CAP_CHOWN") != null)'
}
t_open_symlink_dotdot() {
	local c=$TAG-symlink
	run "$c" -- sh -c 'cat /etc/shadow-link; cat /tmp/../etc/./passwd' 
	expect "open: through a symlink reports the target" "$c" \
		'.type == "open" and .file.path == "/etc/shadow" and .file.nameraw == "/etc/shadow-link" and .result >= 0'
	expect "open: .. and . resolve to the real file" "$c" \
		'.type == "open" and .file.path == "/etc/passwd" and .file.nameraw == "/tmp/../etc/./passwd"'
}
t_openat_dirfd() {
	local c=$TAG-dirfd
	run "$c" -- vigil-testbin openat /etc shadow
	expect "openat: path relative to a dirfd" "$c" \
		'.type == "open" and .file.path == "/etc/shadow" and .file.nameraw == "shadow" and .args.dirfd >= 0'
}
t_open_failed() {
	local c=$TAG-enoent
	run "$c" -w /etc -- cat no-such-file
	expect "open: a failed open is an event with its errno and the joined path" "$c" \
		'.type == "open" and .result == -2 and .errno == "ENOENT" and .file.path == "/etc/no-such-file"
		 and .file.resolved == false'
}
t_host_bind_mount() {
	local c=$TAG-bind
	run "$c" -v "$WORK/hostdir:/data" -- cat /data/secret
	expect "open: a file on a host bind mount is marked host, with the bind source" "$c" \
		'.type == "open" and .file.path == "/data/secret" and .file.mount.host == true
		 and .file.mount.bind == true and (.file.mount.container_root | not)
		 and (.file.mount.root | endswith("/hostdir")) and (.file.mount.source | length) > 0'
}
t_open_aggregation() {
	local c=$TAG-repeat n
	run "$c" -- vigil-testbin loop openclose 1000
	expect "1000 identical opens by one process: reported once, NORMAL, without the caps its exec carried" "$c" \
		'.type == "open" and .file.path == "/etc/passwd" and .process.name == "vigil-testbin"
		 and .file.repeats == null and .verdict == "NORMAL" and .process.caps == null'
	sleep 1
	n=$(events "$c" '.type == "open" and .file.path == "/etc/passwd" and .process.name == "vigil-testbin"' | wc -l)
	if [ "$n" = 1 ] && "$VIGIL" stats --json | jq -e '.kernel.open_repeats >= 999' >/dev/null; then
		ok "... and the 999 repeats are counted (open_repeats), not lost"
	else
		fail "... and the 999 repeats are counted" "events=$n" "$("$VIGIL" stats --json | jq -c .kernel)"
	fi
}
t_exec_flags() {
	local c=$TAG-memfd
	run "$c" -- vigil-testbin memfd-exec /bin/busybox
	expect "exec from memfd is flagged" "$c" \
		'.type == "exec" and .exec.from_memfd == true and (.exec.exe | startswith("/memfd:payload"))'
	local c2=$TAG-upper
	run "$c2" -- sh -c 'cp /bin/busybox /tmp/true && /tmp/true'
	expect "exec of a binary written in the container: upper layer, /tmp" "$c2" \
		'.type == "exec" and .exec.exe == "/tmp/true" and .exec.upper_layer == true and .exec.from_tmp == true'
	local c3=$TAG-noexec
	run "$c3" -- vigil-testbin exec-missing
	expect "failed exec: path and errno" "$c3" \
		'.type == "exec" and .syscall == "execve" and .result == -2 and .file.path == "/no/such/binary"'
}
t_hostile_input() {
	local c=$TAG-huge
	run "$c" -- vigil-testbin exec-huge /bin/true 100000
	expect "huge argv: bounded, flagged truncated" "$c" \
		'.type == "exec" and .exec.exe == "/bin/busybox" and .exec.args_truncated == true
		 and .process.args[0] == "/bin/true" and .process.args[1] == "first"
		 and (.process.args[2] | length) > 1000 and (.process.args[2] | length) < 4096'
	local c2=$TAG-odd
	run "$c2" -- vigil-testbin odd-name
	expect "odd bytes in a path: valid JSON, exact bytes kept in path_b64" "$c2" \
		'.type == "open" and (.file.path | startswith("/tmp/odd\"name\n\t")) and (.file.path | endswith("\\end"))
		 and .file.path_b64 == "L3RtcC9vZGQibmFtZQoJ//5cZW5k"'
}

# The default policy on the actions above.
t_exec_verdicts() {
	verdict "Sensitive file read" "$TAG-exec" \
		'.reasons == "Unsafe:[opening sensitive file]" and .priority == "WARNING" and .output_fields["fd.name"] == "/etc/shadow"
		 and (.tags | index("mitre_credential_access") != null)'
	verdict "Program run from memory or a temporary directory" "$TAG-upper" '.exec.exe == "/tmp/true"'
	verdict "Program run from memory or a temporary directory" "$TAG-memfd" '.exec.from_memfd == true'
}

# An alert's story: the ancestors the kernel reported, up to the entrypoint
# (or the process a docker exec entered with); the runtime's shim is not in it.
t_alert_ancestry() {
	local c=$TAG-anc d=$TAG-anc-exec
	run "$c" -- sh -c 'sh -c "cat /etc/shadow; true"; true'
	expect "alert ancestry: cat <- sh <- the entrypoint sh (pid 1), root named" "$c" \
		'.verdict == "INSECURE" and .file.path == "/etc/shadow" and (.ancestry | length) == 2
		 and .ancestry[0].args == ["sh", "-c", "cat /etc/shadow; true"] and .ancestry[0].exe == "/bin/busybox"
		 and .ancestry[1].vpid == 1 and .ancestry[1].args[0] == "sh" and .ancestry_root == "entrypoint"'
	docker run -d --name "$d" --network none "$IMG" sleep 30 >>"$WORK/containers.log" 2>&1
	docker exec "$d" sh -c 'cat /etc/shadow; true' >/dev/null 2>&1
	expect "alert ancestry: a docker exec's chain ends at the process that entered the container" "$d" \
		'.verdict == "INSECURE" and .file.path == "/etc/shadow" and (.ancestry | length) == 1
		 and .ancestry[0].args == ["sh", "-c", "cat /etc/shadow; true"] and .ancestry_root == "entered"'
	docker rm -f "$d" >/dev/null 2>&1
	check "alert ancestry: only alerts carry it" ! ancestry_outside_alerts
}
ancestry_outside_alerts() { jq -se 'any(.[]; .verdict != "INSECURE" and has("ancestry"))' "$OUT" >/dev/null; }

family_exec() {
	agent_start exec --learn-seconds 3 --profile-dir "$WORK" || { fail "exec: agent starts"; return; }
	t_exec_and_relative_open
	t_open_symlink_dotdot
	t_openat_dirfd
	t_open_failed
	t_host_bind_mount
	t_open_aggregation
	t_exec_flags
	t_hostile_input
	t_exec_verdicts
	t_alert_ancestry
	agent_stop
}
