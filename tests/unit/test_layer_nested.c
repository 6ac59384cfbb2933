/* test_layer_nested.c - nested archives walked from a tee of their bytes:
 * signatures, path joining, zip (deflated, through its central directory),
 * tar.gz, a single gzip file, archives within archives, the limits (depth,
 * members, bytes), spooling past the memory bound, and damaged archives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>

#include "layer_nested.h"
#include "util.h"

/* ---- making archives with libarchive's writers ---- */

typedef struct member {
	const char *name;
	const void *data;
	size_t len;
} member;

/* format: "zip", "tar", "tgz", "gz" (one gzip-compressed file) */
static void make(const char *format, const member *m, size_t n, lg_buf *out)
{
	struct archive *a = archive_write_new();
	if (strcmp(format, "zip") == 0) {
		archive_write_set_format_zip(a);
	} else if (strcmp(format, "gz") == 0) {
		archive_write_set_format_raw(a);
		archive_write_add_filter_gzip(a);
	} else {
		archive_write_set_format_pax_restricted(a);
		if (strcmp(format, "tgz") == 0)
			archive_write_add_filter_gzip(a);
	}
	size_t cap = 1 << 20, used = 0;
	char *buf = lg_xmalloc(cap);
	for (size_t i = 0; i < n; i++)
		cap += m[i].len * 2;
	buf = lg_xrealloc(buf, cap);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	lg_buf_reset(out);
	lg_buf_append(out, buf, used);
	free(buf);
}

/* ---- a walk that records what it saw ---- */

typedef struct seen {
	lg_nested *n;
	lg_error *err;
	lg_buf log;   /* "path=content-length\n" per member, in order */
	size_t chunk; /* feed the tee in chunks of this many bytes */
} seen;

static int feed(seen *s, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t step = s->chunk ? s->chunk : len;
	for (size_t i = 0; i < len; i += step)
		if (lg_nested_feed(s->n, b + i, len - i < step ? len - i : step, s->err) < 0)
			return -1;
	return 0;
}

static int on_member(void *ud, const char *path, size_t len, bool escaped,
		     struct archive *a, struct archive_entry *e)
{
	(void)e;
	seen *s = ud;
	assert_int_equal(strlen(path), len);
	lg_nested_start(s->n, path, len);
	uint64_t total = 0;
	const void *block;
	size_t size;
	la_int64_t off;
	int r;
	while ((r = archive_read_data_block(a, &block, &size, &off)) == ARCHIVE_OK) {
		if (lg_nested_count(s->n, size, s->err) < 0 || feed(s, block, size) < 0)
			return lg_err_prefix(s->err, "%s", path);
		total += size;
	}
	if (r != ARCHIVE_EOF)
		return lg_err(s->err, "%s: %s", path, archive_error_string(a));
	lg_buf_appendf(&s->log, "%s=%llu%s\n", path, (unsigned long long)total,
		       escaped ? " escaped" : "");
	return lg_nested_walk(s->n, path, len, on_member, s, s->err);
}

/* Walk buf as the layer file path; 0 or -1, the log in s->log. */
static int walk(seen *s, const lg_nested_limits *lim, const char *path, const lg_buf *buf)
{
	s->n = lg_nested_new(lim);
	lg_buf_reset(&s->log);
	lg_nested_start(s->n, path, strlen(path));
	int r = feed(s, buf->data, buf->len);
	if (r == 0)
		r = lg_nested_walk(s->n, path, strlen(path), on_member, s, s->err);
	assert_int_equal(lg_nested_depth(s->n), 0);
	lg_nested_free(s->n);
	return r;
}

static char big[300000];

static void fill_big(void)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)("SPDX-License-Identifier: BUSL-1.1\n"[i % 34]);
}

/* ---- cases ---- */

