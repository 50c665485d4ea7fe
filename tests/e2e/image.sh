#!/bin/sh
# Builds the e2e test image vigil-test:latest with `docker import` from a
# rootfs made here: busybox-static, vigil-testbin, a passwd and a shadow.
# Usage: image.sh PATH/TO/vigil-testbin
set -eu

helper=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/mnt" "$root/proc" \
	 "$root/sys" "$root/dev" "$root/work"
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$helper" "$root/bin/vigil-testbin"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
echo 'root:$6$vigiltest$notarealhash:19000:0:99999:7:::' >"$root/etc/shadow"
chmod 600 "$root/etc/shadow"
ln -s /etc/shadow "$root/etc/shadow-link"
tar -C "$root" -c . | docker import - vigil-test:latest >/dev/null
echo "image.sh: vigil-test:latest built"
