#!/bin/bash
# Vigil overhead benchmark.
#
# Each workload runs with and without `vigil run` (every monitor on, events
# to a file), in alternating rounds within one run; the table shows the
# median ratio.  Workloads run inside a container (what Vigil watches) and,
# for the micro-benchmarks, on the host too.  Container tools (nginx, wrk,
# gcc, make, fio) come from the host's /usr, bind-mounted read-only into a
# minimal image, so nothing is downloaded.
#
# Configurations per round (CONFIGS): without Vigil, `vigil run` on its
# defaults (alerts, syscall counts while needed), and `vigil run --events all
# --syscall-counts always` (every event judged and written, every syscall
# counted: the full log).
# Then a pass with the kernel's bpf_stats for each program's cost, and the
# agent's RSS with 50 containers.
#
# Environment: ROUNDS (default 3), QUICK=1 for shorter workloads, ONLY=REGEX
# for the workloads whose name matches, LOOP_REPS (default 3) runs of each
# loop per measurement, CONFIGS (below).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VIGIL=$ROOT/build/vigil
HELPER=$ROOT/build/helpers/vigil-testbin
IMG=vigil-bench:latest
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d /tmp/vigil-bench.XXXXXX)
RESULTS=$ROOT/bench/results
vpid=
bctr=

cleanup() {
	stop_vigil
	[ -n "$bctr" ] && docker rm -f "$bctr" >/dev/null 2>&1
	sysctl -qw kernel.bpf_stats_enabled=0 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

need() {
	local missing=""
	for p in nginx-light wrk fio gcc make bc jq; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "bench: installing$missing"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
	fi
}

build_image() {
	local r=$WORK/rootfs
	mkdir -p "$r"/{bin,etc,tmp,proc,sys,dev,data,run,var/log/nginx,var/lib/nginx}
	chmod 1777 "$r/tmp"
	cp /bin/busybox "$r/bin/"
	for a in sh cat ls mkdir rm seq true sleep printf; do ln -s busybox "$r/bin/$a"; done
	cp "$HELPER" "$r/bin/vigil-testbin"
	# the host's /usr is mounted at run time; merged-/usr links
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	ln -s usr/sbin "$r/sbin"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'www-data:x:33:33::/:/bin/false' >>"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
	echo 'www-data:x:33:' >>"$r/etc/group"
	cat >"$r/etc/nginx.conf" <<'EOF'
user www-data;
worker_processes 1;
daemon on;
pid /tmp/nginx.pid;
error_log /tmp/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log /tmp/access.log;
	client_body_temp_path /tmp/cb; proxy_temp_path /tmp/px; fastcgi_temp_path /tmp/fc;
	uwsgi_temp_path /tmp/uw; scgi_temp_path /tmp/sc;
	server { listen 127.0.0.1:8080; root /data/www; }
}
EOF
	tar -C "$r" -c . | docker import - "$IMG" >/dev/null
}

# A long-lived container the in-container workloads exec into: its start-up
# cost stays out of the measurements.
start_bench_container() {
	mkdir -p "$WORK/data/www" "$WORK/data/src"
	head -c 4096 /dev/urandom | base64 >"$WORK/data/www/index.html"
	for i in $(seq 1 ${NFILES:-60}); do
		cat >"$WORK/data/src/f$i.c" <<EOF
#include <stdio.h>
#include <string.h>
static int table_${i}[256];
int fn_$i(const char *s) { int h = $i; for (size_t k = 0; k < strlen(s); k++) h = h * 31 + s[k] + table_${i}[k & 255]; return h; }
EOF
	done
	printf 'SRCS := $(wildcard *.c)\nall: $(SRCS:.c=.o)\n%%.o: %%.c\n\tgcc -O2 -c $< -o $@\nclean:\n\trm -f *.o\n' \
		>"$WORK/data/src/Makefile"
	bctr=vigil-bench-$$
	docker run -d --name "$bctr" --network none -v /usr:/usr:ro -v "$WORK/data:/data" "$IMG" \
		sleep 100000 >/dev/null || exit 1
	docker exec "$bctr" nginx -c /etc/nginx.conf || exit 1
}

start_vigil() { # [@BINARY] extra vigil options
	local bin=$VIGIL
	case ${1:-} in @*) bin=${1#@}; shift ;; esac
	"$bin" run --output json --output-file "$WORK/events.json" "$@" >/dev/null 2>"$WORK/vigil.err" &
	vpid=$!
	until grep -q watching "$WORK/vigil.err" 2>/dev/null; do
		kill -0 "$vpid" 2>/dev/null || { cat "$WORK/vigil.err"; exit 1; }
		sleep 0.1
	done
}

