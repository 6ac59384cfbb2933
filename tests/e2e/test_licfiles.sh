#!/bin/sh
# test_licfiles.sh - directory license files on images from real builders
# (issue 12): a symlinked LICENSE followed within the image's layers, the
# line of the phrase that identified a license file, and license files
# per image when images share a layer.
#
#   buildah (one layer per instruction, FROM scratch + busybox-static):
#     ee/LICENSE -> ../licenses/BUSL-1.1.txt marks ee/, with the link, the
#     file it leads to, its layer and its line in the text, JSON and SARIF
#     reports, cold and warm alike; the target deleted by a later layer
#     still counts (its bytes ship); dangling, looping and escaping links
#     are no evidence; a target named with escape bytes is printed as data;
#     two images sharing a base layer, only one with ee/LICENSE (BUSL)
#     above it, in one OCI layout: ee/ is denied in that image only,
#     whichever image comes first.
#   umoci: the same two images, built by umoci instead.
#   check-rules --source: a symlinked LICENSE in the checkout, followed as
#     a scan follows it.
#   umoci: a license file a `text` rule identifies names the line of its
#     phrase (JSON, text, SARIF), cold and warm.
#
# Where a builder cannot run (not root, no vfs, no /bin/busybox), its cases
# are skipped with a visible "skip - why".  LICGATE_SKIP_SLOW=1 skips the
# buildah cases.
#
# Usage: sh tests/e2e/test_licfiles.sh [path/to/licgate]
# Ends with "licfiles: N passed, M failed"; exits 1 when anything failed.
set -u

LICGATE=$(cd "$(dirname "${1:-build/licgate}")" && pwd)/$(basename "${1:-build/licgate}")
cd "$(dirname "$0")/../.." || exit 2

passed=0
failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/licgate-licfiles.XXXXXX")
trap '[ -n "${KEEP:-}" ] || { chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"; }' EXIT
trap 'exit 2' HUP INT TERM
XDG_CACHE_HOME=$TMP/xdg
export XDG_CACHE_HOME

ok() { passed=$((passed + 1)); echo "ok - $1"; }
nok() { failed=$((failed + 1)); echo "not ok - $1${2:+ ($2)}"; }
skip() { echo "skip - $1"; }

# check NAME EXPECTED-STATUS JQ-FILTER CMD...: the status, and the JSON on
# stdout satisfies the filter.
check() {
	_name=$1 _want=$2 _jq=$3
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	_st=$?
	if [ "$_st" != "$_want" ]; then
		nok "$_name" "exit $_st, want $_want: $(head -c 300 "$TMP/err")"
	elif [ -n "$_jq" ] && ! jq -e "$_jq" "$TMP/out" >/dev/null 2>&1; then
		nok "$_name" "jq false: $(jq -c '[.violations[]? | [.path, .manifest[7:19]]]' "$TMP/out" 2>/dev/null | head -c 300)"
	else
		ok "$_name"
	fi
}

# same NAME A B: two JSON reports agree but for what says how long the
# scan took or what came from the cache.
strip='del(.summary.seconds, .summary.mb_per_second, .summary.cached_layers,
	.summary.unchanged_blobs, .summary.rejected_cache_entries)
	| walk(if type == "object" then del(.cached, .verified) else . end)'
same() {
	if jq -S "$strip" "$2" >"$TMP/a.json" 2>/dev/null && jq -S "$strip" "$3" >"$TMP/b.json" 2>/dev/null &&
		cmp -s "$TMP/a.json" "$TMP/b.json"; then
		ok "$1"
	else
		nok "$1" "$(diff "$TMP/a.json" "$TMP/b.json" | head -5)"
	fi
}

BUSL='Business Source License 1.1

Parameters

Licensor:             Acme, Inc.
Licensed Work:        Acme Enterprise
Change Date:          2028-01-01'
MIT='MIT License

Copyright (c) 2024 Acme, Inc.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software").'

# --- check-rules --source: a symlinked LICENSE in the checkout ------------------

