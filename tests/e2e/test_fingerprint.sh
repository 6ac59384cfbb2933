#!/bin/sh
# test_fingerprint.sh - paid code found by content: `licgate fingerprint`
# on a small source tree (a BSL directory, MIT files around it), then
# `licgate scan --fingerprints` over images where the BSL code landed
# renamed, converted to CRLF, with its license header stripped, pasted
# (one function of ~20 lines) into an MIT file, bundled (modules
# concatenated as webpack/esbuild do without minifying), and a clean image
# (MIT files, one sharing only the license header comment with the BSL
# sources, one a tiny BSL file edited).  Also: the set is byte-identical
# run to run, --show lists it, the rules' `fingerprints` line, check-rules
# on a missing or damaged set, the JSON report against the schema, and a
# warm cache that must not keep a match after the set changed.
#
# Usage: sh tests/e2e/test_fingerprint.sh LICGATE_BINARY
# Ends with "fingerprint: N passed, M failed"; exit 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_fingerprint.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-fp.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
XDG_CACHE_HOME=$tmp/xdg
export XDG_CACHE_HOME

passed=0
failed=0
check() { # NAME STATUS [WHY]
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		echo "not ok - $1${3:+ ($3)}"
	fi
}

LIB_TMP=$tmp/lib
mkdir -p "$LIB_TMP"
. "$root/tests/fixtures/oci-lib.sh"

# image DIR LAYOUT: a one-layer OCI layout of DIR's contents
image() {
	layout_new "$2"
	img_begin
	img_layer_dir "$2" "$1" gzip "COPY . /"
	img_finish "$2" linux amd64
	index_write "$2" "$(manifest_desc)"
}

# ---- the source tree --------------------------------------------------
src=$tmp/src
mkdir -p "$src/bsl" "$src/lib"
header='/*
 * Copyright (c) 2026 Example Corp.
 * Licensed under the terms in the LICENSE file at the root of this tree.
 */'

# A BSL module: functions that are nobody else's code.
bsl_engine() {
	printf '%s\n' "$header"
	cat <<'EOF'
'use strict';

const crypto = require('crypto');

function scoreLoginAttempt(attempt, history, weights) {
  let score = 0;
  const recent = history.filter((h) => attempt.at - h.at < weights.windowMs);
  if (recent.length > weights.burstLimit) {
    score += weights.burst * (recent.length - weights.burstLimit);
  }
  const countries = new Set(recent.map((h) => h.country));
  if (!countries.has(attempt.country) && countries.size > 0) {
    score += weights.newCountry;
  }
  const failed = recent.filter((h) => !h.success).length;
  score += Math.min(failed, weights.failCap) * weights.failure;
  if (attempt.userAgent && !recent.some((h) => h.userAgent === attempt.userAgent)) {
    score += weights.newDevice;
  }
  if (attempt.tor || attempt.proxy) {
    score += weights.anonymizer;
  }
  return Math.min(100, Math.round(score));
}

function fingerprintDevice(headers, salt) {
  const parts = [
    headers['user-agent'] || '',
    headers['accept-language'] || '',
    headers['sec-ch-ua-platform'] || '',
  ];
  const h = crypto.createHmac('sha256', salt);
  for (const p of parts) {
    h.update(String(p).trim().toLowerCase());
    h.update('\u0000');
  }
  return h.digest('hex').slice(0, 32);
}

function decideChallenge(score, policy) {
  if (score >= policy.blockAt) {
    return { action: 'block', reason: 'risk score ' + score + ' over ' + policy.blockAt };
  }
  if (score >= policy.stepUpAt) {
    const method = policy.preferPasskey ? 'passkey' : 'totp';
    return { action: 'step-up', method, reason: 'risk score ' + score };
  }
  return { action: 'allow' };
}

class RiskEngine {
  constructor(store, weights, policy) {
    this.store = store;
    this.weights = weights;
    this.policy = policy;
  }

  async evaluate(attempt) {
    const history = await this.store.recentAttempts(attempt.userId, 50);
    const score = scoreLoginAttempt(attempt, history, this.weights);
    const device = fingerprintDevice(attempt.headers, this.policy.salt);
    await this.store.record({ ...attempt, device, score });
    return { score, device, decision: decideChallenge(score, this.policy) };
  }
}

module.exports = { RiskEngine, scoreLoginAttempt, fingerprintDevice, decideChallenge };
EOF
}
bsl_engine >"$src/bsl/engine.js"
cat >"$src/bsl/quota.js" <<'EOF'
/*
 * Copyright (c) 2026 Example Corp.
 * Licensed under the terms in the LICENSE file at the root of this tree.
 */
