/* fuzz_pattern.c - the pattern compiler and matcher (pattern.c): globs,
 * re:REGEX and text phrases, against paths and a text.
 *
 * Input: the pattern on the first line, then one subject per line.  The
 * pattern is compiled as a path pattern and as a text pattern; each
 * compiled pattern is matched against every subject line and against all
 * the subjects as one text.  Invariants: a failed compile says why; a
 * match answers 1, 0 or -1 (PCRE2 gave up: never silently "no match"),
 * and never -1 for a glob or a phrase (those fall back to the DFA
 * matcher); a glob without wildcards matches the path it spells.
 */
#include <string.h>

#include "fuzz_common.h"
#include "pattern.h"
#include "util.h"

static void match_all(const lg_pattern *p, bool ours, const char *subj,
		      size_t len)
{
	int min = ours ? 0 : -1;
	int whole = lg_pattern_match(p, subj, len);
	FUZZ_CHECK(whole >= min && whole <= 1);
	for (const char *s = subj, *end = subj + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		int m = lg_pattern_match(p, s, (size_t)(eol - s));
		FUZZ_CHECK(m >= min && m <= 1);
		s = eol + 1;
	}
}

/* A glob that is only literal bytes (no * ? [ \, no trailing '/')
 * matches itself as a path: at the root when relative, and deeper. */
static void check_literal(const lg_pattern *p, const char *glob)
{
	size_t n = strlen(glob);
	if (strpbrk(glob, "*?[\\") || glob[n - 1] == '/')
		return;
	lg_buf path = LG_BUF_INIT;
	if (glob[0] != '/')
		lg_buf_append(&path, "/some/dir/", 10);
	lg_buf_append(&path, glob, n);
	FUZZ_CHECK(lg_pattern_match(p, path.data, path.len) == 1);
	lg_buf_free(&path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t plen = nl ? (size_t)(nl - s) : size;
	if (memchr(s, '\0', plen)) /* a rules file cannot hold a NUL */
		return 0;
	char *pattern = lg_xstrndup(s, plen);
	const char *subj = nl ? nl + 1 : s + size;
	size_t slen = (size_t)(s + size - subj);

	bool re = strncmp(pattern, "re:", 3) == 0;
	lg_pattern *p = NULL;
	lg_error err = LG_ERROR_INIT;
	if (lg_pattern_compile(pattern, &p, &err) == 0) {
		FUZZ_CHECK(lg_pattern_regex(p) != NULL);
		match_all(p, !re, subj, slen);
		if (!re)
			check_literal(p, pattern);
		lg_pattern_free(p);
	} else {
		FUZZ_CHECK(p == NULL && err.msg != NULL);
	}
	lg_error_clear(&err);

	p = NULL;
	if (lg_pattern_compile_text(pattern, &p, &err) == 0) {
		match_all(p, !re, subj, slen);
		lg_pattern_free(p);
	} else {
		FUZZ_CHECK(p == NULL && err.msg != NULL);
	}
	lg_error_clear(&err);
	free(pattern);
	return 0;
}
