# shellcheck shell=sh
# shellcheck disable=SC2154 # $root is the rootfs the sourcing script makes
# Helpers for the e2e image scripts: a rootfs under $root from the host's
# own files.  Sourced by image.sh and corpus-image.sh.

# put FILE...: copies each file (following links) to the same path in the rootfs
put() {
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
}

# prog BINARY...: the binaries, their libraries and the loader
prog() {
	for b in "$@"; do
		[ -x "$b" ] || { echo "$(basename "$0"): $b missing (scripts/deps.sh installs it)" >&2; exit 1; }
		put "$b"
		# shellcheck disable=SC2046 # one library path per word
		put $(ldd "$b" | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }')
	done
}

# busybox_root: busybox-static as /bin/busybox, a link in /bin for each applet
busybox_root() {
	mkdir -p "$root/bin"
	cp /bin/busybox "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
}
