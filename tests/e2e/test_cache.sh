#!/bin/sh
# test_cache.sh - the layer cache and --jobs, end to end.
#
# Usage: sh tests/e2e/test_cache.sh LICGATE_BINARY
#
# For images that pass, fail and cannot complete: a cold scan (empty cache)
# and a warm one give the same exit status and the same JSON report but for
# the fields that vary from run to run (seconds, mb_per_second,
# cached_layers), the warm scan takes every layer from the cache, and a scan
# that cannot complete stays so.  Then: a blob changed after it was cached
# is still caught, a corrupt entry is ignored and rewritten, a cache that
# cannot be written warns and changes nothing else, --no-cache writes
# nothing, the default directory follows XDG_CACHE_HOME then HOME, and
# --jobs 1 and --jobs 4 give the same reports; --max-bytes and --progress;
# a sparse file's holes are content, count toward --max-bytes and are
# capped.  Nothing is written outside
# the scratch directory.
#
# Prints "ok - ..." / "not ok - ..." lines, ends with
# "cache: N passed, M failed", and exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_cache.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
fx=$root/tests/fixtures

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-cache.XXXXXX") || exit 2
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
XDG_CACHE_HOME=$tmp/xdg
HOME=$tmp/home
export XDG_CACHE_HOME HOME

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

# scan OUT CACHE-DIR ARGS...: a JSON scan; the report without the fields
# that vary from run to run (time, and what came from the cache) in
# OUT.json, cached_layers in OUT.cached, the exit status in OUT.st,
# standard error in OUT.err.
scan() {
	out=$1 dir=$2
	shift 2
	"$bin" scan --cache-dir "$dir" --format json "$@" >"$out.raw" 2>"$out.err" </dev/null
	echo $? >"$out.st"
	if [ -s "$out.raw" ]; then
		jq -r '.summary.cached_layers' "$out.raw" >"$out.cached" 2>/dev/null
		jq -r '.summary.rejected_cache_entries' "$out.raw" >"$out.rejected" 2>/dev/null
		jq -S 'del(.summary.seconds, .summary.mb_per_second, .summary.cached_layers,
			   .summary.unchanged_blobs, .summary.rejected_cache_entries,
			   .image.manifests[].layers[].cached,
			   .image.manifests[].layers[].verified)' \
			"$out.raw" >"$out.json" 2>/dev/null
	else
		echo none >"$out.cached"
		echo none >"$out.rejected"
		: >"$out.json"
	fi
}

same() { # A B: same status and report
	cmp -s "$1.st" "$2.st" && cmp -s "$1.json" "$2.json"
}

