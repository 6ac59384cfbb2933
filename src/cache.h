/* cache.h - a verified cache of layer walks.
 *
 * A layer walk's result (everything lg_layer holds that classification
 * reads) is stored in one file per layer, named by a key: the SHA-256 of
 * licgate's version, the cache format, the layer's digest and diff_id and
 * what the walk reads from the rules (lg_cache_walk_digest()), and the
 * blob's size and media type; with fingerprint sets, the caller folds
 * their digest into the key (lg_cache_key_extend()).  An entry is used only on
 * an exact key match, when its header, its length and the XXH3 of its
 * payload check out, and every index in it is in range; anything else is a
 * miss (and is rewritten after the walk), never trusted.  The caller still
 * verifies the layer's blob against its descriptor before using an entry.
 *
 * Entries are written to a temporary file in the cache directory and
 * renamed into place, so readers (parallel CI jobs sharing a directory)
 * see a whole entry or none.  The directory is 0700, the files 0600.  A
 * cache that cannot be created or written is a warning, never an error.
 *
 * A blob file the cache saw verified and unchanged since is not hashed
 * again: see lg_cache_knows_blob().
 *
 * Ownership: lg_cache_open() returns a cache freed with lg_cache_free();
 * it is safe to use from several threads.  lg_cache_load() and
 * lg_cache_decode() return an lg_layer the caller frees with
 * lg_layer_free().  Warnings are returned as strings the caller frees.
 */
#ifndef LICGATE_CACHE_H
#define LICGATE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "blob.h"
#include "classify.h"
#include "layer.h"
#include "oci.h"
#include "rules.h"
#include "util.h"

/* The format of an entry; a change to it or to lg_layer bumps this. */
#define LG_CACHE_FORMAT 8
/* Hex SHA-256 plus NUL. */
#define LG_CACHE_KEY_LEN 65

typedef struct lg_cache lg_cache;

/* The cache in dir, or by default $XDG_CACHE_HOME/licgate, else
 * $HOME/.cache/licgate; the directory is created (0700) if needed.
 * Returns NULL with *warning set when there is no usable directory. */
lg_cache *lg_cache_open(const char *dir, char **warning);
void lg_cache_free(lg_cache *c);
const char *lg_cache_dir(const lg_cache *c);

/* The hex SHA-256 of what a layer walk reads from rules (NULL: nothing):
 * the text rules' patterns, in order.  Path, license and exempt rules,
 * classes, targets and comments are not in it: they act after the walk,
 * on a cached walk as on a fresh one.  Anything new a walk reads from the
 * rules is added here, and only here. */
void lg_cache_walk_digest(const lg_rules *rules, char out[LG_CACHE_KEY_LEN]);

/* The key of the walk of layer d with rules (NULL: no text rules): the
 * layer's digest, diff_id, size, media type and compression (a blob the
 * walk refuses under one media type is not taken from a walk made under
 * another), licgate's version, the format and lg_cache_walk_digest(). */
void lg_cache_key(const lg_layer_desc *d, const lg_rules *rules,
		  char key[LG_CACHE_KEY_LEN]);

/* Fold more (a fingerprint set's digest: the walk's matches depend on it)
 * into key, in place. */
void lg_cache_key_extend(char key[LG_CACHE_KEY_LEN], const char *more);

/* The entry for key, or NULL when there is none or it cannot be trusted;
 * *rejected is set when there was an entry and it was not trusted (the
 * caller counts it and rewrites it). */
lg_layer *lg_cache_load(lg_cache *c, const char *key, const lg_rules *rules,
			bool *rejected);

/* Store layer under key.  Returns 0, or -1 with *warning set. */
int lg_cache_store(lg_cache *c, const char *key, const lg_rules *rules,
		   const lg_layer *layer, char **warning);

/* A layer's classification: the results of its files (classify.h) for
 * one target of one rules file, under lg_cache_results_key(): the key of
 * its walk, the digest of the whole rules file and the target's name.
 * lg_cache_load_results() returns them for a walk of nfiles files, in one
 * block the caller frees with free() (class names included), or NULL,
 * with *rejected set when an entry was there but not trusted.
 * lg_cache_store_results() stores them: 0, or -1 with *warning set. */
void lg_cache_results_key(const char *layer_key, const lg_rules *rules,
			  const lg_target *target, char key[LG_CACHE_KEY_LEN]);
lg_file_result *lg_cache_load_results(lg_cache *c, const char *key, size_t nfiles,
				      bool *rejected);
int lg_cache_store_results(lg_cache *c, const char *key, const lg_file_result *r, size_t n,
			   char **warning);
/* The bytes of a results entry, appended to out; and back (NULL unless
 * everything checks out). */
void lg_cache_encode_results(const char *key, const lg_file_result *r, size_t n, lg_buf *out);
lg_file_result *lg_cache_decode_results(const char *key, size_t nfiles, const void *data,
					size_t len);

/* An image's whiteout resolution (whiteout.h: deleted_by per layer, per
 * file), under lg_cache_stack_key() of its layers' walk keys, bottom to
 * top: the same walks always resolve the same way.  lg_cache_load_stack()
 * reads and checks an entry (NULL when there is none or it does not check
 * out, *rejected set in the second case); lg_cache_stack_fill() copies it
 * into deleted_by, arrays of nfiles[i] elements for n layers, and returns
 * -1 when it does not fit them (another count, a value that is not 0 or a
 * layer above).  The entry is freed with lg_cache_stack_free(). */
typedef struct lg_cache_stack lg_cache_stack;
void lg_cache_stack_key(const char *const *layer_keys, size_t n, char key[LG_CACHE_KEY_LEN]);
lg_cache_stack *lg_cache_load_stack(lg_cache *c, const char *key, bool *rejected);
int lg_cache_stack_fill(const lg_cache_stack *st, size_t n, const size_t *nfiles,
			uint32_t *const *deleted_by);
void lg_cache_stack_free(lg_cache_stack *st);
int lg_cache_store_stack(lg_cache *c, const char *key, size_t n, const size_t *nfiles,
			 const uint32_t *const *deleted_by, char **warning);
/* The bytes of a stack entry, appended to out; and back (NULL unless its
 * header checks out; lg_cache_stack_fill() checks the rest). */
void lg_cache_encode_stack(const char *key, size_t n, const size_t *nfiles,
			   const uint32_t *const *deleted_by, lg_buf *out);
lg_cache_stack *lg_cache_decode_stack(const char *key, const void *data, size_t len);

/* Blob files verified before (blob.h: lg_blob_settled), one record per
 * blob digest: lg_cache_knows_blob() is true when the file with identity
 * id was recorded, settled, for digest, so its content need not be read
 * again.  lg_cache_remember_blob() records it (replacing the record of
 * another copy); 0, or -1 with *warning set.  A record that does not
 * check out is not trusted. */
bool lg_cache_knows_blob(lg_cache *c, const lg_digest *digest, const lg_file_id *id);
int lg_cache_remember_blob(lg_cache *c, const lg_digest *digest, const lg_file_id *id,
			   char **warning);

/* The entry file's bytes for layer (header included), appended to out. */
void lg_cache_encode(const char *key, const lg_rules *rules,
		     const lg_layer *layer, lg_buf *out);
/* Decode an entry's bytes; NULL unless everything checks out.  A layer
 * walked with per-file SHA-1/SHA-256 (lg_walk_options.file_hashes) keeps
 * them in its entry and decodes with them; one walked without decodes
 * with lg_layer.hashes NULL, which cannot serve an SBOM report. */
lg_layer *lg_cache_decode(const char *key, const lg_rules *rules,
			  const void *data, size_t len);

#endif
