/* escape.h - bytes from an image made safe to write, in each output
 * format's own way.
 *
 * Every string an image supplies (entry names, link targets, tags, media
 * types, annotations, platform fields) and every message built from one is
 * data: it is escaped where it is written, so no byte of it can drive the
 * terminal (ESC sequences set the title, clear the screen, forge output)
 * or break the format.  What counts as a control: C0 (0x00-0x1f), DEL
 * (0x7f) and C1 (U+0080-U+009F, which some terminals obey in UTF-8 too).
 *
 *   text    lg_escape_text(): controls and bytes that are not valid UTF-8
 *           as \xNN, backslash as \\ (reversible: for names and values);
 *           lg_escape_line(): the same without touching backslashes, for
 *           messages that may already hold names escaped so (no double
 *           escaping); lg_escape_fputs() writes one such line.
 *   JSON    lg_escape_json_dumpf(): jansson writes C0 as \u00XX itself;
 *           this also writes DEL and C1 as \u007F, \u0080..\u009F
 *           (upper-case hex, as jansson writes \u001B).
 *   HTML,   lg_escape_markup(): the text form first (controls and
 *   XML     invalid bytes as \xNN, '\' as \\, so a name reads back
 *           unambiguously; XML 1.0 allows no character reference to a C0
 *           control), U+FFFE and U+FFFF (valid UTF-8, not XML characters)
 *           as \xef\xbf\xbe / \xef\xbf\xbf, then & < > " ' as entities:
 *           safe as element content and as a quoted attribute value.
 *
 * All append to a caller-owned lg_buf (util.h) or write to a FILE; none
 * allocates beyond the buffer's growth.
 */
#ifndef LICGATE_ESCAPE_H
#define LICGATE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "util.h"

/* Append s[0..len) to b: controls and invalid UTF-8 as \xNN, '\' as \\. */
void lg_escape_text(lg_buf *b, const char *s, size_t len);

/* Append s[0..len) to b: controls (newline and tab included) and invalid
 * UTF-8 as \xNN; backslashes as they are. */
void lg_escape_line(lg_buf *b, const char *s, size_t len);

/* Write s (NUL-terminated) to f as lg_escape_line() escapes it.  Returns
 * what fputs() returns. */
int lg_escape_fputs(const char *s, FILE *f);

/* true when lg_escape_text() would copy s[0..len) unchanged: valid UTF-8
 * without controls or backslashes. */
bool lg_escape_is_plain(const char *s, size_t len);

/* Append s[0..len) to b for HTML or XML text and attribute values. */
void lg_escape_markup(lg_buf *b, const char *s, size_t len);

/* Write s[0..len) to f as lg_escape_markup() escapes it;
 * lg_escape_markup_puts() for a C string (NULL writes nothing). */
void lg_escape_markup_put(FILE *f, const char *s, size_t len);
void lg_escape_markup_puts(FILE *f, const char *s);

/* json_dumpf() that also escapes DEL and C1 (see above).  Returns 0, or
 * -1 when writing failed. */
int lg_escape_json_dumpf(const json_t *json, FILE *f, size_t flags);

#endif
