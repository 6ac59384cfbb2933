/* evidence_fingerprint.h - paid code found by what it is: a fingerprint
 * set (licgate-fingerprints(5)) made from a source tree, and a matcher that
 * compares each file of a layer with it while the file streams past.
 *
 * A set holds, per denied source file: its path (as it lands in the
 * image), its class, its exact XXH3-128, its normalized hash and its
 * winnowing fingerprints with their line ranges (fingerprint.h).  When a
 * set is made, what the tree's other files (those the target does not
 * deny) also contain is dropped: a fingerprint any of their k-grams has,
 * an exact or normalized hash one of them has.  A file of fewer than
 * LG_FP_MIN_TOKENS tokens keeps only its exact hash.
 *
 * A file of a layer matches source file S:
 *   exact       its XXH3-128 is S's;
 *   normalized  its normalized hash is S's;
 *   partial     it shares at least LG_FP_MIN_MATCH of S's fingerprints,
 *               and they are at least LG_FP_SHARE permille of S's
 *               fingerprints or of its own (a function pasted into a
 *               larger file; a module bundled with others).
 * The first kind that holds decides; among partial matches, the source
 * file with the most shared fingerprints (the first in the set's order
 * on a tie).
 *
 * Ownership: an lg_fpset owns everything in it (lg_fpset_free()), the
 * mapping of a set file it uses in place among them; a
 * matcher borrows its set, which must outlive it; an lg_fpmatch's strings
 * point into the set.  A set is read-only once loaded: any number of
 * matchers (one per thread) may use it at once.
 */
#ifndef LICGATE_EVIDENCE_FINGERPRINT_H
#define LICGATE_EVIDENCE_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "fingerprint.h"
#include "util.h"

#define LG_FPSET_VERSION 4
/* Smaller files are matched by their exact hash only. */
#define LG_FP_MIN_TOKENS 64
/* Partial match: shared fingerprints, and their share (permille). */
#define LG_FP_MIN_MATCH 4
#define LG_FP_SHARE 10
/* Matched line ranges kept per match. */
#define LG_FPM_RANGES 4

enum lg_fpmatch_kind {
	LG_FPM_NONE,
	LG_FPM_EXACT,
	LG_FPM_NORMALIZED,
	LG_FPM_PARTIAL,
};

typedef struct lg_fprange {
	uint32_t line, line_end;               /* in the file of the layer */
	uint32_t source_line, source_line_end; /* in the source file */
} lg_fprange;

typedef struct lg_fpmatch {
	uint8_t kind;          /* enum lg_fpmatch_kind */
	uint8_t nranges;       /* PARTIAL: ranges kept (the first in the file) */
	uint32_t ranges_total; /* PARTIAL: matched ranges in all */
	uint32_t matched;      /* PARTIAL: source fingerprints shared */
	uint32_t source_fps;   /* PARTIAL: the source file's fingerprints */
	uint32_t file_fps;     /* PARTIAL: the layer file's fingerprints */
	const char *source;    /* the source file's path */
	uint32_t source_len;
	const char *class_name; /* its class */
	uint32_t class_len;
	lg_fprange ranges[LG_FPM_RANGES];
} lg_fpmatch;

const char *lg_fpmatch_kind_name(enum lg_fpmatch_kind k);

typedef struct lg_fpset lg_fpset;

/* ---- making a set ---- */

/* An empty set for a tree classified with rules (name, digest), target,
 * landing at prefix; strings are copied. */
lg_fpset *lg_fpset_new(const char *rules_name, const char *rules_digest, const char *target,
		       const char *prefix);
/* A denied file: fingerprints fps[0..nfps) in text order (copied). */
void lg_fpset_add(lg_fpset *s, const char *path, const char *class_name,
		  const uint8_t exact[16], const uint8_t normalized[16], uint64_t tokens,
		  const lg_fp *fps, size_t nfps);
/* A file the target does not deny: its hashes and every k-gram hash. */
void lg_fpset_allow(lg_fpset *s, const uint8_t exact[16], const uint8_t normalized[16],
		    const uint64_t *grams, size_t ngrams);
/* The set file's bytes (licgate-fingerprints(5)), appended to out: the
 * allowed files' content dropped, files in byte order of their paths. */
void lg_fpset_encode(lg_fpset *s, lg_buf *out);

/* ---- using sets ---- */

/* Read the set file at path and add its files to *set (created when
 * NULL).  -1 with err set when it cannot be read or does not check out. */
int lg_fpset_load(lg_fpset **set, const char *path, lg_error *err);
/* The same from bytes; name for messages. */
int lg_fpset_decode(lg_fpset **set, const char *name, const void *data, size_t len,
		    lg_error *err);
/* One line per file read in: "sha256"-like digest of all set files read,
 * in order, for cache keys ("xxh128:<hex>"). */
const char *lg_fpset_digest(const lg_fpset *s);
size_t lg_fpset_count(const lg_fpset *s);
/* The digest of the rules the (first) set was made with. */
const char *lg_fpset_rules_digest(const lg_fpset *s);
/* List the set: its header, then one line per file. */
void lg_fpset_show(const lg_fpset *s, FILE *out);
void lg_fpset_free(lg_fpset *s);

/* ---- matching ---- */

typedef struct lg_fpmatcher lg_fpmatcher;

lg_fpmatcher *lg_fpmatcher_new(const lg_fpset *s);
void lg_fpmatcher_free(lg_fpmatcher *m);
/* One file: begin, feed its content block by block, end with its exact
 * XXH3-128.  end returns true and fills *out when the file matches. */
void lg_fpmatcher_begin(lg_fpmatcher *m);
void lg_fpmatcher_feed(lg_fpmatcher *m, const void *data, size_t len);
bool lg_fpmatcher_end(lg_fpmatcher *m, const uint8_t exact[16], lg_fpmatch *out);

#endif
