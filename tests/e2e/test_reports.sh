#!/bin/sh
# test_reports.sh - every report format, from one scan, against its own
# validator.
#
# Usage: sh tests/e2e/test_reports.sh LICGATE_BINARY
#
# Builds a layout whose file names are hostile (<script>, quotes, invalid
# UTF-8, control bytes), with a denied file deleted by a later layer, and
# scans it once with --format for every format.  Then:
#   sarif    python3-jsonschema and the vendored SARIF 2.1.0 schema;
#   junit    xmllint --schema and the vendored Jenkins junit-10.xsd;
#   html     tidy (no errors), the CSP meta, no raw hostile markup; a
#            headless chromium screenshot when Debian's chromium is here;
#   in-toto  a small schema of the Statement v1 / test-result v0.1 fields;
# each validator is also shown a broken copy, which it must reject.  A
# scan that cannot complete leaves no report but junit's error testcase;
# no temporary file is left; the exit status is the one without reports.
#
# Prints "ok - ...", "not ok - ..." and "skip - ..." lines, ends with
# "reports: N passed, M failed".
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_reports.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
schemas=$root/tests/schemas
tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-reports.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
results=$tmp/results
: >"$results"

ok() { printf 'ok - %s\n' "$*" | tee -a "$results"; }
not_ok() { printf 'not ok - %s\n' "$*" | tee -a "$results"; }
skip() { printf 'skip - %s\n' "$*"; }
check() { # LABEL COMMAND...: ok when COMMAND succeeds
	label=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then ok "$label"; else not_ok "$label"; sed 's/^/    /' "$tmp/out" | head -20; fi
}
refute() { # LABEL COMMAND...: ok when COMMAND fails (a validator rejects)
	label=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then not_ok "$label (accepted)"; else ok "$label"; fi
}
finish() {
	pass=$(grep -c '^ok - ' "$results")
	fail=$(grep -c '^not ok - ' "$results")
	echo "reports: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

cd "$root" || exit 2
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
export XDG_CACHE_HOME="$tmp/cache"

# --- a layout with hostile names ------------------------------------------
"$PYTHON" - "$tmp/hostile" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
root = sys.argv[1]
os.makedirs(root + "/blobs/sha256")
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(root + "/blobs/sha256/" + d, "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
def name(b):
    return b.decode("utf-8", "surrogateescape")
def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT,
                      encoding="utf-8", errors="surrogateescape") as t:
        for n, data in entries:
            ti = tarfile.TarInfo(name(n))
            ti.mtime, ti.mode, ti.size = 0, 0o644, len(data)
            t.addfile(ti, io.BytesIO(data))
    tar = buf.getvalue()
    desc = blob(gzip.compress(tar, mtime=0))
    desc["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    return desc, "sha256:" + hashlib.sha256(tar).hexdigest()
busl = b"// SPDX-License-Identifier: BUSL-1.1\n"
l1, d1 = layer([
    (b"app/<script>alert(1)</script>.js", busl),
    (b"app/q\"uote'&amp;.js", busl),
    (b"app/bad\xff\xfe-utf8.js", busl),
    (b"app/ctl\x01\x1b[31m.js", busl),
    (b"app/c1\xc2\x9b31m\x7f.js", busl),
    (b"app/secret/enterprise.js", busl),
    (b"app/index.js", b"// SPDX-License-Identifier: MIT\n"),
])
l2, d2 = layer([(b"app/secret/.wh.enterprise.js", b"")])
config = blob(json.dumps({
    "architecture": "amd64", "os": "linux", "config": {},
    "rootfs": {"type": "layers", "diff_ids": [d1, d2]},
    "history": [{"created_by": "COPY <script>x</script> /app"},
                {"created_by": "RUN rm /app/secret/enterprise.js"}],
}).encode())
config["mediaType"] = "application/vnd.oci.image.config.v1+json"
manifest = blob(json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": config, "layers": [l1, l2]}).encode())
manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
manifest["annotations"] = {"org.opencontainers.image.ref.name": "<b>latest</b>"}
json.dump({"schemaVersion": 2, "manifests": [manifest]}, open(root + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(root + "/oci-layout", "w"))
PY
[ -f "$tmp/hostile/index.json" ] || { not_ok "could not build the hostile layout"; finish; }

R=$tmp/r
mkdir -p "$R"
scan() { "$bin" scan --rules rules/truxe.rules --target dockerhub "$@"; }

# --- one scan, every format ------------------------------------------------
scan -f text -f json="$R/report.json" -f sarif="$R/report.sarif" -f junit="$R/junit.xml" \
	-f html="$R/report.html" -f in-toto="$R/statement.json" -f spdx-json="$R/sbom.spdx.json" \
	-f cyclonedx-json="$R/sbom.cdx.json" "$tmp/hostile" >"$R/report.txt" 2>"$R/stderr"
st=$?
if [ "$st" -eq 1 ]; then ok "every format from one scan: exit 1 as without reports"; else not_ok "every format: exit $st, want 1"; cat "$R/stderr"; fi
for f in report.json report.sarif junit.xml report.html statement.json sbom.spdx.json sbom.cdx.json; do
	if [ -s "$R/$f" ]; then ok "$f written"; else not_ok "$f missing"; fi
done
if grep -q '^FAIL: 6 violations' "$R/report.txt"; then ok "text on standard output"; else not_ok "text report"; fi
if ls "$R" | grep -Eq '\.[A-Za-z0-9]{6}$'; then not_ok "a temporary file was left: $(ls "$R")"; else ok "no temporary file left"; fi
n=$(jq '.violations | length' "$R/report.json")
if [ "$n" = 6 ]; then ok "json: 6 violations"; else not_ok "json: $n violations, want 6"; fi
raw_controls() { # FILE...: fails when a file holds a C0 (but newline/tab), DEL or C1 control
	"$PYTHON" - "$@" <<'PY'
import re, sys
bad = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
found = [f for f in sys.argv[1:] if bad.search(open(f, "rb").read())]
print("raw control bytes in:", " ".join(found)) if found else None
sys.exit(1 if found else 0)
PY
}
check "no raw control byte (C0, DEL, C1) in any report" raw_controls "$R/report.txt" "$R/report.json" \
	"$R/report.sarif" "$R/junit.xml" "$R/report.html" "$R/statement.json" "$R/sbom.spdx.json" "$R/sbom.cdx.json"
printf 'a\033[31mb\n' >"$tmp/ctl.txt"
refute "the control-byte check catches an ESC" raw_controls "$tmp/ctl.txt"

# --- SARIF ---------------------------------------------------------------
sarif_valid() { # FILE
	"$PYTHON" - "$schemas/sarif-schema-2.1.0.json" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft4Validator(schema).validate(json.load(open(sys.argv[2])))
PY
}
if "$PYTHON" -c 'import jsonschema' 2>/dev/null; then
	check "sarif: valid against sarif-schema-2.1.0.json" sarif_valid "$R/report.sarif"
	jq '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 42' \
		"$R/report.sarif" >"$tmp/bad.sarif"
	refute "sarif: a broken copy is rejected (uri not a string)" sarif_valid "$tmp/bad.sarif"
else
	skip "sarif schema: python3 jsonschema module missing (Debian: python3-jsonschema)"
fi
check "sarif: one rule licgate/deny/BSL" \
	jq -e '[.runs[0].tool.driver.rules[].id] == ["licgate/deny/BSL"]' "$R/report.sarif"
check "sarif: URIs relative, image/..., percent-encoded" \
	jq -e '[.runs[0].results[].locations[0].physicalLocation.artifactLocation.uri] |
	       all(test("^image/app/[A-Za-z0-9/._~%-]+$")) and
	       any(. == "image/app/%3Cscript%3Ealert%281%29%3C/script%3E.js") and
	       any(. == "image/app/bad%FF%FE-utf8.js")' "$R/report.sarif"
check "sarif: fingerprints, logical locations, deleted-by" \
	jq -e '.runs[0].results | all(.partialFingerprints.primaryLocationLineHash | test("^[0-9a-f]{32}:1$"))
	       and any(.properties.deletedBy == 2)
	       and all(.locations[0].logicalLocations[0].fullyQualifiedName | startswith("image@sha256:"))' \
	"$R/report.sarif"
check "sarif: the tag's line is the region" \
	jq -e '[.runs[0].results[].locations[0].physicalLocation.region.startLine] | all(. == 1)' "$R/report.sarif"

# --- JUnit ---------------------------------------------------------------
if command -v xmllint >/dev/null 2>&1; then
	check "junit: valid against junit-10.xsd" xmllint --noout --schema "$schemas/junit-10.xsd" "$R/junit.xml"
	sed 's/<testcase name="[^"]*"/<testcase/' "$R/junit.xml" >"$tmp/bad.xml"
	refute "junit: a broken copy is rejected (testcase without name)" \
		xmllint --noout --schema "$schemas/junit-10.xsd" "$tmp/bad.xml"
	check "junit: 6 failures, hostile names escaped" \
		sh -c 'grep -q "failures=\"6\"" "$1" && grep -q "&lt;script&gt;alert(1)&lt;/script&gt;.js" "$1" &&
		       grep -q "bad\\\\xff\\\\xfe-utf8.js" "$1" && ! grep -q "<script>" "$1"' - "$R/junit.xml"
else
	skip "junit: xmllint missing (Debian: libxml2-utils)"
fi

# --- HTML ----------------------------------------------------------------
if command -v tidy >/dev/null 2>&1; then
	tidy_ok() { tidy -q -e "$1"; }
	check "html: tidy finds no error and no warning" tidy_ok "$R/report.html"
	printf '<!DOCTYPE html><html><head><title>x</title></head><body><p>a</x></bodyy></html>\n' >"$tmp/bad.html"
	refute "html: tidy rejects a broken page" tidy_ok "$tmp/bad.html"
else
	skip "html: tidy missing (Debian: tidy)"
fi
check "html: CSP forbids external requests; no script; print styles" \
	sh -c 'grep -q "Content-Security-Policy\" content=\"default-src '"'"'none'"'"'" "$1" &&
	       ! grep -qi "<script" "$1" && grep -q "@media print" "$1" && grep -q "<svg" "$1" &&
	       ! grep -Eqi "(src|href)=\"(https?:)?//" "$1"' - "$R/report.html"
check "html: verdict, deleted-but-shipped, history, escaped names" \
	sh -c 'grep -q "banner fail" "$1" && grep -q "Deleted by a later layer" "$1" &&
	       grep -q "RUN rm /app/secret/enterprise.js" "$1" && grep -q "COPY &lt;script&gt;x&lt;/script&gt;" "$1" &&
	       grep -q "&lt;b&gt;latest&lt;/b&gt;" "$1"' - "$R/report.html"
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ] && "$chromium" --headless --no-sandbox --disable-gpu \
	--screenshot="$tmp/shot.png" --window-size=1024,1400 "file://$R/report.html" >/dev/null 2>&1 &&
	[ -s "$tmp/shot.png" ]; then
	ok "html: headless chromium renders it"
else
	skip "html: no headless chromium here (Debian: chromium) to render it"
fi

# --- in-toto -------------------------------------------------------------
intoto_valid() { # FILE
	"$PYTHON" - "$1" <<'PY'
import json, sys, jsonschema
hexd = {"type": "object", "minProperties": 1,
        "additionalProperties": {"type": "string", "pattern": "^[0-9a-f]+$"}}
tests = {"type": "array", "items": {"type": "string"}}
schema = {
  "type": "object", "required": ["_type", "subject", "predicateType", "predicate"],
  "properties": {
    "_type": {"const": "https://in-toto.io/Statement/v1"},
    "subject": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["digest"],
        "properties": {"name": {"type": "string"}, "digest": hexd}}},
    "predicateType": {"const": "https://in-toto.io/attestation/test-result/v0.1"},
    "predicate": {"type": "object", "required": ["result"], "properties": {
        "result": {"enum": ["PASSED", "WARNED", "FAILED"]},
        "configuration": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "digest": hexd,
            "annotations": {"type": "object"}}}},
        "url": {"type": "string"},
        "passedTests": tests, "warnedTests": tests, "failedTests": tests}}}}
