#!/bin/sh
# test_boundary.sh - rules/truxe.rules on the real Truxe tree's shape: the
# paths of apps/api at v0.5.2 (tests/fixtures/truxe-api-source/paths.txt,
# placeholders for contents) and its own .dockerignore.
#
#   check-rules --source: files per class, unknown files, dead rules,
#     --strict, JSON, .dockerignore as docker applies it;
#   buildah (a real builder, one layer per instruction): the full product,
#     COPY . . then RUN rm -rf of one BSL directory, a Community build that
#     forgot one BSL file, a clean Community build.  Skipped, visibly, where
#     buildah cannot run (not root, no vfs, no /bin/busybox).
#
# Usage: sh tests/e2e/test_boundary.sh [path/to/licgate]
# Ends with "boundary: N passed, M failed"; exits 1 when anything failed.
set -u

LICGATE=$(cd "$(dirname "${1:-build/licgate}")" && pwd)/$(basename "${1:-build/licgate}")
cd "$(dirname "$0")/../.." || exit 2
RULES=rules/truxe.rules
FX=tests/fixtures/truxe-api-source

passed=0
failed=0
skipped=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/licgate-boundary.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
trap 'exit 2' HUP INT TERM

ok() { passed=$((passed + 1)); echo "ok - $1"; }
nok() { failed=$((failed + 1)); echo "not ok - $1${2:+ ($2)}"; }
skip() { skipped=$((skipped + 1)); echo "skip - $1"; }

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
		nok "$_name" "jq false: $_jq"
	else
		ok "$_name"
	fi
}

# tree DIR [EXCLUDE-REGEX]: the source tree, one placeholder per path.
tree() {
	mkdir -p "$1"
	grep -v '^#' "$FX/paths.txt" | { if [ -n "${2:-}" ]; then grep -Ev "$2"; else cat; fi; } |
	while IFS= read -r p; do
		mkdir -p "$1/$(dirname "$p")"
		printf '// placeholder for truxeio/truxe apps/api/%s\n' "$p" >"$1/$p"
	done
	grep -v '^# apps/api/.dockerignore of' "$FX/dockerignore" >"$1/.dockerignore"
}

BSL_RE='^src/(routes|services)/oauth-provider/|^src/services/threat-detection\.js$'
tree "$TMP/full"
tree "$TMP/community" "$BSL_RE"
tree "$TMP/forgot" '^src/(routes|services)/oauth-provider/'

# --- check-rules --source ----------------------------------------------------

check "check-rules: the full tree has the 15 BSL files of the issue" 0 \
	'.classes.BSL == 15 and .prefix == "/app" and .dockerignore == true
	 and (.unknown | length) == 0 and (.classes.unsettled > 0)' \
	"$LICGATE" check-rules --source "$TMP/full" --prefix /app --format json $RULES
check "check-rules: --prefix /app/ is /app" 0 \
	'.files > 150 and .prefix == "/app"' \
	"$LICGATE" check-rules --source "$TMP/full" --prefix /app/ --format json $RULES
"$LICGATE" check-rules --source "$TMP/full" --prefix /app $RULES >"$TMP/text" 2>&1
if grep -q 'quick-reference' "$TMP/text"; then nok "check-rules text: no file listed as unknown"; else ok "check-rules text: no file listed as unknown"; fi
if grep -q '^dead  rules/truxe.rules:[0-9]*: path /app/dist/\*\* matches nothing' "$TMP/text" &&
	! grep -q 'usr|lib' "$TMP/text"; then
	ok "check-rules text: dead rules listed, rules outside /app are not"
else
	nok "check-rules text: dead rules listed, rules outside /app are not"
fi
check "check-rules --no-dockerignore: tests/ and README.md count" 0 \
	'.dockerignore == false and .files > 250' \
	"$LICGATE" check-rules --source "$TMP/full" --prefix /app --no-dockerignore --format json $RULES
check "check-rules --strict: dead rules fail" 1 '.passed == false' \
	"$LICGATE" check-rules --source "$TMP/full" --prefix /app --strict --format json $RULES
