/* test_layer.c - lg_layer_scan end to end on layer blobs the test writes
 * into a temporary OCI layout: files, paths, sizes, tags, XXH3, hardlinks,
 * whiteouts, gzip, and every way a blob can fail to match its descriptor
 * (digest, diff_id, media type, size, truncation), plus the umoci tar that
 * ends right after its last entry's data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <archive.h>
#include <dlfcn.h>
#include <archive_entry.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "blob.h"
#include "input.h"
#include "layer.h"
#include "oci.h"
#include "rules.h"
#include "util.h"

#define MT_TAR "application/vnd.oci.image.layer.v1.tar"
#define MT_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

/* ---- building tar streams with libarchive ---- */

/* One tar entry: 'f' file, 'd' directory, 'l' symlink to link, 'h' hardlink
 * to link. */
struct ent {
	char type;
	const char *name;
	const char *data;
	size_t len;
	const char *link;
};

#define FILE_(n, s) { 'f', n, s, sizeof(s) - 1, NULL }
#define DIR_(n) { 'd', n, NULL, 0, NULL }
#define SYMLINK_(n, t) { 'l', n, NULL, 0, t }
#define HARDLINK_(n, t) { 'h', n, NULL, 0, t }

static la_ssize_t buf_write(struct archive *a, void *ud, const void *p, size_t n)
{
	(void)a;
	lg_buf_append(ud, p, n);
	return (la_ssize_t)n;
}

/* A pax (restricted) tar of the entries, ending with its two zero blocks
 * and no further padding. */
static void build_tar(const struct ent *e, size_t n, lg_buf *out)
{
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	lg_buf_reset(out);
	assert_int_equal(archive_write_open(a, out, NULL, buf_write, NULL), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_copy_pathname(ae, e[i].name);
		archive_entry_set_mtime(ae, 1700000000, 0);
		switch (e[i].type) {
		case 'f':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
			archive_entry_set_size(ae, (la_int64_t)e[i].len);
			break;
		case 'd':
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_perm(ae, 0777);
			archive_entry_copy_symlink(ae, e[i].link);
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
			archive_entry_copy_hardlink(ae, e[i].link);
			archive_entry_set_size(ae, 0);
			break;
		default:
			fail_msg("bad entry type %c", e[i].type);
		}
		/* WARN: a name that is not text in this locale, written as
		 * bytes (hdrcharset=BINARY) */
		int r = archive_write_header(a, ae);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			fail_msg("%s: %s", e[i].name, archive_error_string(a));
		if (e[i].len)
			assert_int_equal(archive_write_data(a, e[i].data, e[i].len),
					 (la_ssize_t)e[i].len);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	assert_int_equal(out->len % 512, 0);
}

/* data compressed with gzip (libarchive's raw format plus a filter). */
static void gzip_bytes(const void *data, size_t len, lg_buf *out)
{
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	lg_buf_reset(out);
	assert_int_equal(archive_write_open(a, out, NULL, buf_write, NULL), ARCHIVE_OK);
	struct archive_entry *ae = archive_entry_new();
	archive_entry_set_pathname(ae, "layer.tar");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_size(ae, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
	if (len)
		assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(ae);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	assert_true(out->len > 10);
	assert_int_equal((unsigned char)out->data[0], 0x1f);
	assert_int_equal((unsigned char)out->data[1], 0x8b);
}

/* ---- the layout directory ---- */

struct fixture {
	char dir[256];
	lg_input *in;
	lg_buf tar, gz; /* scratch */
};

static void sha256_of(const void *data, size_t len, lg_digest *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	assert_true(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL));
	char s[8 + 64 + 1] = "sha256:";
	for (unsigned int i = 0; i < n; i++)
		snprintf(s + 7 + 2 * i, 3, "%02x", md[i]);
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_digest_parse(s, out, &err), 0);
}

