/* test_evidence_fingerprint.c - fingerprint sets: what is encoded is what
 * decodes; two sets used together, from bytes or from files (the first
 * then used in place), match files of either; a set whose
 * checksum is right but whose table is not what an encoder writes (a file
 * index out of range, hashes out of order, a file's count wrong) is
 * refused, not used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xxhash.h>

#include "evidence_fingerprint.h"
#include "fingerprint.h"
#include "util.h"

/* Some code: n functions whose words are drawn from seed. */
static char *code(unsigned seed, int n)
{
	lg_buf b = LG_BUF_INIT;
	for (int i = 0; i < n; i++)
		lg_buf_appendf(&b, "function f%u_%d(alpha%u, beta%d) {\n"
				   "  const gamma%u = alpha%u * %d + beta%d;\n"
				   "  return helper%u(gamma%u, 'delta%d');\n}\n",
			       seed, i, seed, i, seed, seed, i, i, seed, seed, i);
	lg_buf_append(&b, "", 0);
	return lg_buf_steal(&b);
}

typedef struct fps {
	lg_fp *v;
	size_t n, cap;
} fps;

static void on_fp(void *ud, const lg_fp *fp)
{
	fps *f = ud;
	lg_xgrow((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	f->v[f->n++] = *fp;
}

/* A set of one denied file, the given text, encoded. */
static void make_set(const char *path, const char *text, lg_buf *out)
{
	lg_fingerprinter f;
	lg_fp_init(&f);
	fps v = { 0 };
	lg_fp_begin(&f, LG_FP_K, LG_FP_W, on_fp, &v, NULL, NULL);
	lg_fp_feed(&f, text, strlen(text));
	lg_fp_summary sum;
	lg_fp_end(&f, &sum);
	lg_fp_release(&f);
	uint8_t exact[16];
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(text, strlen(text)));
	memcpy(exact, c.digest, 16);
	lg_fpset *s = lg_fpset_new("test.rules", "sha256:00", "hub", "/");
	lg_fpset_add(s, path, "BSL", exact, sum.normalized, sum.tokens, v.v, v.n);
	lg_fpset_encode(s, out);
	lg_fpset_free(s);
	free(v.v);
}

/* What a set says of a text: the match's kind and source. */
static int match(const lg_fpset *s, const char *text, char *source, size_t size)
{
	lg_fpmatcher *m = lg_fpmatcher_new(s);
	lg_fpmatcher_begin(m);
	lg_fpmatcher_feed(m, text, strlen(text));
	uint8_t exact[16] = { 0 };
	lg_fpmatch out;
	bool hit = lg_fpmatcher_end(m, exact, &out);
	if (hit)
		snprintf(source, size, "%.*s", (int)out.source_len, out.source);
	lg_fpmatcher_free(m);
	return hit ? out.kind : 0;
}

/* A paste: the first functions of text inside other code. */
static char *paste(const char *text, size_t bytes)
{
	char *around = code(99, 30);
	lg_buf b = LG_BUF_INIT;
	size_t half = strlen(around) / 2;
	lg_buf_append(&b, around, half);
	lg_buf_append(&b, text, bytes);
	lg_buf_append(&b, around + half, strlen(around) - half);
	lg_buf_append(&b, "", 0);
	free(around);
	return lg_buf_steal(&b);
}

/* An encoded set as a file (removed by the caller): what lg_fpset_load()
 * maps and uses in place. */
static char *write_set(const lg_buf *e)
{
	char *path = lg_xstrdup("/tmp/licgate-test-set.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(e->data, 1, e->len, f), e->len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Two sets read together, from bytes (copied) or from files (the first
 * used in place, then merged with the second), match files of either. */
static void two_sets(bool from_files)
{
	char *a = code(1, 40), *b = code(2, 40);
	lg_buf ea = LG_BUF_INIT, eb = LG_BUF_INIT;
	make_set("/app/ee/a.js", a, &ea);
	make_set("/app/ee/b.js", b, &eb);
	char *fa = from_files ? write_set(&ea) : NULL, *fb = from_files ? write_set(&eb) : NULL;
	lg_error err = { 0 };
	lg_fpset *s = NULL;
	char src[256];
	if (from_files) {
		assert_int_equal(lg_fpset_load(&s, fa, &err), 0);
		assert_int_equal(match(s, a, src, sizeof(src)), LG_FPM_NORMALIZED);
	} else {
		assert_int_equal(lg_fpset_decode(&s, "a.lgfp", ea.data, ea.len, &err), 0);
	}
	size_t na = lg_fpset_count(s);
	if (from_files)
		assert_int_equal(lg_fpset_load(&s, fb, &err), 0);
	else
		assert_int_equal(lg_fpset_decode(&s, "b.lgfp", eb.data, eb.len, &err), 0);
	assert_int_equal(lg_fpset_count(s), 2);
	char *pa = paste(a, 600), *pb = paste(b + 300, 600);
	assert_int_equal(match(s, pa, src, sizeof(src)), LG_FPM_PARTIAL);
	assert_string_equal(src, "/app/ee/a.js");
	assert_int_equal(match(s, pb, src, sizeof(src)), LG_FPM_PARTIAL);
	assert_string_equal(src, "/app/ee/b.js");
	assert_int_equal(match(s, b, src, sizeof(src)), LG_FPM_NORMALIZED);
	assert_string_equal(src, "/app/ee/b.js");
	char *other = code(3, 40);
	assert_int_equal(match(s, other, src, sizeof(src)), 0);
	assert_int_equal(na, 1);
	lg_fpset_free(s);
	if (from_files) {
		unlink(fa);
		unlink(fb);
	}
	free(fa), free(fb);
	free(a), free(b), free(pa), free(pb), free(other);
	lg_buf_free(&ea);
	lg_buf_free(&eb);
}

static void test_two_sets(void **state)
{
	(void)state;
	two_sets(false);
}

static void test_two_set_files(void **state)
{
	(void)state;
	two_sets(true);
}

/* Where the table is in an encoded set of one file with the given path
 * and class "BSL": its count (after the header, the strings and the file
 * record), its hashes (from the next multiple of 8) and its sources. */
typedef struct table_at {
	size_t count, keys, src;
	uint32_t n;
} table_at;

static table_at find_table(const lg_buf *e, const char *path)
{
	const char *p = memmem(e->data, e->len, path, strlen(path));
	assert_non_null(p);
	table_at t;
	t.count = (size_t)(p - e->data) + strlen(path);
	t.count += 4 + 3;           /* "BSL" */
	t.count += 16 + 16 + 8 + 4; /* exact, normalized, tokens, its count */
	memcpy(&t.n, e->data + t.count, 4);
	t.keys = (t.count + 4 + 7) / 8 * 8;
	t.src = t.keys + 8 * (size_t)t.n;
	return t;
}

static void reseal(lg_buf *e)
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(e->data, e->len - 16));
	memcpy(e->data + e->len - 16, c.digest, 16);
}

