/* test_inflate.c - lg_inflate: gzip streams as `gzip -dc` reads them
 * (every member), and every way a stream can be wrong: trailing garbage,
 * truncation, a bad CRC-32 or ISIZE, no input, not gzip; read in one
 * block or one byte at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <isa-l/igzip_lib.h>

#include "inflate.h"
#include "util.h"

/* gzip data with ISA-L's deflate, appended to out. */
static void gzip_append(const void *data, size_t len, lg_buf *out)
{
	struct isal_zstream s;
	isal_deflate_stateless_init(&s);
	s.gzip_flag = IGZIP_GZIP;
	size_t cap = len + len / 2 + 1024;
	unsigned char *buf = lg_xmalloc(cap);
	s.next_in = (uint8_t *)data;
	s.avail_in = (uint32_t)len;
	s.next_out = buf;
	s.avail_out = (uint32_t)cap;
	s.end_of_stream = 1;
	assert_int_equal(isal_deflate_stateless(&s), COMP_OK);
	lg_buf_append(out, buf, cap - s.avail_out);
	free(buf);
}

/* The source: in, handed out at most chunk bytes at a time. */
struct src {
	const unsigned char *data;
	size_t len, pos, chunk;
};

static ssize_t src_read(void *ud, const void **buf, lg_error *err)
{
	(void)err;
	struct src *s = ud;
	size_t n = s->len - s->pos < s->chunk ? s->len - s->pos : s->chunk;
	*buf = s->data + s->pos;
	s->pos += n;
	return (ssize_t)n;
}

/* Decompress in (chunk bytes per source read) into out; 0 or -1 with
 * *msg set (caller frees). */
static int run(const lg_buf *in, size_t chunk, lg_buf *out, char **msg)
{
	struct src s = { (const unsigned char *)(in->data ? in->data : ""), in->len, 0, chunk };
	lg_inflate *z = lg_inflate_new(src_read, &s);
	lg_error err = LG_ERROR_INIT;
	lg_buf_reset(out);
	ssize_t n;
	const void *p;
	while ((n = lg_inflate_read(z, &p, &err)) > 0)
		lg_buf_append(out, p, (size_t)n);
	if (n == 0)
		assert_int_equal(lg_inflate_in_bytes(z), in->len);
	lg_inflate_free(z);
	*msg = n < 0 ? lg_xstrdup(lg_error_msg(&err)) : NULL;
	lg_error_clear(&err);
	return n < 0 ? -1 : 0;
}

/* Compressible and incompressible data, larger than the output buffer. */
static unsigned char *sample(size_t len)
{
	unsigned char *d = lg_xmalloc(len);
	uint32_t x = 12345;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		d[i] = i % 3 ? (unsigned char)(x >> 24) : (unsigned char)('a' + i % 26);
	}
	return d;
}

static void expect_ok(const lg_buf *gz, const void *want, size_t want_len)
{
	static const size_t chunks[] = { 1, 7, 4096, SIZE_MAX };
	lg_buf out = LG_BUF_INIT;
	for (size_t i = 0; i < LG_ARRAY_LEN(chunks); i++) {
		char *msg;
		int r = run(gz, chunks[i], &out, &msg);
		if (r < 0)
			fail_msg("chunk %zu: %s", chunks[i], msg);
		assert_int_equal(out.len, want_len);
		if (want_len)
			assert_memory_equal(out.data, want, want_len);
	}
	lg_buf_free(&out);
}

static void expect_fail(const lg_buf *gz, const char *why)
{
	static const size_t chunks[] = { 1, 4096, SIZE_MAX };
	lg_buf out = LG_BUF_INIT;
	for (size_t i = 0; i < LG_ARRAY_LEN(chunks); i++) {
		char *msg = NULL;
		assert_int_equal(run(gz, chunks[i], &out, &msg), -1);
		if (!strstr(msg, why))
			fail_msg("chunk %zu: \"%s\" does not say \"%s\"", chunks[i], msg, why);
		free(msg);
	}
	lg_buf_free(&out);
}

