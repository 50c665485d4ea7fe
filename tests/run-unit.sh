#!/bin/sh
# Runs the cmocka unit-test binaries given as arguments and sums their
# results.  Prints "unit: N passed, N failed"; exits 1 on any failure.
set -u
passed=0
failed=0
skipped=
nskip=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	echo "$out" | grep -E '^\[ +(OK|FAILED|ERROR|SKIPPED) +\]|^\[  (PASSED|FAILED)  \]|ERROR|runtime error|Sanitizer' | sed "s|^|$(basename "$t"): |"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	k=$(echo "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -1)
	nskip=$((nskip + ${k:-0}))
	p=${p:-0}
	f=${f:-0}
	# a crash or sanitizer report fails the binary even if cmocka counted passes
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if echo "$out" | grep -q "runtime error\|Sanitizer"; then f=$((f + 1)); fi
	passed=$((passed + p))
	failed=$((failed + f))
done
[ "$nskip" -gt 0 ] && skipped=$nskip
echo "unit: $passed passed, $failed failed${skipped:+ ($skipped skipped)}"
[ "$failed" -eq 0 ]
