/* inflate.h - gzip decompression with ISA-L, as a pull stream.
 *
 * lg_inflate reads compressed bytes from a source callback and hands out
 * blocks of decompressed bytes, the way `gzip -dc` reads a file: every
 * member of a multi-member stream is decompressed in turn, each member's
 * CRC-32 and ISIZE are checked, and anything after the last member that is
 * not another gzip member is an error ("trailing garbage after gzip data"),
 * as are a truncated stream and an empty one.
 *
 * Ownership: lg_inflate_new() returns a stream the caller frees with
 * lg_inflate_free(); it borrows the source's ud.  A block returned by
 * lg_inflate_read() stays valid until the next call on the stream.
 */
#ifndef LICGATE_INFLATE_H
#define LICGATE_INFLATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Point *buf at the next block of compressed bytes (it must stay valid
 * until the next call).  Returns its length, 0 at the end of the input, or
 * -1 with err set. */
typedef ssize_t (*lg_inflate_source)(void *ud, const void **buf, lg_error *err);

typedef struct lg_inflate lg_inflate;

lg_inflate *lg_inflate_new(lg_inflate_source source, void *ud);

/* Point *out at the next block of decompressed bytes.  Returns its length
 * (> 0), 0 at the verified end of the stream, or -1 with err set; after
 * -1 every later call fails too. */
ssize_t lg_inflate_read(lg_inflate *z, const void **out, lg_error *err);

/* Compressed bytes taken from the source so far. */
uint64_t lg_inflate_in_bytes(const lg_inflate *z);

void lg_inflate_free(lg_inflate *z);

#endif
