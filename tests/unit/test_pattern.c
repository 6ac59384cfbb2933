/* test_pattern.c - path globs and re:REGEX patterns, table-driven. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "pattern.h"
#include "util.h"

typedef struct match_case {
	const char *pattern;
	const char *path;
	size_t len; /* 0: strlen(path) */
	bool match;
} match_case;

static const match_case match_cases[] = {
	/* literal and anchored: the whole path must match */
	{ "/app/x.js", "/app/x.js", 0, true },
	{ "/app/x.js", "/app/x.jsx", 0, false },
	{ "/app/x.js", "/srv/app/x.js", 0, false },
	{ "/app/x.js", "/APP/x.js", 0, false }, /* case-sensitive */

	/* special regex characters in globs are literal */
	{ "/a/b.c", "/a/b.c", 0, true },
	{ "/a/b.c", "/a/bxc", 0, false },
	{ "/a/f(1).txt", "/a/f(1).txt", 0, true },
	{ "/a/f(1).txt", "/a/f1.txt", 0, false },
	{ "/a/+$^|{}", "/a/+$^|{}", 0, true },
	{ "/a/x+", "/a/xx", 0, false },
	{ "/a/(x|y)", "/a/x", 0, false },

	/* '*' stays within a segment */
	{ "/a/*", "/a/x", 0, true },
	{ "/a/*", "/a/x/y", 0, false },
	{ "/a/*.js", "/a/index.js", 0, true },
	{ "/a/*.js", "/a/b/index.js", 0, false },
	{ "/a/*/c", "/a/b/c", 0, true },
	{ "/a/*/c", "/a/c", 0, false },
	{ "/a/*/c", "/a/b/x/c", 0, false },

	/* '**' */
	{ "/app/**", "/app/x", 0, true },
	{ "/app/**", "/app/x/y/z", 0, true },
	{ "/app/**", "/app", 0, false },
	{ "/app/**", "/apps/x", 0, false },
	{ "/app/**/x.js", "/app/x.js", 0, true },     /* zero directories */
	{ "/app/**/x.js", "/app/a/x.js", 0, true },
	{ "/app/**/x.js", "/app/a/b/c/x.js", 0, true },
	{ "/app/**/x.js", "/app/ax.js", 0, false },
	{ "/app/**/x.js", "/appx.js", 0, false },
	{ "/app/**/x.js", "/app/a/yx.js", 0, false },
	{ "/a/**/b/**/c", "/a/b/c", 0, true },
	{ "/a/**/b/**/c", "/a/1/b/2/3/c", 0, true },
	{ "/a/**/b/**/c", "/a/1/2/c", 0, false },
	{ "**", "/anything/at/all", 0, true },
	{ "/**", "/x", 0, true },
	{ "/**", "/x/y", 0, true },
	{ "**/x.js", "/x.js", 0, true },
	{ "**/x.js", "/a/b/x.js", 0, true },
	{ "**/x.js", "/a/bx.js", 0, false },
	/* '**' not alone in its segment is a plain '*' */
	{ "/a**b", "/axyzb", 0, true },
	{ "/a**b", "/ax/yb", 0, false },
	{ "/a/**b", "/a/xb", 0, true },
	{ "/a/**b", "/a/x/b", 0, false },
	{ "/a/b**/c", "/a/bxx/c", 0, true },
	{ "/a/b**/c", "/a/bx/y/c", 0, false },
	{ "/a/***/c", "/a/x/y/c", 0, true },

	/* relative globs match at any depth, on segment boundaries */
	{ "x.js", "/x.js", 0, true },
	{ "x.js", "/a/b/x.js", 0, true },
	{ "x.js", "/a/yx.js", 0, false },
	{ "src/*.js", "/app/src/a.js", 0, true },
	{ "src/*.js", "/src/a.js", 0, true },
	{ "src/*.js", "/app/src/a/b.js", 0, false },
	{ "src/*.js", "/app/mysrc/a.js", 0, false },
	{ "node_modules/**", "/app/node_modules/x/y.js", 0, true },
	{ "*.md", "/docs/README.md", 0, true },
	{ "*.md", "/docs/README.mdx", 0, false },

	/* a trailing '/' means everything below */
	{ "/a/b/", "/a/b/c", 0, true },
	{ "/a/b/", "/a/b/c/d", 0, true },
	{ "/a/b/", "/a/b", 0, false },
	{ "/a/b/", "/a/bc/d", 0, false },

	/* '?' is one byte, never '/' */
	{ "/a/?.c", "/a/x.c", 0, true },
	{ "/a/?.c", "/a/xy.c", 0, false },
	{ "/a/?.c", "/a/.c", 0, false },
	{ "/a?b", "/a/b", 0, false },
	{ "/a/??", "/a/\xc3\xa9", 0, true },  /* "é" is two bytes */
	{ "/a/?", "/a/\xc3\xa9", 0, false },

	/* classes */
	{ "/a/[abc].c", "/a/b.c", 0, true },
	{ "/a/[abc].c", "/a/d.c", 0, false },
	{ "/a/[!abc].c", "/a/d.c", 0, true },
	{ "/a/[!abc].c", "/a/a.c", 0, false },
	{ "/a/[^abc].c", "/a/d.c", 0, true },
	{ "/a/[^abc].c", "/a/c.c", 0, false },
	{ "/a[!x]b", "/a/b", 0, false },       /* negation never adds '/' */
	{ "/a/[a-c]x", "/a/bx", 0, true },
	{ "/a/[a-c]x", "/a/dx", 0, false },
	{ "/a/[0-9][0-9]", "/a/42", 0, true },
	{ "/a/[]]", "/a/]", 0, true },          /* ']' first is literal */
	{ "/a/[!]]", "/a/x", 0, true },
	{ "/a/[!]]", "/a/]", 0, false },
	{ "/a/[a-]", "/a/-", 0, true },         /* '-' last is literal */
	{ "/a/[-a]", "/a/-", 0, true },
	{ "/a/[\\]]", "/a/]", 0, true },        /* escaped in a class */
	{ "/a/[\\-]", "/a/-", 0, true },
	{ "/a[/]b", "/a/b", 0, false },         /* a class never matches '/' */
	{ "/a[./]b", "/a.b", 0, true },
	{ "/a[./]b", "/a/b", 0, false },
	{ "/a/[.]js", "/a/.js", 0, true },
	{ "/a/[.]js", "/a/xjs", 0, false },
	{ "/a/[\x80-\xff]", "/a/\xe9", 0, true },
	{ "/a/[\x80-\xff]", "/a/e", 0, false },

	/* backslash escapes */
	{ "/a/\\*", "/a/*", 0, true },
	{ "/a/\\*", "/a/x", 0, false },
	{ "/a/\\?", "/a/?", 0, true },
	{ "/a/\\?", "/a/x", 0, false },
	{ "/a/\\[x]", "/a/[x]", 0, true },
	{ "/a/\\\\", "/a/\\", 0, true },

	/* paths are bytes: not UTF-8, newlines, NULs, explicit lengths */
	{ "/app/*/x.js", "/app/\xff\xfe/x.js", 0, true },
	{ "**/*.txt", "/d/\xe9t\xe9.txt", 0, true },
	{ "/data/\xff*", "/data/\xff\x80\x81", 0, true },
	{ "/data/\xff*", "/data/\xfe", 0, false },
	{ "/a/*", "/a/x\ny", 0, true },
	{ "/a/**", "/a/x\n/y", 0, true },
	{ "/a/*", "/a/x\0y", 6, true },
	{ "/a/?", "/a/xyz", 4, true },
	{ "/a/?", "/a/xyz", 5, false },

	/* re:REGEX - PCRE2, unanchored unless anchored */
	{ "re:^/usr/(lib|share)/", "/usr/lib/libc.so.6", 0, true },
	{ "re:^/usr/(lib|share)/", "/usr/share/doc/x", 0, true },
	{ "re:^/usr/(lib|share)/", "/usr/lib64/x", 0, false },
	{ "re:^/usr/(lib|share)/", "/opt/usr/lib/x", 0, false },
	{ "re:node_modules", "/app/node_modules/x", 0, true },
	{ "re:\\.so(\\.[0-9]+)*$", "/usr/lib/libz.so.1.3", 0, true },
	{ "re:\\.so(\\.[0-9]+)*$", "/usr/lib/libz.son", 0, false },
	{ "re:\\xff", "/data/\xff", 0, true },
	{ "re:^/a/.$", "/a/\xe9", 0, true },    /* '.' is one byte */
	{ "re:(?i)^/APP/", "/app/x", 0, true },
	{ "re:", "/anything", 0, true },
};

