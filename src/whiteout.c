/* whiteout.c - see whiteout.h
 *
 * One hash map per layer from path to what the layer does there, its
 * entries' parent directories included; then for each file, each higher
 * layer is asked about the file's parent directories, root first, and the
 * file's path.  A directory the map does not have has nothing of that
 * layer below it, so the question stops there: a layer that adds files
 * elsewhere costs two or three lookups per file, not one per parent.
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
#define AT_BELOW 0x10   /* the layer has something below this directory */

/* Mark the parents of path with bits.  Every entry marks its parents
 * AT_BELOW.  An entry other than a whiteout also marks them AT_ENTRY: an
 * entry at /a/b/c makes /a/b and /a directories of that layer, whether or
 * not the tar lists them, and they replace a lower layer's file there. */
static void mark_parents(lg_strmap *m, const char *path, size_t len,
			 uint32_t bits)
{
	while (len > 1) {
		const char *slash = memrchr(path, '/', len);
		if (!slash)
			return; /* not absolute: cannot come from a walk */
		len = slash == path ? 1 : (size_t)(slash - path);
		bool created;
		uint32_t *v = lg_strmap_put(m, path, len, &created);
		if ((*v & bits) == bits)
			return; /* marked before, and so are its own parents */
		*v |= bits;
	}
}

struct lg_whiteout_map {
	lg_strmap paths; /* path -> AT_* bits */
};

lg_whiteout_map *lg_whiteout_map_new(const lg_layer *l)
{
	lg_whiteout_map *wm = lg_xcalloc(1, sizeof(*wm));
	lg_strmap *m = &wm->paths;
	/* the entries, and some room for parents the tar does not list */
	lg_strmap_reserve(m, l->nentries + l->nentries / 4);
	for (size_t i = 0; i < l->nentries; i++) {
		const lg_entry *e = &l->entries[i];
		bool created;
		bool deletes = e->type == LG_ENTRY_OPAQUE || e->type == LG_ENTRY_WHITEOUT;
		mark_parents(m, e->path, e->len, deletes ? AT_BELOW : AT_BELOW | AT_ENTRY);
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
	return wm;
}

void lg_whiteout_map_free(lg_whiteout_map *m)
{
	if (!m)
		return;
	lg_strmap_free(&m->paths);
	free(m);
}

/* Does the layer with map m hide a lower file at path?  The parents are
 * asked root first ("/a/b/c": "/", "/a", "/a/b"); one the map does not
 * have means the layer has nothing at or below it. */
static bool hides(const lg_strmap *m, const char *path, size_t len)
{
	for (size_t parent = 1; parent < len;) {
		const uint32_t *v = lg_strmap_get(m, path, parent);
		if (!v)
			return false;
		if (*v & (AT_NONDIR | AT_WHITEOUT | AT_OPAQUE))
			return true;
		/* after "/" (path[0]) or after the slash that ends this parent */
		size_t from = parent + 1;
		const char *slash = from < len ? memchr(path + from, '/', len - from) : NULL;
		if (!slash)
			break;
		parent = (size_t)(slash - path);
	}
	const uint32_t *v = lg_strmap_get(m, path, len);
	return v && (*v & (AT_ENTRY | AT_WHITEOUT));
}

/* What an upper layer does above the files of one directory, asked once
 * for a run of files in that directory (a tar lists a directory's files
 * together): the answer for each is then one lookup of its own path, or
 * none. */
enum { ABOVE_CLEAR, ABOVE_HIDES, ABOVE_NOTHING };

typedef struct dir_memo {
	const char *dir; /* the directory's path (a prefix of a file's path) */
	size_t len;      /* its length; 0: nothing asked yet */
	int state;       /* ABOVE_* */
} dir_memo;

/* The parents of a file in directory path[0..dir) ("/" is 1), root first,
 * as hides() asks them. */
static int above(const lg_strmap *m, const char *path, size_t dir)
{
	for (size_t parent = 1;;) {
		const uint32_t *v = lg_strmap_get(m, path, parent);
		if (!v)
			return ABOVE_NOTHING;
		if (*v & (AT_NONDIR | AT_WHITEOUT | AT_OPAQUE))
			return ABOVE_HIDES;
		if (parent >= dir)
			return ABOVE_CLEAR;
		const char *slash = memchr(path + parent + 1, '/', dir - parent);
		parent = (size_t)(slash - path); /* found: path[dir] is a slash */
	}
}

/* hides(), with what the layer does above the file's directory taken
 * from memo when the file before was in the same directory. */
static bool hides_memo(const lg_strmap *m, dir_memo *memo, const char *path, size_t len)
{
	const char *last = memrchr(path, '/', len);
	if (len < 2 || !last)
		return hides(m, path, len);
	size_t dir = last == path ? 1 : (size_t)(last - path);
	if (memo->len != dir || memcmp(memo->dir, path, dir) != 0)
		*memo = (dir_memo){ path, dir, above(m, path, dir) };
	if (memo->state != ABOVE_CLEAR)
		return memo->state == ABOVE_HIDES;
	const uint32_t *v = lg_strmap_get(m, path, len);
	return v && (*v & (AT_ENTRY | AT_WHITEOUT));
}

void lg_whiteout_resolve(const lg_layer *const *layers,
			 const lg_whiteout_map *const *maps, size_t n,
			 uint32_t *const *deleted_by)
{
	dir_memo *memo = lg_xcalloc(n ? n : 1, sizeof(*memo));
	for (size_t i = 0; i < n; i++) {
		const lg_layer *l = layers[i];
		memset(memo, 0, n * sizeof(*memo));
		for (size_t f = 0; f < l->nfiles; f++) {
			deleted_by[i][f] = 0;
			for (size_t j = i + 1; j < n; j++) {
				/* a member is hidden with its container */
				const lg_file *lf = &l->files[f];
				if (lf->container)
					lf = &l->files[lf->container - 1];
				if (hides_memo(&maps[j]->paths, &memo[j], lf->path, lf->len)) {
					deleted_by[i][f] = (uint32_t)(j + 1);
					break;
				}
			}
		}
	}
	free(memo);
}
