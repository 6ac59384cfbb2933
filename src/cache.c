/* cache.c - see cache.h
 *
 * An entry is a fixed header followed by the payload:
 *
 *   magic "LGCACHE\0", u32 format, u32 byte-order mark, u64 payload
 *   length, u64 XXH3-64 of the payload, 64 hex digits of the key
 *
 * The payload is the layer's tables in order (numbers in host byte order,
 * strings as u32 length + bytes + NUL): byte counts, entries, files, tags,
 * text rule matches (u32 rule index, u32 line), packages, warnings,
 * fingerprint matches, kept symlinks (u32 entry, target), then the
 * per-file SHA-1 and SHA-256 (u64 count: 0 when the walk computed none,
 * else the file count; then 20 + 32 bytes per file).  File paths are not
 * stored twice: a file's path is its entry's.  A decoded layer's strings
 * point into the entry as read, which the layer keeps (lg_layer.backing):
 * nothing is copied string by string.
 *
 * A layer's classification (cache.h: lg_cache_store_results()) is a file
 * of its own, "KEY.class", with the same header (magic "LGCLASS\0") and
 * as payload: u64 file count, u32 class count, the class names (strings
 * as above), then per file u8 outcome, u8 level and u32 class index
 * (UINT32_MAX: no class).
 *
 * An image's whiteout resolution (lg_cache_store_stack()) is "KEY.stack",
 * magic "LGSTACK\0": u64 layer count, a u64 file count per layer, then
 * per layer and file the u32 of whiteout.h's deleted_by.
 */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "blob.h"
#include "license_texts.h"
#include "strmap.h"

#define MAGIC "LGCACHE"
#define CLASS_MAGIC "LGCLASS"
#define STACK_MAGIC "LGSTACK"
#define BOM 0x01020304u
#define HEADER_LEN (8 + 4 + 4 + 8 + 8 + 64)
/* An entry larger than this is not read (a layer of a million files is
 * well below it). */
#define MAX_ENTRY (1024ull * 1024 * 1024)

struct lg_cache {
	char *dir;
};

/* The hex SHA-256 of data. */
static void sha256_hex(const void *data, size_t len, char out[LG_CACHE_KEY_LEN])
{
	lg_hasher *h = lg_hasher_new(LG_SHA256);
	lg_hasher_update(h, data, len);
	char d[sizeof(((lg_digest *)0)->str)];
	lg_hasher_final(h, d);
	lg_hasher_free(h);
	memcpy(out, d + 7, 64); /* after "sha256:" */
	out[64] = '\0';
}

/* ---- opening ---------------------------------------------------------- */

/* mkdir -p with mode 0700 for the directories it creates. */
static int make_dirs(const char *path)
{
	char *p = lg_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}

static char *default_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && *xdg == '/')
		return lg_xasprintf("%s/licgate", xdg);
	const char *home = getenv("HOME");
	if (home && *home == '/')
		return lg_xasprintf("%s/.cache/licgate", home);
	return NULL;
}

lg_cache *lg_cache_open(const char *dir, char **warning)
{
	char *path = dir ? lg_xstrdup(dir) : default_dir();
	*warning = NULL;
	if (!path) {
		*warning = lg_xstrdup("no cache directory: neither XDG_CACHE_HOME nor HOME is "
				      "an absolute path");
		return NULL;
	}
	struct stat st;
	if (make_dirs(path) < 0 || stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		*warning = lg_xasprintf("cache %s: %s", path,
					errno ? strerror(errno) : "not a directory");
		free(path);
		return NULL;
	}
	lg_cache *c = lg_xcalloc(1, sizeof(*c));
	c->dir = path;
	return c;
}

void lg_cache_free(lg_cache *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c);
}

const char *lg_cache_dir(const lg_cache *c)
{
	return c->dir;
}

void lg_cache_walk_digest(const lg_rules *rules, char out[LG_CACHE_KEY_LEN])
{
	lg_buf b = LG_BUF_INIT;
	size_t n = rules ? lg_rules_text_count(rules) : 0;
	/* A walk keeps its text rule matches by index: every pattern, in
	 * order, each framed by its length (a pattern may hold any byte). */
	lg_buf_appendf(&b, "text %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const char *pat = lg_rules_text_at(rules, i)->pattern;
		lg_buf_appendf(&b, "%zu:%s\n", strlen(pat), pat);
	}
	/* Which files are license files, whose heads the walk matches
	 * against the built-in license texts too (license_texts.h). */
	n = rules ? lg_rules_license_file_count(rules) : 0;
	lg_buf_appendf(&b, "license-files %d %d %zu\n", LG_LICENSE_TEXTS_VERSION,
		       rules ? lg_rules_license_files(rules) : 0, n);
	for (size_t i = 0; i < n; i++) {
		const char *pat = lg_rules_license_file_at(rules, i)->pattern;
		lg_buf_appendf(&b, "%zu:%s\n", strlen(pat), pat);
	}
	/* Another input of the walk taken from the rules goes here. */
	sha256_hex(b.data, b.len, out);
	lg_buf_free(&b);
}