static void expect_refused(lg_buf *e, const char *what)
{
	reseal(e);
	lg_error err = { 0 };
	lg_fpset *s = NULL;
	if (lg_fpset_decode(&s, "x.lgfp", e->data, e->len, &err) == 0)
		fail_msg("%s: decoded", what);
	assert_null(s);
	assert_non_null(strstr(err.msg, "malformed"));
	lg_error_clear(&err);
}

static void test_malformed_table(void **state)
{
	(void)state;
	char *a = code(1, 40);
	lg_buf e = LG_BUF_INIT;
	make_set("/app/ee/a.js", a, &e);
	table_at t = find_table(&e, "/app/ee/a.js");
	assert_true(t.n >= 2);
	assert_int_equal(t.src + 12 * (size_t)t.n + 16, e.len);
	lg_buf copy = LG_BUF_INIT;

	/* a file index past the files (the first source's) */
	lg_buf_append(&copy, e.data, e.len);
	copy.data[t.src] = 5;
	expect_refused(&copy, "file index out of range");

	/* hashes out of order: the first hash made the largest */
	lg_buf_reset(&copy);
	lg_buf_append(&copy, e.data, e.len);
	memset(copy.data + t.keys, 0xff, 8);
	expect_refused(&copy, "hashes out of order");

	/* a last line before the first */
	lg_buf_reset(&copy);
	lg_buf_append(&copy, e.data, e.len);
	memset(copy.data + t.src + 8, 0, 4);
	copy.data[t.src + 4] = 9;
	expect_refused(&copy, "line_end before line");

	/* a count of fingerprints that is not the file's */
	lg_buf_reset(&copy);
	lg_buf_append(&copy, e.data, e.len);
	copy.data[t.count - 4]++;
	expect_refused(&copy, "a file's count");

	/* a table count larger than the table */
	lg_buf_reset(&copy);
	lg_buf_append(&copy, e.data, e.len);
	copy.data[t.count]++;
	expect_refused(&copy, "a table count past the end");

	/* padding that is not zeros */
	if (t.keys > t.count + 4) {
		lg_buf_reset(&copy);
		lg_buf_append(&copy, e.data, e.len);
		copy.data[t.count + 4] = 1;
		expect_refused(&copy, "padding");
	}

	/* the untouched set decodes */
	lg_error err = { 0 };
	lg_fpset *s = NULL;
	assert_int_equal(lg_fpset_decode(&s, "a.lgfp", e.data, e.len, &err), 0);
	lg_fpset_free(s);
	lg_buf_free(&copy);
	lg_buf_free(&e);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_sets),
		cmocka_unit_test(test_two_set_files),
		cmocka_unit_test(test_malformed_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
