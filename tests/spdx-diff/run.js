'use strict'
// run.js - differential tests of licgate's SPDX expressions (src/spdx.c)
// against the npm packages spdx-expression-parse (the parse tree) and
// spdx-satisfies (is an expression allowed by a set of licenses).
//
// Usage: node run.js SPDX_TOOL
//
// SPDX_TOOL is BUILD/tests/spdx_tool (tests/tools/spdx_tool.c).  This script
// installs nothing: tests/e2e/test_spdx_diff.sh runs `npm ci` next to a copy
// of it, with the exact versions of package.json / package-lock.json.  Plain
// node, no test framework.
//
// Inputs, all deterministic:
//   - the packages' published examples, copied below with where each list
//     comes from, plus the README's claims over the whole SPDX list (every
//     identifier parses; identifiers WITH exceptions parse);
//   - edge cases written for licgate (hostile input, limits, each known
//     difference at least once);
//   - GENERATED expressions from a seeded PRNG over a small grammar: valid
//     ones, and the same mutated into (mostly) invalid ones.
//
// Both implementations run on every expression.  Where they agree the case
// passes.  Where they differ, the difference counts as "skipped (documented
// difference)" only when a documented difference explains it, and that is
// checked, not assumed: each difference is a repair of the input (and, for
// the parse, of licgate's tree) that takes exactly that difference away,
// and after it the two must agree (PARSE_REPAIRS_S, PARSE_REPAIRS_L,
// SATISFIES_REPAIRS, each saying why the two are not meant to agree there;
// two that cannot be repaired are narrow PREDICATES).  Any other difference
// is a mismatch and fails its category.  Trees are normalized before they
// are compared: see canon() (N1-N4).
//
// Output: the documented differences, one "ok"/"not ok" line per category
// (with its counts), every mismatch up to MAX_SHOWN, the skips per reason,
// and last "spdx-diff: N passed, M failed" where N and M count category
// lines.  Exit status 1 when anything failed.  SPDX_DIFF_SHOW_SKIPS=1 also
// prints every skipped case.

const { spawnSync } = require('child_process')
const parse = require('spdx-expression-parse') // 5.0.0
const satisfies = require('spdx-satisfies') // 6.0.0, bundles spdx-expression-parse 3.0.1
const LICENSE_IDS = require('spdx-license-ids')
const DEPRECATED_IDS = require('spdx-license-ids/deprecated')
const EXCEPTION_IDS = require('spdx-exceptions')

const MAX_SHOWN = 50
const SEED = 0x5bd1e995
const N_GENERATED = 2000 // valid ones; as many mutated ones again

if (process.argv.length !== 3) {
  console.error('usage: node run.js SPDX_TOOL')
  process.exit(2)
}
const TOOL = process.argv[2]

// ---------------------------------------------------------------------------
// The SPDX lists, as spdx-expression-parse uses them (exact case).

const LICENSES = new Set([].concat(LICENSE_IDS, DEPRECATED_IDS))
const EXCEPTIONS = new Set(EXCEPTION_IDS)
const LICENSE_REF = /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/
const ADDITION_REF = /^(DocumentRef-[A-Za-z0-9.-]+:)?AdditionRef-[A-Za-z0-9.-]+$/i

// ---------------------------------------------------------------------------
// Published examples.

// spdx-expression-parse 5.0.0, README.md (in its npm tarball): every
// `parse('...')` of the README, with the tree it asserts (or 'throws').
const PARSE_README = [
  ['BSD-2-Clause', { license: 'BSD-2-Clause' }],
  ['Apache 2', 'throws'],
  ['(LGPL-2.1 OR BSD-3-Clause AND MIT)', {
    left: { license: 'LGPL-2.1' },
    conjunction: 'or',
    right: { left: { license: 'BSD-3-Clause' }, conjunction: 'and', right: { license: 'MIT' } }
  }],
  ['(MIT AND (LGPL-2.1+ AND BSD-3-Clause))', {
    left: { license: 'MIT' },
    conjunction: 'and',
    right: { left: { license: 'LGPL-2.1', plus: true }, conjunction: 'and', right: { license: 'BSD-3-Clause' } }
  }],
  ['MIT or BSD-2-Clause', { left: { license: 'MIT' }, conjunction: 'or', right: { license: 'BSD-2-Clause' } }],
  ['GPL-2.0 with GCC-exception-2.0', { license: 'GPL-2.0', exception: 'GCC-exception-2.0' }]
]

// spdx-expression-parse, test/index.js of github.com/jslicense/
// spdx-expression-parse.js (not in the npm tarball; copied).  Its
// p('\nMIT') case is left out: the tool reads one expression per line.
const PARSE_TESTS = [
  ['MIT\t', 'throws'],
  [' MIT', { license: 'MIT' }],
  ['MIT ', { license: 'MIT' }],
  ['MIT  AND    BSD-3-Clause', { left: { license: 'MIT' }, conjunction: 'and', right: { license: 'BSD-3-Clause' } }],
  ['MIT +', 'throws'],
  ['LicenseRef-something', { license: 'LicenseRef-something' }],
  ['DocumentRef-spdx-tool-1.2 : LicenseRef-MIT-Style-2', { license: 'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2' }],
  ['MIT AND BSD-3-Clause AND CC-BY-4.0', {
    left: { license: 'MIT' },
    conjunction: 'and',
    right: { left: { license: 'BSD-3-Clause' }, conjunction: 'and', right: { license: 'CC-BY-4.0' } }
  }],
  ['MIT AND BSD-3-Clause WITH GCC-exception-3.1 OR CC-BY-4.0 AND Apache-2.0', {
    left: {
      left: { license: 'MIT' },
      conjunction: 'and',
      right: { license: 'BSD-3-Clause', exception: 'GCC-exception-3.1' }
    },
    conjunction: 'or',
    right: { left: { license: 'CC-BY-4.0' }, conjunction: 'and', right: { license: 'Apache-2.0' } }
  }]
]

