/* layer_nested.c - see layer_nested.h */
#include "layer_nested.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <brotli/decode.h>

#include "archive_policy.h"
#include "util.h"

#define MAX_NAME (64 * 1024)
#define SPOOL_BLOCK (64 * 1024)

enum tee_state {
	TEE_OFF,      /* not an archive (or not started): bytes pass by */
	TEE_SNIFFING, /* the head is not complete yet */
	TEE_KEEPING,  /* an archive: every byte is kept */
};

/* The copy of the file being read at one depth. */
typedef struct level {
	enum tee_state state;
	enum lg_nested_kind kind;
	unsigned char *mem; /* up to limits.mem_bytes */
	size_t len;
	int fd;             /* the spool past mem, or -1 */
	uint64_t spooled;   /* bytes in fd */
	lg_buf path;        /* a member's joined path (this level's walk) */
	bool br_name;       /* named *.br: brotli has no signature */
} level;

struct lg_nested {
	lg_nested_limits lim;
	unsigned depth;
	uint64_t members, bytes;
	level *lv; /* max_depth + 1 levels */
};

static bool has(const unsigned char *p, size_t n, size_t at, const char *magic, size_t m)
{
	return n >= at + m && memcmp(p + at, magic, m) == 0;
}

enum lg_nested_kind lg_nested_sniff(const void *head, size_t n)
{
	const unsigned char *p = head;
	/* a local file header, an empty archive's end record, or a
	 * spanned archive's marker */
	if (has(p, n, 0, "PK\3\4", 4) || has(p, n, 0, "PK\5\6", 4) || has(p, n, 0, "PK\7\10PK", 6))
		return LG_NESTED_ZIP;
	if (has(p, n, 257, "ustar", 5))
		return LG_NESTED_TAR;
	if (has(p, n, 0, "070701", 6) || has(p, n, 0, "070702", 6) || has(p, n, 0, "070707", 6))
		return LG_NESTED_CPIO;
	if (has(p, n, 0, "!<arch>\n", 8))
		return LG_NESTED_AR;
	if (has(p, n, 0, "7z\xbc\xaf\x27\x1c", 6))
		return LG_NESTED_7ZIP;
	if (has(p, n, 0, "Rar!\x1a\x07\x00", 7) || has(p, n, 0, "Rar!\x1a\x07\x01\x00", 8))
		return LG_NESTED_RAR;
	if (has(p, n, 0, "MSCF\0\0\0\0", 8))
		return LG_NESTED_CAB;
	if (has(p, n, 0, "\x1f\x8b\x08", 3) || has(p, n, 0, "\x28\xb5\x2f\xfd", 4) ||
	    has(p, n, 0, "\xfd" "7zXZ\0", 6) ||
	    (has(p, n, 0, "BZh", 3) && n > 3 && p[3] >= '1' && p[3] <= '9'))
		return LG_NESTED_COMPRESSED;
	return LG_NESTED_NONE;
}

lg_nested *lg_nested_new(const lg_nested_limits *limits)
{
	lg_nested *n = lg_xcalloc(1, sizeof(*n));
	n->lim = (lg_nested_limits){ LG_NESTED_MAX_DEPTH, LG_NESTED_MAX_MEMBERS,
				     LG_NESTED_MAX_BYTES, LG_NESTED_MEM };
	if (limits) {
		if (limits->max_depth)
			n->lim.max_depth = limits->max_depth;
		if (limits->max_members)
			n->lim.max_members = limits->max_members;
		if (limits->max_bytes)
			n->lim.max_bytes = limits->max_bytes;
		if (limits->mem_bytes)
			n->lim.mem_bytes = limits->mem_bytes < LG_NESTED_SNIFF ? LG_NESTED_SNIFF
										 : limits->mem_bytes;
	}
	n->lv = lg_xcalloc(n->lim.max_depth + 1, sizeof(*n->lv));
	for (unsigned i = 0; i <= n->lim.max_depth; i++)
		n->lv[i].fd = -1;
	return n;
}

static void level_release(level *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->spooled = 0;
	l->len = 0;
	l->state = TEE_OFF;
}

void lg_nested_free(lg_nested *n)
{
	if (!n)
		return;
	for (unsigned i = 0; i <= n->lim.max_depth; i++) {
		level_release(&n->lv[i]);
		free(n->lv[i].mem);
		lg_buf_free(&n->lv[i].path);
	}
	free(n->lv);
	free(n);
}

