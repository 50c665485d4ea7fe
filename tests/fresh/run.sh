#!/bin/sh
# The fresh-machine check: the README's commands must work on a pristine
# Debian 12 with nothing but the repository.  A debootstrap'd minbase
# chroot gets a copy of the repository (tracked and new files, no build
# output) and runs `./bootstrap` there: every dependency installed by
# scripts/deps.sh from Debian's mirror, the whole build (BPF included,
# -Werror), the unit tests and the fuzz targets.  Docker cannot import
# images inside such a chroot, so the e2e suite runs on the host.
#
# The base rootfs is cached (VIGIL_FRESH_CACHE, default /var/cache/vigil);
# installed packages never are.  Prints "fresh: N passed, N failed".
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${VIGIL_FRESH_CACHE:-/var/cache/vigil}
MIRROR=${VIGIL_FRESH_MIRROR:-http://deb.debian.org/debian}
BASE=$CACHE/bookworm-minbase.tar
start=$(date +%s)

if [ "$(id -u)" != 0 ]; then
	echo "fresh: needs root (debootstrap, chroot)"
	echo "fresh: 0 passed, 1 failed"
	exit 1
fi
work=$(mktemp -d /tmp/vigil-fresh.XXXXXX)
root=$work/root

# Never delete through a mount point: unmount, check, then remove this
# filesystem only.
cleanup() {
	for m in dev sys/kernel/btf proc; do
		umount "$root/$m" 2>/dev/null || true
	done
	if grep -q " $work" /proc/self/mountinfo; then
		echo "fresh: mounts remain under $work; not removing it" >&2
		return
	fi
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT

fail() {
	echo "FAIL - fresh: $1"
	[ -f "$work/log" ] && tail -40 "$work/log" | sed 's/^/       /'
	echo "fresh: 0 passed, 1 failed"
	exit 1
}

if [ ! -s "$BASE" ]; then
	echo "# fresh: debootstrap minbase bookworm (cached in $BASE afterwards)"
	mkdir -p "$CACHE" "$work/base"
	debootstrap --variant=minbase bookworm "$work/base" "$MIRROR" >"$work/log" 2>&1 ||
		fail "debootstrap"
	tar -C "$work/base" -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
	rm -rf --one-file-system "$work/base"
fi
mkdir "$root"
tar -C "$root" -xf "$BASE"

# only the repository: what git tracks or would add, never build output
mkdir "$root/src"
if git -C "$ROOT" rev-parse >/dev/null 2>&1; then
	(cd "$ROOT" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -C "$root/src" -xf -
else
	(cd "$ROOT" && tar --exclude=./build -cf - .) | tar -C "$root/src" -xf -
fi

cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
# BTF alone from /sys: the build makes vmlinux.h from it
mkdir -p "$root/sys/kernel/btf"
mount --bind -o ro /sys/kernel/btf "$root/sys/kernel/btf"
mount --bind /dev "$root/dev"

echo "# fresh: ./bootstrap in the chroot (installs, builds with -Werror, unit tests, fuzz targets)"
if chroot "$root" /bin/sh -c 'cd /src && ./bootstrap WERROR=1 all helpers fuzz-build unit' >"$work/log" 2>&1; then
	grep -E '^unit: ' "$work/log" | sed 's/^/# fresh: /'
	echo "ok   - fresh: a pristine Debian 12 installs, builds and passes the unit tests ($(($(date +%s) - start)) s)"
	echo "fresh: 1 passed, 0 failed"
else
	fail "./bootstrap in a pristine Debian 12 chroot"
fi
