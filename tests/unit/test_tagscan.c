/* test_tagscan.c - SPDX-License-Identifier tags in a byte stream: positions,
 * comment closers, line numbers, and every way a file can be cut into
 * chunks (each split offset, three-way splits, byte by byte). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tagscan.h"
#include "util.h"

/* ---- helpers ---- */

/* Tags found, rendered as "LINE:EXPR\n" each ("LINE:EXPR [snippet B]"
 * inside a snippet; "LINE:end of snippet B" for a snippet's end), in the
 * order reported. */
static void collect(void *ud, const lg_tag_event *ev)
{
	lg_buf *b = ud;
	if (ev->kind == LG_TAG_SNIPPET_END) {
		lg_buf_appendf(b, "%llu:end of snippet %llu\n", (unsigned long long)ev->line,
			       (unsigned long long)ev->snippet_begin);
		return;
	}
	assert_non_null(ev->expr);
	assert_true(ev->len > 0);
	assert_true(ev->len <= LG_TAG_MAX);
	lg_buf_appendf(b, "%llu:", (unsigned long long)ev->line);
	lg_buf_append(b, ev->expr, ev->len);
	if (ev->snippet_begin)
		lg_buf_appendf(b, " [snippet %llu]", (unsigned long long)ev->snippet_begin);
	lg_buf_putc(b, '\n');
}

/* Scan in[0..len) fed as chunks cut at the offsets cuts[0..ncuts) (sorted)
 * and return what was found (caller frees). */
static char *scan_cut(const char *in, size_t len, const size_t *cuts,
		      size_t ncuts)
{
	lg_buf found = LG_BUF_INIT;
	lg_tagscan s;
	lg_tagscan_init(&s, collect, &found);
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		lg_tagscan_feed(&s, in + at, to - at);
		at = to;
	}
	lg_tagscan_end(&s);
	return lg_buf_steal(&found);
}

static char *scan_whole(const char *in, size_t len)
{
	return scan_cut(in, len, NULL, 0);
}

/* Fed one byte at a time, each byte from its own heap allocation so a
 * read past the chunk shows under ASan/valgrind. */
static char *scan_bytewise(const char *in, size_t len)
{
	lg_buf found = LG_BUF_INIT;
	lg_tagscan s;
	lg_tagscan_init(&s, collect, &found);
	for (size_t i = 0; i < len; i++) {
		char *one = lg_xmalloc(1);
		*one = in[i];
		lg_tagscan_feed(&s, one, 1);
		free(one);
	}
	lg_tagscan_end(&s);
	return lg_buf_steal(&found);
}

/* Check in against want whole, in two chunks at every offset, in three
 * chunks at every pair of offsets (short inputs), and byte by byte. */
static void check_all_splits(const char *name, const char *in, size_t len,
			     const char *want)
{
	char *got = scan_whole(in, len);
	if (strcmp(got, want) != 0)
		fail_msg("%s (whole): got\n%s\nwant\n%s", name, got, want);
	free(got);
	for (size_t k = 0; k <= len; k++) {
		/* Copy the chunks so that nothing past a chunk is readable. */
		char *a = lg_xmalloc(k ? k : 1), *b = lg_xmalloc(len - k ? len - k : 1);
		memcpy(a, in, k);
		memcpy(b, in + k, len - k);
		lg_buf found = LG_BUF_INIT;
		lg_tagscan s;
		lg_tagscan_init(&s, collect, &found);
		lg_tagscan_feed(&s, a, k);
		lg_tagscan_feed(&s, b, len - k);
		lg_tagscan_end(&s);
		free(a);
		free(b);
		got = lg_buf_steal(&found);
		if (strcmp(got, want) != 0)
			fail_msg("%s (split at %zu): got\n%s\nwant\n%s", name,
				 k, got, want);
		free(got);
	}
	if (len <= 160) {
		for (size_t i = 0; i <= len; i++) {
			for (size_t j = i; j <= len; j++) {
				size_t cuts[2] = { i, j };
				got = scan_cut(in, len, cuts, 2);
				if (strcmp(got, want) != 0)
					fail_msg("%s (split at %zu and %zu): got\n%s\nwant\n%s",
						 name, i, j, got, want);
				free(got);
			}
		}
	}
	got = scan_bytewise(in, len);
	if (strcmp(got, want) != 0)
		fail_msg("%s (byte by byte): got\n%s\nwant\n%s", name, got, want);
	free(got);
}

/* ---- the table ---- */

#define IN(s) s, sizeof(s) - 1

