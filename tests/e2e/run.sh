#!/bin/bash
# End-to-end tests: load Vigil's BPF programs, drive real Docker containers,
# assert what Vigil reported.  Needs root and a Docker engine (started here
# if none runs).
#
#   tests/e2e/run.sh [REGEX]    run the families (t_NAME.sh) whose name matches
#
# Each family starts its own agent, so any one runs alone (make e2e ONLY=net).
# Prints "e2e: N passed, N failed" last; exits 1 on any failure.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT

only=${1:-.}
[ "$(id -u)" = 0 ] || { echo "e2e tests need root"; echo "e2e: 0 passed, 1 failed"; exit 1; }
lib_setup
# families in a fixed order: cheap ones first, the long falco pass last
for fam in exec net priv lifecycle seccomp rules technique corpus config evasion filter loss enforce kernel drops outputs runtimes deploy tpm falco; do
	echo "$fam" | grep -Eq "$only" || continue
	# shellcheck source=/dev/null
	. "$ROOT/tests/e2e/t_$fam.sh"
	echo "# family $fam"
	fam_t0=$(date +%s)
	"family_$fam"
	echo "# family $fam: $(($(date +%s) - fam_t0)) s"
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
