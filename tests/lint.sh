#!/bin/sh
# Static checks that fail the build: shellcheck on every shell script,
# cppcheck on the C sources (tests/cppcheck.cfg tells it the libraries'
# macros).  A finding is a failure.  Prints "lint: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0

scripts=$(git ls-files 2>/dev/null | while read -r f; do
	case $f in
	*.sh | bootstrap | .ci/run) echo "$f" ;;
	esac
done)
[ -n "$scripts" ] || scripts="bootstrap .ci/run $(find scripts tests bench -name '*.sh')"
# shellcheck disable=SC2086
if out=$(shellcheck -x -S warning $scripts 2>&1); then
	echo "ok   - shellcheck: $(echo "$scripts" | wc -w) scripts, no findings"
	passed=$((passed + 1))
else
	echo "FAIL - shellcheck"
	echo "$out" | head -40 | sed 's/^/       /'
	failed=$((failed + 1))
fi
if out=$(cppcheck -q --std=c11 --enable=warning,portability --inline-suppr --error-exitcode=1 \
	--library=tests/cppcheck.cfg -Isrc -Isrc/agent -D__x86_64__ src/agent tests/unit tests/fuzz bench 2>&1); then
	echo "ok   - cppcheck: src/agent, tests, bench: no findings"
	passed=$((passed + 1))
else
	echo "FAIL - cppcheck"
	echo "$out" | head -40 | sed 's/^/       /'
	failed=$((failed + 1))
fi
echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
