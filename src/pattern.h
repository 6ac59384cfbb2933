/* pattern.h - path patterns of the rules file: globs and re:REGEX.
 *
 * A glob is translated into one PCRE2 regular expression and compiled (and
 * JIT-compiled when the platform allows) once, when the rules are loaded;
 * matching a path then costs one pcre2_match() and allocates nothing.
 * Paths are bytes, not text: patterns are compiled without UTF mode, so a
 * path that is not valid UTF-8 matches like any other.
 *
 * Glob syntax (licgate-rules(5) has the full description):
 *   *      any run of bytes within one path segment (never '/')
 *   **     written as a whole segment: at the end of the glob, everything
 *          below that directory; followed by '/', zero or more
 *          directories; anywhere else it is the same as '*'
 *   ?      one byte other than '/'
 *   [...]  one byte of a class; "[!...]" or "[^...]" negates; ranges a-z;
 *          a class never matches '/'
 *   \c     the byte c itself
 * A glob that does not start with '/' matches at any depth, as if it were
 * prefixed with "**" and '/' (like gitignore); a glob that ends with '/'
 * matches everything below that directory.  A glob matches the whole path.
 * "re:REGEX" is a PCRE2 regular expression searched anywhere in the path
 * (anchor it with ^ and $ as needed).
 *
 * Ownership: lg_pattern_compile() returns a pattern the caller frees with
 * lg_pattern_free().  A pattern is only read by matching, so threads may
 * match it at once: what a match writes (PCRE2 match data, the JIT stack)
 * is each thread's own, made on its first match and freed when it exits
 * (or by lg_pattern_thread_done()).
 */
#ifndef LICGATE_PATTERN_H
#define LICGATE_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct lg_pattern lg_pattern;

/* Compile pattern (a glob, or "re:" followed by a PCRE2 regex).  On success
 * stores a new pattern in *out and returns 0.  On a malformed pattern
 * returns -1, leaves *out untouched and sets err to what is wrong and the
 * byte offset where (e.g. "missing closing parenthesis at offset 4"); the
 * message does not repeat the pattern, the caller adds that context. */
int lg_pattern_compile(const char *pattern, lg_pattern **out, lg_error *err);

/* Compile a text pattern of a `text` rule: "re:REGEX" as above, or a
 * phrase: its words (runs of letters and digits) in order, matched without
 * regard to case and with any run of blanks, line breaks and punctuation
 * between them, so a phrase matches across comment markers and rewrapped
 * lines.  Searched anywhere in the text given to lg_pattern_match(). */
int lg_pattern_compile_text(const char *pattern, lg_pattern **out,
			    lg_error *err);

/* Work limits of one match (PCRE2's match, depth and heap limits, and the
 * most stack the JIT may use).  Generous for any sane pattern on a path or
 * a LG_TEXT_HEAD-byte text; a pattern that backtracks catastrophically
 * hits them within milliseconds instead of hanging the scan. */
#define LG_PATTERN_MATCH_LIMIT 1000000u
#define LG_PATTERN_DEPTH_LIMIT 100000u
#define LG_PATTERN_HEAP_LIMIT_KIB (64u * 1024)
#define LG_PATTERN_JIT_STACK (4u * 1024 * 1024)

/* Match path[0..len) against p: 1 when it matches, 0 when it does not, -1
 * when PCRE2 gave up (a work limit above was hit): that is no answer, and
 * never to be read as "no match", which could let a file pass.  Globs and
 * phrases that hit a limit are matched again without backtracking (PCRE2's
 * DFA matcher), so in practice only a re: can give -1.  path need not be
 * NUL-terminated nor valid UTF-8. */
int lg_pattern_match(const lg_pattern *p, const char *path, size_t len);
/* The same, and on a match (1) the offset in s where it starts in *start
 * (may be NULL): where a phrase was found, to name its line. */
int lg_pattern_match_at(const lg_pattern *p, const char *s, size_t len, size_t *start);

/* Could p match a path that starts with start[0..len) (or start itself)?
 * 1 yes, 0 no, -1 no answer.  PCRE2 partial matching: "/usr/lib/..." can
 * never match under "/app/". */
int lg_pattern_may_continue(const lg_pattern *p, const char *start, size_t len);

/* Free p; NULL is a no-op. */
void lg_pattern_free(lg_pattern *p);

/* Free the calling thread's match scratch now rather than at its exit (the
 * main thread, which never exits as a thread, before it returns); the next
 * match makes it again. */
void lg_pattern_thread_done(void);

/* The PCRE2 source p was compiled from (for a glob: its translation), for
 * debugging and tests.  Lives as long as p. */
const char *lg_pattern_regex(const lg_pattern *p);

#endif
