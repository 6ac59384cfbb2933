/* test_util.c - escaping hostile names (control bytes, backslash, invalid
 * and overlong UTF-8, surrogates), the printable check, short digests,
 * path normalization and the byte buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

#define IN(s) s, sizeof(s) - 1

/* ---- lg_buf_append_escaped / lg_utf8_printable ---- */

static const struct {
	const char *name;
	const char *in;
	size_t len;
	const char *want;  /* escaped form */
	bool printable;    /* lg_utf8_printable(in) */
} escape_cases[] = {
	{ "empty", IN(""), "", true },
	{ "ascii", IN("usr/lib/x.so.1"), "usr/lib/x.so.1", true },
	{ "space and punctuation", IN(" !\"#~"), " !\"#~", true },
	{ "newline", IN("a\nb"), "a\\x0ab", false },
	{ "carriage return", IN("a\rb"), "a\\x0db", false },
	{ "tab", IN("\t"), "\\x09", false },
	{ "escape sequence", IN("\x1b[31mred"), "\\x1b[31mred", false },
	{ "unit separator", IN("\x1f"), "\\x1f", false },
	{ "DEL", IN("a\x7f"), "a\\x7f", false },
	{ "NUL inside", IN("a\0b"), "a\\x00b", false },
	{ "backslash", IN("a\\b"), "a\\\\b", false },
	{ "backslash x lookalike", IN("\\x41"), "\\\\x41", false },
	/* valid multibyte kept as is */
	{ "2-byte", IN("caf\xc3\xa9"), "caf\xc3\xa9", true },
	{ "3-byte", IN("\xe2\x82\xac"), "\xe2\x82\xac", true },
	{ "4-byte", IN("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80", true },
	{ "C1 control U+0080", IN("\xc2\x80"), "\\xc2\\x80", false },
	{ "C1 CSI U+009B", IN("a\xc2\x9b" "2J"), "a\\xc2\\x9b" "2J", false },
	{ "C1 control U+009F", IN("\xc2\x9f"), "\\xc2\\x9f", false },
	{ "first after C1 U+00A0", IN("\xc2\xa0"), "\xc2\xa0", true },
	{ "lowest 3-byte U+0800", IN("\xe0\xa0\x80"), "\xe0\xa0\x80", true },
	{ "lowest 4-byte U+10000", IN("\xf0\x90\x80\x80"), "\xf0\x90\x80\x80", true },
	{ "highest U+10FFFF", IN("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf", true },
	{ "U+D7FF below surrogates", IN("\xed\x9f\xbf"), "\xed\x9f\xbf", true },
	{ "U+E000 above surrogates", IN("\xee\x80\x80"), "\xee\x80\x80", true },
	{ "U+FFFF", IN("\xef\xbf\xbf"), "\xef\xbf\xbf", true },
	/* invalid: every offending byte escaped on its own */
	{ "lone continuation", IN("a\x80z"), "a\\x80z", false },
	{ "0xff", IN("\xff"), "\\xff", false },
	{ "0xfe", IN("\xfe"), "\\xfe", false },
	{ "latin-1", IN("caf\xe9"), "caf\\xe9", false },
	{ "truncated 2-byte at end", IN("a\xc3"), "a\\xc3", false },
	{ "truncated 3-byte at end", IN("\xe2\x82"), "\\xe2\\x82", false },
	{ "truncated 4-byte at end", IN("\xf0\x9f\x98"), "\\xf0\\x9f\\x98", false },
	{ "lead byte then ascii", IN("\xe2(x"), "\\xe2(x", false },
	{ "lead byte then lead byte", IN("\xc3\xc3\xa9"), "\\xc3\xc3\xa9", false },
	{ "overlong '/' (2 bytes)", IN("\xc0\xaf"), "\\xc0\\xaf", false },
	{ "overlong NUL (2 bytes)", IN("\xc0\x80"), "\\xc0\\x80", false },
	{ "overlong 0x7f (2 bytes)", IN("\xc1\xbf"), "\\xc1\\xbf", false },
	{ "overlong '/' (3 bytes)", IN("\xe0\x80\xaf"), "\\xe0\\x80\\xaf", false },
	{ "overlong U+07FF (3 bytes)", IN("\xe0\x9f\xbf"), "\\xe0\\x9f\\xbf", false },
	{ "overlong '/' (4 bytes)", IN("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf", false },
	{ "overlong U+FFFF (4 bytes)", IN("\xf0\x8f\xbf\xbf"), "\\xf0\\x8f\\xbf\\xbf", false },
	{ "surrogate U+D800", IN("\xed\xa0\x80"), "\\xed\\xa0\\x80", false },
	{ "surrogate U+DFFF", IN("\xed\xbf\xbf"), "\\xed\\xbf\\xbf", false },
	{ "surrogate pair (CESU-8)", IN("\xed\xa0\xbd\xed\xb8\x80"),
	  "\\xed\\xa0\\xbd\\xed\\xb8\\x80", false },
	{ "above U+10FFFF", IN("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80", false },
	{ "5-byte form", IN("\xf8\x88\x80\x80\x80"), "\\xf8\\x88\\x80\\x80\\x80", false },
	{ "6-byte form", IN("\xfc\x84\x80\x80\x80\x80"),
	  "\\xfc\\x84\\x80\\x80\\x80\\x80", false },
	{ "mixed", IN("ok\xc3\xa9\n\xff\\\xe2\x82\xac"),
	  "ok\xc3\xa9\\x0a\\xff\\\\\xe2\x82\xac", false },
};

static void test_escape_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(escape_cases); i++) {
		lg_buf b = LG_BUF_INIT;
		lg_buf_append_escaped(&b, escape_cases[i].in, escape_cases[i].len);
		char *got = lg_buf_steal(&b);
		if (strcmp(got, escape_cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", escape_cases[i].name,
				 got, escape_cases[i].want);
		free(got);
		bool p = lg_utf8_printable(escape_cases[i].in, escape_cases[i].len);
		if (p != escape_cases[i].printable)
			fail_msg("%s: lg_utf8_printable is %d", escape_cases[i].name, p);
	}
}

/* An escaped string is printable text, whatever went in: all 65536
 * two-byte inputs and a sample of three-byte ones. */
static void test_escape_always_printable(void **state)
{
	(void)state;
	lg_buf b = LG_BUF_INIT;
	for (unsigned v = 0; v < 0x10000; v++) {
		char in[2] = { (char)(v >> 8), (char)v };
		lg_buf_reset(&b);
		lg_buf_append_escaped(&b, in, 2);
		if (!lg_utf8_printable(b.data, b.len) && memchr(b.data, '\\', b.len) == NULL)
			fail_msg("%02x %02x escaped to unprintable output", v >> 8, v & 0xff);
		/* the output holds only printable UTF-8 apart from backslashes */
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
				fail_msg("%02x %02x: control byte in output", v >> 8, v & 0xff);
		/* the UTF-8 check on the output with backslashes removed */
		lg_buf nob = LG_BUF_INIT;
		for (size_t i = 0; i < b.len; i++)
			if (b.data[i] != '\\')
				lg_buf_putc(&nob, b.data[i]);
		if (nob.len && !lg_utf8_printable(nob.data, nob.len))
			fail_msg("%02x %02x: invalid UTF-8 in output \"%s\"", v >> 8,
				 v & 0xff, b.data);
		lg_buf_free(&nob);
	}
	for (unsigned v = 0xe00000; v < 0xf00000; v += 0x37) {
		char in[3] = { (char)(v >> 16), (char)(v >> 8), (char)v };
		lg_buf_reset(&b);
		lg_buf_append_escaped(&b, in, 3);
		lg_buf nob = LG_BUF_INIT;
		for (size_t i = 0; i < b.len; i++)
			if (b.data[i] != '\\')
				lg_buf_putc(&nob, b.data[i]);
		if (nob.len && !lg_utf8_printable(nob.data, nob.len))
			fail_msg("%06x: invalid UTF-8 in output", v);
		lg_buf_free(&nob);
	}
	lg_buf_free(&b);
}

/* Escaping appends to what the buffer holds, and reads only len bytes. */
static void test_escape_appends(void **state)
{
	(void)state;
	lg_buf b = LG_BUF_INIT;
	lg_buf_append(&b, "x=", 2);
	lg_buf_append_escaped(&b, "a\nb-not-this", 3);
	assert_string_equal(b.data, "x=a\\x0ab");
	assert_int_equal(b.len, 8);
	lg_buf_append_escaped(&b, "", 0);
	assert_string_equal(b.data, "x=a\\x0ab");
	lg_buf_free(&b);

	/* a valid sequence cut by len is invalid */
	lg_buf_append_escaped(&b, "\xc3\xa9", 1);
	assert_string_equal(b.data, "\\xc3");
	lg_buf_free(&b);

	/* escaping into an empty buffer with nothing still yields a string */
	lg_buf_append_escaped(&b, "", 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	lg_buf_free(&b);
}

/* ---- lg_short_digest ---- */

static void test_short_digest(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "sha256:0123456789ab" },
		{ "sha512:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
		  "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		  "sha512:fedcba987654" },
		{ "sha256:abc", "sha256:abc" },
		{ "sha256:", "sha256:" },
		{ "md5:0123456789abcdef0123", "md5:0123456789ab" },
		{ "blake3ab:0123456789abcdef", "blake3ab:0123456789ab" },
		{ "blake3abc:0123456789abcdef", "blake3abc:0123456789" },
		/* no colon, or an algorithm too long: the first 20 bytes */
		{ "0123456789abcdef0123456789", "0123456789abcdef0123" },
		{ "averyveryverylongalgorithm:0123", "averyveryverylongalg" },
		{ "", "" },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		char out[24];
		memset(out, 'Z', sizeof(out));
		const char *r = lg_short_digest(cases[i].in, out);
		assert_ptr_equal(r, out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].in, out,
				 cases[i].want);
	}
}

/* ---- lg_path_normalize ---- */

static const struct {
	const char *in;
	size_t len;
	const char *want;
	bool escaped;
} norm_cases[] = {
	{ IN("./a/b"), "/a/b", false },
	{ IN("/abs"), "/abs", false },
	{ IN("a//b/./c/"), "/a/b/c", false },
	{ IN("../../x"), "/x", true },
	{ IN("a/../../b"), "/b", true },
	{ IN("a/b/.."), "/a", false },
	{ IN("a/.."), "/", false },
	{ IN("."), "/", false },
	{ IN("./"), "/", false },
	{ IN(""), "/", false },
	{ IN("/"), "/", false },
	{ IN("//"), "/", false },
	{ IN(".."), "/", true },
	{ IN("/.."), "/", true },
	{ IN("/../etc/passwd"), "/etc/passwd", true },
	{ IN("..."), "/...", false },
	{ IN("a/.../b"), "/a/.../b", false },
	{ IN(".a/..b/b.."), "/.a/..b/b..", false },
	{ IN("./.wh..wh..opq"), "/.wh..wh..opq", false },
	{ IN("a/./././b"), "/a/b", false },
	{ IN("a/b/c/../../d"), "/a/d", false },
	{ IN("a/b/../../../../c"), "/c", true },
	{ IN("usr/lib/"), "/usr/lib", false },
	{ IN("\xff\xfe/\x80"), "/\xff\xfe/\x80", false },
	{ IN("caf\xc3\xa9/x"), "/caf\xc3\xa9/x", false },
	{ IN("a\\b"), "/a\\b", false },
};

static void test_normalize_table(void **state)
{
	(void)state;
	lg_buf out = LG_BUF_INIT;
	for (size_t i = 0; i < LG_ARRAY_LEN(norm_cases); i++) {
		bool escaped = !norm_cases[i].escaped;
		lg_path_normalize(norm_cases[i].in, norm_cases[i].len, &out, &escaped);
		if (strcmp(out.data, norm_cases[i].want) != 0 ||
		    out.len != strlen(norm_cases[i].want))
			fail_msg("\"%s\": got \"%s\" (len %zu), want \"%s\"",
				 norm_cases[i].in, out.data, out.len, norm_cases[i].want);
		if (escaped != norm_cases[i].escaped)
			fail_msg("\"%s\": escaped is %d", norm_cases[i].in, escaped);
	}
	lg_buf_free(&out);
}

/* Only len bytes are read; the buffer is reset, not appended to. */
static void test_normalize_bounds(void **state)
{
	(void)state;
	lg_buf out = LG_BUF_INIT;
	bool escaped;
	lg_buf_append(&out, "/stale/previous/result", 22);
	lg_path_normalize("a/b/../c-not-this", 8, &out, &escaped);
	assert_string_equal(out.data, "/a/c");
	assert_int_equal(out.len, 4);
	assert_false(escaped);
	/* a NUL byte inside a name is kept as a byte */
	lg_path_normalize("a\0b/c", 5, &out, &escaped);
	assert_int_equal(out.len, 6);
	assert_memory_equal(out.data, "/a\0b/c", 6);
	lg_buf_free(&out);
}

/* ---- lg_buf ---- */

static void test_buf(void **state)
{
	(void)state;
	lg_buf b = LG_BUF_INIT;
	char *s = lg_buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	for (int i = 0; i < 10000; i++)
		lg_buf_appendf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 20000);
	assert_int_equal(strlen(b.data), 20000);
	assert_memory_equal(b.data + 19980, "0,1,2,3,4,5,6,7,8,9,", 20);
	lg_buf_putc(&b, '\0');
	assert_int_equal(b.len, 20001);
	lg_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	lg_buf_append(&b, "xyz", 3);
	s = lg_buf_steal(&b);
	assert_string_equal(s, "xyz");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
}

/* ---- lg_line_at ---- */

static void test_line_at(void **state)
{
	(void)state;
	static const char text[] = "one\ntwo\n\nfour";
	static const struct {
		size_t off;
		uint32_t line;
	} cases[] = {
		{ 0, 1 }, { 2, 1 }, { 3, 1 },   /* the line feed ends line 1 */
		{ 4, 2 }, { 7, 2 }, { 8, 3 }, { 9, 4 }, { 13, 4 },
		{ sizeof(text) - 1, 4 },       /* the end */
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++)
		if (lg_line_at(text, cases[i].off) != cases[i].line)
			fail_msg("offset %zu: line %u, want %u", cases[i].off,
				 lg_line_at(text, cases[i].off), cases[i].line);
	assert_int_equal(lg_line_at("", 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_always_printable),
		cmocka_unit_test(test_escape_appends),
		cmocka_unit_test(test_short_digest),
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_normalize_bounds),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_line_at),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL) ? 1 : 0;
}
