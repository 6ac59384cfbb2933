/* report_cyclonedx.h - a CycloneDX 1.6 JSON BOM: every regular file of
 * every layer of every image, with its hashes and licenses.
 *
 * metadata.component is the scanned image (type container; with several
 * images, the IMAGE argument, and each image is a container component).
 * Each file is a component of type file named by its path, with SHA-1 and
 * SHA-256 (from the walk's one pass, layer.h) and licenses: licgate's
 * concluded expression as one {expression, acknowledgement: concluded},
 * else the identifiers of its own tags as a list of {license: {id or
 * name}, acknowledgement: declared}, never both kinds in one list
 * (report_sbom.h says how they are made).  Properties in the licgate:
 * namespace carry the layer and its digest, the manifest, the class, the
 * verdict (pass, warn, deny, exempt) and deleted-by.  Components are
 * streamed as the files come.
 */
#ifndef LICGATE_REPORT_CYCLONEDX_H
#define LICGATE_REPORT_CYCLONEDX_H

#include "report.h"

extern const lg_report_writer lg_report_cyclonedx;

#endif
