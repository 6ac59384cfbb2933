#!/bin/sh
# test_warm_equiv.sh - a warm scan never changes a verdict (issue 14).
#
# Usage: sh tests/e2e/test_warm_equiv.sh LICGATE_BINARY
#
# Every fixture image (tests/fixtures/oci/*, tests/fixtures/archives/*,
# tests/fixtures/hostile/*) is scanned cold (--no-cache), then warm, then
# warm again, through ONE cache directory shared by every image and every
# rules file, so a warm scan meets layers walked before for another image,
# under another media type and with other rules.  Each warm scan must give
# the cold scan's exit status, its error line (exit 2) and its JSON report
# with only the fields that say how long it took or what came from the
# cache removed (seconds, mb_per_second, cached_layers, unchanged_blobs,
# rejected_cache_entries, layers' cached and verified).  Then the two
# defects of issue 14, each a regression case: a layer holding a tag that
# runs into NUL bytes (a python3 dist-packages .pyc) is served from the
# cache on the second scan, and a plain tar labelled tar+gzip fails warm as
# it fails cold even when its walk is cached under the right label.  And
# the key: editing a path rule or a comment re-walks nothing, editing a
# text rule re-walks every layer.  SBOM reports (SPDX, CycloneDX: per-file
# SHA-1/SHA-256) are served from the cache too, equal to the cold ones,
# once a walk with hashes is stored.  LICGATE_SKIP_SLOW=1 scans the oci/
# fixtures only, with the default rules.
#
# Prints "ok - ..." / "not ok - ..." lines, ends with
# "warm-equiv: N passed, M failed", and exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_warm_equiv.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
fx=$root/tests/fixtures

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-warm.XXXXXX") || exit 2
trap '[ -n "${KEEP:-}" ] || { chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"; }' EXIT
trap 'exit 2' HUP INT TERM
XDG_CACHE_HOME=$tmp/xdg
HOME=$tmp/home
export XDG_CACHE_HOME HOME
cache=$tmp/cache

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
check() { # NAME CONDITION-STATUS [WHY]
	if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" "${3:-}"; fi
}

# scan OUT ARGS...: a JSON scan; in OUT.json the report without the fields
# that say how long it took or what came from the cache, in OUT.st the exit
# status, in OUT.err standard error without cache warnings, in OUT.cached
# and OUT.rejected those summary fields.
scan() {
	out=$1
	shift
	"$bin" scan --format json "$@" >"$out.raw" 2>"$out.err0" </dev/null
	echo $? >"$out.st"
	grep -v 'licgate: warning: .*cache' "$out.err0" >"$out.err"
	if [ -s "$out.raw" ] && jq -S '.summary.cached_layers, .summary.rejected_cache_entries,
			del(.summary.seconds, .summary.mb_per_second, .summary.cached_layers,
			    .summary.unchanged_blobs, .summary.rejected_cache_entries,
			    .image.manifests[].layers[].cached,
			    .image.manifests[].layers[].verified)' \
			"$out.raw" >"$out.all" 2>/dev/null; then
		sed -n 1p "$out.all" >"$out.cached"
		sed -n 2p "$out.all" >"$out.rejected"
		sed 1,2d "$out.all" >"$out.json"
	else
		echo none >"$out.cached"
		echo none >"$out.rejected"
		cat "$out.raw" >"$out.json"
	fi
}

# differ A B: what differs between two scans, or nothing.
differ() {
	cmp -s "$1.st" "$2.st" || { echo "exit $(cat "$1.st") then $(cat "$2.st")"; return; }
	cmp -s "$1.err" "$2.err" || { echo "stderr: $(head -c 300 "$2.err")"; return; }
	cmp -s "$1.json" "$2.json" ||
		echo "report: $(diff "$1.json" "$2.json" | head -6 | tr '\n' ' ')"
}

# equiv NAME ARGS...: cold, warm, warm again give one answer.
n=0
equiv() {
	name=$1
	shift
	n=$((n + 1))
	scan "$tmp/cold$n" --no-cache "$@"
	scan "$tmp/warm$n" --cache-dir "$cache" "$@"
	scan "$tmp/again$n" --cache-dir "$cache" "$@"
	d=$(differ "$tmp/cold$n" "$tmp/warm$n")
	[ -z "$d" ] && d=$(differ "$tmp/cold$n" "$tmp/again$n")
	check "$name: cold, warm, warm again: exit $(cat "$tmp/cold$n.st") and one report" \
		"$([ -z "$d" ]; echo $?)" "$d"
	r=$(cat "$tmp/again$n.rejected")
	if [ "$r" != none ] && [ "$r" != 0 ]; then
		not_ok "$name: no cache entry rejected on the third scan" "$r"
	fi
}