static void test_sniff(void **state)
{
	(void)state;
	static const struct {
		const char *head;
		size_t len;
		enum lg_nested_kind want;
	} cases[] = {
		{ "PK\3\4rest", 9, LG_NESTED_ZIP },
		{ "PK\5\6", 4, LG_NESTED_ZIP },
		{ "PK\3", 3, LG_NESTED_NONE },
		{ "\x1f\x8b\x08\0", 4, LG_NESTED_COMPRESSED },
		{ "\x1f\x8b", 2, LG_NESTED_NONE },
		{ "\x28\xb5\x2f\xfd", 4, LG_NESTED_COMPRESSED },
		{ "\xfd" "7zXZ\0", 6, LG_NESTED_COMPRESSED },
		{ "BZh9", 4, LG_NESTED_COMPRESSED },
		{ "BZh!", 4, LG_NESTED_NONE },
		{ "070701", 6, LG_NESTED_CPIO },
		{ "!<arch>\n", 8, LG_NESTED_AR },
		{ "7z\xbc\xaf\x27\x1c\0\4", 8, LG_NESTED_7ZIP },
		{ "7z\xbc\xaf", 4, LG_NESTED_NONE },
		{ "Rar!\x1a\x07\x00", 7, LG_NESTED_RAR },
		{ "Rar!\x1a\x07\x01\x00", 8, LG_NESTED_RAR },
		{ "Rar!\x1a\x07\x02", 7, LG_NESTED_NONE },
		{ "MSCF\0\0\0\0", 8, LG_NESTED_CAB },
		{ "MSCF", 4, LG_NESTED_NONE },
		{ "#!/bin/sh\n", 10, LG_NESTED_NONE },
		{ "", 0, LG_NESTED_NONE },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++)
		assert_int_equal(lg_nested_sniff(cases[i].head, cases[i].len), cases[i].want);
	char tar[512] = { 0 };
	memcpy(tar + 257, "ustar", 5);
	assert_int_equal(lg_nested_sniff(tar, sizeof(tar)), LG_NESTED_TAR);
	assert_int_equal(lg_nested_sniff(tar, 260), LG_NESTED_NONE);
}

static void test_join(void **state)
{
	(void)state;
	static const struct {
		const char *c, *m, *want;
		bool escaped;
	} cases[] = {
		{ "/srv/lib/app.jar", "com/acme/ee/Sso.java", "/srv/lib/app.jar!/com/acme/ee/Sso.java", false },
		{ "/a.tgz!/dist/app.war", "WEB-INF/lib/x.jar", "/a.tgz!/dist/app.war!/WEB-INF/lib/x.jar", false },
		{ "/a.jar", "./x//y/./z", "/a.jar!/x/y/z", false },
		{ "/a.jar", "../../etc/passwd", "/a.jar!/etc/passwd", true },
		{ "/a.jar", "x/../../y", "/a.jar!/y", true },
		{ "/a.jar", "/abs/path", "/a.jar!/abs/path", false },
		{ "/a.js.gz", "", "/a.js.gz!/", false },
		{ "/a.jar", "dir/", "/a.jar!/dir", false },
	};
	lg_buf out = LG_BUF_INIT;
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		bool esc = !cases[i].escaped;
		lg_nested_join(cases[i].c, strlen(cases[i].c), cases[i].m, strlen(cases[i].m), &out, &esc);
		assert_string_equal(out.data, cases[i].want);
		assert_int_equal(esc, cases[i].escaped);
	}
	lg_buf_free(&out);
}

