# shellcheck shell=bash
# The e2e test library: sourced by tests/e2e/run.sh before the family
# files (t_*.sh).  Each family starts its own agent, drives real containers
# and waits (up to a timeout) for an event of a container matching a jq
# condition that names every field it checks.
#
# The agent says it is ready on a file descriptor (--ready-fd): every hook
# attached, the running containers named.  Tests wait for that, never for
# a line on stderr.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VIGIL=$ROOT/build/vigil
HELPER=$ROOT/build/helpers/vigil-testbin
IMG=vigil-test:latest
NET=vigil-e2e-net
WORK=$(mktemp -d /tmp/vigil-e2e.XXXXXX)
TAG=vt$$
OUT=	# the events file of the agent last started
ERR=
AGENT_PID=
AGENTS=()
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() {
	failed=$((failed + 1))
	echo "FAIL - $1"
	shift
	for l in "$@"; do echo "       $l"; done
}

lib_cleanup() {
	local p
	for p in "${AGENTS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	# a --pin test must never leave enforcement behind
	"$VIGIL" unpin >/dev/null 2>&1
	docker ps -aq --filter "name=$TAG" | xargs -r docker rm -f >/dev/null 2>&1
	# family runtimes: podman's containers, the containerd it started
	command -v podman >/dev/null && podman ps -aq --filter "name=$TAG" | xargs -r podman rm -f >/dev/null 2>&1
	[ -n "${CTRD_PID:-}" ] && kill "$CTRD_PID" 2>/dev/null
	docker network rm "$NET" >/dev/null 2>&1
	if [ "$failed" -gt 0 ]; then echo "(kept $WORK for inspection)"; else rm -rf "$WORK"; fi
}

# agent_start NAME [vigil run options...]: an agent on the default policy
# writing JSON lines to $WORK/NAME.json; sets OUT, ERR and AGENT_PID.
# Returns once the agent is ready, 1 if it exited first.
agent_start() {
	local name=$1 ready
	shift
	OUT=$WORK/$name.json
	ERR=$WORK/$name.err
	ready=$WORK/$name.ready
	: >"$ready"
	"$VIGIL" run --output json --output-file "$OUT" --summary-interval 0 --ready-fd 3 --events all \
		--state-dir "$WORK/state-$name" "$@" \
		>/dev/null 2>"$ERR" 3>"$ready" &
	AGENT_PID=$!
	AGENTS+=("$AGENT_PID")
	for _ in $(seq 300); do
		grep -q '^READY=1$' "$ready" && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# agent $name did not become ready:"
	sed 's/^/#   /' "$ERR"
	return 1
}

# agent_stop: SIGTERM to the last agent started; returns its exit status.
agent_stop() {
	local status
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"
	status=$?
	AGENT_PID=
	return $status
}

# events CONTAINER JQ_CONDITION -> matching events of $OUT, one per line
events() {
	jq -c --arg c "$1" "select(.container.name == \$c) | select($2)" "$OUT" 2>/dev/null
}

# expect DESC CONTAINER JQ_CONDITION [TIMEOUT_S]
expect() {
	local desc=$1 ctr=$2 cond=$3 t=${4:-15} i=0
	while [ "$i" -lt $((t * 5)) ]; do
		if [ -n "$(events "$ctr" "$cond" | head -1)" ]; then
			ok "$desc"
			return 0
		fi
		sleep 0.2
		i=$((i + 1))
	done
	fail "$desc" "no event of container $ctr matched: $cond" \
		"its events: $(events "$ctr" 'true' | jq -c '[.type, .syscall, .file.path // .exec.exe // .net // "", .result]' 2>/dev/null | sort | uniq -c | head -20 | tr '\n' ';')"
	return 1
}

# check DESC [!] COMMAND...: ok when the command succeeds (with !, when it fails)
check() {
	local desc=$1 want=0 rc
	shift
	if [ "$1" = "!" ]; then
		want=1
		shift
	fi
	"$@"
	rc=$?
	if { [ $rc -eq 0 ] && [ $want = 0 ]; } || { [ $rc -ne 0 ] && [ $want = 1 ]; }; then
		ok "$desc"
	else
		fail "$desc" "$*"
	fi
}

# verdict RULE_NAME CONTAINER EXTRA_CONDITION: an INSECURE event of that rule
verdict() {
	expect "rule fires: $1" "$2" ".verdict == \"INSECURE\" and (.rules | index(\"$1\") != null) and (.output | length) > 0 and ${3:-true}"
}

# quiet DESC CONTAINER...: none of the containers' events is INSECURE
quiet() {
	local desc=$1 n c sel=""
	shift
	for c in "$@"; do sel="$sel or .container.name == \"$c\""; done
	n=$(jq -c "select(false $sel) | select(.verdict == \"INSECURE\")" "$OUT" | wc -l)
	if [ "$n" = 0 ]; then
		ok "$desc"
	else
		fail "$desc" "$(jq -c "select(false $sel) | select(.verdict == \"INSECURE\") | [.container.name, .type, .rules, .output]" "$OUT" | head -5)"
	fi
}

# unfired RULE CONTAINER DESC: once the container exited, no event of it
# was judged by RULE
unfired() {
	local hits
	exited "$2"
	hits=$(events "$2" ".verdict == \"INSECURE\" and (.rules | index(\"$1\") != null)" | head -3)
	if [ -z "$hits" ]; then
		ok "$3"
	else
		fail "$3" "$hits"
	fi
}

# run NAME [docker run options] -- COMMAND...
run() {
	local name=$1
	shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	docker run --name "$name" --network none "${opts[@]}" "$IMG" "$@" >>"$WORK/containers.log" 2>&1
}

# exited CONTAINER: waits for its container_exit event (all its events are in)
exited() {
	expect "(container $1 exited)" "$1" '.type == "container_exit"' >/dev/null
}

lib_setup() {
	"$ROOT/scripts/dockerd.sh" || exit 1
	"$ROOT/tests/e2e/image.sh" "$HELPER" || exit 1
	docker network rm "$NET" >/dev/null 2>&1
	docker network create --internal --subnet 172.31.250.0/24 "$NET" >/dev/null || exit 1
	mkdir -p "$WORK/hostdir"
	echo "host secret" >"$WORK/hostdir/secret"
}