jsonschema.Draft7Validator(schema).validate(json.load(open(sys.argv[1])))
PY
}
if "$PYTHON" -c 'import jsonschema' 2>/dev/null; then
	check "in-toto: a Statement v1 with the test-result predicate" intoto_valid "$R/statement.json"
	jq '.predicate.result = "OK"' "$R/statement.json" >"$tmp/bad.json"
	refute "in-toto: a broken copy is rejected (result OK)" intoto_valid "$tmp/bad.json"
fi
manifest=$(jq -r '.image.manifests[0].digest' "$R/report.json")
check "in-toto: FAILED, subject is the manifest digest, 6 failed tests" \
	jq -e --arg m "${manifest#sha256:}" '.predicate.result == "FAILED" and .subject[0].digest.sha256 == $m
	       and (.predicate.failedTests | length) == 6' "$R/statement.json"

# --- SPDX 2.3 --------------------------------------------------------------
# The JSON schema, then what the spec asks that the schema cannot check.
spdx_valid() { # FILE [FILE2: another document, whose namespace must differ]
	"$PYTHON" - "$schemas/spdx-schema-2.3.json" "$@" <<'PY'
import json, re, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator(schema).validate(doc)
errors = []
if len(sys.argv) > 3 and json.load(open(sys.argv[3]))["documentNamespace"] == doc["documentNamespace"]:
    errors.append("two documents share a documentNamespace")
if not re.match(r"^[a-z][a-z0-9+.-]*://[^#\s]+$", doc["documentNamespace"]):
    errors.append("documentNamespace is not a URI without '#'")
ids = {doc["SPDXID"]} | {p["SPDXID"] for p in doc.get("packages", [])}
refs = {i["licenseId"] for i in doc.get("hasExtractedLicensingInfos", [])}
for f in doc.get("files", []):
    ids.add(f["SPDXID"])
    algs = {c["algorithm"] for c in f.get("checksums", [])}
    if "SHA1" not in algs:
        errors.append(f["SPDXID"] + ": no SHA1 checksum (mandatory in 2.3)")
    if not f["fileName"].startswith("./"):
        errors.append(f["SPDXID"] + ": fileName not ./-relative: " + f["fileName"])
    used = re.findall(r"LicenseRef-[A-Za-z0-9.-]+", f.get("licenseConcluded", "") + " " +
                      " ".join(f.get("licenseInfoInFiles", [])))
    for u in used:
        if u not in refs:
            errors.append(f["SPDXID"] + ": " + u + " is not in hasExtractedLicensingInfos")
for r in doc.get("relationships", []):
    for k in ("spdxElementId", "relatedSpdxElement"):
        if r[k] not in ids:
            errors.append("relationship to an unknown element " + r[k])
if not any(r["relationshipType"] == "DESCRIBES" and r["spdxElementId"] == "SPDXRef-DOCUMENT"
           for r in doc.get("relationships", [])):
    errors.append("the document DESCRIBES nothing")
for p in doc.get("packages", []):
    if p.get("primaryPackagePurpose") != "CONTAINER":
        errors.append(p["SPDXID"] + ": not a CONTAINER")
    if not any(e["referenceType"] == "purl" and e["referenceLocator"].startswith("pkg:oci/")
               for e in p.get("externalRefs", [])):
        errors.append(p["SPDXID"] + ": no pkg:oci purl")
if errors:
    print("\n".join(errors[:20]))
    sys.exit(1)
PY
}
if "$PYTHON" -c 'import jsonschema' 2>/dev/null; then
	check "spdx: the 2.3 schema and the spec's rules" spdx_valid "$R/sbom.spdx.json"
	jq '.files[0].checksums |= map(select(.algorithm != "SHA1"))' "$R/sbom.spdx.json" >"$tmp/bad.spdx"
	refute "spdx: a file without SHA1 is rejected" spdx_valid "$tmp/bad.spdx"
	jq '.files[0].fileName |= ltrimstr(".")' "$R/sbom.spdx.json" >"$tmp/bad.spdx"
	refute "spdx: an absolute fileName is rejected" spdx_valid "$tmp/bad.spdx"
	jq 'del(.spdxVersion)' "$R/sbom.spdx.json" >"$tmp/bad.spdx"
	refute "spdx: a document without spdxVersion is rejected (schema)" spdx_valid "$tmp/bad.spdx"
	refute "spdx: the same documentNamespace twice is rejected" spdx_valid "$R/sbom.spdx.json" "$R/sbom.spdx.json"
	SOURCE_DATE_EPOCH=1 scan -q -f spdx-json="$tmp/other.spdx" "$tmp/hostile"
	check "spdx: another scan's document has its own namespace" spdx_valid "$R/sbom.spdx.json" "$tmp/other.spdx"
