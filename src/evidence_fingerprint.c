/* evidence_fingerprint.c - see evidence_fingerprint.h
 *
 * Lookups: every fingerprint's hash of the set sits in one array sorted
 * by hash (its source file and lines in another, read only on a hit),
 * with a directory over the top bits of the hash (about four entries per
 * slot) behind a filter of 8 bits or more per entry, so a layer file's
 * fingerprint costs one read of the filter when it is not in the set.
 * A set file holds its fingerprints in that order, as the two arrays a
 * scan uses: it is mapped, checked in one pass and used in place (on a
 * little-endian machine; no copy, no sort), and the directory and filter
 * are made in one more (sets given together are merged).
 * Exact and normalized hashes are sorted arrays with a directory over
 * their first bits, searched once per file.
 * The entries of one hash are a run; a matcher looks at a run once per
 * file (a small set of the runs met, with stamps: no clearing between
 * files) and counts each source file's fingerprint once.
 */
#include "evidence_fingerprint.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#define MAGIC "LGFPSET\n"
#define MAX_SET (512u << 20)
/* Hits a matcher keeps per file to report line ranges. */
#define MAX_HITS 4096
/* Fingerprints looked up together: the filter and directory reads of a
 * batch are prefetched first, so their cache misses overlap. */
#define BATCH 64

typedef struct fpfile {
	char *path;
	char *class_name;
	uint8_t exact[16];
	uint8_t normalized[16];
	uint64_t tokens;
	lg_fp *fps;   /* making a set only; a decoded set's are its entries */
	size_t nfps;
} fpfile;

/* One fingerprint of a source file, as a set file lists them: sorted by
 * (hash, file, line). */
typedef struct entry {
	uint64_t hash;
	uint32_t file;
	uint32_t line, line_end;
} entry;

/* The same in a set in use: its hash in keys[], the rest here. */
typedef struct source_fp {
	uint32_t file;
	uint32_t line, line_end;
} source_fp;

typedef struct hentry {
	uint8_t hash[16];
	uint32_t file;
} hentry;

/* The files' exact or normalized hashes, sorted, with a directory over
 * their first bits: a search per file of every layer reads a slot and an
 * entry or two, not log2(n) entries across the array. */
typedef struct hindex {
	hentry *v;
	size_t n;
	uint32_t *dir; /* (1 << bits) + 1 places in v */
	unsigned bits;
} hindex;

struct lg_fpset {
	char *rules_name, *rules_digest, *target, *prefix;
	unsigned k, w, min_tokens;
	fpfile *files;
	size_t nfiles, files_cap;
	/* making: what the tree's other files hold */
	uint64_t *allow;
	size_t nallow, allow_cap;
	hentry *allow_h;
	size_t nallow_h, allow_h_cap;
	/* using */
	uint32_t nfps;
	uint64_t *keys;  /* every fingerprint's hash, sorted: what lookups scan */
	source_fp *src;  /* and its source, in the same order */
	/* The set file keys and src are in, when they are (one set, read
	 * in place on a little-endian machine): unmapped or freed with the
	 * set, and keys and src then are not freed.  NULL: they are
	 * allocated. */
	void *backing;
	size_t backing_len;
	bool backing_mapped;
	uint32_t *dir; /* (1 << dir_bits) + 1 offsets into keys */
	unsigned dir_bits;
	uint64_t *filter; /* 1 << filter_bits words, a Bloom filter blocked by
			   * word: a hash's top bits pick a word, three of its
			   * low 18 bits three bits in it; 8 to 16 bits per
			   * entry, so a miss costs one read (and passes about
			   * one time in 30) */
	unsigned filter_bits;
	hindex exact, normalized; /* the files' hashes */
	XXH3_state_t *digest_state;
	char digest[8 + 32 + 1];
};

const char *lg_fpmatch_kind_name(enum lg_fpmatch_kind k)
{
	switch (k) {
	case LG_FPM_EXACT:
		return "exact";
	case LG_FPM_NORMALIZED:
		return "normalized";
	case LG_FPM_PARTIAL:
		return "partial";
	default:
		return "none";
	}
}

static lg_fpset *set_alloc(void)
{
	lg_fpset *s = lg_xcalloc(1, sizeof(*s));
	s->k = LG_FP_K;
	s->w = LG_FP_W;
	s->min_tokens = LG_FP_MIN_TOKENS;
	return s;
}

lg_fpset *lg_fpset_new(const char *rules_name, const char *rules_digest, const char *target,
		       const char *prefix)
{
	lg_fpset *s = set_alloc();
	s->rules_name = lg_xstrdup(rules_name);
	s->rules_digest = lg_xstrdup(rules_digest);
	s->target = lg_xstrdup(target);
	s->prefix = lg_xstrdup(prefix);
	return s;
}

