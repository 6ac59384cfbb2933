/* fingerprint_cmd.h - `licgate fingerprint`: make the fingerprint set of a
 * source tree (licgate-fingerprints(5)), or list one.
 *
 * Every file of the tree that a build would send (source_tree.h, as
 * `check-rules --source` walks it: SOURCE/.dockerignore applied the way
 * docker applies it) is placed at PREFIX/PATH and classified with the
 * evidence its path and content give (path, exempt and text rules, SPDX
 * tags: lg_classify(), as a scan does); the set holds every file the
 * target denies, minus what the tree's other files also hold
 * (evidence_fingerprint.h).  Each file is read once: the classifier's tag
 * scan and text head, and the fingerprinter, are fed the same blocks.
 *
 * Ownership: nothing outlives the call; it borrows the rules.
 */
#ifndef LICGATE_FINGERPRINT_CMD_H
#define LICGATE_FINGERPRINT_CMD_H

#include "error.h"
#include "rules.h"

typedef struct lg_fingerprint_options {
	const char *source;       /* SOURCE-DIR */
	const char *prefix;       /* where the tree lands in the image; "/" */
	const lg_target *target;
	const char *output;       /* the set file; NULL: standard output */
} lg_fingerprint_options;

/* Make the set; on success print a one-line summary to stderr.  Returns 0,
 * or -1 with err set. */
int lg_fingerprint_make(const lg_rules *rules, const lg_fingerprint_options *o,
			lg_error *err);

/* List the set at path to standard output. */
int lg_fingerprint_show(const char *path, lg_error *err);

#endif
