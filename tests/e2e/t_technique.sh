# shellcheck shell=bash
# Technique by technique (MITRE ATT&CK): each step of an intrusion done in
# a real container raises the rule that names it, and a benign twin doing
# the ordinary thing next to it leaves that rule quiet.

t_memory_read() {
	run "$TAG-m-mem" -- vigil-testbin read-mem
	verdict "Another process's memory read" "$TAG-m-mem" '(.file.path | test("^/proc/[0-9]+/mem$"))'
	run "$TAG-m-vmr" -- vigil-testbin vm-read
	verdict "Another process's memory read" "$TAG-m-vmr" '.syscall == "process_vm_readv"'
	run "$TAG-m-maps" -- sh -c 'cat /proc/1/maps >/dev/null; true'
	verdict "Another process's memory read" "$TAG-m-maps" '.file.path == "/proc/1/maps"'
	run "$TAG-m-self" -- sh -c 'cat /proc/self/maps >/dev/null; vigil-testbin read-own-mem'
	unfired "Another process's memory read" "$TAG-m-self" "technique: a process reading its own maps and mem stays quiet"
}

t_credential_search() {
	run "$TAG-m-cred" -- sh -c '/bin/find / -name id_rsa 2>/dev/null; grep -rl aws_secret_access_key /etc 2>/dev/null; true'
	verdict "Search for credential files" "$TAG-m-cred" '.process.args[0] == "/bin/find"'
	verdict "Search for credential files" "$TAG-m-cred" '.process.args[0] == "grep"'
	run "$TAG-m-credq" -- sh -c '/bin/find /etc -name "*.conf" >/dev/null; grep root /etc/passwd >/dev/null; true'
	unfired "Search for credential files" "$TAG-m-credq" "technique: find and grep for ordinary files stay quiet"
}

t_history_cleared() {
	run "$TAG-m-hist" -- sh -c 'mkdir -p /home/u; echo ls > /home/u/.bash_history; rm /home/u/.bash_history;
		ln -s /dev/null /home/u/.ash_history; echo id > /home/u/.zsh_history; truncate -s 0 /home/u/.zsh_history'
	verdict "Shell history cleared" "$TAG-m-hist" '(.syscall | startswith("unlink")) and .file.path == "/home/u/.bash_history"'
	verdict "Shell history cleared" "$TAG-m-hist" '(.syscall | startswith("symlink")) and .file.path == "/home/u/.ash_history"'
	verdict "Shell history cleared" "$TAG-m-hist" '(.syscall | test("truncate")) and .file.path == "/home/u/.zsh_history"'
	# the shell writing its own history: appended, or rewritten whole
	run "$TAG-m-histq" -- sh -c 'mkdir -p /home/u; echo ls >> /home/u/.bash_history; echo pwd > /home/u/.bash_history;
		cat /home/u/.bash_history >/dev/null'
	unfired "Shell history cleared" "$TAG-m-histq" "technique: a shell appending to or rewriting its history stays quiet"
}

# busybox's shell runs some applets (dd, find, touch, truncate, awk) in a
# fork without an exec; named by path they are exec'd, as coreutils are.
t_data_wiped() {
	run "$TAG-m-wipe" -- sh -c 'echo data > /tmp/f; shred -u /tmp/f; /bin/dd if=/dev/zero of=/dev/zero count=1 2>/dev/null; true'
	verdict "Data wiped" "$TAG-m-wipe" '.process.args[0] == "shred"'
	verdict "Data wiped" "$TAG-m-wipe" '.process.args[0] == "/bin/dd"'
	run "$TAG-m-wipeq" -- sh -c '/bin/dd if=/dev/zero of=/tmp/x count=1 2>/dev/null; /bin/dd if=/dev/zero of=/dev/null count=1 2>/dev/null; rm /tmp/x'
	unfired "Data wiped" "$TAG-m-wipeq" "technique: dd into a file or /dev/null, and rm, stay quiet"
	if [ -b /dev/loop0 ]; then
		# whichever program opens it: here the shell itself, no exec at all
		run "$TAG-m-blk" --device /dev/loop0 -- sh -c 'echo x > /dev/loop0; true'
		verdict "Block device opened for writing" "$TAG-m-blk" '.file.path == "/dev/loop0"'
		run "$TAG-m-blkq" --device /dev/loop0 -- sh -c 'cat /dev/loop0 >/dev/null; echo x > /tmp/x; true'
		unfired "Block device opened for writing" "$TAG-m-blkq" "technique: a block device read, and a file written, stay quiet"
	else
		fail "technique: /dev/loop0 exists for the block device test"
	fi
}

