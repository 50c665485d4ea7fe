# shellcheck shell=bash
# Family "deploy": the configuration file, the systemd unit, and the image
# run with the DaemonSet's own pod spec (its mounts, capabilities and
# namespaces, read from deploy/kubernetes/vigil.yaml) reporting another
# container's events with names.

# Every `vigil run` option is a key of deploy/vigil.yaml, and the file with
# every key uncommented is accepted by the real option table.
t_config_file() {
	local missing="" k all=$WORK/vigil-all.yaml
	for k in $("$VIGIL" run --help | grep -oE '^ +(-[a-z], )?--[a-z0-9-]+' | sed 's/.*--//' | sort -u); do
		case $k in help | config) continue ;; esac
		grep -qE "^(# )?$k:" "$ROOT/deploy/vigil.yaml" || missing="$missing $k"
	done
	check "deploy/vigil.yaml has a key for every vigil run option${missing:+ (missing:$missing)}" test -z "$missing"
	check "deploy/vigil.yaml is accepted as it ships" \
		bash -c '"$1" run --config "$2" --help >/dev/null' _ "$VIGIL" "$ROOT/deploy/vigil.yaml"
	sed -E 's/^# ([a-z0-9-]+:)/\1/; s/^#   - /  - /' "$ROOT/deploy/vigil.yaml" >"$all"
	check "deploy/vigil.yaml with every key uncommented is accepted" \
		bash -c '"$1" run --config "$2" --help >/dev/null' _ "$VIGIL" "$all"
	printf 'events: all\n\nlog-keep: many\n' >"$WORK/bad.yaml"
	check "a bad value in a config file is refused, naming the option" \
		bash -c '! "$1" run --config "$2" --help >/dev/null 2>&1 && "$1" run --config "$2" --help 2>&1 | grep -q -- "--log-keep"' \
		_ "$VIGIL" "$WORK/bad.yaml"
	printf 'events: all\nevent: all\n' >"$WORK/bad2.yaml"
	check "an unknown key is refused with its file and line" \
		bash -c '"$1" run --config "$2" 2>&1 | grep -qF "$2:2: unknown option '"'"'event'"'"'"' _ "$VIGIL" "$WORK/bad2.yaml"
	# the command line wins: a file's long duration, cut to 1 s by the flag
	printf 'duration: 3600\nsummary-interval: 0\n' >"$WORK/long.yaml"
	check "a flag wins over the config file (--duration 1 over duration: 3600)" \
		timeout 30 "$VIGIL" run --config "$WORK/long.yaml" --duration 1 --output-file /dev/null --state-dir "$WORK/state-cfg"
}

t_systemd_unit() {
	sed "s|/usr/local/bin/vigil|$VIGIL|" "$ROOT/deploy/systemd/vigil.service" >"$WORK/vigil.service"
	check "deploy/systemd/vigil.service passes systemd-analyze verify" \
		bash -c '! systemd-analyze verify "$1" 2>&1 | grep .' _ "$WORK/vigil.service"
}

