# shellcheck shell=bash
# Family "net": connects, accepts, binds, container to container, sockets on stdio

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
	local srv=$TAG-srv cli=$TAG-cli
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
t_dup_socket() {
	local c=$TAG-dup
	run "$c" -- vigil-testbin dupsock
	expect "dup2/dup3 of a socket onto stdin/stderr" "$c" \
		'.type == "dup_socket" and .syscall == "dup2" and .newfd == 0 and .net.family == "AF_UNIX"'
	expect "dup3 onto stderr" "$c" '.type == "dup_socket" and .syscall == "dup3" and .newfd == 2'
}

t_net_verdicts() {
	verdict "Connection outside the container networks" "$TAG-connect" '.net.remote.ip == "192.0.2.1"'
}

family_net() {
	agent_start net --learn-seconds 3 --profile-dir "$WORK" || { fail "net: agent starts"; return; }
	t_connect_outside
	t_accept_bind_listen
	t_container_to_container
	t_dup_socket
	t_net_verdicts
	agent_stop
}
