#!/bin/sh
# install.sh DIR - install the CycloneDX validator (package.json, exactly
# as package-lock.json says: npm ci, no install scripts) into DIR, unless
# it is there already.  Test-only; DIR is under build/ (not committed).
# Exit 0 when DIR/validate.js can run, else non-zero with npm's last words.
set -u
src=$(cd "$(dirname "$0")" && pwd)
dir=$1
if [ -f "$dir/node_modules/@cyclonedx/cyclonedx-library/package.json" ] &&
	cmp -s "$src/package-lock.json" "$dir/package-lock.json"; then
	cp "$src/validate.js" "$dir/"
	exit 0
fi
command -v node >/dev/null 2>&1 || { echo "node is not installed"; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "npm is not installed"; exit 1; }
mkdir -p "$dir" && cp "$src/package.json" "$src/package-lock.json" "$src/validate.js" "$dir/" || exit 1
to=
command -v timeout >/dev/null 2>&1 && to="timeout 90"
(cd "$dir" && NPM_CONFIG_UPDATE_NOTIFIER=false $to npm ci --no-audit --no-fund \
	--ignore-scripts --prefer-offline --fetch-retries=1 --loglevel=error) >"$dir/npm.log" 2>&1 ||
	{ tail -n 5 "$dir/npm.log"; exit 1; }