static void test_match_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
		const match_case *c = &match_cases[i];
		lg_error err = LG_ERROR_INIT;
		lg_pattern *p = NULL;
		if (lg_pattern_compile(c->pattern, &p, &err) != 0)
			fail_msg("case %zu: '%s' does not compile: %s", i,
				 c->pattern, lg_error_msg(&err));
		size_t len = c->len ? c->len : strlen(c->path);
		if (lg_pattern_match(p, c->path, len) != c->match)
			fail_msg("case %zu: '%s' %s match '%s' (regex %s)", i,
				 c->pattern, c->match ? "should" : "should not",
				 c->path, lg_pattern_regex(p));
		lg_pattern_free(p);
	}
}

typedef struct error_case {
	const char *pattern;
	const char *message;
} error_case;

static const error_case error_cases[] = {
	{ "", "empty pattern" },
	{ "/a/[bc", "unterminated '[' at offset 3" },
	{ "/a/[", "unterminated '[' at offset 3" },
	{ "/a/[!", "unterminated '[' at offset 3" },
	{ "/a/[a-", "unterminated '[' at offset 3" },
	{ "/a/[\\", "unterminated '[' at offset 3" },
	{ "/a/\\", "trailing backslash at offset 3" },
	{ "/a/[z-a]", "range out of order at offset 4" },
	/* PCRE2's own messages; offsets count from the start of "re:" */
	{ "re:(", "missing closing parenthesis at offset 4" },
	{ "re:/a/[x", "missing terminating ] for character class at offset 8" },
	{ "re:*x", "quantifier does not follow a repeatable item at offset 3" },
	{ "re:(*UTF)x", "using UTF is disabled by the application at offset 9" },
};

