/* oci.h - the image's JSON documents: oci-layout, index.json, nested
 * indexes, image manifests and configs (OCI image-spec 1.1, and the Docker
 * manifest list and schema-2 manifest that older tools write into layouts).
 *
 * lg_oci_load() walks the index tree of an input, verifying every JSON blob
 * it reads, and returns the images to scan (one per image manifest, after
 * the --platform filter) and the descriptors it skipped (artifacts, unknown
 * media types), which the report lists.
 *
 * Ownership: the lg_image_set and everything in it belongs to the caller,
 * released with lg_image_set_free().
 */
#ifndef LICGATE_OCI_H
#define LICGATE_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "error.h"
#include "input.h"

/* How a layer blob is compressed, from its media type. */
enum lg_compression {
	LG_COMP_NONE,
	LG_COMP_GZIP,
	LG_COMP_ZSTD,
	LG_COMP_DETECT, /* Docker's rootfs.diff.tar.gzip: Docker itself sniffs */
};

typedef struct lg_platform {
	char *os;           /* NULL when unknown */
	char *architecture;
	char *variant;      /* NULL when absent */
} lg_platform;

typedef struct lg_layer_desc {
	char *path;        /* docker-archive: the file in the archive; NULL: by digest */
	char *media_type;
	lg_digest digest;
	int64_t size;
	enum lg_compression compression;
	lg_digest diff_id; /* from the config's rootfs.diff_ids */
	char *created_by;  /* the config's history line for it, or NULL */
} lg_layer_desc;

typedef struct lg_image {
	lg_digest digest;     /* of the manifest; docker-archive: of the config (the image ID) */
	char *media_type;     /* of the manifest; NULL for a docker-archive manifest.json entry */
	char *ref;            /* org.opencontainers.image.ref.name, or NULL */
	lg_platform platform; /* from the index, else from the config */
	lg_digest config;
	size_t nlayers;
	lg_layer_desc *layers;
} lg_image;

typedef struct lg_skipped {
	char *digest;     /* as written (may be invalid) */
	char *media_type;
	char *reason;
} lg_skipped;

typedef struct lg_image_set {
	lg_image *images;
	size_t nimages;
	lg_skipped *skipped;
	size_t nskipped;
} lg_image_set;

/* A --platform filter: OS/ARCH[/VARIANT]. */
typedef struct lg_platform_filter {
	char os[64];
	char architecture[64];
	char variant[64]; /* "" matches any variant */
} lg_platform_filter;

/* Parse "os/arch[/variant]".  Returns -1 with err on a malformed value. */
int lg_platform_filter_parse(const char *s, lg_platform_filter *out,
			     lg_error *err);

/* Which images to load. */
typedef struct lg_select {
	const lg_platform_filter *platforms; /* --platform; none: all */
	size_t nplatforms;
	const char *const *refs; /* --ref: ref.name / RepoTags; none: all */
	size_t nrefs;
} lg_select;

/* Load every image of the input: from an OCI layout's index (nested
 * indexes, manifests, configs), or from a `docker save` archive's
 * manifest.json (also when a Docker 25 index.json lists no manifests).
 * An error (a blob missing or not matching its digest, a malformed
 * document, an unsupported layer media type, no image at all) is -1. */
int lg_oci_load(lg_input *in, const lg_select *select, lg_image_set **out,
		lg_error *err);

void lg_image_set_free(lg_image_set *set);

/* "os/arch[/variant]" into buf, or "" when the platform is unknown. */
const char *lg_platform_string(const lg_platform *p, char *buf, size_t size);

/* Largest index/manifest and config documents licgate reads. */
#define LG_MAX_MANIFEST_BYTES (4u << 20)
#define LG_MAX_CONFIG_BYTES (16u << 20)
/* Deepest nesting of indexes followed. */
#define LG_MAX_INDEX_DEPTH 8

#endif
