/* input_daemon.c - an image in the local Docker or Podman engine, as an
 * lg_input: `docker save` over the engine's API.
 *
 * The engine: DOCKER_HOST (unix://PATH; tcp://HOST:PORT, with TLS when
 * DOCKER_TLS_VERIFY is set, the client certificate and CA from
 * DOCKER_CERT_PATH or ~/.docker, as the docker CLI does), else the first
 * socket that exists of /var/run/docker.sock, $XDG_RUNTIME_DIR/docker.sock,
 * /run/podman/podman.sock, $XDG_RUNTIME_DIR/podman/podman.sock.
 *
 * GET /_ping gives the API version (its Api-Version header); then GET
 * /vX/images/NAME/get is the tar `docker save` writes (Docker 25+: an OCI
 * layout plus manifest.json; older Docker and Podman: manifest.json and
 * <id>/layer.tar), read once as a stream into the anonymous spool that
 * input_archive.c indexes (a save's members are not in an order that
 * allows walking it in one pass: its manifest.json comes last).  A stream
 * that ends early (the transfer failed) or that ends with the engine's
 * JSON error (it writes one after the 200 when the save fails midway) is
 * an error, exit 2.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "http.h"
#include "input_backend.h"
#include "reference.h"
#include "util.h"

#define TAIL 4096

typedef struct engine {
	char *socket;    /* unix socket, or NULL */
	char *base;      /* http://localhost or https://HOST:PORT */
	char *cert, *key, *ca;
	bool tls;
} engine;

static void engine_clear(engine *e)
{
	free(e->socket);
	free(e->base);
	free(e->cert);
	free(e->key);
	free(e->ca);
}

