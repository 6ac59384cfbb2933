#!/bin/sh
# test_nested.sh - every byte that ships, inside archives too (issue 17).
#
# Usage: sh tests/e2e/test_nested.sh LICGATE_BINARY
#
# The committed fixture oci/nested (tests/fixtures/make-nested.sh: jar,
# zip, python3 -m zipfile, npm pack, tar, gzip) must be denied for each
# member the issue names, at its CONTAINER!/MEMBER path, with the outer
# archives not denied themselves, a member deleted with its container,
# path rules whose ** crosses !/, and the same answer warm; a brotli
# sso.js.br (by name: brotli has no signature); a gem made by `gem build`
# (its member inside data.tar.gz inside the gem); a 7-Zip archive made by
# 7z and a cabinet made by gcab.  Then the same
# fixture rebuilt now by the producers found here (skipped visibly when
# one is missing), and hostile archives written by nested-bombs.py, each
# in an image of its own: the 42.zip shape and overlapping entries stop at
# the expanded-bytes limit within 256 MiB and a minute, nesting stops at
# the depth limit, a damaged archive and a lying size are errors, and
# member bytes count toward --max-bytes.  LICGATE_SKIP_SLOW=1 skips the
# bombs.
#
# Prints "ok - ..." / "not ok - ..." / "skip - ..." lines, ends with
# "nested: N passed, M failed", and exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_nested.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
fx=$root/tests/fixtures
img=$fx/oci/nested

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-nested.XXXXXX") || exit 2
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
XDG_CACHE_HOME=$tmp/xdg
HOME=$tmp/home
export XDG_CACHE_HOME HOME
LIB_TMP=$tmp/lib
mkdir -p "$LIB_TMP"
# shellcheck source=../fixtures/oci-lib.sh
. "$fx/oci-lib.sh"

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1${2:+ ($2)}"
}
check() { # NAME STATUS [WHY]
	if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" "${3:-}"; fi
}

# scan OUT ARGS...: JSON report in OUT.json, stderr in OUT.err, status OUT.st
scan() {
	_o=$1
	shift
	"$bin" scan --no-cache --format json "$@" >"$_o.json" 2>"$_o.err" </dev/null
	echo $? >"$_o.st"
}
st() { cat "$1.st"; }
# jqt OUT FILTER: the filter is true of OUT's report
jqt() { jq -e "$2" "$1.json" >/dev/null 2>&1; }

denied() { # OUT PATH [EVIDENCE-KIND]
	jqt "$1" "any(.violations[]; .path == \"$2\"${3:+ and any(.evidence[]; .kind == \"$3\")})"
}

# ---- the committed fixture ---------------------------------------------
check_fixture() { # LABEL LAYOUT
	scan "$tmp/f" "$2"
	check "$1: exit 1" "$([ "$(st "$tmp/f")" = 1 ]; echo $?)" "exit $(st "$tmp/f"): $(head -c 300 "$tmp/f.err")"
	W=/srv/deploy/bundle.tgz!/dist/app.war!/WEB-INF/lib/acme-ee.jar!/com/acme/ee/Sso.java
	check "$1: a BUSL-tagged file deflated in a jar" \
		"$(denied "$tmp/f" '/srv/lib/app.jar!/com/acme/ee/Sso.java' spdx-tag; echo $?)"
	check "$1: a wheel's files, by its METADATA's License-Expression" \
		"$(denied "$tmp/f" '/srv/py/acme_ee-1.0-py3-none-any.whl!/acme_ee/__init__.py'; echo $?)"
	check "$1: an npm tarball's files, by its package/package.json" \
		"$(denied "$tmp/f" '/srv/npm/acme-sso-1.0.0.tgz!/package/index.js'; echo $?)"
	check "$1: a jar in a war in a tgz" "$(denied "$tmp/f" "$W" spdx-tag; echo $?)"
	check "$1: a precompressed sso.js.gz, at CONTAINER!/" \
		"$(denied "$tmp/f" '/srv/static/sso.js.gz!/' spdx-tag; echo $?)"
	check "$1: the archives themselves are not violations" \
		"$(jqt "$tmp/f" 'all(.violations[]; .path | contains("!/"))'; echo $?)"
	check "$1: MIT members pass (util.jar, app.js.gz)" \
		"$(jqt "$tmp/f" 'all(.violations[]; .path | (contains("util.jar") or contains("app.js.gz")) | not)'; echo $?)"
	check "$1: a member is deleted with its container (old.jar, layer 2)" \
		"$(jqt "$tmp/f" 'any(.violations[]; .path == "/srv/lib/old.jar!/com/acme/old/Old.java" and .deleted_by == 2)'; echo $?)"
	check "$1: 10 violations" "$(jqt "$tmp/f" '.summary.violations == 10'; echo $?)" \
		"$(jq -c .summary.violations "$tmp/f.json" 2>/dev/null)"
}
check_fixture nested "$img"

