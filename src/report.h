/* report.h - the last stage: the verdict and the reports.
 *
 * One scan, any number of reports.  Each format is a writer, one file
 * each (report_<format>.c), listed once in the table of report_formats.c,
 * which also drives --format and its help.  lg_report_run() walks the scan's
 * files once, image by image, layer by layer, in the order of the tar,
 * classifies each file it hands on once (lg_classify: the evidence), and
 * gives that one classification to every writer.  Writers receive the
 * findings (files whose outcome is not pass) and, when they ask for
 * LG_REPORT_EVERY_FILE (the SBOMs), every file; they stream what they can
 * and keep only what their format needs to put later.
 *
 * Strings from the image (paths, tags, history) are raw bytes, maybe not
 * UTF-8, maybe hostile: each writer escapes them its own way (jansson for
 * JSON, lg_escape_markup for XML and HTML, percent-encoding for SARIF URIs).
 *
 * Reports only read the scan.  Every finding names its evidence: the rule
 * with FILE:LINE, the tag, the layer's number and digest, and the layer
 * that hid the file when one did.
 *
 * Ownership: writers own their state from begin() to end(); the FILE is
 * the caller's (opened, flushed and closed by it).
 */
#ifndef LICGATE_REPORT_H
#define LICGATE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "scan.h"

typedef struct lg_report_options {
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

/* One file as shipped: file `file` of the image's layer at position `pos`
 * (0-based). */
typedef struct lg_finding {
	const lg_scanned_image *image;
	size_t pos;
	const lg_scanned_layer *layer;
	const lg_file *file;
	size_t index;        /* of file in layer->layer->files */
	uint32_t deleted_by; /* 1-based, 0 when visible */
	const lg_file_result *result; /* its outcome in this image */
} lg_finding;

typedef void (*lg_finding_fn)(void *ud, const lg_finding *f);

/* Call fn for each file whose outcome is `outcome`, image by image, layer by
 * layer, in the order of the tar. */
void lg_report_each(const lg_scan *s, enum lg_outcome outcome,
		    lg_finding_fn fn, void *ud);

/* What every writer is given. */
typedef struct lg_report_ctx {
	const lg_scan *s;
	const lg_report_options *o;
	lg_summary sum;
	bool passed;
} lg_report_ctx;

/* A scan that could not complete (exit status 2), for the writers that
 * still write a report then. */
typedef struct lg_report_failure {
	const char *image;   /* as given */
	const char *rules;   /* rules file name, or NULL when not loaded */
	const char *target;  /* or NULL */
	const char *message; /* the error, as printed after "licgate: " */
} lg_report_failure;

/* needs of a writer */
#define LG_REPORT_EVERY_FILE 0x1  /* file() for every file, passing ones too */
#define LG_REPORT_FILE_HASHES 0x2 /* SHA-1 and SHA-256 per file (layer.h) */

typedef struct lg_report_writer {
	const char *name; /* for --format */
	const char *help; /* one line for --help */
	unsigned needs;   /* LG_REPORT_* */
	/* Start a report on out; returns the writer's state. */
	void *(*begin)(const lg_report_ctx *ctx, FILE *out);
	/* One file: its finding and its classification (valid for the call). */
	void (*file)(void *st, const lg_finding *f, const lg_classification *c);
	/* Write the rest and free st. */
	void (*end)(void *st);
	/* The report of a scan that could not complete, or NULL: none (an
	 * old report of that name is removed instead). */
	void (*failed)(const lg_report_failure *fl, FILE *out);
} lg_report_writer;

/* One report to write. */
typedef struct lg_report_out {
	const lg_report_writer *w;
	FILE *out;
} lg_report_out;

/* Write every report of outs[0..n) from the one scan.  Returns 0, or -1
 * with err set when a stream failed. */
int lg_report_run(const lg_scan *s, const lg_report_options *o,
		  const lg_report_out *outs, size_t n, lg_error *err);

/* Shared by the JSON writers: a JSON string for bytes that may not be
 * UTF-8 (invalid bytes become \xNN escapes, so the document stays valid
 * UTF-8); and a string or null. */
json_t *lg_report_jbytes(const char *s, size_t len);
json_t *lg_report_jstr(const char *s);
/* The license list version, the verdict word and similar small helpers. */
const char *lg_report_verdict(const lg_report_ctx *ctx); /* "pass"/"fail" */

/* One piece of evidence in words, raw bytes appended to b (the writer
 * escapes them): "tag \"BUSL-1.1\" line 3 -> BSL (rules/x.rules:12)". */
void lg_report_evidence(lg_buf *b, const lg_evidence *e);
/* All of a file's evidence, "; "-separated ("no evidence" when none). */
void lg_report_evidence_all(lg_buf *b, const lg_classification *c);
/* The line the deciding evidence names (a tag's line), or 1. */
uint64_t lg_report_line(const lg_classification *c);
/* The class a file is reported under: its class, or "unknown". */
const char *lg_report_class(const lg_classification *c);

/* Files of each class in image si ("unknown" for none), for the writers
 * that count them: n entries of {class, files, denied}; free(*out). */
typedef struct lg_class_count {
	const char *name;
	size_t files, denied;
} lg_class_count;
size_t lg_report_class_counts(const lg_scan *s, const lg_scanned_image *si,
			      lg_class_count **out);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
char *lg_report_hex(const uint8_t *p, size_t n, char *out);

#endif