static void test_one_member(void **state)
{
	(void)state;
	enum { N = 700 * 1024 };
	unsigned char *d = sample(N);
	lg_buf gz = LG_BUF_INIT;
	gzip_append(d, N, &gz);
	expect_ok(&gz, d, N);
	lg_buf_free(&gz);
	free(d);
}

/* gzip -dc reads every member of a concatenation. */
static void test_members(void **state)
{
	(void)state;
	enum { N = 300 * 1024 };
	unsigned char *d = sample(N);
	lg_buf gz = LG_BUF_INIT;
	gzip_append(d, 1000, &gz);
	gzip_append(NULL, 0, &gz); /* an empty member */
	gzip_append(d + 1000, N - 1000, &gz);
	expect_ok(&gz, d, N);
	lg_buf_free(&gz);
	free(d);
}

/* The gzip of nothing is a valid, empty stream. */
static void test_empty_member(void **state)
{
	(void)state;
	lg_buf gz = LG_BUF_INIT;
	gzip_append(NULL, 0, &gz);
	expect_ok(&gz, NULL, 0);
	lg_buf_free(&gz);
}

static void test_empty_input(void **state)
{
	(void)state;
	lg_buf gz = LG_BUF_INIT;
	expect_fail(&gz, "empty input");
}

static void test_not_gzip(void **state)
{
	(void)state;
	lg_buf gz = LG_BUF_INIT;
	lg_buf_append(&gz, "hello, world\n", 13);
	expect_fail(&gz, "not in gzip format");
	lg_buf_free(&gz);
}

static void test_trailing_garbage(void **state)
{
	(void)state;
	lg_buf gz = LG_BUF_INIT;
	gzip_append("data\n", 5, &gz);
	lg_buf_append(&gz, "junk", 4);
	expect_fail(&gz, "trailing garbage after gzip data");
	/* zeros are garbage too (gzip -dc only warns about them) */
	lg_buf_reset(&gz);
	gzip_append("data\n", 5, &gz);
	lg_buf_append(&gz, "\0\0\0\0", 4);
	expect_fail(&gz, "trailing garbage after gzip data");
	/* a magic number followed by something else */
	lg_buf_reset(&gz);
	gzip_append("data\n", 5, &gz);
	lg_buf_append(&gz, "\x1f\x8b\x01\x00\x00\x00\x00\x00\x00\x03", 10);
	expect_fail(&gz, "gzip: ");
	lg_buf_free(&gz);
}

static void test_truncated(void **state)
{
	(void)state;
	enum { N = 200 * 1024 };
	unsigned char *d = sample(N);
	lg_buf gz = LG_BUF_INIT;
	gzip_append(d, N, &gz);
	size_t full = gz.len;
	size_t cuts[] = { full - 1, full - 8, full / 2, 5 };
	for (size_t i = 0; i < LG_ARRAY_LEN(cuts); i++) {
		gz.len = cuts[i];
		expect_fail(&gz, "truncated");
	}
	/* the second member cut short */
	gz.len = full;
	gzip_append(d, 100, &gz);
	gz.len -= 3;
	expect_fail(&gz, "truncated");
	lg_buf_free(&gz);
	free(d);
}

static void test_bad_trailer(void **state)
{
	(void)state;
	lg_buf gz = LG_BUF_INIT;
	gzip_append("some data\n", 10, &gz);
	gz.data[gz.len - 8] ^= 1; /* CRC-32 */
	expect_fail(&gz, "CRC-32");
	gz.data[gz.len - 8] ^= 1;
	gz.data[gz.len - 4] ^= 1; /* ISIZE */
	expect_fail(&gz, "length");
	gz.data[gz.len - 4] ^= 1;
	expect_ok(&gz, "some data\n", 10);
	lg_buf_free(&gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_member),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_empty_member),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_not_gzip),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_trailer),
	};
	return cmocka_run_group_tests_name("inflate", tests, NULL, NULL) ? 1 : 0;
}
