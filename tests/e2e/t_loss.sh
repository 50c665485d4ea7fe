# shellcheck shell=bash
# Family "loss": nothing is lost in silence, and metadata a runtime did not
# give at first is filled in later.

# A full disk: the write errors are counted and said at once.
t_loss_write_errors() {
	local full=$WORK/full c=$TAG-l-full
	mkdir -p "$full"
	mount -t tmpfs -o size=16k tmpfs "$full" || { fail "loss: mount a small tmpfs"; return; }
	agent_start wfull --output-file "$full/events.json" || { fail "loss: agent starts"; umount "$full"; return; }
	run "$c" -- vigil-testbin loop exec 200
	sleep 1
	agent_stop
	if grep -q "writing $full/events.json: No space left on device:.*event(s) lost" "$ERR" &&
		grep -q 'vigil: stats: .* write_errors=[1-9]' "$ERR"; then
		ok "loss: a full disk's write errors are reported at once and counted"
	else
		fail "loss: write errors reported" "$(grep -i 'writing\|stats' "$ERR" | tail -3)"
	fi
	umount "$full"
}

# dockerd not answering when a container starts: its name is filled in later.
t_loss_meta_retry() {
	local sock=$WORK/docker-down.sock c=$TAG-l-meta lpid
	"$HELPER" listen-unix "$sock" >/dev/null 2>&1 &
	lpid=$!
	sleep 0.3
	agent_start meta --docker-socket "$sock" || { fail "loss: agent starts"; kill "$lpid"; return; }
	docker run -d --name "$c" --network none "$IMG" \
		sh -c 'while true; do cat /etc/hostname >/dev/null; sleep 0.3; done' >/dev/null
	sleep 1.5
	# the engine answers again
	kill "$lpid"
	wait "$lpid" 2>/dev/null
	ln -sf /var/run/docker.sock "$sock"
	expect "loss: a container started while the engine did not answer is named once it does" "$c" \
		'.type == "open" and .file.path == "/etc/hostname" and .container.image == "vigil-test:latest"' 20
	docker rm -f "$c" >/dev/null
	agent_stop
}

# Text output: names a process gives itself cannot forge lines or drive a terminal.
t_loss_text_hygiene() {
	local c=$TAG-l-esc out=$WORK/text.out ready=$WORK/text.ready pid
	: >"$ready"
	"$VIGIL" run --output text --events all --summary-interval 0 --ready-fd 3 --state-dir "$WORK/state-text" \
		>"$out" 2>"$WORK/text.err" 3>"$ready" &
	pid=$!
	AGENTS+=("$pid")
	for _ in $(seq 300); do grep -q READY "$ready" && break; sleep 0.1; done
	run "$c" -- vigil-testbin comm-escape
	sleep 1.5
	kill -TERM "$pid"
	wait "$pid"
	if grep -q 'proc: \\x1b\[2J\\x0aFAKE' "$out" && ! grep -q "$(printf '\033')" "$out" &&
		! grep -q '^FAKE' "$out"; then
		ok "text output: a process name with a terminal escape and a newline is printed escaped"
	else
		fail "text output escapes process names" "$(grep -a 'FAKE' "$out" | head -2 | cat -v)"
	fi
	# argv bytes that are not UTF-8 keep their exact value in JSON
	agent_start argv || { fail "loss: agent starts"; return; }
	run "$TAG-l-argv" -- sh -c "exec /bin/true \"\$(printf 'a\\377b')\""
	expect "JSON: an argv element with bytes that are not UTF-8 keeps them in args_b64" "$TAG-l-argv" \
		'.type == "exec" and .process.args_b64[1] == "Yf9i"'
	agent_stop
}

family_loss() {
	t_loss_write_errors
	t_loss_meta_retry
	t_loss_text_hygiene
}
