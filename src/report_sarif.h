/* report_sarif.h - SARIF 2.1.0 for GitHub code scanning (and any SARIF
 * viewer).
 *
 * One run per image, its tool.driver.rules one rule per denied class of
 * the target (licgate/deny/CLASS), one result per violation:
 *   - the location is the relative URI image/PATH, percent-encoded (bytes
 *     outside RFC 3986's unreserved set and '/'), never a scheme GitHub
 *     would refuse; its region is line 1 column 1, or the deciding tag's
 *     line;
 *   - logicalLocations name image@LAYER-DIGEST:/PATH;
 *   - partialFingerprints.primaryLocationLineHash is computed by licgate
 *     (GitHub cannot: the file is not in the repository): SHA-256 of rule
 *     id, platform and path, so a finding keeps its alert across rebuilds;
 *   - properties carry the layer (index, digest), manifest, deleted-by,
 *     class and the evidence in words.
 * GitHub takes at most 25,000 results per run and 10 MB of gzipped SARIF:
 * past either, each run keeps its first results in report order (layer
 * by layer, in the order of the tar) up to a cap that starts at 25,000
 * and halves until the gzipped document fits; the run then says how
 * many it left out (invocations[0].toolExecutionNotifications and
 * properties.omittedResults).  Never silently.
 */
#ifndef LICGATE_REPORT_SARIF_H
#define LICGATE_REPORT_SARIF_H

#include "report.h"

extern const lg_report_writer lg_report_sarif;

#define LG_SARIF_MAX_RESULTS 25000
#define LG_SARIF_MAX_GZIP (10u * 1000 * 1000)

#endif