stop_vigil() {
	[ -z "$vpid" ] && return
	kill -TERM "$vpid" 2>/dev/null
	wait "$vpid" 2>/dev/null
	vpid=
}

N_SYSCALL=${QUICK:+200000}; N_SYSCALL=${N_SYSCALL:-2000000}
N_OPEN=${QUICK:+50000}; N_OPEN=${N_OPEN:-400000}
N_FORK=${QUICK:+500}; N_FORK=${N_FORK:-4000}
N_EXEC=${QUICK:+200}; N_EXEC=${N_EXEC:-1200}
N_THREAD=${QUICK:+2000}; N_THREAD=${N_THREAD:-20000}
N_FILE=${QUICK:+5000}; N_FILE=${N_FILE:-40000}
N_MALLOC=${QUICK:+1000000}; N_MALLOC=${N_MALLOC:-10000000}
DUR=${QUICK:+2}; DUR=${DUR:-5}

# A loop's ns/op: the fastest of LOOP_REPS runs.  Interference (another
# tenant of the host, a kernel thread) only ever slows a run down, so the
# minimum is the loop's own cost; a median of single runs varied by tens of
# percent here.
LOOP_REPS=${LOOP_REPS:-3}
loop_ns() { # where kind count
	local i
	for i in $(seq 1 "$LOOP_REPS"); do
		if [ "$1" = ctr ]; then
			docker exec "$bctr" vigil-testbin loop "$2" "$3"
		else
			"$HELPER" loop "$2" "$3"
		fi
	done | awk '{v = $(NF-1)} NR == 1 || v < m {m = v} END {print m}'
}

w_null_syscall() { loop_ns "$1" syscall "$N_SYSCALL"; }
w_open_close() { loop_ns "$1" openclose "$N_OPEN"; }
w_process_create() { loop_ns "$1" fork "$N_FORK"; }
w_program_launch() { loop_ns "$1" exec "$N_EXEC"; }
w_thread_create() { loop_ns "$1" thread "$N_THREAD"; }
w_file_create() { loop_ns "$1" file "$N_FILE"; }
w_malloc() { loop_ns "$1" malloc "$N_MALLOC"; }
w_web() {
	docker exec "$bctr" wrk -t1 -c32 -d"${DUR}s" http://127.0.0.1:8080/index.html |
		awk '/Requests\/sec/ {print $2}'
}
w_build() {
	docker exec "$bctr" sh -c 'cd /data/src && make -s clean && s=$(date +%s%N) && make -s -j2 && e=$(date +%s%N) && echo $(((e - s) / 1000000))'
}
w_fio() { # randread|randwrite
	docker exec "$bctr" fio --name=b --filename=/data/fio.dat --size=128M --rw="$1" --bs=4k \
		--direct=1 --ioengine=psync --runtime="$DUR" --time_based --output-format=json 2>/dev/null |
		jq -r "if \"$1\" == \"randread\" then .jobs[0].read.iops else .jobs[0].write.iops end" |
		cut -d. -f1
}
w_random_read() { w_fio randread; }
w_random_write() { w_fio randwrite; }

# name | function arg | unit | higher is better | paper's figure | budget
# (the budget holds for the first configuration after off, Vigil's defaults:
# a percentage of the ratio to off, or ns added per operation)
WORKLOADS=(
	"web serving (nginx, wrk)|w_web ctr|req/s|1|-11.25%|3%"
	"build (make -j2, 60 C files)|w_build ctr|ms|0|+2.55%|2%"
	"file create (ctr)|w_file_create ctr|ns/op|0|+10.9%|5%"
	"thread create (ctr)|w_thread_create ctr|ns/op|0|+11.5%|2%"
	"process create (ctr)|w_process_create ctr|ns/op|0|+9.0%|2%"
	"program launch (ctr)|w_program_launch ctr|ns/op|0|+15.45%|2%"
	"malloc (ctr)|w_malloc ctr|ns/op|0|+2.1%|2%"
	"4k random read (fio, ctr)|w_random_read ctr|IOPS|1|-1.6%|2%"
	"4k random write (fio, ctr)|w_random_write ctr|IOPS|1|-7.0%|2%"
	"null syscall (ctr)|w_null_syscall ctr|ns/op|0|-|30ns"
	"open+close (ctr)|w_open_close ctr|ns/op|0|-|-"
	"null syscall (host)|w_null_syscall host|ns/op|0|-|10ns"
	"open+close (host)|w_open_close host|ns/op|0|-|-"
	"process create (host)|w_process_create host|ns/op|0|-|-"
	"program launch (host)|w_program_launch host|ns/op|0|-|-"
	"file create (host)|w_file_create host|ns/op|0|-|-"
)

