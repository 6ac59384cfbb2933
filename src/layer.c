/* layer.c - see layer.h
 *
 * The read path of a compressed layer is a decompressor in front of
 * libarchive's tar reader:
 *
 *   blob (hashes: digest) -> gzip: ISA-L (inflate.c)
 *                            zstd, or Docker's sniffed type: libarchive's
 *                            raw format + filter
 *        -> diff stream (hashes: diff_id) -> tar reader -> entries
 *
 * Every reader pulls through our callbacks, so every byte is hashed on its
 * way through and nothing is read twice.  An uncompressed layer feeds the
 * blob to the tar reader directly.
 */
#include "layer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <xxhash.h>

#include "archive_policy.h"
#include "evidence.h"
#include "inflate.h"
#include "layer_nested.h"
#include "tagscan.h"

#define READ_BUF (128 * 1024)
#define MAX_NAME (64 * 1024)
/* A tar archive ends with two zero blocks. */
#define TAR_END_BYTES 1024
/* Largest package manifest kept for after the walk. */
#define MAX_CAPTURE (1024 * 1024)
/* The bytes of the tar stream kept to re-read an entry's headers (a
 * power of two); headers longer than half of it are refused. */
#define RING (4u << 20)
/* Most distinct SPDX tags one file may carry: more is an error, not
 * evidence dropped (a "tag bomb" must not grow memory without bound). */
#define MAX_FILE_TAGS 1024
/* The first tags of a file are all kept, repeats too (a bundle's modules
 * each carry theirs, on its own line); past them a repeat is dropped. */
#define TAGS_VERBATIM 64
/* Sparse holes read as zeros; their sum per layer may be at most this
 * many times max(blob size, 1 GiB), so a tiny layer cannot make the walk
 * hash terabytes of zeros. */
#define HOLES_FACTOR 64
#define GIB (1024ull * 1024 * 1024)
/* The members of archives among a layer's files expand to at most
 * NESTED_FACTOR * max(blob size, NESTED_FLOOR) bytes. */
#define NESTED_FACTOR 64
#define NESTED_FLOOR (16ull << 20)
/* Consumers of a file's content one walk may have (see "sinks" below). */
#define MAX_SINKS 8

typedef struct walker {
	lg_layer *layer;
	const lg_layer_desc *desc;
	lg_blob *blob;
	lg_error *err;       /* the first error of the walk (walk_fail) */
	bool failed;         /* err is set: the walk has failed */
	struct archive *outer; /* zstd (or sniffed) decompressor, or NULL */
	lg_inflate *gz;        /* gzip decompressor, or NULL */
	size_t peeked;         /* bytes of buf read to sniff, not yet handed on */
	lg_hasher *diff;       /* NULL when the blob digest is the diff_id */
	uint64_t trailing_zeros; /* zero bytes at the end of the diff stream so far */
	/* Headers are re-read (check_headers) from the block of the tar
	 * stream the tar reader was last handed, which stays valid until it
	 * asks for the next, and from the ring: the bytes of earlier blocks
	 * that a header being read may span, copied when their block is
	 * replaced.  File content is never copied (see retire_block()). */
	struct archive *tar;   /* the tar reader */
	const unsigned char *cur; /* its current block of the stream */
	size_t cur_len;
	uint64_t cur_start;    /* the stream offset of cur */
	uint64_t keep_from;    /* while a header is read: where it may start;
				* UINT64_MAX while content is read */
	unsigned char *ring;   /* stream bytes [ring_start, ring_end) */
	uint64_t ring_start, ring_end;
	lg_buf pax;            /* scratch: a pax header's records */
	bool stream_eof;       /* the diff stream has ended */
	bool cut_tail;         /* it ended right after the last entry's data */
	lg_strmap by_path;     /* path -> file index + 1, for hardlinks */
	XXH3_state_t *xxh;
	lg_tagscan tags;
	lg_buf name;           /* scratch for normalization */
	unsigned char *buf;    /* READ_BUF bytes */
	const lg_rules *rules; /* text rules; may be NULL */
	size_t ntext_rules;
	size_t nuser_text;     /* the rules file's; the rest are license texts */
	bool license_file;     /* the current file's head is matched against
				* the built-in license texts (rules.h) */
	char *head;            /* the first LG_TEXT_HEAD bytes of the file */
	size_t head_len;
	bool manifest;         /* the current file is a package manifest */
	bool capturing;        /* keep the whole file (while it is not too big) */
	lg_buf capture;
	lg_strmap file_tags;   /* expr -> tag index + 1 of the current file, once
				* it has TAGS_VERBATIM tags */
	bool tag_bomb;         /* the current file has too many distinct tags */
	uint64_t max_holes;    /* sparse holes read as zeros in this layer */
	uint64_t max_bytes;    /* --max-bytes: tar stream + holes; 0: none */
	_Atomic uint64_t *read_bytes; /* progress: compressed bytes; or NULL */
	bool *blob_settled;   /* out: the blob file is settled (blob.h) */
	lg_file_id *blob_id; /* out: its identity; both may be NULL */
	EVP_MD_CTX *sha1, *sha256; /* per-file content hashes (SBOMs), or NULL */
	lg_nested *nested;    /* archives among the files (layer_nested.h) */
	uint64_t nested_bytes; /* their members' bytes, toward --max-bytes */
	uint32_t container;   /* the layer file whose members are being read */
	lg_fpmatcher *fpm;   /* content matching; NULL without a set */
	const struct sink *sinks[MAX_SINKS]; /* what reads each file's content */
	size_t nsinks;
} walker;

static void LG_PRINTF(2, 3) add_warning(lg_layer *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = lg_xvasprintf(fmt, ap);
	va_end(ap);
	l->warnings = lg_xrealloc(l->warnings, (l->nwarnings + 1) * sizeof(char *));
	l->warnings[l->nwarnings++] = s;
}

/* ---- the stacked readers ------------------------------------------- */

/* One error protocol for the whole walk: the first error is the one
 * reported.  walk_fail() records its message unless an error is already
 * recorded, sets w->failed and returns -1; note_error() does the same for
 * an error a callee already wrote into w->err (the blob reader and the
 * gzip stream share it). */
static void note_error(walker *w)
{
	w->failed = true;
}

static int LG_PRINTF(2, 3) walk_fail(walker *w, const char *fmt, ...)
{
	if (!w->failed) {
		va_list ap;
		va_start(ap, fmt);
		char *msg = lg_xvasprintf(fmt, ap);
		va_end(ap);
		lg_err(w->err, "%s", msg);
		free(msg);
	}
	w->failed = true;
	return -1;
}

