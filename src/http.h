/* http.h - a thin wrapper over libcurl: one request, its response read as
 * a pull stream.
 *
 * lg_http_open() sends the request and returns once the final response's
 * status and headers are in (redirects followed when asked, the
 * Authorization header dropped when a redirect leads to another scheme,
 * host or port, as S3 pre-signed URLs require).  The body is then pulled
 * with lg_http_read(): libcurl is driven through its multi interface and
 * paused while the caller's buffer is full, so a body of any size streams
 * through at most LG_HTTP_BUFFER bytes of memory.  TLS, proxies (from the
 * environment: http_proxy, https_proxy, no_proxy), and HTTP itself are
 * libcurl's; nothing here parses the wire.
 *
 * Secrets: the Authorization value is handed to libcurl as a header and
 * never appears in an error message; messages name the URL without its
 * query (a pre-signed URL's query is a credential).
 *
 * Ownership: lg_http_open() returns a response freed with lg_http_close();
 * strings it returns live as long as the response.
 */
#ifndef LICGATE_HTTP_H
#define LICGATE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define LG_HTTP_BUFFER (1u << 20)

typedef struct lg_http_request {
	const char *method;        /* NULL: GET */
	const char *url;
	const char *authorization; /* "Bearer ...", "Basic ...", or NULL */
	const char *const *headers; /* more "Name: value" lines, NULL-ended; may be NULL */
	const char *body;          /* POST body (a form), or NULL */
	const char *content_type;  /* of body */
	const char *unix_socket;   /* talk HTTP over this socket, or NULL */
	uint64_t range_from;       /* > 0: ask for bytes range_from- */
	bool follow;               /* follow redirects (at most 10) */
	bool insecure;             /* do not verify the TLS peer */
	const char *cert_dir;      /* certs.d: *.crt trusted, NAME.cert+NAME.key */
	const char *client_cert;   /* tcp:// engine: PEM files, or NULL */
	const char *client_key;
	const char *ca_file;
	bool *untrusted;           /* may be NULL; set when the request failed
				    * because the server's certificate was not
				    * trusted (as opposed to no TLS at all) */
} lg_http_request;

typedef struct lg_http lg_http;

/* Send req and read the final response's head.  A transport failure
 * (DNS, connection, TLS) is -1 with err; any HTTP status is 0. */
int lg_http_open(const lg_http_request *req, lg_http **out, lg_error *err);

long lg_http_status(const lg_http *h);
/* The first value of header name (case-insensitive), or NULL. */
const char *lg_http_header(const lg_http *h, const char *name);
/* The i-th value of header name, or NULL: for repeated headers
 * (WWW-Authenticate). */
const char *lg_http_header_n(const lg_http *h, const char *name, size_t i);
/* The URL of the final response (after redirects), without its query. */
const char *lg_http_where(const lg_http *h);
/* Content-Length, or -1 when not given. */
int64_t lg_http_length(const lg_http *h);

/* Read up to len bytes of the body: the count, 0 at its end, -1 with err
 * on a transfer error (the connection dropped, a body shorter than its
 * Content-Length). */
ssize_t lg_http_read(lg_http *h, void *buf, size_t len, lg_error *err);

/* Read the whole body, at most max bytes (more is an error); *data is
 * NUL-terminated and the caller's. */
int lg_http_read_all(lg_http *h, size_t max, char **data, size_t *len,
		     lg_error *err);

void lg_http_close(lg_http *h);

/* The origin (scheme://host:port) of two URLs is the same. */
bool lg_http_same_origin(const char *a, const char *b);

#endif
