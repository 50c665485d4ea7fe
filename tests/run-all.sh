#!/bin/sh
# The whole suite, in order: lint (shellcheck, cppcheck), unit tests (no
# root), a short fuzzing pass over the parsers, the fresh-machine check (a
# pristine Debian 12 chroot builds and unit-tests the repository), then the
# end-to-end tests (root, BPF, real Docker containers).
# Last line: "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
log=$(mktemp)
suites="lint unit fuzz fresh e2e"

# took SUITE START: how long the suite ran, for whoever keeps the run short
took() { echo "# $1: $(($(date +%s) - $2)) s"; }

t=$(date +%s); tests/lint.sh | tee "$log"; took lint "$t"
t=$(date +%s); tests/run-unit.sh build/tests/test_* | tee -a "$log"; took unit "$t"
t=$(date +%s); tests/fuzz/run.sh build/fuzz "${FUZZ_SECONDS:-6}" | tee -a "$log"; took fuzz "$t"
t=$(date +%s)
if [ -n "${VIGIL_SKIP_FRESH:-}" ]; then
	echo "fresh: 0 passed, 0 failed (skipped: VIGIL_SKIP_FRESH is set)" | tee -a "$log"
else
	tests/fresh/run.sh | tee -a "$log"
fi
took fresh "$t"
t=$(date +%s); tests/e2e/run.sh | tee -a "$log"; took e2e "$t"

passed=0
failed=0
for line in $(sed -n 's/^\(lint\|unit\|fuzz\|fresh\|e2e\): \([0-9]*\) passed, \([0-9]*\) failed.*$/\2:\3/p' "$log"); do
	passed=$((passed + ${line%%:*}))
	failed=$((failed + ${line##*:}))
done
# a suite that printed no summary counts as a failure
for s in $suites; do
	grep -Eq "^$s: [0-9]+ passed" "$log" || { echo "$s: printed no summary"; failed=$((failed + 1)); }
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