# ---- every fixture image, one cache, several rules files ----------------
oci=
for d in "$fx"/oci/*/; do
	oci="$oci ${d%/}"
done
more=
if [ "${LICGATE_SKIP_SLOW:-}" != 1 ]; then
	for f in "$fx"/archives/* "$fx"/hostile/*/ "$fx"/hostile/archives/*; do
		case $f in */hostile/archives/) continue ;; esac
		[ -e "$f" ] && more="$more ${f%/}"
	done
fi
# The default rules over every image; then, over the same cache, the
# OCI layouts again with two other rules files (other text rules, other
# classes): their layers were walked before, under other rules.
for img in $oci $more; do
	equiv "${img#"$fx"/} (default rules)" "$img"
done
if [ "${LICGATE_SKIP_SLOW:-}" = 1 ]; then
	echo "skip - archives, hostile images and other rules files (LICGATE_SKIP_SLOW=1)"
else
	for rules in "$root/rules/truxe.rules" "$fx/rules/deny-mit.rules"; do
		for img in $oci; do
			equiv "${img#"$fx"/} (${rules##*/})" --rules "$rules" "$img"
		done
	done
fi

# Another target of the same rules, over the same cache: the layers'
# classification is cached per target, never taken for another one.
equiv "truxe-api, target ghcr of truxe.rules" --rules "$root/rules/truxe.rules" --target ghcr \
	"$fx/oci/truxe-api"
equiv "truxe-api, target dockerhub of truxe.rules" --rules "$root/rules/truxe.rules" \
	--target dockerhub "$fx/oci/truxe-api"

# --max-bytes: a layer over the limit on its own fails warm as cold, with
# the same message; over it only with the layers before it, too.
equiv "leak-deleted, --max-bytes below its largest layer" --max-bytes 5K "$fx/oci/leak-deleted"
equiv "leak-deleted, --max-bytes below its sum" --max-bytes 12K "$fx/oci/leak-deleted"

# ---- issue 14, defect 1: a layer with a tag that runs into NUL bytes ---
LIB_TMP=$tmp/lib
mkdir -p "$LIB_TMP"
# shellcheck source=../fixtures/oci-lib.sh
. "$fx/oci-lib.sh"
site=$tmp/py/usr/lib/python3/dist-packages
mkdir -p "$site/attr/__pycache__" "$site/attrs-22.2.0.dist-info"
printf '# SPDX-License-Identifier: MIT\n' >"$site/attr/__init__.py"
printf '\247\r\r\n\343SPDX-License-Identifier: MIT\0\0\0)\002\n' \
	>"$site/attr/__pycache__/__init__.cpython-311.pyc"
printf 'Metadata-Version: 2.1\nName: attrs\nLicense: MIT\n\n' \
	>"$site/attrs-22.2.0.dist-info/METADATA"
printf 'attr/__init__.py,,\nattr/__pycache__/__init__.cpython-311.pyc,,\n' \
	>"$site/attrs-22.2.0.dist-info/RECORD"
layout_new "$tmp/pyimg"
img_begin
img_layer_dir "$tmp/pyimg" "$tmp/py" gzip "python3 dist-packages"
img_finish "$tmp/pyimg" linux amd64
index_write "$tmp/pyimg" "$(manifest_desc)"
equiv "python3 dist-packages layer with a NUL in a tag's line" "$tmp/pyimg"
check "python3 dist-packages layer: served from the cache once cached" \
	"$([ "$(cat "$tmp/again$n.cached")" = 1 ] && [ "$(cat "$tmp/again$n.rejected")" = 0 ]; echo $?)" \
	"cached $(cat "$tmp/again$n.cached"), rejected $(cat "$tmp/again$n.rejected")"

# ---- issue 14, defect 2: a plain tar labelled tar+gzip ------------------
mkdir -p "$tmp/plain/etc"
printf 'hello\n' >"$tmp/plain/etc/motd"
tar_dir "$tmp/plain" "$tmp/plain.tar"
for label in right wrong; do
	layout_new "$tmp/$label"
	img_begin
	if [ $label = right ]; then
		img_layer "$tmp/$label" "$tmp/plain.tar" none "plain"
	else
		img_layer "$tmp/$label" "$tmp/plain.tar" none "plain" "$MT_LAYER+gzip"
	fi
	img_finish "$tmp/$label" linux amd64
	index_write "$tmp/$label" "$(manifest_desc)"
done
scan "$tmp/right" --cache-dir "$cache" "$tmp/right"
check "a plain tar labelled tar: passes, and its walk is cached" \
	"$([ "$(cat "$tmp/right.st")" = 0 ]; echo $?)" "exit $(cat "$tmp/right.st")"
equiv "the same plain tar labelled tar+gzip" "$tmp/wrong"
check "...fails with exit 2 cold and warm" \
	"$([ "$(cat "$tmp/cold$n.st")" = 2 ] && [ "$(cat "$tmp/warm$n.st")" = 2 ]; echo $?)"
check "...saying the blob is not gzip-compressed" \
	"$(grep -q 'not gzip-compressed' "$tmp/warm$n.err"; echo $?)"

