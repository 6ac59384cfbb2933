/* input_registry.c - see input_registry.h.
 *
 * Protocol (distribution-spec, and Docker's token auth):
 *   GET /v2/               ping: 200, or 401 with WWW-Authenticate
 *   Bearer: GET realm?service=S&scope=repository:NAME:pull (Basic with the
 *           user's credentials when there are some, else anonymous), or with
 *           an identity token a POST of grant_type=refresh_token; the reply
 *           has "token" or "access_token" and "expires_in"
 *   GET /v2/NAME/manifests/REF with the Accept list below
 *   GET /v2/NAME/blobs/DIGEST  (redirects followed; Authorization dropped
 *           when the redirect leaves the registry's origin: http.c)
 *   GET /v2/NAME/tags/list?n=1000, then each Link: <...>; rel="next"
 * A manifest's raw bytes are hashed: a digest reference, and the registry's
 * Docker-Content-Digest, must match.  Blobs are checked by blob.c as they
 * stream.  A dropped blob transfer is resumed with Range from where it
 * stopped, but only on a 206 whose Content-Range starts there; a 200 is the
 * whole blob again, whose first bytes are skipped.  429: Retry-After is
 * waited (at most RETRY_AFTER_MAX seconds, MAX_429 times), then exit 2
 * naming Docker Hub's ratelimit-limit/-remaining headers.
 *
 * HTTPS always, but for a loopback host (localhost, 127.0.0.0/8, ::1) or
 * one named by --insecure-registry, where plain HTTP is tried when nothing
 * speaks TLS there (never when a certificate is merely untrusted); TLS is
 * verified but for --insecure-registry hosts and --tls-verify=false.
 * certs.d/HOST (containers and docker), or --cert-dir, adds CAs and a
 * client certificate.
 *
 * Threads: blobs are opened by the scan's workers at once; the token is
 * shared under a lock and renewed by whoever finds it expired or refused.
 */
#include "input_registry.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "blob.h"
#include "credentials.h"
#include "http.h"
#include "input_backend.h"
#include "oci.h"
#include "reference.h"
#include "util.h"

#define RETRY_AFTER_MAX 60
#define MAX_429 3
#define MAX_RESUMES 3
#define MAX_TAGS_PAGES 1000
#define MAX_TAGS_BYTES (8u << 20)

static const char *const ACCEPT[] = {
	"Accept: application/vnd.oci.image.index.v1+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.docker.distribution.manifest.v2+json",
	NULL,
};

typedef struct manifest {
	lg_digest digest;
	char *media_type;
	char *data;
	size_t len;
	bool fetched; /* data holds it; else only known as an index's child */
} manifest;

typedef struct registry {
	lg_input base;
	lg_remote_options opts; /* borrowed strings */
	char *domain;   /* as in the reference: docker.io, localhost:5000 */
	char *host;     /* what is dialled: registry-1.docker.io */
	char *base_url; /* https://host */
	char *repo;     /* library/alpine */
	char *cert_dir; /* certs.d/HOST, or NULL */
	bool insecure;  /* do not verify TLS */
	lg_creds creds;
	bool have_creds;
	pthread_mutex_t lock; /* guards the token */
	bool bearer;    /* else Basic, or none */
	char *realm, *service;
	char *authz;    /* the Authorization value, or NULL */
	time_t expires;
	manifest *manifests;
	size_t nmanifests, cap;
	char *layout, *index; /* the made-up files */
} registry;

/* ---- WWW-Authenticate (RFC 7235) ------------------------------------ */

static bool tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A token68 or token, or a quoted string, into out. */
static const char *param_value(const char *p, lg_buf *out)
{
	lg_buf_reset(out);
	lg_buf_append(out, "", 0);
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			lg_buf_putc(out, *p);
		}
		return *p ? p + 1 : p;
	}
	while (tchar(*p) || *p == '/' || *p == '=' || *p == ':')
		lg_buf_putc(out, *p++);
	return p;
}

void lg_challenge_parse(const char *h, lg_challenge *c)
{
	lg_buf v = LG_BUF_INIT;
	enum { NONE, BASIC, BEARER } cur = NONE;
	const char *p = h;
	while (*p) {
		p = skip_ws(p);
		if (!*p)
			break;
		if (*p == ',') {
			p++;
			continue;
		}
		const char *tok = p;
		while (tchar(*p))
			p++;
		size_t n = (size_t)(p - tok);
		if (n == 0) {
			p++; /* junk: step over it */
			continue;
		}
		const char *after = skip_ws(p);
		if (*after == '=' && after[1] != '=') {
			/* an auth-param of the current challenge */
			p = param_value(skip_ws(after + 1), &v);
			if (cur != BEARER)
				continue;
			char **slot = n == 5 && strncasecmp(tok, "realm", 5) == 0 ? &c->realm
				: n == 7 && strncasecmp(tok, "service", 7) == 0 ? &c->service
				: n == 5 && strncasecmp(tok, "scope", 5) == 0	 ? &c->scope
				: n == 5 && strncasecmp(tok, "error", 5) == 0	 ? &c->error
										 : NULL;
			if (slot) {
				free(*slot);
				*slot = lg_xstrdup(v.data);
			}
			continue;
		}
		/* a new challenge's scheme */
		cur = n == 5 && strncasecmp(tok, "Basic", 5) == 0    ? BASIC
		      : n == 6 && strncasecmp(tok, "Bearer", 6) == 0 ? BEARER
								     : NONE;
		c->basic |= cur == BASIC;
		c->bearer |= cur == BEARER;
	}
	lg_buf_free(&v);
}