# the text report names the member paths too
"$bin" scan --no-cache "$img" >"$tmp/text.out" 2>&1
check "text report: member paths" "$(grep -q '^DENY   /srv/lib/app.jar!/com/acme/ee/Sso.java ' "$tmp/text.out"; echo $?)"

# path rules: ** crosses !/, and a rule can name a member
cat >"$tmp/path.rules" <<'EOF'
class ok    "fine"
class paid  "paid"
target t  allow ok  deny paid  unknown allow
license MIT ok
license BUSL-1.1 ok
path /srv/**/com/acme/**  paid
path /srv/static/sso.js.gz!/  paid
EOF
scan "$tmp/p" --rules "$tmp/path.rules" "$img"
check "path rule: /srv/**/com/acme/** reaches into jars, wars and tgzs" \
	"$(jqt "$tmp/p" '([.violations[].path | select(contains("/com/acme/"))] | length) == 3'; echo $?)" \
	"$(jq -c '[.violations[].path]' "$tmp/p.json" 2>/dev/null)"
check "path rule: a single compressed file's member by its path" \
	"$(denied "$tmp/p" '/srv/static/sso.js.gz!/' path; echo $?)"

# cold and warm give the same report
strip() { jq -S 'del(.summary.seconds, .summary.mb_per_second, .summary.cached_layers,
	.summary.unchanged_blobs, .summary.rejected_cache_entries,
	.image.manifests[].layers[].cached, .image.manifests[].layers[].verified)' "$1"; }
"$bin" scan --cache-dir "$tmp/cache" --format json "$img" >"$tmp/cold.json" 2>/dev/null
"$bin" scan --cache-dir "$tmp/cache" --format json "$img" >"$tmp/warm.json" 2>/dev/null
check "warm scan: from the cache" "$(jq -e '.summary.cached_layers == 2' "$tmp/warm.json" >/dev/null; echo $?)" \
	"$(jq -c .summary.cached_layers "$tmp/warm.json" 2>/dev/null)"
check "warm scan: the cold report" \
	"$([ -s "$tmp/cold.json" ] && [ "$(strip "$tmp/cold.json")" = "$(strip "$tmp/warm.json")" ]; echo $?)"

# ---- brotli: no signature, so *.br by name, decoded by libbrotli ------------
# image NAME FILE...: an image whose one layer holds FILEs in /srv
image() {
	_n=$1
	shift
	rm -rf "$tmp/t-$_n"
	mkdir -p "$tmp/t-$_n/srv"
	cp "$@" "$tmp/t-$_n/srv/"
	layout_new "$tmp/i-$_n"
	img_begin
	img_layer_dir "$tmp/i-$_n" "$tmp/t-$_n" gzip "COPY srv /srv"
	img_finish "$tmp/i-$_n" linux amd64
	index_write "$tmp/i-$_n" "$(manifest_desc latest)"
}
# no brotli encoder here: one uncompressed meta-block (RFC 7932 9.2)
python3 - "$tmp/sso.js.br" <<'PY'
import sys
t = b"/* SPDX-License-Identifier: BUSL-1.1 */\nexport const sso = 1;\n"
bits = (len(t) - 1) << 4 | 1 << 20
open(sys.argv[1], "wb").write(bits.to_bytes(3, "little") + t + b"\x03")
PY
image br "$tmp/sso.js.br"
scan "$tmp/br" "$tmp/i-br"
check "a precompressed sso.js.br, at CONTAINER!/" \
	"$([ "$(st "$tmp/br")" = 1 ] && denied "$tmp/br" '/srv/sso.js.br!/' spdx-tag; echo $?)" \
	"exit $(st "$tmp/br"): $(head -c 300 "$tmp/br.err")"

# ---- the fixture made again, by the producers here ------------------------
missing=
for t in zip python3 npm gzip tar; do
	command -v $t >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "skip - rebuilt fixture: no$missing"