export function remainingSeats(plan, used) {
  const total = plan.seats + (plan.addons || []).reduce((n, a) => n + a.seats, 0);
  const left = Math.max(0, total - used);
  if (plan.trialEndsAt && Date.now() > plan.trialEndsAt) {
    return { left: 0, total, expired: true, upgradeUrl: plan.billingPortal + '/upgrade' };
  }
  return { left, total, expired: false, warn: left <= Math.ceil(total * plan.warnRatio) };
}
EOF
printf 'export const EDITION = "pro";\n' >"$src/bsl/edition.js"
# A large BSL service, shaped like a real one (Truxe's 860-line
# token-service.js): 40 documented methods of 10 or 14 lines, so that one
# pasted method is a small share of the file's fingerprints.
python3 - "$src/bsl/service.js" <<'EOF'
import random, sys
rnd = random.Random(13)
nouns = ["token", "grant", "client", "scope", "session", "consent", "device", "claim",
         "audience", "issuer", "nonce", "verifier", "secret", "policy", "tenant"]
verbs = ["issue", "rotate", "revoke", "verify", "refresh", "audit", "bind", "expire"]
out = ["/*", " * Copyright (c) 2026 Example Corp.", " */", "'use strict';", "",
       "class GrantService {", "  constructor(db, clock, signer) {",
       "    this.db = db;", "    this.clock = clock;", "    this.signer = signer;", "  }", ""]
for i in range(40):
    a, b, c = rnd.sample(nouns, 3)
    v = verbs[i % len(verbs)]
    name = "%s%s%s%d" % (v, a.capitalize(), b.capitalize(), i)
    lim = rnd.randint(2, 90)
    out += ["  /**", "   * %s the %s of a %s (step %d)." % (v.capitalize(), a, b, i),
            "   * @param {object} %s" % a, "   * @returns {Promise<object>}", "   */",
            "  async %s(%s, %s) {" % (name, a, c),
            "    const row = await this.db.%ss.findOne({ id: %s.id, %s: %s.%s });" % (b, a, c, c, rnd.choice(nouns)),
            "    if (!row || row.%s !== %s.%s) {" % (rnd.choice(nouns), a, rnd.choice(nouns)),
            "      throw new Error('%s %s: no %s for ' + %s.id);" % (v, a, b, a),
            "    }",
            "    const now = this.clock.now() + %d;" % (lim * 1000),
            "    const %sList = row.%ss.filter((x) => x.at > now - %d && x.kind === '%s');" % (c, c, lim * 60, rnd.choice(nouns))]
    if i % 4:  # every fourth method is shorter: 10 lines
        out += ["    if (%sList.length > %d) {" % (c, lim % 7 + 1),
                "      await this.db.audit.insert({ what: '%s', %s: %s.id, count: %sList.length });" % (name, a, a, c),
                "      return { ok: false, reason: '%s over %d', retryAt: now + %d };" % (c, lim % 7 + 1, lim * 10),
                "    }"]
    out += ["    const signed = await this.signer.sign({ sub: %s.id, %s: row.%s, n: %d });" % (a, b, rnd.choice(nouns), i),
            "    await this.db.%ss.update(row.id, { last%s: now, %s: signed });" % (b, v.capitalize(), c),
            "    return { ok: true, %s: signed, expiresAt: now + %d };" % (a, lim * 100),
            "  }", ""]