t_timestomp() {
	run "$TAG-m-ts" -- sh -c '/bin/touch -d "2001-01-01 00:00:00" /etc/passwd; /bin/touch -r /bin/busybox /tmp/x; true'
	verdict "File timestamps of system files changed" "$TAG-m-ts" 'any(.process.args[]; . == "/etc/passwd")'
	verdict "File timestamps of system files changed" "$TAG-m-ts" 'any(.process.args[]; . == "/bin/busybox")'
	# a reproducible build setting its outputs' times
	run "$TAG-m-tsq" -- sh -c 'mkdir -p /tmp/build; /bin/touch /tmp/build/a; /bin/touch -d @0 /tmp/build/a; true'
	unfired "File timestamps of system files changed" "$TAG-m-tsq" "technique: touch, and a build's touch -d on its own output, stay quiet"
}

t_system_chmod() {
	run "$TAG-m-chmod" -- sh -c 'chmod 666 /etc/passwd; true'
	verdict "Permissions of a system file changed" "$TAG-m-chmod" '.file.path == "/etc/passwd"'
	run "$TAG-m-chmodq" -- sh -c 'echo x > /tmp/x; chmod 600 /tmp/x; true'
	unfired "Permissions of a system file changed" "$TAG-m-chmodq" "technique: chmod of a file under /tmp stays quiet"
}

# Owners and flags: chown of a system file, chattr +i (overlayfs refuses
# the flag; the attempt is what is reported); chown of a work file and
# lsattr stay quiet.
t_owner_and_flags() {
	run "$TAG-m-own" -- sh -c 'chown 65534 /etc/passwd; /usr/bin/chattr +i /etc/passwd 2>/dev/null; true'
	verdict "Owner of a system file changed" "$TAG-m-own" '.file.path == "/etc/passwd" and .file.uid == 65534'
	verdict "Immutable or append-only flag changed" "$TAG-m-own" '.process.args == ["/usr/bin/chattr", "+i", "/etc/passwd"]'
	run "$TAG-m-ownq" -- sh -c 'echo x > /tmp/w; chown 65534:65534 /tmp/w; /usr/bin/chattr -R -V /tmp/nothing 2>/dev/null; true'
	expect "technique: the chown of a work file was reported" "$TAG-m-ownq" '.type == "chown" and .file.path == "/tmp/w"'
	unfired "Owner of a system file changed" "$TAG-m-ownq" "technique: chown of a work file stays quiet"
	unfired "Immutable or append-only flag changed" "$TAG-m-ownq" "technique: chattr without a flag change stays quiet"
}

# Hidden files where payloads hide, and files cut into pieces for a
# transfer; a lock file, a visible file, and a split by lines stay quiet.
t_hidden_and_split() {
	run "$TAG-m-hid" -- sh -c 'echo x > /tmp/.cache-x; echo x > /bin/.helper; head -c 300000 /dev/zero > /tmp/data;
		/usr/bin/split -b 100k /tmp/data /tmp/part.; true'
	verdict "Hidden file made in a temporary or program directory" "$TAG-m-hid" '.file.path == "/tmp/.cache-x"'
	verdict "Hidden file made in a temporary or program directory" "$TAG-m-hid" '.file.path == "/bin/.helper"'
	verdict "File split into pieces" "$TAG-m-hid" '.process.args == ["/usr/bin/split", "-b", "100k", "/tmp/data", "/tmp/part."]'
	run "$TAG-m-hidq" -- sh -c 'echo x > /tmp/.s.PGSQL.5432.lock; echo x > /tmp/.X0-lock; echo x > /tmp/visible;
		seq 1 500 > /tmp/log; /usr/bin/split -l 100 /tmp/log /tmp/log.; true'
	unfired "Hidden file made in a temporary or program directory" "$TAG-m-hidq" "technique: lock files and visible files stay quiet"
	unfired "File split into pieces" "$TAG-m-hidq" "technique: a log split by lines stays quiet"
}

t_shell_escape() {
	run "$TAG-m-esc" -- sh -c '/bin/find /tmp -maxdepth 0 -exec /bin/sh \; </dev/null; /bin/awk "BEGIN { system(\"exec /bin/sh -i </dev/null\") }"; true'
	verdict "Shell spawned by an interpreter or tool" "$TAG-m-esc" '.process.args == ["/bin/sh"]'
	verdict "Shell spawned by an interpreter or tool" "$TAG-m-esc" '.process.args == ["/bin/sh", "-i"]'
	# scripts: find -exec sh -c, awk's system() of a command
	run "$TAG-m-escq" -- sh -c '/bin/find /tmp -maxdepth 0 -exec sh -c "true" \; ; /bin/awk "BEGIN { system(\"true\") }"; true'
	unfired "Shell spawned by an interpreter or tool" "$TAG-m-escq" "technique: find -exec sh -c and awk's system() of a command stay quiet"
}