else
	if sh "$fx/make-nested.sh" "$tmp/rebuilt" >"$tmp/make.err" 2>&1; then
		command -v jar >/dev/null 2>&1 || echo "skip - app.jar by the JDK's jar: no jar (made by zip)"
		check_fixture rebuilt "$tmp/rebuilt"
	else
		not_ok "make-nested.sh runs" "$(head -c 300 "$tmp/make.err")"
	fi
fi
# A gem, built by RubyGems: a plain tar holding metadata.gz and data.tar.gz.
if ! command -v gem >/dev/null 2>&1; then
	echo "skip - gem build: no gem here (make deps installs ruby)"
else
	mkdir -p "$tmp/gem/lib/acme/ee"
	printf '# SPDX-License-Identifier: BUSL-1.1\nmodule Acme; module EE; end; end\n' \
		>"$tmp/gem/lib/acme/ee/sso.rb"
	printf '# SPDX-License-Identifier: MIT\nmodule Acme; end\n' >"$tmp/gem/lib/acme.rb"
	cat >"$tmp/gem/acme-ee.gemspec" <<'EOG'
Gem::Specification.new do |s|
  s.name = "acme-ee"
  s.version = "1.0.0"
  s.summary = "Acme enterprise features"
  s.authors = ["Acme"]
  s.files = ["lib/acme.rb", "lib/acme/ee/sso.rb"]
end
EOG
	if (cd "$tmp/gem" && HOME=$tmp SOURCE_DATE_EPOCH=1700000000 gem build acme-ee.gemspec) \
		>"$tmp/gem.log" 2>&1; then
		image gem "$tmp/gem/acme-ee-1.0.0.gem"
		scan "$tmp/gemscan" "$tmp/i-gem"
		G='/srv/acme-ee-1.0.0.gem!/data.tar.gz!'
		check "a gem by gem build: its BUSL file, inside data.tar.gz inside the gem" \
			"$([ "$(st "$tmp/gemscan")" = 1 ] && denied "$tmp/gemscan" "$G/lib/acme/ee/sso.rb" spdx-tag &&
			   ! denied "$tmp/gemscan" "$G/lib/acme.rb"; echo $?)" \
			"exit $(st "$tmp/gemscan"): $(head -c 300 "$tmp/gemscan.err")"
	else
		not_ok "gem build" "$(head -c 300 "$tmp/gem.log")"
	fi
fi

# 7-Zip (LZMA2) and a Windows cabinet (MSZIP), by 7z and gcab: compressed,
# so a tag is not visible in the archive's own bytes.
mkdir -p "$tmp/x7/acme/ee"
printf '// SPDX-License-Identifier: BUSL-1.1\nexport const sso = 1;\n' >"$tmp/x7/acme/ee/sso.js"
printf '// SPDX-License-Identifier: MIT\nexport const ok = 1;\n' >"$tmp/x7/acme/util.js"
for tool in 7z gcab; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "skip - $tool archive: no $tool here (make deps)"
		continue
	fi
	case $tool in
	7z) f=bundle.7z; (cd "$tmp/x7" && 7z a -bd -mx=9 "$tmp/$f" acme) >"$tmp/$tool.log" 2>&1 ;;
	gcab) f=bundle.cab; (cd "$tmp/x7" && gcab -c -z "$tmp/$f" acme/ee/sso.js acme/util.js) >"$tmp/$tool.log" 2>&1 ;;
	esac
	if [ $? -ne 0 ]; then
		not_ok "$tool makes $f" "$(head -c 300 "$tmp/$tool.log")"
		continue
	fi
	if grep -q 'BUSL' "$tmp/$f"; then
		not_ok "$f: the tag is compressed" "it shows in the archive's bytes"
		continue
	fi
	image "$tool" "$tmp/$f"
	scan "$tmp/s-$tool" "$tmp/i-$tool"
	check "$f by $tool: its BUSL member is denied, its MIT member passes" \
		"$([ "$(st "$tmp/s-$tool")" = 1 ] && denied "$tmp/s-$tool" "/srv/$f!/acme/ee/sso.js" spdx-tag &&
		   ! denied "$tmp/s-$tool" "/srv/$f!/acme/util.js"; echo $?)" \
		"exit $(st "$tmp/s-$tool"): $(head -c 300 "$tmp/s-$tool.err")"
done

