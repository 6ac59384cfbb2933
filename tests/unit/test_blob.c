/* test_blob.c - digest strings (the image-spec grammar, registered
 * algorithms only) and verified reads of blobs from a layout directory made
 * by the test: good, wrong content, short, long, missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dlfcn.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blob.h"
#include "input.h"
#include "util.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX128 HEX64 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

/* ---- lg_digest_parse ---- */

static const struct {
	const char *in;
	int alg; /* enum lg_digest_alg, or -1: rejected */
	const char *msg; /* substring of the error */
} digest_cases[] = {
	{ "sha256:" HEX64, LG_SHA256, NULL },
	{ "sha512:" HEX128, LG_SHA512, NULL },
	{ "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	  LG_SHA256, NULL },
	/* case */
	{ "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", -1,
	  "want 64 lower-case hex digits" },
	{ "SHA256:" HEX64, -1, "invalid digest" },
	/* length */
	{ "sha256:" HEX64 "0", -1, "want 64 lower-case hex digits" },
	{ "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", -1,
	  "want 64 lower-case hex digits" },
	{ "sha256:", -1, "want 64 lower-case hex digits" },
	{ "sha512:" HEX64, -1, "want 128 lower-case hex digits" },
	{ "sha256:" HEX128, -1, "want 64 lower-case hex digits" },
	/* bad hex */
	{ "sha256:g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", -1,
	  "invalid sha256 digest" },
	{ "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde:", -1,
	  "invalid sha256 digest" },
	{ "sha256: 123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", -1,
	  "invalid sha256 digest" },
	{ "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/", -1,
	  "invalid sha256 digest" },
	/* algorithms */
	{ "md5:0123456789abcdef0123456789abcdef", -1,
	  "unsupported digest algorithm \"md5\"" },
	{ "sha384:" HEX64, -1, "unsupported digest algorithm \"sha384\"" },
	{ "sha256+b64u:" HEX64, -1, "unsupported digest algorithm \"sha256+b64u\"" },
	{ "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", -1,
	  "unsupported digest algorithm" },
	{ "sha2567:" HEX64, -1, "unsupported digest algorithm" },
	{ "sha25:" HEX64, -1, "unsupported digest algorithm" },
	/* algorithm grammar: [a-z0-9]+ joined by one of [+._-] */
	{ "sha256+:" HEX64, -1, "invalid digest" },
	{ "+sha256:" HEX64, -1, "invalid digest" },
	{ "sha256..x:" HEX64, -1, "invalid digest" },
	{ ":abc", -1, "invalid digest" },
	{ ":" HEX64, -1, "invalid digest" },
	{ "sha256", -1, "invalid digest" },
	{ HEX64, -1, "invalid digest" },
	{ "sha 256:" HEX64, -1, "invalid digest" },
	{ "sha256/../..:" HEX64, -1, "invalid digest" },
	{ "", -1, "invalid digest" },
};

static void test_digest_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(digest_cases); i++) {
		const char *in = digest_cases[i].in;
		lg_digest d;
		memset(&d, 'Z', sizeof(d));
		lg_error err = LG_ERROR_INIT;
		int r = lg_digest_parse(in, &d, &err);
		if (digest_cases[i].alg < 0) {
			if (r != -1)
				fail_msg("\"%s\": accepted", in);
			assert_non_null(err.msg);
			if (!strstr(err.msg, digest_cases[i].msg))
				fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in,
					 err.msg, digest_cases[i].msg);
			lg_error_clear(&err);
			continue;
		}
		if (r != 0)
			fail_msg("\"%s\": rejected: %s", in, lg_error_msg(&err));
		assert_null(err.msg);
		assert_int_equal(d.alg, digest_cases[i].alg);
		assert_string_equal(d.str, in);
		const char *colon = strchr(in, ':');
		assert_string_equal(lg_digest_hex(&d), colon + 1);
		assert_int_equal(strlen(lg_digest_alg_name(&d)), (size_t)(colon - in));
		assert_memory_equal(lg_digest_alg_name(&d), in, (size_t)(colon - in));
	}
}