void lg_challenge_clear(lg_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

/* ---- requests ------------------------------------------------------- */

static bool loopback(const char *host)
{
	const char *h = host;
	size_t n = strlen(h);
	const char *colon = h[0] == '[' ? strchr(h, ']') : strrchr(h, ':');
	if (colon && h[0] == '[')
		n = (size_t)(colon - h) + 1;
	else if (colon)
		n = (size_t)(colon - h);
	return (n == 9 && strncmp(h, "localhost", 9) == 0) || strncmp(h, "127.", 4) == 0 ||
	       (n == 5 && strncmp(h, "[::1]", 5) == 0);
}

static bool listed_insecure(const registry *r)
{
	for (size_t i = 0; i < r->opts.ninsecure; i++)
		if (strcmp(r->opts.insecure[i], r->domain) == 0 ||
		    strcmp(r->opts.insecure[i], r->host) == 0)
			return true;
	return false;
}

/* The token realm's host ("host:port"), or NULL when url is not one. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		out = port ? lg_xasprintf("%s:%s", host, port) : lg_xstrdup(host);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* A realm on a loopback host or one --insecure-registry names may be
 * plain HTTP and unverified TLS; any other is held to HTTPS. */
static bool realm_insecure(const registry *r, bool *plain_ok)
{
	char *host = url_host(r->realm);
	bool lax = host && loopback(host);
	for (size_t i = 0; host && i < r->opts.ninsecure; i++)
		lax |= strcmp(r->opts.insecure[i], host) == 0;
	free(host);
	*plain_ok = lax;
	return lax || r->opts.tls_verify_off;
}

static void base_request(registry *r, lg_http_request *q, const char *url)
{
	*q = (lg_http_request){
		.url = url,
		.follow = true,
		.insecure = r->insecure,
		.cert_dir = r->cert_dir,
	};
}

/* The registry's own words: {"errors":[{"code":..,"message":..}]}. */
static char *error_text(lg_http *h)
{
	char *body = NULL;
	size_t len;
	lg_error ignored = LG_ERROR_INIT;
	if (lg_http_read_all(h, 64 * 1024, &body, &len, &ignored) < 0) {
		lg_error_clear(&ignored);
		return NULL;
	}
	json_t *j = json_loadb(body, len, 0, NULL);
	free(body);
	json_t *e = json_array_get(json_object_get(j, "errors"), 0);
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	char *out = NULL;
	if (code || msg) {
		lg_buf b = LG_BUF_INIT;
		lg_buf_append_escaped(&b, code ? code : msg, strlen(code ? code : msg));
		if (code && msg) {
			lg_buf_append(&b, " (", 2);
			lg_buf_append_escaped(&b, msg, strnlen(msg, 200));
			lg_buf_append(&b, ")", 1);
		}
		out = lg_buf_steal(&b);
	}
	json_decref(j);
	return out;
}

static int http_error(registry *r, lg_http *h, const char *what, lg_error *err)
{
	long st = lg_http_status(h);
	char *text = error_text(h);
	if (st == 401 || st == 403)
		lg_err(err, "%s: %s: HTTP %ld: %s%s%s", r->domain, what, st,
		       r->have_creds ? "credentials refused" : "authentication required, "
							     "and no credentials found",
		       text ? ": " : "", text ? text : "");
	else
		lg_err(err, "%s: %s: HTTP %ld%s%s", r->domain, what, st, text ? ": " : "",
		       text ? text : "");
	free(text);
	return -1;
}

static char *base64(const char *s)
{
	size_t n = strlen(s);
	char *out = lg_xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

static char *escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *out = lg_xstrdup(e ? e : "");
	curl_free(e);
	return out;
}

/* A new Bearer token for pull on the repository (lock held). */
static int fetch_token(registry *r, lg_error *err)
{
	char *scope = lg_xasprintf("repository:%s:pull", r->repo);
	char *esc_scope = escape(scope), *esc_service = escape(r->service ? r->service : "");
	char *url = NULL, *body = NULL, *basic = NULL, *userpass = NULL;
	lg_http_request q;
	int rc = 0;
	if (r->have_creds && r->creds.identity_token) {
		char *esc_tok = escape(r->creds.secret);
		body = lg_xasprintf("grant_type=refresh_token&client_id=licgate&service=%s"
				    "&scope=%s&refresh_token=%s", esc_service, esc_scope, esc_tok);
		explicit_bzero(esc_tok, strlen(esc_tok));
		free(esc_tok);
		url = lg_xstrdup(r->realm);
	} else {
		url = lg_xasprintf("%s%sservice=%s&scope=%s", r->realm,
				   strchr(r->realm, '?') ? "&" : "?", esc_service, esc_scope);
	}
	base_request(r, &q, url);
	bool plain_ok;
	q.insecure = realm_insecure(r, &plain_ok);
	if (r->have_creds && !plain_ok && strncmp(r->realm, "https://", 8) != 0) {
		rc = lg_err(err, "%s: the token realm is not HTTPS: credentials not sent over plain "
			    "HTTP (--insecure-registry REALM-HOST allows it)", r->domain);
		goto out;
	}
	if (body) {
		q.body = body;
		q.content_type = "application/x-www-form-urlencoded";
	} else if (r->have_creds) {
		userpass = lg_xasprintf("%s:%s", r->creds.user, r->creds.secret);
		char *b = base64(userpass);
		basic = lg_xasprintf("Basic %s", b);
		explicit_bzero(b, strlen(b));
		free(b);
		q.authorization = basic;
	}
	lg_http *h = NULL;
	rc = lg_http_open(&q, &h, err);
	if (rc == 0 && lg_http_status(h) != 200)
		rc = http_error(r, h, "token", err);
	char *text = NULL;
	size_t len;
	if (rc == 0)
		rc = lg_http_read_all(h, 1u << 20, &text, &len, err);
	json_t *j = rc == 0 ? json_loadb(text, len, 0, NULL) : NULL;
	const char *tok = json_string_value(json_object_get(j, "token"));
	if (!tok || !*tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (rc == 0 && (!tok || !*tok))
		rc = lg_err(err, "%s: token: the reply has no token", r->domain);
	if (rc == 0) {
		json_int_t ttl = json_integer_value(json_object_get(j, "expires_in"));
		if (ttl < 60)
			ttl = 60; /* the spec's minimum */
		if (r->authz)
			explicit_bzero(r->authz, strlen(r->authz));
		free(r->authz);
		r->authz = lg_xasprintf("Bearer %s", tok);
		r->expires = time(NULL) + (time_t)ttl - 10;
	}
	if (text)
		explicit_bzero(text, len);
	json_decref(j);
	free(text);
	lg_http_close(h);
out:
	if (userpass)
		explicit_bzero(userpass, strlen(userpass));
	if (basic)
		explicit_bzero(basic, strlen(basic));
	if (body)
		explicit_bzero(body, strlen(body));
	free(userpass);
	free(basic);
	free(body);
	free(url);
	free(scope);
	free(esc_scope);
	free(esc_service);
	return rc;
}

/* The Authorization value to send now (a copy), renewing an expired token
 * or one the registry refused (stale: the value it refused). */
static int current_auth(registry *r, const char *stale, char **out, lg_error *err)
{
	int rc = 0;
	pthread_mutex_lock(&r->lock);
	if (r->bearer && (!r->authz || time(NULL) >= r->expires ||
			  (stale && strcmp(stale, r->authz) == 0)))
		rc = fetch_token(r, err);
	*out = rc == 0 && r->authz ? lg_xstrdup(r->authz) : NULL;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static void free_secret(char **s)
{
	if (*s)
		explicit_bzero(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

static const char *header_or(const lg_http *h, const char *name)
{
	const char *v = lg_http_header(h, name);
	return v ? v : "?";
}

/* Send q; on a 429, wait as Retry-After says (at most RETRY_AFTER_MAX
 * seconds, MAX_429 times), then give up naming the rate limit. */
static int open_limited(registry *r, const lg_http_request *q, lg_http **out,
			lg_error *err)
{
	for (int limited = 0;; limited++) {
		lg_http *h = NULL;
		if (lg_http_open(q, &h, err) < 0)
			return -1;
		if (lg_http_status(h) != 429) {
			*out = h;
			return 0;
		}
		const char *ra = lg_http_header(h, "Retry-After");
		long wait = ra ? strtol(ra, NULL, 10) : 1;
		if (limited < MAX_429 && wait >= 0 && wait <= RETRY_AFTER_MAX) {
			lg_http_close(h);
			sleep((unsigned)(wait ? wait : 1));
			continue;
		}
		lg_err(err, "%s: rate limited (HTTP 429; ratelimit-limit: %s, ratelimit-remaining: "
		       "%s, Retry-After: %s): try again later, or log in for a higher limit",
		       r->domain, header_or(h, "ratelimit-limit"), header_or(h, "ratelimit-remaining"),
		       header_or(h, "Retry-After"));
		lg_http_close(h);
		return -1;
	}
}

/* GET base_url + path (or an absolute URL), authenticated, with one renewed
 * token on a 401 and Retry-After honoured on a 429.  Any final status is
 * returned for the caller to judge. */
static int get(registry *r, const char *path, const char *const *headers,
	       uint64_t range_from, lg_http **out, lg_error *err)
{
	char *url = strncmp(path, "http", 4) == 0 ? lg_xstrdup(path)
						 : lg_xasprintf("%s%s", r->base_url, path);
	char *auth = NULL;
	int rc = current_auth(r, NULL, &auth, err);
	bool renewed = false;
	while (rc == 0) {
		lg_http_request q;
		base_request(r, &q, url);
		q.authorization = auth;
		q.headers = headers;
		q.range_from = range_from;
		lg_http *h = NULL;
		if ((rc = open_limited(r, &q, &h, err)) < 0)
			break;
		if (lg_http_status(h) == 401 && r->bearer && !renewed) {
			renewed = true;
			lg_http_close(h);
			char *stale = auth;
			auth = NULL;
			rc = current_auth(r, stale, &auth, err);
			free_secret(&stale);
			continue;
		}
		*out = h;
		break;
	}
	free_secret(&auth);
	free(url);
	return rc;
}

/* ---- the ping: where the registry is, and how it authenticates ------ */

static int ping_at(registry *r, const char *base, bool *untrusted, lg_http **out,
		   lg_error *err)
{
	char *url = lg_xasprintf("%s/v2/", base);
	lg_http_request q;
	base_request(r, &q, url);
	q.untrusted = untrusted;
	int rc = open_limited(r, &q, out, err);
	free(url);
	return rc;
}

static int ping(registry *r, lg_error *err)
{
	bool may_http = loopback(r->host) || listed_insecure(r);
	r->insecure = r->opts.tls_verify_off || listed_insecure(r);
	char *https = lg_xasprintf("https://%s", r->host);
	lg_http *h = NULL;
	bool untrusted = false;
	int rc = ping_at(r, https, &untrusted, &h, err);
	/* No HTTPS there: plain HTTP, where allowed.  An HTTPS server whose
	 * certificate is not trusted is an error, never a reason to drop
	 * TLS. */
	if (rc < 0 && may_http && !untrusted) {
		lg_error_clear(err);
		char *http = lg_xasprintf("http://%s", r->host);
		rc = ping_at(r, http, NULL, &h, err);
		if (rc == 0) {
			free(https);
			https = http;
		} else {
			free(http);
		}
	}
	if (rc < 0) {
		free(https);
		if (untrusted)
			return lg_err_prefix(err, "%s: certificate not trusted (add its CA to "
					     "/etc/containers/certs.d/%s/ or --cert-dir; or "
					     "--tls-verify=false)", r->domain, r->domain);
		return lg_err_prefix(err, "%s: registry unreachable", r->domain);
	}
	r->base_url = https;
	long st = lg_http_status(h);
	if (st == 200) {
		lg_http_close(h);
		return 0;
	}
	if (st != 401) {
		rc = http_error(r, h, "/v2/ (is this a registry?)", err);
		lg_http_close(h);
		return rc;
	}
	lg_challenge c = { 0 };
	for (size_t i = 0; lg_http_header_n(h, "WWW-Authenticate", i); i++)
		lg_challenge_parse(lg_http_header_n(h, "WWW-Authenticate", i), &c);
	lg_http_close(h);
	if (c.bearer && c.realm) {
		r->bearer = true;
		r->realm = steal_pointer(&c.realm);
		r->service = steal_pointer(&c.service);
		if (strncmp(r->realm, "https://", 8) != 0 && strncmp(r->realm, "http://", 7) != 0)
			rc = lg_err(err, "%s: token realm is not an http(s) URL", r->domain);
	} else if (c.basic) {
		if (!r->have_creds || r->creds.identity_token) {
			rc = lg_err(err, "%s: authentication required (Basic), and no credentials "
				    "found: docker login, --creds-file or --creds", r->domain);
		} else {
			char *userpass = lg_xasprintf("%s:%s", r->creds.user, r->creds.secret);
			char *b = base64(userpass);
			r->authz = lg_xasprintf("Basic %s", b);
			free_secret(&b);
			free_secret(&userpass);
		}
	} else {
		rc = lg_err(err, "%s: HTTP 401 without a Basic or Bearer challenge", r->domain);
	}
	lg_challenge_clear(&c);
	return rc;
}

/* ---- manifests ------------------------------------------------------ */

static manifest *find_manifest(registry *r, const char *digest)
{
	for (size_t i = 0; i < r->nmanifests; i++)
		if (strcmp(r->manifests[i].digest.str, digest) == 0)
			return &r->manifests[i];
	return NULL;
}

static manifest *add_manifest(registry *r, const lg_digest *d)
{
	manifest *m = find_manifest(r, d->str);
	if (m)
		return m;
	lg_xgrow((void **)&r->manifests, &r->cap, r->nmanifests + 1, sizeof(*m));
	m = &r->manifests[r->nmanifests++];
	memset(m, 0, sizeof(*m));
	m->digest = *d;
	return m;
}

static bool is_index_mt(const char *mt)
{
	return mt && (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

static bool is_manifest_mt(const char *mt)
{
	return mt && (strcmp(mt, "application/vnd.oci.image.manifest.v1+json") == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json") == 0);
}

/* The children of an index, to be fetched from /manifests/ when oci.c asks. */
static void note_children(registry *r, json_t *doc)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(doc, "manifests"), i, d) {
		const char *mt = json_string_value(json_object_get(d, "mediaType"));
		lg_digest dg;
		lg_error ignored = LG_ERROR_INIT;
		if ((is_index_mt(mt) || is_manifest_mt(mt)) &&
		    lg_digest_parse(json_string_value(json_object_get(d, "digest")), &dg, &ignored) == 0)
			add_manifest(r, &dg);
		lg_error_clear(&ignored);
	}
}

/* Fetch the manifest ref (a tag or a digest); a digest it must match is
 * want (NULL for a tag).  The manifest is recorded; *out points at it. */
static int fetch_manifest(registry *r, const char *ref, const lg_digest *want,
			  manifest **out, lg_error *err)
{
	char *path = lg_xasprintf("/v2/%s/manifests/%s", r->repo, ref);
	lg_http *h = NULL;
	int rc = get(r, path, ACCEPT, 0, &h, err);
	free(path);
	if (rc < 0)
		return lg_err_prefix(err, "manifest %s", ref);
	if (lg_http_status(h) != 200) {
		char *what = lg_xasprintf("manifest %s", ref);
		rc = http_error(r, h, what, err);
		free(what);
		lg_http_close(h);
		return rc;
	}
	char *ct = lg_xstrdup(lg_http_header(h, "Content-Type") ? lg_http_header(h, "Content-Type") : "");
	ct[strcspn(ct, "; ")] = '\0';
	char *header_digest = lg_http_header(h, "Docker-Content-Digest")
				      ? lg_xstrdup(lg_http_header(h, "Docker-Content-Digest")) : NULL;
	char *data = NULL;
	size_t len = 0;
	rc = lg_http_read_all(h, LG_MAX_MANIFEST_BYTES, &data, &len, err);
	lg_http_close(h);
	json_t *doc = NULL;
	lg_digest got;
	if (rc == 0) {
		lg_hasher *hs = lg_hasher_new(want ? want->alg : LG_SHA256);
		lg_hasher_update(hs, data, len);
		char hex[sizeof(got.str)];
		lg_hasher_final(hs, hex);
		lg_hasher_free(hs);
		lg_digest_parse(hex, &got, err);
		doc = json_loadb(data, len, 0, NULL);
		const char *own = json_string_value(json_object_get(doc, "mediaType"));
		json_int_t schema = json_integer_value(json_object_get(doc, "schemaVersion"));
		if (strstr(ct, "docker.distribution.manifest.v1") || schema == 1)
			rc = lg_err(err, "%s: %s: a Docker schema 1 manifest, which licgate does not "
				    "read (it has no digests to verify layers by): push the image "
				    "again with a current client", r->domain, ref);
		else if (want && strcmp(want->str, got.str) != 0)
			rc = lg_err(err, "%s: manifest %s: digest mismatch: content hashes to %s",
				    r->domain, want->str, got.str);
		else if (header_digest && strncmp(header_digest, "sha256:", 7) == 0 &&
			 got.alg == LG_SHA256 && strcmp(header_digest, got.str) != 0)
			rc = lg_err(err, "%s: manifest %s: Docker-Content-Digest %.80s, but the "
				    "content hashes to %s", r->domain, ref, header_digest, got.str);
		else if (!doc)
			rc = lg_err(err, "%s: manifest %s: not JSON", r->domain, ref);
		else if (!is_index_mt(own ? own : ct) && !is_manifest_mt(own ? own : ct))
			rc = lg_err(err, "%s: manifest %s: unsupported media type \"%.100s\"",
				    r->domain, ref, own ? own : ct);
		if (rc == 0) {
			manifest *m = add_manifest(r, &got);
			if (!m->fetched) {
				m->fetched = true;
				m->media_type = lg_xstrdup(own ? own : ct);
				m->data = steal_pointer(&data);
				m->len = len;
				if (is_index_mt(m->media_type))
					note_children(r, doc);
			}
			*out = m;
		}
	}
	json_decref(doc);
	free(data);
	free(ct);
	free(header_digest);
	return rc;
}

/* ---- --all-tags ----------------------------------------------------- */

/* Link: </v2/NAME/tags/list?n=..&last=..>; rel="next" */
static char *next_link(const lg_http *h)
{
	const char *l = lg_http_header(h, "Link");
	if (!l || !strstr(l, "rel=\"next\"") || *l != '<')
		return NULL;
	const char *end = strchr(l, '>');
	return end ? lg_xstrndup(l + 1, (size_t)(end - l - 1)) : NULL;
}

static int list_tags(registry *r, json_t *tags, lg_error *err)
{
	char *path = lg_xasprintf("/v2/%s/tags/list?n=1000", r->repo);
	int rc = 0;
	for (int page = 0; path && rc == 0; page++) {
		if (page == MAX_TAGS_PAGES) {
			rc = lg_err(err, "%s: more than %d pages of tags", r->domain, MAX_TAGS_PAGES);
			break;
		}
		lg_http *h = NULL;
		if ((rc = get(r, path, NULL, 0, &h, err)) < 0)
			break;
		free(path);
		path = NULL;
		if (lg_http_status(h) != 200) {
			rc = http_error(r, h, "tags/list", err);
			lg_http_close(h);
			break;
		}
		char *next = next_link(h);
		/* The link is relative to the registry; an absolute one must
		 * stay on it. */
		if (next && next[0] != '/' && !lg_http_same_origin(next, r->base_url)) {
			free(next);
			next = NULL;
		}
		char *text = NULL;
		size_t len;
		rc = lg_http_read_all(h, MAX_TAGS_BYTES, &text, &len, err);
		lg_http_close(h);
		json_t *j = rc == 0 ? json_loadb(text, len, 0, NULL) : NULL;
		json_t *page_tags = json_object_get(j, "tags");
		if (rc == 0 && !json_is_array(page_tags) && !json_is_null(page_tags))
			rc = lg_err(err, "%s: tags/list: no \"tags\" array", r->domain);
		size_t i;
		json_t *t;
		json_array_foreach(page_tags, i, t)
			if (json_is_string(t))
				json_array_append(tags, t);
		json_decref(j);
		free(text);
		path = next;
	}
	free(path);
	return rc;
}

/* ---- the made-up layout --------------------------------------------- */

static void add_descriptor(json_t *list, const manifest *m, const char *name)
{
	size_t i;
	json_t *d;
	json_array_foreach(list, i, d) {
		if (strcmp(json_string_value(json_object_get(d, "digest")), m->digest.str) == 0) {
			/* two tags, one manifest: one image, both names */
			json_t *ann = json_object_get(d, "annotations");
			const char *was = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
			char *both = lg_xasprintf("%s, %s", was, name);
			json_object_set_new(ann, "org.opencontainers.image.ref.name", json_string(both));
			free(both);
			return;
		}
	}
	json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:{s:s}}", "mediaType", m->media_type,
					      "digest", m->digest.str, "size", (json_int_t)m->len,
					      "annotations", "org.opencontainers.image.ref.name", name));
}

static int compile_pattern(const char *re, pcre2_code **out, lg_error *err)
{
	int code;
	PCRE2_SIZE off;
	*out = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &off, NULL);
	if (!*out) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		return lg_err(err, "--tag-pattern: at offset %zu: %s", (size_t)off, (char *)msg);
	}
	return 0;
}

static bool tag_selected(pcre2_code *re, const char *tag)
{
	if (!re)
		return true;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)tag, strlen(tag), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

static int build_index(registry *r, const lg_reference *ref, lg_error *err)
{
	json_t *list = json_array();
	int rc = 0;
	if (r->opts.all_tags) {
		json_t *tags = json_array();
		pcre2_code *re = NULL;
		if (r->opts.tag_pattern)
			rc = compile_pattern(r->opts.tag_pattern, &re, err);
		if (rc == 0)
			rc = list_tags(r, tags, err);
		size_t i, n = 0;
		json_t *t;
		json_array_foreach(tags, i, t) {
			const char *tag = json_string_value(t);
			if (rc < 0 || !tag_selected(re, tag))
				continue;
			manifest *m;
			char *name = lg_xasprintf("%s:%s", ref->name, tag);
			if (r->opts.verbose)
				fprintf(stderr, "licgate: %s\n", name);
			rc = fetch_manifest(r, tag, NULL, &m, err);
			if (rc == 0)
				add_descriptor(list, m, name);
			free(name);
			n++;
		}
		if (rc == 0 && n == 0)
			rc = lg_err(err, "%s: no tag%s", ref->name,
				    r->opts.tag_pattern ? " matches --tag-pattern" : "s");
		pcre2_code_free(re);
		json_decref(tags);
	} else {
		manifest *m;
		lg_digest want;
		if (ref->digest && lg_digest_parse(ref->digest, &want, err) < 0)
			rc = -1;
		else
			rc = fetch_manifest(r, ref->digest ? ref->digest : ref->tag,
					    ref->digest ? &want : NULL, &m, err);
		if (rc == 0)
			add_descriptor(list, m, ref->str);
	}
	if (rc == 0) {
		json_t *idx = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType",
					"application/vnd.oci.image.index.v1+json", "manifests", list);
		r->index = json_dumps(idx, JSON_COMPACT);
		json_decref(idx);
	} else {
		json_decref(list);
	}
	return rc;
}