out += ["}", "", "module.exports = { GrantService };", ""]
open(sys.argv[1], "w").write("\n".join(out))
EOF

# MIT files: the same license header, their own code.
mit_app() {
	printf '%s\n' "$header"
	cat <<'EOF'
'use strict';

const express = require('express');

function healthRoute(req, res) {
  res.json({ status: 'ok', uptime: process.uptime(), version: process.env.APP_VERSION });
}

function parsePagination(query) {
  const page = Math.max(1, parseInt(query.page, 10) || 1);
  const size = Math.min(100, Math.max(1, parseInt(query.size, 10) || 20));
  return { offset: (page - 1) * size, limit: size, page, size };
}

function errorHandler(err, req, res, next) {
  const status = err.status || 500;
  if (status >= 500) {
    console.error('request failed', req.method, req.path, err.stack);
  }
  res.status(status).json({ error: err.expose ? err.message : 'internal error' });
  next();
}

function createApp(routes) {
  const app = express();
  app.get('/health', healthRoute);
  for (const [path, handler] of Object.entries(routes)) {
    app.use(path, handler);
  }
  app.use(errorHandler);
  return app;
}

module.exports = { createApp, parsePagination };
EOF
}
mit_app >"$src/lib/app.js"
# a binary BSL file (a NUL in its first 8 KiB): exact hash only
{ printf 'LGBIN\000'; cat "$src/bsl/engine.js"; } >"$src/bsl/engine.bin"

rules=$tmp/pro.rules
cat >"$rules" <<'EOF'
class MIT "Community"
class BSL "Professional"
target hub  allow MIT deny BSL unknown warn
target ghcr allow MIT BSL unknown allow
path /app/**      MIT
path /app/bsl/**  BSL
EOF

set_file=$tmp/pro.lgfp
"$bin" fingerprint --rules "$rules" --target hub --prefix /app -o "$set_file" "$src" \
	>"$tmp/fp.out" 2>"$tmp/fp.err"
check "fingerprint makes a set" $? "$(cat "$tmp/fp.err")"
"$bin" fingerprint --rules "$rules" --target hub --prefix /app -o "$tmp/again.lgfp" "$src" \
	2>/dev/null
cmp -s "$set_file" "$tmp/again.lgfp"
check "the same tree gives a byte-identical set" $?
size=$(wc -c <"$set_file")
[ "$size" -gt 100 ] && [ "$size" -lt 32768 ]
check "the set is small ($size bytes)" $?
"$bin" fingerprint --show "$set_file" >"$tmp/show.txt" 2>&1
grep -q '^BSL  /app/bsl/engine.js ' "$tmp/show.txt" &&
	grep -q '^BSL  /app/bsl/edition.js ' "$tmp/show.txt" &&
	! grep -q 'lib/app.js' "$tmp/show.txt" &&
	grep -q "$(sed -n 's/.*(\(sha256:[0-9a-f]*\)).*/\1/p' "$tmp/show.txt" | head -1)" "$tmp/show.txt" &&
	grep -q '^rules:.*sha256:' "$tmp/show.txt"
check "--show lists the denied files, the rules digest, not the MIT file" $? \
	"$(cat "$tmp/show.txt")"
"$bin" fingerprint --rules "$rules" --target ghcr --prefix /app -o "$tmp/none.lgfp" "$src" 2>/dev/null
"$bin" fingerprint --show "$tmp/none.lgfp" | grep -q '^files:   0,'
check "a target that denies nothing gives an empty set" $?

