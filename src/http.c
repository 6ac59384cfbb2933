/* http.c - see http.h */
#include "http.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "util.h"

#define MAX_REDIRECTS 10
#define MAX_HEADER_BYTES (256 * 1024)

struct lg_http {
	CURLM *multi;
	CURL *easy;
	struct curl_slist *hdrs;
	char *where;          /* the URL without its query */
	const char *cert_dir; /* borrowed from the request, for the TLS setup */
	lg_buf head;          /* the final response's header lines, each NUL-ended */
	long status;          /* of the latest status line */
	bool head_done;       /* the final response's head is in */
	bool done;            /* the transfer ended */
	bool paused;
	bool too_big;         /* headers over MAX_HEADER_BYTES */
	CURLcode result;      /* once done */
	char *buf;            /* body bytes not yet read: [off, len) */
	size_t off, len, cap;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* One cache of TLS sessions and DNS answers for every request of the
 * process, whichever thread makes it: the layers of an image come from one
 * registry, and a resumed TLS session saves most of a handshake.  (Not the
 * connection cache: libcurl does not support sharing it between threads.) */
static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *e, curl_lock_data data, curl_lock_access access, void *ud)
{
	(void)e, (void)access, (void)ud;
	pthread_mutex_lock(&share_locks[data]);
}

static void share_unlock(CURL *e, curl_lock_data data, void *ud)
{
	(void)e, (void)ud;
	pthread_mutex_unlock(&share_locks[data]);
}

static void global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fputs("licgate: libcurl: cannot initialise\n", stderr);
		exit(2);
	}
	for (size_t i = 0; i < LG_ARRAY_LEN(share_locks); i++)
		pthread_mutex_init(&share_locks[i], NULL);
	share = curl_share_init();
	if (share) {
		curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
		curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
		curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	}
}

/* "scheme://host:port/path?query" -> without "?query". */
static char *strip_query(const char *url)
{
	return lg_xstrndup(url, strcspn(url, "?#"));
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	lg_http *h = ud;
	size_t len = size * n;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		lg_buf_reset(&h->head);
		const char *sp = memchr(data, ' ', len);
		h->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if ((len == 2 && data[0] == '\r') || (len == 1 && data[0] == '\n')) {
		if (h->status >= 200)
			h->head_done = true;
		return len;
	}
	if (h->head.len + len > MAX_HEADER_BYTES) {
		h->too_big = true;
		return 0;
	}
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	lg_buf_append(&h->head, data, len);
	lg_buf_putc(&h->head, '\0');
	return size * n;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	lg_http *h = ud;
	size_t len = size * n;
	size_t held = h->len - h->off;
	if (held && held + len > LG_HTTP_BUFFER) {
		h->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (h->off) {
		memmove(h->buf, h->buf + h->off, held);
		h->off = 0;
		h->len = held;
	}
	lg_xgrow((void **)&h->buf, &h->cap, h->len + len, 1);
	memcpy(h->buf + h->len, data, len);
	h->len += len;
	return len;
}

/* certs.d: every *.crt is trusted besides the system's CAs (as docker and
 * containers/image do). */
static CURLcode on_ssl_ctx(CURL *easy, void *ssl_ctx, void *ud)
{
	(void)easy;
	const char *dir = ud;
	DIR *d = opendir(dir);
	if (!d)
		return CURLE_OK;
	X509_STORE *store = SSL_CTX_get_cert_store(ssl_ctx);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".crt") == 0) {
			char *path = lg_xasprintf("%s/%s", dir, e->d_name);
			X509_STORE_load_file(store, path);
			free(path);
		}
	}
	closedir(d);
	return CURLE_OK;
}

/* certs.d: NAME.cert with NAME.key is the client's certificate. */
static void client_cert_from_dir(CURL *easy, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n <= 5 || strcmp(e->d_name + n - 5, ".cert") != 0)
			continue;
		char *cert = lg_xasprintf("%s/%s", dir, e->d_name);
		char *key = lg_xasprintf("%s/%.*s.key", dir, (int)(n - 5), e->d_name);
		if (access(key, R_OK) == 0) {
			curl_easy_setopt(easy, CURLOPT_SSLCERT, cert);
			curl_easy_setopt(easy, CURLOPT_SSLKEY, key);
		}
		free(cert);
		free(key);
		break;
	}
	closedir(d);
}