static void test_zip_members(void **state)
{
	(void)state;
	fill_big();
	member m[] = { { "com/acme/Sso.java", big, sizeof(big) }, { "META-INF/MANIFEST.MF", "x\n", 2 } };
	lg_buf zip = LG_BUF_INIT;
	make("zip", m, 2, &zip);
	assert_true(zip.len < sizeof(big) / 4); /* deflated */
	lg_error err = { 0 };
	seen s = { .err = &err };
	assert_int_equal(walk(&s, NULL, "/srv/app.jar", &zip), 0);
	assert_string_equal(s.log.data, "/srv/app.jar!/com/acme/Sso.java=300000\n"
					"/srv/app.jar!/META-INF/MANIFEST.MF=2\n");
	/* the same, fed in small chunks and spooled past a 512-byte memory */
	s.chunk = 7;
	lg_nested_limits lim = { .mem_bytes = 512 };
	assert_int_equal(walk(&s, &lim, "/srv/app.jar", &zip), 0);
	assert_string_equal(s.log.data, "/srv/app.jar!/com/acme/Sso.java=300000\n"
					"/srv/app.jar!/META-INF/MANIFEST.MF=2\n");
	lg_buf_free(&s.log);
	lg_buf_free(&zip);
}

static void test_not_an_archive(void **state)
{
	(void)state;
	lg_buf b = LG_BUF_INIT;
	lg_buf_append(&b, "hello\n", 6);
	lg_error err = { 0 };
	seen s = { .err = &err };
	assert_int_equal(walk(&s, NULL, "/hello", &b), 0);
	assert_int_equal(s.log.len, 0);
	lg_buf_free(&s.log);
	lg_buf_free(&b);
}

/* a jar in a war in a tgz, and a gzip-compressed single file in the jar */
static void test_nested(void **state)
{
	(void)state;
	lg_buf gz = LG_BUF_INIT, jar = LG_BUF_INIT, war = LG_BUF_INIT, tgz = LG_BUF_INIT;
	member one[] = { { "data", "console.log(1)\n", 15 } };
	make("gz", one, 1, &gz);
	member j[] = { { "com/acme/Sso.java", "class Sso {}\n", 13 }, { "static/sso.js.gz", gz.data, gz.len } };
	make("zip", j, 2, &jar);
	member w[] = { { "WEB-INF/lib/acme-ee.jar", jar.data, jar.len } };
	make("zip", w, 1, &war);
	member t[] = { { "dist/app.war", war.data, war.len }, { "../escape", "x", 1 } };
	make("tgz", t, 2, &tgz);
	lg_error err = { 0 };
	seen s = { .err = &err };
	assert_int_equal(walk(&s, NULL, "/srv/bundle.tgz", &tgz), 0);
	char want[2048];
	snprintf(want, sizeof(want),
		 "/srv/bundle.tgz!/dist/app.war=%zu\n"
		 "/srv/bundle.tgz!/dist/app.war!/WEB-INF/lib/acme-ee.jar=%zu\n"
		 "/srv/bundle.tgz!/dist/app.war!/WEB-INF/lib/acme-ee.jar!/com/acme/Sso.java=13\n"
		 "/srv/bundle.tgz!/dist/app.war!/WEB-INF/lib/acme-ee.jar!/static/sso.js.gz=%zu\n"
		 "/srv/bundle.tgz!/dist/app.war!/WEB-INF/lib/acme-ee.jar!/static/sso.js.gz!/=15\n"
		 "/srv/bundle.tgz!/escape=1 escaped\n",
		 war.len, jar.len, gz.len);
	assert_string_equal(s.log.data, want);

	/* depth: the tgz's war is level 2, the jar 3, the gz 4 */
	lg_nested_limits lim = { .max_depth = 3 };
	assert_int_equal(walk(&s, &lim, "/srv/bundle.tgz", &tgz), -1);
	assert_non_null(strstr(lg_error_msg(&err), "sso.js.gz: archives nested more than 3 deep (limit)"));
	lim.max_depth = 4;
	assert_int_equal(walk(&s, &lim, "/srv/bundle.tgz", &tgz), 0);

	/* members: 6 in all */
	lim = (lg_nested_limits){ .max_members = 5 };
	assert_int_equal(walk(&s, &lim, "/srv/bundle.tgz", &tgz), -1);
	assert_non_null(strstr(lg_error_msg(&err), "more than 5 archive members in one layer (limit)"));
	lim.max_members = 6;
	assert_int_equal(walk(&s, &lim, "/srv/bundle.tgz", &tgz), 0);

	/* bytes */
	lim = (lg_nested_limits){ .max_bytes = war.len };
	assert_int_equal(walk(&s, &lim, "/srv/bundle.tgz", &tgz), -1);
	assert_non_null(strstr(lg_error_msg(&err), "acme-ee.jar: archive members expand to more than"));
	lg_error_clear(&err);
	lg_buf_free(&s.log);
	lg_buf_free(&gz);
	lg_buf_free(&jar);
	lg_buf_free(&war);
	lg_buf_free(&tgz);
}

