#!/bin/sh
# Builds the Vigil container image (default vigil:latest) with `docker
# import` from a rootfs that holds only the agent, the libraries it links
# (and the TPM transports tss2 loads at run time), the default rules and
# configuration, and CA certificates for an https webhook.  No base image,
# no shell.  Run as root, after `make`.
#
#   scripts/image.sh [TAG]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/vigil
TAG=${1:-vigil:latest}
[ -x "$BIN" ] || { echo "image: $BIN missing: run make first" >&2; exit 1; }
rootfs=$(mktemp -d /tmp/vigil-image.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT

copy() {	# copy FILE into the rootfs at the same path (symlinks resolved)
	mkdir -p "$rootfs$(dirname "$1")"
	cp -L "$1" "$rootfs$1"
}

mkdir -p "$rootfs/usr/bin" "$rootfs/etc/vigil" "$rootfs/var/lib/vigil" "$rootfs/var/log/vigil" \
	"$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/run"
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/var/lib/vigil" "$rootfs/var/log/vigil"
cp "$BIN" "$rootfs/usr/bin/vigil"
# the libraries the agent links, and the tss2 transports it may dlopen (--tpm)
libs=$(ldd "$BIN" | awk '/=> \// {print $3} /^[[:space:]]*\/.*ld-linux/ {print $1}')
for t in /usr/lib/*/libtss2-tcti-device.so.0 /usr/lib/*/libtss2-tcti-swtpm.so.0 /usr/lib/*/libtss2-tcti-mssim.so.0; do
	[ -e "$t" ] && libs="$libs $t $(ldd "$t" | awk '/=> \// {print $3}')"
done
for l in $(echo "$libs" | tr ' ' '\n' | sort -u); do copy "$l"; done
cp "$ROOT/rules/vigil_rules.yaml" "$rootfs/etc/vigil/vigil_rules.yaml"
# the image's configuration: deploy/vigil.yaml, listening for Prometheus on every address
sed 's/^metrics: 127.0.0.1:9464$/metrics: 0.0.0.0:9464/' "$ROOT/deploy/vigil.yaml" >"$rootfs/etc/vigil/vigil.yaml"
[ -e /etc/ssl/certs/ca-certificates.crt ] && copy /etc/ssl/certs/ca-certificates.crt
echo "root:x:0:0:root:/:/usr/bin/vigil" >"$rootfs/etc/passwd"
echo "root:x:0:" >"$rootfs/etc/group"

tar -C "$rootfs" -c . | docker import \
	-c 'ENTRYPOINT ["/usr/bin/vigil", "run"]' -c 'CMD ["--config", "/etc/vigil/vigil.yaml"]' \
	-c 'EXPOSE 9464' \
	-c "LABEL org.opencontainers.image.title=vigil org.opencontainers.image.version=$("$BIN" --version 2>/dev/null | awk '{print $2}')" \
	- "$TAG" >/dev/null
echo "image: $TAG, $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.1f MB", $1 / 1e6}')"