static void test_error_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		const error_case *c = &error_cases[i];
		lg_error err = LG_ERROR_INIT;
		lg_pattern *p = (lg_pattern *)&err; /* must stay untouched */
		assert_int_equal(lg_pattern_compile(c->pattern, &p, &err), -1);
		assert_ptr_equal(p, (lg_pattern *)&err);
		assert_string_equal(lg_error_msg(&err), c->message);
		lg_error_clear(&err);
	}
}

/* The translation is part of the contract for speed: no per-path work
 * beyond one match, '*' and '?' never cross '/', anchored at both ends. */
static void test_translation(void **state)
{
	(void)state;
	static const struct {
		const char *glob, *regex;
	} cases[] = {
		{ "/a/*.js", "/a/[^/]*\\x{2e}js\\z" },
		{ "/a/**", "/a/.*\\z" },
		{ "/a/**/b", "/a/(?:.*/)?b\\z" },
		{ "b?", "/(?:.*/)?b[^/]\\z" },
		{ "**/b", "/(?:.*/)?b\\z" },
		{ "/[!a]", "/[\\x{00}-\\x{2e}\\x{30}-\\x{60}\\x{62}-\\x{ff}]\\z" },
		{ "/[/]", "/(*FAIL)\\z" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lg_error err = LG_ERROR_INIT;
		lg_pattern *p = NULL;
		assert_int_equal(lg_pattern_compile(cases[i].glob, &p, &err), 0);
		assert_string_equal(lg_pattern_regex(p), cases[i].regex);
		lg_pattern_free(p);
	}
}

/* Matching reuses the pattern's match data: many matches, same answers. */
static void test_repeated_matches(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_pattern *p = NULL;
	assert_int_equal(lg_pattern_compile("re:^/(a+)(b+)(c+)$", &p, &err), 0);
	for (int i = 0; i < 1000; i++) {
		assert_true(lg_pattern_match(p, "/aabbcc", 7));
		assert_false(lg_pattern_match(p, "/aabbcd", 7));
	}
	lg_pattern_free(p);
	lg_pattern_free(NULL);
}

/* A subject of n bytes: c repeated, then last. */
static char *run_of(char c, size_t n, char last)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n - 1] = last;
	s[n] = '\0';
	return s;
}

