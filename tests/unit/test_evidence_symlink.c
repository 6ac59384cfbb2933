/* test_evidence_symlink.c - symlinked license files followed within an
 * image (evidence_symlink.h): relative and absolute targets, "..", chains,
 * loops, the hop limit, targets in other layers or deleted, paths through
 * what cannot be followed, and hostile targets.  One image built by hand,
 * then a table: link -> where it leads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evidence_symlink.h"
#include "layer.h"
#include "util.h"

/* f: file, d: directory, o: other (a symlink whose target is not kept),
 * l: a kept link (to target), w: whiteout */
static void entry(lg_layer *l, char type, const char *path, const char *target)
{
	size_t len = strlen(path);
	const char *p = lg_arena_strndup(&l->arena, path, len);
	static const char types[] = "fdolw";
	static const uint8_t kinds[] = { LG_ENTRY_FILE, LG_ENTRY_DIR, LG_ENTRY_OTHER,
					 LG_ENTRY_OTHER, LG_ENTRY_WHITEOUT };
	uint8_t kind = kinds[strchr(types, type) - types];
	lg_xgrow((void **)&l->entries, &l->entries_cap, l->nentries + 1, sizeof(*l->entries));
	l->entries[l->nentries] = (lg_entry){ p, (uint32_t)len, kind };
	if (type == 'f') {
		lg_xgrow((void **)&l->files, &l->files_cap, l->nfiles + 1, sizeof(*l->files));
		l->files[l->nfiles++] = (lg_file){ .path = p, .len = (uint32_t)len,
						   .entry = (uint32_t)l->nentries };
	}
	if (type == 'l') {
		lg_xgrow((void **)&l->links, &l->links_cap, l->nlinks + 1, sizeof(*l->links));
		l->links[l->nlinks++] = (lg_link){
			(uint32_t)l->nentries, (uint32_t)strlen(target),
			lg_arena_strndup(&l->arena, target, strlen(target)) };
	}
	l->nentries++;
}

#define NLAYERS 3
static lg_layer *layers[NLAYERS];
static char *long_target;

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < NLAYERS; i++)
		layers[i] = lg_xcalloc(1, sizeof(lg_layer));
	lg_layer *a = layers[0], *b = layers[1], *c = layers[2];
	entry(a, 'd', "/app", NULL);
	entry(a, 'd', "/app/licenses", NULL);
	entry(a, 'f', "/app/licenses/BUSL-1.1.txt", NULL);
	entry(a, 'f', "/etc/passwd", NULL);
	entry(a, 'o', "/app/shared", NULL);         /* a directory symlink, not kept */
	entry(a, 'f', "/app/deleted.txt", NULL);
	entry(a, 'l', "/app/rel/LICENSE", "../licenses/BUSL-1.1.txt");
	entry(a, 'l', "/app/abs/LICENSE", "/app/licenses/BUSL-1.1.txt");
	entry(a, 'l', "/app/dots/LICENSE", ".//./../licenses/./BUSL-1.1.txt");
	entry(a, 'l', "/app/chain/LICENSE", "LICENSE.md");
	entry(a, 'l', "/app/chain/LICENSE.md", "../abs/LICENSE");
	entry(a, 'l', "/app/loop/LICENSE", "LICENSE.md");
	entry(a, 'l', "/app/loop/LICENSE.md", "LICENSE");
	entry(a, 'l', "/app/self/LICENSE", "LICENSE");
	entry(a, 'l', "/app/up/LICENSE", "../../../../../../etc/passwd");
	entry(a, 'l', "/app/up2/LICENSE", "../../../../../../etc/shadow");
	entry(a, 'l', "/app/esc/LICENSE", "\x1b[31m../licenses/BUSL-1.1.txt");
	entry(a, 'l', "/app/through/LICENSE", "../shared/LICENSE");
	entry(a, 'l', "/app/dir/LICENSE", "../licenses");
	entry(a, 'l', "/app/below/LICENSE", "../licenses/BUSL-1.1.txt/x");
	entry(a, 'l', "/app/slash/LICENSE", "../licenses/BUSL-1.1.txt/");
	entry(a, 'l', "/app/empty/LICENSE", "");
	entry(a, 'l', "/app/later/LICENSE", "../upper.txt");
	entry(a, 'l', "/app/gone/LICENSE", "../deleted.txt");
	entry(a, 'l', "/app/viadir/LICENSE", "../chain/LICENSE.md/../../licenses/BUSL-1.1.txt");
	long_target = lg_xmalloc(4200);
	memset(long_target, 'a', 4199);
	long_target[4199] = '\0';
	long_target[2000] = '/';
	entry(a, 'l', "/app/long/LICENSE", long_target);
	/* a chain of 40 hops after the first link, and one of 41 */
	char name[64], to[64];
	for (int i = 0; i <= 41; i++) {
		snprintf(name, sizeof(name), "/app/hops/LICENSE-%d", i);
		if (i < 41)
			snprintf(to, sizeof(to), "LICENSE-%d", i + 1);
		else
			snprintf(to, sizeof(to), "../licenses/BUSL-1.1.txt");
		entry(a, 'l', name, to);
	}
	entry(b, 'f', "/app/upper.txt", NULL);
	entry(b, 'w', "/app/deleted.txt", NULL);
	/* a higher layer's entry at a path is what the path is */
	entry(c, 'l', "/app/top/LICENSE", "../licenses/BUSL-1.1.txt");
	entry(c, 'f', "/app/shadowed.txt", NULL);
	entry(b, 'f', "/app/shadowed.txt", NULL);
	entry(c, 'l', "/app/shadow/LICENSE", "../shadowed.txt");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NLAYERS; i++)
		lg_layer_free(layers[i]);
	free(long_target);
	return 0;
}

