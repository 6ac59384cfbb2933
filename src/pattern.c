/* pattern.c - see pattern.h */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "pattern.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct lg_pattern {
	pcre2_code *code;
	pcre2_match_context *mc; /* the work limits, and where the JIT stack is */
	bool ours;            /* a translation (glob, phrase), not a re: */
	char *regex;          /* the PCRE2 source, for lg_pattern_regex() */
};

/* ---- per-thread scratch ------------------------------------------------- */

/* What a match writes to, so it cannot be shared between threads: the
 * match data (one ovector pair: whether and where it matched) and the JIT
 * stack.  Each thread gets its own on its first match, used by every
 * pattern, freed when the thread exits.  A compiled pattern and its match
 * context are only read, so patterns are shared by all threads. */
typedef struct scratch {
	pcre2_match_data *md;
	pcre2_jit_stack *jit;
} scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *v)
{
	scratch *s = v;
	pcre2_match_data_free(s->md);
	pcre2_jit_stack_free(s->jit);
	free(s);
}

static void scratch_key_create(void)
{
	if (pthread_key_create(&scratch_key, scratch_free) != 0)
		lg_oom();
}

static scratch *thread_scratch(void)
{
	pthread_once(&scratch_once, scratch_key_create);
	scratch *s = pthread_getspecific(scratch_key);
	if (s)
		return s;
	s = lg_xcalloc(1, sizeof(*s));
	s->md = pcre2_match_data_create(1, NULL);
	/* JIT's default stack (32 KiB) is too small for a long subject and
	 * would fail matches the interpreter completes, so give it more. */
	s->jit = pcre2_jit_stack_create(32 * 1024, LG_PATTERN_JIT_STACK, NULL);
	if (!s->md || !s->jit || pthread_setspecific(scratch_key, s) != 0)
		lg_oom();
	return s;
}

static pcre2_jit_stack *thread_jit_stack(void *unused)
{
	(void)unused;
	return thread_scratch()->jit;
}

void lg_pattern_thread_done(void)
{
	pthread_once(&scratch_once, scratch_key_create);
	scratch *s = pthread_getspecific(scratch_key);
	if (s) {
		pthread_setspecific(scratch_key, NULL);
		scratch_free(s);
	}
}

static void pcre2_code_freep(pcre2_code **p)
{
	pcre2_code_free(*p);
}
#define cleanup_pcre2 __attribute__((cleanup(pcre2_code_freep)))

/* ---- glob translation ------------------------------------------------- */

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

/* One literal byte.  Everything but letters, digits and '/' is written as
 * \x{hh}, which PCRE2 reads as that byte in and out of classes. */
static void emit_byte(lg_buf *re, unsigned char c)
{
	if (is_alnum(c) || c == '/')
		lg_buf_putc(re, (char)c);
	else
		lg_buf_appendf(re, "\\x{%02x}", c);
}

/* A class as a set of bytes: the set is computed first so that negation
 * and the "never '/'" rule are exact, whatever ranges were written. */
typedef struct byteset {
	uint8_t bits[32];
} byteset;

