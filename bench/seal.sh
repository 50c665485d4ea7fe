#!/bin/bash
# What sealing the log files costs the agent: the same queued events drained
# into --log-dir sealed (chain hash per line, signed checkpoints) and
# --log-plain, side by side, configurations alternating per round.  Reports
# the agent's CPU per event in each and the share of the sealed agent's CPU
# that sealing takes.  Root; uses the e2e test image.
#
#   DRAIN=N     events queued per run (default 400000)
#   ROUNDS=N    rounds (default 5)
#   AGENT_ARGS  more `vigil run` options for both
#   VIGIL       the agent binary (default build/vigil)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VIGIL=${VIGIL:-$ROOT/build/vigil}
IMG=vigil-test:latest
# in memory: writeback of a disk file lands in the agent's system time at random
WORK=$(mktemp -d /dev/shm/vigil-seal.XXXXXX)
DRAIN=${DRAIN:-400000}
ROUNDS=${ROUNDS:-5}
vpid=
trap 'kill $vpid 2>/dev/null; wait $vpid 2>/dev/null; rm -rf "$WORK"' EXIT
extra=()
# shellcheck disable=SC2206
[ -n "${AGENT_ARGS:-}" ] && extra=($AGENT_ARGS)

"$ROOT/scripts/dockerd.sh" >/dev/null || exit 1
"$ROOT/tests/e2e/image.sh" "$ROOT/build/helpers/vigil-testbin" >/dev/null || exit 1
hz=$(getconf CLK_TCK)

# one run: prints "<cpu ns per event> <user ns> <system ns> <bytes per event line> <seal share %>"
# (the share: the agent's own count of time in sealing over its CPU time in the drain, same run)
drain() {
	local mode=$1 dir=$WORK/logs-$1 u0 s0 u1 s1 deadline
	rm -rf "$dir"
	local args=(--log-dir "$dir" --log-key "$WORK/key" --log-max-size 1G)
	[ "$mode" = plain ] && args+=(--log-plain)
	"$VIGIL" run --output json --events all --summary-interval 0 --dedup-window 0 --ringbuf-mb 256 \
		"${args[@]}" "${extra[@]}" >/dev/null 2>"$WORK/err" &
	vpid=$!
	until grep -q watching "$WORK/err" 2>/dev/null; do sleep 0.1; done
	kill -STOP "$vpid"
	docker run --rm --network none "$IMG" vigil-testbin loop openclose "$DRAIN" >/dev/null
	read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$vpid/stat")
	kill -CONT "$vpid"
	deadline=$(($(date +%s) + 120))
	until [ "$(cat "$dir"/file*.json 2>/dev/null | wc -l)" -ge "$DRAIN" ]; do
		[ "$(date +%s)" -lt "$deadline" ] || { echo "seal: $mode run wrote too few lines" >&2; break; }
		sleep 0.05
	done
	read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$vpid/stat")
	kill -TERM "$vpid"
	wait "$vpid"
	vpid=
	local share=0 seal_s
	seal_s=$(grep -o 'seal_s=[0-9.]*' "$WORK/err" | cut -d= -f2)
	# over the CPU of the drain, not of the start-up (loading programs, reading /proc)
	[ -n "$seal_s" ] && share=$(echo "100 * $seal_s * $hz / ($u1 - $u0 + $s1 - $s0)" | bc -l)
	echo "$(( (u1 - u0 + s1 - s0) * 1000000000 / hz / DRAIN )) $(( (u1 - u0) * 1000000000 / hz / DRAIN ))" \
		"$(( (s1 - s0) * 1000000000 / hz / DRAIN )) $(( $(cat "$dir"/file*.json | wc -c) / $(cat "$dir"/file*.json | wc -l) ))" \
		"${share:-0}"
}

echo "vigil sealing benchmark ($(nproc) cores, $(uname -r)): $DRAIN queued opens drained into --log-dir, $ROUNDS rounds"
plain=() sealed=() plain_u=() sealed_u=() shares=()
for r in $(seq 1 "$ROUNDS"); do
	order="plain sealed"
	[ $((r % 2)) = 0 ] && order="sealed plain"
	for m in $order; do
		read -r ns uns sns bytes share < <(drain "$m")
		printf 'round %d  %-6s  %5d ns of agent CPU per event (user %5d, system %5d)  %5d bytes per line' \
			"$r" "$m" "$ns" "$uns" "$sns" "$bytes"
		[ "$m" = sealed ] && printf '  sealing %.1f%% of its CPU (its own count)' "$share"
		echo
		[ "$m" = sealed ] && shares+=("$share")
		if [ "$m" = plain ]; then plain+=("$ns") plain_u+=("$uns"); else sealed+=("$ns") sealed_u+=("$uns"); fi
	done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
p=$(median "${plain[@]}")
s=$(median "${sealed[@]}")
pu=$(median "${plain_u[@]}")
su=$(median "${sealed_u[@]}")
printf 'median: plain %d ns, sealed %d ns per event; sealing is %.1f%% of the sealed agent'"'"'s CPU (target <= 5%%)\n' \
	"$p" "$s" "$(echo "100 * ($s - $p) / $s" | bc -l)"
printf 'median user time: plain %d ns, sealed %d ns per event (+%d ns)\n' "$pu" "$su" $((su - pu))
printf 'median of the sealed agent'"'"'s own count: sealing %.1f%% of its CPU (target <= 5%%)\n' "$(median "${shares[@]}")"
