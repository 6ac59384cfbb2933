#!/bin/sh
# test_schema.sh - the JSON report against its schema.
#
# Usage: sh tests/e2e/test_schema.sh LICGATE_BINARY
#
# Scans layouts with `--format json --output FILE` and validates every report
# against man/licgate-report.schema.json (JSON Schema draft 2020-12, with
# python3's jsonschema module: Debian package python3-jsonschema).  The
# layouts: one built here (a whiteout-deleted violation, a hardlink, a
# warning, an unparseable tag, an exemption and a skipped descriptor, so
# every shape of the schema is exercised even without fixtures), go-containerregistry's layouts
# (tests/fixtures/corpus/layout), and tests/fixtures/oci/* when they exist.  A scan that
# exits 2 must leave no report behind.  Then broken copies of a real report
# must be rejected, so this test can fail.
#
# Prints "ok - ..." / "not ok - ..." lines, ends with
# "schema: N passed, M failed", and exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_schema.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
schema=$root/man/licgate-report.schema.json
# go-containerregistry's layouts: the copy in tests/fixtures/corpus, else the
# shared corpus beside the repository.
corpus=$root/tests/fixtures/corpus/layout
[ -d "$corpus" ] || corpus=$root/../shared/corpus/go-containerregistry/pkg/v1/layout/testdata

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-schema.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
results=$tmp/results
: >"$results"
# Lines "REPORT<TAB>VERDICT<TAB>LABEL" for the validator.
reports=$tmp/reports
: >"$reports"

ok() { printf 'ok - %s\n' "$*" | tee -a "$results"; }
not_ok() { printf 'not ok - %s\n' "$*" | tee -a "$results"; }