t_persistence() {
	run "$TAG-m-pers" -- sh -c 'mkdir -p /etc/cron.d /root/.ssh /home/u;
		echo "* * * * * root sh /tmp/x" > /etc/cron.d/job; echo key >> /root/.ssh/authorized_keys;
		echo "sh /tmp/x &" >> /home/u/.bashrc; echo x > /tmp/unit; mkdir -p /etc/systemd/system;
		mv /tmp/unit /etc/systemd/system/evil.service'
	verdict "Persistence location written" "$TAG-m-pers" '.file.path == "/etc/cron.d/job"'
	verdict "Persistence location written" "$TAG-m-pers" '.file.path == "/root/.ssh/authorized_keys"'
	verdict "Persistence location written" "$TAG-m-pers" '.file.path == "/home/u/.bashrc"'
	verdict "Persistence location written" "$TAG-m-pers" '(.syscall | startswith("rename"))'
	run "$TAG-m-cron" -- sh -c 'mkdir -p /var/spool/cron/crontabs; echo "* * * * * id" | crontab -; true'
	verdict "Crontab installed" "$TAG-m-cron"
	run "$TAG-m-persq" -- sh -c 'cat /etc/crontab /root/.bashrc 2>/dev/null; echo "* * * * * id" > /tmp/crontab.txt;
		crontab -l 2>/dev/null; true'
	unfired "Persistence location written" "$TAG-m-persq" "technique: reading cron and shell start-up files stays quiet"
	unfired "Crontab installed" "$TAG-m-persq" "technique: crontab -l stays quiet"
}

t_hidden_dir() {
	run "$TAG-m-hide" -- sh -c 'mkdir /tmp/.x; mkdir /dev/shm/.cache; true'
	verdict "Hidden directory made in a temporary directory" "$TAG-m-hide" '.file.path == "/tmp/.x"'
	run "$TAG-m-hideq" -- sh -c 'mkdir /tmp/x /tmp/.X11-unix; mkdir -p /tmp/x/.git; true'
	unfired "Hidden directory made in a temporary directory" "$TAG-m-hideq" "technique: ordinary and X11 directories in /tmp stay quiet"
}

t_collection() {
	run "$TAG-m-tar" -- sh -c 'tar czf /tmp/e.tgz /etc 2>/dev/null; true'
	verdict "Sensitive directories archived" "$TAG-m-tar" '.process.args[0] == "tar"'
	run "$TAG-m-tarq" -- sh -c 'mkdir -p /tmp/data; echo x > /tmp/data/f; tar czf /tmp/a.tgz /tmp/data; tar xzf /tmp/a.tgz -C /tmp; true'
	unfired "Sensitive directories archived" "$TAG-m-tarq" "technique: archiving and extracting an app's own data stays quiet"
	run "$TAG-m-hook" -- sh -c 'sh -c "export PROMPT_COMMAND=\"history 1 >> /tmp/.k\"; true"; sh -c "trap \"echo \\\$0 >> /tmp/.k\" DEBUG; true"; true'
	verdict "Shell command hook set" "$TAG-m-hook" '(.process.args[2] // "" | test("PROMPT_COMMAND"))'
	verdict "Shell command hook set" "$TAG-m-hook" '(.process.args[2] // "" | test("DEBUG"))'
	run "$TAG-m-hookq" -- sh -c 'sh -c "trap \"rm -f /tmp/lock\" EXIT; true"; true'
	unfired "Shell command hook set" "$TAG-m-hookq" "technique: a script's EXIT trap stays quiet"
}

