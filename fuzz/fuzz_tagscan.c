/* fuzz_tagscan.c - the tag scanner (tagscan.c), fed in chunks.
 *
 * Input: a file's content.  It is scanned twice: in one piece, and in
 * chunks whose sizes are drawn from a generator seeded with the input
 * (mostly 1 to 32 bytes, so keywords, blanks, closers and line ends land
 * on every kind of boundary).  tagscan.h promises a marker split across
 * chunks is found as if the file were one buffer: both scans must report
 * the same events, byte for byte.  It also promises linear work: each
 * scan's count (lg_tagscan.work) stays within LG_TAGSCAN_WORK_PER_BYTE a
 * byte plus LG_TAGSCAN_WORK_PER_FEED a feed, so an input that makes the
 * scan superlinear is a failed check, not a timeout to notice.
 */
#include <string.h>

#include "fuzz_common.h"
#include "tagscan.h"
#include "util.h"

/* Every event as one record in a buffer: kind, lines, expression. */
static void record(void *ud, const lg_tag_event *ev)
{
	lg_buf *b = ud;
	FUZZ_CHECK(ev->kind == LG_TAG_LICENSE || ev->kind == LG_TAG_SNIPPET_END);
	FUZZ_CHECK(ev->line >= 1);
	if (ev->kind == LG_TAG_LICENSE) {
		FUZZ_CHECK(ev->len > 0 && ev->len <= LG_TAG_MAX);
		FUZZ_CHECK(!memchr(ev->expr, '\n', ev->len));
	}
	lg_buf_appendf(b, "%d %llu %llu [", (int)ev->kind,
		       (unsigned long long)ev->line,
		       (unsigned long long)ev->snippet_begin);
	if (ev->kind == LG_TAG_LICENSE)
		lg_buf_append(b, ev->expr, ev->len);
	lg_buf_append(b, "]\n", 2);
}

static void check_work(const lg_tagscan *s, size_t size, size_t feeds)
{
	uint64_t bound = (uint64_t)LG_TAGSCAN_WORK_PER_BYTE * size +
			 (uint64_t)LG_TAGSCAN_WORK_PER_FEED * feeds;
	if (s->work > bound) {
		fprintf(stderr, "work %llu for %zu bytes in %zu feeds (bound %llu)\n",
			(unsigned long long)s->work, size, feeds, (unsigned long long)bound);
		FUZZ_CHECK(!"the tag scan's work is linear");
	}
}

static size_t chunk_size(fuzz_rng *r)
{
	uint32_t x = fuzz_rng_next(r);
	if (x % 8 == 0)
		return 1 + (x >> 8) % 4096;
	return 1 + (x >> 8) % 32;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lg_buf whole = LG_BUF_INIT, chunked = LG_BUF_INIT;
	lg_tagscan s;

	lg_tagscan_init(&s, record, &whole);
	lg_tagscan_feed(&s, data, size);
	lg_tagscan_end(&s);
	check_work(&s, size, 1);

	fuzz_rng r = fuzz_rng_seed(data, size);
	lg_tagscan_init(&s, record, &chunked);
	size_t feeds = 0;
	for (size_t off = 0; off < size; feeds++) {
		size_t n = chunk_size(&r);
		if (n > size - off)
			n = size - off;
		lg_tagscan_feed(&s, data + off, n);
		off += n;
	}
	lg_tagscan_end(&s);
	check_work(&s, size, feeds);

	if (whole.len != chunked.len ||
	    (whole.len && memcmp(whole.data, chunked.data, whole.len) != 0)) {
		fprintf(stderr, "whole:\n%s\nchunked:\n%s\n",
			whole.data ? whole.data : "", chunked.data ? chunked.data : "");
		FUZZ_CHECK(!"chunked scan reports what the whole scan reports");
	}
	lg_buf_free(&whole);
	lg_buf_free(&chunked);
	return 0;
}
