#!/bin/sh
# valgrind.sh - the end-to-end suite with licgate under valgrind memcheck.
#
# Usage: sh tests/valgrind.sh BUILD_DIR     (make check-valgrind)
#
# Writes BUILD_DIR/valgrind/licgate and BUILD_DIR/valgrind/tests/spdx_tool,
# two-line wrappers that exec the real binaries under
#
#   valgrind --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite,indirect ...
#
# with each process's report in its own file of BUILD_DIR/valgrind/logs.
# Then runs tests/e2e/run.sh and every tests/e2e/test_*.sh on the wrapper
# in VG_JOBS (2) lanes: run.sh, the longest, in one, the others shared by
# the rest.  A memory error or leak fails its case
# (exit 99 is no status any case expects), and any non-empty report fails
# the whole run and is printed.  LICGATE_SKIP_SLOW=1 is set: test_hostile.sh
# then skips the many-files layer and the bombs (20k files and 64 MiB of
# zeros: minutes under valgrind; they run under ASan in `make check`), and
# the three run.sh cases with TMPDIR a missing directory run without
# valgrind, which cannot start there; test_signals.sh is not run (it looks
# for the spool file among the process's open files, and valgrind keeps an
# unlinked file of its own in TMPDIR).
#
# Last line "valgrind: N passed, M failed"; non-zero exit on any failure.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/valgrind.sh BUILD_DIR" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd) || exit 2
VALGRIND=${VALGRIND:-valgrind}
VG_JOBS=${VG_JOBS:-2}
vg=$build/valgrind
logs=$vg/logs

if ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "not ok - valgrind ($VALGRIND is not installed)"
	echo "valgrind: 0 passed, 1 failed"
	exit 1
fi
rm -rf "$vg"
mkdir -p "$logs" "$vg/tests" "$vg/out" || exit 2

# wrapper REAL OUT: OUT runs REAL under memcheck.  Valgrind itself needs
# a TMPDIR it can write: the cases that point TMPDIR at a missing directory
# (run.sh's spool-tmpdir-missing-*, plain-archive-read-in-place-without-
# tmpdir) run REAL directly.
wrapper() {
	cat >"$2" <<WRAP
#!/bin/sh
if [ -n "\${TMPDIR:-}" ] && [ ! -d "\$TMPDIR" ]; then
	exec "$1" "\$@"
fi
exec $VALGRIND -q --tool=memcheck --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \\
	--track-origins=no --vgdb=no --suppressions=$root/tests/valgrind.supp \\
	--log-file=$logs/$(basename "$1").%p.log "$1" "\$@"
WRAP
	chmod +x "$2"
}
wrapper "$build/licgate" "$vg/licgate"
wrapper "$build/tests/spdx_tool" "$vg/tests/spdx_tool"

LICGATE_SKIP_SLOW=1
export LICGATE_SKIP_SLOW
# The layer cache of every run goes here, never into ~/.cache.
XDG_CACHE_HOME=$vg/cache
export XDG_CACHE_HOME

# A valgrind without openat2 (syscall 437; before 3.21 or so) makes the
# layout backend fall back to O_NOFOLLOW, which refuses every symlink: tell
# test_hostile.sh, so the case that follows a symlink inside a layout
# expects that.  The warning valgrind logs for the syscall is not a finding.
probe=$root/tests/fixtures/hostile/symlink-inside
if [ -d "$probe" ]; then
	"$vg/licgate" scan "$probe" >/dev/null 2>&1
	if grep -qs 'unhandled .*syscall: 437' "$logs"/*; then
		LICGATE_NO_OPENAT2=1
		export LICGATE_NO_OPENAT2
		echo "# valgrind has no openat2: the O_NOFOLLOW fallback is tested"
	fi
fi

# run_lane SCRIPT...: the scripts one after the other; each one's output in
# out/NAME and its exit status in out/NAME.status.
run_lane() {
	for script in "$@"; do
		name=$(basename "$script" .sh)
		sh "$script" "$vg/licgate" >"$vg/out/$name" 2>&1 </dev/null
		echo "$?" >"$vg/out/$name.status"
	done
}

# run.sh (the long one) has a lane of its own; the test_*.sh scripts share
# the other VG_JOBS - 1 lanes, dealt round-robin.
lanes=$((VG_JOBS > 1 ? VG_JOBS - 1 : 1))
i=0
while [ "$i" -lt "$lanes" ]; do
	set --
	n=0
	for script in "$root"/tests/e2e/test_*.sh; do
		[ -f "$script" ] || continue
		# It finds the spool file among the binary's open files, where
		# valgrind keeps its own unlinked file in TMPDIR: it runs under
		# ASan in `make check` only.
		[ "$(basename "$script")" = test_signals.sh ] && continue
		[ $((n % lanes)) -eq "$i" ] && set -- "$@" "$script"
		n=$((n + 1))
	done
	[ "$VG_JOBS" -le 1 ] && [ "$i" -eq 0 ] && set -- "$root/tests/e2e/run.sh" "$@"
	run_lane "$@" &
	i=$((i + 1))
done
[ "$VG_JOBS" -gt 1 ] && run_lane "$root/tests/e2e/run.sh" &
wait

passed=0
failed=0
for out in "$vg"/out/*; do
	case $out in *.status) continue ;; esac
	name=$(basename "$out")
	st=$(cat "$out.status" 2>/dev/null || echo 2)
	line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	grep -E '^(not ok|pending) ' "$out" | sed "s/^/$name: /"
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		echo "FAIL: $name ended without its summary line (status $st)"
		tail -n 5 "$out" | sed 's/^/  | /'
		continue
	fi
	echo "$name: $line"
	p=$(echo "$line" | sed 's/^[^:]*: \([0-9]*\) passed.*/\1/')
	f=$(echo "$line" | sed 's/.* \([0-9]*\) failed$/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		echo "FAIL: $name exited $st with no failed case"
	fi
done

# Every non-empty report is a finding, whatever the scripts said, but for
# valgrind's note about openat2 (see above).
for log in "$logs"/*; do
	[ -f "$log" ] || continue
	sed -i '/WARNING: unhandled amd64-linux syscall: 437$/,/valgrind\.org\/support\/bug_reports/d' "$log"
done
find "$logs" -type f -empty -delete
nlogs=$(find "$logs" -type f | wc -l)
if [ "$nlogs" -gt 0 ]; then
	failed=$((failed + nlogs))
	echo "FAIL: $nlogs valgrind report(s) in $logs:"
	find "$logs" -type f | head -n 5 | while read -r log; do
		echo "== $log"
		head -n 40 "$log"
	done
fi
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
