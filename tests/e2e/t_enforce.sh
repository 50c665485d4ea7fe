# shellcheck shell=bash
# Family "enforce": rules with actions, carried out by the kernel (kill at a
# syscall's entry, kill at exec, refuse a connect) and reported; audit mode
# says what would be done and does nothing.

SRV1=172.31.250.21	# listens on 9001: a port the test policy denies
SRV2=172.31.250.22	# listens on 9002: allowed

enforce_rules() {
	cat >"$WORK/enforce_rules.yaml" <<EOF
- rule: Denied test port
  desc: The e2e policy's forbidden destination.
  condition: evt.type = connect and container and fd.rnet in (172.31.250.0/24) and fd.rport = 9001
  output: Denied test port (%fd.rip:%fd.rport process=%proc.name container=%container.name)
  reason: test port
  priority: WARNING
  action: deny
- rule: Only its own networks
  desc: One workload (by name) may talk only to its own networks.
  condition: >
    evt.type in (connect, sendto, sendmsg) and container.name startswith "$TAG-strict"
    and fd.sockfamily = ip and fd.remote_is_own_network = false
  output: Outside its networks (%fd.rip:%fd.rport container=%container.name)
  reason: outside own networks
  priority: WARNING
  action: deny
- rule: Program run from memory or a temporary directory
  override:
    action: replace
  action: kill
EOF
}

# exit status of a container run in the foreground, its output in $WORK/NAME.out
run_status() {
	local name=$1
	shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	docker run --name "$name" "${opts[@]}" "$IMG" "$@" >"$WORK/$name.out" 2>&1
	echo $?
}

t_enforce_audit() {
	local c=$TAG-audit-ptrace st
	st=$(run_status "$c" --network none -- vigil-testbin priv)
	check "audit: the ptrace caller is not killed (exit $st)" [ "$st" = 0 ]
	check "audit: its ptrace attach returned" grep -q '^ptrace: 0' "$WORK/$c.out"
	expect "audit: the event says the kernel would kill at the syscall's entry" "$c" \
		'.type == "ptrace" and .verdict == "INSECURE" and .action.kind == "kill" and .action.mode == "audit"
		 and .action.done == false and .action.by == "kernel" and .action.when == "at syscall entry"
		 and .action.rule == "Process attached with ptrace"'
	c=$TAG-audit-port
	st=$(run_status "$c" --network "$NET" -- vigil-testbin connect $SRV1 9001)
	check "audit: the denied connect is not refused" ! grep -q 'Operation not permitted' "$WORK/$c.out"
	expect "audit: ... and reported as would deny" "$c" \
		'.type == "connect" and .action.kind == "deny" and .action.mode == "audit" and .action.done == false
		 and .action.rule == "Denied test port"'
}

t_enforce_kill() {
	local c=$TAG-kill-ptrace st
	st=$(run_status "$c" --network none -- vigil-testbin priv)
	check "kill: ptrace attach from a container dies by SIGKILL (exit $st)" [ "$st" = 137 ]
	check "kill: nothing after the ptrace ran" ! grep -q '^unshare' "$WORK/$c.out"
	expect "kill: the event says killed at the syscall's entry by the kernel" "$c" \
		'.type == "ptrace" and .verdict == "INSECURE" and (.rules | index("Process attached with ptrace") != null)
		 and .action.kind == "kill" and .action.mode == "enforce" and .action.done == true
		 and .action.by == "kernel" and .action.when == "at syscall entry"'
	c=$TAG-kill-mount
	st=$(run_status "$c" --network none --cap-add SYS_ADMIN -- vigil-testbin mount-tmpfs /mnt)
	check "kill: mount in a running container dies by SIGKILL (exit $st)" [ "$st" = 137 ]
	expect "kill: ... reported as killed" "$c" \
		'.syscall == "mount" and (.rules | index("Mount in a running container") != null)
		 and .action.done == true and .action.kind == "kill"'
	c=$TAG-kill-fsopen
	st=$(run_status "$c" --network none --cap-add SYS_ADMIN --security-opt seccomp=unconfined -- \
		vigil-testbin fsopen tmpfs)
	check "kill: the new mount API (fsopen) too (exit $st)" [ "$st" = 137 ]
	c=$TAG-kill-memfd
	st=$(run_status "$c" --network none -- vigil-testbin memfd-exec /bin/busybox)
	check "kill: a program run from memfd dies before its first instruction (exit $st)" [ "$st" = 137 ]
	expect "kill: ... killed at exec by the kernel" "$c" \
		'.type == "exec" and .exec.from_memfd == true and .action.kind == "kill" and .action.when == "at exec"
		 and .action.done == true and .action.rule == "Program run from memory or a temporary directory"'
	c=$TAG-kill-tmp
	st=$(run_status "$c" --network none -- sh -c 'cp /bin/busybox /tmp/bb && /tmp/bb echo ran; echo "shell: $?"')
	check "kill: a binary written to /tmp is killed at exec, its shell goes on (exit $st)" \
		grep -q '^shell: 137' "$WORK/$c.out"
	check "kill: ... the binary never printed" ! grep -q '^ran' "$WORK/$c.out"
	c=$TAG-kill-normal
	st=$(run_status "$c" --network none -- sh -c 'ls / >/dev/null; cat /etc/passwd >/dev/null; echo fine')
	check "kill: an ordinary container runs to its end (exit $st)" [ "$st" = 0 ]
	exited "$c"
	quiet "kill: ... with no action and no alert" "$c"
}