# ---- images -------------------------------------------------------------
# scan NAME DIR: image of DIR, scanned against the set; report in NAME.txt,
# NAME.json, status in NAME.st
scan() {
	image "$2" "$tmp/$1.img"
	"$bin" scan --no-cache --rules "$rules" --target hub --fingerprints "$set_file" \
		"$tmp/$1.img" >"$tmp/$1.txt" 2>"$tmp/$1.err"
	echo $? >"$tmp/$1.st"
	"$bin" scan --no-cache --rules "$rules" --target hub --fingerprints "$set_file" \
		--format json "$tmp/$1.img" >"$tmp/$1.json" 2>/dev/null
}
# denied NAME PATH KIND SOURCE: PATH is denied by a KIND match with SOURCE
denied() {
	[ "$(cat "$tmp/$1.st")" = 1 ] &&
		jq -e --arg p "$2" --arg k "$3" --arg s "$4" \
			'[.violations[] | select(.path == $p) | .evidence[] |
			  select(.kind == "fingerprint" and .value == $k and .source == $s)] | length == 1' \
			"$tmp/$1.json" >/dev/null
}
newtree() {
	rm -rf "$tmp/$1" && mkdir -p "$tmp/$1/app/lib" && cp "$src/lib/app.js" "$tmp/$1/app/lib/"
}

newtree renamed
cp "$src/bsl/engine.js" "$tmp/renamed/app/lib/vendor-risk.js"
cp "$src/bsl/edition.js" "$tmp/renamed/app/lib/ed.js"
scan renamed "$tmp/renamed"
denied renamed /app/lib/vendor-risk.js exact /app/bsl/engine.js
check "renamed: a BSL module vendored into lib/ is denied (exact)" $? "$(cat "$tmp/renamed.txt")"
denied renamed /app/lib/ed.js exact /app/bsl/edition.js
check "renamed: a file under the minimum token count still matches exactly" $?
grep -q 'content matches /app/bsl/engine.js (exact) -> BSL' "$tmp/renamed.txt"
check "renamed: the text report names the source file and the match" $?

# binary: git's test (a NUL in the first 8 KiB) on both sides; a binary
# file is matched by its exact bytes only, never by the text inside it
grep -q '^BSL  /app/bsl/engine.bin  0 tokens  0 fingerprints' "$tmp/show.txt"
check "binary: the set keeps a binary source file's exact hash only" $? "$(cat "$tmp/show.txt")"
newtree binary
cp "$src/bsl/engine.bin" "$tmp/binary/app/lib/blob.dat"
{ printf 'LGBIX\000'; cat "$src/bsl/engine.js"; } >"$tmp/binary/app/lib/other.dat"
scan binary "$tmp/binary"
denied binary /app/lib/blob.dat exact /app/bsl/engine.bin &&
	jq -e '[.violations[] | select(.path == "/app/lib/other.dat")] | length == 0' \
		"$tmp/binary.json" >/dev/null
check "binary: an exact copy is denied, another binary holding the code is not tokenized" $? \
	"$(cat "$tmp/binary.txt")"

newtree crlf
sed 's/$/\r/' "$src/bsl/engine.js" >"$tmp/crlf/app/lib/risk.js"
scan crlf "$tmp/crlf"
denied crlf /app/lib/risk.js normalized /app/bsl/engine.js
check "CRLF: the module converted to CRLF is denied (normalized)" $? "$(cat "$tmp/crlf.txt")"

newtree stripped
sed '1,4d' "$src/bsl/engine.js" | sed 's/[ ]*$/  /' >"$tmp/stripped/app/lib/risk.js"
scan stripped "$tmp/stripped"
denied stripped /app/lib/risk.js normalized /app/bsl/engine.js
check "header-stripped: no license header, trailing blanks added (normalized)" $? \
	"$(cat "$tmp/stripped.txt")"

# pasted NAME: a tree whose MIT app.js has standard input pasted after
# its line 30, scanned
pasted() {
	newtree "$1"
	{
		sed -n '1,30p' "$src/lib/app.js"
		cat
		sed -n '31,$p' "$src/lib/app.js"
	} >"$tmp/$1/app/lib/app.js"
	scan "$1" "$tmp/$1"
}