fi
check "spdx: every file, SHA1 and SHA256, hostile names, deleted ones said" \
	jq -e '(.files | length) == 7 and all(.files[]; (.checksums | length) == 2)
	       and any(.files[]; .fileName == "./app/<script>alert(1)</script>.js")
	       and any(.files[]; .fileName == "./app/bad\\xff\\xfe-utf8.js")
	       and any(.files[]; (.comment | contains("deleted by layer 2")))
	       and any(.files[]; .licenseConcluded == "BUSL-1.1" and .licenseInfoInFiles == ["BUSL-1.1"])' \
	"$R/sbom.spdx.json"
got=$(jq -r '.files[] | select(.fileName == "./app/index.js") | .checksums[] | .checksumValue' "$R/sbom.spdx.json" | tr '\n' ' ')
want="$(printf '// SPDX-License-Identifier: MIT\n' | sha1sum | cut -d' ' -f1) $(printf '// SPDX-License-Identifier: MIT\n' | sha256sum | cut -d' ' -f1) "
if [ "$got" = "$want" ]; then ok "spdx: the hashes are the content's"; else not_ok "spdx: hashes '$got', want '$want'"; fi

# --- CycloneDX 1.6 ----------------------------------------------------------
cdx=$root/build/cyclonedx
if sh "$root/tests/cyclonedx/install.sh" "$cdx" >"$tmp/npm.log" 2>&1; then
	check "cyclonedx: valid for JsonStrictValidator 1.6" node "$cdx/validate.js" "$R/sbom.cdx.json"
	jq '.components[0].hashes[0].alg = "SHA-7"' "$R/sbom.cdx.json" >"$tmp/bad.cdx"
	refute "cyclonedx: a broken copy is rejected (hash alg SHA-7)" node "$cdx/validate.js" "$tmp/bad.cdx"
