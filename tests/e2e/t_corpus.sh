# shellcheck shell=bash
# Quiet on ordinary work: a benign corpus of what containers do all day -
# a web server under load, a package install in a build container, a
# CI-style compile, log rotation, health checks and exec probes, a cron
# container running its job - under the default policy.  None may raise an
# INSECURE event; the family prints the alerts per hour it saw.

# corpus_quiet DESC CONTAINER...: the containers did their work (checked by
# the caller) and raised nothing INSECURE
corpus_quiet() {
	quiet "corpus: $1" "${@:2}"
}

# A package with a program, a library-less ELF, a conffile, a cron file
# and maintainer scripts, built here with dpkg-deb.
corpus_package() {
	local d=$WORK/pkg/vigil-hello
	mkdir -p "$d/DEBIAN" "$d/usr/bin" "$d/usr/lib/vigil-hello" "$d/etc/cron.d" "$d/usr/share/doc/vigil-hello"
	cat >"$d/DEBIAN/control" <<'EOF'
Package: vigil-hello
Version: 1.0
Architecture: amd64
Maintainer: Vigil tests <tests@vigil.invalid>
Description: a package for Vigil's benign corpus
EOF
	printf '#!/bin/sh\nset -e\nmkdir -p /var/lib/vigil-hello\necho configured > /var/lib/vigil-hello/state\nldconfig\n' >"$d/DEBIAN/postinst"
	printf '#!/bin/sh\nset -e\nrm -rf /var/lib/vigil-hello\n' >"$d/DEBIAN/postrm"
	echo /etc/vigil-hello.conf >"$d/DEBIAN/conffiles"
	chmod 755 "$d/DEBIAN/postinst" "$d/DEBIAN/postrm"
	echo 'greeting=hello' >"$d/etc/vigil-hello.conf"
	echo '17 3 * * * root /usr/bin/vigil-hello' >"$d/etc/cron.d/vigil-hello"
	printf '#!/bin/sh\n. /etc/vigil-hello.conf\nexec /usr/lib/vigil-hello/hello "$greeting"\n' >"$d/usr/bin/vigil-hello"
	chmod 755 "$d/usr/bin/vigil-hello"
	printf '#include <stdio.h>\nint main(int c, char **v) { printf("%%s from a package\\n", c > 1 ? v[1] : "hi"); return 0; }\n' >"$WORK/pkg/hello.c"
	gcc -static -O2 -o "$d/usr/lib/vigil-hello/hello" "$WORK/pkg/hello.c" || return 1
	echo 'vigil-hello' >"$d/usr/share/doc/vigil-hello/README"
	dpkg-deb --root-owner-group --build "$d" "$WORK/pkg/vigil-hello.deb" >/dev/null
}

# A small C project with a Makefile and a test, built with tcc in a
# workspace mounted from the host, as CI runners do.
corpus_project() {
	local s=$WORK/src
	mkdir -p "$s"
	printf 'int add(int a, int b);\n' >"$s/util.h"
	printf '#include "util.h"\nint add(int a, int b) { return a + b; }\n' >"$s/util.c"
	printf '#include <stdio.h>\n#include "util.h"\nint main(void) { printf("%%d\\n", add(2, 3)); return 0; }\n' >"$s/main.c"
	cat >"$s/Makefile" <<'EOF'
CC = tcc
OBJS = main.o util.o
all: calc
calc: $(OBJS)
	$(CC) -o $@ $(OBJS)
%.o: %.c util.h
	$(CC) -c -o $@ $<
check: calc
	./calc > out.txt
	test "$$(cat out.txt)" = 5 && echo PASS
clean:
	rm -f calc $(OBJS) out.txt
EOF
}

t_corpus_web() {
	local srv=$TAG-c-nginx$R cli=$TAG-c-load$R
	docker run -d --name "$srv" --network "$NET" --ip 172.31.250.40 vigil-nginx:test >/dev/null
	sleep 1
	docker run --name "$cli" --network "$NET" "$IMG" sh -c \
		'n=0; for i in $(seq 300); do wget -q -O /dev/null http://172.31.250.40:8080/p$((i % 5 + 1)).html && n=$((n + 1)); done; echo "served $n"' \
		>"$WORK/corpus-load.out" 2>&1
	check "corpus: nginx served 300 requests" grep -q '^served 300$' "$WORK/corpus-load.out"
	exited "$cli"
	corpus_quiet "a web server under load and its client" "$srv" "$cli"
}