/* The message quotes what was rejected, bounded, so a hostile digest
 * cannot flood the one line the user sees. */
static void test_digest_parse_messages(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_digest d;
	assert_int_equal(lg_digest_parse(NULL, &d, &err), -1);
	assert_non_null(err.msg);
	assert_string_equal(err.msg, "missing digest");

	assert_int_equal(lg_digest_parse("sha256+:abc", &d, &err), -1);
	assert_string_equal(err.msg, "invalid digest \"sha256+:abc\"");

	assert_int_equal(lg_digest_parse("sha256:ABC", &d, &err), -1);
	assert_string_equal(err.msg,
			    "invalid sha256 digest \"sha256:ABC\": want 64 lower-case hex digits");

	lg_buf huge = LG_BUF_INIT;
	lg_buf_append(&huge, "sha256:", 7);
	for (int i = 0; i < 10000; i++)
		lg_buf_putc(&huge, 'a');
	assert_int_equal(lg_digest_parse(huge.data, &d, &err), -1);
	assert_true(strlen(err.msg) < 200);
	lg_buf_reset(&huge);
	for (int i = 0; i < 10000; i++)
		lg_buf_putc(&huge, 'x');
	lg_buf_append(&huge, ":00", 3);
	assert_int_equal(lg_digest_parse(huge.data, &d, &err), -1);
	assert_true(strlen(err.msg) < 200);
	/* an algorithm name that is long but valid is quoted, cut */
	lg_buf_reset(&huge);
	for (int i = 0; i < 1000; i++)
		lg_buf_putc(&huge, 'q');
	lg_buf_append(&huge, ":00", 3);
	assert_int_equal(lg_digest_parse(huge.data, &d, &err), -1);
	assert_non_null(strstr(err.msg, "unsupported digest algorithm \"qqqq"));
	assert_true(strlen(err.msg) < 200);
	lg_buf_free(&huge);
	lg_error_clear(&err);
}

/* ---- hashing ---- */

