/* input.h - where an image comes from.
 *
 * An lg_input hides the form an image arrives in (today an OCI image layout
 * directory; archives and standard input plug in behind the same calls) and
 * hands out the two things the rest of the pipeline reads: small metadata
 * files by name ("oci-layout", "index.json") and blobs by digest, as raw
 * byte streams.  It never interprets or verifies them: that is blob.c's job.
 *
 * Ownership: lg_input_open() returns an input freed with lg_input_free();
 * each stream from lg_input_open_blob() is closed with lg_stream_close()
 * and must be closed before its input is freed.
 */
#ifndef LICGATE_INPUT_H
#define LICGATE_INPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct lg_digest;

/* A forward-only byte stream. */
typedef struct lg_stream {
	/* Read up to len bytes; 0 at the end, -1 on error with errno set. */
	ssize_t (*read)(struct lg_stream *s, void *buf, size_t len);
	void (*close)(struct lg_stream *s);
} lg_stream;

static inline ssize_t lg_stream_read(lg_stream *s, void *buf, size_t len)
{
	return s->read(s, buf, len);
}

static inline void lg_stream_close(lg_stream *s)
{
	if (s)
		s->close(s);
}

typedef struct lg_input lg_input;

/* Open the image at path.  Returns -1 with err saying why path is not an
 * image licgate can read. */
int lg_input_open(const char *path, lg_input **out, lg_error *err);
void lg_input_free(lg_input *in);

/* The path as the user gave it, for messages and reports. */
const char *lg_input_path(const lg_input *in);

/* Read the metadata file name (relative to the layout's root, no '/'),
 * at most max bytes (a larger file is an error).  *data is NUL-terminated
 * and owned by the caller.  A missing file is an error with errno ENOENT
 * semantics reported in err. */
int lg_input_read_file(lg_input *in, const char *name, size_t max,
		       char **data, size_t *len, lg_error *err);

/* Open the blob with the given (already validated) digest. */
int lg_input_open_blob(lg_input *in, const struct lg_digest *digest,
		       lg_stream **out, lg_error *err);

#endif