unsigned lg_nested_depth(const lg_nested *n)
{
	return n->depth;
}

void lg_nested_start(lg_nested *n, const char *path, size_t len)
{
	level *l = &n->lv[n->depth];
	level_release(l);
	l->state = TEE_SNIFFING;
	l->br_name = len > 3 && memcmp(path + len - 3, ".br", 3) == 0;
	if (!l->mem)
		l->mem = lg_xmalloc(n->lim.mem_bytes);
}

static int spool(level *l, const void *p, size_t len, lg_error *err)
{
	if (l->fd < 0) {
		const char *dir;
		l->fd = lg_temp_file(&dir);
		if (l->fd < 0)
			return lg_err_errno(err, errno, "cannot create a temporary file in %s", dir);
	}
	if (lg_write_all(l->fd, p, len) < 0)
		return lg_err_errno(err, errno, "cannot spool an archive to a temporary file");
	l->spooled += len;
	return 0;
}

int lg_nested_feed(lg_nested *n, const void *data, size_t len, lg_error *err)
{
	level *l = &n->lv[n->depth];
	if (l->state == TEE_OFF || len == 0)
		return 0;
	const unsigned char *p = data;
	size_t room = n->lim.mem_bytes - l->len;
	size_t k = len < room ? len : room;
	memcpy(l->mem + l->len, p, k);
	l->len += k;
	if (l->state == TEE_SNIFFING) {
		if (l->len < LG_NESTED_SNIFF)
			return 0;
		l->kind = lg_nested_sniff(l->mem, l->len);
		if (l->kind == LG_NESTED_NONE && l->br_name)
			l->kind = LG_NESTED_BROTLI;
		if (l->kind == LG_NESTED_NONE) {
			l->state = TEE_OFF;
			return 0;
		}
		l->state = TEE_KEEPING;
	}
	if (k < len && spool(l, p + k, len - k, err) < 0) {
		l->state = TEE_OFF;
		return -1;
	}
	return 0;
}

int lg_nested_count(lg_nested *n, uint64_t bytes, lg_error *err)
{
	n->bytes += bytes;
	if (n->bytes <= n->lim.max_bytes)
		return 0;
	return lg_err(err, "archive members expand to more than %llu bytes in one layer "
		      "(limit)", (unsigned long long)n->lim.max_bytes);
}

void lg_nested_join(const char *c, size_t clen, const char *m, size_t mlen, lg_buf *out,
		    bool *escaped)
{
	lg_buf norm = LG_BUF_INIT;
	lg_path_normalize(m, mlen, &norm, escaped);
	lg_buf_reset(out);
	lg_buf_append(out, c, clen);
	lg_buf_append(out, "!", 1);
	/* norm starts with '/'; the root ("/") is a single compressed file */
	lg_buf_append(out, norm.data, norm.len);
	lg_buf_free(&norm);
}

/* ---- reading the copy ------------------------------------------------ */

typedef struct source {
	level *l;
	uint64_t pos;
	unsigned char buf[SPOOL_BLOCK];
	/* brotli: the decoder between the copy and libarchive's raw reader */
	BrotliDecoderState *br;
	const uint8_t *in;
	size_t avail_in;
	bool br_done;
	unsigned char out[SPOOL_BLOCK];
} source;

static uint64_t source_size(const source *s)
{
	return s->l->len + s->l->spooled;
}

static la_ssize_t source_read(struct archive *a, void *ud, const void **out)
{
	source *s = ud;
	const level *l = s->l;
	if (s->pos < l->len) {
		*out = l->mem + s->pos;
		size_t n = l->len - (size_t)s->pos;
		s->pos += n;
		return (la_ssize_t)n;
	}
	if (s->pos >= source_size(s))
		return 0;
	ssize_t r;
	do
		r = pread(l->fd, s->buf, sizeof(s->buf), (off_t)(s->pos - l->len));
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		archive_set_error(a, errno, "cannot read the spooled archive");
		return -1;
	}
	s->pos += (uint64_t)r;
	*out = s->buf;
	return r;
}

static la_int64_t source_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
	(void)a;
	source *s = ud;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)s->pos
								    : (int64_t)source_size(s);
	int64_t to = base + off;
	if (to < 0)
		return ARCHIVE_FATAL;
	s->pos = (uint64_t)to > source_size(s) ? source_size(s) : (uint64_t)to;
	return (la_int64_t)s->pos;
}

