# shellcheck shell=bash
# Family "priv": file changes, privilege and kernel operations, io_uring

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

t_priv_verdicts() {
	verdict "Process attached with ptrace" "$TAG-priv"
	verdict "Namespace changed in a running container" "$TAG-priv"
	verdict "Mount in a running container" "$TAG-priv"
	verdict "bpf() called in container" "$TAG-priv"
	verdict "Set-uid bit set" "$TAG-mutate"
	verdict "Link to a sensitive file" "$TAG-mutate"
	verdict "io_uring set up in container" "$TAG-uring"
}

family_priv() {
	agent_start priv --learn-seconds 3 --profile-dir "$WORK" || { fail "priv: agent starts"; return; }
	t_file_mutations
	t_privilege
	t_io_uring
	t_priv_verdicts
	agent_stop
}