static void set_add_range(byteset *s, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		s->bits[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool set_has(const byteset *s, unsigned c)
{
	return s->bits[c >> 3] & (1u << (c & 7));
}

static void emit_set(lg_buf *re, const byteset *s)
{
	bool empty = true;
	lg_buf_putc(re, '[');
	for (unsigned c = 0; c < 256;) {
		if (!set_has(s, c)) {
			c++;
			continue;
		}
		unsigned hi = c;
		while (hi + 1 < 256 && set_has(s, hi + 1))
			hi++;
		lg_buf_appendf(re, "\\x{%02x}", c);
		if (hi > c)
			lg_buf_appendf(re, "-\\x{%02x}", hi);
		empty = false;
		c = hi + 1;
	}
	if (empty) {
		/* e.g. "[/]": a class that can match nothing */
		re->len--;
		re->data[re->len] = '\0';
		lg_buf_append(re, "(*FAIL)", 7);
		return;
	}
	lg_buf_putc(re, ']');
}

/* Read one class member at g[*i] (handling '\'); -1 at the end of input. */
static int class_char(const char *g, size_t *i)
{
	if (g[*i] == '\\')
		(*i)++;
	if (g[*i] == '\0')
		return -1;
	return (unsigned char)g[(*i)++];
}

/* Translate the class starting at g[*i] == '['; *i ends after the ']'. */
static int glob_class(const char *g, size_t *i, lg_buf *re, lg_error *err)
{
	size_t open = *i;
	byteset set = { { 0 } };
	size_t j = open + 1;
	bool neg = g[j] == '!' || g[j] == '^';
	if (neg)
		j++;
	for (bool first = true; first || g[j] != ']'; first = false) {
		size_t at = j;
		int lo = class_char(g, &j);
		if (lo < 0)
			return lg_err(err, "unterminated '[' at offset %zu", open);
		int hi = lo;
		if (g[j] == '-' && g[j + 1] != ']' && g[j + 1] != '\0') {
			j++;
			hi = class_char(g, &j);
			if (hi < 0)
				return lg_err(err, "unterminated '[' at offset %zu", open);
			if (hi < lo)
				return lg_err(err, "range out of order at offset %zu", at);
		}
		set_add_range(&set, (unsigned)lo, (unsigned)hi);
	}
	if (neg)
		for (size_t k = 0; k < sizeof set.bits; k++)
			set.bits[k] = (uint8_t)~set.bits[k];
	set.bits['/' >> 3] &= (uint8_t)~(1u << ('/' & 7));
	emit_set(re, &set);
	*i = j + 1;
	return 0;
}

/* Translate a run of '*' starting at g[*i]; at_seg_start tells whether it
 * begins a path segment. */
static void glob_stars(const char *g, size_t *i, bool at_seg_start, lg_buf *re)
{
	size_t j = *i;
	while (g[j] == '*')
		j++;
	bool globstar = j - *i >= 2 && at_seg_start &&
			(g[j] == '\0' || g[j] == '/');
	if (!globstar) {
		lg_buf_append(re, "[^/]*", 5);
	} else if (g[j] == '/') {
		/* "**" "/": zero or more whole directories */
		lg_buf_append(re, "(?:.*/)?", 8);
		j++;
	} else {
		lg_buf_append(re, ".*", 2);
	}
	*i = j;
}

static int glob_to_regex(const char *g, lg_buf *re, lg_error *err)
{
	if (g[0] == '\0')
		return lg_err(err, "empty pattern");
	if (g[0] != '/') {
		/* relative: at any depth, as if prefixed with '/', "**", '/' */
		lg_buf_putc(re, '/');
		if (!(g[0] == '*' && g[1] == '*' && (g[2] == '/' || g[2] == '\0')))
			lg_buf_append(re, "(?:.*/)?", 8);
	}
	bool seg_start = true; /* the previous byte was an unescaped '/' */
	bool last_slash = false;
	for (size_t i = 0; g[i] != '\0';) {
		unsigned char c = (unsigned char)g[i];
		bool slash = false;
		if (c == '*') {
			glob_stars(g, &i, seg_start, re);
			/* "**" "/" consumed its slash: the next byte starts a segment */
			slash = g[i - 1] == '/';
		} else if (c == '?') {
			lg_buf_append(re, "[^/]", 4);
			i++;
		} else if (c == '[') {
			if (glob_class(g, &i, re, err) < 0)
				return -1;
		} else if (c == '\\') {
			if (g[i + 1] == '\0')
				return lg_err(err, "trailing backslash at offset %zu", i);
			emit_byte(re, (unsigned char)g[i + 1]);
			i += 2;
		} else {
			emit_byte(re, c);
			slash = c == '/';
			i++;
		}
		seg_start = slash;
		last_slash = slash;
	}
	if (last_slash)
		lg_buf_append(re, ".*", 2); /* "dir/" = everything below dir */
	lg_buf_append(re, "\\z", 2);
	return 0;
}

/* ---- compile and match ------------------------------------------------ */

static int compile_regex(const char *regex, uint32_t options, size_t base,
			 pcre2_code **out, lg_error *err)
{
	int code = 0;
	PCRE2_SIZE off = 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED,
				       options | PCRE2_NEVER_UTF, &code, &off,
				       NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", code);
		/* The offset of a pattern too large is its end: say what to
		 * do instead (a glob's translation is ~6 bytes per byte). */
		if (code == PCRE2_ERROR_PATTERN_TOO_LARGE)
			return lg_err(err, "pattern too long: %s (shorten it, or "
				      "split it into several rules)",
				      (const char *)msg);
		return lg_err(err, "%s at offset %zu", (const char *)msg,
			      (size_t)off + base);
	}
	*out = re;
	return 0;
}

/* Wrap a compiled regex (taken from *code) and its source (taken) in a
 * pattern with its work limits. */
static void make_pattern(pcre2_code **code, char *regex, lg_pattern **out)
{
	lg_pattern *p = lg_xcalloc(1, sizeof *p);
	p->code = steal_pointer(code);
	p->regex = regex;
	p->mc = pcre2_match_context_create(NULL);
	if (!p->mc)
		lg_oom();
	pcre2_set_match_limit(p->mc, LG_PATTERN_MATCH_LIMIT);
	pcre2_set_depth_limit(p->mc, LG_PATTERN_DEPTH_LIMIT);
	pcre2_set_heap_limit(p->mc, LG_PATTERN_HEAP_LIMIT_KIB);
	/* JIT is an optimisation only: without it pcre2_match interprets. */
	if (pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0)
		pcre2_jit_stack_assign(p->mc, thread_jit_stack, NULL);
	*out = p;
}

int lg_pattern_compile(const char *pattern, lg_pattern **out, lg_error *err)
{
	lg_buf src = LG_BUF_INIT;
	uint32_t options = 0;
	size_t base = 0; /* offset of the regex within pattern, for messages */
	if (strncmp(pattern, "re:", 3) == 0) {
		lg_buf_append(&src, pattern + 3, strlen(pattern) - 3);
		base = 3;
	} else {
		options = PCRE2_ANCHORED | PCRE2_DOTALL;
		if (glob_to_regex(pattern, &src, err) < 0) {
			lg_buf_free(&src);
			return -1;
		}
	}
	cleanup_pcre2 pcre2_code *code = NULL;
	char *regex = lg_buf_steal(&src);
	if (compile_regex(regex, options, base, &code, err) < 0) {
		/* A glob's translation always compiles; if it ever does not,
		 * the offset points into the translation, so say so. */
		if (options && strncmp(lg_error_msg(err), "pattern too long", 16) != 0)
			lg_err_prefix(err, "internal error in glob translation '%.200s'",
				      regex);
		free(regex);
		return -1;
	}
	make_pattern(&code, regex, out);
	(*out)->ours = options != 0;
	return 0;
}

/* A phrase as a caseless regex: its words in order, separated by any run
 * of blanks, line breaks and punctuation, so that "governed by the Business
 * Source License" matches across comment markers and re-wrapped lines. */
static void phrase_to_regex(const char *phrase, lg_buf *re)
{
	const unsigned char *p = (const unsigned char *)phrase;
	bool first = true;
	while (*p) {
		while (*p && !is_alnum(*p) && *p < 0x80)
			p++;
		if (!*p)
			break;
		if (!first)
			lg_buf_append(re, "[\\W_]+", 6);
		first = false;
		while (*p && (is_alnum(*p) || *p >= 0x80))
			emit_byte(re, *p++);
	}
}

int lg_pattern_compile_text(const char *pattern, lg_pattern **out, lg_error *err)
{
	if (strncmp(pattern, "re:", 3) == 0)
		return lg_pattern_compile(pattern, out, err);
	lg_buf src = LG_BUF_INIT;
	phrase_to_regex(pattern, &src);
	if (src.len == 0) {
		lg_buf_free(&src);
		return lg_err(err, "a phrase needs at least one word");
	}
	cleanup_pcre2 pcre2_code *code = NULL;
	char *regex = lg_buf_steal(&src);
	if (compile_regex(regex, PCRE2_CASELESS, 0, &code, err) < 0) {
		free(regex);
		return -1;
	}
	make_pattern(&code, regex, out);
	(*out)->ours = true;
	return 0;
}

/* 1, 0 or -1 from a PCRE2 return code: 0 and more is a match (0: more
 * matches than the ovector holds, which is all we ask); any error but "no
 * match" (a limit hit) is no answer. */
static int answer(int rc)
{
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* Our translations (globs, phrases) have no backreferences, so PCRE2's
 * DFA matcher gives the same answer as the backtracking one, with work
 * that grows with the subject times the pattern instead of exponentially:
 * "*a*a*a*a*a*b" on a long segment of a's is slow to backtrack, not to
 * DFA-match.  Its workspace grows when it asks for more. */
static int dfa_match(const lg_pattern *p, const char *s, size_t len)
{
	int small[1000];
	int *ws = small;
	size_t n = LG_ARRAY_LEN(small);
	int rc;
	for (;;) {
		rc = pcre2_dfa_match(p->code, (PCRE2_SPTR)s, len, 0, 0,
				     thread_scratch()->md, p->mc, ws, n);
		if (rc != PCRE2_ERROR_DFA_WSSIZE || n >= (1u << 20))
			break;
		if (ws != small)
			free(ws);
		n *= 8;
		ws = lg_xmalloc(n * sizeof *ws);
	}
	if (ws != small)
		free(ws);
	return answer(rc);
}

int lg_pattern_match(const lg_pattern *p, const char *path, size_t len)
{
	return lg_pattern_match_at(p, path, len, NULL);
}

int lg_pattern_match_at(const lg_pattern *p, const char *s, size_t len, size_t *start)
{
	pcre2_match_data *md = thread_scratch()->md;
	int m = answer(pcre2_match(p->code, (PCRE2_SPTR)s, len, 0, 0, md, p->mc));
	if (m < 0 && p->ours)
		m = dfa_match(p, s, len);
	/* Both matchers put the start of the match first in the ovector. */
	if (m == 1 && start)
		*start = (size_t)pcre2_get_ovector_pointer(md)[0];
	return m;
}

int lg_pattern_may_continue(const lg_pattern *p, const char *start, size_t len)
{
	/* The JIT code was compiled without partial matching: the
	 * interpreter does it (rare calls, never on the hot path). */
	int rc = pcre2_match(p->code, (PCRE2_SPTR)start, len, 0,
			     PCRE2_PARTIAL_SOFT | PCRE2_NO_JIT, thread_scratch()->md, p->mc);
	if (rc >= 0 || rc == PCRE2_ERROR_PARTIAL)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

void lg_pattern_free(lg_pattern *p)
{
	if (!p)
		return;
	pcre2_match_context_free(p->mc);
	pcre2_code_free(p->code);
	free(p->regex);
	free(p);
}

const char *lg_pattern_regex(const lg_pattern *p)
{
	return p->regex;
}