t_daemonset() {
	local img=vigil-e2e-$TAG ds=$TAG-ds tgt=$TAG-ds-target spec=() opts=() args=() unknown="" x i ip out
	scripts_image() { "$ROOT/scripts/image.sh" "$img"; }
	out=$(scripts_image 2>&1)
	check "make image: $out" bash -c 'docker image inspect "$1" >/dev/null' _ "$img"
	# an engine older than CAP_BPF and CAP_PERFMON (SYS_ADMIN, also in the spec, holds them)
	docker run --rm --network none --cap-add BPF "$IMG" true >/dev/null 2>&1 || unknown=BPF,PERFMON
	mapfile -t spec < <(PODSPEC_UNKNOWN_CAPS=$unknown \
		PODSPEC_REMAP=/var/log/vigil=$WORK/ds-logs,/var/lib/vigil=$WORK/ds-state \
		"$ROOT/tests/e2e/podspec.py" "$ROOT/deploy/kubernetes/vigil.yaml" "$WORK/ds-config" 2>"$WORK/podspec.err")
	check "the DaemonSet's manifest passes the pod-spec checks$(sed 's/^/: /' "$WORK/podspec.err")" test "${#spec[@]}" -gt 0
	i=0
	for x in "${spec[@]}"; do
		[ "$x" = "--" ] && break
		i=$((i + 1))
	done
	opts=("${spec[@]:0:$i}")
	args=("${spec[@]:$((i + 1))}")
	# on the e2e network: the host reaches its metrics port as a scraper would
	docker run -d --name "$ds" --network "$NET" "${opts[@]}" "$img" "${args[@]}" >>"$WORK/containers.log" 2>&1
	ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$ds" 2>/dev/null)
	for _ in $(seq 150); do
		curl -sf --max-time 1 "http://$ip:9464/healthz" >/dev/null 2>&1 && break
		sleep 0.2
	done
	check "the image, run with the pod spec, answers its readiness probe (/healthz on :9464)" bash -c \
		'curl -sf --max-time 2 "http://$1:9464/healthz" >/dev/null' _ "$ip"
	docker run --name "$tgt" --network none "$IMG" sh -c 'cat /etc/shadow >/dev/null; true' >>"$WORK/containers.log" 2>&1
	# the target's INSECURE events in the agent's stdout, as a log collector reads them
	ds_alerts() { docker logs "$ds" 2>/dev/null | jq -c --arg c "$tgt" 'select(.container.name == $c and .verdict == "INSECURE")'; }
	for _ in $(seq 75); do
		[ -n "$(ds_alerts)" ] && break
		sleep 0.2
	done
	check "the DaemonSet's agent reports another container's alert, with its name and image" test -n \
		"$(ds_alerts | jq -c 'select(.container.image == "vigil-test:latest" and .rule == "Sensitive file read"
			and .file.path == "/etc/shadow")')"
	check "... and only that one: the runtime's set-up is not taken for the container's program" \
		test "$(ds_alerts | jq -r .rule | sort -u)" = "Sensitive file read"
	check "its metrics are scraped from the pod's port" bash -c \
		'curl -s --max-time 2 "http://$1:9464/metrics" | grep -qE "^vigil_containers_watched [1-9]"' _ "$ip"
	check "its tamper-evident logs are on the node's hostPath" bash -c 'ls "$1"/alert.json >/dev/null' _ "$WORK/ds-logs"
	docker stop -t 20 "$ds" >/dev/null 2>&1
	check "it stops on SIGTERM with exit 0 and its final stats" bash -c \
		'[ "$(docker inspect -f "{{.State.ExitCode}}" "$1")" = 0 ] && docker logs "$1" 2>&1 | grep -q "vigil: stats:"' _ "$ds"
	docker rm -f "$ds" "$tgt" >/dev/null 2>&1
	docker rmi "$img" >/dev/null 2>&1
}

# No Helm in Debian: the chart is rendered by a checker that knows only the
# constructs it uses, and must give the plain manifest's pod spec and config.
t_helm_chart() {
	local h=$WORK/helm k=$WORK/k8s
	check "the Helm chart renders with its default values" \
		bash -c '"$1"/tests/e2e/helm_render.py "$1"/deploy/helm/vigil >"$2.yaml"' _ "$ROOT" "$h"
	"$ROOT/tests/e2e/podspec.py" "$h.yaml" "$h-cfg" 2>&1 | sed "s|$h-cfg|CFG|" >"$h.opts"
	"$ROOT/tests/e2e/podspec.py" "$ROOT/deploy/kubernetes/vigil.yaml" "$k-cfg" 2>&1 | sed "s|$k-cfg|CFG|" >"$k.opts"
	check "... passes the pod-spec checks and gives deploy/kubernetes/vigil.yaml's pod spec" \
		bash -c 'grep -q -- "--pid=host" "$1" && diff "$1" "$2"' _ "$h.opts" "$k.opts"
	check "... and the same configuration and local rules" /usr/bin/python3 -c '
import sys, yaml
h, k = sys.argv[1:3]
bad = [f for f in ("vigil.yaml", "local_rules.yaml")
       if yaml.safe_load(open(f"{h}/config/{f}")) != yaml.safe_load(open(f"{k}/config/{f}"))]
sys.exit(f"differ: {bad}" if bad else 0)
' "$h-cfg" "$k-cfg"
}

family_deploy() {
	t_config_file
	t_systemd_unit
	t_helm_chart
	t_daemonset
}
