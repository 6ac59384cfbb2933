/* evidence_symlink.c - see evidence_symlink.h */
#include "evidence_symlink.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

/* The longest path the kernel resolves (PATH_MAX, its NUL left out). */
#define PATH_LIMIT 4095

enum kind { K_FILE, K_DIR, K_LINK, K_OTHER };

/* What the highest layer holding an entry at a path says it is. */
typedef struct node {
	uint32_t layer;
	uint32_t index; /* K_FILE: of the file; K_LINK: of the link */
	uint8_t kind;
} node;

struct lg_symlinks {
	const lg_layer *const *layers;
	size_t n;
	lg_strmap map; /* path (borrowed) -> 1 + index into nodes */
	node *nodes;
	size_t nnodes, cap;
	lg_buf cur;    /* scratch: the path resolved so far ("" is the root) */
	lg_buf rest, next; /* scratch: what is left to resolve */
};

lg_symlinks *lg_symlinks_new(const lg_layer *const *layers, size_t n)
{
	size_t links = 0;
	for (size_t i = 0; i < n; i++)
		links += layers[i]->nlinks;
	if (!links)
		return NULL;
	lg_symlinks *s = lg_xcalloc(1, sizeof(*s));
	s->layers = layers;
	s->n = n;
	return s;
}

void lg_symlinks_free(lg_symlinks *s)
{
	if (!s)
		return;
	lg_strmap_free(&s->map);
	free(s->nodes);
	lg_buf_free(&s->cur);
	lg_buf_free(&s->rest);
	lg_buf_free(&s->next);
	free(s);
}

static void set(lg_symlinks *s, const char *path, size_t len, node v)
{
	bool created;
	uint32_t *slot = lg_strmap_put(&s->map, path, len, &created);
	if (created) {
		lg_xgrow((void **)&s->nodes, &s->cap, s->nnodes + 1, sizeof(*s->nodes));
		*slot = (uint32_t)++s->nnodes;
	}
	s->nodes[*slot - 1] = v;
}

/* The merged view: layer by layer, bottom to top, a higher layer's entry
 * replacing a lower one's; whiteouts not applied (evidence_symlink.h). */
static void build(lg_symlinks *s)
{
	size_t total = 0;
	for (size_t i = 0; i < s->n; i++)
		total += s->layers[i]->nentries;
	lg_strmap_reserve(&s->map, total);
	for (size_t i = 0; i < s->n; i++) {
		const lg_layer *l = s->layers[i];
		for (size_t e = 0; e < l->nentries; e++) {
			const lg_entry *en = &l->entries[e];
			if (en->type == LG_ENTRY_DIR || en->type == LG_ENTRY_OTHER)
				set(s, en->path, en->len,
				    (node){ (uint32_t)i, 0, en->type == LG_ENTRY_DIR ? K_DIR : K_OTHER });
		}
		for (size_t k = 0; k < l->nlinks; k++) {
			const lg_entry *en = &l->entries[l->links[k].entry];
			set(s, en->path, en->len, (node){ (uint32_t)i, (uint32_t)k, K_LINK });
		}
		for (size_t f = 0; f < l->nfiles; f++) {
			const lg_file *file = &l->files[f];
			if (!(file->flags & LG_FILE_MEMBER))
				set(s, file->path, file->len, (node){ (uint32_t)i, (uint32_t)f, K_FILE });
		}
	}
}

static const node *lookup(const lg_symlinks *s, const lg_buf *path)
{
	/* the root ("") is a directory */
	const uint32_t *slot = path->len ? lg_strmap_get(&s->map, path->data, path->len) : NULL;
	return slot ? &s->nodes[*slot - 1] : NULL;
}

/* cur without its last segment (the root stays the root). */
static void up(lg_buf *cur)
{
	const char *slash = cur->len ? memrchr(cur->data, '/', cur->len) : NULL;
	cur->len = slash ? (size_t)(slash - cur->data) : 0;
}

/* Go on with link k's target, then tail[0..n) (what was left to resolve,
 * from the '/' after the link on): from the directory of cur's last
 * segment, the link, or from the root when the target is absolute. */
static void follow(lg_symlinks *s, const lg_link *k, const char *tail, size_t n)
{
	lg_buf_reset(&s->next);
	lg_buf_append(&s->next, k->target, k->len);
	lg_buf_append(&s->next, tail, n);
	lg_buf t = s->rest;
	s->rest = s->next;
	s->next = t;
	up(&s->cur);
	if (k->len && k->target[0] == '/')
		s->cur.len = 0;
}

enum lg_symlink_end lg_symlinks_resolve(lg_symlinks *s, size_t layer, size_t k,
					size_t *file_layer, const lg_file **file)
{
	if (!s->nnodes)
		build(s);
	const lg_layer *l = s->layers[layer];
	const lg_entry *en = &l->entries[l->links[k].entry];
	lg_buf_reset(&s->cur);
	lg_buf_append(&s->cur, en->path, en->len);
	follow(s, &l->links[k], "", 0);
	unsigned hops = 0;
	const node *at = NULL; /* what cur is, when known */
	/* segment by segment; a trailing '/' makes a last, empty one */
	for (size_t pos = 0; pos <= s->rest.len;) {
		const char *seg = s->rest.data + pos;
		const char *slash = memchr(seg, '/', s->rest.len - pos);
		size_t n = slash ? (size_t)(slash - seg) : s->rest.len - pos;
		pos += n + 1;
		if (at && at->kind == K_FILE)
			return LG_SYMLINK_DANGLING; /* ENOTDIR: a file has nothing below */
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			up(&s->cur);
			at = NULL;
			continue;
		}
		if (s->cur.len + 1 + n > PATH_LIMIT)
			return LG_SYMLINK_DANGLING; /* ENAMETOOLONG */
		lg_buf_putc(&s->cur, '/');
		lg_buf_append(&s->cur, seg, n);
		at = lookup(s, &s->cur);
		if (at && at->kind == K_OTHER)
			return LG_SYMLINK_UNKNOWN;
		if (at && at->kind == K_LINK) {
			if (++hops > LG_SYMLINK_HOPS)
				return LG_SYMLINK_DANGLING; /* ELOOP */
			size_t from = pos - 1 < s->rest.len ? pos - 1 : s->rest.len;
			follow(s, &s->layers[at->layer]->links[at->index], s->rest.data + from,
			       s->rest.len - from);
			pos = 0;
			at = NULL;
		}
	}
	at = lookup(s, &s->cur);
	if (!at || at->kind != K_FILE)
		return LG_SYMLINK_DANGLING;
	*file_layer = at->layer;
	*file = &s->layers[at->layer]->files[at->index];
	return LG_SYMLINK_FILE;
}
