/* test_cache.c - layer cache entries: a round trip keeps every field, and
 * an entry with any byte changed, cut short, under another key or format,
 * or with an index out of range is never trusted; the files on disk are
 * private and written whole, and a cache that cannot be written warns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "blob.h"
#include "cache.h"
#include "classify.h"
#include "input.h"
#include "layer.h"
#include "rules.h"
#include "util.h"

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define KEY2 "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static lg_rules *rules;

static int setup(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	return lg_rules_load_default(&rules, &err);
}

static int teardown(void **state)
{
	(void)state;
	lg_rules_free(rules);
	return 0;
}

static const char *str(lg_layer *l, const char *s)
{
	return lg_arena_strndup(&l->arena, s, strlen(s));
}

/* A layer with one of everything: entries of each type, a file with two
 * tags (one in a snippet), a text rule match, a package, a hardlink, a
 * sidecar, a warning. */
static lg_layer *make_layer(void)
{
	lg_layer *l = lg_xcalloc(1, sizeof(*l));
	static const struct { const char *p; uint8_t t; } ents[] = {
		{ "/app", LG_ENTRY_DIR }, { "/app/a.js", LG_ENTRY_FILE },
		{ "/app/b.js", LG_ENTRY_FILE }, { "/app/a.js.license", LG_ENTRY_FILE },
		{ "/old", LG_ENTRY_WHITEOUT }, { "/opq", LG_ENTRY_OPAQUE },
		{ "/lnk", LG_ENTRY_OTHER },
	};
	l->nentries = LG_ARRAY_LEN(ents);
	l->entries = lg_xcalloc(l->nentries, sizeof(*l->entries));
	for (size_t i = 0; i < l->nentries; i++)
		l->entries[i] = (lg_entry){ str(l, ents[i].p), (uint32_t)strlen(ents[i].p), ents[i].t };
	l->ntags = 2;
	l->tags = lg_xcalloc(2, sizeof(*l->tags));
	l->tags[0] = (lg_tag){ str(l, "MIT"), 3, 1, 0, 0 };
	l->tags[1] = (lg_tag){ str(l, "BUSL-1.1"), 8, 7, 5, 9 };
	l->ntexts = 1;
	l->texts = lg_xcalloc(1, sizeof(*l->texts));
	l->texts[0] = lg_rules_text_at(rules, 1);
	l->text_lines = lg_xcalloc(1, sizeof(*l->text_lines));
	l->text_lines[0] = 42;
	l->nfiles = 3;
	l->files = lg_xcalloc(3, sizeof(*l->files));
	for (uint32_t i = 0; i < 3; i++) {
		lg_file *f = &l->files[i];
		f->entry = i + 1;
		f->path = l->entries[i + 1].path;
		f->len = l->entries[i + 1].len;
		f->mode = 0100644;
		f->size = 1000 + i;
		for (int k = 0; k < 16; k++)
			f->xxh3[k] = (uint8_t)(i * 16 + k);
	}
	l->files[0].ntags = 2;
	l->files[0].ntext = 1;
	l->files[0].sidecar = 3;
	l->files[0].package = 1;
	l->files[1].flags = LG_FILE_HARDLINK;
	l->files[1].ntags = 2;
	l->files[2].flags = LG_FILE_SIDECAR;
	l->files[2].first_tag = 2;
	l->files[2].first_text = 1;
	l->files[1].package = 2;
	l->npackages = 2;
	l->packages = lg_xcalloc(2, sizeof(*l->packages));
	l->packages[0] = (lg_package){ LG_PACKAGE_PYTHON, 0, str(l, "Apache-2.0"), 10, 0 };
	/* a file two RECORDs list: the second package points at the first */
	l->packages[1] = (lg_package){ LG_PACKAGE_PYTHON, 2, str(l, "BUSL-1.1"), 8, 1 };
	/* /lnk, a symlink named like a license file would be: its target */
	l->nlinks = 1;
	l->links = lg_xcalloc(2, sizeof(*l->links));
	l->links[0] = (lg_link){ 6, 12, str(l, "../a.js\x1b[31m") };
	l->nwarnings = 1;
	l->warnings = lg_xcalloc(1, sizeof(char *));
	l->warnings[0] = lg_xstrdup("/lnk: something worth a look");
	l->content_bytes = 3003;
	l->tar_bytes = 10240;
	l->hole_bytes = 4096;
	return l;
}

static void assert_same(const lg_layer *a, const lg_layer *b)
{
	assert_int_equal(a->content_bytes, b->content_bytes);
	assert_int_equal(a->tar_bytes, b->tar_bytes);
	assert_int_equal(a->hole_bytes, b->hole_bytes);
	assert_int_equal(a->nentries, b->nentries);
	for (size_t i = 0; i < a->nentries; i++) {
		assert_string_equal(a->entries[i].path, b->entries[i].path);
		assert_int_equal(a->entries[i].len, b->entries[i].len);
		assert_int_equal(a->entries[i].type, b->entries[i].type);
	}
	assert_int_equal(a->nfiles, b->nfiles);
	for (size_t i = 0; i < a->nfiles; i++) {
		const lg_file *f = &a->files[i], *g = &b->files[i];
		assert_string_equal(f->path, g->path);
		assert_int_equal(f->len, g->len);
		assert_int_equal(f->mode, g->mode);
		assert_int_equal(f->size, g->size);
		assert_memory_equal(f->xxh3, g->xxh3, 16);
		assert_int_equal(f->first_tag, g->first_tag);
		assert_int_equal(f->ntags, g->ntags);
		assert_int_equal(f->flags, g->flags);
		assert_int_equal(f->entry, g->entry);
		assert_int_equal(f->first_text, g->first_text);
		assert_int_equal(f->ntext, g->ntext);
		assert_int_equal(f->sidecar, g->sidecar);
		assert_int_equal(f->package, g->package);
	}
	assert_int_equal(a->ntags, b->ntags);
	for (size_t i = 0; i < a->ntags; i++) {
		assert_int_equal(a->tags[i].len, b->tags[i].len);
		assert_memory_equal(a->tags[i].expr, b->tags[i].expr, a->tags[i].len + 1);
		assert_int_equal(a->tags[i].line, b->tags[i].line);
		assert_int_equal(a->tags[i].snippet_begin, b->tags[i].snippet_begin);
		assert_int_equal(a->tags[i].snippet_end, b->tags[i].snippet_end);
	}
	assert_int_equal(a->ntexts, b->ntexts);
	for (size_t i = 0; i < a->ntexts; i++) {
		assert_ptr_equal(a->texts[i], b->texts[i]);
		assert_int_equal(a->text_lines[i], b->text_lines[i]);
	}
	assert_int_equal(a->npackages, b->npackages);
	for (size_t i = 0; i < a->npackages; i++) {
		assert_int_equal(a->packages[i].kind, b->packages[i].kind);
		assert_int_equal(a->packages[i].manifest, b->packages[i].manifest);
		assert_int_equal(a->packages[i].len, b->packages[i].len);
		assert_memory_equal(a->packages[i].expr, b->packages[i].expr, a->packages[i].len + 1);
		assert_int_equal(a->packages[i].also, b->packages[i].also);
	}
	assert_int_equal(a->nlinks, b->nlinks);
	for (size_t i = 0; i < a->nlinks; i++) {
		assert_int_equal(a->links[i].entry, b->links[i].entry);
		assert_int_equal(a->links[i].len, b->links[i].len);
		assert_memory_equal(a->links[i].target, b->links[i].target, a->links[i].len + 1);
	}
	assert_int_equal(a->nwarnings, b->nwarnings);
	for (size_t i = 0; i < a->nwarnings; i++)
		assert_string_equal(a->warnings[i], b->warnings[i]);
	/* per-file SHA-1/SHA-256: kept when the walk had them (SBOMs) */
	assert_int_equal(a->hashes == NULL || a->nfiles == 0, b->hashes == NULL);
	if (a->hashes && a->nfiles)
		assert_memory_equal(a->hashes, b->hashes, a->nfiles * sizeof(*a->hashes));
}

