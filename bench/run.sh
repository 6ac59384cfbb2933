#!/bin/sh
# bench/run.sh - time licgate against its floors and the alternative; print
# one Markdown table (see bench/README.md).
#
# usage: sh bench/run.sh [LICGATE [DIR]]        (./licgate, build-bench)
#
# DIR is what bench/make-image.sh built.  BENCH_RUNS (default 5) runs of
# every row, taken in interleaved rounds so that a burst of load elsewhere
# hits every row alike; each figure is the median with min and max.
# BENCH_JOBS=N passes --jobs N when licgate supports it.  Exit status: 0
# when every target is met, 1 when one is missed (after the whole table), 2
# when the benchmark itself cannot run.
set -eu

lic=${1:-./licgate}
dir=${2:-build-bench}
runs=${BENCH_RUNS:-5}
jobs=${BENCH_JOBS:-}

die() { echo "bench: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

case $runs in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive number" ;; esac
case $lic in */*) ;; *) lic=./$lic ;; esac
[ -x "$lic" ] || die "$lic: not an executable (run make licgate)"
if ! [ -f "$dir/oci/index.json" ] || ! [ -f "$dir/bench.tar" ] || ! [ -f "$dir/layers.tsv" ]; then
	die "$dir: no benchmark image (run make bench-image)"
fi
for t in gzip igzip python3 umoci grep jq awk sort date; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (run make deps)"
done
here=$(dirname "$0")

layout=$dir/oci
archive=$dir/bench.tar
blobs=$(awk -F'\t' -v d="$layout/blobs" 'NR > 1 { sub(":", "/", $2); print d "/" $2 }' "$dir/layers.tsv")
[ -n "$blobs" ] || die "$dir/layers.tsv: no layers"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-bench.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	# umoci may leave directories without write permission behind.
	chmod -R u+rwx "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A default cache of licgate's, if it has one, lives here and nowhere else.
XDG_CACHE_HOME=$tmp/xdg-cache
export XDG_CACHE_HOME

# --- which options this build has --------------------------------------
help=$("$lic" scan --help 2>&1 || true)
has() { case $help in *"$1"[!a-z-]*) return 0 ;; *) return 1 ;; esac; }
opt_no_cache=no opt_cache_dir=no opt_jobs=no opt_progress=no
has --no-cache && opt_no_cache=yes
has --cache-dir && opt_cache_dir=yes
has --jobs && opt_jobs=yes
has --no-progress && opt_progress=yes

common="--format json"
[ $opt_progress = yes ] && common="$common --no-progress"
if [ -n "$jobs" ]; then
	case $jobs in *[!0-9]* | 0) die "BENCH_JOBS must be a positive number" ;; esac
	if [ $opt_jobs = yes ]; then
		common="$common --jobs $jobs"
	else
		note "--jobs not supported by this build: BENCH_JOBS=$jobs ignored"
		jobs=
	fi
fi
if [ $opt_no_cache = yes ]; then
	cold_how="--no-cache"
elif [ $opt_cache_dir = yes ]; then
	cold_how="an empty --cache-dir per run"
else
	cold_how="plain (no cache in this build)"
fi

# What is measured, taken before the runs (the tree may change meanwhile).
commit=$(git -C "$(dirname "$lic")" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
version=$("$lic" --version 2>/dev/null | head -n 1)

# --- one run ------------------------------------------------------------
# measure ROW MAXSTATUS CMD...: run CMD once with its output discarded and
# append "WALL_SECONDS PEAK_RSS_KIB CPU_SECONDS" to $tmp/ROW.dat (CPU: user
# and system time of CMD and every process it waited for; measure.py).  An exit status above
# MAXSTATUS stops the benchmark with CMD's standard error.
measure() {
	row=$1 max=$2
	shift 2
	st=0
	python3 "$here/measure.py" "$tmp/stderr" "$@" >"$tmp/measured" || st=$?
	if [ "$st" -gt "$max" ]; then
		sed 's/^/  /' "$tmp/stderr" >&2
		die "$row: exit status $st: $*"
	fi
	awk '{ printf "%.4f %d %.2f\n", $1, $2, $3 }' "$tmp/measured" >>"$tmp/$row.dat"
	awk -v r="$row" 'END { printf "bench:   %-8s %8.3f s %7.2f s CPU %7.1f MiB\n", r, $1, $3, $2 / 1024 }' \
		"$tmp/$row.dat" >&2
}

# licgate exits 0 or 1 when the scan completed; 2 is a failed benchmark.
cold() {
	if [ $opt_no_cache = yes ]; then
		# shellcheck disable=SC2086
		measure "$1" 1 "$lic" scan $common --no-cache --output "$tmp/$1.json" "$2"
	elif [ $opt_cache_dir = yes ]; then
		rm -rf "$tmp/cold-cache"
		mkdir "$tmp/cold-cache"
		# shellcheck disable=SC2086
		measure "$1" 1 "$lic" scan $common --cache-dir "$tmp/cold-cache" \
			--output "$tmp/$1.json" "$2"
	else
		rm -rf "$XDG_CACHE_HOME"
		# shellcheck disable=SC2086
		measure "$1" 1 "$lic" scan $common --output "$tmp/$1.json" "$2"
	fi
}

warm() {
	# shellcheck disable=SC2086
	measure warm 1 "$lic" scan $common --cache-dir "$tmp/warm-cache" \
		--output "$tmp/warm.json" "$layout"
}

# The zlib floor: zlib's inflate of every layer blob, one after the other
# on one core (python3's zlib module: the zlib libarchive links).
zlib_floor() {
	# shellcheck disable=SC2086
	measure zlib 0 python3 -c '
import sys, zlib
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        d = zlib.decompressobj(31)
        while True:
            chunk = f.read(1 << 17)
            if not chunk:
                break
            d.decompress(chunk)
' $blobs
}

unpack_grep() {
	rm -rf "$tmp/rootfs"
	# grep exits 1 when nothing matches: a result, not a failure.
	# shellcheck disable=SC2016  # expanded by that sh
	measure grep 0 sh -c 'umoci raw unpack $1 --image "$2" "$3" || exit 2
		grep -rl SPDX-License-Identifier "$3"; [ $? -le 1 ]' \
		sh "$rootless" "$layout:bench" "$tmp/rootfs"
	chmod -R u+rwx "$tmp/rootfs" 2>/dev/null || true
	rm -rf "$tmp/rootfs"
}

rootless=
[ "$(id -u)" -eq 0 ] || rootless=--rootless

# --- the runs -----------------------------------------------------------
rows="zlib gzip isal sha cold warm archive grep"
sha=sha256sum
command -v openssl >/dev/null 2>&1 && sha="openssl dgst -sha256"

note "rounds: $runs, over $dir; the blobs into the page cache first"
# shellcheck disable=SC2086
cat $blobs "$archive" >/dev/null
if [ $opt_cache_dir = yes ]; then
	note "priming the warm cache (not counted)"
	mkdir "$tmp/warm-cache"
	warm
	rm -f "$tmp/warm.dat"
fi

i=1
while [ "$i" -le "$runs" ]; do
	note "round $i of $runs"
	zlib_floor
	# shellcheck disable=SC2086
	measure gzip 0 sh -c 'cat "$@" | gzip -dc' sh $blobs
	# shellcheck disable=SC2086
	measure isal 0 sh -c 'cat "$@" | igzip -dc' sh $blobs
	# shellcheck disable=SC2086
	measure sha 0 $sha $blobs
	cold cold "$layout"
	[ $opt_cache_dir = yes ] && warm
	cold archive "$archive"
	unpack_grep
	i=$((i + 1))
done

# --- the figures --------------------------------------------------------
# stat ROW FIELD: "median min max" of column FIELD (1 seconds, 2 KiB, 3 CPU
# seconds) of ROW.
stat() {
	[ -s "$tmp/$1.dat" ] || { echo "- - -"; return; }
	cut -d' ' -f"$2" "$tmp/$1.dat" | sort -n | awk '
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print m, v[1], v[NR]
		}'
}
for r in $rows; do
	stat "$r" 1 >"$tmp/$r.t"
	stat "$r" 2 >"$tmp/$r.m"
	stat "$r" 3 >"$tmp/$r.c"
done

med() { cut -d' ' -f1 "$tmp/$1.t"; }
files=$(jq -r '.summary.files' "$tmp/cold.json")
rss_max=$(cat "$tmp/cold.dat" "$tmp/archive.dat" "$tmp"/warm.dat 2>/dev/null |
	awk '$2 > m { m = $2 } END { print m + 0 }')

# --- the header ---------------------------------------------------------
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
[ -n "$cpu" ] || cpu=$(uname -m)
zlibv=$(python3 -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)')
supported() { [ "$1" = yes ] && echo yes || echo "no"; }

cat <<EOF
### licgate benchmark

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $cpu, $(nproc) CPUs (nproc), $(uname -sr) $(uname -m), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
- $version, commit $commit; scan options: --no-cache $(supported $opt_no_cache), --cache-dir $(supported $opt_cache_dir), --jobs $(supported $opt_jobs)${jobs:+ (--jobs $jobs)}, --no-progress $(supported $opt_progress); cold = $cold_how
EOF
awk -F'\t' 'NR > 1 {
		n++; gz += $3; tar += $4; files += $5; ent += $6
		src = src (n > 1 ? ", " : "") sprintf("%s (%d files, %.1f MB)", $1, $5, $4 / 1e6)
	}
	END { printf "- image: %d gzip layers (umoci), %.1f MB compressed, %.1f MB uncompressed, %d files (%d entries): %s\n",
		n, gz / 1e6, tar / 1e6, files, ent, src }' "$dir/layers.tsv"
echo "- runs: $runs of each row, in interleaved rounds, blobs in the page cache; wall-clock time, median, min, max; CPU: user + system time, median; zlib $zlibv"
echo

# row LABEL ROW: a timed row, with the ratio of licgate cold to it.
cold_med=$(med cold)
row() {
	if [ ! -s "$tmp/$2.dat" ]; then
		printf '| %s | n/a (not supported by this build) | | | | |\n' "$1"
		return
	fi
	paste -d' ' "$tmp/$2.t" "$tmp/$2.c" | awk -v label="$1" -v cold="$cold_med" '
		function s(x) { return x < 1 ? sprintf("%.3f s", x) : sprintf("%.2f s", x) }
		{ printf "| %s | %s | %s | %s | %s | %.2f× |\n", label, s($1), s($2), s($3), s($4), cold / $1 }' 
}

echo "| row | median | min | max | CPU (median) | licgate cold ÷ row |"
echo "|---|---:|---:|---:|---:|---:|"
row "zlib floor: zlib inflate of the layer blobs, one core" zlib
row "\`cat\` blobs \| \`gzip -dc\` (GNU gzip's own inflate)" gzip
row "ISA-L floor: \`cat\` blobs \| \`igzip -dc\`" isal
row "sha256 of the blobs (\`${sha}\`): what hashing every blob again costs" sha
row "**licgate cold** (layout)" cold
row "licgate warm (\`--cache-dir\`, primed)" warm
row "licgate, oci-archive form" archive
row "\`umoci raw unpack\` + \`grep -rl SPDX-License-Identifier\`" grep
awk -v files="$files" '
	{ printf "| licgate peak RSS (cold, layout) | %.1f MiB | %.1f MiB | %.1f MiB | | budget %.1f MiB: %.2f× |\n",
		$1 / 1024, $2 / 1024, $3 / 1024, (64 * 1048576 + 200 * files) / 1048576,
		$1 * 1024 / (64 * 1048576 + 200 * files) }' "$tmp/cold.m"
echo

# --- the targets --------------------------------------------------------
failed=0
verdict() { # verdict OK TEXT
	if [ "$1" = 1 ]; then echo "- PASS: $2"; else echo "- FAIL: $2"; failed=1; fi
}
echo "Targets ($(nproc) CPUs):"
echo
ok=$(awk -v c="$cold_med" -v z="$(med zlib)" 'BEGIN { print (c <= 0.5 * z) }')
verdict "$ok" "$(awk -v c="$cold_med" -v z="$(med zlib)" 'BEGIN {
	printf "licgate cold ≤ 0.5 × the zlib floor: %.2f s vs %.2f s (%.2f×)", c, 0.5 * z, c / z }')"
if [ -s "$tmp/warm.dat" ]; then
	ok=$(awk -v c="$cold_med" -v w="$(med warm)" 'BEGIN { print (w <= 0.02 * c) }')
	verdict "$ok" "$(awk -v c="$cold_med" -v w="$(med warm)" 'BEGIN {
		printf "licgate warm ≤ 2%% of cold: %.3f s vs %.3f s (%.1f%%)", w, 0.02 * c, 100 * w / c }')"
else
	verdict 0 "licgate warm ≤ 2% of cold: not measured, --cache-dir not supported by this build"
fi
# cached_layers (when the JSON summary has it) says whether warm and cold
# really were: warm with every layer from the cache, cold with none.
cached() { jq -r '.summary.cached_layers // empty' "$tmp/$1.json" 2>/dev/null || true; }
layers=$(jq -r '.summary.layers' "$tmp/cold.json")
c=$(cached cold)
if [ -n "$c" ] && [ "$c" != 0 ]; then
	verdict 0 "licgate cold read $c of $layers layers from a cache: not a cold run"
fi
if [ -s "$tmp/warm.dat" ]; then
	c=$(cached warm)
	if [ -n "$c" ] && [ "$c" != "$layers" ]; then
		verdict 0 "licgate warm read only $c of $layers layers from the cache"
	elif [ -n "$c" ]; then
		echo "- (warm read all $c layers from the cache, cold none)"
	fi
	r=$(jq -r '.summary.rejected_cache_entries // empty' "$tmp/warm.json" 2>/dev/null || true)
	if [ -n "$r" ] && [ "$r" != 0 ]; then
		verdict 0 "licgate warm rejected $r cache entries (rewritten on every run)"
	fi
fi
ok=$(awk -v r="$rss_max" -v f="$files" 'BEGIN { print (r * 1024 <= 64 * 1048576 + 200 * f) }')
verdict "$ok" "$(awk -v r="$rss_max" -v f="$files" 'BEGIN {
	printf "peak RSS ≤ 64 MiB + 200 B × %d files = %.1f MiB: %.1f MiB, the highest of every licgate run", f, (64 * 1048576 + 200 * f) / 1048576, r / 1024 }')"
exit "$failed"