t_enforce_deny() {
	local s1=$TAG-srv1 s2=$TAG-srv2 c st
	docker run -d --name "$s1" --network "$NET" --ip $SRV1 "$IMG" vigil-testbin listen-count 9001 12 >/dev/null
	docker run -d --name "$s2" --network "$NET" --ip $SRV2 "$IMG" vigil-testbin listen-count 9002 12 >/dev/null
	sleep 1
	c=$TAG-deny-port
	run_status "$c" --network "$NET" -- sh -c "vigil-testbin connect $SRV1 9001; vigil-testbin connect $SRV2 9002" \
		>/dev/null
	check "deny: a denied destination gets EPERM in the container" \
		grep -q '^connect: -1 Operation not permitted' "$WORK/$c.out"
	check "deny: allowed traffic still works" grep -q '^connect: 0' "$WORK/$c.out"
	expect "deny: the event says refused at connect by the kernel" "$c" \
		'.type == "connect" and .net.remote.ip == "'$SRV1'" and .net.remote.port == 9001 and .result == -1
		 and .errno == "EPERM" and .action.kind == "deny" and .action.done == true and .action.when == "at connect"'
	c=$TAG-strict
	run_status "$c" --network "$NET" -- sh -c \
		"sleep 1; vigil-testbin connect $SRV2 9002; vigil-testbin connect 192.0.2.1 80; vigil-testbin udp-send 192.0.2.1 53" \
		>/dev/null
	check "deny: a policy naming one container: its own network is allowed" grep -q '^connect: 0' "$WORK/$c.out"
	check "deny: ... a connect outside it is refused" grep -q '^connect: -1 Operation not permitted' "$WORK/$c.out"
	check "deny: ... and so is a datagram outside it" grep -q '^sendto: -1 Operation not permitted' "$WORK/$c.out"
	expect "deny: ... reported with the rule" "$c" \
		'.net.remote.ip == "192.0.2.1" and .action.rule == "Only its own networks" and .action.done == true'
	expect "deny: the container's own policy entry is reported, with when it was in place" "$c" \
		'.type == "container_policy" and .policy.own_entries >= 1 and (.policy.after_cgroup_ms | type) == "number"'
	events "$c" '.type == "container_policy"' | head -1 |
		jq -r '"# window: its own policy in place \(.policy.after_cgroup_ms) ms after its cgroup appeared, program started: \(.policy.program_started)"'
	c=$TAG-notstrict
	# a datagram: a TCP connect to TEST-NET from an internal network would wait for its SYNs
	run_status "$c" --network "$NET" -- vigil-testbin udp-send 192.0.2.1 53 >/dev/null
	check "deny: another container is not under that policy" ! grep -q 'Operation not permitted' "$WORK/$c.out"
	wait_exit "$s1"
	wait_exit "$s2"
	check "deny: no connection reached the denied listener" grep -q '^accepted: 0' "$WORK/$s1.log"
	check "deny: the allowed listener got its connections" grep -Eq '^accepted: [1-9]' "$WORK/$s2.log"
}

# wait_exit CONTAINER: until it exits; its output in $WORK/CONTAINER.log
wait_exit() {
	docker wait "$1" >/dev/null 2>&1
	docker logs "$1" >"$WORK/$1.log" 2>&1
}

t_enforce_runtime_socket() {
	local c=$TAG-sock st
	[ -S /var/run/docker.sock ] || { fail "runtime socket: /var/run/docker.sock missing"; return; }
	st=$(run_status "$c" --network none -v /var/run/docker.sock:/var/run/docker.sock -- \
		vigil-testbin connect-unix /var/run/docker.sock)
	check "runtime socket: a connect to the mounted Docker socket is refused" \
		grep -q '^connect_unix: -1 Operation not permitted' "$WORK/$c.out"
	expect "runtime socket: ... reported as denied" "$c" \
		'.type == "connect" and .action.kind == "deny" and .action.done == true
		 and .action.rule == "Container runtime socket contacted"'
	c=$TAG-sock-link
	st=$(run_status "$c" --network none -v /var/run/docker.sock:/var/run/docker.sock -- \
		sh -c 'ln -s /var/run/docker.sock /tmp/d; vigil-testbin connect-unix /tmp/d; echo "shell: $?"')
	check "runtime socket: through a symlink, the connect is killed after it (exit $st)" \
		grep -q '^shell: 137' "$WORK/$c.out"
	expect "runtime socket: ... the kernel saw the peer's own path" "$c" \
		'.type == "connect" and .net.unix_path == "/run/docker.sock" and .action.kind == "kill"
		 and .action.when == "after connect" and .action.done == true'
}