else
	skip "cyclonedx: npm could not install @cyclonedx/cyclonedx-library ($(tail -n 1 "$tmp/npm.log"))"
fi
check "cyclonedx: container, every file with hashes and licenses, licgate properties" \
	jq -e '.metadata.component.type == "container" and (.components | length) == 7
	       and all(.components[]; .type == "file" and (.hashes | length) == 2)
	       and all(.components[]; (.licenses | length) >= 1)
	       and all(.components[]; [.licenses[] | has("expression")] | (all or (any | not)))
	       and any(.components[]; any(.properties[]; .name == "licgate:deleted-by" and .value == "2"))
	       and any(.components[]; .name == "/app/<script>alert(1)</script>.js")' "$R/sbom.cdx.json"

# --- the demo image: every file with its concluded license ------------------
# (The demo has the real Truxe tree's shape: no tags, so its rules decide;
# the 17 files of unsettled edition, RBAC and security, conclude nothing.)
scan -q --rules rules/truxe.rules -f spdx-json="$tmp/demo.spdx" -f cyclonedx-json="$tmp/demo.cdx" tests/fixtures/oci/truxe-api
check "demo: SPDX concludes a license for every file but the 17 unsettled" \
	jq -e '(.files | length) > 150 and ([.files[] | select(.licenseConcluded == "NOASSERTION")] | length) == 17' "$tmp/demo.spdx"
