/* license_names.h - the SPDX identifier a package manifest means when it
 * names its license in words.
 *
 * Python's METADATA `License:` is free text ("MIT License", "Apache 2.0",
 * "Apache License, Version 2.0"), and old npm packages write the same in
 * package.json.  Such a value is not an SPDX expression; when it is one of
 * the common spellings of a license in the table, this gives its SPDX
 * identifier, and the report shows both (the words as written, the
 * identifier read from them).  Anything not in the table stays what it
 * was: an unparseable expression, unknown to the gate.
 *
 * The table only holds names that mean one license: "BSD License" (2 or 3
 * clauses?) and "Apache" (which version?) are not in it.  A version-less
 * "GPL v2" reads as GPL-2.0, the SPDX identifier that is just as vague.
 *
 * Nothing here allocates; the result is a static string.
 */
#ifndef LICGATE_LICENSE_NAMES_H
#define LICGATE_LICENSE_NAMES_H

#include <stddef.h>

/* The SPDX identifier text[0..len) names, or NULL.  Matching ignores case,
 * punctuation, the words "the", "license", "licence", "version" and "v",
 * and a ".0" after a version number: "The MIT License", "mit-license" and
 * "MIT licence" all give "MIT"; "Apache License, Version 2.0", "Apache
 * 2" and "apache-2" give "Apache-2.0". */
const char *lg_license_name_to_spdx(const char *text, size_t len);

/* The license name in a Trove classifier "License :: [OSI Approved ::]
 * NAME" (text[0..*len)): a pointer to NAME, its length in *len; NULL when
 * the classifier names no license ("License :: OSI Approved"). */
const char *lg_trove_license_name(const char *text, size_t *len);

#endif