t_corpus_package() {
	local c=$TAG-c-dpkg$R
	corpus_package || { fail "corpus: the test package builds"; return; }
	docker run --name "$c" --network none -v "$WORK/pkg:/pkgs:ro" vigil-corpus:test sh -c \
		'/usr/bin/dpkg -i /pkgs/vigil-hello.deb && vigil-hello && /usr/bin/dpkg-query -W vigil-hello &&
		 /usr/bin/dpkg -r vigil-hello && /usr/bin/dpkg -P vigil-hello' >"$WORK/corpus-dpkg.out" 2>&1
	check "corpus: the package installs, runs and is removed" grep -q '^hello from a package$' "$WORK/corpus-dpkg.out"
	exited "$c"
	expect "(the maintainer script ran)" "$c" '.type == "exec" and any(.process.args[]; test("postinst"))' 1 >/dev/null
	corpus_quiet "a package install, its maintainer scripts and its program" "$c"
	# its twins: an installed file given other bytes is no longer the
	# package's, and a list forged to cover a dropped binary is reported
	c=$TAG-cx-dpkg$R
	docker run --name "$c" --network none -v "$WORK/pkg:/pkgs:ro" vigil-corpus:test sh -c \
		'/usr/bin/dpkg -i /pkgs/vigil-hello.deb >/dev/null && cat /bin/busybox > /usr/lib/vigil-hello/hello &&
		 /usr/lib/vigil-hello/hello true; cp /bin/busybox /opt-tool && 
		 echo "$(md5sum /opt-tool | cut -d" " -f1)  opt-tool" >> /var/lib/dpkg/info/vigil-hello.md5sums; true' \
		>>"$WORK/containers.log" 2>&1
	verdict "Binary not in the image executed" "$c" '.exec.exe == "/usr/lib/vigil-hello/hello"'
	verdict "Package database changed outside the package manager" "$c" '.file.path == "/var/lib/dpkg/info/vigil-hello.md5sums"'
}

t_corpus_ci() {
	local c=$TAG-c-ci$R
	corpus_project
	docker run --name "$c" --network none -v "$WORK/src:/src" -w /src vigil-corpus:test \
		make all check clean >"$WORK/corpus-ci.out" 2>&1
	check "corpus: the project compiles and its test passes" grep -q '^PASS$' "$WORK/corpus-ci.out"
	exited "$c"
	corpus_quiet "a CI-style compile and test in a mounted workspace" "$c"
}

t_corpus_logrotate() {
	local c=$TAG-c-logs$R
	docker run --name "$c" --network none vigil-corpus:test /usr/local/bin/app-with-logs >"$WORK/corpus-logs.out" 2>&1
	check "corpus: logs were rotated, compressed and copy-truncated" \
		grep -q 'access.log.3.gz' "$WORK/corpus-logs.out"
	exited "$c"
	corpus_quiet "log rotation with a postrotate script and copytruncate" "$c"
}

# Docker's health checks (a shell command, run by the engine through an
# exec) and exec probes as Kubernetes runs them.
t_corpus_health() {
	local c=$TAG-c-health$R n=0
	docker run -d --name "$c" --network none --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1' \
		--health-interval 1s --health-start-period 1s "$IMG" \
		sh -c 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
	for _ in $(seq 40); do
		n=$(docker inspect -f '{{len .State.Health.Log}}' "$c" 2>/dev/null || echo 0)
		[ "$n" -ge 3 ] && break
		sleep 0.5
	done
	for _ in 1 2 3; do
		docker exec "$c" cat /www/index.html >/dev/null 2>&1
		docker exec "$c" sh -c 'test -f /www/index.html && wget -q -O /dev/null http://127.0.0.1:8080/' >/dev/null 2>&1
	done
	check "corpus: three health checks ran and passed" [ "$(docker inspect -f '{{.State.Health.Status}}' "$c")" = healthy ]
	expect "(the health checks' shells were reported)" "$c" '.type == "exec" and any(.process.args[]; test("wget -q"))' 5 >/dev/null
	corpus_quiet "health checks and exec probes" "$c"
}

# started first: busybox crond runs its job at the top of the next minute
t_corpus_cron_start() {
	docker run -d --name "$TAG-c-cron" --network none vigil-corpus:test crond -f -c /var/spool/cron/crontabs >/dev/null
}

t_corpus_cron() {
	local c=$TAG-c-cron
	expect "corpus: cron ran its job" "$c" '.type == "exec" and .process.args[0] == "logrotate"' 75
	corpus_quiet "a cron container running its housekeeping job" "$c"
}

# CORPUS_ROUNDS=N repeats the corpus (a longer soak for the alerts per
# hour); the cron container runs throughout.
family_corpus() {
	local t0 t1 n R rounds=${CORPUS_ROUNDS:-1} r
	"$ROOT/tests/e2e/corpus-image.sh" >/dev/null || { fail "corpus: image builds"; return; }
	"$ROOT/tests/e2e/nginx-image.sh" >/dev/null || { fail "corpus: nginx image builds"; return; }
	agent_start corpus || { fail "corpus: agent starts"; return; }
	t0=$(date +%s)
	t_corpus_cron_start
	for r in $(seq "$rounds"); do
		R=$([ "$r" = 1 ] || echo "-$r")
		t_corpus_web
		t_corpus_package
		t_corpus_ci
		t_corpus_logrotate
		t_corpus_health
		docker ps -aq --filter "name=$TAG-c-nginx$R" --filter "name=$TAG-c-health$R" | xargs -r docker rm -f >/dev/null
	done
	t_corpus_cron
	t1=$(date +%s)
	# nothing of the corpus runs on: the families after it count their own events
	docker rm -f "$TAG-c-cron" >/dev/null 2>&1
	n=$(jq -c --arg p "$TAG-c-" 'select((.container.name // "") | startswith($p)) | select(.verdict == "INSECURE")' "$OUT" | wc -l)
	echo "# corpus: $n INSECURE events in $((t1 - t0)) s of ordinary work, $rounds round(s) ($((n * 3600 / (t1 - t0 + 1))) per hour)"
	agent_stop
}