/* --max-bytes: the layer's uncompressed bytes so far, holes included. */
static bool over_limit(walker *w)
{
	const lg_layer *l = w->layer;
	if (!w->max_bytes || l->tar_bytes + l->hole_bytes + w->nested_bytes <= w->max_bytes)
		return false;
	walk_fail(w, "more than %llu uncompressed bytes (--max-bytes)",
		  (unsigned long long)w->max_bytes);
	return true;
}

/* Keep stream bytes [off, off + n) in the ring (its last RING bytes); a
 * gap since what it held starts it afresh. */
static void ring_put(walker *w, uint64_t off, const unsigned char *p, size_t n)
{
	if (off != w->ring_end)
		w->ring_start = w->ring_end = off;
	if (n > RING) {
		w->ring_end += n - RING;
		p += n - RING;
		n = RING;
	}
	size_t at = (size_t)(w->ring_end & (RING - 1));
	size_t k = RING - at < n ? RING - at : n;
	memcpy(w->ring + at, p, k);
	memcpy(w->ring, p + k, n - k);
	w->ring_end += n;
	if (w->ring_end - w->ring_start > RING)
		w->ring_start = w->ring_end - RING;
}

/* Copy stream bytes [off, off + n) from the ring and the current block;
 * false when they no longer (or not yet) hold them all. */
static bool ring_get(const walker *w, uint64_t off, void *out, size_t n)
{
	unsigned char *o = out;
	if (n > RING || off + n > w->cur_start + w->cur_len)
		return false;
	if (off < w->cur_start) {
		/* the part before the current block: all in the ring */
		size_t m = off + n < w->cur_start ? n : (size_t)(w->cur_start - off);
		if (off < w->ring_start || w->ring_end != w->cur_start)
			return false;
		size_t at = (size_t)(off & (RING - 1));
		size_t k = RING - at < m ? RING - at : m;
		memcpy(o, w->ring + at, k);
		memcpy(o + k, w->ring, m - k);
		o += m;
		off += m;
		n -= m;
	}
	if (n)
		memcpy(o, w->cur + (off - w->cur_start), n);
	return true;
}

/* The tar reader a asks for the block after cur: keep what of cur a
 * header may still need - from where the header being read may start,
 * and what the reader has not consumed yet (it may carry it over) - but
 * no content it has read; then cur is gone. */
static void drop_block(walker *w, struct archive *a)
{
	uint64_t keep = w->keep_from;
	if (a == w->tar) {
		la_int64_t consumed = archive_filter_bytes(a, 0);
		if (consumed >= 0 && (uint64_t)consumed < keep)
			keep = (uint64_t)consumed;
	}
	uint64_t end = w->cur_start + w->cur_len;
	if (keep < w->cur_start)
		keep = w->cur_start;
	if (keep < end)
		ring_put(w, keep, w->cur + (keep - w->cur_start), (size_t)(end - keep));
	w->cur_start = end;
	w->cur_len = 0;
}

/* Every block of the tar stream passes here (after drop_block()): the
 * end-of-archive check counts zeros, and it is the current block. */
static void new_block(walker *w, const unsigned char *p, size_t n)
{
	size_t z = 0;
	while (z < n && p[n - 1 - z] == 0)
		z++;
	w->trailing_zeros = z == n ? w->trailing_zeros + n : z;
	w->cur = p;
	w->cur_len = n;
}

/* The next block of the blob: first what sniffing read, then the rest. */
static ssize_t blob_next(walker *w, const void **buf)
{
	*buf = w->buf;
	if (w->peeked) {
		ssize_t n = (ssize_t)w->peeked;
		w->peeked = 0;
		return n;
	}
	ssize_t n = lg_blob_read(w->blob, w->buf, READ_BUF, w->err);
	if (n < 0)
		note_error(w);
	else if (w->read_bytes)
		*w->read_bytes += (uint64_t)n;
	return n;
}

static ssize_t gz_source(void *ud, const void **buf, lg_error *err)
{
	walker *w = ud;
	(void)err; /* w->err is the same object */
	return blob_next(w, buf);
}

static la_ssize_t blob_cb(struct archive *a, void *ud, const void **buf)
{
	walker *w = ud;
	/* uncompressed: the blob is the diff stream, and w->buf (about to
	 * be refilled) the tar reader's current block */
	if (!w->outer)
		drop_block(w, a);
	ssize_t n = blob_next(w, buf);
	if (n < 0) {
		archive_set_error(a, EIO, "%s", lg_error_msg(w->err));
		return -1;
	}
	if (!w->outer) {
		new_block(w, *buf, (size_t)n);
		w->stream_eof = n == 0;
		w->layer->tar_bytes += (uint64_t)n;
		if (over_limit(w)) {
			archive_set_error(a, EFBIG, "%s", lg_error_msg(w->err));
			return -1;
		}
	}
	return n;
}

/* A block of the diff stream from ISA-L. */
static la_ssize_t gz_diff_cb(struct archive *a, walker *w, const void **buf)
{
	drop_block(w, a); /* the read below replaces it */
	ssize_t n = lg_inflate_read(w->gz, buf, w->err);
	if (n < 0) {
		archive_set_error(a, EIO, "%s", lg_error_msg(w->err));
		note_error(w);
		return -1;
	}
	if (n == 0) {
		w->stream_eof = true;
		return 0;
	}
	lg_hasher_update(w->diff, *buf, (size_t)n);
	w->layer->tar_bytes += (uint64_t)n;
	new_block(w, *buf, (size_t)n);
	if (over_limit(w)) {
		archive_set_error(a, EFBIG, "%s", lg_error_msg(w->err));
		return -1;
	}
	return n;
}

/* The tar reader pulls decompressed blocks from the decompressor. */
static la_ssize_t diff_cb(struct archive *a, void *ud, const void **buf)
{
	walker *w = ud;
	if (w->gz)
		return gz_diff_cb(a, w, buf);
	drop_block(w, a); /* the read below replaces it */
	const void *block;
	size_t size;
	la_int64_t offset;
	int r = archive_read_data_block(w->outer, &block, &size, &offset);
	if (r == ARCHIVE_EOF) {
		w->stream_eof = true;
		return 0;
	}
	if (r < ARCHIVE_OK) {
		archive_set_error(a, EIO, "%s",
				  archive_error_string(w->outer));
		walk_fail(w, "%s", archive_error_string(w->outer));
		return -1;
	}
	lg_hasher_update(w->diff, block, size);
	w->layer->tar_bytes += size;
	new_block(w, block, size);
	if (over_limit(w)) {
		archive_set_error(a, EFBIG, "%s", lg_error_msg(w->err));
		return -1;
	}
	*buf = block;
	return (la_ssize_t)size;
}