void lg_cache_key(const lg_layer_desc *d, const lg_rules *rules, char key[LG_CACHE_KEY_LEN])
{
	char walk[LG_CACHE_KEY_LEN];
	lg_cache_walk_digest(rules, walk);
	const char *mt = d->media_type ? d->media_type : "";
	lg_buf k = LG_BUF_INIT;
	/* The media type says how the blob is read (its compression) and
	 * whether the walk accepts it: a blob that fails under one label must
	 * not pass on a walk made under another. */
	lg_buf_appendf(&k, "licgate %s\nformat %d\ndigest %s\ndiff_id %s\nsize %lld\n"
		       "media_type %zu:%s\ncompression %d\nwalk %s\n",
		       LICGATE_VERSION, LG_CACHE_FORMAT, d->digest.str, d->diff_id.str,
		       (long long)d->size, strlen(mt), mt,
		       (int)d->compression, walk);
	sha256_hex(k.data, k.len, key);
	lg_buf_free(&k);
}

void lg_cache_results_key(const char *layer_key, const lg_rules *rules,
			  const lg_target *target, char key[LG_CACHE_KEY_LEN])
{
	lg_buf k = LG_BUF_INIT;
	const char *name = lg_target_name(target);
	lg_buf_appendf(&k, "results\nlayer %.64s\nrules %s\ntarget %zu:%s\n", layer_key,
		       lg_rules_digest(rules), strlen(name), name);
	sha256_hex(k.data, k.len, key);
	lg_buf_free(&k);
}

void lg_cache_key_extend(char key[LG_CACHE_KEY_LEN], const char *more)
{
	lg_hasher *h = lg_hasher_new(LG_SHA256);
	lg_hasher_update(h, key, 64);
	lg_hasher_update(h, "\nfingerprints ", 14);
	lg_hasher_update(h, more, strlen(more));
	char out[sizeof(((lg_digest *)0)->str)];
	lg_hasher_final(h, out);
	lg_hasher_free(h);
	memcpy(key, out + 7, 64);
	key[64] = '\0';
}

/* ---- encoding --------------------------------------------------------- */

static void put32(lg_buf *b, uint32_t v)
{
	lg_buf_append(b, &v, sizeof(v));
}

static void put64(lg_buf *b, uint64_t v)
{
	lg_buf_append(b, &v, sizeof(v));
}

static void put_str(lg_buf *b, const char *s, size_t len)
{
	put32(b, (uint32_t)len);
	lg_buf_append(b, s, len);
	lg_buf_putc(b, '\0');
}

static uint32_t text_index(const lg_rules *rules, const lg_rule *rule)
{
	size_t n = rules ? lg_rules_text_count(rules) : 0;
	for (size_t i = 0; i < n; i++)
		if (lg_rules_text_at(rules, i) == rule)
			return (uint32_t)i;
	return UINT32_MAX; /* cannot happen: the walk matched it */
}

static void encode_files(const lg_layer *l, lg_buf *b)
{
	put64(b, l->nfiles);
	for (size_t i = 0; i < l->nfiles; i++) {
		const lg_file *f = &l->files[i];
		uint32_t v[] = { f->entry, f->mode, f->flags, f->first_tag, f->ntags,
				 f->first_text, f->ntext, f->sidecar, f->package, f->container };
		for (size_t k = 0; k < LG_ARRAY_LEN(v); k++)
			put32(b, v[k]);
		put64(b, f->size);
		lg_buf_append(b, f->xxh3, sizeof(f->xxh3));
	}
}

/* Fingerprint matches, then the files that have one (file, 1 + match). */
static void encode_fpmatches(const lg_layer *l, lg_buf *b)
{
	put64(b, l->nfpmatches);
	for (size_t i = 0; i < l->nfpmatches; i++) {
		const lg_fpmatch *m = &l->fpmatches[i];
		uint32_t v[] = { m->kind, m->nranges, m->ranges_total, m->matched, m->source_fps,
				 m->file_fps };
		for (size_t k = 0; k < LG_ARRAY_LEN(v); k++)
			put32(b, v[k]);
		put_str(b, m->source, m->source_len);
		put_str(b, m->class_name, m->class_len);
		for (size_t k = 0; k < LG_FPM_RANGES; k++) {
			put32(b, m->ranges[k].line);
			put32(b, m->ranges[k].line_end);
			put32(b, m->ranges[k].source_line);
			put32(b, m->ranges[k].source_line_end);
		}
	}
	size_t n = 0;
	for (size_t i = 0; i < l->nfiles; i++)
		n += l->files[i].fpmatch != 0;
	put64(b, n);
	for (size_t i = 0; i < l->nfiles; i++)
		if (l->files[i].fpmatch) {
			put32(b, (uint32_t)i);
			put32(b, l->files[i].fpmatch);
		}
}

/* The files' SHA-1/SHA-256 when the walk computed them (SBOM reports):
 * such an entry serves scans with and without them (layer.h). */