static const struct {
	const char *name;
	const char *in;
	size_t len;
	const char *want; /* "LINE:EXPR\n" per tag */
} cases[] = {
	{ "alone", IN("SPDX-License-Identifier: MIT\n"), "1:MIT\n" },
	{ "no space", IN("SPDX-License-Identifier:MIT\n"), "1:MIT\n" },
	{ "line comment", IN("// SPDX-License-Identifier: MIT\n"), "1:MIT\n" },
	{ "after code", IN("int x; # SPDX-License-Identifier: ISC\n"), "1:ISC\n" },
	{ "later line",
	  IN("#!/bin/sh\n\n  # SPDX-License-Identifier:   Apache-2.0  \nexit 0\n"),
	  "3:Apache-2.0\n" },
	{ "tabs and operators",
	  IN("\tSPDX-License-Identifier:\tMIT OR Apache-2.0\t\n"),
	  "1:MIT OR Apache-2.0\n" },
	{ "c comment closer", IN("/* SPDX-License-Identifier: MIT */\n"), "1:MIT\n" },
	{ "c comment closer, no blank",
	  IN("/*SPDX-License-Identifier: BSD-3-Clause*/\n"), "1:BSD-3-Clause\n" },
	{ "html comment closer",
	  IN("<!-- SPDX-License-Identifier: GPL-2.0-only -->\n"), "1:GPL-2.0-only\n" },
	{ "minified: cut at the first closer",
	  IN("/* SPDX-License-Identifier: MIT */ var a=1; /* x */\n"), "1:MIT\n" },
	{ "dashes that are not a closer",
	  IN("SPDX-License-Identifier: A--B -\n"), "1:A--B -\n" },
	{ "star that is not a closer",
	  IN("SPDX-License-Identifier: A * B\n"), "1:A * B\n" },
	{ "several tags, LF",
	  IN("a\nSPDX-License-Identifier: MIT\nb\n\nSPDX-License-Identifier: ISC\n"
	     "SPDX-License-Identifier: BUSL-1.1\n"),
	  "2:MIT\n5:ISC\n6:BUSL-1.1\n" },
	{ "several tags, CRLF",
	  IN("a\r\nb\r\n// SPDX-License-Identifier: MIT\r\nc\r\n"
	     "// SPDX-License-Identifier: ISC\r\n\r\n"),
	  "3:MIT\n5:ISC\n" },
	{ "CRLF with closer",
	  IN("\r\n/* SPDX-License-Identifier: MIT */\r\n"), "2:MIT\n" },
	{ "at EOF without newline", IN("x\ny\n// SPDX-License-Identifier: MIT"),
	  "3:MIT\n" },
	{ "at EOF after CR", IN("\r\n// SPDX-License-Identifier: MIT\r"), "2:MIT\n" },
	{ "at EOF with closer", IN("/* SPDX-License-Identifier: MIT */"), "1:MIT\n" },
	{ "empty expressions ignored",
	  IN("SPDX-License-Identifier:\nSPDX-License-Identifier:  \t \n"
	     "/* SPDX-License-Identifier: */\nSPDX-License-Identifier: MIT\n"),
	  "4:MIT\n" },
	{ "empty at EOF", IN("SPDX-License-Identifier:   "), "" },
	{ "false start: keyword prefix twice",
	  IN("SPDX-SPDX-License-Identifier: MIT\n"), "1:MIT\n" },
	{ "false start: doubled S", IN("SSPDX-License-Identifier: MIT\n"), "1:MIT\n" },
	{ "false start: long prefix",
	  IN("SPDX-License-IdentifieSPDX-License-Identifier: MIT\n"), "1:MIT\n" },
	{ "false start: prefix at line end",
	  IN("SPDX-License-Ident\nSPDX-License-Identifier: MIT\n"), "2:MIT\n" },
	{ "no colon", IN("SPDX-License-Identifier MIT\n"), "" },
	{ "keyword cut at EOF", IN("SPDX-License-Identifi"), "" },
	{ "NUL bytes around",
	  IN("\0\0\xff\nSPDX-License-Identifier: MIT\n\0S\0"), "2:MIT\n" },
	{ "a NUL ends a tag (a C string in a binary)",
	  IN("\x7f" "ELF\0SPDX-License-Identifier: BUSL-1.1\0\0\x01\n"), "1:BUSL-1.1\n" },
	{ "C strings back to back: each tag ends at its NUL",
	  IN("SPDX-License-Identifier: MIT\0SPDX-License-Identifier: BUSL-1.1\0x"),
	  "1:MIT\n1:BUSL-1.1\n" },
	{ "a NUL right after the colon: no tag",
	  IN("SPDX-License-Identifier:\0MIT\n"), "" },
	{ "a NUL after the closer", IN("/* SPDX-License-Identifier: MIT */\0\0\n"), "1:MIT\n" },
	{ "a second keyword on the tag's line is part of it",
	  IN("SPDX-License-Identifier: MIT SPDX-License-Identifier: ISC\n"),
	  "1:MIT SPDX-License-Identifier: ISC\n" },
	{ "no tag", IN("Some Source\nSPDX\nLicense-Identifier: x\n"), "" },
	{ "empty file", IN(""), "" },
	{ "snippet: a tag inside licenses the snippet",
	  IN("// SPDX-License-Identifier: MIT\n// SPDX-SnippetBegin\n"
	     "// SPDX-License-Identifier: BUSL-1.1\ncode();\n// SPDX-SnippetEnd\n"
	     "// SPDX-License-Identifier: ISC\n"),
	  "1:MIT\n3:BUSL-1.1 [snippet 2]\n5:end of snippet 2\n6:ISC\n" },
	{ "snippet without an end runs to the end of the file",
	  IN("SPDX-SnippetBegin\nSPDX-License-Identifier: X\n"), "2:X [snippet 1]\n" },
	{ "an end without a begin is nothing",
	  IN("SPDX-SnippetEnd\nSPDX-License-Identifier: X\n"), "2:X\n" },
	{ "REUSE-Ignore hides markers between its start and end",
	  IN("REUSE-IgnoreStart\nSPDX-License-Identifier: BUSL-1.1\nSPDX-SnippetBegin\n"
	     "REUSE-IgnoreEnd\nSPDX-License-Identifier: MIT\n"),
	  "5:MIT\n" },
	{ "REUSE-IgnoreStart without an end ignores the rest",
	  IN("SPDX-License-Identifier: A\nREUSE-IgnoreStart\nSPDX-License-Identifier: B\n"), "1:A\n" },
	{ "keywords back to back, and R/S false starts",
	  IN("RSSPDX-SnippetBeginRREUSE-IgnoreStRREUSE-IgnoreStartREUSE-IgnoreEndSPDX-License-Identifier: Q\n"),
	  "1:Q [snippet 1]\n" },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++)
		check_all_splits(cases[i].name, cases[i].in, cases[i].len,
				 cases[i].want);
}