/* ---- streams -------------------------------------------------------- */

typedef struct mem_stream {
	lg_stream base;
	const char *data;
	size_t len, off;
} mem_stream;

static ssize_t mem_read(lg_stream *s, void *buf, size_t len)
{
	mem_stream *m = (mem_stream *)s;
	size_t n = m->len - m->off < len ? m->len - m->off : len;
	memcpy(buf, m->data + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static void mem_close(lg_stream *s)
{
	free(s);
}

static lg_stream *mem_stream_new(const char *data, size_t len)
{
	mem_stream *m = lg_xcalloc(1, sizeof(*m));
	m->base.read = mem_read;
	m->base.close = mem_close;
	m->data = data;
	m->len = len;
	return &m->base;
}

typedef struct blob_stream {
	lg_stream base;
	registry *r;
	char *path;     /* /v2/NAME/blobs/DIGEST */
	lg_http *h;
	uint64_t offset; /* bytes handed out */
	int resumes;
	lg_error err;
} blob_stream;

static int open_blob_http(registry *r, const char *path, uint64_t from, lg_http **out,
			  lg_error *err)
{
	lg_http *h = NULL;
	if (get(r, path, NULL, from, &h, err) < 0)
		return -1;
	long st = lg_http_status(h);
	if (st == 200 || (from && st == 206)) {
		*out = h;
		return 0;
	}
	int rc = st == 404 ? lg_err(err, "%s: blob unknown to the registry", r->domain)
			   : http_error(r, h, "blob", err);
	lg_http_close(h);
	return rc;
}

/* Reopen after a dropped transfer: a 206 from offset goes on; a 200 is the
 * whole blob again, whose first offset bytes were already handed out. */
static int resume(blob_stream *b)
{
	lg_http_close(b->h);
	b->h = NULL;
	if (open_blob_http(b->r, b->path, b->offset, &b->h, &b->err) < 0)
		return -1;
	if (lg_http_status(b->h) == 206) {
		const char *cr = lg_http_header(b->h, "Content-Range");
		char want[48];
		int n = snprintf(want, sizeof(want), "bytes %llu-", (unsigned long long)b->offset);
		if (cr && strncmp(cr, want, (size_t)n) == 0)
			return 0;
		/* A 206 from elsewhere: start again from the first byte. */
		lg_http_close(b->h);
		b->h = NULL;
		if (open_blob_http(b->r, b->path, 0, &b->h, &b->err) < 0)
			return -1;
	}
	char skip[65536];
	for (uint64_t left = b->offset; left;) {
		ssize_t n = lg_http_read(b->h, skip, left < sizeof(skip) ? (size_t)left : sizeof(skip),
					 &b->err);
		if (n <= 0)
			return n < 0 ? -1 : lg_err(&b->err, "blob shorter on the second try");
		left -= (uint64_t)n;
	}
	return 0;
}

static ssize_t blob_read(lg_stream *s, void *buf, size_t len)
{
	blob_stream *b = (blob_stream *)s;
	for (;;) {
		if (!b->h) {
			errno = EIO;
			return -1;
		}
		ssize_t n = lg_http_read(b->h, buf, len, &b->err);
		if (n >= 0) {
			b->offset += (uint64_t)n;
			return n;
		}
		if (b->resumes++ >= MAX_RESUMES || resume(b) < 0) {
			lg_http_close(b->h);
			b->h = NULL;
			errno = EIO;
			return -1;
		}
		lg_error_clear(&b->err);
	}
}

static const char *blob_error(lg_stream *s)
{
	return ((blob_stream *)s)->err.msg;
}

static void blob_close(lg_stream *s)
{
	blob_stream *b = (blob_stream *)s;
	lg_http_close(b->h);
	lg_error_clear(&b->err);
	free(b->path);
	free(b);
}

/* ---- the backend ---------------------------------------------------- */

static int registry_open_file(lg_input *in, const char *name, lg_stream **out,
			      uint64_t *size, bool *missing, lg_error *err)
{
	registry *r = (registry *)in;
	if (strcmp(name, "oci-layout") == 0 || strcmp(name, "index.json") == 0) {
		const char *text = name[0] == 'o' ? r->layout : r->index;
		*size = strlen(text);
		*out = mem_stream_new(text, *size);
		return 0;
	}
	lg_digest d;
	lg_error ignored = LG_ERROR_INIT;
	char *digest = strncmp(name, "blobs/", 6) == 0 ? lg_xstrdup(name + 6) : NULL;
	char *slash = digest ? strchr(digest, '/') : NULL;
	if (slash)
		*slash = ':';
	int ok = slash ? lg_digest_parse(digest, &d, &ignored) : -1;
	lg_error_clear(&ignored);
	free(digest);
	if (ok < 0) {
		*missing = true;
		return lg_err(err, "%s: not in a registry", name);
	}
	manifest *m = find_manifest(r, d.str);
	if (m && !m->fetched && fetch_manifest(r, d.str, &d, &m, err) < 0)
		return -1;
	if (m) {
		*size = m->len;
		*out = mem_stream_new(m->data, m->len);
		return 0;
	}
	blob_stream *b = lg_xcalloc(1, sizeof(*b));
	b->base.read = blob_read;
	b->base.close = blob_close;
	b->base.error = blob_error;
	b->r = r;
	b->path = lg_xasprintf("/v2/%s/blobs/%s", r->repo, d.str);
	if (r->opts.verbose)
		fprintf(stderr, "licgate: %s: pull %s\n", r->domain, d.str);
	if (open_blob_http(r, b->path, 0, &b->h, err) < 0) {
		blob_close(&b->base);
		return -1;
	}
	int64_t len = lg_http_length(b->h);
	*size = len > 0 ? (uint64_t)len : 0;
	*out = &b->base;
	return 0;
}

static void registry_free(lg_input *in)
{
	registry *r = (registry *)in;
	for (size_t i = 0; i < r->nmanifests; i++) {
		free(r->manifests[i].media_type);
		free(r->manifests[i].data);
	}
	free(r->manifests);
	lg_creds_clear(&r->creds);
	free_secret(&r->authz);
	pthread_mutex_destroy(&r->lock);
	free(r->domain);
	free(r->host);
	free(r->base_url);
	free(r->repo);
	free(r->cert_dir);
	free(r->realm);
	free(r->service);
	free(r->layout);
	free(r->index);
	free(r);
}

/* A registry is read as an OCI layout: index.json is made up. */
static unsigned registry_root(lg_input *in)
{
	(void)in;
	return LG_ROOT_OCI_LAYOUT;
}

static const lg_input_ops REGISTRY_OPS = {
	.open = registry_open_file,
	.free = registry_free,
	.root = registry_root,
};

static char *find_cert_dir(const char *host)
{
	static const char *const roots[] = { "/etc/containers/certs.d", "/etc/docker/certs.d" };
	for (size_t i = 0; i < LG_ARRAY_LEN(roots); i++) {
		char *dir = lg_xasprintf("%s/%s", roots[i], host);
		if (access(dir, R_OK | X_OK) == 0)
			return dir;
		free(dir);
	}
	return NULL;
}

int lg_input_registry_open(const char *arg, const lg_reference *ref,
			   const lg_remote_options *opts, lg_input **out, lg_error *err)
{
	registry *r = lg_xcalloc(1, sizeof(*r));
	r->base.ops = &REGISTRY_OPS;
	r->base.path = lg_xstrdup(arg);
	r->base.form = "registry";
	r->base.by_digest = true;
	r->opts = *opts;
	pthread_mutex_init(&r->lock, NULL);
	r->domain = lg_xstrdup(ref->domain);
	r->host = lg_xstrdup(strcmp(ref->domain, "docker.io") == 0 ? "registry-1.docker.io"
								   : ref->domain);
	r->repo = lg_xstrdup(ref->path);
	r->cert_dir = opts->cert_dir ? lg_xstrdup(opts->cert_dir) : find_cert_dir(r->domain);
	r->layout = lg_xstrdup("{\"imageLayoutVersion\":\"1.0.0\"}");
	int rc = 0;
	/* "docker://repo" parses as repo:latest: a tag written out, or a
	 * digest, makes no sense with --all-tags. */
	const char *tail = strrchr(arg, '/');
	if (opts->all_tags && (ref->digest || strchr(tail ? tail : arg, ':')))
		rc = lg_err(err, "%s: --all-tags wants a repository, without a tag or digest", arg);
	int found = rc == 0 ? lg_creds_lookup(r->domain, opts, &r->creds, err) : -1;
	if (found < 0)
		rc = -1;
	r->have_creds = found == 1;
	if (rc == 0 && r->have_creds && opts->verbose)
		fprintf(stderr, "licgate: %s: credentials from %s\n", r->domain, r->creds.source);
	if (rc == 0)
		rc = ping(r, err);
	if (rc == 0)
		rc = build_index(r, ref, err);
	if (rc < 0) {
		free(r->base.path);
		registry_free(&r->base);
		return -1;
	}
	*out = &r->base;
	return 0;
}
