/* error.h - one error object for the whole pipeline.
 *
 * A failing function fills an lg_error and returns -1 (never 0, never a
 * positive value).  Callers add context on the way up with lg_err_prefix(),
 * so the user finally sees one line: "licgate: WHAT: why".
 *
 * Ownership: err->msg is owned by the lg_error; release it with
 * lg_error_clear().  Setting an error over an existing one frees the old
 * message first, so an lg_error may be reused.
 */
#ifndef LICGATE_ERROR_H
#define LICGATE_ERROR_H

#include <stdio.h>

typedef struct lg_error {
	char *msg; /* NULL while no error is set */
	/* Several errors in one (a rules file's): where each further one
	 * starts, as the distance of the '\n' before it from the end of msg
	 * (a prefix leaves it unchanged).  Only these '\n' end a line; any
	 * other newline is data (a name from the image) and is escaped. */
	size_t *breaks;
	size_t nbreaks;
} lg_error;

#define LG_ERROR_INIT { NULL, NULL, 0 }

/* Set err to the formatted message.  Always returns -1. */
int lg_err(lg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like lg_err(), appending ": strerror(errnum)". Always returns -1. */
int lg_err_errno(lg_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add one more error to err, printed on a line of its own (lg_err()
 * when err holds none yet).  Always returns -1. */
int lg_err_more(lg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the current message with "CONTEXT: ".  Always returns -1. */
int lg_err_prefix(lg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Free the message and reset err to no error. */
void lg_error_clear(lg_error *err);

/* The message, or "unknown error" when none was set. */
const char *lg_error_msg(const lg_error *err);

/* Write the message to f as it reaches the user: "licgate: LINE" for each
 * error it holds (lg_err_more(); rules errors come one per line), every
 * control byte in them (newlines included) escaped (escape.h, line form),
 * since a message quotes names, media types and tags from the image. */
void lg_error_print(const lg_error *err, FILE *f);

#endif