static void test_damaged(void **state)
{
	(void)state;
	lg_error err = { 0 };
	seen s = { .err = &err };
	lg_buf b = LG_BUF_INIT;
	/* a zip signature and nothing of a zip after it */
	lg_buf_append(&b, "PK\3\4", 4);
	for (int i = 0; i < 600; i++)
		lg_buf_putc(&b, (char)i);
	assert_int_equal(walk(&s, NULL, "/srv/x.bin", &b), -1);
	assert_non_null(strstr(lg_error_msg(&err), "/srv/x.bin: unreadable archive"));
	/* a zip cut short: its central directory is gone */
	member m[] = { { "a.txt", big, sizeof(big) } };
	make("zip", m, 1, &b);
	b.len /= 2;
	assert_int_equal(walk(&s, NULL, "/srv/cut.jar", &b), -1);
	assert_non_null(strstr(lg_error_msg(&err), "/srv/cut.jar"));
	/* a truncated gzip */
	make("tgz", m, 1, &b);
	b.len /= 2;
	assert_int_equal(walk(&s, NULL, "/srv/cut.tgz", &b), -1);
	assert_non_null(strstr(lg_error_msg(&err), "cut.tgz"));
	lg_error_clear(&err);
	lg_buf_free(&s.log);
	lg_buf_free(&b);
}

/* A brotli stream of one uncompressed meta-block (RFC 7932 9.2): WBITS
 * 16, MLEN, ISUNCOMPRESSED, then the bytes, then an empty last block. */
static void brotli_stored(const char *text, lg_buf *out)
{
	size_t n = strlen(text);
	uint32_t bits = 0u | 0u << 1 | 0u << 2 | (uint32_t)(n - 1) << 4 | 1u << 20;
	lg_buf_reset(out);
	for (int i = 0; i < 3; i++)
		lg_buf_putc(out, (char)(bits >> (8 * i)));
	lg_buf_append(out, text, n);
	lg_buf_putc(out, 3); /* ISLAST, ISLASTEMPTY */
}

static void test_brotli(void **state)
{
	(void)state;
	lg_error err = { 0 };
	seen s = { .err = &err };
	lg_buf b = LG_BUF_INIT;
	brotli_stored("/* SPDX-License-Identifier: BUSL-1.1 */\n", &b);
	assert_int_equal(walk(&s, NULL, "/srv/static/sso.js.br", &b), 0);
	assert_string_equal(s.log.data, "/srv/static/sso.js.br!/=40\n");
	/* the same bytes under another name: not descended into */
	assert_int_equal(walk(&s, NULL, "/srv/static/sso.js", &b), 0);
	assert_int_equal(s.log.len, 0);
	/* a .br that is not brotli, and one cut short */
	lg_buf junk = LG_BUF_INIT;
	lg_buf_append(&junk, "\xff\xff\xff not brotli", 15);
	assert_int_equal(walk(&s, NULL, "/x.br", &junk), -1);
	assert_non_null(strstr(lg_error_msg(&err), "/x.br: unreadable archive"));
	b.len -= 5;
	assert_int_equal(walk(&s, NULL, "/cut.br", &b), -1);
	assert_non_null(strstr(lg_error_msg(&err), "/cut.br!/: truncated brotli stream"));
	lg_error_clear(&err);
	lg_buf_free(&junk);
	lg_buf_free(&s.log);
	lg_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_zip_members),
		cmocka_unit_test(test_not_an_archive),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_brotli),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
