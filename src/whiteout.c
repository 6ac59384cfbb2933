/* whiteout.c - see whiteout.h
 *
 * One hash map per layer from path to what the layer does there; then for
 * each file, each higher layer is asked about the file's path and each of
 * its parent directories.  Cost: files x higher layers x depth lookups.
 */
#include "whiteout.h"

#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

/* What a layer does at a path (bits of the map's value). */
#define AT_ENTRY 0x1    /* has an entry here (any type) */
#define AT_NONDIR 0x2   /* has a non-directory here */
#define AT_WHITEOUT 0x4 /* deletes this path */
#define AT_OPAQUE 0x8   /* empties this directory of lower content */

/* An entry at /a/b/c makes /a/b and /a directories of that layer, whether
 * or not the tar lists them: they replace a lower layer's file there. */
static void imply_parents(lg_strmap *m, const char *path, size_t len)
{
	while (len > 1) {
		const char *slash = memrchr(path, '/', len);
		len = slash == path ? 1 : (size_t)(slash - path);
		bool created;
		uint32_t *v = lg_strmap_put(m, path, len, &created);
		if (!created && (*v & AT_ENTRY))
			return; /* this parent and its own parents are known */
		*v |= AT_ENTRY;
	}
}

static void build_map(const lg_layer *l, lg_strmap *m)
{
	for (size_t i = 0; i < l->nentries; i++) {
		const lg_entry *e = &l->entries[i];
		bool created;
		if (e->type != LG_ENTRY_OPAQUE && e->type != LG_ENTRY_WHITEOUT)
			imply_parents(m, e->path, e->len);
		uint32_t *v = lg_strmap_put(m, e->path, e->len, &created);
		switch (e->type) {
		case LG_ENTRY_WHITEOUT:
			*v |= AT_WHITEOUT;
			break;
		case LG_ENTRY_OPAQUE:
			*v |= AT_OPAQUE;
			break;
		case LG_ENTRY_DIR:
			*v |= AT_ENTRY;
			break;
		default:
			*v |= AT_ENTRY | AT_NONDIR;
		}
	}
}

/* Does the layer with map m hide a lower file at path? */
static bool hides(const lg_strmap *m, const char *path, size_t len)
{
	const uint32_t *v = lg_strmap_get(m, path, len);
	if (v && (*v & (AT_ENTRY | AT_WHITEOUT)))
		return true;
	/* Walk up the parents: "/a/b/c" asks "/a/b", "/a", "/". */
	while (len > 1) {
		const char *slash = memrchr(path, '/', len);
		len = slash == path ? 1 : (size_t)(slash - path);
		v = lg_strmap_get(m, path, len);
		if (v && (*v & (AT_NONDIR | AT_WHITEOUT | AT_OPAQUE)))
			return true;
	}
	return false;
}

void lg_whiteout_resolve(const lg_layer *const *layers, size_t n,
			 uint32_t *const *deleted_by)
{
	lg_strmap *maps = lg_xcalloc(n ? n : 1, sizeof(*maps));
	for (size_t j = 1; j < n; j++)
		build_map(layers[j], &maps[j]);
	for (size_t i = 0; i < n; i++) {
		const lg_layer *l = layers[i];
		for (size_t f = 0; f < l->nfiles; f++) {
			deleted_by[i][f] = 0;
			for (size_t j = i + 1; j < n; j++) {
				if (hides(&maps[j], l->files[f].path, l->files[f].len)) {
					deleted_by[i][f] = (uint32_t)(j + 1);
					break;
				}
			}
		}
	}
	for (size_t j = 0; j < n; j++)
		lg_strmap_free(&maps[j]);
	free(maps);
}