/* Line numbers stay right deep into a file, across every split. */
static void test_line_numbers_far(void **state)
{
	(void)state;
	lg_buf in = LG_BUF_INIT;
	for (int i = 1; i < 1000; i++)
		lg_buf_appendf(&in, i % 2 ? "line %d\n" : "line %d\r\n", i);
	lg_buf_appendf(&in, "// SPDX-License-Identifier: MIT\n");
	lg_buf_appendf(&in, "\n\r\n\nSPDX-License-Identifier: ISC");
	check_all_splits("far", in.data, in.len, "1000:MIT\n1004:ISC\n");
	lg_buf_free(&in);
}

/* An expression longer than LG_TAG_MAX is cut and reported as written,
 * and the scan carries on with the next line. */
static void test_truncated(void **state)
{
	(void)state;
	lg_buf in = LG_BUF_INIT;
	lg_buf_append(&in, "SPDX-License-Identifier: ", 25);
	for (int i = 0; i < 3 * LG_TAG_MAX; i++)
		lg_buf_putc(&in, (char)('A' + i % 26));
	lg_buf_append(&in, " */\nSPDX-License-Identifier: MIT\n", 33);

	char *got = scan_whole(in.data, in.len);
	/* The capture holds LG_TAG_MAX bytes of the expression; the blanks
	 * after the colon take no room. */
	lg_buf want = LG_BUF_INIT;
	lg_buf_append(&want, "1:", 2);
	lg_buf_append(&want, in.data + 25, LG_TAG_MAX);
	lg_buf_append(&want, "\n2:MIT\n", 7);
	assert_string_equal(got, want.data);
	free(got);
	check_all_splits("truncated", in.data, in.len, want.data);
	lg_buf_free(&want);
	lg_buf_free(&in);
}

/* An expression of n letters after the keyword and a blank, then tail;
 * the want string is the first keep letters (caller frees both). */