void lg_fpset_add(lg_fpset *s, const char *path, const char *class_name,
		  const uint8_t exact[16], const uint8_t normalized[16], uint64_t tokens,
		  const lg_fp *fps, size_t nfps)
{
	lg_xgrow((void **)&s->files, &s->files_cap, s->nfiles + 1, sizeof(*s->files));
	fpfile *f = &s->files[s->nfiles++];
	*f = (fpfile){
		.path = lg_xstrdup(path),
		.class_name = lg_xstrdup(class_name),
		.tokens = tokens,
		.nfps = nfps,
	};
	memcpy(f->exact, exact, 16);
	memcpy(f->normalized, normalized, 16);
	f->fps = lg_xmalloc((nfps ? nfps : 1) * sizeof(*f->fps));
	if (nfps)
		memcpy(f->fps, fps, nfps * sizeof(*fps));
}

void lg_fpset_allow(lg_fpset *s, const uint8_t exact[16], const uint8_t normalized[16],
		    const uint64_t *grams, size_t ngrams)
{
	lg_xgrow((void **)&s->allow, &s->allow_cap, s->nallow + ngrams, sizeof(*s->allow));
	if (ngrams)
		memcpy(s->allow + s->nallow, grams, ngrams * sizeof(*grams));
	s->nallow += ngrams;
	lg_xgrow((void **)&s->allow_h, &s->allow_h_cap, s->nallow_h + 2, sizeof(*s->allow_h));
	hentry *h = &s->allow_h[s->nallow_h];
	memcpy(h[0].hash, exact, 16);
	memcpy(h[1].hash, normalized, 16);
	s->nallow_h += 2;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_hentry(const void *a, const void *b)
{
	const hentry *x = a, *y = b;
	int c = memcmp(x->hash, y->hash, 16);
	return c ? c : x->file < y->file ? -1 : x->file > y->file;
}

static int cmp_entry(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const fpfile *)a)->path, ((const fpfile *)b)->path);
}

static bool in_u64(const uint64_t *v, size_t n, uint64_t x)
{
	return n && bsearch(&x, v, n, sizeof(*v), cmp_u64);
}

static bool in_hashes(const hentry *v, size_t n, const uint8_t h[16])
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(v[mid].hash, h, 16);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static const uint8_t ZERO[16];

typedef struct seen_fp {
	uint64_t hash;
	size_t at;
} seen_fp;

static int cmp_seen(const void *a, const void *b)
{
	const seen_fp *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Drop from f what other files hold, and repeats of a hash in f (the
 * first kept, the order kept: a sort of (hash, place) finds them). */
static void filter_file(const lg_fpset *s, fpfile *f, lg_buf *seen_buf)
{
	if (in_hashes(s->allow_h, s->nallow_h, f->exact))
		memset(f->exact, 0, 16);
	if (f->tokens < s->min_tokens || in_hashes(s->allow_h, s->nallow_h, f->normalized))
		memset(f->normalized, 0, 16);
	if (f->tokens < s->min_tokens)
		f->nfps = 0;
	lg_buf_reset(seen_buf);
	for (size_t i = 0; i < f->nfps; i++) {
		seen_fp e = { f->fps[i].hash, i };
		lg_buf_append(seen_buf, &e, sizeof(e));
	}
	seen_fp *v = (seen_fp *)(void *)seen_buf->data;
	if (f->nfps)
		qsort(v, f->nfps, sizeof(*v), cmp_seen);
	for (size_t i = 0; i < f->nfps; i++)
		if ((i > 0 && v[i].hash == v[i - 1].hash) || in_u64(s->allow, s->nallow, v[i].hash))
			f->fps[v[i].at].line_end = f->fps[v[i].at].line - 1; /* dropped */
	size_t n = 0;
	for (size_t i = 0; i < f->nfps; i++)
		if (f->fps[i].line_end >= f->fps[i].line)
			f->fps[n++] = f->fps[i];
	f->nfps = n;
}

/* ---- encoding ---- */

static void put32(lg_buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	lg_buf_append(b, p, 4);
}

static void put64(lg_buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void put_str(lg_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	put32(b, (uint32_t)n);
	lg_buf_append(b, s ? s : "", n);
}

void lg_fpset_encode(lg_fpset *s, lg_buf *out)
{
	if (s->nallow)
		qsort(s->allow, s->nallow, sizeof(*s->allow), cmp_u64);
	if (s->nallow_h)
		qsort(s->allow_h, s->nallow_h, sizeof(*s->allow_h), cmp_hentry);
	if (s->nfiles)
		qsort(s->files, s->nfiles, sizeof(*s->files), cmp_file);
	lg_buf seen = LG_BUF_INIT;
	for (size_t i = 0; i < s->nfiles; i++)
		filter_file(s, &s->files[i], &seen);
	lg_buf_free(&seen);
	size_t start = out->len;
	lg_buf_append(out, MAGIC, 8);
	put32(out, LG_FPSET_VERSION);
	put32(out, s->k);
	put32(out, s->w);
	put32(out, s->min_tokens);
	put_str(out, s->rules_name);
	put_str(out, s->rules_digest);
	put_str(out, s->target);
	put_str(out, s->prefix);
	put32(out, (uint32_t)s->nfiles);
	size_t n = 0;
	for (size_t i = 0; i < s->nfiles; i++) {
		const fpfile *f = &s->files[i];
		put_str(out, f->path);
		put_str(out, f->class_name);
		lg_buf_append(out, f->exact, 16);
		lg_buf_append(out, f->normalized, 16);
		put64(out, f->tokens);
		put32(out, (uint32_t)f->nfps);
		n += f->nfps;
	}
	/* every fingerprint in one table sorted by hash: a scan reads it
	 * straight into its lookup table, in order */
	entry *all = lg_xmalloc((n ? n : 1) * sizeof(*all));
	for (size_t i = 0, k = 0; i < s->nfiles; i++)
		for (size_t j = 0; j < s->files[i].nfps; j++, k++) {
			const lg_fp *fp = &s->files[i].fps[j];
			all[k] = (entry){ fp->hash, (uint32_t)i, fp->line, fp->line_end };
		}
	if (n)
		qsort(all, n, sizeof(*all), cmp_entry);
	put32(out, (uint32_t)n);
	while ((out->len - start) % 8)
		lg_buf_putc(out, 0);
	for (size_t k = 0; k < n; k++)
		put64(out, all[k].hash);
	for (size_t k = 0; k < n; k++) {
		put32(out, all[k].file);
		put32(out, all[k].line);
		put32(out, all[k].line_end);
	}
	free(all);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(out->data + start, out->len - start));
	lg_buf_append(out, c.digest, 16);
}

/* ---- decoding ---- */

typedef struct reader {
	const unsigned char *p, *end;
	bool bad;
} reader;

static bool need(reader *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return false;
	}
	return true;
}