static void test_hasher(void **state)
{
	(void)state;
	char out[sizeof(((lg_digest *)0)->str)];
	lg_hasher *h = lg_hasher_new(LG_SHA256);
	lg_hasher_update(h, "a", 1);
	lg_hasher_update(h, "", 0);
	lg_hasher_update(h, "bc", 2);
	lg_hasher_final(h, out);
	lg_hasher_free(h);
	assert_string_equal(out,
			    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	h = lg_hasher_new(LG_SHA512);
	lg_hasher_update(h, "abc", 3);
	lg_hasher_final(h, out);
	lg_hasher_free(h);
	assert_string_equal(out,
			    "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
			    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	lg_hasher_free(NULL);
}

/* ---- verified reads from a layout directory ---- */

struct layout {
	char dir[256];
	lg_input *in;
};

/* "sha256:hex" (or sha512) of data, computed with OpenSSL directly. */
static void digest_of(enum lg_digest_alg alg, const void *data, size_t len,
		      lg_digest *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	assert_true(EVP_Digest(data, len, md, &n,
			       alg == LG_SHA256 ? EVP_sha256() : EVP_sha512(), NULL));
	lg_buf s = LG_BUF_INIT;
	lg_buf_append(&s, alg == LG_SHA256 ? "sha256:" : "sha512:", 7);
	for (unsigned int i = 0; i < n; i++)
		lg_buf_appendf(&s, "%02x", md[i]);
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_digest_parse(s.data, out, &err), 0);
	lg_buf_free(&s);
}

/* Write data as the blob named d (whatever its real digest). */
static void put_blob(struct layout *l, const lg_digest *d, const void *data,
		     size_t len)
{
	char *path = lg_xasprintf("%s/blobs/%s/%s", l->dir, lg_digest_alg_name(d),
				  lg_digest_hex(d));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int layout_setup(void **state)
{
	struct layout *l = lg_xcalloc(1, sizeof(*l));
	const char *tmp = getenv("TMPDIR");
	snprintf(l->dir, sizeof(l->dir), "%s/test_blob.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(l->dir))
		return -1;
	char *p = lg_xasprintf("%s/blobs", l->dir);
	mkdir(p, 0755);
	free(p);
	p = lg_xasprintf("%s/blobs/sha256", l->dir);
	mkdir(p, 0755);
	free(p);
	p = lg_xasprintf("%s/blobs/sha512", l->dir);
	mkdir(p, 0755);
	free(p);
	p = lg_xasprintf("%s/oci-layout", l->dir);
	FILE *f = fopen(p, "w");
	free(p);
	if (!f)
		return -1;
	fputs("{\"imageLayoutVersion\":\"1.0.0\"}", f);
	fclose(f);
	lg_error err = LG_ERROR_INIT;
	if (lg_input_open(l->dir, &l->in, &err) < 0) {
		fprintf(stderr, "%s\n", lg_error_msg(&err));
		lg_error_clear(&err);
		return -1;
	}
	*state = l;
	return 0;
}

static int layout_teardown(void **state)
{
	struct layout *l = *state;
	lg_input_free(l->in);
	int r = nftw(l->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(l);
	return r;
}

/* Read the blob d of size via lg_blob_read_all; returns 0 or -1 and the
 * data (caller frees) or the message (caller frees) through out. */
static int read_all(struct layout *l, const lg_digest *d, int64_t size,
		    size_t max, char **out)
{
	lg_error err = LG_ERROR_INIT;
	char *data = (char *)0x1;
	int r = lg_blob_read_all(l->in, d, size, max, &data, &err);
	if (r < 0) {
		assert_int_equal(r, -1);
		assert_ptr_equal(data, (char *)0x1); /* untouched */
		assert_non_null(err.msg);
		*out = lg_xstrdup(err.msg);
		lg_error_clear(&err);
		return -1;
	}
	assert_int_equal(r, 0);
	assert_null(err.msg);
	*out = data;
	return 0;
}

static void assert_contains(const char *s, const char *sub)
{
	if (!strstr(s, sub))
		fail_msg("\"%s\" does not contain \"%s\"", s, sub);
}

static void test_read_all_ok(void **state)
{
	struct layout *l = *state;
	static const char doc[] = "{\"schemaVersion\":2,\"layers\":[]}";
	for (int alg = LG_SHA256; alg <= LG_SHA512; alg++) {
		lg_digest d;
		digest_of((enum lg_digest_alg)alg, doc, sizeof(doc) - 1, &d);
		put_blob(l, &d, doc, sizeof(doc) - 1);
		char *data;
		assert_int_equal(read_all(l, &d, sizeof(doc) - 1, 4096, &data), 0);
		assert_string_equal(data, doc);
		free(data);
		/* max equal to the size is enough */
		assert_int_equal(read_all(l, &d, sizeof(doc) - 1, sizeof(doc) - 1, &data), 0);
		assert_string_equal(data, doc);
		free(data);
	}
	/* an empty blob */
	lg_digest d;
	digest_of(LG_SHA256, "", 0, &d);
	put_blob(l, &d, "", 0);
	char *data;
	assert_int_equal(read_all(l, &d, 0, 4096, &data), 0);
	assert_string_equal(data, "");
	free(data);
}

/* Larger than any single read: the loop and the hash cover every byte. */
static void test_read_all_large(void **state)
{
	struct layout *l = *state;
	size_t n = 3 * 65536 + 123;
	char *doc = lg_xmalloc(n);
	for (size_t i = 0; i < n; i++)
		doc[i] = (char)('a' + i % 23);
	lg_digest d;
	digest_of(LG_SHA256, doc, n, &d);
	put_blob(l, &d, doc, n);
	char *data;
	assert_int_equal(read_all(l, &d, (int64_t)n, n, &data), 0);
	assert_memory_equal(data, doc, n);
	assert_int_equal(data[n], '\0');
	free(data);
	/* one byte flipped at the very end is caught */
	doc[n - 1] ^= 1;
	put_blob(l, &d, doc, n);
	assert_int_equal(read_all(l, &d, (int64_t)n, n, &data), -1);
	assert_contains(data, "digest mismatch");
	free(data);
	free(doc);
}

static void test_read_all_mismatch(void **state)
{
	struct layout *l = *state;
	lg_digest d;
	digest_of(LG_SHA256, "{\"a\":1}", 7, &d);
	put_blob(l, &d, "{\"a\":2}", 7);
	char *msg;
	assert_int_equal(read_all(l, &d, 7, 4096, &msg), -1);
	assert_contains(msg, d.str);
	assert_contains(msg, "digest mismatch");
	lg_digest real;
	digest_of(LG_SHA256, "{\"a\":2}", 7, &real);
	assert_contains(msg, real.str); /* what it hashes to */
	free(msg);
}

/* The blob holds fewer bytes than its descriptor says. */
static void test_read_all_short(void **state)
{
	struct layout *l = *state;
	lg_digest d;
	digest_of(LG_SHA256, "{\"a\":1}", 7, &d);
	put_blob(l, &d, "{\"a\"", 4);
	char *msg;
	assert_int_equal(read_all(l, &d, 7, 4096, &msg), -1);
	assert_contains(msg, d.str);
	assert_contains(msg, "truncated");
	free(msg);
}

/* The blob holds more bytes than its descriptor says, even when the first
 * size bytes hash to the digest. */
static void test_read_all_long(void **state)
{
	struct layout *l = *state;
	lg_digest d;
	digest_of(LG_SHA256, "{\"a\":1}", 7, &d);
	put_blob(l, &d, "{\"a\":1}\n", 8);
	char *msg;
	assert_int_equal(read_all(l, &d, 7, 4096, &msg), -1);
	assert_contains(msg, d.str);
	assert_contains(msg, "larger than its descriptor size 7");
	free(msg);
}

static void test_read_all_missing(void **state)
{
	struct layout *l = *state;
	lg_digest d;
	digest_of(LG_SHA512, "never written", 13, &d);
	char *msg;
	assert_int_equal(read_all(l, &d, 13, 4096, &msg), -1);
	assert_contains(msg, d.str);
	assert_contains(msg, "blob missing");
	free(msg);
}

static void test_read_all_limits(void **state)
{
	struct layout *l = *state;
	static const char doc[] = "[1,2,3]";
	lg_digest d;
	digest_of(LG_SHA256, doc, 7, &d);
	put_blob(l, &d, doc, 7);
	char *msg;
	/* a descriptor larger than the caller allows is refused unread */
	assert_int_equal(read_all(l, &d, 7, 6, &msg), -1);
	assert_contains(msg, d.str);
	assert_contains(msg, "size 7");
	free(msg);
	assert_int_equal(read_all(l, &d, -1, 4096, &msg), -1);
	assert_contains(msg, d.str);
	free(msg);
	/* a directory where the blob should be */
	digest_of(LG_SHA256, "dir", 3, &d);
	char *p = lg_xasprintf("%s/blobs/sha256/%s", l->dir, lg_digest_hex(&d));
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	assert_int_equal(read_all(l, &d, 3, 4096, &msg), -1);
	assert_contains(msg, d.str);
	assert_contains(msg, "not a regular file");
	free(msg);
}

/* Streaming reads: offsets, the size bound, and finish. */
static void test_blob_stream(void **state)
{
	struct layout *l = *state;
	static const char doc[] = "0123456789abcdefghij";
	lg_digest d;
	digest_of(LG_SHA256, doc, 20, &d);
	put_blob(l, &d, doc, 20);
	lg_error err = LG_ERROR_INIT;
	lg_blob *b = NULL;
	assert_int_equal(lg_blob_open(l->in, NULL, &d, 20, &b, &err), 0);
	assert_int_equal(lg_blob_size(b), 20);
	assert_string_equal(lg_blob_digest(b)->str, d.str);
	char buf[64];
	size_t got = 0;
	ssize_t n;
	while ((n = lg_blob_read(b, buf + got, 3, &err)) > 0) {
		assert_true(n <= 3);
		got += (size_t)n;
		assert_int_equal(lg_blob_offset(b), got);
	}
	assert_int_equal(n, 0);
	assert_int_equal(got, 20);
	assert_memory_equal(buf, doc, 20);
	assert_int_equal(lg_blob_read(b, buf, sizeof(buf), &err), 0);
	assert_int_equal(lg_blob_finish(b, &err), 0);
	lg_blob_free(b);

	/* finish reads what is left, then verifies */
	assert_int_equal(lg_blob_open(l->in, NULL, &d, 20, &b, &err), 0);
	assert_int_equal(lg_blob_read(b, buf, 5, &err), 5);
	assert_int_equal(lg_blob_finish(b, &err), 0);
	assert_int_equal(lg_blob_offset(b), 20);
	lg_blob_free(b);

	/* a read never goes past the size, and the extra byte is an error */
	assert_int_equal(lg_blob_open(l->in, NULL, &d, 19, &b, &err), 0);
	assert_int_equal(lg_blob_read(b, buf, sizeof(buf), &err), 19);
	assert_int_equal(lg_blob_read(b, buf, sizeof(buf), &err), -1);
	assert_contains(err.msg, "larger than its descriptor size 19");
	lg_blob_free(b);

	assert_int_equal(lg_blob_open(l->in, NULL, &d, -5, &b, &err), -1);
	assert_contains(err.msg, "negative size");

	/* free without finish is fine (no verification, no leak) */
	assert_int_equal(lg_blob_open(l->in, NULL, &d, 20, &b, &err), 0);
	lg_blob_free(b);
	lg_blob_free(NULL);
	lg_error_clear(&err);
}

/* Wait until the file at path has been left alone for longer than the
 * settle margin (its ctime cannot be set back: only time makes it old). */
static void wait_settled(const char *path)
{
	for (;;) {
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		int64_t age = ((int64_t)now.tv_sec - st.st_ctim.tv_sec) * 1000000000 +
			      (now.tv_nsec - st.st_ctim.tv_nsec);
		if (age > LG_SETTLE_NS + 100000000)
			return;
		struct timespec nap = { 0, 200000000 };
		nanosleep(&nap, NULL);
	}
}

/* Verify blob d of size; returns lg_blob_settled(), with *id. */
static bool verify_settled(struct layout *l, const lg_digest *d, int64_t size,
			   lg_file_id *id)
{
	lg_error err = LG_ERROR_INIT;
	lg_blob *b = NULL;
	assert_int_equal(lg_blob_open(l->in, NULL, d, size, &b, &err), 0);
	lg_file_id opened;
	assert_true(lg_blob_file_id(b, &opened));
	assert_int_equal(lg_blob_finish(b, &err), 0);
	bool settled = lg_blob_settled(b, id);
	if (settled)
		assert_true(lg_file_id_equal(id, &opened));
	lg_blob_free(b);
	return settled;
}

/* A blob file stands for its verified content in a later run only when
 * its last change is older than the margin and it did not change while
 * it was read.  (This test waits out the margin once, about 3 s.) */
static void test_blob_settled(void **state)
{
	struct layout *l = *state;
	static const char doc[] = "settled content";
	lg_digest d;
	lg_file_id id;
	digest_of(LG_SHA256, doc, sizeof(doc) - 1, &d);
	put_blob(l, &d, doc, sizeof(doc) - 1);
	cleanup_free char *path = lg_xasprintf("%s/blobs/sha256/%s", l->dir, lg_digest_hex(&d));

	/* just written: verified, but not settled */
	assert_false(verify_settled(l, &d, sizeof(doc) - 1, &id));

	wait_settled(path);
	assert_true(verify_settled(l, &d, sizeof(doc) - 1, &id));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(id.ino, (uint64_t)st.st_ino);
	assert_int_equal(id.dev, (uint64_t)st.st_dev);
	assert_int_equal(id.size, sizeof(doc) - 1);
	assert_int_equal(id.ctime_ns, (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec);

	/* a failed check is never settled: the wrong size */
	lg_error err = LG_ERROR_INIT;
	lg_blob *b = NULL;
	assert_int_equal(lg_blob_open(l->in, NULL, &d, sizeof(doc) - 2, &b, &err), 0);
	assert_int_equal(lg_blob_finish(b, &err), -1);
	assert_false(lg_blob_settled(b, &id));
	lg_blob_free(b);
	lg_error_clear(&err);

	/* no digest to check (a docker-archive layer by path): never settled */
	cleanup_free char *rel = lg_xasprintf("blobs/sha256/%s", lg_digest_hex(&d));
	assert_int_equal(lg_blob_open(l->in, rel, NULL, sizeof(doc) - 1, &b, &err), 0);
	assert_int_equal(lg_blob_finish(b, &err), 0);
	assert_false(lg_blob_settled(b, &id));
	lg_blob_free(b);

	/* open for writing elsewhere, even untouched: a writer could still
	 * write through a mapping without changing the times */
	int wfd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(wfd >= 0);
	assert_false(verify_settled(l, &d, sizeof(doc) - 1, &id));
	close(wfd);
	assert_true(verify_settled(l, &d, sizeof(doc) - 1, &id));

	/* rewritten with the same bytes while being read: the digest still
	 * matches, but the file changed under the read, so it is not settled */
	assert_int_equal(lg_blob_open(l->in, NULL, &d, sizeof(doc) - 1, &b, &err), 0);
	put_blob(l, &d, doc, sizeof(doc) - 1);
	assert_int_equal(lg_blob_finish(b, &err), 0);
	assert_false(lg_blob_settled(b, &id));
	lg_blob_free(b);
}

/* A file system whose times the kernel does not keep for every write
 * (tmpfs: a shared mapping writes without) gives no identity to trust. */
static void test_blob_tmpfs(void **state)
{
	(void)state;
	struct statfs sf;
	if (statfs("/dev/shm", &sf) < 0 || sf.f_type != 0x01021994) /* TMPFS_MAGIC */
		skip();
	struct layout l = { 0 };
	snprintf(l.dir, sizeof(l.dir), "/dev/shm/test_blob.XXXXXX");
	assert_non_null(mkdtemp(l.dir));
	cleanup_free char *b = lg_xasprintf("%s/blobs", l.dir);
	cleanup_free char *b2 = lg_xasprintf("%s/blobs/sha256", l.dir);
	assert_int_equal(mkdir(b, 0755), 0);
	assert_int_equal(mkdir(b2, 0755), 0);
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_input_open(l.dir, &l.in, &err), 0);
	static const char doc[] = "on tmpfs";
	lg_digest d;
	digest_of(LG_SHA256, doc, sizeof(doc) - 1, &d);
	put_blob(&l, &d, doc, sizeof(doc) - 1);
	lg_blob *bl = NULL;
	assert_int_equal(lg_blob_open(l.in, NULL, &d, sizeof(doc) - 1, &bl, &err), 0);
	lg_file_id id;
	assert_false(lg_blob_file_id(bl, &id));
	assert_int_equal(lg_blob_finish(bl, &err), 0);
	assert_false(lg_blob_settled(bl, &id));
	lg_blob_free(bl);
	lg_input_free(l.in);
	assert_int_equal(nftw(l.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* By path without a digest (a docker-archive layer, checked by its
 * caller): the size is still enforced, the content is not hashed. */
static void test_blob_by_path(void **state)
{
	struct layout *l = *state;
	lg_digest d;
	digest_of(LG_SHA256, "claimed", 7, &d);
	put_blob(l, &d, "0123456789", 10);
	char *path = lg_xasprintf("blobs/sha256/%s", lg_digest_hex(&d));
	lg_error err = LG_ERROR_INIT;
	lg_blob *b = NULL;
	char buf[16];
	assert_int_equal(lg_blob_open(l->in, path, NULL, 10, &b, &err), 0);
	assert_int_equal(lg_blob_read(b, buf, sizeof(buf), &err), 10);
	assert_int_equal(lg_blob_finish(b, &err), 0);
	lg_blob_free(b);
	assert_int_equal(lg_blob_open(l->in, path, NULL, 9, &b, &err), 0);
	assert_int_equal(lg_blob_finish(b, &err), -1);
	assert_contains(err.msg, path);
	assert_contains(err.msg, "larger than its descriptor size 9");
	lg_blob_free(b);
	assert_int_equal(lg_blob_open(l->in, path, NULL, 11, &b, &err), 0);
	assert_int_equal(lg_blob_finish(b, &err), -1);
	assert_contains(err.msg, "truncated");
	lg_blob_free(b);
	/* with a digest as well, the content is checked */
	assert_int_equal(lg_blob_open(l->in, path, &d, 10, &b, &err), 0);
	assert_int_equal(lg_blob_finish(b, &err), -1);
	assert_contains(err.msg, "digest mismatch");
	lg_blob_free(b);
	/* names that leave the image are refused */
	assert_int_equal(lg_blob_open(l->in, "../etc/passwd", NULL, 1, &b, &err), -1);
	assert_int_equal(lg_blob_open(l->in, "/etc/passwd", NULL, 1, &b, &err), -1);
	lg_error_clear(&err);
	free(path);
}

/* OpenSSL failing mid-digest (these definitions interpose the library's
 * for the code under test): set, the next call answers 0. */
static int fail_update, fail_final;

int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)
{
	int (*real)(EVP_MD_CTX *, const void *, size_t) =
		(int (*)(EVP_MD_CTX *, const void *, size_t))dlsym(RTLD_NEXT, "EVP_DigestUpdate");
	return fail_update ? 0 : real(ctx, d, cnt);
}

int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
{
	int (*real)(EVP_MD_CTX *, unsigned char *, unsigned int *) =
		(int (*)(EVP_MD_CTX *, unsigned char *, unsigned int *))dlsym(RTLD_NEXT,
									      "EVP_DigestFinal_ex");
	return fail_final ? 0 : real(ctx, md, s);
}

/* Run one hasher in a child with *flag set; returns its wait status and
 * what it wrote to stderr in err. */
static int hash_failing(int *flag, char *err, size_t size)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		lg_hasher *h = lg_hasher_new(LG_SHA256);
		char out[7 + 128 + 1];
		*flag = 1;
		lg_hasher_update(h, "abc", 3);
		lg_hasher_final(h, out);
		_exit(0); /* a digest was computed: the failure was ignored */
	}
	close(fds[1]);
	size_t got = 0;
	ssize_t n;
	while (got < size - 1 && (n = read(fds[0], err + got, size - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	return status;
}

/* A digest OpenSSL failed to compute ends the run (exit 2), never compared. */
static void test_hasher_openssl_failure(void **state)
{
	(void)state;
	char err[256];
	int *flags[] = { &fail_update, &fail_final };
	for (size_t i = 0; i < LG_ARRAY_LEN(flags); i++) {
		int status = hash_failing(flags[i], err, sizeof(err));
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 2);
		assert_string_equal(err, "licgate: OpenSSL: the sha256 digest failed\n");
	}
}

int main(void)
{
	const struct CMUnitTest digest_tests[] = {
		cmocka_unit_test(test_digest_parse),
		cmocka_unit_test(test_digest_parse_messages),
		cmocka_unit_test(test_hasher),
		cmocka_unit_test(test_hasher_openssl_failure),
	};
	const struct CMUnitTest blob_tests[] = {
		cmocka_unit_test_setup_teardown(test_read_all_ok, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_read_all_large, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_read_all_mismatch, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_read_all_short, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_read_all_long, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_read_all_missing, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_read_all_limits, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_blob_stream, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_blob_by_path, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_blob_settled, layout_setup, layout_teardown),
		cmocka_unit_test(test_blob_tmpfs),
	};
	int failed = cmocka_run_group_tests_name("digest", digest_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("blob", blob_tests, NULL, NULL);
	return failed ? 1 : 0;
}