// The README's claims over the SPDX list: "Any license identifier from the
// license list is a valid license expression", "So is any license
// identifier WITH a standardized license exception".  Every identifier
// alone, and each one WITH one exception (rotating through the exception
// list, so every exception appears too) instead of all 48,000 pairs.
function listClaims () {
  const ids = [...LICENSES].filter(id => id[id.length - 1] !== '+')
  const out = ids.map(id => [id, { license: id }])
  ids.forEach((id, i) => {
    const e = EXCEPTION_IDS[i % EXCEPTION_IDS.length]
    out.push([id + ' WITH ' + e, { license: id, exception: e }])
  })
  return out
}

// spdx-satisfies 6.0.0, README.md (in its npm tarball): its five asserts.
const SATISFIES_README = [
  ['MIT', ['MIT', 'ISC', 'BSD-2-Clause', 'Apache-2.0'], true],
  ['GPL-2.0 OR MIT', ['MIT'], true],
  ['GPL-2.0 AND MIT', ['MIT'], false],
  ['GPL-3.0', ['GPL-2.0+'], true],
  ['GPL-1.0', ['GPL-2.0+'], false]
]

// spdx-satisfies, examples.json of github.com/jslicense/spdx-satisfies.js
// (the table its test.js runs; not in the npm tarball; copied):
// returnTrue, returnFalse, throwErrors.
const SATISFIES_EXAMPLES = [
  ['MIT', ['MIT'], true],
  ['MIT', ['ISC', 'MIT'], true],
  ['Zlib', ['ISC', 'MIT', 'Zlib'], true],
  ['GPL-2.0', ['GPL-2.0+'], true],
  ['GPL-3.0', ['GPL-2.0+'], true],
  ['GPL-1.0+', ['GPL-2.0+'], true],
  ['GPL-2.0-only', ['GPL-2.0-only'], true],
  ['GPL-3.0-only', ['GPL-2.0+'], true],
  ['LGPL-3.0-only', ['LGPL-3.0-or-later'], true],
  ['GPL-2.0', ['GPL-2.0+'], true],
  ['GPL-2.0-only', ['GPL-2.0+'], true],
  ['GPL-2.0', ['GPL-2.0-or-later'], true],
  ['GPL-3.0 WITH Bison-exception-2.2', ['GPL-2.0+ WITH Bison-exception-2.2'], true],
  ['(MIT OR GPL-2.0)', ['ISC', 'MIT'], true],
  ['(MIT OR Apache-2.0) AND (ISC OR GPL-2.0)', ['Apache-2.0', 'ISC'], true],
  ['(MIT AND GPL-2.0)', ['MIT', 'GPL-2.0'], true],
  ['GPL-3.0', ['ISC', 'MIT'], false],
  ['GPL-1.0', ['GPL-2.0+'], false],
  ['GPL-2.0', ['GPL-2.0+ WITH Bison-exception-2.2'], false],
  ['(MIT AND GPL-2.0)', ['ISC', 'GPL-2.0'], false],
  ['MIT AND (GPL-2.0 OR ISC)', ['MIT'], false],
  ['(MIT OR Apache-2.0) AND (ISC OR GPL-2.0)', ['MIT'], false],
  ['MIT AND ISC', ['(MIT OR GPL-2.0) AND ISC'], 'throws'],
  ['MIT AND ISC', ['(MIT AND GPL-2.0)', 'ISC'], 'throws']
]

// Edge cases written for licgate: limits, hostile bytes, and each
// documented difference at least once.
function edgeCases () {
  const nest = n => '('.repeat(n) + 'MIT' + ')'.repeat(n)
  return [
    '', '   ', '()', '(MIT', 'MIT)', '(MIT))', 'MIT AND', 'AND MIT', 'MIT AND OR ISC',
    'MIT WITH', 'WITH GCC-exception-2.0', 'MIT WITH GCC-exception-2.0 WITH LLVM-exception',
    'MIT WITH LicenseRef-x', 'MIT WITH MIT', 'LicenseRef-x WITH GCC-exception-2.0',
    'LicenseRef-x+', 'DocumentRef-x:LicenseRef-y+', '(MIT)+', 'MIT++', '+MIT', 'MIT +',
    'GPL-2.0+ WITH Classpath-exception-2.0', 'GPL-2.0 WITH Classpath-exception-2.0+',
    'MIT OR ISC AND Apache-2.0 OR 0BSD', '(MIT OR ISC) AND (Apache-2.0 OR 0BSD)',
    'MIT AND (ISC AND 0BSD)', '(MIT AND ISC) AND 0BSD', 'MIT OR (ISC OR 0BSD)',
    'MIT\t', 'MIT\tAND ISC', 'MIT\r', 'MIT\u00a0AND ISC', 'MIT\fOR ISC',
    'DocumentRef-x :LicenseRef-y', 'DocumentRef-x: LicenseRef-y', 'DocumentRef-x:LicenseRef-y',
    'DocumentRef-x:MIT', 'DocumentRef-:LicenseRef-y', 'DocumentRef-x:LicenseRef-', 'LicenseRef-',
    'LicenseRef-a:b', 'LicenseRef-a:LicenseRef-b', ':', 'MIT:ISC', 'MIT : ISC',
    'MIT ANDISC', 'MIT ORISC', 'MIT WITHGCC-exception-2.0', 'ANDMIT', 'ORMIT',
    'MIT And ISC', 'MIT aND ISC', 'MIT Or ISC', 'MIT With GCC-exception-2.0',
    'MIT and ISC', 'MIT or ISC', 'MIT with GCC-exception-2.0', 'mit', 'Mit', 'LICENSEREF-x',
    'licenseref-x', 'documentref-x:licenseref-y', 'NONE', 'NOASSERTION', 'MIT OR NONE',
    'Apache-2.0 WITH AdditionRef-x', 'Apache-2.0 WITH DocumentRef-d:AdditionRef-x',
    'AdditionRef-x', 'GCC-exception-2.0', 'MIT_2', 'MIT!', 'MIT, ISC', 'MIT/ISC', 'MIT;',
    '\u00e9', 'MIT \u00e9', '"MIT"', 'MIT\u0000', nest(1), nest(63), nest(64), nest(65), nest(200),
    'MIT AND '.repeat(300) + 'MIT', 'MIT OR '.repeat(300) + 'MIT',
    '(MIT AND '.repeat(30) + 'ISC' + ')'.repeat(30), 'x'.repeat(5000), 'LicenseRef-' + 'a'.repeat(300)
  ]
}

