/* util.h - allocation, cleanup attributes and a growable byte buffer.
 *
 * Allocation: the lg_x* allocators never return NULL; out of memory ends the
 * process with exit status 2 ("could not complete"), which keeps every caller
 * free of a failure path that could otherwise be mistaken for a pass.  Code
 * that allocates through a library (PCRE2, XXH3, OpenSSL) calls lg_oom()
 * when it gets NULL: one message, one exit status, everywhere.
 *
 * Cleanup: declare a variable with one of the cleanup_* attributes and it is
 * released when it leaves scope; hand it over with steal_pointer().
 */
#ifndef LICGATE_UTIL_H
#define LICGATE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LG_UNUSED __attribute__((unused))
#define LG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define LG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The one policy for what no caller can handle (out of memory, a library
 * failing on valid input): "licgate: MESSAGE" on standard error, exit
 * status 2 ("could not complete"), never a result that could pass. */
void lg_die(const char *fmt, ...) LG_PRINTF(1, 2) __attribute__((noreturn));
/* lg_die("out of memory"): every allocation failure ends here. */
void lg_oom(void) __attribute__((noreturn));

void *lg_xmalloc(size_t n);
void *lg_xcalloc(size_t nmemb, size_t size);
void *lg_xrealloc(void *p, size_t n);
/* Grow *p (of *cap elements of size elem) so that it holds at least need. */
void lg_xgrow(void **p, size_t *cap, size_t need, size_t elem);
char *lg_xstrdup(const char *s);
char *lg_xstrndup(const char *s, size_t n);
char *lg_xasprintf(const char *fmt, ...) LG_PRINTF(1, 2);
char *lg_xvasprintf(const char *fmt, va_list ap) LG_PRINTF(1, 0);

/* Map the pages of a large buffer about to be written, in one call
 * (MADV_POPULATE_WRITE, Linux 5.14), rather than one page fault at a time
 * as they are first touched: in a virtual machine a fault can cost more
 * than the work done on its page.  A hint: small buffers and errors (an
 * older kernel) are ignored. */
void lg_prefault(void *p, size_t n);

/* Write all len bytes of buf to fd, retrying on EINTR and short writes.
 * Returns 0, or -1 with errno set. */
int lg_write_all(int fd, const void *buf, size_t len);

/* An anonymous temporary file in $TMPDIR (or /tmp): never linked
 * (O_TMPFILE) or unlinked at once, so it disappears with the process
 * however that ends.  Returns the fd, or -1 with errno set; *dir (may be
 * NULL) is the directory tried. */
int lg_temp_file(const char **dir);

static inline void lg_freep(void *p)
{
	extern void free(void *);
	free(*(void **)p);
}
void lg_closep(int *fd);
void lg_fclosep(FILE **f);

#define cleanup_free __attribute__((cleanup(lg_freep)))
#define cleanup_close __attribute__((cleanup(lg_closep)))
#define cleanup_fclose __attribute__((cleanup(lg_fclosep)))

/* Return *pp and set *pp to NULL: ownership moves to the caller. */
#define steal_pointer(pp)                     \
	({                                    \
		__typeof__(*(pp)) tmp_ = *(pp); \
		*(pp) = NULL;                 \
		tmp_;                         \
	})

/* A growable byte buffer, always NUL-terminated after the first append.
 * Owns data; release with lg_buf_free(). */
typedef struct lg_buf {
	char *data;
	size_t len;
	size_t cap;
} lg_buf;

#define LG_BUF_INIT { NULL, 0, 0 }

void lg_buf_append(lg_buf *b, const void *data, size_t len);
void lg_buf_putc(lg_buf *b, char c);
void lg_buf_appendf(lg_buf *b, const char *fmt, ...) LG_PRINTF(2, 3);
void lg_buf_reset(lg_buf *b);
void lg_buf_free(lg_buf *b);
/* Take the buffer's data (NUL-terminated, never NULL); b is left empty. */
char *lg_buf_steal(lg_buf *b);

/* Append s[0..len) to b, escaping bytes that are not printable UTF-8 text
 * as \xNN (and backslash as \\), so a hostile name prints as data: the
 * text form of escape.h (lg_escape_text), which has every format's. */
void lg_buf_append_escaped(lg_buf *b, const char *s, size_t len);

/* true when s[0..len) is valid UTF-8 without NUL, control characters (C1
 * included) or backslashes (lg_escape_is_plain). */
bool lg_utf8_printable(const char *s, size_t len);

/* The 1-based line of text on which byte offset off (<= its length) lies:
 * one plus the line feeds before it. */
uint32_t lg_line_at(const char *text, size_t off);

/* "sha256:0123456789ab" - the algorithm and the first 12 hex digits, in
 * the caller's buffer (at least 20 bytes). */
const char *lg_short_digest(const char *digest, char out[static 24]);

/* Normalize a tar entry name lexically into out (reset first): "./" and
 * leading "/" folded, "." and empty segments dropped, ".." resolved inside
 * "/".  Sets *escaped when ".." would have left the root.  The result
 * starts with "/" and has no trailing "/" (the root is "/"). */
void lg_path_normalize(const char *name, size_t len, lg_buf *out,
		       bool *escaped);

#endif