S=$TMP/source
mkdir -p "$S/ee" "$S/licenses" "$S/up" "$S/gone"
printf '%s\n' "$BUSL" >"$S/licenses/BUSL-1.1.txt"
ln -s ../licenses/BUSL-1.1.txt "$S/ee/LICENSE"
echo x >"$S/ee/sso.js"
ln -s ../../../../../../etc/passwd "$S/up/LICENSE"
echo x >"$S/up/a.js"
ln -s ../licenses/missing.txt "$S/gone/LICENSE"
echo x >"$S/gone/b.js"
check "check-rules --source: a symlinked LICENSE is followed within the tree, as in a scan" 0 \
	'.classes["source-available"] == 1 and (.unknown | index("/app/ee/sso.js")) == null
	 and (.unknown | index("/app/up/a.js")) != null and (.unknown | index("/app/gone/b.js")) != null' \
	"$LICGATE" check-rules --source "$S" --prefix /app --format json rules/default.rules

# --- buildah -------------------------------------------------------------------

. "$(dirname "$0")/buildah-lib.sh"
buildah_base lf-base

# image NAME FROM CONTEXT DOCKERFILE-LINES...: build localhost/NAME.
image() {
	_n=$1 _from=$2 _ctx=$3
	shift 3
	{ echo "FROM $_from"; echo "WORKDIR /app"; for l in "$@"; do echo "$l"; done; } >"$TMP/$_n.Dockerfile"
	bud -t "localhost/$_n" -f "$TMP/$_n.Dockerfile" "$_ctx" >>"$TMP/bud.log" 2>&1
}
# push NAME DIR TAG: into the OCI layout DIR (several images may share it).
push() {
	ba push -q "localhost/$1" "oci:$2:$3" >>"$TMP/bud.log" 2>&1
}

if $buildah_ok; then
	c=$TMP/ctx-link
	mkdir -p "$c/licenses" "$c/ee" "$c/dangling" "$c/loop" "$c/esc" "$c/up" "$c/hostile"
	printf '%s\n' "$BUSL" >"$c/licenses/BUSL-1.1.txt"
	esc=$(printf '\033[31m')
	printf '%s\n' "$BUSL" >"$c/licenses/${esc}EE.txt"
	ln -s "../licenses/${esc}EE.txt" "$c/hostile/LICENSE"
	echo x >"$c/hostile/e.js"
	printf '%s\n' "$MIT" >"$c/LICENSE"
	ln -s ../licenses/BUSL-1.1.txt "$c/ee/LICENSE"
	echo 'module.exports = 1;' >"$c/ee/sso.js"
	ln -s ../licenses/missing.txt "$c/dangling/LICENSE"
	echo x >"$c/dangling/a.js"
	ln -s LICENSE.md "$c/loop/LICENSE"
	ln -s LICENSE "$c/loop/LICENSE.md"
	echo x >"$c/loop/b.js"
	ln -s "$(printf '\033[31m../licenses/BUSL-1.1.txt')" "$c/esc/LICENSE"
	echo x >"$c/esc/c.js"
	ln -s ../../../../../../etc/passwd "$c/up/LICENSE"
	echo x >"$c/up/d.js"
	# npm's SEE LICENSE IN a file that is a symlink
	p=$c/node_modules/@acme/pro
	mkdir -p "$p"
	printf '{"name": "@acme/pro", "version": "1.0.0", "license": "SEE LICENSE IN LICENSE.md"}\n' >"$p/package.json"
	ln -s ../../../licenses/BUSL-1.1.txt "$p/LICENSE.md"
	echo 'module.exports = 2;' >"$p/index.js"
	if image link localhost/lf-base "$c" 'COPY . .' && push link "$TMP/oci-link" latest; then
		L=$TMP/oci-link
		check "symlinked ee/LICENSE -> ../licenses/BUSL-1.1.txt: ee/ is denied, nothing else" 1 \
			'([.violations[].path | select(startswith("/app/node_modules/") | not)] | sort) ==
			 ["/app/ee/sso.js", "/app/hostile/e.js"]' \
			"$LICGATE" scan --no-cache --format json "$L"
		check "npm SEE LICENSE IN LICENSE.md, a symlink to the BUSL text: the package is denied" 1 \
			'[.violations[] | select(.path == "/app/node_modules/@acme/pro/index.js") | .evidence[]
			  | select(.target == "/app/licenses/BUSL-1.1.txt")] | length == 1' \
			"$LICGATE" scan --no-cache --format json "$L"
		check "symlinked license file: evidence names the link, the file, their layers and the line" 1 \
			'.violations[] | select(.path == "/app/ee/sso.js") | .evidence == [.evidence[0]] and (.evidence[0]
			 | .kind == "license-file" and .source == "/app/ee/LICENSE" and .layer_index == 3
			 and .target == "/app/licenses/BUSL-1.1.txt" and .target_layer_index == 3
			 and .identifier == "BUSL-1.1" and .line == 5)' \
			"$LICGATE" scan --no-cache --format json "$L"
		"$LICGATE" scan --no-cache "$L" >"$TMP/text" 2>&1
		if grep -q 'DENY .*/app/ee/sso.js .*license file "BUSL-1.1" in /app/ee/LICENSE (layer 3), a symlink to /app/licenses/BUSL-1.1.txt line 5 (layer 3)' "$TMP/text"; then
			ok "symlinked license file: the text report names the link and the line of the text"
		else
			nok "symlinked license file: the text report names the link and the line of the text" "$(head -3 "$TMP/text")"
		fi
		if grep -q "$(printf '\033')" "$TMP/text" ||
			! grep -q 'DENY .*/app/hostile/e.js .*a symlink to /app/licenses/\\x1b\[31mEE.txt line 5' "$TMP/text"; then
			nok "a hostile link target is printed as data, never raw" "$(grep hostile "$TMP/text" | head -1)"
		else
			ok "a hostile link target is printed as data, never raw"
		fi
		check "SARIF: the link and the line of its text as related locations" 1 \
			'.runs[0].results[] | select(.properties.path == "/app/ee/sso.js") | .relatedLocations == [
			  {"id": 0, "physicalLocation": {"artifactLocation": {"uri": "image/app/ee/LICENSE"}},
			   "message": {"text": "license file (a symlink)"}},
			  {"id": 1, "physicalLocation": {"artifactLocation": {"uri": "image/app/licenses/BUSL-1.1.txt"},
			   "region": {"startLine": 5}}, "message": {"text": "license text"}}]' \
			"$LICGATE" scan --no-cache --format sarif "$L"
		if python3 -c 'import jsonschema' 2>/dev/null; then
			"$LICGATE" scan --no-cache -f sarif="$TMP/l.sarif" -f json="$TMP/l.json" "$L" >/dev/null 2>&1
			if python3 - tests/schemas/sarif-schema-2.1.0.json "$TMP/l.sarif" man/licgate-report.schema.json "$TMP/l.json" <<'PY'