# A rules file written for this tree alone passes --strict; one file
# outside every rule fails it.
cat >"$TMP/exact.rules" <<'EOF'
class MIT "Community"
class BSL "Enterprise"
target dockerhub allow MIT deny BSL unknown warn
path /app/**                          MIT
path /app/src/**/oauth-provider/**    BSL
path /app/src/services/threat-detection.js BSL
EOF
check "check-rules --strict: a complete boundary passes" 0 \
	'.passed and .classes.BSL == 15 and (.dead_rules | length) == 0' \
	"$LICGATE" check-rules --source "$TMP/full" --prefix /app --strict --format json "$TMP/exact.rules"
sed 's|^path /app/\*\* *MIT$|path /app/src/** MIT|' "$TMP/exact.rules" >"$TMP/partial.rules"
check "check-rules --strict: an unknown file fails" 1 \
	'(.passed | not) and (.unknown | index("/app/package.json")) != null' \
	"$LICGATE" check-rules --source "$TMP/full" --prefix /app --strict --format json "$TMP/partial.rules"
sed 's|/app/src/\*\*/oauth-provider/\*\*|/app/src/**/oauth-server/**|' "$TMP/exact.rules" >"$TMP/renamed.rules"
check "check-rules --strict: a renamed directory leaves a dead rule" 1 \
	'any(.dead_rules[]; .kind == "path" and .pattern == "/app/src/**/oauth-server/**")' \
	"$LICGATE" check-rules --source "$TMP/full" --prefix /app --strict --format json "$TMP/renamed.rules"
mkdir -p "$TMP/lsrc/ee" "$TMP/lsrc/src"
printf 'Licensor: Acme, Inc.\nLicensed Work: Acme EE\n' >"$TMP/lsrc/ee/LICENSE"
echo x >"$TMP/lsrc/ee/sso.js"
echo '// SPDX-License-Identifier: MIT' >"$TMP/lsrc/src/a.js"
check "check-rules: a directory's license file is evidence in the source too" 0 \
	'.classes == {"source-available": 1, "permissive": 1} and .license_files == 1 and .unknown == []' \
	"$LICGATE" check-rules --source "$TMP/lsrc" --prefix /app --format json rules/default.rules
check "check-rules: a missing source exits 2" 2 '' \
	"$LICGATE" check-rules --source "$TMP/nonexistent" $RULES

# --- the README's demo output is what `make demo` prints ----------------------
sed -n '/^\$ \.\/licgate scan --rules rules\/truxe.rules --target dockerhub tests\/fixtures\/oci\/truxe-api$/,/^```$/p' README.md |
	sed '1d;$d' | sed 's/ in [0-9.]* s ([0-9.]* MB\/s uncompressed.*//' >"$TMP/readme-demo"
"$LICGATE" scan --no-cache --rules $RULES --target dockerhub tests/fixtures/oci/truxe-api 2>/dev/null |
	sed 's/ in [0-9.]* s ([0-9.]* MB\/s uncompressed.*//' >"$TMP/demo"
if [ -s "$TMP/demo" ] && cmp -s "$TMP/readme-demo" "$TMP/demo"; then
	ok "README: the demo output is the scan's"
else
	nok "README: the demo output is the scan's" "$(diff "$TMP/readme-demo" "$TMP/demo" | head -5)"
fi

# --- buildah -----------------------------------------------------------------

. "$(dirname "$0")/buildah-lib.sh"
buildah_base truxe-base

# image NAME CONTEXT DOCKERFILE-LINES...: build and write an OCI layout.
image() {
	_n=$1 _ctx=$2
	shift 2
	{ echo "FROM localhost/truxe-base"; echo "WORKDIR /app"; for l in "$@"; do echo "$l"; done; } >"$TMP/$_n.Dockerfile"
	bud -t "localhost/$_n" -f "$TMP/$_n.Dockerfile" "$_ctx" >>"$TMP/bud.log" 2>&1 &&
		buildah --root "$BR" --runroot "$BR/run" --storage-driver vfs push -q "localhost/$_n" "oci:$TMP/oci-$_n:latest" >>"$TMP/bud.log" 2>&1
}