# ---- SBOM reports: per-file SHA-1/SHA-256 come from the cache too ------
# A walk stored without hashes (a JSON scan) cannot serve an SBOM: the
# first SBOM scan walks again and stores the hashes; from then on SBOM
# scans and plain scans are served from the cache, with the cold reports.
# sbom OUT ARGS...: a scan writing JSON, SPDX and CycloneDX reports (at one
# SOURCE_DATE_EPOCH: their creation time and the names made from it agree).
sbom() {
	out=$1
	shift
	SOURCE_DATE_EPOCH=1700000000 "$bin" scan -q -f json="$out.j" -f spdx-json="$out.spdx" -f cyclonedx-json="$out.cdx" \
		"$@" 2>"$out.err" </dev/null
	echo $? >"$out.st"
	jq -r '"\(.summary.cached_layers) \(.summary.rejected_cache_entries) \(.summary.layers) " +
	       "\([.image.manifests[].layers[] | select(.files == 0)] | length)"' \
		"$out.j" >"$out.counts" 2>/dev/null || echo "none none none none" >"$out.counts"
}
sc=$tmp/sbom-cache
for img in "$fx/oci/truxe-api" "$fx/oci/hardlink" "$fx/oci/nested" "$fx/oci/leak-deleted" \
	   "$tmp/pyimg"; do
	name=${img##*/}
	s=$tmp/sb-$name
	scan "$s-plain" --cache-dir "$sc" "$img"
	sbom "$s-cold" --no-cache "$img"
	sbom "$s-w1" --cache-dir "$sc" "$img"
	sbom "$s-w2" --cache-dir "$sc" "$img"
	scan "$s-plain2" --cache-dir "$sc" "$img"
	read -r c1 r1 layers empty <"$s-w1.counts"
	read -r c2 r2 _ _ <"$s-w2.counts"
	# (a layer of no files needs no hashes: its plain walk serves)
	check "$name, SBOM after a plain scan: walked again for the hashes" \
		"$([ "$c1" = "$empty" ] && [ "$r1" = 0 ]; echo $?)" "cached $c1, $empty empty, rejected $r1"
	check "$name, SBOM again: every layer from the cache" \
		"$([ "$c2" = "$layers" ] && [ "$r2" = 0 ]; echo $?)" "cached $c2 of $layers, rejected $r2"
	d=
	for w in w1 w2; do
		for f in spdx cdx; do
			cmp -s "$s-cold.$f" "$s-$w.$f" || d="$d $w.$f"
		done
		cmp -s "$s-cold.st" "$s-$w.st" || d="$d $w.exit"
	done
	check "$name, SBOM: the warm SPDX and CycloneDX reports are the cold ones" \
		"$([ -z "$d" ] && [ -s "$s-cold.spdx" ]; echo $?)" "differ:$d"
	check "$name, a plain scan after: every layer from the hashed entries" \
		"$([ "$(cat "$s-plain2.cached")" = "$layers" ] &&
		   [ -z "$(differ "$s-plain" "$s-plain2")" ]; echo $?)" \
		"cached $(cat "$s-plain2.cached") of $layers"
done

# ---- the key holds what a walk reads from the rules, nothing more ------
cp "$root/rules/default.rules" "$tmp/a.rules"
img=$fx/oci/leak-visible
scan "$tmp/r1" --cache-dir "$tmp/rc" --rules "$tmp/a.rules" "$img"
layers=$(jq -r .summary.layers "$tmp/r1.raw")
{ echo "# a comment added"; cat "$root/rules/default.rules";
  echo 'path /nowhere/** source-available'; } >"$tmp/b.rules"
scan "$tmp/r2" --cache-dir "$tmp/rc" --rules "$tmp/b.rules" "$img"
check "a comment and a path rule added: every layer from the cache" \
	"$([ "$(cat "$tmp/r2.cached")" = "$layers" ]; echo $?)" "$(cat "$tmp/r2.cached") of $layers"
{ cat "$root/rules/default.rules"; echo 'path /etc/** source-available'; } >"$tmp/c.rules"
scan "$tmp/r3" --cache-dir "$tmp/rc" --rules "$tmp/c.rules" "$img"
scan "$tmp/r3c" --no-cache --rules "$tmp/c.rules" "$img"
check "a path rule that changes verdicts: classified afresh from the cached walks" \
	"$([ "$(cat "$tmp/r3.cached")" = "$layers" ] && [ -z "$(differ "$tmp/r3c" "$tmp/r3")" ] &&
	   ! cmp -s "$tmp/r1.json" "$tmp/r3.json"; echo $?)"
{ cat "$root/rules/default.rules"; echo 'text "hello world" source-available'; } >"$tmp/d.rules"
scan "$tmp/r4" --cache-dir "$tmp/rc" --rules "$tmp/d.rules" "$img"
check "a text rule added: every layer walked again" \
	"$([ "$(cat "$tmp/r4.cached")" = 0 ]; echo $?)" "$(cat "$tmp/r4.cached") cached"

echo "warm-equiv: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