import json, sys, jsonschema
jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
jsonschema.Draft202012Validator(json.load(open(sys.argv[3]))).validate(json.load(open(sys.argv[4])))
PY
			then
				ok "symlinked license file: SARIF and JSON reports valid against their schemas"
			else
				nok "symlinked license file: SARIF and JSON reports valid against their schemas"
			fi
		else
			skip "schemas: python3 jsonschema module missing (Debian: python3-jsonschema)"
		fi
		"$LICGATE" scan --cache-dir "$TMP/cache" --format json "$L" >"$TMP/cold.json" 2>/dev/null
		"$LICGATE" scan --cache-dir "$TMP/cache" --format json "$L" >"$TMP/warm.json" 2>/dev/null
		if jq -e '.summary.cached_layers == 3' "$TMP/warm.json" >/dev/null; then
			same "symlinked license file: a warm scan reports what the cold one did" "$TMP/cold.json" "$TMP/warm.json"
		else
			nok "symlinked license file: the second scan is warm"
		fi
		printf 'license-files off\n' | cat rules/default.rules - >"$TMP/off.rules"
		check "license-files off: no link is followed" 0 '.verdict == "pass"' \
			"$LICGATE" scan --no-cache --rules "$TMP/off.rules" --format json "$L"
	else
		nok "buildah: build the image with symlinked license files" "$(tail -3 "$TMP/bud.log")"
	fi
	# The file the link leads to, deleted by a later layer: its bytes
	# still ship, and so does the code below the link.
	if image linkrm localhost/link "$TMP/ctx-link" 'RUN rm licenses/BUSL-1.1.txt' &&
		push linkrm "$TMP/oci-linkrm" latest; then
		check "the file a LICENSE links to, deleted by a later layer, still counts (fail closed)" 1 \
			'([.violations[].path] | sort) == ["/app/ee/sso.js", "/app/hostile/e.js",
			   "/app/node_modules/@acme/pro/index.js", "/app/node_modules/@acme/pro/package.json"]
			 and (.violations[] | select(.path == "/app/ee/sso.js") | .evidence[0]
			      | .target == "/app/licenses/BUSL-1.1.txt" and .target_layer_index == 3)' \
			"$LICGATE" scan --no-cache --format json "$TMP/oci-linkrm"
	else
		nok "buildah: build the image that deletes the link's target" "$(tail -3 "$TMP/bud.log")"
	fi

	# Two images sharing a base layer; only one has ee/LICENSE above it.
	c=$TMP/ctx-shared
	mkdir -p "$c/app/ee" "$c/lic/ee"
	echo 'module.exports = 1;' >"$c/app/ee/sso.js"
	echo '// SPDX-License-Identifier: MIT' >"$c/app/index.js"
	printf '%s\n' "$BUSL" >"$c/lic/ee/LICENSE"
	if image shared-base localhost/lf-base "$c" 'COPY app/ .' &&
		image community localhost/shared-base "$c" 'RUN echo community >edition' &&
		image enterprise localhost/shared-base "$c" 'COPY lic/ .' &&
		push community "$TMP/oci-ce-first" community && push enterprise "$TMP/oci-ce-first" enterprise &&
		push enterprise "$TMP/oci-ee-first" enterprise && push community "$TMP/oci-ee-first" community; then
		for order in ce-first ee-first; do
			check "two images share a layer, one has ee/LICENSE (BUSL): ee/ denied in that image only ($order)" 1 \
				'.summary.manifests == 2 and [.violations[] | [.path, .layer_index]] == [["/app/ee/sso.js", 3]]
				 and ([.violations[].manifest] | unique | length) == 1
				 and .violations[0].evidence[0].source == "/app/ee/LICENSE"' \
				"$LICGATE" scan --no-cache --format json "$TMP/oci-$order"
			check "... and the image without it passes on its own ($order)" 0 '.verdict == "pass"' \
				"$LICGATE" scan --no-cache --ref community --format json "$TMP/oci-$order"
		done
		ee=$("$LICGATE" scan --no-cache --ref enterprise --format json "$TMP/oci-ee-first" 2>/dev/null |
			jq -r '.violations[0].manifest')
		check "the violation is the enterprise image's" 1 ".violations[0].manifest == \"$ee\"" \
			"$LICGATE" scan --no-cache --format json "$TMP/oci-ce-first"
		"$LICGATE" scan --no-cache "$TMP/oci-ce-first" >"$TMP/text" 2>&1
		if [ "$(grep -c '^DENY ' "$TMP/text")" = 1 ] && grep -q '^DENY .*/app/ee/sso.js.*\[enterprise' "$TMP/text"; then
			ok "text report: one violation, in the enterprise image"
		else
			nok "text report: one violation, in the enterprise image" "$(head -4 "$TMP/text")"
		fi
		"$LICGATE" scan --cache-dir "$TMP/cache2" --format json "$TMP/oci-ee-first" >"$TMP/cold.json" 2>/dev/null
		"$LICGATE" scan --cache-dir "$TMP/cache2" --format json "$TMP/oci-ee-first" >"$TMP/warm.json" 2>/dev/null
		same "shared layer: a warm scan reports what the cold one did" "$TMP/cold.json" "$TMP/warm.json"
	else
		nok "buildah: build two images sharing a layer" "$(tail -3 "$TMP/bud.log")"
	fi
