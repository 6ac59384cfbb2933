/* test_escape.c - image bytes made safe per output format (escape.c): the
 * text forms for names and for messages, markup, and JSON, which must
 * never write a raw control byte (C0, DEL, C1) whatever a string holds,
 * and must still mean the same string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "escape.h"
#include "util.h"

#define IN(s) s, sizeof(s) - 1

/* The first raw control byte in p[0..n) outside `allowed`, or -1. */
static long raw_control(const char *p, size_t n, const char *allowed)
{
	const unsigned char *u = (const unsigned char *)p;
	for (size_t i = 0; i < n; i++) {
		bool c0 = u[i] < 0x20 && !strchr(allowed, u[i]);
		bool c1 = u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] < 0xa0;
		if (c0 || u[i] == 0x7f || c1)
			return (long)i;
	}
	return -1;
}

static const struct {
	const char *name;
	const char *in;
	size_t len;
	const char *text, *line, *markup;
} cases[] = {
	{ "plain", IN("srv/app/a.js"), "srv/app/a.js", "srv/app/a.js", "srv/app/a.js" },
	{ "OSC title and clear screen", IN("x\x1b]0;pwned\x07\x1b[2J"),
	  "x\\x1b]0;pwned\\x07\\x1b[2J", "x\\x1b]0;pwned\\x07\\x1b[2J",
	  "x\\x1b]0;pwned\\x07\\x1b[2J" },
	{ "newline forges a line", IN("a\nlicgate: ok"), "a\\x0alicgate: ok",
	  "a\\x0alicgate: ok", "a\\x0alicgate: ok" },
	{ "C1 CSI", IN("\xc2\x9b" "2J"), "\\xc2\\x9b2J", "\\xc2\\x9b2J", "\\xc2\\x9b2J" },
	{ "DEL", IN("\x7f"), "\\x7f", "\\x7f", "\\x7f" },
	{ "backslash: kept only in the line form", IN("a\\x1b"), "a\\\\x1b", "a\\x1b",
	  "a\\\\x1b" },
	{ "invalid UTF-8", IN("\xff\xe9"), "\\xff\\xe9", "\\xff\\xe9", "\\xff\\xe9" },
	{ "markup specials", IN("<a href=\"x\">&'"), "<a href=\"x\">&'", "<a href=\"x\">&'",
	  "&lt;a href=&quot;x&quot;&gt;&amp;&#39;" },
	{ "UTF-8 kept", IN("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac",
	  "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
};

static void test_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		lg_buf t = LG_BUF_INIT, l = LG_BUF_INIT, m = LG_BUF_INIT;
		lg_escape_text(&t, cases[i].in, cases[i].len);
		lg_escape_line(&l, cases[i].in, cases[i].len);
		lg_escape_markup(&m, cases[i].in, cases[i].len);
		char msg[512] = "";
		if (strcmp(t.data, cases[i].text) != 0)
			snprintf(msg, sizeof(msg), "%s: text %s", cases[i].name, t.data);
		else if (strcmp(l.data, cases[i].line) != 0)
			snprintf(msg, sizeof(msg), "%s: line %s", cases[i].name, l.data);
		else if (strcmp(m.data, cases[i].markup) != 0)
			snprintf(msg, sizeof(msg), "%s: markup %s", cases[i].name, m.data);
		bool plain = strcmp(cases[i].text, cases[i].in) == 0 &&
			     strlen(cases[i].in) == cases[i].len;
		if (!msg[0] && lg_escape_is_plain(cases[i].in, cases[i].len) != plain)
			snprintf(msg, sizeof(msg), "%s: is_plain is %d", cases[i].name, !plain);
		lg_buf_free(&t);
		lg_buf_free(&l);
		lg_buf_free(&m);
		if (msg[0])
			fail_msg("%s", msg);
	}
}

/* The markup form as the XML and HTML writers need it (from escape_xml's
 * table): printable, unambiguous, no XML non-characters. */
