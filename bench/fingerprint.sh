#!/bin/sh
# bench/fingerprint.sh - what content fingerprints cost a cold scan: the
# benchmark image scanned cold without and with `--fingerprints SET`, SET
# made from BENCH_FP_FILES (default 10,000) source files; one Markdown
# table and PASS/FAIL for the target (with <= 1.3 x without, in CPU time:
# user + system, what a scan costs whatever else the machine runs; the
# wall-clock ratio is shown too).  An optional step, apart from
# bench/run.sh: `make bench-fingerprints`.
#
# usage: sh bench/fingerprint.sh [LICGATE [DIR]]        (./licgate, build-bench)
#
# The source files: the first BENCH_FP_FILES regular files, in byte order
# of their paths, of BENCH_FP_SOURCES (default "/usr/include
# /usr/lib/python3"), copied to a temporary tree and fingerprinted with a
# rules file that denies every file.  Part of the image holds the same
# files, so many of its files match (the matcher's costly path).
# BENCH_RUNS (default 5) interleaved runs of each row; medians.  Exit
# status: 0 target met, 1 missed, 2 could not run.
set -eu

lic=${1:-./licgate}
dir=${2:-build-bench}
runs=${BENCH_RUNS:-5}
nfiles=${BENCH_FP_FILES:-10000}
sources=${BENCH_FP_SOURCES:-/usr/lib/python3.11 /usr/share/vim /usr/share/i18n /usr/share/X11 /usr/lib/x86_64-linux-gnu/perl /usr/share/perl5 /usr/src /usr/share/doc}
here=$(dirname "$0")

die() { echo "bench: $*" >&2; exit 2; }
case $lic in */*) ;; *) lic=./$lic ;; esac
[ -x "$lic" ] || die "$lic: not an executable (run make licgate)"
[ -f "$dir/oci/index.json" ] || die "$dir: no benchmark image (run make bench-image)"
"$lic" fingerprint --help >/dev/null 2>&1 || die "$lic has no fingerprint command"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-fpbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the source tree and its set ----------------------------------------
# shellcheck disable=SC2086
find $sources -type f 2>/dev/null | LC_ALL=C sort | head -n "$nfiles" >"$tmp/list"
got=$(wc -l <"$tmp/list")
[ "$got" -eq "$nfiles" ] || die "only $got source files in $sources (want $nfiles)"
mkdir "$tmp/src"
i=0
while IFS= read -r f; do
	i=$((i + 1))
	d=$tmp/src/$((i / 1000))
	[ -d "$d" ] || mkdir "$d"
	cp "$f" "$d/$i.$(basename "$f")"
done <"$tmp/list"
cat >"$tmp/deny.rules" <<'EOF'
class paid "everything in the source tree"
target bench deny paid unknown allow
path /** paid
EOF
python3 "$here/measure.py" "$tmp/fp.err" "$lic" fingerprint --rules "$tmp/deny.rules" \
	-o "$tmp/set.lgfp" "$tmp/src" >"$tmp/fp.measured" || { cat "$tmp/fp.err" >&2; die "fingerprint failed"; }
setsize=$(wc -c <"$tmp/set.lgfp")
fps=$("$lic" fingerprint --show "$tmp/set.lgfp" | sed -n 's/^files: *[0-9]*, \([0-9]*\) fingerprints/\1/p')

# --- interleaved cold scans ---------------------------------------------
run() { # ROW ARGS...
	row=$1
	shift
	st=0
	python3 "$here/measure.py" "$tmp/err" "$lic" scan --no-cache --no-progress --format json \
		"$@" "$dir/oci" >>"$tmp/$row.dat" || st=$?
	[ "$st" -le 1 ] || { cat "$tmp/err" >&2; die "$row: exit status $st"; }
}
r=0
while [ "$r" -lt "$runs" ]; do
	run without
	run with --fingerprints "$tmp/set.lgfp"
	r=$((r + 1))
done
median() { sort -n -k"$2","$2" "$tmp/$1.dat" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }
w0=$(median without 1)
w1=$(median with 1)
c0=$(median without 3)
c1=$(median with 3)
m0=$(median without 2)
m1=$(median with 2)
ratio=$(awk -v a="$c1" -v b="$c0" 'BEGIN { printf "%.2f", a / b }')
wratio=$(awk -v a="$w1" -v b="$w0" 'BEGIN { printf "%.2f", a / b }')
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo "- fingerprint set: $nfiles source files of $sources, $fps fingerprints, $setsize bytes, made in $(awk '{ printf "%.2f s", $1 }' "$tmp/fp.measured")"
echo
echo "- $runs runs of each row, interleaved; medians; load average at the end: $load"
echo
echo "| row | median wall | CPU (median) | peak RSS | ÷ without (CPU) | ÷ without (wall) |"
echo "|---|---|---|---|---|---|"
printf '| cold scan, no set | %.2f s | %.2f s | %.0f MiB | 1.00 | 1.00 |\n' "$w0" "$c0" "$(awk -v m="$m0" 'BEGIN { print m / 1024 }')"
printf '| cold scan, --fingerprints (%s files) | %.2f s | %.2f s | %.0f MiB | %s | %s |\n' "$nfiles" "$w1" "$c1" \
	"$(awk -v m="$m1" 'BEGIN { print m / 1024 }')" "$ratio" "$wratio"
if awk -v r="$ratio" 'BEGIN { exit !(r <= 1.3) }'; then
	echo "PASS: cold scan with fingerprints costs ${ratio}x the CPU time without (target <= 1.3x)"
else
	echo "FAIL: cold scan with fingerprints costs ${ratio}x the CPU time without (target <= 1.3x)"
	exit 1
fi
