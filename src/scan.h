/* scan.h - the whole pipeline for one image: input -> JSON documents ->
 * every layer walked and verified -> whiteouts resolved -> every file
 * classified.  The report module only reads the result.
 *
 * Ownership: lg_scan_run() returns an lg_scan freed with lg_scan_free();
 * everything reachable from it (images, layers, results) belongs to it.
 * It borrows the rules and target, which must outlive it.
 */
#ifndef LICGATE_SCAN_H
#define LICGATE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "error.h"
#include "evidence_licfile.h"
#include "layer.h"
#include "oci.h"
#include "rules.h"

typedef struct lg_scan_options {
	const char *image;                  /* path given by the user */
	lg_select select;                   /* --platform, --ref */
	const lg_rules *rules;
	const lg_target *target;
	unsigned jobs;                      /* layers walked at once; 0: online CPUs */
	uint64_t max_bytes;                 /* --max-bytes; 0: no limit */
	int progress;                       /* --progress 1, --no-progress 0,
					     * -1: when stderr is a terminal */
	bool no_cache;                      /* --no-cache */
	const char *cache_dir;              /* --cache-dir; NULL: the default */
	const lg_remote_options *remote;    /* registries and the engine; may be NULL */
	bool file_hashes;                   /* SHA-1 and SHA-256 of every file
					     * (SBOM reports): such a scan walks
					     * every layer, since no cached walk
					     * holds them (it still stores its
					     * walks for the other scans) */
	const lg_fpset *fingerprints;       /* --fingerprints; NULL: none */
} lg_scan_options;

/* One distinct layer blob, walked once however many images share it. */
typedef struct lg_whiteout_map lg_whiteout_map;

typedef struct lg_scanned_layer {
	const lg_layer_desc *desc; /* of the first image that has it */
	lg_layer *layer;
	bool cached;               /* its walk came from the cache */
	bool blob_unchanged;       /* its blob was not read again: the cache
				    * saw this very file verified, unchanged
				    * since (blob.h, lg_blob_settled) */
	bool blob_by_digest;       /* not downloaded: from a registry, the
				    * verified manifest names it by digest,
				    * and the cache has that digest's walk */
	bool cache_rejected;       /* its cache entry was there, not trusted,
				    * and was rewritten from a fresh walk */
	lg_file_result *results;   /* one per layer->files, as the first image
				    * that has it classifies them (each image
				    * has its own: lg_image_layer) */
	const lg_licfile_dir **lic; /* per file, the license files governing
				    * it (evidence_licfile.h) in that image, or
				    * NULL; NULL when no file has any */
	lg_whiteout_map *hides;    /* what it hides below it (whiteout.h);
				    * NULL once the images are resolved, or
				    * when it is only ever a bottom layer */
} lg_scanned_layer;

/* A layer as one image has it.  Directory license files are per image
 * (evidence_licfile.h): a layer that images share, but whose files their
 * license files govern differently (only one has ee/LICENSE above it), is
 * classified per image.  Most layers are not: then the view borrows the
 * layer's own results. */
typedef struct lg_image_layer {
	const lg_file_result *results; /* one per file of the layer */
	const lg_licfile_dir **lic;    /* per file, the license files governing
					* it in this image, or NULL */
	bool own;                      /* both are this image's (else the
					* layer's: lg_scanned_layer) */
} lg_image_layer;

typedef struct lg_scanned_image {
	const lg_image *image;
	size_t *layer_ids;    /* image->nlayers indexes into lg_scan.layers */
	lg_image_layer *view; /* per layer position: its files in this image */
	uint32_t **deleted_by; /* per layer, per file: 1-based hiding layer or 0 */
	lg_licfile_index *licfiles; /* its license files, or NULL */
} lg_scanned_image;

typedef struct lg_scan {
	const lg_scan_options *opts;
	lg_image_set *set;
	lg_scanned_layer *layers;
	size_t nlayers;
	lg_scanned_image *images; /* set->nimages */
	size_t cached_layers;     /* layers whose walk came from the cache */
	size_t unchanged_blobs;   /* ... and whose blob was not read again */
	size_t rejected_cache_entries; /* entries found but not trusted */
	uint64_t uncompressed_bytes; /* tar bytes of the distinct layers */
	double seconds;
} lg_scan;

int lg_scan_run(const lg_scan_options *opts, lg_scan **out, lg_error *err);

/* Classify file f of the layer at position pos of image si with all its
 * evidence (its directory's license files in that image included), as the
 * scan did: for reports. */
void lg_scan_classify(const lg_scan *scan, const lg_scanned_image *si, size_t pos,
		      const lg_file *f, lg_classification *out);

/* Throughput: uncompressed layer bytes per second, in MB (10^6 bytes). */
double lg_scan_mb_per_second(const lg_scan *scan);
void lg_scan_free(lg_scan *scan);

#endif
