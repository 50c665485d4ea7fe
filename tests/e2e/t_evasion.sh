# shellcheck shell=bash
# Family "evasion": an attacker in a container tries to act unseen.  Each
# test performs the evasion in a real container and asserts the alert.
# The dead address 172.31.250.99 is on the internal test network: nothing
# answers its ARP, so a connect to it blocks about 3 s, then fails.

DEAD=172.31.250.99

# Names a process sets itself are not identity.
t_ev_identity() {
	local c=$TAG-ev-runc c2=$TAG-ev-bash
	# a parent named runc and a child named runc:[2:INIT] used to switch rules off
	run "$c" -- vigil-testbin masquerade runc 'runc:[2:INIT]' /etc/shadow
	verdict "Sensitive file read" "$c" '.process.name == "runc:[2:INIT]" and (.process.runtime | not)'
	# bash copied to /tmp/ls is still bash: its bytes match the image's /bin/bash
	# (the entrypoint shell is pid 1; the copy is run by a program that is not a shell)
	run "$c2" -- sh -c 'cp /bin/bash /tmp/ls && vigil-testbin spawn-as httpd /tmp/ls -c "id >/dev/null"'
	verdict "Shell spawned in a running container" "$c2" \
		'.process.name == "ls" and .process.exe == "/tmp/ls" and .process.exe_name == "bash"
		 and .process.exe_origin == "/bin/bash"'
}

# "In setup" ends at the container's first exec, from whatever mount.
t_ev_setup_ends() {
	local c=$TAG-ev-vol
	mkdir -p "$WORK/volbin"
	cp "$HELPER" "$WORK/volbin/prog"
	run "$c" -v "$WORK/volbin:/vol:ro" -- /vol/prog openat /etc shadow
	verdict "Sensitive file read" "$c" '.file.path == "/etc/shadow" and (.process.runtime_setup | not)'
}

# Nothing read from the caller's memory after the syscall; attempts reported as they start.
t_ev_connect_race() {
	local c=$TAG-ev-race seen
	docker run -d --name "$c" --network "$NET" "$IMG" vigil-testbin connect-race "$DEAD" 443 127.0.0.1 >/dev/null
	# the connect is still blocked: its attempt is already an event
	sleep 1.5
	seen=$(events "$c" ".type == \"connect\" and .in_progress == true and .net.remote.ip == \"$DEAD\"" | head -1)
	if [ -n "$seen" ] && [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ]; then
		ok "connect: the attempt is reported while the connect still blocks"
	else
		fail "connect: attempt reported when it starts" "running=$(docker inspect -f '{{.State.Running}}' "$c")" \
			"$(events "$c" '.type == "connect"' | head -3)"
	fi
	docker wait "$c" >/dev/null
	expect "connect: a second thread rewriting the sockaddr does not change what is reported" "$c" \
		".type == \"connect\" and .net.remote.ip == \"$DEAD\" and .net.remote.port == 443 and .result < 0"
	if [ -z "$(events "$c" '.type == "connect" and .net.remote.ip == "127.0.0.1"')" ]; then
		ok "connect: the decoy address appears nowhere"
	else
		fail "connect: decoy address reported" "$(events "$c" '.type == "connect"' | head -3)"
	fi
	local fo=$TAG-ev-tfo
	run "$fo" -- vigil-testbin fastopen 192.0.2.1 443
	verdict "Connection outside the container networks" "$fo" '.net.remote.ip == "192.0.2.1" and .net.remote.port == 443'
}

