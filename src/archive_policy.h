/* archive_policy.h - how licgate uses libarchive's readers, in one place
 * for the archive an image comes in (input_archive.c, input.c) and for
 * its layers (layer.c).
 *
 * Filters: only libarchive's built-in gzip and zstd decoders (and xz,
 * lzma and bzip2 for the archives among a layer's files), never the
 * external program libarchive falls back to when built without one.
 * Header warnings: ARCHIVE_WARN from archive_read_next_header() may mean
 * the entry is not what it claims (a malformed pax attribute, a name that
 * could not be read), so it is an error, except for owner names (uname,
 * gname), which licgate does not use.  Both the image archive and its
 * layers follow it: a docker-archive's manifest.json, the root of its
 * trust, has no digest to catch a misread header.
 */
#ifndef LICGATE_ARCHIVE_POLICY_H
#define LICGATE_ARCHIVE_POLICY_H

#include <stdbool.h>

#include "error.h"

struct archive;

#define LG_FILTER_GZIP 0x1
#define LG_FILTER_ZSTD 0x2
#define LG_FILTER_XZ 0x4    /* xz and lzma (nested archives) */
#define LG_FILTER_BZIP2 0x8 /* nested archives */

/* Register the decoders in `which` (LG_FILTER_*) on a.  A libarchive built
 * without one answers ARCHIVE_WARN and would pipe the bytes through an
 * external gzip or zstd program: licgate never runs a program on image
 * bytes, so anything but ARCHIVE_OK is an error naming the filter.
 * Returns 0, or -1 with err set. */
int lg_archive_filters(struct archive *a, unsigned which, lg_error *err);

/* Is a header warning (archive_error_string() after ARCHIVE_WARN) one the
 * entry can be read past?  Only owner names; NULL is not. */
bool lg_archive_warning_ok(const char *msg);

#endif
