/* error.c - see error.h */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

static void set_msg(lg_error *err, char *msg)
{
	free(err->msg);
	err->msg = msg;
}

static void clear_breaks(lg_error *err)
{
	free(err->breaks);
	err->breaks = NULL;
	err->nbreaks = 0;
}

int lg_err(lg_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = lg_xvasprintf(fmt, ap);
	va_end(ap);
	clear_breaks(err);
	set_msg(err, msg);
	return -1;
}

int lg_err_more(lg_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *more = lg_xvasprintf(fmt, ap);
	va_end(ap);
	if (!err->msg) {
		clear_breaks(err);
		set_msg(err, more);
		return -1;
	}
	err->breaks = lg_xrealloc(err->breaks, (err->nbreaks + 1) * sizeof(*err->breaks));
	size_t add = strlen(more) + 1; /* the '\n' and the new error */
	for (size_t i = 0; i < err->nbreaks; i++)
		err->breaks[i] += add;
	err->breaks[err->nbreaks++] = add;
	char *msg = lg_xasprintf("%s\n%s", err->msg, more);
	free(more);
	set_msg(err, msg);
	return -1;
}

int lg_err_errno(lg_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *head = lg_xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = lg_xasprintf("%s: %s", head, strerror(errnum));
	free(head);
	clear_breaks(err);
	set_msg(err, msg);
	return -1;
}

int lg_err_prefix(lg_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *ctx = lg_xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = lg_xasprintf("%s: %s", ctx, lg_error_msg(err));
	free(ctx);
	set_msg(err, msg);
	return -1;
}

void lg_error_clear(lg_error *err)
{
	free(err->msg);
	err->msg = NULL;
	clear_breaks(err);
}

const char *lg_error_msg(const lg_error *err)
{
	return err->msg ? err->msg : "unknown error";
}

void lg_error_print(const lg_error *err, FILE *f)
{
	const char *msg = lg_error_msg(err);
	size_t len = strlen(msg), start = 0;
	lg_buf line = LG_BUF_INIT;
	for (size_t i = 0; i <= err->nbreaks; i++) {
		/* breaks are in order of addition: each nearer the end */
		size_t end = i < err->nbreaks && err->breaks[i] <= len ? len - err->breaks[i] : len;
		if (end < start)
			end = start;
		lg_buf_reset(&line);
		lg_escape_line(&line, msg + start, end - start);
		fprintf(f, "licgate: %s\n", line.data ? line.data : "");
		if (end == len)
			break;
		start = end + 1;
	}
	lg_buf_free(&line);
}
