/* fuzz_common.c - see fuzz_common.h */
#include "fuzz_common.h"

#include <errno.h>
#include <string.h>

#include "input_backend.h"
#include "util.h"
#include "whiteout.h"

typedef struct mem_file {
	char *name;
	unsigned char *data;
	size_t len;
} mem_file;

typedef struct mem_input {
	lg_input base;
	mem_file *files;
	size_t nfiles;
} mem_input;

typedef struct mem_stream {
	lg_stream base;
	const unsigned char *p, *end;
} mem_stream;

static ssize_t mem_read(lg_stream *s, void *buf, size_t len)
{
	mem_stream *m = (mem_stream *)s;
	size_t left = (size_t)(m->end - m->p);
	if (len > left)
		len = left;
	memcpy(buf, m->p, len);
	m->p += len;
	return (ssize_t)len;
}

static void mem_close(lg_stream *s)
{
	free(s);
}

static int mem_open(lg_input *in, const char *name, lg_stream **out,
		    uint64_t *size, bool *missing, lg_error *err)
{
	mem_input *m = (mem_input *)in;
	for (size_t i = 0; i < m->nfiles; i++) {
		if (strcmp(m->files[i].name, name) != 0)
			continue;
		mem_stream *s = lg_xcalloc(1, sizeof *s);
		s->base.read = mem_read;
		s->base.close = mem_close;
		s->p = m->files[i].data;
		s->end = s->p + m->files[i].len;
		*out = &s->base;
		*size = m->files[i].len;
		return 0;
	}
	*missing = true;
	return lg_err_errno(err, ENOENT, "%s", name);
}

static void mem_free(lg_input *in)
{
	mem_input *m = (mem_input *)in;
	for (size_t i = 0; i < m->nfiles; i++) {
		free(m->files[i].name);
		free(m->files[i].data);
	}
	free(m->files);
	free(m);
}

static const lg_input_ops MEM_OPS = { .open = mem_open, .free = mem_free };

lg_input *fuzz_mem_input(void)
{
	mem_input *m = lg_xcalloc(1, sizeof *m);
	m->base.ops = &MEM_OPS;
	m->base.path = lg_xstrdup("memory");
	m->base.form = "memory";
	return &m->base;
}

void fuzz_mem_add(lg_input *in, const char *name, const void *data, size_t len)
{
	mem_input *m = (mem_input *)in;
	m->files = lg_xrealloc(m->files, (m->nfiles + 1) * sizeof *m->files);
	mem_file *f = &m->files[m->nfiles++];
	f->name = lg_xstrdup(name);
	f->data = lg_xmalloc(len ? len : 1);
	if (len)
		memcpy(f->data, data, len);
	f->len = len;
}

void fuzz_sha256(const void *data, size_t len, lg_digest *out)
{
	lg_hasher *h = lg_hasher_new(LG_SHA256);
	lg_hasher_update(h, data, len);
	lg_hasher_final(h, out->str);
	lg_hasher_free(h);
	out->alg = LG_SHA256;
}

const lg_rules *fuzz_default_rules(void)
{
	static lg_rules *rules;
	if (!rules) {
		lg_error err = LG_ERROR_INIT;
		if (lg_rules_load_default(&rules, &err) < 0) {
			fprintf(stderr, "fuzz: default rules: %s\n",
				lg_error_msg(&err));
			abort();
		}
	}
	return rules;
}

void fuzz_check_self_stack(const lg_layer *l)
{
	const lg_layer *stack[2] = { l, l };
	uint32_t *deleted[2] = { lg_xcalloc(l->nfiles + 1, sizeof(uint32_t)),
				 lg_xcalloc(l->nfiles + 1, sizeof(uint32_t)) };
	lg_whiteout_map *map = lg_whiteout_map_new(l);
	const lg_whiteout_map *maps[2] = { NULL, map };
	lg_whiteout_resolve(stack, maps, 2, deleted);
	lg_whiteout_map_free(map);
	for (size_t i = 0; i < l->nfiles; i++)
		FUZZ_CHECK(deleted[0][i] == 2 && deleted[1][i] == 0);
	free(deleted[0]);
	free(deleted[1]);
}

fuzz_rng fuzz_rng_seed(const uint8_t *data, size_t size)
{
	/* FNV-1a over the input: the same input, the same choices. */
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3u;
	return (fuzz_rng){ h | 1 };
}

uint32_t fuzz_rng_next(fuzz_rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1du) >> 32);
}