static void encode_hashes(const lg_layer *l, lg_buf *b)
{
	size_t n = l->hashes ? l->nfiles : 0;
	put64(b, n);
	for (size_t i = 0; i < n; i++) {
		lg_buf_append(b, l->hashes[i].sha1, sizeof(l->hashes[i].sha1));
		lg_buf_append(b, l->hashes[i].sha256, sizeof(l->hashes[i].sha256));
	}
}

static void encode_payload(const lg_rules *rules, const lg_layer *l, lg_buf *b)
{
	put64(b, l->content_bytes);
	put64(b, l->tar_bytes);
	put64(b, l->hole_bytes);
	put64(b, l->nentries);
	for (size_t i = 0; i < l->nentries; i++) {
		lg_buf_putc(b, (char)l->entries[i].type);
		put_str(b, l->entries[i].path, l->entries[i].len);
	}
	encode_files(l, b);
	put64(b, l->ntags);
	for (size_t i = 0; i < l->ntags; i++) {
		const lg_tag *t = &l->tags[i];
		put_str(b, t->expr, t->len);
		put64(b, t->line);
		put64(b, t->snippet_begin);
		put64(b, t->snippet_end);
	}
	put64(b, l->ntexts);
	for (size_t i = 0; i < l->ntexts; i++) {
		put32(b, text_index(rules, l->texts[i]));
		put32(b, l->text_lines ? l->text_lines[i] : 0);
	}
	put64(b, l->npackages);
	for (size_t i = 0; i < l->npackages; i++) {
		put32(b, (uint32_t)l->packages[i].kind);
		put32(b, l->packages[i].manifest);
		put_str(b, l->packages[i].expr, l->packages[i].len);
		put32(b, l->packages[i].also);
	}
	put64(b, l->nwarnings);
	for (size_t i = 0; i < l->nwarnings; i++)
		put_str(b, l->warnings[i], strlen(l->warnings[i]));
	encode_fpmatches(l, b);
	put64(b, l->nlinks);
	for (size_t i = 0; i < l->nlinks; i++) {
		put32(b, l->links[i].entry);
		put_str(b, l->links[i].target, l->links[i].len);
	}
	encode_hashes(l, b);
}

/* The header for payload, then payload. */
static void seal(const char *magic, const char *key, const lg_buf *payload, lg_buf *out)
{
	lg_buf_append(out, magic, 8); /* with its NUL */
	put32(out, LG_CACHE_FORMAT);
	put32(out, BOM);
	put64(out, payload->len);
	put64(out, XXH3_64bits(payload->data, payload->len));
	lg_buf_append(out, key, 64);
	lg_buf_append(out, payload->data, payload->len);
}

void lg_cache_encode(const char *key, const lg_rules *rules, const lg_layer *layer,
		     lg_buf *out)
{
	lg_buf payload = LG_BUF_INIT;
	encode_payload(rules, layer, &payload);
	seal(MAGIC, key, &payload, out);
	lg_buf_free(&payload);
}

/* ---- decoding --------------------------------------------------------- */

typedef struct reader {
	const unsigned char *p, *end;
	bool bad;
} reader;