// ---------------------------------------------------------------------------
// Generated expressions.

// mulberry32: a small seeded PRNG, so every run sees the same expressions.
function prng (seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  next.int = n => Math.floor(next() * n)
  next.pick = arr => arr[next.int(arr.length)]
  return next
}

// A small identifier set: listed licenses (current and deprecated, with
// -only/-or-later), references, and wrong ones.
const GEN_IDS = ['MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'GPL-2.0', 'GPL-2.0-only',
  'GPL-2.0-or-later', 'GPL-3.0', 'LGPL-2.1', 'BUSL-1.1', 'SSPL-1.0', 'Elastic-2.0', '0BSD',
  'CC-BY-4.0', 'MPL-2.0', 'Zlib', 'BSL-1.0', 'eCos-2.0', 'LicenseRef-Acme-1', 'LicenseRef-x.y',
  'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2']
const GEN_PLUS_IDS = ['GPL-2.0', 'LGPL-2.1', 'MPL-2.0', 'Apache-2.0', 'GPL-3.0', 'MIT']
const GEN_BAD_IDS = ['mit', 'Foo-1.0', 'NONE', 'NOASSERTION', 'Apache', 'licenseref-acme-1',
  'LICENSEREF-Acme-1', 'GCC-exception-3.1', 'AdditionRef-x', 'LicenseRef-', 'DocumentRef-x',
  'DocumentRef-x:MIT', 'LicenseRef-a:b', 'MIT.x', 'ANDMIT', 'ORx', 'WITHa', 'a_b', 'BSL-1.1',
  'Apache 2', 'documentref-spdx-tool-1.2:licenseref-mit-style-2']
const GEN_EXCEPTIONS = ['Classpath-exception-2.0', 'GCC-exception-3.1', 'LLVM-exception',
  'Bison-exception-2.2']
const GEN_BAD_EXCEPTIONS = ['MIT', 'AdditionRef-Acme-1', 'DocumentRef-d:AdditionRef-e',
  'foo-exception', 'LicenseRef-x', 'gcc-exception-3.1']
const GEN_GARBAGE = ['+', ':', '(', ')', ')(', ',', '/', '!', '_', '\t', '  ', '\u00e9', '"',
  '*', 'AND', 'OR', 'WITH', 'and', 'or', 'with', 'And', 'oR', 'wITH', '++', '()']

function genValid (rng) {
  // An operator: upper case mostly, all lower case sometimes (SPDX 3), mixed
  // case rarely.
  function op (name) {
    const r = rng()
    if (r < 0.8) return name
    if (r < 0.95) return name.toLowerCase()
    return name.split('').map(c => (rng() < 0.5 ? c.toLowerCase() : c)).join('')
  }
  function license () {
    const out = []
    let id
    if (rng() < 0.9) {
      if (rng() < 0.15) id = rng.pick(GEN_PLUS_IDS) + '+'
      else id = rng.pick(GEN_IDS)
    } else {
      id = rng.pick(GEN_BAD_IDS)
    }
    out.push(id)
    if (rng() < 0.15) {
      out.push(op('WITH'))
      out.push(rng() < 0.9 ? rng.pick(GEN_EXCEPTIONS) : rng.pick(GEN_BAD_EXCEPTIONS))
    }
    return out
  }
  function atom (depth) {
    if (depth < 3 && rng() < 0.25) return ['('].concat(expr(depth + 1), [')'])
    return license()
  }
  function expr (depth) {
    const n = 1 + rng.int(depth >= 3 ? 1 : 3)
    let out = atom(depth)
    for (let i = 1; i < n; i++) out = out.concat([op(rng() < 0.5 ? 'AND' : 'OR')], atom(depth))
    return out
  }
  return expr(0)
}

// Tokens to text: one space between tokens, sometimes none next to a
// parenthesis, sometimes two.
function render (rng, toks) {
  let s = ''
  toks.forEach((t, i) => {
    if (i > 0) {
      const paren = t === '(' || t === ')' || toks[i - 1] === '(' || toks[i - 1] === ')'
      if (paren && rng() < 0.4) s += ''
      else s += rng() < 0.05 ? '  ' : ' '
    }
    s += t
  })
  return s
}

// Break a valid expression: 1 to 3 edits of its tokens or its text.
function mutate (rng, toks) {
  toks = toks.slice()
  const edits = 1 + rng.int(3)
  let text = null
  for (let e = 0; e < edits; e++) {
    const i = rng.int(toks.length)
    switch (rng.int(10)) {
      case 0: toks.splice(i, 1); break // drop a token
      case 1: toks.splice(i, 0, toks[i]); break // duplicate one
      case 2: toks.splice(i, 0, rng.pick(GEN_GARBAGE)); break // insert a stray one
      case 3: if (i + 1 < toks.length) [toks[i], toks[i + 1]] = [toks[i + 1], toks[i]]; break
      case 4: { // drop a parenthesis
        const p = toks.findIndex(t => t === '(' || t === ')')
        if (p >= 0) toks.splice(p, 1); else toks.push(')')
        break
      }
      case 5: toks[i] = rng.pick(GEN_BAD_IDS); break
      case 6: toks[i] = toks[i] + '+'; break
      case 7: toks[i] = rng() < 0.5 ? toks[i].toLowerCase() : toks[i].toUpperCase(); break
      case 8: toks.splice(i, 0, rng.pick(['WITH', 'with']), rng.pick(GEN_EXCEPTIONS.concat(GEN_BAD_EXCEPTIONS))); break
      case 9: text = 'nospace'; break // glue the tokens together
    }
    if (toks.length === 0) toks.push(rng.pick(GEN_GARBAGE))
  }
  if (text === 'nospace') return toks.join(rng() < 0.5 ? '' : ' ').replace(/ \+/g, '+')
  return render(rng, toks)
}