/* A regex that backtracks catastrophically hits the work limits: the
 * answer is -1 ("no answer"), never 0, which could let a file pass. */
static void test_limit_is_an_error(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_pattern *p = NULL;
	assert_int_equal(lg_pattern_compile("re:^/(a|aa)+$", &p, &err), 0);
	char *s = run_of('a', 4096, 'b');
	s[0] = '/';
	assert_int_equal(lg_pattern_match(p, s, strlen(s)), -1);
	assert_int_equal(lg_pattern_match(p, "/aaaa", 5), 1);
	assert_int_equal(lg_pattern_match(p, "/aab", 4), 0);
	lg_pattern_free(p);
	free(s);

	/* a text regex on a whole LG_TEXT_HEAD (32 KiB) head */
	assert_int_equal(lg_pattern_compile_text("re:^(x|xx)+$", &p, &err), 0);
	s = run_of('x', 32 * 1024, 'z');
	assert_int_equal(lg_pattern_match(p, s, strlen(s)), -1);
	lg_pattern_free(p);
	free(s);
}

/* Globs and phrases that are slow to backtrack get their answer from the
 * DFA matcher: right, and not an error. */
static void test_slow_glob_answers(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_pattern *p = NULL;
	assert_int_equal(lg_pattern_compile(
		"/*a*a*a*a*a*a*a*a*a*a*a*a*b", &p, &err), 0);
	/* "/aaa...abc": the 'b' PCRE2 requires is there, so it backtracks */
	char *s = run_of('a', 2000, 'c');
	s[0] = '/';
	s[1998] = 'b';
	assert_int_equal(lg_pattern_match(p, s, strlen(s)), 0);
	s[1999] = 'b';
	assert_int_equal(lg_pattern_match(p, s, strlen(s)), 1);
	lg_pattern_free(p);
	/* the same regex as a re: has no such fallback: no answer */
	assert_int_equal(lg_pattern_compile("re:^/[^/]*a[^/]*a[^/]*a[^/]*a[^/]*a"
		"[^/]*a[^/]*a[^/]*a[^/]*a[^/]*a[^/]*a[^/]*a[^/]*b\\z", &p, &err), 0);
	s[1999] = 'c';
	assert_int_equal(lg_pattern_match(p, s, strlen(s)), -1);
	lg_pattern_free(p);
	free(s);

	/* "**" "/" many times over a deep path holding an x, not at its end */
	assert_int_equal(lg_pattern_compile(
		"/**/**/**/**/**/**/**/**/**/**/**/**/**/**/x", &p, &err), 0);
	char deep[4096] = "";
	for (int i = 0; i < 1500; i++)
		strcat(deep, "/d");
	strcat(deep, "/x/d");
	assert_int_equal(lg_pattern_match(p, deep, strlen(deep)), 0);
	deep[strlen(deep) - 2] = '\0';
	assert_int_equal(lg_pattern_match(p, deep, strlen(deep)), 1);
	lg_pattern_free(p);
}

/* lg_pattern_match_at(): where the match starts, from either matcher. */
static void test_match_at(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_pattern *p = NULL;
	static const char text[] = "line one\n// Use of this software is governed\n"
				   "// by the Business Source License\n";
	assert_int_equal(lg_pattern_compile_text("governed by the Business Source License",
						 &p, &err), 0);
	size_t at = 999;
	assert_int_equal(lg_pattern_match_at(p, text, strlen(text), &at), 1);
	assert_int_equal(at, (size_t)(strstr(text, "governed") - text));
	at = 999;
	assert_int_equal(lg_pattern_match_at(p, "nothing here", 12, &at), 0);
	assert_int_equal(at, 999); /* untouched without a match */
	assert_int_equal(lg_pattern_match_at(p, text, strlen(text), NULL), 1);
	lg_pattern_free(p);
	assert_int_equal(lg_pattern_compile_text("re:(?s)Licensor:.{0,50}?Licensed\\W+Work:", &p,
						 &err), 0);
	static const char busl[] = "x\n\nLicensor: Acme\nLicensed Work: EE\n";
	assert_int_equal(lg_pattern_match_at(p, busl, strlen(busl), &at), 1);
	assert_int_equal(at, 3);
	lg_pattern_free(p);
	/* a glob slow to backtrack answers through the DFA matcher: its
	 * start is still where the match starts */
	assert_int_equal(lg_pattern_compile("/*a*a*a*a*a*a*a*a*a*a*a*a*b", &p, &err), 0);
	char *s = run_of('a', 2000, 'b');
	s[0] = '/';
	at = 999;
	assert_int_equal(lg_pattern_match_at(p, s, strlen(s), &at), 1);
	assert_int_equal(at, 0);
	free(s);
	lg_pattern_free(p);
}