# Looking around: one alert for the burst, listing the programs; the same
# programs in separate sessions (one docker exec each), or two of them
# repeated, are ordinary.
t_discovery() {
	local c=$TAG-m-disc q=$TAG-m-discq s=$TAG-m-discs n i
	run "$c" -- sh -c '/bin/id; /bin/uname -a; /bin/ps; /bin/hostname; /bin/netstat -an; /bin/find / -perm -4000 2>/dev/null; true'
	verdict "Discovery commands in one session" "$c" \
		'(.output_fields["burst.items"] | split(" ") | length) >= 4 and (.output_fields["burst.items"] | test("id"))'
	n=$(events "$c" '.verdict == "INSECURE" and (.rules | index("Discovery commands in one session") != null)' | wc -l)
	check "technique: six discovery programs in one session are one alert ($n)" [ "$n" = 1 ]
	run "$q" -- sh -c 'for i in 1 2 3; do /bin/id -u; /bin/hostname; done >/dev/null'
	unfired "Discovery commands in one session" "$q" "technique: two discovery programs, repeated, stay quiet"
	docker run -d --name "$s" --network none "$IMG" sleep 30 >/dev/null
	for i in id uname ps hostname netstat; do docker exec "$s" "/bin/$i" >/dev/null 2>&1; done
	expect "(the separate sessions' programs were reported)" "$s" '.type == "exec" and .process.args[0] == "/bin/netstat"' >/dev/null
	if [ -z "$(events "$s" '.verdict == "INSECURE" and (.rules | index("Discovery commands in one session") != null)')" ]; then
		ok "technique: the same programs in separate sessions stay quiet"
	else
		fail "technique: the same programs in separate sessions stay quiet"
	fi
	docker rm -f "$s" >/dev/null
}

# Hiding in the process list: a kernel thread's name, a data file's
# extension; a program merely called "worker" is ordinary.
t_masquerade() {
	run "$TAG-m-masq" -- sh -c 'mkdir -p /work && cp /bin/busybox /work/kworker && cp /bin/busybox /work/photo.jpg &&
		/work/kworker true; /work/photo.jpg true; true'
	verdict "Program named like a kernel thread or a data file" "$TAG-m-masq" '.exec.exe == "/work/kworker"'
	verdict "Program named like a kernel thread or a data file" "$TAG-m-masq" '.exec.exe == "/work/photo.jpg"'
	run "$TAG-m-masqq" -- sh -c 'mkdir -p /work && cp /bin/busybox /work/worker && /work/worker true; cat /etc/hostname > /tmp/host.txt; true'
	unfired "Program named like a kernel thread or a data file" "$TAG-m-masqq" "technique: a program called worker, and writing a .txt, stay quiet"
	# a copy of bash run as ls; the same copy under its own name, and busybox as anything, are quiet
	run "$TAG-m-ren2" -- sh -c 'mkdir -p /work && cp /bin/bash /work/ls && /work/ls -c true; true'
	verdict "Program run under another program's name" "$TAG-m-ren2" '.exec.exe == "/work/ls"'
	run "$TAG-m-ren2q" -- sh -c 'mkdir -p /work && cp /bin/bash /work/bash && /work/bash -c true;
		cp /bin/busybox /work/tool && /work/tool true; true'
	unfired "Program run under another program's name" "$TAG-m-ren2q" "technique: a copy under its own name, and busybox under any, stay quiet"
	# padding: 2 MiB of zeros after a copy of busybox; the plain copy is quiet
	run "$TAG-m-pad" -- sh -c 'mkdir -p /work && cp /bin/busybox /work/big && head -c 2097152 /dev/zero >>/work/big &&
		/work/big true; true'
	verdict "Program padded past its ELF image" "$TAG-m-pad" '.exec.exe == "/work/big" and .exec.padding == 2097152'
	run "$TAG-m-padq" -- sh -c 'mkdir -p /work && cp /bin/busybox /work/plain && /work/plain true; true'
	unfired "Program padded past its ELF image" "$TAG-m-padq" "technique: an unpadded copy of a program stays quiet"
	# the name taken after the exec, where the exec's rule cannot see it
	run "$TAG-m-ren" -- vigil-testbin rename-self "kworker/0:1"
	verdict "Process renamed like a kernel thread" "$TAG-m-ren" '.rename.to == "kworker/0:1" and .rename.from == "vigil-testbin"'
	run "$TAG-m-renq" -- vigil-testbin rename-self "worker-1"
	expect "technique: a rename to an ordinary name is reported" "$TAG-m-renq" '.type == "rename" and .rename.to == "worker-1"'
	unfired "Process renamed like a kernel thread" "$TAG-m-renq" "technique: a process naming itself worker-1 stays quiet"
}

