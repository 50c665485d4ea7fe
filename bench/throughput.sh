#!/bin/bash
# Event throughput: a container generates opens, then execs, then two
# containers open at once, as fast as they can while `vigil run` writes every
# event to a file.  Reports events/s produced by the kernel side, events
# written by the agent, drops, and the agent's CPU and peak RSS; then the
# agent's own drain rate.  Root; uses the e2e test image.
#
#   METRICS=1 bench/throughput.sh   the agent also serves --metrics, and a
#                                   scraper fetches /metrics every second
#   AGENT_ARGS='...'                more `vigil run` options
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VIGIL=$ROOT/build/vigil
IMG=vigil-test:latest
WORK=$(mktemp -d /tmp/vigil-tput.XXXXXX)
OPENS=${OPENS:-2000000}
EXECS=${EXECS:-3000}
trap 'kill $vpid $spid 2>/dev/null; wait $vpid 2>/dev/null; rm -rf "$WORK"' EXIT
spid=
extra=()
# shellcheck disable=SC2206
[ -n "${AGENT_ARGS:-}" ] && extra=($AGENT_ARGS)
[ "${METRICS:-0}" = 1 ] && extra+=(--metrics 127.0.0.1:29464)

"$ROOT/scripts/dockerd.sh" >/dev/null || exit 1
"$ROOT/tests/e2e/image.sh" "$ROOT/build/helpers/vigil-testbin" >/dev/null || exit 1

# every open reported (no aggregation): this measures raw event throughput
"$VIGIL" run --output json --events all --output-file "$WORK/events.json" --summary-interval 0 --dedup-window 0 \
	"${extra[@]}" >/dev/null 2>"$WORK/err" &
vpid=$!
until grep -q watching "$WORK/err" 2>/dev/null; do sleep 0.1; done
if [ "${METRICS:-0}" = 1 ]; then
	# what Prometheus would do, at a 1 s scrape interval
	while sleep 1; do curl -s --max-time 2 http://127.0.0.1:29464/metrics >/dev/null; done &
	spid=$!
fi

kstat() { "$VIGIL" stats --json | jq -r ".kernel.$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$vpid/stat"; }
hz=$(getconf CLK_TCK)

phase() {
	local name=$1; shift
	local e0 d0 c0 l0 t0 t1 e1 d1 c1 l1 secs
	sleep 1
	e0=$(kstat events); d0=$(kstat ringbuf_full); c0=$(cpu_ticks); l0=$(wc -l <"$WORK/events.json")
	t0=$(date +%s.%N)
	# PAR containers at once: more events/s than one generator makes
	local i gens=()
	for i in $(seq 1 "${PAR:-1}"); do
		docker run --rm --network none "$IMG" "$@" >"$WORK/$name.$i.out" &
		gens+=($!)
	done
	wait "${gens[@]}"
	t1=$(date +%s.%N)
	cat "$WORK/$name".*.out | tr '\n' ' ' >"$WORK/$name.out"
	sleep 2	# let the agent drain
	e1=$(kstat events); d1=$(kstat ringbuf_full); c1=$(cpu_ticks); l1=$(wc -l <"$WORK/events.json")
	secs=$(echo "$t1 - $t0" | bc -l)
	printf '%-6s workload %-34s %6.2f s  kernel events %8d (%8.0f/s)  written %8d  drops %d  agent CPU %5.1f%% of one core\n' \
		"$name" "$(cat "$WORK/$name.out")" "$secs" $((e1 - e0)) "$(echo "($e1 - $e0) / $secs" | bc -l)" \
		$((l1 - l0)) $((d1 - d0)) "$(echo "100 * ($c1 - $c0) / $hz / $secs" | bc -l)"
}

echo "vigil throughput benchmark ($(nproc) cores, $(uname -r))${extra[*]:+, agent options: ${extra[*]}}"
phase opens vigil-testbin loop openclose "$OPENS"
phase execs vigil-testbin loop exec "$EXECS"
# two generators on this 2-core machine: past what the agent drains, drops
# must show up in the count, never vanish
PAR=2 phase opens2 vigil-testbin loop openclose "$OPENS"
kill -TERM "$vpid"
wait "$vpid"
vpid=
grep "vigil: stats:" "$WORK/err"
echo "agent peak RSS: $(grep -o 'max_rss_kb=[0-9]*' "$WORK/err" | cut -d= -f2) kB"

# The agent's own rate, without a generator competing for the CPUs: with the
# agent stopped, a container fills a 256 MiB ring buffer (DRAIN events),
# then the agent is let go and timed until it has written them all.
DRAIN=${DRAIN:-500000}
"$VIGIL" run --output json --events all --output-file "$WORK/drain.json" --summary-interval 0 --dedup-window 0 \
	--ringbuf-mb 256 >/dev/null 2>"$WORK/drain.err" &
vpid=$!
until grep -q watching "$WORK/drain.err" 2>/dev/null; do sleep 0.1; done
kill -STOP "$vpid"
docker run --rm --network none "$IMG" vigil-testbin loop openclose "$DRAIN" >/dev/null
c0=$(cpu_ticks)
t0=$(date +%s.%N)
kill -CONT "$vpid"
# (a lost event would leave it short: give up after 120 s and say so)
deadline=$(($(date +%s) + 120))
until [ "$(wc -l <"$WORK/drain.json")" -ge "$DRAIN" ]; do
	[ "$(date +%s)" -lt "$deadline" ] || { echo "drain: only $(wc -l <"$WORK/drain.json") of $DRAIN written"; break; }
	sleep 0.02
done
t1=$(date +%s.%N)
c1=$(cpu_ticks)
kill -TERM "$vpid"
wait "$vpid"
vpid=
secs=$(echo "$t1 - $t0" | bc -l)
printf 'drain  %d queued events written in %.2f s: %.0f events/s, agent CPU %.0f%% of one core; %s\n' \
	"$DRAIN" "$secs" "$(echo "$DRAIN / $secs" | bc -l)" "$(echo "100 * ($c1 - $c0) / $hz / $secs" | bc -l)" \
	"$(grep -o 'ringbuf_full=[0-9]*' "$WORK/drain.err")"