static void get(reader *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static uint32_t get32(reader *r)
{
	uint32_t v;
	get(r, &v, sizeof(v));
	return v;
}

static uint64_t get64(reader *r)
{
	uint64_t v;
	get(r, &v, sizeof(v));
	return v;
}

/* A count of items of at least min_size bytes each: no more than fit. */
static size_t get_count(reader *r, size_t min_size)
{
	uint64_t n = get64(r);
	if (n > (uint64_t)(r->end - r->p) / min_size || n > UINT32_MAX) {
		r->bad = true;
		return 0;
	}
	return (size_t)n;
}

/* A string in place: len bytes, then a NUL.  A name (a path, a warning)
 * holds no NUL; text found in a file (a tag's expression, a declared
 * license) may: a binary's "SPDX-License-Identifier: MIT\0..." runs to
 * the end of its line, and the walk keeps it as found. */
static const char *get_bytes(reader *r, uint32_t *len, bool nul_inside)
{
	*len = get32(r);
	if (r->bad || *len >= (size_t)(r->end - r->p) || r->p[*len] != '\0' ||
	    (!nul_inside && memchr(r->p, '\0', *len))) {
		r->bad = true;
		*len = 0;
		return "";
	}
	const char *s = (const char *)r->p;
	r->p += *len + 1;
	return s;
}

static const char *get_str(reader *r, uint32_t *len)
{
	return get_bytes(r, len, false);
}

static const char *get_text(reader *r, uint32_t *len)
{
	return get_bytes(r, len, true);
}

/* A walk's path (lg_path_normalize): "/", or "/" and segments, none of
 * them empty, "." or "..", without a trailing "/" - but for a single
 * compressed file's content, which is "FILE!/" (layer_nested.h). */
static bool normalized(const char *p, size_t len)
{
	if (len == 0 || p[0] != '/')
		return false;
	for (const char *seg = p + 1, *end = p + len; len > 1;) {
		const char *slash = memchr(seg, '/', (size_t)(end - seg));
		const char *stop = slash ? slash : end;
		size_t n = (size_t)(stop - seg);
		if (n == 0 && stop == end && len > 2 && end[-2] == '!')
			return true;
		if (n == 0 || (n <= 2 && seg[0] == '.' && seg[n - 1] == '.'))
			return false;
		if (!slash)
			break;
		seg = slash + 1;
	}
	return true;
}

static void decode_entries(reader *r, lg_layer *l)
{
	l->nentries = l->entries_cap = get_count(r, 5);
	l->entries = lg_xcalloc(l->nentries + 1, sizeof(*l->entries));
	lg_prefault(l->entries, (l->nentries + 1) * sizeof(*l->entries));
	for (size_t i = 0; i < l->nentries && !r->bad; i++) {
		uint8_t type;
		get(r, &type, 1);
		lg_entry *e = &l->entries[i];
		e->path = get_str(r, &e->len);
		e->type = type;
		if (type > LG_ENTRY_OPAQUE || !normalized(e->path, e->len))
			r->bad = true;
	}
}

static void decode_files(reader *r, lg_layer *l)
{
	l->nfiles = l->files_cap = get_count(r, 10 * 4 + 8 + 16);
	l->files = lg_xcalloc(l->nfiles + 1, sizeof(*l->files));
	lg_prefault(l->files, (l->nfiles + 1) * sizeof(*l->files));
	for (size_t i = 0; i < l->nfiles && !r->bad; i++) {
		lg_file *f = &l->files[i];
		f->entry = get32(r);
		f->mode = get32(r);
		f->flags = get32(r);
		f->first_tag = get32(r);
		f->ntags = get32(r);
		f->first_text = get32(r);
		f->ntext = get32(r);
		f->sidecar = get32(r);
		f->package = get32(r);
		f->container = get32(r);
		f->size = get64(r);
		get(r, f->xxh3, sizeof(f->xxh3));
		/* a file is a regular file's entry (or a hardlink's) */
		/* a member's container is an earlier file, not a member */
		bool member = f->flags & LG_FILE_MEMBER;
		if (f->entry >= l->nentries || l->entries[f->entry].type != LG_ENTRY_FILE ||
		    member != (f->container != 0) ||
		    (member && (f->container > i || l->files[f->container - 1].container))) {
			r->bad = true;
			break;
		}
		f->path = l->entries[f->entry].path;
		f->len = l->entries[f->entry].len;
	}
}

static void decode_tags(reader *r, lg_layer *l)
{
	l->ntags = l->tags_cap = get_count(r, 4 + 24);
	l->tags = lg_xcalloc(l->ntags + 1, sizeof(*l->tags));
	for (size_t i = 0; i < l->ntags && !r->bad; i++) {
		lg_tag *t = &l->tags[i];
		t->expr = get_text(r, &t->len);
		t->line = get64(r);
		t->snippet_begin = get64(r);
		t->snippet_end = get64(r);
	}
}

static void decode_texts(reader *r, const lg_rules *rules, lg_layer *l)
{
	size_t nrules = rules ? lg_rules_text_count(rules) : 0;
	l->ntexts = l->texts_cap = l->text_lines_cap = get_count(r, 8);
	l->texts = lg_xcalloc(l->ntexts + 1, sizeof(*l->texts));
	l->text_lines = lg_xcalloc(l->ntexts + 1, sizeof(*l->text_lines));
	for (size_t i = 0; i < l->ntexts && !r->bad; i++) {
		uint32_t k = get32(r);
		l->text_lines[i] = get32(r);
		if (k >= nrules)
			r->bad = true;
		else
			l->texts[i] = lg_rules_text_at(rules, k);
	}
}

static void decode_rest(reader *r, lg_layer *l)
{
	l->npackages = l->packages_cap = get_count(r, 16);
	l->packages = lg_xcalloc(l->npackages + 1, sizeof(*l->packages));
	for (size_t i = 0; i < l->npackages && !r->bad; i++) {
		lg_package *p = &l->packages[i];
		uint32_t kind = get32(r);
		p->kind = kind == LG_PACKAGE_PYTHON ? LG_PACKAGE_PYTHON : LG_PACKAGE_NPM;
		p->manifest = get32(r);
		p->expr = get_text(r, &p->len);
		p->also = get32(r);
		/* also names an earlier package: no cycle */
		if (kind > LG_PACKAGE_PYTHON || p->manifest >= l->nfiles || p->also > i)
			r->bad = true;
	}
	size_t n = get_count(r, 4);
	l->warnings = lg_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n && !r->bad; i++) {
		uint32_t len;
		const char *s = get_str(r, &len);
		l->warnings[l->nwarnings++] = lg_xstrndup(s, len);
	}
}

