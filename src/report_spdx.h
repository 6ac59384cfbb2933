/* report_spdx.h - an SPDX 2.3 JSON document: every regular file of every
 * layer of every image, with its concluded license.
 *
 * Each image is a package (primaryPackagePurpose CONTAINER, a pkg:oci
 * purl in externalRefs) that the document DESCRIBES and that CONTAINS its
 * files.  Each file, deleted-but-shipped ones too (the comment says so),
 * has a fileName ./PATH, SHA-1 and SHA-256 (computed in the walk's one
 * pass: layer.h, lg_file_hashes), licenseInfoInFiles from its own tags,
 * licenseConcluded from licgate's classification (report_sbom.h) or
 * NOASSERTION, and a comment naming the layer, the class, the outcome and
 * the evidence.  Every LicenseRef- used is defined in
 * hasExtractedLicensingInfos.  documentNamespace is unique per document: a
 * UUID from the manifests, the rules, the target and the creation time
 * ($SOURCE_DATE_EPOCH when set, for reproducible documents).
 *
 * The files array is streamed as the files come; only the per-image SHA-1
 * list of the package verification code is kept until the end.
 */
#ifndef LICGATE_REPORT_SPDX_H
#define LICGATE_REPORT_SPDX_H

#include "report.h"

extern const lg_report_writer lg_report_spdx;

#endif