static la_int64_t source_skip(struct archive *a, void *ud, la_int64_t request)
{
	source *s = ud;
	uint64_t before = s->pos;
	source_seek(a, ud, request, SEEK_CUR);
	return (la_int64_t)(s->pos - before);
}

static struct archive *open_reader(source *s, lg_error *err)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_zip_seekable(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a); /* foo.1.gz of an empty foo.1 */
	if (lg_archive_filters(a, LG_FILTER_GZIP | LG_FILTER_ZSTD | LG_FILTER_XZ | LG_FILTER_BZIP2,
			       err) < 0) {
		archive_read_free(a);
		return NULL;
	}
	archive_read_set_callback_data(a, s);
	archive_read_set_read_callback(a, source_read);
	archive_read_set_seek_callback(a, source_seek);
	archive_read_set_skip_callback(a, source_skip);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		lg_err(err, "unreadable archive: %s", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Copy n bytes at off of the copy; false when they are not all there. */
static bool read_at(const level *l, uint64_t off, void *out, size_t n)
{
	if (off + n > l->len + l->spooled)
		return false;
	unsigned char *o = out;
	if (off < l->len) {
		size_t k = l->len - (size_t)off < n ? l->len - (size_t)off : n;
		memcpy(o, l->mem + off, k);
		o += k;
		n -= k;
		off += k;
	}
	return n == 0 || pread(l->fd, o, n, (off_t)(off - l->len)) == (ssize_t)n;
}

static uint64_t le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The number of entries a zip's end of central directory record (or its
 * zip64 record) lists, or UINT64_MAX when there is none to be found. */
static uint64_t zip_listed(const level *l)
{
	uint64_t size = l->len + l->spooled;
	unsigned char tail[22 + 65535];
	size_t n = size < sizeof(tail) ? (size_t)size : sizeof(tail);
	if (n < 22 || !read_at(l, size - n, tail, n))
		return UINT64_MAX;
	for (size_t i = n - 22 + 1; i-- > 0;) {
		if (memcmp(tail + i, "PK\5\6", 4) != 0)
			continue;
		uint64_t total = le(tail + i + 10, 2);
		if (total != 0xffff)
			return total;
		unsigned char loc[20], rec[56];
		uint64_t at = size - n + i;
		if (at < 20 || !read_at(l, at - 20, loc, 20) || memcmp(loc, "PK\6\7", 4) != 0 ||
		    !read_at(l, le(loc + 8, 8), rec, 56) || memcmp(rec, "PK\6\6", 4) != 0)
			return UINT64_MAX;
		return le(rec + 32, 8);
	}
	return UINT64_MAX;
}

/* A block of the brotli stream's content: the decoder pulls the copy. */
static la_ssize_t brotli_read(struct archive *a, void *ud, const void **out)
{
	source *s = ud;
	size_t avail_out = sizeof(s->out);
	uint8_t *next = s->out;
	while (!s->br_done && avail_out == sizeof(s->out)) {
		if (!s->avail_in) {
			const void *p;
			la_ssize_t n = source_read(a, s, &p);
			if (n < 0)
				return -1;
			s->in = p;
			s->avail_in = (size_t)n;
		}
		size_t had = s->avail_in;
		BrotliDecoderResult r = BrotliDecoderDecompressStream(s->br, &s->avail_in, &s->in,
								      &avail_out, &next, NULL);
		if (r == BROTLI_DECODER_RESULT_ERROR) {
			archive_set_error(a, EINVAL, "not a brotli stream: %s",
					  BrotliDecoderErrorString(BrotliDecoderGetErrorCode(s->br)));
			return -1;
		}
		if (r == BROTLI_DECODER_RESULT_SUCCESS) {
			s->br_done = true;
			if (s->avail_in || s->pos < source_size(s)) {
				archive_set_error(a, EINVAL, "data after the end of the brotli stream");
				return -1;
			}
		} else if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT && had == 0) {
			archive_set_error(a, EINVAL, "truncated brotli stream");
			return -1;
		}
	}
	*out = s->out;
	return (la_ssize_t)(sizeof(s->out) - avail_out);
}

/* A *.br file: brotli has no signature, so its name says to try, and a
 * stream that does not decode is an unreadable archive. */