static uint32_t get32(reader *r)
{
	if (!need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

static uint64_t get64(reader *r)
{
	uint64_t lo = get32(r);
	return lo | (uint64_t)get32(r) << 32;
}

static char *get_str(reader *r)
{
	uint32_t n = get32(r);
	if (!need(r, n))
		return lg_xstrdup("");
	char *s = lg_xstrndup((const char *)r->p, n);
	if (strlen(s) != n)
		r->bad = true; /* a NUL inside: not a path we made */
	r->p += n;
	return s;
}

static void get_bytes(reader *r, uint8_t *out, size_t n)
{
	if (!need(r, n)) {
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static void free_file(fpfile *f)
{
	free(f->path);
	free(f->class_name);
	free(f->fps);
}

static void read_file_record(reader *r, lg_fpset *s)
{
	fpfile f = { .path = get_str(r), .class_name = get_str(r) };
	get_bytes(r, f.exact, 16);
	get_bytes(r, f.normalized, 16);
	f.tokens = get64(r);
	f.nfps = get32(r);
	if (r->bad) {
		free_file(&f);
		return;
	}
	lg_xgrow((void **)&s->files, &s->files_cap, s->nfiles + 1, sizeof(*s->files));
	s->files[s->nfiles++] = f;
}

static inline uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* A table as a set file holds it: n hashes (u64), then n sources (u32
 * file, line, line_end). */
typedef struct table {
	const unsigned char *keys, *src;
	size_t n;
} table;

static entry table_entry(const table *t, size_t k)
{
	const unsigned char *e = t->src + 12 * k;
	return (entry){ le64(t->keys + 8 * k), le32(e), le32(e + 4), le32(e + 8) };
}

/* The table of n fingerprints of files [base, s->nfiles) at r->p: zeros
 * to a multiple of 8 bytes from the set's start, then the table.  It
 * must be sorted as lg_fpset_encode() writes it, each file with as many
 * fingerprints as its record says.  False when it is not so. */
static bool read_table(reader *r, const unsigned char *start, const lg_fpset *s, size_t base,
		       size_t n, table *t)
{
	while (!r->bad && (size_t)(r->p - start) % 8)
		if (!need(r, 1) || *r->p++ != 0)
			r->bad = true;
	if (r->bad || (size_t)(r->end - r->p) / 20 < n)
		return r->bad = true, false;
	*t = (table){ r->p, r->p + 8 * n, n };
	r->p += 20 * n;
	size_t nfiles = s->nfiles - base;
	size_t *count = lg_xcalloc(nfiles + 1, sizeof(*count));
	entry prev = { 0, 0, 0, 0 };
	for (size_t k = 0; k < n; k++) {
		entry e = table_entry(t, k);
		bool ordered = !k || prev.hash < e.hash ||
			       (prev.hash == e.hash && cmp_entry(&prev, &e) <= 0);
		if (e.file >= nfiles || e.line_end < e.line || !ordered) {
			r->bad = true;
			break;
		}
		count[e.file]++;
		prev = e;
	}
	for (size_t i = 0; i < nfiles && !r->bad; i++)
		if (count[i] != s->files[base + i].nfps)
			r->bad = true;
	free(count);
	return !r->bad;
}

/* The set file's bytes, when given to the set to keep: its tables are
 * then used where they are. */
typedef struct backing {
	void *data;
	size_t len;
	bool mapped; /* munmap(), else free() */
} backing;

static void backing_release(backing *b)
{
	if (!b->data)
		return;
	if (b->mapped)
		munmap(b->data, b->len);
	else
		free(b->data);
	b->data = NULL;
}

static void set_drop_tables(lg_fpset *s)
{
	if (s->backing) {
		backing b = { s->backing, s->backing_len, s->backing_mapped };
		backing_release(&b);
		s->backing = NULL;
	} else {
		free(s->keys);
		free(s->src);
	}
	s->keys = NULL;
	s->src = NULL;
	s->nfps = 0;
}

/* The set's table and another sorted one (keys, src, n) into one, the
 * set's first among equal hashes. */
static void merge_into(lg_fpset *s, const uint64_t *keys, const source_fp *src, size_t n)
{
	size_t na = s->nfps, total = na + n ? na + n : 1;
	uint64_t *ok = lg_xmalloc(total * sizeof(*ok));
	source_fp *os = lg_xmalloc(total * sizeof(*os));
	size_t i = 0, j = 0, k = 0;
	while (i < na || j < n) {
		bool take_b = i == na || (j < n && keys[j] < s->keys[i]);
		ok[k] = take_b ? keys[j] : s->keys[i];
		os[k++] = take_b ? src[j++] : s->src[i++];
	}
	set_drop_tables(s);
	s->keys = ok;
	s->src = os;
	s->nfps = (uint32_t)k;
}

_Static_assert(sizeof(source_fp) == 12, "a source as a set file holds it");

/* Table t of files from base on into the set: in place, when it is the
 * set's only table, the machine reads it as it is, and the set may keep
 * the bytes (*give, then taken); else copied (and merged). */
static void take_table(lg_fpset *s, const table *t, size_t base, backing *give)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (give && give->data && !s->nfps && !s->backing && base == 0 &&
	    (uintptr_t)t->keys % 8 == 0 && (uintptr_t)t->src % 4 == 0) {
		free(s->keys);
		free(s->src);
		s->keys = (uint64_t *)(uintptr_t)t->keys;
		s->src = (source_fp *)(uintptr_t)t->src;
		s->nfps = (uint32_t)t->n;
		s->backing = give->data;
		s->backing_len = give->len;
		s->backing_mapped = give->mapped;
		give->data = NULL;
		return;
	}
#endif
	size_t n = t->n;
	uint64_t *keys = lg_xmalloc((n ? n : 1) * sizeof(*keys));
	source_fp *src = lg_xmalloc((n ? n : 1) * sizeof(*src));
	for (size_t k = 0; k < n; k++) {
		entry e = table_entry(t, k);
		keys[k] = e.hash;
		src[k] = (source_fp){ e.file + (uint32_t)base, e.line, e.line_end };
	}
	if (s->nfps) {
		merge_into(s, keys, src, n);
		free(keys);
		free(src);
	} else {
		set_drop_tables(s);
		s->keys = keys;
		s->src = src;
		s->nfps = (uint32_t)n;
	}
}

static inline size_t filter_word(const lg_fpset *s, uint64_t h)
{
	return s->filter_bits ? (size_t)(h >> (64 - s->filter_bits)) : 0;
}

static inline uint64_t filter_mask(uint64_t h)
{
	return 1ull << (h & 63) | 1ull << (h >> 6 & 63) | 1ull << (h >> 12 & 63);
}

/* The first 32 bits of a hash, as memcmp() orders them. */
static inline uint32_t be32(const uint8_t *h)
{
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static void hindex_free(hindex *x)
{
	free(x->v);
	free(x->dir);
	*x = (hindex){ 0 };
}

/* The hashes at offset `field` of the set's files (but zeros: dropped). */
static void hindex_build(hindex *x, const lg_fpset *s, size_t field)
{
	hindex_free(x);
	x->v = lg_xmalloc((s->nfiles ? s->nfiles : 1) * sizeof(*x->v));
	for (size_t i = 0; i < s->nfiles; i++) {
		const uint8_t *h = (const uint8_t *)&s->files[i] + field;
		if (memcmp(h, ZERO, 16) != 0) {
			memcpy(x->v[x->n].hash, h, 16);
			x->v[x->n++].file = (uint32_t)i;
		}
	}
	qsort(x->v, x->n, sizeof(*x->v), cmp_hentry);
	x->bits = 1;
	while (x->bits < 20 && ((size_t)1 << x->bits) < x->n)
		x->bits++;
	size_t slots = (size_t)1 << x->bits;
	x->dir = lg_xmalloc((slots + 1) * sizeof(*x->dir));
	size_t k = 0;
	for (size_t slot = 0; slot < slots; slot++) {
		x->dir[slot] = (uint32_t)k;
		while (k < x->n && be32(x->v[k].hash) >> (32 - x->bits) == slot)
			k++;
	}
	x->dir[slots] = (uint32_t)x->n;
}

/* The lookup tables over s->keys (sorted): a directory over the top
 * bits of the hash (about four entries per slot) and a filter of eight
 * bits or more per entry, both in one pass in order; the exact and
 * normalized hashes of the files. */
static void build_index(lg_fpset *s)
{
	free(s->dir);
	free(s->filter);
	size_t n = s->nfps;
	unsigned lg = 1;
	while (lg < 30 && ((size_t)1 << lg) < n)
		lg++;
	s->dir_bits = lg > 3 ? lg - 2 : 1;
	s->filter_bits = lg > 3 ? lg - 3 : 0; /* a word (64 bits) per 8 entries */
	size_t slots = (size_t)1 << s->dir_bits;
	unsigned shift = 64 - s->dir_bits;
	/* counts, then their sums: no branch on how many a slot has */
	s->dir = lg_xcalloc(slots + 1, sizeof(*s->dir));
	s->filter = lg_xcalloc((size_t)1 << s->filter_bits, sizeof(*s->filter));
	for (size_t k = 0; k < n; k++) {
		s->dir[(s->keys[k] >> shift) + 1]++;
		s->filter[filter_word(s, s->keys[k])] |= filter_mask(s->keys[k]);
	}
	for (size_t slot = 0; slot < slots; slot++)
		s->dir[slot + 1] += s->dir[slot];
	hindex_build(&s->exact, s, offsetof(fpfile, exact));
	hindex_build(&s->normalized, s, offsetof(fpfile, normalized));
}

/* The digest of every set read so far, for cache keys: each set's own
 * checksum (which covers all of it) goes in. */
static void add_to_digest(lg_fpset *s, const unsigned char checksum[16])
{
	if (!s->digest_state)
		s->digest_state = XXH3_createState(), XXH3_128bits_reset(s->digest_state);
	XXH3_128bits_update(s->digest_state, checksum, 16);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(s->digest_state));
	char *d = s->digest + snprintf(s->digest, sizeof(s->digest), "xxh128:");
	for (int i = 0; i < 16; i++)
		d += sprintf(d, "%02x", c.digest[i]);
}

/* lg_fpset_decode(), the set keeping the bytes (*give) when it can use
 * them in place. */
static int decode(lg_fpset **set, const char *name, const unsigned char *data, size_t len,
		  backing *give, lg_error *err)
{
	if (len < 8 + 16 + 16 || memcmp(data, MAGIC, 8) != 0)
		return lg_err(err, "%s: not a licgate fingerprint set", name);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(data, len - 16));
	if (memcmp(c.digest, data + len - 16, 16) != 0)
		return lg_err(err, "%s: damaged fingerprint set (checksum mismatch)", name);
	reader r = { data + 8, data + len - 16, false };
	uint32_t version = get32(&r);
	if (version != LG_FPSET_VERSION)
		return lg_err(err, "%s: fingerprint set version %u; this licgate reads version %d "
			      "(make the set again with `licgate fingerprint`)", name, version,
			      LG_FPSET_VERSION);
	unsigned k = get32(&r), w = get32(&r), min_tokens = get32(&r);
	lg_fpset *s = *set ? *set : set_alloc();
	if (*set && (k != s->k || w != s->w))
		return lg_err(err, "%s: made with k=%u w=%u, unlike the sets before it", name, k, w);
	if (k < 1 || k > LG_FP_KMAX || w < 1 || w > LG_FP_WMAX)
		r.bad = true;
	char *strs[4];
	for (int i = 0; i < 4; i++)
		strs[i] = get_str(&r);
	uint32_t nfiles = get32(&r);
	size_t before = s->nfiles;
	for (uint32_t i = 0; i < nfiles && !r.bad; i++)
		read_file_record(&r, s);
	uint32_t n = get32(&r);
	if ((uint64_t)s->nfps + n > UINT32_MAX)
		r.bad = true;
	table t = { NULL, NULL, 0 };
	if (!r.bad)
		read_table(&r, data, s, before, n, &t);
	if (r.p != r.end)
		r.bad = true;
	if (r.bad) {
		for (size_t i = before; i < s->nfiles; i++)
			free_file(&s->files[i]);
		s->nfiles = before;
		for (int i = 0; i < 4; i++)
			free(strs[i]);
		if (!*set)
			lg_fpset_free(s);
		return lg_err(err, "%s: malformed fingerprint set", name);
	}
	s->k = k;
	s->w = w;
	s->min_tokens = min_tokens;
	if (!s->rules_name) {
		s->rules_name = strs[0];
		s->rules_digest = strs[1];
		s->target = strs[2];
		s->prefix = strs[3];
	} else {
		for (int i = 0; i < 4; i++)
			free(strs[i]);
	}
	add_to_digest(s, data + len - 16);
	take_table(s, &t, before, give);
	build_index(s);
	*set = s;
	return 0;
}

int lg_fpset_decode(lg_fpset **set, const char *name, const void *data, size_t len,
		    lg_error *err)
{
	return decode(set, name, data, len, NULL, err);
}

/* The file's bytes: mapped when it is a regular file (read once, by
 * the decoder, and then used in place), else read. */
static int read_set_file(FILE *f, const char *path, backing *out, lg_error *err)
{
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((uint64_t)st.st_size > MAX_SET)
			return lg_err(err, "%s: larger than %u bytes: not a fingerprint set", path,
				      MAX_SET);
		void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(f), 0);
		if (map != MAP_FAILED) {
			*out = (backing){ map, (size_t)st.st_size, true };
			return 0;
		}
	}
	lg_buf b = LG_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= MAX_SET)
		lg_buf_append(&b, chunk, n);
	if (ferror(f) || b.len > MAX_SET) {
		lg_buf_free(&b);
		if (ferror(f))
			return lg_err(err, "%s: read error", path);
		return lg_err(err, "%s: larger than %u bytes: not a fingerprint set", path, MAX_SET);
	}
	size_t len = b.len;
	*out = (backing){ len ? lg_buf_steal(&b) : NULL, len, false };
	return 0;
}