/* Give l's files per-file hashes, as a walk for an SBOM report does. */
static void add_hashes(lg_layer *l)
{
	l->hashes = lg_xcalloc(l->nfiles ? l->nfiles : 1, sizeof(*l->hashes));
	l->hashes_cap = l->nfiles;
	for (size_t i = 0; i < l->nfiles; i++) {
		for (size_t k = 0; k < sizeof(l->hashes[i].sha1); k++)
			l->hashes[i].sha1[k] = (uint8_t)(i * 7 + k);
		for (size_t k = 0; k < sizeof(l->hashes[i].sha256); k++)
			l->hashes[i].sha256[k] = (uint8_t)(255 - i * 3 - k);
	}
}

static void test_round_trip(void **state)
{
	(void)state;
	lg_layer *l = make_layer();
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode(KEY, rules, l, &b);
	lg_layer *back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	assert_same(l, back);
	lg_layer_free(back);
	/* text found in a file may hold a NUL (names may not): kept as found */
	l->tags[0] = (lg_tag){ lg_arena_strndup(&l->arena, "MIT\0\x01)", 6), 6, 1, 0, 0 };
	lg_buf_reset(&b);
	lg_cache_encode(KEY, rules, l, &b);
	back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	assert_same(l, back);
	lg_layer_free(back);
	/* with the per-file hashes of an SBOM walk */
	add_hashes(l);
	lg_buf_reset(&b);
	lg_cache_encode(KEY, rules, l, &b);
	back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	assert_non_null(back->hashes);
	assert_same(l, back);
	lg_layer_free(back);
	/* an empty layer too */
	lg_layer empty = { 0 };
	lg_buf_reset(&b);
	lg_cache_encode(KEY, rules, &empty, &b);
	back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	assert_int_equal(back->nfiles, 0);
	lg_layer_free(back);
	lg_buf_free(&b);
	lg_layer_free(l);
}

/* Any one byte changed, anywhere: not trusted. */
static void test_corrupt_byte(void **state)
{
	(void)state;
	lg_layer *l = make_layer();
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode(KEY, rules, l, &b);
	for (size_t i = 0; i < b.len; i++) {
		b.data[i] ^= 0x20;
		lg_layer *back = lg_cache_decode(KEY, rules, b.data, b.len);
		if (back)
			fail_msg("byte %zu of %zu changed, entry still decoded", i, b.len);
		b.data[i] ^= 0x20;
	}
	lg_layer *back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	lg_layer_free(back);
	lg_buf_free(&b);
	lg_layer_free(l);
}

static void test_truncated(void **state)
{
	(void)state;
	lg_layer *l = make_layer();
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode(KEY, rules, l, &b);
	for (size_t n = 0; n < b.len; n++)
		assert_null(lg_cache_decode(KEY, rules, b.data, n));
	/* one byte more is no better */
	lg_buf_putc(&b, 0);
	assert_null(lg_cache_decode(KEY, rules, b.data, b.len));
	lg_buf_free(&b);
	lg_layer_free(l);
}

static void test_wrong_key_or_format(void **state)
{
	(void)state;
	lg_layer *l = make_layer();
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode(KEY, rules, l, &b);
	assert_null(lg_cache_decode(KEY2, rules, b.data, b.len));
	uint32_t format = LG_CACHE_FORMAT + 1;
	memcpy(b.data + 8, &format, 4);
	assert_null(lg_cache_decode(KEY, rules, b.data, b.len));
	/* text rule indexes are checked against the rules given */
	format = LG_CACHE_FORMAT;
	memcpy(b.data + 8, &format, 4);
	lg_layer *back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	lg_layer_free(back);
	assert_null(lg_cache_decode(KEY, NULL, b.data, b.len));
	lg_buf_free(&b);
	lg_layer_free(l);
}