static const char *filter_name(enum lg_compression c)
{
	return c == LG_COMP_GZIP ? "gzip" : c == LG_COMP_ZSTD ? "zstd" : "gzip, zstd or none";
}

/* Read the blob's first block, to tell gzip from the rest. */
static int sniff(walker *w, bool *gzip)
{
	ssize_t n = lg_blob_read(w->blob, w->buf, READ_BUF, w->err);
	if (n < 0) {
		note_error(w);
		return -1;
	}
	w->peeked = (size_t)n;
	if (w->read_bytes)
		*w->read_bytes += (uint64_t)n;
	*gzip = n >= 2 && w->buf[0] == 0x1f && w->buf[1] == 0x8b;
	return 0;
}

static int open_outer(walker *w)
{
	struct archive *a = archive_read_new();
	w->outer = a;
	archive_read_support_format_raw(a);
	enum lg_compression c = w->desc->compression;
	if (lg_archive_filters(a, (c == LG_COMP_GZIP || c == LG_COMP_DETECT ? LG_FILTER_GZIP : 0) |
				  (c == LG_COMP_ZSTD || c == LG_COMP_DETECT ? LG_FILTER_ZSTD : 0),
			       w->err) < 0) {
		note_error(w);
		return -1;
	}
	struct archive_entry *e;
	if (archive_read_open(a, w, NULL, blob_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		return walk_fail(w, "%s", archive_error_string(a));
	}
	int code = archive_filter_code(a, 0);
	bool ok = (w->desc->compression == LG_COMP_GZIP && code == ARCHIVE_FILTER_GZIP) ||
		  (w->desc->compression == LG_COMP_ZSTD && code == ARCHIVE_FILTER_ZSTD) ||
		  w->desc->compression == LG_COMP_DETECT;
	if (!ok)
		return walk_fail(w, "media type %s says %s, but the blob is not %s-compressed",
			      w->desc->media_type, filter_name(w->desc->compression),
			      filter_name(w->desc->compression));
	return 0;
}

/* Set up the decompressor: ISA-L for gzip, libarchive for the rest. */
static int open_decompressor(walker *w)
{
	bool gzip;
	if (w->desc->compression != LG_COMP_ZSTD && sniff(w, &gzip) < 0)
		return -1;
	if (w->desc->compression == LG_COMP_GZIP && !gzip)
		return walk_fail(w, "media type %s says gzip, but the blob is not gzip-compressed",
			      w->desc->media_type);
	if (w->desc->compression != LG_COMP_ZSTD && gzip) {
		w->gz = lg_inflate_new(gz_source, w);
		return 0;
	}
	return open_outer(w);
}

static struct archive *open_inner(walker *w)
{
	struct archive *a = archive_read_new();
	w->tar = a; /* its callbacks run inside archive_read_open() */
	archive_read_support_format_tar(a);
	int r = w->outer || w->gz ? archive_read_open(a, w, NULL, diff_cb, NULL)
				  : archive_read_open(a, w, NULL, blob_cb, NULL);
	if (r != ARCHIVE_OK) {
		walk_fail(w, "not a tar archive: %s", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* ---- entries --------------------------------------------------------- */

static uint32_t add_entry(walker *w, const char *path, size_t len, uint8_t type)
{
	lg_layer *l = w->layer;
	lg_xgrow((void **)&l->entries, &l->entries_cap, l->nentries + 1, sizeof(*l->entries));
	l->entries[l->nentries] = (lg_entry){
		.path = lg_arena_strndup(&l->arena, path, len),
		.len = (uint32_t)len,
		.type = type,
	};
	return (uint32_t)l->nentries++;
}

/* Past TAGS_VERBATIM tags, the same expression in the same place
 * (outside snippets, or in the same snippet) says nothing new. */
static bool is_duplicate_tag(walker *w, const lg_file *f, const lg_tag_event *ev)
{
	if (f->ntags < TAGS_VERBATIM)
		return false;
	const uint32_t *idx = lg_strmap_get(&w->file_tags, ev->expr, ev->len);
	return idx && w->layer->tags[*idx - 1].snippet_begin == ev->snippet_begin;
}

/* From TAGS_VERBATIM tags on, index them (all, the first time). */
static void remember_tag(walker *w, const lg_file *f)
{
	const lg_layer *l = w->layer;
	if (f->ntags < TAGS_VERBATIM)
		return;
	uint32_t from = f->ntags == TAGS_VERBATIM ? f->first_tag : (uint32_t)l->ntags - 1;
	for (uint32_t i = from; i < l->ntags; i++) {
		bool created;
		*lg_strmap_put(&w->file_tags, l->tags[i].expr, l->tags[i].len, &created) = i + 1;
	}
}

static void on_tag(void *ud, const lg_tag_event *ev)
{
	walker *w = ud;
	lg_layer *l = w->layer;
	lg_file *f = &l->files[l->nfiles - 1];
	if (ev->kind == LG_TAG_SNIPPET_END) {
		/* Close the snippet on the tags it holds: the last ones, so the
		 * walk stops at the first tag of another snippet (each end costs
		 * its own tags, not all of the file's). */
		for (uint32_t i = f->first_tag + f->ntags; i-- > f->first_tag;) {
			if (l->tags[i].snippet_begin != ev->snippet_begin || l->tags[i].snippet_end)
				break;
			l->tags[i].snippet_end = ev->line;
		}
		return;
	}
	if (is_duplicate_tag(w, f, ev) || w->tag_bomb)
		return;
	if (f->ntags == MAX_FILE_TAGS) {
		w->tag_bomb = true;
		return;
	}
	lg_xgrow((void **)&l->tags, &l->tags_cap, l->ntags + 1, sizeof(*l->tags));
	l->tags[l->ntags++] = (lg_tag){
		.expr = lg_arena_strndup(&l->arena, ev->expr, ev->len),
		.len = (uint32_t)ev->len,
		.line = ev->line,
		.snippet_begin = ev->snippet_begin,
	};
	f->ntags++;
	remember_tag(w, f);
}

/* A text rule that gives up (regex work limits) has no answer, and the
 * walk cannot complete without one. */
static int match_text(walker *w, lg_file *f)
{
	lg_layer *l = w->layer;
	f->first_text = (uint32_t)l->ntexts;
	/* License-text rules (rules.h) look at license files only. */
	size_t n = w->license_file ? w->ntext_rules : w->nuser_text;
	for (size_t i = 0; i < n; i++) {
		size_t at = 0;
		int hit = lg_rules_text_match_at(w->rules, i, w->head, w->head_len, &at);
		if (hit < 0) {
			const lg_rule *r = lg_rules_text_at(w->rules, i);
			return walk_fail(w, "%s:%u: text pattern '%s' exceeded the regex "
				      "work limits; rewrite it so it cannot backtrack so much",
				      r->file, r->line, r->pattern);
		}
		if (!hit)
			continue;
		lg_xgrow((void **)&l->texts, &l->texts_cap, l->ntexts + 1, sizeof(*l->texts));
		lg_xgrow((void **)&l->text_lines, &l->text_lines_cap, l->ntexts + 1,
			 sizeof(*l->text_lines));
		l->text_lines[l->ntexts] = lg_line_at(w->head, at);
		l->texts[l->ntexts++] = lg_rules_text_at(w->rules, i);
		f->ntext++;
	}
	return 0;
}

static void store_capture(walker *w, const lg_file *f)
{
	if (!w->manifest)
		return;
	lg_layer *l = w->layer;
	if (!w->capturing) {
		add_warning(l, "%s: package manifest larger than %d bytes; not read", f->path, MAX_CAPTURE);
		return;
	}
	lg_xgrow((void **)&l->captures, &l->captures_cap, l->ncaptures + 1, sizeof(*l->captures));
	l->captures[l->ncaptures++] = (lg_capture){
		.file = (uint32_t)(l->nfiles - 1),
		.data = lg_arena_strndup(&l->arena, w->capture.data ? w->capture.data : "", w->capture.len),
		.len = (uint32_t)w->capture.len,
	};
}

/* ---- per-file SHA-1 and SHA-256, only for the SBOM reports ----------- */

static void content_hash_start(walker *w)
{
	if (w->sha1 && (!EVP_DigestInit_ex(w->sha1, EVP_sha1(), NULL) ||
			!EVP_DigestInit_ex(w->sha256, EVP_sha256(), NULL))) {
		fputs("licgate: cannot start a SHA-1/SHA-256 digest\n", stderr);
		exit(2);
	}
}

static void content_hash(walker *w, const void *p, size_t n)
{
	if (w->sha1) {
		EVP_DigestUpdate(w->sha1, p, n);
		EVP_DigestUpdate(w->sha256, p, n);
	}
}

/* The hashes of file i: its content's, or (copy) another file's. */
static void content_hash_store(walker *w, size_t i, const lg_file_hashes *copy)
{
	if (!w->sha1)
		return;
	lg_layer *l = w->layer;
	lg_xgrow((void **)&l->hashes, &l->hashes_cap, i + 1, sizeof(*l->hashes));
	if (copy) {
		l->hashes[i] = *copy;
		return;
	}
	EVP_DigestFinal_ex(w->sha1, l->hashes[i].sha1, NULL);
	EVP_DigestFinal_ex(w->sha256, l->hashes[i].sha256, NULL);
}

/* The file's match with the fingerprint set, its strings in the arena. */
static void store_fpmatch(walker *w, lg_file *f)
{
	lg_fpmatch m;
	if (!lg_fpmatcher_end(w->fpm, f->xxh3, &m))
		return;
	lg_layer *l = w->layer;
	m.source = lg_arena_strndup(&l->arena, m.source, m.source_len);
	m.class_name = lg_arena_strndup(&l->arena, m.class_name, m.class_len);
	lg_xgrow((void **)&l->fpmatches, &l->fpmatches_cap, l->nfpmatches + 1,
		 sizeof(*l->fpmatches));
	l->fpmatches[l->nfpmatches++] = m;
	f->fpmatch = (uint32_t)l->nfpmatches;
}

/* ---- per-block sinks ----------------------------------------------------
 *
 * Each consumer of a file's content is a sink: begin (a new file), feed
 * (the next block, in order, each byte once), end (the file is complete:
 * record what it found; -1 fails the walk).  A walk chooses its sinks once
 * (lg_layer_scan_with(): what the rules, the reports and the set need) and
 * every block of every file goes through exactly those.  Sparse holes
 * (zeros) are fed to the sinks whose `holes` is set. */

typedef struct sink {
	void (*begin)(walker *w, lg_file *f);
	void (*feed)(walker *w, const void *block, size_t size);
	int (*end)(walker *w, lg_file *f);
	bool holes;
} sink;

/* XXH3-128 of the content, holes included: the file's identity. */
static void xxh3_begin(walker *w, lg_file *f)
{
	(void)f;
	XXH3_128bits_reset(w->xxh);
}

static void xxh3_feed(walker *w, const void *block, size_t size)
{
	XXH3_128bits_update(w->xxh, block, size);
}

static int xxh3_end(walker *w, lg_file *f)
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(w->xxh));
	memcpy(f->xxh3, c.digest, sizeof(f->xxh3));
	return 0;
}

/* SHA-1 and SHA-256, holes included (only for the SBOM reports). */
static void sha_begin(walker *w, lg_file *f)
{
	(void)f;
	content_hash_start(w);
}

static void sha_feed(walker *w, const void *block, size_t size)
{
	content_hash(w, block, size);
}

static int sha_end(walker *w, lg_file *f)
{
	content_hash_store(w, (size_t)(f - w->layer->files), NULL);
	return 0;
}

/* SPDX tags and snippets anywhere in the file (tagscan.h). */
static void tags_begin(walker *w, lg_file *f)
{
	(void)f;
	if (w->file_tags.count)
		lg_strmap_free(&w->file_tags);
	w->tag_bomb = false;
	lg_tagscan_init(&w->tags, on_tag, w);
}

static void tags_feed(walker *w, const void *block, size_t size)
{
	lg_tagscan_feed(&w->tags, block, size);
}

static int tags_end(walker *w, lg_file *f)
{
	(void)f;
	lg_tagscan_end(&w->tags);
	if (w->tag_bomb)
		return walk_fail(w, "more than %d distinct SPDX-License-Identifier tags in "
				 "one file: refusing to drop evidence", MAX_FILE_TAGS);
	return 0;
}

/* The head of the file, for `text` rules (only when the rules have some). */
static void head_begin(walker *w, lg_file *f)
{
	w->head_len = 0;
	w->license_file = w->rules && lg_rules_reads_license_text(w->rules, f->path, f->len);
}

/* The rules' own text rules read every file's head, the built-in license
 * texts only a license file's. */
static void head_feed(walker *w, const void *block, size_t size)
{
	if ((w->nuser_text || w->license_file) && w->head_len < LG_TEXT_HEAD) {
		size_t n = LG_TEXT_HEAD - w->head_len < size ? LG_TEXT_HEAD - w->head_len : size;
		memcpy(w->head + w->head_len, block, n);
		w->head_len += n;
	}
}

/* All of a package manifest, kept for evidence.c after the walk. */
static void manifest_begin(walker *w, lg_file *f)
{
	lg_buf_reset(&w->capture);
	w->capturing = w->manifest = lg_is_package_manifest(f->path, f->len);
}

static void manifest_feed(walker *w, const void *block, size_t size)
{
	if (!w->capturing)
		return;
	if (w->capture.len + size > MAX_CAPTURE)
		w->capturing = false;
	else
		lg_buf_append(&w->capture, block, size);
}

static int manifest_end(walker *w, lg_file *f)
{
	store_capture(w, f);
	return 0;
}

/* Content fingerprints against a set (only with one); after xxh3, whose
 * digest its exact match reads. */
static void fp_begin(walker *w, lg_file *f)
{
	(void)f;
	lg_fpmatcher_begin(w->fpm);
}

static void fp_feed(walker *w, const void *block, size_t size)
{
	lg_fpmatcher_feed(w->fpm, block, size);
}

static int fp_end(walker *w, lg_file *f)
{
	store_fpmatch(w, f);
	return 0;
}

static const sink SINK_XXH3 = { xxh3_begin, xxh3_feed, xxh3_end, true };
static const sink SINK_SHA = { sha_begin, sha_feed, sha_end, true };
static const sink SINK_TAGS = { tags_begin, tags_feed, tags_end, false };
static const sink SINK_HEAD = { head_begin, head_feed, match_text, false };
static const sink SINK_MANIFEST = { manifest_begin, manifest_feed, manifest_end, false };
static const sink SINK_FINGERPRINT = { fp_begin, fp_feed, fp_end, false };

/* The sinks this walk needs, in the order their ends must run. */
static void choose_sinks(walker *w)
{
	w->sinks[w->nsinks++] = &SINK_XXH3;
	if (w->sha1)
		w->sinks[w->nsinks++] = &SINK_SHA;
	w->sinks[w->nsinks++] = &SINK_TAGS;
	if (w->ntext_rules)
		w->sinks[w->nsinks++] = &SINK_HEAD;
	w->sinks[w->nsinks++] = &SINK_MANIFEST;
	if (w->fpm)
		w->sinks[w->nsinks++] = &SINK_FINGERPRINT;
}

static void feed_zeros(walker *w, uint64_t n)
{
	static const unsigned char zeros[4096];
	while (n) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
		for (size_t i = 0; i < w->nsinks; i++)
			if (w->sinks[i]->holes)
				w->sinks[i]->feed(w, zeros, k);
		n -= k;
	}
}

/* A hole of a sparse file is content: zeros, hashed like any byte. */
static int add_hole(walker *w, uint64_t n)
{
	if (n > w->max_holes - w->layer->hole_bytes) {
		return walk_fail(w, "sparse file holes add up to more than %llu bytes in a "
			      "%llu-byte layer blob", (unsigned long long)w->max_holes,
			      (unsigned long long)w->desc->size);
	}
	w->layer->hole_bytes += n;
	if (over_limit(w))
		return -1;
	feed_zeros(w, n);
	return 0;
}

/* A member's bytes count toward the nested limit and --max-bytes. */
static int count_member(walker *w, size_t size)
{
	w->nested_bytes += size;
	if (lg_nested_count(w->nested, size, w->err) < 0 || over_limit(w)) {
		w->failed = true;
		return -1;
	}
	return 0;
}

/* Stream the current entry's data through the walk's sinks. */
static int read_content(walker *w, struct archive *a, lg_file *f, const char *name)
{
	for (size_t i = 0; i < w->nsinks; i++)
		w->sinks[i]->begin(w, f);
	bool member = f->flags & LG_FILE_MEMBER;
	lg_nested_start(w->nested, f->path, f->len);
	uint64_t pos = 0;
	for (;;) {
		const void *block;
		size_t size;
		la_int64_t offset;
		int r = archive_read_data_block(a, &block, &size, &offset);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN) {
			add_warning(w->layer, "%s: %s", name, archive_error_string(a));
		} else if (r != ARCHIVE_OK) {
			/* umoci 0.4 ends a layer right after the last entry's
			 * data, without padding or end-of-archive blocks: the
			 * data is complete, so the entry counts as read. */
			if (member || pos < f->size || !w->stream_eof || w->failed)
				return -1;
			w->cut_tail = true;
			break;
		}
		if ((uint64_t)offset > pos) {
			if (add_hole(w, (uint64_t)offset - pos) < 0)
				return -1;
			pos = (uint64_t)offset;
		}
		/* libarchive's zip reader may hand back an empty block, with
		 * a NULL pointer, for a member that claims more than it has. */
		if (size == 0)
			continue;
		for (size_t i = 0; i < w->nsinks; i++)
			w->sinks[i]->feed(w, block, size);
		pos = (uint64_t)offset + size;
		if (member && count_member(w, size) < 0)
			return -1;
		if (lg_nested_feed(w->nested, block, size, w->err) < 0) {
			w->failed = true;
			return -1;
		}
	}
	if (member)
		f->size = pos; /* what was read, not what the archive claims */
	if (pos < f->size && add_hole(w, f->size - pos) < 0)
		return -1;
	for (size_t i = 0; i < w->nsinks; i++)
		if (w->sinks[i]->end(w, f) < 0)
			return -1;
	return 0;
}

