/* input.h - where an image comes from.
 *
 * An lg_input hides the form an image arrives in - an OCI image layout
 * directory, a tar of one (oci-archive), a `docker save` archive, any of
 * these compressed with gzip or zstd, or all that on standard input - and
 * hands out what the rest of the pipeline reads: files by their relative
 * path inside the image ("index.json", "manifest.json", "blobs/sha256/...",
 * "<id>/layer.tar") as raw byte streams.  It never interprets or verifies
 * them: that is oci.c's and blob.c's job.
 *
 * Archives are never unpacked: a seekable uncompressed tar is indexed in one
 * pass and read in place; a pipe or a compressed archive is first copied,
 * decompressed, into one temporary file that is unlinked as soon as it is
 * created, so no exit path (a signal included) can leave it behind.
 *
 * Ownership: lg_input_open() returns an input freed with lg_input_free();
 * each stream from lg_input_open_blob() is closed with lg_stream_close()
 * and must be closed before its input is freed.
 */
#ifndef LICGATE_INPUT_H
#define LICGATE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct lg_digest;

/* What statx(2) says of a file: two equal identities are the same file,
 * unchanged in between, as long as the first was taken a while after its
 * last change and nobody had it open for writing (lg_blob_settled() in
 * blob.h).  mnt_id is the mount's (unique since Linux 6.8), so a file
 * system mounted again, perhaps changed elsewhere meanwhile, is not the
 * same. */
typedef struct lg_file_id {
	uint64_t dev, ino, mnt_id, size;
	int64_t mtime_ns, ctime_ns;
} lg_file_id;

/* A forward-only byte stream. */
typedef struct lg_stream {
	/* Read up to len bytes; 0 at the end, -1 on error with errno set. */
	ssize_t (*read)(struct lg_stream *s, void *buf, size_t len);
	void (*close)(struct lg_stream *s);
	/* May be NULL: the stream is not a whole file of its own (an archive
	 * member, a pipe).  Else, for a file on a local file system whose
	 * times the kernel keeps (ext4, XFS, Btrfs, F2FS), fill *id and return
	 * 1 when nobody has the file open for writing (a read lease could be
	 * had), 0 when somebody may; -1 for any other file system, or on
	 * error: its identity vouches for nothing. */
	int (*file_id)(struct lg_stream *s, lg_file_id *id);
	/* May be NULL.  After read() returned -1: what went wrong, when errno
	 * cannot say it (an HTTP 401, a registry's error), owned by the
	 * stream; NULL to let strerror(errno) speak. */
	const char *(*error)(struct lg_stream *s);
} lg_stream;

static inline ssize_t lg_stream_read(lg_stream *s, void *buf, size_t len)
{
	return s->read(s, buf, len);
}

/* The identity of the file s reads, when it is a whole file of its own on
 * a file system that keeps its times: 1 (nobody writes it) or 0, else -1. */
static inline int lg_stream_file_id(lg_stream *s, lg_file_id *id)
{
	return s->file_id ? s->file_id(s, id) : -1;
}

/* After a failed read: the stream's own message, or NULL. */
static inline const char *lg_stream_error(lg_stream *s)
{
	return s->error ? s->error(s) : NULL;
}

static inline void lg_stream_close(lg_stream *s)
{
	if (s)
		s->close(s);
}

typedef struct lg_input lg_input;

/* How inputs that reach out (registries, the engine) behave. */
typedef struct lg_remote_options {
	const char *creds;          /* --creds USER:PASS, or NULL */
	const char *creds_file;     /* --creds-file FILE, or NULL */
	const char *const *insecure; /* --insecure-registry HOSTs */
	size_t ninsecure;
	bool tls_verify_off;        /* --tls-verify=false */
	const char *cert_dir;       /* --cert-dir DIR: instead of certs.d/HOST */
	bool all_tags;              /* --all-tags: the argument is a repository */
	const char *tag_pattern;    /* --tag-pattern REGEX, or NULL */
	bool verbose;               /* say what is fetched, on stderr */
} lg_remote_options;

/* Open the image at path ("-": standard input), or at a transport
 * (reference.h: docker://, docker-daemon:, oci:, oci-archive:,
 * docker-archive:); remote (may be NULL) says how to reach registries and
 * the engine.  Returns -1 with err saying why it is not an image licgate
 * can read. */
int lg_input_open(const char *path, lg_input **out, lg_error *err);
int lg_input_open_with(const char *path, const lg_remote_options *remote,
		       lg_input **out, lg_error *err);
void lg_input_free(lg_input *in);

/* The path as the user gave it, for messages and reports. */
const char *lg_input_path(const lg_input *in);

/* What the input is, for messages: "directory", "archive", "stdin",
 * "registry", "daemon". */
const char *lg_input_form(const lg_input *in);

/* The REF of oci:DIR:REF and the archive transports (an image to select
 * by name), or NULL. */
const char *lg_input_ref(const lg_input *in);

/* Whether blobs come from a content-addressed store reached by digest (a
 * registry): a layer whose walk is cached under its digest need not be
 * fetched again, since the verified manifest already names its content. */
bool lg_input_by_digest(const lg_input *in);

/* What the image's top holds: an OCI layout (oci-layout), a docker
 * archive's manifest.json, a legacy archive's repositories.  The backend
 * says it when it knows (a registry is a layout), else input.c probes for
 * the files. */
enum {
	LG_ROOT_OCI_LAYOUT = 1,
	LG_ROOT_DOCKER_MANIFEST = 2,
	LG_ROOT_REPOSITORIES = 4,
};
unsigned lg_input_root(lg_input *in);

/* Whether the image has a regular file (or a link to one) at name. */
bool lg_input_exists(lg_input *in, const char *name);

/* Open the file at name, a relative path inside the image.  The name is
 * checked first: no "..", not absolute, no empty or "." segments.  In an
 * archive a symlink is followed once, and only to a file inside it.
 * *size (may be NULL) gets the file's size. */
int lg_input_open_path(lg_input *in, const char *name, lg_stream **out,
		       uint64_t *size, lg_error *err);

/* Read the whole file at name, at most max bytes (a larger file is an
 * error).  *data is NUL-terminated and owned by the caller. */
int lg_input_read_file(lg_input *in, const char *name, size_t max,
		       char **data, size_t *len, lg_error *err);

/* Open the blob with the given (already validated) digest, at
 * blobs/ALG/HEX; a missing blob is an error naming the digest. */
int lg_input_open_blob(lg_input *in, const struct lg_digest *digest,
		       lg_stream **out, lg_error *err);

#endif