int lg_fpset_load(lg_fpset **set, const char *path, lg_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return lg_err_errno(err, errno, "%s", path);
	backing b = { 0 };
	int r = read_set_file(f, path, &b, err);
	fclose(f);
	if (r < 0)
		return r;
	r = decode(set, path, b.data ? b.data : (const unsigned char *)"", b.len, &b, err);
	backing_release(&b); /* unless the set took it */
	return r;
}

const char *lg_fpset_digest(const lg_fpset *s)
{
	return s->digest;
}

const char *lg_fpset_rules_digest(const lg_fpset *s)
{
	return s->rules_digest ? s->rules_digest : "";
}

size_t lg_fpset_count(const lg_fpset *s)
{
	return s->nfiles;
}

static void hex(FILE *out, const uint8_t *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%02x", h[i]);
}

void lg_fpset_show(const lg_fpset *s, FILE *out)
{
	fprintf(out, "licgate fingerprint set, version %d\n", LG_FPSET_VERSION);
	fprintf(out, "rules:   %s (%s)\ntarget:  %s\nprefix:  %s\n", s->rules_name,
		s->rules_digest, s->target, s->prefix);
	fprintf(out, "method:  winnowing k=%u w=%u, files under %u tokens matched exactly only\n",
		s->k, s->w, s->min_tokens);
	fprintf(out, "files:   %zu, %u fingerprints\n", s->nfiles, s->nfps);
	for (size_t i = 0; i < s->nfiles; i++) {
		const fpfile *f = &s->files[i];
		lg_buf p = LG_BUF_INIT;
		lg_buf_append_escaped(&p, f->path, strlen(f->path));
		fprintf(out, "%s  %s  %llu tokens  %zu fingerprints  exact ", f->class_name, p.data,
			(unsigned long long)f->tokens, f->nfps);
		hex(out, f->exact, 8);
		fputc('\n', out);
		lg_buf_free(&p);
	}
}

