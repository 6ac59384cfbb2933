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
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "cache.h"
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
		assert_string_equal(a->tags[i].expr, b->tags[i].expr);
		assert_int_equal(a->tags[i].len, b->tags[i].len);
		assert_int_equal(a->tags[i].line, b->tags[i].line);
		assert_int_equal(a->tags[i].snippet_begin, b->tags[i].snippet_begin);
		assert_int_equal(a->tags[i].snippet_end, b->tags[i].snippet_end);
	}
	assert_int_equal(a->ntexts, b->ntexts);
	for (size_t i = 0; i < a->ntexts; i++)
		assert_ptr_equal(a->texts[i], b->texts[i]);
	assert_int_equal(a->npackages, b->npackages);
	for (size_t i = 0; i < a->npackages; i++) {
		assert_int_equal(a->packages[i].kind, b->packages[i].kind);
		assert_int_equal(a->packages[i].manifest, b->packages[i].manifest);
		assert_string_equal(a->packages[i].expr, b->packages[i].expr);
		assert_int_equal(a->packages[i].also, b->packages[i].also);
	}
	assert_int_equal(a->nwarnings, b->nwarnings);
	for (size_t i = 0; i < a->nwarnings; i++)
		assert_string_equal(a->warnings[i], b->warnings[i]);
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
	for (int k = 0; k < 13; k++) {
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
	assert_null(lg_cache_load(c, KEY, rules));
	lg_layer *l = make_layer();
	assert_int_equal(lg_cache_store(c, KEY, rules, l, &warning), 0);
	cleanup_free char *file = lg_xasprintf("%s/%s.layer", sub, KEY);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	lg_layer *back = lg_cache_load(c, KEY, rules);
	assert_non_null(back);
	assert_same(l, back);
	lg_layer_free(back);
	assert_null(lg_cache_load(c, KEY2, rules));
	/* a corrupt file is a miss, and a store rewrites it */
	FILE *f = fopen(file, "r+");
	fseek(f, -3, SEEK_END);
	fputc('X', f);
	fclose(f);
	assert_null(lg_cache_load(c, KEY, rules));
	assert_int_equal(lg_cache_store(c, KEY, rules, l, &warning), 0);
	back = lg_cache_load(c, KEY, rules);
	assert_non_null(back);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_corrupt_byte),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_wrong_key_or_format),
		cmocka_unit_test(test_bad_index),
		cmocka_unit_test(test_string_framing),
		cmocka_unit_test(test_store_load),
		cmocka_unit_test(test_blob_records),
		cmocka_unit_test(test_unusable_dir),
	};
	return cmocka_run_group_tests_name("cache", tests, setup, teardown) ? 1 : 0;
}
