/* cache.h - a verified cache of layer walks.
 *
 * A layer walk's result (everything lg_layer holds that classification
 * reads) is stored in one file per layer, named by a key: the SHA-256 of
 * licgate's version, the cache format, the layer's digest and diff_id and
 * the rules' digest (text rules change the walk); with a fingerprint set,
 * the caller folds the set's digest into the key (lg_cache_key_extend()).  An entry is used only on
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
#include "layer.h"
#include "oci.h"
#include "rules.h"
#include "util.h"

/* The format of an entry; a change to it or to lg_layer bumps this. */
#define LG_CACHE_FORMAT 4
/* Hex SHA-256 plus NUL. */
#define LG_CACHE_KEY_LEN 65

typedef struct lg_cache lg_cache;

/* The cache in dir, or by default $XDG_CACHE_HOME/licgate, else
 * $HOME/.cache/licgate; the directory is created (0700) if needed.
 * Returns NULL with *warning set when there is no usable directory. */
lg_cache *lg_cache_open(const char *dir, char **warning);
void lg_cache_free(lg_cache *c);
const char *lg_cache_dir(const lg_cache *c);

/* The key of the walk of layer d with rules (NULL: no text rules). */
void lg_cache_key(const lg_layer_desc *d, const lg_rules *rules,
		  char key[LG_CACHE_KEY_LEN]);

/* Fold more (a fingerprint set's digest: the walk's matches depend on it)
 * into key, in place. */
void lg_cache_key_extend(char key[LG_CACHE_KEY_LEN], const char *more);

/* The entry for key, or NULL when there is none or it cannot be trusted. */
lg_layer *lg_cache_load(lg_cache *c, const char *key, const lg_rules *rules);

/* Store layer under key.  Returns 0, or -1 with *warning set. */
int lg_cache_store(lg_cache *c, const char *key, const lg_rules *rules,
		   const lg_layer *layer, char **warning);

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
/* Decode an entry's bytes; NULL unless everything checks out. */
lg_layer *lg_cache_decode(const char *key, const lg_rules *rules,
			  const void *data, size_t len);

#endif
