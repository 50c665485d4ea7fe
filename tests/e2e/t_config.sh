# shellcheck shell=bash
# Family "config": configuration from the OCI config; capability use against the learned baseline

# Configuration read from the OCI runtime config, and capability use
# against the learned baseline.  A real --privileged cannot start in this
# sandbox (its bounding set lacks CAP_SYS_RESOURCE), so "privileged" is made
# as Docker makes it: the escaping capabilities and no masked paths.
t_container_config_and_caps() {
	local img=vigil-test:caps-$TAG
	run "$TAG-c-priv" --cap-add SYS_ADMIN --cap-add SYS_MODULE --security-opt systempaths=unconfined -- true
	verdict "Privileged container started" "$TAG-c-priv"
	expect "container_start carries the OCI config (privileged, bounding set)" "$TAG-c-priv" \
		'.type == "container_start" and .config.privileged == true and (.config.cap_bounding | index("CAP_SYS_MODULE") != null)'
	run "$TAG-c-plain" -- true
	expect "a default container is not privileged and has its own namespaces" "$TAG-c-plain" \
		'.type == "container_start" and .config.privileged == false and .config.host_network == false and .config.host_ipc == false'
	docker run --name "$TAG-c-net" --network host "$IMG" true >>"$WORK/containers.log" 2>&1
	verdict "Container shares the host network or IPC namespace" "$TAG-c-net" '.output_fields["container.host_network"] == true'
	run "$TAG-c-ipc" --ipc host -- true
	verdict "Container shares the host network or IPC namespace" "$TAG-c-ipc" '.output_fields["container.host_ipc"] == true'
	run "$TAG-c-mnt" -v /etc:/hostetc:ro -v /run/docker.sock:/var/run/docker.sock -- true
	verdict "Container started with a sensitive host mount" "$TAG-c-mnt" \
		'(.output_fields["container.mounts"] | contains("/etc:/hostetc::false:")) and (.output_fields["container.mounts"] | contains("/run/docker.sock:/var/run/docker.sock::true:"))'
	# its own image (its own digest): a baseline no other test adds to
	"$ROOT/tests/e2e/image.sh" "$HELPER" "$img" >/dev/null
	docker run --name "$TAG-c-caps" --network none "$img" \
		sh -c 'touch /tmp/f; chown 5 /tmp/f; sleep 5; chown 6 /tmp/f; mknod /tmp/null c 1 3' >>"$WORK/containers.log" 2>&1
	expect "capability use learned in the window stays NORMAL" "$TAG-c-caps" \
		'.type == "capability" and .capability.name == "CAP_CHOWN" and .capability.syscall == "chown" and .capability.learning == true and .verdict == "NORMAL"'
	verdict "Capability used outside the container's baseline" "$TAG-c-caps" \
		'.capability.name == "CAP_MKNOD" and .capability.in_baseline == false and .output_fields["evt.arg.syscall"] == "mknodat"'
	expect "container_exit lists the capabilities granted and the baseline" "$TAG-c-caps" \
		'.type == "container_exit" and (.capabilities.granted | index("CAP_MKNOD") != null) and .capabilities.baseline == ["CAP_CHOWN"]'
	# learned once per image: a new container of it, in its first second, adds nothing
	docker run --name "$TAG-c-caps2" --network none "$img" mknod /tmp/null c 1 3 >>"$WORK/containers.log" 2>&1
	verdict "Capability used outside the container's baseline" "$TAG-c-caps2" \
		'.capability.name == "CAP_MKNOD" and .capability.learning == false'
	n=$(events "$TAG-c-caps" '.type == "capability" and .capability.name == "CAP_CHOWN"' | wc -l)
	[ "$n" = 1 ] && ok "a capability is reported once per container (the second chown is not)" ||
		fail "capability reported once" "CAP_CHOWN events: $n"
	# a restarted agent keeps what it learned (its state directory): no new learning window
	agent_stop
	agent_start config --learn-seconds 3 --profile-dir "$WORK" "${CONFIG_RULES[@]}" || { fail "config: agent restarts"; return; }
	docker run --name "$TAG-c-caps3" --network none "$img" mknod /tmp/null c 1 3 >>"$WORK/containers.log" 2>&1
	verdict "Capability used outside the container's baseline" "$TAG-c-caps3" \
		'.capability.name == "CAP_MKNOD" and .capability.learning == false'
	docker rmi "$img" >/dev/null 2>&1
}

