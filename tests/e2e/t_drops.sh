# shellcheck shell=bash
# Family "drops": past what the agent can take, every event is written or counted

# Past what the agent can take: every event is written or counted as a drop.
# A second agent with a 1 MiB ring buffer is stopped (SIGSTOP) while a
# container opens a file 50,000 times with aggregation off.
t_drops_counted() {
	local dout=$WORK/drops.json derr=$WORK/drops.err pid c=$TAG-flood n=50000 written drops
	agent_start drops --ringbuf-mb 1 --dedup-window 0 --no-rules || { fail "drops: agent starts"; return; }
	pid=$AGENT_PID
	kill -STOP "$pid"
	run "$c" -- vigil-testbin loop openclose "$n"
	kill -CONT "$pid"
	sleep 1
	kill -TERM "$pid"
	wait "$pid"
	written=$(jq -c --arg c "$c" 'select(.container.name == $c and .type == "open" and .file.path == "/etc/passwd")' \
		"$dout" 2>/dev/null | wc -l)
	drops=$(sed -n 's/.*vigil: stats: .* ringbuf_full=\([0-9]*\) .*/\1/p' "$derr")
	# drops may also include the container's other events (its exec, exits)
	if [ "${drops:-0}" -gt 0 ] && [ "$written" -lt "$n" ] && [ $((written + drops)) -ge "$n" ] &&
		[ $((written + drops)) -le $((n + 100)) ]; then
		ok "ring buffer full: $written opens written + $drops counted drops account for all $n"
	else
		fail "ring buffer full: every event written or counted" "written=$written drops=${drops:-none} of $n" \
			"$(grep 'vigil: stats:' "$derr")"
	fi
	# and the loss was in the event stream as it happened, not only in the final stats
	# (jq 1.6's -e judges only the last input: look for any output instead)
	if jq -c 'select(.type == "drops" and .lost > 0 and .since_last.ringbuf_full > 0 and .verdict == "INSECURE")' \
		"$dout" 2>/dev/null | grep -q .; then
		ok "drops: a 'drops' event in the stream says what was lost, when it was"
	else
		fail "drops event in the stream" "$(jq -c 'select(.type == "drops")' "$dout" | head -2)"
	fi
}

family_drops() {
	t_drops_counted
}
