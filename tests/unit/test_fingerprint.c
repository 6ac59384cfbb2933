/* test_fingerprint.c - the tokenizer (a table of texts and the tokens they
 * give, with lines), the normalized hash (pairs that must and must not
 * hash alike), winnowing (the window guarantee over random token streams, a
 * property test; density) and chunking (any split of a text gives the same
 * fingerprints, tokens and hashes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fingerprint.h"
#include "util.h"

/* ---- tokenizer ---- */

typedef struct tokens {
	lg_buf text; /* "tok@line tok@line ..." */
} tokens;

static void on_token(void *ud, uint64_t hash, uint32_t line, const char *text, size_t len)
{
	tokens *t = ud;
	(void)hash;
	if (t->text.len)
		lg_buf_putc(&t->text, ' ');
	lg_buf_append(&t->text, text, len);
	lg_buf_appendf(&t->text, "@%u", line);
}

static char *tokenize(const char *s, size_t len, size_t chunk)
{
	lg_fingerprinter f;
	lg_fp_init(&f);
	tokens t = { LG_BUF_INIT };
	lg_fp_begin(&f, LG_FP_K, LG_FP_W, NULL, NULL, on_token, &t);
	for (size_t i = 0; i < len; i += chunk)
		lg_fp_feed(&f, s + i, len - i < chunk ? len - i : chunk);
	lg_fp_summary sum;
	lg_fp_end(&f, &sum);
	lg_fp_release(&f);
	if (!t.text.data)
		lg_buf_append(&t.text, "", 0);
	return lg_buf_steal(&t.text);
}

static const struct {
	const char *in, *want;
} token_cases[] = {
	{ "int x = 42;", "int@1 x@1 42@1" },
	{ "a_b$1 0x1F 3.14e5", "a_b$1@1 0x1F@1 3@1 14e5@1" },
	{ "a // comment\nb", "a@1 b@2" },
	{ "a /* x\ny */ b", "a@1 b@2" },
	{ "a/b", "a@1 b@1" },
	{ "# comment\nx", "x@2" },
	{ "  # indented\nx", "x@2" },
	{ "#\nx", "x@2" },                          /* a lone '#' */
	{ "#!/bin/sh\necho", "echo@2" },
	{ "#include <a.h>", "include@1 a@1 h@1" },   /* code, not a comment */
	{ "x # not at start", "x@1 not@1 at@1 start@1" },
	{ "/* c */ # x", "x@1" },                    /* not a line's first byte */
	{ "a#b", "a@1 b@1" },
	{ "s = \"a // b\"", "s@1 a@1" },              /* strings are not known */
	{ "a\r\nb\rc\nd", "a@1 b@2 c@3 d@4" },
	{ "   \t\n\n", "" },
	{ "caf\xc3\xa9 = 1", "caf\xc3\xa9@1 1@1" },
	{ "a /* never closed\n\nb", "a@1" },
	{ "x/", "x@1" },
	{ "x#", "x@1" },
	{ "/* x\r\n */ a\r\n// c\r\nb", "a@2 b@4" },
	{ "a/**/b/*\r*/c", "a@1 b@1 c@2" },
	{ "a/*/b*/c", "a@1 c@1" },                   /* the opener's '*' does not close */
	{ "a//b\r\nc", "a@1 c@2" },
};

static void test_tokenizer(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(token_cases); i++) {
		const char *in = token_cases[i].in;
		for (size_t chunk = 1; chunk <= 7; chunk += 6) {
			char *got = tokenize(in, strlen(in), chunk);
			if (strcmp(got, token_cases[i].want) != 0)
				fail_msg("case %zu (chunk %zu): got \"%s\", want \"%s\"", i, chunk,
					 got, token_cases[i].want);
			free(got);
		}
	}
}

/* ---- normalizer ---- */

static void summarize(const char *s, size_t len, size_t chunk, lg_fp_summary *out)
{
	lg_fingerprinter f;
	lg_fp_init(&f);
	lg_fp_begin(&f, LG_FP_K, LG_FP_W, NULL, NULL, NULL, NULL);
	for (size_t i = 0; i < len; i += chunk)
		lg_fp_feed(&f, s + i, len - i < chunk ? len - i : chunk);
	lg_fp_end(&f, out);
	lg_fp_release(&f);
}

static bool same_normalized(const char *a, const char *b)
{
	lg_fp_summary x, y;
	summarize(a, strlen(a), 4096, &x);
	summarize(b, strlen(b), 3, &y);
	return memcmp(x.normalized, y.normalized, 16) == 0;
}

