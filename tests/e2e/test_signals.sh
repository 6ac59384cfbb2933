#!/bin/sh
# test_signals.sh - a scan of standard input interrupted while it is still
# copying its input leaves no temporary file behind.
#
# Usage: sh tests/e2e/test_signals.sh LICGATE_BINARY
#
# Each case starts `licgate scan -` reading a FIFO, with TMPDIR a fresh
# empty directory, writes an archive into the FIFO and keeps it open, so the
# binary is still copying standard input into its spool file.  Once
# /proc/PID/fd shows that file (and that it has no name: O_TMPFILE, or
# unlinked at once) and holds the archive so far, the case sends SIGTERM or
# SIGINT, waits at most 3 s for the process to end with a non-zero status,
# and checks that TMPDIR is still empty and nothing was reported.  Two
# control runs of stand-ins that misbehave (one leaves a named file, one
# ignores the signal) must be caught, so the checks can fail.
#
# Prints "ok - ..." / "not ok - ..." lines, ends with
# "signals: N passed, M failed", and exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_signals.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
archive=$root/tests/fixtures/archives/leak-deleted.docker.tar

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-signals.XXXXXX") || exit 2
tmp=$(cd "$tmp" && pwd -P) # /proc shows real paths
pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	exec 3>&-
	# Only the process this script started, by its id.
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	printf 'ok - %s\n' "$1"
}
not_ok() {
	failed=$((failed + 1))
	printf 'not ok - %s (%s)\n' "$1" "$2"
}
finish() {
	echo "signals: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

if [ ! -x "$bin" ]; then
	not_ok binary "$bin is not an executable file"
	finish
fi
if [ ! -f "$archive" ]; then
	not_ok fixture "$archive is missing (make fixtures)"
	finish
fi
if [ ! -d /proc/self/fd ]; then
	not_ok proc "/proc/PID/fd is needed"
	finish
fi
# A background command of a script starts with SIGINT ignored; give the
# binary the default actions back, as an interactive shell would.  (A
# command prefix, not a function: $! must be the binary's own PID.)
if env --default-signal=INT true 2>/dev/null; then
	DEFSIG="env --default-signal=INT,TERM"
else
	cat >"$tmp/defsig.py" <<'EOF'
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])
EOF
	DEFSIG="python3 $tmp/defsig.py"
fi

size=$(wc -c <"$archive" | tr -d ' ')
gz=$tmp/archive.tar.gz
gzip -n -c "$archive" >"$gz"
n=0

# spool_fds PID DIR: "FD<TAB>TARGET" for each descriptor of PID open on a
# file in DIR.
spool_fds() {
	for _fd in /proc/"$1"/fd/*; do
		_t=$(readlink "$_fd" 2>/dev/null) || continue
		case $_t in "$2"/*) printf '%s\t%s\n' "${_fd##*/}" "$_t" ;; esac
	done
}

