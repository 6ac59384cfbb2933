/* test_whiteout.c - which lower files a layer stack hides (image-spec
 * layer.md), on layers built by hand: overwrite, .wh. of the file and of a
 * parent, opaque directories, parents replaced by non-directories, and the
 * lowest hiding layer reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layer.h"
#include "strmap.h"
#include "util.h"
#include "whiteout.h"

/* ---- building layers ---- */

/* One entry of a hand-written layer: a type letter and a normalized path.
 *   f  regular file (also an lg_file)     d  directory
 *   l  symlink (LG_ENTRY_OTHER)           w  whiteout of the path
 *   o  opaque whiteout in the directory path */
static lg_layer *make_layer(const char *const *spec)
{
	lg_layer *l = lg_xcalloc(1, sizeof(*l));
	for (size_t i = 0; spec[i]; i++) {
		const char *s = spec[i];
		uint8_t type;
		switch (s[0]) {
		case 'f': type = LG_ENTRY_FILE; break;
		case 'd': type = LG_ENTRY_DIR; break;
		case 'l': type = LG_ENTRY_OTHER; break;
		case 'w': type = LG_ENTRY_WHITEOUT; break;
		case 'o': type = LG_ENTRY_OPAQUE; break;
		default: fail_msg("bad spec \"%s\"", s); return NULL;
		}
		assert_int_equal(s[1], ' ');
		const char *path = s + 2;
		size_t len = strlen(path);
		lg_xgrow((void **)&l->entries, &l->entries_cap, l->nentries + 1,
			 sizeof(*l->entries));
		lg_entry *e = &l->entries[l->nentries];
		/* copied into the arena from a scratch buffer, as the walk does,
		 * so no two equal paths share an address */
		e->path = lg_arena_strndup(&l->arena, path, len);
		e->len = (uint32_t)len;
		e->type = type;
		if (type == LG_ENTRY_FILE) {
			lg_xgrow((void **)&l->files, &l->files_cap, l->nfiles + 1,
				 sizeof(*l->files));
			l->files[l->nfiles++] = (lg_file){
				.path = e->path,
				.len = e->len,
				.entry = (uint32_t)l->nentries,
			};
		}
		l->nentries++;
	}
	return l;
}

/* lg_whiteout_resolve() with the maps built here and freed after. */
static void resolve_stack(lg_layer *const *layers, size_t n, uint32_t *const *del)
{
	lg_whiteout_map **maps = lg_xcalloc(n ? n : 1, sizeof(*maps));
	/* the bottom layer's map is not needed: leave it out, as scan.c may */
	for (size_t i = 1; i < n; i++)
		maps[i] = lg_whiteout_map_new(layers[i]);
	lg_whiteout_resolve((const lg_layer *const *)layers,
			    (const lg_whiteout_map *const *)maps, n, del);
	for (size_t i = 0; i < n; i++)
		lg_whiteout_map_free(maps[i]);
	free(maps);
}

/* deleted_by of every file of the stack, as "PATH@LAYER=N" lines for the
 * files of layers [0..n), bottom first (caller frees). */
static char *resolve(const char *const *const *specs, size_t n)
{
	lg_layer **layers = lg_xcalloc(n, sizeof(*layers));
	uint32_t **del = lg_xcalloc(n, sizeof(*del));
	for (size_t i = 0; i < n; i++) {
		layers[i] = make_layer(specs[i]);
		del[i] = lg_xcalloc(layers[i]->nfiles + 1, sizeof(uint32_t));
		/* poison: the resolver must set every element */
		for (size_t f = 0; f <= layers[i]->nfiles; f++)
			del[i][f] = 0xdeadbeef;
	}
	resolve_stack(layers, n, del);
	lg_buf out = LG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		for (size_t f = 0; f < layers[i]->nfiles; f++)
			lg_buf_appendf(&out, "%s@%zu=%u\n", layers[i]->files[f].path,
				       i + 1, del[i][f]);
		/* one past the end untouched */
		assert_int_equal(del[i][layers[i]->nfiles], 0xdeadbeef);
		lg_layer_free(layers[i]);
		free(del[i]);
	}
	free(layers);
	free(del);
	return lg_buf_steal(&out);
}

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define STACK(...) ((const char *const *const[]){ __VA_ARGS__ })
#define NLAYERS(...) (sizeof(STACK(__VA_ARGS__)) / sizeof(const char *const *))