static void decode_fpmatches(reader *r, lg_layer *l)
{
	l->nfpmatches = l->fpmatches_cap = get_count(r, 6 * 4 + 8 + 16 * LG_FPM_RANGES);
	l->fpmatches = lg_xcalloc(l->nfpmatches + 1, sizeof(*l->fpmatches));
	for (size_t i = 0; i < l->nfpmatches && !r->bad; i++) {
		lg_fpmatch *m = &l->fpmatches[i];
		uint32_t kind = get32(r), nranges = get32(r);
		m->kind = (uint8_t)kind;
		m->nranges = (uint8_t)nranges;
		m->ranges_total = get32(r);
		m->matched = get32(r);
		m->source_fps = get32(r);
		m->file_fps = get32(r);
		m->source = get_str(r, &m->source_len);
		m->class_name = get_str(r, &m->class_len);
		for (size_t k = 0; k < LG_FPM_RANGES; k++) {
			m->ranges[k].line = get32(r);
			m->ranges[k].line_end = get32(r);
			m->ranges[k].source_line = get32(r);
			m->ranges[k].source_line_end = get32(r);
		}
		if (kind < LG_FPM_EXACT || kind > LG_FPM_PARTIAL || nranges > LG_FPM_RANGES)
			r->bad = true;
	}
	size_t n = get_count(r, 8);
	for (size_t i = 0; i < n && !r->bad; i++) {
		uint32_t file = get32(r), match = get32(r);
		if (file >= l->nfiles || match == 0 || match > l->nfpmatches)
			r->bad = true;
		else
			l->files[file].fpmatch = match;
	}
}

/* Symlinks named like license files, in entry order, each an entry of
 * type other with a target no longer than a path. */
static void decode_links(reader *r, lg_layer *l)
{
	l->nlinks = l->links_cap = get_count(r, 4 + 4 + 1);
	l->links = lg_xcalloc(l->nlinks + 1, sizeof(*l->links));
	for (size_t i = 0; i < l->nlinks && !r->bad; i++) {
		lg_link *k = &l->links[i];
		k->entry = get32(r);
		k->target = get_str(r, &k->len);
		if (k->entry >= l->nentries || l->entries[k->entry].type != LG_ENTRY_OTHER ||
		    (i && k->entry <= l->links[i - 1].entry) || k->len > LG_LINK_MAX)
			r->bad = true;
	}
}

static void decode_hashes(reader *r, lg_layer *l)
{
	enum { ONE = sizeof(((lg_file_hashes *)0)->sha1) + sizeof(((lg_file_hashes *)0)->sha256) };
	size_t n = get_count(r, ONE);
	if (r->bad || n == 0)
		return;
	if (n != l->nfiles) {
		r->bad = true;
		return;
	}
	l->hashes = lg_xmalloc(n * sizeof(*l->hashes));
	l->hashes_cap = n;
	for (size_t i = 0; i < n; i++) {
		get(r, l->hashes[i].sha1, sizeof(l->hashes[i].sha1));
		get(r, l->hashes[i].sha256, sizeof(l->hashes[i].sha256));
	}
}

/* Every index a file holds points inside its layer. */
static bool indexes_ok(const lg_layer *l)
{
	for (size_t i = 0; i < l->nfiles; i++) {
		const lg_file *f = &l->files[i];
		if ((uint64_t)f->first_tag + f->ntags > l->ntags ||
		    (uint64_t)f->first_text + f->ntext > l->ntexts ||
		    f->sidecar > l->nfiles || f->package > l->npackages)
			return false;
	}
	return true;
}

static bool header_ok(const char *magic, const char *key, const unsigned char *h, size_t len,
		      uint64_t *plen)
{
	uint32_t format, bom;
	uint64_t sum;
	if (len < HEADER_LEN || memcmp(h, magic, 8) != 0)
		return false;
	memcpy(&format, h + 8, 4);
	memcpy(&bom, h + 12, 4);
	memcpy(plen, h + 16, 8);
	memcpy(&sum, h + 24, 8);
	return format == LG_CACHE_FORMAT && bom == BOM && *plen == len - HEADER_LEN &&
	       memcmp(h + 32, key, 64) == 0 && XXH3_64bits(h + HEADER_LEN, *plen) == sum;
}

/* Decode the entry in data (malloc'd), which the layer keeps: its strings
 * point into it.  NULL (data freed) unless everything checks out. */
static lg_layer *decode_owned(const char *key, const lg_rules *rules, unsigned char *data,
			      size_t len)
{
	uint64_t plen;
	if (strlen(key) != 64 || !header_ok(MAGIC, key, data, len, &plen)) {
		free(data);
		return NULL;
	}
	reader r = { data + HEADER_LEN, data + len, false };
	lg_layer *l = lg_xcalloc(1, sizeof(*l));
	l->backing = data;
	l->content_bytes = get64(&r);
	l->tar_bytes = get64(&r);
	l->hole_bytes = get64(&r);
	decode_entries(&r, l);
	if (!r.bad)
		decode_files(&r, l);
	if (!r.bad)
		decode_tags(&r, l);
	if (!r.bad)
		decode_texts(&r, rules, l);
	if (!r.bad)
		decode_rest(&r, l);
	if (!r.bad)
		decode_fpmatches(&r, l);
	if (!r.bad)
		decode_links(&r, l);
	if (!r.bad)
		decode_hashes(&r, l);
	if (r.bad || r.p != r.end || !indexes_ok(l)) {
		lg_layer_free(l);
		return NULL;
	}
	return l;
}