function generate () {
  const rng = prng(SEED)
  const valid = []
  const mutated = []
  for (let i = 0; i < N_GENERATED; i++) {
    const toks = genValid(rng)
    valid.push(render(rng, toks))
    mutated.push(mutate(rng, toks))
  }
  return { valid, mutated }
}

// ---------------------------------------------------------------------------
// Running the two implementations.

class ToolError extends Error {}

// Run spdx_tool ARGS over exprs; one output line per expression.
function runTool (args, exprs) {
  for (const e of exprs) {
    if (e.includes('\n')) throw new Error('expression with a newline: ' + JSON.stringify(e))
  }
  const r = spawnSync(TOOL, args, {
    input: exprs.map(e => e + '\n').join(''),
    encoding: 'utf8',
    maxBuffer: 1 << 28
  })
  if (r.error || r.status !== 0) {
    // A crash shows as EPIPE when the tool dies before reading its input.
    const why = [r.error && r.error.message, r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`]
      .filter(Boolean).join(', ')
    const err = String(r.stderr || '').split('\n').filter(Boolean).slice(0, 5).join(' | ')
    throw new ToolError(`spdx_tool ${args[0]}: ${why}${err ? ': ' + err : ''}`)
  }
  const lines = r.stdout.split('\n')
  lines.pop()
  if (lines.length !== exprs.length) {
    throw new ToolError(`spdx_tool ${args[0]}: ${lines.length} lines for ${exprs.length} expressions`)
  }
  return lines
}

// licgate's trees: expression -> tree or {error}.
function licgateParse (exprs) {
  const lines = runTool(['parse'], exprs)
  const out = new Map()
  exprs.forEach((e, i) => out.set(e, JSON.parse(lines[i])))
  return out
}

function refParse (e) {
  try {
    return parse(e)
  } catch (err) {
    return { error: String(err && err.message) || 'error' }
  }
}

// ---------------------------------------------------------------------------
// Normalization of trees before comparing.
//
//  N1 associativity: spdx-expression-parse builds chained AND / OR
//     right-associative ("A AND B AND C" is A AND (B AND C)), licgate
//     left-associative ((A AND B) AND C).  Both mean the same, so a chain of
//     one conjunction becomes one n-ary node {op, args} with its operands in
//     order, whatever the nesting (explicit parentheses around the same
//     conjunction included: (A AND B) AND C = A AND (B AND C)).  A chain of
//     the other conjunction, or a parenthesized one, stays a separate node,
//     so precedence and grouping are still compared.
//  N2 leaves keep every key they have (license, plus, exception, anything
//     else), so a stray key or a "plus": false on one side is a mismatch.
//  N3 identifiers are NOT case-folded: both keep them as written
//     (spdx-expression-parse only accepts the exact case of the list, so an
//     expression both accept has the same bytes on both sides).  Case is a
//     documented difference only where one side rejects (id-case).
//  N4 a DocumentRef is one string "DocumentRef-x:LicenseRef-y" on both
//     sides (spdx-expression-parse joins its tokens; licgate keeps the word).
function canon (t) {
  if (t.error !== undefined) return { error: true }
  if (t.conjunction) {
    const args = []
    const walk = n => {
      if (n.conjunction === t.conjunction) {
        walk(n.left)
        walk(n.right)
      } else {
        args.push(canon(n))
      }
    }
    walk(t)
    return { op: t.conjunction, args }
  }
  const leaf = {}
  for (const k of Object.keys(t).sort()) leaf[k] = t[k]
  return leaf
}

function same (a, b) {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b))
}

// ---------------------------------------------------------------------------
// Documented differences.
//
// Each difference is a REPAIR: a rewrite of the expression (and, for the
// parse, of licgate's tree) that takes exactly that difference away.  A
// case where the two sides differ is "skipped (documented difference)" only
// when, after repairs, they AGREE; the repairs name the reasons.  Repairs
// are tried one at a time, then all of a kind together, and then as few of
// them as still make the two agree (a case with several differences counts
// under each of them).  A difference no repair explains is a mismatch.  Two
// differences cannot be repaired this way and are checked by a narrow
// predicate instead (PREDICATES).

// Words as licgate lexes them (letters, digits, '.', '-', ':'); everything
// else is kept as it is between them.
function segments (e) {
  return e.match(/[A-Za-z0-9.:-]+|[^A-Za-z0-9.:-]+/g) || []
}
const OP_WORD = /^(and|or|with)$/i
const isWord = s => /^[A-Za-z0-9.:-]/.test(s)

const LICENSE_BY_FOLD = new Map([...LICENSES].map(s => [s.toLowerCase(), s]))
const EXCEPTION_BY_FOLD = new Map([...EXCEPTIONS].map(s => [s.toLowerCase(), s]))
const LICENSE_REF_FOLD = /^(documentref-([A-Za-z0-9.-]+):)?licenseref-([A-Za-z0-9.-]+)$/i
// An exception that stands for any exception licgate accepts and the SPDX
// list lacks: the repaired expression must still have one there.
const STAND_IN_EXCEPTION = 'LLVM-exception'

// What licgate's parser does differently with one identifier, as the repair
// that turns it into what spdx-expression-parse accepts:
//   id-case      a listed identifier / reference prefix in another case:
//                written in the list's case;
//   additionref  an AdditionRef after WITH: the stand-in exception;
//   unlisted-id  any other identifier: LicenseRef-ID (as a license, its '+'
//                dropped, since a LicenseRef takes none) or the stand-in
//                exception.
// Returns { w, dropPlus }; w unchanged when no repair in kinds applies.
function fixId (w, pos, kinds) {
  if (pos === 'license') {
    if (LICENSES.has(w) || LICENSE_REF.test(w)) return { w }
    const m = LICENSE_REF_FOLD.exec(w)
    if (LICENSE_BY_FOLD.has(w.toLowerCase()) || m) {
      if (!kinds.has('id-case')) return { w }
      if (m) return { w: (m[1] ? 'DocumentRef-' + m[2] + ':' : '') + 'LicenseRef-' + m[3] }
      return { w: LICENSE_BY_FOLD.get(w.toLowerCase()) }
    }
    if (kinds.has('unlisted-id') && /^[A-Za-z0-9.-]+$/.test(w)) return { w: 'LicenseRef-' + w, dropPlus: true }
    return { w }
  }
  if (EXCEPTIONS.has(w)) return { w }
  if (EXCEPTION_BY_FOLD.has(w.toLowerCase())) {
    return { w: kinds.has('id-case') ? EXCEPTION_BY_FOLD.get(w.toLowerCase()) : w }
  }
  if (ADDITION_REF.test(w)) return { w: kinds.has('additionref') ? STAND_IN_EXCEPTION : w }
  return { w: kinds.has('unlisted-id') ? STAND_IN_EXCEPTION : w }
}

// The repair of the identifiers in the text: a word right after WITH (with
// only blanks between) is an exception, any other non-operator word a
// license, as in licgate's grammar.
function fixIdsText (e, kinds) {
  const segs = segments(e)
  let prevWord = null
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]
    if (!isWord(s)) {
      if (!/^\s*$/.test(s)) prevWord = null
      continue
    }
    if (!OP_WORD.test(s)) {
      const pos = prevWord && /^with$/i.test(prevWord) ? 'exception' : 'license'
      const f = fixId(s, pos, kinds)
      segs[i] = f.w
      // A blank, not nothing: "X+AND" must not become "LicenseRef-XAND".
      if (f.dropPlus && segs[i + 1] && segs[i + 1][0] === '+') segs[i + 1] = ' ' + segs[i + 1].slice(1)
    }
    prevWord = s
  }
  return segs.join('')
}

// The same repair on licgate's tree.
function fixIdsTree (t, kinds) {
  if (!t || t.error !== undefined) return t
  if (t.conjunction) {
    return { left: fixIdsTree(t.left, kinds), conjunction: t.conjunction, right: fixIdsTree(t.right, kinds) }
  }
  const f = fixId(t.license, 'license', kinds)
  const out = Object.assign({}, t, { license: f.w })
  if (f.dropPlus) delete out.plus
  if (t.exception !== undefined) out.exception = fixId(t.exception, 'exception', kinds).w
  return out
}

const repeatUntilStable = (s, f) => { for (let n = f(s); n !== s; n = f(s)) s = n; return s }

// Where licgate accepts and spdx-expression-parse rejects: repairs of the
// text (made to spdx-expression-parse's input) and of licgate's tree.
const PARSE_REPAIRS_S = [
  {
    id: 'additionref',
    why: "licgate accepts SPDX 3's AdditionRef-x (and DocumentRef-d:AdditionRef-x) after WITH; " +
      'spdx-expression-parse only knows the exceptions of the SPDX list ' +
      `(repair: ${STAND_IN_EXCEPTION} instead)`,
    text: e => fixIdsText(e, new Set(['additionref'])),
    tree: t => fixIdsTree(t, new Set(['additionref']))
  },
  {
    id: 'id-case',
    why: 'licgate reads identifiers and the LicenseRef-/DocumentRef- prefixes case-insensitively ' +
      '(issue 4: "identifiers case-insensitive"); spdx-expression-parse only accepts the case of ' +
      'the list (repair: the list\'s case)',
    text: e => fixIdsText(e, new Set(['id-case'])),
    tree: t => fixIdsTree(t, new Set(['id-case']))
  },
  {
    id: 'unlisted-id',
    why: 'licgate accepts any idstring as a license or exception and checks identifiers against ' +
      'the SPDX list elsewhere (with a suggestion); spdx-expression-parse rejects an identifier ' +
      'not on the list, an exception used as a license, a license used as an exception ' +
      `(repair: LicenseRef-ID, without '+', or ${STAND_IN_EXCEPTION})`,
    text: e => fixIdsText(e, new Set(['unlisted-id'])),
    tree: t => fixIdsTree(t, new Set(['unlisted-id']))
  },
  {
    id: 'whitespace',
    why: 'licgate skips any ASCII white space (tab, CR, VT, FF too); spdx-expression-parse only ' +
      "skips ' ' (its tests: \"forbids tabs and newlines\") (repair: spaces)",
    text: e => e.replace(/[\t\r\v\f]/g, ' '),
    tree: t => t
  }
]

// Where spdx-expression-parse accepts and licgate rejects: repairs of the
// text, made to licgate's input (so they need a second run of the tool).
const PARSE_REPAIRS_L = [
  {
    id: 'mixed-case-operator',
    why: 'SPDX 3 allows operators in all upper or all lower case; licgate rejects mixed case ' +
      '("And") with a message, spdx-expression-parse 5 accepts any case (repair: upper case)',
    text: e => segments(e).map(s => (OP_WORD.test(s) && s !== s.toUpperCase() && s !== s.toLowerCase()
      ? s.toUpperCase() : s)).join('')
  },
  {
    id: 'operator-prefix',
    why: "spdx-expression-parse's scanner takes AND/OR/WITH (any case) off the front of any token " +
      '("MIT ANDISC" is MIT AND ISC, "MIT+ORMIT" is MIT+ OR MIT); licgate reads the whole word, ' +
      'which is then no operator (repair: a space after the operator)',
    text: e => repeatUntilStable(e, s => s.replace(/(^|[^A-Za-z0-9.:-])(and|or|with)(?=[A-Za-z0-9.:-])/gi, '$1$2 '))
  },
  {
    id: 'documentref-spaces',
    why: 'spdx-expression-parse reads DocumentRef-x, ":" and LicenseRef-y as three tokens, so it ' +
      'allows spaces around the colon; licgate, like the SPDX grammar, reads one word (repair: no spaces)',
    text: e => e.replace(/(DocumentRef-[A-Za-z0-9.-]+) *: *(?=LicenseRef-)/g, '$1:')
  },
  {
    id: 'empty-parens',
    why: 'spdx-expression-parse drops an empty "()" (or "(())") in front of an operand: its ' +
      'parenthesis parser returns nothing and the next parser starts after the ")", so "() MIT" is ' +
      'MIT; licgate, like the SPDX grammar, rejects empty parentheses (repair: drop them)',
    text: e => repeatUntilStable(e, s => s.replace(/\(\s*\)/g, ' '))
  }
]

// Differences no repair can take away, recognized narrowly.
const PREDICATES = [
  {
    id: 'unanchored-scan',
    why: "spdx-expression-parse's scanner matches an idstring with an unanchored regular " +
      'expression and advances by the match\'s length, so after "LicenseRef-"/"DocumentRef-" or ' +
      'at a stray character it takes the next idstring further on and swallows what lies between ' +
      '("LicenseRef- ! OR 0BSD" parses as LicenseRef-OR OR 0BSD); licgate rejects the empty ' +
      'reference or the invalid character',
    applies: (e, L, S) => L.error !== undefined && S.error === undefined &&
      ((/(LicenseRef|DocumentRef)-(?![A-Za-z0-9.-])/.test(e) && /^malformed/.test(L.error)) ||
       (/[^A-Za-z0-9.+:() -]/.test(e) && /^invalid character/.test(L.error)))
  },
  {
    id: 'depth-limit',
    why: 'licgate refuses parentheses nested deeper than 64 levels (hostile input bounds its ' +
      'recursion); spdx-expression-parse has no limit',
    applies: (e, L, S) => L.error !== undefined && S.error === undefined &&
      /^parentheses nested deeper than/.test(L.error) && /^(\(\s*){65}/.test(e.replace(/[^(]*$/, ''))
  }
]

// Try repairs one at a time (those that change the text), then all of them
// in order, and then drop each one the agreement does not need.
// attempt(list) is true when the sides agree after the repairs of list,
// applied in order.  Returns the list of reasons, or null.
function tryRepairs (repairs, changed, attempt) {
  for (const r of repairs) if (changed(r) && attempt([r])) return [r.id]
  if (!attempt(repairs)) return null
  let need = repairs
  for (const r of repairs) {
    const without = need.filter(x => x !== r)
    if (without.length && attempt(without)) need = without
  }
  return need.map(r => r.id)
}

// Why do L (licgate) and S (spdx-expression-parse) differ on e?  Lrepaired
// maps a repaired text to licgate's result on it (the second tool run).
function explainParse (e, L, S, Lrepaired) {
  if (L.error === undefined && S.error !== undefined) {
    const apply = list => list.reduce((x, r) => r.text(x), e)
    const why = tryRepairs(PARSE_REPAIRS_S, r => r.text(e) !== e,
      list => same(list.reduce((t, r) => r.tree(t), L), refParse(apply(list))))
    if (why) return why
  }
  if (L.error !== undefined && S.error === undefined) {
    const why = tryRepairs(PARSE_REPAIRS_L, r => r.text(e) !== e, list => {
      const Lr = Lrepaired.get(list.reduce((x, r) => r.text(x), e))
      return Lr !== undefined && same(Lr, S)
    })
    if (why) return why
  }
  const p = PREDICATES.find(d => d.applies(e, L, S))
  return p ? [p.id] : null
}

// The texts licgate must also parse for explainParse(): e after every
// subset of PARSE_REPAIRS_L, applied in order (there are few of them).
function lRepairTexts (e) {
  const out = new Set()
  const n = PARSE_REPAIRS_L.length
  for (let mask = 1; mask < (1 << n); mask++) {
    const t = PARSE_REPAIRS_L.filter((r, i) => mask & (1 << i)).reduce((x, r) => r.text(x), e)
    if (t !== e) out.add(t)
  }
  return [...out]
}

// ---------------------------------------------------------------------------
// Documented differences of the satisfies question: repairs of the
// expression (and of the approved list) after which spdx-satisfies must
// give licgate's answer.  The parse repairs of identifiers and white space
// above come first (they keep licgate's answer: its rules match case-
// insensitively, an unlisted identifier matches no approved one, and WITH
// is taken away below).

// Each: text(e, A) -> e', approved(A) -> A' (default: unchanged).
const SATISFIES_REPAIRS = [
  ...PARSE_REPAIRS_S.map(r => ({ id: r.id, why: '(as for the parse)', text: e => r.text(e) })),
  {
    id: 'lower-case-operator-3.0.1',
    why: 'spdx-satisfies 6 bundles spdx-expression-parse 3.0.1, which only knows upper-case ' +
      'AND/OR/WITH; licgate accepts all-lower-case operators (SPDX 3) (repair: upper case)',
    text: e => segments(e).map(s => (OP_WORD.test(s) && s === s.toLowerCase() ? s.toUpperCase() : s)).join('')
  },
  {
    id: 'with-semantics',
    why: 'spdx-satisfies requires an approved entry with the same exception ("GPL-2.0 WITH X" is ' +
      'not approved by GPL-2.0), and its spdx-expression-parse 3.0.1 rejects WITH after a ' +
      'LicenseRef; licgate gives a license WITH an exception the level of the license (repair: drop "WITH X")',
    text: e => e.replace(/\s+with\s+[A-Za-z0-9.:-]+/gi, '')
  },
  {
    id: 'plus-semantics',
    why: "spdx-satisfies reads '+' as a range (GPL-2.0+ is satisfied by approving GPL-3.0, or " +
      "GPL-2.0); licgate ignores '+' and matches the identifier without it (repair: drop '+')",
    text: e => e.replace(/([A-Za-z0-9.-])\+/g, '$1')
  },
  {
    id: 'only-or-later',
    why: 'spdx-satisfies rewrites X-or-later to the range X+ and X-only to X; for licgate they are ' +
      'identifiers of their own, each mapped by its own rule (repair: LicenseRef-X-only, ' +
      'LicenseRef-X-or-later, in the expression and the approved list)',
    text: e => segments(e).map(s => (/^[A-Za-z0-9.-]+-(only|or-later)$/i.test(s) ? 'LicenseRef-' + s : s)).join(''),
    approved: A => A.map(a => (/-(only|or-later)$/i.test(a) ? 'LicenseRef-' + a : a))
  },
  {
    id: 'id-case-match',
    why: "licgate's license rules match identifiers case-insensitively; spdx-satisfies compares " +
      'them exactly (repair: the approved entry\'s case)',
    text: (e, A) => segments(e).map(s => A.find(a => a !== s && a.toLowerCase() === s.toLowerCase()) || s).join('')
  }
]

function refSatisfies (e, A) {
  try {
    return String(satisfies(e, A))
  } catch (err) {
    return 'error'
  }
}

// Why do licgate's answer Ls and spdx-satisfies's Ss differ on e by A?
function explainSatisfies (e, A, Ls, Ss, parseWhy) {
  if (Ls === 'error') return Ss !== 'error' ? parseWhy : null // licgate rejects: the parse says why
  if (A.some(a => /\+|-or-later$|-only$/.test(a))) return ['approved-range']
  const run = list => {
    let x = e
    let B = A
    for (const r of list) {
      x = r.text(x, B)
      if (r.approved) B = r.approved(B)
    }
    return refSatisfies(x, B) === Ls
  }
  return tryRepairs(SATISFIES_REPAIRS, r => r.text(e, A) !== e, run)
}

// Approved lists licgate's rules cannot hold at all; skipped before running.
const PRE_SKIPS = {
  'approved-compound': 'spdx-satisfies rejects AND/OR in approved entries (throws); licgate has no ' +
    'rule for a compound expression, so there is nothing to compare',
  'approved-with': 'an approved "ID WITH EXCEPTION" has no counterpart in licgate\'s rules ' +
    '(a rule maps one identifier)',
  'approved-range': "approved entries with '+', -or-later or -only are ranges for spdx-satisfies " +
    "(GPL-2.0+ approves GPL-3.0); licgate's rules map one identifier (glob) and know no ranges " +
    '(checked only where the answers differ)'
}
function approvedInexpressible (A) {
  if (A.some(a => /\b(AND|OR)\b|[()]/.test(a))) return 'approved-compound'
  if (A.some(a => /[\s,]/.test(a))) return 'approved-with'
  return null
}

// ---------------------------------------------------------------------------
// The categories.

const results = { passed: 0, failed: 0 }
const totals = {
  parse: { compared: 0, agreed: 0, mismatched: 0, skipped: 0 },
  satisfies: { compared: 0, agreed: 0, mismatched: 0, skipped: 0 }
}
const skipCounts = new Map()
let shown = 0

// SPDX_DIFF_SHOW_SKIPS=1 prints every skipped case too (to review the
// reasons; thousands of lines).
const SHOW_SKIPS = process.env.SPDX_DIFF_SHOW_SKIPS === '1'

const show = s => JSON.stringify(s)

function mismatch (msg) {
  if (shown < MAX_SHOWN) console.log('#   mismatch: ' + msg)
  else if (shown === MAX_SHOWN) console.log(`#   (mismatches after the first ${MAX_SHOWN} not shown)`)
  shown++
}

function report (ok, name, detail) {
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ' (' + detail + ')' : ''}`)
  if (ok) results.passed++
  else results.failed++
}

// reasons: the list of documented differences that explain the case.
function skip (kind, reasons, what) {
  if (SHOW_SKIPS) console.log(`#   skip ${kind} ${reasons.join('+')}: ${what}`)
  for (const r of reasons) {
    const k = kind + ': ' + r
    skipCounts.set(k, (skipCounts.get(k) || 0) + 1)
  }
  totals[kind].skipped++
}

// Compare the trees over items [expr, published] (published: the tree the
// package documents, 'throws', or undefined).  P maps an expression to
// { L, S, why }.  min: the least number of expressions both sides accept /
// reject for the category to pass, so that a generator or harness that
// stops exercising something fails instead of passing on nothing.
function parseCategory (name, items, P, min) {
  let agreed = 0; let mism = 0; let skipped = 0; let bothOk = 0; let bothErr = 0; let refBad = 0
  for (const [e, published] of items) {
    const { L, S, why } = P.get(e)
    if (published !== undefined) {
      // The reference must say what its documentation says, or this
      // harness tests against something else.
      const pubOk = published === 'throws' ? S.error !== undefined : same(S, published)
      if (!pubOk) {
        refBad++
        mismatch(`${show(e)}: spdx-expression-parse ${show(S)} differs from its published ${show(published)}`)
      }
    }
    if (same(L, S)) {
      agreed++
      totals.parse.compared++
      totals.parse.agreed++
      if (L.error !== undefined) bothErr++
      else bothOk++
    } else if (why) {
      skipped++
      skip('parse', why, `${show(e)}: licgate ${show(L)} vs spdx-expression-parse ${show(S)}`)
    } else {
      mism++
      totals.parse.compared++
      totals.parse.mismatched++
      mismatch(`${show(e)}: licgate ${show(L)} vs spdx-expression-parse ${show(S)}`)
    }
  }
  const low = bothOk < min.ok || bothErr < min.err
  const detail = `${agreed + mism} compared, ${agreed} agreed, ${mism} mismatched, ${skipped} skipped` +
    ` (documented difference); ${bothOk} accepted and ${bothErr} rejected by both` +
    (refBad ? `; the reference differs from ${refBad} of its published examples` : '') +
    (low ? `; fewer than ${min.ok} accepted / ${min.err} rejected by both: the category tests too little` : '')
  report(mism === 0 && refBad === 0 && !low, 'parse: ' + name, detail)
}

// Compare "allowed by A" over items [expr, A, published]; runs the tool
// once per distinct A.
function satisfiesCategory (name, items, P, min) {
  let agreed = 0; let mism = 0; let skipped = 0; let nTrue = 0; let nFalse = 0; let refBad = 0
  const groups = new Map()
  for (const it of items) {
    const [e, A, published] = it
    if (published !== undefined) {
      let got
      try { got = satisfies(e, A) } catch (err) { got = 'throws' }
      if (got !== published) {
        refBad++
        mismatch(`${show(e)} by ${show(A)}: spdx-satisfies ${show(got)} differs from its published ${show(published)}`)
      }
    }
    const pre = approvedInexpressible(A)
    if (pre) {
      skipped++
      skip('satisfies', [pre], `${show(e)} by ${show(A)}`)
      continue
    }
    const key = A.join(',')
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key).push(it)
  }
  for (const [key, group] of groups) {
    const lines = runTool(['satisfies', key], group.map(it => it[0]))
    group.forEach(([e, A], i) => {
      const Ls = lines[i].startsWith('error: ') ? 'error' : lines[i]
      if (Ls !== 'true' && Ls !== 'false' && Ls !== 'error') {
        throw new ToolError(`spdx_tool satisfies: unexpected line ${show(lines[i])}`)
      }
      const Ss = refSatisfies(e, A)
      if (Ls === Ss) {
        agreed++
        totals.satisfies.compared++
        totals.satisfies.agreed++
        if (Ls === 'true') nTrue++
        if (Ls === 'false') nFalse++
        return
      }
      const why = explainSatisfies(e, A, Ls, Ss, P.get(e).why)
      const what = `${show(e)} by ${show(A)}: licgate ${lines[i]} vs spdx-satisfies ${Ss}`
      if (why) {
        skipped++
        skip('satisfies', why, what)
        return
      }
      mism++
      totals.satisfies.compared++
      totals.satisfies.mismatched++
      mismatch(what)
    })
  }
  const low = nTrue < min.t || nFalse < min.f
  const detail = `${agreed + mism} compared, ${agreed} agreed, ${mism} mismatched, ${skipped} skipped` +
    ` (documented difference); ${nTrue} true and ${nFalse} false on both` +
    (refBad ? `; the reference differs from ${refBad} of its published examples` : '') +
    (low ? `; fewer than ${min.t} true / ${min.f} false on both: the category tests too little` : '')
  report(mism === 0 && refBad === 0 && !low, 'satisfies: ' + name, detail)
}