fi

# --- umoci ---------------------------------------------------------------------

# umoci_image TAG FROM PATH=CONTENT...: TAG is FROM plus a layer of those files.
U=$TMP/umoci
ro=
[ "$(id -u)" = 0 ] || ro=--rootless
umoci_image() {
	_t=$1 _f=$2
	shift 2
	rm -rf "$TMP/bundle"
	if [ "$_t" != "$_f" ]; then umoci tag --image "$U:$_f" "$_t" || return 1; fi
	umoci unpack $ro --image "$U:$_t" "$TMP/bundle" >/dev/null || return 1
	for _a in "$@"; do
		mkdir -p "$TMP/bundle/rootfs$(dirname "${_a%%=*}")"
		printf '%s\n' "${_a#*=}" >"$TMP/bundle/rootfs${_a%%=*}"
	done
	umoci repack --image "$U:$_t" "$TMP/bundle" && rm -rf "$TMP/bundle"
}
if ! command -v umoci >/dev/null 2>&1; then
	skip "umoci cases: umoci is missing"
elif ! { umoci init --layout "$U" && umoci new --image "$U:base" &&
	umoci_image base base /app/ee/sso.js=x "/app/index.js=// SPDX-License-Identifier: MIT" &&
	umoci_image community base /app/edition=ce &&
	umoci_image enterprise base "/app/ee/LICENSE=$BUSL" && umoci rm --image "$U:base"; } >"$TMP/umoci.log" 2>&1; then
	skip "umoci cases: umoci cannot build here ($(tail -1 "$TMP/umoci.log"))"
