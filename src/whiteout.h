/* whiteout.h - which files of a layer stack the final filesystem hides.
 *
 * image-spec layer.md: a later layer hides a lower layer's file when it has
 * an entry at the same path, a non-directory at one of its parent paths, a
 * whiteout (.wh.NAME) of the path or a parent, or an opaque whiteout
 * (.wh..wh..opq) in one of its parent directories.  Hidden files still
 * ship in their layer's blob, so licgate classifies them all the same and
 * reports which layer hid them.
 *
 * Each layer's map of what it does where is built once, by
 * lg_whiteout_map_new() (on any thread: the walk's workers build them as
 * layers come in), and asked about the files of every layer below it.
 *
 * Ownership: lg_whiteout_map_new() returns a map freed with
 * lg_whiteout_map_free(); it borrows the layer's paths, so it must be
 * freed first.  lg_whiteout_resolve() fills arrays the caller allocated.
 */
#ifndef LICGATE_WHITEOUT_H
#define LICGATE_WHITEOUT_H

#include <stddef.h>
#include <stdint.h>

#include "layer.h"

typedef struct lg_whiteout_map lg_whiteout_map;

lg_whiteout_map *lg_whiteout_map_new(const lg_layer *layer);
void lg_whiteout_map_free(lg_whiteout_map *m);

/* layers[0..n) bottom to top, and maps[i] the map of layers[i] (maps[0]
 * may be NULL: the bottom layer hides nothing).  For each layer i,
 * deleted_by[i] must hold layers[i]->nfiles elements; each is set to the
 * 1-based number of the lowest layer above that hides the file, or 0 when
 * the file is visible. */
void lg_whiteout_resolve(const lg_layer *const *layers,
			 const lg_whiteout_map *const *maps, size_t n,
			 uint32_t *const *deleted_by);

#endif