static void close_transfer(lg_http *h)
{
	if (h->easy) {
		curl_multi_remove_handle(h->multi, h->easy);
		curl_easy_cleanup(h->easy);
		h->easy = NULL;
	}
	curl_slist_free_all(h->hdrs);
	h->hdrs = NULL;
}

static void start(lg_http *h, const lg_http_request *req, const char *url,
		  bool with_auth)
{
	CURL *e = curl_easy_init();
	if (!e) {
		fputs("licgate: libcurl: out of memory\n", stderr);
		exit(2);
	}
	h->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "licgate/" LICGATE_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A server that stops sending: under 1 byte/s for two minutes (a
	 * transfer paused while the scan catches up does not count). */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 120L);
	if (share)
		curl_easy_setopt(e, CURLOPT_SHARE, share);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	/* Keep what we send and receive our own: no cookies, no netrc. */
	curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	if (req->unix_socket) {
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, req->unix_socket);
		curl_easy_setopt(e, CURLOPT_PROXY, "");
	}
	if (req->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->cert_dir) {
		h->cert_dir = req->cert_dir;
		curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
		curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, (void *)req->cert_dir);
		client_cert_from_dir(e, req->cert_dir);
	}
	if (req->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
	if (req->client_cert && req->client_key) {
		curl_easy_setopt(e, CURLOPT_SSLCERT, req->client_cert);
		curl_easy_setopt(e, CURLOPT_SSLKEY, req->client_key);
	}
	if (with_auth && req->authorization) {
		char *line = lg_xasprintf("Authorization: %s", req->authorization);
		h->hdrs = curl_slist_append(h->hdrs, line);
		explicit_bzero(line, strlen(line));
		free(line);
	}
	for (size_t i = 0; req->headers && req->headers[i]; i++)
		h->hdrs = curl_slist_append(h->hdrs, req->headers[i]);
	if (req->range_from) {
		char range[64];
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)req->range_from);
		curl_easy_setopt(e, CURLOPT_RANGE, range);
	}
	if (req->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
		if (req->content_type) {
			char *line = lg_xasprintf("Content-Type: %s", req->content_type);
			h->hdrs = curl_slist_append(h->hdrs, line);
			free(line);
		}
	} else if (req->method && strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
		if (strcmp(req->method, "HEAD") == 0)
			curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->hdrs);
	lg_buf_reset(&h->head);
	h->status = 0;
	h->head_done = h->done = h->paused = h->too_big = false;
	h->off = h->len = 0;
	h->errbuf[0] = '\0';
	free(h->where);
	h->where = strip_query(url);
	curl_multi_add_handle(h->multi, e);
}

/* Drive the transfer one step: perform, then wait for the socket. */
static void pump(lg_http *h)
{
	int running = 0;
	if (h->paused && h->len - h->off < LG_HTTP_BUFFER / 2) {
		h->paused = false;
		curl_easy_pause(h->easy, CURLPAUSE_CONT);
	}
	curl_multi_perform(h->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg == CURLMSG_DONE) {
			h->done = true;
			h->result = m->data.result;
		}
	}
	if (!h->done && running && !(h->paused && h->len > h->off))
		curl_multi_poll(h->multi, NULL, 0, 1000, NULL);
}

static int transfer_error(lg_http *h, lg_error *err)
{
	if (h->too_big)
		return lg_err(err, "%s: response headers larger than %d bytes", h->where,
			      MAX_HEADER_BYTES);
	return lg_err(err, "%s: %s", h->where,
		      h->errbuf[0] ? h->errbuf : curl_easy_strerror(h->result));
}

static int wait_head(lg_http *h, lg_error *err)
{
	while (!h->head_done && !h->done)
		pump(h);
	/* A body cut short after its head is the reader's error, not ours. */
	if (h->done && h->result != CURLE_OK && !h->head_done)
		return transfer_error(h, err);
	if (!h->head_done)
		return lg_err(err, "%s: no response", h->where);
	return 0;
}