{
	echo
	sed -n '/^function scoreLoginAttempt/,/^}/p' "$src/bsl/engine.js" |
		sed 's/scoreLoginAttempt/riskOf/'
	echo
} | pasted partial
denied partial /app/lib/app.js partial /app/bsl/engine.js
check "partial: a ~20-line BSL function pasted into an MIT file is denied" $? \
	"$(cat "$tmp/partial.txt")"
# One 10-line method (step 20) of the large service pasted alone: a small
# share of its source's fingerprints, still a match.
sed -n '/^  async [a-zA-Z]*20(/,/^  }$/p' "$src/bsl/service.js" | pasted method
denied method /app/lib/app.js partial /app/bsl/service.js
check "partial: one 10-line method of an 800-line BSL service pasted alone is denied" $? \
	"$(cat "$tmp/method.txt")"

# Shorter functions, each pasted alone: 10 to 13 lines of code.
for fn in fingerprintDevice decideChallenge; do
	sed -n "/^function $fn/,/^}/p" "$src/bsl/engine.js" | pasted "short-$fn"
	denied "short-$fn" /app/lib/app.js partial /app/bsl/engine.js
	check "partial: $fn ($(sed -n "/^function $fn/,/^}/p" "$src/bsl/engine.js" | wc -l) lines) pasted alone is denied" $? \
		"$(cat "$tmp/short-$fn.txt")"
done
jq -e '[.violations[] | select(.path == "/app/lib/app.js") | .evidence[] |
	select(.kind == "fingerprint") | .match] | .[0] |
	.ranges[0].line >= 31 and .ranges[0].line_end <= 52 and
	.ranges[0].source_line >= 9 and .ranges[0].source_line_end <= 30 and
	.matched >= 8 and .share > 0 and .share < 1' "$tmp/partial.json" >/dev/null
check "partial: the evidence names line ranges in both files and the share" $? \
	"$(jq -c '.violations' "$tmp/partial.json")"
grep -Eq 'content matches /app/bsl/engine.js \(partial: lines [0-9]+-[0-9]+ = source lines [0-9]+-[0-9]+; [0-9]+ of the source.s [0-9]+ fingerprints, [0-9]+%\) -> BSL' \
	"$tmp/partial.txt"
check "partial: the text report shows the ranges and the share" $? "$(cat "$tmp/partial.txt")"

newtree bundled
{
	echo '(() => { var __modules = {'
	echo '"./lib/app.js": (module, exports, require) => {'
	sed '1,4d' "$src/lib/app.js"
	echo '},'
	echo '"./bsl/engine.js": (module, exports, require) => {'
	sed '1,4d' "$src/bsl/engine.js"
	echo '},'
	echo '"./bsl/quota.js": (module, exports, require) => {'
	sed '1,4d' "$src/bsl/quota.js" | sed 's/^export //'
	echo '}}; })();'
} >"$tmp/bundled/app/lib/bundle.js"
rm "$tmp/bundled/app/lib/app.js"
scan bundled "$tmp/bundled"
denied bundled /app/lib/bundle.js partial /app/bsl/engine.js
check "bundled: modules concatenated into one bundle are denied" $? "$(cat "$tmp/bundled.txt")"

newtree clean
mit_app | sed 's/createApp/buildServer/' >"$tmp/clean/app/lib/server.js"
printf '%s\n' "$header" >"$tmp/clean/app/lib/empty.js"
printf '%s\nexport function f() { return 1; }\n' "$header" >"$tmp/clean/app/lib/tiny.js"
sed 's/"pro"/"community"/' "$src/bsl/edition.js" >"$tmp/clean/app/lib/edition.js"
scan clean "$tmp/clean"
[ "$(cat "$tmp/clean.st")" = 0 ] &&
	! jq -e '[.. | objects | select(.kind? == "fingerprint")] | length > 0' "$tmp/clean.json" \
		>/dev/null