finish() {
	pass=$(grep -c '^ok - ' "$results")
	fail=$(grep -c '^not ok - ' "$results")
	echo "schema: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

cd "$root" || exit 2

if [ ! -x "$bin" ]; then
	not_ok "$bin is not an executable"
	finish
fi
# Debian's python3 has python3-jsonschema (installed by .ci/deps); another
# python3 first on PATH (pyenv, a venv) may not.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then
	not_ok "python3 with the jsonschema module (Debian: python3-jsonschema) is needed"
	finish
fi

# --- a layout of our own: every shape the report can take ----------------

"$PYTHON" - "$tmp/synth" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile

root = sys.argv[1]
os.makedirs(root + "/blobs/sha256")

def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open(root + "/blobs/sha256/" + d, "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}

def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime, ti.uid, ti.gid = 0, 0, 0
            if data is None:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                t.addfile(ti)
            elif isinstance(data, str):  # a hardlink to the entry named data
                ti.type, ti.linkname, ti.mode = tarfile.LNKTYPE, data, 0o644
                t.addfile(ti)
            else:
                ti.size, ti.mode = len(data), 0o644
                t.addfile(ti, io.BytesIO(data))
    tar = buf.getvalue()
    desc = blob(gzip.compress(tar, mtime=0))
    desc["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    return desc, "sha256:" + hashlib.sha256(tar).hexdigest()

l1, d1 = layer([
    ("srv/", None), ("srv/app/", None), ("srv/app/src/", None),
    ("srv/app/src/enterprise/", None),
    ("srv/app/index.js", b"// SPDX-License-Identifier: MIT\nrequire('./src');\n"),
    ("srv/app/README", b"Truxe, community edition.\n"),
    ("srv/app/LICENSE-BSL", b"Business Source License 1.1\n\nSPDX-License-Identifier: BUSL-1.1\n"),
    # beside an MIT LICENSE: a dual-license directory, no class to README
    ("srv/app/LICENSE", b"MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"),
    ("srv/app/src/enterprise/sso.js", b"/* SPDX-License-Identifier: BUSL-1.1 */\nmodule.exports = 'sso';\n"),
    ("srv/app/vendor/", None),
    ("srv/app/vendor/sso.js", "srv/app/src/enterprise/sso.js"),
    ("srv/app/odd.js", b"// SPDX-License-Identifier: MIT AND AND BUSL-1.1\n"),
])
# RUN rm -rf /srv/app/src/enterprise
l2, d2 = layer([("srv/app/src/.wh.enterprise", b"")])
config = blob(json.dumps({
    "architecture": "amd64", "os": "linux", "config": {},
    "rootfs": {"type": "layers", "diff_ids": [d1, d2]},
}).encode())
config["mediaType"] = "application/vnd.oci.image.config.v1+json"
manifest = blob(json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": config, "layers": [l1, l2],
}).encode())
manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
manifest["platform"] = {"architecture": "amd64", "os": "linux"}
manifest["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
unknown = {"mediaType": "application/vnd.example.unknown+json",
           "digest": "sha256:" + "0" * 64, "size": 2}
with open(root + "/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [manifest, unknown]}, f)
with open(root + "/oci-layout", "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
EOF
if [ -f "$tmp/synth/index.json" ]; then
	ok "built a layout with a whiteout-deleted enterprise file"
else
	not_ok "could not build the test layout"
fi

cat >"$tmp/synth.rules" <<'EOF'
class MIT "Community Edition"
class BSL "Enterprise Edition"
target dockerhub  allow MIT  deny BSL  unknown warn
target ghcr       allow MIT BSL        unknown allow
license BUSL-1.1  BSL
license MIT       MIT
path /srv/app/src/enterprise/**  BSL
exempt /srv/app/LICENSE-BSL  "license text only"
EOF

# --- scanning --------------------------------------------------------------

n=0
# scan LABEL LAYOUT [OPTION...]: write a JSON report, expect exit 0 or 1 with
# a report and a quiet standard error, or exit 2 with no report at all.
scan() {
	_label=$1
	_dir=$2
	shift 2
	n=$((n + 1))
	_out=$tmp/report-$n.json
	"$bin" scan --format json --output "$_out" "$@" "$_dir" 2>"$tmp/stderr"
	_st=$?
	case $_st in
	0 | 1)
		if [ ! -s "$_out" ]; then
			not_ok "$_label: exit $_st but no report written"
		elif [ -s "$tmp/stderr" ]; then
			not_ok "$_label: exit $_st with output on standard error: $(head -c 300 "$tmp/stderr")"
		else
			[ $_st -eq 0 ] && _v=pass || _v=fail
			printf '%s\t%s\t%s\n' "$_out" "$_v" "$_label" >>"$reports"
		fi
		;;
	2)
		if [ -e "$_out" ]; then
			not_ok "$_label: exit 2 but a report was written"
		elif [ ! -s "$tmp/stderr" ]; then
			not_ok "$_label: exit 2 without a message"
		else
			ok "$_label: exit 2, no report ($(head -n 1 "$tmp/stderr" | cut -c1-100))"
		fi
		;;
	*)
		not_ok "$_label: exit status $_st: $(head -c 300 "$tmp/stderr")"
		;;
	esac
}

synth_fail=$tmp/report-$((n + 1)).json
scan "built layout, target dockerhub" "$tmp/synth" --rules "$tmp/synth.rules" --target dockerhub
scan "built layout, target ghcr" "$tmp/synth" --rules "$tmp/synth.rules" --target ghcr
scan "built layout, built-in rules" "$tmp/synth"

# The report on standard output is the same document.
"$bin" scan --format json --rules "$tmp/synth.rules" "$tmp/synth" >"$tmp/stdout.json" 2>"$tmp/stderr"
st=$?
if [ $st -eq 1 ]; then
	printf '%s\t%s\t%s\n' "$tmp/stdout.json" fail "built layout, report on standard output" >>"$reports"
else
	not_ok "built layout, report on standard output: exit $st, want 1 $(head -c 300 "$tmp/stderr")"
fi

if [ -d "$corpus" ]; then
	for d in "$corpus"/*/; do
		[ -f "$d/index.json" ] || continue
		scan "corpus $(basename "$d")" "$d"
	done
else
	echo "# $corpus not found: corpus layouts not scanned"
fi

for d in tests/fixtures/oci/*/; do
	[ -f "$d/index.json" ] || continue
	name=fixture\ $(basename "$d")
	scan "$name, built-in rules" "$d"
	scan "$name, truxe.rules dockerhub" "$d" --rules rules/truxe.rules --target dockerhub
	if [ -f tests/fixtures/rules/example.rules ]; then
		scan "$name, example.rules" "$d" --rules tests/fixtures/rules/example.rules
	fi
done
if [ -d tests/fixtures/oci/multiarch ]; then
	scan "fixture multiarch, --platform linux/arm64" tests/fixtures/oci/multiarch \
		--rules tests/fixtures/rules/example.rules --platform linux/arm64
fi

# --- validating ------------------------------------------------------------

"$PYTHON" - "$schema" "$reports" "$synth_fail" >"$tmp/validate.out" <<'EOF'
import copy, json, sys
import jsonschema

schema_path, list_path, synth_path = sys.argv[1:4]

def say(good, what):
    print(("ok - " if good else "not ok - ") + what)

try:
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
except Exception as e:
    say(False, "the schema itself: %s" % str(e).splitlines()[0])
    sys.exit(0)
say(True, "the schema is a valid draft 2020-12 schema")
validator = jsonschema.Draft202012Validator(schema)

def first_error(doc):
    errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if not errs:
        return None
    e = errs[0]
    where = "/".join(map(str, e.absolute_path)) or "(top level)"
    return where + ": " + e.message[:200]

count = 0
with open(list_path) as f:
    for line in f:
        path, verdict, label = line.rstrip("\n").split("\t")
        try:
            with open(path) as r:
                doc = json.load(r)
        except Exception as e:
            say(False, "%s: not JSON: %s" % (label, e))
            continue
        err = first_error(doc)
        if err is None and doc.get("verdict") != verdict:
            err = "verdict %r, but the exit status says %s" % (doc.get("verdict"), verdict)
        if err is None:
            for key in ("violations", "warnings", "exemptions"):
                if doc["summary"][key] != len(doc[key]):
                    err = "summary.%s is %d, but %d listed" % (key, doc["summary"][key], len(doc[key]))
        say(err is None, "%s: %s" % (label, err or "valid, verdict " + verdict))
        count += 1
say(count > 0, "%d reports validated" % count)

# The built layout's dockerhub report must hold every kind of finding and
# evidence, so the schema's branches for them were exercised above.
try:
    with open(synth_path) as f:
        real = json.load(f)
except Exception as e:
    say(False, "built layout's dockerhub report: %s" % e)
    sys.exit(0)
v = real.get("violations", [])
kinds = {e.get("kind") for x in v + real.get("warnings", []) + real.get("exemptions", [])
         for e in x.get("evidence", [])}
say(any(x.get("deleted") and x.get("deleted_by") == 2 for x in v)
    and any(x.get("hardlink") for x in v)
    and real.get("warnings") and real.get("exemptions")
    and real["image"]["skipped"]
    and kinds == {"path", "spdx-tag", "unparseable"},
    "built layout's report has deleted and hardlinked violations, warnings, an "
    "exemption, a skipped descriptor and evidence of every kind")

# Broken copies of that report must be rejected.
def broken(what, change):
    doc = copy.deepcopy(real)
    try:
        change(doc)
    except (KeyError, IndexError) as e:
        say(False, "cannot break the report (%s): %r" % (what, e))
        return
    say(first_error(doc) is not None, "a broken report is rejected: " + what)

def set_(path, value):
    def change(doc):
        obj = doc
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return change

def drop(path):
    def change(doc):
        obj = doc
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]
    return change

broken('verdict "maybe"', set_(["verdict"], "maybe"))
broken('verdict "pass" with violations listed', set_(["verdict"], "pass"))
broken("a violation without deleted_by", drop(["violations", 0, "deleted_by"]))
broken("deleted true with deleted_by null", set_(["violations", 0, "deleted_by"], None))
broken('evidence kind "license"', set_(["violations", 0, "evidence", 0, "kind"], "license"))
broken('level "forbidden"', set_(["violations", 0, "level"], "forbidden"))
broken('a warning with outcome "deny"', set_(["warnings", 0, "outcome"], "deny"))
broken("an exemption without its reason", drop(["exemptions", 0, "reason"]))
broken("a layer digest that is a path", set_(["violations", 0, "layer"], "sha256:../../oci-layout"))
broken("size as a string", set_(["summary", "files"], "5"))
broken("no summary", drop(["summary"]))
broken("a field the schema does not know", set_(["extra"], True))
EOF
st=$?
cat "$tmp/validate.out"
cat "$tmp/validate.out" >>"$results"
[ $st -eq 0 ] || not_ok "the validator stopped with exit status $st"

finish
