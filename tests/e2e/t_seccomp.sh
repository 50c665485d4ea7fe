# shellcheck shell=bash
# Family "seccomp": profiles recorded, applied with Docker, checked in the kernel; static analysis

t_seccomp_profiles() {
	local rec=$TAG-prof-rec det=$TAG-prof-det w out_rec out_app missing n
	w='cat /etc/passwd >/tmp/x; ls / >/dev/null; echo hi | wc -c'
	out_rec=$(docker run --name "$rec" --network none "$IMG" sh -c "$w" 2>&1)
	expect "(recording container exited)" "$rec" '.type == "container_exit"' >/dev/null
	if "$VIGIL" profile "$rec" --from-events "$OUT" -o "$WORK/prof.json" 2>>"$WORK/profile.log" &&
	   jq -e '.defaultAction == "SCMP_ACT_ERRNO" and .defaultErrnoRet == 1 and
		  (.architectures | index("SCMP_ARCH_X86_64") != null) and
		  (.syscalls[0].names | . == sort and index("execve") != null and index("openat") != null
		   and index("ptrace") == null and index("pivot_root") == null)' "$WORK/prof.json" >/dev/null; then
		ok "profile: recorded from the container's syscalls (runtime set-up left out)"
	else
		fail "profile: recorded from the container's syscalls" "$(cat "$WORK/profile.log")" "$(head -c 400 "$WORK/prof.json")"
	fi
	out_app=$(docker run --rm --network none --security-opt seccomp="$WORK/prof.json" "$IMG" sh -c "$w" 2>&1)
	if [ $? = 0 ] && [ "$out_app" = "$out_rec" ]; then
		ok "profile: the same workload runs under it with docker run --security-opt seccomp"
	else
		fail "profile: the same workload runs under it" "recorded: $out_rec" "under profile: $out_app"
	fi
	out_app=$(docker run --rm --network none --security-opt seccomp="$WORK/prof.json" "$IMG" vigil-testbin priv 2>&1)
	if echo "$out_app" | grep -q "ptrace: -1 Operation not permitted"; then
		ok "profile: a syscall outside it gets EPERM"
	else
		fail "profile: a syscall outside it gets EPERM" "$out_app"
	fi
	# detection without enforcement: the label attaches the profile
	run "$det" --label vigil.profile=prof.json -- vigil-testbin priv
	expect "profile: a syscall outside it is an INSECURE event, decided in the kernel" "$det" \
		'.type == "profile_violation" and .syscall == "ptrace" and .verdict == "INSECURE"
		 and (.output | startswith("Unsafe:[syscall outside profile: ")) and .process.name == "vigil-testbin"'
	n=$(events "$det" '.type == "profile_violation"' | jq -r .syscall | sort | uniq -d | wc -l)
	if [ "$n" = 0 ] && [ -z "$(events "$det" '.type == "profile_violation" and (.syscall == "openat" or .syscall == "execve")')" ]; then
		ok "profile: allowed syscalls raise nothing; each violation is reported once"
	else
		fail "profile: allowed syscalls raise nothing; each violation once" "$(events "$det" '.type == "profile_violation"' | jq -c '[.syscall]' | tr '\n' ' ')"
	fi
	# static analysis of the same image covers what was recorded
	if "$VIGIL" analyze "$IMG" -o "$WORK/static.json" --report "$WORK/report.json" >"$WORK/analyze.log" 2>&1; then
		missing=$(comm -23 <(jq -r '.syscalls[0].names[]' "$WORK/prof.json" | sort) \
				   <(jq -r '.syscalls[0].names[]' "$WORK/static.json" | sort) | tr '\n' ' ')
		if [ -z "$missing" ] && jq -e '.count > 50 and .docker_default_count > .count and .elf_files >= 2
				and (.per_binary["/bin/busybox"].syscalls | index("openat") != null)' "$WORK/report.json" >/dev/null; then
			ok "analyze: the image's static set contains every recorded syscall; fewer than Docker's default"
		else
			fail "analyze: static set contains every recorded syscall" "missing: $missing" "$(head -3 "$WORK/analyze.log")"
		fi
	else
		fail "analyze: runs on the test image" "$(cat "$WORK/analyze.log")"
	fi
	# from the running agent, and merging
	if "$VIGIL" profile "$TAG-early" -o "$WORK/early.json" 2>/dev/null &&
	   jq -e '.syscalls[0].names | index("nanosleep") != null' "$WORK/early.json" >/dev/null &&
	   "$VIGIL" profile --merge "$WORK/prof.json" --merge "$WORK/early.json" -o "$WORK/merged.json" 2>/dev/null &&
	   [ "$(jq '.syscalls[0].names | length' "$WORK/merged.json")" -ge "$(jq '.syscalls[0].names | length' "$WORK/prof.json")" ]; then
		ok "profile: from a running container through the agent; --merge unites"
	else
		fail "profile: from a running container; --merge" "$(ls -la "$WORK"/*.json)"
	fi
}