static const struct {
	const char *a, *b;
	bool same;
} norm_cases[] = {
	{ "a\nb\n", "a\r\nb\r\n", true },
	{ "a\nb\n", "a\rb\r", true },
	{ "a  \nb\t\n", "a\nb", true },
	{ "// SPDX-License-Identifier: BUSL-1.1\n// (c) X\n\ncode();\n", "code();\n", true },
	{ "/*\n * Licensed under the BSL\n */\ncode();\n", "code();\n", true },
	{ "#!/usr/bin/env node\n# hdr\ncode()\n", "code()\n", true },
	{ "\n\n\ncode()\n\n\n", "code()", true },
	{ "a\n\nb\n", "a\nb\n", true },    /* blank lines */
	{ "if (x) {\n  y();\n}\n", "if(x){y();}", true }, /* layout */
	{ "code(); // note\n/* more */\n", "code();\n", true }, /* any comment */
	{ "a();\n", "b();\n", false },
	{ "x = a + b;", "x = a - b;", true },    /* punctuation does not count */
	{ "x = a + b;", "x = a + c;", false },
	{ "s = \"one\";", "s = \"two\";", false },    /* strings count */
	{ "ab", "a b", false },                  /* token boundaries count */
	{ "f(12)", "f(1 2)", false },
};

static void test_normalizer(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(norm_cases); i++)
		if (same_normalized(norm_cases[i].a, norm_cases[i].b) != norm_cases[i].same)
			fail_msg("case %zu: expected %s", i,
				 norm_cases[i].same ? "the same hash" : "different hashes");
}

static void test_binary(void **state)
{
	(void)state;
	static const char bin[] = "abc\0def";
	lg_fp_summary s;
	summarize(bin, sizeof(bin) - 1, 2, &s);
	assert_true(s.binary);
	assert_int_equal(s.tokens, 0);
	summarize("abc def", 7, 2, &s);
	assert_false(s.binary);
	assert_int_equal(s.tokens, 2);
}

/* ---- winnowing ---- */

typedef struct fps {
	uint64_t *h;
	size_t n, cap;
} fps;

static void on_fp(void *ud, const lg_fp *fp)
{
	fps *s = ud;
	lg_xgrow((void **)&s->h, &s->cap, s->n + 1, sizeof(*s->h));
	s->h[s->n++] = fp->hash;
}

static void winnow(const uint64_t *toks, size_t n, unsigned k, unsigned w, fps *out)
{
	lg_winnow wn;
	lg_winnow_init(&wn, k, w, on_fp, out);
	for (size_t i = 0; i < n; i++)
		lg_winnow_token(&wn, toks[i], (uint32_t)i + 1);
	lg_winnow_end(&wn);
}

static bool share(const fps *a, const fps *b)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (a->h[i] == b->h[j])
				return true;
	return false;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Two random streams (over a small alphabet, so ties and repeats happen)
 * that share one run of exactly w + k - 1 tokens at random places share a
 * fingerprint, for every (k, w) tried. */
static void test_window_guarantee(void **state)
{
	(void)state;
	static const unsigned ks[] = { 1, 3, 16 }, ws[] = { 1, 4, 16 };
	for (size_t a = 0; a < LG_ARRAY_LEN(ks); a++)
		for (size_t b = 0; b < LG_ARRAY_LEN(ws); b++)
			for (int round = 0; round < 300; round++) {
				unsigned k = ks[a], w = ws[b];
				size_t run = w + k - 1;
				size_t na = run + rnd() % 200, nb = run + rnd() % 200;
				uint64_t *x = lg_xmalloc(na * sizeof(*x));
				uint64_t *y = lg_xmalloc(nb * sizeof(*y));
				uint64_t alphabet = 2 + rnd() % 30;
				for (size_t i = 0; i < na; i++)
					x[i] = rnd() % alphabet;
				for (size_t i = 0; i < nb; i++)
					y[i] = 1000 + rnd() % alphabet; /* disjoint */
				size_t at = rnd() % (na - run + 1), bt = rnd() % (nb - run + 1);
				for (size_t i = 0; i < run; i++)
					y[bt + i] = x[at + i];
				fps fa = { 0 }, fb = { 0 };
				winnow(x, na, k, w, &fa);
				winnow(y, nb, k, w, &fb);
				if (!share(&fa, &fb))
					fail_msg("k=%u w=%u round %d: a run of %zu shared tokens "
						 "shares no fingerprint", k, w, round, run);
				free(fa.h);
				free(fb.h);
				free(x);
				free(y);
			}
}