static const char *end_name(enum lg_symlink_end e)
{
	return e == LG_SYMLINK_FILE ? "file" : e == LG_SYMLINK_DANGLING ? "dangling" : "unknown";
}

static void table(void **state)
{
	(void)state;
	static const struct {
		const char *link;
		enum lg_symlink_end end;
		const char *file; /* "LAYER:PATH" */
	} cases[] = {
		{ "/app/rel/LICENSE", LG_SYMLINK_FILE, "0:/app/licenses/BUSL-1.1.txt" },
		{ "/app/abs/LICENSE", LG_SYMLINK_FILE, "0:/app/licenses/BUSL-1.1.txt" },
		{ "/app/dots/LICENSE", LG_SYMLINK_FILE, "0:/app/licenses/BUSL-1.1.txt" },
		{ "/app/chain/LICENSE", LG_SYMLINK_FILE, "0:/app/licenses/BUSL-1.1.txt" },
		{ "/app/loop/LICENSE", LG_SYMLINK_DANGLING, NULL },
		{ "/app/self/LICENSE", LG_SYMLINK_DANGLING, NULL },
		/* ".." stops at the image's root */
		{ "/app/up/LICENSE", LG_SYMLINK_FILE, "0:/etc/passwd" },
		{ "/app/up2/LICENSE", LG_SYMLINK_DANGLING, NULL },
		{ "/app/esc/LICENSE", LG_SYMLINK_DANGLING, NULL },
		{ "/app/through/LICENSE", LG_SYMLINK_UNKNOWN, NULL },
		{ "/app/dir/LICENSE", LG_SYMLINK_DANGLING, NULL },
		{ "/app/below/LICENSE", LG_SYMLINK_DANGLING, NULL },
		{ "/app/slash/LICENSE", LG_SYMLINK_DANGLING, NULL },
		{ "/app/empty/LICENSE", LG_SYMLINK_DANGLING, NULL },
		{ "/app/long/LICENSE", LG_SYMLINK_DANGLING, NULL },
		/* a link through a kept link to a file, then ".." */
		{ "/app/viadir/LICENSE", LG_SYMLINK_DANGLING, NULL },
		/* other layers: above the link, deleted above (still ships),
		 * the highest layer's file at a path */
		{ "/app/later/LICENSE", LG_SYMLINK_FILE, "1:/app/upper.txt" },
		{ "/app/gone/LICENSE", LG_SYMLINK_FILE, "0:/app/deleted.txt" },
		{ "/app/top/LICENSE", LG_SYMLINK_FILE, "0:/app/licenses/BUSL-1.1.txt" },
		{ "/app/shadow/LICENSE", LG_SYMLINK_FILE, "2:/app/shadowed.txt" },
		/* 40 hops after the first link: followed; 41: a loop */
		{ "/app/hops/LICENSE-1", LG_SYMLINK_FILE, "0:/app/licenses/BUSL-1.1.txt" },
		{ "/app/hops/LICENSE-0", LG_SYMLINK_DANGLING, NULL },
	};
	lg_symlinks *s = lg_symlinks_new((const lg_layer *const *)layers, NLAYERS);
	assert_non_null(s);
	lg_buf got = LG_BUF_INIT;
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		size_t layer = NLAYERS, k = 0;
		for (size_t n = 0; n < NLAYERS && layer == NLAYERS; n++)
			for (k = 0; k < layers[n]->nlinks; k++)
				if (strcmp(layers[n]->entries[layers[n]->links[k].entry].path,
					   cases[i].link) == 0) {
					layer = n;
					break;
				}
		if (layer == NLAYERS)
			fail_msg("no link %s", cases[i].link);
		size_t fl = 99;
		const lg_file *f = NULL;
		enum lg_symlink_end e = lg_symlinks_resolve(s, layer, k, &fl, &f);
		lg_buf_reset(&got);
		if (e == LG_SYMLINK_FILE)
			lg_buf_appendf(&got, "%zu:%s", fl, f->path);
		if (e != cases[i].end || (cases[i].file && strcmp(got.data, cases[i].file) != 0))
			fail_msg("%s: %s %s, want %s %s", cases[i].link, end_name(e),
				 got.data ? got.data : "", end_name(cases[i].end),
				 cases[i].file ? cases[i].file : "");
	}
	lg_buf_free(&got);
	lg_symlinks_free(s);
}

/* No kept link: nothing to build. */
static void none(void **state)
{
	(void)state;
	lg_layer *l = lg_xcalloc(1, sizeof(*l));
	entry(l, 'o', "/usr/lib/libc.so", NULL);
	const lg_layer *one[] = { l };
	assert_null(lg_symlinks_new(one, 1));
	lg_layer_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(none),
	};
	return cmocka_run_group_tests_name("evidence_symlink", tests, setup, teardown);
}
