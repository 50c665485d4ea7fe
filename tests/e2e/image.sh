#!/bin/sh
# Builds the e2e test image vigil-test:latest with `docker import` from a
# rootfs made here: busybox-static, a static bash, vigil-testbin, chattr and
# split with their libraries, a passwd and a shadow.  Each import is a new image (its own digest), so a second
# TAG gives a distinct image with the same files.
# Usage: image.sh PATH/TO/vigil-testbin [TAG]
set -eu

helper=$1
tag=${2:-vigil-test:latest}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# shellcheck source=tests/e2e/rootfs.sh
. "$(dirname "$0")/rootfs.sh"

mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/mnt" "$root/proc" \
	 "$root/sys" "$root/dev" "$root/work"
chmod 1777 "$root/tmp"
busybox_root
# two programs busybox lacks, with their libraries: chattr and split
prog /usr/bin/chattr /usr/bin/split
cp "$helper" "$root/bin/vigil-testbin"
# a real shell that is not busybox: renamed copies of it must still be a shell
[ -x /bin/bash-static ] && cp /bin/bash-static "$root/bin/bash"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
echo 'root:$6$vigiltest$notarealhash:19000:0:99999:7:::' >"$root/etc/shadow"
chmod 600 "$root/etc/shadow"
ln -s /etc/shadow "$root/etc/shadow-link"
tar -C "$root" -c . | docker import - "$tag" >/dev/null
echo "image.sh: $tag built"
