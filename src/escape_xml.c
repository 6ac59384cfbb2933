/* escape_xml.c - see escape_xml.h */
#include "escape_xml.h"

#include <stdbool.h>
#include <string.h>

/* U+FFFE and U+FFFF are valid UTF-8 but not XML characters. */
static bool non_character(const char *s, size_t i, size_t len)
{
	const unsigned char *u = (const unsigned char *)s + i;
	return len - i >= 3 && u[0] == 0xef && u[1] == 0xbf && (u[2] == 0xbe || u[2] == 0xbf);
}

static void entities(lg_buf *b, const char *s, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		const char *ent;
		if (non_character(s, i, len)) {
			lg_buf_append(b, s + run, i - run);
			lg_buf_appendf(b, "\\xef\\xbf\\x%02x", (unsigned char)s[i + 2]);
			i += 2;
			run = i + 1;
			continue;
		}
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		lg_buf_append(b, s + run, i - run);
		lg_buf_append(b, ent, strlen(ent));
		run = i + 1;
	}
	lg_buf_append(b, s + run, len - run);
}

void lg_xml_escape(lg_buf *b, const char *s, size_t len)
{
	if (lg_utf8_printable(s, len) && !memchr(s, '\\', len)) {
		entities(b, s, len);
		return;
	}
	lg_buf raw = LG_BUF_INIT;
	lg_buf_append_escaped(&raw, s, len);
	entities(b, raw.data ? raw.data : "", raw.len);
	lg_buf_free(&raw);
}

void lg_xml_put(FILE *out, const char *s, size_t len)
{
	lg_buf b = LG_BUF_INIT;
	lg_xml_escape(&b, s, len);
	if (b.len)
		fwrite(b.data, 1, b.len, out);
	lg_buf_free(&b);
}

void lg_xml_puts(FILE *out, const char *s)
{
	if (s)
		lg_xml_put(out, s, strlen(s));
}