void lg_fpset_free(lg_fpset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfiles; i++)
		free_file(&s->files[i]);
	free(s->files);
	free(s->allow);
	free(s->allow_h);
	set_drop_tables(s);
	free(s->dir);
	free(s->filter);
	hindex_free(&s->exact);
	hindex_free(&s->normalized);
	free(s->rules_name);
	free(s->rules_digest);
	free(s->target);
	free(s->prefix);
	XXH3_freeState(s->digest_state);
	free(s);
}

/* ---- matching ---- */

typedef struct hit {
	uint32_t file, at; /* the source file, its entry */
	uint32_t line, line_end;
} hit;

struct lg_fpmatcher {
	const lg_fpset *set;
	lg_fingerprinter fp;
	uint32_t stamp;        /* this file's; 0 is never used */
	/* the runs of entries (by their first index) met in this file: an
	 * open-addressing set, a slot live when its stamp is this file's */
	uint32_t *seen_key, *seen_stamp;
	size_t seen_cap, nseen;
	uint32_t *file_stamp;  /* per set file */
	uint32_t *count;       /* per set file: its fingerprints seen in this file */
	uint32_t *touched;     /* set files with a count this file */
	size_t ntouched;
	hit *hits;
	size_t nhits;
	uint64_t file_fps;
	/* fingerprints not yet looked up, in three stages a batch apart, so
	 * that what a stage reads was prefetched one batch earlier: */
	lg_fp batch[BATCH];    /* new: the filter next */
	size_t nbatch;
	lg_fp dirq[BATCH];     /* past the filter: their directory slots prefetched */
	size_t ndirq;
	lg_fp entq[BATCH];     /* their first entries prefetched: look them up */
	size_t nentq;
};

