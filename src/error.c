/* error.c - see error.h */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static char *vformat(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static void set_msg(lg_error *err, char *msg)
{
	free(err->msg);
	/* Out of memory while reporting an error: keep a static-free fallback. */
	err->msg = msg ? msg : strdup("out of memory");
}

int lg_err(lg_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = vformat(fmt, ap);
	va_end(ap);
	set_msg(err, msg);
	return -1;
}

int lg_err_errno(lg_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *head = vformat(fmt, ap);
	va_end(ap);
	char *msg = NULL;
	if (head && asprintf(&msg, "%s: %s", head, strerror(errnum)) < 0)
		msg = NULL;
	free(head);
	set_msg(err, msg);
	return -1;
}

int lg_err_prefix(lg_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *ctx = vformat(fmt, ap);
	va_end(ap);
	char *msg = NULL;
	if (ctx && asprintf(&msg, "%s: %s", ctx, lg_error_msg(err)) < 0)
		msg = NULL;
	free(ctx);
	set_msg(err, msg);
	return -1;
}

void lg_error_clear(lg_error *err)
{
	free(err->msg);
	err->msg = NULL;
}

const char *lg_error_msg(const lg_error *err)
{
	return err->msg ? err->msg : "unknown error";
}

void lg_error_print(const lg_error *err, FILE *f)
{
	const char *msg = lg_error_msg(err);
	lg_buf line = LG_BUF_INIT;
	for (;;) {
		const char *nl = strchr(msg, '\n');
		size_t n = nl ? (size_t)(nl - msg) : strlen(msg);
		lg_buf_reset(&line);
		lg_escape_line(&line, msg, n);
		fprintf(f, "licgate: %s\n", line.data ? line.data : "");
		if (!nl)
			break;
		msg = nl + 1;
	}
	lg_buf_free(&line);
}