/* Well-formed bytes whose indexes point outside the layer. */
static void test_bad_index(void **state)
{
	(void)state;
	lg_buf b = LG_BUF_INIT;
	static char long_target[LG_LINK_MAX + 2];
	memset(long_target, 'a', LG_LINK_MAX + 1);
	for (int k = 0; k < 17; k++) {
		lg_layer *l = make_layer();
		switch (k) {
		case 0: l->files[0].ntags = 3; break;
		case 1: l->files[2].entry = 7; break;
		case 2: l->files[0].package = 3; break;
		case 3: l->files[0].sidecar = 4; break;
		case 4: l->packages[0].manifest = 3; break;
		case 5: l->packages[1].also = 3; break; /* beyond the packages */
		case 6: l->packages[0].also = 2; break; /* a later one: a cycle */
		case 7: l->entries[0].path = "app"; break; /* not absolute */
		case 8: l->files[0].entry = 0; break;      /* a file at a directory's entry */
		/* paths a walk never makes (lg_path_normalize) */
		case 9: l->entries[0].path = "//app"; l->entries[0].len = 5; break;
		case 10: l->entries[0].path = "/app/"; l->entries[0].len = 5; break;
		case 11: l->entries[0].path = "/./app"; l->entries[0].len = 6; break;
		case 12: l->entries[0].path = "/x/.."; l->entries[0].len = 5; break;
		/* a kept symlink: an entry of type other, in order, not too long */
		case 13: l->links[0].entry = 0; break;
		case 14: l->links[0].entry = 7; break;
		case 15: l->links[1] = l->links[0]; l->nlinks = 2; break;
		case 16: l->links[0].target = long_target; l->links[0].len = LG_LINK_MAX + 1; break;
		}
		lg_buf_reset(&b);
		lg_cache_encode(KEY, rules, l, &b);
		if (lg_cache_decode(KEY, rules, b.data, b.len))
			fail_msg("case %d decoded", k);
		lg_layer_free(l);
	}
	lg_buf_free(&b);
}

/* Recompute the header's payload checksum after an edit (cache.c: u64 at
 * offset 24, over the payload after the 96-byte header). */
static void reseal(lg_buf *b)
{
	uint64_t sum = XXH3_64bits(b->data + 96, b->len - 96);
	memcpy(b->data + 24, &sum, 8);
}

/* Per-file hashes are all the files' or none: an entry with hashes for
 * fewer files (well-formed otherwise) is not trusted. */
static void test_hashes_count(void **state)
{
	(void)state;
	lg_layer *l = make_layer();
	add_hashes(l);
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode(KEY, rules, l, &b);
	size_t one = sizeof(lg_file_hashes);
	/* the count (u64) is just before the last file's hashes and the
	 * others: cut the last file's and say one fewer */
	size_t at = b.len - l->nfiles * one - 8;
	uint64_t n;
	memcpy(&n, b.data + at, 8);
	assert_int_equal(n, l->nfiles);
	n--;
	memcpy(b.data + at, &n, 8);
	b.len -= one;
	uint64_t plen = b.len - 96;
	memcpy(b.data + 16, &plen, 8);
	reseal(&b);
	assert_null(lg_cache_decode(KEY, rules, b.data, b.len));
	/* and the same edit undone decodes (the test can tell) */
	lg_buf_reset(&b);
	lg_cache_encode(KEY, rules, l, &b);
	lg_layer *back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	lg_layer_free(back);
	lg_buf_free(&b);
	lg_layer_free(l);
}

/* Strings are used in place: each must end with its NUL and hold none. */
static void test_string_framing(void **state)
{
	(void)state;
	lg_buf b = LG_BUF_INIT;
	lg_layer *l = make_layer();
	lg_cache_encode(KEY, rules, l, &b);
	/* the first entry's path: after the three byte counts, the entry
	 * count, its type and its length */
	size_t at = 96 + 3 * 8 + 8 + 1 + 4, len = l->entries[0].len;
	assert_memory_equal(b.data + at, l->entries[0].path, len + 1);
	lg_layer *back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	lg_layer_free(back);

	b.data[at + len] = 'x'; /* no terminator */
	reseal(&b);
	assert_null(lg_cache_decode(KEY, rules, b.data, b.len));
	b.data[at + len] = '\0';
	char was = b.data[at + 1];
	b.data[at + 1] = '\0'; /* a NUL inside */
	reseal(&b);
	assert_null(lg_cache_decode(KEY, rules, b.data, b.len));
	b.data[at + 1] = was; /* resealed whole again: fine */
	reseal(&b);
	back = lg_cache_decode(KEY, rules, b.data, b.len);
	assert_non_null(back);
	lg_layer_free(back);
	lg_layer_free(l);
	lg_buf_free(&b);
}