else
	jq '.manifests |= reverse' "$U/index.json" >"$TMP/index.json"
	cp -r "$U" "$TMP/umoci-ee-first"
	cp "$TMP/index.json" "$TMP/umoci-ee-first/index.json"
	for layout in "$U" "$TMP/umoci-ee-first"; do
		check "umoci: two images share a layer, one has ee/LICENSE: ee/ denied in that image only ($(basename "$layout"))" 1 \
			'.summary.manifests == 2 and [.violations[] | [.path, .layer_index]] == [["/app/ee/sso.js", 1]]' \
			"$LICGATE" scan --no-cache --format json "$layout"
	done
	check "umoci: the community image passes" 0 '.verdict == "pass"' \
		"$LICGATE" scan --no-cache --ref community --format json "$U"
fi

# A license file a `text` rule identifies: its evidence names the line
# where the phrase starts, in every report, cold and warm.
T=$TMP/umoci-text
if command -v umoci >/dev/null 2>&1 && umoci init --layout "$T" >/dev/null 2>&1 &&
	umoci new --image "$T:t" >/dev/null 2>&1 && U=$T &&
	umoci_image t t "/app/pro/LICENSE=Acme Pro

These files are licensed under the Acme
Pro Terms, see below." /app/pro/x.js=x >/dev/null 2>&1; then
	printf 'text "Acme Pro Terms" source-available\n' | cat rules/default.rules - >"$TMP/text.rules"
	check "text rule: license-file evidence names the line of the phrase (JSON)" 1 \
		'[.violations[].path] == ["/app/pro/x.js"] and (.violations[0].evidence[0]
		 | .kind == "license-file" and .value == "Acme Pro Terms" and .line == 3
		 and .source == "/app/pro/LICENSE" and (has("target") | not))' \
		"$LICGATE" scan --no-cache --rules "$TMP/text.rules" --format json "$T"
	check "text rule: the SARIF related location is the license file at that line" 1 \
		'.runs[0].results[0].relatedLocations == [{"id": 0, "physicalLocation":
		 {"artifactLocation": {"uri": "image/app/pro/LICENSE"}, "region": {"startLine": 3}},
		 "message": {"text": "license file"}}]' \
		"$LICGATE" scan --no-cache --rules "$TMP/text.rules" --format sarif "$T"
	"$LICGATE" scan --no-cache --rules "$TMP/text.rules" "$T" >"$TMP/text" 2>&1
	if grep -q 'DENY .*/app/pro/x.js .*license file "Acme Pro Terms" in /app/pro/LICENSE line 3 (layer 1) -> source-available' "$TMP/text"; then
		ok "text rule: the text report names the line"
	else
		nok "text rule: the text report names the line" "$(head -2 "$TMP/text")"
	fi
	"$LICGATE" scan --cache-dir "$TMP/cache3" --rules "$TMP/text.rules" --format json "$T" >"$TMP/cold.json" 2>/dev/null
	"$LICGATE" scan --cache-dir "$TMP/cache3" --rules "$TMP/text.rules" --format json "$T" >"$TMP/warm.json" 2>/dev/null
	if jq -e '.summary.cached_layers == 1' "$TMP/warm.json" >/dev/null; then
		same "text rule: a warm scan names the same line" "$TMP/cold.json" "$TMP/warm.json"
	else
		nok "text rule: the second scan is warm"
	fi
else
	skip "text rule cases: umoci is missing or cannot build here"
fi

echo "licfiles: $passed passed, $failed failed"
[ "$failed" = 0 ]
