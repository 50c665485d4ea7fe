#!/bin/sh
# Makes sure a Docker engine answers; starts dockerd if none does.
# No bridge and no iptables: test containers use --network none or networks
# created --internal, so nothing they send leaves this machine.
set -eu

docker info >/dev/null 2>&1 && exit 0
if ! command -v dockerd >/dev/null; then
	echo "dockerd.sh: dockerd is not installed (scripts/deps.sh installs docker.io)" >&2
	exit 1
fi
log=/var/log/vigil-dockerd.log
nohup dockerd --iptables=false --ip-forward=false --bridge=none >"$log" 2>&1 &
i=0
until docker info >/dev/null 2>&1; do
	i=$((i + 1))
	if [ "$i" -gt 60 ]; then
		echo "dockerd.sh: dockerd did not start; see $log" >&2
		tail -20 "$log" >&2
		exit 1
	fi
	sleep 0.5
done
echo "dockerd.sh: dockerd started (log: $log)"
