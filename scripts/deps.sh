#!/bin/sh
# Installs what Vigil needs to build, run and test on Debian 12, from
# nothing (a debootstrap minbase has neither make nor a compiler).
# Quiet and quick when everything is already there.  Services the packages
# bring (nginx, docker) are not started: the tests start what they need.
set -eu

# build: toolchain, BPF, the libraries the agent links
BUILD="make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev
       libjansson-dev libcurl4-openssl-dev libseccomp-dev libcap-dev uthash-dev
       libyaml-dev libarchive-dev libcapstone-dev libsodium-dev libmicrohttpd-dev libssl-dev libtss2-dev"
# tests: cmocka, libFuzzer and sanitizer runtimes, the static test helper,
# the e2e tools and images (Prometheus, rsyslog, Graphviz and Chromium for
# the output tests, swtpm for the TPM tests, podman and containerd for the
# runtime tests), the fresh-machine check, the linters
TEST="libcmocka-dev libclang-rt-14-dev liburing-dev docker.io busybox-static bash-static nginx-light
      jq curl iproute2 bc debootstrap shellcheck cppcheck prometheus rsyslog graphviz chromium tmux
      swtpm swtpm-tools tpm2-tools podman containerd python3-yaml systemd tcc logrotate e2fsprogs coreutils"

missing=""
for p in $BUILD $TEST; do
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
# no service starts during the install (invoke-rc.d asks policy-rc.d)
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
fi
trap '[ -n "$own_policy" ] && rm -f "$policy"' EXIT
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