static void letters(size_t n, const char *tail, size_t keep, lg_buf *in, lg_buf *want)
{
	lg_buf_reset(in);
	lg_buf_reset(want);
	lg_buf_append(in, "SPDX-License-Identifier: ", 25);
	for (size_t i = 0; i < n; i++)
		lg_buf_putc(in, (char)('a' + i % 26));
	lg_buf_append(in, tail, strlen(tail));
	lg_buf_append(want, "1:", 2);
	lg_buf_append(want, in->data + 25, keep);
	lg_buf_putc(want, '\n');
}

/* An expression of exactly LG_TAG_MAX bytes fits whole; one more byte is
 * cut; the blanks before it take no room, however many. */
static void test_longest_kept(void **state)
{
	(void)state;
	lg_buf in = LG_BUF_INIT, want = LG_BUF_INIT;
	letters(LG_TAG_MAX, "\n", LG_TAG_MAX, &in, &want);
	check_all_splits("longest", in.data, in.len, want.data);
	letters(LG_TAG_MAX + 1, "\n", LG_TAG_MAX, &in, &want);
	check_all_splits("longest + 1", in.data, in.len, want.data);
	letters(LG_TAG_MAX, "", LG_TAG_MAX, &in, &want);
	check_all_splits("longest at EOF", in.data, in.len, want.data);

	lg_buf_reset(&in);
	lg_buf_append(&in, "SPDX-License-Identifier:", 24);
	for (int i = 0; i < 3 * LG_TAG_MAX; i++)
		lg_buf_putc(&in, i % 3 ? ' ' : '\t');
	lg_buf_append(&in, "MIT OR ISC\n", 11);
	check_all_splits("many leading blanks", in.data, in.len, "1:MIT OR ISC\n");
	lg_buf_free(&want);
	lg_buf_free(&in);
}

/* A comment closer that the capture limit cuts in two is still a closer:
 * none of it is reported.  Regression test: before 2d657ed an expression
 * that fit, followed by a closer that did not, kept the closer's first
 * byte(s) ("xxx...x*", or "MIT" plus blanks and a star, which then does
 * not parse).  Every expression length around the limit, each closer. */
static void test_closer_at_capture_limit(void **state)
{
	(void)state;
	static const char *const closers[] = { "*/", "-->", " */", " -->", "\t*/" };
	lg_buf in = LG_BUF_INIT, want = LG_BUF_INIT, bad = LG_BUF_INIT;
	for (size_t c = 0; c < LG_ARRAY_LEN(closers); c++) {
		for (size_t n = LG_TAG_MAX - 6; n <= LG_TAG_MAX + 2; n++) {
			char *tail = lg_xasprintf("%s\n", closers[c]);
			letters(n, tail, n < LG_TAG_MAX ? n : LG_TAG_MAX, &in, &want);
			free(tail);
			char *got = scan_whole(in.data, in.len);
			if (strcmp(got, want.data) != 0) {
				size_t gl = strlen(got) - 1; /* without the '\n' */
				lg_buf_appendf(&bad, "  %zu letters then \"%s\": tag ends \"%.6s\"\n",
					       n, closers[c], got + (gl > 6 ? gl - 6 : 0));
			}
			free(got);
		}
	}
	/* a short expression padded with blanks up to and past the limit */
	for (size_t blanks = LG_TAG_MAX - 8; blanks <= LG_TAG_MAX + 2; blanks++) {
		for (size_t c = 0; c < LG_ARRAY_LEN(closers); c++) {
			lg_buf_reset(&in);
			lg_buf_append(&in, "SPDX-License-Identifier: MIT", 28);
			for (size_t i = 0; i < blanks; i++)
				lg_buf_putc(&in, ' ');
			lg_buf_appendf(&in, "%s\n", closers[c]);
			char *got = scan_whole(in.data, in.len);
			if (strcmp(got, "1:MIT\n") != 0)
				lg_buf_appendf(&bad, "  \"MIT\", %zu blanks then \"%s\": tag is "
					       "\"MIT\" and %zu more bytes\n",
					       blanks, closers[c], strlen(got) - 6);
			free(got);
		}
	}
	lg_buf_free(&in);
	lg_buf_free(&want);
	if (bad.len) {
		char msg[1024]; /* the buffer is freed before fail_msg jumps */
		snprintf(msg, sizeof(msg), "%s", bad.data);
		lg_buf_free(&bad);
		fail_msg("a comment closer cut by the capture limit is kept:\n%s", msg);
	}
}

