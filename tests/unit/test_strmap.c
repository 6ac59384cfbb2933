/* test_strmap.c - the arena (stable strings, large strings, accounting) and
 * the string map (put/get, growth to 100k keys, prefixes, binary keys). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strmap.h"
#include "util.h"

/* ---- arena ---- */

/* Copies are NUL-terminated, equal to the source, and not the source. */
static void test_arena_copy(void **state)
{
	(void)state;
	lg_arena a = LG_ARENA_INIT;
	char src[] = "hello, world";
	const char *p = lg_arena_strndup(&a, src, 5);
	assert_ptr_not_equal(p, src);
	assert_string_equal(p, "hello");
	src[0] = 'J';
	assert_string_equal(p, "hello");
	const char *e = lg_arena_strndup(&a, "", 0);
	assert_string_equal(e, "");
	const char *bin = lg_arena_strndup(&a, "a\0b", 3);
	assert_memory_equal(bin, "a\0b\0", 4);
	assert_int_equal(a.total, 6 + 1 + 4);
	lg_arena_free(&a);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
	assert_int_equal(a.used, 0);
	/* freeing twice, and an arena never used, is harmless */
	lg_arena_free(&a);
}

/* Strings stay where they are, unchanged, while many more are added
 * (enough for dozens of blocks), with sizes that straddle block ends. */
