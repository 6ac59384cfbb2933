/* spdx_ids.h - the SPDX License List: is an identifier on it, is it
 * deprecated, which listed identifier is nearest to a typo, the message
 * for an identifier that is not on it, and those checks over the license
 * rules of a rules file (licgate check-rules).
 *
 * The lists come from rules/spdx/ (see its README) and are compiled into
 * the binary; the lookup tables are built from them once, on first use,
 * under pthread_once, and never change after: every function here may be
 * called from any thread.
 *
 * Identifiers are passed as (id, len): not necessarily NUL-terminated, any
 * bytes.  Comparison is case-insensitive (ASCII), as SPDX specifies.
 *
 * Ownership: nothing here returns memory the caller must free.  Returned
 * strings are static; lg_spdx_suggest() writes into the caller's buffer;
 * the note functions append to the caller's lg_buf, which the caller owns
 * and frees (and may reuse across calls).
 */
#ifndef LICGATE_SPDX_IDS_H
#define LICGATE_SPDX_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rules.h"
#include "util.h"

/* Buffer size that holds any listed identifier and its NUL (the longest is
 * under 40 bytes; the generator rejects ids of 96 bytes or more). */
#define LG_SPDX_ID_MAX 96

/* true when id is a license identifier SPDX defines (current or
 * deprecated) or a user-defined reference: LicenseRef-IDSTRING or
 * DocumentRef-IDSTRING:LicenseRef-IDSTRING (IDSTRING: letters, digits,
 * '.', '-').  A trailing '+' (or later) is ignored. */
bool lg_spdx_license_known(const char *id, size_t len);

/* true when id (trailing '+' ignored) is on the SPDX list of deprecated
 * license identifiers, e.g. GPL-2.0 (now GPL-2.0-only / -or-later). */
bool lg_spdx_license_deprecated(const char *id, size_t len);

/* true when id is a license exception SPDX defines (current or deprecated)
 * or AdditionRef-IDSTRING / DocumentRef-IDSTRING:AdditionRef-IDSTRING. */
bool lg_spdx_exception_known(const char *id, size_t len);

/* Where the embedded lists come from: rules/spdx/VERSION, e.g.
 * "spdx-license-ids 3.0.24, spdx-exceptions 2.5.0" (static string). */
const char *lg_spdx_list_version(void);

/* The current (non-deprecated) license identifier nearest to id (a
 * trailing '+' of id is ignored), by case-insensitive edit distance:
 * insertions, deletions, substitutions and swaps of adjacent characters
 * each cost 1, and an id that differs only in what people drop from a
 * version (the separators '-' and '.', a 0 after a '.': "MPL2", "CC-BY-4")
 * is at distance 1.  A candidate must start with the same character as id
 * ("GPL3" is not a typo of NGPL) and be within 1 of an id of up to 4
 * bytes, 2 up to 8, 3 beyond, so a name unlike any listed one (or one that
 * lacks its version, "Apache") gets no suggestion rather than a guess.
 * Ties go to the candidate sharing the longest prefix with id, then to the
 * one closest in length, then to the first in case-insensitive order.
 * Work is bounded: ids of LG_SPDX_ID_MAX bytes or more are not compared.
 *
 * On success writes the identifier, in its listed spelling, to out
 * (truncated to size - 1 bytes and NUL-terminated, like snprintf; size
 * LG_SPDX_ID_MAX always suffices) and returns the distance: 0 for a listed
 * identifier written in another case ("busl-1.1" gives "BUSL-1.1").
 * Returns -1, with out set to "" when size > 0, when no identifier is near
 * enough. */
int lg_spdx_suggest(const char *id, size_t len, char *out, size_t size);

/* lg_spdx_suggest() over the current license exceptions. */
int lg_spdx_exception_suggest(const char *id, size_t len, char *out,
			      size_t size);

/* When id is not a known license identifier (lg_spdx_license_known() is
 * false), append to out the message for it, without a trailing newline or
 * prefix, and return true; otherwise leave out alone and return false.
 * The id is quoted as written, bytes that are not printable escaped:
 *   unknown SPDX identifier 'MIT2'; did you mean 'MIT'?
 *   unknown SPDX identifier 'Acme-1' (not on the SPDX License List; write
 *     a license of your own as LicenseRef-...)
 * and two traps are named: any BSL-* that is not BSL-1.0 (and bare BSL),
 *   'BSL-1.1' is not an SPDX identifier: the Business Source License is
 *     'BUSL-1.1' ('BSL-1.0' is the Boost Software License)
 * and npm's UNLICENSED, which means the opposite of the Unlicense. */
bool lg_spdx_note(const char *id, size_t len, lg_buf *out);

/* The same for a license exception (the identifier after WITH). */
bool lg_spdx_exception_note(const char *id, size_t len, lg_buf *out);

/* Check the license rules of rules against the list and print one
 * "FILE:LINE: warning: MESSAGE" line per finding to out, in file order:
 *   - a pattern without '*' that is not a known identifier (the message of
 *     lg_spdx_note(), with its suggestion);
 *   - a deprecated identifier, with the current ones when SPDX has them;
 *   - the rule that decides BSL-1.0 (exact or a glob such as BSL-*) when it
 *     maps it to a class that some target denies: BSL-1.0 is the Boost
 *     Software License, not the Business Source License (BUSL-1.1).
 * Returns the number of findings. */
size_t lg_spdx_lint_rules(const lg_rules *rules, FILE *out);

#endif
