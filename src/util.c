/* util.c - see util.h */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "escape.h"

void lg_die(const char *fmt, ...)
{
	/* One write, without allocating: this may be out of memory. */
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "licgate: %s\n", msg);
	exit(2);
}

void lg_oom(void)
{
	lg_die("out of memory");
}


void *lg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		lg_oom();
	return p;
}

void *lg_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		lg_oom();
	return p;
}

void *lg_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		lg_oom();
	return p;
}

void lg_xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			lg_oom();
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		lg_oom();
	*p = lg_xrealloc(*p, ncap * elem);
	*cap = ncap;
}

char *lg_xstrdup(const char *s)
{
	return lg_xstrndup(s, strlen(s));
}

char *lg_xstrndup(const char *s, size_t n)
{
	char *p = lg_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lg_xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		lg_oom();
	return s;
}

char *lg_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = lg_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int lg_temp_file(const char **dir)
{
	const char *d = getenv("TMPDIR");
	if (!d || !*d)
		d = "/tmp";
	if (dir)
		*dir = d;
	int fd = open(d, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	char *tmpl = lg_xasprintf("%s/licgate-spool.XXXXXX", d);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	int e = errno;
	free(tmpl);
	errno = e;
	return fd;
}

int lg_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void lg_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

void lg_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void lg_buf_append(lg_buf *b, const void *data, size_t len)
{
	lg_xgrow((void **)&b->data, &b->cap, b->len + len + 1, 1);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void lg_buf_putc(lg_buf *b, char c)
{
	lg_buf_append(b, &c, 1);
}

void lg_buf_appendf(lg_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	lg_xgrow((void **)&b->data, &b->cap, b->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void lg_buf_reset(lg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void lg_buf_free(lg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *lg_buf_steal(lg_buf *b)
{
	if (!b->data)
		return lg_xstrdup("");
	char *s = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

/* The text form of escape.h, under the names the pipeline used first. */
uint32_t lg_line_at(const char *text, size_t off)
{
	uint32_t line = 1;
	for (const char *p = text, *end = text + off; (p = memchr(p, '\n', (size_t)(end - p)));
	     p++)
		line++;
	return line;
}

bool lg_utf8_printable(const char *s, size_t len)
{
	return lg_escape_is_plain(s, len);
}

void lg_buf_append_escaped(lg_buf *b, const char *s, size_t len)
{
	lg_escape_text(b, s, len);
}

const char *lg_short_digest(const char *digest, char out[static 24])
{
	const char *colon = strchr(digest, ':');
	size_t alg = colon ? (size_t)(colon - digest) : 0;
	if (!colon || alg > 8) {
		snprintf(out, 24, "%.20s", digest);
		return out;
	}
	snprintf(out, 24, "%.*s:%.12s", (int)alg, digest, colon + 1);
	return out;
}

void lg_path_normalize(const char *name, size_t len, lg_buf *out, bool *escaped)
{
	lg_buf_reset(out);
	*escaped = false;
	size_t i = 0;
	while (i < len) {
		while (i < len && name[i] == '/')
			i++;
		size_t start = i;
		while (i < len && name[i] != '/')
			i++;
		size_t n = i - start;
		if (n == 0 || (n == 1 && name[start] == '.'))
			continue;
		if (n == 2 && name[start] == '.' && name[start + 1] == '.') {
			if (out->len == 0) {
				*escaped = true;
				continue;
			}
			char *slash = memrchr(out->data, '/', out->len);
			out->len = (size_t)(slash - out->data);
			out->data[out->len] = '\0';
			continue;
		}
		lg_buf_putc(out, '/');
		lg_buf_append(out, name + start, n);
	}
	if (out->len == 0)
		lg_buf_putc(out, '/');
}


#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

void lg_prefault(void *p, size_t n)
{
	enum { PAGE = 4096, MIN = 64 * 1024 };
	uintptr_t from = ((uintptr_t)p + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	uintptr_t to = ((uintptr_t)p + n) & ~(uintptr_t)(PAGE - 1);
	if (n >= MIN && to > from)
		(void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
}