/* Write data as the blob named d (whatever its content hashes to). */
static void put_blob_as(struct fixture *fx, const lg_digest *d, const void *data,
			size_t len)
{
	char *path = lg_xasprintf("%s/blobs/sha256/%s", fx->dir, lg_digest_hex(d));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (len)
		assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static void put_blob(struct fixture *fx, const void *data, size_t len, lg_digest *d)
{
	sha256_of(data, len, d);
	put_blob_as(fx, d, data, len);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *fx = lg_xcalloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");
	snprintf(fx->dir, sizeof(fx->dir), "%s/test_layer.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir))
		return -1;
	char *p = lg_xasprintf("%s/blobs", fx->dir);
	mkdir(p, 0755);
	free(p);
	p = lg_xasprintf("%s/blobs/sha256", fx->dir);
	mkdir(p, 0755);
	free(p);
	p = lg_xasprintf("%s/oci-layout", fx->dir);
	FILE *f = fopen(p, "w");
	free(p);
	if (!f)
		return -1;
	fputs("{\"imageLayoutVersion\":\"1.0.0\"}", f);
	fclose(f);
	lg_error err = LG_ERROR_INIT;
	if (lg_input_open(fx->dir, &fx->in, &err) < 0) {
		fprintf(stderr, "%s\n", lg_error_msg(&err));
		lg_error_clear(&err);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	lg_input_free(fx->in);
	lg_buf_free(&fx->tar);
	lg_buf_free(&fx->gz);
	int r = nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return r;
}

/* A descriptor for the blob d of size bytes. */
static lg_layer_desc make_desc(const char *media_type, enum lg_compression c,
			       const lg_digest *d, size_t size, const lg_digest *diff_id)
{
	lg_layer_desc desc = {
		.media_type = (char *)media_type,
		.digest = *d,
		.size = (int64_t)size,
		.compression = c,
		.diff_id = *diff_id,
	};
	return desc;
}

/* Store tar as an uncompressed layer blob and describe it. */
static lg_layer_desc tar_layer(struct fixture *fx, const void *tar, size_t len)
{
	lg_digest d;
	put_blob(fx, tar, len, &d);
	return make_desc(MT_TAR, LG_COMP_NONE, &d, len, &d);
}

/* Store tar gzip-compressed and describe it. */
static lg_layer_desc gzip_layer(struct fixture *fx, const void *tar, size_t len)
{
	lg_digest d, diff;
	sha256_of(tar, len, &diff);
	gzip_bytes(tar, len, &fx->gz);
	put_blob(fx, fx->gz.data, fx->gz.len, &d);
	return make_desc(MT_GZIP, LG_COMP_GZIP, &d, fx->gz.len, &diff);
}

/* Scan desc: the layer, or NULL with *msg (caller frees) set. */
static lg_layer *scan(struct fixture *fx, const lg_layer_desc *desc, char **msg)
{
	lg_error err = LG_ERROR_INIT;
	lg_layer *l = (lg_layer *)0x1;
	int r = lg_layer_scan(fx->in, desc, NULL, &l, &err);
	*msg = NULL;
	if (r < 0) {
		assert_int_equal(r, -1);
		assert_ptr_equal(l, (lg_layer *)0x1); /* untouched */
		assert_non_null(err.msg);
		*msg = lg_xstrdup(err.msg);
		lg_error_clear(&err);
		return NULL;
	}
	assert_int_equal(r, 0);
	assert_non_null(l);
	assert_ptr_not_equal(l, (lg_layer *)0x1);
	return l;
}

static lg_layer *scan_ok(struct fixture *fx, const lg_layer_desc *desc)
{
	char *msg;
	lg_layer *l = scan(fx, desc, &msg);
	if (!l)
		fail_msg("scan failed: %s", msg);
	return l;
}

static char *scan_fail(struct fixture *fx, const lg_layer_desc *desc)
{
	char *msg;
	lg_layer *l = scan(fx, desc, &msg);
	if (l) {
		lg_layer_free(l);
		fail_msg("scan succeeded, want an error");
	}
	return msg;
}

static void assert_contains(const char *s, const char *sub)
{
	if (!s || !strstr(s, sub))
		fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", sub);
}

/* ---- checking a layer ---- */

static const lg_file *find_file(const lg_layer *l, const char *path)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (l->files[i].len == strlen(path) && memcmp(l->files[i].path, path, l->files[i].len) == 0)
			return &l->files[i];
	fail_msg("no file %s in the layer", path);
	return NULL;
}

static void assert_xxh3(const lg_file *f, const void *data, size_t len)
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(data, len));
	if (memcmp(f->xxh3, c.digest, sizeof(f->xxh3)) != 0)
		fail_msg("%s: xxh3 differs from XXH3_128bits of its content", f->path);
}

/* The file's tags as "LINE:EXPR\n" lines. */
static char *tags_of(const lg_layer *l, const lg_file *f)
{
	lg_buf b = LG_BUF_INIT;
	assert_true((size_t)f->first_tag + f->ntags <= l->ntags);
	for (uint32_t i = 0; i < f->ntags; i++) {
		const lg_tag *t = &l->tags[f->first_tag + i];
		assert_int_equal(strlen(t->expr), t->len);
		lg_buf_appendf(&b, "%llu:%s\n", (unsigned long long)t->line, t->expr);
	}
	return lg_buf_steal(&b);
}

static void assert_tags(const lg_layer *l, const lg_file *f, const char *want)
{
	char *got = tags_of(l, f);
	if (strcmp(got, want) != 0)
		fail_msg("%s: tags\n%s\nwant\n%s", f->path, got, want);
	free(got);
}

/* The entries as "T PATH\n" lines (T: f d o W O). */
static char *entries_of(const lg_layer *l)
{
	lg_buf b = LG_BUF_INIT;
	for (size_t i = 0; i < l->nentries; i++) {
		const lg_entry *e = &l->entries[i];
		assert_int_equal(strlen(e->path), e->len);
		static const char types[] = "fdoWO";
		assert_true(e->type < 5);
		lg_buf_appendf(&b, "%c %s\n", types[e->type], e->path);
	}
	return lg_buf_steal(&b);
}

static void assert_entries(const lg_layer *l, const char *want)
{
	char *got = entries_of(l);
	if (strcmp(got, want) != 0)
		fail_msg("entries\n%s\nwant\n%s", got, want);
	free(got);
}

static bool has_warning(const lg_layer *l, const char *sub)
{
	for (size_t i = 0; i < l->nwarnings; i++)
		if (strstr(l->warnings[i], sub))
			return true;
	return false;
}

/* ---- a typical layer ---- */

static const char MAIN_C[] =
	"// SPDX-License-Identifier: MIT\n"
	"int main(void) { return 0; }\r\n"
	"/* SPDX-License-Identifier: ISC */\n";
static const char ESCAPE[] = "#!/bin/sh\n# SPDX-License-Identifier: BUSL-1.1";

/* A content larger than the walk's read buffer, with tags at its start,
 * across the 128 KiB mark and at its end (no newline). */
static char *big_content(size_t *len)
{
	lg_buf b = LG_BUF_INIT;
	lg_buf_append(&b, "SPDX-License-Identifier: Apache-2.0\n", 36);
	unsigned line = 2;
	while (b.len < 128 * 1024 - 10) {
		lg_buf_appendf(&b, "%08u\n", line);
		line++;
	}
	lg_buf_append(&b, "SPDX-License-Identifier: GPL-2.0-only\n", 38);
	while (b.len < 300 * 1024)
		lg_buf_append(&b, "0123456789abcdef\n", 17);
	lg_buf_append(&b, "SPDX-License-Identifier: 0BSD", 29);
	*len = b.len;
	return lg_buf_steal(&b);
}

