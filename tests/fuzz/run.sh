#!/bin/sh
# Runs each libFuzzer target for SECONDS (default 10) from its seed corpus.
# Prints "fuzz: N passed, N failed" (a target passes if it found no crash).
set -u
dir=$(cd "$(dirname "$0")" && pwd)
bin=$1
secs=${2:-10}
passed=0
failed=0
for f in "$bin"/fuzz_*; do
	t=${f##*/fuzz_}
	work=$(mktemp -d)
	cp "$dir/corpus/$t/"* "$work/" 2>/dev/null
	if "$bin/fuzz_$t" -max_total_time="$secs" -max_len=8192 -artifact_prefix="$work/" \
		"$work" >"$work/log" 2>&1; then
		echo "ok   - fuzz_$t: no crash ($(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/log"))"
		passed=$((passed + 1))
		rm -rf "$work"
	else
		echo "FAIL - fuzz_$t: crash; input and log kept in $work"
		grep -A5 "ERROR\|==ABORT\|runtime error" "$work/log" | head -20
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