static bool is_redirect(long s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

int lg_http_open(const lg_http_request *req, lg_http **out, lg_error *err)
{
	pthread_once(&init_once, global_init);
	lg_http *h = lg_xcalloc(1, sizeof(*h));
	h->multi = curl_multi_init();
	char *url = lg_xstrdup(req->url);
	bool with_auth = true;
	for (int hops = 0;; hops++) {
		start(h, req, url, with_auth);
		if (wait_head(h, err) < 0) {
			if (req->untrusted)
				*req->untrusted = h->result == CURLE_PEER_FAILED_VERIFICATION;
			goto fail;
		}
		if (!req->follow || !is_redirect(h->status))
			break;
		char *next = NULL;
		curl_easy_getinfo(h->easy, CURLINFO_REDIRECT_URL, &next);
		if (!next) {
			lg_err(err, "%s: HTTP %ld without a Location", h->where, h->status);
			goto fail;
		}
		if (hops == MAX_REDIRECTS) {
			lg_err(err, "%s: more than %d redirects", h->where, MAX_REDIRECTS);
			goto fail;
		}
		if (strncmp(next, "https://", 8) != 0 && strncmp(next, "http://", 7) != 0) {
			lg_err(err, "%s: redirect to a URL that is not http(s)", h->where);
			goto fail;
		}
		/* Credentials are for the origin that asked for them. */
		if (!lg_http_same_origin(url, next))
			with_auth = false;
		char *copy = lg_xstrdup(next);
		close_transfer(h);
		free(url);
		url = copy;
	}
	free(url);
	*out = h;
	return 0;
fail:
	free(url);
	lg_http_close(h);
	return -1;
}

long lg_http_status(const lg_http *h)
{
	return h->status;
}

const char *lg_http_header_n(const lg_http *h, const char *name, size_t i)
{
	size_t n = strlen(name);
	const char *end = h->head.data + h->head.len;
	for (const char *p = h->head.data; p && p < end; p += strlen(p) + 1) {
		if (strncasecmp(p, name, n) != 0 || p[n] != ':' || i-- != 0)
			continue;
		const char *v = p + n + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		return v;
	}
	return NULL;
}

const char *lg_http_header(const lg_http *h, const char *name)
{
	return lg_http_header_n(h, name, 0);
}

const char *lg_http_where(const lg_http *h)
{
	return h->where;
}

int64_t lg_http_length(const lg_http *h)
{
	curl_off_t n = -1;
	curl_easy_getinfo(h->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &n);
	return (int64_t)n;
}

ssize_t lg_http_read(lg_http *h, void *buf, size_t len, lg_error *err)
{
	while (h->off == h->len && !h->done)
		pump(h);
	if (h->off < h->len) {
		size_t n = h->len - h->off;
		if (n > len)
			n = len;
		memcpy(buf, h->buf + h->off, n);
		h->off += n;
		return (ssize_t)n;
	}
	if (h->result != CURLE_OK)
		return transfer_error(h, err);
	return 0;
}

int lg_http_read_all(lg_http *h, size_t max, char **data, size_t *len,
		     lg_error *err)
{
	lg_buf b = LG_BUF_INIT;
	char chunk[16384];
	ssize_t n;
	lg_buf_append(&b, "", 0);
	while ((n = lg_http_read(h, chunk, sizeof(chunk), err)) > 0) {
		if (b.len + (size_t)n > max) {
			lg_buf_free(&b);
			return lg_err(err, "%s: response larger than %zu bytes", h->where, max);
		}
		lg_buf_append(&b, chunk, (size_t)n);
	}
	if (n < 0) {
		lg_buf_free(&b);
		return -1;
	}
	*len = b.len;
	*data = lg_buf_steal(&b);
	return 0;
}

void lg_http_close(lg_http *h)
{
	if (!h)
		return;
	close_transfer(h);
	curl_multi_cleanup(h->multi);
	lg_buf_free(&h->head);
	free(h->buf);
	free(h->where);
	free(h);
}

bool lg_http_same_origin(const char *a, const char *b)
{
	CURLU *ua = curl_url(), *ub = curl_url();
	bool same = false;
	if (ua && ub && curl_url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
	    curl_url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK) {
		same = true;
		static const CURLUPart parts[] = { CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT };
		for (size_t i = 0; i < LG_ARRAY_LEN(parts) && same; i++) {
			char *x = NULL, *y = NULL;
			curl_url_get(ua, parts[i], &x, CURLU_DEFAULT_PORT);
			curl_url_get(ub, parts[i], &y, CURLU_DEFAULT_PORT);
			same = x && y && strcasecmp(x, y) == 0;
			curl_free(x);
			curl_free(y);
		}
	}
	curl_url_cleanup(ua);
	curl_url_cleanup(ub);
	return same;
}