static void check_typical(const lg_layer *l, const char *big, size_t big_len,
			  size_t tar_len)
{
	assert_entries(l,
		       "d /\n"
		       "d /app\n"
		       "f /app/main.c\n"
		       "f /app/empty\n"
		       "o /app/link\n"
		       "f /abs/x\n"
		       "f /escape\n"
		       "f /app/big.txt\n"
		       "f /app/caf\xc3\xa9.txt\n"
		       "f /app/\xff\xfe.bin\n");
	assert_int_equal(l->nfiles, 7);

	const lg_file *f = find_file(l, "/app/main.c");
	assert_int_equal(f->size, sizeof(MAIN_C) - 1);
	assert_int_equal(f->mode, AE_IFREG | 0644);
	assert_int_equal(f->flags, 0);
	assert_int_equal(l->entries[f->entry].type, LG_ENTRY_FILE);
	assert_ptr_equal(l->entries[f->entry].path, f->path);
	assert_xxh3(f, MAIN_C, sizeof(MAIN_C) - 1);
	assert_tags(l, f, "1:MIT\n3:ISC\n");

	f = find_file(l, "/app/empty");
	assert_int_equal(f->size, 0);
	assert_xxh3(f, "", 0);
	assert_tags(l, f, "");

	f = find_file(l, "/abs/x");
	assert_int_equal(f->size, 5);
	assert_xxh3(f, "hello", 5);
	assert_tags(l, f, "");

	f = find_file(l, "/escape");
	assert_true(f->flags & LG_FILE_ESCAPED);
	assert_xxh3(f, ESCAPE, sizeof(ESCAPE) - 1);
	assert_tags(l, f, "2:BUSL-1.1\n");
	assert_true(has_warning(l, "tries to leave the root"));

	f = find_file(l, "/app/big.txt");
	assert_int_equal(f->size, big_len);
	assert_xxh3(f, big, big_len);
	/* count the lines instead of reasoning about them */
	size_t gpl_line = 1, last_line = 1;
	const char *gpl = strstr(big, "SPDX-License-Identifier: GPL");
	for (const char *p = big; p < gpl; p++)
		gpl_line += *p == '\n';
	for (size_t i = 0; i < big_len; i++)
		last_line += big[i] == '\n';
	char *want = lg_xasprintf("1:Apache-2.0\n%zu:GPL-2.0-only\n%zu:0BSD\n", gpl_line, last_line);
	assert_tags(l, f, want);
	free(want);

	f = find_file(l, "/app/caf\xc3\xa9.txt");
	assert_int_equal(f->size, 0);
	f = find_file(l, "/app/\xff\xfe.bin");
	assert_int_equal(f->size, 1);
	assert_xxh3(f, "\xff", 1);

	assert_int_equal(l->content_bytes, sizeof(MAIN_C) - 1 + 5 + sizeof(ESCAPE) - 1 + big_len + 1);
	assert_int_equal(l->tar_bytes, tar_len);
	/* a well-formed tar: the only warning is the escape */
	assert_int_equal(l->nwarnings, 1);
}

static void build_typical(struct fixture *fx, char **big, size_t *big_len)
{
	*big = big_content(big_len);
	const struct ent e[] = {
		DIR_("./"),
		DIR_("./app/"),
		FILE_("./app/main.c", MAIN_C),
		FILE_("app/empty", ""),
		SYMLINK_("app/link", "main.c"),
		FILE_("/abs//x", "hello"),
		FILE_("app/../../escape", ESCAPE),
		{ 'f', "app/./big.txt", *big, *big_len, NULL },
		FILE_("app/caf\xc3\xa9.txt", ""),
		FILE_("app/\xff\xfe.bin", "\xff"),
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
}

static void test_typical(void **state)
{
	struct fixture *fx = *state;
	char *big;
	size_t big_len;
	build_typical(fx, &big, &big_len);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	check_typical(l, big, big_len, fx->tar.len);
	lg_layer_free(l);
	free(big);
}

/* The same layer gzip-compressed, declared gzip or left to detection. */
static void test_gzip(void **state)
{
	struct fixture *fx = *state;
	char *big;
	size_t big_len;
	build_typical(fx, &big, &big_len);
	lg_layer_desc d = gzip_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	check_typical(l, big, big_len, fx->tar.len);
	lg_layer_free(l);
	d.compression = LG_COMP_DETECT;
	d.media_type = (char *)"application/vnd.docker.image.rootfs.diff.tar.gzip";
	l = scan_ok(fx, &d);
	check_typical(l, big, big_len, fx->tar.len);
	lg_layer_free(l);
	free(big);
}

/* A gzip layer is read as gzip -dc reads it: a second member is part of
 * it, bytes after the last member are not. */
static void test_gzip_members(void **state)
{
	struct fixture *fx = *state;
	char *big;
	size_t big_len;
	build_typical(fx, &big, &big_len);
	lg_digest d, diff;
	sha256_of(fx->tar.data, fx->tar.len, &diff);
	lg_buf two = LG_BUF_INIT;
	size_t half = fx->tar.len / 2;
	gzip_bytes(fx->tar.data, half, &fx->gz);
	lg_buf_append(&two, fx->gz.data, fx->gz.len);
	gzip_bytes(fx->tar.data + half, fx->tar.len - half, &fx->gz);
	lg_buf_append(&two, fx->gz.data, fx->gz.len);
	put_blob(fx, two.data, two.len, &d);
	lg_layer_desc desc = make_desc(MT_GZIP, LG_COMP_GZIP, &d, two.len, &diff);
	lg_layer *l = scan_ok(fx, &desc);
	check_typical(l, big, big_len, fx->tar.len);
	lg_layer_free(l);
	lg_buf_append(&two, "junk", 4);
	put_blob(fx, two.data, two.len, &d);
	desc = make_desc(MT_GZIP, LG_COMP_GZIP, &d, two.len, &diff);
	char *msg = scan_fail(fx, &desc);
	assert_contains(msg, "trailing garbage after gzip data");
	free(msg);
	lg_buf_free(&two);
	free(big);
}

/* Docker's media type leaves compression to detection: a plain tar too. */
static void test_detect_plain(void **state)
{
	struct fixture *fx = *state;
	char *big;
	size_t big_len;
	build_typical(fx, &big, &big_len);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	d.compression = LG_COMP_DETECT;
	d.media_type = (char *)"application/vnd.docker.image.rootfs.diff.tar.gzip";
	lg_layer *l = scan_ok(fx, &d);
	check_typical(l, big, big_len, fx->tar.len);
	lg_layer_free(l);
	free(big);
}

/* A sparse file hashes as its full content, holes as zeros. */
static void test_sparse(void **state)
{
	struct fixture *fx = *state;
	enum { SIZE = 3 * 65536 };
	char *full = lg_xcalloc(1, SIZE);
	memcpy(full + 4096, "SPDX-License-Identifier: MIT\n", 29);
	memcpy(full + 2 * 65536, "tail data\n", 10);
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	lg_buf_reset(&fx->tar);
	assert_int_equal(archive_write_open(a, &fx->tar, NULL, buf_write, NULL), ARCHIVE_OK);
	struct archive_entry *ae = archive_entry_new();
	archive_entry_set_pathname(ae, "sparse");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, SIZE);
	archive_entry_sparse_add_entry(ae, 4096, 4096);
	archive_entry_sparse_add_entry(ae, 2 * 65536, 4096);
	assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, full, SIZE), SIZE);
	archive_entry_free(ae);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	/* the holes are not stored */
	assert_true(fx->tar.len < SIZE / 2);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	assert_int_equal(l->nfiles, 1);
	const lg_file *f = find_file(l, "/sparse");
	assert_int_equal(f->size, SIZE);
	assert_xxh3(f, full, SIZE);
	assert_tags(l, f, "1:MIT\n");
	lg_layer_free(l);
	free(full);
}

