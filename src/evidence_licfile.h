/* evidence_licfile.h - directory license files as evidence, per image.
 *
 * The convention of open-core trees (GitLab, PostHog, Cal.com, Elastic's
 * x-pack): a paid directory (ee/, enterprise/, x-pack/...) holds its own
 * LICENSE, and that file licenses everything below it.  The rule is the
 * one Airbyte's LICENSE spells out: a file's own license first, then a
 * license file in the same directory, then the nearest one walking up.
 *
 * Which files are license files is rules.h's lg_rules_is_license_file();
 * what one says is told by what the walk kept of it (cached walks too):
 * its SPDX-License-Identifier tags, the `text` rules its head matched, and
 * the built-in license-text rules (license_texts.h), each with its line.  A license file that
 * names several licenses (a dual-license root LICENSE, or LICENSE-MIT next
 * to LICENSE-BSL) gives no class to anything; one whose text is not known
 * gives none either, but still governs its directory: a deeper license
 * file always overrides one above (an MIT oss/LICENSE inside x-pack/).
 *
 * Per image, across layers, and fail closed: the license files of every
 * layer count, those a later layer deleted included (a whiteout that
 * deletes ee/LICENSE does not unmark ee/ code that still ships), and a
 * LICENSE of a lower layer governs files added above it.  When layers
 * hold different license files for one directory, each is evidence (AND).
 *
 * A license file that is a symbolic link is followed within the image's
 * merged layers (evidence_symlink.h) and says what the file it leads to
 * says (lg_licfile_says.target); a dangling one is no evidence, as if it
 * were not there; one that cannot be followed governs its directory with
 * no class, as a license file of unknown text does.
 *
 * The index is one image's: a layer shared by several images is looked up
 * in each image's index (scan.c classifies it per image).
 *
 * Ownership: an lg_licfile_index borrows the layers (their paths) and must
 * be freed, with lg_licfile_index_free(), before them.
 */
#ifndef LICGATE_EVIDENCE_LICFILE_H
#define LICGATE_EVIDENCE_LICFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "layer.h"
#include "rules.h"

typedef struct lg_licfile_index lg_licfile_index;

/* The license files of one image: layers[0..n) bottom to top.  NULL when
 * the image holds none (or the rules turn license files off). */
lg_licfile_index *lg_licfile_index_new(const lg_rules *rules, const lg_layer *const *layers,
				       size_t n);
void lg_licfile_index_free(lg_licfile_index *ix);

/* npm's "license": "SEE LICENSE IN <file>": the file of the package
 * (found in any layer of the image; a symlink named like a license file
 * is followed, evidence_symlink.h) is read like a license file and
 * licenses every file of the package instead of the words.  The license
 * file for package pkg (0-based index into layers[layer]->packages), or
 * NULL when it is not such a package or its file is not in the image. */
const lg_licfile_dir *lg_licfile_package(const lg_licfile_index *ix, size_t layer, size_t pkg);

/* The license files governing path (those of the nearest directory above
 * it that holds any), or NULL when none does or path is itself a license
 * file.  Lives as long as ix. */
const lg_licfile_dir *lg_licfile_lookup(const lg_licfile_index *ix, const char *path,
					size_t len);

#endif
