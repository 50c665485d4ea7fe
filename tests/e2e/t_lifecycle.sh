# shellcheck shell=bash
# Family "lifecycle": containers before the agent, 100 ms containers, the host left out, vigil stats, shutdown

t_preexisting_container() {
	docker exec "$TAG-early" cat /etc/shadow >/dev/null 2>&1
	expect "a container started before the agent is named" "$TAG-early" \
		'.type == "open" and .file.path == "/etc/shadow" and .process.name == "cat" and .container.image == "vigil-test:latest"'
}
t_short_lived() {
	local c=$TAG-short
	docker run --rm --name "$c" --network none "$IMG" true >/dev/null 2>&1
	expect "a 100 ms --rm container is attributed by name and image" "$c" \
		'.type == "exec" and .exec.filename == "/bin/true" and .container.image == "vigil-test:latest"'
	expect "its exit carries the syscall counts made in the kernel: set-up, then program" "$c" \
		'.type == "container_exit" and .setup_syscalls.execve >= 1 and .setup_syscalls.pivot_root >= 1
		 and .syscalls.exit_group == 1 and .syscalls_total >= 2 and (.syscalls.pivot_root // 0) == 0'
}
t_host_not_reported() {
	cat /etc/hostname >/dev/null
	local marker=$TAG-marker
	run "$marker" -- true
	expect "(marker container seen)" "$marker" '.type == "exec"' >/dev/null
	if jq -c 'select(.container.id == "host")' "$OUT" 2>/dev/null | grep -q .; then
		fail "host processes are not reported without --host" "$(jq -c 'select(.container.id == "host")' "$OUT" | head -2)"
	else
		ok "host processes are not reported without --host"
	fi
}
t_stats_command() {
	local s
	s=$("$VIGIL" stats --json 2>&1)
	if echo "$s" | jq -e --arg n "$TAG-early" \
		'(.kernel.events > 0) and (.kernel.ringbuf_full == 0) and
		 ([.containers[] | select(.name == $n and .syscalls_total > 0 and .syscalls.nanosleep >= 1)] | length == 1)' >/dev/null; then
		ok "vigil stats: kernel counters and per-container syscall counts"
	else
		fail "vigil stats: kernel counters and per-container syscall counts" "$(echo "$s" | head -c 600)"
	fi
}
t_json_valid_and_shutdown() {
	local lines parsed status
	agent_stop
	status=$?
	lines=$(wc -l <"$OUT")
	parsed=$(jq -c . "$OUT" 2>/dev/null | wc -l)
	if [ "$lines" -gt 0 ] && [ "$lines" = "$parsed" ]; then
		ok "every output line is valid JSON ($lines lines)"
	else
		fail "every output line is valid JSON" "lines=$lines parsed=$parsed"
	fi
	if [ "$status" = 0 ] && grep -q "vigil: stats: .* ringbuf_full=0 " "$ERR"; then
		ok "SIGTERM: clean exit with a final stats line and no ring-buffer drops"
	else
		fail "SIGTERM: clean exit with a final stats line" "status=$status" "$(tail -3 "$ERR")"
	fi
	grep "vigil: stats:" "$ERR" | sed 's/^/# /'
}

family_lifecycle() {
	# a container that exists before the agent starts
	docker run -d --name "$TAG-early" --network none "$IMG" sleep 600 >/dev/null || { fail "lifecycle: early container"; return; }
	# every syscall counted: vigil stats is checked on a container older than the agent
	agent_start lifecycle --learn-seconds 3 --profile-dir "$WORK" --syscall-counts always || { fail "lifecycle: agent starts"; return; }
	t_preexisting_container
	t_short_lived
	t_host_not_reported
	t_stats_command
	# a shell entered with a terminal is someone at the container's prompt;
	# the same command with none is orchestration (probes, scripts)
	docker exec "$TAG-early" sh -c 'echo no-tty' >/dev/null 2>&1
	docker exec -t "$TAG-early" sh -c 'echo with-tty' </dev/null >/dev/null 2>&1
	verdict "Shell spawned in a running container" "$TAG-early" '.process.name == "sh" and any(.process.args[]; . == "echo with-tty")'
	expect "(docker exec without a terminal reported)" "$TAG-early" '.type == "exec" and any(.process.args[]; . == "echo no-tty")' >/dev/null
	if [ -z "$(events "$TAG-early" '.verdict == "INSECURE" and any(.process.args[]; . == "echo no-tty")')" ]; then
		ok "shell entered by docker exec without a terminal stays quiet"
	else
		fail "shell entered by docker exec without a terminal stays quiet"
	fi
	t_json_valid_and_shutdown
}
