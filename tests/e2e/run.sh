#!/bin/sh
# tests/e2e/run.sh - run the real licgate binary over the fixtures.
#
# Usage: sh tests/e2e/run.sh LICGATE_BINARY
#
# Each case runs the binary once, in a scratch directory removed on exit,
# and checks its exit status AND what it said: the JSON report through jq,
# the text report and stderr through grep -E.  One line per case,
# "ok - NAME" or "not ok - NAME (why)", then "e2e: N passed, M failed";
# the exit status is non-zero when any case failed.
#
# Adding a case: one `t` call in the table below.
#
#   t NAME [CHECK...] -- ARG...     run `licgate ARG...` (from the top of
#                                   the repository) and apply the checks:
#     -x N        the exit status is N (every case says which)
#     -j EXPR     jq EXPR on the report (standard output) prints exactly true
#     -o ERE      the report has a line matching ERE
#     -O ERE      ... and no line matching ERE
#     -e ERE      standard error has a line matching ERE
#     -E ERE      ... and no line matching ERE
#     -n          nothing on standard output
#     -1          standard error is exactly one line, "licgate: ..."
#     -R FILE     the report is FILE, not standard output (for --output)
#     -V VAR=VAL  run with this in the environment
#     -P CMD      standard input is a pipe from `sh -c CMD` (default: /dev/null)
#
# A binary that dies of a signal, times out, or prints a sanitizer report
# fails its case whatever the checks say.

# shellcheck disable=SC2086 # $SCAN, $OCI and friends split on purpose
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 LICGATE_BINARY" >&2
	exit 2