/* A package manifest that is a hardlink is read from its target's
 * captured content. */
static void link_capture(walker *w, const lg_file *f, uint32_t target)
{
	lg_layer *l = w->layer;
	/* Captures are made in file order: a binary search, not a scan. */
	size_t lo = 0, hi = l->ncaptures;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->captures[mid].file < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->ncaptures && l->captures[lo].file == target) {
		lg_capture c = l->captures[lo];
		c.file = (uint32_t)(f - l->files);
		lg_xgrow((void **)&l->captures, &l->captures_cap, l->ncaptures + 1, sizeof(*l->captures));
		l->captures[l->ncaptures++] = c;
		return;
	}
	add_warning(l, "%s: package manifest is a hardlink to %s, which is not a package "
		    "manifest; not read", f->path, l->files[target].path);
}

/* A hardlink carries its target's evidence (the target is earlier in the
 * same layer; a target elsewhere is noted, and its bytes are scanned where
 * they are). */
static void link_evidence(walker *w, lg_file *f, const char *target, const char *name)
{
	bool escaped;
	lg_path_normalize(target, strlen(target), &w->name, &escaped);
	uint32_t *idx = lg_strmap_get(&w->by_path, w->name.data, w->name.len);
	f->flags |= LG_FILE_HARDLINK;
	if (!idx) {
		/* its bytes are elsewhere: the hashes of no content */
		content_hash_start(w);
		content_hash_store(w, (size_t)(f - w->layer->files), NULL);
		f->flags |= LG_FILE_DANGLING;
		add_warning(w->layer, "%s: hardlink to %s, which is not in this layer", name, target);
		return;
	}
	const lg_file *t = &w->layer->files[*idx - 1];
	if (w->sha1) {
		lg_file_hashes h = w->layer->hashes[*idx - 1];
		content_hash_store(w, (size_t)(f - w->layer->files), &h);
	}
	f->size = t->size;
	memcpy(f->xxh3, t->xxh3, sizeof(f->xxh3));
	f->first_tag = t->first_tag;
	f->ntags = t->ntags;
	f->first_text = t->first_text;
	f->ntext = t->ntext;
	f->fpmatch = t->fpmatch;
	if (lg_is_package_manifest(f->path, f->len))
		link_capture(w, f, *idx - 1);
}