# File capabilities: setcap's attribute on a copy of a program; an
# ordinary user attribute on a file is quiet.
t_file_caps() {
	run "$TAG-m-fcap" -- sh -c 'cp /bin/busybox /tmp/pinger && vigil-testbin setxattr /tmp/pinger security.capability'
	verdict "File capabilities set" "$TAG-m-fcap" '.file.path == "/tmp/pinger" and .file.xattr == "security.capability"'
	# setxattrat (Linux 6.13), a syscall newer than the libseccomp Vigil is built with;
	# Docker's default seccomp profile does not know it either (ENOSYS), a newer one may
	run "$TAG-m-fcapat" --security-opt seccomp=unconfined -- sh -c 'cp /bin/busybox /tmp/pinger && vigil-testbin setxattr /tmp/pinger security.capability at'
	verdict "File capabilities set" "$TAG-m-fcapat" '.syscall == "setxattrat" and .file.path == "/tmp/pinger"'
	run "$TAG-m-fcapq" -- sh -c 'echo x > /tmp/notes && vigil-testbin setxattr /tmp/notes user.comment'
	expect "technique: the user attribute was reported" "$TAG-m-fcapq" '.syscall == "setxattr" and .file.xattr == "user.comment"'
	unfired "File capabilities set" "$TAG-m-fcapq" "technique: a user.* attribute stays quiet"
}

# Decode and run: base64 piped into a shell, and a decoded file run; the
# same decoder into a file that is only read, and a shell fed by cat, stay
# quiet.  The payload's text is in no command line the shell runs.
t_decode_run() {
	local p
	p=$(printf 'echo decoded-ran; /bin/cat /etc/hostname' | base64 -w0)
	run "$TAG-m-dec" -- sh -c "echo $p | /bin/base64 -d | /bin/sh"
	verdict "Decoded payload run" "$TAG-m-dec" '.exec.stdin_from == "base64 -d" or .exec.stdout_to == "sh"'
	run "$TAG-m-decf" -- sh -c 'mkdir -p /work; /bin/base64 /bin/busybox >/work/enc; /bin/base64 -d /work/enc >/work/tool;
		chmod +x /work/tool; /work/tool true; true'
	verdict "Decoded payload run" "$TAG-m-decf" '.exec.exe == "/work/tool" and .exec.exe_written_by == "base64 -d /work/enc"'
	p=$(printf 'hello' | base64 -w0)
	run "$TAG-m-decq" -- sh -c "echo $p | /bin/base64 -d >/tmp/note; /bin/cat /tmp/note; echo 'echo hi' | /bin/cat | /bin/sh"
	expect "technique: the shell fed by cat was joined to it by its pipe" "$TAG-m-decq" '.type == "exec" and .exec.stdin_from == "cat"'
	unfired "Decoded payload run" "$TAG-m-decq" "technique: a decoded note read, and a shell fed by cat, stay quiet"
}

# Resource hijacking: a program docker exec'd into a running container
# keeps a CPU busy; the same program as a container's entrypoint, and a
# short burst, stay quiet.  Needs the container past its 30 s start-up:
# started first, checked last.
t_cpu_start() {
	docker run -d --name "$TAG-m-cpu" --network none "$IMG" sleep 600 >/dev/null
	docker run -d --name "$TAG-m-cpuq" --network none "$IMG" vigil-testbin burn 16 >/dev/null
}

t_cpu_check() {
	local n
	docker exec "$TAG-m-cpu" vigil-testbin burn 2 >/dev/null
	docker exec "$TAG-m-cpu" vigil-testbin burn 16 >/dev/null
	verdict "Sustained CPU use by a program started later" "$TAG-m-cpu" \
		'.cpu.seconds >= 4 and .cpu.percent >= 90 and .process.args == ["vigil-testbin", "burn", "16"]'
	n=$(events "$TAG-m-cpu" '.type == "cpu_usage"' | wc -l)
	check "technique: one cpu_usage event, for the long burn only ($n)" [ "$n" = 1 ]
	expect "technique: the entrypoint's burn was sampled too" "$TAG-m-cpuq" '.type == "cpu_usage"' 5
	unfired "Sustained CPU use by a program started later" "$TAG-m-cpuq" "technique: a container's own program keeping a CPU busy stays quiet"
	docker rm -f "$TAG-m-cpu" "$TAG-m-cpuq" >/dev/null
}

family_technique() {
	agent_start technique --cpu-sustain 4 || { fail "technique: agent starts"; return; }
	t_cpu_start
	t_memory_read
	t_credential_search
	t_history_cleared
	t_data_wiped
	t_timestomp
	t_system_chmod
	t_owner_and_flags
	t_shell_escape
	t_persistence
	t_hidden_dir
	t_hidden_and_split
	t_collection
	t_discovery
	t_masquerade
	t_file_caps
	t_decode_run
	t_cpu_check
	agent_stop
}
