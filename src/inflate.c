/* inflate.c - see inflate.h
 *
 * ISA-L's isal_inflate() with crc_flag ISAL_GZIP parses each member's
 * header and checks its trailer (CRC-32 and ISIZE) itself; what is left
 * to us is walking from one member to the next and telling the end of the
 * data from garbage after it.
 */
#include "inflate.h"

#include <stdbool.h>
#include <stdlib.h>

#include <isa-l/igzip_lib.h>

#include "util.h"

#define OUT_BUF (256 * 1024)

struct lg_inflate {
	struct inflate_state st;
	lg_inflate_source source;
	void *ud;
	unsigned char *out;  /* OUT_BUF bytes, handed out by lg_inflate_read */
	uint64_t in_bytes;   /* taken from the source */
	unsigned members;    /* members started so far */
	bool in_member;      /* inside a member: its trailer is not checked yet */
	bool source_eof;
	bool done;           /* verified end of the stream */
	bool failed;
};

lg_inflate *lg_inflate_new(lg_inflate_source source, void *ud)
{
	lg_inflate *z = lg_xcalloc(1, sizeof(*z));
	z->source = source;
	z->ud = ud;
	z->out = lg_xmalloc(OUT_BUF);
	isal_inflate_init(&z->st);
	z->st.crc_flag = ISAL_GZIP;
	return z;
}

void lg_inflate_free(lg_inflate *z)
{
	if (!z)
		return;
	free(z->out);
	free(z);
}

uint64_t lg_inflate_in_bytes(const lg_inflate *z)
{
	return z->in_bytes;
}

static int fail(lg_inflate *z, lg_error *err, const char *why)
{
	z->failed = true;
	return lg_err(err, "gzip: %s", why);
}

/* Make input available unless the source has ended. */
static int fill(lg_inflate *z, lg_error *err)
{
	if (z->st.avail_in > 0 || z->source_eof)
		return 0;
	const void *buf = NULL;
	ssize_t n = z->source(z->ud, &buf, err);
	if (n < 0) {
		z->failed = true;
		return -1;
	}
	z->source_eof = n == 0;
	z->st.next_in = (uint8_t *)buf;
	z->st.avail_in = (uint32_t)n;
	z->in_bytes += (uint64_t)n;
	return 0;
}

/* Between members: start the next one, or find the end of the stream. */
static int next_member(lg_inflate *z, lg_error *err)
{
	if (fill(z, err) < 0)
		return -1;
	if (z->st.avail_in == 0) {
		if (z->members == 0)
			return fail(z, err, "empty input: not gzip data");
		z->done = true;
		return 0;
	}
	const uint8_t *p = z->st.next_in;
	if (p[0] != 0x1f || (z->st.avail_in > 1 && p[1] != 0x8b))
		return fail(z, err, z->members ? "trailing garbage after gzip data"
					       : "not in gzip format");
	uint8_t *next_in = z->st.next_in;
	uint32_t avail_in = z->st.avail_in;
	isal_inflate_reset(&z->st);
	z->st.crc_flag = ISAL_GZIP;
	z->st.next_in = next_in;
	z->st.avail_in = avail_in;
	z->members++;
	z->in_member = true;
	return 0;
}

static const char *isal_why(const lg_inflate *z, int r)
{
	switch (r) {
	case ISAL_INCORRECT_CHECKSUM:
		return "CRC-32 or length check failed: corrupt data";
	case ISAL_INVALID_WRAPPER:
		return z->members > 1 ? "trailing garbage after gzip data" : "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD:
		return "unsupported compression method";
	case ISAL_NEED_DICT:
		return "needs a preset dictionary";
	default:
		return "invalid compressed data";
	}
}

ssize_t lg_inflate_read(lg_inflate *z, const void **out, lg_error *err)
{
	if (z->failed)
		return lg_err(err, "gzip: read after an error");
	while (!z->done) {
		if (!z->in_member) {
			if (next_member(z, err) < 0)
				return -1;
			continue;
		}
		if (fill(z, err) < 0)
			return -1;
		uint32_t avail_in = z->st.avail_in;
		z->st.next_out = z->out;
		z->st.avail_out = OUT_BUF;
		int r = isal_inflate(&z->st);
		if (r < 0 || r == ISAL_NEED_DICT)
			return fail(z, err, isal_why(z, r));
		size_t n = OUT_BUF - z->st.avail_out;
		if (z->st.block_state == ISAL_BLOCK_FINISH)
			z->in_member = false;
		if (n > 0) {
			*out = z->out;
			return (ssize_t)n;
		}
		if (!z->in_member)
			continue;
		if (z->st.avail_in == 0 && z->source_eof)
			return fail(z, err, "truncated input");
		if (z->st.avail_in == avail_in && avail_in > 0)
			return fail(z, err, "decompression made no progress");
	}
	return 0;
}
