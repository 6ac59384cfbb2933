/* check_rules.h - `licgate check-rules --source DIR`: apply a rules file to
 * a source checkout as it would land in an image, before any image is
 * built, so a boundary stays complete as the tree grows.
 *
 * Every file docker would send as the build context (source_tree.h:
 * DIR/.dockerignore applied unless told otherwise) is placed at
 * PREFIX/PATH, the way `COPY . PREFIX` lands it, and classified with the
 * evidence its content and path give (SPDX tags, text rules, path rules,
 * exempt rules, directory license files: the same lg_classify() a scan
 * uses).  The result: the number of files per class, every file with no
 * class at all (unknown), and every rule that matches nothing in the tree
 * (a path or exempt rule no file's path matches, a text rule no file's
 * head matches), which a renamed directory leaves behind.  A license file
 * of no class is counted as "(license files)", not unknown: it is
 * evidence about the files below it.  A path or
 * exempt rule that cannot reach PREFIX (its literal start lies elsewhere,
 * like /usr/lib/) is not dead for matching nothing here; a license rule
 * that decides no identifier found is listed as unused, not dead: most
 * identifiers come with what the build adds (npm packages, the base
 * image).
 *
 * Ownership: nothing outlives lg_check_source(); it borrows the rules.
 */
#ifndef LICGATE_CHECK_RULES_H
#define LICGATE_CHECK_RULES_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "rules.h"

typedef struct lg_check_options {
	const char *source;    /* the checkout, as given */
	const char *prefix;    /* where COPY puts it in the image; "/" by default */
	const lg_target *target; /* decides between evidence of several classes */
	bool no_dockerignore;  /* --no-dockerignore */
	bool strict;           /* unknown files and dead rules fail */
	bool json;             /* --format json */
	bool verbose;          /* text: list unused license rules too */
} lg_check_options;

/* Walk o->source, classify, write the report to out.  Returns 0 (the check
 * passed), 1 (--strict and a file is unknown or a rule dead), or -1 with
 * err set when the tree could not be read or a match gave up. */
int lg_check_source(const lg_rules *rules, const lg_check_options *o, FILE *out,
		    lg_error *err);

#endif
