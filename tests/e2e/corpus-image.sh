#!/bin/sh
# Builds vigil-corpus:test with `docker import`: the ordinary work of build
# and service containers, from the host's own Debian programs - dpkg (a
# package install), logrotate, busybox's crond, make and tcc with the C
# library's headers (a CI-style compile) - each with the libraries it links.
set -eu

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# shellcheck source=tests/e2e/rootfs.sh
. "$(dirname "$0")/rootfs.sh"

mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/proc" "$root/sys" "$root/dev" "$root/run" \
	 "$root/var/log" "$root/var/spool/cron/crontabs" "$root/var/lib/logrotate"
chmod 1777 "$root/tmp"
busybox_root
prog /usr/bin/dpkg /usr/bin/dpkg-deb /usr/bin/dpkg-query /usr/bin/dpkg-split /usr/bin/tar /sbin/ldconfig /sbin/start-stop-daemon \
     /usr/sbin/logrotate /usr/bin/make /usr/bin/tcc
# dpkg's database and configuration, empty
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" \
	 "$root/etc/dpkg/dpkg.cfg.d"
: >"$root/var/lib/dpkg/status"
: >"$root/var/lib/dpkg/available"
# tcc's own files, the C library's headers and start files
mkdir -p "$root/usr/lib/x86_64-linux-gnu"
cp -a /usr/lib/x86_64-linux-gnu/tcc "$root/usr/lib/x86_64-linux-gnu/"
dpkg -L libc6-dev linux-libc-dev |
	grep -E '^/usr/include/.*\.h$|^/usr/lib/x86_64-linux-gnu/(crt[1in]\.o|libc\.so|libc_nonshared\.a)$' |
	tar -C / -c -T - 2>/dev/null | tar -C "$root" -x
# tcc links against the loader by name in the library directories
put /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
# the headers' own directory links (asm -> x86_64-linux-gnu/asm)
[ -e "$root/usr/include/asm" ] || ln -s x86_64-linux-gnu/asm "$root/usr/include/asm"
# a service's log rotation, as an image ships it: logrotate's configuration
# and an application that writes logs and reopens them on SIGHUP
mkdir -p "$root/usr/local/bin" "$root/etc/logrotate.d"
cat >"$root/etc/logrotate.conf" <<'CONF'
/var/log/app/access.log {
	rotate 3
	compress
	missingok
	create 0640 root root
	sharedscripts
	postrotate
		kill -HUP "$(cat /run/app.pid)" 2>/dev/null || true
	endscript
}
/var/log/app/debug.log {
	rotate 2
	copytruncate
	missingok
}
CONF
cat >"$root/usr/local/bin/app-with-logs" <<'APP'
#!/bin/sh
# writes its logs, rotated three times meanwhile
mkdir -p /var/log/app
( trap 'echo reopened >> /var/log/app/access.log' HUP
  while :; do echo "GET / 200" >> /var/log/app/access.log; echo dbg >> /var/log/app/debug.log; sleep 0.1; done ) &
echo $! > /run/app.pid
for i in 1 2 3; do
	sleep 1
	logrotate -f -s /var/lib/logrotate/status /etc/logrotate.conf
done
kill "$(cat /run/app.pid)"
ls /var/log/app
APP
# a cron container's table and job, as an image ships them
cat >"$root/var/spool/cron/crontabs/root" <<'CRON'
* * * * * /usr/local/bin/cleanup-job
CRON
cat >"$root/usr/local/bin/cleanup-job" <<'JOB'
#!/bin/sh
# an ordinary housekeeping job: stamp, prune old temporary files, rotate
date >> /var/log/cleanup.log
find /tmp -type f -mmin +60 -delete
logrotate -s /var/lib/logrotate/status /etc/logrotate.conf
echo done >> /var/log/cleanup.log
JOB
chmod 755 "$root/usr/local/bin/app-with-logs" "$root/usr/local/bin/cleanup-job"
chmod 600 "$root/var/spool/cron/crontabs/root"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
tar -C "$root" -c . | docker import - vigil-corpus:test >/dev/null
echo "corpus-image.sh: vigil-corpus:test built"
