/* fuzz_cache.c - a layer cache entry (cache.c) over arbitrary bytes, and
 * what the scan does with a layer that came from one.
 *
 * Input: an entry's payload.  The harness seals it with a valid header (the
 * key, the format, its length and its XXH3), as anyone who can write the
 * cache directory could, so the decoder's own checks are what is tested,
 * not the checksum.  Invariants: a payload that decodes gives a layer whose
 * paths are absolute and whose indexes are in range, which the whiteout
 * map, the whiteout resolution (the layer stacked on itself: the upper copy
 * hides every file of the lower one), classification with the default
 * rules and directory license files (symlinked ones followed) all take
 * without a memory error.  The same payload is also sealed
 * as a classification entry and a whiteout resolution entry (the first
 * byte saying for how many files / layers), whose decoders must refuse it
 * or return values in range.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "cache.h"
#include "classify.h"
#include "evidence_licfile.h"
#include "fuzz_common.h"
#include "layer.h"
#include "util.h"

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The entry header, as cache.c writes it: magic "LGCACHE\0", u32 format,
 * u32 byte-order mark, u64 payload length, u64 XXH3-64 of the payload, the
 * 64 hex digits of the key. */
static void seal_as(const char *magic, const uint8_t *payload, size_t len, lg_buf *out)
{
	uint32_t format = LG_CACHE_FORMAT, bom = 0x01020304u;
	uint64_t n = len, sum = XXH3_64bits(payload, len);
	lg_buf_append(out, magic, 8);
	lg_buf_append(out, &format, 4);
	lg_buf_append(out, &bom, 4);
	lg_buf_append(out, &n, 8);
	lg_buf_append(out, &sum, 8);
	lg_buf_append(out, KEY, 64);
	lg_buf_append(out, payload, len);
}

static void seal(const uint8_t *payload, size_t len, lg_buf *out)
{
	seal_as("LGCACHE", payload, len, out);
}

/* The payload as classification results for data[0] % 64 files. */
static void fuzz_results(const uint8_t *data, size_t size)
{
	if (!size)
		return;
	size_t n = data[0] % 64;
	lg_buf b = LG_BUF_INIT;
	seal_as("LGCLASS", data + 1, size - 1, &b);
	lg_file_result *r = lg_cache_decode_results(KEY, n, b.data, b.len);
	for (size_t i = 0; r && i < n; i++) {
		FUZZ_CHECK(r[i].outcome <= LG_OUT_EXEMPT && r[i].level <= LG_LEVEL_DENY);
		FUZZ_CHECK(!r[i].class_name || strlen(r[i].class_name) < b.len);
	}
	free(r);
	lg_buf_free(&b);
}

/* The payload as the whiteout resolution of data[0] % 5 layers of
 * data[1..] % 8 files each. */
static void fuzz_stack(const uint8_t *data, size_t size)
{
	if (size < 5)
		return;
	size_t n = data[0] % 5, nfiles[4];
	uint32_t del[4][8];
	uint32_t *out[4];
	for (size_t i = 0; i < 4; i++) {
		nfiles[i] = data[1 + i] % 8;
		out[i] = del[i];
	}
	lg_buf b = LG_BUF_INIT;
	seal_as("LGSTACK", data + 5, size - 5, &b);
	lg_cache_stack *st = lg_cache_decode_stack(KEY, b.data, b.len);
	if (st && lg_cache_stack_fill(st, n, nfiles, out) == 0)
		for (size_t i = 0; i < n; i++)
			for (size_t f = 0; f < nfiles[i]; f++)
				FUZZ_CHECK(!del[i][f] || (del[i][f] > i + 1 && del[i][f] <= n));
	lg_cache_stack_free(st);
	lg_buf_free(&b);
}

static void check_layer(const lg_layer *l)
{
	for (size_t i = 0; i < l->nentries; i++) {
		const lg_entry *e = &l->entries[i];
		FUZZ_CHECK(e->path[0] == '/' && strlen(e->path) == e->len);
	}
	for (size_t i = 0; i < l->nfiles; i++) {
		const lg_file *f = &l->files[i];
		FUZZ_CHECK(f->entry < l->nentries);
		FUZZ_CHECK(f->path == l->entries[f->entry].path);
		FUZZ_CHECK((uint64_t)f->first_tag + f->ntags <= l->ntags);
		FUZZ_CHECK((uint64_t)f->first_text + f->ntext <= l->ntexts);
		FUZZ_CHECK(f->sidecar <= l->nfiles && f->package <= l->npackages);
	}
	for (size_t i = 0; i < l->nlinks; i++) {
		const lg_link *k = &l->links[i];
		FUZZ_CHECK(k->entry < l->nentries && l->entries[k->entry].type == LG_ENTRY_OTHER);
		FUZZ_CHECK(k->len <= LG_LINK_MAX && strlen(k->target) == k->len);
	}
}

/* Directory license files over the layer (twice, as two layers of one
 * image): every symlinked license file followed (evidence_symlink.h),
 * every file looked up and classified with what governs it. */
static void license_files(const lg_layer *l)
{
	const lg_rules *rules = fuzz_default_rules();
	const lg_layer *stack[] = { l, l };
	lg_licfile_index *ix = lg_licfile_index_new(rules, stack, 2);
	lg_classification c;
	for (size_t i = 0; ix && i < l->nfiles; i++) {
		const lg_licfile_dir *d = lg_licfile_lookup(ix, l->files[i].path, l->files[i].len);
		FUZZ_CHECK(!d || d->n <= LG_LICFILE_MAX);
		lg_classify_dir(rules, lg_rules_target_at(rules, 0), l, &l->files[i], d, &c);
	}
	lg_licfile_index_free(ix);
	lg_error err = LG_ERROR_INIT;
	(void)lg_rules_match_error(rules, &err);
	lg_error_clear(&err);
}

static void classify_all(const lg_layer *l)
{
	const lg_rules *rules = fuzz_default_rules();
	for (size_t t = 0; t < lg_rules_target_count(rules); t++) {
		lg_classification c;
		for (size_t i = 0; i < l->nfiles; i++)
			lg_classify(rules, lg_rules_target_at(rules, t), l, &l->files[i], &c);
	}
	lg_error err = LG_ERROR_INIT;
	(void)lg_rules_match_error(rules, &err);
	lg_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_results(data, size);
	fuzz_stack(data, size);
	lg_buf b = LG_BUF_INIT;
	seal(data, size, &b);
	lg_layer *l = lg_cache_decode(KEY, fuzz_default_rules(), b.data, b.len);
	lg_buf_free(&b);
	if (l) {
		check_layer(l);
		fuzz_check_self_stack(l);
		classify_all(l);
		license_files(l);
		lg_layer_free(l);
	}
	return 0;
}