/* A regular member of an archive among the files (layer_nested.h): a
 * file of the layer, with its own entry, read like a tar entry, and
 * walked in turn when it is an archive itself. */
static int on_member(void *ud, const char *path, size_t len, bool escaped,
		     struct archive *a, struct archive_entry *e)
{
	walker *w = ud;
	lg_layer *l = w->layer;
	uint32_t entry = add_entry(w, path, len, LG_ENTRY_FILE);
	lg_xgrow((void **)&l->files, &l->files_cap, l->nfiles + 1, sizeof(*l->files));
	lg_file *f = &l->files[l->nfiles++];
	*f = (lg_file){
		.path = l->entries[entry].path,
		.len = l->entries[entry].len,
		.mode = (uint32_t)archive_entry_mode(e),
		.first_tag = (uint32_t)l->ntags,
		.flags = LG_FILE_MEMBER | (escaped ? LG_FILE_ESCAPED : 0),
		.entry = entry,
		.container = w->container + 1,
	};
	if (read_content(w, a, f, path) < 0) {
		if (!w->failed)
			lg_err(w->err, "%s", archive_error_string(a));
		w->failed = true;
		return lg_err_prefix(w->err, "%s", path);
	}
	bool created;
	*lg_strmap_put(&w->by_path, f->path, f->len, &created) = (uint32_t)l->nfiles;
	return lg_nested_walk(w->nested, f->path, f->len, on_member, w, w->err);
}