static bool is_socket(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int find_engine(engine *e, lg_error *err)
{
	const char *host = getenv("DOCKER_HOST");
	if (host && *host) {
		if (strncmp(host, "unix://", 7) == 0) {
			e->socket = lg_xstrdup(host + 7);
			e->base = lg_xstrdup("http://localhost");
			return 0;
		}
		if (strncmp(host, "tcp://", 6) == 0) {
			const char *verify = getenv("DOCKER_TLS_VERIFY");
			e->tls = verify && *verify;
			e->base = lg_xasprintf("%s://%s", e->tls ? "https" : "http", host + 6);
			if (e->tls) {
				const char *dir = getenv("DOCKER_CERT_PATH");
				const char *home = getenv("HOME");
				char *d = dir && *dir ? lg_xstrdup(dir)
						      : lg_xasprintf("%s/.docker", home ? home : "");
				e->ca = lg_xasprintf("%s/ca.pem", d);
				e->cert = lg_xasprintf("%s/cert.pem", d);
				e->key = lg_xasprintf("%s/key.pem", d);
				free(d);
			}
			return 0;
		}
		return lg_err(err, "DOCKER_HOST=%.100s: want unix://PATH or tcp://HOST:PORT", host);
	}
	const char *run = getenv("XDG_RUNTIME_DIR");
	char *cands[4] = {
		lg_xstrdup("/var/run/docker.sock"),
		run && *run ? lg_xasprintf("%s/docker.sock", run) : NULL,
		lg_xstrdup("/run/podman/podman.sock"),
		run && *run ? lg_xasprintf("%s/podman/podman.sock", run) : NULL,
	};
	for (size_t i = 0; i < 4; i++) {
		if (!e->socket && cands[i] && is_socket(cands[i]))
			e->socket = steal_pointer(&cands[i]);
		free(cands[i]);
	}
	if (!e->socket)
		return lg_err(err, "no Docker or Podman engine found: set DOCKER_HOST, or start "
			      "one (/var/run/docker.sock, $XDG_RUNTIME_DIR/podman/podman.sock, ...)");
	e->base = lg_xstrdup("http://localhost");
	return 0;
}

static int engine_get(const engine *e, const char *path, lg_http **out, lg_error *err)
{
	char *url = lg_xasprintf("%s%s", e->base, path);
	lg_http_request q = {
		.url = url,
		.unix_socket = e->socket,
		.client_cert = e->cert,
		.client_key = e->key,
		.ca_file = e->ca,
	};
	int rc = lg_http_open(&q, out, err);
	free(url);
	return rc;
}

static const char *where(const engine *e)
{
	return e->socket ? e->socket : e->base;
}

/* The engine's {"message": ...} of a refused request. */
static int engine_error(const engine *e, lg_http *h, const char *what, lg_error *err)
{
	char *body = NULL;
	size_t len = 0;
	lg_error ignored = LG_ERROR_INIT;
	lg_http_read_all(h, 64 * 1024, &body, &len, &ignored);
	lg_error_clear(&ignored);
	json_t *j = body ? json_loadb(body, len, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(j, "message"));
	lg_buf b = LG_BUF_INIT;
	if (msg)
		lg_buf_append_escaped(&b, msg, strnlen(msg, 300));
	lg_err(err, "%s: %s: HTTP %ld%s%s", where(e), what, lg_http_status(h), msg ? ": " : "",
	       msg ? b.data : "");
	lg_buf_free(&b);
	json_decref(j);
	free(body);
	return -1;
}

/* The engine's error written after the 200, at the end of the stream:
 * {"errorDetail":{"message":...},"error":...}. */
static int trailing_error(const engine *e, const char *tail, size_t len, lg_error *err)
{
	const char *start = NULL;
	for (size_t i = 0; i + 14 <= len; i++)
		if (memcmp(tail + i, "{\"errorDetail\"", 14) == 0)
			start = tail + i;
	if (!start || (tail[len - 1] != '}' && tail[len - 1] != '\n'))
		return 0;
	json_t *j = json_loadb(start, len - (size_t)(start - tail), JSON_DISABLE_EOF_CHECK, NULL);
	const char *msg = json_string_value(json_object_get(j, "error"));
	lg_buf b = LG_BUF_INIT;
	lg_buf_append_escaped(&b, msg ? msg : "?", strnlen(msg ? msg : "?", 300));
	lg_err(err, "%s: the engine failed while saving the image: %s", where(e), b.data);
	lg_buf_free(&b);
	json_decref(j);
	return -1;
}

/* Stream the save into fd, keeping its last TAIL bytes. */
static int save_into(const engine *e, lg_http *h, int fd, lg_error *err)
{
	char *buf = lg_xmalloc(256 * 1024);
	char tail[TAIL];
	size_t tlen = 0;
	uint64_t total = 0;
	ssize_t n;
	int rc = 0;
	while ((n = lg_http_read(h, buf, 256 * 1024, err)) > 0) {
		if (lg_write_all(fd, buf, (size_t)n) < 0) {
			rc = lg_err_errno(err, errno, "writing the temporary copy");
			break;
		}
		total += (uint64_t)n;
		if ((size_t)n >= TAIL) {
			memcpy(tail, buf + n - TAIL, TAIL);
			tlen = TAIL;
		} else {
			size_t keep = tlen + (size_t)n > TAIL ? TAIL - (size_t)n : tlen;
			memmove(tail, tail + tlen - keep, keep);
			memcpy(tail + keep, buf, (size_t)n);
			tlen = keep + (size_t)n;
		}
	}
	free(buf);
	if (n < 0)
		return lg_err_prefix(err, "%s: the image stream was cut short (%llu bytes)",
				     where(e), (unsigned long long)total);
	if (rc == 0 && total == 0)
		rc = lg_err(err, "%s: the engine sent an empty image", where(e));
	if (rc == 0)
		rc = trailing_error(e, tail, tlen, err);
	return rc;
}

int lg_input_daemon_open(const char *arg, const lg_reference *ref,
			 const lg_remote_options *opts, lg_input **out, lg_error *err)
{
	(void)opts;
	engine e = { 0 };
	lg_http *h = NULL;
	int fd = -1;
	if (find_engine(&e, err) < 0)
		return -1;
	int rc = engine_get(&e, "/_ping", &h, err);
	char *version = NULL;
	if (rc == 0 && lg_http_status(h) != 200)
		rc = engine_error(&e, h, "/_ping", err);
	if (rc == 0) {
		const char *v = lg_http_header(h, "Api-Version");
		version = lg_xstrdup(v && strspn(v, "0123456789.") == strlen(v) && *v ? v : "1.40");
	}
	lg_http_close(h);
	h = NULL;
	if (rc == 0) {
		/* The engine knows images by their full names, and by ID. */
		char *name = curl_easy_escape(NULL, ref->str, 0);
		char *path = lg_xasprintf("/v%s/images/%s/get", version, name ? name : "");
		curl_free(name);
		rc = engine_get(&e, path, &h, err);
		free(path);
	}
	if (rc == 0 && lg_http_status(h) != 200)
		rc = engine_error(&e, h, ref->str, err);
	if (rc == 0 && (fd = lg_input_temp_file(err)) < 0)
		rc = -1;
	if (rc == 0)
		rc = save_into(&e, h, fd, err);
	lg_http_close(h);
	free(version);
	if (rc == 0) {
		rc = lg_input_archive_open(arg, fd, "daemon", out, err);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	engine_clear(&e);
	return rc;
}
