/* report.h - the last stage: the verdict and the report, as text for people
 * or JSON for machines (schema: man/licgate-report.schema.json).
 *
 * Reports only read the scan.  Every finding names its evidence: the rule
 * with FILE:LINE, the tag, the layer's number and digest, and the layer
 * that hid the file when one did.
 */
#ifndef LICGATE_REPORT_H
#define LICGATE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scan.h"

enum lg_format {
	LG_FORMAT_TEXT,
	LG_FORMAT_JSON,
};

typedef struct lg_report_options {
	enum lg_format format;
	bool color;   /* text: ANSI colours */
	bool verbose; /* text: list every warning, not only their number */
} lg_report_options;

/* Counts over the distinct layers of the scan. */
typedef struct lg_summary {
	size_t images, layers, files;
	uint64_t bytes;         /* layer blobs read, as shipped */
	uint64_t content_bytes; /* regular files' content */
	size_t violations, warnings, exemptions; /* per image, layer and file */
} lg_summary;

void lg_summarize(const lg_scan *s, lg_summary *out);

/* true when no file of any image has the outcome deny. */
bool lg_scan_passed(const lg_scan *s);

/* One finding: file `file` of the image's layer at position `pos` (0-based). */
typedef struct lg_finding {
	const lg_scanned_image *image;
	size_t pos;
	const lg_scanned_layer *layer;
	const lg_file *file;
	uint32_t deleted_by; /* 1-based, 0 when visible */
} lg_finding;

typedef void (*lg_finding_fn)(void *ud, const lg_finding *f);

/* Call fn for each file whose outcome is `outcome`, image by image, layer by
 * layer, in the order of the tar. */
void lg_report_each(const lg_scan *s, enum lg_outcome outcome,
		    lg_finding_fn fn, void *ud);

/* Write the report.  Returns 0, or -1 with err set when out failed. */
int lg_report_write(const lg_scan *s, const lg_report_options *o, FILE *out,
		    lg_error *err);

/* The two formats (report_text.c, report_json.c). */
void lg_report_text(const lg_scan *s, const lg_report_options *o, FILE *out);
void lg_report_json(const lg_scan *s, FILE *out);

#endif
