/* escape.c - see escape.h */
#include "escape.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Is c0 c1 (c1 only read when n > 1) the UTF-8 form of a C1 control? */
static bool is_c1(const unsigned char *s, size_t n)
{
	return n > 1 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0;
}

/* Length of the character at s when it may be written as it is: valid
 * UTF-8, no control, no backslash when backslash is set; 0 otherwise. */
static size_t plain_len(const unsigned char *s, size_t n, bool backslash)
{
	if (s[0] < 0x20 || s[0] == 0x7f || (backslash && s[0] == '\\') || is_c1(s, n))
		return 0;
	return utf8_seq(s, n);
}

static void escape(lg_buf *b, const char *s, size_t len, bool backslash)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0; /* start of the current run of plain text */
	for (size_t i = 0; i < len;) {
		size_t n = plain_len(u + i, len - i, backslash);
		if (n) {
			i += n;
			continue;
		}
		lg_buf_append(b, s + run, i - run);
		if (u[i] == '\\')
			lg_buf_append(b, "\\\\", 2);
		else
			lg_buf_appendf(b, "\\x%02x", u[i]);
		run = ++i;
	}
	lg_buf_append(b, s + run, len - run);
}

void lg_escape_text(lg_buf *b, const char *s, size_t len)
{
	escape(b, s, len, true);
}

void lg_escape_line(lg_buf *b, const char *s, size_t len)
{
	escape(b, s, len, false);
}

int lg_escape_fputs(const char *s, FILE *f)
{
	lg_buf b = LG_BUF_INIT;
	lg_escape_line(&b, s, strlen(s));
	int r = fputs(b.data ? b.data : "", f);
	lg_buf_free(&b);
	return r;
}

bool lg_escape_is_plain(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = plain_len(u + i, len - i, true);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/* U+FFFE and U+FFFF are valid UTF-8 but not XML characters. */
static bool non_character(const unsigned char *s, size_t n)
{
	return n >= 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf);
}

void lg_escape_markup(lg_buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0;
	for (size_t i = 0; i < len;) {
		const char *entity = u[i] == '&' ? "&amp;" : u[i] == '<' ? "&lt;"
				     : u[i] == '>' ? "&gt;" : u[i] == '"' ? "&quot;"
				     : u[i] == '\'' ? "&#39;" : NULL;
		bool nonchar = !entity && non_character(u + i, len - i);
		size_t n = entity || nonchar ? 0 : plain_len(u + i, len - i, true);
		if (n) {
			i += n;
			continue;
		}
		lg_buf_append(b, s + run, i - run);
		if (entity) {
			lg_buf_append(b, entity, strlen(entity));
		} else if (nonchar) {
			lg_buf_appendf(b, "\\xef\\xbf\\x%02x", u[i + 2]);
			i += 2;
		} else if (u[i] == '\\') {
			lg_buf_append(b, "\\\\", 2);
		} else {
			lg_buf_appendf(b, "\\x%02x", u[i]);
		}
		run = ++i;
	}
	lg_buf_append(b, s + run, len - run);
}

void lg_escape_markup_put(FILE *f, const char *s, size_t len)
{
	lg_buf b = LG_BUF_INIT;
	lg_escape_markup(&b, s, len);
	if (b.len)
		fwrite(b.data, 1, b.len, f);
	lg_buf_free(&b);
}

void lg_escape_markup_puts(FILE *f, const char *s)
{
	if (s)
		lg_escape_markup_put(f, s, strlen(s));
}

/* ---- JSON ---------------------------------------------------------------- */

typedef struct json_out {
	FILE *f;
	bool c2; /* the last piece ended with 0xc2, maybe a C1's first byte */
} json_out;

/* Outside strings a JSON document is ASCII, so a DEL byte or a 0xc2 lead
 * byte followed by 0x80..0x9f is a character of a string: write it as a
 * \u escape, which means the same character. */
static int json_piece(const char *buffer, size_t size, void *data)
{
	json_out *o = data;
	const unsigned char *u = (const unsigned char *)buffer;
	size_t run = 0;
	for (size_t i = 0; i < size; i++) {
		if (o->c2) {
			o->c2 = false;
			if (u[i] >= 0x80 && u[i] < 0xa0) {
				fprintf(o->f, "\\u00%02X", u[i]);
				run = i + 1;
				continue;
			}
			fputc(0xc2, o->f);
		}
		if (u[i] == 0x7f) {
			fwrite(buffer + run, 1, i - run, o->f);
			fputs("\\u007F", o->f);
			run = i + 1;
		} else if (u[i] == 0xc2 && i + 1 == size) {
			fwrite(buffer + run, 1, i - run, o->f);
			o->c2 = true;
			run = i + 1;
		} else if (is_c1(u + i, size - i)) {
			fwrite(buffer + run, 1, i - run, o->f);
			fprintf(o->f, "\\u00%02X", u[i + 1]);
			run = ++i + 1;
		}
	}
	fwrite(buffer + run, 1, size - run, o->f);
	return ferror(o->f) ? -1 : 0;
}

int lg_escape_json_dumpf(const json_t *json, FILE *f, size_t flags)
{
	json_out o = { .f = f };
	int r = json_dump_callback(json, json_piece, &o, flags);
	if (o.c2)
		fputc(0xc2, f);
	return r < 0 || ferror(f) ? -1 : 0;
}