lg_layer *lg_cache_decode(const char *key, const lg_rules *rules, const void *data, size_t len)
{
	unsigned char *copy = lg_xmalloc(len);
	memcpy(copy, data, len);
	return decode_owned(key, rules, copy, len);
}

/* ---- files ------------------------------------------------------------ */

static char *entry_path(const lg_cache *c, const char *key, const char *ext)
{
	return lg_xasprintf("%s/%.64s.%s", c->dir, key, ext);
}

/* The whole file, at most MAX_ENTRY bytes; NULL on any failure, with
 * *there set when something is at path. */
static unsigned char *slurp(const char *path, size_t *len, bool *there)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	*there = fd >= 0 || errno != ENOENT;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > MAX_ENTRY || st.st_size < HEADER_LEN)
		return NULL;
	size_t n = (size_t)st.st_size, got = 0;
	unsigned char *buf = lg_xmalloc(n);
	lg_prefault(buf, n);
	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);
		if (k <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)k;
	}
	*len = n;
	return buf;
}

lg_layer *lg_cache_load(lg_cache *c, const char *key, const lg_rules *rules, bool *rejected)
{
	cleanup_free char *path = entry_path(c, key, "layer");
	size_t len;
	bool there = false;
	unsigned char *data = slurp(path, &len, &there);
	lg_layer *l = data ? decode_owned(key, rules, data, len) : NULL;
	*rejected = there && !l;
	return l;
}

/* Write data to path through a temporary file renamed into place, so a
 * reader sees all of it or none.  0, or -1 with *warning set. */
static int write_atomic(const lg_cache *c, const char *path, const void *data,
			size_t len, char **warning)
{
	cleanup_free char *tmp = lg_xasprintf("%s/.tmp-XXXXXX", c->dir);
	int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	int r = fd < 0 ? -1 : 0;
	if (r == 0 && (lg_write_all(fd, data, len) < 0 || fsync(fd) < 0))
		r = -1;
	int saved = errno;
	if (fd >= 0 && close(fd) < 0 && r == 0) {
		r = -1;
		saved = errno;
	}
	if (r == 0 && rename(tmp, path) < 0) {
		r = -1;
		saved = errno;
	}
	if (r < 0) {
		*warning = lg_xasprintf("cache %s: %s", c->dir, strerror(saved));
		if (fd >= 0)
			unlink(tmp);
	}
	return r;
}

int lg_cache_store(lg_cache *c, const char *key, const lg_rules *rules,
		   const lg_layer *layer, char **warning)
{
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode(key, rules, layer, &b);
	cleanup_free char *path = entry_path(c, key, "layer");
	int r = write_atomic(c, path, b.data, b.len, warning);
	lg_buf_free(&b);
	return r;
}

/* ---- classification results ------------------------------------------ */

void lg_cache_encode_results(const char *key, const lg_file_result *r, size_t n, lg_buf *out)
{
	lg_buf payload = LG_BUF_INIT, classes = LG_BUF_INIT;
	lg_strmap index = { 0 }; /* class name -> its index + 1 */
	uint32_t nclasses = 0;
	lg_buf idx = LG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = UINT32_MAX;
		if (r[i].class_name) {
			bool created;
			size_t len = strlen(r[i].class_name);
			uint32_t *slot = lg_strmap_put(&index, r[i].class_name, len, &created);
			if (created) {
				*slot = ++nclasses;
				put_str(&classes, r[i].class_name, len);
			}
			k = *slot - 1;
		}
		uint32_t v[2] = { (uint32_t)r[i].outcome | (uint32_t)r[i].level << 8, k };
		lg_buf_append(&idx, v, sizeof(v));
	}
	put64(&payload, n);
	put32(&payload, nclasses);
	lg_buf_append(&payload, classes.data, classes.len);
	lg_buf_append(&payload, idx.data, idx.len);
	seal(CLASS_MAGIC, key, &payload, out);
	lg_strmap_free(&index);
	lg_buf_free(&idx);
	lg_buf_free(&classes);
	lg_buf_free(&payload);
}

