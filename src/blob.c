/* blob.c - see blob.h */
#include "blob.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "util.h"

/* ---- digests ------------------------------------------------------- */

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* algorithm-component ([a-z0-9]+) joined by [+._-], per image-spec. */
static bool valid_algorithm(const char *s, size_t n)
{
	bool need_component = true;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			need_component = false;
		} else if ((c == '+' || c == '.' || c == '_' || c == '-') && !need_component) {
			need_component = true;
		} else {
			return false;
		}
	}
	return n > 0 && !need_component;
}

int lg_digest_parse(const char *s, lg_digest *out, lg_error *err)
{
	if (!s)
		return lg_err(err, "missing digest");
	const char *colon = strchr(s, ':');
	if (!colon || !valid_algorithm(s, (size_t)(colon - s)))
		return lg_err(err, "invalid digest \"%.80s\"", s);
	size_t alg_len = (size_t)(colon - s);
	const char *hex = colon + 1;
	size_t hex_len = strlen(hex);
	size_t want;
	if (alg_len == 6 && memcmp(s, "sha256", 6) == 0) {
		out->alg = LG_SHA256;
		want = 64;
	} else if (alg_len == 6 && memcmp(s, "sha512", 6) == 0) {
		out->alg = LG_SHA512;
		want = 128;
	} else {
		return lg_err(err, "unsupported digest algorithm \"%.*s\"",
			      (int)(alg_len > 32 ? 32 : alg_len), s);
	}
	if (hex_len != want || !is_lower_hex(hex, hex_len))
		return lg_err(err, "invalid %.6s digest \"%.80s\": want %zu lower-case hex digits",
			      s, s, want);
	memcpy(out->str, s, alg_len + 1 + hex_len + 1);
	return 0;
}

const char *lg_digest_alg_name(const lg_digest *d)
{
	return d->alg == LG_SHA256 ? "sha256" : "sha512";
}

const char *lg_digest_hex(const lg_digest *d)
{
	return d->str + 7;
}

struct lg_hasher {
	EVP_MD_CTX *ctx;
	enum lg_digest_alg alg;
};

static const char *alg_name(enum lg_digest_alg alg)
{
	return alg == LG_SHA256 ? "sha256" : "sha512";
}

lg_hasher *lg_hasher_new(enum lg_digest_alg alg)
{
	lg_hasher *h = lg_xcalloc(1, sizeof(*h));
	h->alg = alg;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx ||
	    !EVP_DigestInit_ex(h->ctx, alg == LG_SHA256 ? EVP_sha256() : EVP_sha512(), NULL))
		lg_die("OpenSSL: cannot initialise the %s digest", alg_name(alg));
	return h;
}

/* A digest OpenSSL failed to compute must never be compared: the util.h
 * policy (exit 2), as for out of memory. */
void lg_hasher_update(lg_hasher *h, const void *data, size_t len)
{
	if (!EVP_DigestUpdate(h->ctx, data, len))
		lg_die("OpenSSL: the %s digest failed", alg_name(h->alg));
}

void lg_hasher_final(lg_hasher *h, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_DigestFinal_ex(h->ctx, md, &n) || n != (h->alg == LG_SHA256 ? 32u : 64u))
		lg_die("OpenSSL: the %s digest failed", alg_name(h->alg));
	int off = sprintf(out, "%s:", h->alg == LG_SHA256 ? "sha256" : "sha512");
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + off + 2 * i, "%02x", md[i]);
}

