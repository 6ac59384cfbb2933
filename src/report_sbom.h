/* report_sbom.h - what the SBOM writers (report_spdx.c,
 * report_cyclonedx.c) share: a file's licenses as SPDX expressions.
 *
 *   declared   the identifiers of the file's own SPDX-License-Identifier
 *              tags (licenseInfoInFiles);
 *   concluded  licgate's conclusion: the expressions of the file's tags,
 *              its REUSE sidecar and its package's declared license,
 *              ANDed (all evidence combines as AND, classify.h); or, for a
 *              file classified only by a path or text rule, the class as
 *              LicenseRef-licgate-CLASS; or nothing (NOASSERTION).
 * An identifier the SPDX License List does not know (a typo, BSL-1.1)
 * becomes LicenseRef-ID (bytes outside [A-Za-z0-9.-] as '-'), remembered
 * with the text it stands for, so the document can define it
 * (hasExtractedLicensingInfos, or a CycloneDX license name).
 *
 * Ownership: an lg_sbom_refs is the caller's (lg_sbom_refs_free); the
 * expression buffers too.
 */
#ifndef LICGATE_REPORT_SBOM_H
#define LICGATE_REPORT_SBOM_H

#include <stdbool.h>

#include "report.h"
#include "strmap.h"

typedef struct lg_sbom_ref {
	char *id;   /* LicenseRef-... */
	char *text; /* what it stands for */
} lg_sbom_ref;

typedef struct lg_sbom_refs {
	lg_sbom_ref *refs;
	size_t n, cap;
} lg_sbom_refs;

/* Append the concluded expression of c to out; false (out unchanged) when
 * licgate concludes nothing. */
bool lg_sbom_concluded(const lg_classification *c, lg_sbom_refs *refs, lg_buf *out);

/* Call fn for each distinct identifier of the file's own tags (rewritten
 * as above); returns how many. */
size_t lg_sbom_declared(const lg_layer *l, const lg_file *f, lg_sbom_refs *refs,
			void (*fn)(void *ud, const char *id), void *ud);

void lg_sbom_refs_free(lg_sbom_refs *refs);

/* A random-looking but reproducible UUID (RFC 4122 layout, version 5
 * style) from the SHA-256 of seed, into out[37]. */
void lg_sbom_uuid(const char *seed, char out[37]);

/* The document's creation time, RFC 3339 UTC: $SOURCE_DATE_EPOCH when
 * set (reproducible builds), else now; into out[21]. */
void lg_sbom_created(char out[21]);

#endif