static int add_file(walker *w, struct archive *a, struct archive_entry *e,
		    uint32_t entry, bool escaped, const char *name)
{
	lg_layer *l = w->layer;
	lg_xgrow((void **)&l->files, &l->files_cap, l->nfiles + 1, sizeof(*l->files));
	lg_file *f = &l->files[l->nfiles++];
	*f = (lg_file){
		.path = l->entries[entry].path,
		.len = l->entries[entry].len,
		.mode = (uint32_t)archive_entry_mode(e),
		.size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0,
		.first_tag = (uint32_t)l->ntags,
		.flags = escaped ? LG_FILE_ESCAPED : 0,
		.entry = entry,
	};
	const char *target = archive_entry_hardlink(e);
	bool linked = target && f->size == 0;
	if (linked) {
		link_evidence(w, f, target, name);
	} else if (read_content(w, a, f, name) < 0) {
		return -1;
	}
	l->content_bytes += f->size;
	bool created;
	uint32_t *slot = lg_strmap_put(&w->by_path, f->path, f->len, &created);
	*slot = (uint32_t)l->nfiles;
	if (linked) /* its target's members are listed under the target */
		return 0;
	w->container = (uint32_t)(l->nfiles - 1);
	if (lg_nested_walk(w->nested, f->path, f->len, on_member, w, w->err) < 0) {
		w->failed = true;
		return -2; /* the error names the file */
	}
	return 0;
}

/* The entry's type, and for whiteouts the path they act on (in w->name). */
static uint8_t classify_entry(walker *w, struct archive_entry *e)
{
	lg_buf *p = &w->name;
	char *base = memrchr(p->data, '/', p->len) + 1;
	if (strncmp(base, ".wh.", 4) == 0) {
		size_t dir_len = (size_t)(base - p->data) - 1;
		if (strcmp(base, ".wh..wh..opq") == 0) {
			p->len = dir_len ? dir_len : 1;
			p->data[p->len] = '\0';
			return LG_ENTRY_OPAQUE;
		}
		const char *name = base + 4;
		bool malformed = !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
		if (malformed) {
			add_warning(w->layer, "%s: a whiteout that names no file; ignored", p->data);
			return LG_ENTRY_OTHER;
		}
		if (strncmp(base, ".wh..wh.", 8) != 0) {
			memmove(base, base + 4, strlen(base + 4) + 1);
			p->len -= 4;
			return LG_ENTRY_WHITEOUT;
		}
	}
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		return LG_ENTRY_FILE;
	case AE_IFDIR:
		return LG_ENTRY_DIR;
	default:
		/* libarchive reports a hardlink's type as that of its target. */
		return archive_entry_hardlink(e) ? LG_ENTRY_FILE : LG_ENTRY_OTHER;
	}
}

/* A symlink named like a license file keeps its target, which the
 * license-file stage follows within the image (evidence_licfile.h); any
 * other symlink is inventory only, at no cost. */