// Parse every expression with both, and explain each difference.
function parseAll (exprs) {
  const Lmap = licgateParse(exprs)
  const P = new Map()
  const pending = []
  for (const e of exprs) {
    const L = Lmap.get(e)
    const S = refParse(e)
    P.set(e, { L, S, why: null })
    if (!same(L, S)) pending.push(e)
  }
  // licgate on the repaired texts, in one more run.
  const texts = new Set()
  for (const e of pending) {
    if (P.get(e).L.error !== undefined && P.get(e).S.error === undefined) {
      for (const t of lRepairTexts(e)) if (!t.includes('\n')) texts.add(t)
    }
  }
  const Lrepaired = texts.size ? licgateParse([...texts]) : new Map()
  for (const e of pending) {
    const p = P.get(e)
    p.why = explainParse(e, p.L, p.S, Lrepaired)
  }
  return P
}

// ---------------------------------------------------------------------------

function main () {
  const gen = generate()
  const edges = edgeCases()
  const claims = listClaims()
  const satPublished = SATISFIES_README.concat(SATISFIES_EXAMPLES)
  const APPROVED = [
    ['MIT', 'ISC', 'Apache-2.0'],
    ['GPL-2.0', 'BSD-3-Clause', 'LicenseRef-Acme-1', 'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2'],
    ['BUSL-1.1', '0BSD', 'Zlib', 'MPL-2.0']
  ]

  const all = new Set([].concat(
    PARSE_README.map(x => x[0]), PARSE_TESTS.map(x => x[0]), claims.map(x => x[0]),
    edges, gen.valid, gen.mutated, satPublished.map(x => x[0])))
  let P
  try {
    P = parseAll([...all])
  } catch (err) {
    if (!(err instanceof ToolError)) throw err
    report(false, 'parse: ' + err.message)
    return
  }

  const categories = [
    () => parseCategory('published examples (spdx-expression-parse README and tests)',
      PARSE_README.concat(PARSE_TESTS), P, { ok: 8, err: 2 }),
    () => parseCategory('the SPDX list (README: every identifier, identifiers WITH exceptions)',
      claims, P, { ok: 1000, err: 0 }),
    () => parseCategory('edge cases', edges.map(e => [e]), P, { ok: 10, err: 30 }),
    () => parseCategory(`generated (${N_GENERATED} valid, seed ${SEED})`,
      gen.valid.map(e => [e]), P, { ok: 800, err: 50 }),
    () => parseCategory(`generated (${N_GENERATED} mutated, seed ${SEED})`,
      gen.mutated.map(e => [e]), P, { ok: 100, err: 800 }),
    () => satisfiesCategory('published examples (spdx-satisfies README and examples.json)',
      satPublished, P, { t: 4, f: 4 }),
    () => satisfiesCategory(`generated (${2 * N_GENERATED} expressions x ${APPROVED.length} approved lists)`,
      [].concat(...APPROVED.map(A => gen.valid.concat(gen.mutated).map(e => [e, A]))), P,
      { t: 400, f: 1000 })
  ]
  for (const run of categories) {
    try {
      run()
    } catch (err) {
      if (!(err instanceof ToolError)) throw err
      report(false, err.message)
    }
  }

  // A case with several differences counts under each.
  for (const [k, n] of [...skipCounts].sort()) console.log(`# skipped (documented difference) ${k}: ${n}`)
  for (const [kind, t] of Object.entries(totals)) {
    console.log(`# ${kind}: ${t.compared} compared, ${t.agreed} agreed, ${t.mismatched} mismatched, ${t.skipped} skipped`)
  }
}

// The reasons, printed once so that a log says what each skip means.
function printReasons () {
  const seen = new Set()
  for (const d of [].concat(PARSE_REPAIRS_S, PARSE_REPAIRS_L, PREDICATES, SATISFIES_REPAIRS)) {
    if (seen.has(d.id)) continue
    seen.add(d.id)
    console.log(`# difference ${d.id}: ${d.why}`)
  }
  for (const [id, why] of Object.entries(PRE_SKIPS)) console.log(`# difference ${id}: ${why}`)
}

printReasons()
main()
console.log(`spdx-diff: ${results.passed} passed, ${results.failed} failed`)
process.exit(results.failed ? 1 : 0)