/* lg_tagscan_init starts a new file: no state leaks from the last one. */
static void test_reset_between_files(void **state)
{
	(void)state;
	lg_buf found = LG_BUF_INIT;
	lg_tagscan s;
	lg_tagscan_init(&s, collect, &found);
	/* a file ending inside the keyword, without lg_tagscan_end */
	lg_tagscan_feed(&s, "\n\nSPDX-License-Iden", 19);
	lg_tagscan_init(&s, collect, &found);
	lg_tagscan_feed(&s, "tifier: MIT\n", 12);
	lg_tagscan_end(&s);
	char *got = lg_buf_steal(&found);
	assert_string_equal(got, "");
	free(got);

	/* a file ending inside a tag's expression, without lg_tagscan_end */
	lg_tagscan_init(&s, collect, &found);
	lg_tagscan_feed(&s, "SPDX-License-Identifier: MI", 27);
	lg_tagscan_init(&s, collect, &found);
	lg_tagscan_feed(&s, "T\nx\nSPDX-License-Identifier: ISC", 32);
	lg_tagscan_end(&s);
	got = lg_buf_steal(&found);
	assert_string_equal(got, "3:ISC\n");
	free(got);

	/* lg_tagscan_end reports the pending tag once, not again */
	lg_tagscan_init(&s, collect, &found);
	lg_tagscan_feed(&s, "SPDX-License-Identifier: MIT", 28);
	lg_tagscan_end(&s);
	lg_tagscan_end(&s);
	got = lg_buf_steal(&found);
	assert_string_equal(got, "1:MIT\n");
	free(got);
}

/* Feeding nothing changes nothing, in any state. */
static void test_empty_feeds(void **state)
{
	(void)state;
	static const char in[] = "a\nSPDX-License-Identifier: MIT\n";
	lg_buf found = LG_BUF_INIT;
	lg_tagscan s;
	lg_tagscan_init(&s, collect, &found);
	for (size_t i = 0; i < sizeof(in) - 1; i++) {
		lg_tagscan_feed(&s, in + i, 0);
		lg_tagscan_feed(&s, in + i, 1);
		lg_tagscan_feed(&s, NULL, 0);
	}
	lg_tagscan_end(&s);
	char *got = lg_buf_steal(&found);
	assert_string_equal(got, "2:MIT\n");
	free(got);
}

/* The callback gets the user data it was given. */
struct count {
	int calls;
	uint64_t last_line;
};

static void count_tag(void *ud, const lg_tag_event *ev)
{
	struct count *c = ud;
	c->calls++;
	c->last_line = ev->line;
}

static void test_user_data(void **state)
{
	(void)state;
	struct count c = { 0, 0 };
	lg_tagscan s;
	lg_tagscan_init(&s, count_tag, &c);
	static const char in[] = "SPDX-License-Identifier: A\n\nSPDX-License-Identifier: B\n";
	lg_tagscan_feed(&s, in, sizeof(in) - 1);
	lg_tagscan_end(&s);
	assert_int_equal(c.calls, 2);
	assert_int_equal(c.last_line, 3);
}

/* ---- cost: linear on every input ---- */

static void ignore_tag(void *ud, const lg_tag_event *ev)
{
	(void)ud;
	(void)ev;
}

/* n bytes of pattern repeated. */
static char *repeat(const char *pattern, size_t n)
{
	size_t k = strlen(pattern);
	char *in = lg_xmalloc(n);
	for (size_t i = 0; i < n; i++)
		in[i] = pattern[i % k];
	return in;
}

/* Scan in[0..len) in chunks of chunk bytes; returns the number of feeds. */
static size_t scan_chunked(lg_tagscan *s, const char *in, size_t len, size_t chunk)
{
	size_t feeds = 0;
	lg_tagscan_init(s, ignore_tag, NULL);
	for (size_t at = 0; at < len; at += chunk, feeds++)
		lg_tagscan_feed(s, in + at, len - at < chunk ? len - at : chunk);
	lg_tagscan_end(s);
	return feeds;
}

/* Texts made of candidates and keyword prefixes: the work the scanner
 * counts stays under the bound tagscan.h states, whatever the chunks. */
