#!/bin/sh
# test_daemon.sh - docker-daemon: end to end, on unix sockets in the
# scratch directory.
#
# Usage: sh tests/e2e/test_daemon.sh LICGATE_BINARY
#
# A stub engine (tests/tools/daemon_stub.py) replays `docker save`
# streams: the legacy form and Docker 25's OCI layout plus manifest.json
# give the verdict of scanning the same archive from a file; the name asked
# for is the normalized reference; a stream cut short, an engine error
# written after the 200, and an unknown image exit 2 with the reason; the
# engine is found through DOCKER_HOST=unix://, and, with no engine anywhere,
# the error says where licgate looked.  Then podman's own service (vfs
# storage, its socket in the scratch directory) where it starts: an image
# built from a fixture and pushed into it is scanned like the fixture;
# skipped visibly where podman cannot run.  LICGATE_SKIP_SLOW=1 skips
# podman.
#
# Prints "ok - ..." / "not ok - ..." lines, ends with
# "daemon: N passed, M failed", and exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_daemon.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
# The demo's boundary: truxe-api fails it (exit 1), as make demo shows.
RULES="--rules $root/rules/truxe.rules --target dockerhub"
ar=$root/tests/fixtures/archives
tools=$root/tests/tools

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1${2:+ ($2)}"; }
skip() { echo "skip - $1"; }
check() { if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }
finish() {
	echo "daemon: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

if ! command -v python3 >/dev/null 2>&1; then
	skip "all daemon cases: python3 is not installed"
	finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-daemon.XXXXXX") || exit 2
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	chmod -R u+w "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
HOME=$tmp/home
XDG_CACHE_HOME=$tmp/cache
XDG_RUNTIME_DIR=$tmp/run
unset DOCKER_HOST DOCKER_CONFIG
export HOME XDG_CACHE_HOME XDG_RUNTIME_DIR
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"

scan() { # NAME ARGS...
	name=$1
	shift
	"$bin" scan --no-cache $RULES "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	st=$?
}
verdicts() { grep -E '^(DENY|WARN|FAIL|PASS)' "$1" | sed 's/ in [0-9.]* s (.*//'; }

engine() { # NAME SAVE MODE: a stub engine at $tmp/NAME.sock
	python3 "$tools/daemon_stub.py" "$tmp/$1.sock" "$2" "$3" 2>"$tmp/$1.log" &
	pids="$pids $!"
	i=0
	while [ ! -S "$tmp/$1.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

for form in truxe-api.docker.tar docker25-tagged.tar; do
	scan "file-$form" "$ar/$form"
	want=$st
	engine "n-$form" "$ar/$form" normal
	DOCKER_HOST=unix://$tmp/n-$form.sock scan "d-$form" docker-daemon:truxe/api:2.4.0
	[ $st -eq "$want" ] && [ "$(verdicts "$tmp/d-$form.out")" = "$(verdicts "$tmp/file-$form.out")" ]
	check "$form from the engine: the verdict of the same archive from a file" $? \
		"status $st, want $want: $(cat "$tmp/d-$form.err")"
done
[ "$(head -n 1 "$tmp/n-truxe-api.docker.tar.sock.names")" = docker.io/truxe/api:2.4.0 ]
check "the engine is asked for the normalized name" $? "$(cat "$tmp/n-truxe-api.docker.tar.sock.names")"
id=sha256:$(printf '%064d' 7)
DOCKER_HOST=unix://$tmp/n-truxe-api.docker.tar.sock scan by-id "docker-daemon:$id"
[ $st -eq 1 ] && [ "$(tail -n 1 "$tmp/n-truxe-api.docker.tar.sock.names")" = "$id" ]
check "docker-daemon:sha256:ID asks for the image ID" $? "status $st: $(cat "$tmp/by-id.err")"

# DOCKER_HOST=tcp://, plain (no DOCKER_TLS_VERIFY)
python3 "$tools/daemon_stub.py" "tcp:$tmp/tcp.port" "$ar/truxe-api.docker.tar" normal 2>"$tmp/tcp.log" &
pids="$pids $!"
i=0
while [ ! -s "$tmp/tcp.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
DOCKER_HOST=tcp://127.0.0.1:$(cat "$tmp/tcp.port") scan tcp docker-daemon:truxe/api:2.4.0
[ $st -eq 1 ] && [ "$(verdicts "$tmp/tcp.out")" = "$(verdicts "$tmp/file-truxe-api.docker.tar.out")" ]
check "DOCKER_HOST=tcp://HOST:PORT" $? "status $st: $(cat "$tmp/tcp.err")"
DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$tmp/nocerts DOCKER_HOST=tcp://127.0.0.1:$(cat "$tmp/tcp.port") \
	scan tcp-tls docker-daemon:truxe/api:2.4.0
check "DOCKER_TLS_VERIFY=1 against a plain engine: exit 2" $((st != 2)) "status $st: $(cat "$tmp/tcp-tls.err")"

engine cut "$ar/truxe-api.docker.tar" truncated
DOCKER_HOST=unix://$tmp/cut.sock scan cut docker-daemon:app
[ $st -eq 2 ] && grep -q 'cut short' "$tmp/cut.err"
check "a stream cut short: exit 2" $? "status $st: $(cat "$tmp/cut.err")"

engine err "$ar/truxe-api.docker.tar" error
DOCKER_HOST=unix://$tmp/err.sock scan err docker-daemon:app
[ $st -eq 2 ] && grep -q 'no space left on device' "$tmp/err.err"
check "an engine error after the 200: exit 2, its message" $? "status $st: $(cat "$tmp/err.err")"

engine missing "$ar/truxe-api.docker.tar" missing
DOCKER_HOST=unix://$tmp/missing.sock scan missing docker-daemon:nosuch
[ $st -eq 2 ] && grep -q 'No such image' "$tmp/missing.err"
check "an unknown image: exit 2, the engine's message" $? "status $st: $(cat "$tmp/missing.err")"

# Found without DOCKER_HOST at $XDG_RUNTIME_DIR/podman/podman.sock
mkdir -p "$XDG_RUNTIME_DIR/podman"
python3 "$tools/daemon_stub.py" "$XDG_RUNTIME_DIR/podman/podman.sock" "$ar/truxe-api.docker.tar" normal \
	2>/dev/null &
pids="$pids $!"
i=0
while [ ! -S "$XDG_RUNTIME_DIR/podman/podman.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -S /var/run/docker.sock ]; then
	skip "the socket search order: /var/run/docker.sock exists here"
else
	scan found docker-daemon:app
	check "the engine found at \$XDG_RUNTIME_DIR/podman/podman.sock" $((st != 1)) "status $st: $(cat "$tmp/found.err")"
	rm -f "$XDG_RUNTIME_DIR/podman/podman.sock"
	if [ ! -S /run/podman/podman.sock ]; then
		scan none docker-daemon:app
		[ $st -eq 2 ] && grep -q 'no Docker or Podman engine' "$tmp/none.err"
		check "no engine anywhere: exit 2, where it looked" $? "status $st: $(cat "$tmp/none.err")"
	fi
fi

DOCKER_HOST=ftp://x scan badhost docker-daemon:app
[ $st -eq 2 ] && grep -q 'DOCKER_HOST' "$tmp/badhost.err"
check "a DOCKER_HOST licgate cannot use: exit 2" $? "status $st"

# ---- podman system service ------------------------------------------------
if [ "${LICGATE_SKIP_SLOW:-0}" = 1 ]; then
	skip "podman system service (LICGATE_SKIP_SLOW=1)"
elif ! command -v podman >/dev/null 2>&1; then
	skip "podman system service: podman is not installed"
else
	P="podman --root $tmp/pr --runroot $tmp/prun --storage-driver vfs --tmpdir $tmp/ptmp"
	mkdir -p "$tmp/ptmp"
	$P load -i "$ar/truxe-api.docker.tar" >"$tmp/pload.log" 2>&1
	loaded=$?
	$P system service --time 0 "unix://$tmp/podman.sock" >"$tmp/pservice.log" 2>&1 &
	ppid_=$!
	pids="$pids $ppid_"
	i=0
	while [ ! -S "$tmp/podman.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if [ $loaded -ne 0 ] || [ ! -S "$tmp/podman.sock" ]; then
		skip "podman system service does not start here: $(tail -n 1 "$tmp/pload.log" "$tmp/pservice.log" | tr '\n' ' ')"
	else
		pname=$($P images --format '{{.Repository}}:{{.Tag}}' | head -n 1)
		scan file-podman "$ar/truxe-api.docker.tar"
		want=$st
		DOCKER_HOST=unix://$tmp/podman.sock scan podman "docker-daemon:$pname"
		[ $st -eq "$want" ] && [ "$(verdicts "$tmp/podman.out")" = "$(verdicts "$tmp/file-podman.out")" ]
		check "podman system service: $pname scanned as the archive it was loaded from" $? \
			"status $st: $(cat "$tmp/podman.err")"
	fi
fi

finish
