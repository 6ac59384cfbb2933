#!/bin/sh
# bench/make-image.sh - build the benchmark image (see bench/README.md).
#
# usage: sh bench/make-image.sh [DIR]          (DIR: build-bench)
#
# Builds, with umoci, an OCI image layout DIR/oci (tag "bench") of one gzip
# layer per source directory below that exists on this machine, then two
# generated package layers (gen-packages.py: pip dist-packages and an npm
# node_modules) and an archive layer (gen-archives.py: jars and wheels), and its oci-archive form DIR/bench.tar with `skopeo copy`.  Records what it used:
#   DIR/image.txt      the manifest digest, one line per layer and a total
#   DIR/layers.tsv     source, digest, compressed, uncompressed bytes, files,
#                      entries per layer (read by run.sh)
#   DIR/manifest.json  the image manifest
# The image is kept: it is rebuilt only when DIR/stamp is missing or does
# not hold the sha256 of this script and gen-packages.py (BENCH_REBUILD=1
# forces a rebuild).  A build
# goes to a temporary directory that replaces DIR only once it is complete.
set -eu

dir=${1:-build-bench}
sources="/usr/include /usr/share/man /usr/lib/python3 /usr/share/perl
	 /usr/lib/node_modules /usr/lib/gcc"

here=$(cd "$(dirname "$0")" && pwd)
self="$here/make-image.sh"
want=$(cat "$self" "$here/gen-packages.py" "$here/gen-archives.py" | sha256sum | cut -d' ' -f1)

if [ "${BENCH_REBUILD:-}" != 1 ] && [ -f "$dir/stamp" ] &&
	[ "$(cat "$dir/stamp")" = "$want" ] &&
	[ -f "$dir/oci/index.json" ] && [ -f "$dir/bench.tar" ]; then
	echo "bench-image: $dir is up to date"
	exit 0
fi

for t in umoci skopeo python3 sha256sum; do
	command -v "$t" >/dev/null 2>&1 ||
		{ echo "bench-image: $t not found (run make deps)" >&2; exit 2; }
done

parent=$(dirname "$dir")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.bench-image.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rootless=
[ "$(id -u)" -eq 0 ] || rootless=--rootless
img="$tmp/oci:bench"

echo "bench-image: building $dir (umoci $(umoci --version | awk '{print $3}'))"
umoci init --layout "$tmp/oci"
umoci new --image "$img"
used=
for src in $sources; do
	if [ ! -d "$src" ]; then
		echo "bench-image: $src: not on this machine, skipped"
		continue
	fi
	echo "bench-image: layer of $src"
	# One layer per directory, at the same path in the image; gzip is
	# umoci's default layer compression.
	# shellcheck disable=SC2086
	umoci insert $rootless --image "$img" --history.created_by "bench: $src" \
		"$src" "$src"
	used="$used $src"
done
[ -n "$used" ] || { echo "bench-image: none of the source directories exists" >&2; exit 2; }
# Two generated package trees, the same on every machine (gen-packages.py):
# pip's dist-packages (METADATA, RECORD, __pycache__) and an application's
# node_modules, the layers real images have that exercise package evidence.
echo "bench-image: generated package layers"
python3 "$here/gen-packages.py" "$tmp/gen"
for gen in /usr/local/lib/python3.11/dist-packages:python /app/node_modules:node; do
	dest=${gen%:*}
	# shellcheck disable=SC2086
	umoci insert $rootless --image "$img" --history.created_by "bench: generated $dest" \
		"$tmp/gen/${gen#*:}$dest" "$dest"
	used="$used $dest"
done
rm -rf "$tmp/gen"
# Archives, walked into by the scan (issue 17): jars (some nested, as a fat
# jar holds them) and wheels, from gen-archives.py.
echo "bench-image: generated archive layer"
python3 "$here/gen-archives.py" "$tmp/arch"
# shellcheck disable=SC2086
umoci insert $rootless --image "$img" --history.created_by "bench: generated /opt/app" \
	"$tmp/arch/opt/app" /opt/app
used="$used /opt/app"
rm -rf "$tmp/arch"
umoci gc --layout "$tmp/oci"

echo "bench-image: oci-archive form"
skopeo copy --quiet "oci:$tmp/oci:bench" "oci-archive:$tmp/bench.tar:bench"

# What the image holds: each layer decompressed once and its tar headers
# read by a few lines of python3 (tarfile's stream mode refuses the layers
# of umoci 0.4, which end without the end-of-archive blocks).
# shellcheck disable=SC2086  # one argument per source
python3 - "$tmp" $used <<'EOF'
import gzip, json, sys

top, sources = sys.argv[1], sys.argv[2:]
layout = top + "/oci"

def blob(digest):
    alg, hexd = digest.split(":", 1)
    return "%s/blobs/%s/%s" % (layout, alg, hexd)

def number(field):
    if field[0] & 0x80:  # base-256
        return int.from_bytes(field[1:], "big")
    return int(field.rstrip(b"\0 ").strip() or b"0", 8)

def tar_stats(path):
    """Uncompressed size, regular files and entries of a gzip tar layer."""
    files = entries = total = 0
    with gzip.open(path, "rb") as g:
        while True:
            h = g.read(512)
            total += len(h)
            if len(h) < 512 or h == bytes(512):
                break
            size, kind = number(h[124:136]), h[156:157]
            if kind not in (b"x", b"g", b"L", b"K"):  # metadata of the next entry
                entries += 1
                files += kind in (b"0", b"\0", b"7")
            if kind in (b"1", b"2", b"3", b"4", b"5", b"6"):
                size = 0  # links, devices, directories, fifos: no data
            skip = (size + 511) // 512 * 512
            while skip:
                n = len(g.read(min(skip, 1 << 20)))
                if not n:
                    break
                total, skip = total + n, skip - n
        while True:  # the end-of-archive blocks and padding
            n = len(g.read(1 << 20))
            if not n:
                break
            total += n
    return total, files, entries

index = json.load(open(layout + "/index.json"))
mdesc = index["manifests"][0]
manifest = json.load(open(blob(mdesc["digest"])))
json.dump(manifest, open(top + "/manifest.json", "w"), indent=2)

layers = manifest["layers"]
assert len(layers) == len(sources), (len(layers), sources)
rows = []
for src, l in zip(sources, layers):
    rows.append((src, l["digest"], l["size"]) + tar_stats(blob(l["digest"])))

with open(top + "/layers.tsv", "w") as f:
    f.write("source\tdigest\tcompressed\tuncompressed\tfiles\tentries\n")
    for r in rows:
        f.write("%s\t%s\t%d\t%d\t%d\t%d\n" % r)

MB = 1e6
with open(top + "/image.txt", "w") as f:
    f.write("image manifest %s (%d B)\n" % (mdesc["digest"], mdesc["size"]))
    for i, (src, dg, size, unc, files, entries) in enumerate(rows, 1):
        f.write("layer %d %-22s %s %7.1f MB gzip %7.1f MB tar %6d files %6d entries\n"
                % (i, src, dg[:19], size / MB, unc / MB, files, entries))
    f.write("total %d layers: %.1f MB gzip, %.1f MB uncompressed, %d files, %d entries\n"
            % (len(rows), sum(r[2] for r in rows) / MB, sum(r[3] for r in rows) / MB,
               sum(r[4] for r in rows), sum(r[5] for r in rows)))
EOF

echo "$want" >"$tmp/stamp"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
cat "$dir/image.txt"