if $buildah_ok; then
	if image full "$TMP/full" 'COPY . .'; then
		check "buildah full product: every BSL file is reported" 1 \
			'([.violations[].path] | sort) == ([.violations[].path] | unique)
			 and (.violations | length) == 15
			 and any(.violations[]; .path == "/app/src/services/threat-detection.js")
			 and ([.violations[] | select(.path | startswith("/app/src/routes/oauth-provider/"))] | length) == 5
			 and any(.violations[]; .path == "/app/src/services/oauth-provider/quick-reference.md")
			 and ([.warnings[].path] | index("/app/src/middleware/rbac.js")) != null' \
			"$LICGATE" scan --no-cache --rules $RULES --target dockerhub --format json "$TMP/oci-full"
		check "buildah full product: README.md and tests/ stayed out (.dockerignore)" 1 \
			'([.. | objects | select(has("path")) | .path] | map(select(. == "/app/README.md" or startswith("/app/tests/"))) | length) == 0' \
			"$LICGATE" scan --no-cache --rules $RULES --target dockerhub --format json "$TMP/oci-full"
		check "buildah full product: passes for ghcr" 0 '.verdict == "pass"' \
			"$LICGATE" scan --no-cache --rules $RULES --target ghcr --format json "$TMP/oci-full"
		check "buildah full product: the admin target fails on any file" 1 \
			'(.violations | length) > 150 and .verdict == "fail"' \
			"$LICGATE" scan --no-cache --rules $RULES --target dockerhub-admin --format json "$TMP/oci-full"
	else
		nok "buildah: build the full product" "$(tail -3 "$TMP/bud.log")"
	fi
	if image rmrf "$TMP/full" 'COPY . .' 'RUN rm -rf src/routes/oauth-provider'; then
		check "buildah COPY . . then RUN rm -rf: the rest reported, the removed ones as deleted" 1 \
			'(.violations | length) == 15
			 and ([.violations[] | select(.deleted)] | length) == 5
			 and all(.violations[] | select(.deleted); (.path | startswith("/app/src/routes/oauth-provider/")) and .deleted_by == .layer_index + 1)
			 and any(.violations[]; .path == "/app/src/services/threat-detection.js" and (.deleted | not))' \
			"$LICGATE" scan --no-cache --rules $RULES --target dockerhub --format json "$TMP/oci-rmrf"
	else
		nok "buildah: build COPY . . + RUN rm -rf" "$(tail -3 "$TMP/bud.log")"
	fi
	if image forgot "$TMP/forgot" 'COPY . .'; then
		check "buildah Community build that forgot threat-detection.js: reported" 1 \
			'[.violations[].path] == ["/app/src/services/threat-detection.js"]' \
			"$LICGATE" scan --no-cache --rules $RULES --target dockerhub --format json "$TMP/oci-forgot"
	else
		nok "buildah: build the forgetful Community image" "$(tail -3 "$TMP/bud.log")"
	fi
	if image community "$TMP/community" 'COPY . .'; then
		check "buildah clean Community build: passes with zero violations" 0 \
			'.verdict == "pass" and (.violations | length) == 0' \
			"$LICGATE" scan --no-cache --rules $RULES --target dockerhub --format json "$TMP/oci-community"
	else
		nok "buildah: build the clean Community image" "$(tail -3 "$TMP/bud.log")"
	fi
fi

# --- directory license files ---------------------------------------------------
# Built-in rules, no configuration: an ee/ directory holding the BUSL-1.1
# text marks what is below it.

BUSL='License text copyright (c) 2017 MariaDB Corporation Ab, All Rights Reserved.
"Business Source License" is a trademark of MariaDB Corporation Ab.

Parameters

Licensor:             Acme, Inc.
Licensed Work:        Acme Enterprise. The Licensed Work is (c) 2024 Acme, Inc.
Change Date:          2028-01-01
Change License:       Apache License, Version 2.0'
MIT='MIT License

Copyright (c) 2024 Acme, Inc.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction.'
ELASTIC='Elastic License 2.0

URL: https://www.elastic.co/licensing/elastic-license

## Acceptance

By using the software, you agree to all of the terms and conditions below.'
EE='The Acme Enterprise Edition (EE) license (the \xe2\x80\x9cEE License\xe2\x80\x9d)

With regard to the Acme Software: this software may only be used in
production if you (and any entity that you represent) have agreed to the
Acme Subscription Terms.'

# ctx NAME FILE=CONTENT...: a build context.
ctx() {
	_d=$TMP/ctx-$1
	shift
	mkdir -p "$_d"
	for _a in "$@"; do
		mkdir -p "$_d/$(dirname "${_a%%=*}")"
		printf '%b\n' "${_a#*=}" >"$_d/${_a%%=*}"
	done
	echo "$_d"
}

