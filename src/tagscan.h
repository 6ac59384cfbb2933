/* tagscan.h - find license markers in a stream of bytes, REUSE and SPDX
 * style: "SPDX-License-Identifier:" tags, "SPDX-SnippetBegin" /
 * "SPDX-SnippetEnd" regions (a tag inside one licenses only the snippet),
 * and "REUSE-IgnoreStart" / "REUSE-IgnoreEnd" regions (markers inside are
 * ignored, as REUSE ignores them).
 *
 * The scanner is fed a file's content in chunks of any size and reports
 * each tag's expression (the rest of its line up to a NUL byte, which
 * ends a C string in a compiled binary; trimmed, cut at a comment closer)
 * with its 1-based line number; a marker split across chunks is
 * found as if the file were one buffer.  No allocation: the struct is a
 * value the caller owns (a stack or per-worker variable), reset per file.
 */
#ifndef LICGATE_TAGSCAN_H
#define LICGATE_TAGSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Longest expression kept; a longer one is cut and reported as written. */
#define LG_TAG_MAX 512
/* Longest marker keyword ("SPDX-License-Identifier:"). */
#define LG_TAG_KEYWORD_MAX 24
/* The scan is linear on every input: lg_tagscan.work (bytes examined,
 * keyword bytes compared, bytes captured, counted as the scan goes) stays
 * at most LG_TAGSCAN_WORK_PER_BYTE per byte fed plus
 * LG_TAGSCAN_WORK_PER_FEED per call of lg_tagscan_feed().  Tests and the
 * fuzzer check it, so a superlinear path shows as a count, not a time. */
#define LG_TAGSCAN_WORK_PER_BYTE 64
#define LG_TAGSCAN_WORK_PER_FEED 2048

enum lg_tag_event_kind {
	LG_TAG_LICENSE,     /* an SPDX-License-Identifier tag */
	LG_TAG_SNIPPET_END, /* the snippet that began at snippet_begin ended */
};

typedef struct lg_tag_event {
	enum lg_tag_event_kind kind;
	const char *expr;       /* LICENSE: not NUL-terminated, valid during the call */
	size_t len;
	uint64_t line;          /* LICENSE: the tag's line; SNIPPET_END: the end's line */
	uint64_t snippet_begin; /* line of the enclosing SPDX-SnippetBegin, 0 if none */
} lg_tag_event;

typedef void (*lg_tag_fn)(void *ud, const lg_tag_event *ev);

typedef struct lg_tagscan {
	lg_tag_fn fn;
	void *ud;
	uint64_t line;          /* current line, 1-based */
	uint64_t snippet;       /* line of the open SPDX-SnippetBegin, or 0 */
	int ignoring;           /* inside REUSE-IgnoreStart .. End */
	int capturing;          /* inside a tag's expression */
	int truncated;          /* the expression's line was longer than LG_TAG_MAX */
	size_t pend_len;        /* a keyword's start cut by the end of a chunk */
	char pend[LG_TAG_KEYWORD_MAX];
	size_t cap_len;
	uint64_t work;          /* bytes examined since init (see above) */
	char cap[LG_TAG_MAX];
} lg_tagscan;

/* Start a new file. */
void lg_tagscan_init(lg_tagscan *s, lg_tag_fn fn, void *ud);
void lg_tagscan_feed(lg_tagscan *s, const void *data, size_t len);
/* End of the file: report a tag that ran to the end without a newline. */
void lg_tagscan_end(lg_tagscan *s);

#endif