fi
case $1 in
/*) LICGATE=$1 ;;
*) LICGATE=$(pwd)/$1 ;;
esac
cd "$(dirname "$0")/../.." || exit 2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/licgate-e2e.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
trap 'exit 2' HUP INT TERM
# The layer cache lives in the scratch directory, never in ~/.cache.
XDG_CACHE_HOME=$WORK/cache; export XDG_CACHE_HOME

passed=0
failed=0
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 300"

ok() {
	passed=$((passed + 1))
	printf 'ok - %s\n' "$1"
}

not_ok() {
	failed=$((failed + 1))
	printf 'not ok - %s (%s)\n' "$1" "$2"
	# Enough of what the binary said to see why, as TAP comments.
	if [ -s "$WORK/err" ]; then
		head -n 5 "$WORK/err" | sed 's/^/#   stderr: /'
	fi
}

# crashed STATUS: why the last run counts as a crash, or nothing.
crashed() {
	if [ "$1" -eq 124 ] && [ -n "$TIMEOUT" ]; then
		echo "timed out"
	elif [ "$1" -ge 128 ]; then
		echo "killed by signal $(($1 - 128))"
	elif grep -Eq 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$WORK/err"; then
		echo "sanitizer: $(grep -Em1 'Sanitizer|runtime error:' "$WORK/err")"
	fi
}

t() {
	_name=$1
	shift
	_checks=$WORK/checks
	: >"$_checks"
	_env=
	_report=$WORK/out
	_want=
	_pipe=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case $1 in
		-x) _want=$2 ;;
		-R) _report=$2 ;;
		-V) _env="$_env $2" ;;
		-P) _pipe=$2 ;;
		-n | -1)
			printf '%s\t\n' "${1#-}" >>"$_checks"
			shift
			continue
			;;
		-j | -o | -O | -e | -E)
			# one check per line: a multi-line jq program becomes one line
			printf '%s\t%s\n' "${1#-}" "$(printf '%s' "$2" | tr '\n' ' ')" >>"$_checks"
			;;
		*)
			not_ok "$_name" "bad test: unknown check $1"
			return
			;;
		esac
		shift 2
	done
	[ $# -gt 0 ] && shift
	if [ -z "$_want" ]; then
		not_ok "$_name" "bad test: no -x"
		return
	fi
	rm -f "$WORK/out" "$WORK/err"
	# shellcheck disable=SC2086 # _env is a list of VAR=VAL words
	if [ -n "$_pipe" ]; then
		# The pipeline's status is the binary's.
		sh -c "$_pipe" 2>/dev/null </dev/null |
			env $_env $TIMEOUT "$LICGATE" "$@" >"$WORK/out" 2>"$WORK/err"
	else
		env $_env $TIMEOUT "$LICGATE" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
	fi
	_st=$?
	_why=$(crashed "$_st")
	if [ -n "$_why" ]; then
		not_ok "$_name" "$_why"
		return
	fi
	_why=
	[ "$_st" -eq "$_want" ] || _why="exit $_st, want $_want"
	while IFS='	' read -r _k _v; do
		case $_k in
		j)
			# Exactly one "true": jq 1.6 -e is content with no input at all.
			if [ ! -s "$_report" ]; then
				_why="${_why:+$_why; }no report to check"
			elif [ "$(jq "$_v" <"$_report" 2>/dev/null)" != true ]; then
				_why="${_why:+$_why; }jq false: $_v"
			fi
			;;
		o) grep -Eq -- "$_v" "$_report" 2>/dev/null ||
			_why="${_why:+$_why; }report lacks /$_v/" ;;
		O) ! grep -Eq -- "$_v" "$_report" 2>/dev/null ||
			_why="${_why:+$_why; }report has /$_v/" ;;
		e) grep -Eq -- "$_v" "$WORK/err" ||
			_why="${_why:+$_why; }stderr lacks /$_v/" ;;
		E) ! grep -Eq -- "$_v" "$WORK/err" ||
			_why="${_why:+$_why; }stderr has /$_v/" ;;
		n) [ ! -s "$WORK/out" ] ||
			_why="${_why:+$_why; }standard output not empty" ;;
		1) [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q '^licgate: ' "$WORK/err" ||
			_why="${_why:+$_why; }standard error is not one \"licgate: \" line" ;;
		esac
	done <"$_checks"
	if [ -n "$_why" ]; then
		not_ok "$_name" "$_why"
	else
		ok "$_name"
	fi
}

# --- facts about the fixtures, read from the layouts themselves ------------

F=tests/fixtures
OCI=$F/oci
RULES=$F/rules/example.rules
CORPUS=$F/corpus/layout

# layer_digest LAYOUT N: digest of the Nth layer of the first manifest.
layer_digest() {
	_m=$(jq -r '.manifests[0].digest' "$1/index.json" | cut -d: -f2)
	jq -r ".layers[$(($2 - 1))].digest" "$1/blobs/sha256/$_m"
}
manifest_digest() {
	jq -r '.manifests[0].digest' "$1/index.json"
}
short() { # sha256:<12 hex>, as the text report writes a digest
	printf '%s' "$1" | cut -c1-19
}

if [ ! -x "$LICGATE" ]; then
	not_ok "binary" "$LICGATE is not an executable file"
	echo "e2e: $passed passed, $failed failed"
	exit 1
fi
for tool in jq grep sed tar gzip zstd sha256sum mkfifo; do
	command -v "$tool" >/dev/null 2>&1 || {
		not_ok "tools" "$tool is needed"
		echo "e2e: $passed passed, $failed failed"
		exit 1
	}
done

LD1=$(layer_digest $OCI/leak-deleted 1)
LD2=$(layer_digest $OCI/leak-deleted 2)
LDM=$(manifest_digest $OCI/leak-deleted)
LD_SSO_SIZE=$(wc -c <$F/src/leak-deleted/layer1/srv/app/src/enterprise/sso.js | tr -d ' ')
LV2=$(layer_digest $OCI/leak-visible 2)
TAMPERED=$(layer_digest $OCI/tampered 2)
MISSING=$(layer_digest $OCI/missing-blob 2)
TRUNCATED=$(layer_digest $OCI/truncated-layer 1)
SIZE_MISMATCH=$(layer_digest $OCI/size-mismatch 2)
VERSION=$(cat VERSION 2>/dev/null || echo 0.0.0)
SSO=/srv/app/src/enterprise/sso.js
# The usual command: a scan with the example rules.  Unquoted $SCAN, $OCI...
# below rely on the fixture paths having no blanks.
SCAN="scan --rules $RULES"

# --- the command line ------------------------------------------------------

t help-exits-0 -x 0 -o 'licgate scan' -o 'check-rules' -- --help
t version-exits-0 -x 0 -o "^licgate $VERSION\$" \
	-o "^SPDX lists: spdx-license-ids [0-9.]+, spdx-exceptions [0-9.]+\$" -- --version
t json-names-the-spdx-lists -x 1 \
	-j ".rules.spdx_license_list == \"$(cat rules/spdx/VERSION)\"" -- scan --format json $OCI/evidence
t scan-help-exits-0 -x 0 -o '--platform' -o '--format' -o '--output' -- scan --help
t unknown-option-exits-2 -x 2 -e '^licgate: .*frobnicate' -n -- scan --frobnicate $OCI/clean
t unknown-command-exits-2 -x 2 -e '^licgate: .*frobnicate' -- frobnicate
t no-command-exits-2 -x 2 -e '^licgate: ' -e 'help' --
t scan-without-image-exits-2 -x 2 -e '^licgate: .*([Ii]mage|IMAGE)' -- scan --rules $RULES
t scan-two-images-exits-2 -x 2 -e '^licgate: .*([Ii]mage|IMAGE)' -- scan $OCI/clean $OCI/clean
t bad-format-exits-2 -x 2 -e 'xml' -- scan --format xml $OCI/clean
t bad-platform-exits-2 -x 2 -e '^licgate: .*platform' -- scan --platform linux $OCI/clean
t unknown-target-exits-2 -x 2 -e 'nosuchtarget' -- scan --rules $RULES --target nosuchtarget $OCI/clean
# A pattern that hits the regex work limits has no answer: exit 2 naming
# the rule, never "no match" (a path rule) or a silent "match" (a text rule).
t regex-limit-text-rule-exits-2 -x 2 -1 -n \
	-e "licgate: .*entry /srv/app/.*regex-limit-text\.rules:7: text pattern .* exceeded the regex work limits" \
	-- scan --rules $F/rules/regex-limit-text.rules $OCI/clean
t regex-limit-path-rule-exits-2 -x 2 -1 -n \
	-e "licgate: .*regex-limit-path\.rules:7: pattern .* exceeded the regex work limits on \"/srv/app/" \
	-- scan --rules $F/rules/regex-limit-path.rules $OCI/clean
# A damaged tar header in an image archive (found by fuzz_input): said so.
t archive-damaged-header-exits-2 -x 2 -1 -n \
	-e 'licgate: .*damaged-header-no-message\.tar: damaged or truncated archive: Damaged tar archive' \
	-- scan fuzz/regressions/input/damaged-header-no-message.tar
t missing-rules-file-exits-2 -x 2 -e 'licgate: .*no-such\.rules' -- scan --rules $F/rules/no-such.rules $OCI/clean
t missing-image-exits-2 -x 2 -e 'licgate: .*no-such-image' -n -- scan --rules $RULES $OCI/no-such-image
t image-is-a-file-exits-2 -x 2 -e '^licgate: .*example\.rules' -n -- scan --rules $RULES $RULES

# --- verdicts on what images hold ------------------------------------------

# left-pad's package.json says WTFPL, which example.rules does not map: its
# two files are unknown (npm-package evidence outranks the path rule) and warn.
t clean-passes -x 0 \
	-j '.verdict == "pass" and .violations == [] and .exemptions == []' \
	-j '[.warnings[] | .path] == ["/srv/app/node_modules/left-pad/index.js", "/srv/app/node_modules/left-pad/package.json"]' \
	-j 'all(.warnings[]; .evidence[0] | .kind == "npm-package" and .identifier == "WTFPL"
	    and .source == "/srv/app/node_modules/left-pad/package.json" and .level == "unknown")' \
	-j '.licgate == "'"$VERSION"'" and .target == "dockerhub"' \
	-j '.rules.file == "'"$RULES"'" and (.rules.digest | test("^sha256:[0-9a-f]{64}$"))' \
	-j '.image.path == "'"$OCI/clean"'" and (.image.manifests | length) == 1' \
	-j '.image.manifests[0] | .ref == "latest" and .platform.os == "linux" and .platform.architecture == "amd64"' \
	-j '[.image.manifests[0].layers[] | .index] == [1, 2]' \
	-j '[.image.manifests[0].layers[] | .files] == [2, 3]' \
	-j '.summary | .files == 5 and .layers == 2 and .manifests == 1 and .violations == 0 and .warnings == 2' \
	-j '.summary.classes == {"MIT": 3, "unknown": 2}' \
	-- $SCAN --format json $OCI/clean
t clean-text-says-pass -x 0 -o '^PASS.*dockerhub' -O 'DENY|FAIL' -- $SCAN $OCI/clean
t clean-builtin-rules -x 0 \
	-j '.rules.file == "builtin:default.rules" and .verdict == "pass"' \
	-- scan --format json $OCI/clean

t leak-visible-path-rule -x 1 \
	-j '.verdict == "fail" and .summary.violations == 2' \
	-j 'any(.violations[]; .path == "'$SSO'" and .class == "BSL" and .deleted == false
	    and .deleted_by == null and .layer_index == 2
	    and any(.evidence[]; .kind == "path" and .class == "BSL" and .rule == "'"$RULES"':10"))' \
	-- $SCAN --format json $OCI/leak-visible
t leak-visible-spdx-tag -x 1 \
	-j 'any(.violations[]; .path == "/srv/app/lib/audit-log.js" and .class == "BSL"
	    and any(.evidence[]; .kind == "spdx-tag" and .value == "BUSL-1.1" and .line == 1
	            and .rule == "'"$RULES"':6"))' \
	-- $SCAN --format json $OCI/leak-visible
t leak-visible-exempt-file -x 1 \
	-j 'any(.exemptions[]; .path == "/srv/app/LICENSE-BSL" and .reason == "license text only"
	    and .rule == "'"$RULES"':13")' \
	-j 'all(.violations[]; .path != "/srv/app/LICENSE-BSL") and .summary.exemptions == 1' \
	-- $SCAN --format json $OCI/leak-visible
t leak-visible-text -x 1 \
	-o "$SSO.*BSL.*example\\.rules:10.*layer 2 \\($(short "$LV2")\\)" \
	-o 'audit-log\.js.*BUSL-1\.1' -o '^FAIL.*dockerhub' \
	-- $SCAN $OCI/leak-visible
t leak-visible-passes-ghcr -x 0 \
	-j '.verdict == "pass" and .target == "ghcr" and .violations == []' \
	-- $SCAN --target ghcr --format json $OCI/leak-visible

t leak-deleted-still-fails -x 1 \
	-j '.verdict == "fail" and (.violations | length) == 1' \
	-j '.violations[0] | .path == "'$SSO'" and .class == "BSL" and .level == "deny"
	    and .deleted == true and .deleted_by == 2 and .escaped == false
	    and .layer == "'"$LD1"'" and .layer_index == 1 and .manifest == "'"$LDM"'"
	    and .platform == "linux/amd64" and .size == '"$LD_SSO_SIZE"'
	    and (.xxh3 | test("^[0-9a-f]{32}$"))' \
	-j '[.image.manifests[0].layers[] | .digest] == ["'"$LD1"'", "'"$LD2"'"]' \
	-j '[.image.manifests[0].layers[] | .files] == [2, 0]' \
	-- $SCAN --format json $OCI/leak-deleted
t leak-deleted-text -x 1 \
	-o "$SSO.*layer 1 \\($(short "$LD1")\\).*deleted by layer 2" -o '^FAIL.*dockerhub' \
	-- $SCAN $OCI/leak-deleted
t leak-opaque-deletes-lower-layers -x 1 \
	-j 'any(.violations[]; .path == "'$SSO'" and .deleted == true and .deleted_by == 2)' \
	-j 'any(.violations[]; .path == "/srv/app/src/enterprise/scim.js" and .deleted_by == 2)' \
	-j 'any(.violations[]; .path == "/srv/app/src/enterprise/README.js" and .deleted == false
	    and .layer_index == 2)' \
	-- $SCAN --format json $OCI/leak-opaque

t expressions-evaluate -x 1 \
	-j '[.violations[].path] | sort == ["/srv/app/src/block-comment.css",
	    "/srv/app/src/dual-and.js", "/srv/app/src/nested.js"]' \
	-j 'all((.violations + .warnings)[]; .path != "/srv/app/src/dual-or.js"
	    and .path != "/srv/app/src/hash-comment.sh")' \
	-j 'any(.violations[]; .path == "/srv/app/src/nested.js"
	    and any(.evidence[]; .kind == "spdx-tag" and .value == "(MIT OR BUSL-1.1) AND BUSL-1.1"))' \
	-j 'any(.violations[]; .path == "/srv/app/src/block-comment.css"
	    and any(.evidence[]; .kind == "spdx-tag" and .value == "BUSL-1.1"))' \
	-- $SCAN --format json $OCI/expressions
t expressions-pass-ghcr -x 0 -j '.violations == []' \
	-- $SCAN --target ghcr --format json $OCI/expressions

t deep-tag-found-at-2.5MB -x 1 \
	-j 'any(.violations[]; .path == "/srv/app/dist/bundle.min.js" and .size > 3000000
	    and any(.evidence[]; .kind == "spdx-tag" and .value == "BUSL-1.1" and .line == 1))' \
	-- $SCAN --format json $OCI/deep-tag
t deep-tag-mid-line-ends-at-comment-closer -x 1 \
	-j 'any(.violations[]; .path == "/srv/app/dist/inline.min.js"
	    and any(.evidence[]; .kind == "spdx-tag" and .value == "BUSL-1.1"))' \
	-- $SCAN --format json $OCI/deep-tag

t hardlink-both-names-flagged -x 1 \
	-j 'any(.violations[]; .path == "/srv/app/src/enterprise/license-check.js")' \
	-j 'any(.violations[]; .path == "/srv/app/vendor/lc.js"
	    and any(.evidence[]; .kind == "spdx-tag" and .value == "BUSL-1.1"))' \
	-- $SCAN --format json $OCI/hardlink

t escape-names-flagged -x 1 \
	-j 'any(.violations[]; .path == "/etc/evil.js" and .escaped == true)' \
	-j 'any(.violations[]; .path == "/abs/x.js")' \
	-j 'all((.violations + .warnings + .exemptions)[]; .path | contains("..") | not)' \
	-j 'all(.violations[]; .path != "/srv/app/src/index.js")' \
	-- $SCAN --format json $OCI/escape

t multiarch-all-platforms-fail -x 1 \
	-j '(.image.manifests | length) == 2 and .summary.manifests == 2' \
	-j '(.violations | length) == 1 and (.violations[0].platform | startswith("linux/arm64"))' \
	-- $SCAN --format json $OCI/multiarch
# Each platform's manifest goes by the name of the index that holds it.
t multiarch-platforms-named-by-their-index -x 1 \
	-j '[.image.manifests[].ref] == ["latest", "latest"]' \
	-- $SCAN --format json $OCI/multiarch
t multiarch-amd64-passes -x 0 \
	-j '.verdict == "pass" and (.image.manifests | length) == 1
	    and .image.manifests[0].platform.architecture == "amd64"' \
	-- $SCAN --platform linux/amd64 --format json $OCI/multiarch
t multiarch-arm64-fails -x 1 \
	-j '.image.manifests[0].platform.architecture == "arm64"
	    and .image.manifests[0].platform.variant == "v8"
	    and any(.violations[]; .path == "'$SSO'")' \
	-- $SCAN --platform linux/arm64 --format json $OCI/multiarch
t multiarch-two-platforms -x 1 -j '(.image.manifests | length) == 2' \
	-- $SCAN --platform linux/amd64 --platform linux/arm64/v8 --format json $OCI/multiarch
t multiarch-no-such-platform-exits-2 -x 2 -e '^licgate: .*platform' -n \
	-- $SCAN --platform linux/s390x $OCI/multiarch

t nested-index-walked -x 1 \
	-j 'any(.violations[]; .path == "'$SSO'") and (.image.manifests | length) == 1' \
	-- $SCAN --format json $OCI/nested-index
t zstd-layers-read -x 1 \
	-j 'all(.image.manifests[0].layers[]; .media_type == "application/vnd.oci.image.layer.v1.tar+zstd")' \
	-j 'any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-- $SCAN --format json $OCI/zstd
t uncompressed-layers-read -x 1 \
	-j 'all(.image.manifests[0].layers[]; .media_type == "application/vnd.oci.image.layer.v1.tar")' \
	-j 'any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-- $SCAN --format json $OCI/uncompressed

t unknown-file-warns -x 0 \
	-j '.verdict == "pass" and .summary.warnings == 1 and .summary.classes.unknown == 1' \
	-j '[.warnings[].path] == ["/srv/app/README.txt"] and .warnings[0].evidence == []' \
	-- $SCAN --format json $OCI/unknown-warn
t unknown-file-warning-count-in-text -x 0 -o '1 warning' -O 'README\.txt' -o '^PASS' \
	-- $SCAN $OCI/unknown-warn
t unknown-file-listed-with-verbose -x 0 -o 'README\.txt' -- $SCAN --verbose $OCI/unknown-warn
t unknown-file-allowed-on-ghcr -x 0 -j '.warnings == [] and .summary.warnings == 0' \
	-- $SCAN --target ghcr --format json $OCI/unknown-warn

# --- evidence beyond path rules and tags (tests/fixtures/src/evidence) -------

EV=$OCI/evidence
INS=/app/node_modules/@acme/insights
PYEE=/usr/lib/python3/dist-packages/acme_ee
# A private npm package declaring BUSL-1.1, no header in any file: every file
# of the package fails, and only those (its nested node_modules has its own
# license).
t evidence-npm-package-fails-every-file -x 1 \
	-j '[.violations[] | select(.path | startswith("'$INS/'")) | .path] ==
	    ["'$INS'/dist/chart.js", "'$INS'/dist/index.js", "'$INS'/package.json"]' \
	-j 'all(.violations[] | select(.path | startswith("'$INS/'")); .evidence[0] |
	    .kind == "npm-package" and .value == "BUSL-1.1" and .source == "'$INS'/package.json"
	    and .class == "source-available" and .rule == "builtin:default.rules:75")' \
	-j 'all(.violations[]; .path | contains("tiny-invariant") or contains("legacy-pkg") | not)' \
	-- scan --format json $EV
t evidence-npm-package-text-names-each-file -x 1 \
	-o "^DENY +$INS/dist/chart\\.js .*npm license \"BUSL-1\\.1\" in $INS/package\\.json" \
	-o "^DENY +$INS/dist/index\\.js " -o "^DENY +$INS/package\\.json " \
	-- scan $EV
# The legacy "licenses": [{"type": ...}] form counts too, and a nested
# node_modules package has its own license, not its parent's.
t evidence-npm-legacy-array-and-nested-package -x 1 \
	-j '[.violations[] | select(.evidence[0].kind == "npm-package") | .path] ==
	    ["'$INS'/node_modules/tiny-invariant/dist/index.js",
	     "'$INS'/node_modules/tiny-invariant/package.json",
	     "/app/node_modules/legacy-pkg/index.js", "/app/node_modules/legacy-pkg/package.json"]' \
	-j 'all(.violations[] | select(.path | contains("legacy-pkg")); .evidence[0] |
	    .identifier == "MIT" and .source == "/app/node_modules/legacy-pkg/package.json")' \
	-- scan --rules $F/rules/deny-mit.rules --format json $EV
# An MIT file with a BUSL-1.1 snippet fails, with the snippet's line range.
t evidence-snippet-fails-with-line-range -x 1 \
	-j 'any(.violations[]; .path == "/app/src/auth/session.js" and
	    (.evidence[0] | .kind == "spdx-tag" and .identifier == "MIT") and
	    any(.evidence[]; .kind == "spdx-snippet" and .identifier == "BUSL-1.1"
	        and .line == 5 and .line_end == 9 and .level == "deny"))' \
	-- scan --format json $EV
t evidence-snippet-text -x 1 -o '/app/src/auth/session\.js .*snippet "BUSL-1\.1" lines 5-9' \
	-- scan $EV
# A tag inside REUSE-IgnoreStart/End is not the file's.
t evidence-reuse-ignore-region-ignored -x 1 \
	-j 'all(.violations[]; .path != "/app/src/auth/password.js")' \
	-- scan --format json $EV
# The license phrase, no tag: a text rule fails it.
t evidence-text-rule-phrase-fails -x 1 \
	-j 'any(.violations[]; .path == "/app/src/reports/risk.js" and .evidence == [{"kind": "text",
	    "value": "Use of this software is governed by the Business Source License", "class": "source-available",
	    "level": "deny", "rule": "builtin:default.rules:119"}])' \
	-- scan --format json $EV
# A REUSE sidecar makes a binary file BSL; the file next to it without one passes.
t evidence-sidecar-makes-binary-bsl -x 1 \
	-j 'any(.violations[]; .path == "/app/public/logo.png" and (.evidence[0] |
	    .kind == "reuse-sidecar" and .identifier == "BUSL-1.1"
	    and .source == "/app/public/logo.png.license" and .line == 2))' \
	-j 'all(.violations[]; .path != "/app/public/favicon.png" and .path != "/app/public/logo.png.license")' \
	-- scan --format json $EV
t evidence-sidecar-text -x 1 \
	-o '^DENY +/app/public/logo\.png .*tag "BUSL-1\.1" in /app/public/logo\.png\.license' \
	-- scan $EV
# Python: METADATA's License-Expression covers the files RECORD lists.
PYCL=/usr/lib/python3/dist-packages/acme_cloud
t evidence-python-record-files-fail -x 1 \
	-j '[.violations[] | select(.evidence[0].kind == "python-package") | .path] ==
	    ["/usr/bin/acme-cloud",
	     "'$PYCL'/__init__.py", "'$PYCL'-1.0.dist-info/METADATA", "'$PYCL'-1.0.dist-info/RECORD",
	     "/usr/lib/python3/dist-packages/acme_common/retry.py",
	     "'$PYEE'/__init__.py", "'$PYEE'/sso.py", "'$PYEE'-2.1.0.dist-info/METADATA",
	     "'$PYEE'-2.1.0.dist-info/RECORD", "/usr/share/acme-cloud/schema.sql"]' \
	-j 'all(.violations[] | select(.path | startswith("'$PYEE'")); .evidence[0] |
	    .value == "BUSL-1.1" and .identifier == "BUSL-1.1" and has("read_as") == false)' \
	-- scan --format json $EV
# RECORD paths outside the dist-info's directory: ../../../bin/acme-cloud
# and the absolute /usr/share/acme-cloud/schema.sql.
t evidence-python-record-outside-site -x 1 \
	-o '^DENY +/usr/bin/acme-cloud .*python license .* in '$PYCL'-1\.0\.dist-info/METADATA' \
	-o '^DENY +/usr/share/acme-cloud/schema\.sql .*python license .* in '$PYCL'-1\.0\.dist-info/METADATA' \
	-- scan $EV
# No License-Expression, License: UNKNOWN: the license classifier decides.
t evidence-python-classifier -x 1 \
	-o '^DENY +/usr/lib/python3/dist-packages/mit_tool/__init__\.py +MIT +python license "License :: OSI Approved :: MIT License" \(read as MIT\) in /usr/lib/python3/dist-packages/mit_tool-0\.3\.dist-info/METADATA' \
	-- scan --rules $F/rules/deny-mit.rules $EV
# A file two RECORDs list (mit_tool's and acme_cloud's) has both licenses.
t evidence-python-two-records-and -x 1 \
	-j '.violations[] | select(.path == "/usr/lib/python3/dist-packages/acme_common/retry.py") |
	    [.evidence[] | select(.kind == "python-package") | .source] | sort ==
	    ["'$PYCL'-1.0.dist-info/METADATA", "/usr/lib/python3/dist-packages/mit_tool-0.3.dist-info/METADATA"]' \
	-- scan --format json $EV
# A package.json that starts with a UTF-8 byte order mark is still read.
t evidence-npm-bom -x 1 \
	-o '^DENY +/app/node_modules/@acme/bom-pkg/index\.js .*npm license "BUSL-1\.1" in /app/node_modules/@acme/bom-pkg/package\.json' \
	-- scan $EV
# METADATA License: in words is read as the SPDX identifier it names.
t evidence-python-license-in-words -x 1 \
	-j 'all(.violations[] | select(.path | startswith("'$PYCL'")); .evidence[0] |
	    .value == "Business Source License 1.1" and .read_as == "BUSL-1.1"
	    and .identifier == "BUSL-1.1" and .level == "deny")' \
	-- scan --format json $EV
t evidence-python-license-in-words-text -x 1 \
	-o "^DENY +$PYCL/__init__\\.py .*python license \"Business Source License 1\\.1\" \\(read as BUSL-1\\.1\\)" \
	-- scan $EV
# BSL-1.1 is not an SPDX identifier: a warning with the suggestion, listed
# without --verbose, even under the built-in `unknown allow`.
t evidence-bsl-1.1-tag-warns-with-suggestion -x 1 \
	-j '[.warnings[] | .path] == ["/app/src/reports/audit.js"]' \
	-j '.warnings[0].evidence[0] | .kind == "spdx-tag" and .identifier == "BSL-1.1"
	    and (.note | contains("BUSL-1.1") and contains("Boost"))' \
	-- scan --format json $EV
t evidence-bsl-1.1-text-lists-the-warning -x 1 \
	-o "^WARN +/app/src/reports/audit\\.js .*'BSL-1\\.1' is not an SPDX identifier: the Business Source License is 'BUSL-1\\.1'" \
	-- scan $EV
# More than 16 pieces of evidence: the rest are counted, and the deciding
# one (the BUSL-1.1 tag on line 20, after 19 MIT tags) is still listed.
t evidence-cap-keeps-the-deciding-evidence -x 1 \
	-j '.violations[] | select(.path == "/app/src/bundle.js") | .evidence_omitted == 4
	    and (.evidence | length) == 16 and .class == "source-available"
	    and (.evidence[-1] | .identifier == "BUSL-1.1" and .line == 20 and .level == "deny")' \
	-- scan --format json $EV
# In text, tags that say the same are one item with their lines.
t evidence-same-tags-one-item -x 1 \
	-o '^DENY +/app/src/bundle\.js .* tag "MIT" lines 1-15 -> permissive \(builtin:default\.rules:[0-9]+\); tag "BUSL-1\.1" line 20 -> source-available .*; and 4 more ' \
	-- scan $EV
t evidence-private-target-passes-with-warning -x 0 \
	-j '.verdict == "pass" and (.warnings | length) == 1' \
	-- scan --target private --format json $EV

# --- images written by real producers ---------------------------------------

t umoci-leak-fails-with-layer-warning -x 1 \
	-j 'any(.violations[]; .path == "'$SSO'" and .deleted == true and .deleted_by == 2)' \
	-j '[.image.manifests[].layers[].warnings[]] | length > 0' \
	-- $SCAN --format json $OCI/umoci-leak
t umoci-clean-passes-with-layer-warning -x 0 \
	-j '.verdict == "pass" and ([.image.manifests[].layers[].warnings[]] | length > 0)' \
	-- $SCAN --format json $OCI/umoci-clean
t umoci-repack-fails -x 1 \
	-j 'any(.violations[]; .path == "/srv/app/src/enterprise/scim.js" and .layer_index == 2
	    and .deleted == false)' \
	-- $SCAN --format json $OCI/umoci-repack
t skopeo-zstd-fails -x 1 \
	-j 'any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-j 'all(.image.manifests[0].layers[]; .media_type | endswith("+zstd"))' \
	-- $SCAN --format json $OCI/skopeo-zstd
t skopeo-copy-fails -x 1 \
	-j 'any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-- $SCAN --format json $OCI/skopeo-leak

# --- the demo image and its rules --------------------------------------------

if [ -f rules/truxe.rules ]; then
	# The real tree's shape (apps/api v0.5.2): the 15 files of the OAuth
	# provider and threat detection, by feature name; the services' half
	# of the provider deleted by layer 5 and still shipped; RBAC and
	# security services of unsettled edition are warnings, never MIT.
	t demo-truxe-api-fails-dockerhub -x 1 \
		-j '(.violations | length) == 15 and .summary.warnings == 17' \
		-j 'any(.violations[]; .path == "/app/src/services/oauth-provider/token-service.js"
		    and .deleted == true and .deleted_by == 5 and .layer_index == 4
		    and any(.evidence[]; .kind == "path" and .class == "BSL"))' \
		-j 'any(.violations[]; .path == "/app/src/routes/oauth-provider/authorize.js"
		    and .deleted == false and .layer_index == 4)' \
		-j 'any(.violations[]; .path == "/app/src/services/threat-detection.js")' \
		-j 'all(.violations[]; .path | startswith("/app/src/services/oauth/") | not)' \
		-j 'any(.warnings[]; .path == "/app/src/middleware/rbac.js" and .class == "unsettled")' \
		-- scan --rules rules/truxe.rules --target dockerhub --format json $OCI/truxe-api
	t demo-truxe-api-text -x 1 \
		-o 'oauth-provider/token-service\.js.*deleted by layer 5' -o '^FAIL: 15 violations.*dockerhub' \
		-- scan --rules rules/truxe.rules --target dockerhub $OCI/truxe-api
	t demo-truxe-api-admin-fails -x 1 -j '.summary.violations == 187' \
		-- scan --rules rules/truxe.rules --target dockerhub-admin --format json $OCI/truxe-api
	t demo-truxe-api-passes-ghcr -x 0 -j '.verdict == "pass"' \
		-- scan --rules rules/truxe.rules --target ghcr --format json $OCI/truxe-api
fi

# --- the public corpus (go-containerregistry's layout testdata) ------------

DGST_EEBF=sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650
t corpus-test-index-skips-unknown-descriptor -x 0 \
	-j 'any(.image.skipped[]; .media_type == "application/vnd.oci.descriptor.v1+json")' \
	-j '(.image.manifests | length) >= 1 and all(.image.manifests[]; .digest == "'$DGST_EEBF'")' \
	-j '.summary.files >= 2' \
	-- $SCAN --format json $CORPUS/test_index
t corpus-test-index-one-image -x 0 \
	-j '.summary.files == 1 and (.image.manifests | length) == 1 and .image.skipped == []' \
	-- $SCAN --format json $CORPUS/test_index_one_image
t corpus-test-gc-index -x 0 \
	-j '.image.skipped == [] and all(.image.manifests[]; .digest == "'$DGST_EEBF'")' \
	-- $SCAN --format json $CORPUS/test_gc_index
t corpus-helm-artifact-no-image-exits-2 -x 2 -e 'no container image' -n \
	-- $SCAN $CORPUS/test_index_media_type
t corpus-only-unknown-descriptor-exits-2 -x 2 -e 'no container image' -n \
	-- $SCAN $CORPUS/test_gc_image_unknown_mediatype

# --- layouts that cannot be trusted: exit 2, and never a report ------------

t tampered-layer-exits-2 -x 2 -e "licgate: .*$(short "$TAMPERED")" -n \
	-- $SCAN $OCI/tampered
t missing-blob-exits-2 -x 2 -e "licgate: .*$(short "$MISSING")" -n \
	-- $SCAN $OCI/missing-blob
t truncated-layer-exits-2 -x 2 -e "licgate: .*$(short "$TRUNCATED")" -n \
	-- $SCAN $OCI/truncated-layer
t bad-diffid-exits-2 -x 2 -e 'licgate: .*diff_id' -n -- $SCAN $OCI/bad-diffid
t size-mismatch-exits-2 -x 2 -e "licgate: .*$(short "$SIZE_MISMATCH")" -n \
	-- $SCAN $OCI/size-mismatch
t digest-traversal-exits-2 -x 2 -e 'licgate: .*sha256:\.\./\.\./\.\./oci-layout' -n -- $SCAN $OCI/digest-traversal
t malformed-index-exits-2 -x 2 -e 'licgate: .*index\.json' -n -- $SCAN $OCI/malformed-index
t empty-index-exits-2 -x 2 -e 'no container image' -n -- $SCAN $OCI/empty-index
t bad-layout-version-exits-2 -x 2 -e 'licgate: .*9\.9\.9' -n -- $SCAN $OCI/bad-layout-version
t unknown-media-type-exits-2 -x 2 -e 'licgate: .*application/vnd\.example\.unknown' -n \
	-- $SCAN $OCI/unknown-media-type
t encrypted-layer-exits-2 -x 2 -e 'licgate: .*encrypted' -n -- $SCAN $OCI/encrypted
t tampered-json-report-not-written -x 2 -n -e "$(short "$TAMPERED")" -- $SCAN --format json $OCI/tampered

# --- archives: docker save, oci-archive, compressed, standard input ---------
#
# tests/fixtures/archives (made by make-fixtures.sh, see its README) and the
# docker-save archives of go-containerregistry (corpus/tarball, corpus/mutate).

ARC=$F/archives
TB=$F/corpus/tarball
MU=$F/corpus/mutate

# docker_image_id ARCHIVE N: sha256 of the Nth (0-based) config manifest.json
# names, which licgate reports as the image's digest.
docker_image_id() {
	_c=$(tar -xOf "$1" manifest.json | jq -r ".[$2].Config")
	printf 'sha256:%s' "$(tar -xOf "$1" "$_c" | sha256sum | cut -c1-64)"
}
# oci_archive_manifest ARCHIVE: digest of the first manifest its index.json lists.
oci_archive_manifest() {
	tar -xOf "$1" index.json | jq -r '.manifests[0].digest'
}

# Every archive of the corpus: what it must give with the built-in rules...
for a in $TB/hello-world-v25.tar $TB/test_image_1.tar $TB/test_image_2.tar \
	$TB/test_load_manifest.tar $TB/test_bundle.tar $TB/test_link.tar \
	$MU/source_image.tar $MU/source_image_with_empty_layer_history.tar \
	$MU/overwritten_file.tar $MU/whiteout_image.tar $MU/whiteout_dir.tar; do
	t "corpus-$(basename "$a" .tar)-passes-default-rules" -x 0 \
		-j '.verdict == "pass" and .rules.file == "builtin:default.rules"
		    and .image.path == "'"$a"'" and (.image.manifests | length) >= 1
		    and .summary.files >= 1' \
		-- scan --format json "$a"
done
t corpus-null-manifest-exits-2 -x 2 -e '^licgate: .*null_manifest\.tar: .*null' -1 -n \
	-- scan $TB/null_manifest.tar
t corpus-no-manifest-only-repositories-exits-2 -x 2 \
	-e '^licgate: .*no_manifest\.tar: .*"repositories"' -1 -n -- scan $TB/no_manifest.tar
t corpus-content-tar-holds-no-image-exits-2 -x 2 -e '^licgate: .*content\.tar: no image here' -1 -n \
	-- scan $TB/content.tar

# ... and what it holds, listed as warnings by the example rules (dockerhub:
# unknown warn), so every file and where it came from is in the report.
HW_ID=$(docker_image_id $TB/hello-world-v25.tar 0)
t corpus-hello-world-docker25-null-index -x 0 \
	-j '(.image.manifests | length) == 1 and .image.manifests[0].digest == "'"$HW_ID"'"
	    and .image.manifests[0].ref == null and .image.manifests[0].media_type == null' \
	-j '[.warnings[].path] == ["/hello"] and .summary.layers == 1' \
	-j '.image.manifests[0].layers[0].diff_id == "sha256:12660636fe55438cc3ae7424da7ac56e845cdb52493ff9cf949c47a7f57f8b43"' \
	-- $SCAN --format json $TB/hello-world-v25.tar
for a in test_image_1 test_load_manifest; do
	t "corpus-$a" -x 0 \
		-j '.image.manifests[0] | .ref == "bazel/v1/tarball:test_image_1"
		    and .digest == "'"$(docker_image_id $TB/$a.tar 0)"'" and .config == .digest' \
		-j '[.warnings[].path] | sort == ["/bar", "/foo"]' \
		-- $SCAN --format json $TB/$a.tar
done
t corpus-test_image_2 -x 0 \
	-j '.image.manifests[0].ref == "bazel/v1/tarball:test_image_2"
	    and .image.manifests[0].digest == "'"$(docker_image_id $TB/test_image_2.tar 0)"'"' \
	-j '[.warnings[].path] | sort == ["/bat", "/baz"]' \
	-- $SCAN --format json $TB/test_image_2.tar
BUNDLE2=$(docker_image_id $TB/test_bundle.tar 0)
BUNDLE1=$(docker_image_id $TB/test_bundle.tar 1)
t corpus-test-bundle-reports-both-images -x 0 \
	-j '(.image.manifests | length) == 2 and .summary.manifests == 2' \
	-j '[.image.manifests[] | .ref] == ["test_image_2", "test_image_1"]' \
	-j '[.image.manifests[] | .digest] == ["'"$BUNDLE2"'", "'"$BUNDLE1"'"]' \
	-j '[.warnings[] | select(.manifest == "'"$BUNDLE2"'") | .path] | sort == ["/bat", "/baz"]' \
	-j '[.warnings[] | select(.manifest == "'"$BUNDLE1"'") | .path] | sort == ["/bar", "/foo"]' \
	-- $SCAN --format json $TB/test_bundle.tar
# test_image_3's first layer.tar is a symlink to test_image_1's layer.
LINK3=$(docker_image_id $TB/test_link.tar 1)
t corpus-test-link-layer-symlink-followed -x 0 \
	-j '[.image.manifests[] | .ref] == ["bazel/v1/tarball:test_image_1", "bazel/v1/tarball:test_image_3"]' \
	-j '.image.manifests[1].digest == "'"$LINK3"'" and (.image.manifests[1].layers | length) == 2' \
	-j '.image.manifests[1].layers[0].digest == .image.manifests[0].layers[0].digest' \
	-j '[.warnings[] | select(.manifest == "'"$LINK3"'") | [.path, .layer_index]] | sort
	    == [["/bar", 1], ["/foo", 1], ["/test", 2]]' \
	-- $SCAN --format json $TB/test_link.tar
t corpus-source-images-differ-only-in-config -x 0 \
	-j '[.warnings[].path] | sort == ["/bar", "/foo"]' \
	-j '.image.manifests[0].digest == "'"$(docker_image_id $MU/source_image_with_empty_layer_history.tar 0)"'"
	    and .image.manifests[0].digest != "'"$(docker_image_id $MU/source_image.tar 0)"'"' \
	-- $SCAN --format json $MU/source_image_with_empty_layer_history.tar
t corpus-overwritten-file -x 0 \
	-j 'any(.warnings[]; .path == "/foo.txt" and .layer_index == 1 and .deleted == true and .deleted_by == 2)' \
	-j 'any(.warnings[]; .path == "/bar.txt" and .layer_index == 2 and .deleted == false)' \
	-j '.summary.layers == 3' \
	-- $SCAN --format json $MU/overwritten_file.tar
t corpus-whiteout-image -x 0 \
	-j 'any(.warnings[]; .path == "/foo.txt" and .deleted == true and .deleted_by == 2)' \
	-j 'any(.warnings[]; .path == "/bar.txt" and .deleted == false and .deleted_by == null)' \
	-- $SCAN --format json $MU/whiteout_image.tar
# Layers named *.tar.gz (crane), the config named "sha256:<hex>"; .wh.a in
# layer 3 deletes /a/foo of layer 1, layer 4 brings /a/baz back into /a.
t corpus-whiteout-dir-gzip-layers -x 0 \
	-j '.image.manifests[0].ref == "localhost:5000/whiteout:latest" and .summary.layers == 4' \
	-j 'any(.warnings[]; .path == "/a/foo" and .layer_index == 1 and .deleted == true and .deleted_by == 3)' \
	-j 'any(.warnings[]; .path == "/a/baz" and .layer_index == 4 and .deleted == false)' \
	-j 'any(.warnings[]; .path == "/b/bar" and .layer_index == 2 and .deleted == false)' \
	-- $SCAN --format json $MU/whiteout_dir.tar

# skopeo's docker-archive and oci-archive of our own layouts: the same
# verdict and the same findings as the layout they were copied from.
# compare_reports LAYOUT_ARGS -- ARCHIVE_ARGS: run both scans and compare
# them through the projection below (not layer digests: a docker-archive
# names its layers by diff_id); SAME_WHY is empty when they agree.
PROJ='{verdict, files: .summary.files, layers: .summary.layers, manifests: .summary.manifests,
  findings: ([(.violations, .warnings, .exemptions)[]
    | {path, class, level, deleted, deleted_by, escaped, layer_index, size, xxh3}] | sort)}'
compare_reports() {
	_a=
	while [ "$1" != -- ]; do
		_a="$_a $1"
		shift
	done
	shift
	# shellcheck disable=SC2086 # _a: the layout scan's words
	$TIMEOUT "$LICGATE" $_a >"$WORK/want.json" 2>"$WORK/err" </dev/null
	_st1=$?
	SAME_WHY=$(crashed $_st1)
	[ -z "$SAME_WHY" ] || return
	$TIMEOUT "$LICGATE" "$@" >"$WORK/got.json" 2>"$WORK/err" </dev/null
	_st2=$?
	SAME_WHY=$(crashed $_st2)
	[ -z "$SAME_WHY" ] || return
	if [ "$_st1" -gt 1 ] || [ "$_st2" != "$_st1" ]; then
		SAME_WHY="exit $_st2, the layout's $_st1"
	elif ! jq -S "$PROJ" "$WORK/want.json" >"$WORK/want.p" 2>/dev/null ||
		! jq -S "$PROJ" "$WORK/got.json" >"$WORK/got.p" 2>/dev/null; then
		SAME_WHY="no JSON report"
	elif ! cmp -s "$WORK/want.p" "$WORK/got.p"; then
		SAME_WHY="report differs: $(diff "$WORK/want.p" "$WORK/got.p" | grep '^[<>]' | head -n 2 | tr '\n' ' ')"
	fi
}
same_report() { # NAME LAYOUT_ARGS -- ARCHIVE_ARGS
	_n=$1
	shift
	compare_reports "$@"
	if [ -n "$SAME_WHY" ]; then
		not_ok "$_n" "$SAME_WHY"
	else
		ok "$_n"
	fi
}
for n in clean leak-visible leak-deleted leak-opaque escape umoci-leak truxe-api multiarch; do
	r=$RULES
	[ $n = truxe-api ] && r=rules/truxe.rules
	[ -f "$r" ] || continue
	for form in docker oci; do
		[ -f "$ARC/$n.$form.tar" ] || continue
		same_report "$form-archive-of-$n-same-as-layout" \
			scan --rules $r --target dockerhub --format json $OCI/$n -- \
			scan --rules "$r" --target dockerhub --format json "$ARC/$n.$form.tar"
	done
done
same_report gzip-docker-archive-same-as-layout $SCAN --format json $OCI/leak-deleted -- \
	$SCAN --format json $ARC/leak-deleted.docker.tar.gz
same_report zstd-oci-archive-same-as-layout $SCAN --format json $OCI/leak-deleted -- \
	$SCAN --format json $ARC/leak-deleted.oci.tar.zst
same_report dot-prefixed-oci-archive-ref-leak-same-as-layout $SCAN --format json $OCI/leak-deleted -- \
	$SCAN --format json --ref leak $ARC/two-refs.dot.oci.tar
same_report dot-prefixed-oci-archive-ref-clean-same-as-layout $SCAN --format json $OCI/clean -- \
	$SCAN --format json --ref clean $ARC/two-refs.dot.oci.tar
# The comparison can fail: another image's archive differs.
compare_reports $SCAN --format json $OCI/leak-deleted -- $SCAN --format json $ARC/leak-opaque.docker.tar
case $SAME_WHY in
"report differs: "*) ok compare-reports-detects-another-image ;;
*) not_ok compare-reports-detects-another-image "got \"$SAME_WHY\"" ;;
esac

# What each form reports about itself.
LD_CONFIG=$(jq -r .config.digest "$OCI/leak-deleted/blobs/sha256/${LDM#sha256:}" | cut -d: -f2)
LD_DIFFIDS=$(jq -c .rootfs.diff_ids "$OCI/leak-deleted/blobs/sha256/$LD_CONFIG")
t docker-archive-describes-its-image -x 1 \
	-j '.image.manifests[0] | .ref == "docker.io/library/app:1" and .media_type == null
	    and .digest == "'"$(docker_image_id $ARC/leak-deleted.docker.tar 0)"'" and .config == .digest' \
	-j 'all(.image.manifests[0].layers[]; .media_type == "application/vnd.docker.image.rootfs.diff.tar"
	    and .digest == .diff_id)' \
	-j '[.image.manifests[0].layers[].diff_id] == '"$LD_DIFFIDS" \
	-j 'any(.violations[]; .path == "'$SSO'" and .deleted_by == 2 and .layer_index == 1)' \
	-- $SCAN --format json $ARC/leak-deleted.docker.tar
t oci-archive-describes-its-image -x 1 \
	-j '.image.manifests[0] | .ref == "latest"
	    and .digest == "'"$(oci_archive_manifest $ARC/leak-deleted.oci.tar)"'"
	    and .media_type == "application/vnd.oci.image.manifest.v1+json"' \
	-j '.image.path == "'"$ARC/leak-deleted.oci.tar"'"' \
	-- $SCAN --format json $ARC/leak-deleted.oci.tar
t oci-archive-text-report -x 1 -o "$SSO.*deleted by layer 2" -o '^FAIL.*dockerhub' \
	-- $SCAN $ARC/leak-deleted.oci.tar
t oci-archive-multiarch-amd64-passes -x 0 \
	-j '.verdict == "pass" and (.image.manifests | length) == 1
	    and .image.manifests[0].platform.architecture == "amd64"' \
	-- $SCAN --platform linux/amd64 --format json $ARC/multiarch.oci.tar
t oci-archive-multiarch-arm64-fails -x 1 \
	-j '.image.manifests[0].platform.variant == "v8" and any(.violations[]; .path == "'$SSO'")' \
	-- $SCAN --platform linux/arm64 --format json $ARC/multiarch.oci.tar
t oci-archive-multiarch-no-such-platform-exits-2 -x 2 -e '^licgate: .*platform' -1 -n \
	-- $SCAN --platform linux/s390x $ARC/multiarch.oci.tar
t docker-archive-keeps-umoci-layer-warnings -x 1 \
	-j '[.image.manifests[].layers[].warnings[]] | length > 0' \
	-- $SCAN --format json $ARC/umoci-leak.docker.tar
t dot-prefixed-oci-archive-both-images -x 1 \
	-j '[.image.manifests[].ref] == ["clean", "leak"] and .image.skipped == []' \
	-j '[.violations[].manifest] | unique == ["'"$LDM"'"]' \
	-- $SCAN --format json $ARC/two-refs.dot.oci.tar
t crafted-control-archive-is-read -x 1 \
	-j '.image.manifests[0].ref == "hostile:1" and [.violations[].path] == ["'$SSO'"]' \
	-- $SCAN --format json $ARC/crafted-control.docker.tar
# Docker 25's form with a tag: the OCI layout in it is read (index.json
# names the image), manifest.json is not needed.
t docker25-tagged-archive-read-as-layout -x 1 \
	-j '.image.manifests[0] | .ref == "1" and .media_type == "application/vnd.oci.image.manifest.v1+json"' \
	-j 'any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-- $SCAN --format json $ARC/docker25-tagged.tar

# Compressed archives and standard input.
t gzip-docker-archive -x 1 \
	-j '.image.path == "'"$ARC/leak-deleted.docker.tar.gz"'"
	    and any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-- $SCAN --format json $ARC/leak-deleted.docker.tar.gz
t zstd-oci-archive -x 1 -j 'any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-- $SCAN --format json $ARC/leak-deleted.oci.tar.zst
t stdin-docker-archive -x 1 -P "cat $ARC/leak-deleted.docker.tar" \
	-j '.image.path == "-" and any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-- $SCAN --format json -
t stdin-oci-archive-clean-passes -x 0 -P "cat $ARC/clean.oci.tar" \
	-j '.verdict == "pass" and .summary.files == 5' -- $SCAN --format json -
t stdin-gzip-pipe -x 1 -P "gzip -c $ARC/leak-deleted.oci.tar" \
	-j 'any(.violations[]; .path == "'$SSO'")' -- $SCAN --format json -
t stdin-zstd-pipe -x 1 -P "zstd -q -c $ARC/leak-deleted.docker.tar" \
	-j 'any(.violations[]; .path == "'$SSO'")' -- $SCAN --format json -
t stdin-already-compressed-file -x 1 -P "cat $ARC/leak-deleted.docker.tar.gz" \
	-o "$SSO" -o '^FAIL' -- $SCAN -
t stdin-corpus-bundle -x 0 -P "cat $TB/test_bundle.tar" \
	-j '[.image.manifests[].ref] == ["test_image_2", "test_image_1"]' -- scan --format json -
t stdin-empty-exits-2 -x 2 -P ":" -e '^licgate: standard input: empty input' -1 -n -- scan -
t stdin-random-bytes-exits-2 -x 2 -P "cat $ARC/bad-random.bin" \
	-e '^licgate: standard input: not a tar archive' -1 -n -- scan -
t stdin-truncated-exits-2 -x 2 -P "cat $ARC/bad-truncated.docker.tar" \
	-e '^licgate: standard input: damaged or truncated archive' -1 -n -- scan -
# A FIFO named as IMAGE is read like standard input.
if mkfifo "$WORK/fifo"; then
	cat $ARC/leak-deleted.oci.tar >"$WORK/fifo" 2>/dev/null &
	writer=$!
	t image-is-a-fifo -x 1 -j '.image.path == "'"$WORK/fifo"'" and any(.violations[]; .path == "'$SSO'")' \
		-- $SCAN --format json "$WORK/fifo"
	# A writer still blocked on the FIFO (the binary never opened it) must go.
	kill "$writer" 2>/dev/null
	wait "$writer" 2>/dev/null
fi
# Spooling needs TMPDIR; a plain archive file is read in place without it.
t spool-tmpdir-missing-stdin-exits-2 -x 2 -V TMPDIR=$WORK/no-such-dir -P "cat $ARC/clean.docker.tar" \
	-e "^licgate: .*cannot create a temporary file in $WORK/no-such-dir" -1 -n -- scan -
t spool-tmpdir-missing-compressed-exits-2 -x 2 -V TMPDIR=$WORK/no-such-dir \
	-e "^licgate: .*cannot create a temporary file in $WORK/no-such-dir" -1 -n \
	-- scan $ARC/leak-deleted.docker.tar.gz
t plain-archive-read-in-place-without-tmpdir -x 1 -V TMPDIR=$WORK/no-such-dir \
	-j 'any(.violations[]; .path == "'$SSO'")' -- $SCAN --format json $ARC/leak-deleted.docker.tar
if script -qec true /dev/null >/dev/null 2>&1; then
	env TERM=xterm script -qec "'$LICGATE' scan -" /dev/null >"$WORK/tty" 2>&1 </dev/null
	st=$?
	if [ "$st" -ne 2 ]; then
		not_ok stdin-terminal-refused "exit $st, want 2"
	elif ! grep -q 'licgate: standard input is a terminal' "$WORK/tty"; then
		not_ok stdin-terminal-refused "no message: $(head -c 200 "$WORK/tty")"
	else
		ok stdin-terminal-refused
	fi
fi

# --ref: by RepoTag in a docker-archive, by ref.name in an OCI layout.
t ref-selects-one-image-of-bundle -x 0 \
	-j '(.image.manifests | length) == 1 and .image.manifests[0].ref == "test_image_1"
	    and .image.manifests[0].digest == "'"$BUNDLE1"'"' \
	-j '[.warnings[].path] | sort == ["/bar", "/foo"]' \
	-- $SCAN --ref test_image_1 --format json $TB/test_bundle.tar
t ref-repeated-selects-both -x 0 -j '(.image.manifests | length) == 2' \
	-- $SCAN --ref test_image_1 --ref test_image_2 --format json $TB/test_bundle.tar
t ref-selects-symlinked-layer-image -x 0 \
	-j '[.image.manifests[].ref] == ["bazel/v1/tarball:test_image_3"] and .summary.layers == 2' \
	-- $SCAN --ref bazel/v1/tarball:test_image_3 --format json $TB/test_link.tar
t ref-with-tag-latest-matches -x 0 -j '(.image.manifests | length) == 1' \
	-- $SCAN --ref localhost:5000/whiteout:latest --format json $MU/whiteout_dir.tar
t ref-oci-archive-by-ref-name -x 0 \
	-j '[.image.manifests[].ref] == ["clean"] and .verdict == "pass"' \
	-j '[.image.skipped[] | .reason] == ["ref not selected"]' \
	-- $SCAN --ref clean --format json $ARC/two-refs.dot.oci.tar
t ref-oci-layout-by-ref-name -x 1 \
	-j '[.image.manifests[].ref] == ["latest"]' -- $SCAN --ref latest --format json $OCI/leak-deleted
t ref-docker25-by-tag-name -x 1 -j '[.image.manifests[].ref] == ["1"]' \
	-- $SCAN --ref 1 --format json $ARC/docker25-tagged.tar
t ref-docker25-by-full-name -x 1 -j '(.image.manifests | length) == 1' \
	-- $SCAN --ref docker.io/library/app:1 --format json $ARC/docker25-tagged.tar
# Names compare in Docker's normal form: "app:1" is docker.io/library/app:1,
# "test_image_1" is docker.io/library/test_image_1:latest.
t ref-docker25-by-short-name -x 1 -j '(.image.manifests | length) == 1' \
	-- $SCAN --ref app:1 --format json $ARC/docker25-tagged.tar
t ref-docker25-other-tag-exits-2 -x 2 -e '^licgate: .*no image matches the selected --ref' -1 -n \
	-- $SCAN --ref app:2 $ARC/docker25-tagged.tar
t ref-skopeo-docker-archive-full-name -x 1 -j '(.image.manifests | length) == 1' \
	-- $SCAN --ref docker.io/library/app:1 --format json $ARC/leak-deleted.docker.tar
t ref-skopeo-docker-archive-short-name -x 1 -j '(.image.manifests | length) == 1' \
	-- $SCAN --ref app:1 --format json $ARC/leak-deleted.docker.tar
t ref-other-repository-does-not-match -x 2 -e '^licgate: .*no image matches the selected --ref' -1 -n \
	-- $SCAN --ref other/app:1 $ARC/leak-deleted.docker.tar
t ref-explicit-latest-matches-untagged-name -x 0 \
	-j '[.image.manifests[].ref] == ["test_image_1"]' \
	-- $SCAN --ref test_image_1:latest --format json $TB/test_bundle.tar
t ref-matches-nothing-docker-archive-exits-2 -x 2 -e '^licgate: .*no image matches the selected --ref' -1 -n \
	-- $SCAN --ref nope $TB/test_bundle.tar
t ref-matches-nothing-oci-layout-exits-2 -x 2 -e '^licgate: .*no image matches the selected --ref' -1 -n \
	-- $SCAN --ref nope $OCI/leak-deleted
t ref-matches-nothing-stdin-exits-2 -x 2 -P "cat $ARC/two-refs.dot.oci.tar" \
	-e '^licgate: (standard input|-): no image matches the selected --ref' -1 -n -- $SCAN --ref nope -
# A name without a tag whose registry has a port: its ":latest".
t ref-with-registry-port-matches-latest -x 0 -j '(.image.manifests | length) == 1' \
	-- $SCAN --ref localhost:5000/whiteout --format json $MU/whiteout_dir.tar
# BUG (issue 3, reported): names are normalized into 1 KiB buffers, so a
# --ref that differs from a RepoTag only after ~1,000 characters selects it.
LONG_TAG=$(printf '%1100s' '' | tr ' ' a)
t ref-long-name-compared-whole -x 1 -j '(.image.manifests | length) == 1' \
	-- $SCAN --ref "${LONG_TAG}x:1" --format json $ARC/long-reftag.docker.tar
t ref-long-name-differing-at-the-end-exits-2 -x 2 -e '^licgate: .*no image matches the selected --ref' -1 -n \
	-- $SCAN --ref "${LONG_TAG}y:1" $ARC/long-reftag.docker.tar
# BUG (issue 3, reported): a docker-archive image left out by --ref is listed
# in .image.skipped with the config's file name ("<hex>.json") as its
# "digest"; left out by --platform, with its image ID.  Want a digest (the
# image ID) or "".
t ref-skipped-docker-image-listed-with-a-digest -x 0 \
	-j '[.image.skipped[] | .reason] == ["ref not selected"]' \
	-j 'all(.image.skipped[]; .digest | test("^(sha256:[0-9a-f]{64})?$"))' \
	-- $SCAN --ref test_image_1 --format json $TB/test_bundle.tar

# Archives that must be refused: exit 2, one line naming what is wrong,
# no report.
t archive-layer-path-dotdot-exits-2 -x 2 -1 -n \
	-e '^licgate: .*Layers\[0\]: "\.\./[0-9a-f]{64}/layer\.tar": not a safe relative path' \
	-- $SCAN $ARC/bad-layer-path-dotdot.tar
t archive-config-path-absolute-exits-2 -x 2 -1 -n \
	-e '^licgate: .*"/etc/passwd": not a safe relative path' -- $SCAN $ARC/bad-config-path-absolute.tar
t archive-layer-link-outside-exits-2 -x 2 -1 -n -e '^licgate: .*Layers\[0\]: x/layer\.tar: ' \
	-E 'root:|daemon:' -- $SCAN $ARC/bad-layer-link-outside.tar
t archive-layer-link-absolute-exits-2 -x 2 -1 -n -e '^licgate: .*Layers\[0\]: x/layer\.tar: ' \
	-- $SCAN $ARC/bad-layer-link-absolute.tar
t archive-layer-link-chain-refused -x 2 -1 -n -e '^licgate: .*a/layer\.tar: a link to a link' \
	-- $SCAN $ARC/bad-layer-link-chain.tar
t archive-layer-not-its-diff-id-exits-2 -x 2 -1 -n -e "^licgate: .*diff_id" \
	-- $SCAN $ARC/bad-layer-diffid.tar
t archive-holds-no-image-exits-2 -x 2 -1 -n -e '^licgate: .*bad-no-image\.tar: no image here' \
	-- $SCAN $ARC/bad-no-image.tar
t archive-truncated-exits-2 -x 2 -1 -n \
	-e '^licgate: .*bad-truncated\.docker\.tar: damaged or truncated archive' \
	-- $SCAN $ARC/bad-truncated.docker.tar
t archive-empty-file-exits-2 -x 2 -1 -n -e '^licgate: .*bad-empty\.tar: empty file' \
	-- $SCAN $ARC/bad-empty.tar
t archive-random-bytes-exits-2 -x 2 -1 -n -e '^licgate: .*bad-random\.bin: not a tar archive' \
	-- $SCAN $ARC/bad-random.bin
t archive-json-report-not-written -x 2 -n -1 -e 'diff_id' -- $SCAN --format json $ARC/bad-layer-diffid.tar
# A small gzip stream cut short fails already in libarchive's open: it must
# still say truncated, not "empty input".
t archive-truncated-gzip-exits-2 -x 2 -1 -n \
	-e '^licgate: .*bad-truncated\.docker\.tar\.gz: .*[Tt]runcated' \
	-- $SCAN $ARC/bad-truncated.docker.tar.gz
# BUG (issue 3, reported): gzip of nothing says only libarchive's
# "Unrecognized archive format"; it is an empty input (src/input.c has "empty
# after decompression", which this never reaches).
t archive-gzip-of-nothing-exits-2 -x 2 -1 -n -e '^licgate: .*bad-empty\.tar\.gz: .*empty' \
	-- $SCAN $ARC/bad-empty.tar.gz

# --- rules files -------------------------------------------------------------

t check-rules-example -x 0 -o 'example\.rules.*ok' -E 'warning' -- check-rules $RULES
t check-rules-default -x 0 -o 'default\.rules.*ok' -- check-rules rules/default.rules
[ -f rules/truxe.rules ] &&
	t check-rules-truxe -x 0 -o 'truxe\.rules.*ok' -- check-rules rules/truxe.rules
t check-rules-unknown-statement -x 2 \
	-e "$F/rules/bad-unknown-statement\\.rules:4: .*frobnicate" \
	-- check-rules $F/rules/bad-unknown-statement.rules
t check-rules-unterminated-string -x 2 \
	-e "$F/rules/bad-unterminated-string\\.rules:2: .*unterminated" \
	-- check-rules $F/rules/bad-unterminated-string.rules
t check-rules-bad-regex -x 2 \
	-e "$F/rules/bad-regex\\.rules:5: " \
	-- check-rules $F/rules/bad-regex.rules
t check-rules-reports-every-error -x 2 \
	-e "$F/rules/bad-two-errors\\.rules:3: .*sometimes" -e "$F/rules/bad-two-errors\\.rules:5: " \
	-- check-rules $F/rules/bad-two-errors.rules
t check-rules-missing-file -x 2 -e 'no-such\.rules' -- check-rules $F/rules/no-such.rules
t scan-with-broken-rules-exits-2 -x 2 -n \
	-e "$F/rules/bad-unknown-statement\\.rules:4: " \
	-- scan --rules $F/rules/bad-unknown-statement.rules $OCI/clean

# --- where the report goes ---------------------------------------------------

t output-file-gets-the-report -x 1 -n -R "$WORK/report.json" \
	-j '.verdict == "fail" and any(.violations[]; .path == "'$SSO'" and .deleted_by == 2)' \
	-- $SCAN --format json --output "$WORK/report.json" $OCI/leak-deleted
t output-file-text -x 0 -n -R "$WORK/report.txt" -o '^PASS' \
	-- $SCAN --output "$WORK/report.txt" $OCI/clean
t output-file-unwritable-exits-2 -x 2 -e '^licgate: .*no-such-dir' \
	-- $SCAN --output "$WORK/no-such-dir/report" $OCI/clean
t quiet-says-nothing -x 1 -n -- $SCAN --quiet $OCI/leak-deleted
t no-color-in-a-pipe -x 1 -o "$SSO" -O "$(printf '\033')" -- $SCAN $OCI/leak-deleted
t no-color-with-NO_COLOR -x 1 -V NO_COLOR=1 -o "$SSO" -O "$(printf '\033')" -- $SCAN $OCI/leak-deleted

# On a terminal the text report may be coloured, unless NO_COLOR is set.
# util-linux script(1) gives the binary a terminal.
if script -qec true /dev/null >/dev/null 2>&1; then
	tty_run() { # VAR=VAL: run a leak-deleted scan on a terminal into $WORK/tty
		env "$1" TERM=xterm script -qec \
			"'$LICGATE' scan --rules '$RULES' '$OCI/leak-deleted'" \
			/dev/null >"$WORK/tty" 2>&1 </dev/null
	}
	tty_run NO_COLOR=1
	st=$?
	if [ "$st" -ne 1 ]; then
		not_ok no-color-on-a-terminal-with-NO_COLOR "exit $st, want 1"
	elif grep -q "$(printf '\033')" "$WORK/tty"; then
		not_ok no-color-on-a-terminal-with-NO_COLOR "ESC in the output"
	elif ! grep -q "$SSO" "$WORK/tty"; then
		not_ok no-color-on-a-terminal-with-NO_COLOR "no report on the terminal"
	else
		ok no-color-on-a-terminal-with-NO_COLOR
	fi
	# The same run without NO_COLOR must colour: proves the check above can fail.
	tty_run NO_COLOR=
	if grep -q "$(printf '\033')" "$WORK/tty"; then
		ok color-on-a-terminal
	else
		not_ok color-on-a-terminal "no ESC in the output on a terminal"
	fi
fi

# (The report's JSON schema is checked by tests/e2e/test_schema.sh.)

# --- no files left behind ----------------------------------------------------

# Scans that pass, fail and stop half-way, each with its own TMPDIR.
mkdir "$WORK/tmp"
statuses=
for img in clean leak-deleted zstd deep-tag umoci-leak multiarch tampered truncated-layer; do
	TMPDIR=$WORK/tmp $TIMEOUT "$LICGATE" scan --rules "$RULES" --format json \
		"$OCI/$img" >/dev/null 2>&1 </dev/null
	statuses="$statuses$?"
done
left=$(find "$WORK/tmp" -mindepth 1 -maxdepth 1 | head -n 3 | tr '\n' ' ')
if [ "$statuses" != 01111122 ]; then
	not_ok scans-leave-no-temporary-files "exit statuses $statuses, want 01111122"
elif [ -n "$left" ]; then
	not_ok scans-leave-no-temporary-files "left in TMPDIR: $left"
else
	ok scans-leave-no-temporary-files
fi

# Archive scans, each with the same TMPDIR: spooled from standard input
# (plain, gzip) and from compressed files, read in place, and failing half-way.
mkdir "$WORK/tmp2"
statuses=
for cmd in "cat $ARC/leak-deleted.docker.tar" "gzip -c $ARC/clean.oci.tar" \
	"cat $ARC/bad-truncated.docker.tar" "cat $ARC/bad-random.bin"; do
	sh -c "$cmd" 2>/dev/null | TMPDIR=$WORK/tmp2 $TIMEOUT "$LICGATE" scan --rules "$RULES" - \
		>/dev/null 2>&1
	statuses="$statuses$?"
done
for a in leak-deleted.docker.tar.gz leak-deleted.oci.tar.zst leak-deleted.docker.tar \
	bad-layer-diffid.tar bad-truncated.docker.tar.gz; do
	TMPDIR=$WORK/tmp2 $TIMEOUT "$LICGATE" scan --rules "$RULES" "$ARC/$a" >/dev/null 2>&1 </dev/null
	statuses="$statuses$?"
done
left=$(find "$WORK/tmp2" -mindepth 1 -maxdepth 1 | head -n 3 | tr '\n' ' ')
if [ "$statuses" != 102211122 ]; then
	not_ok archive-scans-leave-no-temporary-files "exit statuses $statuses, want 102211122"
elif [ -n "$left" ]; then
	not_ok archive-scans-leave-no-temporary-files "left in TMPDIR: $left"
else
	ok archive-scans-leave-no-temporary-files
fi
# (Interrupted scans of standard input: tests/e2e/test_signals.sh.)

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
