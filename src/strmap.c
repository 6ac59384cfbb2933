/* strmap.c - see strmap.h */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "util.h"

#define ARENA_BLOCK (256 * 1024)

struct lg_arena_block {
	lg_arena_block *next;
	size_t size;
	char data[];
};

const char *lg_arena_strndup(lg_arena *a, const char *s, size_t len)
{
	size_t need = len + 1;
	if (!a->head || a->head->size - a->used < need) {
		size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		lg_arena_block *b = lg_xmalloc(sizeof(*b) + size);
		b->next = a->head;
		b->size = size;
		a->head = b;
		a->used = 0;
	}
	char *p = a->head->data + a->used;
	memcpy(p, s, len);
	p[len] = '\0';
	a->used += need;
	a->total += need;
	return p;
}

void lg_arena_free(lg_arena *a)
{
	lg_arena_block *b = a->head;
	while (b) {
		lg_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = a->total = 0;
}

static lg_strmap_slot *find_slot(lg_strmap_slot *slots, size_t cap,
				 const char *key, size_t len, uint64_t hash)
{
	size_t mask = cap - 1;
	for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
		lg_strmap_slot *s = &slots[i];
		if (!s->key || (s->hash == hash && s->len == len &&
				memcmp(s->key, key, len) == 0))
			return s;
	}
}

uint32_t *lg_strmap_get(const lg_strmap *m, const char *key, size_t len)
{
	if (!m->cap)
		return NULL;
	lg_strmap_slot *s = find_slot(m->slots, m->cap, key, len, XXH3_64bits(key, len));
	return s->key ? &s->value : NULL;
}

static void resize(lg_strmap *m, size_t ncap)
{
	lg_strmap_slot *slots = lg_xcalloc(ncap, sizeof(*slots));
	lg_prefault(slots, ncap * sizeof(*slots));
	for (size_t i = 0; i < m->cap; i++) {
		lg_strmap_slot *o = &m->slots[i];
		if (o->key)
			*find_slot(slots, ncap, o->key, o->len, o->hash) = *o;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = ncap;
}

/* Whether the map is too full for one more key (load factor 3/4). */
static bool full(size_t count, size_t cap)
{
	return (count + 1) * 4 > cap * 3;
}

void lg_strmap_reserve(lg_strmap *m, size_t n)
{
	size_t ncap = m->cap ? m->cap : 64;
	while (full(n, ncap))
		ncap *= 2;
	if (ncap > m->cap)
		resize(m, ncap);
}

uint32_t *lg_strmap_put(lg_strmap *m, const char *key, size_t len,
			bool *created)
{
	if (full(m->count, m->cap))
		resize(m, m->cap ? m->cap * 2 : 64);
	uint64_t hash = XXH3_64bits(key, len);
	lg_strmap_slot *s = find_slot(m->slots, m->cap, key, len, hash);
	*created = s->key == NULL;
	if (*created) {
		s->key = key;
		s->len = (uint32_t)len;
		s->hash = hash;
		s->value = 0;
		m->count++;
	}
	return &s->value;
}

void lg_strmap_free(lg_strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}
