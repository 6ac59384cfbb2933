/* layer_nested.h - descend into the archives a layer's files are: jars,
 * wars, wheels, eggs, npm tarballs, gems, .tar.* bundles, and single
 * compressed files (main.js.gz), recursively.
 *
 * What is an archive is decided by content, never by name: the first
 * LG_NESTED_SNIFF bytes of a file must carry a zip, tar (ustar), cpio,
 * ar, 7-Zip, RAR, cabinet, gzip, zstd, xz or bzip2 signature
 * (lg_nested_sniff()).  Brotli has
 * no signature: a file named *.br is decoded with libbrotli, and one that
 * does not decode is an unreadable archive.
 *
 * The walk reads each file once.  While a file streams through the
 * layer walk's consumers, lg_nested_feed() keeps a copy of its bytes
 * (the tee): in memory up to limits.mem_bytes, beyond that in an
 * anonymous temporary file (lg_temp_file(), removed however the process
 * ends).  When the file has ended, lg_nested_walk() opens a libarchive
 * reader over that copy - seekable, so a zip is read through its central
 * directory as the JVM and pip read it - and hands each regular member to
 * a callback, which reads it with archive_read_data_block() as the layer
 * walk reads a tar entry (and may tee it again: the recursion).  Nothing
 * is extracted, and no blob is read twice.
 *
 * Paths: a member's path is its container's path, "!/", then the
 * member's name normalized as a layer path (lg_path_normalize(): no ..,
 * no absolute escape); a single compressed file's content is
 * "CONTAINER!/".  E.g. /srv/app.tgz!/dist/app.war!/WEB-INF/lib/x.jar!/A.java.
 *
 * Limits (a limit hit is an error naming the file and the limit; the
 * scan fails closed): depth of nesting, members and expanded bytes per
 * lg_nested (one per layer walk).  An archive libarchive cannot read
 * (damaged, or a signature without an archive behind it) is an error too:
 * its members could not be scanned.
 *
 * Ownership: lg_nested_new() returns a state freed by lg_nested_free(),
 * which closes any temporary file.  Paths handed to the callback live
 * until it returns.
 */
#ifndef LICGATE_LAYER_NESTED_H
#define LICGATE_LAYER_NESTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct archive;
struct archive_entry;

/* Bytes of a file's head that decide whether it is an archive. */
#define LG_NESTED_SNIFF 512

typedef struct lg_nested_limits {
	unsigned max_depth;     /* archives within archives; 1: no nesting */
	uint64_t max_members;   /* regular members, all depths together */
	uint64_t max_bytes;     /* expanded member bytes, all depths together */
	size_t mem_bytes;       /* per level, held in memory before spooling */
} lg_nested_limits;

/* The defaults: 8 levels (a Spring Boot fat jar in a war in a tgz is 3),
 * 262144 members, 1 GiB of expanded bytes, 4 MiB in memory per level. */
#define LG_NESTED_MAX_DEPTH 8
#define LG_NESTED_MAX_MEMBERS (1u << 18)
#define LG_NESTED_MAX_BYTES (1ull << 30)
#define LG_NESTED_MEM (4u << 20)

enum lg_nested_kind {
	LG_NESTED_NONE,
	LG_NESTED_ZIP,
	LG_NESTED_TAR,
	LG_NESTED_CPIO,
	LG_NESTED_AR,
	LG_NESTED_7ZIP,
	LG_NESTED_RAR,        /* RAR 1.5-4 and RAR 5 */
	LG_NESTED_CAB,
	LG_NESTED_COMPRESSED, /* gzip, zstd, xz, bzip2: a tarball or one file */
	LG_NESTED_BROTLI,     /* a file named *.br (brotli has no signature) */
};

/* What the head p[0..n) of a file says it is (n may be short: a file
 * shorter than LG_NESTED_SNIFF bytes). */
enum lg_nested_kind lg_nested_sniff(const void *p, size_t n);

typedef struct lg_nested lg_nested;

/* limits may be NULL: the defaults.  A zero field takes its default. */
lg_nested *lg_nested_new(const lg_nested_limits *limits);
void lg_nested_free(lg_nested *n);

/* Current depth: 0 while the layer's own files are read, d while the
 * members of an archive at depth d - 1 are. */
unsigned lg_nested_depth(const lg_nested *n);

/* A file at the current depth, path[0..len), begins: its bytes follow through
 * lg_nested_feed(), then lg_nested_walk() descends if it is an archive. */
void lg_nested_start(lg_nested *n, const char *path, size_t len);
int lg_nested_feed(lg_nested *n, const void *p, size_t len, lg_error *err);

/* Member bytes read (by the callback): counted against max_bytes.  -1
 * with err set past it. */
int lg_nested_count(lg_nested *n, uint64_t bytes, lg_error *err);

/* Called once per regular member, with its joined path (path[len] is
 * NUL), whether its name tried to leave its archive (.. or /), and the
 * reader positioned at its data.  Returns 0 or -1 with err set. */
typedef int (*lg_nested_member_fn)(void *ud, const char *path, size_t len, bool escaped,
				   struct archive *a, struct archive_entry *e);

/* When the file just fed (its path: path[0..len)) is an archive, walk its
 * members through fn, one depth down.  0 when it is not an archive or
 * every member was read; -1 with err set (naming the file) otherwise. */
int lg_nested_walk(lg_nested *n, const char *path, size_t len, lg_nested_member_fn fn,
		   void *ud, lg_error *err);

/* Join container path c[0..clen) and member name m[0..mlen) into out
 * (reset first): c "!/" normalized-m, or c "!/" for an empty m.  Sets
 * *escaped when m tried to leave its archive. */
struct lg_buf;
void lg_nested_join(const char *c, size_t clen, const char *m, size_t mlen,
		    struct lg_buf *out, bool *escaped);

#endif
