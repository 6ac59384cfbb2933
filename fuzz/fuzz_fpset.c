/* fuzz_fpset.c - a fingerprint set file (evidence_fingerprint.c) over
 * arbitrary bytes, and matching texts against what decodes.
 *
 * Input: a set file.  The harness writes the right checksum over its last
 * 16 bytes, as anyone who writes a set could, so the decoder's own checks
 * (version, lengths, the table's order, file places and counts) are what
 * is tested.  The bytes are read both ways a scan reads a set: decoded
 * from memory (the table copied) and loaded from a file (mapped, the
 * table used in place).  Invariants: both ways accept or refuse alike; a
 * set that is accepted can be listed, merged with itself and matched
 * against texts (fixed code and the input's own bytes, in uneven chunks)
 * without a memory error, and both ways give every text the same match.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xxhash.h>

#include "evidence_fingerprint.h"
#include "fuzz_common.h"
#include "util.h"

static const char CODE[] =
	"// SPDX-License-Identifier: BUSL-1.1\n"
	"export function issueToken(claims, key) {\n"
	"  const header = { alg: 'RS256', typ: 'JWT' };\n"
	"  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');\n"
	"  return sign(header, body, key, { expiresIn: 3600 });\n"
	"}\n";

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	FUZZ_CHECK(devnull != NULL);
	return 0;
}

/* The input with its checksum made right. */
static void seal(const uint8_t *data, size_t size, lg_buf *out)
{
	lg_buf_append(out, data, size);
	if (size < 16)
		return;
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(data, size - 16));
	memcpy(out->data + size - 16, c.digest, 16);
}

/* The set as a file on a memfd: what lg_fpset_load() maps. */
static int load(const lg_buf *b, lg_fpset **s)
{
	int fd = memfd_create("fpset", 0);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(b->len == 0 || write(fd, b->data, b->len) == (ssize_t)b->len);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	lg_error err = LG_ERROR_INIT;
	int r = lg_fpset_load(s, path, &err);
	FUZZ_CHECK(r == 0 || strstr(lg_error_msg(&err), path) != NULL);
	lg_error_clear(&err);
	close(fd);
	return r;
}

typedef struct result {
	uint8_t kind;
	uint32_t matched, ranges_total;
	char source[128];
} result;

/* Text t[0, n) matched against s, fed in chunks of 1 to 97 bytes. */
static result match(const lg_fpset *s, const void *t, size_t n)
{
	lg_fpmatcher *m = lg_fpmatcher_new(s);
	lg_fpmatcher_begin(m);
	const unsigned char *p = t;
	for (size_t at = 0, step = 1; at < n; at += step, step = step % 97 + 13)
		lg_fpmatcher_feed(m, p + at, n - at < step ? n - at : step);
	uint8_t exact[16];
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(t, n));
	memcpy(exact, c.digest, 16);
	lg_fpmatch out;
	result r = { 0 };
	if (lg_fpmatcher_end(m, exact, &out)) {
		FUZZ_CHECK(out.kind >= LG_FPM_EXACT && out.kind <= LG_FPM_PARTIAL);
		FUZZ_CHECK(out.nranges <= LG_FPM_RANGES);
		r.kind = out.kind;
		r.matched = out.matched;
		r.ranges_total = out.ranges_total;
		snprintf(r.source, sizeof r.source, "%.*s", (int)out.source_len, out.source);
	}
	lg_fpmatcher_free(m);
	return r;
}

static void same(result a, result b)
{
	FUZZ_CHECK(a.kind == b.kind && a.matched == b.matched &&
		   a.ranges_total == b.ranges_total && strcmp(a.source, b.source) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lg_buf b = LG_BUF_INIT;
	seal(data, size, &b);
	lg_error err = LG_ERROR_INIT;
	lg_fpset *copied = NULL, *mapped = NULL;
	int rc = lg_fpset_decode(&copied, "fuzz.lgfp", b.data ? b.data : "", b.len, &err);
	lg_error_clear(&err);
	int rm = load(&b, &mapped);
	FUZZ_CHECK((rc == 0) == (rm == 0));
	if (rc == 0) {
		lg_fpset_show(copied, devnull);
		same(match(copied, CODE, sizeof CODE - 1), match(mapped, CODE, sizeof CODE - 1));
		same(match(copied, data, size), match(mapped, data, size));
		size_t n = lg_fpset_count(mapped);
		/* the same set again: merged with the one used in place */
		FUZZ_CHECK(lg_fpset_decode(&mapped, "again.lgfp", b.data, b.len, &err) == 0);
		FUZZ_CHECK(lg_fpset_count(mapped) == 2 * n);
		match(mapped, data, size);
	}
	lg_error_clear(&err);
	lg_fpset_free(copied);
	lg_fpset_free(mapped);
	lg_buf_free(&b);
	return 0;
}