static void keep_link(walker *w, struct archive_entry *e, uint32_t entry)
{
	lg_layer *l = w->layer;
	const lg_entry *en = &l->entries[entry];
	const char *target = archive_entry_filetype(e) == AE_IFLNK ? archive_entry_symlink(e) : NULL;
	if (!target || !w->rules || !lg_rules_is_license_file(w->rules, en->path, en->len))
		return;
	size_t len = strlen(target);
	if (len > LG_LINK_MAX) {
		add_warning(l, "%s: symlink with a target of %zu bytes, longer than any path: "
			    "not followed", en->path, len);
		return;
	}
	lg_xgrow((void **)&l->links, &l->links_cap, l->nlinks + 1, sizeof(*l->links));
	l->links[l->nlinks++] = (lg_link){
		.entry = entry,
		.len = (uint32_t)len,
		.target = lg_arena_strndup(&l->arena, target, len),
	};
}

static int walk_entry(walker *w, struct archive *a, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	if (!name)
		return walk_fail(w, "entry %zu: name cannot be read", w->layer->nentries + 1);
	size_t len = strlen(name);
	if (len > MAX_NAME)
		return walk_fail(w, "entry name longer than %d bytes", MAX_NAME);
	bool escaped;
	lg_path_normalize(name, len, &w->name, &escaped);
	if (escaped) {
		lg_buf esc = LG_BUF_INIT;
		lg_buf_append_escaped(&esc, name, len);
		add_warning(w->layer, "entry \"%s\" tries to leave the root; scanned as %s",
			    esc.data, w->name.data);
		lg_buf_free(&esc);
	}
	uint8_t type = classify_entry(w, e);
	uint32_t entry = add_entry(w, w->name.data, w->name.len, type);
	if (type == LG_ENTRY_OTHER)
		keep_link(w, e, entry);
	if (type != LG_ENTRY_FILE)
		return 0;
	int r = add_file(w, a, e, entry, escaped, name);
	if (r == -2)
		return -1; /* a nested archive's error names the file */
	if (r < 0) {
		walk_fail(w, "%s", archive_error_string(a));
		return lg_err_prefix(w->err, "entry %s", w->layer->entries[entry].path);
	}
	return 0;
}

/* A tar number field: octal (NUL- or space-padded), or base-256. */
static uint64_t tar_number(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	if (*p & 0x80) {
		for (size_t i = 1; i < n; i++)
			v = v << 8 | p[i];
		return v;
	}
	size_t i = 0;
	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v << 3 | (uint64_t)(p[i] - '0');
	return v;
}

/* The name a pax record gives (path, linkpath, GNU.sparse.name) with a
 * NUL byte inside: libarchive would cut the name there, silently. */
static const char *pax_nul_name(const char *r, size_t n)
{
	static const char *const keys[] = { "path", "linkpath", "GNU.sparse.name" };
	size_t i = 0;
	while (i < n) {
		size_t len = 0, j = i;
		while (j < n && r[j] >= '0' && r[j] <= '9' && len < n)
			len = len * 10 + (size_t)(r[j++] - '0');
		if (j >= n || r[j] != ' ' || len <= j - i || len > n - i)
			return NULL; /* malformed: libarchive warns, which fails the walk */
		const char *key = r + j + 1, *end = r + i + len - 1; /* at '\n' */
		const char *eq = memchr(key, '=', (size_t)(end - key));
		for (size_t k = 0; eq && k < LG_ARRAY_LEN(keys); k++)
			if ((size_t)(eq - key) == strlen(keys[k]) &&
			    memcmp(key, keys[k], strlen(keys[k])) == 0 &&
			    memchr(eq + 1, '\0', (size_t)(end - eq - 1)))
				return keys[k];
		i += len;
	}
	return NULL;
}

/* Re-read the header blocks of the entry libarchive just returned (pax
 * extended headers included) from the ring, and refuse a name with a NUL
 * byte in it rather than let it turn into another path. */
static int check_headers(walker *w, struct archive *a)
{
	uint64_t pos = (uint64_t)archive_read_header_position(a);
	uint64_t end = (uint64_t)archive_filter_bytes(a, 0);
	while (pos + 512 <= end) {
		unsigned char h[512];
		if (!ring_get(w, pos, h, sizeof(h)))
			return walk_fail(w, "tar headers at offset %llu: too long to check",
				      (unsigned long long)pos);
		uint64_t size = tar_number(h + 124, 12);
		pos += 512;
		if (h[156] == 'x' || h[156] == 'X') {
			if (size > RING / 2)
				return walk_fail(w, "pax header at offset %llu: %llu bytes is too "
					      "long", (unsigned long long)pos - 512,
					      (unsigned long long)size);
			lg_buf_reset(&w->pax);
			lg_xgrow((void **)&w->pax.data, &w->pax.cap, (size_t)size + 1, 1);
			if (!ring_get(w, pos, w->pax.data, (size_t)size))
				return walk_fail(w, "pax header at offset %llu: too long to check",
					      (unsigned long long)pos - 512);
			const char *key = pax_nul_name(w->pax.data, (size_t)size);
			if (key)
				return walk_fail(w, "pax header at offset %llu: a NUL byte inside "
					      "its %s: a hostile name, refused",
					      (unsigned long long)pos - 512, key);
		}
		pos += (size + 511) / 512 * 512;
	}
	return 0;
}

static int walk_tar(walker *w, struct archive *a)
{
	for (;;) {
		struct archive_entry *e;
		/* the next header starts at or after what is consumed */
		la_int64_t at = archive_filter_bytes(a, 0);
		w->keep_from = at < 0 ? 0 : (uint64_t)at;
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF) {
			w->keep_from = UINT64_MAX;
			return 0;
		}
		if (r == ARCHIVE_RETRY) {
			/* libarchive would skip the block and resync: the
			 * entries it skips would go unscanned. */
			return walk_fail(w, "bad tar header checksum at offset %lld: %s",
				      (long long)archive_filter_bytes(a, 0) - 512,
				      archive_error_string(a));
		}
		/* archive_policy.h: only owner-name warnings are read past. */
		if (r == ARCHIVE_WARN && lg_archive_warning_ok(archive_error_string(a))) {
			add_warning(w->layer, "%s", archive_error_string(a));
		} else if (r != ARCHIVE_OK) {
			return walk_fail(w, "tar header at offset %lld: %s",
					 (long long)archive_read_header_position(a),
					 archive_error_string(a));
		}
		if (check_headers(w, a) < 0)
			return -1;
		w->keep_from = UINT64_MAX; /* content: nothing to keep */
		if (walk_entry(w, a, e) < 0)
			return -1;
		if (w->cut_tail)
			return 0;
	}
}

/* After the tar ends: read the rest of both streams so both digests cover
 * every byte, then compare them. */