# Second paths and other ways in.
t_ev_other_ways() {
	run "$TAG-ev-stdio" -- vigil-testbin socket-stdin /bin/sh -c 'exit 0'
	verdict "Program started with a socket as its standard input or output" "$TAG-ev-stdio" \
		'.exec.stdio_sockets == [0] and .process.exe_name == "sh"'
	run "$TAG-ev-preload" -- sh -c 'echo x > /tmp/p && mv /tmp/p /etc/ld.so.preload'
	verdict "Dynamic linker preload set" "$TAG-ev-preload" '.type == "rename" and .file.new_path == "/etc/ld.so.preload"'
	run "$TAG-ev-link" -- ln /proc/self/root/etc/shadow /tmp/h
	verdict "Link to a sensitive file" "$TAG-ev-link" '.file.target == "/etc/shadow" and .file.path == "/tmp/h"'
	run "$TAG-ev-rlink" -w /etc -- ln shadow /tmp/h2
	verdict "Link to a sensitive file" "$TAG-ev-rlink" '.file.target == "/etc/shadow" and .file.path == "/tmp/h2"'
	run "$TAG-ev-sock" -v /var/run/docker.sock:/var/run/docker.sock -w /var/run -- vigil-testbin connect-unix docker.sock
	verdict "Container runtime socket contacted" "$TAG-ev-sock" '.result == 0'
	run "$TAG-ev-ssym" -v /var/run/docker.sock:/var/run/docker.sock -- \
		sh -c 'ln -s /var/run/docker.sock /tmp/s && vigil-testbin connect-unix /tmp/s'
	verdict "Container runtime socket contacted" "$TAG-ev-ssym" '.result == 0'
	run "$TAG-ev-userns" --security-opt seccomp=unconfined -- vigil-testbin clone-userns
	verdict "Namespace made by a fork" "$TAG-ev-userns" '.type == "fork" and (.new_namespaces | contains("CLONE_NEWUSER"))'
	run "$TAG-ev-fsopen" -- vigil-testbin fsopen tmpfs
	verdict "Mount in a running container" "$TAG-ev-fsopen" '.syscall == "fsopen"'
	run "$TAG-ev-vmw" -- vigil-testbin vm-write
	verdict "Another process's memory written" "$TAG-ev-vmw" '.syscall == "process_vm_writev"'
	run "$TAG-ev-mem" -- vigil-testbin write-mem
	verdict "Another process's memory written" "$TAG-ev-mem" '(.file.path | test("^/proc/[0-9]+/mem$"))'
	run "$TAG-ev-chroot" -- chroot / true
	verdict "Root changed in a running container" "$TAG-ev-chroot" '.syscall == "chroot"'
	run "$TAG-ev-mknod" -- mknod /tmp/null c 1 3
	verdict "Device node made in a container" "$TAG-ev-mknod"
}

# Aggregation must not hide a change of intent: an O_TRUNC open after a plain one.
t_ev_aggregation() {
	local c=$TAG-ev-trunc
	run "$c" -- sh -c 'mkdir -p /var/log && vigil-testbin open-twice /var/log/app.log'
	verdict "Log files truncated" "$c" '(.file.flags | index("O_TRUNC") != null)'
}

# io_uring ops that post no completion, and opens into fixed-file slots.
t_ev_uring() {
	run "$TAG-ev-uskip" -- sh -c 'touch /tmp/u && vigil-testbin uring-unlink-skip /tmp/u'
	expect "io_uring: an unlink whose success posts no completion is seen at submission" "$TAG-ev-uskip" \
		'.type == "io_uring" and .io_uring.op == "unlinkat" and .io_uring.completed == false and .file.path == "/tmp/u"'
	run "$TAG-ev-ufix" -- vigil-testbin uring-open-fixed /etc/shadow
	verdict "Sensitive file read" "$TAG-ev-ufix" \
		'.type == "io_uring" and .io_uring.fixed_file_slot == 0 and .file.path == "/etc/shadow"'
	run "$TAG-ev-uren" -- sh -c 'echo x > /tmp/p && vigil-testbin uring-rename /tmp/p /etc/ld.so.preload'
	verdict "Dynamic linker preload set" "$TAG-ev-uren" '.type == "io_uring" and .io_uring.op == "renameat"'
}

# A path rewritten by another thread while the syscall runs is caught.
t_ev_arg_race() {
	local c=$TAG-ev-argrace
	run "$c" -- vigil-testbin path-race 20000
	verdict "Syscall argument changed while it ran" "$c" '.args_changed == true and .syscall == "mkdir"'
}

family_evasion() {
	agent_start evasion --learn-seconds 3 --profile-dir "$WORK" --dedup-window 5000 ||
		{ fail "evasion: agent starts"; return; }
	t_ev_identity
	t_ev_setup_ends
	t_ev_connect_race
	t_ev_other_ways
	t_ev_aggregation
	t_ev_uring
	t_ev_arg_race
	agent_stop
}