static const struct {
	const char *name;
	const char *const *const *stack;
	size_t n;
	const char *want;
} cases[] = {
#define CASE(name, want, ...) { name, STACK(__VA_ARGS__), NLAYERS(__VA_ARGS__), want }
	CASE("a file replaced by an implied directory (no dir entry above)",
	     "/a@1=2\n/a/x@2=0\n",
	     L("f /a"), L("f /a/x")),
	CASE("one layer: all visible",
	     "/a@1=0\n/d/b@1=0\n",
	     L("d /d", "f /a", "f /d/b", "w /x", "o /d")),
	CASE("same path overwritten later",
	     "/a@1=2\n/b@1=0\n/a@2=0\n",
	     L("f /a", "f /b"), L("f /a")),
	CASE("overwritten by a symlink",
	     "/a@1=2\n",
	     L("f /a"), L("l /a")),
	CASE("whiteout of the file",
	     "/d/a@1=2\n/d/ab@1=0\n/d/a.txt@1=0\n",
	     L("f /d/a", "f /d/ab", "f /d/a.txt"), L("w /d/a")),
	CASE("whiteout of a parent directory",
	     "/usr/lib/x@1=2\n/usr/lib/y/z@1=2\n/usr/lib2/x@1=0\n/usr/li@1=0\n",
	     L("f /usr/lib/x", "f /usr/lib/y/z", "f /usr/lib2/x", "f /usr/li"),
	     L("w /usr/lib")),
	CASE("whiteout of a top-level directory",
	     "/opt/a/b/c@1=2\n/optx@1=0\n",
	     L("f /opt/a/b/c", "f /optx"), L("w /opt")),
	CASE("opaque parent hides lower files below it",
	     "/d/a@1=2\n/d/e/f@1=2\n/dd/a@1=0\n",
	     L("f /d/a", "f /d/e/f", "f /dd/a"), L("d /d", "o /d")),
	CASE("opaque: files added with the marker stay",
	     "/d/old@1=2\n/d/new@2=0\n/d/sub/new@2=0\n",
	     L("f /d/old"), L("d /d", "o /d", "f /d/new", "f /d/sub/new")),
	CASE("opaque: marker after the layer's own files, same result",
	     "/d/old@1=2\n/d/new@2=0\n",
	     L("f /d/old"), L("f /d/new", "o /d")),
	CASE("root opaque",
	     "/a@1=2\n/d/b@1=2\n/c@2=0\n",
	     L("f /a", "f /d/b"), L("o /", "f /c")),
	CASE("parent directory replaced by a file",
	     "/d/a@1=2\n/d/e/f@1=2\n/d@2=0\n",
	     L("f /d/a", "f /d/e/f"), L("f /d")),
	CASE("parent directory replaced by a symlink",
	     "/lib/a.so@1=2\n/lib64/a.so@1=0\n",
	     L("f /lib/a.so", "f /lib64/a.so"), L("l /lib")),
	CASE("grandparent replaced by a symlink",
	     "/usr/lib/x/y@1=2\n",
	     L("f /usr/lib/x/y"), L("l /usr/lib")),
	CASE("a later directory at the file's path",
	     "/a@1=2\n/b@1=0\n",
	     L("f /a", "f /b"), L("d /a", "d /c")),
	CASE("a later directory entry for a parent hides nothing",
	     "/d/a@1=0\n/x/y/z@1=0\n",
	     L("d /d", "f /d/a", "f /x/y/z"), L("d /", "d /d", "d /x", "d /x/y")),
	CASE("a whiteout in the same layer does not hide that layer's file",
	     "/a@1=0\n/d/b@1=0\n/e/c@1=0\n",
	     L("f /a", "w /a", "f /d/b", "w /d", "f /e/c", "o /e")),
	CASE("lowest hiding layer reported",
	     "/a@1=2\n/b@1=3\n/a@2=3\n",
	     L("f /a", "f /b"), L("f /a"), L("w /a", "w /b"), L("o /")),
	CASE("hidden by a layer two up, not the one right above",
	     "/a@1=3\n/x@2=0\n",
	     L("f /a"), L("f /x"), L("w /a")),
	CASE("whiteout then re-created in the same upper layer still hides",
	     "/a@1=2\n/a@2=0\n",
	     L("f /a"), L("w /a", "f /a")),
	CASE("empty upper layers hide nothing",
	     "/a@1=0\n",
	     L("f /a"), L("d /"), L("d /b")),
	CASE("names with bytes that are not UTF-8",
	     "/\xff/a@1=2\n/\xfe/a@1=0\n",
	     L("f /\xff/a", "f /\xfe/a"), L("w /\xff")),
#undef CASE
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		char *got = resolve(cases[i].stack, cases[i].n);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got\n%swant\n%s", cases[i].name, got,
				 cases[i].want);
		free(got);
	}
}

