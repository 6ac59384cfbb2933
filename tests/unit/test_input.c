/* test_input.c - what an lg_input lets out of an image: names checked
 * before any open, symlinks in a layout directory followed only beneath it
 * (openat2, and the O_NOFOLLOW fallback that refuses them all), compressed
 * archives read to the last byte (data after the compressed stream is an
 * error; concatenated gzip members are read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "input_backend.h"
#include "util.h"

struct fixture {
	char dir[64];    /* the scratch directory */
	char layout[96]; /* dir/layout: the image layout */
};

static int fixture_setup(void **state)
{
	struct fixture *f = lg_xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof(f->dir), "%s/test-input.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->layout, sizeof(f->layout), "%s/layout", f->dir);
	char *sub = lg_xasprintf("%s/blobs", f->layout);
	int r = mkdir(f->layout, 0755) | mkdir(sub, 0755);
	free(sub);
	*state = f;
	return r;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	lg_input_layout_no_openat2(false);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void put(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void put_in(const struct fixture *f, const char *name, const char *text)
{
	char *p = lg_xasprintf("%s/%s", f->layout, name);
	put(p, text, strlen(text));
	free(p);
}

static void link_in(const struct fixture *f, const char *target, const char *name)
{
	char *p = lg_xasprintf("%s/%s", f->layout, name);
	assert_int_equal(symlink(target, p), 0);
	free(p);
}

/* Read name from the layout: 0 and its text in *text, or -1 and the
 * error message in *text. */
static int read_name(const struct fixture *f, const char *name, char **text)
{
	lg_input *in = NULL;
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_input_open(f->layout, &in, &err), 0);
	size_t len;
	int r = lg_input_read_file(in, name, 1024, text, &len, &err);
	if (r < 0)
		*text = lg_xstrdup(lg_error_msg(&err));
	lg_error_clear(&err);
	lg_input_free(in);
	return r;
}

static void assert_refused(const struct fixture *f, const char *name, const char *why)
{
	char *text;
	assert_int_equal(read_name(f, name, &text), -1);
	if (!strstr(text, why))
		fail_msg("\"%s\" does not say \"%s\"", text, why);
	free(text);
}

static void assert_reads(const struct fixture *f, const char *name, const char *want)
{
	char *text;
	int r = read_name(f, name, &text);
	if (r < 0)
		fail_msg("%s: %s", name, text);
	assert_string_equal(text, want);
	free(text);
}

/* ---- names ---- */

static void test_names_checked(void **state)
{
	struct fixture *f = *state;
	put_in(f, "index.json", "{}");
	assert_reads(f, "index.json", "{}");
	static const char *const bad[] = {
		"../index.json", "/etc/passwd", "blobs/../index.json", "./index.json",
		"blobs//x", "blobs/", "", "..", ".",
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(bad); i++)
		assert_refused(f, bad[i], "not a safe relative path");
}

/* ---- symlinks in a layout directory ---- */

static void test_symlink_inside_followed(void **state)
{
	struct fixture *f = *state;
	put_in(f, "store", "inside");
	link_in(f, "../store", "blobs/a");
	assert_reads(f, "blobs/a", "inside");
}

static void test_symlink_outside_refused(void **state)
{
	struct fixture *f = *state;
	char *outside = lg_xasprintf("%s/secret", f->dir);
	put(outside, "secret", 6);
	link_in(f, "../../secret", "blobs/rel");
	link_in(f, outside, "blobs/abs");
	link_in(f, "/etc/passwd", "blobs/passwd");
	link_in(f, "loop", "blobs/loop");
	link_in(f, "..", "up");
	free(outside);
	assert_refused(f, "blobs/rel", "symlink not followed");
	assert_refused(f, "blobs/abs", "symlink not followed");
	assert_refused(f, "blobs/passwd", "symlink not followed");
	assert_refused(f, "blobs/loop", "symlink not followed");
	assert_refused(f, "up/secret", "symlink not followed");
}

static void test_symlink_dir_outside_refused(void **state)
{
	struct fixture *f = *state;
	char *dir = lg_xasprintf("%s/elsewhere", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	char *blob = lg_xasprintf("%s/x", dir);
	put(blob, "x", 1);
	link_in(f, dir, "blobs/sha256");
	free(blob);
	free(dir);
	assert_refused(f, "blobs/sha256/x", "symlink not followed");
	lg_input_layout_no_openat2(true);
	assert_refused(f, "blobs/sha256/x", "symlink not followed");
}

static void test_fallback_refuses_every_symlink(void **state)
{
	struct fixture *f = *state;
	put_in(f, "store", "inside");
	link_in(f, "../store", "blobs/a");
	put_in(f, "blobs/plain", "plain");
	link_in(f, ".", "here");
	lg_input_layout_no_openat2(true);
	assert_refused(f, "blobs/a", "symlink not followed");
	assert_refused(f, "here/store", "symlink not followed");
	assert_reads(f, "blobs/plain", "plain");
	assert_refused(f, "blobs/none", "No such file");
}

static void test_not_regular_refused(void **state)
{
	struct fixture *f = *state;
	char *p = lg_xasprintf("%s/fifo", f->layout);
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	assert_refused(f, "fifo", "not a regular file");
	assert_refused(f, "blobs", "not a regular file");
}

/* ---- compressed archives: every byte ---- */

/* A gzip-compressed tar holding name = text, written with libarchive. */
static void write_tgz(const char *path, const char *name, const char *text)
{
	struct archive *a = archive_write_new();
	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(text));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, text, strlen(text)), (la_ssize_t)strlen(text));
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	char *buf = lg_xmalloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	return buf;
}

static int open_archive(const char *path, char **msg)
{
	lg_input *in = NULL;
	lg_error err = LG_ERROR_INIT;
	int r = lg_input_open(path, &in, &err);
	if (r == 0) {
		size_t len;
		char *text = NULL;
		r = lg_input_read_file(in, "manifest.json", 1024, &text, &len, &err);
		free(text);
	}
	*msg = r < 0 ? lg_xstrdup(lg_error_msg(&err)) : NULL;
	lg_error_clear(&err);
	lg_input_free(in);
	return r;
}

static void test_archive_trailing_garbage(void **state)
{
	struct fixture *f = *state;
	char *tgz = lg_xasprintf("%s/a.tar.gz", f->dir);
	write_tgz(tgz, "manifest.json", "[]");
	char *msg;
	assert_int_equal(open_archive(tgz, &msg), 0);
	size_t len;
	char *bytes = slurp(tgz, &len);
	memcpy(bytes + len, "GARBAGE", 7);
	put(tgz, bytes, len + 7);
	assert_int_equal(open_archive(tgz, &msg), -1);
	assert_non_null(strstr(msg, "data after the end of the compressed stream"));
	free(msg);
	/* two members, concatenated: both read */
	char *b2 = lg_xasprintf("%s/b.tar.gz", f->dir);
	write_tgz(b2, "manifest.json", "[]");
	size_t len2;
	char *second = slurp(b2, &len2);
	memcpy(bytes + len, second, len2);
	put(tgz, bytes, len + len2);
	assert_int_equal(open_archive(tgz, &msg), 0);
	free(second);
	free(b2);
	free(bytes);
	free(tgz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names_checked, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_inside_followed, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_outside_refused, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_dir_outside_refused, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_refuses_every_symlink, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_not_regular_refused, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_archive_trailing_garbage, fixture_setup, fixture_teardown),
	};
	return cmocka_run_group_tests_name("input", tests, NULL, NULL) ? 1 : 0;
}