static char *scratch(void)
{
	char *dir = lg_xstrdup("/tmp/licgate-test-cache.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void test_store_load(void **state)
{
	(void)state;
	cleanup_free char *dir = scratch();
	cleanup_free char *sub = lg_xasprintf("%s/a/b", dir);
	char *warning = NULL;
	lg_cache *c = lg_cache_open(sub, &warning);
	assert_non_null(c);
	assert_null(warning);
	struct stat st;
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	bool rejected = true;
	assert_null(lg_cache_load(c, KEY, rules, &rejected));
	assert_false(rejected); /* nothing there: a miss, not a rejection */
	lg_layer *l = make_layer();
	assert_int_equal(lg_cache_store(c, KEY, rules, l, &warning), 0);
	cleanup_free char *file = lg_xasprintf("%s/%s.layer", sub, KEY);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	lg_layer *back = lg_cache_load(c, KEY, rules, &rejected);
	assert_non_null(back);
	assert_false(rejected);
	assert_same(l, back);
	lg_layer_free(back);
	assert_null(lg_cache_load(c, KEY2, rules, &rejected));
	assert_false(rejected);
	/* a corrupt file is a miss, and a store rewrites it */
	FILE *f = fopen(file, "r+");
	fseek(f, -3, SEEK_END);
	fputc('X', f);
	fclose(f);
	assert_null(lg_cache_load(c, KEY, rules, &rejected));
	assert_true(rejected);
	assert_int_equal(lg_cache_store(c, KEY, rules, l, &warning), 0);
	back = lg_cache_load(c, KEY, rules, &rejected);
	assert_non_null(back);
	assert_false(rejected);
	lg_layer_free(back);
	/* no temporary file is left behind */
	cleanup_free char *cmd = lg_xasprintf("test -z \"$(ls -A %s | grep -v '\\.layer$')\"", sub);
	assert_int_equal(system(cmd), 0);
	/* the directory gone: a store warns */
	cleanup_free char *rm = lg_xasprintf("rm -rf %s", dir);
	assert_int_equal(system(rm), 0);
	assert_int_equal(lg_cache_store(c, KEY, rules, l, &warning), -1);
	assert_non_null(warning);
	assert_non_null(strstr(warning, sub));
	free(warning);
	lg_cache_free(c);
	lg_layer_free(l);
}

/* Overwrite the file at path with len bytes of data. */
static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char *buf = lg_xmalloc(4096);
	*len = fread(buf, 1, 4096, f);
	fclose(f);
	return buf;
}

/* Blob files verified before: a record is trusted for exactly the digest
 * and the identity it was written for, and not when it is damaged. */
static void test_blob_records(void **state)
{
	(void)state;
	cleanup_free char *dir = scratch();
	char *warning = NULL;
	lg_cache *c = lg_cache_open(dir, &warning);
	assert_non_null(c);
	lg_digest d, d2;
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_digest_parse("sha256:" KEY, &d, &err), 0);
	assert_int_equal(lg_digest_parse("sha256:" KEY2, &d2, &err), 0);
	const lg_file_id id = { .dev = 2049, .ino = 1234567, .mnt_id = 33, .size = 4096,
				.mtime_ns = 1700000000123456789, .ctime_ns = 1700000001987654321 };

	assert_false(lg_cache_knows_blob(c, &d, &id)); /* nothing recorded */
	assert_int_equal(lg_cache_remember_blob(c, &d, &id, &warning), 0);
	assert_true(lg_cache_knows_blob(c, &d, &id));
	assert_false(lg_cache_knows_blob(c, &d2, &id));
	cleanup_free char *path = lg_xasprintf("%s/sha256-%s.blob", dir, KEY);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* any field changed: another file, or this one changed */
	for (int k = 0; k < 6; k++) {
		lg_file_id other = id;
		switch (k) {
		case 0: other.dev++; break;
		case 1: other.ino++; break;
		case 2: other.size--; break;
		case 3: other.mtime_ns++; break;
		case 4: other.mnt_id++; break; /* mounted again */
		default: other.ctime_ns++; break;
		}
		assert_false(lg_cache_knows_blob(c, &d, &other));
	}

	/* the record of one blob under the name of another */
	size_t len;
	cleanup_free unsigned char *rec = read_file(path, &len);
	cleanup_free char *path2 = lg_xasprintf("%s/sha256-%s.blob", dir, KEY2);
	write_file(path2, rec, len);
	assert_false(lg_cache_knows_blob(c, &d2, &id));

	/* damaged: every byte flipped in turn, cut short, one byte too long */
	for (size_t i = 0; i < len; i++) {
		rec[i] ^= 0x20;
		write_file(path, rec, len);
		if (lg_cache_knows_blob(c, &d, &id))
			fail_msg("byte %zu flipped: still trusted", i);
		rec[i] ^= 0x20;
	}
	write_file(path, rec, len - 1);
	assert_false(lg_cache_knows_blob(c, &d, &id));
	rec[len] = 0;
	write_file(path, rec, len + 1);
	assert_false(lg_cache_knows_blob(c, &d, &id));
	write_file(path, rec, len);
	assert_true(lg_cache_knows_blob(c, &d, &id)); /* the flips were undone */

	/* a newer record replaces the older one */
	lg_file_id copy = id;
	copy.ino = 7;
	assert_int_equal(lg_cache_remember_blob(c, &d, &copy, &warning), 0);
	assert_true(lg_cache_knows_blob(c, &d, &copy));
	assert_false(lg_cache_knows_blob(c, &d, &id));

	/* the directory gone: remembering warns, knowing says no */
	cleanup_free char *rm = lg_xasprintf("rm -rf %s", dir);
	assert_int_equal(system(rm), 0);
	assert_false(lg_cache_knows_blob(c, &d, &copy));
	assert_int_equal(lg_cache_remember_blob(c, &d, &copy, &warning), -1);
	assert_non_null(warning);
	free(warning);
	lg_cache_free(c);
}

static void test_unusable_dir(void **state)
{
	(void)state;
	char *warning = NULL;
	assert_null(lg_cache_open("/dev/null/licgate", &warning));
	assert_non_null(warning);
	assert_non_null(strstr(warning, "/dev/null/licgate"));
	free(warning);
}

/* Classification results: a round trip keeps every outcome, level and
 * class name; any byte changed, another key or another file count is not
 * trusted; an outcome, level or class index out of range is refused. */
static void test_results(void **state)
{
	(void)state;
	static const lg_file_result r[] = {
		{ LG_OUT_PASS, LG_LEVEL_ALLOW, "permissive" },
		{ LG_OUT_DENY, LG_LEVEL_DENY, "source-available" },
		{ LG_OUT_WARN, LG_LEVEL_UNKNOWN, NULL },
		{ LG_OUT_EXEMPT, LG_LEVEL_DENY, "source-available" },
		{ LG_OUT_PASS, LG_LEVEL_ALLOW, "permissive" },
	};
	size_t n = LG_ARRAY_LEN(r);
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode_results(KEY, r, n, &b);
	lg_file_result *back = lg_cache_decode_results(KEY, n, b.data, b.len);
	assert_non_null(back);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(back[i].outcome, r[i].outcome);
		assert_int_equal(back[i].level, r[i].level);
		if (r[i].class_name)
			assert_string_equal(back[i].class_name, r[i].class_name);
		else
			assert_null(back[i].class_name);
	}
	free(back);
	assert_null(lg_cache_decode_results(KEY2, n, b.data, b.len));
	assert_null(lg_cache_decode_results(KEY, n - 1, b.data, b.len));
	for (size_t i = 0; i < b.len; i++) {
		b.data[i] ^= 0x20;
		if (lg_cache_decode_results(KEY, n, b.data, b.len))
			fail_msg("byte %zu of %zu changed, results still decoded", i, b.len);
		b.data[i] ^= 0x20;
	}
	for (size_t k = 0; k < b.len; k++)
		assert_null(lg_cache_decode_results(KEY, n, b.data, k));
	/* a layer walk's entry is not a results entry, even under its key */
	lg_layer *l = make_layer();
	lg_buf w = LG_BUF_INIT;
	lg_cache_encode(KEY, rules, l, &w);
	assert_null(lg_cache_decode_results(KEY, l->nfiles, w.data, w.len));
	lg_buf_free(&w);
	lg_layer_free(l);
	/* well sealed, out of range: the last file's class index, then its
	 * outcome */
	uint32_t bad[2] = { LG_OUT_PASS, 2 };
	memcpy(b.data + b.len - 8, bad, 8);
	reseal(&b);
	assert_null(lg_cache_decode_results(KEY, n, b.data, b.len));
	bad[0] = 7;
	bad[1] = 0;
	memcpy(b.data + b.len - 8, bad, 8);
	reseal(&b);
	assert_null(lg_cache_decode_results(KEY, n, b.data, b.len));
	bad[0] = LG_OUT_PASS;
	memcpy(b.data + b.len - 8, bad, 8);
	reseal(&b);
	back = lg_cache_decode_results(KEY, n, b.data, b.len);
	assert_non_null(back);
	free(back);
	/* none at all */
	lg_buf_reset(&b);
	lg_cache_encode_results(KEY, NULL, 0, &b);
	back = lg_cache_decode_results(KEY, 0, b.data, b.len);
	assert_non_null(back);
	free(back);
	lg_buf_free(&b);
}