# interrupt SIGNAL INPUT WANT PROGRAM...: run `PROGRAM scan -` on INPUT
# written into a FIFO that stays open, interrupt it with SIGNAL once its
# spool file holds WANT bytes; WHY gets what went wrong, or nothing.
interrupt() {
	_sig=$1
	_in=$2
	_want=$3
	shift 3
	n=$((n + 1))
	_d=$tmp/run$n
	mkdir -p "$_d/tmpdir"
	mkfifo "$_d/fifo"
	WHY=
	# shellcheck disable=SC2086 # DEFSIG is a command and its options
	TMPDIR=$_d/tmpdir $DEFSIG "$@" scan - <"$_d/fifo" >"$_d/out" 2>"$_d/err" &
	pid=$!
	# Read-write: opening never blocks, and the FIFO never reaches its end.
	exec 3<>"$_d/fifo"
	cat "$_in" >&3
	# Wait (at most 3 s) for the spool file to hold WANT bytes.
	_i=0
	_seen=
	while [ $_i -lt 60 ]; do
		_fds=$(spool_fds "$pid" "$_d/tmpdir")
		if [ -n "$_fds" ]; then
			_seen=$_fds
			_fd=$(printf '%s\n' "$_fds" | head -n 1 | cut -f1)
			_got=$(stat -L -c %s "/proc/$pid/fd/$_fd" 2>/dev/null || echo 0)
			[ "$_got" -ge "$_want" ] && break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	if ! kill -0 "$pid" 2>/dev/null; then
		WHY="ended before the signal: $(head -c 200 "$_d/err")"
	elif [ -z "$_seen" ]; then
		WHY="no spool file in TMPDIR among its descriptors"
	else
		# Its temporary file must have no name while it runs.
		_named=$(printf '%s\n' "$_seen" | cut -f2 | grep -v ' (deleted)$' | head -n 1)
		[ -z "$_named" ] || WHY="named temporary file $_named"
		[ "$_got" -ge "$_want" ] || WHY="${WHY:+$WHY; }spool file has $_got of $_want bytes"
	fi
	kill "-$_sig" "$pid" 2>/dev/null
	_i=0
	while kill -0 "$pid" 2>/dev/null && [ $_i -lt 60 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		WHY="${WHY:+$WHY; }still running 3 s after SIG$_sig"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	_st=$?
	pid=
	exec 3>&-
	[ "$_st" -ne 0 ] || WHY="${WHY:+$WHY; }exit status 0 after SIG$_sig"
	[ ! -s "$_d/out" ] || WHY="${WHY:+$WHY; }a report on standard output"
	_left=$(find "$_d/tmpdir" -mindepth 1 | head -n 3 | tr '\n' ' ')
	[ -z "$_left" ] || WHY="${WHY:+$WHY; }left in TMPDIR: $_left"
}

case_() { # NAME SIGNAL INPUT WANT
	interrupt "$2" "$3" "$4" "$bin"
	if [ -n "$WHY" ]; then
		not_ok "$1" "$WHY"
	else
		ok "$1"
	fi
}

# A plain archive is copied as it arrives: wait for all of it.  A gzip
# stream is decompressed a buffer at a time, and libarchive waits for more
# input before it writes: the spool file is there, still empty.
case_ sigterm-while-spooling-stdin-leaves-nothing TERM "$archive" "$size"
case_ sigint-while-spooling-stdin-leaves-nothing INT "$archive" "$size"
case_ sigterm-while-spooling-gzip-stdin-leaves-nothing TERM "$gz" 0
case_ sigint-while-spooling-gzip-stdin-leaves-nothing INT "$gz" 0

# Controls: stand-ins that misbehave must fail the same checks.
cat >"$tmp/leaky" <<'EOF'
#!/bin/sh
# Spools to a named file it never removes.
f=$(mktemp "$TMPDIR/licgate-spool.XXXXXX") || exit 2
exec cat >"$f"
EOF
cat >"$tmp/deaf" <<'EOF'
#!/bin/sh
# Spools to an unlinked file, and ignores SIGTERM.
f=$(mktemp "$TMPDIR/licgate-spool.XXXXXX") || exit 2
exec 4>"$f"
rm -f "$f"
trap '' TERM
exec cat >&4
EOF
chmod +x "$tmp/leaky" "$tmp/deaf"

interrupt TERM "$archive" "$size" "$tmp/leaky"
case $WHY in
*"named temporary file"*"left in TMPDIR: "*) ok "control: a named, leftover spool file is caught" ;;
*) not_ok "control: a named, leftover spool file is caught" "checks said: ${WHY:-nothing}" ;;
esac
interrupt TERM "$archive" "$size" "$tmp/deaf"
case $WHY in
*"still running 3 s after SIGTERM"*) ok "control: a process that ignores SIGTERM is caught" ;;
*) not_ok "control: a process that ignores SIGTERM is caught" "checks said: ${WHY:-nothing}" ;;
esac

finish