/* A long glob compiles and matches itself; one too long for PCRE2 is a
 * clear error. */
static void test_long_glob(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_pattern *p = NULL;
	char *g = run_of('a', 20000, 'a');
	g[0] = '/';
	assert_int_equal(lg_pattern_compile(g, &p, &err), 0);
	assert_int_equal(lg_pattern_match(p, g, strlen(g)), 1);
	assert_int_equal(lg_pattern_match(p, g, strlen(g) - 1), 0);
	lg_pattern_free(p);
	free(g);

	/* Too long for PCRE2 (64 KiB of compiled code): a user error, not an
	 * "internal error" quoting a translation of hundreds of KiB. */
	g = run_of('.', 60000, '.');
	g[0] = '/';
	p = NULL;
	assert_int_equal(lg_pattern_compile(g, &p, &err), -1);
	assert_null(p);
	assert_string_equal(lg_error_msg(&err), "pattern too long: regular "
			    "expression is too large (shorten it, or split it "
			    "into several rules)");
	lg_error_clear(&err);
	free(g);
}

/* Threads match the same patterns at once (the layer walk's workers do):
 * each thread has its own match data and JIT stack, so every answer is
 * the one a lone thread gets, a work limit hit included. */
enum { THREADS = 4, ROUNDS = 3000 };

static lg_pattern *shared[3];

static const struct {
	int pat;
	const char *subject;
	int want;
} thread_cases[] = {
	{ 0, "/* This file is governed by the\n * Business Source License */", 1 },
	{ 0, "governed by the Business Source Licence", 0 },
	{ 1, "/app/ee/billing/plan.js", 1 },
	{ 1, "/app/free/plan.js", 0 },
	{ 2, "xxxx", 1 },
	{ 2, "xxz", 0 },
};

static void *match_many(void *ud)
{
	size_t *wrong = ud;
	/* a work limit hit, deep in the JIT stack, now and then */
	char *deep = run_of('x', 4096, 'z');
	for (int r = 0; r < 3; r++)
		if (lg_pattern_match(shared[2], deep, strlen(deep)) != -1)
			++*wrong;
	free(deep);
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < LG_ARRAY_LEN(thread_cases); i++) {
			const char *s = thread_cases[i].subject;
			if (lg_pattern_match(shared[thread_cases[i].pat], s, strlen(s)) !=
			    thread_cases[i].want)
				++*wrong;
		}
	lg_pattern_thread_done();
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_pattern_compile_text("governed by the Business Source License",
						 &shared[0], &err), 0);
	assert_int_equal(lg_pattern_compile("ee/", &shared[1], &err), 0);
	assert_int_equal(lg_pattern_compile_text("re:^(x|xx)+$", &shared[2], &err), 0);
	pthread_t t[THREADS];
	size_t wrong[THREADS] = { 0 };
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, match_many, &wrong[i]), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		if (wrong[i])
			fail_msg("thread %d: %zu wrong answers", i, wrong[i]);
	}
	for (size_t i = 0; i < LG_ARRAY_LEN(shared); i++)
		lg_pattern_free(shared[i]);
	lg_pattern_thread_done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_translation),
		cmocka_unit_test(test_repeated_matches),
		cmocka_unit_test(test_limit_is_an_error),
		cmocka_unit_test(test_slow_glob_answers),
		cmocka_unit_test(test_match_at),
		cmocka_unit_test(test_long_glob),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
