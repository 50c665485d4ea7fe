# shellcheck shell=bash
# Family "outputs": what Vigil hands to other tools: Prometheus metrics
# scraped by a real Prometheus, the Grafana dashboard's queries, log files,
# the webhook and syslog outputs, the traffic map.

# free_port: a TCP port nothing listens on
free_port() {
	local p
	for p in $(shuf -i 20000-32000 -n 50); do
		ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# prom_query EXPR: the Prometheus API's answer (JSON) for an instant query
prom_query() {
	curl -s --max-time 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"
}

# prom_wait DESC EXPR [TIMEOUT_S]: ok once EXPR has a sample in Prometheus
prom_wait() {
	local desc=$1 expr=$2 t=${3:-30}
	for _ in $(seq $((t * 2))); do
		[ "$(prom_query "$expr" | jq '.data.result | length' 2>/dev/null)" -gt 0 ] 2>/dev/null && { ok "$desc"; return 0; }
		sleep 0.5
	done
	fail "$desc" "no sample for: $expr" "answer: $(prom_query "$expr" | head -c 300)"
	return 1
}

t_prometheus() {
	local name=$TAG-o-prom page expr names bad=0 n=0 m
	check "/healthz answers ok" test "$(curl -sf --max-time 3 "http://127.0.0.1:$METRICS_PORT/healthz")" = ok
	page=$(curl -s --max-time 3 "http://127.0.0.1:$METRICS_PORT/metrics")
	check "a page at / that is not there is a 404" \
		test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS_PORT/nothing")" = 404
	check "the page is the Prometheus text format (promtool check metrics)" \
		sh -c 'printf "%s\n" "$1" | promtool check metrics' _ "$page"
	cat >"$WORK/prometheus.yml" <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ["127.0.0.1:$METRICS_PORT"]
EOC
	prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom-data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
	PROM_PID=$!
	AGENTS+=("$PROM_PID")
	prom_wait "Prometheus scrapes the agent (up == 1)" 'up{job="vigil"} == 1' 60 || return
	docker run -d --name "$name" --network none "$IMG" sh -c 'cat /etc/shadow; sleep 60' >/dev/null
	prom_wait "INSECURE events by rule and priority reach Prometheus" \
		'vigil_insecure_events_total{rule="Sensitive file read",priority="WARNING"} >= 1'
	prom_wait "containers watched" 'vigil_containers_watched >= 1'
	prom_wait "a container's syscalls by name reach Prometheus" \
		"vigil_container_syscalls_total{container=\"$name\",syscall!=\"other\"} >= 1"
	# the cardinality bound: at most --metrics-top (3 here) + "other" per container
	m=$(prom_query "count(vigil_container_syscalls_total{container=\"$name\"})" | jq -r '.data.result[0].value[1]')
	check "series per container are bounded by --metrics-top + 1 ($m)" test "$m" -eq 4
	prom_wait "events by type" 'vigil_events_total{type="open"} > 0'
	prom_wait "drops by reason are exported (zero here)" 'vigil_events_dropped_total{reason="ringbuf_full"} == 0'
	prom_wait "the agent's CPU and memory" 'process_resident_memory_bytes{job="vigil"} > 1000000'
	prom_wait "BPF programs' runs (bpf_stats on)" 'vigil_bpf_program_runs_total{program="vigil_exec"} > 0'
	docker rm -f "$name" >/dev/null 2>&1
	# the dashboard: every query is valid PromQL over metrics the agent exports
	names=$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/label/__name__/values" | jq -r '.data[]')
	while IFS= read -r expr; do
		n=$((n + 1))
		expr=${expr//\$instance/.*}
		if [ "$(prom_query "$expr" | jq -r .status)" != success ]; then
			bad=1
			fail "dashboard query is valid PromQL" "$expr"
		fi
		for m in $(grep -oE '\b(vigil|process)_[a-z_]+' <<<"$expr" | sort -u); do
			grep -qx "$m" <<<"$names" || { bad=1; fail "dashboard metric $m is exported" "$expr"; }
		done
	done < <(jq -r '.. | objects | .expr? // empty' "$ROOT/deploy/grafana/vigil.json")
	[ "$bad" = 0 ] && [ "$n" -gt 10 ] && ok "each of the dashboard's $n queries is valid and names exported metrics"
	kill "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
}

t_log_dir() {
	local c=$TAG-o-logs d=$WORK/logs n_out n_logs f big=0 mode bad=0
	run "$c" -- sh -c 'cat /etc/shadow; vigil-testbin loop openclose 2000'
	exited "$c"
	sleep 0.5	# one flush period (100 ms) and more
	mode=$(stat -c %a "$d")
	check "--log-dir is made 0700" test "$mode" = 700
	for f in exec file net priv syscall alert; do
		[ -f "$d/$f.json" ] || { bad=1; fail "--log-dir has $f.json"; }
	done
	[ "$bad" = 0 ] && ok "--log-dir has a file per family (exec, file, net, priv, syscall, alert)"
	for f in "$d"/*; do
		[ "$(stat -c %a "$f")" = 600 ] || { bad=1; fail "log file $f is 0600" "$(stat -c %a "$f")"; }
		[ "$(stat -c %s "$f")" -le 65536 ] || big=1
		jq -e . "$f" >/dev/null 2>&1 || { bad=1; fail "every line of $f is whole JSON"; }
	done
	[ "$bad" = 0 ] && ok "every log file is 0600 and every line in it whole JSON"
	check "file.json was rotated at --log-max-size (64K) and kept" test -f "$d/file.json.3"
	check "no log file passes --log-max-size" test "$big" = 0
	n_out=$(events "$c" '.type == "open" and .process.name == "vigil-testbin"' | wc -l)
	n_logs=$(cat "$d"/file.json* | jq -c --arg c "$c" 'select(.container.name == $c and .type == "open" and .process.name == "vigil-testbin")' | wc -l)
	check "no open event lost or doubled across rotations ($n_logs in file.json*, $n_out in the output)" \
		test "$n_out" -ge 2000 -a "$n_logs" = "$n_out"
	check "the INSECURE read of /etc/shadow is in alert.json" \
		in_logs "$c" '.verdict == "INSECURE" and .file.path == "/etc/shadow"' "$d/alert.json"
	check "... and in file.json" in_logs "$c" '.file.path == "/etc/shadow"' "$d"/file.json*
	check "the container's exit and its syscall counts are in syscall.json" \
		in_logs "$c" '.type == "container_exit" and .syscalls_total > 0' "$d/syscall.json"
	check "its exec is in exec.json" in_logs "$c" '.type == "exec"' "$d/exec.json"
	check "... and not in file.json" ! in_logs "$c" '.type == "exec"' "$d"/file.json*
}

# in_logs CONTAINER JQ_CONDITION FILE...: some event of the container in the files matches
in_logs() {
	local c=$1 cond=$2
	shift 2
	[ -n "$(cat "$@" | jq -c --arg c "$c" "select(.container.name == \$c) | select($cond)" 2>/dev/null | head -1)" ]
}

# rsyslog_start NAME: a real rsyslogd of the test's own, on TCP $SYSLOG_PORT
# and the unix socket $WORK/NAME.sock, writing what it parsed to $WORK/NAME.out
rsyslog_start() {
	local n=$1
	mkdir -p "$WORK/$n.d"
	cat >"$WORK/$n.conf" <<EOC
global(workDirectory="$WORK/$n.d" maxMessageSize="256k")
module(load="imtcp")
module(load="imuxsock" SysSock.Use="off")
input(type="imtcp" port="$SYSLOG_PORT" address="127.0.0.1")
input(type="imuxsock" Socket="$WORK/$n.sock" UseSpecialParser="off" ParseHostname="on")
template(name="fields" type="string" string="%inputname%|%syslogfacility-text%|%syslogseverity-text%|%app-name%|%msgid%|%structured-data%|%msg%\n")
*.* action(type="omfile" file="$WORK/$n.out" template="fields")
EOC
	rsyslogd -n -f "$WORK/$n.conf" -i "$WORK/$n.pid" >"$WORK/$n.log" 2>&1 &
	AGENTS+=("$!")
	for _ in $(seq 50); do [ -S "$WORK/$n.sock" ] && return 0; sleep 0.1; done
	return 1
}

# syslog_line INPUT CONTAINER: the line rsyslog wrote for the container's /etc/shadow alert
syslog_line() {
	grep "^$1|" "$WORK/rsyslog.out" 2>/dev/null | grep -F "container=\"$2\"" | grep -F '"path":"/etc/shadow"' | head -1
}

t_network_outputs() {
	local c=$TAG-o-fwd l doc
	run "$c" -- sh -c 'cat /etc/shadow'
	exited "$c"
	for _ in $(seq 50); do
		[ -s "$WORK/webhook.json" ] && [ -n "$(syslog_line imtcp "$c")" ] && break
		sleep 0.2
	done
	doc=$(jq -c --arg c "$c" 'select(.output_fields["container.name"] == $c and .rule == "Sensitive file read")' "$WORK/webhook.json" 2>/dev/null | head -1)
	check "webhook: the alert arrives in Falco's output schema" \
		jq -e '(.time | test("^[0-9-]+T[0-9:.]+Z$")) and .priority == "Warning" and .source == "syscall"
		       and (.output | test("^[0-9:.]+: Warning Sensitive file opened")) and .hostname != null
		       and (.tags | index("T1552") != null) and .output_fields["fd.name"] == "/etc/shadow"
		       and (.output_fields["evt.time"] | type) == "number" and (.output_fields["container.id"] | length) == 12' <<<"${doc:-null}"
	check "webhook: refused twice (503), the agent tried again and it was delivered" \
		test "$(head -3 "$WORK/webhook.json.meta" | tr '\n' ' ')" = "503 application/json 503 application/json 200 application/json "
	l=$(syslog_line imtcp "$c")
	check "syslog over TCP: rsyslog parses it as RFC 5424 (facility, severity, app, msgid, structured data)" \
		grep -q "^imtcp|local3|warning|vigil|open|\[vigil@32473 rule=\"Sensitive file read\" priority=\"WARNING\" container=\"$c\"\]|{" <<<"$l"
	check "syslog: the message is the event's JSON, whole" jq -e '.file.path == "/etc/shadow" and .verdict == "INSECURE"' <<<"${l#*\]|}"
	prom_wait_local "the webhook's and syslog's deliveries are counted" \
		'vigil_alerts_forwarded_total{output="webhook"} [1-9]' 'vigil_alerts_forwarded_total{output="syslog"} [1-9]' \
		'vigil_alerts_forward_retries_total{output="webhook"} [1-9]' 'vigil_events_dropped_total{reason="webhook_queue_full"} 0'
}

# prom_wait_local DESC PATTERN...: each pattern matches a line of the agent's own /metrics page
prom_wait_local() {
	local desc=$1 page p miss
	shift
	for _ in $(seq 20); do
		page=$(curl -s --max-time 3 "http://127.0.0.1:$METRICS_PORT/metrics")
		miss=
		for p in "$@"; do grep -q "^$p" <<<"$page" || miss="$miss $p"; done
		[ -z "$miss" ] && { ok "$desc"; return 0; }
		sleep 0.5
	done
	fail "$desc" "missing:$miss"
}

t_syslog_unix() {
	local c=$TAG-o-unix l
	# the same log directory and key: the second agent continues the chain
	agent_start outputs-unix --syslog "unix:$WORK/rsyslog.sock" --log-dir "$WORK/logs" --log-max-size 64K \
		--log-keep 100 --log-key "$WORK/state-outputs/log-signing.key" ||
		{ fail "outputs: agent with --syslog unix starts"; return; }
	run "$c" -- sh -c 'cat /etc/shadow'
	exited "$c"
	for _ in $(seq 30); do l=$(syslog_line imuxsock "$c"); [ -n "$l" ] && break; sleep 0.2; done
	check "syslog to a unix socket: rsyslog parses it as RFC 5424 (daemon facility)" \
		grep -q "^imuxsock|daemon|warning|vigil|open|\[vigil@32473 rule=\"Sensitive file read\"" <<<"$l"
	agent_stop
}

# The traffic map: a client and a server on a network of the test's own, a
# bystander beside them, a client that lives for one connect (gone before
# its runtime may have described it), a host process reaching the server
# over the network's bridge, and a connect to TEST-NET from --network none.
t_netmap() {
	local srv=$TAG-o-srv cli=$TAG-o-cli cli2=$TAG-o-cli2 by=$TAG-o-by out=$TAG-o-out map n gw
	docker run -d --name "$srv" --network "$NET" --ip 172.31.250.60 "$IMG" \
		sh -c 'for p in 9000 9000 9000 9001; do nc -l -p $p >/dev/null; done; sleep 60' >/dev/null
	docker run -d --name "$by" --network "$NET" "$IMG" sleep 60 >/dev/null
	sleep 1
	docker run --name "$cli" --network "$NET" "$IMG" sh -c 'echo hi | nc -w 2 172.31.250.60 9000; sleep 0.5; echo hi | nc -w 2 172.31.250.60 9000' \
		>>"$WORK/containers.log" 2>&1
	docker run --name "$cli2" --network "$NET" "$IMG" vigil-testbin connect 172.31.250.60 9000 \
		>>"$WORK/containers.log" 2>&1
	sleep 0.5
	gw=$(ip -o -4 addr show | awk '$4 ~ /^172\.31\.250\./ { sub("/.*", "", $4); print $4; exit }')
	timeout 5 bash -c 'echo hi >/dev/tcp/172.31.250.60/9001' 2>>"$WORK/containers.log"
	run "$out" -- vigil-testbin connect 192.0.2.1 80
	exited "$cli"
	exited "$cli2"
	exited "$out"
	t_status_page "$srv" "$cli"
	docker rm -f "$srv" "$by" >/dev/null 2>&1
	agent_stop	# the map is written at exit
	map=$("$VIGIL" netmap --state-dir "$WORK/state-outputs")
	echo "$map" >"$WORK/netmap.json"
	check "netmap: client -> server on tcp/9000, by name, counted twice" \
		jq -e --arg c "$cli" --arg s "$srv" '[.edges[] | select(.from.name == $c and .to.name == $s and .to.kind == "container"
			and .port == 9000 and .proto == "tcp" and .to.address == "172.31.250.60")] | length == 1 and .[0].count == 2' <<<"$map"
	check "netmap: a client gone after one connect is a container, by name" \
		jq -e --arg c "$cli2" --arg s "$srv" '[.edges[] | select(.from.name == $c and .to.name == $s and .port == 9000)] | length == 1' <<<"$map"
	check "netmap: the host reaching the server over the bridge ($gw) is an edge from outside" \
		jq -e --arg g "$gw" --arg s "$srv" '[.edges[] | select(.from.kind == "outside" and .from.node == "address:" + $g
			and .to.name == $s and .port == 9001)] | length == 1' <<<"$map"
	check "netmap: container -> an outside address (TEST-NET, port 80)" \
		jq -e --arg o "$out" '[.edges[] | select(.from.name == $o and .to.kind == "outside" and .to.address == "192.0.2.1" and .port == 80)] | length == 1' <<<"$map"
	n=$(jq --arg c "$cli" --arg c2 "$cli2" --arg s "$srv" --arg b "$by" \
		'[.edges[] | select(.from.name == $b or .to.name == $b or ((.from.name == $c or .from.name == $c2 or .from.name == $s or
		  .to.name == $c or .to.name == $c2 or .to.name == $s) and
		  (.from.name != $c or .to.name != $s) and (.from.name != $c2 or .to.name != $s) and .port != 9001))] | length' <<<"$map")
	check "netmap: no phantom edges (none of the bystander's, none server -> client, no outside -> server) ($n)" test "$n" = 0
	check "netmap --format dot: a Graphviz edge by name" \
		sh -c "'$VIGIL' netmap --state-dir '$WORK/state-outputs' --format dot | grep -q 'label=\"$cli\\\\nvigil-test:latest\"'"
	"$VIGIL" netmap --state-dir "$WORK/state-outputs" --format svg >"$WORK/netmap.svg" 2>"$WORK/netmap.err"
	check "netmap --format svg: Graphviz draws it, with both names" \
		sh -c "grep -q '<svg' '$WORK/netmap.svg' && grep -qF '>$(svg_text "$cli")<' '$WORK/netmap.svg' &&
		       grep -qF '>$(svg_text "$srv")<' '$WORK/netmap.svg'"
}

# The page at / in a real browser (headless Chromium): the running server
# is listed, an alert whose command line carries markup shows it as text,
# and the map has the client -> server edge.  A screenshot is kept.
t_status_page() {
	local srv=$1 cli=$2 x=$TAG-o-xss dom chrome=(chromium --headless --no-sandbox --disable-gpu
		--disable-dev-shm-usage "--user-data-dir=$WORK/chromium" --virtual-time-budget=6000)
	run "$x" -- sh -c 'cat /etc/shadow "<b id=pwn>bold</b>" 2>/dev/null'
	expect "(the markup alert is in)" "$x" '.verdict == "INSECURE" and .file.path == "/etc/shadow"' >/dev/null
	sleep 1.5	# /status.json is published once a second
	"${chrome[@]}" --dump-dom "http://127.0.0.1:$METRICS_PORT/" >"$WORK/status.dom.html" 2>"$WORK/chromium.log"
	dom=$(cat "$WORK/status.dom.html")
	check "status page: loads in Chromium and lists the running server container" \
		grep -q "<td>$srv</td>" <<<"$dom"
	check "status page: the traffic map has the client -> server edge" \
		grep -q "data-from=\"$cli\" data-to=\"$srv\"" <<<"$dom"
	check "status page: recent INSECURE events, markup in a command line shown as text" \
		sh -c 'grep -q "Sensitive file read" "$1" && grep -qF "&lt;b id=pwn&gt;bold&lt;/b&gt;" "$1" && ! grep -q "<b id=\"pwn\"" "$1"' _ "$WORK/status.dom.html"
	"${chrome[@]}" --window-size=1280,1100 "--screenshot=$WORK/status.png" "http://127.0.0.1:$METRICS_PORT/" \
		>>"$WORK/chromium.log" 2>&1
	check "status page: a screenshot is written ($WORK/status.png)" test -s "$WORK/status.png"
	cp "$WORK/status.png" "$ROOT/build/status.png" 2>/dev/null
}

# vigil top in a real terminal (tmux): the running container with numeric
# rates, the latest alert, and q quits.
t_top() {
	local c=$TAG-o-top pane s=vt-top-$$ gone=0
	docker run -d --name "$c" --network none "$IMG" sh -c 'cat /etc/shadow; while true; do ls / >/dev/null; sleep 0.1; done' >/dev/null
	expect "(the top container's alert is in)" "$c" '.verdict == "INSECURE"' >/dev/null
	tmux new-session -d -s "$s" -x 200 -y 40 "$VIGIL top --agent 127.0.0.1:$METRICS_PORT"
	sleep 3.5
	pane=$(tmux capture-pane -p -t "$s")
	check "vigil top: its container with syscalls/s and events/s as numbers" \
		grep -Eq "^$c +vigil-test:latest +[0-9]+ +[0-9]+\.[0-9] +[0-9]+" <<<"$pane"
	check "vigil top: the latest INSECURE event" grep -Eq "WARNING +$c +Sensitive file read" <<<"$pane"
	tmux send-keys -t "$s" q
	for _ in $(seq 20); do tmux has-session -t "$s" 2>/dev/null || { gone=1; break; }; sleep 0.1; done
	check "vigil top: q quits" test "$gone" = 1
	tmux kill-session -t "$s" 2>/dev/null
	docker rm -f "$c" >/dev/null 2>&1
	check "vigil top with no agent there says how to start one" \
		sh -c "'$VIGIL' top --once --agent 127.0.0.1:1 2>&1 | grep -q 'vigil run --metrics'"
}

# svg_text S: S as Graphviz writes it in SVG text ('-' as &#45;)
svg_text() {
	sed 's/-/\&#45;/g' <<<"$1"
}

# verify_says DESC KIND DIR: vigil verify names KIND for the copy DIR, and fails
verify_says() {
	local desc=$1 kind=$2 dir=$3 out rc
	out=$("$VIGIL" verify --pubkey "$WORK/state-outputs/log-signing.key.pub" "$dir" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && grep -q "DAMAGED: $kind at seq [0-9]" <<<"$out"; then
		ok "$desc"
	else
		fail "$desc" "rc=$rc" "$(grep -v intact <<<"$out" | head -3)"
	fi
}

# tamper_copy NAME: a copy of the log directory to damage
tamper_copy() {
	rm -rf "$WORK/t-$1"
	cp -a "$WORK/logs" "$WORK/t-$1"
	echo "$WORK/t-$1"
}

# Tamper evidence: the logs two agents wrote (one after the other, one key)
# verify; each kind of damage to a copy is named.
t_log_verify() {
	local out d n
	out=$("$VIGIL" verify --pubkey "$WORK/state-outputs/log-signing.key.pub" "$WORK/logs" 2>&1)
	check "verify: the logs of two agents in turn are intact, each ending with the shutdown checkpoint" \
		bash -c '[ "$(grep -c ": intact: .*ends with the agent.s shutdown checkpoint" <<<"$1")" = 6 ] && ! grep -q DAMAGED <<<"$1"' _ "$out"
	check "verify: the chain runs across rotated files and the restart" \
		bash -c "grep -q '^file: intact: seq 1 to [0-9]* in [0-9][0-9]* file(s)' <<<\"\$1\" && grep -q '\"reason\":\"restart\"' '$WORK/logs/exec.json'" _ "$out"
	# the middle of an older file of the stream
	d=$(tamper_copy mod)
	sed -i '0,/"type":"open"/s//"type":"opeN"/' "$d/file.json.2"	# a record, not a checkpoint
	verify_says "verify: a changed byte is 'modified'" modified "$d"
	d=$(tamper_copy del)
	sed -i '7d' "$d/file.json.2"
	verify_says "verify: a removed line is 'deleted'" deleted "$d"
	d=$(tamper_copy ins)
	sed -i '6i {"time":"2026-12-02T00:00:00Z","type":"open","file":{"path":"/innocent"}}' "$d/file.json.2"
	verify_says "verify: a line of someone else's is 'inserted'" inserted "$d"
	d=$(tamper_copy ord)
	sed -i '8{h;d};9{G}' "$d/file.json.2"
	verify_says "verify: two lines swapped are 'reordered'" reordered "$d"
	d=$(tamper_copy cut)
	n=$(wc -l <"$d/exec.json")
	head -n $((n - 2)) "$d/exec.json" >"$d/exec.json.new" && mv "$d/exec.json.new" "$d/exec.json"
	verify_says "verify: the end cut off is 'truncated tail'" "truncated tail" "$d"
	d=$(tamper_copy gone)
	rm "$d/file.json.3"
	verify_says "verify: a rotated file removed from the middle is 'deleted'" deleted "$d"
}

t_metrics_bad_addr() {
	local err
	err=$("$VIGIL" run --metrics 'nohost:99999' --duration 1 2>&1 >/dev/null)
	check "--metrics with a bad address is refused with the reason" grep -q "is not HOST:PORT" <<<"$err"
}

family_outputs() {
	METRICS_PORT=$(free_port)
	PROM_PORT=$(free_port)
	SYSLOG_PORT=$(free_port)
	WEBHOOK_PORT=$(free_port)
	rsyslog_start rsyslog || { fail "outputs: rsyslogd starts" "$(cat "$WORK/rsyslog.log")"; return; }
	# the receiver refuses the first two POSTs
	"$ROOT/build/helpers/vigil-http-sink" "$WEBHOOK_PORT" "$WORK/webhook.json" 2 &
	AGENTS+=("$!")
	agent_start outputs --metrics "127.0.0.1:$METRICS_PORT" --metrics-top 3 --bpf-stats \
		--log-dir "$WORK/logs" --log-max-size 64K --log-keep 100 --dedup-window 0 \
		--webhook "http://127.0.0.1:$WEBHOOK_PORT/" --syslog "tcp://127.0.0.1:$SYSLOG_PORT" --syslog-facility local3 ||
		{ fail "outputs: agent starts"; return; }
	t_network_outputs
	t_top
	t_prometheus
	t_log_dir
	t_netmap
	t_syslog_unix
	t_log_verify
	t_metrics_bad_addr
}
