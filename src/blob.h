/* blob.h - content-addressed blobs: digest strings and verified reads.
 *
 * Every byte licgate reads from an image passes through an lg_blob: it
 * enforces the descriptor's size (never reading past it, except for one
 * byte to prove the blob is not longer) and hashes as it reads, so each blob
 * is read once and verified in the same pass.  A blob's content may be used
 * only after lg_blob_finish() returned 0.
 *
 * Ownership: lg_blob_open() returns a blob that owns its stream; release it
 * with lg_blob_free() (which does not verify).
 */
#ifndef LICGATE_BLOB_H
#define LICGATE_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "input.h"

enum lg_digest_alg {
	LG_SHA256,
	LG_SHA512,
};

/* A validated digest: "sha256:" + 64 lower-case hex, or "sha512:" + 128. */
typedef struct lg_digest {
	enum lg_digest_alg alg;
	char str[7 + 128 + 1]; /* the whole digest string */
} lg_digest;

/* Parse s (the image-spec digest grammar: algorithm ":" encoded) and accept
 * only the registered algorithms sha256 and sha512 with lower-case hex of
 * the right length.  Checked before any path is built from a digest. */
int lg_digest_parse(const char *s, lg_digest *out, lg_error *err);

/* The algorithm name ("sha256") and the hex part of a digest. */
const char *lg_digest_alg_name(const lg_digest *d);
const char *lg_digest_hex(const lg_digest *d);

/* Incremental hashing with OpenSSL. */
typedef struct lg_hasher lg_hasher;
lg_hasher *lg_hasher_new(enum lg_digest_alg alg);
void lg_hasher_update(lg_hasher *h, const void *data, size_t len);
/* Finish and write "alg:hex" into out (at least sizeof(lg_digest.str)). */
void lg_hasher_final(lg_hasher *h, char *out);
void lg_hasher_free(lg_hasher *h);

typedef struct lg_blob lg_blob;

/* Open the blob digest of the given size from in: the file at path inside
 * the image, or at blobs/ALG/HEX when path is NULL.  size must be >= 0.
 * digest may be NULL only with a path: then the size is still enforced but
 * the content is checked by the caller (a docker-archive layer, checked
 * through its diff_id). */
int lg_blob_open(lg_input *in, const char *path, const lg_digest *digest,
		 int64_t size, lg_blob **out, lg_error *err);

/* Read up to len bytes.  Returns the count, 0 at the end of the blob, or -1
 * with err set (I/O error, or the blob is longer than its size). */
ssize_t lg_blob_read(lg_blob *b, void *buf, size_t len, lg_error *err);

/* Read what is left, then check the size and the digest.  Returns -1 with
 * err naming the digest on any mismatch. */
int lg_blob_finish(lg_blob *b, lg_error *err);

/* Blobs verified before.  A blob read from a file of its own (in an image
 * layout) on a local file system whose times the kernel keeps (input.h)
 * has that file's identity, taken when it was opened.  After
 * lg_blob_finish() returned 0, lg_blob_settled() says whether that
 * identity can stand for the verified content in a later run of the same
 * boot, the way git's index trusts stat data: the file did not change
 * while it was read, nobody had it open for writing when the read began
 * or ended, and its mtime and ctime are more than LG_SETTLE_NS older than
 * the open.  A later write (write(2), truncation, a shared mapping opened
 * since) or a rename or copy into its place gives it another ctime or
 * inode; only root can set a ctime back (by setting the clock back, or by
 * writing the disk below the file system).  The margin covers file
 * systems whose timestamps are coarser than the clock. */
#define LG_SETTLE_NS (3 * 1000000000ll)

/* The identity of the blob's file when opened: false when the blob is not
 * a file of its own (an archive member, standard input). */
bool lg_blob_file_id(const lg_blob *b, lg_file_id *id);
/* After a successful lg_blob_finish(): the identity, when settled. */
bool lg_blob_settled(const lg_blob *b, lg_file_id *id);
bool lg_file_id_equal(const lg_file_id *a, const lg_file_id *b);

/* Bytes read so far, and the descriptor size. */
uint64_t lg_blob_offset(const lg_blob *b);
uint64_t lg_blob_size(const lg_blob *b);
const lg_digest *lg_blob_digest(const lg_blob *b);

void lg_blob_free(lg_blob *b);

/* Read a whole small blob (JSON) of at most max bytes, verified.  *data is
 * NUL-terminated and owned by the caller. */
int lg_blob_read_all(lg_input *in, const lg_digest *digest, int64_t size,
		     size_t max, char **data, lg_error *err);

#endif