# Behaviour learned per image (learn/novelty.h): a container runs through the
# 3 s window, then does one new thing of each kind next to what it did before.
t_novelty() {
	local img=vigil-test:nov-$TAG c=$TAG-nov rule="Behaviour not seen while the image was learned" n
	"$ROOT/tests/e2e/image.sh" "$HELPER" "$img" >/dev/null
	docker run --name "$c" --network none "$img" sh -c 'echo a >/tmp/a; vigil-testbin connect 192.0.2.7 80; sleep 5
		echo b >/tmp/b; vigil-testbin connect 192.0.2.7 80; vigil-testbin connect 192.0.2.9 4444
		cp /bin/busybox /tmp/evil; /tmp/evil true' >>"$WORK/containers.log" 2>&1
	verdict "$rule" "$c" '.anomaly.kind == "exec" and .anomaly.what == "/tmp/evil" and .type == "exec"'
	verdict "$rule" "$c" '.anomaly.kind == "connect" and .anomaly.what == "192.0.2.9:4444"'
	exited "$c"
	n=$(events "$c" '.anomaly != null and (.anomaly.what == "192.0.2.7:80" or .anomaly.kind == "write"
		or .anomaly.what == "/bin/vigil-testbin")' | wc -l)
	check "what the container did while learned (connect :80, writes in /tmp, vigil-testbin) is no anomaly after" \
		test "$n" = 0
	n=$(events "$c" '.anomaly.what == "/tmp/evil"' | wc -l)
	check "an anomaly is reported once per container and behaviour" test "$n" = 1
	# kept across a restart, shown and reset by vigil learn
	agent_stop
	check "vigil learn --status shows the image's learned executables and peers" bash -c \
		'"$1" learn --status --json --state-dir "$2" | jq -e --arg i "$3" '"'"'.[] | select(.image == $i)
		 | (.exec | index("/bin/vigil-testbin") != null) and (.connect | index("192.0.2.7:80") != null)'"'"' >/dev/null' \
		_ "$VIGIL" "$WORK/state-config" "$img"
	agent_start config --learn-seconds 3 --profile-dir "$WORK" "${CONFIG_RULES[@]}" || { fail "config: agent restarts"; return; }
	docker run --name "$c-2" --network none "$img" sh -c 'cp /bin/busybox /tmp/x2; /tmp/x2 true' \
		>>"$WORK/containers.log" 2>&1
	verdict "$rule" "$c-2" '.anomaly.what == "/tmp/x2" and .container.name == "'"$c-2"'"'
	check "vigil learn --reset IMAGE forgets it" bash -c \
		'"$1" learn --reset "$3" --state-dir "$2" | grep -q "^forgot $3" &&
		 ! "$1" learn --status --json --state-dir "$2" | jq -e --arg i "$3" '"'"'.[] | select(.image == $i)'"'"' >/dev/null' \
		_ "$VIGIL" "$WORK/state-config" "$img"
	kill -HUP "$AGENT_PID"
	sleep 1
	docker run --name "$c-3" --network none "$img" sh -c 'cp /bin/busybox /tmp/x3; /tmp/x3 true' \
		>>"$WORK/containers.log" 2>&1
	exited "$c-3"
	n=$(events "$c-3" '.anomaly != null' | wc -l)
	check "... and after SIGHUP the agent learns it again from its next container (no anomaly)" test "$n" = 0
	docker rm -f "$c" "$c-2" "$c-3" >/dev/null 2>&1
	docker rmi "$img" >/dev/null 2>&1
}

family_config() {
	# the anomaly rule is off by default (docs/anomaly.md): on, as a site enables it
	cat >"$WORK/anomaly-on.yaml" <<-'EOF'
	- rule: Behaviour not seen while the image was learned
	  enabled: true
	  override:
	    enabled: replace
	EOF
	CONFIG_RULES=(--rules "$ROOT/rules/vigil_rules.yaml" --rules "$WORK/anomaly-on.yaml")
	agent_start config --learn-seconds 3 --profile-dir "$WORK" "${CONFIG_RULES[@]}" || { fail "config: agent starts"; return; }
	t_container_config_and_caps
	t_novelty
	agent_stop
}