static void test_markup_table(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} table[] = {
		{ "plain", 5, "plain" },
		{ "<script>alert('x')</script>", 27, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
		{ "a&b\"c", 5, "a&amp;b&quot;c" },
		{ "bad\xff\xfe", 5, "bad\\xff\\xfe" },
		{ "ctl\x01\x1b[m", 7, "ctl\\x01\\x1b[m" },
		{ "nl\n<", 4, "nl\\x0a&lt;" },
		{ "back\\slash", 10, "back\\\\slash" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "non\xef\xbf\xbf", 6, "non\\xef\\xbf\\xbf" },
		{ "nul\0x", 5, "nul\\x00x" },
		{ "\xef\xbf\xbe<", 4, "\\xef\\xbf\\xbe&lt;" },
		{ "\xef\xbf\xbd", 3, "\xef\xbf\xbd" },
		{ "cut\xef\xbf", 5, "cut\\xef\\xbf" },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(table); i++) {
		lg_buf b = LG_BUF_INIT;
		lg_escape_markup(&b, table[i].in, table[i].len);
		if (strcmp(b.data ? b.data : "", table[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, b.data, table[i].want);
		lg_buf_free(&b);
	}
}

/* Every byte value, and every C1 pair, in every form: no raw control. */
static void test_no_raw_control(void **state)
{
	(void)state;
	char in[256 + 64];
	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	for (int i = 0; i < 32; i++) {
		in[256 + 2 * i] = (char)0xc2;
		in[256 + 2 * i + 1] = (char)(0x80 + i);
	}
	void (*forms[])(lg_buf *, const char *, size_t) = { lg_escape_text, lg_escape_line,
							    lg_escape_markup };
	for (size_t f = 0; f < LG_ARRAY_LEN(forms); f++) {
		lg_buf b = LG_BUF_INIT;
		forms[f](&b, in, sizeof(in));
		long at = raw_control(b.data, b.len, "");
		lg_buf_free(&b);
		if (at >= 0)
			fail_msg("form %zu writes a raw control byte at %ld", f, at);
	}
}

/* lg_escape_fputs writes the line form. */
static void test_fputs(void **state)
{
	(void)state;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	assert_non_null(f);
	assert_true(lg_escape_fputs("hardlink to \x1b]0;pwned\x07\x1b[2J\\x", f) >= 0);
	fclose(f);
	assert_string_equal(out, "hardlink to \\x1b]0;pwned\\x07\\x1b[2J\\x");
	free(out);
}

/* JSON: every code point below U+00A0 (C0, DEL, C1) in a string, in a key
 * and split over many strings: the document has no raw control byte (but
 * its own newlines), parses, and means the same strings. */
static void test_json(void **state)
{
	(void)state;
	lg_buf s = LG_BUF_INIT;
	for (unsigned c = 1; c < 0xa0; c++) {
		if (c < 0x80) {
			lg_buf_putc(&s, (char)c);
		} else {
			lg_buf_putc(&s, (char)0xc2);
			lg_buf_putc(&s, (char)c);
		}
	}
	json_t *doc = json_object();
	json_object_set_new(doc, "all", json_stringn(s.data, s.len));
	json_object_set_new(doc, s.data, json_string("key"));
	json_t *arr = json_array();
	for (unsigned c = 0x7f; c < 0xa0; c++) {
		char one[3] = { (char)0xc2, (char)c, 0 };
		json_array_append_new(arr, json_string(c == 0x7f ? "\x7f" : one));
	}
	json_object_set_new(doc, "each", arr);
	for (int indent = 0; indent < 2; indent++) {
		char *out = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&out, &n);
		assert_non_null(f);
		size_t flags = JSON_SORT_KEYS | (indent ? JSON_INDENT(2) : JSON_COMPACT);
		assert_int_equal(lg_escape_json_dumpf(doc, f, flags), 0);
		fclose(f);
		long at = raw_control(out, n, "\n");
		if (at >= 0) {
			free(out);
			fail_msg("raw control byte at %ld", at);
		}
		assert_non_null(strstr(out, "\\u007F"));
		assert_non_null(strstr(out, "\\u009B"));
		json_error_t e;
		json_t *back = json_loadb(out, n, 0, &e);
		free(out);
		assert_non_null(back);
		assert_true(json_equal(back, doc));
		json_decref(back);
	}
	json_decref(doc);
	lg_buf_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_markup_table),
		cmocka_unit_test(test_no_raw_control),
		cmocka_unit_test(test_fputs),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests_name("escape", tests, NULL, NULL) ? 1 : 0;
}
