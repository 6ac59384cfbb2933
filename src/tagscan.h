/* tagscan.h - find "SPDX-License-Identifier:" tags in a stream of bytes.
 *
 * The scanner is fed a file's content in chunks of any size and reports each
 * tag's expression (the rest of its line, trimmed, trailing comment closers
 * removed) with its 1-based line number.  A tag split across chunks is found
 * as if the file were one buffer.  No allocation: the struct is a value the
 * caller owns (a stack or per-worker variable), reset per file.
 */
#ifndef LICGATE_TAGSCAN_H
#define LICGATE_TAGSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Longest expression kept; a longer one is cut and reported as written. */
#define LG_TAG_MAX 512

/* Called once per tag found; expr is not NUL-terminated and is valid only
 * during the call. */
typedef void (*lg_tag_fn)(void *ud, const char *expr, size_t len,
			  uint64_t line);

typedef struct lg_tagscan {
	lg_tag_fn fn;
	void *ud;
	uint64_t line;     /* current line, 1-based */
	size_t matched;    /* bytes of the keyword matched so far */
	int capturing;     /* inside a tag's expression */
	size_t cap_len;
	int truncated;     /* the line was longer than LG_TAG_MAX */
	char cap[LG_TAG_MAX];
} lg_tagscan;

/* Start a new file. */
void lg_tagscan_init(lg_tagscan *s, lg_tag_fn fn, void *ud);
void lg_tagscan_feed(lg_tagscan *s, const void *data, size_t len);
/* End of the file: report a tag that ran to the end without a newline. */
void lg_tagscan_end(lg_tagscan *s);

#endif