/* The guarantee is tight enough to mean something: disjoint streams share
 * nothing, and the density is near 2 / (w + 1). */
static void test_winnow_density(void **state)
{
	(void)state;
	size_t n = 100000;
	uint64_t *x = lg_xmalloc(n * sizeof(*x)), *y = lg_xmalloc(n * sizeof(*y));
	for (size_t i = 0; i < n; i++) {
		x[i] = rnd();
		y[i] = rnd();
	}
	fps fa = { 0 }, fb = { 0 };
	winnow(x, n, LG_FP_K, LG_FP_W, &fa);
	winnow(y, 2000, LG_FP_K, LG_FP_W, &fb);
	double density = (double)fa.n / (double)(n - LG_FP_K + 1);
	double want = 2.0 / (LG_FP_W + 1);
	if (density < want * 0.85 || density > want * 1.15)
		fail_msg("density %.4f, expected about %.4f", density, want);
	assert_false(share(&fa, &fb));
	/* A text shorter than a window still has its one fingerprint; one
	 * shorter than k tokens has none. */
	fps fc = { 0 };
	winnow(x, LG_FP_K + 2, LG_FP_K, LG_FP_W, &fc);
	assert_int_equal(fc.n, 1);
	fps fd = { 0 };
	winnow(x, LG_FP_K - 1, LG_FP_K, LG_FP_W, &fd);
	assert_int_equal(fd.n, 0);
	free(fa.h);
	free(fb.h);
	free(fc.h);
	free(x);
	free(y);
}

/* ---- chunking and shape ---- */

typedef struct lines {
	lg_buf out; /* "hash:line-end ..." */
} lines;

static void on_fp_line(void *ud, const lg_fp *fp)
{
	lines *l = ud;
	lg_buf_appendf(&l->out, "%016llx:%u-%u ", (unsigned long long)fp->hash, fp->line,
		       fp->line_end);
}

static char *fingerprint_text(const char *s, size_t len, size_t chunk, lg_fp_summary *sum)
{
	lg_fingerprinter f;
	lg_fp_init(&f);
	lines l = { LG_BUF_INIT };
	lg_fp_begin(&f, LG_FP_K, LG_FP_W, on_fp_line, &l, NULL, NULL);
	for (size_t i = 0; i < len; i += chunk)
		lg_fp_feed(&f, s + i, len - i < chunk ? len - i : chunk);
	lg_fp_end(&f, sum);
	lg_fp_release(&f);
	lg_buf_append(&l.out, "", 0);
	return lg_buf_steal(&l.out);
}

static void test_chunking(void **state)
{
	(void)state;
	lg_buf text = LG_BUF_INIT;
	lg_buf_append(&text, "// header\r\n/* block\r\n */\r\n", 26);
	for (int i = 0; i < 300; i++)
		lg_buf_appendf(&text, "function f%d(a, b) { return a * %d + b; } // c %d\r\n", i,
			       i * 7, i);
	lg_fp_summary whole, part;
	char *a = fingerprint_text(text.data, text.len, text.len, &whole);
	static const size_t chunks[] = { 1, 2, 3, 511, 4096 };
	for (size_t i = 0; i < LG_ARRAY_LEN(chunks); i++) {
		char *b = fingerprint_text(text.data, text.len, chunks[i], &part);
		assert_string_equal(a, b);
		assert_memory_equal(whole.normalized, part.normalized, 16);
		assert_int_equal(whole.tokens, part.tokens);
		free(b);
	}
	assert_true(whole.fingerprints > 100);
	/* Line ranges: the first fingerprint is on line 4 or later (the
	 * header takes three), the last no later than the last line. */
	unsigned first, last;
	assert_int_equal(sscanf(a, "%*16s:%u-%u", &first, &last), 2);
	assert_true(first >= 4 && last >= first);
	free(a);
	lg_buf_free(&text);
}

/* ---- the tokenizer's definition, a byte at a time ----
 *
 * What fingerprint.h says, written as plainly as it reads, for the
 * property test below: the block tokenizer must give the same tokens and
 * lines on any text. */

static bool ref_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || c >= 0x80;
}

static bool ref_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == 0;
}

static bool ref_eol(unsigned char c)
{
	return c == '\n' || c == '\r';
}

/* Past the byte at p[*i], counting a line's end (CR, LF, CRLF as one). */
static void ref_step(const unsigned char *p, size_t *i, uint32_t *line)
{
	if (p[*i] == '\r' || (p[*i] == '\n' && !(*i > 0 && p[*i - 1] == '\r')))
		(*line)++;
	(*i)++;
}