/* Whiteout resolutions: a round trip fills the same arrays; an entry is
 * refused for walks of other file counts or layer count, with a value
 * that names no layer above, or any byte changed. */
static void test_stack(void **state)
{
	(void)state;
	uint32_t l0[] = { 0, 3, 2, 0 }, l1[] = { 0, 3 }, l2[] = { 0 };
	const uint32_t *del[] = { l0, l1, l2 };
	size_t nfiles[] = { 4, 2, 1 };
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode_stack(KEY, 3, nfiles, del, &b);
	uint32_t o0[4], o1[2], o2[1];
	uint32_t *out[] = { o0, o1, o2 };
	lg_cache_stack *st = lg_cache_decode_stack(KEY, b.data, b.len);
	assert_non_null(st);
	assert_int_equal(lg_cache_stack_fill(st, 3, nfiles, out), 0);
	assert_memory_equal(o0, l0, sizeof(l0));
	assert_memory_equal(o1, l1, sizeof(l1));
	assert_memory_equal(o2, l2, sizeof(l2));
	size_t other[] = { 4, 3, 1 };
	assert_int_equal(lg_cache_stack_fill(st, 3, other, out), -1);
	assert_int_equal(lg_cache_stack_fill(st, 2, nfiles, out), -1);
	lg_cache_stack_free(st);
	assert_null(lg_cache_decode_stack(KEY2, b.data, b.len));
	for (size_t i = 0; i < b.len; i++) {
		b.data[i] ^= 0x20;
		st = lg_cache_decode_stack(KEY, b.data, b.len);
		if (st && lg_cache_stack_fill(st, 3, nfiles, out) == 0)
			fail_msg("byte %zu of %zu changed, resolution still used", i, b.len);
		lg_cache_stack_free(st);
		b.data[i] ^= 0x20;
	}
	/* sealed, but a file of layer 2 hidden by layer 2, or by layer 4 of 3 */
	static const uint32_t bad[] = { 2, 4 };
	for (size_t k = 0; k < LG_ARRAY_LEN(bad); k++) {
		l1[0] = bad[k];
		lg_buf_reset(&b);
		lg_cache_encode_stack(KEY, 3, nfiles, del, &b);
		st = lg_cache_decode_stack(KEY, b.data, b.len);
		assert_non_null(st);
		assert_int_equal(lg_cache_stack_fill(st, 3, nfiles, out), -1);
		lg_cache_stack_free(st);
	}
	lg_buf_free(&b);
}

/* ---- encode -> decode over walks of random layers ---------------------
 *
 * Every layer a walk makes must load back from the cache: random layers
 * (Python dist-info with RECORD chains, npm packages, REUSE sidecars,
 * hardlinks, snippets, whiteouts, tags in binaries, text rule phrases,
 * odd names) are written as tar blobs into a scratch OCI layout, walked
 * with the default rules, encoded, decoded and compared field by field. */

#define MT_TAR "application/vnd.oci.image.layer.v1.tar"

typedef struct layout {
	char dir[128];
	lg_input *in;
} layout;

static void layout_open(layout *lo)
{
	snprintf(lo->dir, sizeof(lo->dir), "/tmp/licgate-test-cache-walk.XXXXXX");
	assert_non_null(mkdtemp(lo->dir));
	cleanup_free char *blobs = lg_xasprintf("%s/blobs/sha256", lo->dir);
	cleanup_free char *mk = lg_xasprintf("mkdir -p %s && printf '%s' >%s/oci-layout", blobs,
					     "{\"imageLayoutVersion\":\"1.0.0\"}", lo->dir);
	assert_int_equal(system(mk), 0);
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_input_open(lo->dir, &lo->in, &err), 0);
}

static void layout_close(layout *lo)
{
	lg_input_free(lo->in);
	cleanup_free char *rm = lg_xasprintf("rm -rf %s", lo->dir);
	assert_int_equal(system(rm), 0);
}

/* Walk tar as an uncompressed layer blob of lo, with the default rules
 * (and per-file SHA-1/SHA-256 when hashes). */
static lg_layer *walk_tar(layout *lo, const lg_buf *tar, bool hashes)
{
	lg_hasher *h = lg_hasher_new(LG_SHA256);
	lg_hasher_update(h, tar->data, tar->len);
	char hex[sizeof(((lg_digest *)0)->str)];
	lg_hasher_final(h, hex);
	lg_hasher_free(h);
	lg_layer_desc d = { .media_type = (char *)MT_TAR, .size = (int64_t)tar->len,
			    .compression = LG_COMP_NONE };
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_digest_parse(hex, &d.digest, &err), 0);
	d.diff_id = d.digest;
	cleanup_free char *path = lg_xasprintf("%s/blobs/sha256/%s", lo->dir, hex + 7);
	write_file(path, tar->data, tar->len);
	lg_layer *l = NULL;
	lg_walk_options opts = { .file_hashes = hashes };
	if (lg_layer_scan_with(lo->in, &d, rules, &opts, &l, &err) < 0)
		fail_msg("walk: %s", lg_error_msg(&err));
	assert_true(hashes == (l->hashes != NULL) || l->nfiles == 0);
	unlink(path);
	return l;
}

/* What the random layers held, so that the test sees its generator
 * make every kind of thing it must. */
typedef struct coverage {
	size_t chains, hardlinks, dangling, sidecars, snippets, whiteouts,
	       opaques, texts, npm, python, escaped, warnings;
} coverage;