# ---- hostile archives -------------------------------------------------------
# bounded OUT IMAGE ARGS...: scan under /usr/bin/time; OUT.kb, OUT.s
bounded() {
	_o=$1 _i=$2
	shift 2
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M %e' -o "$_o.time" "$bin" scan --no-cache "$@" "$_i" \
			>"$_o.json" 2>"$_o.err" </dev/null
		echo $? >"$_o.st"
	else
		scan "$_o" "$@" "$_i"
		echo "0 0" >"$_o.time"
	fi
}
within() { # OUT: RSS under 256 MiB and time under 60 s
	read -r kb s <<EOF
$(tail -n 1 "$1.time")
EOF
	[ "$kb" -lt 262144 ] && [ "${s%.*}" -lt 60 ]
}

if [ "${LICGATE_SKIP_SLOW:-0}" = 1 ]; then
	echo "skip - zip bombs (LICGATE_SKIP_SLOW=1)"
else
	mkdir -p "$tmp/bombs"
	python3 "$(dirname "$0")/nested-bombs.py" "$tmp/bombs"
	b=bomb42
	image $b "$tmp/bombs/$b.zip"
	bounded "$tmp/$b" "$tmp/i-$b"
	check "42.zip shape: exit 2 naming the expanded-bytes limit" \
		"$([ "$(st "$tmp/$b")" = 2 ] && grep -q "^licgate: .*/srv/$b.zip!/.*archive members expand to more than 1073741824 bytes in one layer (limit)" "$tmp/$b.err"; echo $?)" \
		"exit $(st "$tmp/$b"): $(head -c 300 "$tmp/$b.err")"
	check "42.zip shape: within 256 MiB and a minute" "$(within "$tmp/$b"; echo $?)" "$(tail -n 1 "$tmp/$b.time") (KiB s)"
	b=overlap
	image $b "$tmp/bombs/$b.zip"
	bounded "$tmp/$b" "$tmp/i-$b"
	check "overlapping zip entries: exit 2, said so" \
		"$([ "$(st "$tmp/$b")" = 2 ] && grep -q "/srv/$b.zip: unreadable archive: its central directory lists 1024 entries, 1 of them distinct (overlapping entries)" "$tmp/$b.err"; echo $?)" \
		"exit $(st "$tmp/$b"): $(head -c 300 "$tmp/$b.err")"
	check "overlapping zip entries: within 256 MiB and a minute" "$(within "$tmp/$b"; echo $?)" "$(tail -n 1 "$tmp/$b.time") (KiB s)"
	image deep "$tmp/bombs/deep.zip"
	bounded "$tmp/deep" "$tmp/i-deep"
	check "12 zips deep: exit 2 naming the depth limit" \
		"$([ "$(st "$tmp/deep")" = 2 ] && grep -q 'level4.zip!/level3.zip: archives nested more than 8 deep (limit)' "$tmp/deep.err"; echo $?)" \
		"exit $(st "$tmp/deep"): $(head -c 300 "$tmp/deep.err")"
	image damaged "$tmp/bombs/damaged.zip"
	bounded "$tmp/damaged" "$tmp/i-damaged"
	check "a zip signature without a zip: exit 2, unreadable archive" \
		"$([ "$(st "$tmp/damaged")" = 2 ] && grep -q '/srv/damaged.zip: unreadable archive' "$tmp/damaged.err"; echo $?)" \
		"exit $(st "$tmp/damaged"): $(head -c 300 "$tmp/damaged.err")"
	image claim "$tmp/bombs/claim.zip"
	bounded "$tmp/claim" "$tmp/i-claim"
	check "a member claiming 4 GiB with 10 bytes: its 10 bytes read, quickly" \
		"$([ "$(st "$tmp/claim")" = 0 ] && within "$tmp/claim"; echo $?)" \
		"exit $(st "$tmp/claim"): $(head -c 300 "$tmp/claim.err")"
	image zeros "$tmp/bombs/zeros.zip"
	bounded "$tmp/z1" "$tmp/i-zeros" --max-bytes 32M
	check "member bytes count toward --max-bytes" \
		"$([ "$(st "$tmp/z1")" = 2 ] && grep -q 'zeros.zip!/zeros.bin: more than 33554432 uncompressed bytes (--max-bytes)' "$tmp/z1.err"; echo $?)" \
		"exit $(st "$tmp/z1"): $(head -c 300 "$tmp/z1.err")"
	bounded "$tmp/z2" "$tmp/i-zeros" --max-bytes 128M
	check "...and pass under it" "$([ "$(st "$tmp/z2")" = 0 ]; echo $?)" \
		"exit $(st "$tmp/z2"): $(head -c 300 "$tmp/z2.err")"
fi

echo "nested: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