static char *ref_tokenize(const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	lg_buf out = LG_BUF_INIT;
	uint32_t line = 1;
	bool line_start = true;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (ref_eol(c)) {
			ref_step(p, &i, &line);
			line_start = true;
		} else if (ref_blank(c)) {
			i++;
		} else if (c == '/' && i + 1 < n && p[i + 1] == '/') {
			while (i < n && !ref_eol(p[i]))
				i++;
		} else if (c == '/' && i + 1 < n && p[i + 1] == '*') {
			i += 2; /* the opener's '*' cannot close it */
			while (i < n && !(p[i] == '*' && i + 1 < n && p[i + 1] == '/'))
				ref_step(p, &i, &line);
			i = i < n ? i + 2 : n;
			line_start = false;
		} else if (c == '#' && line_start && i + 1 < n &&
			   (ref_blank(p[i + 1]) || ref_eol(p[i + 1]) || p[i + 1] == '!' ||
			    p[i + 1] == '#')) {
			while (i < n && !ref_eol(p[i]))
				i++;
		} else if (ref_word(c)) {
			size_t j = i;
			while (j < n && ref_word(p[j]))
				j++;
			if (out.len)
				lg_buf_putc(&out, ' ');
			lg_buf_append(&out, text + i, j - i < LG_FP_TOKEN_TEXT ? j - i : LG_FP_TOKEN_TEXT);
			lg_buf_appendf(&out, "@%u", line);
			line_start = false;
			i = j;
		} else {
			line_start = false;
			i++;
		}
	}
	lg_buf_append(&out, "", 0);
	return lg_buf_steal(&out);
}

/* Random code-like texts (identifiers, numbers, strings, comments, '#'
 * lines, CR/LF/CRLF, words longer than a block, bytes >= 0x80): the tokens
 * and their lines are those of the definition above, and they, the
 * fingerprints and the normalized hash do not depend on how the text is
 * cut into chunks, nor on the instructions used (SSE2 or AVX2). */
static void test_chunking_random(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"foo", "x1", "_a$b", "\xc3\xa9t\xc3\xa9", "42", "3.14e5", "0x1F", ".", "a.b",
		"(", ")", "{", "}", ";", "*", "**", "/", "//", "/*", "*/", "#", "#!", "# ",
		"#include", "\"", "'", "`", "\\", "\\\"", " ", "  ", "\t", "\n", "\r",
		"\r\n", "\n\n", "very_long_identifier_that_runs_past_eight_bytes_and_more",
		"12345678901234567890", "=", "+=", "->", "*", "/", "!", "#",
		"a_word_of_seventy_bytes_that_crosses_at_least_one_block_end_0123456789",
		"w150_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	for (int round = 0; round < 400; round++) {
		lg_buf text = LG_BUF_INIT;
		size_t npieces = 1 + rnd() % 400;
		for (size_t i = 0; i < npieces; i++) {
			const char *pc = pieces[rnd() % LG_ARRAY_LEN(pieces)];
			lg_buf_append(&text, pc, strlen(pc));
		}
		char *whole_tokens = tokenize(text.data, text.len, text.len);
		char *want = ref_tokenize(text.data, text.len);
		if (strcmp(whole_tokens, want) != 0)
			fail_msg("round %d: \"%.*s\" tokenizes as\n%s\nbut its definition gives\n%s",
				 round, (int)text.len, text.data, whole_tokens, want);
		free(want);
		lg_fp_summary whole, part;
		char *whole_fps = fingerprint_text(text.data, text.len, text.len, &whole);
		size_t chunk = 1 + rnd() % 130;
		/* every other round, the baseline instructions against the
		 * widest this CPU has */
		lg_fp_use_simd(round & 1);
		char *t = tokenize(text.data, text.len, chunk);
		char *fp = fingerprint_text(text.data, text.len, chunk, &part);
		lg_fp_use_simd(true);
		if (strcmp(t, whole_tokens) != 0 || strcmp(fp, whole_fps) != 0 ||
		    memcmp(whole.normalized, part.normalized, 16) != 0)
			fail_msg("round %d, chunk %zu: \"%.*s\" tokenizes as\n%s\nwhole, but\n%s",
				 round, chunk, (int)text.len, text.data, whole_tokens, t);
		free(t);
		free(fp);
		free(whole_tokens);
		free(whole_fps);
		lg_buf_free(&text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenizer),
		cmocka_unit_test(test_normalizer),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_window_guarantee),
		cmocka_unit_test(test_winnow_density),
		cmocka_unit_test(test_chunking),
		cmocka_unit_test(test_chunking_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