static int finish(walker *w)
{
	if (w->outer || w->gz) {
		la_ssize_t n;
		const void *unused;
		struct archive *scratch = archive_read_new(); /* for error strings */
		while ((n = diff_cb(scratch, w, &unused)) > 0)
			;
		archive_read_free(scratch);
		if (n < 0)
			return -1;
	}
	if (lg_blob_finish(w->blob, w->err) < 0)
		return -1;
	if (w->blob_settled)
		*w->blob_settled = lg_blob_settled(w->blob, w->blob_id);
	if (!w->outer && !w->gz)
		w->layer->tar_bytes = lg_blob_offset(w->blob);
	char got[sizeof(w->desc->diff_id.str)];
	if (w->diff)
		lg_hasher_final(w->diff, got);
	else
		snprintf(got, sizeof(got), "%s", w->desc->digest.str);
	if (strcmp(got, w->desc->diff_id.str) != 0)
		return walk_fail(w, "uncompressed content hashes to %s, but the config's diff_id is %s",
			      got, w->desc->diff_id.str);
	if (w->cut_tail || w->trailing_zeros < TAR_END_BYTES)
		add_warning(w->layer, "the tar stream ends without its end-of-archive blocks "
			    "(as umoci 0.4 writes); every entry it holds was read in full");
	return 0;
}

static int scan(walker *w, lg_input *in)
{
	const lg_layer_desc *d = w->desc;
	if (d->size == 0)
		return walk_fail(w, "layer blob is empty (0 bytes): not a tar archive");
	/* A docker-archive layer (by path) is checked through its diff_id. */
	const lg_digest *check = d->path ? NULL : &d->digest;
	if (lg_blob_open(in, d->path, check, d->size, &w->blob, w->err) < 0) {
		if (strstr(d->media_type, "nondistributable") || strstr(d->media_type, "foreign"))
			lg_err_prefix(w->err, "non-distributable layer (%s): its blob must be "
				      "present to be scanned", d->media_type);
		return -1;
	}
	bool compressed = d->compression != LG_COMP_NONE;
	/* The whole blob of an uncompressed layer is its tar stream. */
	if (!compressed && w->max_bytes && (uint64_t)d->size > w->max_bytes)
		return walk_fail(w, "more than %llu uncompressed bytes (--max-bytes)",
			      (unsigned long long)w->max_bytes);
	if (compressed || d->path || d->diff_id.alg != d->digest.alg)
		w->diff = lg_hasher_new(d->diff_id.alg);
	if (compressed && open_decompressor(w) < 0)
		return -1;
	if (!compressed && w->diff)
		return walk_fail(w, "uncompressed layer with a diff_id of another algorithm is not supported");
	struct archive *a = open_inner(w);
	if (!a)
		return -1;
	int r = walk_tar(w, a);
	archive_read_free(a);
	w->tar = NULL;
	if (r < 0)
		return -1;
	return finish(w);
}

int lg_layer_scan(lg_input *in, const lg_layer_desc *desc,
		  const lg_rules *rules, lg_layer **out, lg_error *err)
{
	return lg_layer_scan_with(in, desc, rules, NULL, out, err);
}

int lg_layer_scan_with(lg_input *in, const lg_layer_desc *desc, const lg_rules *rules,
		       const lg_walk_options *opts, lg_layer **out, lg_error *err)
{
	walker w = {
		.layer = lg_xcalloc(1, sizeof(lg_layer)),
		.desc = desc,
		.err = err,
		.xxh = XXH3_createState(),
		.buf = lg_xmalloc(READ_BUF),
		.ring = lg_xmalloc(RING),
		.rules = rules,
		.ntext_rules = rules ? lg_rules_text_count(rules) : 0,
		.nuser_text = rules ? lg_rules_user_text_count(rules) : 0,
	};
	if (w.ntext_rules)
		w.head = lg_xmalloc(LG_TEXT_HEAD);
	/* Members expand to at most NESTED_FACTOR times the blob (1 GiB for
	 * a blob of up to 16 MiB): a zip bomb stops there. */
	uint64_t blob = (uint64_t)desc->size > NESTED_FLOOR ? (uint64_t)desc->size : NESTED_FLOOR;
	w.nested = lg_nested_new(&(lg_nested_limits){ .max_bytes = NESTED_FACTOR * blob });
	w.max_holes = HOLES_FACTOR * ((uint64_t)desc->size > GIB ? (uint64_t)desc->size : GIB);
	if (opts) {
		w.max_bytes = opts->max_bytes;
		w.read_bytes = opts->read_bytes;
		w.blob_settled = opts->blob_settled;
		w.blob_id = opts->blob_id;
		if (opts->fingerprints)
			w.fpm = lg_fpmatcher_new(opts->fingerprints);
		if (opts->file_hashes) {
			w.sha1 = EVP_MD_CTX_new();
			w.sha256 = EVP_MD_CTX_new();
			if (!w.sha1 || !w.sha256) {
				fputs("licgate: out of memory\n", stderr);
				exit(2);
			}
		}
	}
	if (!w.xxh)
		lg_oom();
	choose_sinks(&w);
	int r = scan(&w, in);
	if (r == 0)
		lg_evidence_resolve_indexed(w.layer, &w.by_path);
	if (w.outer)
		archive_read_free(w.outer);
	lg_inflate_free(w.gz);
	lg_nested_free(w.nested);
	lg_blob_free(w.blob);
	lg_fpmatcher_free(w.fpm);
	lg_hasher_free(w.diff);
	lg_strmap_free(&w.by_path);
	lg_strmap_free(&w.file_tags);
	XXH3_freeState(w.xxh);
	EVP_MD_CTX_free(w.sha1);
	EVP_MD_CTX_free(w.sha256);
	lg_buf_free(&w.name);
	lg_buf_free(&w.capture);
	lg_buf_free(&w.pax);
	free(w.ring);
	free(w.buf);
	free(w.head);
	if (r < 0) {
		lg_layer_free(w.layer);
		return -1;
	}
	*out = w.layer;
	return 0;
}

void lg_layer_free(lg_layer *layer)
{
	if (!layer)
		return;
	lg_arena_free(&layer->arena);
	free(layer->backing);
	free(layer->files);
	free(layer->entries);
	free(layer->tags);
	free(layer->texts);
	free(layer->text_lines);
	free(layer->packages);
	free(layer->captures);
	free(layer->links);
	free(layer->fpmatches);
	free(layer->hashes);
	for (size_t i = 0; i < layer->nwarnings; i++)
		free(layer->warnings[i]);
	free(layer->warnings);
	free(layer);
}