check "demo: CycloneDX concludes a license for every file but the 17 unsettled" \
	jq -e '([.components[] | select(.licenses[0].acknowledgement == "concluded")] | length) == (.components | length) - 17' "$tmp/demo.cdx"

# --- warm = cold: a cached walk has no file hashes; the SBOM is the same ------
C=$tmp/warm-cache
SOURCE_DATE_EPOCH=1700000000 scan -q --no-cache -f spdx-json="$tmp/cold.spdx" -f cyclonedx-json="$tmp/cold.cdx" tests/fixtures/oci/truxe-api
scan -q --cache-dir "$C" tests/fixtures/oci/truxe-api
SOURCE_DATE_EPOCH=1700000000 scan -q --cache-dir "$C" -f spdx-json="$tmp/warm.spdx" -f cyclonedx-json="$tmp/warm.cdx" tests/fixtures/oci/truxe-api
if cmp -s "$tmp/cold.spdx" "$tmp/warm.spdx" && cmp -s "$tmp/cold.cdx" "$tmp/warm.cdx"; then
	ok "warm: SBOMs after a cached scan are the cold ones, byte for byte"
else
	not_ok "warm: SBOMs differ from the cold ones"
fi

# many_denied DIR N SHAPE: an OCI layout of one gzip layer holding N
# BUSL-tagged files; SHAPE "short" names them app/fNNNNN.js, "long" gives
# each a path of 1,500 random characters (what gzip cannot shrink).
many_denied() {
	"$PYTHON" - "$@" <<'PY'
import gzip, hashlib, io, json, os, random, string, sys, tarfile
root, count, shape = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(root + "/blobs/sha256")
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(root + "/blobs/sha256/" + d, "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
rnd = random.Random(15)
alphabet = string.ascii_letters + string.digits
def name(i):
    if shape == "short":
        return "app/f%05d.js" % i
    parts = ["".join(rnd.choice(alphabet) for _ in range(249)) for _ in range(6)]
    return "app/%05d/" % i + "/".join(parts) + ".js"
buf = io.BytesIO()
data = b"// SPDX-License-Identifier: BUSL-1.1\n"
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    for i in range(count):
        ti = tarfile.TarInfo(name(i))
        ti.size, ti.mode = len(data), 0o644
        t.addfile(ti, io.BytesIO(data))
tar = buf.getvalue()
layer = blob(gzip.compress(tar, 1, mtime=0))
layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
config = blob(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
    "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]}}).encode())
config["mediaType"] = "application/vnd.oci.image.config.v1+json"
m = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                     "config": config, "layers": [layer]}).encode())
m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
json.dump({"schemaVersion": 2, "manifests": [m]}, open(root + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(root + "/oci-layout", "w"))
PY
}

