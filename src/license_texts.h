/* license_texts.h - what licgate knows about license FILES, independent of
 * any rules file: which file names hold a license text (LICENSE, COPYING,
 * LICENSE.md, LICENSE-BSL, LICENSE_EE.md, LICENSE.enterprise...), and the
 * wording that identifies the texts open-core projects put in them (the
 * Business Source License's parameter block or its MariaDB notice, the
 * shared enterprise-edition boilerplate, MIT, Apache-2.0, Elastic-2.0,
 * SSPL, FSL, PolyForm, the Commons Clause).
 *
 * rules.c compiles the wording into hidden text rules (lg_rule kind
 * LG_RULE_LICENSE_TEXT) that the layer walk matches against the head of
 * license files (and of the files of a licenses/ directory) only; evidence_licfile.c turns the matches into evidence
 * for the files below.  Everything here is static data.
 */
#ifndef LICGATE_LICENSE_TEXTS_H
#define LICGATE_LICENSE_TEXTS_H

#include <stdbool.h>
#include <stddef.h>

/* Bumped whenever the table or the names change: a cached walk holds its
 * matches (cache.c keys entries with it). */
#define LG_LICENSE_TEXTS_VERSION 2

typedef struct lg_license_text {
	const char *id;      /* SPDX identifier (or LicenseRef-) the text is */
	const char *pattern; /* a text-rule pattern: a phrase, or re:REGEX */
} lg_license_text;

/* The table, in a fixed order (its indexes are part of cached walks). */
const lg_license_text *lg_license_texts(size_t *count);

/* Is the last segment of path a license file name that licgate knows
 * (case-insensitive: license, licence, copying, alone or followed by '.',
 * '-' or '_' and more, but not a source file such as license.js)? */
bool lg_license_file_name(const char *path, size_t len);

/* Is the file at path one of a directory of license texts, which a
 * symlinked license file may point at: its parent directory is named
 * licenses or licences (any case: REUSE's LICENSES/, licenses/BUSL-1.1.txt)
 * and its name is not that of code (as above)?  The walk matches the
 * license texts below against these too, so the text a link leads to is
 * known; they are not license files of their directory. */
bool lg_license_text_dir(const char *path, size_t len);

/* Is the npm "license" expr[0..len) "SEE LICENSE IN <file>" (pointing at
 * a file of the package rather than naming a license)? */
bool lg_npm_see_license(const char *expr, size_t len);

#endif
