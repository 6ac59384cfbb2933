#!/bin/sh
# test_spdx_diff.sh - licgate's SPDX expressions against the npm packages
# spdx-expression-parse (the parse tree) and spdx-satisfies (is an
# expression allowed by a set of licenses).
#
# Usage: sh tests/e2e/test_spdx_diff.sh LICGATE_BINARY|BUILD_DIR
#
# The build directory is the argument when it is a directory, else the
# directory of the licgate binary; its tests/spdx_tool (built by `make unit`
# from tests/tools/spdx_tool.c) is what is tested.  Copies tests/spdx-diff/
# to a temporary directory, installs the exact versions its package-lock.json
# names with `npm ci` (test-only dependencies: licgate never needs them to
# build or run), and runs run.js there, which prints the "ok"/"not ok" lines
# and the summary.  Needs node, npm and the npm registry (or npm's cache):
# without them the test fails ("not ok - npm install"), it never passes
# silently.
#
# Ends with "spdx-diff: N passed, M failed"; exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_spdx_diff.sh LICGATE_BINARY|BUILD_DIR" >&2
	exit 2
fi

# fail WHAT: one failed case, the summary, and out.
fail() {
	echo "not ok - $1"
	echo "spdx-diff: 0 passed, 1 failed"
	exit 1
}

if [ -d "$1" ]; then
	build=$1
else
	build=$(dirname "$1")
fi
build=$(cd "$build" 2>/dev/null && pwd) || fail "no build directory for $1"
tool=$build/tests/spdx_tool
src=$(cd "$(dirname "$0")/../spdx-diff" && pwd) || fail "no tests/spdx-diff"

[ -x "$tool" ] || fail "$tool is not built (make unit builds it)"
command -v node >/dev/null 2>&1 || fail "npm install: node is not installed"
command -v npm >/dev/null 2>&1 || fail "npm install: npm is not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-spdx-diff.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
cp "$src/package.json" "$src/package-lock.json" "$src/run.js" "$tmp/" || exit 2

# npm ci installs exactly the lock file, or fails; no install scripts run.
# The timeout keeps an unreachable registry from hanging the test.
to=
command -v timeout >/dev/null 2>&1 && to="timeout 45"
if ! (cd "$tmp" && NPM_CONFIG_UPDATE_NOTIFIER=false $to npm ci --no-audit \
	--no-fund --ignore-scripts --prefer-offline --fetch-retries=1 \
	--loglevel=error) >"$tmp/npm.log" 2>&1; then
	sed 's/^/# npm: /' "$tmp/npm.log" | tail -n 20
	fail "npm install"
fi

node "$tmp/run.js" "$tool" >"$tmp/out" 2>&1
st=$?
cat "$tmp/out"
if ! tail -n 1 "$tmp/out" | grep -Eq '^spdx-diff: [0-9]+ passed, [0-9]+ failed$'; then
	fail "run.js ended without its summary (exit status $st)"
fi
exit $st
