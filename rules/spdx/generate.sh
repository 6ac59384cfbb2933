#!/bin/sh
# generate.sh - regenerate the SPDX identifier lists licgate embeds.
#
# Usage: sh rules/spdx/generate.sh [OUTDIR]      (or: make spdx-lists)
#
# Installs the npm packages spdx-license-ids and spdx-exceptions into a
# temporary directory (never into the repository), and writes into OUTDIR
# (default: the directory of this script):
#   licenses.txt               current license ids, one per line
#   deprecated.txt             deprecated license ids, one per line
#   exceptions.txt             current exception ids, one per line
#   exceptions-deprecated.txt  deprecated exception ids, one per line
#   VERSION                    one line: where the lists come from
# Every id is checked against the SPDX idstring syntax (letters, digits,
# '.', '-'), so the data compiled into licgate stays plain ASCII.  The
# files are replaced only when every step succeeded.
#
# Needs: POSIX sh, npm, node.  Environment: NPM (default npm), NODE
# (default node), TMPDIR.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
NPM=${NPM:-npm}
NODE=${NODE:-node}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-spdx.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

"$NPM" install --no-save --no-audit --no-fund --silent --prefix "$tmp" \
	spdx-license-ids spdx-exceptions >&2

mkdir "$tmp/new"
"$NODE" - "$tmp/node_modules" "$tmp/new" <<'EOF'
'use strict';
const fs = require('fs');
const path = require('path');
const [mods, dest] = process.argv.slice(2);

function load(pkg, file) {
	return JSON.parse(fs.readFileSync(path.join(mods, pkg, file), 'utf8'));
}

// One id per line, sorted (ASCII, case-insensitive, then exact) so a
// regeneration diffs cleanly.  Anything that is not an SPDX idstring
// stops the generation: it would end up compiled into licgate.  Only the
// deprecated lists may be empty.
function write(file, ids, mayBeEmpty) {
	for (const id of ids)
		if (typeof id !== 'string' || !/^[A-Za-z0-9.-]{1,95}$/.test(id))
			throw new Error(`${file}: not an SPDX idstring: ${JSON.stringify(id)}`);
	const key = (s) => s.toLowerCase();
	const sorted = [...new Set(ids)].sort((a, b) =>
		key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a < b ? -1 : a > b ? 1 : 0);
	if (sorted.length === 0 && !mayBeEmpty)
		throw new Error(`${file}: empty list`);
	fs.writeFileSync(path.join(dest, file), sorted.map((id) => id + '\n').join(''));
}

const lic = load('spdx-license-ids', 'package.json');
const exc = load('spdx-exceptions', 'package.json');
write('licenses.txt', load('spdx-license-ids', 'index.json'));
write('deprecated.txt', load('spdx-license-ids', 'deprecated.json'), true);
write('exceptions.txt', load('spdx-exceptions', 'index.json'));
write('exceptions-deprecated.txt', load('spdx-exceptions', 'deprecated.json'), true);

// The SPDX License List version, when a package records it (neither did
// as of spdx-license-ids 3.0.24 and spdx-exceptions 2.5.0).
const listVersion = lic.licenseListVersion || exc.licenseListVersion;
const pkgs = `spdx-license-ids ${lic.version}, spdx-exceptions ${exc.version}`;
const line = listVersion ? `SPDX License List ${listVersion} (${pkgs})` : pkgs;
if (!/^[ -~]{1,200}$/.test(line))
	throw new Error(`VERSION: unexpected characters: ${JSON.stringify(line)}`);
fs.writeFileSync(path.join(dest, 'VERSION'), line + '\n');
EOF

mkdir -p "$out"
for f in licenses.txt deprecated.txt exceptions.txt exceptions-deprecated.txt VERSION; do
	cp "$tmp/new/$f" "$out/$f.tmp"
	mv "$out/$f.tmp" "$out/$f"
done
echo "spdx: $(cat "$out/VERSION"): $(wc -l <"$out/licenses.txt") licenses," \
	"$(wc -l <"$out/deprecated.txt") deprecated," \
	"$(wc -l <"$out/exceptions.txt") exceptions" >&2