# is the syscall counter (tp_btf sys_enter) attached?  A kernel fact, from bpftool
counter_attached() {
	bpftool link show 2>/dev/null | grep -q "tp 'sys_enter'"
}

wait_counter() { # yes|no SECONDS
	for _ in $(seq $(($2 * 10))); do
		if counter_attached; then [ "$1" = yes ] && return 0; else [ "$1" = no ] && return 0; fi
		sleep 0.1
	done
	return 1
}

# --syscall-counts auto: the hook every syscall pays for only while a container needs it
t_counts_on_demand() {
	local young=$TAG-counts-young short=$TAG-counts-short
	agent_start counts --learn-seconds 3 || { fail "counts: agent starts"; return; }
	if grep -q 'syscall counts: always on' "$ERR"; then
		ok "counts: 32-bit syscalls run on this kernel, so the counter stays on ($(grep -o 'always on, .*' "$ERR"))"
		counter_attached && ok "counts: ... and it is attached" || fail "counts: ... and it is attached"
		agent_stop
		return
	fi
	check "counts: the probe found no 32-bit syscall ABI here" grep -q 'sys_enter (syscall counts, while needed)' "$ERR"
	# only $TAG-early runs, from before the agent: nothing needs counts
	check "counts: with no young container, no program runs on every syscall" wait_counter no 3
	docker run -d --name "$young" --network none "$IMG" sh -c \
		'sleep 6; i=0; while [ $i -lt 300 ]; do cat /dev/null; i=$((i+1)); done' >/dev/null
	check "counts: a new container brings the counter back at once" wait_counter yes 2
	check "counts: ... and it goes once the container is past --learn-seconds" wait_counter no 6
	docker run --name "$short" --network none "$IMG" sh -c 'cat /etc/hostname >/dev/null' >/dev/null
	expect "counts: a container that lived inside its window has every syscall counted" "$short" \
		'.type == "container_exit" and .syscalls_complete == true and .syscalls_total > 0 and .syscalls.execve > 0'
	docker wait "$young" >/dev/null
	expect "counts: one that outlived it says its counts are partial (the 300 cats after it: not counted)" "$young" \
		'.type == "container_exit" and .syscalls_complete == false and .syscalls_total > 0 and (.syscalls.execve // 0) < 300'
	agent_stop
	agent_start counts-always --syscall-counts always || { fail "counts: always: agent starts"; return; }
	check "counts: --syscall-counts always keeps it attached" wait_counter yes 2
	agent_stop
}

family_seccomp() {
	docker run -d --name "$TAG-early" --network none "$IMG" sleep 600 >/dev/null 2>&1
	agent_start seccomp --learn-seconds 3 --profile-dir "$WORK" || { fail "seccomp: agent starts"; return; }
	t_seccomp_profiles
	agent_stop
	t_counts_on_demand
}
