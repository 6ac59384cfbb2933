#!/bin/sh
# tests/run.sh - every test: the unit tests, then the end-to-end tests, for
# one build and optionally again for a sanitizer build.
#
# Usage: sh tests/run.sh BUILD_DIR [ASAN_BUILD_DIR]
#
# Runs each cmocka binary BUILD_DIR/tests/test_* and adds up its
# "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)" lines; a binary
# that exits non-zero without reporting a failure (a crash, a sanitizer
# abort) counts as one more failure.  Then runs tests/e2e/run.sh and every
# tests/e2e/test_*.sh on BUILD_DIR/licgate and adds their last lines
# ("e2e: N passed, M failed", "schema: N passed, M failed"...).  With
# ASAN_BUILD_DIR, does it all again there under ASan and UBSan settings
# that turn any finding into a failure.
#
# The last line is "check: N passed, M failed"; the exit status is non-zero
# when anything failed.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILD_DIR [ASAN_BUILD_DIR]" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
LOG=$(mktemp "${TMPDIR:-/tmp}/licgate-check.XXXXXX") || exit 2
# No test writes the user's layer cache (~/.cache/licgate).
XDG_CACHE_HOME=$(mktemp -d "${TMPDIR:-/tmp}/licgate-cache.XXXXXX") || exit 2; export XDG_CACHE_HOME
trap 'rm -rf "$LOG" "$XDG_CACHE_HOME"' EXIT
trap 'exit 2' HUP INT TERM

passed=0
failed=0
# cmocka's plain output, whatever the environment asked for.
unset CMOCKA_MESSAGE_OUTPUT CMOCKA_XML_FILE

# count PATTERN: the sum of N over the lines of $LOG matching
# "PATTERN N test(s)".
count() {
	sed -n "s/^.*$1 *\\([0-9][0-9]*\\) test(s).*\$/\\1/p" "$LOG" |
		awk '{ n += $1 } END { print n + 0 }'
}

run_units() { # BUILD_DIR LABEL
	found=0
	for bin in "$1"/tests/test_*; do
		if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
			continue
		fi
		found=1
		name="$2$(basename "$bin")"
		"$bin" >"$LOG" 2>&1 </dev/null
		st=$?
		p=$(count '\[  PASSED  \]')
		f=$(count '\[  FAILED  \]')
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
			failed=$((failed + 1))
			if [ "$st" -ge 128 ]; then
				why="killed by signal $((st - 128))"
			else
				why="exit status $st"
			fi
			echo "FAIL: $name: $why without a test failure (crash?)"
		fi
		[ "$f" -eq 0 ] || echo "FAIL: $name: $f failed, $p passed"
		if [ "$st" -ne 0 ] || [ "$f" -ne 0 ]; then
			sed 's/^/  | /' "$LOG"
		else
			echo "$name: $p passed"
		fi
	done
	[ "$found" = 1 ] || echo "note: no unit test binaries in $1/tests"
}

# run_script SCRIPT BINARY: an end-to-end script that ends with a line
# "NAME: N passed, M failed".
run_script() {
	sh "$1" "$2" >"$LOG" 2>&1 </dev/null
	st=$?
	cat "$LOG"
	line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$LOG" | tail -n 1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		echo "FAIL: $1 ended without its summary line (status $st)"
		return
	fi
	p=$(echo "$line" | sed 's/^[^:]*: \([0-9]*\) passed.*/\1/')
	f=$(echo "$line" | sed 's/.* \([0-9]*\) failed$/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		echo "FAIL: $1 exited $st with no failed case"
	fi
}

# tests/e2e/run.sh (the case table), then any other tests/e2e/test_*.sh.
run_e2e() { # BUILD_DIR
	run_script "$here/e2e/run.sh" "$1/licgate"
	for script in "$here"/e2e/test_*.sh; do
		[ -f "$script" ] || continue
		echo "-- $(basename "$script")"
		run_script "$script" "$1/licgate"
	done
}

echo "== unit tests: $1"
run_units "$1" ""
echo "== end-to-end tests: $1/licgate"
run_e2e "$1"

if [ $# -eq 2 ]; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export ASAN_OPTIONS UBSAN_OPTIONS
	echo "== unit tests (ASan+UBSan): $2"
	run_units "$2" "asan/"
	echo "== end-to-end tests (ASan+UBSan): $2/licgate"
	run_e2e "$2"
fi

echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