static void cover(coverage *c, const lg_layer *l)
{
	for (size_t i = 0; i < l->npackages; i++) {
		c->chains += l->packages[i].also != 0;
		c->npm += l->packages[i].kind == LG_PACKAGE_NPM;
		c->python += l->packages[i].kind == LG_PACKAGE_PYTHON;
	}
	for (size_t i = 0; i < l->ntags; i++) {
		c->snippets += l->tags[i].snippet_begin != 0;
	}
	for (size_t i = 0; i < l->nfiles; i++) {
		c->hardlinks += (l->files[i].flags & LG_FILE_HARDLINK) != 0;
		c->dangling += (l->files[i].flags & LG_FILE_DANGLING) != 0;
		c->sidecars += (l->files[i].flags & LG_FILE_SIDECAR) != 0;
		c->escaped += (l->files[i].flags & LG_FILE_ESCAPED) != 0;
	}
	for (size_t i = 0; i < l->nentries; i++) {
		c->whiteouts += l->entries[i].type == LG_ENTRY_WHITEOUT;
		c->opaques += l->entries[i].type == LG_ENTRY_OPAQUE;
	}
	c->texts += l->ntexts;
	c->warnings += l->nwarnings;
}

static void assert_same_class(const lg_classification *a, const lg_classification *b)
{
	assert_int_equal(a->level, b->level);
	assert_int_equal(a->outcome, b->outcome);
	assert_true(a->class_name == b->class_name ||
		    (a->class_name && b->class_name && !strcmp(a->class_name, b->class_name)));
	assert_int_equal(a->bad_identifier, b->bad_identifier);
	assert_int_equal(a->nevidence, b->nevidence);
	assert_int_equal(a->nomitted, b->nomitted);
	for (size_t i = 0; i < a->nevidence; i++) {
		const lg_evidence *x = &a->evidence[i], *y = &b->evidence[i];
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->level, y->level);
		assert_int_equal(x->value_len, y->value_len);
		assert_memory_equal(x->value, y->value, x->value_len);
		assert_ptr_equal(x->rule, y->rule);
		assert_int_equal(x->line, y->line);
		assert_int_equal(x->line_end, y->line_end);
		assert_int_equal(x->source_len, y->source_len);
		if (x->source_len)
			assert_memory_equal(x->source, y->source, x->source_len);
		assert_ptr_equal(x->read_as, y->read_as);
		assert_string_equal(x->id, y->id);
		assert_string_equal(x->note, y->note);
	}
}

/* Every file of a and of b (its decoded copy) classified for every target
 * of the rules, with and without the per-layer memo: one answer. */
static void assert_same_classification(const lg_layer *a, const lg_layer *b)
{
	static lg_classification x, y, z;
	for (size_t t = 0; t < lg_rules_target_count(rules); t++) {
		const lg_target *target = lg_rules_target_at(rules, t);
		lg_classify_memo memo = { 0 };
		for (size_t i = 0; i < a->nfiles; i++) {
			lg_classify(rules, target, a, &a->files[i], &x);
			lg_classify(rules, target, b, &b->files[i], &y);
			lg_classify_with(rules, target, b, &b->files[i], &memo, &z);
			assert_same_class(&x, &y);
			assert_same_class(&x, &z);
		}
	}
}

/* The walk of tar loads back from its cache entry, field by field. */
static void assert_round_trip(layout *lo, const lg_buf *tar, unsigned seed, coverage *c)
{
	/* every other layer walked for an SBOM: its hashes load back too */
	lg_layer *l = walk_tar(lo, tar, seed % 2 == 1);
	if (c)
		cover(c, l);
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode(KEY, rules, l, &b);
	lg_layer *back = lg_cache_decode(KEY, rules, b.data, b.len);
	if (!back)
		fail_msg("seed %u: a walk of %zu files, %zu tags, %zu packages did not "
			 "load back from its cache entry", seed, l->nfiles, l->ntags,
			 l->npackages);
	assert_same(l, back);
	assert_same_classification(l, back);
	lg_layer_free(back);
	lg_layer_free(l);
	lg_buf_free(&b);
}

typedef struct gen {
	struct archive *a;
	uint64_t s;        /* xorshift state */
	char *files[256];  /* names of regular files written, for hardlinks */
	size_t nfiles;
	lg_buf body;       /* scratch content */
} gen;

static uint32_t rnd(gen *g, uint32_t n)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return n ? (uint32_t)(g->s % n) : 0;
}

static const char *pick(gen *g, const char *const *v, size_t n)
{
	return v[rnd(g, (uint32_t)n)];
}
#define PICK(g, v) pick(g, v, LG_ARRAY_LEN(v))

static la_ssize_t tar_write(struct archive *a, void *ud, const void *p, size_t n)
{
	(void)a;
	lg_buf_append(ud, p, n);
	return (la_ssize_t)n;
}