/* No layers, and layers without files. */
static void test_empty(void **state)
{
	(void)state;
	lg_whiteout_resolve(NULL, NULL, 0, NULL);
	lg_layer *l = make_layer(L("d /", "w /x"));
	lg_layer *ls[] = { l, l };
	uint32_t none = 0;
	uint32_t *del[] = { &none, &none };
	resolve_stack(ls, 2, del);
	assert_int_equal(none, 0);
	lg_layer_free(l);
}

/* Many layers and files: each file hidden exactly by the layer that names
 * it, whatever the stack looks like around it. */
static void test_many(void **state)
{
	(void)state;
	enum { NL = 12, NF = 2000 };
	lg_layer *layers[NL];
	uint32_t *del[NL];
	char path[64];
	for (size_t i = 0; i < NL; i++) {
		layers[i] = lg_xcalloc(1, sizeof(lg_layer));
		lg_layer *l = layers[i];
		for (size_t f = 0; f < NF; f++) {
			int n = snprintf(path, sizeof(path), "/l%zu/d%zu/f%zu", i, f % 7, f);
			lg_xgrow((void **)&l->entries, &l->entries_cap, l->nentries + 1,
				 sizeof(*l->entries));
			lg_xgrow((void **)&l->files, &l->files_cap, l->nfiles + 1,
				 sizeof(*l->files));
			const char *p = lg_arena_strndup(&l->arena, path, (size_t)n);
			l->entries[l->nentries] = (lg_entry){ p, (uint32_t)n, LG_ENTRY_FILE };
			l->files[l->nfiles++] = (lg_file){ .path = p, .len = (uint32_t)n,
							   .entry = (uint32_t)l->nentries++ };
		}
		/* layer i deletes file i of every lower layer k, for k < i */
		for (size_t k = 0; k < i; k++) {
			int n = snprintf(path, sizeof(path), "/l%zu/d%zu/f%zu", k, i % 7, i);
			lg_xgrow((void **)&l->entries, &l->entries_cap, l->nentries + 1,
				 sizeof(*l->entries));
			l->entries[l->nentries++] = (lg_entry){
				lg_arena_strndup(&l->arena, path, (size_t)n), (uint32_t)n,
				LG_ENTRY_WHITEOUT };
		}
		del[i] = lg_xcalloc(NF, sizeof(uint32_t));
	}
	resolve_stack(layers, NL, del);
	for (size_t i = 0; i < NL; i++) {
		for (size_t f = 0; f < NF; f++) {
			uint32_t want = f > i && f < NL ? (uint32_t)f + 1 : 0;
			if (del[i][f] != want)
				fail_msg("layer %zu file %zu: deleted_by %u, want %u", i + 1,
					 f, del[i][f], want);
		}
		lg_layer_free(layers[i]);
		free(del[i]);
	}
}