check "clean: MIT files (one sharing only the license header) pass" $? "$(cat "$tmp/clean.txt")"

# ---- JSON schema ----------------------------------------------------------
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$root/man/licgate-report.schema.json" "$tmp/partial.json" "$tmp/renamed.json" <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for p in sys.argv[2:]:
    jsonschema.validate(json.load(open(p)), schema)
EOF
	check "JSON reports with fingerprint evidence follow the schema" $?
else
	echo "skip - python3-jsonschema is not installed: schema not checked"
fi

# ---- the rules' fingerprints line, check-rules ------------------------------
mkdir -p "$tmp/r/sets"
cp "$set_file" "$tmp/r/sets/pro.lgfp"
{ cat "$rules"; echo "fingerprints sets/pro.lgfp"; } >"$tmp/r/with.rules"
(cd / && "$bin" scan --no-cache --rules "$tmp/r/with.rules" --target hub "$tmp/renamed.img") \
	>"$tmp/with.txt" 2>&1
[ $? = 1 ] && grep -q 'content matches /app/bsl/engine.js (exact)' "$tmp/with.txt"
check "rules: 'fingerprints FILE' is read relative to the rules file" $? "$(cat "$tmp/with.txt")"
"$bin" check-rules "$tmp/r/with.rules" >"$tmp/cr.out" 2>&1
[ $? = 0 ] && grep -q 'made with other rules' "$tmp/cr.out"
check "check-rules: a set made with other rules is a warning" $? "$(cat "$tmp/cr.out")"
{ cat "$rules"; echo "fingerprints sets/missing.lgfp"; } >"$tmp/r/missing.rules"
"$bin" check-rules "$tmp/r/missing.rules" >"$tmp/cr2.out" 2>&1
[ $? = 2 ] && grep -q 'missing.rules:7: fingerprints' "$tmp/cr2.out"
check "check-rules: a missing set is an error naming the line" $? "$(cat "$tmp/cr2.out")"
head -c 200 "$set_file" >"$tmp/r/sets/cut.lgfp"
{ cat "$rules"; echo "fingerprints sets/cut.lgfp"; } >"$tmp/r/cut.rules"
"$bin" scan --no-cache --rules "$tmp/r/cut.rules" "$tmp/clean.img" >"$tmp/cut.out" 2>&1
[ $? = 2 ] && grep -q 'damaged fingerprint set\|malformed\|not a licgate' "$tmp/cut.out"
check "scan: a damaged set fails closed (exit 2)" $? "$(cat "$tmp/cut.out")"

# ---- the cache --------------------------------------------------------------
cache=$tmp/cache
"$bin" scan --cache-dir "$cache" --rules "$rules" --fingerprints "$set_file" "$tmp/partial.img" \
	>/dev/null 2>&1
s1=$?
"$bin" scan --cache-dir "$cache" --rules "$rules" --fingerprints "$set_file" --format json \
	"$tmp/partial.img" >"$tmp/warm.json" 2>/dev/null
s2=$?
[ $s1 = 1 ] && [ $s2 = 1 ] && jq -e '.summary.cached_layers == 1 and
	([.violations[].evidence[] | select(.kind == "fingerprint")] | length == 1)' \
	"$tmp/warm.json" >/dev/null
check "cache: a warm scan keeps the fingerprint verdict" $?
"$bin" scan --cache-dir "$cache" --rules "$rules" --fingerprints "$tmp/none.lgfp" \
	"$tmp/partial.img" >"$tmp/changed.txt" 2>&1
[ $? = 0 ]
check "cache: with another set the cached match is not reused" $? "$(cat "$tmp/changed.txt")"
"$bin" scan --cache-dir "$cache" --rules "$rules" "$tmp/partial.img" >/dev/null 2>&1
[ $? = 0 ]
check "cache: without a set the cached match is not reused" $?

echo "fingerprint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