void lg_hasher_free(lg_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

/* ---- verified blobs ------------------------------------------------ */

struct lg_blob {
	lg_stream *stream; /* owned */
	lg_hasher *hasher; /* owned; NULL when there is no digest to check */
	lg_digest digest;  /* digest.str names the blob in messages */
	uint64_t size;     /* from the descriptor */
	uint64_t offset;   /* bytes read and hashed */
	bool eof;
	bool has_id;       /* the stream is a file whose identity can vouch: */
	lg_file_id id;     /* its identity when opened */
	bool unwritten;    /* nobody had it open for writing then */
	int64_t opened_ns; /* the wall clock just before id was taken */
	bool settled;      /* verified, unchanged, and settled (lg_blob_settled) */
};

static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int lg_blob_open(lg_input *in, const char *path, const lg_digest *digest,
		 int64_t size, lg_blob **out, lg_error *err)
{
	const char *name = digest ? digest->str : path;
	if (size < 0)
		return lg_err(err, "%s: negative size %lld", name, (long long)size);
	lg_stream *stream = NULL;
	int r = path ? lg_input_open_path(in, path, &stream, NULL, err)
		     : lg_input_open_blob(in, digest, &stream, err);
	if (r < 0)
		return -1;
	lg_blob *b = lg_xcalloc(1, sizeof(*b));
	b->stream = stream;
	if (digest) {
		b->hasher = lg_hasher_new(digest->alg);
		b->digest = *digest;
	} else {
		snprintf(b->digest.str, sizeof(b->digest.str), "%s", path);
	}
	b->size = (uint64_t)size;
	b->opened_ns = wall_ns();
	int id = lg_stream_file_id(stream, &b->id);
	b->has_id = id >= 0;
	b->unwritten = id == 1;
	*out = b;
	return 0;
}

/* A read failed: the stream's own words (an HTTP status, a registry's
 * error), else errno's. */
static int read_error(lg_blob *b, lg_error *err)
{
	int e = errno;
	const char *why = lg_stream_error(b->stream);
	if (why)
		return lg_err(err, "%s: %s", b->digest.str, why);
	return lg_err_errno(err, e, "%s: read", b->digest.str);
}

/* Prove the blob ends at its size: one more read must find nothing. */
static int check_end(lg_blob *b, lg_error *err)
{
	char extra;
	ssize_t n;
	do
		n = lg_stream_read(b->stream, &extra, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return read_error(b, err);
	if (n > 0)
		return lg_err(err, "%s: blob is larger than its descriptor size %llu",
			      b->digest.str, (unsigned long long)b->size);
	b->eof = true;
	return 0;
}

ssize_t lg_blob_read(lg_blob *b, void *buf, size_t len, lg_error *err)
{
	if (b->eof)
		return 0;
	uint64_t left = b->size - b->offset;
	if (left == 0)
		return check_end(b, err) < 0 ? -1 : 0;
	if (len > left)
		len = (size_t)left;
	ssize_t n;
	do
		n = lg_stream_read(b->stream, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return read_error(b, err);
	if (n == 0)
		return lg_err(err, "%s: blob is truncated: %llu of %llu bytes",
			      b->digest.str, (unsigned long long)b->offset,
			      (unsigned long long)b->size);
	if (b->hasher)
		lg_hasher_update(b->hasher, buf, (size_t)n);
	b->offset += (uint64_t)n;
	return n;
}

/* The file read is the one opened, unchanged while it was read (its
 * identity is the same after), nobody had it open for writing when the
 * read began nor when it ended (a writer, through a mapping too, would
 * have to open it again, and so change its ctime at its first write), and
 * its last change is LG_SETTLE_NS older than the open: a later change,
 * even within the file system's timestamp granularity, cannot give it the
 * same mtime and ctime again. */
static bool is_settled(const lg_blob *b)
{
	lg_file_id now;
	int64_t before = b->opened_ns - LG_SETTLE_NS;
	return b->has_id && b->unwritten && b->id.size == b->size && b->id.ino != 0 &&
	       b->id.mtime_ns > 0 && b->id.ctime_ns > 0 && b->id.mtime_ns < before &&
	       b->id.ctime_ns < before && lg_stream_file_id(b->stream, &now) == 1 &&
	       lg_file_id_equal(&now, &b->id);
}

int lg_blob_finish(lg_blob *b, lg_error *err)
{
	char buf[65536];
	ssize_t n;
	while ((n = lg_blob_read(b, buf, sizeof(buf), err)) > 0)
		;
	if (n < 0)
		return -1;
	if (!b->hasher)
		return 0;
	char got[sizeof(b->digest.str)];
	lg_hasher_final(b->hasher, got);
	if (strcmp(got, b->digest.str) != 0)
		return lg_err(err, "%s: digest mismatch: content hashes to %s",
			      b->digest.str, got);
	b->settled = is_settled(b);
	return 0;
}

bool lg_file_id_equal(const lg_file_id *a, const lg_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->mnt_id == b->mnt_id &&
	       a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

bool lg_blob_file_id(const lg_blob *b, lg_file_id *id)
{
	if (b->has_id)
		*id = b->id;
	return b->has_id;
}

bool lg_blob_settled(const lg_blob *b, lg_file_id *id)
{
	if (b->settled)
		*id = b->id;
	return b->settled;
}

uint64_t lg_blob_offset(const lg_blob *b)
{
	return b->offset;
}

uint64_t lg_blob_size(const lg_blob *b)
{
	return b->size;
}

const lg_digest *lg_blob_digest(const lg_blob *b)
{
	return &b->digest;
}

void lg_blob_free(lg_blob *b)
{
	if (!b)
		return;
	lg_stream_close(b->stream);
	lg_hasher_free(b->hasher);
	free(b);
}

int lg_blob_read_all(lg_input *in, const lg_digest *digest, int64_t size,
		     size_t max, char **data, lg_error *err)
{
	if (size < 0 || (uint64_t)size > max)
		return lg_err(err, "%s: size %lld is outside 0..%zu bytes allowed for a JSON document",
			      digest->str, (long long)size, max);
	lg_blob *b = NULL;
	if (lg_blob_open(in, NULL, digest, size, &b, err) < 0)
		return -1;
	char *buf = lg_xmalloc((size_t)size + 1);
	size_t got = 0;
	ssize_t n = 0;
	while (got < (size_t)size &&
	       (n = lg_blob_read(b, buf + got, (size_t)size - got, err)) > 0)
		got += (size_t)n;
	if (n < 0 || lg_blob_finish(b, err) < 0) {
		free(buf);
		lg_blob_free(b);
		return -1;
	}
	lg_blob_free(b);
	buf[got] = '\0';
	*data = buf;
	return 0;
}