/* ---- random stacks against the rules, read naively ---- */

static bool is_below(const lg_entry *e, const char *dir, size_t len)
{
	if (len == 1) /* "/" */
		return e->len > 1;
	return e->len > len && memcmp(e->path, dir, len) == 0 && e->path[len] == '/';
}

/* image-spec layer.md as written, one rule at a time, no maps. */
static bool naive_hides(const lg_layer *l, const lg_file *f)
{
	for (size_t i = 0; i < l->nentries; i++) {
		const lg_entry *e = &l->entries[i];
		bool deletes = e->type == LG_ENTRY_WHITEOUT || e->type == LG_ENTRY_OPAQUE;
		bool same = e->len == f->len && memcmp(e->path, f->path, f->len) == 0;
		/* at the path: any entry, or a whiteout of it */
		if (same && e->type != LG_ENTRY_OPAQUE)
			return true;
		/* the path made a directory by an entry below it */
		if (!deletes && is_below(e, f->path, f->len))
			return true;
		/* at a parent: a non-directory, a whiteout or an opaque marker */
		lg_entry file = { f->path, f->len, LG_ENTRY_FILE };
		if (e->type != LG_ENTRY_DIR && is_below(&file, e->path, e->len))
			return true;
	}
	return false;
}

/* Small random stacks over a tiny name space, so that paths collide often:
 * the resolver must agree with naive_hides on every file. */
static void test_random(void **state)
{
	(void)state;
	static const char *const names[] = { "/", "/a", "/b", "/a/a", "/a/b",
		"/b/a", "/a/a/a", "/a/a/b", "/a/b/a", "/b/a/a" };
	static const char types[] = "fdlwo";
	uint64_t seed = 0x9e3779b97f4a7c15u;
#define RAND(n) ((seed = seed * 6364136223846793005u + 1442695040888963407u) >> 33) % (n)
	for (int round = 0; round < 3000; round++) {
		size_t n = 1 + RAND(4);
		lg_layer *layers[4];
		uint32_t *del[4];
		for (size_t i = 0; i < n; i++) {
			const char *spec[8] = { 0 };
			char bufs[7][16];
			size_t k = RAND(7);
			for (size_t e = 0; e < k; e++) {
				const char *name = names[RAND(LG_ARRAY_LEN(names))];
				char type = types[RAND(5)];
				if (name[1] == '\0' && type != 'o' && type != 'd')
					type = 'd'; /* only a directory or opaque at "/" */
				snprintf(bufs[e], sizeof(bufs[e]), "%c %s", type, name);
				spec[e] = bufs[e];
			}
			layers[i] = make_layer(spec);
			del[i] = lg_xcalloc(layers[i]->nfiles + 1, sizeof(uint32_t));
		}
		resolve_stack(layers, n, del);
		for (size_t i = 0; i < n; i++) {
			for (size_t f = 0; f < layers[i]->nfiles; f++) {
				uint32_t want = 0;
				for (size_t j = i + 1; j < n && !want; j++)
					if (naive_hides(layers[j], &layers[i]->files[f]))
						want = (uint32_t)j + 1;
				if (del[i][f] != want)
					fail_msg("round %d: %s of layer %zu: deleted_by %u, want %u",
						 round, layers[i]->files[f].path, i + 1,
						 del[i][f], want);
			}
		}
		for (size_t i = 0; i < n; i++) {
			lg_layer_free(layers[i]);
			free(del[i]);
		}
	}
#undef RAND
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests_name("whiteout", tests, NULL, NULL) ? 1 : 0;
}