/* ---- hardlinks ---- */

static void test_hardlinks(void **state)
{
	struct fixture *fx = *state;
	static const char a[] = "x\n// SPDX-License-Identifier: BUSL-1.1\n";
	const struct ent e[] = {
		FILE_("first", "// SPDX-License-Identifier: MIT\n"),
		FILE_("dir/a", a),
		HARDLINK_("dir/b", "dir/a"),
		HARDLINK_("c", "./dir/../dir/a"),
		HARDLINK_("dangling", "not/here"),
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	assert_entries(l, "f /first\nf /dir/a\nf /dir/b\nf /c\nf /dangling\n");
	assert_int_equal(l->nfiles, 5);
	const lg_file *t = find_file(l, "/dir/a");
	assert_int_equal(t->flags, 0);
	assert_tags(l, t, "2:BUSL-1.1\n");
	static const char *const links[] = { "/dir/b", "/c" };
	for (size_t i = 0; i < LG_ARRAY_LEN(links); i++) {
		const lg_file *f = find_file(l, links[i]);
		assert_int_equal(f->flags, LG_FILE_HARDLINK);
		assert_int_equal(f->size, sizeof(a) - 1);
		assert_memory_equal(f->xxh3, t->xxh3, 16);
		assert_xxh3(f, a, sizeof(a) - 1);
		assert_int_equal(f->first_tag, t->first_tag);
		assert_int_equal(f->ntags, 1);
		assert_tags(l, f, "2:BUSL-1.1\n");
	}
	const lg_file *f = find_file(l, "/dangling");
	assert_int_equal(f->flags, LG_FILE_HARDLINK | LG_FILE_DANGLING);
	assert_int_equal(f->ntags, 0);
	assert_true(has_warning(l, "not/here"));
	/* the tags table is not duplicated for links */
	assert_int_equal(l->ntags, 2);
	lg_layer_free(l);
}

/* A package manifest that is a hardlink to an earlier manifest is read as
 * one: its package gets the declared license. */
static void test_hardlink_manifest(void **state)
{
	struct fixture *fx = *state;
	const struct ent e[] = {
		FILE_("app/node_modules/a/package.json", "{\"name\": \"a\", \"license\": \"BUSL-1.1\"}"),
		HARDLINK_("app/node_modules/b/package.json", "app/node_modules/a/package.json"),
		FILE_("app/node_modules/b/index.js", "x\n"),
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	assert_int_equal(l->npackages, 2);
	const lg_file *m = find_file(l, "/app/node_modules/b/package.json");
	const lg_file *js = find_file(l, "/app/node_modules/b/index.js");
	assert_int_equal(m->flags, LG_FILE_HARDLINK);
	assert_int_not_equal(js->package, 0);
	const lg_package *p = &l->packages[js->package - 1];
	assert_string_equal(l->files[p->manifest].path, "/app/node_modules/b/package.json");
	assert_string_equal(p->expr, "BUSL-1.1");
	lg_layer_free(l);
}

/* A tar header with a bad checksum: libarchive would skip it and resync,
 * leaving the entry unscanned; the walk must fail instead. */
static void test_bad_header_checksum(void **state)
{
	struct fixture *fx = *state;
	const struct ent e[] = {
		FILE_("ok", "fine\n"),
		FILE_("hidden", "// SPDX-License-Identifier: BUSL-1.1\n"),
		FILE_("after", "fine\n"),
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
	/* pax restricted: "ok" is header 0 + 1 data block; "hidden" at 1024 */
	assert_memory_equal(fx->tar.data + 1024, "hidden", 6);
	fx->tar.data[1024] = 'H';
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	char *msg = scan_fail(fx, &d);
	assert_contains(msg, "bad tar header checksum at offset 1024");
	free(msg);
}

/* A NUL byte inside a pax path: libarchive would cut the name there and
 * the file would be scanned under another path; the walk refuses it. */
static void test_pax_path_nul(void **state)
{
	struct fixture *fx = *state;
	/* a name ustar cannot hold (a 200-byte component) gets a pax "path" */
	char name[256];
	snprintf(name, sizeof(name), "app/public/%0200d/../../private/x.js", 0);
	const struct ent e[] = {
		FILE_(name, "// SPDX-License-Identifier: BUSL-1.1\n"),
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	assert_non_null(find_file(l, "/app/private/x.js"));
	lg_layer_free(l);
	char *rec = memmem(fx->tar.data, fx->tar.len, " path=app/public/", 17);
	assert_non_null(rec);
	rec[17] = '\0'; /* "app/public/\0aaa..." */
	d = tar_layer(fx, fx->tar.data, fx->tar.len);
	char *msg = scan_fail(fx, &d);
	assert_contains(msg, "NUL byte inside its path");
	free(msg);
}

/* Headers are re-read from the tar reader's current block and what was
 * kept of the blocks before it (not from a copy of every byte): a pax
 * header anywhere in a 6 MiB stream - across a block boundary, past the
 * first 4 MiB - is checked, plain and gzip, and a NUL put into any of
 * them is caught. */
static void test_headers_across_blocks(void **state)
{
	struct fixture *fx = *state;
	enum { N = 600 };
	static char names[N][256];
	static struct ent e[N];
	char *body = lg_xmalloc(20000);
	for (size_t i = 0; i < 20000; i++)
		body[i] = (char)('a' + i % 23);
	for (size_t i = 0; i < N; i++) {
		/* a 200-byte component: each name gets a pax "path" record */
		snprintf(names[i], sizeof(names[i]), "d/%03zu%0200d/f", i, 0);
		e[i] = (struct ent){ 'f', names[i], body, (i * 7919 + 13) % 20000, NULL };
	}
	build_tar(e, N, &fx->tar);
	assert_true(fx->tar.len > (6u << 20));
	for (int gz = 0; gz < 2; gz++) {
		lg_layer_desc d = gz ? gzip_layer(fx, fx->tar.data, fx->tar.len)
				     : tar_layer(fx, fx->tar.data, fx->tar.len);
		lg_layer *l = scan_ok(fx, &d);
		assert_int_equal(l->nfiles, N);
		lg_layer_free(l);
	}
	/* the records; the victims: those whose header group (pax header,
	 * its record block, the ustar header) a 128 KiB boundary (the blob
	 * reader's blocks) cuts, and every 64th */
	static size_t at[N];
	size_t cross = 0;
	bool crosses[N];
	char *p = fx->tar.data;
	for (size_t k = 0; k < N; k++) {
		p = memmem(p, fx->tar.len - (size_t)(p - fx->tar.data), " path=d/", 8);
		assert_non_null(p);
		at[k] = (size_t)(p - fx->tar.data);
		size_t hdr = at[k] / 512 * 512 - 512;
		crosses[k] = (hdr + 512) % (128 * 1024) == 0 || (hdr + 1024) % (128 * 1024) == 0;
		cross += crosses[k];
		p++;
	}
	assert_true(cross > 0);
	for (size_t k = 0; k < N; k++) {
		if (!crosses[k] && k % 64 != 63)
			continue;
		fx->tar.data[at[k] + 12] = '\0';
		for (int gz = 0; gz < 2; gz++) {
			lg_layer_desc d = gz ? gzip_layer(fx, fx->tar.data, fx->tar.len)
					     : tar_layer(fx, fx->tar.data, fx->tar.len);
			char *msg = scan_fail(fx, &d);
			if (!strstr(msg, "NUL byte inside its path"))
				fail_msg("record %zu at %zu (%s): %s", k, at[k], gz ? "gzip" : "tar", msg);
			free(msg);
		}
		fx->tar.data[at[k] + 12] = '0';
	}
	free(body);
}

/* Repeated tags past the first 64 are dropped; more than 1024 distinct
 * ones in one file are an error naming the file. */
static void test_tag_bomb(void **state)
{
	struct fixture *fx = *state;
	lg_buf same = LG_BUF_INIT, many = LG_BUF_INIT;
	for (int i = 0; i < 5000; i++)
		lg_buf_appendf(&same, "// SPDX-License-Identifier: MIT\n");
	for (int i = 0; i < 1100; i++)
		lg_buf_appendf(&many, "// SPDX-License-Identifier: LicenseRef-%d\n", i);
	struct ent e[] = { { 'f', "same", same.data, same.len, NULL } };
	build_tar(e, 1, &fx->tar);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	assert_int_equal(l->files[0].ntags, 64);
	lg_layer_free(l);
	struct ent e2[] = { { 'f', "bomb", many.data, many.len, NULL } };
	build_tar(e2, 1, &fx->tar);
	d = tar_layer(fx, fx->tar.data, fx->tar.len);
	char *msg = scan_fail(fx, &d);
	assert_contains(msg, "/bomb");
	assert_contains(msg, "more than 1024 distinct");
	free(msg);
	lg_buf_free(&same);
	lg_buf_free(&many);
}

/* ---- whiteouts ---- */

static void test_whiteouts(void **state)
{
	struct fixture *fx = *state;
	const struct ent e[] = {
		DIR_("etc/"),
		FILE_("etc/.wh.passwd", ""),
		DIR_("usr/lib/"),
		FILE_("usr/lib/.wh..wh..opq", ""),
		FILE_("./.wh..wh..opq", ""),
		FILE_("./.wh.top", ""),
		FILE_("a/b/.wh..hidden", ""),
		FILE_("usr/lib/new.so", "ELF"),
		FILE_("x.wh.y", "not a whiteout"),
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	assert_entries(l,
		       "d /etc\n"
		       "W /etc/passwd\n"
		       "d /usr/lib\n"
		       "O /usr/lib\n"
		       "O /\n"
		       "W /top\n"
		       "W /a/b/.hidden\n"
		       "f /usr/lib/new.so\n"
		       "f /x.wh.y\n");
	/* whiteouts are not files */
	assert_int_equal(l->nfiles, 2);
	assert_int_equal(l->files[0].entry, 7);
	assert_int_equal(l->files[1].entry, 8);
	lg_layer_free(l);
}

/* ---- with rules: license files ---- */

static lg_layer *scan_rules(struct fixture *fx, const lg_layer_desc *desc, const lg_rules *r)
{
	lg_error err = LG_ERROR_INIT;
	lg_layer *l = NULL;
	if (lg_layer_scan(fx->in, desc, r, &l, &err) < 0)
		fail_msg("scan failed: %s", lg_error_msg(&err));
	return l;
}

/* The line where a license text or a text rule matched is kept with the
 * match; symlinks named like license files keep their target (hostile
 * bytes kept as bytes), other symlinks do not; a file of a licenses/
 * directory is matched against the license texts too. */
static void test_license_links(void **state)
{
	struct fixture *fx = *state;
	lg_error err = LG_ERROR_INIT;
	lg_rules *r = NULL;
	static const char rules[] = "class BSL \"paid\"\ntarget t deny BSL unknown warn\n"
				    "text \"Acme Enterprise Terms\" BSL\n";
	assert_int_equal(lg_rules_parse("t.rules", rules, strlen(rules), &r, &err), 0);
	char *huge = lg_xmalloc(LG_LINK_MAX + 2);
	memset(huge, 'a', LG_LINK_MAX + 1);
	huge[LG_LINK_MAX + 1] = '\0';
	const struct ent e[] = {
		FILE_("app/ee/LICENSE", "Business Source License 1.1\n\nLicensor: Acme\n"
					"Licensed Work: EE\n\nthe Acme\nEnterprise Terms\n"),
		SYMLINK_("app/pro/LICENSE", "../licenses/BUSL-1.1.txt"),
		SYMLINK_("app/lib.so", "lib.so.1"),
		SYMLINK_("app/x/LICENSE.md", "\x1b[31m../../../../etc/passwd"),
		{ 'l', "app/y/COPYING", NULL, 0, huge },
		FILE_("app/licenses/BUSL-1.1.txt", "x\nLicensor: Acme\nLicensed Work: EE\n"),
		FILE_("app/notes/BUSL-1.1.txt", "Licensor: Acme\nLicensed Work: EE\n"),
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_rules(fx, &d, r);
	assert_entries(l, "f /app/ee/LICENSE\no /app/pro/LICENSE\no /app/lib.so\n"
			  "o /app/x/LICENSE.md\no /app/y/COPYING\nf /app/licenses/BUSL-1.1.txt\n"
			  "f /app/notes/BUSL-1.1.txt\n");
	assert_int_equal(l->nlinks, 2);
	assert_int_equal(l->links[0].entry, 1);
	assert_string_equal(l->links[0].target, "../licenses/BUSL-1.1.txt");
	assert_int_equal(l->links[1].entry, 3);
	assert_string_equal(l->links[1].target, "\x1b[31m../../../../etc/passwd");
	assert_true(has_warning(l, "/app/y/COPYING: symlink with a target of 4096 bytes"));
	/* the license file: the text rule (where its phrase starts), then
	 * BUSL (its Licensor: line) */
	const lg_file *f = find_file(l, "/app/ee/LICENSE");
	assert_int_equal(f->ntext, 2);
	assert_int_equal(l->texts[f->first_text]->kind, LG_RULE_TEXT);
	assert_int_equal(l->text_lines[f->first_text], 6);
	assert_int_equal(l->texts[f->first_text + 1]->kind, LG_RULE_LICENSE_TEXT);
	assert_int_equal(l->text_lines[f->first_text + 1], 3);
	/* a file of licenses/ is read for its license text, notes/ is not */
	f = find_file(l, "/app/licenses/BUSL-1.1.txt");
	assert_int_equal(f->ntext, 1);
	assert_string_equal(l->texts[f->first_text]->license_id, "BUSL-1.1");
	assert_int_equal(l->text_lines[f->first_text], 2);
	assert_int_equal(find_file(l, "/app/notes/BUSL-1.1.txt")->ntext, 0);
	lg_layer_free(l);
	/* without rules, no link is kept */
	l = scan_ok(fx, &d);
	assert_int_equal(l->nlinks, 0);
	lg_layer_free(l);
	lg_rules_free(r);
	free(huge);
}

/* ---- descriptor mismatches ---- */

static void simple_tar(struct fixture *fx)
{
	const struct ent e[] = {
		FILE_("a", "// SPDX-License-Identifier: MIT\n"),
		FILE_("b", "bbbb"),
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
}

static void test_digest_mismatch(void **state)
{
	struct fixture *fx = *state;
	simple_tar(fx);
	lg_digest claimed, diff;
	lg_buf other = LG_BUF_INIT;
	lg_buf_append(&other, fx->tar.data, fx->tar.len);
	other.data[512] ^= 1; /* a byte of a's content */
	sha256_of(other.data, other.len, &claimed);
	put_blob_as(fx, &claimed, fx->tar.data, fx->tar.len);
	/* the diff_id is right for the content, the digest is not */
	sha256_of(fx->tar.data, fx->tar.len, &diff);
	lg_layer_desc d = make_desc(MT_TAR, LG_COMP_NONE, &claimed, fx->tar.len, &claimed);
	char *msg = scan_fail(fx, &d);
	assert_contains(msg, claimed.str);
	assert_contains(msg, "digest mismatch");
	free(msg);
	/* gzip: the compressed bytes are checked against the digest too */
	gzip_bytes(fx->tar.data, fx->tar.len, &fx->gz);
	gzip_bytes(other.data, other.len, &other);
	sha256_of(other.data, other.len, &claimed);
	put_blob_as(fx, &claimed, fx->gz.data, fx->gz.len);
	d = make_desc(MT_GZIP, LG_COMP_GZIP, &claimed, fx->gz.len, &diff);
	msg = scan_fail(fx, &d);
	assert_contains(msg, claimed.str);
	free(msg);
	lg_buf_free(&other);
}

static void test_diff_id_mismatch(void **state)
{
	struct fixture *fx = *state;
	simple_tar(fx);
	lg_digest wrong;
	sha256_of("something else", 14, &wrong);
	/* uncompressed: the diff_id must be the blob's own digest */
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	d.diff_id = wrong;
	char *msg = scan_fail(fx, &d);
	assert_contains(msg, "diff_id");
	assert_contains(msg, wrong.str);
	assert_contains(msg, d.digest.str); /* what it hashes to */
	free(msg);
	/* gzip: the uncompressed stream's digest */
	d = gzip_layer(fx, fx->tar.data, fx->tar.len);
	lg_digest right = d.diff_id;
	d.diff_id = wrong;
	msg = scan_fail(fx, &d);
	assert_contains(msg, "diff_id");
	assert_contains(msg, wrong.str);
	assert_contains(msg, right.str);
	free(msg);
	/* the compressed blob's digest is not the diff_id */
	d.diff_id = d.digest;
	msg = scan_fail(fx, &d);
	assert_contains(msg, "diff_id");
	free(msg);
}

static void test_media_type_mismatch(void **state)
{
	struct fixture *fx = *state;
	simple_tar(fx);
	/* says gzip, is a plain tar */
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	d.media_type = (char *)MT_GZIP;
	d.compression = LG_COMP_GZIP;
	char *msg = scan_fail(fx, &d);
	assert_contains(msg, MT_GZIP);
	assert_contains(msg, "gzip");
	free(msg);
	/* says zstd, is gzip */
	d = gzip_layer(fx, fx->tar.data, fx->tar.len);
	d.media_type = (char *)MT_ZSTD;
	d.compression = LG_COMP_ZSTD;
	msg = scan_fail(fx, &d);
	assert_contains(msg, "zstd");
	free(msg);
	/* says plain tar, is gzip: the tar reader must not unpack it */
	d = gzip_layer(fx, fx->tar.data, fx->tar.len);
	d.media_type = (char *)MT_TAR;
	d.compression = LG_COMP_NONE;
	d.diff_id = d.digest;
	msg = scan_fail(fx, &d);
	free(msg);
}

/* The blob file holds more bytes than the descriptor's size. */
static void test_blob_longer(void **state)
{
	struct fixture *fx = *state;
	simple_tar(fx);
	lg_digest dg;
	sha256_of(fx->tar.data, fx->tar.len, &dg);
	lg_buf longer = LG_BUF_INIT;
	lg_buf_append(&longer, fx->tar.data, fx->tar.len);
	lg_buf_append(&longer, "trailing junk", 13);
	put_blob_as(fx, &dg, longer.data, longer.len);
	lg_layer_desc d = make_desc(MT_TAR, LG_COMP_NONE, &dg, fx->tar.len, &dg);
	char *msg = scan_fail(fx, &d);
	assert_contains(msg, dg.str);
	assert_contains(msg, "larger than its descriptor size");
	free(msg);
	/* and with a single extra byte */
	longer.len = fx->tar.len + 1;
	put_blob_as(fx, &dg, longer.data, longer.len);
	msg = scan_fail(fx, &d);
	assert_contains(msg, "larger than its descriptor size");
	free(msg);
	lg_buf_free(&longer);
}

/* The blob file holds fewer bytes than the descriptor's size. */
static void test_blob_shorter(void **state)
{
	struct fixture *fx = *state;
	simple_tar(fx);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	d.size += 100;
	char *msg = scan_fail(fx, &d);
	assert_contains(msg, d.digest.str);
	assert_contains(msg, "truncated");
	free(msg);
}

/* A layer whose last file's data is cut off. */
static void test_truncated_data(void **state)
{
	struct fixture *fx = *state;
	char data[2000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	const struct ent e[] = {
		FILE_("small", "ok"),
		{ 'f', "dir/big", data, sizeof(data), NULL },
	};
	build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
	/* small: header + one block; big: header + 4 blocks; end: 2 blocks */
	assert_int_equal(fx->tar.len, 512 + 512 + 512 + 2048 + 1024);
	static const size_t cuts[] = { 1536 + 1, 1536 + 1000, 1536 + 1999, 1536 + 1024 };
	for (size_t i = 0; i < LG_ARRAY_LEN(cuts); i++) {
		lg_layer_desc d = tar_layer(fx, fx->tar.data, cuts[i]);
		char *msg = scan_fail(fx, &d);
		assert_contains(msg, "/dir/big");
		free(msg);
		d = gzip_layer(fx, fx->tar.data, cuts[i]);
		msg = scan_fail(fx, &d);
		assert_contains(msg, "/dir/big");
		free(msg);
	}
	/* cut inside a header */
	lg_layer_desc d = tar_layer(fx, fx->tar.data, 1024 + 100);
	char *msg = scan_fail(fx, &d);
	free(msg);
}

/* umoci 0.4: the tar ends right after the last entry's data, without its
 * padding or end-of-archive blocks.  Every entry is whole: a warning. */
static void test_cut_tail(void **state)
{
	struct fixture *fx = *state;
	char data[2000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	memcpy(data + 1000, "\nSPDX-License-Identifier: MIT\n", 30);
	static const size_t sizes[] = { 2000, 1024, 1 };
	for (size_t s = 0; s < LG_ARRAY_LEN(sizes); s++) {
		const struct ent e[] = {
			FILE_("first", "SPDX-License-Identifier: ISC"),
			{ 'f', "last", data, sizes[s], NULL },
		};
		build_tar(e, LG_ARRAY_LEN(e), &fx->tar);
		size_t end = 512 + 512 + 512 + sizes[s]; /* no padding */
		for (int gz = 0; gz < 2; gz++) {
			lg_layer_desc d = gz ? gzip_layer(fx, fx->tar.data, end)
					     : tar_layer(fx, fx->tar.data, end);
			char *msg;
			lg_layer *l = scan(fx, &d, &msg);
			if (!l)
				fail_msg("last file of %zu bytes%s: %s", sizes[s],
					 gz ? ", gzip" : "", msg);
			assert_int_equal(l->nfiles, 2);
			const lg_file *f = find_file(l, "/last");
			assert_int_equal(f->size, sizes[s]);
			assert_xxh3(f, data, sizes[s]);
			assert_tags(l, f, sizes[s] == 2000 ? "2:MIT\n" : "");
			assert_tags(l, find_file(l, "/first"), "1:ISC\n");
			assert_int_equal(l->tar_bytes, end);
			if (!has_warning(l, "end-of-archive"))
				fail_msg("last file of %zu bytes%s: no warning", sizes[s],
					 gz ? ", gzip" : "");
			lg_layer_free(l);
		}
		/* padded, but without the end blocks: also whole */
		size_t padded = 512 + 512 + 512 + (sizes[s] + 511) / 512 * 512;
		lg_layer_desc d = tar_layer(fx, fx->tar.data, padded);
		lg_layer *l = scan_ok(fx, &d);
		assert_int_equal(l->nfiles, 2);
		assert_true(has_warning(l, "end-of-archive"));
		lg_layer_free(l);
		/* one end block of two */
		d = tar_layer(fx, fx->tar.data, padded + 512);
		l = scan_ok(fx, &d);
		assert_int_equal(l->nfiles, 2);
		assert_true(has_warning(l, "end-of-archive"));
		lg_layer_free(l);
		/* the whole tar: no warning */
		d = tar_layer(fx, fx->tar.data, fx->tar.len);
		l = scan_ok(fx, &d);
		assert_int_equal(l->nwarnings, 0);
		lg_layer_free(l);
	}
}

/* ---- other blobs that are not layers ---- */

static void test_not_a_layer(void **state)
{
	struct fixture *fx = *state;
	char *msg;
	/* empty blob */
	lg_layer_desc d = tar_layer(fx, "", 0);
	msg = scan_fail(fx, &d);
	assert_contains(msg, "empty");
	free(msg);
	/* missing blob */
	lg_digest missing;
	sha256_of("nowhere", 7, &missing);
	d = make_desc(MT_TAR, LG_COMP_NONE, &missing, 7, &missing);
	msg = scan_fail(fx, &d);
	assert_contains(msg, missing.str);
	assert_contains(msg, "blob missing");
	free(msg);
	/* text, not a tar */
	lg_buf junk = LG_BUF_INIT;
	for (int i = 0; i < 300; i++)
		lg_buf_append(&junk, "this is not a tar archive\n", 26);
	d = tar_layer(fx, junk.data, junk.len);
	msg = scan_fail(fx, &d);
	free(msg);
	/* gzip of text */
	d = gzip_layer(fx, junk.data, junk.len);
	msg = scan_fail(fx, &d);
	free(msg);
	lg_buf_free(&junk);
}

/* An empty tar (its two end blocks only) is an empty layer. */
static void test_empty_tar(void **state)
{
	struct fixture *fx = *state;
	build_tar(NULL, 0, &fx->tar);
	assert_int_equal(fx->tar.len, 1024);
	lg_layer_desc d = tar_layer(fx, fx->tar.data, fx->tar.len);
	lg_layer *l = scan_ok(fx, &d);
	assert_int_equal(l->nentries, 0);
	assert_int_equal(l->nfiles, 0);
	assert_int_equal(l->content_bytes, 0);
	assert_int_equal(l->tar_bytes, 1024);
	assert_int_equal(l->nwarnings, 0);
	lg_layer_free(l);
	lg_layer_free(NULL);
}

/* A libarchive built without its zstd decoder: the call registers an
 * external "zstd -d" program and answers ARCHIVE_WARN, as libarchive does.
 * This definition interposes the library's for the code under test. */
static bool no_builtin_zstd;

int archive_read_support_filter_zstd(struct archive *a)
{
	static const unsigned char magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
	int (*real)(struct archive *) =
		(int (*)(struct archive *))dlsym(RTLD_NEXT, "archive_read_support_filter_zstd");
	if (!no_builtin_zstd && real)
		return real(a);
	archive_read_support_filter_program_signature(a, "zstd -d -qq", magic, sizeof(magic));
	return ARCHIVE_WARN;
}

/* A zstd frame of raw blocks holding data (valid, uncompressed). */
static void zstd_raw(const void *data, size_t len, lg_buf *out)
{
	lg_buf_reset(out);
	lg_buf_append(out, "\x28\xb5\x2f\xfd\x00\x58", 6);
	const size_t step = 128 * 1024;
	size_t at = 0;
	do {
		size_t n = len - at < step ? len - at : step;
		uint32_t h = (uint32_t)(at + n == len) | (uint32_t)(n << 3);
		unsigned char hb[3] = { (unsigned char)h, (unsigned char)(h >> 8),
					(unsigned char)(h >> 16) };
		lg_buf_append(out, hb, 3);
		lg_buf_append(out, (const char *)data + at, n);
		at += n;
	} while (at < len);
}

/* Never an external program on image bytes: a zstd layer with no built-in
 * decoder is an error that names the filter. */
static void test_no_external_decoder(void **state)
{
	struct fixture *fx = *state;
	simple_tar(fx);
	lg_buf z = LG_BUF_INIT;
	zstd_raw(fx->tar.data, fx->tar.len, &z);
	lg_digest d, diff;
	sha256_of(fx->tar.data, fx->tar.len, &diff);
	put_blob(fx, z.data, z.len, &d);
	lg_layer_desc desc = make_desc(MT_ZSTD, LG_COMP_ZSTD, &d, z.len, &diff);
	lg_layer *l = scan_ok(fx, &desc); /* the built-in decoder reads it */
	assert_non_null(find_file(l, "/a"));
	lg_layer_free(l);
	no_builtin_zstd = true;
	char *msg = scan_fail(fx, &desc);
	no_builtin_zstd = false;
	assert_contains(msg, "no built-in zstd decoder");
	assert_contains(msg, "does not run an external zstd program");
	free(msg);
	lg_buf_free(&z);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_typical),
		T(test_gzip),
		T(test_gzip_members),
		T(test_detect_plain),
		T(test_sparse),
		T(test_hardlinks),
		T(test_hardlink_manifest),
		T(test_bad_header_checksum),
		T(test_tag_bomb),
		T(test_pax_path_nul),
		T(test_headers_across_blocks),
		T(test_whiteouts),
		T(test_license_links),
		T(test_digest_mismatch),
		T(test_diff_id_mismatch),
		T(test_media_type_mismatch),
		T(test_blob_longer),
		T(test_blob_shorter),
		T(test_truncated_data),
		T(test_cut_tail),
		T(test_not_a_layer),
		T(test_empty_tar),
		T(test_no_external_decoder),
	};
#undef T
	return cmocka_run_group_tests_name("layer", tests, NULL, NULL) ? 1 : 0;
}
