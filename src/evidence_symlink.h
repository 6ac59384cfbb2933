/* evidence_symlink.h - a symlinked license file, followed within its image.
 *
 * A license file may be a symbolic link (ee/LICENSE -> ../licenses/
 * BUSL-1.1.txt).  The walk keeps the target of such links only (layer.h,
 * lg_link); this module follows them as the kernel would inside the
 * image's root, in the merged view of the image's layers:
 *
 *   - a relative target is read from the link's directory, an absolute one
 *     from the image's root; ".." stops at the root: "../../../../etc" is
 *     the image's /etc, never the host's (nothing is read from disk);
 *   - what a path is, is what the highest layer that has an entry at it
 *     says: a regular file, a directory, a kept link, or something else.
 *     Whiteouts are not applied: a target that a later layer deleted still
 *     counts, since its bytes still ship (fail closed, as a deleted
 *     LICENSE still counts: evidence_licfile.h);
 *   - a chain goes on through kept links, at most LG_SYMLINK_HOPS of them
 *     (Linux's limit); a loop ends there;
 *   - a path through an entry that is neither a directory nor a kept link
 *     (a symlink of another name, whose target the walk does not keep; a
 *     device) cannot be followed.
 *
 * Hostile targets are bytes: escape sequences, NULs (refused by the walk),
 * a target longer than LG_LINK_MAX (not kept by the walk) or a resolved
 * path longer than PATH_MAX are looked up, or not, never printed raw.
 *
 * Cost: nothing for an image whose layers keep no link; otherwise one map
 * of the image's paths, built on the first resolve.
 *
 * Ownership: lg_symlinks borrows the layers (their paths) and is freed,
 * with lg_symlinks_free(), before them.
 */
#ifndef LICGATE_EVIDENCE_SYMLINK_H
#define LICGATE_EVIDENCE_SYMLINK_H

#include <stddef.h>

#include "layer.h"

#define LG_SYMLINK_HOPS 40

enum lg_symlink_end {
	LG_SYMLINK_FILE,     /* it leads to a regular file */
	LG_SYMLINK_DANGLING, /* to nothing, a directory, a loop, a name too
			      * long: as if the link were not there */
	LG_SYMLINK_UNKNOWN,  /* through something that cannot be followed: a
			      * license file whose text is not known */
};

typedef struct lg_symlinks lg_symlinks;

/* The links of the image layers[0..n) (bottom to top); NULL when no layer
 * keeps one. */
lg_symlinks *lg_symlinks_new(const lg_layer *const *layers, size_t n);
void lg_symlinks_free(lg_symlinks *s);

/* Follow link k of layers[layer].  On LG_SYMLINK_FILE, *file is the file
 * it leads to, in layers[*file_layer]. */
enum lg_symlink_end lg_symlinks_resolve(lg_symlinks *s, size_t layer, size_t k,
					size_t *file_layer, const lg_file **file);

#endif
