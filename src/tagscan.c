/* tagscan.c - see tagscan.h
 *
 * Searching, the scanner jumps with memchr() to the next 'S' or 'R' (the
 * first letters of the markers) and compares the keywords there.  A
 * candidate cut by the end of a chunk is kept in a small carry buffer and
 * completed with the next chunk's first bytes.  Capturing, it copies the
 * rest of the line (up to LG_TAG_MAX bytes) and reports it at the line's
 * end, cut at a comment closer.  Newlines are counted lazily, only up to
 * where a marker starts.
 */
#include "tagscan.h"

#include <stdbool.h>
#include <string.h>

enum keyword_id {
	KW_LICENSE,
	KW_SNIPPET_BEGIN,
	KW_SNIPPET_END,
	KW_IGNORE_START,
	KW_IGNORE_END,
	KW_COUNT,
};

static const struct {
	const char *text;
	size_t len;
} KEYWORDS[KW_COUNT] = {
	[KW_LICENSE] = { "SPDX-License-Identifier:", 24 },
	[KW_SNIPPET_BEGIN] = { "SPDX-SnippetBegin", 17 },
	[KW_SNIPPET_END] = { "SPDX-SnippetEnd", 15 },
	[KW_IGNORE_START] = { "REUSE-IgnoreStart", 17 },
	[KW_IGNORE_END] = { "REUSE-IgnoreEnd", 15 },
};

void lg_tagscan_init(lg_tagscan *s, lg_tag_fn fn, void *ud)
{
	s->fn = fn;
	s->ud = ud;
	s->line = 1;
	s->snippet = 0;
	s->ignoring = 0;
	s->capturing = 0;
	s->truncated = 0;
	s->pend_len = 0;
	s->cap_len = 0;
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

/* ---- expressions ------------------------------------------------------ */

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
	if (len > start) {
		lg_tag_event ev = {
			.kind = LG_TAG_LICENSE,
			.expr = e + start,
			.len = len - start,
			.line = s->line,
			.snippet_begin = s->snippet,
		};
		s->fn(s->ud, &ev);
	}
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

/* ---- markers ---------------------------------------------------------- */

/* Act on a whole keyword found at the current line. */
static void on_keyword(lg_tagscan *s, enum keyword_id k)
{
	if (s->ignoring) {
		s->ignoring = k != KW_IGNORE_END;
		return;
	}
	switch (k) {
	case KW_LICENSE:
		s->capturing = 1;
		s->cap_len = 0;
		break;
	case KW_SNIPPET_BEGIN:
		s->snippet = s->line;
		break;
	case KW_SNIPPET_END:
		if (s->snippet) {
			lg_tag_event ev = {
				.kind = LG_TAG_SNIPPET_END,
				.line = s->line,
				.snippet_begin = s->snippet,
			};
			s->fn(s->ud, &ev);
			s->snippet = 0;
		}
		break;
	case KW_IGNORE_START:
		s->ignoring = 1;
		break;
	default:
		break;
	}
}

/* Compare p[0..n) with the keywords.  Returns the keyword matched in full,
 * KW_COUNT with *partial set when p is a proper prefix of some keyword, or
 * KW_COUNT with *partial clear when nothing can match here. */
static enum keyword_id match_keyword(const char *p, size_t n, bool *partial)
{
	*partial = false;
	for (int k = 0; k < KW_COUNT; k++) {
		size_t kl = KEYWORDS[k].len;
		size_t m = n < kl ? n : kl;
		if (memcmp(p, KEYWORDS[k].text, m) != 0)
			continue;
		if (m == kl)
			return (enum keyword_id)k;
		*partial = true;
	}
	return KW_COUNT;
}

/* The next byte that could start a keyword, or end. */
static const char *next_candidate(const char *p, const char *end)
{
	const char *s = memchr(p, 'S', (size_t)(end - p));
	const char *r = memchr(p, 'R', (size_t)(s ? s - p : end - p));
	return r ? r : s ? s : end;
}

static void feed(lg_tagscan *s, const char *p, const char *end);

/* Complete a keyword whose start the last chunk carried over.  Returns
 * how many bytes of the new chunk it used. */
static size_t resume_pending(lg_tagscan *s, const char *p, const char *end)
{
	size_t take = LG_TAG_KEYWORD_MAX - s->pend_len;
	if (take > (size_t)(end - p))
		take = (size_t)(end - p);
	char buf[2 * LG_TAG_KEYWORD_MAX];
	memcpy(buf, s->pend, s->pend_len);
	memcpy(buf + s->pend_len, p, take);
	size_t have = s->pend_len + take;
	bool partial;
	enum keyword_id k = match_keyword(buf, have, &partial);
	if (k != KW_COUNT) {
		size_t used = KEYWORDS[k].len - s->pend_len;
		s->pend_len = 0;
		on_keyword(s, k);
		return used;
	}
	if (partial && take == (size_t)(end - p)) { /* still cut: keep waiting */
		memcpy(s->pend, buf, have);
		s->pend_len = have;
		return take;
	}
	/* No keyword here: look again from the carried bytes' second byte
	 * (they hold no newline, so no line is lost). */
	size_t old = s->pend_len;
	s->pend_len = 0;
	char again[LG_TAG_KEYWORD_MAX];
	memcpy(again, buf + 1, old - 1);
	feed(s, again, again + old - 1);
	return 0;
}

static void feed(lg_tagscan *s, const char *p, const char *end)
{
	const char *counted = p; /* newlines before this point are counted */
	while (p < end) {
		if (s->capturing) {
			p += capture(s, p, end);
			counted = p;
			continue;
		}
		if (s->pend_len) {
			p += resume_pending(s, p, end);
			counted = p;
			continue;
		}
		p = next_candidate(p, end);
		if (p == end)
			break;
		/* Most candidates in binaries and prose fail on the second byte:
		 * "SP..." and "RE..." are all the keywords start with. */
		if (end - p >= 2 && p[1] != (*p == 'S' ? 'P' : 'E')) {
			p++;
			continue;
		}
		bool partial;
		enum keyword_id k = match_keyword(p, (size_t)(end - p), &partial);
		if (k == KW_COUNT && partial && (size_t)(end - p) < LG_TAG_KEYWORD_MAX) {
			s->line += count_newlines(counted, p);
			memcpy(s->pend, p, (size_t)(end - p));
			s->pend_len = (size_t)(end - p);
			return;
		}
		if (k == KW_COUNT) {
			p++;
			continue;
		}
		s->line += count_newlines(counted, p);
		p += KEYWORDS[k].len;
		counted = p;
		on_keyword(s, k);
	}
	s->line += count_newlines(counted, end);
}

void lg_tagscan_feed(lg_tagscan *s, const void *data, size_t len)
{
	feed(s, data, (const char *)data + len);
}

void lg_tagscan_end(lg_tagscan *s)
{
	if (s->capturing && !s->ignoring)
		emit(s);
	s->capturing = 0;
	s->pend_len = 0;
}