# --- SARIF past GitHub's 25,000 results per run -------------------------------
if [ "${LICGATE_SKIP_SLOW:-0}" = 1 ]; then
	skip "sarif: 25,010 violations (LICGATE_SKIP_SLOW=1)"
else
	many_denied "$tmp/many" 25010 short
	scan -q -f sarif="$tmp/many.sarif" "$tmp/many"
	check "sarif: 25,010 violations give 25,000 results, the cut said" \
		jq -e '.runs[0].results | length == 25000' "$tmp/many.sarif"
	check "sarif: the run says how many it left out" \
		jq -e '.runs[0].properties.omittedResults == 10 and
		       (.runs[0].invocations[0].toolExecutionNotifications[0].message.text | startswith("10 of 25010 results left out"))
		       and .runs[0].results[-1].properties.path == "/app/f24999.js"' "$tmp/many.sarif"
	gz=$(gzip -c "$tmp/many.sarif" | wc -c)
	if [ "$gz" -le 10000000 ]; then ok "sarif: gzipped $gz bytes, within 10 MB"; else not_ok "sarif: gzipped $gz bytes"; fi

	# Past 10 MB gzipped with fewer than 25,000 results: 20,000 denied
	# files whose paths are 1,500 random characters (what gzip cannot
	# shrink) make about 15 MB gzipped; the results are halved until the
	# document fits, and the cut is said.
	many_denied "$tmp/big" 20000 long
	scan -q -f sarif="$tmp/big.sarif" -f json="$tmp/big.json" "$tmp/big"
	gz=$(gzip -c "$tmp/big.sarif" | wc -c)
	if [ "$gz" -le 10000000 ]; then ok "sarif: 20,000 long paths, gzipped $gz bytes, within 10 MB"; else not_ok "sarif: 20,000 long paths, gzipped $gz bytes"; fi
	check "sarif: cut by halving, in report order, the cut said" \
		jq -e '(.runs[0].results | length) as $n | $n < 20000 and $n > 0 and
		       .runs[0].properties.omittedResults == 20000 - $n and
		       (.runs[0].invocations[0].toolExecutionNotifications[0].message.text |
		        startswith("\(20000 - $n) of 20000 results left out"))' "$tmp/big.sarif"
	check "sarif: the json report of the same scan lists all 20,000" \
		jq -e '.summary.violations == 20000 and (.violations | length) == 20000' "$tmp/big.json"
