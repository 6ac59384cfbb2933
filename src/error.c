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

int lg_err(lg_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = lg_xvasprintf(fmt, ap);
	va_end(ap);
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