/* One entry: 'f' file, 'd' directory, 'l' symlink, 'h' hardlink to link. */
static void put(gen *g, char type, const char *name, const void *data, size_t len,
		const char *link)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_pathname(e, name);
	archive_entry_set_mtime(e, 1700000000, 0);
	archive_entry_set_filetype(e, type == 'd' ? AE_IFDIR : type == 'l' ? AE_IFLNK : AE_IFREG);
	archive_entry_set_perm(e, type == 'd' ? 0755 : 0644);
	if (type == 'l')
		archive_entry_copy_symlink(e, link);
	if (type == 'h')
		archive_entry_copy_hardlink(e, link);
	archive_entry_set_size(e, type == 'f' ? (la_int64_t)len : 0);
	int r = archive_write_header(g->a, e);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) /* WARN: a name written as bytes */
		fail_msg("%s: %s", name, archive_error_string(g->a));
	if (type == 'f' && len)
		assert_int_equal(archive_write_data(g->a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
	if (type == 'f' && g->nfiles < LG_ARRAY_LEN(g->files))
		g->files[g->nfiles++] = lg_xstrdup(name);
}

static void put_text(gen *g, const char *name, const char *text)
{
	put(g, 'f', name, text, strlen(text), NULL);
}

/* Content a file may hold: tags (in binaries too, a NUL after them),
 * snippets, ignored regions, text rule phrases, repeats, long lines. */
static void content(gen *g, lg_buf *out)
{
	static const char *const exprs[] = {
		"MIT", "Apache-2.0 OR MIT", "BUSL-1.1", "GPL-2.0-only WITH Classpath-exception-2.0",
		"(MIT", "LicenseRef-acme", "mit and bsd-3-clause", "SSPL-1.0 */", "",
	};
	lg_buf_reset(out);
	for (uint32_t n = rnd(g, 6); n--;) {
		const char *e = PICK(g, exprs);
		switch (rnd(g, 9)) {
		case 0:
			lg_buf_appendf(out, "# SPDX-License-Identifier: %s\n", e);
			break;
		case 1: /* a binary: the tag runs to the next newline, NULs and all */
			lg_buf_appendf(out, "\x7f" "ELF\x02SPDX-License-Identifier: %s", e);
			lg_buf_append(out, "\0\0\x01)\xff\n", 6);
			break;
		case 2:
			lg_buf_appendf(out, "// SPDX-SnippetBegin\n// SPDX-License-Identifier: %s\n%s", e,
				       rnd(g, 2) ? "// SPDX-SnippetEnd\n" : "");
			break;
		case 3:
			lg_buf_appendf(out, "REUSE-IgnoreStart\nSPDX-License-Identifier: %s\n"
				       "REUSE-IgnoreEnd\n", e);
			break;
		case 4: { /* a text rule's phrase */
			size_t k = lg_rules_text_count(rules);
			const char *pat = k ? lg_rules_text_at(rules, rnd(g, (uint32_t)k))->pattern : "";
			if (strncmp(pat, "re:", 3) != 0)
				lg_buf_appendf(out, "This file is %s.\n", pat);
			break;
		}
		case 5: /* past the tags kept verbatim */
			for (int i = 0; i < 70; i++)
				lg_buf_appendf(out, "SPDX-License-Identifier: %s\n", i % 3 ? e : "MIT");
			break;
		case 6:
			lg_buf_appendf(out, "SPDX-License-Identifier: ");
			for (int i = 0; i < 700; i++)
				lg_buf_putc(out, (char)('A' + i % 26));
			lg_buf_putc(out, '\n');
			break;
		default:
			for (uint32_t i = rnd(g, 300); i--;)
				lg_buf_putc(out, (char)rnd(g, 256));
		}
	}
}

static void put_random_file(gen *g, const char *name)
{
	content(g, &g->body);
	put(g, 'f', name, g->body.data, g->body.len, NULL);
}

static void python_package(gen *g, unsigned k)
{
	static const char *const sites[] = { "usr/lib/python3/dist-packages",
					     "./usr/local/lib/python3.11/site-packages" };
	static const char *const lic[] = {
		"License-Expression: MIT\n", "License: BSD\n", "License: UNKNOWN\n",
		"Classifier: License :: OSI Approved :: MIT License\n",
		"Classifier: License :: OSI Approved :: MIT License\n"
		"Classifier: License :: OSI Approved :: Apache Software License\n",
		"License: Business Source License 1.1\n", "",
	};
	const char *site = PICK(g, sites);
	char name[512], rec[4096] = "";
	size_t first = g->nfiles;
	for (uint32_t i = rnd(g, 4) + 1; i--;) {
		snprintf(name, sizeof(name), "%s/pkg%u/m%u.py", site, k, i);
		put_random_file(g, name);
		if (rnd(g, 3) == 0) {
			snprintf(name, sizeof(name), "%s/pkg%u/__pycache__/m%u.cpython-311.pyc", site, k, i);
			put_random_file(g, name);
		}
	}
	/* RECORD: its own files, relative, quoted or absolute; and, for a
	 * chain, files another package's RECORD lists too */
	size_t at = 0, off = strlen(site) + 1;
	for (size_t i = first; i < g->nfiles; i++)
		if (strncmp(g->files[i], site, off - 1) == 0)
			at += (size_t)snprintf(rec + at, sizeof(rec) - at, rnd(g, 4) ? "%s,sha256=x,1\n"
					       : "\"%s\",,\n", g->files[i] + off);
	for (uint32_t n = rnd(g, 3); n-- && g->nfiles;) {
		const char *other = g->files[rnd(g, (uint32_t)g->nfiles)];
		at += (size_t)snprintf(rec + at, sizeof(rec) - at, "%s%s,,\n",
				       other[0] == '/' ? "" : "/", other);
	}
	at += (size_t)snprintf(rec + at, sizeof(rec) - at, "../../../bin/pkg%u,,\n\n"
			       "pkg%u-1.0.dist-info/RECORD,,\n", k, k);
	char meta[512];
	snprintf(meta, sizeof(meta), "%sMetadata-Version: 2.1\nName: pkg%u\n%s\nbody\n",
		 rnd(g, 5) ? "" : "\xef\xbb\xbf", k, PICK(g, lic));
	char mpath[512], rpath[512];
	snprintf(mpath, sizeof(mpath), "%s/pkg%u-1.0.dist-info/METADATA", site, k);
	snprintf(rpath, sizeof(rpath), "%s/pkg%u-1.0.dist-info/RECORD", site, k);
	if (rnd(g, 2)) {
		put_text(g, mpath, meta);
		if (rnd(g, 6))
			put_text(g, rpath, rec);
	} else {
		put_text(g, rpath, rec);
		put_text(g, mpath, meta);
	}
}

static void npm_package(gen *g, unsigned k)
{
	static const char *const pkgs[] = {
		"{\"name\":\"p\",\"license\":\"MIT\"}", "{\"license\":{\"type\":\"ISC\"}}",
		"{\"licenses\":[{\"type\":\"MIT\"},{\"type\":\"GPL-2.0\"}]}",
		"{\"licenses\":[\"BSD\"]}", "\xef\xbb\xbf{\"license\":\"(MIT OR Apache-2.0)\"}",
		"{\"license\":\"BUSL-1.1\"}", "{not json", "{\"name\":\"none\"}",
		"{\"license\":\"SEE LICENSE IN LICENSE.txt\"}",
	};
	static const char *const roots[] = { "usr/lib/node_modules", "app/node_modules",
					     "app/node_modules/a/node_modules" };
	char dir[256], name[512];
	snprintf(dir, sizeof(dir), "%s/%s%u", PICK(g, roots), rnd(g, 3) ? "" : "@scope/p", k);
	snprintf(name, sizeof(name), "%s/package.json", dir);
	put_text(g, name, PICK(g, pkgs));
	for (uint32_t i = rnd(g, 4); i--;) {
		snprintf(name, sizeof(name), "%s/lib/f%u.js", dir, i);
		put_random_file(g, name);
	}
}

static void odd_entries(gen *g, unsigned k)
{
	static const char *const odd[] = {
		"a//b/./c.txt", "../../escape.txt", "sp ace/ü.txt", "x/../y.txt", "back\\slash",
		"etc/.wh..wh.notopq", ".hidden",
	};
	char name[512];
	switch (rnd(g, 7)) {
	case 0: /* a REUSE sidecar */
		snprintf(name, sizeof(name), "share/img%u.png", k);
		put_random_file(g, name);
		snprintf(name, sizeof(name), "share/img%u.png.license", k);
		put_text(g, name, rnd(g, 2) ? "SPDX-License-Identifier: CC-BY-4.0\n"
					     : "SPDX-License-Identifier: BUSL-1.1\n");
		break;
	case 1: /* a hardlink to an earlier file (a manifest, maybe), or to none */
		snprintf(name, sizeof(name), "links/l%u%s", k, rnd(g, 2) ? "" : "/package.json");
		if (g->nfiles && rnd(g, 5))
			put(g, 'h', name, NULL, 0, g->files[rnd(g, (uint32_t)g->nfiles)]);
		else
			put(g, 'h', name, NULL, 0, "not/in/this/layer");
		break;
	case 2: /* whiteouts */
		snprintf(name, sizeof(name), "old/.wh.gone%u", k);
		put_text(g, name, "");
		snprintf(name, sizeof(name), "opq%u/.wh..wh..opq", k);
		put_text(g, name, "");
		break;
	case 3:
		snprintf(name, sizeof(name), "dir%u", k);
		put(g, 'd', name, NULL, 0, NULL);
		snprintf(name, sizeof(name), "dir%u/link", k);
		put(g, 'l', name, NULL, 0, "../elsewhere");
		break;
	case 4:
		put(g, 'd', "./", NULL, 0, NULL);
		put_text(g, ".wh..wh..opq", "");
		break;
	default:
		snprintf(name, sizeof(name), "%s%u", PICK(g, odd), k);
		put_random_file(g, name);
	}
}

/* A random layer as a pax tar in out. */
static void random_layer(unsigned seed, lg_buf *out)
{
	gen g = { .s = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed * 0x100000001b3ull) };
	g.a = archive_write_new();
	assert_int_equal(archive_write_set_format_pax_restricted(g.a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(g.a, 1), ARCHIVE_OK);
	lg_buf_reset(out);
	assert_int_equal(archive_write_open(g.a, out, NULL, tar_write, NULL), ARCHIVE_OK);
	for (uint32_t n = rnd(&g, 24), k = 0; k < n; k++) {
		switch (rnd(&g, 4)) {
		case 0: python_package(&g, k); break;
		case 1: npm_package(&g, k); break;
		default: odd_entries(&g, k);
		}
	}
	assert_int_equal(archive_write_close(g.a), ARCHIVE_OK);
	archive_write_free(g.a);
	for (size_t i = 0; i < g.nfiles; i++)
		free(g.files[i]);
	lg_buf_free(&g.body);
}

/* The case of issue 14: a Debian dist-packages layer (METADATA, RECORD)
 * with a compiled module whose tag runs into NUL bytes was written to the
 * cache and rejected when read back, on every run. */
static void test_walk_python3_dist_packages(void **state)
{
	(void)state;
	layout lo;
	layout_open(&lo);
	gen g = { .s = 1 };
	lg_buf tar = LG_BUF_INIT;
	g.a = archive_write_new();
	archive_write_set_format_pax_restricted(g.a);
	archive_write_set_bytes_in_last_block(g.a, 1);
	assert_int_equal(archive_write_open(g.a, &tar, NULL, tar_write, NULL), ARCHIVE_OK);
	const char *site = "usr/lib/python3/dist-packages";
	char name[256];
	snprintf(name, sizeof(name), "%s/attr/__init__.py", site);
	put_text(&g, name, "# SPDX-License-Identifier: MIT\n");
	static const char pyc[] = "\xa7\x0d\x0d\x0a\xe3SPDX-License-Identifier: MIT\0\0\0)\x02\n";
	snprintf(name, sizeof(name), "%s/attr/__pycache__/__init__.cpython-311.pyc", site);
	put(&g, 'f', name, pyc, sizeof(pyc) - 1, NULL);
	snprintf(name, sizeof(name), "%s/attrs-22.2.0.dist-info/METADATA", site);
	put_text(&g, name, "Metadata-Version: 2.1\nName: attrs\nLicense: MIT\n\n");
	snprintf(name, sizeof(name), "%s/attrs-22.2.0.dist-info/RECORD", site);
	put_text(&g, name, "attr/__init__.py,sha256=x,1\n"
		 "attr/__pycache__/__init__.cpython-311.pyc,,\n");
	assert_int_equal(archive_write_close(g.a), ARCHIVE_OK);
	archive_write_free(g.a);
	for (size_t i = 0; i < g.nfiles; i++)
		free(g.files[i]);
	coverage c = { 0 };
	assert_round_trip(&lo, &tar, 0, &c);
	assert_int_equal(c.python, 1);
	lg_buf_free(&tar);
	layout_close(&lo);
}

/* LG_CACHE_WALK_SEEDS random layers (default 300). */
static void test_walk_round_trip(void **state)
{
	(void)state;
	const char *env = getenv("LG_CACHE_WALK_SEEDS");
	unsigned n = env && *env ? (unsigned)strtoul(env, NULL, 10) : 300;
	layout lo;
	layout_open(&lo);
	lg_buf tar = LG_BUF_INIT;
	coverage c = { 0 };
	for (unsigned seed = 1; seed <= n; seed++) {
		random_layer(seed, &tar);
		assert_round_trip(&lo, &tar, seed, &c);
	}
	if (n >= 300) { /* every kind of thing was made, and loaded back */
		size_t *v = (size_t *)&c;
		for (size_t i = 0; i < sizeof(c) / sizeof(size_t); i++)
			if (!v[i])
				fail_msg("coverage field %zu is 0 over %u layers", i, n);
	}
	lg_buf_free(&tar);
	layout_close(&lo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_corrupt_byte),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_wrong_key_or_format),
		cmocka_unit_test(test_bad_index),
		cmocka_unit_test(test_string_framing),
		cmocka_unit_test(test_hashes_count),
		cmocka_unit_test(test_store_load),
		cmocka_unit_test(test_blob_records),
		cmocka_unit_test(test_unusable_dir),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_walk_python3_dist_packages),
		cmocka_unit_test(test_walk_round_trip),
	};
	return cmocka_run_group_tests_name("cache", tests, setup, teardown) ? 1 : 0;
}
