/* fuzz_layer.c - the layer walk (layer.c, with tagscan.c, evidence.c and
 * the text rules of the default rules) over arbitrary bytes.
 *
 * Input: a layer blob.  Its media type follows its magic: gzip, zstd, or
 * else a plain tar; a fourth of the inputs (by their digest) are instead
 * read as Docker's rootfs.diff.tar.gzip, which sniffs.  The descriptor's
 * digest is the blob's sha256 and its diff_id the sha256 of the blob
 * decompressed here, so the walk gets past verification and reaches the
 * end-of-layer checks.  Invariants: a scan that fails says why; a scan
 * that succeeds gives files whose paths are normalized and whose tags and
 * entries are in range; stacked on itself (whiteout.c), the layer hides
 * every file of its lower copy and nothing hides the upper one; and the
 * layer cache (cache.c) decodes what it encodes for it, to the same files,
 * entries, tags and warnings (a layer the cache refuses is walked again on
 * every run: a tag holding a NUL byte once did that).
 */
#include <string.h>

#include <archive.h>

#include "cache.h"
#include "fuzz_common.h"
#include "layer.h"
#include "util.h"

/* sha256 of data decompressed by libarchive (any filter it knows); the
 * blob's own digest when it does not decompress. */
static void diff_id(const uint8_t *data, size_t size, const lg_digest *blob,
		    lg_digest *out)
{
	*out = *blob;
	struct archive *a = archive_read_new();
	archive_read_support_format_raw(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	struct archive_entry *e;
	if (archive_read_open_memory(a, data, size) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK) {
		lg_hasher *h = lg_hasher_new(LG_SHA256);
		const void *block;
		size_t n;
		la_int64_t off;
		int r;
		while ((r = archive_read_data_block(a, &block, &n, &off)) == ARCHIVE_OK)
			lg_hasher_update(h, block, n);
		lg_hasher_final(h, out->str);
		lg_hasher_free(h);
	}
	archive_read_free(a);
}

static void check_layer(const lg_layer *l)
{
	for (size_t i = 0; i < l->nentries; i++) {
		const lg_entry *e = &l->entries[i];
		FUZZ_CHECK(e->path[0] == '/' && strlen(e->path) == e->len);
		/* no trailing '/' but for "/" and a single compressed
		 * file's content, "FILE!/" (layer_nested.h) */
		FUZZ_CHECK(e->len == 1 || e->path[e->len - 1] != '/' ||
			   (e->len > 2 && e->path[e->len - 2] == '!' &&
			    (e->type == LG_ENTRY_FILE)));
	}
	for (size_t i = 0; i < l->nfiles; i++) {
		const lg_file *f = &l->files[i];
		FUZZ_CHECK(f->entry < l->nentries);
		FUZZ_CHECK((uint64_t)f->first_tag + f->ntags <= l->ntags);
		FUZZ_CHECK((uint64_t)f->first_text + f->ntext <= l->ntexts);
		FUZZ_CHECK(f->sidecar <= l->nfiles && f->package <= l->npackages);
	}
	for (size_t i = 0; i < l->ntags; i++)
		FUZZ_CHECK(l->tags[i].len > 0 && l->tags[i].line > 0);
}

static bool same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* What the cache keeps of l comes back as it was. */
static void check_cache_round_trip(const lg_layer *l)
{
	static const char key[] =
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	const lg_rules *rules = fuzz_default_rules();
	lg_buf b = LG_BUF_INIT;
	lg_cache_encode(key, rules, l, &b);
	lg_layer *c = lg_cache_decode(key, rules, b.data, b.len);
	lg_buf_free(&b);
	if (!c)
		FUZZ_CHECK(!"the cache decodes every layer a walk makes");
	FUZZ_CHECK(c->nentries == l->nentries && c->nfiles == l->nfiles);
	FUZZ_CHECK(c->ntags == l->ntags && c->nwarnings == l->nwarnings);
	for (size_t i = 0; i < l->nentries; i++)
		FUZZ_CHECK(c->entries[i].type == l->entries[i].type &&
			   same_bytes(c->entries[i].path, c->entries[i].len,
				      l->entries[i].path, l->entries[i].len));
	for (size_t i = 0; i < l->nfiles; i++) {
		const lg_file *x = &c->files[i], *y = &l->files[i];
		FUZZ_CHECK(x->size == y->size && x->ntags == y->ntags && x->flags == y->flags &&
			   memcmp(x->xxh3, y->xxh3, sizeof(x->xxh3)) == 0 &&
			   same_bytes(x->path, x->len, y->path, y->len));
	}
	for (size_t i = 0; i < l->ntags; i++)
		FUZZ_CHECK(same_bytes(c->tags[i].expr, c->tags[i].len, l->tags[i].expr,
				      l->tags[i].len) &&
			   c->tags[i].line == l->tags[i].line);
	for (size_t i = 0; i < l->nwarnings; i++)
		FUZZ_CHECK(strcmp(c->warnings[i], l->warnings[i]) == 0);
	lg_layer_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lg_layer_desc d = { .size = (int64_t)size };
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		d.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
		d.compression = LG_COMP_GZIP;
	} else if (size >= 4 && !memcmp(data, "\x28\xb5\x2f\xfd", 4)) {
		d.media_type = "application/vnd.oci.image.layer.v1.tar+zstd";
		d.compression = LG_COMP_ZSTD;
	} else {
		d.media_type = "application/vnd.oci.image.layer.v1.tar";
		d.compression = LG_COMP_NONE;
	}
	fuzz_sha256(data, size, &d.digest);
	if (strchr("0123", lg_digest_hex(&d.digest)[0])) {
		d.media_type = "application/vnd.docker.image.rootfs.diff.tar.gzip";
		d.compression = LG_COMP_DETECT;
	}
	if (d.compression == LG_COMP_NONE)
		d.diff_id = d.digest;
	else
		diff_id(data, size, &d.digest, &d.diff_id);

	lg_input *in = fuzz_mem_input();
	char name[100];
	snprintf(name, sizeof name, "blobs/sha256/%s", lg_digest_hex(&d.digest));
	fuzz_mem_add(in, name, data, size);
	lg_layer *layer = NULL;
	lg_error err = LG_ERROR_INIT;
	if (lg_layer_scan(in, &d, fuzz_default_rules(), &layer, &err) == 0) {
		check_layer(layer);
		check_cache_round_trip(layer);
		fuzz_check_self_stack(layer);
		lg_layer_free(layer);
	} else {
		FUZZ_CHECK(err.msg != NULL);
	}
	lg_error_clear(&err);
	lg_input_free(in);
	return 0;
}