fi

# --- a passing scan: exit 0, PASSED ----------------------------------------
scan -f in-toto="$R/pass.json" -f junit="$R/pass.xml" -f sarif="$R/pass.sarif" -q tests/fixtures/oci/clean
st=$?
if [ "$st" -eq 0 ]; then ok "clean: exit 0 with reports"; else not_ok "clean: exit $st"; fi
check "clean: in-toto PASSED, sarif no result, junit no failure" \
	sh -c 'jq -e ".predicate.result == \"PASSED\"" "$1" && jq -e ".runs[0].results == []" "$2" &&
	       grep -q "failures=\"0\"" "$3"' - "$R/pass.json" "$R/pass.sarif" "$R/pass.xml"

# --- a scan that cannot complete --------------------------------------------
for f in old.json old.sarif old.xml; do echo stale >"$R/$f"; done
scan -f json="$R/old.json" -f sarif="$R/old.sarif" -f junit="$R/old.xml" \
	tests/fixtures/oci/truncated-layer 2>"$R/stderr"
st=$?
if [ "$st" -eq 2 ]; then ok "truncated layer: exit 2"; else not_ok "truncated layer: exit $st, want 2"; fi
if [ ! -e "$R/old.json" ] && [ ! -e "$R/old.sarif" ]; then ok "exit 2: old json and sarif reports removed"; else not_ok "exit 2: a stale report was left"; fi
if grep -q '<error type="licgate/could-not-complete"' "$R/old.xml" 2>/dev/null; then
	ok "exit 2: junit holds one error testcase"
	command -v xmllint >/dev/null 2>&1 &&
		check "exit 2: the junit error report is valid" xmllint --noout --schema "$schemas/junit-10.xsd" "$R/old.xml"
else
	not_ok "exit 2: no junit error report"
fi
if ls "$R" | grep -Eq '\.[A-Za-z0-9]{6}$'; then not_ok "exit 2: a temporary file was left"; else ok "exit 2: no temporary file left"; fi

# --- one report that cannot be written: none is put in place ------------------
echo stale >"$R/w.json"
scan -q -f json="$R/w.json" -f junit="$R/w.xml" -f sarif="$R/no-such-dir/w.sarif" \
	tests/fixtures/oci/clean 2>"$R/stderr"
st=$?
if [ "$st" -eq 2 ] && grep -q 'no-such-dir' "$R/stderr"; then ok "an unwritable report: exit 2, named"; else not_ok "an unwritable report: exit $st"; fi
if [ ! -e "$R/w.json" ] && grep -q '<error ' "$R/w.xml" 2>/dev/null; then
	ok "an unwritable report: the others not put in place, junit says why"
else
	not_ok "an unwritable report: the other reports"
fi
if ls "$R" | grep -Eq '\.[A-Za-z0-9]{6}$'; then not_ok "unwritable: a temporary file was left"; else ok "unwritable: no temporary file left"; fi

# --- usage ----------------------------------------------------------------
scan -f json -f sarif tests/fixtures/oci/clean >/dev/null 2>"$R/stderr"
st=$?
if [ "$st" -eq 2 ] && grep -q 'at most one --format without =FILE' "$R/stderr"; then ok "two reports to standard output refused"; else not_ok "two reports to standard output: exit $st"; fi
scan -f nope tests/fixtures/oci/clean >/dev/null 2>"$R/stderr"
if grep -q 'want one of text, json, sarif, junit' "$R/stderr"; then ok "unknown format names the formats"; else not_ok "unknown format message"; fi
scan -f json="$R/same" -f sarif="$R/same" tests/fixtures/oci/clean >/dev/null 2>"$R/stderr"
if grep -q 'two reports to one file' "$R/stderr"; then ok "two reports to one file refused"; else not_ok "two reports to one file"; fi
if "$bin" scan --help | grep -q '^  in-toto '; then ok "--help lists the formats from the table"; else not_ok "--help formats"; fi

finish