lg_fpmatcher *lg_fpmatcher_new(const lg_fpset *s)
{
	lg_fpmatcher *m = lg_xcalloc(1, sizeof(*m));
	m->set = s;
	lg_fp_init(&m->fp);
	return m;
}

/* The per-file tables, made at the first hit: a layer that shares nothing
 * with the set never pays for them. */
static void make_tables(lg_fpmatcher *m)
{
	const lg_fpset *s = m->set;
	m->seen_cap = 1024;
	m->seen_key = lg_xcalloc(m->seen_cap, sizeof(*m->seen_key));
	m->seen_stamp = lg_xcalloc(m->seen_cap, sizeof(*m->seen_stamp));
	m->file_stamp = lg_xcalloc(s->nfiles + 1, sizeof(*m->file_stamp));
	m->count = lg_xcalloc(s->nfiles + 1, sizeof(*m->count));
	m->touched = lg_xcalloc(s->nfiles + 1, sizeof(*m->touched));
	m->hits = lg_xmalloc(MAX_HITS * sizeof(*m->hits));
}

void lg_fpmatcher_free(lg_fpmatcher *m)
{
	if (!m)
		return;
	lg_fp_release(&m->fp);
	free(m->seen_key);
	free(m->seen_stamp);
	free(m->file_stamp);
	free(m->count);
	free(m->touched);
	free(m->hits);
	free(m);
}