static void test_work_bound(void **state)
{
	(void)state;
	static const char *const patterns[] = {
		"ARE ", "RE", "SP", "SPRE", "S", "R", "SPDX-", "SPDX-License-Identifie",
		"SPDX-License-Identifier: MIT\n", "SPDX-License-Identifier:", "REUSE-IgnoreStar",
		"SPDX-SnippetBegin SPDX-SnippetEnd\n", "SPDX-License-Identifier: A*/\0",
		"\n", "x",
	};
	static const size_t chunks[] = { 1, 7, 23, 24, 25, 4096, 128 * 1024, SIZE_MAX };
	for (size_t i = 0; i < LG_ARRAY_LEN(patterns); i++) {
		for (size_t c = 0; c < LG_ARRAY_LEN(chunks); c++) {
			size_t len = chunks[c] < 64 ? 64 * 1024 : 1024 * 1024;
			char *in = repeat(patterns[i], len);
			lg_tagscan s;
			size_t feeds = scan_chunked(&s, in, len, chunks[c]);
			uint64_t bound = LG_TAGSCAN_WORK_PER_BYTE * (uint64_t)len +
					 LG_TAGSCAN_WORK_PER_FEED * (uint64_t)feeds;
			free(in);
			if (s.work > bound)
				fail_msg("\"%s\" in chunks of %zu: work %llu > bound %llu (%.1f a byte)",
					 patterns[i], chunks[c], (unsigned long long)s.work,
					 (unsigned long long)bound, (double)s.work / (double)len);
		}
	}
	/* and random text over the keywords' letters, in random chunks */
	static const char letters[] = "SPDX-LicenseIdtfr:RUgnoStaEdBSP\n\0 ";
	uint32_t seed = 12345;
	size_t len = 512 * 1024;
	char *in = lg_xmalloc(len);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		in[i] = letters[(seed >> 16) % (sizeof(letters) - 1)];
	}
	lg_tagscan s;
	lg_tagscan_init(&s, ignore_tag, NULL);
	size_t feeds = 0;
	for (size_t at = 0; at < len; feeds++) {
		seed = seed * 1103515245u + 12345u;
		size_t n = (seed >> 16) % 64;
		n = n < len - at ? n : len - at;
		lg_tagscan_feed(&s, in + at, n);
		at += n;
	}
	lg_tagscan_end(&s);
	free(in);
	assert_true(s.work <= LG_TAGSCAN_WORK_PER_BYTE * (uint64_t)len +
				      LG_TAGSCAN_WORK_PER_FEED * (uint64_t)feeds);
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds for reps scans of in[0..len) in one chunk. */
static double time_scan(const char *in, size_t len, int reps)
{
	double t0 = cpu_seconds();
	for (int r = 0; r < reps; r++) {
		lg_tagscan s;
		scan_chunked(&s, in, len, len);
	}
	return cpu_seconds() - t0;
}

/* The crafted text of the review ("ARE ARE ...", a candidate every four
 * bytes).  The work the scanner counts for 16N bytes is at most 16 times
 * that for N (it is exact, whatever the machine), and so is the CPU time
 * up to a margin no loaded machine needs: within 64 times, the best of
 * five interleaved rounds of each, where a scanner quadratic in the text
 * takes 256 times as long (one that rescans from each candidate did). */
static void test_linear_time(void **state)
{
	(void)state;
	const size_t n = 32 * 1024;
	char *in = repeat("ARE ", 16 * n);
	lg_tagscan s;
	scan_chunked(&s, in, n, n);
	uint64_t work_small = s.work;
	scan_chunked(&s, in, 16 * n, 16 * n);
	if (s.work > 17 * work_small)
		fail_msg("16x the bytes took %.1fx the work: superlinear",
			 (double)s.work / (double)work_small);
	int reps = 1;
	while (time_scan(in, n, reps) < 0.01 && reps < (1 << 20))
		reps *= 2;
	double small = 1e9, big = 1e9;
	for (int round = 0; round < 5; round++) {
		double t = time_scan(in, n, reps);
		small = t < small ? t : small;
		t = time_scan(in, 16 * n, reps);
		big = t < big ? t : big;
	}
	free(in);
	if (getenv("LG_TEST_RATIO"))
		fprintf(stderr, "tagscan: 16x the bytes took %.1fx the time\n", big / small);
	if (big > 64 * small)
		fail_msg("16x the bytes took %.1fx the time (%.4f s vs %.4f s): superlinear",
			 big / small, big, small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_line_numbers_far),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_longest_kept),
		cmocka_unit_test(test_closer_at_capture_limit),
		cmocka_unit_test(test_reset_between_files),
		cmocka_unit_test(test_empty_feeds),
		cmocka_unit_test(test_user_data),
		cmocka_unit_test(test_work_bound),
		cmocka_unit_test(test_linear_time),
	};
	return cmocka_run_group_tests_name("tagscan", tests, NULL, NULL) ? 1 : 0;
}
