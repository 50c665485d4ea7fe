#!/bin/sh
# Installs what Vigil needs to build, run and test on Debian 12.
# Quiet and quick when everything is already there.
set -eu

PKGS="clang llvm make gcc pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
      libjansson-dev libcurl4-openssl-dev libseccomp-dev libcap-dev uthash-dev
      libcmocka-dev liburing-dev libcapstone-dev libarchive-dev docker.io busybox-static
      jq curl iproute2 bc"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