static void test_arena_stable(void **state)
{
	(void)state;
	enum { N = 200000 };
	lg_arena a = LG_ARENA_INIT;
	const char **ptrs = lg_xcalloc(N, sizeof(*ptrs));
	char tmp[256];
	size_t total = 0;
	for (size_t i = 0; i < N; i++) {
		int n = snprintf(tmp, sizeof(tmp), "%zu:%.*s", i, (int)(i % 97),
				 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
				 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
		ptrs[i] = lg_arena_strndup(&a, tmp, (size_t)n);
		total += (size_t)n + 1;
	}
	assert_int_equal(a.total, total);
	for (size_t i = 0; i < N; i++) {
		int n = snprintf(tmp, sizeof(tmp), "%zu:%.*s", i, (int)(i % 97),
				 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
				 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
		if (strlen(ptrs[i]) != (size_t)n || memcmp(ptrs[i], tmp, (size_t)n) != 0)
			fail_msg("string %zu changed: \"%s\", want \"%s\"", i, ptrs[i], tmp);
	}
	/* no two strings overlap: each one's NUL is its own */
	for (size_t i = 1; i < N; i++)
		assert_ptr_not_equal(ptrs[i], ptrs[i - 1]);
	free(ptrs);
	lg_arena_free(&a);
}

/* A string larger than a block (and several of them, between small ones)
 * is copied whole, and the small strings around it are not disturbed. */
static void test_arena_large(void **state)
{
	(void)state;
	lg_arena a = LG_ARENA_INIT;
	const size_t sizes[] = { 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1,
				 3 * 1024 * 1024 + 17 };
	const char *small[LG_ARRAY_LEN(sizes) + 1];
	const char *big[LG_ARRAY_LEN(sizes)];
	char *srcs[LG_ARRAY_LEN(sizes)];
	small[0] = lg_arena_strndup(&a, "before", 6);
	for (size_t i = 0; i < LG_ARRAY_LEN(sizes); i++) {
		srcs[i] = lg_xmalloc(sizes[i]);
		for (size_t j = 0; j < sizes[i]; j++)
			srcs[i][j] = (char)('a' + (j * 7 + i) % 26);
		big[i] = lg_arena_strndup(&a, srcs[i], sizes[i]);
		char name[16];
		int n = snprintf(name, sizeof(name), "after%zu", i);
		small[i + 1] = lg_arena_strndup(&a, name, (size_t)n);
	}
	assert_string_equal(small[0], "before");
	for (size_t i = 0; i < LG_ARRAY_LEN(sizes); i++) {
		assert_memory_equal(big[i], srcs[i], sizes[i]);
		assert_int_equal(big[i][sizes[i]], '\0');
		char name[16];
		snprintf(name, sizeof(name), "after%zu", i);
		assert_string_equal(small[i + 1], name);
		free(srcs[i]);
	}
	lg_arena_free(&a);
}

/* ---- map ---- */

static void test_map_empty(void **state)
{
	(void)state;
	lg_strmap m = LG_STRMAP_INIT;
	assert_null(lg_strmap_get(&m, "a", 1));
	assert_null(lg_strmap_get(&m, "", 0));
	lg_strmap_free(&m);
	lg_strmap_free(&m);
}

static void test_map_put_get(void **state)
{
	(void)state;
	lg_strmap m = LG_STRMAP_INIT;
	bool created = false;
	uint32_t *v = lg_strmap_put(&m, "alpha", 5, &created);
	assert_true(created);
	assert_int_equal(*v, 0);
	*v = 42;
	v = lg_strmap_put(&m, "alpha", 5, &created);
	assert_false(created);
	assert_int_equal(*v, 42);
	assert_int_equal(m.count, 1);

	/* a different buffer with the same bytes is the same key */
	char copy[] = "alpha";
	v = lg_strmap_get(&m, copy, 5);
	assert_non_null(v);
	assert_int_equal(*v, 42);
	assert_null(lg_strmap_get(&m, "alph", 4));
	assert_null(lg_strmap_get(&m, "alphab", 6));
	assert_null(lg_strmap_get(&m, "Alpha", 5));

	/* the empty key is a key like any other */
	v = lg_strmap_put(&m, "", 0, &created);
	assert_true(created);
	*v = 7;
	v = lg_strmap_get(&m, "", 0);
	assert_non_null(v);
	assert_int_equal(*v, 7);
	assert_int_equal(*lg_strmap_get(&m, "alpha", 5), 42);
	lg_strmap_free(&m);
	assert_null(m.slots);
	assert_int_equal(m.count, 0);
}

/* Keys that are prefixes of each other, compared by length too: "abc"
 * with len 2 is "ab". */
static void test_map_prefixes(void **state)
{
	(void)state;
	static const char path[] = "/usr/lib/node_modules/x/index.js";
	lg_strmap m = LG_STRMAP_INIT;
	size_t n = sizeof(path) - 1;
	for (size_t len = 0; len <= n; len++) {
		bool created;
		uint32_t *v = lg_strmap_put(&m, path, len, &created);
		assert_true(created);
		*v = (uint32_t)(len + 100);
	}
	assert_int_equal(m.count, n + 1);
	for (size_t len = 0; len <= n; len++) {
		char *copy = lg_xstrndup(path, len);
		uint32_t *v = lg_strmap_get(&m, copy, len);
		assert_non_null(v);
		assert_int_equal(*v, len + 100);
		free(copy);
	}
	lg_strmap_free(&m);
}

/* Keys are bytes: NUL, high bytes, and keys differing only after a NUL. */
static void test_map_binary(void **state)
{
	(void)state;
	static const struct {
		const char *key;
		size_t len;
	} keys[] = {
		{ "\0", 1 }, { "\0\0", 2 }, { "a\0b", 3 }, { "a\0c", 3 },
		{ "a", 1 }, { "\xff\xfe", 2 }, { "\xff", 1 }, { "\x80\0\x80", 3 },
	};
	lg_strmap m = LG_STRMAP_INIT;
	for (size_t i = 0; i < LG_ARRAY_LEN(keys); i++) {
		bool created;
		uint32_t *v = lg_strmap_put(&m, keys[i].key, keys[i].len, &created);
		if (!created)
			fail_msg("key %zu collided with an earlier one", i);
		*v = (uint32_t)i + 1;
	}
	for (size_t i = 0; i < LG_ARRAY_LEN(keys); i++) {
		char buf[8];
		memcpy(buf, keys[i].key, keys[i].len);
		uint32_t *v = lg_strmap_get(&m, buf, keys[i].len);
		assert_non_null(v);
		assert_int_equal(*v, i + 1);
	}
	assert_null(lg_strmap_get(&m, "a\0d", 3));
	assert_null(lg_strmap_get(&m, "\0\0\0", 3));
	lg_strmap_free(&m);
}

/* 100k keys, stored in an arena: every put grows as needed and every key
 * keeps its value through the rehashes. */
static void test_map_many(void **state)
{
	(void)state;
	enum { N = 100000 };
	lg_arena a = LG_ARENA_INIT;
	lg_strmap m = LG_STRMAP_INIT;
	char tmp[64];
	for (uint32_t i = 0; i < N; i++) {
		int n = snprintf(tmp, sizeof(tmp), "/layer/dir%u/file%u", i % 100, i);
		const char *k = lg_arena_strndup(&a, tmp, (size_t)n);
		bool created;
		uint32_t *v = lg_strmap_put(&m, k, (size_t)n, &created);
		if (!created)
			fail_msg("key %s reported as existing", k);
		*v = i * 3 + 1;
		assert_int_equal(m.count, i + 1);
		/* load factor kept below 1: the table always has a free slot */
		assert_true(m.count < m.cap);
		assert_int_equal(m.cap & (m.cap - 1), 0);
	}
	for (uint32_t i = 0; i < N; i++) {
		int n = snprintf(tmp, sizeof(tmp), "/layer/dir%u/file%u", i % 100, i);
		uint32_t *v = lg_strmap_get(&m, tmp, (size_t)n);
		if (!v)
			fail_msg("key %s lost", tmp);
		assert_int_equal(*v, i * 3 + 1);
		/* putting it again finds it */
		bool created;
		v = lg_strmap_put(&m, tmp, (size_t)n, &created);
		assert_false(created);
		assert_int_equal(*v, i * 3 + 1);
	}
	assert_int_equal(m.count, N);
	for (uint32_t i = N; i < N + 1000; i++) {
		int n = snprintf(tmp, sizeof(tmp), "/layer/dir%u/file%u", i % 100, i);
		assert_null(lg_strmap_get(&m, tmp, (size_t)n));
	}
	lg_strmap_free(&m);
	lg_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_copy),
		cmocka_unit_test(test_arena_stable),
		cmocka_unit_test(test_arena_large),
		cmocka_unit_test(test_map_empty),
		cmocka_unit_test(test_map_put_get),
		cmocka_unit_test(test_map_prefixes),
		cmocka_unit_test(test_map_binary),
		cmocka_unit_test(test_map_many),
	};
	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL) ? 1 : 0;
}
