/* layer.h - walk one layer blob: every entry of the tar, streamed through
 * libarchive straight from the verified blob, nothing extracted.
 *
 * For each regular file the walk records its normalized path, size, mode,
 * XXH3-128 of its content and every SPDX-License-Identifier tag in it; for
 * every entry (files, directories, symlinks, whiteouts) its path and type,
 * which whiteout resolution needs.  The blob's digest and the uncompressed
 * stream's digest (the config's diff_id) are checked in the same pass.
 *
 * Ownership: lg_layer_scan() returns an lg_layer the caller frees with
 * lg_layer_free().  Its fields are read-only to everyone else; all strings
 * (paths, tags) live in its arena until then.
 */
#ifndef LICGATE_LAYER_H
#define LICGATE_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "error.h"
#include "oci.h"
#include "strmap.h"
#include "util.h"

enum lg_entry_type {
	LG_ENTRY_FILE,     /* regular file or hardlink: classified */
	LG_ENTRY_DIR,
	LG_ENTRY_OTHER,    /* symlink, device, fifo: inventory only */
	LG_ENTRY_WHITEOUT, /* .wh.NAME: path is the NAME it deletes */
	LG_ENTRY_OPAQUE,   /* .wh..wh..opq: path is the directory it empties */
};

/* flags of an lg_file */
#define LG_FILE_ESCAPED 0x1   /* its name tried to leave the root with .. */
#define LG_FILE_HARDLINK 0x2  /* a hardlink; evidence is its target's */
#define LG_FILE_DANGLING 0x4  /* a hardlink whose target is not in the layer */

typedef struct lg_entry {
	const char *path; /* normalized, absolute, in the layer's arena */
	uint32_t len;
	uint8_t type;     /* enum lg_entry_type */
} lg_entry;

typedef struct lg_tag {
	const char *expr; /* as found, trimmed; in the arena */
	uint32_t len;
	uint64_t line;
} lg_tag;

typedef struct lg_file {
	const char *path; /* normalized, absolute, in the arena */
	uint32_t len;
	uint32_t mode;
	uint64_t size;
	uint8_t xxh3[16]; /* XXH3-128 of the content, big-endian canonical form */
	uint32_t first_tag; /* index into lg_layer.tags */
	uint32_t ntags;
	uint32_t flags;   /* LG_FILE_* */
	uint32_t entry;   /* index of its lg_entry */
} lg_file;

typedef struct lg_layer {
	lg_arena arena;
	lg_file *files;
	size_t nfiles, files_cap;
	lg_entry *entries;
	size_t nentries, entries_cap;
	lg_tag *tags;
	size_t ntags, tags_cap;
	char **warnings; /* owned strings: things worth a look, not errors */
	size_t nwarnings;
	uint64_t content_bytes; /* sum of regular files' sizes */
	uint64_t tar_bytes;     /* size of the uncompressed tar stream */
} lg_layer;

/* Walk the layer desc from in; verify its blob digest and its diff_id.
 * Returns -1 with err set when any byte could not be read or verified. */
int lg_layer_scan(lg_input *in, const lg_layer_desc *desc, lg_layer **out,
		  lg_error *err);
void lg_layer_free(lg_layer *layer);

#endif