static struct archive *open_brotli(source *s, lg_error *err)
{
	s->br = BrotliDecoderCreateInstance(NULL, NULL, NULL);
	if (!s->br) {
		fputs("licgate: out of memory\n", stderr);
		exit(2);
	}
	struct archive *a = archive_read_new();
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);
	if (archive_read_open(a, s, NULL, brotli_read, NULL) != ARCHIVE_OK) {
		lg_err(err, "unreadable archive: brotli: %s", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* One header: 1 an entry, 0 the end, -1 an error (err set). */
static int next(struct archive *a, struct archive_entry **e, lg_error *err)
{
	int r = archive_read_next_header(a, e);
	if (r == ARCHIVE_EOF)
		return 0;
	/* WARN: a header read, but not all of it (a name that could not be
	 * converted...): the member may not be what it claims. */
	if (r != ARCHIVE_OK)
		return lg_err(err, "unreadable archive: %s", archive_error_string(a));
	return 1;
}

static int walk_members(lg_nested *n, level *l, struct archive *a, const char *path,
			size_t len, lg_nested_member_fn fn, void *ud, lg_error *err)
{
	level *mine = &n->lv[n->depth];
	struct archive_entry *e;
	int r;
	bool first = true;
	uint64_t headers = 0;
	while ((r = next(a, &e, err)) > 0) {
		headers++;
		bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
		if (first && raw && archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE &&
		    l->kind != LG_NESTED_BROTLI)
			return lg_err(err, "unreadable archive: a %s signature, but no archive",
				      l->kind == LG_NESTED_ZIP ? "zip" : "archive");
		first = false;
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		const char *name = raw ? "" : archive_entry_pathname(e);
		if (!name)
			return lg_err(err, "member %llu: name cannot be read",
				      (unsigned long long)n->members + 1);
		size_t mlen = strlen(name);
		if (mlen > MAX_NAME)
			return lg_err(err, "a member name longer than %d bytes", MAX_NAME);
		if (++n->members > n->lim.max_members)
			return lg_err(err, "more than %llu archive members in one layer (limit)",
				      (unsigned long long)n->lim.max_members);
		bool escaped;
		lg_nested_join(path, len, name, mlen, &mine->path, &escaped);
		if (fn(ud, mine->path.data, mine->path.len, escaped, a, e) < 0)
			return -2; /* the callback's error names the member */
	}
	/* libarchive reads each local file of a zip once, whatever number
	 * of central directory entries point at it: an alias would hide a
	 * name from the path rules. */
	uint64_t listed;
	if (r == 0 && archive_format(a) == ARCHIVE_FORMAT_ZIP &&
	    (listed = zip_listed(l)) != UINT64_MAX && listed != headers)
		return lg_err(err, "unreadable archive: its central directory lists %llu entries, "
			      "%llu of them distinct (overlapping entries)",
			      (unsigned long long)listed, (unsigned long long)headers);
	return r;
}

int lg_nested_walk(lg_nested *n, const char *path, size_t len, lg_nested_member_fn fn,
		   void *ud, lg_error *err)
{
	level *l = &n->lv[n->depth];
	if (l->state == TEE_SNIFFING) { /* shorter than LG_NESTED_SNIFF */
		l->kind = lg_nested_sniff(l->mem, l->len);
		if (l->kind == LG_NESTED_NONE && l->br_name)
			l->kind = LG_NESTED_BROTLI;
	}
	bool archive = l->state != TEE_OFF && l->kind != LG_NESTED_NONE;
	l->state = TEE_OFF;
	if (!archive) {
		level_release(l);
		return 0;
	}
	if (n->depth >= n->lim.max_depth) {
		level_release(l);
		return lg_err(err, "%.*s: archives nested more than %u deep (limit)", (int)len,
			      path, n->lim.max_depth);
	}
	source *s = lg_xcalloc(1, sizeof(*s));
	s->l = l;
	int r = -1;
	struct archive *a = l->kind == LG_NESTED_BROTLI ? open_brotli(s, err) : open_reader(s, err);
	if (a) {
		n->depth++;
		r = walk_members(n, l, a, path, len, fn, ud, err);
		n->depth--;
		archive_read_free(a);
	}
	if (s->br)
		BrotliDecoderDestroyInstance(s->br);
	free(s);
	level_release(l);
	if (r == -1)
		lg_err_prefix(err, "%.*s", (int)len, path);
	return r < 0 ? -1 : 0;
}
