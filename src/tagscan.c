/* tagscan.c - see tagscan.h
 *
 * Searching, the scanner jumps to the next "SP" or "RE" (how the markers
 * start) and compares the keywords there, counting the newlines it passes
 * on the way: one pass, sixteen bytes at a time with SSE2.  A candidate
 * cut by the end of a chunk is kept in a small carry buffer and completed
 * with the next chunk's first bytes.  Capturing, it copies the rest of the
 * line (up to LG_TAG_MAX bytes) and reports it at the line's end, cut at a
 * comment closer.
 */
#include "tagscan.h"

#include <stdbool.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
	s->work = 0;
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
	s->work += s->cap_len; /* no more than capture() consumed */
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

/* Where a tag's text ends: a line end, or a NUL byte (a tag in a compiled
 * binary is a C string: what follows its NUL is other data). */
static bool ends_tag(char c)
{
	return c == '\n' || c == '\r' || c == '\0';
}

/* Capture bytes of the expression; returns how many bytes were consumed
 * (the byte that ended the tag included when it ended). */
static size_t capture(lg_tagscan *s, const char *p, const char *end)
{
	const char *start = p;
	if (s->cap_len == 0) /* blanks after the colon take no room */
		while (p < end && is_blank(*p))
			p++;
	const char *q = p;
	while (q < end && !ends_tag(*q))
		q++;
	size_t room = LG_TAG_MAX - s->cap_len;
	size_t take = (size_t)(q - p) < room ? (size_t)(q - p) : room;
	if (take < (size_t)(q - p))
		s->truncated = 1;
	memcpy(s->cap + s->cap_len, p, take);
	s->cap_len += take;
	s->work += (uint64_t)(q - start) + 1;
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
static enum keyword_id match_keyword(lg_tagscan *s, const char *p, size_t n, bool *partial)
{
	*partial = false;
	for (int k = 0; k < KW_COUNT; k++) {
		size_t kl = KEYWORDS[k].len;
		size_t m = n < kl ? n : kl;
		if (m && *p != KEYWORDS[k].text[0])
			continue;
		s->work += m;
		if (memcmp(p, KEYWORDS[k].text, m) != 0)
			continue;
		if (m == kl)
			return (enum keyword_id)k;
		*partial = true;
	}
	return KW_COUNT;
}

/* Where a keyword could start: "SP" or "RE", or an 'S' or 'R' that ends
 * the chunk (a keyword the chunk may cut). */
static bool is_candidate(const char *p, const char *end)
{
	return (*p == 'S' || *p == 'R') &&
	       (end - p == 1 || p[1] == (*p == 'S' ? 'P' : 'E'));
}

#ifdef __SSE2__
/* The sum of the sixteen bytes of v. */
static uint64_t lane_sum(__m128i v)
{
	__m128i s = _mm_sad_epu8(v, _mm_setzero_si128());
	return (uint64_t)_mm_cvtsi128_si32(s) + (uint64_t)_mm_extract_epi16(s, 4);
}
#endif

/* The next candidate at or after p, or end; the newlines before it are
 * added to s->line.  Text has a newline every few dozen bytes and many an
 * 'S' or 'R', but seldom "SP" or "RE": with SSE2 both are found in one
 * pass, sixteen bytes at a time.  The work is the distance to the
 * candidate plus one block, never the rest of the chunk: a text made of
 * candidates ("ARE ARE ...") costs a block per candidate, not a search to
 * the end of the chunk for each. */
static const char *next_candidate(lg_tagscan *s, const char *p, const char *end)
{
	const char *from = p;
#ifdef __SSE2__
	const __m128i NL = _mm_set1_epi8('\n');
	const __m128i S = _mm_set1_epi8('S'), P = _mm_set1_epi8('P');
	const __m128i R = _mm_set1_epi8('R'), E = _mm_set1_epi8('E');
	/* Newlines are tallied per byte lane (a match is -1: subtract it) and
	 * the lanes added up every 255 blocks, before one can overflow. */
	__m128i tally = _mm_setzero_si128();
	unsigned blocks = 0;
	for (; end - p > 16; p += 16) { /* p[0..16] may be read */
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
		__m128i hit = _mm_or_si128(_mm_and_si128(_mm_cmpeq_epi8(a, S), _mm_cmpeq_epi8(b, P)),
					   _mm_and_si128(_mm_cmpeq_epi8(a, R), _mm_cmpeq_epi8(b, E)));
		__m128i nl = _mm_cmpeq_epi8(a, NL);
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);
		if (mask) {
			unsigned at = (unsigned)__builtin_ctz(mask);
			unsigned before = (unsigned)_mm_movemask_epi8(nl) & ((1u << at) - 1);
			s->line += lane_sum(tally) + (uint64_t)__builtin_popcount(before);
			s->work += (uint64_t)(p - from) + 16;
			return p + at;
		}
		tally = _mm_sub_epi8(tally, nl);
		if (++blocks == 255) {
			s->line += lane_sum(tally);
			tally = _mm_setzero_si128();
			blocks = 0;
		}
	}
	s->line += lane_sum(tally);
#endif
	for (; p < end && !is_candidate(p, end); p++)
		s->line += *p == '\n';
	s->work += (uint64_t)(p - from) + 1;
	return p;
}

static void feed(lg_tagscan *s, const char *p, const char *end);

/* Complete a keyword whose start the last chunk carried over.  Returns
 * how many bytes of the new chunk it used. */
static size_t resume_pending(lg_tagscan *s, const char *p, const char *end)
{
	size_t take = LG_TAG_KEYWORD_MAX - s->pend_len;
	s->work += LG_TAG_KEYWORD_MAX;
	if (take > (size_t)(end - p))
		take = (size_t)(end - p);
	char buf[2 * LG_TAG_KEYWORD_MAX];
	memcpy(buf, s->pend, s->pend_len);
	memcpy(buf + s->pend_len, p, take);
	size_t have = s->pend_len + take;
	bool partial;
	enum keyword_id k = match_keyword(s, buf, have, &partial);
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

/* Every newline before p is counted in s->line: capture() counts those it
 * passes, next_candidate() those it skips, and keywords hold none. */
static void feed(lg_tagscan *s, const char *p, const char *end)
{
	while (p < end) {
		if (s->capturing) {
			p += capture(s, p, end);
			continue;
		}
		if (s->pend_len) {
			p += resume_pending(s, p, end);
			continue;
		}
		p = next_candidate(s, p, end);
		if (p == end)
			break;
		bool partial;
		enum keyword_id k = match_keyword(s, p, (size_t)(end - p), &partial);
		if (k == KW_COUNT && partial && (size_t)(end - p) < LG_TAG_KEYWORD_MAX) {
			memcpy(s->pend, p, (size_t)(end - p));
			s->pend_len = (size_t)(end - p);
			return;
		}
		if (k == KW_COUNT) {
			p++;
			continue;
		}
		p += KEYWORDS[k].len;
		on_keyword(s, k);
	}
}

void lg_tagscan_feed(lg_tagscan *s, const void *data, size_t len)
{
	s->work += 1;
	feed(s, data, (const char *)data + len);
}

void lg_tagscan_end(lg_tagscan *s)
{
	if (s->capturing && !s->ignoring)
		emit(s);
	s->capturing = 0;
	s->pend_len = 0;
}