if $buildah_ok; then
	c=$(ctx ee "ee/LICENSE=$BUSL" "ee/sso.js=module.exports = 1;" "ee/billing/plan.js=x" "index.js=// SPDX-License-Identifier: MIT")
	if image ee "$c" 'COPY . .'; then
		check "license file: ee/LICENSE (BUSL-1.1 text) marks ee/ with the built-in rules" 1 \
			'([.violations[].path] | sort) == ["/app/ee/billing/plan.js", "/app/ee/sso.js"]
			 and all(.violations[]; any(.evidence[]; .kind == "license-file" and .source == "/app/ee/LICENSE"
			     and .identifier == "BUSL-1.1" and .layer_index == 3 and .class == "source-available"))' \
			"$LICGATE" scan --no-cache --format json "$TMP/oci-ee"
		"$LICGATE" scan --no-cache "$TMP/oci-ee" >"$TMP/text" 2>&1
		if grep -q 'DENY .*/app/ee/sso.js .*license file "BUSL-1.1" in /app/ee/LICENSE line 6 (layer 3)' "$TMP/text"; then
			ok "license file: the text report names it, its line and its layer"
		else
			nok "license file: the text report names it, its line and its layer" "$(head -3 "$TMP/text")"
		fi
		printf 'license-files off\n' | cat rules/default.rules - >"$TMP/off.rules"
		check "license file: license-files off turns it off" 0 '.verdict == "pass"' \
			"$LICGATE" scan --no-cache --rules "$TMP/off.rules" --format json "$TMP/oci-ee"
	else
		nok "buildah: build ee" "$(tail -3 "$TMP/bud.log")"
	fi
	c=$(ctx split "ee/LICENSE_EE.md=$EE" "ee/sso.js=x")
	if image split "$c" 'COPY ee/LICENSE_EE.md ee/' 'COPY ee/sso.js ee/' 'RUN rm ee/LICENSE_EE.md'; then
		check "license file: a LICENSE of a lower layer governs a file added above, even once deleted" 1 \
			'[.violations[].path] == ["/app/ee/sso.js"] and (.violations[0].evidence[0]
			 | .kind == "license-file" and .identifier == "LicenseRef-Enterprise" and .layer_index == 3)' \
			"$LICGATE" scan --no-cache --format json "$TMP/oci-split"
	else
		nok "buildah: build split" "$(tail -3 "$TMP/bud.log")"
	fi
	c=$(ctx xpack "x-pack/LICENSE.txt=$ELASTIC" "x-pack/ml.js=x" "x-pack/oss/LICENSE=$MIT" "x-pack/oss/util.js=x")
	if image xpack "$c" 'COPY . .'; then
		check "license file: a deeper MIT oss/LICENSE overrides x-pack's Elastic-2.0" 1 \
			'[.violations[].path] == ["/app/x-pack/ml.js"]' \
			"$LICGATE" scan --no-cache --format json "$TMP/oci-xpack"
	else
		nok "buildah: build xpack" "$(tail -3 "$TMP/bud.log")"
	fi
	c=$(ctx dual "LICENSE=Dual licensed: parts under MIT, parts under the Business Source License 1.1.\n\n$MIT\n\n$BUSL" \
		"LICENSE-BSL=$BUSL" "LICENSE-MIT=$MIT" "src/a.js=x" "ee/index.js=export * from '../src/a';")
	if image dual "$c" 'COPY . .'; then
		check "license file: a dual-license root (several licenses) gives no class; no license file is a violation" 0 \
			'.verdict == "pass" and (.violations | length) == 0' \
			"$LICGATE" scan --no-cache --format json "$TMP/oci-dual"
		printf 'text "Business Source License" source-available\n' | cat rules/default.rules - >"$TMP/mention.rules"
		check "license file: a root LICENSE that mentions the BSL is not itself a violation" 0 \
			'.verdict == "pass"' \
			"$LICGATE" scan --no-cache --rules "$TMP/mention.rules" --format json "$TMP/oci-dual"
	else
		nok "buildah: build dual" "$(tail -3 "$TMP/bud.log")"
	fi
	c=$(ctx npm "node_modules/@acme/pro/package.json={\"name\": \"@acme/pro\", \"license\": \"SEE LICENSE IN LICENSE.md\"}" \
		"node_modules/@acme/pro/LICENSE.md=$BUSL" "node_modules/@acme/pro/index.js=x" \
		"node_modules/left-pad/package.json={\"name\": \"left-pad\", \"license\": \"WTFPL\"}" \
		"node_modules/left-pad/index.js=x")
	if image npm "$c" 'COPY . .'; then
		check "license file: npm SEE LICENSE IN LICENSE.md is read like a license file" 1 \
			'[.violations[].path] == ["/app/node_modules/@acme/pro/index.js", "/app/node_modules/@acme/pro/package.json"]
			 and all(.violations[]; .evidence == [.evidence[0]] and .evidence[0].kind == "license-file"
			     and .evidence[0].source == "/app/node_modules/@acme/pro/LICENSE.md")' \
			"$LICGATE" scan --no-cache --format json "$TMP/oci-npm"
	else
		nok "buildah: build npm" "$(tail -3 "$TMP/bud.log")"
	fi
	c=$(ctx pathwins "ee/LICENSE=$BUSL" "ee/shim.js=x" "ee/own.js=// SPDX-License-Identifier: MIT")
	if image pathwins "$c" 'COPY . .'; then
		printf 'path /app/ee/shim.js permissive\n' | cat rules/default.rules - >"$TMP/path.rules"
		check "license file: a file's own tag and a path rule are stronger" 0 '.verdict == "pass"' \
			"$LICGATE" scan --no-cache --rules "$TMP/path.rules" --format json "$TMP/oci-pathwins"
		check "license file: cold and warm scans agree" 1 \
			'[.violations[].path] == ["/app/ee/shim.js"]' \
			sh -c '"$1" scan --cache-dir "$2" --format json "$3" >/dev/null; "$1" scan --cache-dir "$2" --format json "$3"' \
			sh "$LICGATE" "$TMP/cache" "$TMP/oci-pathwins"
	else
		nok "buildah: build pathwins" "$(tail -3 "$TMP/bud.log")"
	fi
fi

echo "boundary: $passed passed, $failed failed"
[ "$failed" = 0 ]
