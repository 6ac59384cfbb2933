/* layer.h - walk one layer blob: every entry of the tar, streamed through
 * libarchive straight from the verified blob, nothing extracted.
 *
 * For each regular file the walk records its normalized path, size, mode,
 * XXH3-128 of its content, every SPDX-License-Identifier tag in it and,
 * given a fingerprint set, the denied source file its content matches; for
 * every entry (files, directories, symlinks, whiteouts) its path and type,
 * which whiteout resolution needs; for a symlink named like a license
 * file, its target.  The blob's digest and the uncompressed
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
#include "evidence_fingerprint.h"
#include "oci.h"
#include "rules.h"
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
#define LG_FILE_SIDECAR 0x8   /* a REUSE sidecar (NAME.license) of another file */
#define LG_FILE_MEMBER 0x10   /* a member of an archive among the files
			       * (layer_nested.h): path CONTAINER!/NAME */

typedef struct lg_entry {
	const char *path; /* normalized, absolute, in the layer's arena */
	uint32_t len;
	uint8_t type;     /* enum lg_entry_type */
} lg_entry;

typedef struct lg_tag {
	const char *expr; /* as found, trimmed; in the arena */
	uint32_t len;
	uint64_t line;
	uint64_t snippet_begin; /* inside SPDX-SnippetBegin at this line, or 0 */
	uint64_t snippet_end;   /* ...ending at this line; 0: at the end of the file */
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
	uint32_t first_text; /* index into lg_layer.texts */
	uint32_t ntext;
	uint32_t sidecar; /* 1 + index of its NAME.license file, or 0 */
	uint32_t package; /* 1 + index into lg_layer.packages, or 0 */
	uint32_t container; /* a member's: 1 + index of the layer file (not a
			     * member) it is inside, which whiteouts act on; or 0 */
	uint32_t fpmatch; /* 1 + index into lg_layer.fpmatches, or 0 */
} lg_file;

enum lg_package_kind {
	LG_PACKAGE_NPM,    /* node_modules/<pkg>/package.json */
	LG_PACKAGE_PYTHON, /* <name>.dist-info/METADATA (+ RECORD) */
};

/* A package manifest that licenses the files of its package. */
typedef struct lg_package {
	enum lg_package_kind kind;
	uint32_t manifest;  /* index of the manifest file */
	const char *expr;   /* the declared license (an SPDX expression, we hope); arena */
	uint32_t len;
	uint32_t also;      /* 1 + index of an earlier package that licenses the
			     * same files (one file in two RECORDs), or 0 */
} lg_package;

/* A symbolic link named like a license file (rules.h,
 * lg_rules_is_license_file): the only symlinks whose target the walk
 * keeps, for evidence_licfile.h to follow within the image.  A target
 * longer than LG_LINK_MAX bytes (more than a path can be) is not kept. */
#define LG_LINK_MAX 4095
typedef struct lg_link {
	uint32_t entry;     /* index of its lg_entry (LG_ENTRY_OTHER) */
	uint32_t len;
	const char *target; /* as the tar says it, bytes; in the arena */
} lg_link;

/* The content of a file kept for after the walk (package manifests). */
typedef struct lg_capture {
	uint32_t file;
	const char *data; /* arena */
	uint32_t len;
} lg_capture;

/* SHA-1 and SHA-256 of a file's content, for the SBOM reports (SPDX asks
 * for SHA-1 per file), computed in the walk's one pass. */
typedef struct lg_file_hashes {
	uint8_t sha1[20];
	uint8_t sha256[32];
} lg_file_hashes;

typedef struct lg_layer {
	lg_arena arena;  /* the strings of a walk */
	void *backing;   /* or of a cache entry: the entry read (cache.c) */
	lg_file *files;
	size_t nfiles, files_cap;
	lg_entry *entries;
	size_t nentries, entries_cap;
	lg_tag *tags;
	size_t ntags, tags_cap;
	const lg_rule **texts; /* text rules that matched, per file */
	size_t ntexts, texts_cap;
	uint32_t *text_lines;  /* per texts[i], the 1-based line of the file
				* where its match starts; NULL: not known */
	size_t text_lines_cap;
	lg_package *packages;
	size_t npackages, packages_cap;
	lg_fpmatch *fpmatches; /* content matches with a fingerprint set; their
				* strings are in the arena */
	size_t nfpmatches, fpmatches_cap;
	lg_link *links;        /* in entry order */
	size_t nlinks, links_cap;
	lg_capture *captures;  /* freed after the walk has resolved them */
	size_t ncaptures, captures_cap;
	lg_file_hashes *hashes; /* one per file when the walk was asked for them
				 * (lg_walk_options.file_hashes), else NULL;
				 * a cached walk has them when the walk
				 * it stored had them (cache.h) */
	size_t hashes_cap;
	char **warnings; /* owned strings: things worth a look, not errors */
	size_t nwarnings;
	uint64_t content_bytes; /* sum of regular files' sizes */
	uint64_t tar_bytes;     /* size of the uncompressed tar stream */
	uint64_t hole_bytes;    /* sparse files' holes, read as zeros */
} lg_layer;

/* What a walk may read, and where it tells how far it got. */
typedef struct lg_walk_options {
	uint64_t max_bytes;           /* uncompressed bytes (tar stream and
				       * sparse holes); 0: no limit */
	_Atomic uint64_t *read_bytes; /* compressed bytes read are added here
				       * as the walk goes; may be NULL */
	/* Out, may be NULL: set true, with *blob_id, when the blob the walk
	 * verified is a file whose identity is settled (blob.h). */
	bool *blob_settled;
	lg_file_id *blob_id;
	bool file_hashes;             /* fill lg_layer.hashes (SBOM reports) */
	/* Match every regular file's content against this set (may be NULL). */
	const lg_fpset *fingerprints;
} lg_walk_options;

/* Walk the layer desc from in; verify its blob digest and its diff_id.
 * rules (may be NULL) supplies the `text` rules matched against the head
 * of each file.  Returns -1 with err set when any byte could not be read
 * or verified. */
int lg_layer_scan(lg_input *in, const lg_layer_desc *desc,
		  const lg_rules *rules, lg_layer **out, lg_error *err);
/* The same within the limits of opts (may be NULL): a layer of more than
 * opts->max_bytes uncompressed bytes is an error. */
int lg_layer_scan_with(lg_input *in, const lg_layer_desc *desc, const lg_rules *rules,
		       const lg_walk_options *opts, lg_layer **out, lg_error *err);
void lg_layer_free(lg_layer *layer);

#endif