# ---- cold and warm, for each kind of outcome ---------------------------
n=0
# (truxe-api passes the built-in rules: like the real tree, its files carry
# no tags or headers; rules/truxe.rules is what fails it.)
for case in clean:0 leak-visible:1 evidence:1 leak-deleted:1 bad-diffid:2 \
	    archives/truxe-api.oci.tar:0 archives/bad-layer-diffid.tar:2 \
	    archives/leak-deleted.oci.tar.zst:1 archives/umoci-leak.oci.tar:1; do
	img=${case%:*} want=${case##*:}
	case $img in archives/*) path=$fx/$img ;; *) path=$fx/oci/$img ;; esac
	[ -e "$path" ] || { not_ok "fixture $img exists"; continue; }
	n=$((n + 1))
	dir=$tmp/c$n
	scan "$tmp/cold$n" "$dir" "$path"
	scan "$tmp/warm$n" "$dir" "$path"
	st=$(cat "$tmp/cold$n.st")
	check "$img: cold scan exits $want" "$([ "$st" = "$want" ]; echo $?)" "exit $st"
	check "$img: warm scan gives the same status and report" \
		"$(same "$tmp/cold$n" "$tmp/warm$n"; echo $?)"
	if [ "$want" = 2 ]; then
		check "$img: no report from a scan that cannot complete, cold or warm" \
			"$([ ! -s "$tmp/cold$n.raw" ] && [ ! -s "$tmp/warm$n.raw" ]; echo $?)"
		scan "$tmp/third$n" "$dir" "$path"
		check "$img: a third scan still exits 2" \
			"$([ "$(cat "$tmp/third$n.st")" = 2 ]; echo $?)"
	else
		layers=$(jq -r .summary.layers "$tmp/cold$n.raw")
		cold=$(cat "$tmp/cold$n.cached") warm=$(cat "$tmp/warm$n.cached")
		check "$img: cold scan takes nothing from the cache" "$([ "$cold" = 0 ]; echo $?)" "$cold"
		check "$img: warm scan takes its layers from the cache" \
			"$([ "$warm" -gt 0 ] && [ "$warm" -le "$layers" ]; echo $?)" "$warm of $layers"
	fi
done

# ---- a blob changed after it was cached --------------------------------
cp -R "$fx/oci/clean" "$tmp/img"
chmod -R u+w "$tmp/img"
scan "$tmp/t1" "$tmp/ct" "$tmp/img"
blob=$(jq -r '.image.manifests[0].layers[-1].digest // empty' "$tmp/t1.raw" 2>/dev/null)
if [ -z "$blob" ]; then
	# the report does not list layer digests: take the manifest's last layer
	m=$(jq -r '.manifests[0].digest' "$tmp/img/index.json" | sed 's/^sha256://')
	blob=$(jq -r '.layers[-1].digest' "$tmp/img/blobs/sha256/$m")
fi
f=$tmp/img/blobs/sha256/${blob#sha256:}
printf 'x' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
scan "$tmp/t2" "$tmp/ct" "$tmp/img"
check "a layer blob changed after it was cached: exit 2" \
	"$([ "$(cat "$tmp/t2.st")" = 2 ]; echo $?)" "exit $(cat "$tmp/t2.st")"
check "...naming the digest mismatch" "$(grep -q 'digest mismatch\|hashes to' "$tmp/t2.err"; echo $?)"

# ---- a corrupt entry is ignored and rewritten ---------------------------
scan "$tmp/k1" "$tmp/ck" "$fx/oci/leak-visible"
for e in "$tmp"/ck/*.layer; do
	printf 'garbage' | dd of="$e" bs=1 seek=200 conv=notrunc 2>/dev/null
done
scan "$tmp/k2" "$tmp/ck" "$fx/oci/leak-visible"
check "corrupt entries: same status and report" "$(same "$tmp/k1" "$tmp/k2"; echo $?)"
check "corrupt entries: not used" "$([ "$(cat "$tmp/k2.cached")" = 0 ]; echo $?)"
layers=$(jq -r .summary.layers "$tmp/k1.raw")
check "corrupt entries: each counted (rejected_cache_entries)" \
	"$([ "$(cat "$tmp/k2.rejected")" = "$layers" ]; echo $?)" "$(cat "$tmp/k2.rejected") of $layers"
for e in "$tmp"/ck/*.layer; do
	printf 'garbage' | dd of="$e" bs=1 seek=200 conv=notrunc 2>/dev/null
done
"$bin" scan --cache-dir "$tmp/ck" --verbose "$fx/oci/leak-visible" >"$tmp/k2v.txt" 2>&1
check "corrupt entries: said in the text report, and per layer with --verbose" \
	"$(grep -q "$layers cache entr.* not trusted, walked again" "$tmp/k2v.txt" &&
	   [ "$(grep -c '^cache: layer sha256:.*not trusted' "$tmp/k2v.txt")" = "$layers" ]
	   echo $?)"
scan "$tmp/k3" "$tmp/ck" "$fx/oci/leak-visible"
check "corrupt entries: rewritten, then used" \
	"$([ "$(cat "$tmp/k3.cached")" -gt 0 ] && same "$tmp/k1" "$tmp/k3"; echo $?)"
for e in "$tmp"/ck/*.class "$tmp"/ck/*.stack; do
	printf 'garbage' | dd of="$e" bs=1 seek=100 conv=notrunc 2>/dev/null
done
scan "$tmp/k3b" "$tmp/ck" "$fx/oci/leak-visible"
n_cs=$(ls "$tmp"/ck/*.class "$tmp"/ck/*.stack | wc -l)
check "corrupt classification and whiteout entries: same report, each counted" \
	"$(same "$tmp/k1" "$tmp/k3b" && [ "$(cat "$tmp/k3b.rejected")" = "$n_cs" ]; echo $?)" \
	"$(cat "$tmp/k3b.rejected") of $n_cs"
scan "$tmp/k3" "$tmp/ck" "$fx/oci/leak-visible"
check "corrupt entries: none rejected once rewritten" \
	"$([ "$(cat "$tmp/k3.rejected")" = 0 ] && [ "$(cat "$tmp/k1.rejected")" = 0 ]; echo $?)"
# truncated to nothing, and cut in half
for e in "$tmp"/ck/*.layer; do
	: >"$e"
	break
done
for e in "$tmp"/ck/*.layer; do
	s=$(wc -c <"$e")
	[ "$s" -gt 0 ] && dd if=/dev/null of="$e" bs=1 seek=$((s / 2)) 2>/dev/null
done
scan "$tmp/k4" "$tmp/ck" "$fx/oci/leak-visible"
check "truncated entries: same status and report, not used" \
	"$(same "$tmp/k1" "$tmp/k4" && [ "$(cat "$tmp/k4.cached")" = 0 ]; echo $?)"
check "cache files are private (0600) in a private directory (0700)" \
	"$([ "$(stat -c %a "$tmp/ck")" = 700 ] &&
	   [ -z "$(find "$tmp/ck" -type f ! -perm 600)" ]; echo $?)"
check "no temporary files left in the cache directory" \
	"$([ -z "$(find "$tmp/ck" -type f ! -name '*.layer' ! -name '*.class' ! -name '*.stack' ! -name '*.blob')" ]; echo $?)"

# ---- blob files unchanged since verified ---------------------------------
# A blob file the cache saw verified is not read again while its device,
# inode, size, mtime and ctime stay the same; any change to it is seen.
# Only a file last changed more than 3 s before a scan is recorded, and a
# ctime cannot be set back: this waits the margin out once.
# (Under valgrind or a heavy load the first scan may reach the blobs only
# after the margin: then they are settled, and this check cannot tell.)
t0=$(date +%s)
cp -R "$fx/oci/leak-deleted" "$tmp/u" && chmod -R u+w "$tmp/u"
scan "$tmp/u0" "$tmp/cu" "$tmp/u"
if [ $(($(date +%s) - t0)) -lt 3 ]; then
	check "fresh blob files: verified, not recorded" \
		"$([ -z "$(find "$tmp/cu" -name '*.blob')" ]; echo $?)"
else
	echo "# skipped: fresh blob files: the scan ended $(($(date +%s) - t0)) s after the copy, past the 3 s margin"
fi
sleep 4
rm -rf "$tmp/cu"
scan "$tmp/u1" "$tmp/cu" "$tmp/u"
nl=$(jq '.image.manifests[0].layers | length' "$tmp/u1.raw")
check "settled blob files: recorded by the scan that hashed them" \
	"$([ "$(find "$tmp/cu" -name 'sha256-*.blob' | wc -l)" -eq "$nl" ] &&
	   jq -e '[.image.manifests[0].layers[].verified] | all(. == "hashed")' \
		"$tmp/u1.raw" >/dev/null; echo $?)"
scan "$tmp/u2" "$tmp/cu" "$tmp/u"
check "unchanged blob files: not read again, said per layer and in the summary" \
	"$(jq -e ".summary.unchanged_blobs == $nl and
		  ([.image.manifests[0].layers[] | .cached and .verified == \"unchanged-file\"] | all)" \
		"$tmp/u2.raw" >/dev/null; echo $?)"
check "unchanged blob files: same status and report" "$(same "$tmp/u1" "$tmp/u2"; echo $?)"
"$bin" scan --cache-dir "$tmp/cu" "$tmp/u" >"$tmp/u2.txt" 2>/dev/null
check "...and the text summary says so" \
	"$(grep -q "$nl blobs unchanged since verified, not read again" "$tmp/u2.txt"; echo $?)" \
	"$(tail -n 1 "$tmp/u2.txt")"
# the same bytes in a new file (a new inode): read again
m=$(jq -r '.manifests[0].digest' "$tmp/u/index.json" | sed 's/^sha256://')
first=$tmp/u/blobs/sha256/$(jq -r '.layers[0].digest' "$tmp/u/blobs/sha256/$m" | sed 's/^sha256://')
last=$tmp/u/blobs/sha256/$(jq -r '.layers[-1].digest' "$tmp/u/blobs/sha256/$m" | sed 's/^sha256://')
cp "$first" "$first.new" && mv "$first.new" "$first"
scan "$tmp/u3" "$tmp/cu" "$tmp/u"
check "a blob copied into place: hashed again, same report" \
	"$(jq -e '.image.manifests[0].layers[0].verified == "hashed" and
		  .summary.unchanged_blobs == '"$((nl - 1))" "$tmp/u3.raw" >/dev/null &&
	   same "$tmp/u1" "$tmp/u3"; echo $?)"
# damaged records: not trusted
for r in "$tmp"/cu/*.blob; do printf 'x' >>"$r"; done
scan "$tmp/u4" "$tmp/cu" "$tmp/u"
check "damaged blob records: every blob hashed again, same report" \
	"$(jq -e '.summary.unchanged_blobs == 0' "$tmp/u4.raw" >/dev/null &&
	   same "$tmp/u1" "$tmp/u4"; echo $?)"
# re-recorded by that scan; then the content changed in place, with the
# mtime put back: the ctime still tells
scan "$tmp/u5" "$tmp/cu" "$tmp/u"
touch -r "$last" "$tmp/stamp"
printf 'x' | dd of="$last" bs=1 seek=100 conv=notrunc 2>/dev/null
touch -r "$tmp/stamp" "$last"
scan "$tmp/u6" "$tmp/cu" "$tmp/u"
check "a recorded blob changed in place, mtime restored: exit 2" \
	"$([ "$(cat "$tmp/u6.st")" = 2 ] && grep -q 'digest mismatch' "$tmp/u6.err"; echo $?)" \
	"exit $(cat "$tmp/u6.st"): $(head -c 300 "$tmp/u6.err")"
check "...after the scan before had trusted that file" \
	"$(jq -e '.image.manifests[0].layers[-1].verified == "unchanged-file"' \
		"$tmp/u5.raw" >/dev/null; echo $?)"

# ---- a cache that cannot be written ------------------------------------
: >"$tmp/a-file"
scan "$tmp/u1" "$tmp/a-file/sub" "$fx/oci/leak-visible"
check "unusable cache directory: same status and report" \
	"$(same "$tmp/k1" "$tmp/u1"; echo $?)"
check "unusable cache directory: a warning" "$(grep -q 'licgate: warning: cache' "$tmp/u1.err"; echo $?)"
if [ "$(id -u)" != 0 ]; then
	mkdir "$tmp/ro" && chmod 0500 "$tmp/ro"
	scan "$tmp/u2" "$tmp/ro" "$fx/oci/leak-visible"
	check "read-only cache directory: same status and report, a warning" \
		"$(same "$tmp/k1" "$tmp/u2" && grep -q 'warning' "$tmp/u2.err"; echo $?)"
else
	echo "# skipped: read-only cache directory (root writes anyway)"
fi

# ---- --no-cache, and the default directory ------------------------------
"$bin" scan --no-cache -q "$fx/oci/clean" 2>/dev/null
check "--no-cache writes nothing" \
	"$([ ! -e "$XDG_CACHE_HOME" ] && [ ! -e "$HOME/.cache" ]; echo $?)"
"$bin" scan -q "$fx/oci/clean" 2>/dev/null
check "the default cache is \$XDG_CACHE_HOME/licgate" \
	"$(ls "$XDG_CACHE_HOME"/licgate/*.layer >/dev/null 2>&1 && [ ! -e "$HOME/.cache" ]; echo $?)"
XDG_CACHE_HOME= "$bin" scan -q "$fx/oci/clean" 2>/dev/null
check "without XDG_CACHE_HOME: \$HOME/.cache/licgate" \
	"$(ls "$HOME"/.cache/licgate/*.layer >/dev/null 2>&1; echo $?)"

# ---- --jobs does not change a report ------------------------------------
for img in multiarch leak-deleted evidence; do
	path=$fx/oci/$img
	[ -e "$path" ] || path=$fx/archives/$img.oci.tar
	a=$tmp/j1-$img b=$tmp/j4-$img
	scan "$a" "$tmp/cj1" --no-cache --jobs 1 "$path"
	scan "$b" "$tmp/cj4" --no-cache --jobs 4 "$path"
	check "$img: --jobs 1 and --jobs 4 give the same report" "$(same "$a" "$b"; echo $?)"
done
# A pattern that gives up (regex work limits) in several layers: the error
# names the first file of the lowest layer, whatever the threads did.
img=$fx/oci/truxe-api
[ -e "$img" ] || img=$fx/oci/clean
for run in 1 2 3; do
	for j in 1 2 4; do
		"$bin" scan --no-cache --jobs $j --rules "$fx/rules/regex-limit-path.rules" \
			"$img" >/dev/null 2>"$tmp/rl-$j-$run.err"
		echo $? >"$tmp/rl-$j-$run.st"
	done
done
same_err=0
for f in "$tmp"/rl-*.err; do cmp -s "$tmp/rl-1-1.err" "$f" || same_err=1; done
check "a pattern that gives up: exit 2" "$([ "$(cat "$tmp/rl-4-2.st")" = 2 ]; echo $?)"
check "...and the same error whatever --jobs, run after run" "$same_err" \
	"$(cat "$tmp"/rl-*.err | sort | uniq -c | head -c 600)"

scan "$tmp/jbad" "$tmp/cjb" --jobs 0 "$fx/oci/clean"
check "--jobs 0 is a usage error" "$([ "$(cat "$tmp/jbad.st")" = 2 ]; echo $?)"

# ---- --max-bytes ----------------------------------------------------------
img=$fx/oci/leak-deleted
total=$("$bin" scan --no-cache --format json "$img" | jq .summary.uncompressed_bytes)
scan "$tmp/m1" "$tmp/cm" --no-cache --max-bytes "$total" "$img"
check "--max-bytes at the total: the scan completes" "$([ "$(cat "$tmp/m1.st")" = 1 ]; echo $?)"
for j in 1 4; do
	"$bin" scan --no-cache --jobs $j --max-bytes $((total - 1)) "$img" >/dev/null 2>"$tmp/m2-$j.err"
	echo $? >"$tmp/m2-$j.st"
done
check "--max-bytes one below the total: exit 2" "$([ "$(cat "$tmp/m2-1.st")" = 2 ]; echo $?)"
check "...naming the layer and the option" \
	"$(grep -q 'layer [0-9].*--max-bytes' "$tmp/m2-1.err"; echo $?)" "$(cat "$tmp/m2-1.err")"
check "...the same error whatever --jobs" "$(cmp -s "$tmp/m2-1.err" "$tmp/m2-4.err"; echo $?)"
"$bin" scan --max-bytes 2K "$img" >/dev/null 2>"$tmp/m3.err"
check "--max-bytes 2K: exit 2 even from the cache" "$([ $? = 2 ]; echo $?)"
for bad in 0 12X -5 1KB ''; do
	"$bin" scan --max-bytes "$bad" "$img" >/dev/null 2>"$tmp/m4.err"
	st=$?
	check "--max-bytes '$bad' is a usage error" \
		"$([ $st = 2 ] && grep -q 'max-bytes' "$tmp/m4.err"; echo $?)"
done

# ---- --progress -----------------------------------------------------------
"$bin" scan --no-cache -q "$fx/oci/clean" 2>"$tmp/p1.err"
check "no progress line when standard error is not a terminal" "$([ ! -s "$tmp/p1.err" ]; echo $?)"
"$bin" scan --no-cache -q --progress --no-progress "$fx/oci/clean" 2>"$tmp/p2.err"
check "--no-progress: none" "$([ ! -s "$tmp/p2.err" ]; echo $?)"
cp -R "$fx/oci/leak-deleted" "$tmp/img2" && chmod -R u+w "$tmp/img2"
"$bin" scan --no-cache -q --progress "$tmp/img2" 2>"$tmp/p3.err"
check "--progress forced: a progress line" "$(grep -q 'layers' "$tmp/p3.err"; echo $?)"
check "--progress forced: the line is cleared at the end" \
	"$(tail -c 2 "$tmp/p3.err" | od -An -c | tr -d ' \n' | grep -q '^\\r$'; echo $?)" \
	"$(od -c "$tmp/p3.err" | tail -3)"

# ---- sparse holes: content, counted by --max-bytes, capped -----------------
# A pax 1.0 sparse file of REALSIZE bytes: one 512-byte data region at its
# end, the rest a hole.
sparse_layout() { # DIR REALSIZE
	python3 - "$1" "$2" <<'PY'
import sys, os, json, hashlib
def hdr(name, size, typ, prefix=b""):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\0"; h[108:116] = b"0000000\0"; h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"00000000000\0"
    h[156:157] = typ
    h[257:263] = b"ustar\0"; h[263:265] = b"00"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)
def pad(b): return b + b"\0" * (-len(b) % 512)
def rec(k, v):
    body = b" " + k + b"=" + v + b"\n"
    n = len(body) + 1
    while len(b"%d" % n) + len(body) != n: n += 1
    return b"%d" % n + body
def sparse_tar(realsize):
    data = b"SPDX-License-Identifier: MIT\n".ljust(512, b"x")
    pax = rec(b"GNU.sparse.major", b"1") + rec(b"GNU.sparse.minor", b"0") + rec(b"GNU.sparse.name", b"big.sparse") + rec(b"GNU.sparse.realsize", b"%d" % realsize)
    smap = pad(b"1\n%d\n512\n" % (realsize - 512))
    t = hdr(b"PaxHeaders/big", len(pax), b"x") + pad(pax) + hdr(b"GNUSparseFile.0/big", len(smap) + 512, b"0") + smap + data
    return t + b"\0" * 1024
def layout(out, tar):
    os.makedirs(out + "/blobs/sha256", exist_ok=True)
    def put(d):
        h = hashlib.sha256(d).hexdigest(); open(f"{out}/blobs/sha256/{h}", "wb").write(d); return "sha256:" + h, len(d)
    ld, ls = put(tar)
    cd, cs = put(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode())
    md, ms = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs}, "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]}).encode())
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms}]}, open(out + "/index.json", "w"))
    open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
layout(sys.argv[1], sparse_tar(int(sys.argv[2])))
PY
}
if sparse_layout "$tmp/sp1" 1048576 && sparse_layout "$tmp/sp2" $((100 * 1024 * 1024 * 1024)); then
	"$bin" scan --no-cache --format json "$tmp/sp1" >"$tmp/sp1.json" 2>/dev/null
	check "a sparse file: its holes are content" \
		"$(jq -e '.summary.content_bytes == 1048576' "$tmp/sp1.json" >/dev/null; echo $?)"
	"$bin" scan --no-cache --max-bytes 512K "$tmp/sp1" >/dev/null 2>"$tmp/sp1.err"
	check "a sparse file's holes count toward --max-bytes" \
		"$([ $? = 2 ] && grep -q 'big.sparse.*--max-bytes' "$tmp/sp1.err"; echo $?)"
	"$bin" scan --no-cache "$tmp/sp2" >/dev/null 2>"$tmp/sp2.err"
	check "a 100 GiB hole in a 4 KiB layer: exit 2 at once, naming the file" \
		"$([ $? = 2 ] && grep -q 'big.sparse: sparse file holes add up to more than' "$tmp/sp2.err"; echo $?)"
else
	not_ok "sparse layouts built (python3)"
fi

echo "cache: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