# ONLY=REGEX keeps the workloads whose name matches (e.g. ONLY='web|null')
if [ -n "${ONLY:-}" ]; then
	kept=()
	for w in "${WORKLOADS[@]}"; do [[ "${w%%|*}" =~ $ONLY ]] && kept+=("$w"); done
	WORKLOADS=("${kept[@]}")
fi

# The configurations compared, "name|vigil run options"; "off" runs no agent
# and is what the others are measured against.  CONFIGS replaces the list,
# e.g. CONFIGS='off|;vigil|;alerts|--alerts-only'.  Options starting with
# @PATH run that vigil binary instead (to compare two builds in one run).
CONFIGS=${CONFIGS:-"off|;vigil|;all|--events all --syscall-counts always"}
IFS=';' read -r -a CFG <<<"$CONFIGS"
[ "${CFG[0]%%|*}" = off ] || { echo "bench: CONFIGS must start with 'off|'"; exit 1; }

declare -A RES
measure_all() { # config index
	local i name fn
	for i in "${!WORKLOADS[@]}"; do
		IFS='|' read -r name fn _ _ _ <<<"${WORKLOADS[$i]}"
		v=$($fn)
		RES[$1,$i]="${RES[$1,$i]:-} $v"
	done
}

run_config() { # config index
	local opts=${CFG[$1]#*|}
	if [ "$1" = 0 ]; then
		measure_all 0
		return
	fi
	# shellcheck disable=SC2086
	start_vigil $opts
	measure_all "$1"
	stop_vigil
	STATS[$1]=$(grep "vigil: stats:" "$WORK/vigil.err")
}

# Per round, the overhead of config c against "off" measured in that round;
# the table shows the median and the range over the rounds.
overhead() { # without with higher-is-better
	if [ "$3" = 1 ]; then
		echo "($1 / $2 - 1) * 100" | bc -l	# throughput lost
	else
		echo "($2 / $1 - 1) * 100" | bc -l	# time added
	fi
}

sorted() { tr ' ' '\n' | grep -v '^$' | sort -g; }	# a space-separated list, one per line
median() { sorted | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
range() { sorted | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%+.1f..%+.1f", lo, hi}'; }

paired_overheads() { # config index, workload index, higher
	local -a off on
	local r
	read -r -a off <<<"${RES[0,$2]}"
	read -r -a on <<<"${RES[$1,$2]}"
	for r in "${!off[@]}"; do
		[ -n "${on[$r]:-}" ] && [ -n "${off[$r]}" ] && overhead "${off[$r]}" "${on[$r]}" "$3"
	done | tr '\n' ' '
}

bpf_cost() {
	bpftool prog show -j 2>/dev/null | jq -r '.[] | select(.name | startswith("vigil_")) |
		select(.run_cnt != null and .run_cnt > 0) |
		"\(.name) \(.run_cnt) \(.run_time_ns)"' |
		awk '{printf "  %-24s %12d runs %8.1f ns/run\n", $1, $2, $3 / $2}'
}

[ "$(id -u)" = 0 ] || { echo "bench: needs root"; exit 1; }
need
"$ROOT/scripts/dockerd.sh" >/dev/null || exit 1
build_image
start_bench_container
echo "vigil overhead benchmark: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r), $ROUNDS rounds"
echo "warming up..."
measure_all warmup >/dev/null

declare -A STATS
for r in $(seq 1 "$ROUNDS"); do
	# rotate the order so drift does not favour one configuration
	order=()
	for k in "${!CFG[@]}"; do order+=($(((k + r - 1) % ${#CFG[@]}))); done
	for c in "${order[@]}"; do
		echo "round $r/$ROUNDS: ${CFG[$c]%%|*}"
		run_config "$c"
	done
done

# Kernel cost per program, in a pass of its own: bpf_stats times every run,
# which would slow the measured rounds.
echo "BPF program cost (bpf_stats, unmeasured pass)..."
start_vigil ${CFG[1]#*|}
sysctl -qw kernel.bpf_stats_enabled=1
measure_all stats >/dev/null
BPF_COST=$(bpf_cost)
sysctl -qw kernel.bpf_stats_enabled=0
stop_vigil

# Agent memory with 50 containers, each doing a little (not with ONLY).
rss_with_50_containers() {
	local i
	for i in $(seq 1 50); do
		docker run -d --name "vigil-bench-rss-$$-$i" --network none "$IMG" sleep 100000 >/dev/null
	done
	start_vigil --events all	# (and its event file feeds the rule benchmark below)
	for i in $(seq 1 50); do
		docker exec "vigil-bench-rss-$$-$i" sh -c 'cat /etc/passwd >/dev/null; ls / >/dev/null'
	done
	sleep 1
	RSS50="$(awk '/VmRSS|VmHWM|RssAnon|RssFile/ {printf "%s %s kB  ", $1, $2}' "/proc/$vpid/status")"
	stop_vigil
	docker ps -aq --filter "name=vigil-bench-rss-$$" | xargs -r docker rm -f >/dev/null
}
RSS50="(not measured with ONLY)"
if [ -z "${ONLY:-}" ]; then
	echo "RSS with 50 containers..."
	rss_with_50_containers
fi

# Each budgeted row for the first configuration after off: its median
# overhead against its budget, and whether it is met (within the budget).
budget_table() {
	local i name higher budget val lim met hwm
	[ "${#CFG[@]}" -gt 1 ] || return 0
	echo
	echo "budget for '${CFG[1]%%|*}' (median; a row is met when it is at or under its budget):"
	for i in "${!WORKLOADS[@]}"; do
		IFS='|' read -r name _ _ higher _ budget <<<"${WORKLOADS[$i]}"
		[ "${budget:--}" = - ] && continue
		if [ "${budget%ns}" != "$budget" ]; then
			lim=${budget%ns}
			val=$(awk -v a="$(echo "${RES[1,$i]}" | median)" -v b="$(echo "${RES[0,$i]}" | median)" \
				'BEGIN {printf "%.0f", a - b}')
			met=$(awk -v v="$val" -v l="$lim" 'BEGIN {print (v <= l) ? "met" : "NOT met"}')
			printf '  %-30s %+8d ns   budget <= +%s ns   %s\n' "$name" "$val" "$lim" "$met"
		else
			lim=${budget%\%}
			val=$(paired_overheads 1 "$i" "$higher" | median)
			met=$(awk -v v="$val" -v l="$lim" 'BEGIN {print (v <= l) ? "met" : "NOT met"}')
			printf '  %-30s %+7.2f%%   budget <= %s%%   %s\n' "$name" "$val" "$lim" "$met"
		fi
	done
	hwm=$(echo "$RSS50" | sed -n 's/.*VmHWM: \([0-9]*\) kB.*/\1/p')
	if [ -n "$hwm" ]; then
		printf '  %-30s %8s MB   budget <= 30 MB   %s\n' "RSS, 50 containers" "$((hwm / 1024))" \
			"$([ "$hwm" -le $((30 * 1024)) ] && echo met || echo "NOT met")"
	fi
}

mkdir -p "$RESULTS"
out=$RESULTS/overhead-$(date +%Y%m%d-%H%M%S).txt
{
	printf '\n%-30s %-6s %10s' "workload" "unit" "off"
	for c in "${!CFG[@]}"; do
		[ "$c" = 0 ] || printf ' %10s %8s %-13s' "${CFG[$c]%%|*}" "overhead" "(range)"
	done
	printf ' %8s\n' "paper"
	for i in "${!WORKLOADS[@]}"; do
		IFS='|' read -r name fn unit higher paper _ <<<"${WORKLOADS[$i]}"
		printf '%-30s %-6s %10.1f' "$name" "$unit" "$(echo "${RES[0,$i]}" | median)"
		for c in "${!CFG[@]}"; do
			[ "$c" = 0 ] && continue
			ov=$(paired_overheads "$c" "$i" "$higher")
			printf ' %10.1f %+7.2f%% %-13s' "$(echo "${RES[$c,$i]}" | median)" \
				"$(echo "$ov" | median)" "($(echo "$ov" | range))"
		done
		printf ' %8s\n' "$paper"
	done
	echo
	echo "overhead: time added, or throughput lost; median over $ROUNDS rounds of the ratio to 'off'"
	echo "measured in the same round (range: lowest..highest round), configurations interleaved"
	for c in "${!CFG[@]}"; do
		[ "$c" = 0 ] || echo "  ${CFG[$c]%%|*} = vigil run ${CFG[$c]#*|} (events to a file)"
	done
	echo "BPF programs, kernel bpf_stats in an unmeasured pass of '${CFG[1]%%|*}' (run time / run count):"
	echo "${BPF_COST:-  (unavailable)}"
	for c in "${!CFG[@]}"; do
		[ -n "${STATS[$c]:-}" ] && echo "agent (${CFG[$c]%%|*}, last round): ${STATS[$c]}"
	done
	echo "agent with 50 containers: $RSS50 (RssFile is the ring buffer, mapped twice)"
	budget_table
} | tee "$out"
if [ -x "$ROOT/build/rules_bench" ] && [ -s "$WORK/events.json" ]; then
	{
		echo "rule evaluation over this run's recorded events:"
		"$ROOT/build/rules_bench" "$ROOT/rules/vigil_rules.yaml" "$WORK/events.json" 20
		"$ROOT/build/rules_bench" "$ROOT/../shared/falco/falco_rules.yaml" "$WORK/events.json" 20 2>/dev/null
	} | tee -a "$out"
fi
echo "saved to $out"
