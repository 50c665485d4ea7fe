#!/bin/sh
# The whole suite: unit tests (no root), a short fuzzing pass over the
# parsers, then end-to-end tests (root, BPF, real Docker containers).
# Last line: "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
log=$(mktemp)

tests/run-unit.sh build/tests/test_* | tee "$log"
tests/fuzz/run.sh build/fuzz "${FUZZ_SECONDS:-10}" | tee -a "$log"
tests/e2e/run.sh | tee -a "$log"

passed=0
failed=0
for line in $(sed -n 's/^\(unit\|fuzz\|e2e\): \([0-9]*\) passed, \([0-9]*\) failed$/\2:\3/p' "$log"); do
	passed=$((passed + ${line%%:*}))
	failed=$((failed + ${line##*:}))
done
# a suite that printed no summary counts as a failure
[ "$(grep -cE '^(unit|fuzz|e2e): [0-9]+ passed' "$log")" -eq 3 ] || failed=$((failed + 1))
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