lg_file_result *lg_cache_decode_results(const char *key, size_t nfiles, const void *data,
					size_t len)
{
	uint64_t plen;
	if (strlen(key) != 64 || !header_ok(CLASS_MAGIC, key, data, len, &plen))
		return NULL;
	reader r = { (const unsigned char *)data + HEADER_LEN, (const unsigned char *)data + len,
		     false };
	uint64_t n = get64(&r);
	uint32_t nclasses = get32(&r);
	if (r.bad || n != nfiles || nclasses > (size_t)(r.end - r.p) / 5)
		return NULL;
	/* The results, then the class names they point to, in one block. */
	const unsigned char *names = r.p;
	for (uint32_t i = 0; i < nclasses && !r.bad; i++) {
		uint32_t l;
		get_str(&r, &l);
	}
	size_t names_len = (size_t)(r.p - names);
	if (r.bad || (uint64_t)(r.end - r.p) != n * 8)
		return NULL;
	lg_file_result *out = lg_xmalloc((n ? n : 1) * sizeof(*out) + names_len);
	char *strs = (char *)(out + (n ? n : 1));
	memcpy(strs, names, names_len);
	const char **class = lg_xcalloc(nclasses ? nclasses : 1, sizeof(*class));
	reader s = { (const unsigned char *)strs, (const unsigned char *)strs + names_len, false };
	for (uint32_t i = 0; i < nclasses; i++) {
		uint32_t l;
		class[i] = get_str(&s, &l);
	}
	bool bad = false;
	for (size_t i = 0; i < n && !bad; i++) {
		uint32_t v[2];
		get(&r, v, sizeof(v));
		uint32_t outcome = v[0] & 0xff, level = v[0] >> 8;
		bad = outcome > LG_OUT_EXEMPT || level > LG_LEVEL_DENY ||
		      (v[1] != UINT32_MAX && v[1] >= nclasses);
		if (!bad)
			out[i] = (lg_file_result){ .outcome = (uint8_t)outcome,
						   .level = (uint8_t)level,
						   .class_name = v[1] == UINT32_MAX ? NULL
							       : class[v[1]] };
	}
	free(class);
	if (bad || r.bad || r.p != r.end) {
		free(out);
		return NULL;
	}
	return out;
}

lg_file_result *lg_cache_load_results(lg_cache *c, const char *key, size_t nfiles,
				      bool *rejected)
{
	cleanup_free char *path = entry_path(c, key, "class");
	size_t len;
	bool there = false;
	cleanup_free unsigned char *data = slurp(path, &len, &there);
	lg_file_result *r = data ? lg_cache_decode_results(key, nfiles, data, len) : NULL;
	*rejected = there && !r;
	return r;
}

int lg_cache_store_results(lg_cache *c, const char *key, const lg_file_result *r, size_t n,
			   char **warning)
{
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode_results(key, r, n, &b);
	cleanup_free char *path = entry_path(c, key, "class");
	int rc = write_atomic(c, path, b.data, b.len, warning);
	lg_buf_free(&b);
	return rc;
}

/* ---- whiteout resolutions --------------------------------------------- */

struct lg_cache_stack {
	unsigned char *data; /* the entry as read */
	const unsigned char *payload;
	size_t len;          /* of the payload */
};

void lg_cache_stack_key(const char *const *layer_keys, size_t n, char key[LG_CACHE_KEY_LEN])
{
	lg_buf k = LG_BUF_INIT;
	lg_buf_appendf(&k, "stack %zu\n", n);
	for (size_t i = 0; i < n; i++)
		lg_buf_appendf(&k, "%.64s\n", layer_keys[i]);
	sha256_hex(k.data, k.len, key);
	lg_buf_free(&k);
}

void lg_cache_encode_stack(const char *key, size_t n, const size_t *nfiles,
			   const uint32_t *const *deleted_by, lg_buf *out)
{
	lg_buf payload = LG_BUF_INIT;
	put64(&payload, n);
	for (size_t i = 0; i < n; i++)
		put64(&payload, nfiles[i]);
	for (size_t i = 0; i < n; i++)
		lg_buf_append(&payload, deleted_by[i], nfiles[i] * sizeof(uint32_t));
	seal(STACK_MAGIC, key, &payload, out);
	lg_buf_free(&payload);
}

lg_cache_stack *lg_cache_decode_stack(const char *key, const void *data, size_t len)
{
	uint64_t plen;
	if (strlen(key) != 64 || !header_ok(STACK_MAGIC, key, data, len, &plen))
		return NULL;
	lg_cache_stack *st = lg_xcalloc(1, sizeof(*st));
	st->data = lg_xmalloc(len);
	memcpy(st->data, data, len);
	st->payload = st->data + HEADER_LEN;
	st->len = (size_t)plen;
	return st;
}

int lg_cache_stack_fill(const lg_cache_stack *st, size_t n, const size_t *nfiles,
			uint32_t *const *deleted_by)
{
	reader r = { st->payload, st->payload + st->len, false };
	if (get64(&r) != n || r.bad)
		return -1;
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (get64(&r) != nfiles[i] || r.bad)
			return -1;
		total += nfiles[i];
	}
	if ((uint64_t)(r.end - r.p) != total * sizeof(uint32_t))
		return -1;
	for (size_t i = 0; i < n; i++) {
		get(&r, deleted_by[i], nfiles[i] * sizeof(uint32_t));
		/* 0, or the 1-based number of a layer above this one */
		for (size_t f = 0; f < nfiles[i]; f++)
			if (deleted_by[i][f] && (deleted_by[i][f] <= i + 1 || deleted_by[i][f] > n))
				return -1;
	}
	return r.bad ? -1 : 0;
}

