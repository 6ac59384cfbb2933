/* strmap.h - two small containers the layer walk lives on.
 *
 * lg_arena: strings whose address never changes, allocated from large
 * blocks, so a layer with a million names costs a handful of mallocs.
 * lg_strmap: an open-addressing hash map from byte strings (borrowed: the
 * caller keeps them alive, typically in an arena) to uint32_t values.
 *
 * Ownership: both own only their own storage; free them with
 * lg_arena_free() / lg_strmap_free().  Keys given to lg_strmap_put() are
 * not copied.
 */
#ifndef LICGATE_STRMAP_H
#define LICGATE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lg_arena_block lg_arena_block;

typedef struct lg_arena {
	lg_arena_block *head; /* newest block first */
	size_t used;          /* bytes used in head */
	size_t total;         /* bytes handed out, for memory accounting */
} lg_arena;

#define LG_ARENA_INIT { NULL, 0, 0 }

/* Copy s[0..len) into the arena, NUL-terminated; the copy lives until
 * lg_arena_free(). */
const char *lg_arena_strndup(lg_arena *a, const char *s, size_t len);
void lg_arena_free(lg_arena *a);

typedef struct lg_strmap_slot {
	const char *key; /* NULL: empty */
	uint32_t len;
	uint32_t value;
	uint64_t hash;
} lg_strmap_slot;

typedef struct lg_strmap {
	lg_strmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
} lg_strmap;

#define LG_STRMAP_INIT { NULL, 0, 0 }

/* Find key; returns a pointer to its value, or NULL. */
uint32_t *lg_strmap_get(const lg_strmap *m, const char *key, size_t len);
/* Insert key (borrowed) or find it.  *created tells which; returns a
 * pointer to the value (0 for a new key), valid until the next put. */
uint32_t *lg_strmap_put(lg_strmap *m, const char *key, size_t len,
			bool *created);
/* Make room for n keys in all, so that putting them does not rehash. */
void lg_strmap_reserve(lg_strmap *m, size_t n);
void lg_strmap_free(lg_strmap *m);

#endif