SYNT=172.31.250.23	# the SYN flood's target

# syn_flood MODE: a burst of SYNs from one container to another on the test network
t_enforce_syn() {
	local mode=$1 tgt=$TAG-syn-tgt-$1 atk=$TAG-syn-atk-$1 ok_c=$TAG-syn-ok-$1
	docker run -d --name "$tgt" --network "$NET" --ip $SYNT "$IMG" vigil-testbin listen-count 9100 15 >/dev/null
	sleep 1
	run_status "$atk" --network "$NET" -- sh -c \
		"vigil-testbin syn-burst $SYNT 9100 3000; timeout 3 vigil-testbin connect $SYNT 9100; echo \"after: \$?\"" \
		>/dev/null
	run_status "$ok_c" --network "$NET" -- vigil-testbin connect $SYNT 9100 >/dev/null
	if [ "$mode" = audit ]; then
		expect "syn flood: a burst is detected, its source and target named" "$tgt" \
			'.type == "syn_flood" and .verdict == "INSECURE" and .syn_flood.target == "'$SYNT'"
			 and .syn_flood.port == 9100 and .syn_flood.syns > 300 and .syn_flood.source_container == "'"$atk"'"
			 and .syn_flood.dropping == false'
		check "syn flood: audit mode drops nothing (the source connects after its burst)" \
			grep -q '^connect: 0' "$WORK/$atk.out"
	else
		expect "syn flood: with --enforce, that source's SYNs are dropped" "$tgt" \
			'.type == "syn_flood" and .syn_flood.dropping == true and .syn_flood.source_container == "'"$atk"'"'
		check "syn flood: ... its next connect never gets through" grep -q '^after: 143' "$WORK/$atk.out"
	fi
	check "syn flood: another container's connect to the target goes through (even with the source's address, reused by Docker)" grep -q '^connect: 0' "$WORK/$ok_c.out"
	docker rm -f "$tgt" >/dev/null 2>&1
}

# --pin: kill -9 of the agent leaves enforcement in force; the next agent reports the gap
t_enforce_pin() {
	local c=$TAG-pin-gap st
	agent_start enforce-pin --enforce --pin || { fail "pin: agent starts"; return; }
	kill -9 "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
	check "pin: hooks stay pinned after kill -9 of the agent" [ -n "$(ls /sys/fs/bpf/vigil/keep/links 2>/dev/null)" ]
	st=$(run_status "$c" --network none -- vigil-testbin priv)
	check "pin: with no agent running, ptrace attach is still killed (exit $st)" [ "$st" = 137 ]
	st=$(run_status "$TAG-pin-sock" --network none -v /var/run/docker.sock:/var/run/docker.sock -- \
		vigil-testbin connect-unix /var/run/docker.sock)
	check "pin: ... and the Docker socket still refused" \
		grep -q '^connect_unix: -1 Operation not permitted' "$WORK/$TAG-pin-sock.out"
	agent_start enforce-pin2 --enforce --pin || { fail "pin: a new agent starts"; return; }
	grep -q 'taken over from an earlier one' "$ERR" && ok "pin: the new agent takes the pinned maps over" ||
		fail "pin: the new agent takes the pinned maps over" "$(grep -i pin "$ERR")"
	expect "pin: it reports what happened while no agent ran (from the kept ring buffer)" "$c" \
		'.type == "ptrace" and .action.done == true and .action.kind == "kill"'
	agent_stop
	"$VIGIL" unpin >/dev/null
	check "pin: vigil unpin removes them" [ -z "$(ls /sys/fs/bpf/vigil/keep/links 2>/dev/null)" ]
	st=$(run_status "$TAG-pin-after" --network none -- vigil-testbin priv)
	check "pin: ... and nothing is enforced after it (exit $st)" [ "$st" = 0 ]
}

family_enforce() {
	enforce_rules
	agent_start enforce-audit --syn-flood-rate 300 --rules "$ROOT/rules/vigil_rules.yaml" --rules "$WORK/enforce_rules.yaml" ||
		{ fail "enforce: audit agent starts"; return; }
	grep -q 'enforcement: audit mode' "$ERR" && ok "audit: the agent says it is in audit mode" ||
		fail "audit: the agent says it is in audit mode" "$(grep enforcement "$ERR")"
	t_enforce_audit
	t_enforce_syn audit
	agent_stop
	agent_start enforce --enforce --syn-flood-rate 300 --syn-flood-block 20 \
		--rules "$ROOT/rules/vigil_rules.yaml" --rules "$WORK/enforce_rules.yaml" ||
		{ fail "enforce: agent starts"; return; }
	grep -q 'enforcement: enforcing' "$ERR" && ok "enforce: the agent says which tier acts" ||
		fail "enforce: the agent says which tier acts" "$(grep enforcement "$ERR")"
	t_enforce_kill
	t_enforce_deny
	t_enforce_runtime_socket
	t_enforce_syn enforce
	agent_stop
	t_enforce_pin
}