static size_t seen_slot(const lg_fpmatcher *m, uint32_t key)
{
	size_t mask = m->seen_cap - 1, i = (key * 0x9e3779b1u) & mask;
	while (m->seen_stamp[i] == m->stamp && m->seen_key[i] != key)
		i = (i + 1) & mask;
	return i;
}

/* Twice the room, this file's keys kept. */
static void seen_grow(lg_fpmatcher *m)
{
	uint32_t *key = m->seen_key, *stamp = m->seen_stamp;
	size_t cap = m->seen_cap;
	m->seen_cap = cap * 2;
	m->seen_key = lg_xcalloc(m->seen_cap, sizeof(*m->seen_key));
	m->seen_stamp = lg_xcalloc(m->seen_cap, sizeof(*m->seen_stamp));
	for (size_t i = 0; i < cap; i++)
		if (stamp[i] == m->stamp) {
			size_t j = seen_slot(m, key[i]);
			m->seen_key[j] = key[i];
			m->seen_stamp[j] = m->stamp;
		}
	free(key);
	free(stamp);
}

/* Was the run of entries starting at key met in this file already?  It
 * is now. */
static bool seen(lg_fpmatcher *m, uint32_t key)
{
	size_t i = seen_slot(m, key);
	if (m->seen_stamp[i] == m->stamp)
		return true;
	m->seen_key[i] = key;
	m->seen_stamp[i] = m->stamp;
	if (++m->nseen * 2 > m->seen_cap)
		seen_grow(m);
	return false;
}

static void lookup(lg_fpmatcher *m, const lg_fp *fp)
{
	const lg_fpset *s = m->set;
	size_t slot = (size_t)(fp->hash >> (64 - s->dir_bits));
	uint32_t k = s->dir[slot], end = s->dir[slot + 1];
	const uint64_t *keys = s->keys;
	while (k < end && keys[k] < fp->hash)
		k++;
	if (k == end || keys[k] != fp->hash)
		return;
	if (!m->seen_key)
		make_tables(m);
	if (seen(m, k))
		return; /* a fingerprint counts once per file */
	for (; k < end && keys[k] == fp->hash; k++) {
		const source_fp *e = &s->src[k];
		if (m->file_stamp[e->file] != m->stamp) {
			m->file_stamp[e->file] = m->stamp;
			m->count[e->file] = 0;
			m->touched[m->ntouched++] = e->file;
		}
		m->count[e->file]++;
		if (m->nhits < MAX_HITS)
			m->hits[m->nhits++] = (hit){ e->file, k, fp->line, fp->line_end };
	}
}

/* One step of the pipeline: look up what waited for its entries, read
 * the directory for what waited for it, filter the new batch. */
static void flush_batch(lg_fpmatcher *m)
{
	const lg_fpset *s = m->set;
	unsigned dshift = 64 - s->dir_bits;
	for (size_t i = 0; i < m->nbatch; i++)
		__builtin_prefetch(&s->filter[filter_word(s, m->batch[i].hash)]);
	for (size_t i = 0; i < m->nentq; i++)
		lookup(m, &m->entq[i]);
	m->nentq = 0;
	for (size_t i = 0; i < m->ndirq; i++) {
		__builtin_prefetch(&s->keys[s->dir[m->dirq[i].hash >> dshift]]);
		m->entq[m->nentq++] = m->dirq[i];
	}
	m->ndirq = 0;
	for (size_t i = 0; i < m->nbatch; i++) {
		uint64_t h = m->batch[i].hash, mask = filter_mask(h);
		if ((s->filter[filter_word(s, h)] & mask) == mask) {
			__builtin_prefetch(&s->dir[m->batch[i].hash >> dshift]);
			m->dirq[m->ndirq++] = m->batch[i];
		}
	}
	m->nbatch = 0;
}

/* The file's end: every stage emptied. */
static void drain(lg_fpmatcher *m)
{
	while (m->nbatch || m->ndirq || m->nentq)
		flush_batch(m);
}

static void on_fp(void *ud, const lg_fp *fp)
{
	lg_fpmatcher *m = ud;
	m->file_fps++;
	if (!m->set->nfps)
		return;
	m->batch[m->nbatch++] = *fp;
	if (m->nbatch == BATCH)
		flush_batch(m);
}

