/* tagscan.c - see tagscan.h
 *
 * A two-state machine.  Searching, it jumps with memchr() to each 'S' and
 * compares the keyword; because 'S' occurs only at the keyword's start, a
 * failed partial match can simply resume searching, and a match cut by the
 * end of a chunk is remembered as a count of matched bytes.  Capturing, it
 * copies the rest of the line (up to LG_TAG_MAX bytes) and reports it at the
 * line's end, cut at a comment closer.  Newlines are counted lazily, only
 * up to where a tag starts.
 */
#include "tagscan.h"

#include <string.h>

static const char KEYWORD[] = "SPDX-License-Identifier:";
#define KEYWORD_LEN (sizeof(KEYWORD) - 1)

void lg_tagscan_init(lg_tagscan *s, lg_tag_fn fn, void *ud)
{
	s->fn = fn;
	s->ud = ud;
	s->line = 1;
	s->matched = 0;
	s->capturing = 0;
	s->cap_len = 0;
	s->truncated = 0;
}

static uint64_t count_newlines(const char *p, const char *end)
{
	uint64_t n = 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Where the expression ends: at the first comment closer ("*" "/" or
 * "-->"), which also ends a tag inside a minified line, else at len. */
static size_t expression_end(const char *e, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (e[i] == '*' && e[i + 1] == '/')
			return i;
		if (e[i] == '-' && e[i + 1] == '-' && i + 2 < len && e[i + 2] == '>')
			return i;
	}
	return len;
}

/* Trim blanks and comment closers, then report the tag. */
static void emit(lg_tagscan *s)
{
	const char *e = s->cap;
	size_t len = expression_end(e, s->cap_len);
	size_t start = 0;
	/* A closer cut in two by the capture limit: drop the part we have. */
	if (s->truncated && len == s->cap_len) {
		if (len && e[len - 1] == '*')
			len--;
		else
			while (len && e[len - 1] == '-')
				len--;
	}
	while (len > start && is_blank(e[len - 1]))
		len--;
	while (start < len && is_blank(e[start]))
		start++;
	s->capturing = 0;
	s->cap_len = 0;
	s->truncated = 0;
	if (len > start)
		s->fn(s->ud, e + start, len - start, s->line);
}

/* Capture bytes of the expression; returns how many bytes were consumed
 * (the end-of-line byte included when the line ended). */
static size_t capture(lg_tagscan *s, const char *p, const char *end)
{
	const char *start = p;
	if (s->cap_len == 0) /* blanks after the colon take no room */
		while (p < end && is_blank(*p))
			p++;
	const char *q = p;
	while (q < end && *q != '\n' && *q != '\r')
		q++;
	size_t room = LG_TAG_MAX - s->cap_len;
	size_t take = (size_t)(q - p) < room ? (size_t)(q - p) : room;
	if (take < (size_t)(q - p))
		s->truncated = 1;
	memcpy(s->cap + s->cap_len, p, take);
	s->cap_len += take;
	if (q == end)
		return (size_t)(q - start);
	emit(s);
	if (*q == '\n')
		s->line++;
	return (size_t)(q - start) + 1;
}

void lg_tagscan_feed(lg_tagscan *s, const void *data, size_t len)
{
	const char *p = data;
	const char *end = p + len;
	const char *counted = p; /* newlines before this point are counted */

	while (p < end) {
		if (s->capturing) {
			p += capture(s, p, end);
			counted = p;
			continue;
		}
		if (s->matched == 0) {
			p = memchr(p, 'S', (size_t)(end - p));
			if (!p)
				break;
		}
		/* Compare as much of the keyword as this chunk holds. */
		size_t want = KEYWORD_LEN - s->matched;
		size_t have = (size_t)(end - p) < want ? (size_t)(end - p) : want;
		if (memcmp(p, KEYWORD + s->matched, have) != 0) {
			p += s->matched ? 0 : 1;
			s->matched = 0;
			continue;
		}
		s->matched += have;
		p += have;
		if (s->matched < KEYWORD_LEN)
			break; /* the keyword continues in the next chunk */
		s->matched = 0;
		s->line += count_newlines(counted, p);
		counted = p;
		s->capturing = 1;
		s->cap_len = 0;
	}
	s->line += count_newlines(counted, end);
}

void lg_tagscan_end(lg_tagscan *s)
{
	if (s->capturing)
		emit(s);
	s->matched = 0;
}