void lg_cache_stack_free(lg_cache_stack *st)
{
	if (!st)
		return;
	free(st->data);
	free(st);
}

lg_cache_stack *lg_cache_load_stack(lg_cache *c, const char *key, bool *rejected)
{
	cleanup_free char *path = entry_path(c, key, "stack");
	size_t len;
	bool there = false;
	unsigned char *data = slurp(path, &len, &there);
	uint64_t plen;
	lg_cache_stack *st = NULL;
	if (data && strlen(key) == 64 && header_ok(STACK_MAGIC, key, data, len, &plen)) {
		st = lg_xcalloc(1, sizeof(*st));
		st->data = data;
		st->payload = data + HEADER_LEN;
		st->len = (size_t)plen;
	} else {
		free(data);
	}
	*rejected = there && !st;
	return st;
}

int lg_cache_store_stack(lg_cache *c, const char *key, size_t n, const size_t *nfiles,
			 const uint32_t *const *deleted_by, char **warning)
{
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode_stack(key, n, nfiles, deleted_by, &b);
	cleanup_free char *path = entry_path(c, key, "stack");
	int rc = write_atomic(c, path, b.data, b.len, warning);
	lg_buf_free(&b);
	return rc;
}

/* ---- blob files verified before ---------------------------------------- */

/* A record: magic "LGBLOBID", u32 format, u32 byte-order mark, the six
 * fields of the lg_file_id as u64, and an XXH3-64 of all that seeded with
 * the XXH3-64 of the digest string, licgate's version and this boot's id:
 * a record renamed to another blob's name, written by another version (a
 * fix to verification invalidates what an older one vouched for) or
 * before a reboot (a disk changed elsewhere meanwhile) does not check
 * out. */
#define BLOB_MAGIC "LGBLOBID"
#define BLOB_FORMAT 2u
#define BLOB_RECORD_LEN (8 + 4 + 4 + 6 * 8 + 8)

static char boot_id[64]; /* empty: unknown, and no record is trusted */
static pthread_once_t boot_once = PTHREAD_ONCE_INIT;

static void read_boot_id(void)
{
	cleanup_close int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, boot_id, sizeof(boot_id) - 1);
	boot_id[n >= 36 ? 36 : 0] = '\0'; /* a UUID, or nothing */
}

static bool blob_seed(const lg_digest *d, uint64_t *seed)
{
	pthread_once(&boot_once, read_boot_id);
	if (!boot_id[0])
		return false;
	cleanup_free char *s = lg_xasprintf("%s\n%s\n%s", d->str, LICGATE_VERSION, boot_id);
	*seed = XXH3_64bits(s, strlen(s));
	return true;
}

static char *blob_path(const lg_cache *c, const lg_digest *d)
{
	return lg_xasprintf("%s/%s-%s.blob", c->dir, lg_digest_alg_name(d),
			    lg_digest_hex(d));
}

static bool blob_record(const lg_digest *d, const lg_file_id *id,
			unsigned char out[BLOB_RECORD_LEN])
{
	uint64_t seed;
	if (!blob_seed(d, &seed))
		return false;
	uint32_t format = BLOB_FORMAT, bom = BOM;
	uint64_t fields[6] = { id->dev, id->ino, id->mnt_id, id->size,
			       (uint64_t)id->mtime_ns, (uint64_t)id->ctime_ns };
	memcpy(out, BLOB_MAGIC, 8);
	memcpy(out + 8, &format, 4);
	memcpy(out + 12, &bom, 4);
	memcpy(out + 16, fields, sizeof(fields));
	uint64_t sum = XXH3_64bits_withSeed(out, BLOB_RECORD_LEN - 8, seed);
	memcpy(out + BLOB_RECORD_LEN - 8, &sum, 8);
	return true;
}

bool lg_cache_knows_blob(lg_cache *c, const lg_digest *digest, const lg_file_id *id)
{
	unsigned char want[BLOB_RECORD_LEN], got[BLOB_RECORD_LEN + 1];
	if (!blob_record(digest, id, want))
		return false;
	cleanup_free char *path = blob_path(c, digest);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return false;
	/* One byte more than a record, to see that there is none. */
	size_t n = 0;
	ssize_t k;
	while (n < sizeof(got) && (k = read(fd, got + n, sizeof(got) - n)) > 0)
		n += (size_t)k;
	return n == BLOB_RECORD_LEN && memcmp(got, want, BLOB_RECORD_LEN) == 0;
}

int lg_cache_remember_blob(lg_cache *c, const lg_digest *digest, const lg_file_id *id,
			   char **warning)
{
	unsigned char rec[BLOB_RECORD_LEN];
	if (!blob_record(digest, id, rec))
		return 0; /* no boot id: nothing is trusted, so nothing to keep */
	cleanup_free char *path = blob_path(c, digest);
	return write_atomic(c, path, rec, sizeof(rec), warning);
}