void lg_fpmatcher_begin(lg_fpmatcher *m)
{
	if (++m->stamp == 0 && m->seen_key) { /* wrapped: forget every old stamp */
		memset(m->seen_stamp, 0, m->seen_cap * sizeof(*m->seen_stamp));
		memset(m->file_stamp, 0, (m->set->nfiles + 1) * sizeof(*m->file_stamp));
	}
	if (m->stamp == 0)
		m->stamp = 1;
	m->ntouched = 0;
	m->nseen = 0;
	m->nhits = 0;
	m->nbatch = m->ndirq = m->nentq = 0;
	m->file_fps = 0;
	lg_fp_begin(&m->fp, m->set->k, m->set->w, on_fp, m, NULL, NULL);
}

void lg_fpmatcher_feed(lg_fpmatcher *m, const void *data, size_t len)
{
	lg_fp_feed(&m->fp, data, len);
}

/* memcmp(x, y, 16) < 0, by two big-endian words: a search per file of
 * every layer need not call memcmp 17 times. */
static inline bool hash_less(const uint8_t *x, const uint8_t *y)
{
	uint64_t a[2], b[2];
	memcpy(a, x, 16);
	memcpy(b, y, 16);
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (int i = 0; i < 2; i++) {
		a[i] = __builtin_bswap64(a[i]);
		b[i] = __builtin_bswap64(b[i]);
	}
#endif
	return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
}

/* The first entry of hash h (the lowest file), or NULL. */
static const hentry *find_hash(const hindex *x, const uint8_t h[16])
{
	if (!x->n)
		return NULL;
	uint32_t slot = be32(h) >> (32 - x->bits);
	size_t lo = x->dir[slot], hi = x->dir[slot + 1], end = hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (hash_less(x->v[mid].hash, h))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < end && memcmp(x->v[lo].hash, h, 16) == 0 ? &x->v[lo] : NULL;
}

static void name_source(const lg_fpset *s, uint32_t file, lg_fpmatch *out)
{
	const fpfile *f = &s->files[file];
	out->source = f->path;
	out->source_len = (uint32_t)strlen(f->path);
	out->class_name = f->class_name;
	out->class_len = (uint32_t)strlen(f->class_name);
}

static int cmp_hit(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Merge the hits of source file `file` into line ranges. */
static void make_ranges(lg_fpmatcher *m, uint32_t file, lg_fpmatch *out)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nhits; i++)
		if (m->hits[i].file == file)
			m->hits[n++] = m->hits[i];
	qsort(m->hits, n, sizeof(*m->hits), cmp_hit);
	lg_fprange cur = { 0 };
	bool open = false;
	for (size_t i = 0; i <= n; i++) {
		const source_fp *sfp = i < n ? &m->set->src[m->hits[i].at] : NULL;
		if (open && (i == n || m->hits[i].line > cur.line_end + 1)) {
			if (out->nranges < LG_FPM_RANGES)
				out->ranges[out->nranges++] = cur;
			out->ranges_total++;
			open = false;
		}
		if (i == n)
			break;
		if (!open) {
			cur = (lg_fprange){ m->hits[i].line, m->hits[i].line_end, sfp->line,
					    sfp->line_end };
			open = true;
			continue;
		}
		if (m->hits[i].line_end > cur.line_end)
			cur.line_end = m->hits[i].line_end;
		if (sfp->line < cur.source_line)
			cur.source_line = sfp->line;
		if (sfp->line_end > cur.source_line_end)
			cur.source_line_end = sfp->line_end;
	}
}

bool lg_fpmatcher_end(lg_fpmatcher *m, const uint8_t exact[16], lg_fpmatch *out)
{
	const lg_fpset *s = m->set;
	lg_fp_summary sum;
	lg_fp_end(&m->fp, &sum);
	drain(m);
	memset(out, 0, sizeof(*out));
	const hentry *h = find_hash(&s->exact, exact);
	if (h) {
		out->kind = LG_FPM_EXACT;
		name_source(s, h->file, out);
		return true;
	}
	if (sum.binary)
		return false;
	if (sum.tokens >= s->min_tokens &&
	    (h = find_hash(&s->normalized, sum.normalized))) {
		out->kind = LG_FPM_NORMALIZED;
		name_source(s, h->file, out);
		return true;
	}
	uint32_t best = UINT32_MAX, best_n = 0;
	for (size_t i = 0; i < m->ntouched; i++) {
		uint32_t f = m->touched[i], n = m->count[f];
		if (n > best_n || (n == best_n && f < best)) {
			best = f;
			best_n = n;
		}
	}
	if (best == UINT32_MAX || best_n < LG_FP_MIN_MATCH)
		return false;
	uint64_t src = s->files[best].nfps, own = m->file_fps;
	if ((uint64_t)best_n * 1000 < LG_FP_SHARE * src && (uint64_t)best_n * 1000 < LG_FP_SHARE * own)
		return false;
	out->kind = LG_FPM_PARTIAL;
	out->matched = best_n;
	out->source_fps = (uint32_t)src;
	out->file_fps = (uint32_t)(own > UINT32_MAX ? UINT32_MAX : own);
	name_source(s, best, out);
	make_ranges(m, best, out);
	return true;
}
